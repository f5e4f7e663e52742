"""``desk.process.why_not``: what refuses an operation of the process now — the
user's role, the step graph, the item-level rules — asked by a screen before it
acts, in the very words the operation refuses with (issue 21)."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from app.domain.case_state import CaseState
from app.domain.closure import ClosurePattern
from app.domain.meeting import AgendaKind
from app.domain.plan import Plan
from app import process as P
from app.domain import rules as R
from app.errors import NotFound
from app.i18n import _
from app.process import Step
from app.security.authorization import AnyOf, Rule
from app.security.roles import Permission
from app.operations.context import DeskContext
from app.operations.process_meetings import MeetingSteps
from app.operations.process_part import ProcessPart, _procedure_blockers, _record_blockers


class WhyNot(ProcessPart):
    """The rules of each operation, as the screens ask them."""

    def __init__(self, ctx: DeskContext, rules: dict[str, Rule],
                 meetings: MeetingSteps):
        super().__init__(ctx)
        self._rules, self._meetings = rules, meetings

    # ------------------------------------------------------------------ why not, before acting
    def why_not(self, action: str, **args: Any) -> list[P.Blocker]:
        """What refuses the operation ``action`` of desk.process (by name, with the arguments
        the screen would pass; ``data`` optional) now: the user's role, the step graph and
        the item-level rules (app/domain/rules.py) — each blocker with its rule's name and
        the very message the operation refuses with; [] when the process allows it (the
        fields are checked when saving). A screen disables the action and says why."""
        if action not in _WHY_NOT:
            raise ValueError(action)
        case_id = self._case_for(args)
        if case_id is not None:
            self._ctx.require_case(case_id, Permission.VIEW_CASES)
        needs = self._rules[action].needs
        if not all(any(self._ctx.allows(x) for x in p.perms) if isinstance(p, AnyOf)
                   else self._ctx.allows(p) for p in needs):
            return [P.Blocker("role", self._ctx.role_refused())]
        return _WHY_NOT[action](self, **args)

    def _case_for(self, args: dict[str, Any]) -> str | None:
        if args.get("case_id"):
            return args["case_id"]
        for key, table in (("plan_id", "plan"), ("plan_item_id", "plan_item"),
                           ("referral_id", "referral"), ("record_id", "support_record"),
                           ("emergency_id", "emergency_support"), ("item_id", "agenda_item")):
            if args.get(key):
                found = self._repo.case_of(table, args[key])
                if found is None and table != "agenda_item":
                    raise NotFound(_("Not found."))
                return found
        return None

    def _why_step(self, step: Step, case_id: str) -> list[P.Blocker]:
        return P.step_blocker(self._case_state(case_id), step)

    def _why_of_plan(self, plan_id: str,
                     rules: Callable[[CaseState, Plan], list[P.Blocker]]) -> list[P.Blocker]:
        plan = self._plan_or_404(plan_id)
        return rules(self._case_state(plan.case_id), plan)

    def _why_plan(self, case_id: str) -> list[P.Blocker]:
        state = self._case_state(case_id)
        return P.step_blocker(state, Step.REPLAN if state.plans else Step.PLAN)

    def _why_meeting_step(self, step: Step, case_id: str, meeting_id: str | None = None,
                          proposed_on: date | None = None, data: Any = None
                          ) -> list[P.Blocker]:
        """評価, 中断, 終結: the step (with the date and the closure's pattern when given)
        and the meeting it goes to."""
        state = self._case_state(case_id)
        if step is Step.SUSPENSION:
            found = P.as_blockers(P.can_suspend(state, proposed_on))
        elif step is Step.CLOSURE and data is not None:
            found = P.as_blockers(P.can_close(
                state, data.pattern, data.grounds or None, on=data.proposed_on,
                without_evaluation_reason=data.no_evaluation_reason))
            if data.pattern != ClosurePattern.CONTACT_LOST and P.closing_evaluation(state):
                meeting_id = None   # decided with its プラン評価
        else:
            found = P.step_blocker(state, step)
        return found + P.meeting_blockers(self._meeting_if(meeting_id))

    def _why_procedure(self, emergency_id: str) -> list[P.Blocker]:
        return _procedure_blockers(self._row_or_404("emergency_support", emergency_id))

    def _why_referral(self, referral_id: str, take_back: bool = False) -> list[P.Blocker]:
        ref = self._referral_or_404(referral_id)
        return P.referral_blockers(self._case_state(ref.case_id), ref, take_back=take_back)

    def _why_plan_item(self, plan_item_id: str) -> list[P.Blocker]:
        row = self._row_or_404("plan_item", plan_item_id)
        plan = self._plan_or_404(row["plan_id"])
        return P.start_blockers(self._case_state(plan.case_id), plan_item_id)

    def _why_record(self, record_id: str) -> list[P.Blocker]:
        return _record_blockers(self._row_or_404("support_record", record_id))

    def _why_agenda(self, meeting_id: str, kind: AgendaKind | str,
                    case_id: str | None = None, subject_id: str | None = None
                    ) -> list[P.Blocker]:
        found, _row = self._subject_blockers(AgendaKind(kind), case_id, subject_id)
        return P.meeting_blockers(self._meeting_or_404(meeting_id)) + found

    def _why_agenda_item(self, item_id: str, meeting_id: str | None = None
                         ) -> list[P.Blocker]:
        item = self._agenda_item_or_404(item_id)
        found = P.agenda_item_blockers(item)
        if meeting_id is not None:
            found += P.meeting_blockers(self._meeting_or_404(meeting_id),
                                        today=self._ctx.today(),
                                        current=self._meeting_or_404(item.meeting_id))
        return found

    def _why_put_on(self, case_id: str, subject_id: str, meeting_id: str) -> list[P.Blocker]:
        wait = next((x for x in self._meetings._meeting_waits(case_id)
                     if x.subject_id == subject_id), None)
        if wait is None:
            return [R.NOT_WAITING.blocks()]
        if wait.item_id is not None:
            return self._why_agenda_item(wait.item_id, meeting_id)
        return P.meeting_blockers(self._meeting_or_404(meeting_id), today=self._ctx.today())


_Why = Callable[..., list[P.Blocker]]   # (part, **the operation's arguments)


# desk.process.why_not: for each operation, its rules as the screen asks them
_WHY_NOT: dict[str, _Why] = {
    "record_emergency": lambda o, case_id, **_: o._why_step(Step.EMERGENCY, case_id),
    "complete_emergency_procedure": lambda o, emergency_id, **_: o._why_procedure(
        emergency_id),
    "save_assessment": lambda o, case_id, **_: o._why_step(Step.ASSESSMENT, case_id),
    "screen": lambda o, case_id, **_: o._why_step(Step.SCREENING, case_id),
    "check_referral": lambda o, referral_id, **_: o._why_referral(referral_id),
    "take_back": lambda o, referral_id, **_: o._why_referral(referral_id, take_back=True),
    "draft_plan": lambda o, case_id, **_: o._why_plan(case_id),
    "update_plan": lambda o, plan_id, **_: o._why_of_plan(plan_id, P.edit_blockers),
    "submit_plan": lambda o, plan_id, meeting_id=None, **_: o._why_of_plan(
        plan_id, P.submit_blockers) + P.meeting_blockers(o._meeting_if(meeting_id)),
    "amend_plan": lambda o, plan_id, data=None, **_: o._amend_blockers(
        o._plan_or_404(plan_id), data),
    "record_decision": lambda o, plan_id, service_key=None, **_: o._why_of_plan(
        plan_id, lambda state, plan: P.decision_blockers(state, plan, service_key)),
    "start_service": lambda o, plan_item_id, **_: o._why_plan_item(plan_item_id),
    "report_plan": lambda o, plan_id, **_: o._why_of_plan(
        plan_id, lambda state, plan: P.report_blockers(state, plan.id)),
    "add_record": lambda o, case_id, **_: o._why_step(Step.RECORD, case_id),
    "correct_record": lambda o, record_id, **_: o._why_record(record_id),
    "add_monitoring": lambda o, case_id, **_: o._why_step(Step.MONITORING, case_id),
    "evaluate": lambda o, case_id, meeting_id=None, **_: o._why_meeting_step(
        Step.EVALUATION, case_id, meeting_id),
    "add_contact_attempt": lambda o, case_id, **_: o._why_step(Step.CONTACT_ATTEMPT, case_id),
    "propose_suspension": lambda o, case_id, proposed_on=None, meeting_id=None, **_:
        o._why_meeting_step(Step.SUSPENSION, case_id, meeting_id, proposed_on),
    "resume": lambda o, case_id, **_: o._why_step(Step.RESUME, case_id),
    "propose_closure": lambda o, case_id, data=None, meeting_id=None, **_:
        o._why_meeting_step(Step.CLOSURE, case_id, meeting_id, data=data),
    "add_followup": lambda o, case_id, **_: o._why_step(Step.FOLLOWUP, case_id),
    "add_agenda_item": lambda o, meeting_id, kind, case_id=None, subject_id=None, **_:
        o._why_agenda(meeting_id, kind, case_id, subject_id),
    "withdraw_agenda_item": lambda o, item_id, **_: o._why_agenda_item(item_id),
    "move_agenda_item": lambda o, item_id, meeting_id, **_: o._why_agenda_item(
        item_id, meeting_id),
    "put_on_meeting": lambda o, case_id, subject_id, meeting_id, **_: o._why_put_on(
        case_id, subject_id, meeting_id),
}
