"""SQL of running the desk (issue 15, app/operations/region.py, app/reports/annual.py):
the 社会資源 directory, 地域課題, activities with the region, 人材育成, the 苦情 register,
ヒヤリハット・事故 reports, the yearly plan, and the figures of the annual report.

Writes go through the Writer (journalled, synced like every other table; migration 0017).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from app.store.journal import Writer
from app.store.repo_base import SqlRepo
from app.store.security_repo import CaseAccess, case_access_clause

TABLES = ("social_resource", "regional_issue", "regional_issue_case", "region_activity",
          "staff_training", "ojt_session", "complaint", "incident", "annual_plan")


class RegionRepo(SqlRepo):
    """Queries and writes of the region tables (rows as dicts: ``SqlRepo``)."""

    # ------------------------------------------------------------------ generic writes
    def insert(self, w: Writer, table: str, fields: dict[str, Any],
               row_id: str | None = None) -> str:
        assert table in TABLES
        return w.insert(table, fields, row_id=row_id)

    def update(self, w: Writer, table: str, row_id: str, changes: dict[str, Any]) -> None:
        assert table in TABLES
        w.update(table, row_id, changes)

    def delete(self, w: Writer, table: str, row_id: str) -> None:
        assert table in TABLES
        w.delete(table, row_id)

    def row(self, table: str, row_id: str) -> dict[str, Any] | None:
        assert table in TABLES
        return self._one(f"SELECT * FROM {table} WHERE id = ?", (row_id,))

    def first_hlc(self, table: str, row_id: str) -> str:
        r = self.conn.execute("SELECT min(hlc) FROM journal WHERE tbl = ? AND row_id = ?",
                              (table, row_id)).fetchone()
        return r[0] or "~"

    def exists_ever(self, table: str, row_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM journal WHERE tbl = ? AND row_id = ? LIMIT 1",
                                 (table, row_id)).fetchone() is not None

    # ------------------------------------------------------------------ 社会資源
    def resources(self, *, fold: str = "", kind: str = "",
                  include_inactive: bool = False) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM social_resource WHERE 1 = 1", []
        if fold:
            sql += " AND name_fold LIKE ? ESCAPE '\\'"
            args.append("%" + fold.replace("\\", "\\\\").replace("%", "\\%")
                        .replace("_", "\\_") + "%")
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        if not include_inactive:
            sql += " AND active = 1"
        return self._all(sql + " ORDER BY name_fold, id", args)

    def resources_with_fold(self, fold: str) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM social_resource WHERE name_fold = ?", (fold,))

    def names_ever(self, resource_id: str) -> set[str]:
        names: set[str] = set()
        for (fields,) in self.conn.execute(
                "SELECT fields FROM journal WHERE tbl = 'social_resource' AND row_id = ?",
                (resource_id,)):
            try:
                name = json.loads(fields).get("name")
            except (ValueError, AttributeError):
                continue
            if isinstance(name, str) and name:
                names.add(name)
        return names

    def uses(self, names: list[str]) -> list[dict[str, Any]]:
        """Every record naming one of ``names`` as つなぎ先 / 支援を行う機関: dicts with
        case_id, kind (intake / referral / plan_item / closure) and on."""
        if not names:
            return []
        marks = ", ".join("?" for _ in names)
        return self._all(
            f"SELECT case_id, 'intake' AS kind, received_on AS on_date FROM intake"
            f" WHERE referral_to IN ({marks})"
            f" UNION ALL SELECT case_id, 'referral', referred_on FROM referral"
            f" WHERE referred_to IN ({marks}) AND origin <> 'intake'"
            f" UNION ALL SELECT p.case_id, 'plan_item', COALESCE(p.approved_on, p.created_on)"
            f" FROM plan_item i JOIN plan p ON p.id = i.plan_id"
            f" WHERE i.provider IN ({marks}) AND i.removed = 0"
            f" UNION ALL SELECT c.case_id, 'closure', c.proposed_on"
            f" FROM closure c, json_each(c.referrals) j WHERE j.value IN ({marks})",
            [*names, *names, *names, *names])

    def names_in_records(self) -> dict[str, int]:
        """{name: uses} of every つなぎ先 / 支援を行う機関 written in the records."""
        out: dict[str, int] = {}
        for name, n in self.conn.execute(
                "SELECT name, count(*) FROM ("
                " SELECT referral_to AS name FROM intake WHERE referral_to <> ''"
                " UNION ALL SELECT referred_to FROM referral WHERE referred_to <> ''"
                "  AND origin <> 'intake'"
                " UNION ALL SELECT provider FROM plan_item WHERE provider <> '' AND removed = 0"
                " UNION ALL SELECT j.value FROM closure c, json_each(c.referrals) j"
                "  WHERE j.value <> ''"
                ") GROUP BY name"):
            out[name] = n
        return out

    def open_cases(self, case_ids: list[str], access: CaseAccess | None) -> list[dict[str, Any]]:
        """The open cases among ``case_ids`` that ``access`` sees (case_no, name, stage)."""
        if not case_ids:
            return []
        where, args = case_access_clause(access, "c")
        return self._all(
            "SELECT c.id AS case_id, c.case_no, p.name, c.stage FROM case_file c"
            " JOIN person p ON p.id = c.person_id"
            " WHERE c.id IN (SELECT value FROM json_each(?)) AND c.closed_on IS NULL"
            + (f" AND {where}" if where else "") + " ORDER BY c.case_no",
            [json.dumps(sorted(set(case_ids))), *args])

    def cases_seen(self, case_ids: list[str], access: CaseAccess | None) -> list[dict[str, Any]]:
        """The cases among ``case_ids`` that ``access`` sees, open or closed."""
        if not case_ids:
            return []
        where, args = case_access_clause(access, "c")
        return self._all(
            "SELECT c.id AS case_id, c.case_no, p.name, c.stage, c.closed_on FROM case_file c"
            " JOIN person p ON p.id = c.person_id"
            " WHERE c.id IN (SELECT value FROM json_each(?))"
            + (f" AND {where}" if where else "") + " ORDER BY c.case_no",
            [json.dumps(sorted(set(case_ids))), *args])

    # ------------------------------------------------------------------ 地域課題
    def issues(self, status: str = "") -> list[dict[str, Any]]:
        sql = ("SELECT i.*, (SELECT count(*) FROM regional_issue_case k WHERE k.issue_id = i.id)"
               " AS case_count FROM regional_issue i")
        args: list[Any] = []
        if status:
            sql += " WHERE i.status = ?"
            args.append(status)
        return self._all(sql + " ORDER BY i.raised_on DESC, i.id", args)

    def issue_case_ids(self, issue_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT case_id FROM regional_issue_case WHERE issue_id = ? ORDER BY linked_on",
            (issue_id,))]

    def issue_for_agenda_item(self, item_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM regional_issue WHERE agenda_item_id = ?", (item_id,))

    def meeting_items_not_in_register(self) -> list[dict[str, Any]]:
        """地域課題 items of meetings (the box on the meeting screen) not yet in the register."""
        return self._all(
            "SELECT a.id, a.meeting_id, a.summary, m.held_on FROM agenda_item a"
            " JOIN meeting m ON m.id = a.meeting_id WHERE a.kind = 'regional_issue'"
            " AND a.id NOT IN (SELECT agenda_item_id FROM regional_issue"
            "                  WHERE agenda_item_id IS NOT NULL)"
            " ORDER BY m.held_on, a.sort")

    def agenda_item(self, item_id: str) -> dict[str, Any] | None:
        return self._one("SELECT a.id, a.meeting_id, a.kind, a.summary, m.held_on"
                         " FROM agenda_item a JOIN meeting m ON m.id = a.meeting_id"
                         " WHERE a.id = ?", (item_id,))

    def case_exists(self, case_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM case_file WHERE id = ?",
                                 (case_id,)).fetchone() is not None

    def case_ids_of_numbers(self, numbers: list[str]) -> dict[str, str]:
        return {r[0]: r[1] for r in self.conn.execute(
            "SELECT case_no, id FROM case_file WHERE case_no IN (SELECT value FROM json_each(?))",
            (json.dumps(numbers),))}

    # ------------------------------------------------------------------ activities
    def activities(self, start: date | None = None, end: date | None = None
                   ) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM region_activity WHERE 1 = 1", []
        if start:
            sql += " AND held_on >= ?"
            args.append(start.isoformat())
        if end:
            sql += " AND held_on <= ?"
            args.append(end.isoformat())
        return self._all(sql + " ORDER BY held_on DESC, id", args)

    # ------------------------------------------------------------------ 人材育成
    def staff_rows(self, active_only: bool = True) -> list[dict[str, Any]]:
        return self._all("SELECT id, login, display_name, role, active FROM staff"
                         + (" WHERE active = 1" if active_only else "")
                         + " ORDER BY display_name, login")

    def staff_row(self, staff_id: str) -> dict[str, Any] | None:
        return self._one("SELECT id, login, display_name, role, active FROM staff WHERE id = ?",
                         (staff_id,))

    def trainings(self, staff_id: str | None = None) -> list[dict[str, Any]]:
        if staff_id:
            return self._all("SELECT * FROM staff_training WHERE staff_id = ?"
                             " ORDER BY completed_on, id", (staff_id,))
        return self._all("SELECT * FROM staff_training ORDER BY completed_on, id")

    def ojt_sessions(self) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM ojt_session ORDER BY held_on DESC, id")

    # ------------------------------------------------------------------ risk
    def complaints(self, access: CaseAccess | None, *, mine: str | None = None
                   ) -> list[dict[str, Any]]:
        """Complaints; ``access`` limits those about a case to cases seen, ``mine`` (a staff
        id) limits to the ones that user recorded."""
        return self._risk("complaint", "received_on", "recorded_by", access, mine)

    def incidents(self, access: CaseAccess | None, *, mine: str | None = None
                  ) -> list[dict[str, Any]]:
        return self._risk("incident", "occurred_on", "reported_by", access, mine)

    def _risk(self, table: str, on: str, by: str, access, mine) -> list[dict[str, Any]]:
        where, args = case_access_clause(access, "c")
        sql = (f"SELECT t.*, c.case_no FROM {table} t LEFT JOIN case_file c ON c.id = t.case_id"
               " WHERE 1 = 1")
        if where:
            sql += f" AND (t.case_id IS NULL OR {where})"
        if mine:
            sql += f" AND t.{by} = ?"
            args = [*args, mine]
        return self._all(sql + f" ORDER BY t.{on} DESC, t.id", args)

    def audit_rows(self, seqs: list[int]) -> list[dict[str, Any]]:
        return self._all(
            "SELECT a.seq, a.at, a.login, a.action, a.detail, c.case_no FROM audit a"
            " LEFT JOIN case_file c ON c.id = a.case_id"
            " WHERE a.seq IN (SELECT value FROM json_each(?)) ORDER BY a.seq",
            (json.dumps(seqs),))

    def audit_seq_exists(self, seq: int) -> bool:
        return self.conn.execute("SELECT 1 FROM audit WHERE seq = ?", (seq,)).fetchone() \
            is not None

    def monthly_risk_counts(self, start: date, end: date) -> dict[str, dict[str, int]]:
        """{'YYYY-MM': {'complaints': n, 'incidents': n, 'personal_data': n}}."""
        out: dict[str, dict[str, int]] = {}
        for table, on, key in (("complaint", "received_on", "complaints"),
                               ("incident", "occurred_on", "incidents")):
            for month, kind, n in self.conn.execute(
                    f"SELECT substr({on}, 1, 7), {'kind' if table == 'incident' else 'NULL'},"
                    f" count(*) FROM {table} WHERE {on} BETWEEN ? AND ? GROUP BY 1, 2",
                    (start.isoformat(), end.isoformat())):
                slot = out.setdefault(month, {"complaints": 0, "incidents": 0,
                                              "personal_data": 0})
                slot[key] += n
                if kind == "personal_data":
                    slot["personal_data"] += n
        return out

    def open_complaints(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM complaint WHERE completed_on IS NULL"
                                     ).fetchone()[0])

    def unreviewed_incidents(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM incident WHERE reviewed_on IS NULL"
                                     ).fetchone()[0])

    # ------------------------------------------------------------------ yearly plan
    def annual_plan(self, fy: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM annual_plan WHERE fiscal_year = ? ORDER BY id LIMIT 1",
                         (fy,))

    # ------------------------------------------------------------------ annual figures
    def year_rows(self, start: date, end: date) -> dict[str, list[dict[str, Any]]]:
        """The raw rows the annual report computes from (app/reports/annual.py)."""
        s, e = start.isoformat(), end.isoformat()
        # monitorings that may set or meet a due date of the year: those whose next date
        # falls in it, and those done from a year before it to a week after it
        m_from = (start - timedelta(days=400)).isoformat()
        m_to = (end + timedelta(days=8)).isoformat()
        in_effect = ("SELECT id FROM plan WHERE approved_on IS NOT NULL AND approved_on <= ?"
                     " AND (ended_on IS NULL OR ended_on >= ?)")
        first_intake = ("SELECT i.case_id, min(i.received_on) AS received_on FROM intake i"
                        " GROUP BY i.case_id")
        return {
            "intakes": self._all(
                "SELECT i.case_id, i.received_on, i.route, i.triage, i.main_topic,"
                " p.birth_date,"
                " (SELECT count(*) FROM plan x WHERE x.case_id = i.case_id"
                "   AND x.approved_on IS NOT NULL AND x.status IN ('approved', 'superseded',"
                "   'ended')) AS plans,"
                " (SELECT s.result FROM screening s WHERE s.case_id = i.case_id"
                "   ORDER BY s.screened_on DESC LIMIT 1) AS screening"
                " FROM intake i JOIN case_file c ON c.id = i.case_id"
                " JOIN person p ON p.id = c.person_id"
                " WHERE i.received_on BETWEEN ? AND ?", (s, e)),
            "to_assessment": self._all(
                f"SELECT f.case_id, f.received_on, min(a.assessed_on) AS done_on"
                f" FROM ({first_intake}) f JOIN assessment a ON a.case_id = f.case_id"
                f" GROUP BY f.case_id HAVING done_on BETWEEN ? AND ?", (s, e)),
            "to_plan": self._all(
                f"SELECT f.case_id, f.received_on, min(p.approved_on) AS done_on"
                f" FROM ({first_intake}) f JOIN plan p ON p.case_id = f.case_id"
                f" WHERE p.approved_on IS NOT NULL AND p.kind = 'first'"
                f" GROUP BY f.case_id HAVING done_on BETWEEN ? AND ?", (s, e)),
            "plans": self._all(
                "SELECT id, case_id, status, approved_on, ended_on, next_monitoring_on"
                f" FROM plan WHERE id IN ({in_effect})", (e, s)),
            "starts": self._all(
                "SELECT plan_id, min(started_on) AS started_on FROM service_start"
                f" WHERE plan_id IN ({in_effect}) GROUP BY plan_id", (e, s)),
            "monitorings": self._all(
                "SELECT plan_id, monitored_on, next_on FROM monitoring"
                " WHERE (next_on BETWEEN ? AND ?) OR (monitored_on BETWEEN ? AND ?)"
                " ORDER BY monitored_on", (s, e, m_from, m_to)),
            "meetings": self._all(
                "SELECT id, held_on, kind FROM meeting WHERE held = 1 AND held_on BETWEEN ? AND ?",
                (s, e)),
            "suspensions": self._all(
                "SELECT case_id, confirmed_on FROM suspension WHERE confirmed_on BETWEEN ? AND ?"
                " AND status IN ('confirmed', 'resumed')", (s, e)),
            "evaluations": self._all(
                "SELECT case_id, motivation, relationships, participation, hardship"
                " FROM evaluation WHERE status = 'confirmed' AND confirmed_on BETWEEN ? AND ?",
                (s, e)),
            "staff": self.staff_rows(),
            "trainings": self.trainings(),
            "resources": self._all("SELECT id, kind, active, created_on, issue_id"
                                   " FROM social_resource"),
            "issues": self.issues(),
            "activities": self.activities(start, end),
            "complaints": self._all("SELECT received_on, complainant, completed_on, committee"
                                    " FROM complaint WHERE received_on BETWEEN ? AND ?", (s, e)),
            "incidents": self._all("SELECT occurred_on, kind, severity, reviewed_on"
                                   " FROM incident WHERE occurred_on BETWEEN ? AND ?", (s, e)),
            "ojt": self._all("SELECT held_on, kind, case_numbers, participants FROM ojt_session"
                             " WHERE held_on BETWEEN ? AND ?", (s, e)),
        }
