"""Monthly and fiscal-year statistics (STATISTICS.md), computed from the records.

``monthly(desk_or_store, "2026-04")`` returns exactly the JSON object of STATISTICS.md;
``fiscal_year(desk_or_store, 2026)`` the twelve months April–March, their sums and the three
rates; ``cases_behind`` the cases behind one figure (for the GUI: click a figure to list
its cases). The SQL lives in app/store/stats_repo.py. Targets per 100,000 population are
agency settings per fiscal year (``targets`` / ``set_targets``).
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import date
from typing import Any

from app.errors import ValidationError
from app.i18n import N_, _
from app.store.stats_repo import RULES, StatsRepo
from app.text_ja import fiscal_year as fiscal_year_of

# The keys of ``counts``, in the order of STATISTICS.md.
COUNT_KEYS = ("new_consultations", "plans_created", "first_plans", "replans",
              "employment_support_targets", "employed", "income_increased",
              "employed_among_targets", "income_increased_among_targets", "referred_out",
              "information_only", "suspended", "closed", "closed_by_pattern",
              "active_at_month_end")
PATTERNS = ("1", "2", "3")
# The three national indicators (per 100,000 population per month).
INDICATORS = ("new_consultations", "plans_created", "employment_support_targets")
DEFAULT_TARGETS = {"new_consultations": 24, "plans_created": 12, "employment_support_targets": 7}
# 相談経路 in the report: fixed Japanese keys (STATISTICS.md), by Route value.
ROUTE_KEYS = {"municipal": "庁内", "agency": "関係機関", "outreach": "アウトリーチ", "self": "本人等"}
TARGETS_SETTING = "statistics.targets.{fy}"
RATE_KEYS = ("plan_rate", "employment_target_rate", "employment_income_rate")

# Headings for people (CSV, xlsx, PDF, the GUI), by key.
LABELS: dict[str, str] = {
    "new_consultations": N_("New consultations"),                      # 新規相談受付件数
    "plans_created": N_("Plans created"),                              # プラン作成件数
    "first_plans": N_("of which first plans"),                         # うち初回プラン
    "replans": N_("of which re-plans"),                                # うち再プラン
    "employment_support_targets": N_("Employment-support targets"),    # 就労支援対象者数
    "employed": N_("Persons employed"),                                # 就労者数
    "income_increased": N_("Persons with increased income"),           # 増収者数
    "employed_among_targets": N_("Employed, among employment-support targets"),
    "income_increased_among_targets": N_("Increased income, among employment-support targets"),
    "referred_out": N_("Referred to other agencies"),                  # 他機関へのつなぎ
    "information_only": N_("Ended with information only"),             # 情報提供・相談のみで終了
    "suspended": N_("Suspended"),                                      # 中断
    "closed": N_("Closed"),                                            # 終結
    "closed_1": N_("Closed (1)"),
    "closed_2": N_("Closed (2)"),
    "closed_3": N_("Closed (3)"),
    "active_at_month_end": N_("In support at the end of the month"),   # 支援中
    "plan_rate": N_("Plans per new consultation"),
    "employment_target_rate": N_("Employment-support targets per plan"),
    "employment_income_rate": N_("Employed or increased income per employment-support target"),
}
# Keys ``cases_behind`` accepts: every count, and each closure pattern.
BEHIND_KEYS = tuple(k for k in COUNT_KEYS if k != "closed_by_pattern") + tuple(
    f"closed_{p}" for p in PATTERNS)


def label(key: str) -> str:
    return _(LABELS[key])


# ---------------------------------------------------------------------- periods
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_month(month: str) -> tuple[date, date]:
    """First and last day of ``"YYYY-MM"``; ValidationError (Japanese) otherwise."""
    m = _MONTH.fullmatch(str(month or "").strip())
    if not m or not 1 <= int(m[2]) <= 12 or not 1900 <= int(m[1]) <= 9999:
        raise ValidationError("month", _("Give the month as YYYY-MM, e.g. 2026-04 (given: "
                                         "{month}).").format(month=month))
    y, mo = int(m[1]), int(m[2])
    return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def fiscal_months(year: int) -> list[str]:
    """"YYYY-MM" of April … March of fiscal year ``year``."""
    return [f"{year + (m < 4):04d}-{m:02d}" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def _check_year(year: Any) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9998:
        try:
            year = int(str(year).strip())
        except ValueError:
            year = 0
        if not 1900 <= year <= 9998:
            raise ValidationError("year", _("Give the fiscal year as a four-digit year, e.g. "
                                            "2026 for April 2026 – March 2027."))
    return year


# ---------------------------------------------------------------------- settings
def _store(desk_or_store):
    """The Store to read: a Store as given, or a Desk's (checking first that its user may
    see statistics, as desk.reports does)."""
    from app.store.store import Store
    if isinstance(desk_or_store, Store):
        return desk_or_store
    from app.security.roles import Permission
    desk_or_store._ctx.require(Permission.VIEW_STATISTICS)
    return desk_or_store._ctx.db


def targets(desk_or_store, fy: int) -> dict[str, float]:
    """Targets per 100,000 population per month for fiscal year ``fy``: the values set for
    that year, else those of the nearest earlier year set, else the FY2017 defaults."""
    store = _store(desk_or_store)
    fy = _check_year(fy)
    for year in range(fy, 1999, -1):
        raw = store.setting(TARGETS_SETTING.format(fy=year))
        if raw:
            saved = json.loads(raw)
            return {k: saved.get(k, DEFAULT_TARGETS[k]) for k in INDICATORS}
    return dict(DEFAULT_TARGETS)


def check_targets(values: dict[str, Any]) -> dict[str, float]:
    """Validate targets (numbers ≥ 0, at most one decimal); ValidationErrors lists them all."""
    from app.errors import ValidationErrors
    errors, out = [], {}
    for key in INDICATORS:
        value = values.get(key, DEFAULT_TARGETS[key])
        try:
            number = float(str(value).strip())
        except ValueError:
            number = -1
        if not 0 <= number <= 100000 or number != number:
            errors.append(ValidationError(f"targets.{key}", _(
                "{label}: enter a number of 0 or more.").format(label=label(key))))
            continue
        out[key] = int(number) if number == int(number) else round(number, 1)
    if errors:
        raise ValidationErrors(errors)
    return out


# ---------------------------------------------------------------------- figures
def _per_100k(count: int, population: int) -> float:
    return round(count * 100000 / population, 1) if population > 0 else 0.0


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _empty_counts() -> dict[str, Any]:
    counts: dict[str, Any] = {k: 0 for k in COUNT_KEYS}
    counts["closed_by_pattern"] = {p: 0 for p in PATTERNS}
    return counts


def _shape_counts(raw: dict[str, int], active: int) -> dict[str, Any]:
    counts = _empty_counts()
    for key in COUNT_KEYS:
        if key in RULES:
            counts[key] = int(raw.get(key, 0))
    counts["closed_by_pattern"] = {p: int(raw.get(f"closed_{p}", 0)) for p in PATTERNS}
    counts["active_at_month_end"] = active
    return counts


def _shape(month: str, fy: int, population: int, target: dict[str, float],
           raw: dict[str, int], active: int, parts: dict[str, dict[str, int]]) -> dict[str, Any]:
    counts = _shape_counts(raw, active)
    routes = {ROUTE_KEYS[k]: 0 for k in ROUTE_KEYS}
    for route, n in parts.get("routes", {}).items():
        routes[ROUTE_KEYS.get(route, route)] = routes.get(ROUTE_KEYS.get(route, route), 0) + n
    return {
        "month": month, "fiscal_year": fy, "population": population,
        "counts": counts,
        "per_100k": {k: _per_100k(counts[k], population) for k in INDICATORS},
        "targets_per_100k": dict(target),
        "referral_routes": routes,
        "referral_sources": dict(parts.get("sources", {})),
        "statutory_services": dict(parts.get("services", {})),
    }


def monthly(desk_or_store, month: str) -> dict[str, Any]:
    """The monthly report of STATISTICS.md for ``"YYYY-MM"`` (JSON-ready)."""
    store = _store(desk_or_store)
    start, end = parse_month(month)
    repo = StatsRepo(store.conn)
    fy = fiscal_year_of(start)
    population = store.agency().population
    raw = repo.counts_by_month(start, end).get(month_key(start), {})
    active = repo.active_at([end])[end]
    parts = repo.breakdowns_by_month(start, end).get(month_key(start), {})
    return _shape(month_key(start), fy, population, targets(store, fy), raw, active, parts)


def fiscal_year(desk_or_store, year: int) -> dict[str, Any]:
    """Fiscal year ``year`` (April ``year`` … March ``year + 1``): the twelve monthly
    reports, their sums (支援中 = at the end of March), the indicators per 100,000 per month
    on average, and plan_rate / employment_target_rate / employment_income_rate (null when
    the denominator is 0)."""
    store = _store(desk_or_store)
    year = _check_year(year)
    months = fiscal_months(year)
    ranges = [parse_month(m) for m in months]
    start, end = ranges[0][0], ranges[-1][1]
    repo = StatsRepo(store.conn)
    population = store.agency().population
    target = targets(store, year)
    by_month = repo.counts_by_month(start, end)
    active = repo.active_at([r[1] for r in ranges])
    parts = repo.breakdowns_by_month(start, end)
    reports = [_shape(m, year, population, target, by_month.get(m, {}), active[r[1]],
                      parts.get(m, {})) for m, r in zip(months, ranges)]
    totals = _empty_counts()
    routes = {v: 0 for v in ROUTE_KEYS.values()}
    sources: dict[str, int] = {}
    services: dict[str, int] = {}
    for rep in reports:
        for k in COUNT_KEYS:
            if k == "closed_by_pattern":
                for p in PATTERNS:
                    totals[k][p] += rep["counts"][k][p]
            elif k != "active_at_month_end":
                totals[k] += rep["counts"][k]
        for name, n in rep["referral_routes"].items():
            routes[name] = routes.get(name, 0) + n
        for name, n in rep["referral_sources"].items():
            sources[name] = sources.get(name, 0) + n
        for name, n in rep["statutory_services"].items():
            services[name] = services.get(name, 0) + n
    totals["active_at_month_end"] = reports[-1]["counts"]["active_at_month_end"]
    return {
        "fiscal_year": year, "population": population,
        "months": reports,
        "totals": totals,
        "per_100k": {k: _per_100k(totals[k], population) for k in INDICATORS},
        "per_100k_monthly_average": {
            k: round(totals[k] * 100000 / population / 12, 1) if population > 0 else 0.0
            for k in INDICATORS},
        "targets_per_100k": dict(target),
        "plan_rate": _rate(totals["plans_created"], totals["new_consultations"]),
        "employment_target_rate": _rate(totals["employment_support_targets"],
                                        totals["plans_created"]),
        "employment_income_rate": _rate(
            totals["employed_among_targets"] + totals["income_increased_among_targets"],
            totals["employment_support_targets"]),
        "referral_routes": routes,
        "referral_sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
        "statutory_services": services,
    }


def _period(period: str) -> tuple[date, date]:
    """"YYYY-MM" (a month) or "FY2026" (a fiscal year)."""
    text = str(period or "").strip()
    if text.upper().startswith("FY"):
        year = _check_year(text[2:])
        return date(year, 4, 1), date(year + 1, 3, 31)
    return parse_month(text)


def behind_key(key: str) -> str:
    """"closed_by_pattern.2" → "closed_2"; ValidationError for an unknown figure."""
    key = str(key or "").strip().replace("closed_by_pattern.", "closed_")
    if key not in BEHIND_KEYS:
        raise ValidationError("key", _("Unknown figure: {key}").format(key=key))
    return key


def facts_behind(store, period: str, key: str) -> list[tuple[str, str]]:
    """(case_id, date) of every fact counted under ``key`` in ``period`` (a month
    "YYYY-MM" or a fiscal year "FY2026"; 支援中 at the period's last day)."""
    start, end = _period(period)
    return StatsRepo(store.conn).case_ids(behind_key(key), start, end)
