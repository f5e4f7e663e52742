"""The paper layer: 相談受付・申込票 (filled, blank, without consent), font fallback, the kit."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from tests.pdf_checks import missing_text
from reportlab.lib.units import mm

from app.domain import (Agency, Case, CaseDetail, Intake, Person, PersonInput, Route, Sex, Stage,
                        Triage, Visitor)
from forms import fonts, kit
from forms.intake import render_intake, render_intake_result
from forms.layout import SAFE_MARGIN
from forms.output import UnprintableText, write_pdf_atomic
from forms.recovery import key_groups, render_recovery_key

CONSENT = "相談支援にあたり必要となる関係機関(者)と情報共有することに同意します"
NO_FONT = "\U0010FFFD"  # private use, plane 16: in no font


@pytest.fixture(scope="module")
def agency() -> Agency:
    return Agency(name="つなぐ市自立相談支援センター", municipality="つなぐ市", population=120000)


def make_detail(consultation: str = "家賃を2か月滞納しています。", **intake_kw) -> CaseDetail:
    person = Person(id="p1", name="𠮷田 髙子", kana="よしだ たかこ", birth_date=date(1980, 3, 3),
                    sex=Sex.FEMALE, postal_code="123-4567",
                    address="つなぐ市山﨑町1丁目2番3号 コーポ辻 201",
                    phone_home="012-345-6789", phone_mobile="090-1234-5678",
                    email="takako@example.jp")
    intake = Intake(received_on=date(2026, 4, 1), received_by="相談員 山田", route=Route.AGENCY,
                    referral_source="ハローワークつなぐ",
                    topics=["income", "rent_loan", "other"], main_topic="rent_loan",
                    topic_other="携帯電話の料金 <未払い> & 督促", consultation=consultation,
                    hopes="仕事を見つけたい。",
                    visitor=Visitor(name="𠮷田 一郎", phone="090-0000-1111", relation="family",
                                    relation_detail="兄"),
                    work_status="unemployed", housing_status="rented",
                    health_insurance="国民健康保険", pension="国民年金", triage=Triage.CONTINUE,
                    emergency_needed=True, emergency_actions=["food"], consent=True,
                    consent_on=date(2026, 4, 1), **intake_kw)
    case = Case(id="c1", case_no="2026-0001", person_id="p1", stage=Stage.INTAKE,
                opened_on=date(2026, 4, 1))
    return CaseDetail(case=case, person=person, intakes=[intake])


def page_texts(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_pages_sound(path: Path) -> int:
    """Every page has ink, the footer, x / n, and no character outside the printable area."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        n = len(pdf)
        for i in range(n):
            page = pdf[i]
            width, height = page.get_size()
            assert (round(width), round(height)) == (595, 842)  # A4 portrait
            image = page.render(scale=0.5, grayscale=True).to_pil().convert("L")
            dark = sum(image.histogram()[:128])
            assert dark > 500, f"page {i + 1} looks blank"
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            assert "取扱注意（個人情報）" in text, f"no footer on page {i + 1}"
            assert f"{i + 1} / {n}" in text
            margin = SAFE_MARGIN - 0.5
            for c in range(textpage.count_chars()):
                left, bottom, right, top = textpage.get_charbox(c)
                if right - left <= 0 and top - bottom <= 0:
                    continue  # generated spaces and line breaks have no box
                assert left >= margin and bottom >= margin, (i, c, left, bottom)
                assert right <= width - margin and top <= height - margin, (i, c, right, top)
            for obj in page.get_objects():
                left, bottom, right, top = obj.get_bounds()
                assert left >= margin - 1 and bottom >= margin - 1
                assert right <= width - margin + 1 and top <= height - margin + 1
        return n
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def filled(tmp_path_factory, agency):
    path = tmp_path_factory.mktemp("forms") / "filled.pdf"
    warnings = render_intake(path, agency, make_detail())
    return path, warnings


def test_filled_sheet_renders_with_title_name_and_footer(filled):
    path, warnings = filled
    assert warnings == []
    n = assert_pages_sound(path)
    assert n == 2  # the person's part, then the staff's part
    texts = page_texts(path)
    first = texts[0]
    assert "相談受付・申込票" in first
    assert "𠮷田 髙子" in first  # 𠮷 drawn with the fallback font and extractable
    assert "よしだ たかこ" in first
    assert "山﨑町" in first
    assert "2026-0001" in first
    assert "1 / " in first
    assert "令和8年4月1日" in first
    assert "昭和55年3月3日（満46歳）" in first
    assert "<未払い> & 督促" in first  # markup characters escaped, not swallowed
    assert all("ID：2026-0001" in t for t in texts)  # case number on every page
    assert all("つなぐ市自立相談支援センター" in t for t in texts)
    assert CONSENT in flat("".join(texts))
    second = texts[1]
    for word in ("仕事", "住居", "健康保険", "年金", "相談経路", "紹介元", "振り分け", "緊急支援"):
        assert word in second


def test_no_consent_variant_leaves_out_the_consent_sentence(tmp_path, agency):
    path = tmp_path / "noconsent.pdf"
    assert render_intake(path, agency, make_detail(), consent=False) == []
    assert_pages_sound(path)
    text = flat("".join(page_texts(path)))
    assert CONSENT not in text
    assert "「個人情報に関する管理・取扱規程」について説明を受けました" in text
    assert "本人署名" in text


def test_blank_sheet_without_a_case(tmp_path, agency):
    path = tmp_path / "blank.pdf"
    assert render_intake(path, agency, None, blank=True) == []
    assert assert_pages_sound(path) == 2
    texts = page_texts(path)
    assert "相談受付・申込票" in texts[0]
    assert "書ける範囲でご記入ください" in texts[0]
    assert CONSENT in flat(texts[0])
    assert "病気や健康、障害のこと" in texts[0]
    assert "𠮷田" not in "".join(texts)


def test_blank_with_prefill_fills_only_the_person(tmp_path, agency):
    path = tmp_path / "prefill.pdf"
    prefill = PersonInput(name="𠮷田 髙子", kana="よしだ たかこ", address="つなぐ市山﨑町1-2-3")
    assert render_intake(path, agency, make_detail(), blank=True, prefill=prefill) == []
    assert_pages_sound(path)
    text = "".join(page_texts(path))
    assert "𠮷田 髙子" in text and "山﨑町" in text
    assert "2026-0001" in text           # the case number still identifies the sheet
    assert "家賃を2か月滞納" not in text  # nothing from the intake itself
    assert "国民健康保険" not in text


def test_long_free_text_flows_onto_further_pages(tmp_path, agency):
    sentence = "昨年の秋に勤めていた工場が閉鎖になり、失業しました。家賃を滞納しています。"
    long_text = (sentence * 100)[:3000]
    path = tmp_path / "long.pdf"
    result = render_intake_result(path, agency, make_detail(consultation=long_text))
    n = assert_pages_sound(path)
    assert n == result.pages and n >= 3
    texts = page_texts(path)
    # all of it, in order (cut only where the page breaks)
    assert missing_text(path, [long_text]) == []
    # the label row repeats on the continuation page, saying so
    assert sum("相談したいこと" in t for t in texts) >= 2
    assert any("相談したいこと（困っていること）（続き）" in t for t in texts)


def test_unprintable_character_is_reported_not_dropped(tmp_path, agency):
    assert fonts.unprintable_chars(["𠮷田", "髙﨑", f"a{NO_FONT}b"]) == [NO_FONT]
    path = tmp_path / "bad.pdf"
    warnings = render_intake(path, agency, make_detail(consultation=f"名前に{NO_FONT}があります"))
    assert len(warnings) == 1 and "U+10FFFD" in warnings[0]
    assert "〓" in "".join(page_texts(path))  # visible placeholder, never a silent blank
    with pytest.raises(UnprintableText) as err:
        render_intake(tmp_path / "strict.pdf", agency,
                      make_detail(consultation=NO_FONT), strict=True)
    assert err.value.chars == [NO_FONT]
    assert not (tmp_path / "strict.pdf").exists()


def test_split_runs_falls_back_per_character():
    runs = fonts.split_runs("𠮷田 髙子", fonts.GOTHIC)
    assert runs[0] == (fonts.GOTHIC_FALLBACK, "𠮷")      # Gothic text stays Gothic
    assert runs[1] == (fonts.GOTHIC, "田 髙子")
    assert "".join(t for _f, t in runs) == "𠮷田 髙子"
    assert fonts.split_runs("𠮷", fonts.GOTHIC_BOLD) == [(fonts.GOTHIC_FALLBACK, "𠮷")]
    # Mincho text stays Mincho
    assert fonts.split_runs("𠮷田", fonts.MINCHO) == [(fonts.IPAMJ, "𠮷"), (fonts.MINCHO, "田")]
    # the check-box glyphs BIZ UD lacks never come from BIZ UD
    for ch in "☐☑✔":
        assert not fonts.has_glyph(fonts.GOTHIC, ch)
        assert fonts.font_for_char(ch) != fonts.GOTHIC
    # variation selectors need no glyph; the base character stays
    assert fonts.split_runs("葛\U000E0100城") == [(fonts.GOTHIC, "葛城")]
    assert fonts.unprintable_chars(["葛\U000E0100城"]) == []


def test_system_font_cmap_reader_matches_reportlab():
    found = fonts._find_system_fonts()
    if not found:
        pytest.skip("no system TrueType fonts here")
    face = found[0]
    from reportlab.pdfbase.ttfonts import TTFontFace
    cmap = TTFontFace(str(face.path), subfontIndex=face.index).charToGlyph
    # U+FFFF ends every format-4 table (a noncharacter, no glyph): ReportLab lists it.
    mapped = sorted(cp for cp, glyph in cmap.items() if glyph and cp != 0xFFFF)
    sample = mapped[:: max(1, len(mapped) // 500)]
    assert all(face.has(cp) for cp in sample)
    assert not face.has(0x10FFFD)


def test_write_pdf_atomic_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "sheet.pdf"
    target.write_bytes(b"old")

    def broken(tmp: str) -> None:
        Path(tmp).write_bytes(b"half a pdf")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_pdf_atomic(broken, target)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["sheet.pdf"]
    assert write_pdf_atomic(lambda tmp: Path(tmp).write_bytes(b"new") and 7, target) == 7
    assert target.read_bytes() == b"new"


def test_recovery_key_sheet(tmp_path, agency):
    key = "7K3M-Q9XA-2BCD-EFGH-JK45-MNPQ-RSTV-WXYZ"
    assert key_groups(key) == key.split("-")
    path = tmp_path / "recovery.pdf"
    assert render_recovery_key(path, agency, key, date(2026, 4, 1)) == []
    texts = page_texts(path)
    assert len(texts) == 1
    text = flat(texts[0])
    assert "回復キー" in text and "令和8年4月1日" in text and "つなぐ市自立相談支援センター" in text
    assert all(group in text for group in key.split("-"))
    assert "金庫" in text and "すべての記録を読む" in text
    assert "取扱注意" not in text and "ID：" not in text  # no case data


def test_kit_text_box_never_splits_inside_a_row():
    box = kit.text_box("メモ", "あ" * 3000, min_height=20 * mm)
    # every row is a few lines at most, so a page break can only fall between lines
    st = kit.styles()["value"]
    for row in box._cellvalues[1:]:
        _w, h = row[0].wrap(kit.CONTENT_WIDTH - 4 - kit.PAD_RIGHT, 1e6)
        assert h <= 3 * st.leading + 1
