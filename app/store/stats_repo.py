"""SQL of the statistics (STATISTICS.md): every figure is counted from the records
themselves — intakes, screenings, plans approved by the 支援調整会議, evaluations,
suspensions, closures, 支援決定 — never from counters kept on the side.

Each counting rule is one query that selects the case behind every counted fact, so the
figure and the list behind it ("click a figure to list its cases") can never disagree.
Dates are ISO text; a month is ``start`` … ``end`` inclusive.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from datetime import date
from itertools import accumulate
from typing import Any

from app.store.db import Connection

from app.store.security_repo import case_access_clause   # which cases a user sees (issue 5)

APPROVED = "('approved', 'approved_with_changes')"   # 了承 / 修正のうえ了承

# A plan counts for the month its meeting result (了承 / 修正のうえ了承) is dated in.
_PLAN_IN_MONTH = (f"p.approved_on BETWEEN :start AND :end AND p.meeting_result IN {APPROVED}"
                  " AND p.approved_on IS NOT NULL")
# A plan item counts with the service as it was when its plan was approved (migration 0007):
# editing the master data never changes past figures.
_ITEM_EMPLOYMENT = ("COALESCE(json_extract(pi.service_at_approval, '$.employment'),"
                    " s.employment) = 1")
# … and with the plan as the 支援調整会議 approved it (migration 0015): a later プランの修正
# never makes an approved plan an employment-support plan of a month already reported.
_HAS_EMPLOYMENT = ("COALESCE(p.employment_at_approval, EXISTS (SELECT 1 FROM plan_item pi"
                   " JOIN service s ON s.key = pi.service_key"
                   f" WHERE pi.plan_id = p.id AND pi.removed = 0 AND {_ITEM_EMPLOYMENT})) = 1")


# A counted fact's case, for its person only: from the index (id, person_id) of schema 21 —
# without statistics SQLite would take the primary key's index and read the case's row, a
# scattered page per fact.
_CASE_PERSON = "case_file c INDEXED BY case_person_of"


def _target_before(outcome_col: str) -> str:
    """The person was an employment-support target on or before the outcome date."""
    return (
        "EXISTS (SELECT 1 FROM case_file c2 JOIN plan p2 ON p2.case_id = c2.id"
        " WHERE c2.person_id = c.person_id AND p2.approved_on IS NOT NULL"
        f" AND p2.approved_on <= e.{outcome_col} AND p2.meeting_result IN {APPROVED}"
        " AND " + _HAS_EMPLOYMENT.replace("p.", "p2.") + ")")


def _outcome(col: str, among_targets: bool) -> str:
    # Only from a プラン評価 the 支援調整会議 confirmed (issue 19): a proposed one counts
    # nothing yet. One outcome per case and date.
    extra = (" AND " + _target_before(col)) if among_targets else ""
    return (f"SELECT e.case_id AS case_id, e.{col} AS on_ FROM evaluation e"
            f" JOIN {_CASE_PERSON} ON c.id = e.case_id"
            f" WHERE e.{col} BETWEEN :start AND :end AND e.status = 'confirmed'{extra}"
            f" GROUP BY e.case_id, e.{col}")


# key -> SELECT case_id, on_ (the date of the counted fact), one row per counted fact.
RULES: dict[str, str] = {
    # an intake opened as a new case while the person's other case was still open (ending,
    # with a reason: issue 19) is no new consultation; a return after closure is
    "new_consultations":
        "SELECT i.case_id AS case_id, i.received_on AS on_ FROM intake i"
        " WHERE i.received_on BETWEEN :start AND :end AND i.new_case_reason = ''",
    "plans_created":
        f"SELECT p.case_id AS case_id, p.approved_on AS on_ FROM plan p WHERE {_PLAN_IN_MONTH}",
    "first_plans":
        f"SELECT p.case_id AS case_id, p.approved_on AS on_ FROM plan p WHERE {_PLAN_IN_MONTH}"
        " AND p.kind = 'first'",
    "replans":
        f"SELECT p.case_id AS case_id, p.approved_on AS on_ FROM plan p WHERE {_PLAN_IN_MONTH}"
        " AND p.kind = 'replan'",
    # one per person per month: the person's first counted plan of the month stands for them
    # (grouped by month too, so that a fiscal year is counted month by month)
    "employment_support_targets":
        "SELECT MIN(p.case_id) AS case_id, MIN(p.approved_on) AS on_ FROM plan p"
        f" JOIN {_CASE_PERSON} ON c.id = p.case_id WHERE {_PLAN_IN_MONTH} AND {_HAS_EMPLOYMENT}"
        " GROUP BY c.person_id, substr(p.approved_on, 1, 7)",
    "employed": _outcome("employed_on", False),
    "income_increased": _outcome("income_increased_on", False),
    "employed_among_targets": _outcome("employed_on", True),
    "income_increased_among_targets": _outcome("income_increased_on", True),
    "referred_out":
        "SELECT i.case_id AS case_id, i.received_on AS on_ FROM intake i"
        " WHERE i.received_on BETWEEN :start AND :end AND i.triage = 'refer'"
        " UNION ALL SELECT x.case_id, x.screened_on FROM screening x"
        " WHERE x.screened_on BETWEEN :start AND :end AND x.result = 'refer'",
    "information_only":
        "SELECT i.case_id AS case_id, i.received_on AS on_ FROM intake i"
        " WHERE i.received_on BETWEEN :start AND :end AND i.triage = 'info_only'"
        " UNION ALL SELECT x.case_id, x.screened_on FROM screening x"
        " WHERE x.screened_on BETWEEN :start AND :end AND x.result = 'info_only'",
    # a 中断 counts when the 支援調整会議 confirmed it (it stays counted once resumed)
    "suspended":
        "SELECT s.case_id AS case_id, s.confirmed_on AS on_ FROM suspension s"
        " WHERE s.confirmed_on BETWEEN :start AND :end"
        " AND s.status IN ('confirmed', 'resumed')",
    "closed":
        "SELECT x.case_id AS case_id, x.confirmed_on AS on_ FROM closure x"
        " WHERE x.confirmed_on BETWEEN :start AND :end AND x.status = 'confirmed'",
}
for _pattern in ("1", "2", "3"):
    RULES[f"closed_{_pattern}"] = RULES["closed"] + f" AND x.pattern = '{_pattern}'"

# 支援中 at a date: the latest of the case's intake triage, screenings and take-backs on or
# before the date says 継続支援, and the case is not closed by then (suspended included).
# Each case keeps its stretch of 支援中 (support_from … support_until, app/derived.py
# support_span, index case_support): only the cases whose stretch reaches into
# [:first, :last] are read, and only those with several stretches (support_from NULL, or
# not yet written) have their decisions walked again here. On a day with two decisions of
# one kind, 継続支援 is taken as the later — the same order as support_span.
# The decisions that start or end 支援中 — (case_id, date, order, 継続支援?) — of the cases
# ``{cases}`` selects (a condition on case_id). app/store/derived_repo.py reads the same for
# one case (or all) to store its stretch.
SUPPORT_FACTS = (
    "SELECT case_id, received_on, 0, triage = 'continue' FROM intake WHERE {cases}"
    " UNION ALL SELECT case_id, screened_on, 1, result = 'continue' FROM screening"
    " WHERE {cases}"
    " UNION ALL SELECT case_id, taken_back_on, 2, 1 FROM referral"
    " WHERE taken_back_on IS NOT NULL AND {cases}")

_SEGMENTS = """
WITH span AS MATERIALIZED (
    SELECT id, person_id, support_from, support_until FROM case_file
    WHERE support_until IS NULL AND (support_from IS NULL OR support_from <= :last)
    UNION ALL
    SELECT id, person_id, support_from, support_until FROM case_file
    WHERE support_until > :first AND (support_from IS NULL OR support_from <= :last)
),
odd AS MATERIALIZED (SELECT id FROM span WHERE support_from IS NULL),
ev (case_id, on_, ord, cont) AS (""" + SUPPORT_FACTS.format(cases="case_id IN odd") + """),
seg AS (
    SELECT case_id, on_ AS start, cont,
           LEAD(on_) OVER (PARTITION BY case_id ORDER BY on_, ord, cont) AS next_on
    FROM ev WHERE on_ <= :last
),
act AS MATERIALIZED (
    -- one row per stretch of 継続支援: from its start until the next decision or closure
    SELECT id AS case_id, person_id, support_from AS start, support_until AS stop
    FROM span WHERE support_from IS NOT NULL
    UNION ALL
    SELECT seg.case_id, c.person_id, seg.start,
           CASE WHEN seg.next_on IS NULL THEN c.closed_on
                WHEN c.closed_on IS NULL THEN seg.next_on
                ELSE min(seg.next_on, c.closed_on) END AS stop
    FROM seg JOIN case_file c ON c.id = seg.case_id WHERE seg.cont = 1
)
"""
_ACTIVE_AT = " act.start <= m.e AND (act.stop IS NULL OR act.stop > m.e)"


def _month_ends_cte(ends: list[str]) -> tuple[str, dict[str, str]]:
    values = ", ".join(f"(:e{i})" for i in range(len(ends)))
    return f", m (e) AS (VALUES {values})", {f"e{i}": e for i, e in enumerate(ends)}


class StatsRepo:
    """Read-only queries of the statistics on one open connection."""

    def __init__(self, conn: Connection):
        self.conn = conn

    # ------------------------------------------------------------------ counts
    def count(self, key: str, start: date, end: date) -> int:
        sql = f"SELECT count(*) FROM ({RULES[key]})"
        return int(self.conn.execute(sql, {"start": start.isoformat(),
                                           "end": end.isoformat()}).fetchone()[0])

    def counts_by_month(self, start: date, end: date) -> dict[str, dict[str, int]]:
        """{"YYYY-MM": {key: count}} for every month with a counted fact in the range."""
        args = {"start": start.isoformat(), "end": end.isoformat()}
        out: dict[str, dict[str, int]] = {}
        for key, rule in RULES.items():
            for month, n in self.conn.execute(
                    f"SELECT substr(on_, 1, 7), count(*) FROM ({rule}) GROUP BY 1", args):
                out.setdefault(month, {})[key] = int(n)
        for month, key, n in self._anon(start, end, "count:"):
            box = out.setdefault(month, {})
            box[key] = box.get(key, 0) + n
        return out

    def _anon(self, start: date, end: date, prefix: str) -> list[tuple[str, str, int]]:
        """What purged cases contributed (anon_stat), as (month, key without prefix, n)."""
        rows = self.conn.execute(
            "SELECT month, substr(key, ?), sum(value) FROM anon_stat WHERE month BETWEEN ? AND ?"
            " AND key LIKE ? GROUP BY month, key",
            (len(prefix) + 1, start.isoformat()[:7], end.isoformat()[:7], prefix + "%"))
        return [(r[0], r[1], int(r[2])) for r in rows]

    def snapshot(self, start: date, end: date) -> dict[tuple[str, str], int]:
        """Every figure of every month in [start, end] as {(month, anon key): n} — the
        form in which a purge records what its cases contributed."""
        import calendar
        flat: dict[tuple[str, str], int] = {}
        for month, counts in self.counts_by_month(start, end).items():
            for key, n in counts.items():
                flat[(month, "count:" + key)] = n
        months, cursor = [], date(start.year, start.month, 1)
        while cursor <= end:
            months.append(cursor.replace(
                day=calendar.monthrange(cursor.year, cursor.month)[1]))
            cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        for e, n in self.active_at(months).items():
            flat[(e.isoformat()[:7], "active")] = n
        for month, parts in self.breakdowns_by_month(start, end).items():
            for part, prefix in (("routes", "route:"), ("sources", "source:"),
                                 ("services", "service:")):
                for name, n in parts.get(part, {}).items():
                    flat[(month, prefix + name)] = n
        return flat

    def case_span(self, case_ids: list[str]) -> tuple[date, date] | None:
        """First intake and last closure (or today's latest fact) of these cases."""
        marks = ",".join("?" for _ in case_ids)
        r = self.conn.execute(
            f"SELECT min(i.received_on), max(COALESCE(c.closed_on, i.received_on))"
            f" FROM case_file c JOIN intake i ON i.case_id = c.id WHERE c.id IN ({marks})",
            case_ids).fetchone()
        if not r or not r[0]:
            return None
        return date.fromisoformat(r[0]), date.fromisoformat(r[1])

    def record_anon(self, w, contributions: dict[tuple[str, str], int]) -> None:
        for (month, key), n in sorted(contributions.items()):
            if n:
                w.insert("anon_stat", {"month": month, "key": key, "value": n})

    def active_at(self, ends: list[date]) -> dict[date, int]:
        """支援中 at each date of ``ends`` (month ends), in one pass over the stretches that
        reach into them: each covers the dates from its start until before its stop, and a
        person counts once at a date even with two cases open then."""
        if not ends:
            return {}
        marks = sorted({e.isoformat() for e in ends})
        covered: dict[str, list[tuple[int, int]]] = {}
        for person, start, stop in self.conn.execute(
                _SEGMENTS + " SELECT person_id, start, stop FROM act",
                {"first": marks[0], "last": marks[-1]}):
            lo = bisect_left(marks, start)
            hi = len(marks) if stop is None else bisect_left(marks, stop)
            if lo < hi:
                covered.setdefault(person, []).append((lo, hi))
        step = [0] * (len(marks) + 1)   # +1 where a person starts counting, -1 where they stop
        for spans in covered.values():
            if len(spans) == 1:
                lo, hi = spans[0]
                step[lo] += 1
                step[hi] -= 1
                continue
            for i in {i for lo, hi in spans for i in range(lo, hi)}:
                step[i] += 1
                step[i + 1] -= 1
        found = dict(zip(marks, accumulate(step)))
        anon = {m: n for m, _k, n in self._anon(min(ends), max(ends), "active")}
        return {e: found[e.isoformat()] + anon.get(e.isoformat()[:7], 0) for e in ends}

    def breakdowns_by_month(self, start: date, end: date) -> dict[str, dict[str, dict[str, int]]]:
        """{"YYYY-MM": {"routes": {route: n}, "sources": {name: n}, "services": {name: n}}}:
        new consultations by route and by referral source, 支援決定 by service."""
        args = {"start": start.isoformat(), "end": end.isoformat()}
        out: dict[str, dict[str, dict[str, int]]] = {}

        def put(month: str, part: str, name: str, n: int) -> None:
            box = out.setdefault(month, {"routes": {}, "sources": {}, "services": {}})
            box[part][name] = box[part].get(name, 0) + int(n)

        for r in self.conn.execute(
                "SELECT substr(received_on, 1, 7), route, count(*) FROM intake"
                " WHERE received_on BETWEEN :start AND :end AND new_case_reason = ''"
                " GROUP BY 1, 2", args):
            put(r[0], "routes", r[1], r[2])
        for r in self.conn.execute(
                "SELECT substr(received_on, 1, 7), referral_source, count(*) FROM intake"
                " WHERE received_on BETWEEN :start AND :end AND referral_source <> ''"
                " AND new_case_reason = ''"
                " GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2", args):
            put(r[0], "sources", r[1], r[2])
        for r in self.conn.execute(
                "SELECT substr(d.decided_on, 1, 7), COALESCE((SELECT json_extract("
                " pi.service_at_approval, '$.name') FROM plan_item pi WHERE pi.plan_id ="
                " d.plan_id AND pi.service_key = d.service_key AND pi.service_at_approval"
                " IS NOT NULL LIMIT 1), s.name, d.service_key) AS name, count(*)"
                " FROM decision d LEFT JOIN service s ON s.key = d.service_key"
                " WHERE d.decided_on BETWEEN :start AND :end AND d.result = 'approved'"
                " GROUP BY 1, name ORDER BY 1, MIN(COALESCE(s.sort, 999)), 2", args):
            put(r[0], "services", r[1], r[2])
        for part, prefix in (("routes", "route:"), ("sources", "source:"),
                             ("services", "service:")):
            for month, name, n in self._anon(start, end, prefix):
                put(month, part, name, n)
        return out

    # ------------------------------------------------------------------ the cases behind
    def case_ids(self, key: str, start: date, end: date) -> list[tuple[str, str]]:
        """(case_id, date of the counted fact) for each fact counted under ``key``."""
        if key == "active_at_month_end":
            cte, args = _month_ends_cte([end.isoformat()])
            sql = (_SEGMENTS + cte + " SELECT MAX(act.case_id), MIN(act.start) FROM act JOIN m"
                   f" ON {_ACTIVE_AT} GROUP BY act.person_id")
            return [(r[0], r[1]) for r in self.conn.execute(
                sql, {**args, "first": end.isoformat(), "last": end.isoformat()})]
        return [(r[0], r[1]) for r in self.conn.execute(
            RULES[key], {"start": start.isoformat(), "end": end.isoformat()})]

    def case_rows(self, facts: list[tuple[str, str]], access=None) -> list[dict[str, Any]]:
        """The cases of ``facts`` the user may see, in the order of the facts' dates."""
        if not facts:
            return []
        allowed, allowed_args = case_access_clause(access)
        on_by_case: dict[str, str] = {}
        for case_id, on in facts:
            on_by_case.setdefault(case_id, on)
        out: list[dict[str, Any]] = []
        ids = list(on_by_case)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            sql = ("SELECT c.id, c.case_no, p.name, p.kana, c.opened_on, c.stage,"
                   " COALESCE(s.display_name, '') FROM case_file c"
                   " JOIN person p ON p.id = c.person_id LEFT JOIN staff s ON s.id = c.assignee_id"
                   f" WHERE c.id IN ({', '.join('?' for _ in chunk)})")
            if allowed:
                sql += " AND " + allowed
            for r in self.conn.execute(sql, [*chunk, *allowed_args]):
                out.append({"case_id": r[0], "case_no": r[1], "name": r[2], "kana": r[3],
                            "received_on": r[4], "stage": r[5], "assignee": r[6],
                            "on": on_by_case[r[0]]})
        out.sort(key=lambda r: (r["on"] or "", r["case_no"]))
        return out

    # ------------------------------------------------------------------ caseload
    def caseload(self, on: date, access=None) -> list[dict[str, Any]]:
        """支援ケース一覧: the cases 支援中 on ``on`` with stage, 担当, plan and monitoring."""
        facts = self.case_ids("active_at_month_end", on, on)
        ids = [f[0] for f in facts]
        allowed, allowed_args = case_access_clause(access)
        out: list[dict[str, Any]] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            sql = (
                "SELECT c.id, c.case_no, p.name, p.kana, p.birth_date, c.opened_on, c.stage,"
                " COALESCE(s.display_name, ''), c.next_monitoring_on,"
                " (SELECT json_array(pl.number, pl.kind, pl.approved_on, pl.period_to)"
                "  FROM plan pl WHERE pl.case_id = c.id AND pl.status = 'approved'"
                "  ORDER BY pl.number DESC LIMIT 1),"
                " (SELECT i.main_topic FROM intake i WHERE i.case_id = c.id"
                "  ORDER BY i.received_on LIMIT 1)"
                " FROM case_file c JOIN person p ON p.id = c.person_id"
                " LEFT JOIN staff s ON s.id = c.assignee_id"
                f" WHERE c.id IN ({', '.join('?' for _ in chunk)})")
            if allowed:
                sql += " AND " + allowed
            for r in self.conn.execute(sql, [*chunk, *allowed_args]):
                plan = json.loads(r[9]) if r[9] else None
                out.append({
                    "case_id": r[0], "case_no": r[1], "name": r[2], "kana": r[3],
                    "birth_date": r[4], "received_on": r[5], "stage": r[6], "assignee": r[7],
                    "next_monitoring_on": r[8],
                    "plan_number": plan[0] if plan else None,
                    "plan_kind": plan[1] if plan else None,
                    "plan_approved_on": plan[2] if plan else None,
                    "plan_period_to": plan[3] if plan else None,
                    "main_topic": r[10] or ""})
        out.sort(key=lambda r: r["case_no"])
        return out
