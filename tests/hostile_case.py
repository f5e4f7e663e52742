"""A case with hostile data, taken through the process via the Desk, for the sheet tests.

Real desks meet these: 40-character foreign names, 120-character addresses, 3,000-character
notes, 30 plan items, 50 records, the name kanji BIZ UD lacks (𠮷) or that are easy to lose
(髙 﨑), Latin words and numbers inside Japanese text, punctuation that must not start a line.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.domain.assessment import AssessmentInput, ScreeningResult
from app.domain.closure import ClosureInput, ClosurePattern
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.intake import Visitor
from app.domain.meeting import MeetingResult, Participant
from app.domain.monitoring import MonitoringInput, MonitoringKind
from app.domain.plan import Goal, PlanInput, PlanItem
from app.domain.record import RecordMethod
from tests.conftest import make_intake
from tests.sheet_cases import decide, meeting

TODAY = date(2026, 11, 20)
# 40 characters: a name as long as real ones at the desk
NAME = "グエン・ティ・タン・フォン・マリア・アントニエッタ・デ・ラ・クルス・サントス𠮷髙"
KANA = "ぐえん てぃ たん ふぉん まりあ あんとにえった で ら くるす さんとす よしたか"
ADDRESS = ("つなぐ県つなぐ市大字𠮷田字髙﨑町三丁目1234番地の5678 "
           "グランドメゾン・ドゥ・つなぐ・リバーサイド・パークヒルズ・レジデンス東棟1203号室"
           "（管理会社：株式会社サンプル不動産管理サービス𠮷田支店気付）")[:120]
SENTENCES = [
    "昨年の秋に勤めていた工場が閉鎖になり、失業しました。",
    "家賃（月額58,000円）を3か月分滞納しています。",
    "「大家さんからは、来月までに払ってほしい」と言われている。",
    "ハローワーク（Hello Work）の求人をPCで検索したが、Excelの経験を求められた。",
    "𠮷田さん・髙橋さん・山﨑さんに相談したところ、ちょっと待ってほしいとのことだった。",
    "生活福祉資金（緊急小口資金）100,000円の貸付を2026年4月15日に申請した。",
    "本人は「もう一度、ちゃんと働きたい」と話している。",
]


def long_text(n: int = 3000, seed: int = 0) -> str:
    out = ""
    i = seed
    while len(out) < n:      # numbered, so that no stretch of the text repeats
        out += f"{i - seed + 1}．" + SENTENCES[i % len(SENTENCES)]
        i += 1
    return out[:n]


def text_of(n: int, label: str = "") -> str:
    """A text of exactly ``n`` characters starting with ``label``."""
    return (label + long_text(n + 20, seed=len(label)))[:n]


def hostile_case(desk, *, records: int = 50, plan_items: int = 30) -> dict:
    """The full process with hostile data; returns ids (case, plan, meetings)."""
    desk._today = lambda: TODAY
    intake = make_intake(name=NAME, kana=KANA, received=date(2026, 4, 1),
                         consultation=long_text(3000), hopes=long_text(3000, 3),
                         referral_source=text_of(100, "紹介元"), topic_other=text_of(200, "その他"),
                         health_insurance=text_of(100, "国保"), pension=text_of(100, "年金"),
                         emergency_note=text_of(2000, "緊急"),
                         received_by="受付担当 " + NAME[:30])
    intake.topics = ["debt", "housing", "other"]
    intake.person.address = ADDRESS
    intake.person.email = "guen.thi.thanh.phuong.maria.antonietta@example.co.jp"
    intake.person.phone_home = "0123-45-6789"
    intake.visitor = Visitor(name=NAME, phone="090-9876-5432", relation="family",
                             relation_detail=text_of(50, "姉"))
    case = desk.register_intake(intake)
    cid = case.case.id
    domains = {k: long_text(3000, i) for i, (k, _n) in enumerate(desk.process.assessment_domains())}
    desk.process.save_assessment(cid, AssessmentInput(
        assessed_on=date(2026, 4, 8), domains=domains,
        problems=[k for k, _n in desk.process.assessment_problems()],
        problem_other=text_of(200, "携帯電話料金"),
        analysis=long_text(3000, 1), strengths=long_text(3000, 2), wishes=long_text(3000, 4),
        household=[{"name": NAME, "relation": text_of(40, "本人"), "age": 46 + i,
                    "together": True, "working": i % 2 == 0, "note": text_of(300, "要支援")}
                   for i in range(30)],
        consultation_history=long_text(3000, 5), life_history=long_text(3000, 6),
        team=[Participant(NAME, text_of(100, "自立相談支援センター")) for _i in range(30)],
        expert_opinions=[{"expert": text_of(100, "保健師"), "opinion": long_text(1000, i)}
                         for i in range(30)]))
    desk.process.screen(cid, ScreeningResult.CONTINUE, date(2026, 4, 8), reported_on=date(2026, 4, 9))
    services = [s.key for s in desk.process.services()]
    goals = [Goal(text_of(200 if i % 3 else 1000, f"目標{i + 1}"), date(2026, 9, 30))
             for i in range(30)]
    items = [PlanItem(text_of(300 if i % 5 else 1000, f"支援{i + 1}"),
                      services[i % len(services)], text_of(100, "つなぐ町社会福祉協議会"),
                      problem=text_of(100, "生活習慣の乱れ"), period_from=date(2026, 5, 1),
                      period_to=date(2026, 9, 30), frequency=text_of(100, "週3回"))
             for i in range(plan_items)]
    plan = desk.process.draft_plan(cid, PlanInput(
        aim=long_text(2000, 2), goals=goals, items=items,
        period_from=date(2026, 4, 20), period_to=date(2026, 9, 30),
        next_monitoring_on=date(2026, 5, 14), signed_on=date(2026, 4, 15),
        author=text_of(50, "相談"), created_on=date(2026, 4, 15)))
    m1 = desk.process.plan_meeting(date(2026, 4, 22), "regular", place=text_of(100, "つなぐ町役場"),
                           participants=[Participant(NAME, text_of(100, "つなぐ町福祉課"), municipal=True)
                                         for _i in range(30)],
                           next_meeting_on=date(2026, 5, 10)).id
    desk.process.submit_plan(plan.id, m1)
    decide(desk, m1, MeetingResult.APPROVED_WITH_CHANGES, long_text(2000, 3),
           minutes=long_text(3000, 5))
    for key in {i.service_key for i in desk.process.plan(plan.id).items}:
        try:
            desk.process.record_decision(plan.id, key, date(2026, 4, 24), text_of(50, "町"))
        except Exception:   # not every service needs a decision
            pass
    for item in desk.process.plan(plan.id).items:
        try:
            desk.process.start_service(item.id, date(2026, 5, 1))
        except Exception:
            pass
    start = datetime(2026, 5, 1, 9, 0)
    first = None
    for i in range(records):
        content = long_text(3000 if i % 10 == 0 else 150 + 7 * i, i)
        rec = desk.process.add_record(cid, start + timedelta(days=i, minutes=7 * i),
                              list(RecordMethod)[i % len(RecordMethod)], content,
                              contact_person=text_of(100, "社協"),
                              next_action=text_of(200 if i % 4 else 2000, "次回"),
                              staff=text_of(50, "相談"))
        first = first or rec
    desk.process.correct_record(first.id, long_text(500, 2), text_of(500, "訂正理由"))
    for k in range(9):
        desk.process.add_monitoring(cid, MonitoringInput(
            date(2026, 5, 14) + timedelta(days=14 * k), list(MonitoringKind)[k % 3],
            method=text_of(100, "面談"), change=long_text(300 if k else 3000, k),
            progress=[{"goal": g.text, "progress": text_of(150, "進捗")} for g in goals],
            satisfaction=text_of(500, "満足"), amendment_needed=k % 2 == 0))
    m2 = meeting(desk, date(2026, 10, 7))
    desk.process.evaluate(cid, EvaluationInput(
        date(2026, 9, 30), [(g.text, list(Attainment)[i % 3]) for i, g in enumerate(goals)],
        EvaluationDecision.CLOSE, support_delivered=long_text(3000, 4),
        employed_on=date(2026, 9, 15), motivation=True, participation=True,
        note=long_text(3000, 6)), m2)
    decide(desk, m2)
    m3 = meeting(desk, date(2026, 10, 14))
    desk.process.propose_closure(cid, ClosureInput(
        proposed_on=date(2026, 10, 8), pattern=ClosurePattern.RESOLVED,
        reason=long_text(2000, 1), intention=long_text(2000, 2),
        intention_how=text_of(200, "面談"), intention_on=date(2026, 10, 6),
        referrals=[text_of(100, f"紹介先{i}") for i in range(10)],
        followup_plan=long_text(2000, 3)), m3)
    decide(desk, m3, MeetingResult.APPROVED_WITH_CHANGES, long_text(2000, 4),
           minutes=long_text(3000, 0))
    for k in range(20):
        desk.process.add_followup(cid, date(2026, 10, 20) + timedelta(days=k),
                          long_text(2000 if k == 0 else 200, k), method=text_of(50, "電話"),
                          contact_person=text_of(100, "本人"))
    return {"case_id": cid, "case_no": case.case.case_no, "plan_id": plan.id,
            "meetings": [m1, m2, m3]}
