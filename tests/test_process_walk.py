"""The guide's own examples walked through the Desk: plans, 支援調整会議, 支援決定, モニタリング,
評価, 再プラン, 中断, 終結 and the refusals on the way."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.rules import DECISION_FIRST, MEETING_NEEDED
from app.desk import Desk
from app.domain import EmergencyAction, Stage, Triage
from app.errors import ProcessError, ValidationErrors
from app.i18n import _
from app.domain.assessment import AssessmentInput, ScreeningResult
from app.domain.closure import ClosureInput, ClosurePattern
from app.domain.decision import DecisionNeed
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import AgendaKind, MeetingResult, Participant
from app.domain.monitoring import MonitoringInput, MonitoringKind
from app.domain.plan import Goal, Plan, PlanInput, PlanItem, PlanKind, PlanStatus
from app.domain.record import RecordMethod
from app import process as P
from app.process import Step
from tests.conftest import LOGIN, PASSWORD, make_intake

TODAY = date(2026, 11, 20)


@pytest.fixture
def d(desk):
    desk._today = lambda: TODAY
    return desk


def stage(desk: Desk, case_id: str) -> Stage:
    return desk.get_case(case_id).case.stage


def why(desk: Desk, case_id: str, step: Step) -> str:
    return next(s for s in desk.process.case_steps(case_id) if s.step is step).reason


def open_case(desk: Desk, **kw) -> str:
    """相談受付 → アセスメント → スクリーニング (継続支援)."""
    case = desk.register_intake(make_intake(received=date(2026, 4, 1), **kw))
    cid = case.case.id
    desk.process.save_assessment(cid, AssessmentInput(
        assessed_on=date(2026, 4, 8), domains={"work": "長期離職。生活リズムが乱れている。"},
        problems=["economic_hardship", "job_search", "lifestyle"],
        analysis="離職後の孤立と生活習慣の乱れ", strengths="まじめで約束を守る",
        wishes="働きたい"))
    desk.process.screen(cid, ScreeningResult.CONTINUE, date(2026, 4, 8), reported_on=date(2026, 4, 9))
    return cid


def plan_input(*items: PlanItem, aim="自分の収入で暮らす", goal="生活リズムを整える") -> PlanInput:
    return PlanInput(aim=aim, goals=[Goal(goal, date(2026, 9, 30))], items=list(items),
                     period_from=date(2026, 4, 20), period_to=date(2026, 9, 30),
                     signed_on=date(2026, 4, 15))


def meeting(desk: Desk, on: date) -> str:
    return desk.process.plan_meeting(on, "regular", place="役場2階会議室", participants=[
        Participant("町 一郎", "つなぐ町福祉課"), Participant("相談 花子", "自立相談支援センター")]).id


def decide(desk: Desk, meeting_id: str, result=MeetingResult.APPROVED, conditions="",
           minutes="") -> None:
    items = desk.process.pending_agenda(meeting_id)
    desk.process.record_meeting_results(meeting_id, {i.id: (result, conditions) for i in items},
                                minutes)


def approved_plan(desk: Desk, cid: str, data: PlanInput, on: date) -> Plan:
    plan = desk.process.draft_plan(cid, data)
    m = meeting(desk, on)
    desk.process.submit_plan(plan.id, m)
    decide(desk, m)
    return desk.process.plan(plan.id)


# ---------------------------------------------------------------------------- (a)
def test_goal_met_next_goal_replan_at_second_meeting(d):
    """就労準備支援事業 → job search at ハローワーク: a re-plan approved at a second meeting."""
    cid = open_case(d)
    assert stage(d, cid) is Stage.PLAN
    plan = approved_plan(d, cid, plan_input(
        PlanItem("就労準備支援事業で生活リズムを整える", "work_preparation", "つなぐ町社協",
                 frequency="週3回"),
        PlanItem("月1回の面談", "self_reliance", frequency="月1回")), date(2026, 4, 22))
    assert plan.status is PlanStatus.APPROVED and plan.approved_on == date(2026, 4, 22)
    assert plan.decision_need is DecisionNeed.STATUTORY_ONLY
    assert stage(d, cid) is Stage.DECISION
    d.process.record_decision(plan.id, "work_preparation", date(2026, 4, 24), "町 一郎")
    assert stage(d, cid) is Stage.SUPPORT
    for item in plan.items:
        d.process.start_service(item.id, date(2026, 5, 1))
    # first monitoring within two weeks, on a business day
    assert d.get_case(cid).case.stage is Stage.SUPPORT
    d.process.add_monitoring(cid, MonitoringInput(date(2026, 5, 14), MonitoringKind.AFTER_START,
                                          change="朝起きられるようになった"))
    assert stage(d, cid) is Stage.MONITORING
    # evaluation at the end of the period: goal met, next goal
    m2 = meeting(d, date(2026, 10, 7))
    d.process.evaluate(cid, EvaluationInput(date(2026, 9, 30), [("生活リズムを整える", Attainment.MET)],
                                    EvaluationDecision.REPLAN, motivation=True), m2)
    assert stage(d, cid) is Stage.EVALUATION
    assert why(d, cid, Step.REPLAN) == _(MEETING_NEEDED)
    replan_data = plan_input(PlanItem("ハローワークで求職活動", "hello_work", "ハローワーク",
                                      frequency="週1回"),
                             goal="ハローワークで仕事を見つける")
    replan_data.signed_on = date(2026, 10, 1)
    with pytest.raises(ProcessError) as e:
        d.process.draft_plan(cid, replan_data)
    assert str(e.value) == _(MEETING_NEEDED)
    decide(d, m2)
    assert stage(d, cid) is Stage.PLAN
    replan = d.process.draft_plan(cid, replan_data)
    assert replan.kind is PlanKind.REPLAN and replan.number == 2
    d.process.submit_plan(replan.id)
    assert stage(d, cid) is Stage.MEETING
    assert d.process.dashboard().counts["plans_waiting_for_meeting"] == 1
    m3 = meeting(d, date(2026, 10, 14))
    item = d.process.add_agenda_item(m3, AgendaKind.REPLAN, cid, replan.id, "就労準備から求職活動へ")
    assert [i.id for i in d.process.pending_agenda(m3)] == [item.id]
    decide(d, m3, MeetingResult.APPROVED_WITH_CHANGES, "面談を月2回に")
    current = d.process.current_plan(cid)
    assert current.id == replan.id and current.meeting_result == "approved_with_changes"
    assert current.conditions == "面談を月2回に"
    assert d.process.plan(plan.id).status is PlanStatus.SUPERSEDED
    assert [p.status for p in d.process.plans(cid)] == [PlanStatus.SUPERSEDED, PlanStatus.APPROVED]
    assert d.process.case_state(cid).problems == []
    assert stage(d, cid) is Stage.SUPPORT     # no statutory service: reported only
    assert "報告" in why(d, cid, Step.DECISION)


# ---------------------------------------------------------------------------- (b)
def test_failed_plan_goes_back_to_assessment_then_replan(d):
    """病気が悪化し入院: re-assessment first, then re-plan."""
    cid = open_case(d)
    plan = approved_plan(d, cid, plan_input(PlanItem("就労に向けた面談", "employment_worker")),
                         date(2026, 4, 22))
    d.process.start_service(plan.items[0].id, date(2026, 4, 27))
    m = meeting(d, date(2026, 7, 15))
    d.process.evaluate(cid, EvaluationInput(date(2026, 7, 10), [("生活リズムを整える", Attainment.NOT_MET)],
                                    EvaluationDecision.REASSESS, note="入院"), m)
    decide(d, m)
    assert stage(d, cid) is Stage.ASSESSMENT
    reason = _("The goals were not achieved: do the assessment again before re-planning.")
    assert why(d, cid, Step.REPLAN) == reason
    with pytest.raises(ProcessError, match="アセスメント"):
        d.process.draft_plan(cid, plan_input(PlanItem("退院後の生活支援", "self_reliance")))
    d.process.save_assessment(cid, AssessmentInput(date(2026, 8, 20), analysis="退院後、体力が落ちている",
                                             problems=["illness"], reason="入院"))
    versions = d.process.assessments(cid)
    assert [a.version for a in versions] == [1, 2]
    assert versions[0].analysis == "離職後の孤立と生活習慣の乱れ"    # the old one stays
    assert stage(d, cid) is Stage.PLAN
    replan = d.process.draft_plan(cid, plan_input(PlanItem("退院後の生活支援", "self_reliance")))
    assert replan.kind is PlanKind.REPLAN
    m2 = meeting(d, date(2026, 9, 2))
    d.process.submit_plan(replan.id, m2)
    decide(d, m2)
    assert d.process.current_plan(cid).id == replan.id


# ---------------------------------------------------------------------------- (c)
def closure(pattern, **kw) -> ClosureInput:
    base = dict(proposed_on=date(2026, 10, 1), pattern=pattern, reason="目標を達成した",
                intention="もう大丈夫です", intention_how="面談", intention_on=date(2026, 9, 28),
                followup_plan="3か月後に担当が電話で確認")
    base.update(kw)
    return ClosureInput(**base)


@pytest.mark.parametrize("pattern", [ClosurePattern.RESOLVED, ClosurePattern.STEP_BACK])
def test_closure_patterns_1_and_2(d, pattern):
    cid = open_case(d)
    approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    m = meeting(d, date(2026, 10, 7))
    with pytest.raises(ValidationErrors) as e:
        d.process.propose_closure(cid, closure(pattern, intention=""))
    assert [x.field for x in e.value.errors] == ["intention"]
    # (1)(2) follow the プラン評価 that decides 終結; the closure is decided with it
    with pytest.raises(ProcessError) as e2:
        d.process.propose_closure(cid, closure(pattern), m)
    assert str(e2.value) == _(P.EVALUATE_BEFORE_CLOSING)
    d.process.evaluate(cid, EvaluationInput(date(2026, 9, 30), [("生活リズムを整える", Attainment.MET)],
                                    EvaluationDecision.CLOSE), m)
    d.process.propose_closure(cid, closure(pattern), m)
    assert [i.kind for i in d.process.pending_agenda(m)] == [AgendaKind.EVALUATION]
    assert why(d, cid, Step.FOLLOWUP) == _(MEETING_NEEDED)
    assert stage(d, cid) is not Stage.CLOSED
    decide(d, m)
    case = d.get_case(cid).case
    assert case.stage is Stage.CLOSED and case.closed_on == date(2026, 10, 7)
    assert d.process.current_plan(cid) is None
    d.process.add_followup(cid, date(2026, 11, 10), "仕事を続けている", method="電話")
    assert [e.kind for e in d.process.timeline(cid, kinds=["followup"])] == ["followup"]
    # a closed case is reopened by a NEW intake of the same person
    assert why(d, cid, Step.ASSESSMENT) == _(P.CLOSED)
    person_id = d.get_case(cid).case.person_id
    again = d.register_intake(make_intake(received=date(2026, 11, 18),
                                          existing_person_id=person_id))
    assert again.case.id != cid and again.person.id == person_id
    assert stage(d, cid) is Stage.CLOSED and again.case.stage is Stage.INTAKE


def test_closure_pattern_3_after_a_move_away(d):
    cid = open_case(d)
    approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    d.process.add_contact_attempt(cid, date(2026, 9, 1), "visit", "moved_away", "アパートは空室。転居先不明")
    m = meeting(d, date(2026, 10, 7))
    d.process.propose_closure(cid, closure(ClosurePattern.CONTACT_LOST, reason="転居先不明",
                                   intention="", intention_how="", intention_on=None), m)
    decide(d, m)
    assert stage(d, cid) is Stage.CLOSED


# ---------------------------------------------------------------------------- (d) and (c)-3
def test_suspension_confirmed_then_resumed_with_records_intact(d):
    cid = open_case(d)
    plan = approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    d.process.start_service(plan.items[0].id, date(2026, 4, 27))
    d.process.add_record(cid, datetime(2026, 5, 1, 10, 0), RecordMethod.OFFICE, "面談。求人票を一緒に見た")
    with pytest.raises(ProcessError) as e:
        d.process.propose_suspension(cid, date(2026, 6, 1), "連絡が取れない")
    assert "連絡" in str(e.value)
    d.process.add_contact_attempt(cid, date(2026, 5, 15), "note_at_home", note="自宅に連絡票")
    d.process.add_contact_attempt(cid, date(2026, 5, 25), "acquaintance", note="民生委員に様子を聞いた")
    m = meeting(d, date(2026, 6, 3))
    d.process.propose_suspension(cid, date(2026, 6, 1), "完全に連絡が取れない", m)
    assert stage(d, cid) is Stage.SUPPORT       # not in effect before the meeting
    assert why(d, cid, Step.RESUME) == _(MEETING_NEEDED)
    decide(d, m)
    assert stage(d, cid) is Stage.SUSPENDED
    assert d.get_case(cid).case.stage is Stage.SUSPENDED
    assert why(d, cid, Step.MONITORING) == _(P.SUSPENDED)
    assert [r.case_id for r in d.process.dashboard().suspended_cases] == [cid]
    d.process.resume(cid, date(2026, 7, 1), "本人から電話があった")
    assert stage(d, cid) is Stage.SUPPORT
    assert d.process.current_plan(cid).id == plan.id
    assert [r.content for r in d.process.support_records(cid)] == ["面談。求人票を一緒に見た"]
    kinds = {e.kind for e in d.process.timeline(cid)}
    assert {"contact_attempt", "suspension", "resume", "support_record", "plan"} <= kinds


def test_closure_pattern_3_after_a_confirmed_suspension(d):
    cid = open_case(d)
    approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    d.process.add_contact_attempt(cid, date(2026, 5, 15), "note_at_home")
    d.process.add_contact_attempt(cid, date(2026, 5, 25), "acquaintance")
    m = meeting(d, date(2026, 6, 3))
    d.process.propose_suspension(cid, date(2026, 6, 1), "完全に連絡が取れない", m)
    decide(d, m)
    with pytest.raises(ProcessError, match=r"終結\(3\)"):
        d.process.propose_closure(cid, closure(ClosurePattern.RESOLVED))
    m2 = meeting(d, date(2026, 10, 7))
    d.process.propose_closure(cid, closure(ClosurePattern.CONTACT_LOST, reason="再開のめどがたたない",
                                   intention=""), m2)
    decide(d, m2)
    assert stage(d, cid) is Stage.CLOSED


# ---------------------------------------------------------------------------- (e)
def test_statutory_service_needs_its_decision_before_it_starts(d):
    cid = open_case(d)
    plan = approved_plan(d, cid, plan_input(
        PlanItem("住居確保給付金の申請", "housing_benefit", "つなぐ町福祉課", frequency="月1回"),
        PlanItem("家計の見直しの面談", "self_reliance")), date(2026, 4, 22))
    housing, talk = plan.items
    assert (housing.decision, talk.decision) == ("required", "reported")
    assert [r.service_key for r in d.process.dashboard().decisions_pending] == ["housing_benefit"]
    with pytest.raises(ProcessError) as e:
        d.process.start_service(housing.id, date(2026, 4, 25))
    assert str(e.value) == _(DECISION_FIRST)
    d.process.start_service(talk.id, date(2026, 4, 23))       # the reported one may start
    with pytest.raises(ProcessError, match="報告"):
        d.process.record_decision(plan.id, "self_reliance", date(2026, 4, 24), "町 一郎")
    d.process.record_decision(plan.id, "housing_benefit", date(2026, 4, 24), "町 一郎")
    assert d.process.dashboard().decisions_pending == ()
    started = d.process.start_service(housing.id, date(2026, 4, 27))
    assert started.started_on == date(2026, 4, 27) and started.decision == "decided"
    assert stage(d, cid) is Stage.SUPPORT
    # the first start scheduled monitoring within two weeks (4/23 + 14 = 5/7, a Thursday)
    assert d.store.conn.execute("SELECT next_monitoring_on FROM case_file WHERE id = ?",
                                (cid,)).fetchone()[0] == "2026-05-07"


def test_monitoring_schedule_and_dashboard(d):
    cid = open_case(d)
    plan = approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    d.process.start_service(plan.items[0].id, date(2026, 4, 23))
    d._today = lambda: date(2026, 5, 7)
    board = d.process.dashboard()
    assert [r.case_id for r in board.monitoring_today] == [cid]
    d._today = lambda: date(2026, 5, 8)
    assert [r.case_id for r in d.process.dashboard().monitoring_overdue] == [cid]
    d.process.add_monitoring(cid, MonitoringInput(date(2026, 5, 8), MonitoringKind.AFTER_START))
    board = d.process.dashboard()
    assert board.monitoring_overdue == () and board.monitoring_today == ()
    # monthly: 6/8 is a Monday
    assert d.store.conn.execute("SELECT next_monitoring_on FROM case_file WHERE id = ?",
                                (cid,)).fetchone()[0] == "2026-06-08"


# ---------------------------------------------------------------------------- (f)
def test_closure_for_silence_is_refused(d):
    cid = open_case(d)
    approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    d.process.add_contact_attempt(cid, date(2026, 9, 1), "phone")   # no answer: not a move-away
    with pytest.raises(ProcessError) as e:
        d.process.propose_closure(cid, closure(ClosurePattern.CONTACT_LOST, reason="連絡がない",
                                       intention=""))
    assert str(e.value) == ("連絡がないことだけを理由に終結(3)にはできません。"
                            "先に中断するか、転居を記録してください")
    assert stage(d, cid) is Stage.SUPPORT
    assert d.process.timeline(cid, kinds=["closure"]) == []


# ---------------------------------------------------------------------------- (g)
def test_support_record_correction_keeps_the_old_text(d):
    cid = open_case(d)
    rec = d.process.add_record(cid, datetime(2026, 4, 10, 14, 30), RecordMethod.PHONE,
                       "家賃の支払いについて相談。", contact_person="本人", next_action="4/15 来所")
    fixed = d.process.correct_record(rec.id, "家賃と水道料金の支払いについて相談。", "水道料金の記載漏れ")
    assert fixed.supersedes == rec.id
    current = d.process.support_records(cid)
    assert [r.content for r in current] == ["家賃と水道料金の支払いについて相談。"]
    everything = d.process.support_records(cid, include_superseded=True)
    old = next(r for r in everything if r.id == rec.id)
    assert old.content == "家賃の支払いについて相談。" and old.superseded_by == fixed.id
    assert fixed.contact_person == "本人" and fixed.next_action == "4/15 来所"
    with pytest.raises(ProcessError):
        d.process.correct_record(rec.id, "もう一度", "二重訂正")
    with pytest.raises(ValidationErrors) as e:
        d.process.correct_record(fixed.id, "", "")
    assert {x.field for x in e.value.errors} == {"content", "correction_reason"}
    entries = d.process.timeline(cid, kinds=["support_record"])
    assert [(x.text, x.superseded) for x in entries] == [
        ("家賃と水道料金の支払いについて相談。", False), ("家賃の支払いについて相談。", True)]


# ---------------------------------------------------------------------------- (h)
def test_reconsider_sends_the_plan_back(d):
    cid = open_case(d)
    plan = d.process.draft_plan(cid, plan_input(PlanItem("面談", "self_reliance")))
    m = meeting(d, date(2026, 4, 22))
    d.process.submit_plan(plan.id, m)
    assert why(d, cid, Step.SERVICE_START) == _(MEETING_NEEDED)
    decide(d, m, MeetingResult.RECONSIDER, "目標をもっと具体的に")
    back = d.process.plan(plan.id)
    assert back.status is PlanStatus.DRAFT and back.meeting_result == "reconsider"
    assert d.process.current_plan(cid) is None
    assert stage(d, cid) is Stage.PLAN
    with pytest.raises(ProcessError):
        d.process.start_service(plan.items[0].id, date(2026, 4, 23))
    # 修正のうえ了承 needs the changes written down
    m2 = meeting(d, date(2026, 5, 13))
    d.process.update_plan(plan.id, plan_input(PlanItem("週1回の面談", "self_reliance",
                                               id=plan.items[0].id), goal="毎朝7時に起きる"))
    d.process.submit_plan(plan.id, m2)
    with pytest.raises(ValidationErrors) as e:
        decide(d, m2, MeetingResult.APPROVED_WITH_CHANGES, "")
    assert "conditions" in e.value.errors[0].field
    assert d.process.plan(plan.id).status is PlanStatus.SUBMITTED
    decide(d, m2)
    assert d.process.current_plan(cid).goals[0].text == "毎朝7時に起きる"


def test_plan_amendment_keeps_before_and_after(d):
    cid = open_case(d)
    plan = approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance", frequency="月1回")),
                         date(2026, 4, 22))
    data = plan_input(PlanItem("面談", "self_reliance", frequency="月2回", id=plan.items[0].id))
    d.process.amend_plan(plan.id, data, "モニタリングで面談の頻度を増やすことにした", date(2026, 6, 1))
    after = d.process.plan(plan.id)
    assert after.status is PlanStatus.APPROVED and after.items[0].frequency == "月2回"
    history = d.process.plan_amendments(plan.id)
    assert history[0].before["items"][0]["frequency"] == "月1回"
    assert history[0].after["items"][0]["frequency"] == "月2回"


# ---------------------------------------------------------------------------- (i)
def test_referral_at_intake_not_arrived_and_taken_back(d):
    case = d.register_intake(make_intake(received=date(2026, 4, 1), triage=Triage.REFER,
                                         check_on=date(2026, 4, 15), accompanied=True))
    cid = case.case.id
    assert stage(d, cid) is Stage.REFERRED
    [ref] = d.process.referrals(cid)
    assert ref.referred_to == "法テラス" and ref.accompanied and ref.check_on == date(2026, 4, 15)
    assert [r.id for r in d.process.dashboard().referrals_to_check] == [ref.id]
    assert why(d, cid, Step.ASSESSMENT) == _(P.OUT_OF_AGENCY)
    with pytest.raises(ProcessError):
        d.process.take_back(ref.id, date(2026, 4, 16))
    d.process.check_referral(ref.id, date(2026, 4, 16), arrived=False, note="法テラスに来ていない")
    assert d.process.dashboard().referrals_to_check == ()
    d.process.take_back(ref.id, date(2026, 4, 16), "本人に電話し、継続支援とした")
    assert stage(d, cid) is Stage.INTAKE
    d.process.save_assessment(cid, AssessmentInput(date(2026, 4, 20), problems=["debt"]))
    assert stage(d, cid) is Stage.ASSESSMENT
    assert "つなぎ" in why(d, cid, Step.REFERRAL_CHECK) or "確認" in why(d, cid, Step.REFERRAL_CHECK)


def test_emergency_support_statutory_procedure_pending(d):
    case = d.register_intake(make_intake(received=date(2026, 4, 1), emergency_needed=True,
                                         emergency_actions=["food", "housing_benefit"]))
    cid = case.case.id
    rows = {r.action.value: r for r in d.process.emergency_support(cid)}
    assert rows["food"].procedure == "none" and rows["housing_benefit"].procedure == "pending"
    assert len(d.process.dashboard().emergency_procedures_pending) == 1
    extra = d.process.record_emergency(cid, EmergencyAction.TEMPORARY_LIVING, date(2026, 4, 2))
    assert d.process.case_state(cid).emergency_pending == 2
    d.process.complete_emergency_procedure(extra, date(2026, 4, 3))
    assert d.process.case_state(cid).emergency_pending == 1


def test_every_operation_is_journalled_and_audited(d):
    cid = open_case(d)
    approved_plan(d, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    tables = {r[0] for r in d.store.conn.execute("SELECT tbl FROM journal")}
    assert {"assessment", "screening", "plan", "plan_item", "meeting", "agenda_item",
            "case_file"} <= tables
    actions = [e.action if hasattr(e, "action") else e["action"]
               for e in d.security.audit_entries(cid)]
    assert {"assessment", "screening", "plan_draft", "plan_submit", "meeting_result"} <= set(actions)
    assert d.security.audit_verify() is None or d.security.audit_verify() >= 0


def test_validation_names_the_field(d):
    cid = open_case(d)
    with pytest.raises(ValidationErrors) as e:
        d.process.draft_plan(cid, PlanInput(aim="", goals=[], items=[PlanItem("", "nope")]))
    fields = {x.field for x in e.value.errors}
    assert {"aim", "goals", "items.0.what", "items.0.service_key"} <= fields
    with pytest.raises(ValidationErrors) as e:
        d.process.screen(cid, "refer", date(2026, 4, 9))
    assert {x.field for x in e.value.errors} == {"referral_to", "check_on"}


def test_master_data_reaches_old_desks(tmp_path):
    """A schema-1 desk is migrated and gets the services on first open."""
    import shutil
    from pathlib import Path
    fixtures = Path(__file__).parent / "fixtures"
    for name in ("schema1.db", "schema1.db.keys"):
        shutil.copy(fixtures / name, tmp_path / name)
    import json
    info = json.loads((fixtures / "schema1.json").read_text(encoding="utf-8"))
    login = info.get("login", LOGIN)
    password = info.get("password", PASSWORD)
    desk = Desk.open(tmp_path / "schema1.db", login, password)
    try:
        keys = [s.key for s in desk.process.services()]
        assert "housing_benefit" in keys and "self_reliance" in keys
        assert ("housing", "住まい") in desk.process.assessment_domains()
        assert len(desk.process.assessment_problems()) == 22
    finally:
        desk.close()
