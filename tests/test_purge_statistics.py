"""Purging a case past retention never changes past statistics (issue 5 × issue 7)."""

from __future__ import annotations

from datetime import date

from app.domain.assessment import AssessmentInput, ScreeningResult
from app.domain.closure import ClosureInput, ClosurePattern
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import MeetingResult, Participant
from app.domain.plan import Goal, PlanInput, PlanItem
from app.reports import statistics
from tests.conftest import make_intake

MONTHS = [f"{y}-{m:02d}" for y in (2019, 2020) for m in range(1, 13)]


def _meeting(desk, on: date) -> str:
    return desk.process.plan_meeting(on, "regular", place="会議室",
                             participants=[Participant("町 一郎", "福祉課")]).id


def _decide(desk, meeting_id: str) -> None:
    items = desk.process.pending_agenda(meeting_id)
    desk.process.record_meeting_results(meeting_id, {i.id: (MeetingResult.APPROVED, "") for i in items})


def _full_case(desk, name: str, kana: str, received: date) -> str:
    cid = desk.register_intake(make_intake(name=name, kana=kana, received=received)).case.id
    desk.process.save_assessment(cid, AssessmentInput(assessed_on=received, problems=["job_search"],
                                                analysis="離職", strengths="まじめ", wishes="働く"))
    desk.process.screen(cid, ScreeningResult.CONTINUE, received)
    plan = desk.process.draft_plan(cid, PlanInput(
        aim="自分の収入で暮らす", goals=[Goal("仕事を見つける", date(2019, 12, 31))],
        items=[PlanItem("住居確保給付金の申請", "housing_benefit"),
               PlanItem("就労準備支援事業", "work_preparation", "社協")],
        period_from=date(2019, 7, 1), period_to=date(2019, 12, 31), signed_on=date(2019, 6, 20)))
    m = _meeting(desk, date(2019, 6, 26))
    desk.process.submit_plan(plan.id, m)
    _decide(desk, m)
    desk.process.record_decision(plan.id, "housing_benefit", date(2019, 6, 28), "町 一郎")
    m2 = _meeting(desk, date(2020, 2, 5))
    # the プラン評価 decides 終結 (with its outcome); the closure is decided with it
    desk.process.evaluate(cid, EvaluationInput(date(2020, 1, 30), [("仕事を見つける", Attainment.MET)],
                                         EvaluationDecision.CLOSE,
                                         employed_on=date(2019, 12, 1)), m2)
    desk.process.propose_closure(cid, ClosureInput(
        proposed_on=date(2020, 1, 30), pattern=ClosurePattern.RESOLVED, reason="就職した",
        intention="大丈夫です", intention_how="面談", intention_on=date(2020, 1, 28),
        followup_plan="電話で確認"), m2)
    _decide(desk, m2)
    return cid


def figures(desk) -> dict:
    return {m: statistics.monthly(desk.store, m) for m in MONTHS} | {
        "FY2019": statistics.fiscal_year(desk.store, 2019)}


def test_purge_keeps_every_past_figure(desk):
    gone = _full_case(desk, "消去 予定", "しょうきょ よてい", date(2019, 6, 10))
    _full_case(desk, "残留 太郎", "ざんりゅう たろう", date(2019, 6, 12))
    desk.register_intake(make_intake(name="別件 花子", received=date(2019, 8, 1)))
    before = figures(desk)
    assert before["2019-06"]["counts"]["plans_created"] == 2
    assert before["2019-06"]["statutory_services"]
    assert before["2020-02"]["counts"]["closed"] == 2
    assert gone in {i.case_id for i in desk.security.retention_due()}
    desk.security.purge([gone], "保存期間（終結後5年）経過")
    assert figures(desk) == before
    # and the figures of the remaining case are still its own (cases behind them)
    behind = desk.reports.cases_behind("2019-06", "plans_created")
    assert len(behind) == 1
