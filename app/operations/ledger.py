"""The ledger import (台帳の取り込み, LEDGER.md): ``desk.ledger``, an operations object of the
composed Desk sharing its context.

``import_ledger`` reads and checks the whole file (app/ledger.py: no database), sorts out
the rows already imported and the numbers already used, then writes every new row as
``import_row`` does, in ONE transaction — all or nothing, a dry run rolled back. ``import_row``
is the narrow operation that writes one checked row as the records the process operations
would have made (app/operations/process.py): person, case, intake (with its referral and
emergency rows), assessment, screening, plans approved at an imported 支援調整会議 (one per
date, place 「台帳取り込み」), the evaluation before each re-plan, 支援決定, outcomes
就労/増収 on evaluations, 中断 and 終結 confirmed at the meeting of their date; then the
case's derived columns (stage …) as the records give them. Every row goes through the
journalled writer, each case gets its 「import」 audit entry, the file its 「import_ledger」.
The SQL is in app/store (ProcessRepo, LedgerRepo, Store).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Collection

from app import text_ja
from app.domain import IntakeInput, PersonInput, Stage, Triage
from app.domain.assessment import AssessmentInput, ScreeningResult
from app.domain.closure import ClosureGrounds, ClosureInput, ClosurePattern
from app.domain.evaluation import EvaluationDecision, EvaluationInput
from app.domain.meeting import AgendaKind, MeetingKind, MeetingResult
from app.domain.plan import PlanInput, PlanItem, PlanKind, PlanStatus
from app.domain.service import Service
from app.errors import ValidationError, ValidationErrors
from app.i18n import _
from app.ledger import (
    BASE_SERVICE, EMPLOYMENT_SERVICE, LedgerReport, Problem, Row as LedgerRow, read_ledger,
    likely_duplicates,
)
from app.operations.context import DeskContext, Operations
from app.security.authorization import Rule, install, need
from app.security.roles import Permission
from app.store import derived_repo
from app.store.journal import Writer
from app.store.ledger_repo import LEDGER_MEETING_PLACE, LedgerRepo
from app.store.process_repo import ProcessRepo


class _DryRun(Exception):
    """Raised inside the transaction of a dry run: everything is rolled back."""


@dataclass
class ImportedRow:
    """What ``import_row`` wrote: the case, its number, the 担当者 created as inactive staff."""
    case_id: str
    case_no: str
    staff_created: list[str] = field(default_factory=list)


class LedgerOperations(Operations):
    """``desk.ledger``: the 相談受付簿 import (the export is ``desk.reports.export_ledger``)."""

    RULES: dict[str, Rule] = {
        "import_ledger": need(Permission.EDIT_CASES, Permission.MANAGE_SETTINGS),
        "import_row": need(Permission.EDIT_CASES, Permission.MANAGE_SETTINGS),
    }

    def __init__(self, ctx: DeskContext):
        super().__init__(ctx)

    # ------------------------------------------------------------------ plumbing
    @property
    def _repo(self) -> ProcessRepo:
        return ProcessRepo(self._store.conn)

    @property
    def _lrepo(self) -> LedgerRepo:
        return LedgerRepo(self._store.conn)

    # ------------------------------------------------------------------ the file
    def import_ledger(self, path: str | os.PathLike[str], *, dry_run: bool = False,
                      sheet: str | None = None) -> LedgerReport:
        """台帳の取り込み (LEDGER.md): all or nothing, idempotent. Returns a LedgerReport
        (``report.lines()`` for people; errors and warnings apart); nothing is written when
        it has errors or with ``dry_run``; rows with warnings only are written. ``sheet``:
        the workbook's sheet (default: the first with the expected header)."""
        self._ctx.require(Permission.EDIT_CASES)
        self._ctx.require(Permission.MANAGE_SETTINGS)
        path = Path(path)
        report, rows = read_ledger(path, self._ctx.today(),
                                   self._repo.services(active_only=False), sheet=sheet)
        report.dry_run = dry_run
        new_rows, numbers = self._new_rows(rows, report)
        likely_duplicates(rows, lambda fold: [p["case_no"] or p["name"]
                                              for p in self._lrepo.persons_by_name(fold)],
                          report)
        if report.problems:
            report.imported = []
            return report

        new_rows.sort(key=lambda r: (r.received_on, r.number))
        store = self._store
        services = self._services()
        try:
            with store.transaction() as w:
                for r in new_rows:
                    # each row as import_row writes it; no savepoint of its own: the file's
                    # one transaction is all or nothing anyway (a savepoint per row made
                    # the import about a sixth slower)
                    done = self._write_row(w, r, numbers, services)
                    report.imported.append((r.number, done.case_no))
                    report.staff_created += done.staff_created
                store.audit(self._ctx.user.login, "import_ledger",
                            detail=f"{path.name}: {len(new_rows)}")
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        report.imported.sort()
        return report

    def _new_rows(self, rows: list[LedgerRow], report: LedgerReport
                  ) -> tuple[list[LedgerRow], set[str]]:
        """The rows to write: numbers unique in the file and unused in the database; a row
        already imported (same number, person and 受付日 — or without a number, an intake
        of the same person that day) is reported and left out. Returns them and the file's
        numbers (never given to a row without one)."""
        lrepo = self._lrepo
        numbers: dict[str, int] = {}
        new_rows: list[LedgerRow] = []
        for r in rows:
            if r.case_no:
                if r.case_no in numbers:
                    report.problems.append(Problem(r.number, "受付番号", _(
                        "The number {case_no} is also on row {row}: numbers must be unique.")
                        .format(case_no=r.case_no, row=numbers[r.case_no])))
                    continue
                numbers[r.case_no] = r.number
                existing = lrepo.case_by_no(r.case_no)
                if existing is not None:
                    if existing["name_fold"] == r.name_fold and r.received_on and \
                            existing["received_on"] == r.received_on.isoformat():
                        report.already.append((r.number, r.case_no))
                    else:
                        report.problems.append(_number_used(r, existing))
                    continue
            elif r.name_fold and r.received_on:
                found = lrepo.intake_exists(r.name_fold,
                                            r.birth.isoformat() if r.birth else None,
                                            r.received_on.isoformat())
                if found:
                    report.already.append((r.number, found))
                    continue
            new_rows.append(r)
        return new_rows, set(numbers)

    def _services(self) -> dict[str, Service]:
        """Every service of the desk (inactive ones too: old plans name them), by key."""
        return {s.key: s for s in self._repo.services(active_only=False)}

    # ------------------------------------------------------------------ one row
    def import_row(self, row: LedgerRow, *, reserved: Collection[str] = ()) -> ImportedRow:
        """Write one checked ledger row (app/ledger.py ``check_row``) as the case history
        the process operations would have made, in one transaction (a savepoint inside a
        batch), audited 「import」 — what ``import_ledger`` does for each row of a file.
        ``reserved``: numbers a row without its own must not get. Refuses a row without
        its required values and a 受付番号 already in use."""
        missing = [col for col, value in (("受付日", row.received_on), ("氏名", row.name),
                                          ("相談経路", row.route), ("振り分け", row.triage))
                   if not value]
        if missing:
            raise ValidationErrors([ValidationError(col, _(
                "Enter a value: this column is required.")) for col in missing])
        if row.case_no:
            existing = self._lrepo.case_by_no(row.case_no)
            if existing is not None:
                raise ValidationErrors([ValidationError(
                    "受付番号", _number_used(row, existing).message)])
        with self._store.transaction() as w:
            return self._write_row(w, row, reserved, self._services())

    def _write_row(self, w: Writer, row: LedgerRow, reserved: Collection[str],
                   services: dict[str, Service]) -> ImportedRow:
        return _RowWriter(self._ctx, w, self._repo, self._lrepo, reserved, services).write(row)


def _number_used(r: LedgerRow, existing: dict) -> Problem:
    return Problem(r.number, "受付番号", _(
        "The number {case_no} is already used by another case ({name}, received {date}).")
        .format(case_no=r.case_no, name=existing["name"],
                date=existing["received_on"] or "-"))


class _RowWriter:
    """Writes one checked row as the records the Desk operations would have made: the
    rows and their journal through the transaction's writer ``w``, with the repositories
    the process operations use."""

    def __init__(self, ctx: DeskContext, w: Writer, repo: ProcessRepo, lrepo: LedgerRepo,
                 reserved: Collection[str], services: dict[str, Service]):
        self.ctx, self.store, self.w = ctx, ctx.db, w
        self.repo, self.lrepo = repo, lrepo
        self.services = services
        self.reserved = reserved
        self.staff_created: list[str] = []
        self.mark = _("Imported from the ledger")

    # -- helpers --------------------------------------------------------------------------
    def _staff(self, name: str) -> str:
        if not name:
            return self.ctx.user.id
        found = self.lrepo.staff_by_name(name)
        if found is None:
            found = self.lrepo.insert_inactive_staff(self.w, name)
            self.staff_created.append(name)
        return found

    def _case_no(self, r: LedgerRow, fy: int) -> str:
        if r.case_no:
            return r.case_no
        while True:
            number = self.store.next_case_no(fy)
            if number not in self.reserved:
                return number

    def _meeting(self, on: date) -> str:
        """The imported 支援調整会議 of that date (one per date, held), made once."""
        found = self.lrepo.imported_meeting(on.isoformat())
        if found is None:
            found = self.repo.insert_meeting(self.w, on, MeetingKind.AD_HOC.value,
                                             LEDGER_MEETING_PLACE, [], None)
            self.repo.set_meeting(self.w, found, held=1, minutes=self.mark)
        return found

    def _approve(self, on: date, case_id: str, kind: AgendaKind, subject_id: str,
                 summary: str = "") -> None:
        item = self.repo.insert_agenda_item(self.w, self._meeting(on), case_id, kind.value,
                                            subject_id, summary or self.mark)
        self.repo.set_agenda_result(self.w, item, MeetingResult.APPROVED.value, "")

    def _person(self, r: LedgerRow) -> str:
        """The same person (folded 氏名 + 生年月日) is found again, also one written earlier
        in this import; without a 生年月日 always a new person."""
        if r.birth is not None:
            known = self.store.persons_by_identity(r.name_fold, r.birth)
            if known:
                return known[0].id
        p = PersonInput(name=r.name, kana=r.kana, birth_date=r.birth, sex=r.sex,
                        postal_code=r.postal_code, address=r.address, phone_home=r.phone_home,
                        phone_mobile=r.phone_mobile)
        fields = self.store.person_fields(p, r.name_fold, text_ja.fold_for_search(r.kana))
        return self.w.insert("person", fields)

    # -- one row --------------------------------------------------------------------------
    def write(self, r: LedgerRow) -> ImportedRow:
        store, repo, w = self.store, self.repo, self.w
        assert r.received_on is not None and r.route is not None and r.triage is not None
        user = self.ctx.user
        person_id = self._person(r)
        fy = text_ja.fiscal_year(r.received_on)
        case_no = self._case_no(r, fy)
        assignee = self._staff(r.staff)
        case_id = store.insert_case(w, case_no=case_no, person_id=person_id, fiscal_year=fy,
                                    stage=Stage.INTAKE, opened_on=r.received_on,
                                    assignee_id=assignee)
        consultation = r.consultation
        if r.note:
            consultation = (consultation + "\n" if consultation else "") + \
                _("Note: {note}").format(note=r.note)
        intake = IntakeInput(
            received_on=r.received_on, received_by=r.staff or user.display_name,
            route=r.route, referral_source=r.source,
            topics=[r.main_topic] if r.main_topic else [], main_topic=r.main_topic,
            consultation=consultation, triage=r.triage,
            referral_to=r.referral_to if r.triage is Triage.REFER else "",
            emergency_needed=bool(r.emergency_note), emergency_actions=r.emergency,
            emergency_note=r.emergency_note, consent=r.consent,
            consent_on=r.received_on if r.consent else None)
        store.insert_intake(w, case_id, intake)
        repo.from_intakes(w, case_id)            # referral (つなぎ) and emergency rows
        self.lrepo.set_emergency_done(w, case_id)
        version = 0
        if r.assessed_on:
            _id, version = repo.insert_assessment(w, case_id, AssessmentInput(
                assessed_on=r.assessed_on, analysis=self.mark, author=r.staff))
        if r.screening is not None:
            on = r.assessed_on or r.received_on
            sid = repo.insert_screening(w, case_id, on, r.screening.value, version, self.mark,
                                        None)
            if r.screening is ScreeningResult.REFER:
                repo.insert_referral(w, case_id, "screening", sid, on, r.referral_to, False,
                                     None)
        if r.taken_back_on is not None:
            refs = repo.referrals(case_id)
            if refs:
                last = max(refs, key=lambda x: (x.referred_on, x.origin.value == "screening"))
                repo.set_status(w, "referral", last.id, checked_on=r.taken_back_on.isoformat(),
                                arrived=0, taken_back_on=r.taken_back_on.isoformat())
        self._plans(r, case_id, version)
        repo.set_status(w, "case_file", case_id,   # stage & co. as the records give them
                        **derived_repo.case_fields(store.conn, case_id, repo))
        store.audit(user.login, "import", case_id=case_id, detail=case_no)
        return ImportedRow(case_id, case_no, self.staff_created)

    def _plans(self, r: LedgerRow, case_id: str, version: int) -> None:
        repo, w = self.repo, self.w
        approvals = ([r.plan_on] if r.plan_on else []) + list(r.replans)
        # each service goes on the plan its 支援決定 was made for (the last approved by then);
        # a service not decided on the plan of the first decision (the first plan without)
        def plan_at(on: date) -> int:
            return max((i for i, d in enumerate(approvals) if d <= on), default=0)

        decided_index = plan_at(r.decided_on) if r.decided_on else 0
        with_employment = [i for i, d in enumerate(approvals) if d in r.employment_dates]
        placed: dict[int, list[int]] = {}
        for j, key in enumerate(r.services):
            on = r.service_dates.get(j)
            i = plan_at(on) if on else decided_index
            if with_employment and i not in with_employment and key in self.services \
                    and self.services[key].employment:
                # 就労支援対象 gave the plans with employment support: keep to them
                earlier = [x for x in with_employment if on is None or approvals[x] <= on]
                i = earlier[-1] if earlier else with_employment[0]
            placed.setdefault(i, []).append(j)
        # outcomes go on the first evaluation dated on or after them that has room (one 就労
        # and one 増収 each); the others on an evaluation of their own, on their date
        evaluations: list[date] = list(r.replans) + ([r.closed_on] if r.closed_on and approvals
                                                      else [])
        slots: dict[date, dict[str, date]] = {e: {} for e in evaluations}
        extras: dict[date, dict[str, date]] = {}
        for d, key in sorted({(d, "employed_on") for d in r.employed_dates}
                             | {(d, "income_increased_on") for d in r.income_dates}):
            e = next((e for e in evaluations if e >= d and key not in slots[e]), None)
            (slots[e] if e is not None else extras.setdefault(d, {}))[key] = d

        def outcomes(at: date) -> dict[str, date]:
            return dict(slots.get(at, {}))

        plan_ids: list[str] = []
        previous: str | None = None
        for i, on in enumerate(approvals):
            if previous is not None:
                self._evaluate(case_id, previous, on, EvaluationDecision.REPLAN, version,
                               outcomes(on))
            items = [PlanItem(_("Self-reliance consultation support"), BASE_SERVICE)]
            items += [PlanItem(self.services[r.services[j]].name, r.services[j])
                      for j in placed.get(i, ()) if r.services[j] != BASE_SERVICE]
            if (r.employment or on in r.employment_dates) and not any(
                    self.services[it.service_key].employment
                    for it in items if it.service_key in self.services):
                items.append(PlanItem(self.services[EMPLOYMENT_SERVICE].name,
                                      EMPLOYMENT_SERVICE))
            kind = PlanKind.FIRST if i == 0 else PlanKind.REPLAN
            plan_id = repo.insert_plan(w, case_id, PlanInput(
                aim=self.mark, items=items, author=r.staff, created_on=on), kind, version, on)
            repo.set_plan(w, plan_id, status=PlanStatus.SUBMITTED.value)
            self._approve(on, case_id, AgendaKind.NEW_PLAN if i == 0 else AgendaKind.REPLAN,
                          plan_id)
            if previous is not None:
                repo.set_plan(w, previous, status=PlanStatus.SUPERSEDED.value,
                              superseded_by=plan_id, ended_on=on)
            repo.set_plan(w, plan_id, status=PlanStatus.APPROVED.value, approved_on=on,
                          meeting_result=MeetingResult.APPROVED.value, conditions="")
            for j in placed.get(i, ()):
                if j in r.service_dates:
                    repo.insert_decision(w, case_id, plan_id, r.services[j],
                                         r.service_dates[j], _("(from the ledger)"),
                                         "approved", "")
            previous = plan_id
            plan_ids.append(plan_id)
        for d, got in sorted(extras.items()):
            if plan_ids:
                at = max((i for i, on in enumerate(approvals) if on <= d), default=0)
                self._evaluate(case_id, plan_ids[at], d, EvaluationDecision.CONTINUE, version,
                               got)
        if r.suspended_on:
            sid = repo.insert_suspension(w, case_id, r.suspended_on, self.mark,
                                         Stage.SUPPORT.value)
            self._approve(r.suspended_on, case_id, AgendaKind.SUSPENSION, sid)
            repo.set_status(w, "suspension", sid, status="confirmed",
                            confirmed_on=r.suspended_on)
        if r.closed_on:
            if previous is not None:
                self._evaluate(case_id, previous, r.closed_on, EvaluationDecision.CLOSE,
                               version, outcomes(r.closed_on))
            grounds = None
            if r.pattern == "3":
                grounds = (ClosureGrounds.SUSPENSION if r.suspended_on
                           else ClosureGrounds.MOVED_AWAY)
            cid = repo.insert_closure(w, case_id, ClosureInput(
                proposed_on=r.closed_on, pattern=ClosurePattern(r.pattern), reason=self.mark,
                grounds=grounds))
            self._approve(r.closed_on, case_id, AgendaKind.CLOSURE, cid)
            repo.set_status(w, "closure", cid, status="confirmed", confirmed_on=r.closed_on)
            for plan in repo.plans(case_id):
                if plan.status in (PlanStatus.APPROVED, PlanStatus.DRAFT,
                                   PlanStatus.SUBMITTED):
                    repo.set_plan(w, plan.id, status=PlanStatus.ENDED.value,
                                  ended_on=r.closed_on)
            repo.set_status(w, "case_file", case_id, closed_on=r.closed_on)

    def _evaluate(self, case_id: str, plan_id: str, on: date,
                  decision: EvaluationDecision, version: int,
                  outcomes: dict[str, date]) -> None:
        eid = self.repo.insert_evaluation(self.w, case_id, plan_id, EvaluationInput(
            evaluated_on=on, decision=decision, note=self.mark,
            employed_on=outcomes.get("employed_on"),
            income_increased_on=outcomes.get("income_increased_on")), version)
        self._approve(on, case_id, AgendaKind.EVALUATION, eid)
        self.repo.set_status(self.w, "evaluation", eid, status="confirmed", confirmed_on=on)


__all__ = ["LedgerOperations", "ImportedRow"]

install(LedgerOperations)   # every public operation checked against its rule
