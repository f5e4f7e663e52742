"""What the sheets print about one case, read through the Desk's public queries.

``collect(desk, case_id)`` gathers everything once, so a sheet renderer is a pure function of
:class:`CaseData` (and the tests and the benchmark can build one by hand). A blank sheet gets
a CaseData with only the person and the case number (or nothing at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain import CaseDetail, PersonInput
from app.domain.assessment import Assessment, Screening
from app.domain.closure import Closure, Followup
from app.domain.decision import Decision
from app.domain.evaluation import Evaluation
from app.domain.intake import Intake
from app.domain.meeting import AgendaItem
from app.domain.monitoring import Monitoring
from app.domain.plan import Plan
from app.domain.record import SupportRecord
from app.domain.service import Service


@dataclass
class CaseData:
    """One case as the sheets need it (lists oldest first)."""

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
    consents: list[Any] = field(default_factory=list)   # app.security.privacy.Consent, if any

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


def collect(desk, case_id: str, detail: CaseDetail | None = None) -> CaseData:
    """Read everything the sheets print about ``case_id`` (no audit entries: the caller
    audits the print)."""
    data = CaseData(
        detail=detail,
        assessments=desk.process.assessments(case_id),
        screenings=desk.process.screenings(case_id),
        plans=desk.process.plans(case_id),
        records=sorted(desk.process.support_records(case_id, include_superseded=True),
                       key=lambda r: (r.occurred_at, r.supersedes is not None)),
        monitorings=desk.process.monitorings(case_id),
        evaluations=desk.process.evaluations(case_id),
        closures=desk.process.closures(case_id),
        followups=desk.process.followups(case_id),
        decisions=desk.process.decisions(case_id),
        agenda=desk.process.case_agenda(case_id),
    )
    data.services = desk.process.services()
    data.all_services = desk.process.services(include_inactive=True)   # names of deactivated ones
    data.consents = list(desk.security.consents(case_id))   # the consent records
    # the active lists, plus deactivated entries the case's assessments used (their names)
    used_d = {k for a in data.assessments for k in a.domains}
    used_p = {k for a in data.assessments for k in a.problems}
    active_d = {k for k, _n in desk.process.assessment_domains()}
    active_p = {k for k, _n in desk.process.assessment_problems()}
    data.domains = [(k, n) for k, n in desk.process.assessment_domains(include_inactive=True)
                    if k in active_d or k in used_d]
    data.problems = [(k, n) for k, n in desk.process.assessment_problems(include_inactive=True)
                     if k in active_p or k in used_p]
    return data


def blank_data(desk, detail: CaseDetail | None = None,
               prefill: PersonInput | None = None) -> CaseData:
    """Master data plus the person (or nothing): what a blank sheet prints."""
    return CaseData(detail=detail, prefill=prefill, services=desk.process.services(),
                    domains=desk.process.assessment_domains(), problems=desk.process.assessment_problems())
