"""SQL of the dashboard's work lists (monitoring due, referrals to check, plans waiting …):
each a page of rows the user may see, with the total."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from app.store.repo_base import SqlRepo, _iso
from app.store.security_repo import case_access_clause

# A listed row's case for its stage and number: from the index (id, stage, case_no) of
# schema 22, not the case's row (a scattered page per listed row on the first read).
_CASE = "case_file c INDEXED BY case_list_of"


class WorklistRepo(SqlRepo):
    """The dashboard's lists (part of :class:`app.store.process_repo.ProcessRepo`)."""

    # ------------------------------------------------------------------ dashboard
    def _listed(self, cols: str, frm: str, where: str, order: str, args: list[Any], access,
                limit: int | None, *, distinct: bool = False, count_from: str | None = None
                ) -> tuple[list[dict[str, Any]], int]:
        """(the first ``limit`` rows, how many there are) of a dashboard list of cases
        (``case_file AS c`` in ``frm``), filtered in SQL to the cases ``access`` lets the
        user see; each row gets the person's name (``person_name``), read for the rows
        returned only. ``count_from``: the table alone, when ``where`` needs nothing else
        and every case may be seen (the case join of ``frm`` only names the case: its
        foreign key guarantees the row)."""
        allowed, allowed_args = case_access_clause(access)
        if allowed:
            where, args = f"({where}) AND {allowed}", [*args, *allowed_args]
        select = f"SELECT {'DISTINCT ' if distinct else ''}{cols} FROM {frm} WHERE {where}"
        if limit is None:
            rows = self._all(f"{select} ORDER BY {order}", args)
            total = len(rows)
        else:
            rows = self._all(f"{select} ORDER BY {order} LIMIT ?", [*args, limit])
            total = len(rows)
            if total >= limit:
                source = count_from if count_from and not allowed else frm
                count = (f"SELECT count(*) FROM ({select})" if distinct
                         else f"SELECT count(*) FROM {source} WHERE {where}")
                total = int(self.conn.execute(count, args).fetchone()[0])
        names = self._person_names({r["case_id"] for r in rows})
        for r in rows:
            r["person_name"] = names.get(r["case_id"], "")
        return rows, total

    def _person_names(self, case_ids: set[str]) -> dict[str, str]:
        if not case_ids:
            return {}
        return dict(self.conn.execute(
            "SELECT c.id, p.name FROM case_file c JOIN person p ON p.id = c.person_id"
            " WHERE c.id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(case_ids)),)))

    def monitoring_on(self, today: date, access=None, limit: int | None = None
                      ) -> tuple[list[dict[str, Any]], int]:
        """Monitoring due today (the dashboard's tile beside the overdue ones)."""
        return self._listed(
            "c.id AS case_id, c.case_no, p.name, c.next_monitoring_on",
            "case_file c JOIN person p ON p.id = c.person_id",
            "c.next_monitoring_on = ? AND c.stage NOT IN ('closed', 'suspended')",
            "c.next_monitoring_on, c.case_no", [_iso(today)], access, limit,
            count_from="case_file c")

    def monitoring_overdue(self, today: date, access=None, limit: int | None = None
                           ) -> tuple[list[dict[str, Any]], int]:
        return self._listed(
            "c.id AS case_id, c.case_no, p.name, c.next_monitoring_on",
            "case_file c JOIN person p ON p.id = c.person_id",
            "c.next_monitoring_on IS NOT NULL AND c.next_monitoring_on < ? AND"
            " c.stage NOT IN ('closed', 'suspended')",
            "c.next_monitoring_on, c.case_no", [_iso(today)], access, limit,
            count_from="case_file c")

    def referrals_to_check(self, today: date, access=None, limit: int | None = None
                           ) -> tuple[list[dict[str, Any]], int]:
        return self._listed(
            "r.id, r.case_id, c.case_no, r.referred_to, r.check_on",
            f"referral r JOIN {_CASE} ON c.id = r.case_id",
            "r.checked_on IS NULL AND (r.check_on IS NULL OR r.check_on <= ?)",
            "r.check_on, c.case_no", [_iso(today)], access, limit, count_from="referral r")

    def plans_waiting(self, access=None, limit: int | None = None
                      ) -> tuple[list[dict[str, Any]], int]:
        return self._listed(
            "p.id, p.case_id, c.case_no, p.number, p.kind, (SELECT m.held_on FROM"
            " agenda_item a JOIN meeting m ON m.id = a.meeting_id WHERE a.subject_id = p.id AND"
            " a.result IS NULL AND a.withdrawn_on IS NULL ORDER BY m.held_on LIMIT 1)"
            " AS meeting_on",
            f"plan p JOIN {_CASE} ON c.id = p.case_id",
            "p.status = 'submitted'", "c.case_no", [], access, limit, count_from="plan p")

    def decisions_pending(self, access=None, limit: int | None = None
                          ) -> tuple[list[dict[str, Any]], int]:
        # CROSS JOIN keeps this order: the items of the services that need a 支援決定
        # (schema 22's plan_item_service), those without one, and only then their plan
        # (in effect?) and case — not every plan in effect for its items.
        return self._listed(
            "p.id AS plan_id, p.case_id, c.case_no, i.service_key, s.name",
            "service s CROSS JOIN plan_item i INDEXED BY plan_item_service"
            " ON i.service_key = s.key AND i.removed = 0"
            " CROSS JOIN plan p ON p.id = i.plan_id CROSS JOIN case_file c ON c.id = p.case_id",
            "s.needs_decision = 1 AND NOT EXISTS (SELECT 1 FROM decision d WHERE"
            " d.plan_id = i.plan_id AND d.service_key = i.service_key)"
            " AND p.status = 'approved'", "c.case_no, s.sort, i.service_key", [], access,
            limit, distinct=True)

    def emergency_pending(self, access=None, limit: int | None = None
                          ) -> tuple[list[dict[str, Any]], int]:
        return self._listed(
            "e.id, e.case_id, c.case_no, e.action, e.done_on",
            "emergency_support e JOIN case_file c ON c.id = e.case_id",
            "e.procedure = 'pending'", "e.done_on", [], access, limit,
            count_from="emergency_support e")

    def suspended_cases(self, access=None, limit: int | None = None
                        ) -> tuple[list[dict[str, Any]], int]:
        # (+s.status: the suspension is found through its case, not among every confirmed one)
        return self._listed(
            "c.id AS case_id, c.case_no, p.name, s.confirmed_on",
            "case_file c JOIN person p ON p.id = c.person_id LEFT JOIN suspension s"
            " ON s.case_id = c.id AND +s.status = 'confirmed'",
            "c.stage = 'suspended'", "c.case_no", [], access, limit,
            count_from="case_file c LEFT JOIN suspension s"
                       " ON s.case_id = c.id AND +s.status = 'confirmed'")

    def evaluations_due(self, until: date, access=None, limit: int | None = None
                        ) -> tuple[list[dict[str, Any]], int]:
        """Plans in effect whose period ends on or before ``until`` with no プラン評価
        (other than one sent back), of open cases: the dashboard's 「評価の時期」."""
        return self._listed(
            "p.id AS plan_id, p.case_id, c.case_no, p.number, p.period_to",
            f"plan p JOIN {_CASE} ON c.id = p.case_id",
            "p.status = 'approved' AND p.period_to IS NOT NULL AND p.period_to <= ?"
            " AND c.stage NOT IN ('closed', 'suspended') AND NOT EXISTS (SELECT 1 FROM"
            " evaluation e WHERE e.plan_id = p.id AND e.status <> 'reconsider')"
            " AND NOT EXISTS (SELECT 1 FROM closure x WHERE x.case_id = p.case_id"
            " AND x.status = 'proposed')",
            "p.period_to, c.case_no", [_iso(until)], access, limit)

    def next_meetings(self, today: date) -> list[dict[str, Any]]:
        return self._all(
            "SELECT m.id, m.held_on, m.kind, m.place, (SELECT COUNT(*) FROM agenda_item a WHERE"
            " a.meeting_id = m.id AND a.result IS NULL AND a.withdrawn_on IS NULL) AS pending"
            " FROM meeting m WHERE"
            " m.held = 0 AND m.held_on >= ? ORDER BY m.held_on", (_iso(today),))
