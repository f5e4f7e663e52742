"""Queries behind the authorization table (app/security/authorization.py): which case a row
belongs to, so that a check can be made before an operation reads or writes anything."""

from __future__ import annotations

from typing import Any

# table -> SQL giving the case of one row (by id)
_CASE_OF: dict[str, str] = {
    "case_file": "SELECT id FROM case_file WHERE id = ?",
    "plan": "SELECT case_id FROM plan WHERE id = ?",
    "plan_item": "SELECT p.case_id FROM plan_item i JOIN plan p ON p.id = i.plan_id"
                 " WHERE i.id = ?",
    "support_record": "SELECT case_id FROM support_record WHERE id = ?",
    "referral": "SELECT case_id FROM referral WHERE id = ?",
    "emergency_support": "SELECT case_id FROM emergency_support WHERE id = ?",
    "agenda_item": "SELECT case_id FROM agenda_item WHERE id = ?",
    "consent": "SELECT case_id FROM consent WHERE id = ?",
    "intake": "SELECT case_id FROM intake WHERE id = ?",
    "sync_conflict": "SELECT case_id FROM sync_conflict WHERE id = ?",
}


class AuthzRepo:
    def __init__(self, conn: Any):
        self.conn = conn

    def tables(self) -> frozenset[str]:
        return frozenset(_CASE_OF)

    def row_exists(self, table: str, row_id: str) -> bool:
        if table not in _CASE_OF:
            raise ValueError(table)
        return self.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?",
                                 (row_id,)).fetchone() is not None

    def case_of(self, table: str, row_id: str) -> str | None:
        """The case the row belongs to (None: no such row, or a row of no case)."""
        if table not in _CASE_OF:
            raise ValueError(table)
        if not isinstance(row_id, str):
            return None
        if table == "consent" and row_id.startswith("intake:"):
            table, row_id = "intake", row_id[7:]   # the consent given at intake
        r = self.conn.execute(_CASE_OF[table], (row_id,)).fetchone()
        return r[0] if r else None

    def case_by_ref(self, ref: str) -> str | None:
        """A case by id or by its number (人が入力する 2026-0001)."""
        if not isinstance(ref, str):
            return None
        r = self.conn.execute("SELECT id FROM case_file WHERE id = ? OR case_no = ?",
                              (ref, ref.strip())).fetchone()
        return r[0] if r else None

    def person_cases(self, person_id: str) -> list[str]:
        if not isinstance(person_id, str):
            return []
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM case_file WHERE person_id = ? ORDER BY opened_on, id", (person_id,))]

    def person_identity_cases(self, name_fold: str, birth_date: str) -> list[dict[str, Any]]:
        """Duplicate check at intake: persons with this folded name and birth date, each
        case with its number and 担当 — nothing of where the person lives or how to reach
        them."""
        rows = self.conn.execute(
            "SELECT p.id, p.name, p.birth_date, c.id, c.case_no, s.display_name"
            " FROM person p LEFT JOIN case_file c ON c.person_id = p.id"
            " LEFT JOIN staff s ON s.id = c.assignee_id"
            " WHERE p.name_fold = ? AND p.birth_date = ? ORDER BY p.id, c.opened_on, c.case_no",
            (name_fold, birth_date)).fetchall()
        return [dict(zip(("person_id", "name", "birth_date", "case_id", "case_no", "assignee"),
                         r)) for r in rows]
