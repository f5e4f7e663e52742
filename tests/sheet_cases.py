"""A case taken through the whole process via the Desk, for the sheet tests and the benchmark.

相談受付 → アセスメント (household, team, expert) → スクリーニング → プラン (with a statutory
service) → 支援調整会議 → 支援決定 → サービス開始 → 支援経過記録 (one corrected) → モニタリング →
プラン評価 (終結) → 終結 → フォローアップ.
"""

from __future__ import annotations

from datetime import date, datetime

from app.domain.assessment import AssessmentInput, ScreeningResult
from app.domain.closure import ClosureInput, ClosurePattern
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import MeetingResult, Participant
from app.domain.monitoring import MonitoringInput, MonitoringKind
from app.domain.plan import Goal, PlanInput, PlanItem
from app.domain.record import RecordMethod
from tests.conftest import make_intake

TODAY = date(2026, 11, 20)
NAME = "髙橋 𠮷子"
KANA = "たかはし よしこ"
AIM = "自分の収入で安心して暮らせるようになる"
GOAL = "生活リズムを整え、週3回就労準備支援に通う"
RECORD = "本人来所。家計表を一緒に作成し、家賃の分納について大家と相談することになった。"
CORRECTED = "本人来所。家計表を一緒に作成し、家賃の分納を大家に申し入れた。"
PLACE = "つなぐ町役場2階 第1会議室"
PARTICIPANTS = [Participant("町 一郎", "つなぐ町福祉課"),
                Participant("相談 花子", "つなぐ町自立相談支援センター"),
                Participant("就労 次郎", "つなぐ町社会福祉協議会")]


def meeting(desk, on: date) -> str:
    return desk.process.plan_meeting(on, "regular", place=PLACE, participants=PARTICIPANTS,
                             next_meeting_on=date(on.year + (on.month == 12),
                                                  on.month % 12 + 1, 10)).id


def decide(desk, meeting_id: str, result=MeetingResult.APPROVED, conditions="",
           minutes="") -> None:
    items = desk.process.pending_agenda(meeting_id)
    desk.process.record_meeting_results(meeting_id, {i.id: (result, conditions) for i in items},
                                minutes)


def full_case(desk, *, analysis: str = "離職後の孤立と生活習慣の乱れが重なり、家賃を滞納している。"
              ) -> dict:
    """Take one case through every step; returns ids and the meeting ids."""
    desk._today = lambda: TODAY
    case = desk.register_intake(make_intake(name=NAME, kana=KANA, received=date(2026, 4, 1)))
    cid = case.case.id
    desk.process.save_assessment(cid, AssessmentInput(
        assessed_on=date(2026, 4, 8),
        domains={"work": "長期離職。生活リズムが乱れている。", "debt": "家賃2か月分を滞納",
                 "health": "持病なし。不眠気味。"},
        problems=["economic_hardship", "job_search", "lifestyle", "other"],
        problem_other="携帯電話料金の滞納",
        analysis=analysis, strengths="まじめで約束を守る。料理が得意。",
        wishes="働いて家賃を払い続けたい",
        household=[{"name": NAME, "relation": "本人", "age": 46, "together": True,
                    "working": False},
                   {"name": "髙橋 一郎", "relation": "父", "age": 78, "together": True,
                    "working": False, "note": "要支援1"}],
        consultation_history="令和7年に社協で生活福祉資金を相談",
        life_history="高校卒業後、工場で20年勤務。令和7年秋に工場閉鎖で離職。",
        team=[Participant("相談 花子", "自立相談支援センター"),
              Participant("就労 次郎", "自立相談支援センター")],
        expert_opinions=[{"expert": "保健師（つなぐ町保健センター）",
                          "opinion": "睡眠の乱れは生活習慣の改善で回復が見込める。"}]))
    desk.process.screen(cid, ScreeningResult.CONTINUE, date(2026, 4, 8), reported_on=date(2026, 4, 9))
    plan = desk.process.draft_plan(cid, PlanInput(
        aim=AIM, goals=[Goal(GOAL, date(2026, 9, 30)), Goal("家賃の滞納を解消する",
                                                           date(2026, 8, 31))],
        items=[PlanItem("就労準備支援事業で生活リズムを整える", "work_preparation",
                        "つなぐ町社会福祉協議会", problem="生活習慣の乱れ",
                        period_from=date(2026, 5, 1), period_to=date(2026, 9, 30),
                        frequency="週3回"),
               PlanItem("家計表の作成と家賃分納の調整", "self_reliance", problem="家賃滞納",
                        period_from=date(2026, 4, 20), period_to=date(2026, 9, 30),
                        frequency="月2回")],
        period_from=date(2026, 4, 20), period_to=date(2026, 9, 30),
        next_monitoring_on=date(2026, 5, 14), signed_on=date(2026, 4, 15), author="相談 花子",
        created_on=date(2026, 4, 15)))
    m1 = meeting(desk, date(2026, 4, 22))
    desk.process.submit_plan(plan.id, m1)
    other = other_case(desk, m1)
    decide(desk, m1, minutes="新規プラン1件を了承。就労準備支援事業の利用を支援決定へ。")
    desk.process.record_decision(plan.id, "work_preparation", date(2026, 4, 24), "町 一郎")
    for item in desk.process.plan(plan.id).items:
        desk.process.start_service(item.id, date(2026, 5, 1))
    rec = desk.process.add_record(cid, datetime(2026, 5, 7, 10, 30), RecordMethod.OFFICE, RECORD,
                          contact_person="本人", next_action="5/14 モニタリング",
                          staff="相談 花子")
    desk.process.correct_record(rec.id, CORRECTED, "大家への申し入れを済ませていたため")
    desk.process.add_record(cid, datetime(2026, 5, 12, 14, 0), RecordMethod.PHONE,
                    "社協の就労準備支援担当と出席状況を確認した。週3回欠かさず通所している。",
                    contact_person="社協 就労準備担当", staff="就労 次郎")
    desk.process.add_monitoring(cid, MonitoringInput(
        date(2026, 5, 14), MonitoringKind.AFTER_START, method="面談（来所）",
        change="朝起きられるようになった", progress=[{"goal": GOAL, "progress": "週3回通所できている"}],
        satisfaction="満足している"))
    m2 = meeting(desk, date(2026, 10, 7))
    m3 = meeting(desk, date(2026, 10, 14))
    # the プラン評価 decides 終結; the closure is proposed with it and decided with it at
    # the 10/14 meeting (no second agenda item: issue 19)
    desk.process.evaluate(cid, EvaluationInput(
        date(2026, 9, 30), [(GOAL, Attainment.MET), ("家賃の滞納を解消する", Attainment.PARTLY)],
        EvaluationDecision.CLOSE, support_delivered="就労準備支援事業 週3回、家計相談 月2回",
        employed_on=date(2026, 9, 15), motivation=True, participation=True,
        note="9月から就労開始"), m3)
    desk.process.propose_closure(cid, ClosureInput(
        proposed_on=date(2026, 10, 8), pattern=ClosurePattern.RESOLVED,
        reason="就労により収入が安定し、家賃を払えている", intention="もう大丈夫です",
        intention_how="面談", intention_on=date(2026, 10, 6), referrals=["つなぐ町社会福祉協議会"],
        followup_plan="3か月後に担当が電話で確認"), m3)
    decide(desk, m3, MeetingResult.APPROVED_WITH_CHANGES, "1か月後にも電話で確認する",
           minutes="終結1件。地域に夜間の相談窓口がないことを地域課題として共有。")
    desk.process.add_followup(cid, date(2026, 11, 10), "仕事を続けている。家賃も払えている。",
                      method="電話", contact_person="本人")
    return {"case_id": cid, "case_no": case.case.case_no, "plan_id": plan.id,
            "meetings": [m1, m2, m3], "other_case_no": other}


OTHER_NAME = "山田 太郎"
OTHER_KANA = "やまだ たろう"


def other_case(desk, meeting_id: str) -> str:
    """A second person WITHOUT consent to share information, on the same agenda."""
    case = desk.register_intake(make_intake(name=OTHER_NAME, kana=OTHER_KANA,
                                            birth=date(1990, 1, 2), received=date(2026, 4, 2),
                                            consent=False, consent_on=None))
    cid = case.case.id
    desk.process.save_assessment(cid, AssessmentInput(assessed_on=date(2026, 4, 9),
                                                analysis="就職活動が続かない",
                                                problems=["job_search"]))
    desk.process.screen(cid, ScreeningResult.CONTINUE, date(2026, 4, 9))
    plan = desk.process.draft_plan(cid, PlanInput(
        aim="正社員として働く", goals=[Goal("履歴書を完成させる", date(2026, 6, 30))],
        items=[PlanItem("ハローワークへの同行", "hello_work", "ハローワークつなぐ",
                        frequency="月2回")],
        period_from=date(2026, 4, 20), period_to=date(2026, 9, 30),
        signed_on=date(2026, 4, 16)))
    desk.process.submit_plan(plan.id, meeting_id)
    return case.case.case_no
