"""The desk's cases written as a ledger in the import's own columns (LEDGER.md), issue 16.

``export-ledger`` gives a desk its data back the way it kept it before Tsunagu: one row per
consultation, the columns ``app.ledger`` reads, values in the ledger's words (継続支援, 庁内,
男 …), dates as dates (xlsx) or 2026/4/1 (CSV). Importing it into an empty desk gives the
same monthly statistics (tests/test_ledger_roundtrip.py). What a ledger row cannot hold is
folded as the import would write it back: the first confirmed 中断; 就労日 and 増収日 may
hold several dates (「;」); 支援決定日 is one date, or one per decided service (「;」) in the order of 法定サービス; 就労支援対象 is ○ when every approved plan of the case
includes employment support, else the approval dates of the plans that do.

Persons under 閲覧制限 (DV etc.) are written without postal code, address and phones.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from app import ledger as L
from app.domain.intake import CONSULTATION_TOPICS
from app.i18n import _

HEADER = list(L.COLUMNS)


def _label(table: dict[str, Any], value: Any) -> str:
    """The ledger's word for an enum value: the first key of the import's table."""
    for key, v in table.items():
        if getattr(v, "value", v) == value:
            return key
    return ""


def _d(text: str | None, fmt: str) -> Any:
    if not text:
        return ""
    d = date.fromisoformat(text[:10])
    return d if fmt == "xlsx" else f"{d.year}/{d.month}/{d.day}"


def _dates(days: list[str], fmt: str) -> Any:
    """One date as a date (xlsx), several as 2026/4/1;2026/6/1."""
    if len(days) == 1:
        return _d(days[0], fmt)
    return ";".join(str(_d(x, "csv")) for x in days)


def ledger_rows(rows: list[dict[str, Any]], services: dict[str, dict[str, Any]],
                fmt: str = "csv") -> list[list[Any]]:
    topics = dict(CONSULTATION_TOPICS)
    out = []
    for r in rows:
        plans = r["plans"]
        first = [p for p in plans if p["kind"] == "first"][:1]
        replans = [p for p in plans if p["kind"] != "first"]
        if not first and replans:            # a re-plan without its first plan: the first
            first, replans = replans[:1], replans[1:]
        with_employment = [p for p in plans if any(
            services.get(k, {}).get("employment") for k in p["services"])]
        employment = bool(plans) and len(with_employment) == len(plans)
        # decided services first, each with its date (a service decided twice comes twice),
        # then the services planned without a decision
        keys = [dec["service_key"] for dec in r["decisions"]]
        dates = [dec["decided_on"] for dec in r["decisions"]]
        for p in plans:
            for k in p["services"]:
                if k == L.BASE_SERVICE or (employment and k == L.EMPLOYMENT_SERVICE):
                    continue
                if k not in keys:
                    keys.append(k)
        undecided = any(services.get(k, {}).get("needs_decision") for k in keys[len(dates):])
        if not dates:
            decided = ""
        elif len(set(dates)) == 1 and not undecided:
            decided = _d(dates[0], fmt)                   # one date for them all
        else:
            decided = ";".join(str(_d(x, "csv")) for x in dates) + (";" if len(dates) == 1
                                                                   else "")
        referral = r["referral_to"] if r["triage"] == "refer" else (
            r["screening_referral"] or "")
        masked = r["sensitive"]
        phone = r["phone_home"] or r["phone_mobile"] or ""
        row = {
            "受付番号": r["case_no"], "受付日": _d(r["received_on"], fmt), "氏名": r["name"],
            "ふりがな": r["kana"] or "", "生年月日": _d(r["birth_date"], fmt),
            "性別": _label(L.SEXES, r["sex"]) if r["sex"] != "unknown" else "",
            "郵便番号": "" if masked else (r["postal_code"] or ""),
            "住所": "" if masked else (r["address"] or ""),
            "電話番号": "" if masked else phone,
            "相談経路": _label(L.ROUTES, r["route"]), "紹介元": r["referral_source"] or "",
            "主な相談内容": _(topics[r["main_topic"]]) if r["main_topic"] in topics else "",
            "相談内容": r["consultation"] or "",
            "振り分け": _label(L.TRIAGES, r["triage"]), "つなぎ先": referral or "",
            "引き戻し日": _d(r["taken_back_on"], fmt),
            "緊急支援": r["emergency_note"] or "",
            "同意": {1: "有", 0: "無"}.get(r["consent"], ""),
            "アセスメント日": _d(r["assessed_on"], fmt),
            "スクリーニング結果": _label(L.SCREENINGS, r["screening"]) if r["screening"] else "",
            "プラン了承日": _d(first[0]["approved_on"], fmt) if first else "",
            "再プラン了承日": ";".join(str(_d(p["approved_on"], "csv")) for p in replans),
            "法定サービス": ";".join(services[k]["name"] if k in services else k for k in keys),
            "支援決定日": decided,
            "就労支援対象": "○" if employment else ";".join(
                str(_d(p["approved_on"], "csv")) for p in with_employment),
            "就労日": _dates(r["employed"], fmt), "増収日": _dates(r["income"], fmt),
            "中断日": _d(r["suspended_on"], fmt),
            "終結日": _d(r["closure_on"] or r["closed_on"], fmt),
            "終結区分": r["pattern"] or "", "担当者": r["staff"], "備考": "",
        }
        out.append([row[h] for h in HEADER])
    return out


def export_ledger(store, path: str | os.PathLike[str], fmt: str = "xlsx",
                  encoding: str = "utf-8-sig") -> tuple[Path, int]:
    """Write the ledger; (path, number of rows)."""
    from app.reports.export import check_format, write_csv
    from app.files import write_atomic
    from app.store.ledger_repo import LedgerRepo
    fmt = check_format(fmt, ("csv", "xlsx"))
    rows, services = LedgerRepo(store.conn).export_rows()
    table = (HEADER, ledger_rows(rows, services, fmt))
    if fmt == "csv":
        return write_csv(path, table, encoding), len(rows)
    write_atomic(path, _xlsx(table))
    return Path(path), len(rows)


def _xlsx(table) -> bytes:
    """A streamed (write-only) workbook: bold header, dates shown as 2026/04/01, and every
    text cell a string — a name beginning with = is never written as a formula."""
    import io
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    header, rows = table
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Ledger"))
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 12 if "日" in name else 16
    ws.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value):
        c = WriteOnlyCell(ws, value=value if value != "" else None)
        if isinstance(value, date):
            c.number_format = "yyyy/mm/dd"
        elif isinstance(value, str) and value:
            c.data_type = "s"
        return c

    head = []
    for name in header:
        c = cell(name)
        c.font = bold
        head.append(c)
    ws.append(head)
    for row in rows:
        ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
