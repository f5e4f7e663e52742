"""Every sheet of FORMS.md, filled from a case taken through the process via the Desk, and
blank: renders, carries the case's values, stays in the printable area, no overlapping text,
footer and page numbers on every page; the agenda shows initials; the visit kit; the CLI."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from app.desk import Desk
from forms.sheets import SHEETS
from tests.conftest import LOGIN, PASSWORD, copy_desk
from tests.sheet_cases import (AIM, CORRECTED, GOAL, KANA, NAME, OTHER_NAME, PLACE, RECORD,
                               full_case)
from tests.test_cli import run
from tests.test_forms_intake import assert_pages_sound, flat, page_texts
from forms.sheets import render

TITLES = {
    "intake": "相談受付・申込票", "intake-noconsent": "相談受付・申込票",
    "assessment": "インテーク・アセスメントシート", "plan": "プラン兼事業等利用申込書",
    "records": "支援経過記録シート", "monitoring": "モニタリングシート", "evaluation": "評価シート",
    "closure": "終結・フォローアップ記録", "consent": "情報提供に関する同意書",
}
# values of the case that each filled sheet must show
VALUES = {
    "intake": ["家賃を滞納している。", "令和8年4月1日"],
    "intake-noconsent": ["家賃を滞納している。"],
    "assessment": ["まじめで約束を守る", "働いて家賃を払い続けたい", "髙橋一郎", "保健師",
                   "携帯電話料金の滞納", "令和8年4月8日", "継続支援"],
    "plan": [AIM, GOAL, "令和8年9月30日", "つなぐ町社会福祉協議会", "週3回", "就労準備支援事業",
             "令和8年4月22日", "町一郎", "令和8年4月24日", "令和8年5月14日"],
    "records": [CORRECTED, RECORD, "大家への申し入れを済ませていたため", "【訂正前】"],
    "monitoring": ["朝起きられるようになった", "週3回通所できている", "令和8年5月14日"],
    "evaluation": [GOAL, "就労準備支援事業週3回", "令和8年10月14日", "令和8年9月15日"],
    "closure": ["就労により収入が安定し", "もう大丈夫です", "令和8年10月14日",
                "仕事を続けている。家賃も払えている。", "1か月後にも電話で確認する"],
    "consent": ["令和8年4月1日", "関係機関"],
}


@pytest.fixture(scope="module")
def walked(desk_template, tmp_path_factory):
    """A desk with the full case; the desk is opened per test from this file."""
    folder = tmp_path_factory.mktemp("sheets")
    path = copy_desk(desk_template, folder)
    desk = Desk.open(path, LOGIN, PASSWORD)
    try:
        info = full_case(desk)
    finally:
        desk.close()
    return path, info


@pytest.fixture
def d(walked):
    path, info = walked
    desk = Desk.open(path, LOGIN, PASSWORD)
    desk._today = lambda: date(2026, 11, 20)
    yield desk, info
    desk.close()


def assert_no_overlap(path: Path) -> None:
    """No two characters of different lines overlap (per page, from pypdfium2 char boxes)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            boxes = []
            for c in range(tp.count_chars()):
                left, bottom, right, top = tp.get_charbox(c)
                if right - left > 0.5 and top - bottom > 0.5:
                    boxes.append((left, bottom, right, top))
            # group into lines by baseline (bottom), then check lines against each other
            boxes.sort(key=lambda b: (round(b[1]), b[0]))
            lines: list[list[tuple]] = []
            for b in boxes:
                if lines and abs(lines[-1][0][1] - b[1]) < 1.0:
                    lines[-1].append(b)
                else:
                    lines.append([b])
            spans = [(min(b[0] for b in ln), min(b[1] for b in ln), max(b[2] for b in ln),
                      max(b[3] for b in ln), ln) for ln in lines]
            for a in range(len(spans)):
                for b in range(a + 1, len(spans)):
                    la, lb = spans[a], spans[b]
                    if la[2] <= lb[0] or lb[2] <= la[0] or la[3] <= lb[1] + 0.5 \
                            or lb[3] <= la[1] + 0.5:
                        continue
                    # line boxes intersect: check the characters themselves
                    for x in la[4]:
                        for y in lb[4]:
                            ox = min(x[2], y[2]) - max(x[0], y[0])
                            oy = min(x[3], y[3]) - max(x[1], y[1])
                            assert not (ox > 0.8 and oy > 0.8), (path.name, i + 1, x, y)
    finally:
        pdf.close()


def check_sheet(path: Path, title: str) -> str:
    assert_pages_sound(path)
    assert_no_overlap(path)
    texts = page_texts(path)
    assert title in flat(texts[0])
    return flat("".join(texts))


@pytest.mark.parametrize("sheet", list(SHEETS))
def test_filled_sheet(d, tmp_path, sheet):
    desk, info = d
    out = tmp_path / f"{sheet}.pdf"
    warnings = desk.paper.print_sheet(info["case_id"], sheet, out, render=render)
    assert warnings == []
    text = check_sheet(out, TITLES[sheet])
    assert flat(NAME) in text
    assert info["case_no"] in text
    for value in VALUES[sheet]:
        assert flat(value) in text, (sheet, value)
    entries = desk.security.audit_entries(info["case_id"], limit=100000)
    assert any(e.action == "print" and e.detail.startswith(sheet.split("-")[0])
               for e in entries)


@pytest.mark.parametrize("sheet", list(SHEETS))
def test_blank_sheet_without_a_case(d, tmp_path, sheet):
    desk, _info = d
    out = tmp_path / f"{sheet}-blank.pdf"
    assert desk.paper.print_sheet(None, sheet, out, blank=True, render=render) == []
    text = check_sheet(out, TITLES[sheet])
    assert flat(NAME) not in text and AIM not in text
    assert "令和年月日" in text or sheet == "records"   # write-in dates


@pytest.mark.parametrize("sheet", [s for s in SHEETS if not s.startswith("intake")])
def test_blank_sheet_for_a_case_keeps_only_the_person(d, tmp_path, sheet):
    desk, info = d
    out = tmp_path / f"{sheet}-blank-case.pdf"
    assert desk.paper.print_sheet(info["case_id"], sheet, out, blank=True, render=render) == []
    text = check_sheet(out, TITLES[sheet])
    assert flat(NAME) in text and info["case_no"] in text
    assert flat(CORRECTED) not in text and "まじめで約束を守る" not in text
    assert "もう大丈夫です" not in text


def test_long_assessment_flows_without_leaving_the_margins(desk, tmp_path):
    sentence = "昨年の秋に勤めていた工場が閉鎖になり、失業しました。家賃を滞納しています。"
    long_text = (sentence * 100)[:3000]
    info = full_case(desk, analysis=long_text)
    out = tmp_path / "long.pdf"
    desk.paper.print_sheet(info["case_id"], "assessment", out, render=render)
    n = assert_pages_sound(out)
    assert n >= 4
    assert_no_overlap(out)
    texts = page_texts(out)
    assert flat("".join(texts)).count("工場が閉鎖") == long_text.count("工場が閉鎖")
    assert sum("課題と背景要因" in t for t in texts) >= 2   # the label repeats


def test_agenda_shows_initials_and_minutes_the_results(d, tmp_path):
    desk, info = d
    m1, _m2, m3 = info["meetings"]
    out = tmp_path / "agenda.pdf"
    assert desk.paper.print_meeting(m1, "agenda", out, render=render) == []
    text = check_sheet(out, "支援調整会議資料")
    assert "令和8年4月22日" in text and flat(PLACE) in text and "町一郎" in text
    assert info["other_case_no"] in text
    assert flat(OTHER_NAME) not in text and "Y.T." in text   # no consent: initials only
    assert flat(AIM) in text                                  # the proposed plan's summary
    assert "新規プラン" in text
    out2 = tmp_path / "minutes.pdf"
    assert desk.paper.print_meeting(m3, "minutes", out2, render=render) == []
    text2 = check_sheet(out2, "支援調整会議記録")
    assert "令和8年10月14日" in text2 and "1か月後にも電話で確認する" in text2
    assert "夜間の相談窓口" in text2 and "令和8年11月10日" in text2
    assert flat(OTHER_NAME) not in text2


def test_visit_kit_prefills_every_sheet(d, tmp_path):
    desk, info = d
    out = tmp_path / "kit.pdf"
    assert desk.paper.print_visit_kit([info["case_id"]], out, render=render) == []
    assert_no_overlap(out)
    texts = page_texts(out)
    starts = [i for i, t in enumerate(texts)
              if any(t.find(title) != -1 for title in
                     ("相談受付・申込票", "インテーク・アセスメントシート", "情報提供に関する同意書",
                      "支援経過記録シート")) and re.search(r"\b1 / \d+", t)]
    assert len(starts) == 4
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(texts)
        sheet = flat("".join(texts[start:end]))
        assert flat(NAME) in sheet and flat(KANA) in sheet and info["case_no"] in sheet
        # each sheet is numbered on its own: 1 / n … n / n
        n = end - start
        for k in range(n):
            assert f"{k + 1} / {n}" in texts[start + k]
        assert all("取扱注意（個人情報）" in t for t in texts[start:end])
    assert "山﨑荘101" in flat("".join(texts))                   # the address is pre-filled
    assert "家賃を滞納している。" not in "".join(texts)            # nothing else


def test_visit_kit_for_a_new_person_is_blank(d, tmp_path):
    desk, _info = d
    out = tmp_path / "kit-new.pdf"
    assert desk.paper.print_visit_kit(None, out, render=render) == []
    text = flat("".join(page_texts(out)))
    assert "相談受付・申込票" in text and "支援経過記録シート" in text
    assert flat(NAME) not in text


# What a case sheet reads besides what it shows: the heading (the case, its 担当, its person),
# the agency (setting, local) and the checks (setting: admin case access; case_file: the
# case exists and the administrator sees it).
HEADING_AND_CHECKS = {"setting", "local", "case_file", "staff", "person"}


def _tables(statements: list[str]) -> set[str]:
    return {m.lower() for s in statements for m in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", s,
                                                              re.IGNORECASE)}


def test_the_records_sheet_reads_only_the_records_and_the_heading(d, tmp_path):
    """Issue 21 point 5: printing the records sheet reads what it shows — the case's records
    and its heading (case number, person) — not the whole case (it read 95 statements)."""
    desk, info = d
    statements: list[str] = []
    desk.store.conn.set_trace_callback(statements.append)
    try:
        sheet = desk.paper.case_sheet(info["case_id"], "records")
    finally:
        desk.store.conn.set_trace_callback(None)
    data = sheet.data
    assert data.records and data.case_no == info["case_no"] and data.person.name == NAME
    assert not (data.assessments or data.plans or data.monitorings or data.evaluations
                or data.closures or data.followups or data.decisions or data.agenda
                or data.consents or data.services or data.detail.intakes)
    tables = _tables(statements)
    assert "support_record" in tables
    assert tables - {"support_record"} <= HEADING_AND_CHECKS, tables
    assert len(statements) <= 30, len(statements)
    # and printing it writes the same sheet the whole case would have given
    out = tmp_path / "records.pdf"
    assert desk.paper.print_sheet(info["case_id"], "records", out, render=render) == []
    text = check_sheet(out, TITLES["records"])
    assert flat(RECORD) in text and flat(CORRECTED) in text


def test_each_sheet_reads_what_it_shows(d):
    """The plan sheet reads plans, decisions, services and the agenda but no records; the
    monitoring sheet its monitorings and plans; a blank sheet no record of the case."""
    desk, info = d
    for sheet, shows, never in (("plan", {"plan"}, {"support_record", "monitoring"}),
                                ("monitoring", {"monitoring"}, {"support_record", "assessment"}),
                                ("records", {"support_record"}, {"plan", "monitoring"})):
        statements: list[str] = []
        desk.store.conn.set_trace_callback(statements.append)
        try:
            desk.paper.case_sheet(info["case_id"], sheet)
        finally:
            desk.store.conn.set_trace_callback(None)
        tables = _tables(statements)
        assert shows <= tables and not (never & tables), (sheet, tables)


def test_unknown_sheet_is_refused_in_japanese(d, tmp_path):
    from app.errors import ValidationErrors
    desk, info = d
    with pytest.raises(ValidationErrors) as e:
        desk.paper.print_sheet(info["case_id"], "nothing", tmp_path / "x.pdf", render=render)
    assert "不明な帳票" in str(e.value.errors[0])


def test_cli_prints_every_sheet(walked, tmp_path):
    path, info = walked
    for sheet in SHEETS:
        out = tmp_path / f"cli-{sheet}.pdf"
        res = run("print", "--db", str(path), "--case", info["case_no"], "--sheet", sheet,
                  "--out", str(out))
        assert res.returncode == 0, (sheet, res.stderr)
        assert TITLES[sheet] in flat(page_texts(out)[0])
    blank = tmp_path / "cli-plan-blank.pdf"
    res = run("print", "--db", str(path), "--sheet", "plan", "--blank", "--out", str(blank))
    assert res.returncode == 0, res.stderr
    for sheet in ("agenda", "minutes"):
        out = tmp_path / f"cli-{sheet}.pdf"
        res = run("print", "--db", str(path), "--meeting", info["meetings"][0], "--sheet",
                  sheet, "--out", str(out))
        assert res.returncode == 0, res.stderr
        assert "支援調整会議" in page_texts(out)[0]
    kit = tmp_path / "cli-kit.pdf"
    res = run("print", "--db", str(path), "--visit-kit", "--case",
              f"{info['case_no']},{info['other_case_no']}", "--out", str(kit))
    assert res.returncode == 0, res.stderr
    text = flat("".join(page_texts(kit)))
    assert info["case_no"] in text and info["other_case_no"] in text
    kit0 = tmp_path / "cli-kit0.pdf"
    res = run("print", "--db", str(path), "--visit-kit", "--out", str(kit0))
    assert res.returncode == 0 and kit0.exists(), res.stderr
