"""Round trip (issue 16 point 5): ``export-ledger`` writes the desk as a ledger in the import's
own columns; importing it into an empty desk gives the same monthly statistics, month by
month, for every month the cases touch — xlsx and CSV (UTF-8 and cp932)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.cli import main as cli_main
from app.desk import Desk
from app.reports import statistics as S
from tests.conftest import LOGIN, PASSWORD, copy_desk, make_intake
from tests.test_ledger import LEDGER, TODAY, write_csv

MONTHS = [f"{y}-{m:02d}" for y in (2019, 2020) for m in range(1, 13)][3:8] + \
    [f"2026-{m:02d}" for m in range(1, 12)]


def all_months(desk) -> dict[str, dict]:
    out = {}
    for month in MONTHS:
        report = S.monthly(desk.store, month)
        out[month] = {k: report[k] for k in ("counts", "referral_routes", "referral_sources",
                                             "statutory_services")}
    return out


def fresh(desk_template, folder: Path) -> Desk:
    folder.mkdir()
    d = Desk.open(copy_desk(desk_template, folder), LOGIN, PASSWORD)
    d._today = lambda: TODAY
    return d


@pytest.mark.parametrize("fmt,encoding", [("xlsx", "utf-8"), ("csv", "utf-8"),
                                          ("csv", "cp932")])
def test_export_then_import_gives_the_same_statistics(desk, desk_template, tmp_path, fmt,
                                                      encoding):
    desk._today = lambda: TODAY
    assert desk.ledger.import_ledger(write_csv(tmp_path / "orig.csv", LEDGER)).ok
    before = all_months(desk)
    assert sum(m["counts"]["new_consultations"] for m in before.values()) == 9
    out = desk.reports.export_ledger(tmp_path / f"ledger.{fmt}", fmt, encoding=encoding)
    other = fresh(desk_template, tmp_path / "other")
    try:
        report = other.ledger.import_ledger(out)
        assert report.ok and not report.warnings, report.lines()
        assert report.written == 9
        assert all_months(other) == before
        # and once more: the second desk's export is the first's
        again = other.reports.export_ledger(tmp_path / f"again.{fmt}", fmt, encoding=encoding)
        if fmt == "csv":
            assert again.read_bytes() == out.read_bytes()
    finally:
        other.close()


def test_export_of_cases_entered_through_the_desk(desk, desk_template, tmp_path):
    """Intakes registered through the Desk (as the screens do) travel too, and their
    statistics are the same after the round trip."""
    desk._today = lambda: TODAY
    from app.domain import Triage
    desk.register_intake(make_intake(received=date(2026, 5, 7)))
    desk.register_intake(make_intake(name="佐藤 太郎", kana="さとう たろう",
                                     birth=date(1970, 1, 2), received=date(2026, 6, 1),
                                     triage=Triage.REFER))
    desk.register_intake(make_intake(name="山田 花子", kana="やまだ はなこ",
                                     birth=date(1990, 3, 4), received=date(2026, 6, 2),
                                     triage=Triage.INFO_ONLY))
    before = all_months(desk)
    out = desk.reports.export_ledger(tmp_path / "desk.xlsx")
    other = fresh(desk_template, tmp_path / "other")
    try:
        report = other.ledger.import_ledger(out)
        assert report.ok, report.lines()
        assert all_months(other) == before
        names = {c.name for c in other.list_cases()}
        assert {"髙橋 𠮷子", "佐藤 太郎", "山田 花子"} <= names
    finally:
        other.close()


def test_xlsx_columns_dates_and_formula_like_names(desk, tmp_path):
    from openpyxl import load_workbook
    desk._today = lambda: TODAY
    desk.register_intake(make_intake(name="=HYPERLINK(\"http://x\",\"y\")",
                                     kana="いこーる"))
    out = desk.reports.export_ledger(tmp_path / "l.xlsx")
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    from app.ledger import COLUMNS
    assert header == list(COLUMNS)
    row = {h: c for h, c in zip(header, ws[2])}
    assert row["氏名"].data_type == "s" and row["氏名"].value.startswith("=HYPERLINK")
    assert row["受付日"].is_date and row["受付日"].number_format == "yyyy/mm/dd"


def test_cli_export_ledger_and_role(desk_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TSUNAGU_PASSWORD", PASSWORD)
    base = ["--db", str(desk_path), "--user", LOGIN]
    assert cli_main(["import-ledger", str(write_csv(tmp_path / "l.csv", LEDGER[:3])),
                     *base]) == 0
    out = tmp_path / "out.csv"
    assert cli_main(["export-ledger", "--out", str(out), *base]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("受付番号,受付日,氏名")
    assert "L-001" in text and "2026/3/10" in text
    d = Desk.open(desk_path, LOGIN, PASSWORD)
    try:
        entries = [e for e in d.security.audit_entries() if "ledger" in (e.detail or "")]
        assert entries
    finally:
        d.close()


def test_a_desk_worked_through_the_whole_process_round_trips(desk, desk_template, tmp_path):
    """150 synthetic cases taken through the Desk operations (app/demo.py: assessments,
    screenings, つなぎ taken back, plans and re-plans with services, 支援決定 on several dates,
    outcomes, 中断 and resumption, 終結): every monthly figure of every month is the same in
    the desk the exported ledger is imported into."""
    from app.demo import fill
    desk._today = lambda: TODAY
    fill(desk, 150, records_per_case=0, end=TODAY, seed=16)
    months = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]

    def figures(d):
        return {m: {k: v for k, v in S.monthly(d.store, m).items()
                    if k in ("counts", "referral_routes", "referral_sources",
                             "statutory_services")} for m in months}

    before = figures(desk)
    assert sum(f["counts"]["plans_created"] for f in before.values()) > 50
    assert sum(sum(f["statutory_services"].values()) for f in before.values()) > 10
    out = desk.reports.export_ledger(tmp_path / "desk.xlsx")
    other = fresh(desk_template, tmp_path / "other")
    try:
        report = other.ledger.import_ledger(out)
        assert report.ok and not report.warnings, report.lines()[:20]
        assert report.written == desk.count_cases()
        after = figures(other)
        assert {m: f for m, f in after.items() if f != before[m]} == {}
    finally:
        other.close()


def test_the_extended_cells_are_read(desk, tmp_path):
    """What the export writes beyond one value a cell: 就労支援対象 as the dates of the plans
    with employment support, one 支援決定日 per decided service, several 就労日, 引き戻し日."""
    desk._today = lambda: TODAY
    header = ["受付番号", "受付日", "氏名", "相談経路", "振り分け", "つなぎ先", "引き戻し日", "プラン了承日",
              "再プラン了承日", "法定サービス", "支援決定日", "就労支援対象", "就労日"]
    path = tmp_path / "x.csv"
    import csv
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerow(["X-1", "2026/4/1", "拡張 一", "本人等", "他機関へつなぎ", "法テラス", "2026/4/20",
                    "2026/5/20", "2026/7/15", "住居確保給付金;就労準備支援事業", "2026/5/25;2026/7/20",
                    "2026/7/15", "2026/6/1;2026/8/1"])
        w.writerow(["X-2", "2026/4/1", "拡張 二", "本人等", "継続支援", "", "", "2026/5/20", "",
                    "住居確保給付金;家計改善支援事業", "2026/5/25;", "", ""])
        w.writerow(["X-3", "2026/4/1", "拡張 三", "本人等", "継続支援", "", "", "2026/5/20", "",
                    "住居確保給付金", "2026/5/25;2026/5/26", "", ""])
        w.writerow(["X-4", "2026/4/1", "拡張 四", "本人等", "継続支援", "", "2026/4/3", "", "", "", "",
                    "", ""])
    report = desk.ledger.import_ledger(path, dry_run=True)
    where = {(p.row, p.column) for p in report.problems}
    assert where == {(4, "支援決定日"), (5, "引き戻し日")}, report.lines()
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(rows[:3]) + "\n", encoding="utf-8-sig")
    assert desk.ledger.import_ledger(path).ok
    one = desk.case_id("X-1")
    plans = desk.process.plans(one)
    services = {s.key: s for s in desk.process.services(include_inactive=True)}
    employment = {p.approved_on: any(services[i.service_key].employment for i in p.items
                                     if i.service_key in services) for p in plans}
    assert employment == {date(2026, 5, 20): False, date(2026, 7, 15): True}
    may, july = S.monthly(desk.store, "2026-05"), S.monthly(desk.store, "2026-07")
    assert may["statutory_services"] == {"住居確保給付金": 2}     # X-1 and X-2 (only the first)
    assert july["statutory_services"] == {"就労準備支援事業": 1}
    assert S.monthly(desk.store, "2026-06")["counts"]["employed"] == 1
    assert S.monthly(desk.store, "2026-08")["counts"]["employed"] == 1
    assert S.monthly(desk.store, "2026-04")["counts"]["referred_out"] == 1
    assert S.monthly(desk.store, "2026-04")["counts"]["active_at_month_end"] == 2
