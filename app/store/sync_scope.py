"""Which rows belong to which case: what a field laptop may hold, what a case bundle carries.

Tables are classified from the schema, so tables added by later migrations are covered
without a change here: a synced table (columns rev, hlc, updated_by, device_id) is
*case-scoped* when it is ``case_file``, ``person`` (through its cases), has a ``case_id``
column, or has a ``plan_id`` column (through the plan's case); every other synced table
is *master data*, which every device holds. ``CASE_LINKS`` lets other modules name the
parent of a table whose link column is different.
"""

from __future__ import annotations

import json
from collections import defaultdict

SYNC_COLUMNS = {"rev", "hlc", "updated_by", "device_id"}

# table -> (column, parent table): a row belongs to the cases of its parent row.
CASE_LINKS: dict[str, tuple[str, str]] = {}


def register_case_link(table: str, column: str, parent: str) -> None:
    """Declare that ``table`` rows belong to the case(s) of ``parent`` through ``column``."""
    CASE_LINKS[table] = (column, parent)


def columns(conn, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def synced_tables(conn) -> dict[str, list[str]]:
    """{table: columns} of every synced table."""
    found = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                " ORDER BY name"):
        cols = columns(conn, name)
        if SYNC_COLUMNS <= set(cols) and "id" in cols:
            found[name] = cols
    return found


def table_link(table: str, cols: list[str]) -> tuple[str, str] | None:
    """(column, parent) linking a row to a case, or None for master data."""
    if table in CASE_LINKS:
        return CASE_LINKS[table]
    if table == "case_file":
        return ("id", "case_file")
    if table == "person":
        return ("id", "person")
    if "case_id" in cols:
        return ("case_id", "case_file")
    if "plan_id" in cols:
        return ("plan_id", "plan")
    return None


class CaseIndex:
    """Case ids of every case-scoped row (rows present, and rows known only from the
    journal: not yet complete, or deleted)."""

    def __init__(self, conn):
        self.conn = conn
        self.tables = synced_tables(conn)
        self.links = {t: table_link(t, c) for t, c in self.tables.items()}
        self.person_cases: dict[str, set[str]] = defaultdict(set)
        for cid, pid in conn.execute("SELECT id, person_id FROM case_file"):
            self.person_cases[pid].add(cid)
        self._values: dict[tuple[str, str], str | None] = {}
        for t, link in self.links.items():
            if link is None or t in ("case_file", "person"):
                continue
            col = link[0]
            for rid, val in conn.execute(f"SELECT id, {col} FROM {t}"):
                self._values[(t, rid)] = val
        # Links of rows not present (pending or deleted): the newest journalled value.
        for tbl, rid, fields in conn.execute(
                "SELECT tbl, row_id, fields FROM journal ORDER BY hlc"):
            link = self.links.get(tbl)
            if link is None or (tbl, rid) in self._values and tbl not in ("case_file", "person"):
                continue
            data = json.loads(fields)
            if tbl == "case_file" and "person_id" in data:
                self.person_cases[data["person_id"]].add(rid)
            elif tbl not in ("case_file", "person") and link[0] in data:
                self._values.setdefault((tbl, rid), data[link[0]])

    def is_master(self, table: str) -> bool:
        return table in self.tables and self.links.get(table) is None

    def cases_of(self, table: str, row_id: str, _depth: int = 0) -> set[str]:
        link = self.links.get(table)
        if link is None or _depth > 5:
            return set()
        if table == "case_file":
            return {row_id}
        if table == "person":
            return set(self.person_cases.get(row_id, ()))
        value = self._values.get((table, row_id))
        if value is None:
            return set()
        parent = link[1]
        if parent == "case_file":
            return {value}
        return self.cases_of(parent, value, _depth + 1)
