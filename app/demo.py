"""Synthetic desks for demos and benchmarks: realistic names (rare kanji too), every route
and triage result, and the process after intake (assessment, screening, plans, monthly
支援調整会議, 支援決定, services, 支援経過記録, monitoring, evaluation, 再プラン, 中断, 終結,
follow-up). Every case goes through the same Desk operations as real input."""

from __future__ import annotations

import heapq
import random
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path

from app.desk import Desk
from app.domain import EmergencyAction, IntakeInput, PersonInput, Route, Sex, Triage, Visitor
from app.domain.assessment import AssessmentInput, ScreeningResult
from app.domain.closure import ClosureGrounds, ClosureInput, ClosurePattern
from app.domain.decision import DecisionResult
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.intake import HOUSING_STATUSES, TOPIC_KEYS, WORK_STATUSES
from app.domain.meeting import MeetingKind, MeetingResult, Participant, AgendaItem
from app.domain.monitoring import MonitoringInput, MonitoringKind
from app.domain.plan import Goal, PlanInput, PlanItem, Plan
from app.domain.record import RecordMethod
from app.domain.suspension import ContactMethod, ContactOutcome
from app import process as P
from app.security.keyslots import KdfParams

# Bump when the generator changes: benchmark desks are cached under this version.
GENERATOR_VERSION = 2

# (written form, reading). Rare and variant kanji are deliberate: 髙 﨑 𠮷 邉 齋 濵.
FAMILY = [
    ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("髙橋", "たかはし"),
    ("田中", "たなか"), ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("渡邉", "わたなべ"),
    ("渡邊", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"), ("小林", "こばやし"),
    ("加藤", "かとう"), ("吉田", "よしだ"), ("𠮷田", "よしだ"), ("山田", "やまだ"),
    ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"), ("井上", "いのうえ"),
    ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("齋藤", "さいとう"),
    ("齊藤", "さいとう"), ("清水", "しみず"), ("山崎", "やまざき"), ("山﨑", "やまざき"),
    ("森", "もり"), ("池田", "いけだ"), ("橋本", "はしもと"), ("阿部", "あべ"),
    ("石川", "いしかわ"), ("前田", "まえだ"), ("藤田", "ふじた"), ("小川", "おがわ"),
    ("岡田", "おかだ"), ("後藤", "ごとう"), ("長谷川", "はせがわ"), ("村上", "むらかみ"),
    ("近藤", "こんどう"), ("濵田", "はまだ"), ("浜田", "はまだ"), ("德永", "とくなが"),
    ("宮﨑", "みやざき"), ("柳澤", "やなぎさわ"), ("大塚", "おおつか"), ("金城", "きんじょう"),
]
GIVEN_F = [("花子", "はなこ"), ("陽子", "ようこ"), ("美咲", "みさき"), ("由美", "ゆみ"),
           ("恵子", "けいこ"), ("さくら", "さくら"), ("真由美", "まゆみ"), ("𠮷乃", "よしの"),
           ("千尋", "ちひろ"), ("和子", "かずこ"), ("愛", "あい"), ("結衣", "ゆい")]
GIVEN_M = [("太郎", "たろう"), ("健一", "けんいち"), ("誠", "まこと"), ("大輔", "だいすけ"),
           ("翔太", "しょうた"), ("浩二", "こうじ"), ("隆", "たかし"), ("博", "ひろし"),
           ("拓也", "たくや"), ("勝", "まさる"), ("直樹", "なおき"), ("髙志", "たかし")]
TOWNS = ["本町", "栄町", "緑が丘", "旭町", "若葉台", "中央", "東町", "西町", "南台", "北山"]
CONSULTATIONS = [
    "失業して家賃が払えなくなりそう。貯金も残りわずか。",
    "複数の消費者金融から借入があり、返済の目途が立たない。",
    "病気で退職し、収入がない。家族とも疎遠。",
    "子どもが不登校で、自分も仕事が続かない。",
    "税金と国民健康保険料を滞納している。督促が来て不安。",
    "住んでいたアパートを出なければならず、行くあてがない。",
    "食べるものがなく、所持金が数百円しかない。",
    "親の介護で仕事を辞め、生活費が足りない。",
]
REFER_TO = ["福祉事務所（生活保護担当）", "法テラス", "ハローワーク", "地域包括支援センター",
            "消費生活センター"]


def demo_intake(rng: random.Random, desk: Desk, received_on: date) -> IntakeInput:
    family, family_kana = rng.choice(FAMILY)
    female = rng.random() < 0.45
    given, given_kana = rng.choice(GIVEN_F if female else GIVEN_M)
    kana = f"{family_kana} {given_kana}"
    if rng.random() < 0.15:   # some readings typed in katakana or half width
        import jaconv
        kana = jaconv.hira2kata(kana)
        if rng.random() < 0.5:
            kana = jaconv.z2h(kana, kana=True)
    age = rng.randint(18, 85)
    birth = received_on - timedelta(days=age * 365 + rng.randint(0, 364))
    route = rng.choice(list(Route))
    sources = desk.referral_sources(route) if route in (Route.MUNICIPAL, Route.AGENCY) else []
    topics = rng.sample(TOPIC_KEYS[:-1], rng.randint(1, 4))
    r = rng.random()
    triage = Triage.CONTINUE if r < 0.6 else Triage.REFER if r < 0.8 else Triage.INFO_ONLY
    emergency = rng.random() < 0.15
    consent = rng.random() < 0.85
    return IntakeInput(
        person=PersonInput(
            name=f"{family} {given}", kana=kana, birth_date=birth,
            sex=Sex.FEMALE if female else Sex.MALE,
            postal_code=f"{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}",
            address=f"つなぐ町{rng.choice(TOWNS)}{rng.randint(1, 9)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}",
            phone_mobile=f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
            if rng.random() < 0.8 else "",
        ),
        received_on=received_on,
        received_by=desk.user.display_name,
        route=route,
        referral_source=rng.choice(sources).name if sources else "",
        topics=topics, main_topic=topics[0],
        consultation=rng.choice(CONSULTATIONS),
        hopes="生活を立て直したい。" if rng.random() < 0.5 else "",
        visitor=Visitor(name="同行の家族", relation="family", relation_detail="母")
        if rng.random() < 0.1 else None,
        work_status=rng.choice(WORK_STATUSES)[0], housing_status=rng.choice(HOUSING_STATUSES)[0],
        triage=triage,
        referral_to=rng.choice(REFER_TO) if triage is Triage.REFER else "",
        accompanied=triage is Triage.REFER and rng.random() < 0.5,
        check_on=received_on + timedelta(days=7) if triage is Triage.REFER else None,
        emergency_needed=emergency,
        emergency_actions=[rng.choice(list(EmergencyAction)).value] if emergency else [],
        emergency_note="フードバンクの食料を手渡し" if emergency else "",
        consent=consent, consent_on=received_on if consent else None,
    )


# ---------------------------------------------------------------------------- the process
# Contents of the 支援経過記録 by method (method, content, next action, contacted person).
RECORDS = [
    (RecordMethod.OFFICE, "来所。家計の収支を一緒に確認し、家賃の滞納分の分割納付について話し合った。",
     "次回来所時に通帳と督促状を持参", "本人"),
    (RecordMethod.OFFICE, "来所。履歴書の書き方を一緒に確認し、志望動機を整理した。",
     "清書した履歴書を持参", "本人"),
    (RecordMethod.OFFICE, "来所。最近よく眠れるようになったとのこと。表情も明るい。",
     "来月の面談日を調整", "本人"),
    (RecordMethod.PHONE, "本人より電話。ハローワークの面接日程が決まったとの報告。緊張しているとのこと。",
     "面接後に電話で様子を確認", "本人"),
    (RecordMethod.PHONE, "本人に電話。体調を崩して寝込んでいたとのこと。通院を勧めた。",
     "3日後に再度電話", "本人"),
    (RecordMethod.PHONE, "家族（母）より電話。本人が外出できるようになってきたと報告あり。",
     "", "母"),
    (RecordMethod.HOME_VISIT, "自宅訪問。室内は片付いており、食事もとれている様子。冷蔵庫にはほとんど食材なし。",
     "フードバンクの利用を調整", "本人"),
    (RecordMethod.HOME_VISIT, "自宅訪問。不在のため連絡票を置いてきた。",
     "連絡票への反応を確認", ""),
    (RecordMethod.ACCOMPANY, "福祉事務所の窓口に同行し、生活保護の相談に同席した。申請書を提出。",
     "決定通知を一緒に確認", "福祉事務所 担当者"),
    (RecordMethod.ACCOMPANY, "ハローワークに同行。求人検索の方法を一緒に確認し、2件の求人に応募。",
     "応募結果を確認", "ハローワーク 職業相談員"),
    (RecordMethod.MAIL, "督促状の内容と分納の手続きについて、書面で説明を送付。",
     "届いたか電話で確認", "本人"),
    (RecordMethod.AGENCY, "社会福祉協議会の担当者と情報共有。緊急小口資金の貸付手続きが進んでいる。",
     "貸付決定後に本人へ連絡", "社会福祉協議会 担当者"),
    (RecordMethod.AGENCY, "税務課と連絡。滞納している住民税の分納について相談できることを確認。",
     "本人と一緒に税務課へ", "税務課 担当者"),
    (RecordMethod.AGENCY, "法テラスから連絡。債務整理の相談予約が入ったとのこと。",
     "相談後に本人から聞き取り", "法テラス 担当者"),
    (RecordMethod.CASE_CONFERENCE, "ケース会議（地域包括支援センター、民生委員同席）。見守り体制と役割分担を確認した。",
     "2か月後に状況を共有", "地域包括支援センター、民生委員"),
]
STAFF = ["デモ 相談員", "相談 花子", "就労 次郎", "主任 一美"]
ANALYSES = [
    ("離職後に収入が途絶え、家賃と公共料金の滞納が重なっている。相談できる相手がいない。",
     ["economic_hardship", "housing_unstable", "isolation"], "まじめで約束を守る",
     "働いて家賃を払えるようになりたい"),
    ("複数の借入があり、返済のための借入を繰り返している。家計管理の経験が乏しい。",
     ["debt", "budgeting", "economic_hardship"], "家族のために頑張りたいという気持ちが強い",
     "借金を整理したい"),
    ("長期の離職で生活リズムが乱れ、就職活動に踏み出せない。", ["job_search", "lifestyle",
     "isolation"], "パソコンが得意", "自分に合った仕事を見つけたい"),
    ("持病の悪化で退職し、治療費の負担が大きい。", ["illness", "economic_hardship"],
     "通院を続けている", "体調に合わせて働きたい"),
    ("ひとり親で子育てと仕事の両立が難しく、収入が不安定。", ["single_parent", "childcare",
     "economic_hardship"], "子どもとの関係が良い", "子どもとの生活を安定させたい"),
]
DOMAINS = {"income": "収入は月数万円のアルバイトのみ。", "work": "1年以上離職している。",
           "housing": "アパートの家賃を2か月滞納。", "health": "通院中。服薬は続けている。",
           "debt": "消費者金融3社から借入あり。", "family": "家族とは疎遠。"}
# Support items of a plan: (what, service, provider, frequency); statutory ones need a 支援決定.
ITEMS = [
    ("月1回の面談で生活の状況を確認する", "self_reliance", "", "月1回"),
    ("就労支援員と求職活動を進める", "employment_worker", "", "週1回"),
    ("就労準備支援事業で生活リズムを整える", "work_preparation", "つなぐ町社会福祉協議会", "週3回"),
    ("住居確保給付金を申請し、家賃を確保する", "housing_benefit", "つなぐ町福祉課", "月1回"),
    ("家計改善支援事業で家計を見直す", "household_budget", "つなぐ町社会福祉協議会", "月2回"),
    ("ハローワークで職業相談を受ける", "hello_work", "ハローワーク", "週1回"),
    ("生活福祉資金の貸付を申し込む", "welfare_fund", "つなぐ町社会福祉協議会", ""),
]
AIMS = ["自分の収入で安心して暮らす", "借金を整理して生活を立て直す", "自分に合った仕事に就く",
        "体調を整え、無理のない範囲で働く", "子どもと安定した生活を送る"]
GOALS = ["生活リズムを整える", "家計の収支を把握する", "ハローワークで求職活動を始める",
         "家賃の滞納を解消する", "週3日のアルバイトを続ける", "債務整理の手続きを終える"]
PARTICIPANTS = [Participant("町 一郎", "つなぐ町福祉課"), Participant("主任 一美", "自立相談支援センター"),
                Participant("相談 花子", "自立相談支援センター"),
                Participant("社協 三郎", "つなぐ町社会福祉協議会")]
MEETING_CAP = 100   # items one meeting can discuss; more go to another session
CHUNK = 3000        # operations per transaction
BULK_CHUNK = 30000  # … when building a whole desk (Store.bulk_load: the cache holds them)


def _meeting_day(year: int, month: int) -> date:
    """定例の支援調整会議: the third Wednesday of the month (a business day before it if not)."""
    d = date(year, month, 15)
    d += timedelta(days=(2 - d.weekday()) % 7)
    return P.previous_business_day(d)


class _Case:
    __slots__ = ("id", "received", "gen", "_plan", "cycles", "closed", "fate", "started",
                 "period_to", "employment", "records")

    def __init__(self, case_id: str, received: date, fate: str, records: int):
        self.id, self.received, self.fate, self.records = case_id, received, fate, records
        self.gen = 0            # bumped to cancel the monitoring/evaluation scheduled so far
        self._plan: Plan | None = None
        self.cycles = 0
        self.closed = False
        self.started = False
        self.period_to = received
        self.employment = False

    @property
    def has_plan(self) -> bool:
        return self._plan is not None

    @property
    def plan(self) -> Plan:
        """The plan being drafted, waiting or in effect (every step after the draft has one)."""
        assert self._plan is not None, "no plan drafted yet"
        return self._plan

    @plan.setter
    def plan(self, plan: Plan) -> None:
        self._plan = plan


def _subject(item: AgendaItem) -> str:
    """The plan, evaluation … an agenda item is about (every demo item has one)."""
    assert item.subject_id is not None, "a demo agenda item always has a subject"
    return item.subject_id


class _Simulation:
    """Takes the demo cases through the process in date order: every step a Desk operation,
    meetings once a month pulling in all waiting items, everything dated before ``end``."""

    def __init__(self, desk: Desk, rng: random.Random, end: date, records_per_case: int):
        self.desk, self.rng, self.end = desk, rng, end
        self.records_per_case = records_per_case
        self.queue: list = []
        self.seq = 0
        self.meetings: dict[tuple[int, int], list[list]] = {}   # month -> [[id, on, n]]
        self.subjects: dict[str, tuple] = {}                     # agenda subject -> (case, kind, …)
        self.ops = 0

    # -- plumbing ----------------------------------------------------------------------
    def at(self, on: date, fn, *args, prio: int = 0) -> None:
        if on <= self.end:
            self.seq += 1
            heapq.heappush(self.queue, (on, prio, self.seq, fn, args))

    def days(self, a: int, b: int) -> timedelta:
        return timedelta(days=self.rng.randint(a, b))

    def meeting_after(self, on: date) -> tuple[str, date]:
        """The first meeting after ``on`` with room on its agenda (planned when needed)."""
        y, m = on.year, on.month
        if on >= _meeting_day(y, m) - timedelta(days=1):
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        month = self.meetings.setdefault((y, m), [])
        for entry in month:
            if entry[2] < MEETING_CAP and entry[1] > on:
                entry[2] += 1
                return entry[0], entry[1]
        held_on = _meeting_day(y, m)
        if held_on <= on:                 # an item too late for this month's meeting
            held_on = on + timedelta(days=1)
            while not P.is_business_day(held_on):
                held_on += timedelta(days=1)
        # a big desk splits the month's agenda over sessions the same day (部会)
        meeting = self.desk.process.plan_meeting(held_on, MeetingKind.REGULAR,
                                         place=f"役場2階 第{len(month) + 1}会議室",
                                         participants=PARTICIPANTS)
        self.ops += 1
        month.append([meeting.id, held_on, 1])
        self.at(held_on, self.hold, meeting.id, prio=1)
        return meeting.id, held_on

    def run(self, progress=None, total: int = 0, chunk: int = CHUNK) -> None:
        batch = self.desk.batch()
        batch.__enter__()
        try:
            intakes = 0
            while self.queue:
                on, _prio, _seq, fn, args = heapq.heappop(self.queue)
                if fn == self.intake:
                    intakes += 1
                fn(on, *args)
                self.ops += 1
                if self.ops >= chunk:
                    batch.__exit__(None, None, None)
                    self.ops = 0
                    if progress:
                        progress(intakes, total)
                    batch = self.desk.batch()
                    batch.__enter__()
        except BaseException as e:
            batch.__exit__(type(e), e, e.__traceback__)
            raise
        batch.__exit__(None, None, None)
        if progress:
            progress(total, total)

    # -- 相談受付, アセスメント, スクリーニング, つなぎ ------------------------------------------
    def intake(self, on: date, data: IntakeInput, process: bool = True) -> None:
        rng, desk = self.rng, self.desk
        detail = desk.register_intake(data)
        if not process:
            return
        r = rng.random()
        fate = ("suspend_resume" if r < 0.04 else "suspend_close" if r < 0.09
                else "moved_away" if r < 0.11 else "normal")
        triage = data.triage
        assert triage is not None, "a demo intake always has a triage"
        k = self.records_per_case
        count = (max(1, round(rng.gauss(k * 2.3, k * 0.5))) if triage is Triage.CONTINUE
                 else rng.randint(1, max(1, k // 3)))
        c = _Case(detail.case.id, on, fate, count)
        span = 420 if triage is Triage.CONTINUE else 30
        for i in range(count):
            day = on + timedelta(days=int(span * (i + rng.random()) / count))
            self.at(day, self.record, c)
        if data.emergency_needed and any(a in ("housing_benefit", "temporary_living")
                                         for a in data.emergency_actions):
            self.at(on + self.days(3, 20), self.emergency_done, c)
        if triage is Triage.CONTINUE:
            self.at(on + self.days(2, 14), self.assess, c, False)
        elif triage is Triage.REFER and rng.random() < 0.9:
            self.at((data.check_on or on) + self.days(0, 5), self.check_referral, c)

    def emergency_done(self, on: date, c: _Case) -> None:
        for row in self.desk.process.emergency_support(c.id):
            if row.procedure == "pending":
                self.desk.process.complete_emergency_procedure(row.id, on)

    def assess(self, on: date, c: _Case, again: bool) -> None:
        rng = self.rng
        analysis, problems, strengths, wishes = rng.choice(ANALYSES)
        domains = dict(rng.sample(sorted(DOMAINS.items()), rng.randint(2, 4)))
        self.desk.process.save_assessment(c.id, AssessmentInput(
            assessed_on=on, domains=domains, problems=problems, analysis=analysis,
            strengths=strengths, wishes=wishes,
            reason="目標が達成できず、状況を改めて把握する" if c.has_plan else ""))
        if c.has_plan:            # re-assessment after a failed plan: re-plan next
            self.at(on + self.days(3, 10), self.draft, c)
            return
        r = 1.0 if again else rng.random()
        if r < 0.05:
            check_on = on + timedelta(days=14)
            self.desk.process.screen(c.id, ScreeningResult.REFER, on, referral_to=rng.choice(REFER_TO),
                             accompanied=rng.random() < 0.5, check_on=check_on)
            self.at(check_on + self.days(0, 5), self.check_referral, c)
        elif r < 0.10:
            self.desk.process.screen(c.id, ScreeningResult.INFO_ONLY, on,
                             note="制度の情報を提供し、本人が自分で手続きできることを確認した")
        else:
            self.desk.process.screen(c.id, ScreeningResult.CONTINUE, on, reported_on=on)
            self.at(on + self.days(3, 14), self.draft, c)

    def check_referral(self, on: date, c: _Case) -> None:
        rng = self.rng
        ref = next((r for r in self.desk.process.referrals(c.id) if r.checked_on is None), None)
        if ref is None:
            return
        arrived = rng.random() < 0.85
        self.desk.process.check_referral(ref.id, max(on, ref.referred_on), arrived,
                                 note="つなぎ先で相談が始まったことを確認" if arrived
                                 else "つなぎ先に来ていないことを確認")
        if not arrived and rng.random() < 0.6:
            self.desk.process.take_back(ref.id, on, "本人に電話し、当機関で継続支援とした")
            self.at(on + self.days(3, 10), self.assess, c, True)

    # -- プラン, 支援調整会議, 支援決定, サービス開始 --------------------------------------------
    def plan_input(self, on: date, meeting_on: date) -> PlanInput:
        rng = self.rng
        items = [ITEMS[0]] + rng.sample(ITEMS[1:], rng.choice((0, 1, 1, 2)))
        months = 6 if rng.random() < 0.8 else 3
        period_to = P._add_months(meeting_on, months)
        return PlanInput(
            aim=rng.choice(AIMS),
            goals=[Goal(g, period_to) for g in rng.sample(GOALS, rng.randint(1, 2))],
            items=[PlanItem(what, key, provider, frequency=freq) for what, key, provider, freq
                   in items],
            period_from=meeting_on, period_to=period_to, signed_on=on,
            created_on=on)   # drafted that day (without it: the day the demo was built)

    def draft(self, on: date, c: _Case) -> None:
        if c.closed:
            return
        meeting_id, held_on = self.meeting_after(on)
        data = self.plan_input(on, held_on)
        plan = self.desk.process.draft_plan(c.id, data)
        self.desk.process.submit_plan(plan.id, meeting_id)
        c.plan, c.cycles, c.started = plan, c.cycles + 1, False
        assert data.period_to is not None  # plan_input always sets the period
        c.period_to = data.period_to
        c.employment = any(i.service_key in ("employment_worker", "work_preparation",
                                             "hello_work") for i in plan.items)
        self.subjects[plan.id] = (c, "plan")

    def redraft(self, on: date, c: _Case) -> None:
        """再検討: the plan is reworked with the person and goes to the next meeting."""
        meeting_id, _ = self.meeting_after(on)
        plan = c.plan
        data = PlanInput(aim=plan.aim, goals=[Goal(g.text + "（具体的な手順を追加）", g.target_on)
                                              for g in plan.goals],
                         items=[PlanItem(i.what, i.service_key, i.provider,
                                         frequency=i.frequency, id=i.id) for i in plan.items],
                         period_from=plan.period_from, period_to=plan.period_to,
                         signed_on=on)
        plan = self.desk.process.update_plan(plan.id, data)
        self.desk.process.submit_plan(plan.id, meeting_id)
        c.plan = plan
        self.subjects[plan.id] = (c, "plan")

    def hold(self, on: date, meeting_id: str) -> None:
        rng = self.rng
        items = self.desk.process.pending_agenda(meeting_id)
        results: dict[str, tuple[MeetingResult, str]] = {}
        subject_of = {item.id: _subject(item) for item in items}
        for item in items:
            kind = self.subjects[subject_of[item.id]][1]
            r = rng.random()
            if kind == "plan" and r < 0.05:
                results[item.id] = (MeetingResult.RECONSIDER, "目標をもっと具体的に")
            elif r < 0.15:
                results[item.id] = (MeetingResult.APPROVED_WITH_CHANGES, rng.choice(
                    ["面談を月2回に増やす", "家計改善支援を追加する", "次回会議で経過を報告する"]))
            else:
                results[item.id] = (MeetingResult.APPROVED, "")
        counts: dict[str, int] = {}
        for item in items:
            counts[item.kind.label] = counts.get(item.kind.label, 0) + 1
        minutes = "議題 " + "、".join(f"{k} {n}件" for k, n in counts.items()) + \
            "。各ケースの支援方針と役割分担を確認した。"
        # dict(): the operation's mapping also takes the result's text (a dict is invariant)
        self.desk.process.record_meeting_results(meeting_id, dict(results), minutes)
        for item in items:
            c, kind, *extra = self.subjects.pop(subject_of[item.id])
            result = results[item.id][0]
            getattr(self, "after_" + kind)(on, c, result, *extra)

    def after_plan(self, on: date, c: _Case, result: MeetingResult) -> None:
        if not result.takes_effect:
            self.at(on + self.days(5, 15), self.redraft, c)
            return
        c.gen += 1
        statutory = [i for i in c.plan.items if i.decision == "required"]
        for item in c.plan.items:
            if item.decision != "required":
                self.at(on + self.days(1, 7), self.start, c, item.id, c.gen)
        for key in sorted({i.service_key for i in statutory}):
            self.at(on + self.days(2, 10), self.decide, c, key, c.gen)
        self.at(max(c.period_to, on + timedelta(days=60)), self.evaluate, c, c.gen)
        if c.fate in ("suspend_resume", "suspend_close") and c.cycles == 1:
            self.at(on + self.days(45, 120), self.lose_contact, c, c.gen)
        elif c.fate == "moved_away" and c.cycles == 1:
            self.at(on + self.days(45, 120), self.moved_away, c, c.gen)

    def decide(self, on: date, c: _Case, key: str, gen: int) -> None:
        if gen != c.gen:
            return
        granted = self.rng.random() < 0.97
        self.desk.process.record_decision(c.plan.id, key, on, "町 一郎",
                                  DecisionResult.APPROVED if granted else
                                  DecisionResult.REFUSED,
                                  "" if granted else "収入要件を満たさない")
        if granted:
            for item in c.plan.items:
                if item.service_key == key:
                    self.at(on + self.days(1, 10), self.start, c, item.id, gen)

    def start(self, on: date, c: _Case, item_id: str, gen: int) -> None:
        if gen != c.gen:
            return
        self.desk.process.start_service(item_id, on)
        if not c.started:
            c.started = True
            self.at(P.first_monitoring_date(on), self.monitor, c, gen,
                    MonitoringKind.AFTER_START)

    # -- モニタリング, 評価, 終結 --------------------------------------------------------------
    def monitor(self, on: date, c: _Case, gen: int, kind: MonitoringKind) -> None:
        if gen != c.gen:
            return
        rng = self.rng
        self.desk.process.add_monitoring(c.id, MonitoringInput(
            on, kind, method=rng.choice(["面談（来所）", "訪問", "電話", "関係機関からの情報"]),
            change=rng.choice(["生活リズムが整ってきた", "求職活動に前向きになった",
                               "家計簿をつけ始めた", "体調が安定している", "大きな変化はない"]),
            satisfaction=rng.choice(["満足", "おおむね満足", "不安が残る"])))
        nxt = P.next_monitoring_date(on)
        if nxt < c.period_to:
            self.at(nxt, self.monitor, c, gen, MonitoringKind.REGULAR)

    def evaluate(self, on: date, c: _Case, gen: int) -> None:
        if gen != c.gen or c.closed:
            return
        rng = self.rng
        c.gen += 1
        r = rng.random()
        if c.cycles >= 3 or r < 0.45:
            decision = EvaluationDecision.CLOSE
        elif r < 0.75:
            decision = EvaluationDecision.REPLAN
        elif r < 0.9:
            decision = EvaluationDecision.REASSESS
        else:
            decision = EvaluationDecision.CONTINUE
        met = {EvaluationDecision.CLOSE: Attainment.MET, EvaluationDecision.REPLAN:
               Attainment.MET, EvaluationDecision.REASSESS: Attainment.NOT_MET,
               EvaluationDecision.CONTINUE: Attainment.PARTLY}[decision]
        employed = c.employment and met is Attainment.MET and rng.random() < 0.5
        meeting_id, _ = self.meeting_after(on)
        row = self.desk.process.evaluate(c.id, EvaluationInput(
            on, [(g.text, met) for g in c.plan.goals], decision,
            support_delivered="面談、同行支援、関係機関との連絡調整",
            employed_on=on - self.days(7, 60) if employed else None,
            income_increased_on=on - self.days(7, 30) if employed and rng.random() < 0.6
            else None,
            motivation=rng.random() < 0.6, relationships=rng.random() < 0.4,
            participation=rng.random() < 0.3, hardship=rng.random() < 0.5,
            note="" if met is Attainment.MET else "体調を崩し、計画どおりに進まなかった"),
            meeting_id)
        self.subjects[row] = (c, "evaluation", decision)
        if decision is EvaluationDecision.CLOSE:
            resolved = rng.random() < 0.6
            closure = self.desk.process.propose_closure(c.id, ClosureInput(
                on, ClosurePattern.RESOLVED if resolved else ClosurePattern.STEP_BACK,
                "就労により生活が安定し、自立の目途が立った" if resolved
                else "大きな課題は解決し、専門機関の支援で生活できる",
                intention="もう大丈夫です。困ったらまた相談します", intention_how="面談",
                intention_on=on, followup_plan="3か月後に担当が電話で様子を確認"), meeting_id)
            # decided with the evaluation (no agenda item of its own): see after_evaluation
            assert closure

    def after_evaluation(self, on: date, c: _Case, result: MeetingResult,
                         decision: EvaluationDecision) -> None:
        if decision is EvaluationDecision.CLOSE:
            if result.takes_effect:     # the 終結 proposed with it is confirmed with it
                self.after_closure(on, c, result)
        elif decision is EvaluationDecision.REPLAN:
            self.at(on + self.days(3, 14), self.draft, c)
        elif decision is EvaluationDecision.REASSESS:
            self.at(on + self.days(7, 30), self.assess, c, True)
        elif decision is EvaluationDecision.CONTINUE:
            c.period_to = P._add_months(on, 3)
            self.at(on + self.days(5, 20), self.monitor, c, c.gen, MonitoringKind.REGULAR)
            self.at(c.period_to, self.evaluate, c, c.gen)

    def after_closure(self, on: date, c: _Case, result: MeetingResult) -> None:
        c.closed = True
        c.gen += 1
        if c.fate == "normal" and self.rng.random() < 0.6:
            self.at(on + self.days(60, 150), self.followup, c)

    def followup(self, on: date, c: _Case) -> None:
        self.desk.process.add_followup(c.id, on, self.rng.choice([
            "仕事を続けている。生活も安定しているとのこと", "家計簿を続けており、滞納はない",
            "体調を崩したが、通院しながら生活できている"]), method="電話", contact_person="本人")

    # -- 中断, 再開, 終結(3) -------------------------------------------------------------------
    def lose_contact(self, on: date, c: _Case, gen: int) -> None:
        if gen != c.gen:
            return
        c.gen += 1            # monitoring and evaluation stop
        desk = self.desk
        first = on
        for method, note in ((ContactMethod.PHONE, "電話に出ない"),
                             (ContactMethod.NOTE_AT_HOME, "自宅に連絡票を置いた"),
                             (ContactMethod.ACQUAINTANCE,
                              "民生委員に様子を聞いたが、最近見かけないとのこと")):
            if on > self.end:
                return
            desk.process.add_contact_attempt(c.id, on, method, note=note)
            on += self.days(3, 10)
        # 中断 only after trying by two means or more over the desk's set number of days
        on = max(on - self.days(1, 2), first + timedelta(
            days=desk.process.process_settings().suspension_days))
        if on > self.end:
            return
        meeting_id, _ = self.meeting_after(on)
        row = desk.process.propose_suspension(c.id, on, "完全に連絡が取れない", meeting_id)
        self.subjects[row] = (c, "suspension")

    def after_suspension(self, on: date, c: _Case, result: MeetingResult) -> None:
        if c.fate == "suspend_resume":
            self.at(on + self.days(30, 120), self.resume, c)
        else:
            self.at(on + self.days(90, 200), self.close_lost, c, ClosureGrounds.SUSPENSION)

    def resume(self, on: date, c: _Case) -> None:
        self.desk.process.resume(c.id, on, "本人から電話があり、面談を再開した")
        c.gen += 1
        c.period_to = max(c.period_to, on + timedelta(days=90))
        self.at(P.first_monitoring_date(on), self.monitor, c, c.gen, MonitoringKind.AD_HOC)
        self.at(c.period_to, self.evaluate, c, c.gen)

    def moved_away(self, on: date, c: _Case, gen: int) -> None:
        if gen != c.gen:
            return
        c.gen += 1
        self.desk.process.add_contact_attempt(c.id, on, ContactMethod.VISIT, ContactOutcome.MOVED_AWAY,
                                      "アパートは空室。転居先不明")
        self.at(on + self.days(1, 7), self.close_lost, c, ClosureGrounds.MOVED_AWAY)

    def close_lost(self, on: date, c: _Case, grounds: ClosureGrounds) -> None:
        meeting_id, _ = self.meeting_after(on)
        row = self.desk.process.propose_closure(c.id, ClosureInput(
            on, ClosurePattern.CONTACT_LOST, "中断後、再開のめどがたたない"
            if grounds is ClosureGrounds.SUSPENSION else "行き先を知らせずに転居",
            grounds=grounds), meeting_id)
        self.subjects[row] = (c, "closure")

    # -- 支援経過記録 ---------------------------------------------------------------------------
    def record(self, on: date, c: _Case) -> None:
        if c.closed:
            return
        rng = self.rng
        method, content, nxt, person = rng.choice(RECORDS)
        at = datetime(on.year, on.month, on.day, rng.randint(9, 16), rng.choice((0, 15, 30, 45)))
        self.desk.process.add_record(c.id, at, method, content, contact_person=person, next_action=nxt,
                             staff=rng.choice(STAFF))


def fill(desk: Desk, cases: int, *, seed: int = 20261126, end: date | None = None,
         days: int = 730, records_per_case: int = 10, process_share: float = 1.0,
         progress=None, bulk: bool = True) -> None:
    """Add ``cases`` synthetic intakes spread over the ``days`` before ``end`` and take them
    through the process (assessment … 終結, about ``records_per_case`` 支援経過記録 each).
    ``process_share`` < 1 leaves the other cases at their intake (quicker huge desks).
    Deterministic for a seed; committed in transactions of a few thousand operations, or
    with ``bulk`` (a desk nobody else is using) tens of thousands under Store.bulk_load —
    the same Desk operations either way."""
    rng = random.Random(seed)
    end = end or desk.today()
    start = end - timedelta(days=days)
    dates = sorted(start + timedelta(days=rng.randint(0, days)) for _ in range(cases))
    sim = _Simulation(desk, random.Random(seed + 1), end, records_per_case)
    share = random.Random(seed + 2)
    for received_on in dates:
        sim.at(received_on, sim.intake, demo_intake(rng, desk, received_on),
               share.random() < process_share, prio=-1)
    if not bulk:
        sim.run(progress, cases)
        return
    with desk.store.bulk_load():
        sim.run(progress, cases, BULK_CHUNK)


def create_demo(path: str | Path, cases: int = 200, *, kdf: KdfParams | None = None,
                progress=None, records_per_case: int = 10,
                process_share: float = 1.0) -> tuple[str, str]:
    """A new desk at ``path`` filled with ``cases`` synthetic cases taken through the
    process. Returns (login, password)."""
    password = "demo-" + secrets.token_urlsafe(9)
    desk, _recovery = Desk.create(
        path, agency_name="つなぐ町 自立相談支援センター（デモ）", municipality="つなぐ町",
        population=8200, admin_login="demo", admin_name="デモ 相談員", password=password,
        kdf=kdf)
    try:
        fill(desk, cases, records_per_case=records_per_case, process_share=process_share,
             progress=progress)
    finally:
        desk.close()
    return "demo", password
