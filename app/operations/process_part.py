"""The shared plumbing of the parts of ``desk.process`` (app/operations/process.py):
the process repository, the case's facts, the checks of the step graph and of the
item-level rules (app/process.py, app/domain/rules.py), the date order between
steps, the derived columns and the audit entry. Nothing here writes SQL:
app/store/process_repo.py does."""

from __future__ import annotations

from dataclasses import replace, fields
from datetime import date
from typing import Any, TypeVar

from app.domain.rules import Blocker
from app.domain.plan import Plan, PlanInput, PlanStatus
from app.domain.case_state import CaseState, ProcessSettings
from app.domain.meeting import AgendaItem, AgendaKind, Meeting, ProposalStatus
from app.domain.referral import Referral
from app import process as P, validation
from app.domain import rules as R, step_dates, Stage
from app.errors import NotFound, ProcessError, ValidationError, ValidationErrors
from app.i18n import _
from app.process import Step
from app.security.roles import Permission
from app.store import derived_repo
from app.store.process_repo import ProcessRepo
from app.operations.context import Operations


SETTING_PREFIX = "process."
# (minimum, maximum) of each setting: a desk cannot switch a rule off.
SETTING_RANGES: dict[str, tuple[int, int]] = {
    "suspension_means": (2, 6),
    "suspension_days": (1, 365),
    "closure3_days": (1, 3650),
    "amendment_days": (0, 365),
    "evaluation_notice_days": (0, 180),
}


_Check = validation.Check   # one form-error collector for every part (app/validation.py)


def _procedure_blockers(row: dict[str, Any]) -> list[Blocker]:
    """完了 of an emergency support's municipal procedure: only a pending one."""
    return [] if row["procedure"] == "pending" else [R.NO_PROCEDURE.blocks()]


def _record_blockers(row: dict[str, Any]) -> list[Blocker]:
    """訂正 of a 支援経過記録: only its latest version."""
    return [R.RECORD_CORRECTED.blocks()] if row["corrected"] else []

_Row = TypeVar("_Row")


class ProcessPart(Operations):
    """Base of the parts of ``desk.process``: the shared plumbing — the process
    repository, the case's facts (CaseState) with the desk's settings, the checks
    (step graph, item-level rules, date order), the derived columns and the audit
    entry. Each part takes the session context (and the parts it calls) in its
    constructor; only ProcessOperations is gated (the outermost call)."""

    @property
    def _repo(self) -> ProcessRepo:
        return self._ctx.repo(ProcessRepo)

    # ------------------------------------------------------------------ settings
    def process_settings(self) -> ProcessSettings:
        """中断 / 終結(3) / 軽微な修正 / プラン評価 figures of this desk (defaults: see
        ProcessSettings); every worker reads them (the screens state them)."""
        values: dict[str, int] = {}
        for f in fields(ProcessSettings):
            raw = self._store.setting(SETTING_PREFIX + f.name)
            if raw is None:
                continue
            try:
                n = int(raw)
            except ValueError:
                continue
            lo, hi = SETTING_RANGES[f.name]
            if lo <= n <= hi:
                values[f.name] = n
        return ProcessSettings(**values)

    def _case_state(self, case_id: str) -> CaseState:
        if self._store.case(case_id) is None:
            raise NotFound(_("Case not found."))
        return replace(self._repo.case_state(case_id), today=self._ctx.today(),
                       settings=self.process_settings())

    @staticmethod
    def _enforce(blockers: list[Blocker]) -> None:
        """Refuse with the first blocker (its rule's one message; ``rule`` names it)."""
        if blockers:
            raise ProcessError(blockers[0].message, rule=blockers[0].rule)

    def _allow(self, state: CaseState, step: Step) -> None:
        self._enforce(P.step_blocker(state, step))

    def _meeting_if(self, meeting_id: str | None) -> Meeting | None:
        return self._meeting_or_404(meeting_id) if meeting_id else None

    def _in_order(self, case_id: str, *checks: tuple[str, str, date | None],
                  **known: Any) -> None:
        """Each (step, field, date) against the dates of the steps it depends on
        (app/domain/step_dates.py: the rules the ledger import applies too); ``known``
        overrides a step's date (e.g. the approval of this very plan)."""
        dates: dict[str, Any] = dict(self._repo.case_dates(case_id))
        dates.update(known)
        errors = [ValidationError(field, p.message()) for key, field, on in checks
                  for p in step_dates.problems(key, on, dates)]
        if errors:
            raise ValidationErrors(errors)

    def _meeting_after(self, meeting: Meeting | None, key: str, on: date | None) -> None:
        """A meeting cannot decide on something dated after it."""
        if meeting is not None and on is not None and meeting.held_on < on:
            raise ValidationErrors([ValidationError("meeting_id", step_dates.OrderProblem(
                "meeting", meeting.held_on, key, on).message())])

    def _restage(self, w, case_id: str) -> Stage:
        """Write the columns derived from the case's records — stage, closed_on, next
        monitoring (app/derived.py: the same rule a merge applies) — where they changed."""
        want = derived_repo.case_fields(self._store.conn, case_id, self._repo)
        self._repo.set_status(w, "case_file", case_id, **want)   # journals what changed
        return Stage(want["stage"])

    def _audit(self, action: str, case_id: str | None, detail: str = "") -> None:
        self._store.audit(self._ctx.user.login, action, case_id=case_id, detail=detail)

    def _plan_or_404(self, plan_id: str) -> Plan:
        plan = self._repo.plan(plan_id)
        if plan is None:
            raise NotFound(_("Plan not found."))
        return plan

    def _referral_or_404(self, referral_id: str) -> Referral:
        ref = self._repo.referral(referral_id)
        if ref is None:
            raise NotFound(_("Referral not found."))
        return ref

    def _agenda_item_or_404(self, item_id: str) -> AgendaItem:
        item = self._repo.agenda_item(item_id)
        if item is None:
            raise NotFound(_("The agenda item was not found."))
        return item

    def _row_or_404(self, table: str, row_id: str) -> dict[str, Any]:
        """The row of an emergency support, a plan item or a support record."""
        found = {"emergency_support": self._repo.emergency_row,
                 "plan_item": self._repo.plan_item_row,
                 "support_record": self._repo.record_row}[table](row_id)
        if found is None:
            raise NotFound({"emergency_support": _("Emergency support not found."),
                            "plan_item": _("Support item not found."),
                            "support_record": _("Support record not found.")}[table])
        return found

    def _meeting_or_404(self, meeting_id: str) -> Meeting:
        meeting = self._repo.meeting(meeting_id)
        if meeting is None:
            raise NotFound(_("Meeting not found."))
        return meeting

    def _amend_blockers(self, plan: Plan, data: PlanInput | None) -> list[Blocker]:
        services = {s.key: s for s in self._repo.services(active_only=False)}
        return P.amend_blockers(self._case_state(plan.case_id), plan, data, services,
                                self.process_settings())

    def _subject_blockers(self, kind: AgendaKind, case_id: str | None, subject_id: str | None
                          ) -> tuple[list[Blocker], dict[str, Any] | None]:
        """What an agenda item of ``kind`` asks the meeting to approve: the item-level rules
        on it, and its row (None for a 地域課題). NotFound when it is not in ``case_id``."""
        if kind is AgendaKind.REGIONAL_ISSUE:
            return [], None
        table = self._repo.subject_table(kind)
        row = self._repo.row(table, subject_id) if subject_id else None
        if row is None or (case_id and row["case_id"] != case_id):
            raise NotFound(_("What the meeting is to approve was not found in this case."))
        return P.agenda_subject_blockers(
            kind, row["status"], replan=row.get("kind") == "replan",
            on_agenda=bool(self._repo.pending_agenda_for(row["id"])),
            with_evaluation=bool(row.get("evaluation_id"))), row

    def _require_meetings(self, *, read: bool = False) -> None:
        """支援調整会議 are run by the 主任 (and the administrator while it has case access);
        the municipal officer may read the meetings whose agenda it attends."""
        if read and not self._ctx.allows(Permission.MEETINGS) \
                and self._ctx.allows(Permission.VIEW_AGENDA_CASES):
            return
        self._ctx.require(Permission.MEETINGS)

    @staticmethod
    def _written(row: _Row | None) -> _Row:
        """A row read back inside the transaction that wrote it (so it is there)."""
        if row is None:
            raise NotFound(_("Not found."))
        return row

    def _case_of(self, table: str, row_id: str) -> str:
        case_id = self._repo.case_of(table, row_id)
        if case_id is None:
            raise NotFound(_("Not found."))
        return case_id

    def _close(self, w, case_id: str, closure_id: str, ok: bool, on: date) -> None:
        """終結 confirmed on ``on`` (the plans end, the case closes) or sent back."""
        repo = self._repo
        status = ProposalStatus.CONFIRMED.value if ok else ProposalStatus.RECONSIDER.value
        repo.set_status(w, "closure", closure_id, status=status,
                        confirmed_on=on if ok else None)
        if ok:
            for plan in repo.plans(case_id):
                if plan.status in (PlanStatus.APPROVED, PlanStatus.DRAFT,
                                   PlanStatus.SUBMITTED):
                    repo.set_plan(w, plan.id, status=PlanStatus.ENDED.value, ended_on=on)
            repo.set_status(w, "case_file", case_id, closed_on=on)
