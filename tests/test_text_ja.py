"""Tests of app/text_ja.py: kana, variant folding, search keys, 和暦, date parsing, age."""

from __future__ import annotations

import ast
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent

from app import text_ja  # noqa: E402
from app.errors import ValidationError
from app.i18n import _catalog
from app.text_ja import (
    ERAS,
    age_on,
    coerce_date,
    era_of,
    fiscal_year,
    fold_for_search,
    fold_variants,
    format_date_ja,
    format_seireki,
    format_wareki,
    format_wareki_year,
    is_kana,
    nfkc,
    normalize_kana,
    parse_date,
    strip_variation_selectors,
    to_hiragana,
    to_katakana,
)


# ---------------------------------------------------------------- kana


def test_nfkc_widths():
    assert nfkc("ＡＢＣ１２３") == "ABC123"
    assert nfkc("ﾀｶﾊｼ") == "タカハシ"
    assert nfkc("\u3000") == " "


@pytest.mark.parametrize(
    "text, hira, kata",
    [
        ("ﾀｶﾊｼ", "たかはし", "タカハシ"),
        ("タカハシ", "たかはし", "タカハシ"),
        ("たかはし", "たかはし", "タカハシ"),
        ("ｶﾞｯｺｳ", "がっこう", "ガッコウ"),
        ("ﾊﾟﾝ", "ぱん", "パン"),
        ("ｺｰﾋｰ", "こーひー", "コーヒー"),
        ("スズキ　イチロー", "すずき　いちろー", "スズキ　イチロー"),
        ("山田ﾀﾛｳ", "山田たろう", "山田タロウ"),
    ],
)
def test_to_hiragana_and_katakana(text, hira, kata):
    assert to_hiragana(text) == hira
    assert to_katakana(text) == kata


def test_normalize_kana():
    assert normalize_kana("  ﾀｶﾊｼ\u3000\u3000ﾀﾛｳ ") == "たかはし たろう"
    assert normalize_kana("ヤマダ　　 ハナコ") == "やまだ はなこ"
    assert normalize_kana("ｶﾞ") == "が"
    assert normalize_kana("か\u3099") == "が"  # combining voiced mark composed by NFKC
    assert normalize_kana("コーヒー") == "こーひー"
    assert normalize_kana("") == ""


@pytest.mark.parametrize(
    "text", ["たかはし", "タカハシ", "ﾀｶﾊｼ", "ｶﾞｯｺｳ", "こーひー", "やまだ はなこ",
             "ヤマダ\u3000ハナコ", "マリア・ガルシア", "ﾏﾘｱ･ｶﾞﾙｼｱ", "か\u3099"],
)
def test_is_kana_accepts(text):
    assert is_kana(text)


@pytest.mark.parametrize("text", ["", "   ", "田中", "tanaka", "たなか1", "たなか!", "やまだ太郎"])
def test_is_kana_refuses(text):
    assert not is_kana(text)


# ---------------------------------------------------------------- variants


def test_variant_table_file_is_well_formed():
    path = ROOT / "resources" / "master" / "variants.tsv"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        variant, standard = line.split("\t")
        assert len(variant) == 1 and len(standard) == 1, line
        rows.append((variant, standard))
    assert 40 <= len(rows) <= 120
    assert len({v for v, _s in rows}) == len(rows), "a variant is listed twice"


@pytest.mark.parametrize(
    "written, folded",
    [
        ("髙橋", "高橋"),
        ("𠮷田", "吉田"),
        ("渡邉", "渡辺"),
        ("渡邊", "渡辺"),
        ("齋藤", "斎藤"),
        ("齊藤", "斎藤"),
        ("山﨑", "山崎"),
        ("山嵜", "山崎"),
        ("濵田", "浜田"),
        ("濱田", "浜田"),
        ("德川", "徳川"),
        ("桒原", "桑原"),
        ("\uf9dc", "\u9686"),  # 隆 compatibility ideograph
        ("澤田", "沢田"),
        ("廣瀨", "広瀬"),
        ("國分", "国分"),
        ("櫻井", "桜井"),
        ("眞鍋", "真鍋"),
        ("惠美", "恵美"),
        ("冨田", "富田"),
        ("槇原", "槙原"),
        ("舘野", "館野"),
        ("曻平", "昇平"),
        ("葛\U000E0100城", "葛城"),  # ideographic variation selector removed
        ("邉\ufe00", "辺"),
        ("高橋", "高橋"),
        ("たかはし", "たかはし"),
    ],
)
def test_fold_variants(written, folded):
    assert fold_variants(written) == folded


def test_strip_variation_selectors():
    assert strip_variation_selectors("葛\U000E0100城\U000E01EF\ufe0f") == "葛城"


@pytest.fixture
def variant_dir(tmp_path, monkeypatch):
    """Point the variant table at a temporary master folder; the real one comes back after."""
    master = tmp_path / "master"
    master.mkdir()
    with monkeypatch.context() as patch:
        patch.setattr(text_ja, "master_dir", lambda: master)
        text_ja._variant_translation.cache_clear()
        try:
            yield master
        finally:
            text_ja._variant_translation.cache_clear()


def test_variant_table_is_editable(variant_dir):
    (variant_dir / "variants.tsv").write_text(
        "\ufeff# comment\n\n髙\t高\n壱\t一\nbad line\n長い\t長\nA\tB\tC\n弌\t壱\n",
        encoding="utf-8",
    )
    assert fold_variants("髙") == "高"
    assert fold_variants("壱") == "一"
    assert fold_variants("弌") == "一"  # chain 弌→壱→一 resolved
    assert fold_variants("長い") == "長い"  # malformed lines ignored
    assert fold_variants("邊") == "邊"  # not in this table


def test_missing_variant_table_only_disables_table(variant_dir):
    assert fold_variants("髙\uf9dc") == "髙\u9686"


def test_real_variant_table_back_after_override():
    assert fold_variants("邊") == "辺"


# ---------------------------------------------------------------- search keys


def test_fold_for_search_kana_equal():
    assert fold_for_search("ﾀｶﾊｼ") == fold_for_search("タカハシ") == fold_for_search("たかはし")
    assert fold_for_search("ﾀｶﾊｼ") == "たかはし"


@pytest.mark.parametrize(
    "a, b",
    [
        ("髙橋", "高橋"),
        ("渡邉 太郎", "渡辺太郎"),
        ("齋藤\u3000花子", "斎藤花子"),
        ("𠮷田", "吉田"),
        ("マリア・ガルシア", "まりあがるしあ"),
        ("ＴＡＮＡＫＡ", "tanaka"),
        ("Straße", "STRASSE"),
        ("ｶﾞｯｺｳ", "がっこう"),
        ("か\u3099", "が"),
        ("か゛", "が"),  # spacing voiced mark: NFKC gives space + combining mark
        ("葛\U000E0100城", "葛城"),
    ],
)
def test_fold_for_search_equivalents(a, b):
    assert fold_for_search(a) == fold_for_search(b)


def test_fold_for_search_values():
    assert fold_for_search("髙橋") == "高橋"
    assert fold_for_search(" 山田　タロウ ") == "山田たろう"
    assert fold_for_search("") == ""


@given(st.text(max_size=40))
@settings(max_examples=400)
def test_fold_for_search_idempotent(text):
    once = fold_for_search(text)
    assert fold_for_search(once) == once


_JA_CHARS = st.sampled_from(
    list("あいうかがぱアイウカガパｱｶﾞﾊﾟｰー・ 　高髙崎﨑邉邊辺斎齋齊吉𠮷田中\u3099\u309b\U000E0100\ufe00")
)


@given(st.text(_JA_CHARS, max_size=20))
def test_fold_for_search_idempotent_japanese(text):
    once = fold_for_search(text)
    assert fold_for_search(once) == once
    assert " " not in once and "\u3000" not in once and "・" not in once


# ---------------------------------------------------------------- 和暦 format


@pytest.mark.parametrize(
    "d, long, short",
    [
        (date(2026, 4, 1), "令和8年4月1日", "R8.4.1"),
        (date(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
        (date(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
        (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
        (date(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
        (date(1926, 12, 24), "大正15年12月24日", "T15.12.24"),
        (date(1926, 12, 25), "昭和元年12月25日", "S1.12.25"),
        (date(1912, 7, 29), "明治45年7月29日", "M45.7.29"),
        (date(1912, 7, 30), "大正元年7月30日", "T1.7.30"),
        (date(1980, 3, 2), "昭和55年3月2日", "S55.3.2"),
        (date(1868, 10, 23), "明治元年10月23日", "M1.10.23"),
    ],
)
def test_format_wareki(d, long, short):
    assert format_wareki(d) == long
    assert format_wareki(d, "long") == long
    assert format_wareki(d, style="short") == short


def test_format_wareki_year_and_others():
    assert format_wareki_year(date(2026, 4, 1)) == "令和8年"
    assert format_wareki_year(date(2019, 12, 31)) == "令和元年"
    assert format_wareki_year(date(2019, 1, 1)) == "平成31年"
    assert format_seireki(date(2026, 4, 1)) == "2026年4月1日"
    assert format_date_ja(date(2026, 4, 1)) == "令和8年4月1日（2026年）"
    assert format_date_ja(date(2026, 4, 1), with_wareki=False) == "2026年4月1日"
    assert format_date_ja(date(1800, 1, 2)) == "1800年1月2日"
    assert format_wareki(datetime(2026, 4, 1, 13, 5)) == "令和8年4月1日"


def test_format_wareki_refuses_bad_input():
    with pytest.raises(ValueError):
        format_wareki(date(1868, 10, 22))
    with pytest.raises(ValueError):
        format_wareki(date(2026, 4, 1), style="medium")


def test_era_table_is_contiguous():
    for earlier, later in zip(ERAS, ERAS[1:]):
        assert earlier.end is not None
        assert earlier.end + timedelta(days=1) == later.start
    assert ERAS[-1].name == "令和" and ERAS[-1].end is None
    assert era_of(date(2019, 4, 30)).name == "平成"
    assert era_of(date(2019, 5, 1)).letter == "R"


# ---------------------------------------------------------------- parse


LEDGER_FORMS = [
    ("2026/4/1", date(2026, 4, 1)),
    ("2026-04-01", date(2026, 4, 1)),
    ("2026年4月1日", date(2026, 4, 1)),
    ("R8.4.1", date(2026, 4, 1)),
    ("R8/4/1", date(2026, 4, 1)),
    ("令和8年4月1日", date(2026, 4, 1)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("H31.4.30", date(2019, 4, 30)),
    ("S55.3.2", date(1980, 3, 2)),
]

OTHER_FORMS = [
    ("r8.4.1", date(2026, 4, 1)),
    ("h31.4.30", date(2019, 4, 30)),
    ("s55.3.2", date(1980, 3, 2)),
    ("２０２６/４/１", date(2026, 4, 1)),
    ("２０２６年４月１日", date(2026, 4, 1)),
    ("Ｒ８．４．１", date(2026, 4, 1)),
    ("2026.4.1", date(2026, 4, 1)),
    ("20260401", date(2026, 4, 1)),
    ("  2026/4/1\u3000", date(2026, 4, 1)),
    ("令和 8年 4月 1日", date(2026, 4, 1)),
    ("令和8年4月1", date(2026, 4, 1)),
    ("R8年4月1日", date(2026, 4, 1)),
    ("R08.04.01", date(2026, 4, 1)),
    ("R元.5.1", date(2019, 5, 1)),
    ("R1-5-1", date(2019, 5, 1)),
    ("令8.4.1", date(2026, 4, 1)),
    ("平成元年1月8日", date(1989, 1, 8)),
    ("昭和64年1月7日", date(1989, 1, 7)),
    ("T1.7.30", date(1912, 7, 30)),
    ("M45.7.29", date(1912, 7, 29)),
    ("㍻31年4月30日", date(2019, 4, 30)),  # squared era sign, NFKC
    ("㋿元年5月1日", date(2019, 5, 1)),
    ("2026/4/1 0:00:00", date(2026, 4, 1)),  # CSV written from a datetime cell
    ("2024/2/29", date(2024, 2, 29)),
]


@pytest.mark.parametrize("text, expected", LEDGER_FORMS + OTHER_FORMS)
def test_parse_date_forms(text, expected):
    assert parse_date(text) == expected


def _refused(text: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        parse_date(text, field="intake.date")
    assert info.value.field == "intake.date"
    return info.value


def test_wareki_after_era_end_refused():
    msg = str(_refused("H31.5.1"))
    assert "平成31年5月1日" in msg and "存在しません" in msg and "31年4月30日まで" in msg
    msg = str(_refused("昭和64年1月8日"))
    assert "昭和64年1月8日" in msg and "64年1月7日まで" in msg
    assert "45年7月29日まで" in str(_refused("M45.7.30"))


def test_wareki_before_era_start_refused():
    msg = str(_refused("S1.1.1"))
    assert "昭和元年1月1日" in msg and "存在しません" in msg and "元年12月25日から" in msg
    assert "平成元年1月7日" in str(_refused("H1.1.7"))
    assert "令和元年4月30日" in str(_refused("R1.4.30"))


def test_impossible_calendar_dates_refused():
    msg = str(_refused("2026/2/30"))
    assert "2026年2月30日" in msg and "存在しない日付" in msg
    assert "存在しない日付" in str(_refused("2026年13月1日"))
    assert "存在しない日付" in str(_refused("20260230"))
    assert "2025年2月29日" in str(_refused("2025-02-29"))
    assert "令和8年2月30日" in str(_refused("R8.2.30"))
    assert "存在しない日付" in str(_refused("R8.4.0"))


def test_year_zero_refused():
    msg = str(_refused("昭和0年4月1日"))
    assert "昭和0年" in msg and "元年" in msg
    assert "平成0年" in str(_refused("H0.4.1"))


@pytest.mark.parametrize(
    "text",
    ["hello", "2026/4", "4/1", "26/4/1", "2026/4-1", "X8.4.1", "令和八年四月一日", "R8.4.1.2",
     "2026/4/1/", "202641", "R123.4.1", "٢٠٢٦/٤/١"],
)
def test_unknown_format_refused(text):
    msg = str(_refused(text))
    assert "形式が読み取れません" in msg
    assert "2026/4/1" in msg and "R8.4.1" in msg and "令和8年4月1日" in msg


def test_empty_date_refused():
    assert "入力されていません" in str(_refused("  \u3000"))


def test_parse_date_wants_text():
    with pytest.raises(TypeError):
        parse_date(20260401)  # type: ignore[arg-type]


_DATES = st.dates(min_value=date(1912, 7, 30), max_value=date(2100, 12, 31))


@given(_DATES, st.sampled_from(["long", "short"]))
@settings(max_examples=600)
def test_wareki_round_trip(d, style):
    assert parse_date(format_wareki(d, style)) == d


@given(st.dates(min_value=date(1868, 10, 23), max_value=date(2100, 12, 31)))
def test_wareki_round_trip_with_meiji_and_full_width(d):
    assert parse_date(format_wareki(d, "long")) == d
    full_width = format_wareki(d, "short").translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789.RHSTM"}
    )
    assert parse_date(full_width) == d
    assert parse_date(format_seireki(d)) == d
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.strftime("%Y%m%d")) == d


# ---------------------------------------------------------------- coerce


def test_coerce_date():
    assert coerce_date(date(2026, 4, 1)) == date(2026, 4, 1)
    assert coerce_date(datetime(2026, 4, 1, 23, 59)) == date(2026, 4, 1)
    assert coerce_date("R8.4.1") == date(2026, 4, 1)
    # Excel serial numbers (openpyxl gives these for cells without a date format)
    assert coerce_date(46113) == date(2026, 4, 1)
    assert coerce_date(46113.75) == date(2026, 4, 1)
    assert coerce_date(1) == date(1900, 1, 1)
    assert coerce_date(59) == date(1900, 2, 28)
    assert coerce_date(61) == date(1900, 3, 1)
    assert coerce_date(43586) == date(2019, 5, 1)
    # an integer typed as YYYYMMDD
    assert coerce_date(20260401) == date(2026, 4, 1)


@pytest.mark.parametrize("value", [0, -5, 60, True, float("nan"), float("inf"), None, [2026],
                                   10**9, 20260230])
def test_coerce_date_refuses(value):
    with pytest.raises(ValidationError) as info:
        coerce_date(value, "case.closed_on")
    assert info.value.field == "case.closed_on"


# ---------------------------------------------------------------- age, fiscal year


def test_age_on_across_birthday():
    birth = date(1980, 6, 15)
    assert age_on(birth, date(2026, 6, 14)) == 45
    assert age_on(birth, date(2026, 6, 15)) == 46
    assert age_on(birth, date(2026, 12, 31)) == 46
    assert age_on(birth, birth) == 0


def test_age_on_leap_day_birthday():
    birth = date(2000, 2, 29)
    assert age_on(birth, date(2001, 2, 28)) == 0
    assert age_on(birth, date(2001, 3, 1)) == 1
    assert age_on(birth, date(2004, 2, 28)) == 3
    assert age_on(birth, date(2004, 2, 29)) == 4


def test_age_on_refuses_date_before_birth():
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
       st.integers(min_value=0, max_value=120))
def test_age_on_at_birthday_equals_years(birth, years):
    if birth.month == 2 and birth.day == 29:
        return
    try:
        anniversary = birth.replace(year=birth.year + years)
    except ValueError:
        return
    assert age_on(birth, anniversary) == years
    if years:
        assert age_on(birth, anniversary - timedelta(days=1)) == years - 1


@pytest.mark.parametrize(
    "d, fy",
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2027, 3, 31), 2026),
        (date(2027, 4, 1), 2027),
    ],
)
def test_fiscal_year(d, fy):
    assert fiscal_year(d) == fy


# ---------------------------------------------------------------- translations


def _msgids(path: Path) -> set[str]:
    ids: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "N_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            ids.add(node.args[0].value)
    return ids


@pytest.mark.parametrize("module", ["app/text_ja.py", "app/validation.py"])
def test_every_msgid_has_a_japanese_translation(module):
    import string

    catalog = _catalog("ja")
    ids = _msgids(ROOT / module)
    assert ids
    for msgid in ids:
        assert msgid in catalog, f"missing ja translation: {msgid!r}"
        fields = lambda s: {f for _t, f, _s, _c in string.Formatter().parse(s) if f}  # noqa: E731
        assert fields(msgid) == fields(catalog[msgid]), msgid
