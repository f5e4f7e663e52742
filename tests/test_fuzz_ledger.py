"""Bad ledgers (issue 8 point 5): hypothesis writes 相談受付簿 files with random cells — huge
strings, control characters, lone surrogates, combining marks, variation selectors,
half-width kana, impossible dates (H31.5.1, 2026年2月30日), numbers and dates as Excel
values — as CSV (UTF-8 with and without BOM, cp932 where the text is encodable) and .xlsx,
plus files in wrong encodings and cut-off workbooks.

What it proves: ``desk.ledger.import_ledger`` never crashes (it returns its report, or raises a
TsunaguError at most); a report with problems wrote nothing (cases and journal unchanged);
a clean report wrote exactly its rows; and every name that was imported comes back exactly
as the cell held it (only surrounding whitespace trimmed). 60 examples by default,
TSUNAGU_LONG=1 runs 600.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app import text_ja
from app.errors import TsunaguError

EXAMPLES = 600 if os.environ.get("TSUNAGU_LONG") else 60
TODAY = date(2026, 11, 20)
HEADER = ["受付番号", "受付日", "氏名", "ふりがな", "生年月日", "性別", "住所", "電話番号", "相談経路",
          "振り分け", "アセスメント日", "スクリーニング結果", "プラン了承日", "備考"]
FUZZED = ["受付番号", "受付日", "氏名", "ふりがな", "生年月日", "性別", "住所", "電話番号", "相談経路",
          "振り分け", "プラン了承日", "備考"]
_serial = itertools.count(1)

nasty_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=12),  # surrogates too
    st.sampled_from([
        "", " ", "\u3000", "𠮷田 花子", "髙橋 一郎", "山﨑　二郎", "葛\U000E0100城 三郎", "邉\U000E0101",
        "か\u3099たかな", "ﾀｶﾊｼ ﾀﾛｳ", "ｶﾞｯｺｳ", "ﾊﾟﾊﾟ", "\x00", "名\x07前", "\ud800", "a\udfff",
        "\u202e逆向き", "\ufeff山田", "=1+1", "'090", "長" * 101, "x" * 5001, "あ" * 100_000,
        "e\u0301\u0301\u0301", "🙂\u200d", "\r\n", "改\n行", "タブ\tあり", "\x85", "\u2028",
    ]),
)
nasty_date = st.one_of(
    st.sampled_from(["H31.5.1", "R1.4.30", "令和元年4月30日", "平成31年4月31日", "2026年2月30日",
                     "S64.1.8", "昭和64年1月7日", "2026/13/1", "0000/00/00", "2026-04-01",
                     "R8.4.1", "2027/1/1", "１９８０／１／２", "1e308", "NaN", "45000", "令和",
                     "明治1.1.1", "T15.12.25", "2026年4月1日（水）", " 2026/4/1 "]),
    st.from_regex(r"[MTSHR]\d{1,2}\.\d{1,2}\.\d{1,2}", fullmatch=True),
    st.from_regex(r"\d{4}[/-]\d{1,2}[/-]\d{1,2}", fullmatch=True),
    nasty_text,
)
excel_value = st.one_of(st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
                        st.datetimes(min_value=datetime(1900, 3, 1)),
                        st.integers(-10**12, 10**12), st.floats(), st.booleans())


@st.composite
def ledgers(draw):
    kind = draw(st.sampled_from(["utf-8-sig", "utf-8", "cp932", "xlsx", "xlsx", "bad-bytes"]))
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        n = next(_serial)
        cells = {"受付番号": f"FZ-{n}", "受付日": "2026/4/1", "氏名": f"台帳 {n}",
                 "ふりがな": "だいちょう", "生年月日": (date(1930, 1, 1) + timedelta(days=n)).isoformat(),
                 "性別": "女", "住所": "つなぐ町本町1-2-3", "電話番号": "090-1234-5678",
                 "相談経路": "本人等", "振り分け": "継続支援", "アセスメント日": "",
                 "スクリーニング結果": "", "プラン了承日": "", "備考": ""}
        if draw(st.booleans()):
            cells.update({"アセスメント日": "2026/4/5", "スクリーニング結果": "継続支援",
                          "プラン了承日": "2026/4/20"})
        for column in draw(st.lists(st.sampled_from(FUZZED), max_size=4, unique=True)):
            dated = column in ("受付日", "生年月日", "プラン了承日")
            strategy = nasty_date if dated else nasty_text
            if kind == "xlsx" and draw(st.booleans()):
                strategy = st.one_of(strategy, excel_value)
            cells[column] = draw(strategy)
        rows.append(cells)
    return kind, rows, draw(st.binary(max_size=200)), draw(st.booleans())


def _write(path: Path, kind: str, rows: list[dict], junk: bytes) -> tuple[Path, bool]:
    """Write the ledger; returns the path and whether the file holds the cells faithfully
    (False: a wrong encoding or a format that could not carry the text)."""
    table = [HEADER] + [[r[h] for h in HEADER] for r in rows]
    if kind == "bad-bytes":
        choice = len(junk) % 4
        if choice == 0:     # UTF-16: neither UTF-8 nor cp932
            data = _csv_text(table).encode("utf-16", "surrogatepass")
        elif choice == 1:   # a workbook cut off in the middle
            try:
                whole = _xlsx_bytes(table)
            except Exception:  # noqa: BLE001 - characters openpyxl refuses
                whole = _xlsx_bytes([HEADER])
            data = whole[: max(4, len(junk) * 20)]
        elif choice == 2:   # lone surrogates written as they are: not UTF-8 any more
            data = _csv_text(table).encode("utf-8", "surrogatepass") + b"\xed\xa0\x80"
        else:
            data = b"PK\x03\x04" + junk if junk[:1] == b"P" else junk + b"\xff\xfe\x81"
        path = path.with_suffix(".csv")
        path.write_bytes(data)
        return path, False
    if kind == "xlsx":
        try:
            data = _xlsx_bytes(table)
        except Exception:  # noqa: BLE001 - openpyxl refuses control characters, surrogates
            kind = "utf-8-sig"
        else:
            path = path.with_suffix(".xlsx")
            path.write_bytes(data)
            return path, True
    text = _csv_text(table)
    path = path.with_suffix(".csv")
    try:
        data = text.encode(kind)
        faithful = data.decode(kind) == text
    except UnicodeEncodeError:
        data = text.encode("utf-8-sig", "surrogatepass")
        faithful = not any("\ud800" <= ch <= "\udfff" for ch in text)
    path.write_bytes(data)
    return path, faithful


def _csv_text(table) -> str:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([[_as_cell(v) for v in r] for r in table])
    return out.getvalue()


def _as_cell(value) -> str:
    return value if isinstance(value, str) else str(value)


def _xlsx_bytes(table) -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    for r in table:
        ws.append([v if v != "" else None for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _expected_text(cell, suffix: str) -> str:
    """What a cell should read as: text as typed; in a workbook, a number cell as Excel shows
    it (a whole number without ".0", as a ledger's numbers are kept), TRUE/FALSE as 1/0."""
    if isinstance(cell, str):
        return cell.strip()
    if suffix == ".xlsx":
        if isinstance(cell, bool):
            return "1" if cell else "0"
        if isinstance(cell, float) and cell.is_integer():
            return str(int(cell))
        if isinstance(cell, datetime):
            return cell.date().isoformat() if cell.time() == datetime.min.time() \
                else cell.isoformat()
    return str(cell).strip()


def _count(conn, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(ledgers())
def test_random_ledgers_import_whole_or_not_at_all(desk, tmp_path, ledger):
    kind, rows, junk, dry_run = ledger
    desk._today = lambda: TODAY
    path, faithful = _write(tmp_path / f"ledger-{next(_serial)}", kind, rows, junk)
    conn = desk.store.conn
    cases, journal = _count(conn, "case_file"), _count(conn, "journal")
    try:
        report = desk.ledger.import_ledger(path, dry_run=dry_run)
    except TsunaguError as err:     # allowed: a refusal in words, and nothing written
        assert str(err)
        assert (_count(conn, "case_file"), _count(conn, "journal")) == (cases, journal)
        return
    lines = report.lines()
    event(f"{path.suffix} {'dry run' if dry_run else 'import'} "
          f"{'refused' if report.problems else 'ok'}")
    assert lines and all(isinstance(line, str) and line for line in lines)
    if not report.ok or dry_run:
        assert (_count(conn, "case_file"), _count(conn, "journal")) == (cases, journal), lines
        assert report.written == 0
        return
    assert _count(conn, "case_file") == cases + len(report.imported), lines
    assert not conn.in_transaction
    if not faithful:
        return
    by_row = {i + 2: r for i, r in enumerate(rows)}  # the header is row 1
    for number, case_no in report.imported:
        cell = by_row[number]["氏名"]
        expected = _expected_text(cell, path.suffix)
        person_id, name = conn.execute(
            "SELECT p.id, p.name FROM case_file c JOIN person p ON p.id = c.person_id "
            "WHERE c.case_no = ?", (case_no,)).fetchone()
        if name != expected:  # only a person recognised by (folded) name and birth date
            shared = _count_where(conn, person_id)
            assert shared > 1 and text_ja.fold_for_search(name) == \
                text_ja.fold_for_search(expected), (case_no, name, expected, lines)


def _count_where(conn, person_id: str) -> int:
    return conn.execute("SELECT count(*) FROM case_file WHERE person_id = ?",
                        (person_id,)).fetchone()[0]
