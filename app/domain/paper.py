"""What each printed sheet shows, as plain data: the core reads it, forms/ draws it.

The desk's print operations (``desk.paper`` for the case sheets, the 支援調整会議 sheets and
the home-visit kit; ``desk.reports`` / ``desk.region`` for the report PDFs and the training
history) read only what a sheet shows into one of the records below and hand it to the
drawing function their caller gives them (``render=forms.sheets.render``): the core never
imports forms/, and forms/ gets nothing but these records (it imports app.domain only, plus
the utilities listed in pyproject.toml's import-linter contracts).

A blank sheet gets a :class:`CaseData` with only the person and the case number (or
nothing at all) and the master lists it prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

from app.domain.agency import Agency
from app.domain.assessment import Assessment, Screening
from app.domain.case import CaseDetail
from app.domain.closure import Closure, Followup
from app.domain.decision import Decision
from app.domain.evaluation import Evaluation
from app.domain.intake import Intake
from app.domain.meeting import AgendaItem, AgendaKind, Meeting, MeetingResult
from app.domain.monitoring import Monitoring
from app.domain.person import PersonInput
from app.domain.plan import Plan
from app.domain.record import SupportRecord
from app.domain.service import Service
from app.i18n import N_

# The printed title of each case sheet (msgids; the print menus and disclosure records use
# them), in the order of the menus.
SHEET_TITLES: dict[str, str] = {
    "intake": N_("Intake and application form"),
    "intake-noconsent": N_("Intake and application form without the consent clause"),
    "assessment": N_("Intake and assessment sheet"),
    "plan": N_("Support plan and application for services"),
    "records": N_("Support record sheet"),
    "monitoring": N_("Monitoring sheet"),
    "evaluation": N_("Plan evaluation sheet"),
    "closure": N_("Closure and follow-up record"),
    "consent": N_("Consent to the provision of information"),
}
CASE_SHEETS = tuple(SHEET_TITLES)
MEETING_SHEETS = ("agenda", "minutes")


@dataclass(frozen=True)
class CaseData:
    """One case as a sheet needs it (lists oldest first). Only the lists the sheet shows are
    read (app/operations/paper.py ``SHOWS``); the others stay empty. ``detail`` holds the
    case and the person — its ``intakes`` only for the sheets that print the intake."""

    detail: CaseDetail | None = None
    prefill: PersonInput | None = None        # a blank sheet for a person not registered yet
    assessments: list[Assessment] = field(default_factory=list)
    screenings: list[Screening] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    records: list[SupportRecord] = field(default_factory=list)
    monitorings: list[Monitoring] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)
    followups: list[Followup] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    agenda: list[tuple[AgendaItem, date]] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    all_services: list[Service] = field(default_factory=list)   # inactive ones too (names)
    domains: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    consents: list[Any] = field(default_factory=list)   # app.security.privacy.Consent

    @property
    def case_no(self) -> str:
        return self.detail.case.case_no if self.detail else ""

    @property
    def person(self):
        if self.detail is not None:
            return self.detail.person
        return self.prefill

    @property
    def intake(self) -> Intake | None:
        return self.detail.intakes[-1] if self.detail and self.detail.intakes else None

    @property
    def assessment(self) -> Assessment | None:
        return self.assessments[-1] if self.assessments else None

    @property
    def plan(self) -> Plan | None:
        """The plan to print: the one in effect, else the newest (a draft to sign)."""
        approved = [p for p in self.plans if p.status.value == "approved"]
        if approved:
            return approved[-1]
        return self.plans[-1] if self.plans else None

    def service_name(self, key: str) -> str:
        return next((s.name for s in (self.all_services or self.services) if s.key == key), key)

    def meeting_of(self, subject_id: str) -> tuple[AgendaItem, date] | None:
        """The agenda item (and meeting date) that decided ``subject_id``, newest first."""
        found = [(a, on) for a, on in self.agenda if a.subject_id == subject_id]
        decided = [x for x in found if x[0].result is not None]
        pick = decided or [x for x in found if x[0].withdrawn_on is None] or found
        return max(pick, key=lambda x: x[1]) if pick else None


@dataclass(frozen=True)
class CaseSheet:
    """One sheet of :data:`CASE_SHEETS` to draw: filled from ``data``, or blank."""

    sheet: str
    agency: Agency
    data: CaseData
    blank: bool = False


@dataclass(frozen=True)
class AgendaRow:
    """One agenda item as printed."""

    kind: AgendaKind
    case_no: str = ""
    who: str = ""                  # initials, or the full name when consent covers it
    summary: str = ""
    result: MeetingResult | None = None
    conditions: str = ""


@dataclass(frozen=True)
class MeetingData:
    meeting: Meeting
    rows: list[AgendaRow] = field(default_factory=list)


@dataclass(frozen=True)
class MeetingSheet:
    """The agenda (資料) or the record (議事録) of one 支援調整会議."""

    sheet: str          # one of MEETING_SHEETS
    agency: Agency
    data: MeetingData


@dataclass(frozen=True)
class VisitKit:
    """The home-visit kit: the blank sheets for each person (one CaseData each)."""

    agency: Agency
    people: list[CaseData]


@dataclass(frozen=True)
class TrainingRow:
    completed_on: date
    kind: str            # label
    title: str
    organiser: str
    hours: float | None


@dataclass(frozen=True)
class SessionRow:
    held_on: date
    kind: str            # label
    topic: str
    case_numbers: list[str]
    leader: str


@dataclass(frozen=True)
class TrainingHistory:
    """研修受講履歴 of one staff member (cases by number only); labels already resolved."""

    agency: Agency
    name: str                       # the staff member's display name
    role: str                       # label ("" when unknown)
    today: date
    required_course: str            # label of the national course the role needs, or ""
    national_done_on: date | None
    trainings: list[TrainingRow]
    sessions: list[SessionRow]


@dataclass(frozen=True)
class ReportPaper:
    """A statistics PDF: ``kind`` monthly, fiscal_year or caseload. ``report`` is the
    JSON-ready dict of app/reports/statistics.py (STATISTICS.md); ``header``/``rows`` the
    table the CSV and xlsx exports write; ``labels`` the printed name of each figure key;
    ``indicators`` the national indicators' keys in order, ``rates`` the rate keys."""

    kind: str
    agency: Agency
    header: list[str]
    rows: list[list[Any]]
    report: dict[str, Any] = field(default_factory=dict)
    on: date | None = None                    # caseload: the day
    labels: dict[str, str] = field(default_factory=dict)
    indicators: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnnualPaper:
    """The annual report (事業報告) PDF: the report dict, its sections as tables (title,
    header, rows), the printed name of every (group, key) the charts show, and the national
    indicators' keys in order (their names under the group "indicator")."""

    agency: Agency
    report: dict[str, Any]
    sections: list[tuple[str, list[str], list[list[Any]]]]
    labels: dict[tuple[str, str], str]
    indicators: tuple[str, ...]


def number_text(v: Any) -> str:
    """A figure as printed: "-" for none, 12 for 12.0, one decimal otherwise."""
    if v is None:
        return "-"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.1f}"
    return str(v)


def rate_text(rate: float | None) -> str:
    """A rate as printed: 12.5% ("-" for none)."""
    return "-" if rate is None else f"{rate * 100:.1f}%"


# What the caller hands a print operation: draws one of the records above at the path and
# returns the warnings (characters no font has). forms.sheets.render is the one.
Render = Callable[[Any, Path], Sequence[str]]

__all__ = ["SHEET_TITLES", "CASE_SHEETS", "MEETING_SHEETS", "CaseData", "CaseSheet",
           "AgendaRow", "MeetingData", "MeetingSheet", "VisitKit", "TrainingRow", "SessionRow",
           "TrainingHistory", "ReportPaper", "AnnualPaper", "Render", "number_text", "rate_text"]
