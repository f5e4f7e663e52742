"""台帳の取り込み (LEDGER.md): file formats, every date form, all or nothing, idempotent, and
the imported history as real records whose statistics are right straight away."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from app.domain.plan import PlanKind, PlanStatus
from app.cli import main as cli_main
from app.domain import Stage
from app.reports import statistics as S
from tests.conftest import LOGIN, PASSWORD

TODAY = date(2026, 11, 20)

HEADER = ["受付番号", "受付日", "氏名", "ふりがな", "生年月日", "性別", "相談経路", "紹介元", "主な相談内容",
          "振り分け", "つなぎ先", "アセスメント日", "スクリーニング結果", "プラン了承日", "再プラン了承日",
          "法定サービス", "支援決定日", "就労支援対象", "就労日", "増収日", "中断日", "終結日", "終結区分",
          "担当者", "備考", "メモ"]


def row(**kw) -> list[str]:
    return [kw.get(h, "") for h in HEADER]


# The small ledger of the counting rules (hand-computed figures in test_statistics.py).
LEDGER = [
    # 1: returns after the closure of row 5; first plan in March, re-plan in April (FY edge)
    row(受付番号="L-001", 受付日="2026/3/10", 氏名="山田 太郎", ふりがな="ヤマダ タロウ",
        生年月日="S55.3.2", 性別="男", 相談経路="庁内", 紹介元="税務課", 主な相談内容="債務",
        振り分け="継続支援", アセスメント日="2026/3/20", スクリーニング結果="継続支援",
        プラン了承日="2026/3/31", 再プラン了承日="2026/4/15", 法定サービス="就労準備支援事業",
        支援決定日="2026/4/1", 就労支援対象="○", 就労日="2026/5/10", 担当者="管理 花子",
        メモ="x"),
    # 2: referred out at intake
    row(受付番号="L-002", 受付日="R8.4.1", 氏名="佐藤 花子", 生年月日="1990-01-02", 性別="女",
        相談経路="関係機関紹介", 紹介元="ハローワーク", 振り分け="他機関へつなぎ", つなぎ先="法テラス"),
    # 3: information only at screening (in May), in support at the end of April
    row(受付番号="L-003", 受付日="2026-04-30", 氏名="鈴木 一郎", 生年月日="1970/1/1", 相談経路="来所",
        主な相談内容="仕事探し・就職", 振り分け="継続支援", アセスメント日="2026年5月1日",
        スクリーニング結果="情報提供で終了"),
    # 4: increased income (not a target), suspended, closed (3)
    row(受付番号="L-004", 受付日="2026年5月1日", 氏名="高橋 次郎", 生年月日="1985-06-15",
        相談経路="アウトリーチ", 振り分け="継続支援", アセスメント日="2026/5/2",
        スクリーニング結果="継続支援", プラン了承日="2026/5/20", 増収日="2026/6/10",
        中断日="2026/7/1", 終結日="2026/9/30", 終結区分="3"),
    # 5: the first consultation of row 1's person, closed (2) in 2019
    row(受付番号="L-005", 受付日="令和元年5月1日", 氏名="山田　太郎", 生年月日="1980/3/2",
        相談経路="電話", 振り分け="継続支援", 終結日="令和元年6月30日", 終結区分="2"),
    # 6: no number, no birth date: information only at intake (H31)
    row(受付日="H31.4.30", 氏名="田中 三郎", 相談経路="本人等", 振り分け="情報提供のみ"),
    # 7: same name as row 6 without birth date (not merged); two re-plans, closed (1)
    row(受付番号="L-007", 受付日="2026/6/5", 氏名="田中 三郎", 相談経路="家族", 振り分け="継続支援",
        プラン了承日="2026/6/25", 再プラン了承日="2026/8/20;2026/10/5", 就労支援対象="1",
        就労日="2026/7/15", 終結日="2026/10/31", 終結区分="1", 担当者="新人 未登録"),
    # 8: referred out at screening
    row(受付番号="L-008", 受付日="2026/4/2", 氏名="伊藤 四郎", 生年月日="1990/2/3", 相談経路="庁内",
        紹介元="税務課", 振り分け="継続支援", アセスメント日="2026/4/10",
        スクリーニング結果="他機関へつなぎ", つなぎ先="ハローワーク"),
    # 9: employed before becoming a target; the re-plan carries 就労訓練事業 (decided in July)
    row(受付番号="L-009", 受付日="2026/5/7", 氏名="渡辺 五郎", 生年月日="1975/7/7", 相談経路="本人等",
        振り分け="継続支援", プラン了承日="2026/5/25", 再プラン了承日="2026/7/1",
        法定サービス="就労訓練事業", 支援決定日="2026/7/3", 就労日="2026/6/1"),
    row(),  # an empty row is skipped
]


def write_csv(path: Path, rows, encoding="utf-8-sig", header=HEADER) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, rows, header=HEADER) -> Path:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([v if v != "" else None for v in r])
    wb.create_sheet("ignored").append(["not read"])
    wb.save(path)
    return path


@pytest.fixture
def d(desk):
    desk._today = lambda: TODAY
    return desk


def imported(desk, path, **kw):
    report = desk.ledger.import_ledger(path, **kw)
    assert report.ok, report.lines()
    return report


@pytest.mark.parametrize("fmt", ["utf-8-sig", "utf-8", "cp932", "xlsx"])
def test_every_format_imports_the_same(d, tmp_path, fmt):
    path = (write_xlsx(tmp_path / "ledger.xlsx", LEDGER) if fmt == "xlsx"
            else write_csv(tmp_path / "ledger.csv", LEDGER, fmt))
    report = imported(d, path)
    assert report.rows == 9 and report.empty_rows == 1 and report.written == 9
    assert report.unknown_columns == ["メモ"]
    assert "不明な列「メモ」は無視しました。" in report.lines()
    assert sorted(c for _r, c in report.imported) == [
        "2019-0001", "L-001", "L-002", "L-003", "L-004", "L-005", "L-007", "L-008", "L-009"]
    # wareki dates read right
    i5 = d.get_case(d.case_id("L-005"))
    assert i5.intakes[0].received_on == date(2019, 5, 1)
    assert d.get_case(d.case_id("L-002")).intakes[0].received_on == date(2026, 4, 1)
    assert S.monthly(d.store, "2019-04")["counts"]["information_only"] == 1


def test_person_recognised_by_name_and_birth_date_only(d, tmp_path):
    report = imported(d, write_csv(tmp_path / "l.csv", LEDGER))
    one, five = d.get_case(d.case_id("L-001")), d.get_case(d.case_id("L-005"))
    assert one.person.id == five.person.id             # 山田 太郎 / 山田　太郎, S55.3.2 = 1980/3/2
    seven = d.get_case(d.case_id("L-007"))
    six_no = next(c for r, c in report.imported if r == 7)
    assert d.get_case(d.case_id(six_no)).person.id != seven.person.id   # no birth date
    assert any("田中 三郎" in line and "同一人物" in line for line in report.lines()), report.lines()


def test_history_becomes_real_records(d, tmp_path):
    report = imported(d, write_csv(tmp_path / "l.csv", LEDGER))
    assert report.staff_created == ["新人 未登録"]
    cid = d.case_id("L-001")
    plans = d.process.plans(cid)
    assert [(p.kind, p.status, p.approved_on) for p in plans] == [
        (PlanKind.FIRST, PlanStatus.SUPERSEDED, date(2026, 3, 31)),
        (PlanKind.REPLAN, PlanStatus.APPROVED, date(2026, 4, 15))]
    assert {i.service_key for i in plans[0].items} >= {"work_preparation"}
    assert next(i for i in plans[0].items if i.service_key == "work_preparation").decision \
        == "decided"
    assert "employment_worker" in {i.service_key for i in plans[1].items}
    assert d.get_case(cid).case.stage is Stage.SUPPORT
    four = d.case_id("L-004")
    assert d.get_case(four).case.stage is Stage.CLOSED
    assert d.get_case(four).case.closed_on == date(2026, 9, 30)
    kinds = {e.kind for e in d.process.timeline(four)}
    assert {"intake", "plan", "evaluation", "suspension", "closure"} <= kinds
    assert d.get_case(d.case_id("L-002")).case.stage is Stage.REFERRED
    assert d.get_case(d.case_id("L-003")).case.stage is Stage.INFO_ONLY
    # the imported 支援調整会議: one per date, held, marked
    m = d.store.conn.execute("SELECT count(*), count(DISTINCT held_on), min(held) FROM meeting"
                             " WHERE place = '台帳取り込み'").fetchone()
    assert m[0] == m[1] and m[2] == 1
    staff = {s.display_name: s for s in d.store.staff(active_only=False)}
    assert staff["新人 未登録"].active is False
    assert d.get_case(d.case_id("L-007")).case.assignee == "新人 未登録"
    # journalled like any write
    n = d.store.conn.execute("SELECT count(*) FROM journal WHERE tbl = 'plan'").fetchone()[0]
    assert n >= 6
    assert d.security.audit_verify() is None


def test_second_import_writes_nothing(d, tmp_path):
    path = write_csv(tmp_path / "l.csv", LEDGER)
    imported(d, path)
    before = d.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    again = imported(d, path)
    assert again.imported == [] and len(again.already) == 9
    assert any("取り込み済み" in line for line in again.lines())
    after = d.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    assert after == before


def test_dry_run_writes_nothing(d, tmp_path):
    path = write_csv(tmp_path / "l.csv", LEDGER)
    before = d.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    report = d.ledger.import_ledger(path, dry_run=True)
    assert report.ok and len(report.imported) == 9 and report.written == 0
    assert d.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0] == before
    assert d.count_cases() == 0


def _counts(desk) -> tuple[int, ...]:
    conn = desk.store.conn
    return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("person", "case_file", "intake", "plan", "meeting", "staff",
                           "journal", "audit"))


def test_a_row_failing_while_written_leaves_nothing_half_written(d, tmp_path, monkeypatch):
    """Each row is written whole (as desk.ledger.import_row writes it) inside the file's ONE
    transaction: a failure in the fifth row takes back the four before it too."""
    from app.operations import ledger as ops
    written = []
    real = ops._RowWriter.write

    def failing(self, row):
        if len(written) == 4:
            raise RuntimeError("disk gone")
        done = real(self, row)
        written.append(done.case_no)
        # each row is complete when written (in the open transaction)
        assert d.store.conn.execute("SELECT count(*) FROM audit WHERE action = 'import' AND"
                                    " detail = ?", (done.case_no,)).fetchone()[0] == 1
        return done

    monkeypatch.setattr(ops._RowWriter, "write", failing)
    before = _counts(d)
    with pytest.raises(RuntimeError):
        d.ledger.import_ledger(write_csv(tmp_path / "l.csv", LEDGER))
    assert len(written) == 4
    assert _counts(d) == before and d.count_cases() == 0
    assert d.security.audit_verify() is None
    monkeypatch.setattr(ops._RowWriter, "write", real)
    assert imported(d, write_csv(tmp_path / "l.csv", LEDGER)).written == 9


def test_import_row_is_an_operation_of_its_own(d, tmp_path):
    """One checked row written by the narrow operation: refused without its required values
    or with a number in use; otherwise one case, journalled and audited 「import」."""
    from app.errors import ValidationErrors
    from app.ledger import read_ledger
    report, rows = read_ledger(write_csv(tmp_path / "l.csv", LEDGER[:2]), TODAY,
                               d.process.services(include_inactive=True))
    assert report.ok and len(rows) == 2
    before = d.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    done = d.ledger.import_row(rows[0])
    assert done.case_no == "L-001" and done.staff_created == []
    assert d.get_case(done.case_id).case.stage is Stage.SUPPORT
    assert d.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0] > before
    assert [e.detail for e in d.security.audit_search(action="import")] == ["L-001"]
    with pytest.raises(ValidationErrors) as used:
        d.ledger.import_row(rows[0])
    assert used.value.errors[0].field == "受付番号"
    from dataclasses import replace
    with pytest.raises(ValidationErrors) as missing:
        d.ledger.import_row(replace(rows[1], received_on=None, triage=None))
    assert [e.field for e in missing.value.errors] == ["受付日", "振り分け"]
    assert d.count_cases() == 1
    # inside a batch the operation still succeeds or fails whole (a savepoint)
    from app.operations import ledger as ops

    real = ops._RowWriter.write

    def failing(self, row):
        real(self, row)
        raise RuntimeError("stopped after the row")

    journal = d.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    with d.batch():
        ops._RowWriter.write = failing
        try:
            with pytest.raises(RuntimeError):
                d.ledger.import_row(rows[1])
        finally:
            ops._RowWriter.write = real
        assert d.store.case_id_by_no("L-002") is None
        assert d.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0] == journal
        d.ledger.import_row(rows[1])
    assert d.count_cases() == 2 and d.store.case_id_by_no("L-002") is not None


BROKEN = [
    row(受付番号="B-1", 受付日="H31.5.1", 氏名="壊れ 一", 相談経路="本人等", 振り分け="継続支援"),
    row(受付番号="B-2", 受付日="2026年2月30日", 氏名="壊れ 二", 相談経路="本人等", 振り分け="継続支援"),
    row(受付番号="B-3", 受付日="2026/4/1", 氏名="", 相談経路="本人等", 振り分け="継続支援"),
    row(受付番号="B-4", 受付日="2026/4/10", 氏名="壊れ 四", 相談経路="本人等", 振り分け="継続支援",
        プラン了承日="2026/4/1"),
    row(受付番号="B-5", 受付日="2026/4/1", 氏名="壊れ 五", 相談経路="本人等", 振り分け="継続支援",
        終結日="2026/5/1"),
    row(受付番号="B-6", 受付日="2026/4/1", 氏名="壊れ 六", 相談経路="ふくろう", 振り分け="継続支援"),
    row(受付番号="B-7", 受付日="2026/4/1", 氏名="壊れ 七", 相談経路="本人等", 振り分け="他機関へつなぎ",
        プラン了承日="2026/4/5"),
    row(受付番号="B-8", 受付日="2027/1/1", 氏名="壊れ 八", 相談経路="本人等", 振り分け="継続支援"),
    row(受付番号="B-9", 受付日="2026/4/1", 氏名="壊れ 九", 相談経路="本人等", 振り分け="継続支援",
        中断日="2026/5/1"),
    row(受付番号="OK-1", 受付日="2026/4/1", 氏名="正しい 行", 相談経路="本人等", 振り分け="継続支援"),
]


def test_broken_file_imports_nothing_and_reports_each_row(d, tmp_path):
    report = d.ledger.import_ledger(write_csv(tmp_path / "broken.csv", BROKEN, "cp932"))
    assert not report.ok and report.written == 0 and d.count_cases() == 0
    where = {(p.row, p.column) for p in report.problems}
    assert {(2, "受付日"), (3, "受付日"), (4, "氏名"), (5, "プラン了承日"), (6, "終結区分"),
            (7, "相談経路"), (8, "プラン了承日"), (9, "受付日"), (10, "中断日")} <= where, where
    assert (11, "受付日") not in where
    lines = report.lines()
    assert any(line.startswith("行 2 列「受付日」: ") and "平成31年5月1日" in line for line in lines)
    assert any(line.startswith("行 3 列「受付日」: ") and "2026年2月30日" in line for line in lines)
    assert any(line.startswith("行 5 列「プラン了承日」: ") for line in lines)
    assert any("何も取り込んでいません" in line for line in lines), lines


def test_missing_required_column_and_duplicate_numbers(d, tmp_path):
    header = [h for h in HEADER if h != "相談経路"]
    path = tmp_path / "no-route.csv"
    write_csv(path, [[v for h, v in zip(HEADER, LEDGER[0]) if h != "相談経路"]], header=header)
    report = d.ledger.import_ledger(path)
    assert [(p.row, p.column) for p in report.problems] == [(1, "相談経路")]
    dup = d.ledger.import_ledger(write_csv(tmp_path / "dup.csv", [LEDGER[1], LEDGER[1]]))
    assert [(p.row, p.column) for p in dup.problems] == [(3, "受付番号")]
    assert d.count_cases() == 0


def test_cli_import_ledger(desk_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TSUNAGU_PASSWORD", PASSWORD)
    good = write_csv(tmp_path / "l.csv", LEDGER[:3])
    base = ["--db", str(desk_path), "--user", LOGIN]
    assert cli_main(["import-ledger", str(good), "--dry-run", *base]) == 0
    assert "書き込んでいません" in capsys.readouterr().out
    assert cli_main(["import-ledger", str(good), *base]) == 0
    assert "L-001" in capsys.readouterr().out
    bad = write_csv(tmp_path / "bad.csv", BROKEN)
    assert cli_main(["import-ledger", str(bad), *base]) != 0
    out = capsys.readouterr()
    assert "行 2 列「受付日」" in out.out + out.err
