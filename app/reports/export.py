"""Exports of the reports: CSV (UTF-8 with BOM, or cp932 on request), xlsx and PDF.

Every file is written atomically (the old file or the complete new one, never half).
Headings are Japanese. cp932 (Shift_JIS as Japanese Excel reads it) cannot hold every
character of a name (𠮷, some variants): such a file is refused with the place of the
character, never written with "?" in its stead.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

from app.domain.paper import Render, ReportPaper
from app.domain.reports import CaseloadRow
from app.errors import TsunaguError, ValidationError
from app.i18n import _
from app.reports import statistics as S
from app.files import write_atomic

FORMATS = ("csv", "xlsx", "pdf")
ENCODINGS = {"utf-8": "utf-8-sig", "utf-8-sig": "utf-8-sig", "utf8": "utf-8-sig",
             "cp932": "cp932", "shift_jis": "cp932", "sjis": "cp932"}


class ExportError(TsunaguError):
    """A report could not be written as asked (e.g. a character cp932 lacks)."""


def check_format(fmt: str, allowed: Sequence[str] = FORMATS) -> str:
    fmt = (fmt or "").strip().lower()
    if fmt not in allowed:
        raise ValidationError("format", _("Unknown format {format}: choose one of {choices}.")
                              .format(format=fmt, choices=", ".join(allowed)))
    return fmt


def check_encoding(encoding: str | None) -> str:
    enc = ENCODINGS.get((encoding or "utf-8").strip().lower())
    if enc is None:
        raise ValidationError("encoding", _("Unknown encoding {encoding}: choose utf-8 or "
                                            "cp932.").format(encoding=encoding))
    return enc


# ---------------------------------------------------------------------- tables
Table = tuple[list[str], list[list[Any]]]   # (header, rows)


def _n(value: Any) -> Any:
    return "" if value is None else value


def monthly_table(report: dict[str, Any]) -> Table:
    """The monthly report as one table: section, item, count, per 100,000, target."""
    header = [_("Section"), _("Item"), _("Count"), _("Per 100,000 population"),
              _("Target per 100,000")]
    counts = report["counts"]
    rows: list[list[Any]] = []
    sec = _("Figures")
    for key in S.COUNT_KEYS:
        if key == "closed_by_pattern":
            for p in S.PATTERNS:
                rows.append([sec, S.label(f"closed_{p}"), counts[key][p], "", ""])
            continue
        per = report["per_100k"].get(key, "")
        target = report["targets_per_100k"].get(key, "")
        rows.append([sec, S.label(key), counts[key], per, target])
    for section, mapping in ((_("Consultation route"), report["referral_routes"]),
                             (_("Referral source"), report["referral_sources"]),
                             (_("Statutory services (support decisions)"),
                              report["statutory_services"])):
        for name, n in mapping.items():
            rows.append([section, name, n, "", ""])
    return header, rows


def fiscal_year_table(fy: dict[str, Any]) -> Table:
    """Items down, April … March across, then the year's total."""
    months = [m["month"] for m in fy["months"]]
    header = [_("Item")] + [_("Month {n}").format(n=int(m[5:])) for m in months] \
        + [_("Fiscal year total")]
    rows: list[list[Any]] = []
    for key in S.COUNT_KEYS:
        if key == "closed_by_pattern":
            for p in S.PATTERNS:
                rows.append([S.label(f"closed_{p}")]
                            + [m["counts"][key][p] for m in fy["months"]]
                            + [fy["totals"][key][p]])
            continue
        rows.append([S.label(key)] + [m["counts"][key] for m in fy["months"]]
                    + [fy["totals"][key]])
    for key in S.INDICATORS:
        rows.append([_("{item} per 100,000").format(item=S.label(key))]
                    + [m["per_100k"][key] for m in fy["months"]]
                    + [fy["per_100k_monthly_average"][key]])
    for key in S.RATE_KEYS:
        value = fy[key]
        rows.append([S.label(key)] + [""] * len(months)
                    + ["" if value is None else f"{value * 100:.1f}%"])
    return header, rows


def caseload_table(rows: list[CaseloadRow], on: date) -> Table:
    from app.domain import Stage
    from app.text_ja import age_on
    header = [_("Case number"), _("Name"), _("Furigana"), _("Age"), _("Date of intake"),
              _("Stage"), _("Person in charge"), _("Plan"), _("Plan approved on"),
              _("End of the plan period"), _("Next monitoring")]
    out = []
    for r in rows:
        try:
            stage = Stage(r.stage).label
        except ValueError:
            stage = r.stage
        plan = ""
        if r.plan_number:
            plan = (_("Re-plan") if r.plan_kind == "replan" else _("First plan")) \
                + f" ({r.plan_number})"
        # dates as ISO text, as the columns hold them
        out.append([r.case_no, r.name, r.kana, age_on(r.birth_date, on) if r.birth_date else "",
                    _iso(r.received_on), stage, r.assignee, plan, _n(_iso(r.plan_approved_on)),
                    _n(_iso(r.plan_period_to)), _n(_iso(r.next_monitoring_on))])
    return header, out


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


# ---------------------------------------------------------------------- formula injection
# A cell beginning with one of these is taken by Excel (or LibreOffice) as a formula, DDE
# command or the start of one: ``=HYPERLINK("http://…"&C2,"x")``, ``=cmd|' /C calc'!A0``,
# ``@SUM(…)``, ``+1+cmd|…``, ``-2+3``. Names and reasons typed by people (or imported from a
# ledger) must never be: text cells that begin so get a leading apostrophe in CSV — the
# common convention — and are written as plain text (quote prefix, never a formula) in xlsx.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def needs_neutralising(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_text(value: Any) -> Any:
    """A value for a CSV cell: text that could start a formula gets a leading apostrophe;
    numbers, dates and other text are unchanged."""
    return "'" + value if needs_neutralising(value) else value


# ---------------------------------------------------------------------- CSV
def csv_bytes(table: Table, encoding: str = "utf-8-sig") -> bytes:
    """CSV (CRLF, as Excel writes it). cp932: refuse a character it cannot hold."""
    encoding = check_encoding(encoding)
    header, rows = table
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_text(v) for v in header])
    for row in rows:
        writer.writerow(["" if v is None else safe_text(v) for v in row])
    text = buf.getvalue()
    if encoding == "cp932":
        for r, row in enumerate([header, *rows], start=1):
            for c, value in enumerate(row):
                for ch in str(_n(value)):
                    try:
                        ch.encode("cp932")
                    except UnicodeEncodeError:
                        raise ExportError(_(
                            "The character “{char}” (U+{code}) in row {row}, column “{column}” "
                            "cannot be written in Shift_JIS (cp932). Nothing was written: "
                            "export in UTF-8 instead.").format(
                                char=ch, code=f"{ord(ch):04X}", row=r,
                                column=header[c] if c < len(header) else c + 1)) from None
    return text.encode(encoding)


def write_csv(path: str | os.PathLike[str], table: Table, encoding: str = "utf-8-sig") -> Path:
    data = csv_bytes(table, encoding)   # fails before anything is written
    write_atomic(path, data)
    return Path(path)


# ---------------------------------------------------------------------- xlsx
def _display_width(value: Any) -> int:
    text = str(_n(value))
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                for line in text.splitlines() or [""]), default=0)


def xlsx_bytes(sheets: Iterable[tuple[str, Table]]) -> bytes:
    """A workbook with one sheet per table: bold headings, frozen heading row, column
    widths fitted to the longest value (Japanese characters count double)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    wb = Workbook()
    wb.remove(wb.active)
    for title, (header, rows) in sheets:
        ws = wb.create_sheet(title=title[:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E6E6E6")
            cell.alignment = Alignment(vertical="center", wrap_text=False)
        for row in rows:
            ws.append(["" if v is None else v for v in row])
        for line in ws.iter_rows():
            for cell in line:   # text, never a formula (openpyxl makes "=…" a formula)
                if needs_neutralising(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
        ws.freeze_panes = "A2"
        for c in range(len(header)):
            width = max([_display_width(header[c])]
                        + [_display_width(r[c]) for r in rows if c < len(r)])
            ws.column_dimensions[get_column_letter(c + 1)].width = min(max(width + 2, 6), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(path: str | os.PathLike[str], sheets: Iterable[tuple[str, Table]]) -> Path:
    write_atomic(path, xlsx_bytes(sheets))
    return Path(path)


# ---------------------------------------------------------------------- the reports
def _draw(render: Render | None, paper: Any, path) -> Path:
    """The PDF: drawn by the paper layer the caller handed over (the core never imports
    forms/: ``render=forms.sheets.render``)."""
    if render is None:
        raise TypeError("a PDF needs render= (forms.sheets.render)")
    render(paper, Path(path))
    return Path(path)


def _indicator_labels() -> dict[str, str]:
    return {k: S.label(k) for k in (*S.INDICATORS, *S.RATE_KEYS)}


def monthly_paper(report: dict[str, Any], agency) -> ReportPaper:
    """What the monthly report PDF shows (app/domain/paper.py)."""
    header, rows = monthly_table(report)
    return ReportPaper("monthly", agency, list(header), [list(r) for r in rows], report,
                       labels=_indicator_labels(), indicators=S.INDICATORS)


def fiscal_year_paper(fy: dict[str, Any], agency) -> ReportPaper:
    """What the fiscal year summary PDF shows."""
    header, rows = fiscal_year_table(fy)
    return ReportPaper("fiscal_year", agency, list(header), [list(r) for r in rows], fy,
                       labels=_indicator_labels(), indicators=S.INDICATORS,
                       rates=S.RATE_KEYS)


def caseload_paper(table: Table, on: date, agency) -> ReportPaper:
    """What the caseload list PDF shows (personal information): ``caseload_table``."""
    header, rows = table
    return ReportPaper("caseload", agency, list(header), [list(r) for r in rows], on=on)


def export_monthly(report: dict[str, Any], agency, path, fmt: str,
                   encoding: str = "utf-8-sig", render: Render | None = None) -> Path:
    fmt = check_format(fmt)
    table = monthly_table(report)
    if fmt == "csv":
        return write_csv(path, table, encoding)
    if fmt == "xlsx":
        return write_xlsx(path, [(_("Monthly report {month}").format(month=report["month"]),
                                  table)])
    return _draw(render, monthly_paper(report, agency), path)


def export_fiscal_year(fy: dict[str, Any], agency, path, fmt: str,
                       encoding: str = "utf-8-sig", render: Render | None = None) -> Path:
    fmt = check_format(fmt)
    table = fiscal_year_table(fy)
    if fmt == "csv":
        return write_csv(path, table, encoding)
    if fmt == "xlsx":
        sheets = [(_("FY{year}").format(year=fy["fiscal_year"]), table)]
        sheets += [(m["month"], monthly_table(m)) for m in fy["months"]]
        return write_xlsx(path, sheets)
    return _draw(render, fiscal_year_paper(fy, agency), path)


def export_caseload(rows: list[CaseloadRow], on: date, agency, path, fmt: str,
                    encoding: str = "utf-8-sig", render: Render | None = None) -> Path:
    fmt = check_format(fmt)
    table = caseload_table(rows, on)
    if fmt == "csv":
        return write_csv(path, table, encoding)
    if fmt == "xlsx":
        return write_xlsx(path, [(_("Caseload"), table)])
    return _draw(render, caseload_paper(table, on, agency), path)
