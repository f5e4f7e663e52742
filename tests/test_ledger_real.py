"""Ledgers as desks really keep them (issue 16 points 3, 4, 7; issue 13 point 7): title rows
above the header, merged cells, several sheets, ○/× and 男性/女性, 2026.4.1, Excel serial
dates in xlsx and CSV, errors apart from warnings (a gap is imported and recorded as
「（記載なし）」), unmapped values naming the accepted ones; and the limits: a hostile xlsx
(one cell at XFD1048576), too many rows, too wide, a huge cell — refused with words — and a
report capped at 200 problems plus a count. Every ledger is built here."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from app import ledger_file
from app.cli import main as cli_main
from app.reports import statistics as S
from tests.conftest import LOGIN, PASSWORD
from tests.test_ledger import TODAY

ROOT = Path(__file__).resolve().parent.parent

COLS = ["受付番号", "受付日", "氏名", "ふりがな", "生年月日", "性別", "郵便番号", "電話番号", "相談経路",
        "振り分け", "つなぎ先", "同意", "アセスメント日", "スクリーニング結果", "プラン了承日",
        "就労支援対象", "担当者"]


def rec(**kw) -> list:
    return [kw.get(c, None) for c in COLS]


@pytest.fixture
def d(desk):
    desk._today = lambda: TODAY
    return desk


def real_workbook(path: Path, rows: list[list], *, first_sheet_notes: bool = True,
                  merges: list[str] = ()) -> Path:
    """A ledger as a desk keeps it: a sheet of notes first, then 「受付簿」 with a merged
    title, an empty row, the header on row 3, the data below."""
    from openpyxl import Workbook
    wb = Workbook()
    notes = wb.active
    notes.title = "記入上の注意"
    notes.append(["この台帳は令和8年度の相談受付簿です。"])
    notes.append(["振り分けは 継続 / つなぎ / 情報提供 で書く"])
    ws = wb.create_sheet("受付簿") if first_sheet_notes else notes
    if not first_sheet_notes:
        ws.delete_rows(1, 2)
    ws.append(["令和8年度 相談受付簿"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    ws.append([])
    ws.append(COLS)
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.create_sheet("集計").append(["月", "件数"])
    wb.save(path)
    return path


REAL_ROWS = [
    # row 4: serial date (46113 = 2026-04-01), 継続, ○, 男性, 2026.4.1 style
    rec(受付番号="R-1", 受付日=46113, 氏名="髙橋 𠮷子", ふりがな="ﾀｶﾊｼ ﾖｼｺ", 生年月日="1980.5.6",
        性別="女性", 相談経路="来所", 振り分け="継続", 同意="○", アセスメント日="2026.4.10",
        スクリーニング結果="継続", プラン了承日=datetime(2026, 4, 28), 就労支援対象="有",
        担当者="相談 一郎"),
    # rows 5-6: 担当者 merged vertically over both (the value is in row 5 only)
    rec(受付番号="R-2", 受付日="R8.4.2", 氏名="山﨑 太郎", 性別="男性", 相談経路="関係機関",
        振り分け="つなぎ", つなぎ先="ハローワーク", 同意="×", 担当者="相談 二郎"),
    rec(受付番号="R-3", 受付日="2026/4/3", 氏名="渡邉 花子", 性別="女", 相談経路="本人等",
        振り分け="情報提供", 同意="無"),
]


def test_a_real_workbook_is_read_as_it_is(d, tmp_path):
    path = real_workbook(tmp_path / "受付簿.xlsx", REAL_ROWS, merges=["Q5:Q6"])
    report = d.ledger.import_ledger(path)
    assert report.ok and not report.warnings, report.lines()
    assert report.sheet == "受付簿" and report.sheets == ["記入上の注意", "受付簿", "集計"]
    assert report.header_row == 3 and report.title_rows == [1]
    lines = report.lines()
    assert "読み込んだシート: 「受付簿」（全 3 シート）。" in lines
    assert any("見出し（3 行目）より上の行 1 は表題として読み飛ばしました" in x for x in lines), lines
    assert sorted(c for _r, c in report.imported) == ["R-1", "R-2", "R-3"]
    assert [r for r, _c in sorted(report.imported)] == [4, 5, 6]   # rows as Excel shows them
    one = d.get_case(d.case_id("R-1"))
    assert one.intakes[0].received_on == date(2026, 4, 1)          # the serial date
    assert one.person.birth_date == date(1980, 5, 6)                # 1980.5.6
    assert one.person.kana == "たかはし よしこ"                      # half-width katakana read
    assert one.person.sex.value == "female" and one.intakes[0].consent is True
    assert one.case.assignee == "相談 一郎"
    two = d.get_case(d.case_id("R-2"))
    three = d.get_case(d.case_id("R-3"))
    assert two.person.sex.value == "male" and two.intakes[0].consent is False
    assert two.intakes[0].triage.value == "refer" and three.intakes[0].triage.value == "info_only"
    # the merged 担当者 reads as its value on both rows
    assert two.case.assignee == "相談 二郎" and three.case.assignee == "相談 二郎"
    month = S.monthly(d.store, "2026-04")["counts"]
    assert month["new_consultations"] == 3 and month["plans_created"] == 1
    assert month["employment_support_targets"] == 1 and month["referred_out"] == 1


def test_sheet_by_name_and_a_missing_sheet(d, tmp_path):
    path = real_workbook(tmp_path / "l.xlsx", REAL_ROWS)
    notes = d.ledger.import_ledger(path, sheet="記入上の注意", dry_run=True)
    assert not notes.ok and any("見出しの行が見つかりません" in x for x in notes.lines())
    missing = d.ledger.import_ledger(path, sheet="令和7年度", dry_run=True)
    assert any("シート「令和7年度」はありません" in x and "受付簿" in x for x in missing.lines())
    ok = d.ledger.import_ledger(path, sheet="受付簿", dry_run=True)
    assert ok.ok and len(ok.imported) == 3


def test_serial_dates_and_spellings_in_a_cp932_csv(d, tmp_path):
    path = tmp_path / "l.csv"
    with open(path, "w", encoding="cp932", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["相談受付簿（令和8年度）"])                   # a title row
        w.writerow(["番号", "相談受付日", "名前", "性別", "経路", "振分け", "同意の有無"])  # aliases
        w.writerow(["C-1", "46113", "佐藤 一", "男性", "電話", "継続", "有"])
        w.writerow(["C-2", "2026.4.2", "佐藤 二", "女性", "家族", "情報提供", "×"])
    report = d.ledger.import_ledger(path)
    assert report.ok, report.lines()
    assert report.header_row == 2 and report.title_rows == [1]
    assert d.get_case(d.case_id("C-1")).intakes[0].received_on == date(2026, 4, 1)
    assert d.get_case(d.case_id("C-2")).intakes[0].received_on == date(2026, 4, 2)


# ---------------------------------------------------------------------- errors and warnings
def write(path: Path, rows: list[list], header=COLS, encoding="cp932") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows([["" if v is None else v for v in r] for r in rows])
    return path


def test_the_issue_ledger_screening_referral_without_an_agency_is_imported(d, tmp_path):
    """「何も取り込んでいません（問題 1 件）」 before: a screening referral with no つなぎ先."""
    path = write(tmp_path / "l.csv", [
        rec(受付番号="W-1", 受付日="2026/4/1", 氏名="井上 一", 相談経路="本人等", 振り分け="継続支援",
            アセスメント日="2026/4/8", スクリーニング結果="他機関へつなぎ"),
        rec(受付番号="W-2", 受付日="2026/4/2", 氏名="井上 二", 相談経路="本人等",
            振り分け="他機関へつなぎ"),
        rec(受付番号="W-3", 受付日="2026/4/3", 氏名="井上 三", 相談経路="本人等", 振り分け="継続支援",
            郵便番号="12-345", 電話番号="でんわ", ふりがな="井上"),
    ])
    dry = d.ledger.import_ledger(path, dry_run=True)
    assert dry.ok and dry.warning_count == 5 and dry.error_count == 0, dry.lines()
    lines = dry.lines()
    assert "行 2 列「つなぎ先」: 「他機関へつなぎ」のつなぎ先がありません。「（記載なし）」として記録します。" \
        "（取り込みました）" in lines
    assert any(x.startswith("行 3 列「つなぎ先」: ") and x.endswith("（取り込みました）") for x in lines)
    for col in ("郵便番号", "電話番号", "ふりがな"):
        assert any(x.startswith(f"行 4 列「{col}」: ") and "備考に残しました" in x for x in lines)
    assert lines.index(next(x for x in lines if x.startswith("警告（5 件）"))) < \
        lines.index(next(x for x in lines if x.startswith("行 2 列「つなぎ先」")))
    report = d.ledger.import_ledger(path)
    assert report.ok and report.written == 3
    refs = {r.origin.value: r.referred_to for r in d.process.referrals(d.case_id("W-1"))}
    assert refs.get("screening") == "（記載なし）"
    assert d.get_case(d.case_id("W-2")).intakes[0].referral_to == "（記載なし）"
    three = d.get_case(d.case_id("W-3"))
    assert three.person.postal_code == "" and "郵便番号: 12-345" in three.intakes[0].consultation
    assert "電話番号: でんわ" in three.intakes[0].consultation
    month = S.monthly(d.store, "2026-04")["counts"]
    assert month["referred_out"] == 2


ERRORS = [
    # each an error: the import would have to guess
    (rec(受付番号="E-1", 受付日="2026/2/30", 氏名="誤り 一", 相談経路="本人等", 振り分け="継続支援"),
     "受付日", None),
    (rec(受付番号="E-2", 受付日="2026/4/10", 氏名="誤り 二", 相談経路="本人等", 振り分け="継続支援",
         アセスメント日="2026/4/1"), "アセスメント日", None),
    (rec(受付番号="E-2", 受付日="2026/4/10", 氏名="誤り 三", 相談経路="本人等", 振り分け="継続支援"),
     "受付番号", None),
    (rec(受付番号="E-4", 受付日="2026/4/10", 氏名="誤り 四", 相談経路="本人等", 振り分け="保留"),
     "振り分け", "継続支援 / 他機関へつなぎ / 情報提供のみ"),
    (rec(受付番号="E-5", 受付日="2026/4/10", 氏名="誤り 五", 相談経路="本人等", 振り分け="継続支援",
         同意="たぶん"), "同意", "○ / × / 有 / 無"),
    (rec(受付番号="E-6", 受付日="2026/4/10", 氏名="誤り 六", 相談経路="本人等", 振り分け="継続支援",
         性別="男の子"), "性別", "男 / 女 / その他 / 不明"),
    (rec(受付番号="E-7", 受付日="H31.5.1", 氏名="誤り 七", 相談経路="本人等", 振り分け="継続支援"),
     "受付日", None),
]


def test_errors_stay_errors_and_name_the_accepted_values(d, tmp_path):
    rows = [r for r, _c, _a in ERRORS]
    report = d.ledger.import_ledger(write(tmp_path / "e.csv", rows))
    assert not report.ok and report.written == 0 and d.count_cases() == 0
    where = {(p.row, p.column): p for p in report.problems}
    for i, (_r, column, accepted) in enumerate(ERRORS, start=2):
        assert (i, column) in where, (i, column, report.lines())
        if accepted:
            assert accepted in where[(i, column)].text()
    assert not report.warnings


def test_closure_date_without_its_pattern_is_an_error(d, tmp_path):
    header = COLS + ["終結日", "終結区分"]
    path = write(tmp_path / "c.csv", [rec(受付番号="X-1", 受付日="2026/4/1", 氏名="終結 一",
                                          相談経路="本人等", 振り分け="継続支援") + ["2026/5/1", ""]],
                 header=header)
    report = d.ledger.import_ledger(path)
    assert [(p.row, p.column) for p in report.problems] == [(2, "終結区分")]


def test_cli_shows_errors_and_warnings_apart_and_reads_a_sheet(d, desk_path, tmp_path,
                                                               monkeypatch, capsys):
    d.close()
    monkeypatch.setenv("TSUNAGU_PASSWORD", PASSWORD)
    base = ["--db", str(desk_path), "--user", LOGIN]
    path = write(tmp_path / "w.csv", [
        rec(受付番号="W-1", 受付日="2026/4/1", 氏名="井上 一", 相談経路="本人等",
            振り分け="他機関へつなぎ"),
        rec(受付番号="W-2", 受付日="2026/4/1", 氏名="井上 二", 相談経路="なぞ", 振り分け="継続支援")])
    assert cli_main(["import-ledger", str(path), "--dry-run", *base]) == 5
    out = capsys.readouterr().out.splitlines()
    e = out.index(next(x for x in out if x.startswith("エラー（1 件）")))
    w = out.index(next(x for x in out if x.startswith("警告（1 件）")))
    assert out[e + 1].startswith("行 3 列「相談経路」") and out[w + 1].startswith("行 2 列「つなぎ先」")
    book = real_workbook(tmp_path / "b.xlsx", REAL_ROWS)
    assert cli_main(["import-ledger", str(book), "--sheet", "受付簿", "--dry-run", *base]) == 0
    assert "「受付簿」" in capsys.readouterr().out
    assert cli_main(["import-ledger", str(book), "--sheet", "ない", *base]) == 5


# ---------------------------------------------------------------------- limits
def test_a_hostile_xlsx_is_refused_quickly_in_little_memory(d, tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["受付日", "氏名", "相談経路", "振り分け"])
    ws["XFD1048576"] = "x"
    path = tmp_path / "bomb.xlsx"
    wb.save(path)
    assert path.stat().st_size < 10_000
    report = d.ledger.import_ledger(path)
    assert not report.ok
    assert "XFD" in report.problems[0].text() and "200 列" in report.problems[0].text()
    # the memory it takes, in a process of its own (the peak RSS of a whole Python process,
    # VmHWM: ru_maxrss would carry the forking pytest's own; the interpreter with openpyxl
    # is about 30 MB; building the sheet would take GBs)
    code = ("import resource, sys; from pathlib import Path; sys.path.insert(0, sys.argv[2])\n"
            "from app.ledger_file import LedgerSource, LedgerFileError\n"
            "src = LedgerSource(Path(sys.argv[1]))\n"
            "try:\n    h, rows = src.choose()\n    for r in rows:\n        pass\n"
            "except LedgerFileError as e:\n    print('refused')\n"
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
            "print(hwm[0].split()[1] if hwm else resource.getrusage(resource.RUSAGE_SELF)"
            ".ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", code, str(path), str(ROOT)],
                         capture_output=True, text=True, timeout=300, check=True).stdout.split()
    assert out[0] == "refused" and int(out[1]) < 200 * 1024, out


def test_too_many_rows_wide_rows_and_huge_cells_are_refused(d, tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_file, "MAX_ROWS", 1000)
    many = write(tmp_path / "many.csv", [rec(受付日="2026/4/1", 氏名=f"人 {i}", 相談経路="本人等",
                                             振り分け="継続支援") for i in range(1100)],
                 encoding="utf-8")
    report = d.ledger.import_ledger(many)
    assert not report.ok and "1,000 行を超えています" in report.problems[0].text()
    assert report.rows == 0                 # said before any row is checked
    one_more = write(tmp_path / "one_more.csv", [
        rec(受付日="2026/4/1", 氏名=f"人 {i}", 相談経路="本人等", 振り分け="継続支援")
        for i in range(1001)], encoding="utf-8")
    report = d.ledger.import_ledger(one_more)
    assert not report.ok and "1,000 行を超えています" in report.problems[0].text()
    fits = write(tmp_path / "fits.csv", [rec(受付日="2026/4/1", 氏名=f"人 {i}", 相談経路="本人等",
                                             振り分け="継続支援") for i in range(1000)],
                 encoding="utf-8")
    assert d.ledger.import_ledger(fits, dry_run=True).ok
    wide = write(tmp_path / "wide.csv", [rec(受付日="2026/4/1", 氏名="広い", 相談経路="本人等",
                                             振り分け="継続支援") + [""] * 200 + ["x"]],
                 encoding="utf-8")
    text = d.ledger.import_ledger(wide).problems[0].text()
    assert "2 行目" in text and "200 列" in text
    huge = write(tmp_path / "huge.csv", [rec(受付日="2026/4/1", 氏名="大きい", 相談経路="本人等",
                                             振り分け="継続支援", 担当者="あ" * 70_000)],
                 encoding="utf-8")
    text = d.ledger.import_ledger(huge).problems[0].text()
    assert "2 行目" in text and "65,536" in text
    unclosed = tmp_path / "quote.csv"
    unclosed.write_text("受付日,氏名,相談経路,振り分け\n2026/4/1,\"ずっと" + "あ" * 140_000 + "\n",
                        encoding="utf-8")
    assert "引用符" in d.ledger.import_ledger(unclosed).problems[0].text()


def test_xlsx_row_limit(d, tmp_path, monkeypatch):
    from openpyxl import Workbook
    monkeypatch.setattr(ledger_file, "MAX_ROWS", 50)
    wb = Workbook()
    ws = wb.active
    ws.append(["受付日", "氏名", "相談経路", "振り分け"])
    for i in range(60):
        ws.append(["2026/4/1", f"人 {i}", "本人等", "継続支援"])
    wb.save(tmp_path / "m.xlsx")
    report = d.ledger.import_ledger(tmp_path / "m.xlsx")
    assert not report.ok and "50 行を超えています" in report.problems[0].text()


def test_the_report_is_capped_at_200_problems_and_a_count(d, tmp_path):
    path = write(tmp_path / "bad.csv", [rec(受付日="2026/2/30", 氏名=f"人 {i}", 相談経路="本人等",
                                            振り分け="継続支援") for i in range(300)],
                 encoding="utf-8")
    report = d.ledger.import_ledger(path)
    assert report.error_count == 300 and len(report.problems) == 200
    lines = report.lines()
    assert sum(1 for x in lines if "列「受付日」" in x) == 200
    assert "…ほかに問題 100 件（最初の 200 件を表示しています）。" in lines
    assert any("問題 300 件" in x for x in lines)
