"""Synthetic desks for demos and benchmarks: realistic names (rare kanji too), every route
and triage result. Every case goes through the same Desk operations as real input."""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from pathlib import Path

from app.desk import Desk
from app.domain import EmergencyAction, IntakeInput, PersonInput, Route, Sex, Triage, Visitor
from app.domain.intake import HOUSING_STATUSES, TOPIC_KEYS, WORK_STATUSES
from app.security.keyslots import KdfParams

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


def fill(desk: Desk, cases: int, *, seed: int = 20261126, end: date | None = None,
         days: int = 730, batch: int = 2000, progress=None) -> None:
    """Add ``cases`` synthetic intakes spread over the ``days`` before ``end``."""
    rng = random.Random(seed)
    end = end or desk.today()
    start = end - timedelta(days=days)
    dates = sorted(start + timedelta(days=rng.randint(0, days)) for _ in range(cases))
    for i in range(0, cases, batch):
        with desk.batch():
            for received_on in dates[i:i + batch]:
                desk.register_intake(demo_intake(rng, desk, received_on))
        if progress:
            progress(min(i + batch, cases), cases)


def create_demo(path: str | Path, cases: int = 200, *, kdf: KdfParams | None = None,
                progress=None) -> tuple[str, str]:
    """A new desk at ``path`` filled with ``cases`` synthetic cases. Returns (login, password)."""
    password = "demo-" + secrets.token_urlsafe(9)
    desk, _recovery = Desk.create(
        path, agency_name="つなぐ町 自立相談支援センター（デモ）", municipality="つなぐ町",
        population=8200, admin_login="demo", admin_name="デモ 相談員", password=password,
        kdf=kdf)
    try:
        fill(desk, cases, progress=progress)
    finally:
        desk.close()
    return "demo", password
