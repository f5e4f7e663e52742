"""Issue 21 point 3: the item-level rules of the process (app/domain/rules.py), one message
each. For every rule a screen asks ``desk.process.why_not`` before acting and is told the
rule by name; the operation then refuses with the very same message (ProcessError.rule).
The query is authorized like a read of the case, and says when the user's role refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from app.desk import Desk
from app.domain import EmergencyAction, Triage
from app.domain import rules as R
from app.domain.closure import ClosurePattern
from app.domain.decision import DecisionResult
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import AgendaKind
from app.domain.plan import PlanInput, PlanItem
from app.errors import PermissionDenied, ProcessError
from app.operations.guide_rules import OpenCaseExists
from app.security.roles import Role
from tests.conftest import make_intake
from tests.test_process_walk import (
    TODAY, approved_plan, closure, decide, meeting, open_case, plan_input,
)

PW = "password 1234"
SELF = PlanItem("月1回の面談", "self_reliance", frequency="月1回")
PREP = PlanItem("就労準備支援事業", "work_preparation", "つなぐ町社協", frequency="週3回")
HOUSING = PlanItem("住居確保給付金の申請", "housing_benefit")

@pytest.fixture
def d(desk):
    desk._today = lambda: TODAY
    return desk


def refused(d: Desk, rule: R.Rule, action: str, call, **args) -> None:
    """``why_not`` names ``rule`` first, and the operation refuses with its message."""
    blockers = d.process.why_not(action, **args)
    assert blockers and blockers[0].rule == rule.name, (action, blockers)
    with pytest.raises(ProcessError) as e:
        call()
    assert (str(e.value), e.value.rule) == (blockers[0].message, rule.name)
    assert rule.message() in blockers[0].message


def _as_input(plan, **kw) -> PlanInput:
    base = PlanInput(aim=plan.aim, goals=list(plan.goals),
                     items=[PlanItem(i.what, i.service_key, i.provider, frequency=i.frequency,
                                     period_from=i.period_from, period_to=i.period_to, id=i.id)
                            for i in plan.items],
                     period_from=plan.period_from, period_to=plan.period_to,
                     signed_on=plan.signed_on)
    return replace(base, **kw)


def _held_meeting(d: Desk, on: date = date(2026, 4, 10)) -> str:
    m = meeting(d, on)
    d.process.record_meeting_results(m, {}, "議題なし")
    return m


# ---------------------------------------------------------------------------- meetings
def test_meeting_rules(d):
    cid = open_case(d)
    plan = d.process.draft_plan(cid, plan_input(SELF))
    held = _held_meeting(d)
    refused(d, R.MEETING_RECORDED, "submit_plan",
            lambda: d.process.submit_plan(plan.id, held), plan_id=plan.id, meeting_id=held)
    assert d.process.why_not("submit_plan", plan_id=plan.id) == []
    # not waiting: a draft goes to no meeting
    future = meeting(d, date(2026, 12, 2))
    refused(d, R.NOT_WAITING, "put_on_meeting",
            lambda: d.process.put_on_meeting(cid, plan.id, future),
            case_id=cid, subject_id=plan.id, meeting_id=future)
    d.process.submit_plan(plan.id)
    past = meeting(d, date(2026, 11, 1))
    refused(d, R.MEETING_PAST, "put_on_meeting",
            lambda: d.process.put_on_meeting(cid, plan.id, past),
            case_id=cid, subject_id=plan.id, meeting_id=past)
    refused(d, R.AGENDA_KIND, "add_agenda_item",
            lambda: d.process.add_agenda_item(future, AgendaKind.REPLAN, cid, plan.id),
            meeting_id=future, kind=AgendaKind.REPLAN, case_id=cid, subject_id=plan.id)
    item = d.process.put_on_meeting(cid, plan.id, future)
    other = meeting(d, date(2026, 12, 9))
    refused(d, R.ON_AGENDA, "add_agenda_item",
            lambda: d.process.add_agenda_item(other, AgendaKind.NEW_PLAN, cid, plan.id),
            meeting_id=other, kind="new_plan", case_id=cid, subject_id=plan.id)
    refused(d, R.SAME_MEETING, "move_agenda_item",
            lambda: d.process.move_agenda_item(item.id, future), item_id=item.id,
            meeting_id=future)
    moved = d.process.move_agenda_item(item.id, other, "随時の会議で")
    refused(d, R.ITEM_WITHDRAWN, "withdraw_agenda_item",
            lambda: d.process.withdraw_agenda_item(item.id, "重複"), item_id=item.id)
    d._today = lambda: date(2026, 12, 9)
    decide(d, other)
    refused(d, R.RESULT_RECORDED, "withdraw_agenda_item",
            lambda: d.process.withdraw_agenda_item(moved.id, "重複"), item_id=moved.id)


def test_closure_decided_with_its_evaluation_needs_no_agenda_item(d):
    cid = open_case(d)
    approved_plan(d, cid, plan_input(SELF), date(2026, 4, 22))
    d.process.evaluate(cid, EvaluationInput(date(2026, 9, 30), [("生活リズムを整える",
                                                                  Attainment.MET)],
                                            EvaluationDecision.CLOSE))
    x = d.process.propose_closure(cid, closure(ClosurePattern.RESOLVED))
    m = meeting(d, date(2026, 12, 2))
    refused(d, R.CLOSURE_WITH_EVALUATION, "add_agenda_item",
            lambda: d.process.add_agenda_item(m, AgendaKind.CLOSURE, cid, x),
            meeting_id=m, kind=AgendaKind.CLOSURE, case_id=cid, subject_id=x)


def test_meeting_of_an_evaluation_suspension_or_closure_is_not_recorded(d):
    cid = open_case(d)
    approved_plan(d, cid, plan_input(SELF), date(2026, 4, 22))
    held = _held_meeting(d, date(2026, 10, 1))
    data = EvaluationInput(date(2026, 9, 30), [("生活リズムを整える", Attainment.MET)],
                           EvaluationDecision.CONTINUE)
    refused(d, R.MEETING_RECORDED, "evaluate", lambda: d.process.evaluate(cid, data, held),
            case_id=cid, data=data, meeting_id=held)
    assert d.process.why_not("evaluate", case_id=cid) == []


# ---------------------------------------------------------------------------- plans
def _replan_world(d: Desk):
    """An approved plan with two statutory services, and a re-plan being drafted."""
    cid = open_case(d)
    p1 = approved_plan(d, cid, plan_input(PREP, HOUSING, SELF), date(2026, 4, 22))
    m = meeting(d, date(2026, 10, 7))
    d.process.evaluate(cid, EvaluationInput(date(2026, 9, 30), [("生活リズムを整える",
                                                                  Attainment.MET)],
                                            EvaluationDecision.REPLAN), m)
    d._today = lambda: date(2026, 10, 8)
    decide(d, m)
    data = plan_input(SELF, goal="ハローワークで仕事を見つける")
    data.signed_on = date(2026, 10, 8)
    p2 = d.process.draft_plan(cid, data)
    return cid, p1, p2


def test_plan_rules(d):
    cid, p1, p2 = _replan_world(d)
    refused(d, R.DRAFT_ONLY, "update_plan",
            lambda: d.process.update_plan(p1.id, _as_input(p1)), plan_id=p1.id)
    refused(d, R.NO_DRAFT, "submit_plan", lambda: d.process.submit_plan(p1.id),
            plan_id=p1.id)
    refused(d, R.AMEND_IN_EFFECT, "amend_plan",
            lambda: d.process.amend_plan(p2.id, _as_input(p2), "頻度の変更"), plan_id=p2.id)
    refused(d, R.MINOR_ONLY, "amend_plan",
            lambda: d.process.amend_plan(p1.id, _as_input(p1, aim="別の目標"), "目標の変更"),
            plan_id=p1.id, data=_as_input(p1, aim="別の目標"))
    assert d.process.why_not("amend_plan", plan_id=p1.id, data=_as_input(p1)) == []
    refused(d, R.PLAN_APPROVED_FIRST, "record_decision",
            lambda: d.process.record_decision(p2.id, "self_reliance", date(2026, 10, 8), "町"),
            plan_id=p2.id, service_key="self_reliance")
    refused(d, R.NOT_IN_PLAN, "record_decision",
            lambda: d.process.record_decision(p1.id, "hello_work", date(2026, 10, 8), "町"),
            plan_id=p1.id, service_key="hello_work")
    refused(d, R.REPORTED_SERVICE, "record_decision",
            lambda: d.process.record_decision(p1.id, "self_reliance", date(2026, 10, 8), "町"),
            plan_id=p1.id, service_key="self_reliance")
    d.process.record_decision(p1.id, "work_preparation", date(2026, 10, 8), "町",
                              DecisionResult.REFUSED)
    refused(d, R.DECISION_RECORDED, "record_decision",
            lambda: d.process.record_decision(p1.id, "work_preparation", date(2026, 10, 8),
                                              "町"),
            plan_id=p1.id, service_key="work_preparation")
    items = {i.service_key: i.id for i in p1.items}
    refused(d, R.ITEM_REFUSED, "start_service",
            lambda: d.process.start_service(items["work_preparation"], date(2026, 10, 8)),
            plan_item_id=items["work_preparation"])
    refused(d, R.DECISION_BEFORE_START, "start_service",
            lambda: d.process.start_service(items["housing_benefit"], date(2026, 10, 8)),
            plan_item_id=items["housing_benefit"])
    d.process.start_service(items["self_reliance"], date(2026, 10, 8))
    refused(d, R.ITEM_STARTED, "start_service",
            lambda: d.process.start_service(items["self_reliance"], date(2026, 10, 8)),
            plan_item_id=items["self_reliance"])
    refused(d, R.ITEM_NOT_IN_PLAN, "start_service",
            lambda: d.process.start_service(p2.items[0].id, date(2026, 10, 8)),
            plan_item_id=p2.items[0].id)
    p1 = d.process.plan(p1.id)
    kept = [i for i in _as_input(p1).items if i.service_key != "self_reliance"]
    refused(d, R.STARTED_STAYS, "amend_plan",
            lambda: d.process.amend_plan(p1.id, _as_input(p1, items=kept), "終了"),
            plan_id=p1.id, data=_as_input(p1, items=kept))


def test_report_of_a_plan_not_in_effect(d):
    cid = open_case(d)
    plan = d.process.draft_plan(cid, plan_input(SELF))
    refused(d, R.REPORT_IN_EFFECT, "report_plan",
            lambda: d.process.report_plan(plan.id, date(2026, 4, 20), "福祉課"),
            plan_id=plan.id)


# ---------------------------------------------------------------------------- items of a case
def test_emergency_referral_and_record_rules(d):
    case = d.register_intake(make_intake(received=date(2026, 4, 1), triage=Triage.REFER,
                                         emergency_needed=True,
                                         emergency_actions=[EmergencyAction.FOOD.value]))
    cid = case.case.id
    food = d.process.emergency_support(cid)[0].id
    refused(d, R.NO_PROCEDURE, "complete_emergency_procedure",
            lambda: d.process.complete_emergency_procedure(food, date(2026, 4, 2)),
            emergency_id=food)
    [ref] = d.process.referrals(cid)
    refused(d, R.ARRIVAL_FIRST, "take_back",
            lambda: d.process.take_back(ref.id, date(2026, 4, 16)), referral_id=ref.id)
    d.process.check_referral(ref.id, date(2026, 4, 16), arrived=True)
    refused(d, R.REFERRAL_CHECKED, "check_referral",
            lambda: d.process.check_referral(ref.id, date(2026, 4, 17), arrived=True),
            referral_id=ref.id)
    rec = d.process.add_record(cid, datetime(2026, 4, 10, 10, 0), "phone", "電話した。")
    d.process.correct_record(rec.id, "電話で近況を聞いた。", "記載漏れ")
    refused(d, R.RECORD_CORRECTED, "correct_record",
            lambda: d.process.correct_record(rec.id, "もう一度", "再訂正"), record_id=rec.id)


def test_every_rule_has_one_message_and_a_test():
    names = [r.name for r in R.ITEM_RULES]
    assert len(names) == len(set(names))
    msgids = [r.msgid for r in R.ITEM_RULES]
    assert len(msgids) == len(set(msgids)), "one message per rule"
    assert all(r.message() and r.message() != r.msgid for r in R.ITEM_RULES), "translated"
    source = open(__file__, encoding="utf-8").read()
    consts = [k for k, v in vars(R).items() if isinstance(v, R.Rule)]
    assert sorted(consts) == sorted(k for k, v in vars(R).items()
                                    if v in R.ITEM_RULES + R.INTAKE_RULES)
    untested = [k for k, v in vars(R).items()
                if v in R.ITEM_RULES and f"refused(d, R.{k}," not in source]
    assert not untested, untested


def test_one_open_case_per_person_names_its_rule(d):
    cid = open_case(d)
    person_id = d.get_case(cid).case.person_id
    case_no = d.get_case(cid).case.case_no
    with pytest.raises(OpenCaseExists) as e:
        d.process.check_open_case(person_id, "")
    assert (e.value.rule, str(e.value)) == ("open_case", R.OPEN_CASE.message(case_no=case_no))
    approved_plan(d, cid, plan_input(SELF), date(2026, 4, 22))
    d.process.evaluate(cid, EvaluationInput(date(2026, 9, 30), [("生活リズムを整える",
                                                                  Attainment.MET)],
                                            EvaluationDecision.CLOSE))
    with pytest.raises(OpenCaseExists) as e:
        d.process.check_open_case(person_id, "")
    assert (e.value.rule, str(e.value)) == ("case_ending",
                                            R.CASE_ENDING.message(case_no=case_no))


# ---------------------------------------------------------------------------- the step graph
def test_step_reasons_come_through_why_not(d):
    cid = open_case(d)
    [blocker] = d.process.why_not("add_monitoring", case_id=cid)
    assert blocker.rule == "step"
    assert blocker.message == next(s.reason for s in d.process.case_steps(cid)
                                   if s.step.value == "monitoring")
    assert d.process.why_not("draft_plan", case_id=cid) == []
    with pytest.raises(ValueError):
        d.process.why_not("plans", case_id=cid)


# ---------------------------------------------------------------------------- authorization
def test_why_not_is_a_read_of_the_case_and_names_the_role(d, desk_path):
    cid = open_case(d)
    plan = d.process.draft_plan(cid, plan_input(SELF))
    m = meeting(d, date(2026, 12, 2))
    d.process.submit_plan(plan.id, m)
    d.security.add_user("muni", "市役所 太郎", Role.MUNICIPAL, PW)
    d.security.add_user("con_o", "相談 O子", Role.CONSULTANT, PW, team="O班")
    d.close()
    muni = Desk.open(desk_path, "muni", PW)
    try:
        muni._today = lambda: TODAY
        [blocker] = muni.process.why_not("add_record", case_id=cid)
        assert blocker.rule == "role" and "自治体担当" in blocker.message
    finally:
        muni.close()
    other = Desk.open(desk_path, "con_o", PW)
    try:
        with pytest.raises(PermissionDenied):
            other.process.why_not("submit_plan", plan_id=plan.id)
    finally:
        other.close()
