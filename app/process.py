"""The consultation process as a pure step graph: which steps a case allows now, and why not.

No I/O and no SQL. The Desk builds a ``CaseState`` (facts about one case,
app/domain/case_state.py) from the store and asks this module; the GUI enables its step
buttons and drives its wizards from the same answers (DESIGN.md principle 3). The records and
enums of the steps live in app/domain/ by subject (plan, meeting, record, monitoring,
evaluation, closure, referral …); this module keeps the rules, the step graph and the wizards'
page graphs. The rules are those of the 手引き (PROCESS.md):

* every プラン, 再プラン, プラン評価, 中断 and 終結 takes effect only with a 支援調整会議 result
  了承 or 修正のうえ了承; 再検討 sends it back;
* 支援決定: a statutory service (法定サービス) needs the municipality's decision before it can
  be marked started; other services are only reported (§1.8);
* 中断 needs recorded contact attempts first; 終結(3) needs a confirmed 中断 or a recorded
  move-away — 本人からの連絡・来訪がないということだけで終結判断をしない;
* 再プラン follows an approved プラン評価: goals met → next goal; not met → アセスメント first;
* フォローアップ only after a confirmed 終結; a closed case is reopened by a new 相談受付;
* the rules on one item (a meeting, an agenda item, a plan, a service, a referral, a record)
  are named in app/domain/rules.py, one message each, and checked here (``*_blockers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.domain.assessment import ScreeningResult
from app.domain.case_state import CaseState, EvaluationFact, ItemFact, PlanFact, ProcessSettings
from app.domain.closure import ClosureGrounds, ClosurePattern
from app.domain.common import LabelledEnum, Stage
from app.domain.evaluation import EvaluationDecision
from app.domain.meeting import AgendaItem, AgendaKind, Meeting, ProposalStatus
from app.domain.plan import Plan, PlanInput, PlanKind, PlanStatus
from app.domain.referral import Referral
from app.domain import rules as R
from app.domain.rules import DECISION_FIRST, MEETING_NEEDED, NO_PLAN, Blocker
from app.domain.service import Service
from app.domain.suspension import ContactOutcome
from app.i18n import N_, _


# ---------------------------------------------------------------------------- vocabulary
class Step(LabelledEnum):
    """A step of the process a worker can take on a case (one wizard each)."""

    EMERGENCY = "emergency", N_("Urgent support")                    # 緊急的な支援
    ASSESSMENT = "assessment", N_("Assessment")                      # アセスメント
    SCREENING = "screening", N_("Screening")                         # スクリーニング
    PLAN = "plan", N_("Drafting the plan")                           # プラン作成
    SUBMIT_PLAN = "submit_plan", N_("Submitting the plan to the support coordination meeting")
    AMEND_PLAN = "amend_plan", N_("Plan amendment")                  # プランの修正
    REPLAN = "replan", N_("Re-plan")                                 # 再プラン
    DECISION = "decision", N_("Support decision")                    # 支援決定
    REPORT = "report", N_("Report to the municipality")              # 報告 (no statutory service)
    SERVICE_START = "service_start", N_("Start of services")         # サービス開始
    RECORD = "record", N_("Support record")                          # 支援経過記録
    MONITORING = "monitoring", N_("Monitoring")                      # モニタリング
    EVALUATION = "evaluation", N_("Plan evaluation")                 # プラン評価
    CONTACT_ATTEMPT = "contact_attempt", N_("Attempt to make contact")  # 連絡の試み
    SUSPENSION = "suspension", N_("Suspension")                      # 中断
    RESUME = "resume", N_("Resumption")                              # 再開
    CLOSURE = "closure", N_("Closure")                               # 終結
    FOLLOWUP = "followup", N_("Follow-up")                           # フォローアップ
    REFERRAL_CHECK = "referral_check", N_("Checking the referral")   # つなぎ先の確認
    TAKE_BACK = "take_back", N_("Taking the case back")              # ケースの引き戻し
    NEW_INTAKE = "new_intake", N_("New intake of the same person")   # 再度の相談受付


@dataclass(frozen=True)
class StepStatus:
    step: Step
    allowed: bool
    reason: str = ""          # translated; why not (empty when allowed)

    @property
    def label(self) -> str:
        return self.step.label


# ---------------------------------------------------------------------------- reasons
ASSESS_FIRST = N_("Do the assessment first.")
CLOSED = N_("The case is closed. To support the person again, register a new intake of the "
            "same person.")
SUSPENDED = N_("Support is suspended. Resume the case first.")
OUT_OF_AGENCY = N_("The case was referred to another agency or ended with information. Take "
                   "the case back first.")
SILENCE_IS_NO_REASON = N_("You cannot close with pattern (3) only because there has been no "
                          "contact. Suspend support first, or record the move-away.")


def _guard_open(state: CaseState, *, allow_suspended: bool = False,
                allow_out: bool = False) -> str:
    if state.closed:
        return _(CLOSED)
    if state.suspended and not allow_suspended:
        return _(SUSPENDED)
    if state.out_of_agency and not allow_out:
        return _(OUT_OF_AGENCY)
    return ""


def open_reason(state: CaseState) -> str:
    """Why nothing can be changed on the case now (closed, suspended, referred out), or ''."""
    return _guard_open(state)


def _statutory_pending(plan: PlanFact) -> list[ItemFact]:
    return [i for i in plan.items if i.needs_decision and not i.decided and not i.refused]


def _why_not(step: Step, s: CaseState) -> str:
    """The translated reason ``step`` is blocked for ``s``, or '' when it is allowed."""
    active, open_plan = s.active_plan, s.open_plan
    if step is Step.EMERGENCY:
        return _guard_open(s, allow_out=True)
    if step is Step.ASSESSMENT:
        return _guard_open(s)
    if step is Step.SCREENING:
        if r := _guard_open(s, allow_out=True):
            return r
        if s.assessment_version == 0:
            return _(ASSESS_FIRST)
        if s.plans:
            return _("The case already has a plan; screening is done before the first plan.")
        return ""
    if step is Step.PLAN:
        if r := _guard_open(s):
            return r
        if s.assessment_version == 0:
            return _(ASSESS_FIRST)
        if s.plans:
            return _("The case already has a plan. Amend it, or evaluate it and re-plan.")
        if s.screening is not ScreeningResult.CONTINUE or s.screened_version != s.assessment_version:
            return _("Screen the latest assessment for continued support first.")
        return ""
    if step is Step.SUBMIT_PLAN:
        if r := _guard_open(s):
            return r
        if open_plan is None or open_plan.status is not PlanStatus.DRAFT:
            if open_plan is not None and open_plan.status is PlanStatus.SUBMITTED:
                return _("The plan is already waiting for the support coordination meeting.")
            return R.NO_DRAFT.message()
        if not open_plan.signed:
            return _("Record the date of the person's signature on the plan first.")
        return ""
    if step is Step.AMEND_PLAN:
        if r := _guard_open(s):
            return r
        if active is None:
            return _(MEETING_NEEDED) if open_plan else _(NO_PLAN)
        return ""
    if step is Step.REPLAN:
        if r := _guard_open(s):
            return r
        if open_plan is not None and open_plan.kind is PlanKind.REPLAN:
            return _("A re-plan is already being drafted.")
        if active is None:
            return _(NO_PLAN)
        ev = s.latest_evaluation
        if ev is None:
            return _("Evaluate the plan at the support coordination meeting before re-planning.")
        if ev.status is ProposalStatus.PROPOSED:
            return _(MEETING_NEEDED)
        if ev.decision is EvaluationDecision.REASSESS and s.assessment_version <= ev.assessment_version:
            return _("The goals were not achieved: do the assessment again before re-planning.")
        if ev.decision not in (EvaluationDecision.REPLAN, EvaluationDecision.REASSESS):
            return _("The plan evaluation did not decide on a re-plan.")
        return ""
    if step is Step.DECISION:
        if r := _guard_open(s):
            return r
        if active is None:
            if open_plan is not None:
                return _(MEETING_NEEDED)
            return _(NO_PLAN)
        if not any(i.needs_decision for i in active.items):
            return _("The plan has no statutory service: no support decision is needed (the "
                     "municipality is only informed).")
        if not _statutory_pending(active):
            return _("Every statutory service of the plan already has its support decision.")
        return ""
    if step is Step.REPORT:
        return _guard_open(s) or report_reason(s)
    if step is Step.SERVICE_START:
        if r := _guard_open(s):
            return r
        if active is None:
            return _(MEETING_NEEDED) if open_plan else _(NO_PLAN)
        waiting = [i for i in active.items if not i.started and not i.refused]
        if not waiting:
            return _("Every service of the plan has started.")
        if all(i.needs_decision and not i.decided for i in waiting):
            return _(DECISION_FIRST)
        return ""
    if step is Step.RECORD:
        return ""
    if step is Step.MONITORING:
        if r := _guard_open(s):
            return r
        if active is None:
            return _(MEETING_NEEDED) if open_plan else _(NO_PLAN)
        if not any(i.started for i in active.items):
            return _("Start a service of the plan before monitoring.")
        return ""
    if step is Step.EVALUATION:
        if r := _guard_open(s):
            return r
        if active is None:
            return _(MEETING_NEEDED) if open_plan else _(NO_PLAN)
        ev = s.latest_evaluation
        if ev is not None and ev.status is ProposalStatus.PROPOSED:
            return _("An evaluation of this plan is waiting for the support coordination meeting.")
        return ""
    if step is Step.CONTACT_ATTEMPT:
        return _guard_open(s, allow_suspended=True)
    if step is Step.SUSPENSION:
        return _suspension_block(s, s.today)
    if step is Step.RESUME:
        if s.closed:
            return _(CLOSED)
        if s.suspension is ProposalStatus.PROPOSED:
            return _(MEETING_NEEDED)
        if not s.suspended:
            return _("The case is not suspended.")
        return ""
    if step is Step.CLOSURE:
        if s.closure is ProposalStatus.PROPOSED:
            return _("A closure is waiting for the support coordination meeting.")
        return _guard_open(s, allow_suspended=True, allow_out=False)
    if step is Step.FOLLOWUP:
        if s.closure is ProposalStatus.PROPOSED:
            return _(MEETING_NEEDED)
        if not s.closed:
            return _("Follow-up comes after a closure confirmed by the support coordination "
                     "meeting.")
        return ""
    if step is Step.REFERRAL_CHECK:
        if not any(not r.checked for r in s.referrals):
            return _("No referral is waiting for its check.")
        return ""
    if step is Step.TAKE_BACK:
        if s.closed:
            return _(CLOSED)
        if not any(r.checked and r.arrived is False and not r.taken_back for r in s.referrals):
            return R.ARRIVAL_FIRST.message()
        return ""
    if step is Step.NEW_INTAKE:
        if not s.closed:
            return _("The case is still open: continue it instead of a new intake.")
        return ""
    raise ValueError(step)




def steps(state: CaseState) -> list[StepStatus]:
    """Every step, allowed or not, with the reason when not (for the case view's buttons)."""
    result = []
    for step in Step:
        reason = _why_not(step, state)
        result.append(StepStatus(step, not reason, reason))
    return result


def check(state: CaseState, step: Step) -> StepStatus:
    reason = _why_not(step, state)
    return StepStatus(step, not reason, reason)


def can_start_item(state: CaseState, item_id: str) -> str:
    """Why the service of plan item ``item_id`` cannot be marked started ('' when it can)."""
    found = start_blockers(state, item_id)
    return found[0].message if found else ""


def _ja(d: date) -> str:
    from app.text_ja import format_date_ja
    return format_date_ja(d)


def _suspension_block(s: CaseState, on: date | None) -> str:
    if s.suspension is ProposalStatus.PROPOSED:
        return _("A suspension is waiting for the support coordination meeting.")
    if r := _guard_open(s):
        return r
    if not s.continued:
        return _("Only a case in continued support can be suspended.")
    if s.open_contact_attempts == 0:
        return _("Record the attempts to reach the person first (a note left at home, "
                 "contact with acquaintances …).")
    return _contact_effort(s, on)


def _contact_effort(s: CaseState, on: date | None) -> str:
    """中断 needs efforts to keep supporting the person (手引き §10): attempts by at least
    ``suspension_means`` means, over at least ``suspension_days`` days (desk settings)."""
    tried = [c for c in s.contacts if c.outcome != ContactOutcome.REACHED.value]
    rules = s.settings
    means = {c.method for c in tried}
    if len(means) < rules.suspension_means:
        return _("Before a suspension, try to reach the person by at least {n} different means "
                 "(a note left at home, acquaintances, a home visit …); recorded so far: {k}."
                 ).format(n=rules.suspension_means, k=len(means))
    first = min(c.on for c in tried)
    end = on or s.today or max(c.on for c in tried)
    if (end - first).days < rules.suspension_days:
        return _("Before a suspension, keep trying to reach the person for at least {n} days "
                 "(the first attempt was on {first}).").format(
                     n=rules.suspension_days, first=_ja(first))
    return ""


def can_suspend(state: CaseState, on: date | None = None) -> str:
    """Why 中断 proposed on ``on`` (default: today) is refused ('' when it may go to the
    meeting)."""
    return _suspension_block(state, on or state.today)


def closing_evaluation(state: CaseState) -> EvaluationFact | None:
    """The プラン評価 of the plan in effect that decided 終結 (proposed or confirmed), if any:
    the closure is decided with it, without an agenda item of its own."""
    ev = state.latest_evaluation
    if ev is not None and ev.decision is EvaluationDecision.CLOSE:
        return ev
    return None


def can_close(state: CaseState, pattern: ClosurePattern | str,
              grounds: ClosureGrounds | str | None = None, *, on: date | None = None,
              without_evaluation_reason: str = "") -> str:
    """Why 終結 with ``pattern`` on ``on`` is refused ('' when it may go to the meeting).

    (3) needs a 中断 confirmed at least ``closure3_days`` before (一定期間がたって) or a
    recorded move-away; (1)(2) normally follow a プラン評価 that decided 終結, otherwise the
    reason is recorded."""
    if r := _why_not(Step.CLOSURE, state):
        return r
    pattern = ClosurePattern(pattern)
    if pattern is ClosurePattern.CONTACT_LOST:
        g = ClosureGrounds(grounds) if grounds else None
        if g is None:
            g = (ClosureGrounds.SUSPENSION if state.suspended else
                 ClosureGrounds.MOVED_AWAY if state.moved_away else None)
        if g is ClosureGrounds.SUSPENSION and state.suspended:
            end = on or state.today
            days = state.settings.closure3_days
            if state.suspended_on and end and (end - state.suspended_on).days < days:
                return _("Closure (3) comes only after the suspension has lasted {n} days with "
                         "no prospect of resuming (suspended on {since}).").format(
                             n=days, since=_ja(state.suspended_on))
            return ""
        if g is ClosureGrounds.MOVED_AWAY and state.moved_away:
            return ""
        return _(SILENCE_IS_NO_REASON)
    if state.suspended:
        return _("A suspended case closes with pattern (3), or resume it first.")
    if closing_evaluation(state) is None and not without_evaluation_reason.strip():
        return _(EVALUATE_BEFORE_CLOSING)
    return ""


EVALUATE_BEFORE_CLOSING = N_(
    "Closure (1) or (2) follows a plan evaluation that decided on closure. Evaluate the plan "
    "first, or record why the case closes without a plan evaluation.")


# ---------------------------------------------------------------------------- プランの修正


def _moved(a: date | None, b: date | None, limit: int) -> bool:
    if a == b:
        return False
    if a is None or b is None:
        return True
    return abs((a - b).days) > limit


def amendment_problems(before: Plan, after: PlanInput, services: dict[str, Service],
                       settings: ProcessSettings = ProcessSettings()) -> list[str]:
    """What of ``after`` goes beyond a 軽微な修正 of the plan in effect ``before`` (手引き
    §11: プランの修正 = 支援内容を軽微に修正; anything bigger is a 再プラン through the
    支援調整会議). A minor amendment may change the wording of a support item, its frequency,
    its provider (contact), the next monitoring date, and move a period or a goal's target
    date by at most ``settings.amendment_days`` days. It never changes the aim or the goals,
    never adds or removes a support item or changes its service — so it never adds a
    statutory service, a goal or employment support. Empty list: a minor amendment."""
    out: list[str] = []
    days = settings.amendment_days
    if (after.aim or "").strip() != (before.aim or "").strip():
        out.append(_("The person's aim changes."))
    if [g.text.strip() for g in after.goals] != [g.text.strip() for g in before.goals]:
        out.append(_("Short-term goals are added, removed or rewritten."))
    else:
        for old_goal, new_goal in zip(before.goals, after.goals):
            if _moved(old_goal.target_on, new_goal.target_on, days):
                out.append(_("The target date of a goal moves by more than {n} days.")
                           .format(n=days))
                break
    if _moved(before.period_from, after.period_from, days) or _moved(
            before.period_to, after.period_to, days):
        out.append(_("The plan period moves by more than {n} days.").format(n=days))
    old_items = {i.id: i for i in before.items}
    kept = set()
    for item in after.items:
        old = old_items.get(item.id) if item.id else None
        if old is None:
            svc = services.get(item.service_key)
            if svc is not None and (svc.statutory or svc.needs_decision):
                out.append(_("A statutory service is added: {name}.").format(name=svc.name))
            elif svc is not None and svc.employment:
                out.append(_("Employment support is added: {name}.").format(name=svc.name))
            else:
                out.append(_("A support item is added."))
            continue
        kept.add(old.id)
        if item.service_key != old.service_key:
            out.append(_("The service of a support item changes."))
        if _moved(old.period_from, item.period_from, days) or _moved(
                old.period_to, item.period_to, days):
            out.append(_("The period of a support item moves by more than {n} days.")
                       .format(n=days))
    if set(old_items) - kept:
        out.append(_("A support item is removed."))
    return list(dict.fromkeys(out))


def stage(s: CaseState) -> Stage:
    """The stage shown on the stage bar."""
    if s.closed:
        return Stage.CLOSED
    if s.suspended:
        return Stage.SUSPENDED
    if s.out_of_agency:
        return Stage.REFERRED if (
            (s.screening is ScreeningResult.REFER and s.screened_version == s.assessment_version
             and s.assessment_version)
            or (s.screening is None and s.triage == "refer")) else Stage.INFO_ONLY
    active, open_plan = s.active_plan, s.open_plan
    if active is not None:
        ev = s.latest_evaluation
        if ev is not None and ev.status is ProposalStatus.PROPOSED:
            return Stage.EVALUATION
        if s.closure is ProposalStatus.PROPOSED:
            return Stage.EVALUATION
        if ev is not None and ev.status is ProposalStatus.CONFIRMED:
            if ev.decision is EvaluationDecision.REASSESS and (
                    s.assessment_version <= ev.assessment_version):
                return Stage.ASSESSMENT
            if ev.decision in (EvaluationDecision.REPLAN, EvaluationDecision.REASSESS):
                if open_plan is not None and open_plan.status is PlanStatus.SUBMITTED:
                    return Stage.MEETING
                return Stage.PLAN
            if ev.decision is EvaluationDecision.CLOSE:
                return Stage.EVALUATION
        if _statutory_pending(active):
            return Stage.DECISION
        if s.monitorings_of_active_plan:
            return Stage.MONITORING
        return Stage.SUPPORT
    if open_plan is not None:
        return Stage.MEETING if open_plan.status is PlanStatus.SUBMITTED else Stage.PLAN
    if s.closure is ProposalStatus.PROPOSED:
        return Stage.EVALUATION
    if s.screening is ScreeningResult.CONTINUE and s.screened_version == s.assessment_version:
        return Stage.PLAN
    if s.assessment_version:
        return Stage.ASSESSMENT
    return Stage.INTAKE


def next_actions(s: CaseState) -> list[str]:
    """Short translated hints of what to do next on the case (for the case view)."""
    hints: list[str] = list(s.problems)
    allowed = {st.step for st in steps(s) if st.allowed}
    order = [Step.REFERRAL_CHECK, Step.TAKE_BACK, Step.ASSESSMENT, Step.SCREENING, Step.PLAN,
             Step.SUBMIT_PLAN, Step.REPLAN, Step.DECISION, Step.REPORT, Step.SERVICE_START,
             Step.MONITORING,
             Step.RESUME, Step.FOLLOWUP]
    st = stage(s)
    for step in order:
        if step not in allowed:
            continue
        if step is Step.ASSESSMENT and (s.assessment_version and st is not Stage.ASSESSMENT):
            continue
        if step is Step.MONITORING and st not in (Stage.SUPPORT, Stage.MONITORING):
            continue
        if step is Step.SCREENING and s.screening is not None and (
                s.screened_version == s.assessment_version):
            continue
        hints.append(step.label)
    if due := evaluation_due(s):
        hints.append(_("Plan evaluation due: the plan period ends on {on}.")
                     .format(on=_ja(due)))
    if s.open_plan is not None and s.open_plan.status is PlanStatus.SUBMITTED:
        hints.append(_(MEETING_NEEDED))
    if s.emergency_pending:
        hints.append(_("Municipal procedures of emergency support are pending: {n}")
                     .format(n=s.emergency_pending))
    return hints


def evaluation_due(s: CaseState) -> date | None:
    """The end of the plan in effect when its プラン評価 is due (the period ends within
    ``evaluation_notice_days`` or has ended) and none is recorded; else None."""
    active = s.active_plan
    if active is None or active.period_to is None or s.today is None:
        return None
    if s.closed or s.suspended or s.closure is ProposalStatus.PROPOSED:
        return None
    if (active.period_to - s.today).days > s.settings.evaluation_notice_days:
        return None
    if any(e.plan_id == active.id and e.status is not ProposalStatus.RECONSIDER
           for e in s.evaluations):
        return None
    return active.period_to


def report_reason(s: CaseState) -> str:
    """Why the 報告 of the plan in effect to the municipality cannot be recorded ('' when it
    can): a plan with no statutory service is reported, not decided (手引き §8)."""
    active = s.active_plan
    if active is None:
        return _(NO_PLAN)
    if any(i.needs_decision for i in active.items):
        return _("The plan contains statutory services: record the support decision.")
    if active.reported_on is not None:
        return _("The plan is already reported to the municipality.")
    return ""


# ---------------------------------------------------------------------------- item-level rules
# The rules on one item a step touches (named, one message each: app/domain/rules.py). An
# operation refuses with the first blocker; ``desk.process.why_not`` lists them beforehand.
def as_blockers(reason: str) -> list[Blocker]:
    """A reason of the step graph ('' when allowed) as a blocker."""
    return [Blocker("step", reason)] if reason else []


def step_blocker(state: CaseState, step: Step) -> list[Blocker]:
    """The step graph's reason ``step`` is blocked, as a blocker ([] when allowed)."""
    return as_blockers(_why_not(step, state))


def meeting_blockers(meeting: Meeting | None, *, today: date | None = None,
                     current: Meeting | None = None) -> list[Blocker]:
    """A meeting something goes to: not the one it is on (``current``), not yet recorded,
    and, with ``today``, not dated in the past."""
    if meeting is None:
        return []
    out = []
    if current is not None and meeting.id == current.id:
        out.append(R.SAME_MEETING.blocks())
    if meeting.held:
        out.append(R.MEETING_RECORDED.blocks())
    elif today is not None and meeting.held_on < today:
        out.append(R.MEETING_PAST.blocks())
    return out


def agenda_item_blockers(item: AgendaItem) -> list[Blocker]:
    """An agenda item moved, withdrawn or decided must still wait for its result."""
    rule = R.RESULT_RECORDED if item.result is not None else \
        R.ITEM_WITHDRAWN if item.withdrawn_on is not None else None
    return [rule.blocks()] if rule else []


def agenda_subject_blockers(kind: AgendaKind, status: str, *, replan: bool = False,
                            on_agenda: bool = False, with_evaluation: bool = False
                            ) -> list[Blocker]:
    """What an agenda item of ``kind`` asks the meeting to approve (its row's ``status``):
    waiting for the meeting, of the matching kind, on no other agenda, and not a 終結 decided
    with its プラン評価."""
    out = []
    waiting = PlanStatus.SUBMITTED.value if kind in (AgendaKind.NEW_PLAN, AgendaKind.REPLAN) \
        else ProposalStatus.PROPOSED.value
    if status != waiting:
        out.append(R.NOT_WAITING.blocks())
    if kind in (AgendaKind.NEW_PLAN, AgendaKind.REPLAN) and replan != (
            kind is AgendaKind.REPLAN):
        out.append(R.AGENDA_KIND.blocks())
    if on_agenda:
        out.append(R.ON_AGENDA.blocks())
    if kind is AgendaKind.CLOSURE and with_evaluation:
        out.append(R.CLOSURE_WITH_EVALUATION.blocks())
    return out


def submit_blockers(state: CaseState, plan: Plan) -> list[Blocker]:
    """提出 of ``plan``: the step, and it must be the case's draft."""
    if found := step_blocker(state, Step.SUBMIT_PLAN):
        return found
    if state.open_plan is None or state.open_plan.id != plan.id:
        return [R.NO_DRAFT.blocks()]
    return []


def edit_blockers(state: CaseState, plan: Plan) -> list[Blocker]:
    """Editing ``plan``: only a draft, on an open case."""
    out = [] if plan.status is PlanStatus.DRAFT else [R.DRAFT_ONLY.blocks()]
    return out + as_blockers(open_reason(state))


def amend_blockers(state: CaseState, plan: Plan, after: PlanInput | None = None,
                   services: dict[str, Service] | None = None,
                   settings: ProcessSettings = ProcessSettings()) -> list[Blocker]:
    """プランの修正 of ``plan`` into ``after``: the step, the plan in effect, started services
    kept, and only a minor change (``amendment_problems``)."""
    if found := step_blocker(state, Step.AMEND_PLAN):
        return found
    if plan.status is not PlanStatus.APPROVED:
        return [R.AMEND_IN_EFFECT.blocks()]
    if after is None:
        return []
    started = {i.id for i in plan.items if i.started_on}
    if started - {i.id for i in after.items if i.id}:
        return [R.STARTED_STAYS.blocks()]
    if beyond := amendment_problems(plan, after, services or {}, settings):
        return [Blocker(R.MINOR_ONLY.name, " ".join([*beyond, R.MINOR_ONLY.message()]))]
    return []


def decision_blockers(state: CaseState, plan: Plan, service_key: str | None) -> list[Blocker]:
    """支援決定 on ``service_key`` of ``plan``: the step, the plan approved, the service in it,
    statutory, and not yet decided."""
    if found := step_blocker(state, Step.DECISION):
        return found
    if plan.status is not PlanStatus.APPROVED:
        return [R.PLAN_APPROVED_FIRST.blocks()]
    if service_key is None:
        return []
    items = [i for i in plan.items if i.service_key == service_key]
    if not items:
        return [R.NOT_IN_PLAN.blocks()]
    if items[0].decision == "reported":
        return [R.REPORTED_SERVICE.blocks()]
    if items[0].decision != "required":
        return [R.DECISION_RECORDED.blocks()]
    return []


def start_blockers(state: CaseState, item_id: str) -> list[Blocker]:
    """サービス開始 of plan item ``item_id``."""
    if found := as_blockers(open_reason(state)):
        return found
    active = state.active_plan
    if active is None:
        return as_blockers(_(MEETING_NEEDED) if state.open_plan
                            else _(NO_PLAN))
    item = next((i for i in active.items if i.id == item_id), None)
    if item is None:
        return [R.ITEM_NOT_IN_PLAN.blocks()]
    if item.started:
        return [R.ITEM_STARTED.blocks()]
    if item.refused:
        return [R.ITEM_REFUSED.blocks()]
    if item.needs_decision and not item.decided:
        return [R.DECISION_BEFORE_START.blocks()]
    return []


def referral_blockers(state: CaseState, referral: Referral, *, take_back: bool = False
                      ) -> list[Blocker]:
    """後日確認 of ``referral`` (checked once), or ケースの引き戻し (``take_back``: after a
    check found the person did not arrive) — the step graph's rule, for this referral."""
    if take_back:
        if state.closed:
            return as_blockers(_(CLOSED))
        if referral.checked_on and referral.arrived is False and referral.taken_back_on is None:
            return []
        return [R.ARRIVAL_FIRST.blocks()]
    return [R.REFERRAL_CHECKED.blocks()] if referral.checked_on is not None else []


def report_blockers(state: CaseState, plan_id: str) -> list[Blocker]:
    """報告 of plan ``plan_id`` to the municipality: the plan in effect, with no statutory
    service, not yet reported."""
    if found := as_blockers(open_reason(state)):
        return found
    if state.active_plan is None or state.active_plan.id != plan_id:
        return [R.REPORT_IN_EFFECT.blocks()]
    return as_blockers(report_reason(state))


# ---------------------------------------------------------------------------- scheduling
def is_business_day(d: date) -> bool:
    """Weekdays that are not Japanese national holidays nor the year-end closure (12/29–1/3)."""
    import jpholiday
    if d.weekday() >= 5 or jpholiday.is_holiday(d):
        return False
    if (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3):
        return False
    return True


def previous_business_day(d: date) -> date:
    """``d`` itself when it is a business day, else the business day before it.

    We move earlier, never later: a monitoring planned "within two weeks" or "monthly"
    then stays within its interval instead of slipping past it."""
    while not is_business_day(d):
        d -= timedelta(days=1)
    return d


def _add_months(d: date, months: int) -> date:
    import calendar
    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


FIRST_MONITORING_DAYS = 14


def first_monitoring_date(support_started: date) -> date:
    """① 支援直後: within two weeks after support starts (on a business day)."""
    return previous_business_day(support_started + timedelta(days=FIRST_MONITORING_DAYS))


def next_monitoring_date(last: date) -> date:
    """② 定期: about one month after the last monitoring (on a business day)."""
    target = previous_business_day(_add_months(last, 1))
    return target if target > last else last + timedelta(days=1)


# ---------------------------------------------------------------------------- wizards
# Pages of each wizard, and how the next page depends on the answers given so far
# (Electrum's GUI-agnostic wizard: the Qt pages call ``wizard_next`` from nextId()).
WIZARD_PAGES: dict[Step, tuple[str, ...]] = {
    Step.EMERGENCY: ("action", "procedure", "confirm"),
    Step.ASSESSMENT: ("basics", "household", "domains", "problems", "analysis", "team",
                      "confirm"),
    Step.SCREENING: ("result", "referral", "report", "confirm"),
    Step.PLAN: ("aim", "goals", "items", "services", "schedule", "signature", "confirm"),
    Step.REPLAN: ("aim", "goals", "items", "services", "schedule", "signature", "confirm"),
    Step.MONITORING: ("basics", "progress", "amendment", "next", "confirm"),
    Step.EVALUATION: ("goals", "outcomes", "decision", "next_goal", "reassessment",
                      "closure_intent", "meeting", "confirm"),
    Step.SUSPENSION: ("attempts", "proposal", "meeting", "confirm"),
    Step.CLOSURE: ("pattern", "grounds", "intention", "referrals", "followup", "meeting",
                   "confirm"),
    Step.REFERRAL_CHECK: ("result", "take_back", "confirm"),
}


def _skip(step: Step, page: str, a: dict[str, Any]) -> bool:
    """True when ``page`` does not apply given the answers ``a``."""
    if step is Step.SCREENING:
        result = a.get("result")
        if page == "referral":
            return result != ScreeningResult.REFER.value
        if page == "report":          # continuing cases are reported to the municipality
            return result != ScreeningResult.CONTINUE.value
    if step in (Step.PLAN, Step.REPLAN) and page == "services":
        return not a.get("has_statutory")
    if step is Step.MONITORING and page == "amendment":
        return not a.get("amendment_needed")
    if step is Step.EVALUATION:
        decision = a.get("decision")
        wanted = {"next_goal": EvaluationDecision.REPLAN.value,
                  "reassessment": EvaluationDecision.REASSESS.value,
                  "closure_intent": EvaluationDecision.CLOSE.value}
        if page in wanted:
            return decision != wanted[page]
    if step is Step.CLOSURE:
        pattern = a.get("pattern")
        if page == "grounds":
            return pattern != ClosurePattern.CONTACT_LOST.value
        if page == "intention":       # the person cannot be asked when contact is lost
            return pattern == ClosurePattern.CONTACT_LOST.value
    if step is Step.REFERRAL_CHECK and page == "take_back":
        return a.get("arrived") is not False
    return False


def wizard_pages(step: Step) -> tuple[str, ...]:
    return WIZARD_PAGES.get(step, ("confirm",))


def wizard_next(step: Step | str, page: str, answers: dict[str, Any]) -> str | None:
    """The page after ``page`` given ``answers`` so far, or None when ``page`` is the last."""
    step = Step(step)
    pages = wizard_pages(step)
    if page not in pages:
        raise ValueError(f"unknown page {page!r} of {step.value}")
    for nxt in pages[pages.index(page) + 1:]:
        if not _skip(step, nxt, answers):
            return nxt
    return None


def wizard_path(step: Step | str, answers: dict[str, Any]) -> list[str]:
    """Every page the wizard shows for ``answers`` (first page included)."""
    step = Step(step)
    path = [wizard_pages(step)[0]]
    while (nxt := wizard_next(step, path[-1], answers)) is not None:
        path.append(nxt)
    return path
