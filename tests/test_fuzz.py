"""Bad input everywhere: random text into every intake field never crashes the core and
never writes half an intake; every name the core accepts comes back exactly."""

from __future__ import annotations

import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.desk import Desk
from app.errors import TsunaguError, ValidationErrors
from app.text_ja import parse_date
from tests.conftest import LOGIN, PASSWORD, make_intake

EXAMPLES = 1000 if os.environ.get("TSUNAGU_LONG") else 80

nasty = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=20),  # incl. surrogates
    st.sampled_from(["", " ", "\u3000", "𠮷田", "髙橋", "山﨑", "葛\U000E0100城", "か\u3099",
                     "ﾀｶﾊｼ ﾀﾛｳ", "\x00", "\ud800", "a" * 5000, "名" * 101, "‮逆向き",
                     "<b>&amp;</b>", "Robert'); DROP TABLE person;--"]),
)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=nasty, kana=nasty, address=nasty, phone=nasty, consultation=nasty)
def test_random_intake_text_is_accepted_exactly_or_refused_whole(desk, name, kana, address,
                                                                  phone, consultation):
    data = make_intake(name=name, kana=kana)
    data.person.address = address
    data.person.phone_home = phone
    data.consultation = consultation
    conn = desk.store.conn
    before = conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    try:
        detail = desk.register_intake(data)
    except ValidationErrors as err:
        assert err.errors and all(e.message for e in err.errors)
        assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == before
        return
    again = desk.get_case(detail.case.id)
    assert again.person.name == name.strip()       # exact round trip (only outer space trimmed)
    assert again.person.address == address.strip()
    assert name.strip() and "\x00" not in name


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(st.one_of(st.text(max_size=30), st.from_regex(r"[MTSHR令平昭]\d{1,2}[./年]\d{1,2}[./月]\d{1,2}日?"),
                 st.from_regex(r"\d{4}[/-]\d{1,2}[/-]\d{1,2}")))
def test_date_parser_never_crashes(text):
    try:
        d = parse_date(text)
    except TsunaguError as err:
        assert str(err)
        return
    assert isinstance(d, date)


def test_desk_reopens_after_fuzzing(desk_path):
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        desk.maintenance.check_integrity()
