"""Statistics and reports (issue 7): ``desk.reports`` (an operations object of the composed Desk, sharing its context).

For the 統計・報告 screen: ``monthly_report`` / ``fiscal_year_report`` give the figures
(JSON-ready dicts, STATISTICS.md), ``cases_behind`` the cases behind one figure (only those
the user may see), ``caseload`` the 支援ケース一覧, ``targets`` / ``set_targets`` the national
targets per fiscal year, ``export_*`` the files (the 相談受付簿 too; its import is
``desk.ledger``, app/operations/ledger.py).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from app.domain.paper import Render
from app.domain.reports import CaseBehind, CaseloadRow
from app.operations.context import DeskContext, Operations
from app.reports import statistics as S
from app.security.authorization import LISTED, Rule, install, need
from app.security.roles import Permission
from app.store.security_repo import CaseAccess



def _d(value: Any) -> date | None:
    """A date column (ISO text, maybe with a time) as a date; None when empty."""
    return date.fromisoformat(str(value)[:10]) if value else None

class ReportOperations(Operations):
    """``desk.reports``: statistics, reports and exports."""

    RULES: dict[str, Rule] = {
        "monthly_report": need(Permission.VIEW_STATISTICS),
        "fiscal_year_report": need(Permission.VIEW_STATISTICS),
        "cases_behind": need(Permission.VIEW_STATISTICS, case=LISTED),
        "caseload": need(case=LISTED),
        "targets": need(Permission.VIEW_STATISTICS),
        "set_targets": need(Permission.MANAGE_SETTINGS),
        "export_monthly": need(Permission.VIEW_STATISTICS),
        "export_fiscal_year": need(Permission.VIEW_STATISTICS),
        "export_caseload": need(Permission.PRINT, case=LISTED),
        # the ledger leaves the desk whole (issue 16): the administrator
        "export_ledger": need(Permission.MANAGE_SETTINGS, Permission.VIEW_CASES,
                              Permission.ALL_CASES),
    }

    def __init__(self, ctx: DeskContext):
        super().__init__(ctx)

    # ------------------------------------------------------------------ plumbing
    def _case_filter(self) -> CaseAccess:
        """The SQL filter of the cases this user may see (role checked, refusal audited)."""
        return self._ctx.require_case_view()  # issue 5: own, team or every case

    def _audit_report(self, action: str, detail: str) -> None:
        self._ctx.audit(action, detail=detail)

    # ------------------------------------------------------------------ figures
    def monthly_report(self, month: str) -> dict[str, Any]:
        """The monthly report of STATISTICS.md for ``"YYYY-MM"``."""
        self._ctx.require(Permission.VIEW_STATISTICS)
        return S.monthly(self._store, month)

    def fiscal_year_report(self, year: int) -> dict[str, Any]:
        """Fiscal year ``year``: twelve months, sums and rates."""
        self._ctx.require(Permission.VIEW_STATISTICS)
        return S.fiscal_year(self._store, year)

    def cases_behind(self, period: str, key: str) -> list[CaseBehind]:
        """The cases behind one figure of ``period`` ("2026-04", or "FY2026" for a fiscal
        year's total), oldest first (``on``: the date of the counted fact). Cases the user may not see
        are left out (the figure still counts them). Keys: ``statistics.BEHIND_KEYS``."""
        self._ctx.require(Permission.VIEW_STATISTICS)
        access = self._case_filter()
        from app.store.stats_repo import StatsRepo
        facts = S.facts_behind(self._store, period, key)
        rows = [CaseBehind(
            case_id=r["case_id"], case_no=r["case_no"], name=r["name"], kana=r["kana"] or "",
            received_on=_d(r["received_on"]), stage=r["stage"], assignee=r["assignee"],
            on=_d(r["on"])) for r in StatsRepo(self._store.conn).case_rows(facts, access)]
        self._audit_report("view_statistics_cases", f"{period} {key} ({len(rows)})")
        return rows

    def caseload(self, on: date | None = None) -> list[CaseloadRow]:
        """支援ケース一覧: the cases 支援中 (see STATISTICS.md) on ``on`` (today), with stage,
        担当, the plan in effect and the next monitoring date; only cases the user sees."""
        access = self._case_filter()
        from app.store.stats_repo import StatsRepo
        rows = [CaseloadRow(
            case_id=r["case_id"], case_no=r["case_no"], name=r["name"], kana=r["kana"] or "",
            birth_date=_d(r["birth_date"]), received_on=_d(r["received_on"]),
            stage=r["stage"], assignee=r["assignee"],
            next_monitoring_on=_d(r["next_monitoring_on"]), plan_number=r["plan_number"],
            plan_kind=r["plan_kind"], plan_approved_on=_d(r["plan_approved_on"]),
            plan_period_to=_d(r["plan_period_to"]), main_topic=r["main_topic"])
            for r in StatsRepo(self._store.conn).caseload(on or self._ctx.today(), access)]
        self._audit_report("view_caseload", str(len(rows)))
        return rows

    # ------------------------------------------------------------------ targets
    def targets(self, fy: int) -> dict[str, float]:
        """National targets per 100,000 population per month for fiscal year ``fy``."""
        self._ctx.require(Permission.VIEW_STATISTICS)
        return S.targets(self._store, fy)

    def set_targets(self, fy: int, *, new_consultations: float | None = None,
                    plans_created: float | None = None,
                    employment_support_targets: float | None = None) -> dict[str, float]:
        """Set the targets of fiscal year ``fy`` (administrator); omitted ones keep their
        current value. Later years without their own setting use these."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        fy = S._check_year(fy)
        current = S.targets(self._store, fy)
        given = {"new_consultations": new_consultations, "plans_created": plans_created,
                 "employment_support_targets": employment_support_targets}
        values = S.check_targets({k: current[k] if v is None else v for k, v in given.items()})
        with self._store.transaction() as w:
            self._store.put_setting(w, S.TARGETS_SETTING.format(fy=fy), json.dumps(values))
            self._store.audit(self._ctx.user.login, "settings", detail=f"targets FY{fy} "
                              + json.dumps(values))
        return values

    # ------------------------------------------------------------------ exports
    def export_monthly(self, month: str, out: str | os.PathLike[str], fmt: str = "csv", *,
                       encoding: str = "utf-8", render: Render | None = None) -> Path:
        """csv, xlsx or pdf (drawn by ``render``: forms.sheets.render)."""
        from app.reports.export import export_monthly
        report = self.monthly_report(month)
        path = export_monthly(report, self._store.agency(), out, fmt, encoding, render)
        self._audit_report("export", f"monthly {report['month']} {fmt}")
        return path

    def export_fiscal_year(self, year: int, out: str | os.PathLike[str], fmt: str = "csv", *,
                           encoding: str = "utf-8", render: Render | None = None) -> Path:
        """csv, xlsx or pdf (drawn by ``render``: forms.sheets.render)."""
        from app.reports.export import export_fiscal_year
        report = self.fiscal_year_report(year)
        path = export_fiscal_year(report, self._store.agency(), out, fmt, encoding, render)
        self._audit_report("export", f"fiscal_year {report['fiscal_year']} {fmt}")
        return path

    def export_caseload(self, out: str | os.PathLike[str], fmt: str = "csv", *,
                        encoding: str = "utf-8", on: date | None = None,
                        render: Render | None = None) -> Path:
        """csv, xlsx or pdf (drawn by ``render``: forms.sheets.render)."""
        from app.reports.export import check_format, export_caseload
        check_format(fmt)
        if fmt.lower() == "pdf":
            self._ctx.require(Permission.PRINT)
        on = on or self._ctx.today()
        rows = self.caseload(on)
        path = export_caseload(rows, on, self._store.agency(), out, fmt, encoding, render)
        self._audit_report("export", f"caseload {on.isoformat()} {fmt} ({len(rows)})")
        return path

    # ------------------------------------------------------------------ ledger
    def export_ledger(self, out: str | os.PathLike[str], fmt: str = "xlsx", *,
                      encoding: str = "utf-8") -> Path:
        """The whole desk as a ledger in the import's own columns (LEDGER.md): importing it
        into an empty desk gives the same monthly statistics. Administrator only (every
        case's personal data leaves the program); 閲覧制限 persons without whereabouts."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        self._ctx.require(Permission.VIEW_CASES)
        self._ctx.require(Permission.ALL_CASES)
        from app.ledger_export import export_ledger
        from app.reports.export import check_encoding
        path, n = export_ledger(self._store, out, fmt, check_encoding(encoding))
        self._audit_report("export", f"ledger {fmt} ({n})")
        return path


__all__ = ["ReportOperations"]

install(ReportOperations)   # every public operation checked against its rule
