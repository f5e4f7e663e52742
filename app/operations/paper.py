"""Printing: ``desk.paper`` (an operations object of the composed Desk, sharing its context).

The case sheets (相談受付・申込票 … 同意書), the 支援調整会議 agenda and record, and the
home-visit kit. Each family has a **data** operation that reads only what its sheets show
into a plain record of app/domain/paper.py (``case_sheet``, ``meeting_sheet``,
``visit_kit``) and a **print** operation (``print_sheet`` / ``print_intake``,
``print_meeting``, ``print_visit_kit``) that takes the drawing function from its caller
(``render=forms.sheets.render``: the core never imports forms/), writes the PDF, records a
disclosure when the sheet goes to another agency, and audits the print — in that order, so
a refused disclosure leaves no file and a failed drawing records nothing.

A sensitive person's whereabouts are masked unless a reason is given (audited); a sheet for
another agency never shows them.
"""

from __future__ import annotations

import os
from dataclasses import replace as dc_replace
from datetime import date
from pathlib import Path
from typing import Any

import jaconv

from app import validation
from app.domain import CaseDetail, PersonInput
from app.domain.meeting import AgendaKind
from app.domain.region import OjtSession, Training, TrainingStatus
from app.domain.paper import (
    CASE_SHEETS, MEETING_SHEETS, SHEET_TITLES, AgendaRow, CaseData, CaseSheet, MeetingData,
    MeetingSheet, Render, SessionRow, TrainingHistory, TrainingRow, VisitKit,
)
from app.errors import NotFound, ValidationError, ValidationErrors
from app.i18n import _
from app.operations.context import DeskContext, Operations
from app.operations.process import ProcessOperations
from app.operations.security import SecurityOperations, masked
from app.security.authorization import Arg, Refs, Rule, install, need
from app.security.roles import Permission, Role
from app.text_ja import format_wareki

_INTAKE = ("intake", "intake-noconsent")
# What each case sheet shows besides the case number and the person (the heading): the
# lists of CaseData it reads, and nothing more ("intakes": the intake of the case).
SHOWS: dict[str, frozenset[str]] = {
    "intake": frozenset({"intakes", "consents"}),
    "intake-noconsent": frozenset({"intakes", "consents"}),
    "assessment": frozenset({"intakes", "assessments", "screenings", "domains"}),
    "plan": frozenset({"plans", "services", "decisions", "agenda"}),
    "records": frozenset({"records"}),
    "monitoring": frozenset({"monitorings", "plans"}),
    "evaluation": frozenset({"evaluations", "plans", "agenda"}),
    "closure": frozenset({"closures", "followups", "agenda"}),
    "consent": frozenset({"intakes", "consents"}),
}


class PaperOperations(Operations):
    """``desk.paper``: what the sheets show, and printing them (audited)."""

    RULES: dict[str, Rule] = {
        "case_sheet": need(Permission.PRINT, case=Arg("case_id", optional=True)),
        "meeting_sheet": need(Permission.PRINT, Permission.MEETINGS),
        "visit_kit": need(Permission.PRINT, case=Refs("case_ids", optional=True)),
        "print_intake": need(Permission.PRINT, case=Arg("case_id", optional=True)),
        "print_sheet": need(Permission.PRINT, case=Arg("case_id", optional=True)),
        "print_visit_kit": need(Permission.PRINT, case=Refs("case_ids", optional=True)),
        "print_meeting": need(Permission.PRINT, Permission.MEETINGS),
    }

    def __init__(self, ctx: DeskContext, process: ProcessOperations,
                 security: SecurityOperations):
        super().__init__(ctx)
        self._process = process
        self._security = security

    # ------------------------------------------------------------------ reading
    def _heading(self, case_id: str, *, intakes: bool) -> CaseDetail:
        """The case and its person (and the intakes only when the sheet prints them)."""
        store = self._store
        case = store.case(case_id)
        if case is None:
            raise NotFound(_("Case not found."))
        person = store.person(case.person_id)
        assert person is not None
        return CaseDetail(case=case, person=person,
                          intakes=store.intakes(case_id) if intakes else [])

    def _read(self, case_id: str, detail: CaseDetail | None, shows: frozenset[str],
              intake: bool = False) -> CaseData:
        """The lists ``shows`` of ``case_id`` (no audit entries: the print is audited)."""
        p = self._process
        # the lists that are one read of the case each, by the name a sheet shows them under
        of_case = {"assessments": p.assessments, "screenings": p.screenings, "plans": p.plans,
                   "monitorings": p.monitorings, "evaluations": p.evaluations,
                   "closures": p.closures, "followups": p.followups, "decisions": p.decisions,
                   "agenda": p.case_agenda}
        values: dict = {name: read(case_id) for name, read in of_case.items() if name in shows}
        if "records" in shows:
            values["records"] = sorted(p.support_records(case_id, include_superseded=True),
                                       key=lambda r: (r.occurred_at, r.supersedes is not None))
        if "services" in shows:
            values["services"] = p.services()
            values["all_services"] = p.services(include_inactive=True)   # deactivated: names
        if "consents" in shows:   # the consent records (security layer)
            values["consents"] = list(self._ctx.sec.consents(case_id) if intake
                                      else self._security.consents(case_id))
        if "domains" in shows:
            # the active lists, plus deactivated entries the case's assessments used (names)
            used_d = {k for a in values["assessments"] for k in a.domains}
            used_p = {k for a in values["assessments"] for k in a.problems}
            active_d = {k for k, _n in p.assessment_domains()}
            active_p = {k for k, _n in p.assessment_problems()}
            values["domains"] = [(k, n) for k, n in p.assessment_domains(include_inactive=True)
                                 if k in active_d or k in used_d]
            values["problems"] = [(k, n) for k, n in p.assessment_problems(include_inactive=True)
                                  if k in active_p or k in used_p]
        return CaseData(detail=detail, **values)

    def _blank(self, detail: CaseDetail | None = None,
               prefill: PersonInput | None = None) -> CaseData:
        """Master data plus the person (or nothing): what a blank sheet prints."""
        p = self._process
        return CaseData(detail=detail, prefill=prefill, services=p.services(),
                        domains=p.assessment_domains(), problems=p.assessment_problems())

    def case_sheet(self, case_id: str | None, sheet: str, *, blank: bool = False,
                   for_recipient: str = "") -> CaseSheet:
        """What one sheet of :data:`CASE_SHEETS` shows about ``case_id`` (or blank: the
        person and the case number when a case is given), read and nothing more (``SHOWS``);
        a sensitive person's whereabouts masked, none at all ``for_recipient``. Not audited,
        like the other reads: revealing whereabouts (a reason, audited) is ``print_sheet``'s."""
        return self._checked_sheet(case_id, sheet, blank, "", for_recipient)[0]

    def _checked_sheet(self, case_id: str | None, sheet: str, blank: bool,
                       reveal_reason: str, for_recipient: str) -> tuple[CaseSheet, str]:
        """(the sheet, the cleaned reveal reason or "") after the checks of print_sheet."""
        for_recipient = (for_recipient or "").strip()
        if sheet not in CASE_SHEETS:
            raise ValidationErrors([ValidationError("sheet", _(
                "Unknown sheet: {name}. Choose one of: {names}").format(
                    name=sheet, names=", ".join(CASE_SHEETS)))])
        if for_recipient and (case_id is None or blank):
            raise ValidationErrors([ValidationError("for_recipient", _(
                "A sheet for another agency is printed filled in from a case."))])
        intake = sheet in _INTAKE
        if case_id is None:
            if not blank and not intake:
                raise ValidationErrors([ValidationError("case", _(
                    "Give a case, or print the blank sheet."))])
            self._ctx.require(Permission.PRINT)
        else:
            self._ctx.require_case(case_id, Permission.PRINT)
        agency = self._store.agency()
        if case_id is None:
            return CaseSheet(sheet, agency, CaseData() if intake else self._blank(), blank), ""
        if intake and blank:   # a blank 相談受付・申込票 shows nothing of the case
            return CaseSheet(sheet, agency, CaseData(), blank), ""
        shows = SHOWS[sheet]
        detail = self._heading(case_id, intakes="intakes" in shows)
        revealed = ""
        if for_recipient:
            detail = _omit_whereabouts(detail)
        elif reveal_reason.strip() and detail.person.sensitive:
            revealed = validation.clean_text(reveal_reason, "reveal_reason", _("Reason"),
                                             required=True, max_len=500)
        else:
            detail = masked(detail)
        return CaseSheet(sheet, agency, self._read(case_id, detail, shows, intake), blank), \
            revealed

    def meeting_sheet(self, meeting_id: str, sheet: str = "agenda") -> MeetingSheet:
        """支援調整会議: the agenda (資料, persons by initials unless consent covers the
        participants) or the record (minutes). Not audited: ``print_meeting`` audits."""
        if sheet not in MEETING_SHEETS:
            raise ValidationErrors([ValidationError("sheet", _(
                "Unknown sheet: {name}. Choose one of: {names}").format(
                    name=sheet, names=", ".join(MEETING_SHEETS)))])
        self._ctx.require(Permission.PRINT)
        meeting = self._process.meeting(meeting_id)
        orgs = [p.organisation for p in meeting.participants]
        rows = []
        for item in meeting.items:
            if item.withdrawn_on is not None:
                continue   # withdrawn or moved to another meeting: not discussed here
            who, summary = "", item.summary
            if item.case_id:
                detail = self._store.case(item.case_id)
                person = self._store.person(detail.person_id) if detail else None
                who = initials(person.kana if person else "", person.name if person else "")
                if person and consent_covers(self._security.consents(item.case_id), orgs,
                                             meeting.held_on):
                    who = person.name
                if item.kind in (AgendaKind.NEW_PLAN, AgendaKind.REPLAN) and item.subject_id:
                    summary = self._plan_summary(item.subject_id) or summary
            rows.append(AgendaRow(item.kind, item.case_no, who, summary, item.result,
                                  item.conditions))
        return MeetingSheet(sheet, self._store.agency(), MeetingData(meeting, rows))

    def _plan_summary(self, plan_id: str) -> str:
        plan = self._process.plan(plan_id)
        names = {s.key: s.name for s in self._process.services(include_inactive=True)}
        lines = [_("Aim: {aim}").format(aim=plan.aim)]
        for g in plan.goals:
            lines.append(_("Goal: {goal}").format(goal=g.text)
                         + (_(" (by {date})").format(date=_wareki(g.target_on)) if g.target_on
                            else ""))
        services: list[str] = []
        for i in plan.items:
            name = names.get(i.service_key, i.service_key)
            if name not in services:
                services.append(name)
        if services:
            lines.append(_("Services: {services}").format(services="、".join(services)))
        if plan.period_from or plan.period_to:
            lines.append(_("Plan period: {start} to {end}").format(
                start=_wareki(plan.period_from), end=_wareki(plan.period_to)))
        return "\n".join(lines)

    def visit_kit(self, case_ids: list[str] | None,
                  prefill: PersonInput | None = None) -> VisitKit:
        """The home-visit kit's blank sheets, pre-filled with each case's person and number
        (whereabouts of a sensitive person masked); without cases, for a new person."""
        self._ctx.require(Permission.PRINT)
        people = []
        for case_id in case_ids or []:
            self._ctx.require_case(case_id, Permission.PRINT)
            people.append(self._blank(masked(self._heading(case_id, intakes=False))))
        if not people:
            people.append(self._blank(prefill=prefill))
        return VisitKit(self._store.agency(), people)

    # ------------------------------------------------------------------ printing
    def print_intake(self, case_id: str | None, out: str | os.PathLike[str], *,
                     render: Render, blank: bool = False, consent: bool = True,
                     reveal_reason: str = "", for_recipient: str = "",
                     basis: str = "consent", reason: str = "") -> list[str]:
        """Write the 相談受付・申込票 PDF (``consent=False``: without the consent clause).
        Returns warnings (characters no font has). See ``print_sheet``."""
        return self.print_sheet(case_id, "intake" if consent else "intake-noconsent", out,
                                render=render, blank=blank, reveal_reason=reveal_reason,
                                for_recipient=for_recipient, basis=basis, reason=reason)

    def print_sheet(self, case_id: str | None, sheet: str, out: str | os.PathLike[str], *,
                    render: Render, blank: bool = False, reveal_reason: str = "",
                    for_recipient: str = "", basis: str = "consent",
                    reason: str = "") -> list[str]:
        """Write one sheet of :data:`CASE_SHEETS` (intake … consent) with ``render``,
        filled from the case or blank for handwriting (pre-filled with the person when a
        case is given). Returns warnings (characters no font has).

        A sensitive person's whereabouts are masked unless ``reveal_reason`` is given
        (audited). A sheet ``for_recipient`` (another agency) is a disclosure: it needs a
        consent covering the recipient today, or another ``basis`` (支援会議（法第9条） /
        法令) with its ``reason``; it is recorded (see record_disclosure) and never shows the
        person's whereabouts (address, postal code, phones, e-mail, the phone of whoever
        came with them), whether or not access is restricted (and the restriction is not
        named). A refused disclosure writes no file."""
        for_recipient = (for_recipient or "").strip()
        paper, revealed = self._checked_sheet(case_id, sheet, blank, reveal_reason,
                                              for_recipient)
        intake = sheet in _INTAKE
        title = _(SHEET_TITLES["intake" if intake else sheet])
        warnings = self._write(paper, out, render, case_id, for_recipient, title, basis, reason)
        # the audit detail as before: intake[-blank][-noconsent][-revealed], <sheet>[-blank]…
        name = ("intake" if intake else sheet) + ("-blank" if blank else "") \
            + ("-noconsent" if sheet == "intake-noconsent" else "")
        with self._store.transaction():
            self._store.audit(self._ctx.user.login, "print", case_id=case_id,
                              detail=name + ("-revealed" if revealed else "")
                              + (f" → {for_recipient}" if for_recipient else ""),
                              reason=revealed)
        return warnings

    def _write(self, paper, out: str | os.PathLike[str], render: Render,
               case_id: str | None, for_recipient: str, title: str, basis: str,
               reason: str) -> list[str]:
        if not for_recipient:
            return list(render(paper, Path(out)))
        # Written beside ``out`` first: a refused disclosure leaves no file, a failed
        # rendering records no disclosure.
        out = Path(out)
        part = out.with_name(out.name + ".part")
        try:
            warnings = list(render(paper, part))
            assert case_id is not None
            self._security.record_disclosure(case_id, for_recipient, title, basis, reason)
            os.replace(part, out)
        finally:
            part.unlink(missing_ok=True)
        return warnings

    def print_meeting(self, meeting_id: str, sheet: str = "agenda",
                      out: str | os.PathLike[str] = "", *, render: Render) -> list[str]:
        """支援調整会議: the agenda or the record (see ``meeting_sheet``), written with
        ``render``. Returns warnings."""
        paper = self.meeting_sheet(meeting_id, sheet)
        warnings = list(render(paper, Path(out)))
        with self._store.transaction():
            self._store.audit(self._ctx.user.login, "print", case_id=None,
                              detail=f"meeting-{sheet} {paper.data.meeting.held_on.isoformat()}")
        return warnings

    def print_visit_kit(self, case_ids: list[str] | None, out: str | os.PathLike[str],
                        prefill: PersonInput | None = None, *, render: Render) -> list[str]:
        """One PDF with the blank sheets of a home visit (intake, assessment, consent,
        records) for each case, pre-filled with the person and case number; without cases,
        a kit for a new person (``prefill`` if known). Returns warnings."""
        warnings = list(render(self.visit_kit(case_ids, prefill), Path(out)))
        with self._store.transaction():
            audited: list[str | None] = [*(case_ids or [])] or [None]
            for printed in audited:
                self._store.audit(self._ctx.user.login, "print", case_id=printed,
                                  detail="visit-kit")
        return warnings


# ---------------------------------------------------------------------- the region's sheet
def training_history(agency, staff: dict[str, Any], trainings: list[Training],
                     sessions: list[OjtSession], overview: TrainingStatus | None, *,
                     today: date) -> TrainingHistory:
    """研修受講履歴 as printed (desk.region.print_training_history reads the rows): labels
    resolved, dates parsed, cases by number only."""
    from app.domain.region import NationalCourse
    role = Role(staff["role"]).label if staff["role"] in {r.value for r in Role} else ""
    required, done_on = "", None
    if overview and overview.required_course:
        required = NationalCourse(overview.required_course).label
        done_on = overview.national_done_on
    rows = [TrainingRow(t.completed_on, t.kind.label,
                        t.title or (NationalCourse(t.course).label if t.course else ""),
                        t.organiser, t.hours) for t in trainings]
    held = [SessionRow(s.held_on, s.kind.label, s.topic, list(s.case_numbers), s.leader)
            for s in sessions]
    return TrainingHistory(agency, staff["display_name"], role, today, required, done_on,
                           rows, held)


# ---------------------------------------------------------------------- helpers
def _wareki(d) -> str:
    return format_wareki(d) if d else ""


def _omit_whereabouts(detail: CaseDetail) -> CaseDetail:
    """The case as a sheet for another agency shows it: no address, postal code, phones or
    e-mail of the person (nor the phone of whoever came with them), for every person — the
    sheet says they are left out, and not whether access is restricted."""
    p = detail.person
    left_out = _("(not given to other agencies)")
    person = dc_replace(p, postal_code="",
                        address=left_out if (p.address or p.postal_code) else "",
                        phone_home=left_out if (p.phone_home or p.phone_mobile) else "",
                        phone_mobile="", email="")
    intakes = [dc_replace(i, visitor=dc_replace(i.visitor, phone=""))
               if i.visitor is not None and i.visitor.phone else i for i in detail.intakes]
    return dc_replace(detail, person=person, intakes=intakes)


def initials(kana: str, name: str = "") -> str:
    """Initials from the reading, family name first: たかはし よしこ → T.Y."""
    reading = jaconv.kata2hira(jaconv.z2h(kana or "", kana=False, ascii=True, digit=True))
    parts = [p for p in reading.replace("\u3000", " ").split(" ") if p]
    letters = []
    for part in parts:
        roman = jaconv.kana2alphabet(part).strip()
        if roman and roman[0].isascii() and roman[0].isalpha():
            letters.append(roman[0].upper())
    if letters:
        return ".".join(letters) + "."
    return "＊＊"


def consent_covers(consents, organisations: list[str], on) -> bool:
    """True when one recorded consent, valid on ``on``, names every organisation."""
    orgs = [o for o in organisations if o]
    if not orgs or not consents:
        return False
    for c in consents:
        covers = getattr(c, "covers", None)
        if callable(covers) and all(covers(o, on) for o in orgs):
            return True
    return False


install(PaperOperations)

__all__ = ["PaperOperations", "SHOWS", "consent_covers", "initials", "training_history"]
