"""Issue 19: the guide's rules hold on every date and every change — at the core (Desk and
the pure rules), not the screens: 軽微な修正 or 再プラン (with the statistics of past months
unchanged, month by month), date order between steps, one open case per person, meetings
(participants, the municipality), 中断 and 終結, the 報告 of a plan, outcomes only from
confirmed evaluations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from app.domain.assessment import AssessmentInput
from app.domain.closure import ClosureInput, ClosurePattern
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import AgendaKind, MeetingResult, Participant, is_municipal
from app.domain.monitoring import MonitoringInput
from app.domain.plan import Goal, Plan, PlanInput, PlanItem, PlanStatus
from app import process as P
from app.domain import Stage, step_dates
from app.errors import ProcessError, ValidationErrors
from app.i18n import _
from app.operations.guide_rules import OpenCaseExists
from app.process import Step
from app.reports import statistics
from tests.conftest import make_intake
from tests.test_process_walk import approved_plan, decide, meeting, open_case, plan_input

TODAY = date(2026, 12, 3)


@pytest.fixture
def d(desk):
    desk._today = lambda: TODAY
    return desk


def errors_of(exc) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


# ---------------------------------------------------------------------------- 1. 軽微な修正
def _self_plan(d, cid, on=date(2026, 9, 16)):
    data = PlanInput(aim="自分の収入で暮らす", goals=[Goal("生活リズムを整える", date(2027, 2, 28))],
                     items=[PlanItem("月1回の面談", "self_reliance", frequency="月1回")],
                     period_from=date(2026, 9, 16), period_to=date(2027, 2, 28),
                     signed_on=date(2026, 9, 10))
    return approved_plan(d, cid, data, on)


def _as_input(plan: Plan, **kw) -> PlanInput:
    base = PlanInput(aim=plan.aim, goals=[Goal(g.text, g.target_on) for g in plan.goals],
                     items=[PlanItem(i.what, i.service_key, i.provider, period_from=i.period_from,
                                     period_to=i.period_to, frequency=i.frequency, id=i.id)
                            for i in plan.items],
                     period_from=plan.period_from, period_to=plan.period_to,
                     signed_on=plan.signed_on)
    return replace(base, **kw)


def test_amendment_refuses_anything_beyond_a_minor_change(d):
    cid = open_case(d)
    plan = _self_plan(d, cid)
    replan = _("This is not a minor amendment. Submit it to the support coordination meeting "
               "as a re-plan.")
    assert replan == "軽微な修正ではありません。再プランとして支援調整会議に提出してください"
    bad = {
        "statutory": _as_input(plan, items=_as_input(plan).items + [
            PlanItem("就労準備支援事業", "work_preparation", "社協")]),
        "housing": _as_input(plan, items=_as_input(plan).items + [
            PlanItem("住居確保給付金", "housing_benefit")]),
        "aim": _as_input(plan, aim="就職して自立する"),
        "goal": _as_input(plan, goals=[Goal("生活リズムを整える", date(2027, 2, 28)),
                                       Goal("就職する", date(2027, 2, 28))]),
        "period": _as_input(plan, period_to=date(2027, 8, 31)),
        "service": _as_input(plan, items=[replace(_as_input(plan).items[0],
                                                  service_key="employment_worker")]),
        "removed": _as_input(plan, items=[]),
    }
    for name, data in bad.items():
        if name == "removed":
            with pytest.raises(ValidationErrors):       # a plan keeps at least one item
                d.process.amend_plan(plan.id, data, "見直し", date(2026, 11, 10))
            continue
        with pytest.raises(ProcessError) as e:
            d.process.amend_plan(plan.id, data, "見直し", date(2026, 11, 10))
        assert str(e.value).endswith(replan), name
    assert "法定サービス" in P.amendment_problems(
        plan, bad["statutory"], {s.key: s for s in d.process.services()})[0]
    assert "就労支援" in P.amendment_problems(
        plan, _as_input(plan, items=_as_input(plan).items + [
            PlanItem("就労支援員と求職活動", "employment_worker")]),
        {s.key: s for s in d.process.services()})[0]
    # nothing changed: the plan is still the one approved
    assert d.process.plan(plan.id).aim == "自分の収入で暮らす" and len(d.process.plan(plan.id).items) == 1
    # a minor amendment: wording, frequency, provider, period within the set days
    minor = _as_input(plan, period_to=date(2027, 3, 20))
    minor.items[0] = replace(minor.items[0], what="月2回の面談（電話を含む）", frequency="月2回",
                             provider="センター 相談 花子")
    amended = d.process.amend_plan(plan.id, minor, "面談を増やす", date(2026, 11, 10))
    assert amended.items[0].frequency == "月2回" and amended.period_to == date(2027, 3, 20)
    # the limit is a desk setting, stated to the screens
    assert d.process.process_settings().amendment_days == 31
    d.process.set_process_settings(amendment_days=60)
    d.process.amend_plan(plan.id, _as_input(d.process.plan(plan.id), period_to=date(2027, 5, 15)),
                 "期間を延ばす", date(2026, 11, 20))
    with pytest.raises(ValidationErrors):
        d.process.set_process_settings(amendment_days=-1)
    # versions kept: as approved, then each amendment
    versions = d.process.plan_versions(plan.id)
    assert [v.source for v in versions] == ["approval", "amendment", "amendment"]
    assert versions[0].content["period_to"] == "2027-02-28"
    assert versions[0].content["items"][0]["frequency"] == "月1回"
    assert versions[-1].content["period_to"] == "2027-05-15"
    # an amendment is dated after the approval
    with pytest.raises(ValidationErrors) as e:
        d.process.amend_plan(plan.id, _as_input(d.process.plan(plan.id)), "誤り", date(2026, 9, 1))
    assert "2026" in errors_of(e)["amended_on"] and "より前" in errors_of(e)["amended_on"]


def test_statistics_of_reported_months_never_change_month_by_month(d):
    """A September plan without employment support stays so in September's figures whatever
    happens in November; each month's figures are the same before and after."""
    cid = open_case(d)
    plan = _self_plan(d, cid)
    months = [f"2026-{m:02d}" for m in range(4, 13)]

    def all_months():
        return {m: statistics.monthly(d.store, m)["counts"] for m in months}

    before = all_months()
    assert before["2026-09"]["plans_created"] == 1
    assert before["2026-09"]["employment_support_targets"] == 0
    # November: an attempt to add employment support is refused …
    with pytest.raises(ProcessError):
        d.process.amend_plan(plan.id, _as_input(plan, items=_as_input(plan).items + [
            PlanItem("就労支援員と求職活動", "employment_worker")]), "就労", date(2026, 11, 5))
    # … a minor amendment goes through, and no month changes
    minor = _as_input(plan)
    minor.items[0] = replace(minor.items[0], frequency="週1回")
    d.process.amend_plan(plan.id, minor, "面談を増やす", date(2026, 11, 5))
    assert all_months() == before
    # even an item changed behind the rules' back (e.g. an old desk's data): the plan as
    # approved is what counts
    item_id = plan.items[0].id
    with d.store.transaction() as w:
        w.update("plan_item", item_id, {"service_key": "employment_worker",
                                        "service_at_approval": None})
    assert all_months() == before
    # a 再プラン with employment support counts in the month of its approval only
    m = meeting(d, date(2026, 11, 18))
    d.process.evaluate(cid, EvaluationInput(date(2026, 11, 16), [("生活リズムを整える", Attainment.MET)],
                                    EvaluationDecision.REPLAN), m)
    decide(d, m)
    replan = d.process.draft_plan(cid, PlanInput(
        aim="就職する", goals=[Goal("求職活動", date(2027, 5, 31))],
        items=[PlanItem("就労支援員と求職活動", "employment_worker")],
        period_from=date(2026, 12, 1), period_to=date(2027, 5, 31),
        signed_on=date(2026, 11, 20)))
    m2 = meeting(d, date(2026, 11, 25))
    d.process.submit_plan(replan.id, m2)
    decide(d, m2)
    after = all_months()
    assert {k: v for k, v in after.items() if k != "2026-11"} == \
        {k: v for k, v in before.items() if k != "2026-11"}
    assert after["2026-11"]["replans"] == 1
    assert after["2026-11"]["employment_support_targets"] == 1


# ---------------------------------------------------------------------------- 2. date order
def test_date_order_is_one_table_for_the_desk_and_the_ledger():
    dates = {"intake": date(2026, 9, 1), "assessment": date(2026, 9, 3),
             "screening": date(2026, 9, 4), "plan_signed": date(2026, 9, 20)}
    [p] = step_dates.problems("approval", date(2026, 9, 5), dates)
    assert (p.earlier, p.earlier_on) == ("plan_signed", date(2026, 9, 20))
    msg = p.message()
    assert "令和8年9月5日" in msg and "令和8年9月20日" in msg and "より前" in msg
    # a missing step falls back to the steps it depends on
    assert step_dates.problems("approval", date(2026, 9, 2), {
        "intake": date(2026, 9, 1), "assessment": date(2026, 9, 3)})[0].earlier == "assessment"
    assert step_dates.problems("service_start", date(2026, 9, 16), {
        "approval": date(2026, 9, 10), "decision": date(2026, 9, 20)})[0].earlier == "decision"
    assert step_dates.all_problems({"approval": date(2026, 5, 1),
                                    "replan": [date(2026, 9, 1), date(2026, 8, 1)]})
    assert step_dates.after_today("record", date(2026, 12, 4), TODAY)


def test_every_dated_step_is_checked_against_what_it_depends_on(d):
    case = d.register_intake(make_intake(received=date(2026, 9, 1)))
    cid = case.case.id
    with pytest.raises(ValidationErrors) as e:
        d.process.save_assessment(cid, AssessmentInput(assessed_on=date(2026, 8, 30), analysis="離職"))
    assert "令和8年8月30日" in errors_of(e)["assessed_on"]
    assert "令和8年9月1日" in errors_of(e)["assessed_on"]
    with pytest.raises(ValidationErrors) as e:
        d.process.add_record(cid, datetime(2026, 8, 20, 10), "phone", "電話")
    assert "occurred_at" in errors_of(e)
    d.process.save_assessment(cid, AssessmentInput(assessed_on=date(2026, 9, 3), analysis="離職"))
    with pytest.raises(ValidationErrors):
        d.process.screen(cid, "continue", date(2026, 9, 2))
    d.process.screen(cid, "continue", date(2026, 9, 4))
    data = PlanInput(aim="暮らす", goals=[Goal("面談")], signed_on=date(2026, 9, 20),
                     items=[PlanItem("住居確保給付金", "housing_benefit"),
                            PlanItem("面談", "self_reliance")],
                     period_from=date(2026, 9, 25), period_to=date(2027, 2, 28))
    with pytest.raises(ValidationErrors):            # signed before the screening
        d.process.draft_plan(cid, replace(data, signed_on=date(2026, 9, 2)))
    plan = d.process.draft_plan(cid, data)
    early = meeting(d, date(2026, 9, 5))
    with pytest.raises(ValidationErrors) as e:      # a meeting before the signature
        d.process.submit_plan(plan.id, early)
    assert "令和8年9月20日" in errors_of(e)["meeting_id"]
    d.process.submit_plan(plan.id)
    with pytest.raises(ValidationErrors):
        d.process.add_agenda_item(early, AgendaKind.NEW_PLAN, cid, plan.id)
    m = meeting(d, date(2026, 9, 24))
    d.process.add_agenda_item(m, AgendaKind.NEW_PLAN, cid, plan.id)
    decide(d, m)
    plan = d.process.plan(plan.id)
    housing, talk = plan.items
    with pytest.raises(ValidationErrors):           # decision before the approval
        d.process.record_decision(plan.id, "housing_benefit", date(2026, 9, 20), "町 一郎")
    d.process.record_decision(plan.id, "housing_benefit", date(2026, 9, 28), "町 一郎")
    with pytest.raises(ValidationErrors) as e:      # started before its decision
        d.process.start_service(housing.id, date(2026, 9, 26))
    assert "令和8年9月28日" in errors_of(e)["started_on"]
    with pytest.raises(ValidationErrors):           # started before the approval
        d.process.start_service(talk.id, date(2026, 9, 22))
    d.process.start_service(housing.id, date(2026, 10, 1))
    d.process.start_service(talk.id, date(2026, 10, 1))
    with pytest.raises(ValidationErrors):           # monitoring before support started
        d.process.add_monitoring(cid, MonitoringInput(date(2026, 9, 30)))
    with pytest.raises(ValidationErrors):           # evaluation before the plan took effect
        d.process.evaluate(cid, EvaluationInput(date(2026, 9, 20), [("面談", Attainment.MET)]))
    with pytest.raises(ValidationErrors):           # nothing after today
        d.process.add_monitoring(cid, MonitoringInput(date(2026, 12, 4)))
    d.process.add_monitoring(cid, MonitoringInput(date(2026, 10, 14)))


def test_meeting_results_not_before_what_they_decide(d):
    cid = open_case(d)
    plan = d.process.draft_plan(cid, plan_input(PlanItem("面談", "self_reliance")))
    m = meeting(d, date(2026, 4, 20))
    d.process.submit_plan(plan.id, m)
    # the signature moved after the meeting (a draft sent back and re-signed): refused
    with d.store.transaction() as w:
        w.update("plan", plan.id, {"signed_on": "2026-04-25"})
    with pytest.raises(ValidationErrors) as e:
        decide(d, m)
    assert "令和8年4月25日" in str(e.value)


# ---------------------------------------------------------------------------- 3. one open case
def test_second_intake_of_a_person_with_an_open_case(d):
    cid = open_case(d)
    person_id = d.get_case(cid).case.person_id
    before = statistics.monthly(d, "2026-05")["counts"]
    with pytest.raises(OpenCaseExists) as e:
        d.register_intake(make_intake(received=date(2026, 5, 12), existing_person_id=person_id))
    assert e.value.case_id == cid and not e.value.ending
    assert "相談として記録" in str(e.value)
    # not ending: a reason does not open a parallel case
    with pytest.raises(OpenCaseExists):
        d.register_intake(make_intake(received=date(2026, 5, 12), existing_person_id=person_id),
                          new_case_reason="別の相談")
    # offered instead: a 相談 recorded in the open case
    rec = d.process.record_consultation(cid, make_intake(received=date(2026, 5, 12),
                                                 existing_person_id=person_id))
    assert rec.case_id == cid and "家賃を滞納している" in rec.content
    after = statistics.monthly(d, "2026-05")["counts"]
    assert after["new_consultations"] == before["new_consultations"] == 0
    assert after["active_at_month_end"] == before["active_at_month_end"] == 1
    assert len(d.list_cases()) == 1


def test_new_case_only_when_the_open_one_is_ending_with_a_reason(d):
    cid = open_case(d)
    plan = approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    assert plan.status is PlanStatus.APPROVED
    person_id = d.get_case(cid).case.person_id
    d.process.evaluate(cid, EvaluationInput(date(2026, 9, 30), [("生活リズムを整える", Attainment.MET)],
                                    EvaluationDecision.CLOSE))
    with pytest.raises(OpenCaseExists) as e:
        d.register_intake(make_intake(received=date(2026, 10, 2), existing_person_id=person_id))
    assert e.value.ending
    again = d.register_intake(make_intake(received=date(2026, 10, 2),
                                          existing_person_id=person_id),
                              new_case_reason="家族の介護について新たな相談")
    assert again.case.id != cid
    october = statistics.monthly(d, "2026-10")
    # the person's case was still open: no new consultation, and counted once in 支援中
    assert october["counts"]["new_consultations"] == 0
    assert october["referral_routes"]["本人等"] == 0
    october = october["counts"]
    assert october["active_at_month_end"] == 1          # one person, counted once
    behind = statistics.facts_behind(d.store, "2026-10", "active_at_month_end")
    assert len(behind) == 1 and behind[0][0] in (cid, again.case.id)   # the person once


# ---------------------------------------------------------------------------- 4. meetings
def test_meeting_needs_participants_and_records_the_municipality(d):
    cid = open_case(d)
    plan = d.process.draft_plan(cid, plan_input(PlanItem("面談", "self_reliance")))
    bare = d.process.plan_meeting(date(2026, 4, 22), "regular").id
    d.process.submit_plan(plan.id, bare)
    item = d.process.pending_agenda(bare)[0]
    with pytest.raises(ValidationErrors) as e:
        d.process.record_meeting_results(bare, {item.id: (MeetingResult.APPROVED, "")})
    assert "participants" in errors_of(e)
    staff_only = [Participant("相談 花子", "つなぐ町自立相談支援センター"),
                  Participant("社協 三郎", "つなぐ町社会福祉協議会")]
    with pytest.raises(ValidationErrors) as e:
        d.process.record_meeting_results(bare, {item.id: (MeetingResult.APPROVED, "")},
                                 participants=staff_only)
    assert "municipality_absence" in errors_of(e)
    assert d.process.plan(plan.id).status is PlanStatus.SUBMITTED
    done = d.process.record_meeting_results(bare, {item.id: (MeetingResult.APPROVED, "")}, "了承",
                                    participants=staff_only,
                                    municipality_absence="担当者が急病。結果を翌日報告済み")
    assert "自治体は不参加" in done.minutes and "急病" in done.minutes
    assert d.process.plan(plan.id).status is PlanStatus.APPROVED
    # with the municipality: nothing to confirm
    assert is_municipal(Participant("町 一郎", "つなぐ町福祉課"), "つなぐ町")
    assert is_municipal(Participant("山田", "生活福祉課"))
    assert is_municipal(Participant("山田", "〇〇市役所"))
    assert is_municipal(Participant("山田", "", municipal=True))
    assert not is_municipal(Participant("社協 三郎", "つなぐ町社会福祉協議会"), "つなぐ町")
    assert not is_municipal(Participant("相談 花子", "自立相談支援センター"), "つなぐ町")


# ---------------------------------------------------------------------------- 5. 中断, 終結
def test_suspension_needs_two_means_over_the_set_days(d):
    cid = open_case(d)
    approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    d.process.add_contact_attempt(cid, date(2026, 6, 1), "phone", note="電話に出ない")
    with pytest.raises(ProcessError) as e:        # one unanswered phone call
        d.process.propose_suspension(cid, date(2026, 6, 2), "連絡が取れない")
    assert "2種類" in str(e.value)
    d.process.add_contact_attempt(cid, date(2026, 6, 1), "phone", note="もう一度電話")
    with pytest.raises(ProcessError):             # the same means twice is one means
        d.process.propose_suspension(cid, date(2026, 6, 2), "連絡が取れない")
    d.process.add_contact_attempt(cid, date(2026, 6, 5), "note_at_home", note="自宅に連絡票")
    with pytest.raises(ProcessError) as e:        # two means, but not over 14 days
        d.process.propose_suspension(cid, date(2026, 6, 10), "連絡が取れない")
    assert "14日間" in str(e.value)
    d._today = lambda: date(2026, 6, 10)           # the step's button says why, today
    assert "14日間" in next(s for s in d.process.case_steps(cid) if s.step is Step.SUSPENSION).reason
    d._today = lambda: TODAY
    m = meeting(d, date(2026, 6, 17))
    d.process.propose_suspension(cid, date(2026, 6, 15), "完全に連絡が取れない", m)
    decide(d, m)
    assert d.get_case(cid).case.stage is Stage.SUSPENDED
    # 終結(3) not on the day the 中断 was confirmed, only after the set days
    lost = ClosureInput(date(2026, 6, 17), ClosurePattern.CONTACT_LOST, "再開のめどがたたない")
    with pytest.raises(ProcessError) as e:
        d.process.propose_closure(cid, lost)
    assert "90日" in str(e.value)
    d.process.set_process_settings(closure3_days=60)
    with pytest.raises(ProcessError):
        d.process.propose_closure(cid, replace(lost, proposed_on=date(2026, 8, 10)))
    m2 = meeting(d, date(2026, 8, 19))
    d.process.propose_closure(cid, replace(lost, proposed_on=date(2026, 8, 17)), m2)
    decide(d, m2)
    assert d.get_case(cid).case.stage is Stage.CLOSED


def test_settings_have_defaults_and_bounds(d):
    s = d.process.process_settings()
    assert (s.suspension_means, s.suspension_days, s.closure3_days, s.amendment_days,
            s.evaluation_notice_days) == (2, 14, 90, 31, 14)
    with pytest.raises(ValidationErrors):
        d.process.set_process_settings(suspension_means=1)       # a desk cannot switch a rule off
    with pytest.raises(ValidationErrors):
        d.process.set_process_settings(nonsense=3)
    assert d.process.set_process_settings(suspension_days=21).suspension_days == 21


def test_closure_after_an_evaluation_carries_without_a_second_agenda_item(d):
    cid = open_case(d)
    approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    closing = ClosureInput(date(2026, 9, 30), ClosurePattern.RESOLVED, "目標を達成した",
                           intention="大丈夫です", intention_how="面談",
                           intention_on=date(2026, 9, 28))
    with pytest.raises(ProcessError) as e:          # (1) with no プラン評価
        d.process.propose_closure(cid, closing)
    assert str(e.value) == _(P.EVALUATE_BEFORE_CLOSING)
    m = meeting(d, date(2026, 10, 7))
    d.process.evaluate(cid, EvaluationInput(date(2026, 9, 30), [("生活リズムを整える", Attainment.MET)],
                                    EvaluationDecision.CLOSE, employed_on=date(2026, 9, 1)), m)
    # the outcome counts only once the meeting confirmed the evaluation
    assert statistics.monthly(d, "2026-09")["counts"]["employed"] == 0
    decide(d, m)
    assert statistics.monthly(d, "2026-09")["counts"]["employed"] == 1
    # the meeting decided 終結 with the evaluation: the closure needs no second agenda item
    d.process.propose_closure(cid, replace(closing, proposed_on=date(2026, 10, 8)), meeting(
        d, date(2026, 10, 21)))
    case = d.get_case(cid).case
    assert case.stage is Stage.CLOSED and case.closed_on == date(2026, 10, 8)
    assert [c.kind for c in d.process.agenda_candidates()[0]] == []
    assert statistics.monthly(d, "2026-10")["counts"]["closed_by_pattern"]["1"] == 1


def test_closure_without_evaluation_records_the_reason(d):
    cid = open_case(d)
    closing = ClosureInput(date(2026, 5, 1), ClosurePattern.STEP_BACK, "専門機関で対応",
                           intention="了解", intention_how="面談",
                           intention_on=date(2026, 4, 30),
                           no_evaluation_reason="プラン作成前に専門機関へ引き継いだ")
    m = meeting(d, date(2026, 5, 13))
    x = d.process.propose_closure(cid, closing, m)
    decide(d, m)
    assert next(c for c in d.process.closures(cid) if c.id == x).no_evaluation_reason


def test_evaluations_due_at_plan_end_in_next_actions_and_dashboard(d):
    cid = open_case(d)
    approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    d._today = lambda: date(2026, 9, 1)
    assert not any("プラン評価の時期" in h for h in d.process.next_actions(cid))
    assert d.process.dashboard().counts["evaluations_due"] == 0
    d._today = lambda: date(2026, 9, 20)              # within 14 days of 9/30
    assert any("プラン評価の時期" in h for h in d.process.next_actions(cid))
    board = d.process.dashboard(lists=["evaluations_due"])
    assert [r.case_id for r in board.evaluations_due] == [cid]
    d.process.evaluate(cid, EvaluationInput(date(2026, 9, 20), [("生活リズムを整える", Attainment.MET)],
                                    EvaluationDecision.CONTINUE))
    assert d.process.dashboard().counts["evaluations_due"] == 0
    assert not any("プラン評価の時期" in h for h in d.process.next_actions(cid))


# ---------------------------------------------------------------------------- 6. 報告
def test_report_of_a_plan_without_statutory_services(d):
    cid = open_case(d)
    plan = approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    assert any("自治体への報告" in h for h in d.process.next_actions(cid))
    with pytest.raises(ValidationErrors):
        d.process.report_plan(plan.id, date(2026, 4, 23), "")
    with pytest.raises(ValidationErrors):            # before the approval
        d.process.report_plan(plan.id, date(2026, 4, 20), "つなぐ町福祉課")
    assert next(s for s in d.process.case_steps(cid) if s.step is Step.REPORT).allowed
    d.process.report_plan(plan.id, date(2026, 4, 24), "つなぐ町福祉課 町 一郎")
    assert "報告済み" in next(s for s in d.process.case_steps(cid) if s.step is Step.REPORT).reason
    assert d.process.plan_report(plan.id) == (date(2026, 4, 24), "つなぐ町福祉課 町 一郎")
    assert not any("自治体への報告" in h for h in d.process.next_actions(cid))
    with pytest.raises(ProcessError):
        d.process.report_plan(plan.id, date(2026, 4, 25), "つなぐ町福祉課")
    other = open_case(d, name="別人 一郎", birth=date(1970, 1, 1))
    statutory = approved_plan(d, other, plan_input(PlanItem("住居確保給付金", "housing_benefit")),
                              date(2026, 4, 22))
    with pytest.raises(ProcessError, match="支援決定"):
        d.process.report_plan(statutory.id, date(2026, 4, 24), "つなぐ町福祉課")


def test_schema_15_backfills_employment_as_approved(d):
    """Plans approved before schema 15: an amended plan had what its first amendment's
    "before" lists (an old amendment that removed employment support does not hide it)."""
    import re
    from app.store.db import migrations
    [(_n, _name, sql)] = [m for m in migrations() if m[1] == "guide_rules"]
    update = re.search(r"UPDATE plan SET employment_at_approval.*?;\n", sql, re.S).group(0)
    cid = open_case(d)
    plan = _self_plan(d, cid)
    before = {"aim": plan.aim, "goals": [], "items": [
        {"id": "gone", "what": "求職活動", "service_key": "employment_worker"}]}
    with d.store.transaction() as w:
        w.update("plan", plan.id, {"employment_at_approval": None})
        d.process._repo.insert_amendment(w, plan.id, cid, date(2026, 10, 1), "旧版の修正", before,
                                 {"aim": plan.aim, "goals": [], "items": []})
    d.store.conn.execute(update)
    row = d.store.conn.execute("SELECT employment_at_approval FROM plan WHERE id = ?",
                               (plan.id,)).fetchone()
    assert row[0] == 1
    assert statistics.monthly(d, "2026-09")["counts"]["employment_support_targets"] == 1


def test_ledger_rows_get_the_same_date_order_message():
    from app.ledger import Problem, check_row
    problems: list[Problem] = []
    check_row(2, {"受付日": "2026/9/5", "アセスメント日": "2026/9/1", "プラン了承日": "2026/9/3",
                  "氏名": "髙橋 𠮷子"}, problems, TODAY, {})
    by_column = {p.column: p.message for p in problems}
    assert by_column["アセスメント日"] == step_dates.OrderProblem(
        "assessment", date(2026, 9, 1), "intake", date(2026, 9, 5)).message(
            {"assessment": "アセスメント日", "intake": "受付日"})
    assert "令和8年9月1日" in by_column["アセスメント日"] and "令和8年9月5日" in by_column["アセスメント日"]
    # the plan approval is checked against the nearest dated step it depends on (the
    # assessment, 9/1: fine); the wrong assessment date is reported once, on its column
    assert "プラン了承日" not in by_column
