"""Tests of app/validation.py: each validator cleans good input and names the field in errors."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent

from app.errors import ValidationError  # noqa: E402
from app.validation import (  # noqa: E402
    clean_date,
    clean_email,
    clean_kana,
    clean_phone,
    clean_postal_code,
    clean_text,
)


def refused(func, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------- clean_text


def test_clean_text_strips_surrounding_whitespace_only():
    assert clean_text("  山田 太郎\u3000", "person.name", "氏名") == "山田 太郎"
    assert clean_text("\t山田\n", "person.name", "氏名") == "山田"


@pytest.mark.parametrize(
    "written",
    [
        "髙橋",
        "山﨑",
        "𠮷田",
        "渡邉",
        "か\u3099",  # combining voiced mark stays decomposed
        "葛\U000E0100城",  # ideographic variation selector kept
        "辻\ufe00",
        "José",
        "e\u0301",
        "ﾀｶﾊｼ",  # half-width kept as typed
        "\uf9dc",  # compatibility ideograph not normalised
        "👨\u200d👩\u200d👧",
    ],
)
def test_clean_text_keeps_characters_exactly(written):
    assert clean_text(written, "person.name", "氏名") == written


def test_clean_text_empty():
    assert clean_text("", "person.note", "備考") == ""
    assert clean_text(None, "person.note", "備考") == ""
    assert clean_text(" \u3000 ", "person.note", "備考") == ""
    err = refused(clean_text, " \u3000", "person.name", "氏名", required=True)
    assert err.field == "person.name"
    assert str(err) == "氏名を入力してください"
    assert str(refused(clean_text, None, "person.name", "氏名", required=True)) == "氏名を入力してください"


def test_clean_text_length_counts_code_points():
    assert clean_text("𠮷" * 200, "person.name", "氏名") == "𠮷" * 200
    err = refused(clean_text, "あ" * 250, "person.name", "氏名")
    assert err.field == "person.name"
    assert str(err) == "氏名は200文字以内で入力してください（現在 250文字）"
    msg = str(refused(clean_text, "𠮷" * 11, "person.name", "氏名", max_len=10))
    assert "10文字以内" in msg and "現在 11文字" in msg


def test_clean_text_huge_string():
    huge = "あ" * 5_000_000
    msg = str(refused(clean_text, huge, "case.note", "相談内容", max_len=4000, multiline=True))
    assert "相談内容は4000文字以内" in msg and "5000000文字" in msg
    assert clean_text(huge, "case.note", "相談内容", max_len=10_000_000) == huge


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\n", "\r"])
def test_clean_text_refuses_control_characters(control):
    err = refused(clean_text, f"山田{control}太郎", "person.name", "氏名")
    assert err.field == "person.name"
    assert "氏名" in str(err) and "制御文字" in str(err) and "3文字目" in str(err)


def test_clean_text_multiline():
    text = "一行目\r\n\t二行目\r三行目\n"
    assert clean_text(text, "case.note", "相談内容", multiline=True) == "一行目\n\t二行目\n三行目"
    msg = str(refused(clean_text, "一行目\n\x00", "case.note", "相談内容", multiline=True))
    assert "相談内容" in msg and "制御文字" in msg
    assert "制御文字" in str(refused(clean_text, "a\x0bb", "case.note", "相談内容", multiline=True))


@pytest.mark.parametrize("text", ["\ud800", "山田\udfff", "a\udc00b"])
def test_clean_text_refuses_lone_surrogates(text):
    err = refused(clean_text, text, "person.name", "氏名")
    assert "氏名" in str(err) and "壊れた文字" in str(err)


def test_clean_text_numbers_from_cells():
    assert clean_text(12, "case.number", "受付番号") == "12"
    assert clean_text(12.0, "case.number", "受付番号") == "12"


@given(st.text(max_size=60))
def test_clean_text_result_is_a_stripped_substring_or_refused(text):
    try:
        cleaned = clean_text(text, "f", "欄", max_len=50)
    except ValidationError as err:
        assert err.field == "f" and "欄" in str(err)
        return
    assert cleaned == text.strip()
    assert len(cleaned) <= 50


# ---------------------------------------------------------------- clean_kana


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("たかはし", "たかはし"),
        ("タカハシ", "たかはし"),
        ("ﾀｶﾊｼ", "たかはし"),
        (" ﾔﾏﾀﾞ\u3000\u3000ﾀﾛｳ ", "やまだ たろう"),
        ("コーヒー", "こーひー"),
        ("マリア・ガルシア", "まりあ・がるしあ"),
        ("か\u3099", "が"),
    ],
)
def test_clean_kana(typed, stored):
    assert clean_kana(typed, "person.kana", "ふりがな") == stored


def test_clean_kana_refuses_non_kana():
    for text in ["田中", "tanaka", "やまだ1"]:
        err = refused(clean_kana, text, "person.kana", "ふりがな")
        assert err.field == "person.kana"
        assert str(err) == "ふりがなはひらがなかカタカナで入力してください"


def test_clean_kana_empty_and_required():
    assert clean_kana("", "person.kana", "ふりがな") == ""
    assert clean_kana(None, "person.kana", "ふりがな") == ""
    assert str(refused(clean_kana, " ", "person.kana", "ふりがな", True)) == "ふりがなを入力してください"


def test_clean_kana_length_on_normalised_text():
    assert clean_kana("ｶﾞ" * 100, "person.kana", "ふりがな") == "が" * 100
    assert "100文字以内" in str(refused(clean_kana, "が" * 101, "person.kana", "ふりがな"))


# ---------------------------------------------------------------- postal code


@pytest.mark.parametrize(
    "typed",
    ["1234567", "123-4567", "１２３－４５６７", "〒123-4567", "〒 1234567", " 123ー4567 ", "123−4567",
     1234567],
)
def test_clean_postal_code(typed):
    assert clean_postal_code(typed) == "123-4567"


def test_clean_postal_code_excel_lost_leading_zero():
    assert clean_postal_code(600001) == "060-0001"
    assert clean_postal_code(600001.0) == "060-0001"
    assert clean_postal_code("0600001") == "060-0001"


@pytest.mark.parametrize("typed", ["123456", "12345678", "123-456", "12-34567", "abc-defg", "123_4567"])
def test_clean_postal_code_refused(typed):
    err = refused(clean_postal_code, typed)
    assert err.field == "person.postal_code"
    assert "郵便番号" in str(err) and "7桁" in str(err)


def test_clean_postal_code_label_and_empty():
    assert clean_postal_code("") == ""
    assert clean_postal_code(None) == ""
    msg = str(refused(clean_postal_code, "12", "agency.postal_code", "所在地の郵便番号"))
    assert msg.startswith("所在地の郵便番号は")
    assert str(refused(clean_postal_code, "", required=True)) == "郵便番号を入力してください"


# ---------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("03-1234-5678", "03-1234-5678"),
        ("0312345678", "0312345678"),
        ("090-1234-5678", "090-1234-5678"),
        ("０９０－１２３４－５６７８", "090-1234-5678"),
        ("0120-123-456", "0120-123-456"),
        ("0570-000-123", "0570-000-123"),
        ("090ー1234ー5678", "090-1234-5678"),
        ("090 1234 5678", "090-1234-5678"),
        ("03(1234)5678", "03-1234-5678"),
        (" 0312345678 ", "0312345678"),
        (9012345678, "09012345678"),
    ],
)
def test_clean_phone(typed, stored):
    assert clean_phone(typed, "person.phone", "電話番号") == stored


def test_clean_phone_refuses_letters():
    for typed in ["090-1234-567a", "tel 0312345678", "+81-90-1234-5678", "内線12"]:
        err = refused(clean_phone, typed, "person.phone", "電話番号")
        assert err.field == "person.phone"
        assert str(err) == "電話番号は数字とハイフンで入力してください"


@pytest.mark.parametrize("typed, count", [("03-1234-567", 9), ("090-1234-56789", 12), ("110", 3),
                                          ("3-1234-56789", 10)])
def test_clean_phone_refuses_wrong_length(typed, count):
    msg = str(refused(clean_phone, typed, "person.phone", "電話番号"))
    assert "電話番号" in msg and "10桁か11桁" in msg and f"現在 {count}桁" in msg


def test_clean_phone_empty():
    assert clean_phone("", "person.phone", "電話番号") == ""
    assert str(refused(clean_phone, "", "person.phone", "電話番号", required=True)) == "電話番号を入力してください"


# ---------------------------------------------------------------- email


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("name@example.jp", "name@example.jp"),
        (" taro.yamada+desk@city.example.lg.jp ", "taro.yamada+desk@city.example.lg.jp"),
        ("ｎａｍｅ＠ｅｘａｍｐｌｅ．ｊｐ", "name@example.jp"),
    ],
)
def test_clean_email(typed, stored):
    assert clean_email(typed, "person.email") == stored


@pytest.mark.parametrize(
    "typed",
    ["name", "name@", "@example.jp", "name@example", "a@b@example.jp", "na me@example.jp",
     "name@example..jp", "name@.example.jp", "name@example.jp.", ".name@example.jp",
     "na..me@example.jp", "name@exa\x00mple.jp", "a" * 65 + "@example.jp"],
)
def test_clean_email_refused(typed):
    err = refused(clean_email, typed, "person.email")
    assert err.field == "person.email"
    assert "メールアドレスの形式が正しくありません" in str(err)


def test_clean_email_label_and_empty():
    assert clean_email("", "person.email") == ""
    assert "連絡先メールの形式" in str(refused(clean_email, "x", "agency.email", "連絡先メール"))


# ---------------------------------------------------------------- dates


def test_clean_date_forms():
    for value in ["2026/4/1", "R8.4.1", "令和8年4月1日", "２０２６年４月１日", date(2026, 4, 1),
                  datetime(2026, 4, 1, 9, 30), 46113]:
        assert clean_date(value, "intake.date", "受付日") == date(2026, 4, 1)


def test_clean_date_empty_and_required():
    assert clean_date("", "person.birth", "生年月日") is None
    assert clean_date(None, "person.birth", "生年月日") is None
    assert clean_date(" \u3000", "person.birth", "生年月日") is None
    err = refused(clean_date, "", "intake.date", "受付日", required=True)
    assert err.field == "intake.date" and str(err) == "受付日を入力してください"


def test_clean_date_impossible_dates_name_the_label():
    err = refused(clean_date, "H31.5.1", "person.birth", "生年月日")
    assert err.field == "person.birth"
    assert str(err).startswith("生年月日：")
    assert "平成31年5月1日は存在しません" in str(err)
    assert "2026年2月30日は存在しない日付です" in str(refused(clean_date, "2026/2/30", "d", "受付日"))
    msg = str(refused(clean_date, "そのうち", "d", "受付日"))
    assert msg.startswith("受付日：") and "形式が読み取れません" in msg


def test_clean_date_bounds():
    intake = date(2026, 4, 1)
    # strictly before
    assert clean_date("2000/1/1", "p.birth", "生年月日", before=(intake, "受付日")) == date(2000, 1, 1)
    err = refused(clean_date, "2026/4/1", "p.birth", "生年月日", before=(intake, "受付日"))
    assert err.field == "p.birth"
    assert str(err) == "生年月日は受付日（令和8年4月1日）より前の日付にしてください"
    # not after (the bound itself is fine)
    today = date(2026, 5, 10)
    assert clean_date("R8.5.10", "c.closed", "終結日", not_after=(today, "今日")) == today
    msg = str(refused(clean_date, "R8.5.11", "c.closed", "終結日", not_after=(today, "今日")))
    assert msg == "終結日は今日（令和8年5月10日）より後の日付にはできません"
    # not before (the bound itself is fine)
    assert clean_date("R8.4.1", "a.date", "アセスメント日", not_before=(intake, "受付日")) == intake
    msg = str(refused(clean_date, "R8.3.31", "a.date", "アセスメント日", not_before=(intake, "受付日")))
    assert msg == "アセスメント日は受付日（令和8年4月1日）より前の日付にはできません"
    # strictly after
    msg = str(refused(clean_date, "R8.4.1", "x", "再プラン了承日", after=(intake, "プラン了承日")))
    assert msg == "再プラン了承日はプラン了承日（令和8年4月1日）より後の日付にしてください"
    assert clean_date("R8.4.2", "x", "再プラン了承日", after=(intake, "プラン了承日")) == date(2026, 4, 2)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_clean_date_not_after_property(d, bound):
    if d <= bound:
        assert clean_date(d.isoformat(), "f", "日付", not_after=(bound, "上限")) == d
    else:
        with pytest.raises(ValidationError):
            clean_date(d.isoformat(), "f", "日付", not_after=(bound, "上限"))
