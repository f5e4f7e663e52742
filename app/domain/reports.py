"""The case lists of the reports (統計・支援ケース一覧): the cases behind one figure of the
statistics and the lines of the caseload list. The figures themselves (monthly_report,
fiscal_year_report, annual_report) stay tables of numbers by key: app/reports/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CaseBehind:
    """A case counted in one figure (``desk.reports.cases_behind``): ``on`` the date of
    the counted fact, ``stage`` a Stage value, ``assignee`` the 担当's name."""

    case_id: str
    case_no: str
    name: str
    kana: str
    received_on: date | None
    stage: str
    assignee: str
    on: date | None


@dataclass(frozen=True)
class CaseloadRow:
    """A line of the 支援ケース一覧 (``desk.reports.caseload``): the case, its 担当, the plan
    in effect (number, kind, approval, end of period) and the next monitoring date."""

    case_id: str
    case_no: str
    name: str
    kana: str
    birth_date: date | None
    received_on: date | None
    stage: str
    assignee: str
    next_monitoring_on: date | None
    plan_number: int | None = None
    plan_kind: str | None = None           # a PlanKind value
    plan_approved_on: date | None = None
    plan_period_to: date | None = None
    main_topic: str = ""


__all__ = ["CaseBehind", "CaseloadRow"]
