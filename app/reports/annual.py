"""The yearly plan and evaluation (事業計画・事業評価; the guide's chapter 5) of one fiscal
year, April ``year`` … March ``year + 1``. ``annual(store, repo, year)`` gives one JSON-ready
dict with figures only (no names):

* ``plan``: the 主任's goals in the three areas (体制整備・運営 / 相談支援 / 地域づくり・地域連携)
  and the yearly numeric targets against the actual figures. Targets default to the 目安値
  per 100,000 population per month (STATISTICS.md, the fiscal year's setting) × population
  ÷ 100,000 × 12, rounded half up; targets without a 目安値 (就労, 増収, activities) have
  none until the plan sets them.
* ``structure``: active staff by role; national-training coverage (staff whose role needs
  a course — 主任相談支援員 / 相談支援員 / 就労支援員 — and how many have it recorded); the
  social resources in the directory (active, by kind, added this year); trainings and
  OJT / 事例検討 sessions of the year.
* ``process``: days from 受付 (the case's first intake) to the first アセスメント, for cases
  whose first assessment is dated in the year, and to the approval of the first plan, for
  cases whose first plan was approved in the year — ``median`` (the middle value, or the
  mean of the two middle ones) and ``p90`` (nearest rank: the ⌈0.9·n⌉-th smallest);
  monitoring on time: every due date of the year up to the report's day (the plan's
  first monitoring date — as written in the plan, else two weeks after its first service
  start, as the process schedules it — and each monitoring's next date) of a plan not
  ended before it, on
  time when the plan's next monitoring after the date was set came at most
  ``GRACE_DAYS`` days after it; 支援調整会議 held; 中断 rate = cases whose 中断 was
  confirmed in the year ÷ cases with a plan in effect at some time in the year.
* ``outcome``: 就労 and 増収 (the fiscal-year statistics), closures by pattern, and the
  confirmed プラン評価 of the year with how many record each change of 状態像 (意欲,
  関係性, 参加, 経済的困窮).
* ``reach``: the new consultations of the year and how many of them have an approved
  plan, by 相談経路, age band at intake, 振り分け and main topic — the guide's check that
  support does not go only to people for whom results come easily.
* ``region``: 地域課題 by status (all, and raised in the year) with the cases behind the
  open ones, activities of the year by kind (count and participants), resources created.
* ``risk``: complaints and incidents of the year.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.domain.paper import AnnualPaper, Render, number_text, rate_text
from app.i18n import N_, _
from app.reports import statistics as S

GRACE_DAYS = 7
TARGET_KEYS = ("new_consultations", "plans_created", "employment_support_targets",
               "employed", "income_increased", "activities")
TARGET_LABELS = {
    "new_consultations": N_("New consultations"),
    "plans_created": N_("Plans created"),
    "employment_support_targets": N_("Employment-support targets"),
    "employed": N_("Persons employed"),
    "income_increased": N_("Persons with increased income"),
    "activities": N_("Activities with the region"),
}
AGE_BANDS = ("-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-", "unknown")
FORMATS = ("json", "xlsx", "pdf")


def check_year(year: Any) -> int:
    return S._check_year(year)


def period(fy: int) -> tuple[date, date]:
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def default_targets(store, fy: int) -> dict[str, int | None]:
    """The 目安値 per 100,000 per month scaled to the desk's population and a year."""
    population = store.agency().population
    per = S.targets(store, fy)
    out: dict[str, int | None] = {k: None for k in TARGET_KEYS}
    for k in S.INDICATORS:
        out[k] = int(math.floor(per[k] * population / 100000 * 12 + 0.5))
    return out


def plan_of(store, repo, fy: int) -> dict[str, Any]:
    fy = check_year(fy)
    row = repo.annual_plan(fy)
    defaults = default_targets(store, fy)
    saved = json.loads(row["targets"]) if row else {}
    targets = {k: saved.get(k, defaults[k]) for k in TARGET_KEYS}
    return {"fiscal_year": fy, "recorded": row is not None,
            "goals": {"structure": row["goals_structure"] if row else "",
                      "support": row["goals_support"] if row else "",
                      "region": row["goals_region"] if row else ""},
            "targets": targets, "default_targets": defaults,
            "targets_from_plan": sorted(k for k in saved if k in TARGET_KEYS)}


# ---------------------------------------------------------------------- small statistics
def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    n = len(v)
    mid = n // 2
    return float(v[mid]) if n % 2 else (v[mid - 1] + v[mid]) / 2


def p90(values: Sequence[float]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return float(v[max(0, math.ceil(0.9 * len(v)) - 1)])


def _rate(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _days(rows: list[dict[str, Any]]) -> dict[str, Any]:
    days = [(date.fromisoformat(r["done_on"]) - date.fromisoformat(r["received_on"])).days
            for r in rows]
    return {"cases": len(days), "median": median(days), "p90": p90(days)}


def age_band(birth: str | None, on: str) -> str:
    if not birth:
        return "unknown"
    b, d = date.fromisoformat(birth), date.fromisoformat(on)
    age = d.year - b.year - ((d.month, d.day) < (b.month, b.day))
    if age < 20:
        return "-19"
    if age >= 70:
        return "70-"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


# ---------------------------------------------------------------------- the report
def annual(store, repo, fy: int, *, today: date) -> dict[str, Any]:
    fy = check_year(fy)
    start, end = period(fy)
    as_of = min(end, today)
    raw = repo.year_rows(start, end)
    stats = S.fiscal_year(store, fy)
    totals = stats["totals"]
    plan = plan_of(store, repo, fy)

    # ---- region (needed by plan: activities)
    activities = raw["activities"]
    by_kind: dict[str, dict[str, int]] = {}
    for a in activities:
        slot = by_kind.setdefault(a["kind"], {"count": 0, "participants": 0})
        slot["count"] += 1
        slot["participants"] += int(a["participants"] or 0)
    issues = raw["issues"]
    s_iso, e_iso = start.isoformat(), end.isoformat()
    region = {
        "issues_by_status": dict(Counter(i["status"] for i in issues)),
        "issues_raised_in_year": sum(1 for i in issues if s_iso <= i["raised_on"] <= e_iso),
        "issues_resolved_in_year": sum(1 for i in issues if i["status"] in ("solved", "created")
                                       and s_iso <= i["status_on"] <= e_iso),
        "cases_behind_open_issues": sum(int(i["case_count"]) for i in issues
                                        if i["status"] not in ("solved", "created")),
        "activities": {"count": len(activities),
                       "participants": sum(int(a["participants"] or 0) for a in activities),
                       "by_kind": by_kind},
        "resources_created": sum(1 for i in issues if i["status"] == "created"
                                 and s_iso <= i["status_on"] <= e_iso),
        # the register as the year saw it: open issues, and those settled in the year
        "issues": [{"title": i["title"], "status": i["status"], "raised_on": i["raised_on"],
                    "cases": int(i["case_count"])}
                   for i in sorted(issues, key=lambda i: (i["raised_on"], i["title"]))
                   if i["raised_on"] <= e_iso and (i["status"] not in ("solved", "created")
                                                   or i["status_on"] >= s_iso)],
    }

    # ---- plan: targets against the actual figures
    actual = {k: totals[k] for k in ("new_consultations", "plans_created",
                                     "employment_support_targets", "employed",
                                     "income_increased")}
    actual["activities"] = len(activities)
    plan["rows"] = [{"key": k, "target": plan["targets"][k], "actual": actual[k],
                     "attainment": _rate(actual[k], plan["targets"][k])
                     if plan["targets"][k] else None} for k in TARGET_KEYS]
    plan["per_100k_monthly_average"] = stats["per_100k_monthly_average"]
    plan["targets_per_100k"] = stats["targets_per_100k"]

    # ---- structure
    staff = raw["staff"]
    trainings = raw["trainings"]
    from app.operations.region import REQUIRED_COURSE
    needing = [s for s in staff if s["role"] in REQUIRED_COURSE]
    done = [s for s in needing if any(t["staff_id"] == s["id"] and t["kind"] == "national"
                                      and t["course"] == REQUIRED_COURSE[s["role"]]
                                      for t in trainings)]
    resources = [r for r in raw["resources"] if r["active"]]
    ojt = raw["ojt"]
    structure = {
        "staff_by_role": dict(Counter(s["role"] for s in staff)),
        "staff_total": len(staff),
        "national_training": {"required": len(needing), "completed": len(done),
                              "rate": _rate(len(done), len(needing))},
        "trainings_in_year": {
            "national": sum(1 for t in trainings if t["kind"] == "national"
                            and s_iso <= t["completed_on"] <= e_iso),
            "off_jt": sum(1 for t in trainings if t["kind"] == "off_jt"
                          and s_iso <= t["completed_on"] <= e_iso)},
        "ojt_sessions": sum(1 for o in ojt if o["kind"] == "ojt"),
        "case_reviews": sum(1 for o in ojt if o["kind"] == "case_review"),
        "resources": {"active": len(resources),
                      "by_kind": dict(Counter(r["kind"] for r in resources)),
                      "added_in_year": sum(1 for r in raw["resources"]
                                           if s_iso <= r["created_on"] <= e_iso)},
    }

    # ---- process
    monitorings_by_plan: dict[str, list[dict[str, Any]]] = {}
    for m in raw["monitorings"]:
        monitorings_by_plan.setdefault(m["plan_id"], []).append(m)
    from app.process import first_monitoring_date
    starts = {r["plan_id"]: r["started_on"] for r in raw["starts"]}
    due_total = on_time = 0
    in_effect: set[str] = set()
    for p in raw["plans"]:            # plans in effect at some time in the year
        in_effect.add(p["case_id"])
        ms = monitorings_by_plan.get(p["id"], [])
        first = p["next_monitoring_on"] or (
            first_monitoring_date(date.fromisoformat(starts[p["id"]])).isoformat()
            if p["id"] in starts else None)
        dues = [(p["approved_on"], first, True)]
        dues += [(m["monitored_on"], m["next_on"], False) for m in ms]
        for set_on, due, inclusive in dues:
            if not due or not (s_iso <= due <= as_of.isoformat()):
                continue
            if p["ended_on"] and p["ended_on"] < due:
                continue
            due_total += 1
            after = [m["monitored_on"] for m in ms
                     if (m["monitored_on"] >= set_on if inclusive else m["monitored_on"] > set_on)]
            limit = (date.fromisoformat(due) + timedelta(days=GRACE_DAYS)).isoformat()
            if after and min(after) <= limit:
                on_time += 1
    suspended = {r["case_id"] for r in raw["suspensions"]}
    process = {
        "intake_to_assessment_days": _days(raw["to_assessment"]),
        "intake_to_plan_approval_days": _days(raw["to_plan"]),
        "monitoring": {"due": due_total, "on_time": on_time, "rate": _rate(on_time, due_total),
                       "grace_days": GRACE_DAYS},
        "meetings_held": len(raw["meetings"]),
        "suspension": {"suspended_cases": len(suspended), "cases_with_plan": len(in_effect),
                       "rate": _rate(len(suspended), len(in_effect))},
    }

    # ---- outcome
    evals = raw["evaluations"]
    outcome = {
        "employed": totals["employed"], "income_increased": totals["income_increased"],
        "employed_among_targets": totals["employed_among_targets"],
        "income_increased_among_targets": totals["income_increased_among_targets"],
        "employment_income_rate": stats["employment_income_rate"],
        "closed": totals["closed"], "closed_by_pattern": dict(totals["closed_by_pattern"]),
        "evaluations": len(evals),
        "improved": {k: sum(1 for e in evals if e[k]) for k in
                     ("motivation", "relationships", "participation", "hardship")},
    }

    # ---- reach
    intakes = raw["intakes"]

    def groups(key) -> list[dict[str, Any]]:
        seen: dict[str, list[int]] = {}
        for i in intakes:
            slot = seen.setdefault(key(i) or "", [0, 0])
            slot[0] += 1
            slot[1] += 1 if i["plans"] else 0
        return [{"key": k, "consultations": n, "with_plan": p, "plan_rate": _rate(p, n)}
                for k, (n, p) in sorted(seen.items(), key=lambda kv: (-kv[1][0], kv[0]))]

    with_plan = sum(1 for i in intakes if i["plans"])
    bands = {b: i for i, b in enumerate(AGE_BANDS)}
    reach = {
        "new_consultations": len(intakes), "with_plan": with_plan,
        "plan_rate": _rate(with_plan, len(intakes)),
        "by_route": groups(lambda i: i["route"]),
        "by_age_band": sorted(groups(lambda i: age_band(i["birth_date"], i["received_on"])),
                              key=lambda g: bands.get(g["key"], 99)),
        "by_triage": groups(lambda i: i["triage"]),
        "by_main_topic": groups(lambda i: i["main_topic"]),
    }

    # ---- risk
    complaints, incidents = raw["complaints"], raw["incidents"]
    risk = {
        "complaints": len(complaints),
        "complaints_completed": sum(1 for c in complaints if c["completed_on"]),
        "complaints_to_committee": sum(1 for c in complaints if c["committee"]),
        "complaints_by_complainant": dict(Counter(c["complainant"] for c in complaints)),
        "incidents": len(incidents),
        "incidents_by_kind": dict(Counter(i["kind"] for i in incidents)),
        "incidents_by_severity": dict(Counter(i["severity"] for i in incidents)),
        "incidents_reviewed": sum(1 for i in incidents if i["reviewed_on"]),
    }

    agency = store.agency()
    return {"fiscal_year": fy, "from": s_iso, "to": e_iso, "as_of": as_of.isoformat(),
            "agency": agency.name, "municipality": agency.municipality,
            "population": agency.population,
            "plan": plan, "structure": structure, "process": process, "outcome": outcome,
            "reach": reach, "region": region, "risk": risk}


# ---------------------------------------------------------------------- labels
def key_label(group: str, key: str) -> str:
    """The Japanese name of a key in the report (route, triage, topic, kinds …)."""
    from app.domain import Route, Triage
    from app.domain.intake import CONSULTATION_TOPICS
    from app.domain import region as R
    from app.security.roles import Role
    try:
        if group == "route":
            return S.ROUTE_KEYS.get(key) or Route(key).label
        if group == "triage":
            return Triage(key).label
        if group == "topic":
            return _(dict(CONSULTATION_TOPICS).get(key, "")) or (key or _("Not recorded"))
        if group == "age":
            return {"-19": _("Under 20"), "70-": _("70 and over"),
                    "unknown": _("Unknown")}.get(key) or _("{low} to {high}").format(
                        low=key.split("-")[0], high=key.split("-")[1])
        if group == "role":
            return Role(key).label
        if group == "resource":
            return R.ResourceKind(key).label
        if group == "activity":
            return R.ActivityKind(key).label
        if group == "issue":
            return R.IssueStatus(key).label
        if group == "incident":
            return R.IncidentKind(key).label
        if group == "severity":
            return R.Severity(key).label
        if group == "complainant":
            return R.Complainant(key).label
        if group == "target":
            return _(TARGET_LABELS[key])
    except (ValueError, KeyError):
        pass
    return key or _("Not recorded")


_pct = rate_text     # how figures print (app/domain/paper.py: the PDF prints them alike)
_num = number_text


def sections(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report as tables for people: (title, header, rows) per section."""
    out = []
    p = report["plan"]
    out.append((_("Plan: targets and results"),
                [_("Item"), _("Target"), _("Result"), _("Attainment")],
                [[key_label("target", r["key"]), _num(r["target"]), _num(r["actual"]),
                  _pct(r["attainment"])] for r in p["rows"]]))
    st = report["structure"]
    rows = [[_("Staff ({role})").format(role=key_label("role", k)), v]
            for k, v in sorted(st["staff_by_role"].items())]
    nt = st["national_training"]
    rows += [[_("Staff whose role needs a national course"), nt["required"]],
             [_("of whom completed it"), f"{nt['completed']}（{_pct(nt['rate'])}）"],
             [_("National trainings completed in the year"), st["trainings_in_year"]["national"]],
             [_("Off-JT attended in the year"), st["trainings_in_year"]["off_jt"]],
             [_("OJT sessions"), st["ojt_sessions"]], [_("Case reviews"), st["case_reviews"]],
             [_("Social resources in the directory"), st["resources"]["active"]],
             [_("of which added in the year"), st["resources"]["added_in_year"]]]
    rows += [[_("Resources: {kind}").format(kind=key_label("resource", k)), v]
             for k, v in sorted(st["resources"]["by_kind"].items())]
    out.append((_("Structure"), [_("Item"), _("Value")], rows))
    pr = report["process"]
    a, b = pr["intake_to_assessment_days"], pr["intake_to_plan_approval_days"]
    rows = [[_("Days from intake to assessment (median / 90th percentile)"),
             f"{_num(a['median'])} / {_num(a['p90'])}（{a['cases']}）"],
            [_("Days from intake to plan approval (median / 90th percentile)"),
             f"{_num(b['median'])} / {_num(b['p90'])}（{b['cases']}）"],
            [_("Monitoring done on time"),
             f"{pr['monitoring']['on_time']} / {pr['monitoring']['due']}"
             f"（{_pct(pr['monitoring']['rate'])}）"],
            [_("Support coordination meetings held"), pr["meetings_held"]],
            [_("Suspension rate"),
             f"{pr['suspension']['suspended_cases']} / {pr['suspension']['cases_with_plan']}"
             f"（{_pct(pr['suspension']['rate'])}）"]]
    out.append((_("Process"), [_("Item"), _("Value")], rows))
    oc = report["outcome"]
    rows = [[_("Persons employed"), oc["employed"]],
            [_("Persons with increased income"), oc["income_increased"]],
            [_("Closed"), oc["closed"]]]
    rows += [[_("Closed ({pattern})").format(pattern=k), v]
             for k, v in oc["closed_by_pattern"].items()]
    rows += [[_("Plan evaluations confirmed"), oc["evaluations"]]]
    names = {"motivation": _("Improved motivation"),
             "relationships": _("Improved relationships"),
             "participation": _("Improved participation"),
             "hardship": _("Improved financial hardship")}
    rows += [[names[k], v] for k, v in oc["improved"].items()]
    out.append((_("Outcome"), [_("Item"), _("Value")], rows))
    rc = report["reach"]
    rows = []
    for group, key in (("route", "by_route"), ("age", "by_age_band"), ("triage", "by_triage"),
                       ("topic", "by_main_topic")):
        title = {"route": _("Route"), "age": _("Age band"), "triage": _("Triage"),
                 "topic": _("Main topic")}[group]
        rows += [[title, key_label(group, g["key"]), g["consultations"], g["with_plan"],
                  _pct(g["plan_rate"])] for g in rc[key]]
    out.append((_("Reach"), [_("Breakdown"), _("Group"), _("New consultations"),
                             _("With a plan"), _("Rate")], rows))
    rg = report["region"]
    rows = [[_("Regional issues: {status}").format(status=key_label("issue", k)), v]
            for k, v in sorted(rg["issues_by_status"].items())]
    rows += [[_("Regional issues raised in the year"), rg["issues_raised_in_year"]],
             [_("Cases behind open regional issues"), rg["cases_behind_open_issues"]],
             [_("Resources created"), rg["resources_created"]],
             [_("Activities with the region"), rg["activities"]["count"]],
             [_("Participants in activities"), rg["activities"]["participants"]]]
    rows += [[_("Activities: {kind}").format(kind=key_label("activity", k)),
              f"{v['count']}（{v['participants']}）"]
             for k, v in sorted(rg["activities"]["by_kind"].items())]
    out.append((_("Region"), [_("Item"), _("Value")], rows))
    out.append((_("Regional issues"), [_("Raised on"), _("Regional issue"), _("Status"),
                                       _("Cases")],
                [[i["raised_on"], i["title"], key_label("issue", i["status"]), i["cases"]]
                 for i in rg["issues"]]))
    rk = report["risk"]
    rows = [[_("Complaints received"), rk["complaints"]],
            [_("of which completed"), rk["complaints_completed"]],
            [_("Referred to the operation appropriateness committee"),
             rk["complaints_to_committee"]],
            [_("Near misses and accidents"), rk["incidents"]],
            [_("of which reviewed"), rk["incidents_reviewed"]]]
    rows += [[_("Incidents: {kind}").format(kind=key_label("incident", k)), v]
             for k, v in sorted(rk["incidents_by_kind"].items())]
    out.append((_("Risk management"), [_("Item"), _("Value")], rows))
    return out


def annual_paper(report: dict[str, Any], agency) -> AnnualPaper:
    """What the annual report PDF shows: the tables of ``sections`` and the printed name of
    every key its charts show (app/domain/paper.py)."""
    p, rc, rg = report["plan"], report["reach"], report["region"]
    keys = [("target", r["key"]) for r in p["rows"]]
    keys += [(group, g["key"]) for group, k in (("route", "by_route"), ("age", "by_age_band"),
                                                ("triage", "by_triage")) for g in rc[k]]
    keys += [("activity", k) for k in rg["activities"]["by_kind"]]
    labels = {(g, k): key_label(g, k) for g, k in keys}
    labels.update({("indicator", k): S.label(k) for k in S.INDICATORS})
    return AnnualPaper(agency, report, sections(report), labels, S.INDICATORS)


def export(report: dict[str, Any], agency, path: Path, fmt: str,
           render: Render | None = None) -> Path:
    from app.reports.export import check_format, write_xlsx
    from app.files import write_atomic
    fmt = check_format(fmt, FORMATS)
    if fmt == "json":
        write_atomic(path, json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"))
        return Path(path)
    if fmt == "xlsx":
        bad = str.maketrans({c: "・" for c in "[]:*?/\\"})
        return write_xlsx(path, [(t.translate(bad).strip(), (h, r))
                                 for t, h, r in sections(report)])
    if render is None:   # the paper layer, handed over by the caller (forms.sheets.render)
        raise TypeError("a PDF needs render= (forms.sheets.render)")
    render(annual_paper(report, agency), Path(path))
    return Path(path)
