"""The step graph alone (no database): every guard blocks with its reason, stages, wizards,
monitoring dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.domain.rules import DECISION_FIRST, MEETING_NEEDED
from app.domain.assessment import ScreeningResult
from app.domain.case_state import (
    CaseState, ContactFact, EvaluationFact, ItemFact, PlanFact, ReferralFact,
)
from app.domain.closure import ClosureGrounds, ClosurePattern
from app.domain.decision import DecisionNeed, decision_need
from app.domain.evaluation import EvaluationDecision
from app.domain.meeting import MeetingResult, ProposalStatus
from app.domain.plan import PlanKind, PlanStatus
from app import process as P
from app.domain import Stage
from app.i18n import _
from app.process import Step


def reason(state: CaseState, step: Step) -> str:
    return P.check(state, step).reason


def allowed(state: CaseState, step: Step) -> bool:
    return P.check(state, step).allowed


HOUSING = ItemFact("i-housing", "housing_benefit", needs_decision=True)
SELF = ItemFact("i-self", "self_reliance")

SCREENED = CaseState(case_id="c", assessment_version=1, screening=ScreeningResult.CONTINUE,
                     screened_version=1)


def with_plan(status=PlanStatus.APPROVED, items=(SELF,), signed=True, number=1,
              kind=PlanKind.FIRST, base=SCREENED, **kw) -> CaseState:
    plan = PlanFact("p%d" % number, number=number, kind=kind, status=status, signed=signed,
                    items=tuple(items))
    return replace(base, plans=base.plans + (plan,), **kw)


def test_messages_are_japanese():
    assert _(MEETING_NEEDED) == "支援調整会議の了承が必要です"
    assert _(P.ASSESS_FIRST) == "アセスメントを先に行ってください"
    assert _(P.SILENCE_IS_NO_REASON) == ("連絡がないことだけを理由に終結(3)にはできません。"
                                         "先に中断するか、転居を記録してください")
    assert Step.SUSPENSION.label == "中断"
    assert Step.CLOSURE.label == "終結"
    assert Step.DECISION.label == "支援決定"
    assert Step.AMEND_PLAN.label == "プランの修正"
    assert Step.REPLAN.label == "再プラン"
    assert MeetingResult.APPROVED.label == "了承"
    assert MeetingResult.APPROVED_WITH_CHANGES.label == "修正のうえ了承"
    assert MeetingResult.RECONSIDER.label == "再検討"


def test_new_case_needs_assessment_before_screening_and_plan():
    s = CaseState(case_id="c")
    assert allowed(s, Step.ASSESSMENT) and allowed(s, Step.EMERGENCY)
    assert reason(s, Step.SCREENING) == _(P.ASSESS_FIRST)
    assert reason(s, Step.PLAN) == _(P.ASSESS_FIRST)
    assert P.stage(s) is Stage.INTAKE


def test_plan_needs_screening_for_continued_support():
    s = CaseState(case_id="c", assessment_version=1)
    assert P.stage(s) is Stage.ASSESSMENT
    assert "スクリーニング" in reason(s, Step.PLAN)
    assert allowed(SCREENED, Step.PLAN)
    assert P.stage(SCREENED) is Stage.PLAN
    # a re-assessment after screening needs screening again before the first plan
    assert not allowed(replace(SCREENED, assessment_version=2), Step.PLAN)


def test_screening_refer_or_info_takes_the_case_out():
    s = replace(SCREENED, screening=ScreeningResult.REFER)
    assert P.stage(s) is Stage.REFERRED
    assert reason(s, Step.PLAN) == _(P.OUT_OF_AGENCY)
    s = replace(SCREENED, screening=ScreeningResult.INFO_ONLY)
    assert P.stage(s) is Stage.INFO_ONLY


def test_submit_needs_signature_and_a_draft():
    s = with_plan(PlanStatus.DRAFT, signed=False)
    assert "署名" in reason(s, Step.SUBMIT_PLAN)
    assert allowed(with_plan(PlanStatus.DRAFT), Step.SUBMIT_PLAN)
    assert P.stage(with_plan(PlanStatus.DRAFT)) is Stage.PLAN
    assert P.stage(with_plan(PlanStatus.SUBMITTED)) is Stage.MEETING


@pytest.mark.parametrize("step", [Step.DECISION, Step.SERVICE_START, Step.MONITORING,
                                  Step.EVALUATION, Step.AMEND_PLAN])
def test_a_submitted_plan_does_not_take_effect_without_the_meeting(step):
    s = with_plan(PlanStatus.SUBMITTED, items=(HOUSING, SELF))
    assert reason(s, step) == _(MEETING_NEEDED)


def test_decision_matrix():
    assert decision_need([True]) is DecisionNeed.REQUIRED
    assert decision_need([True, False]) is DecisionNeed.STATUTORY_ONLY
    assert decision_need([False, False]) is DecisionNeed.REPORT_ONLY
    only_self = with_plan(items=(SELF,))
    assert "報告" in reason(only_self, Step.DECISION)
    mixed = with_plan(items=(HOUSING, SELF))
    assert allowed(mixed, Step.DECISION)
    assert P.stage(mixed) is Stage.DECISION


def test_statutory_service_cannot_start_before_its_decision():
    s = with_plan(items=(HOUSING, SELF))
    assert P.can_start_item(s, "i-housing") == _(DECISION_FIRST)
    assert P.can_start_item(s, "i-self") == ""
    assert allowed(s, Step.SERVICE_START)          # the non-statutory one can start
    only_housing = with_plan(items=(HOUSING,))
    assert reason(only_housing, Step.SERVICE_START) == _(DECISION_FIRST)
    decided = with_plan(items=(replace(HOUSING, decided=True),))
    assert P.can_start_item(decided, "i-housing") == ""
    assert P.stage(decided) is Stage.SUPPORT


def test_monitoring_after_a_service_started():
    s = with_plan(items=(SELF,))
    assert "サービスを開始" in reason(s, Step.MONITORING)
    started = with_plan(items=(replace(SELF, started=True),))
    assert allowed(started, Step.MONITORING)
    assert P.stage(replace(started, monitorings_of_active_plan=1)) is Stage.MONITORING


def test_replan_needs_an_approved_evaluation():
    s = with_plan(items=(replace(SELF, started=True),))
    assert "プラン評価" in reason(s, Step.REPLAN)
    proposed = replace(s, evaluations=(EvaluationFact("e", "p1", ProposalStatus.PROPOSED,
                                                      EvaluationDecision.REPLAN, 1),))
    assert reason(proposed, Step.REPLAN) == _(MEETING_NEEDED)
    assert P.stage(proposed) is Stage.EVALUATION
    assert "評価" in reason(proposed, Step.EVALUATION)
    confirmed = replace(s, evaluations=(EvaluationFact("e", "p1", ProposalStatus.CONFIRMED,
                                                       EvaluationDecision.REPLAN, 1),))
    assert allowed(confirmed, Step.REPLAN)
    assert P.stage(confirmed) is Stage.PLAN
    sent_back = replace(s, evaluations=(EvaluationFact("e", "p1", ProposalStatus.RECONSIDER,
                                                       EvaluationDecision.REPLAN, 1),))
    assert not allowed(sent_back, Step.REPLAN)


def test_goals_not_met_go_back_to_assessment_first():
    s = with_plan(items=(replace(SELF, started=True),), evaluations=(
        EvaluationFact("e", "p1", ProposalStatus.CONFIRMED, EvaluationDecision.REASSESS, 1),))
    assert "アセスメント" in reason(s, Step.REPLAN)
    assert P.stage(s) is Stage.ASSESSMENT
    reassessed = replace(s, assessment_version=2)
    assert allowed(reassessed, Step.REPLAN)
    assert P.stage(reassessed) is Stage.PLAN


def test_suspension_needs_contact_attempts_and_the_meeting():
    s = with_plan()
    assert "連絡" in reason(s, Step.SUSPENSION)
    # two means over at least the set number of days (issue 19; tests/test_guide_rules.py)
    tried = replace(s, open_contact_attempts=2, today=date(2026, 6, 20), contacts=(
        ContactFact(date(2026, 6, 1), "phone"), ContactFact(date(2026, 6, 5), "note_at_home")))
    assert allowed(tried, Step.SUSPENSION)
    proposed = replace(tried, suspension=ProposalStatus.PROPOSED)
    assert "支援調整会議" in reason(proposed, Step.SUSPENSION)
    assert reason(proposed, Step.RESUME) == _(MEETING_NEEDED)
    confirmed = replace(tried, suspension=ProposalStatus.CONFIRMED)
    assert P.stage(confirmed) is Stage.SUSPENDED
    assert allowed(confirmed, Step.RESUME)
    assert reason(confirmed, Step.MONITORING) == _(P.SUSPENDED)
    resumed = replace(confirmed, suspension=ProposalStatus.RESUMED)
    assert P.stage(resumed) is Stage.SUPPORT
    assert "中断されていません" in reason(resumed, Step.RESUME)


def test_closure_for_silence_alone_is_refused():
    s = with_plan(open_contact_attempts=3)
    assert P.can_close(s, ClosurePattern.CONTACT_LOST) == _(P.SILENCE_IS_NO_REASON)
    assert P.can_close(s, ClosurePattern.CONTACT_LOST, ClosureGrounds.SUSPENSION) == \
        _(P.SILENCE_IS_NO_REASON)
    suspended = replace(s, suspension=ProposalStatus.CONFIRMED)
    assert P.can_close(suspended, ClosurePattern.CONTACT_LOST) == ""
    moved = replace(s, moved_away=True)
    assert P.can_close(moved, ClosurePattern.CONTACT_LOST, ClosureGrounds.MOVED_AWAY) == ""
    assert P.can_close(moved, ClosurePattern.CONTACT_LOST, ClosureGrounds.SUSPENSION) != ""
    # a suspended case closes with (3) or is resumed first
    assert "(3)" in P.can_close(suspended, ClosurePattern.RESOLVED)
    # (1)(2) follow a プラン評価 that decided 終結, or record why not (issue 19)
    assert P.can_close(s, ClosurePattern.RESOLVED) == _(P.EVALUATE_BEFORE_CLOSING)
    assert P.can_close(s, ClosurePattern.RESOLVED, without_evaluation_reason="転居") == ""


def test_closure_waits_for_the_meeting_and_follow_up_comes_after():
    s = with_plan(closure=ProposalStatus.PROPOSED)
    assert "支援調整会議" in reason(s, Step.CLOSURE)
    assert reason(s, Step.FOLLOWUP) == _(MEETING_NEEDED)
    assert P.stage(s) is Stage.EVALUATION
    assert "終結" in reason(with_plan(), Step.FOLLOWUP)
    closed = with_plan(closure=ProposalStatus.CONFIRMED)
    assert P.stage(closed) is Stage.CLOSED
    assert allowed(closed, Step.FOLLOWUP) and allowed(closed, Step.NEW_INTAKE)
    for step in (Step.ASSESSMENT, Step.PLAN, Step.MONITORING, Step.SUSPENSION, Step.EMERGENCY):
        assert reason(closed, step) == _(P.CLOSED)
    assert not allowed(with_plan(), Step.NEW_INTAKE)


def test_referral_check_then_take_back():
    s = CaseState(case_id="c", triage="refer", referrals=(ReferralFact("r"),))
    assert P.stage(s) is Stage.REFERRED
    assert allowed(s, Step.REFERRAL_CHECK)
    assert "確認" in reason(s, Step.TAKE_BACK)
    arrived = replace(s, referrals=(ReferralFact("r", checked=True, arrived=True),))
    assert not allowed(arrived, Step.TAKE_BACK)
    assert "確認待ち" in reason(arrived, Step.REFERRAL_CHECK)
    failed = replace(s, referrals=(ReferralFact("r", checked=True, arrived=False),))
    assert allowed(failed, Step.TAKE_BACK)
    assert reason(failed, Step.ASSESSMENT) == _(P.OUT_OF_AGENCY)
    back = replace(s, referrals=(ReferralFact("r", checked=True, arrived=False,
                                              taken_back=True),))
    assert P.stage(back) is Stage.INTAKE
    assert allowed(back, Step.ASSESSMENT)


def test_two_approved_plans_are_flagged():
    s = with_plan(base=with_plan(number=1), number=2, kind=PlanKind.REPLAN)
    assert len(s.problems) == 1 and "2つ" in s.problems[0]
    assert s.active_plan.number == 2
    assert s.problems[0] in P.next_actions(s)


def test_every_step_has_a_status_and_label():
    statuses = P.steps(CaseState())
    assert [st.step for st in statuses] == list(Step)
    assert all(st.allowed == (st.reason == "") for st in statuses)
    assert all(st.label and not st.label.isascii() for st in statuses)


def test_wizard_pages_depend_on_answers():
    assert P.wizard_path(Step.SCREENING, {"result": "refer"}) == ["result", "referral", "confirm"]
    assert P.wizard_path(Step.SCREENING, {"result": "continue"}) == ["result", "report", "confirm"]
    assert P.wizard_path(Step.SCREENING, {"result": "info_only"}) == ["result", "confirm"]
    assert P.wizard_next(Step.CLOSURE, "pattern", {"pattern": "3"}) == "grounds"
    assert P.wizard_next(Step.CLOSURE, "pattern", {"pattern": "1"}) == "intention"
    assert "intention" not in P.wizard_path(Step.CLOSURE, {"pattern": "3"})
    assert P.wizard_next(Step.EVALUATION, "decision", {"decision": "replan"}) == "next_goal"
    assert P.wizard_next(Step.EVALUATION, "decision", {"decision": "reassess"}) == "reassessment"
    assert P.wizard_next(Step.EVALUATION, "decision", {"decision": "close"}) == "closure_intent"
    assert P.wizard_next(Step.EVALUATION, "decision", {"decision": "continue"}) == "meeting"
    assert P.wizard_next(Step.PLAN, "items", {"has_statutory": True}) == "services"
    assert P.wizard_next(Step.PLAN, "items", {}) == "schedule"
    assert P.wizard_next(Step.REFERRAL_CHECK, "result", {"arrived": False}) == "take_back"
    assert P.wizard_next(Step.REFERRAL_CHECK, "result", {"arrived": True}) == "confirm"
    assert P.wizard_next(Step.SCREENING, "confirm", {}) is None
    with pytest.raises(ValueError):
        P.wizard_next(Step.SCREENING, "nope", {})


def test_monitoring_dates_avoid_weekends_and_holidays():
    # started Thu 2026-04-23: +14 days = Thu 2026-05-07 (a business day)
    assert P.first_monitoring_date(date(2026, 4, 23)) == date(2026, 5, 7)
    # started Sun 2026-04-19: +14 = Sun 5/3 (憲法記念日), Sat 5/2 → Fri 5/1
    assert P.first_monitoring_date(date(2026, 4, 19)) == date(2026, 5, 1)
    # monthly: 2026-12-29 … 1/3 is the year-end closure; 12/30 + 1 month = 1/30 (Fri)
    assert P.next_monitoring_date(date(2026, 12, 30)) == date(2027, 1, 29)
    # 2026-08-11 is 山の日 (Tue): monitoring of 7/11 moves to Mon 8/10
    assert P.next_monitoring_date(date(2026, 7, 11)) == date(2026, 8, 10)
    # 8/21 + 1 month = Mon 9/21 敬老の日, Sat, Sun → Fri 9/18 (シルバーウィーク)
    assert P.next_monitoring_date(date(2026, 8, 21)) == date(2026, 9, 18)
    assert not P.is_business_day(date(2026, 12, 31))
    assert P.is_business_day(date(2026, 4, 23))


def test_next_actions_point_at_the_next_step():
    assert P.next_actions(SCREENED) == [Step.PLAN.label]
    assert P.next_actions(with_plan(PlanStatus.SUBMITTED)) == [_(MEETING_NEEDED)]
    assert P.next_actions(with_plan(items=(HOUSING,))) == [Step.DECISION.label]
    assert P.next_actions(CaseState(emergency_pending=1))[-1] == \
        "緊急的な支援の自治体手続きが未了です：1件"
