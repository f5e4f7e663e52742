"""Which rows belong to which case: what a field laptop may hold, what a case bundle carries.

Tables are classified from the schema, so tables added by later migrations are covered
without a change here: a synced table (columns rev, hlc, updated_by, device_id) is
*case-scoped* when it is ``case_file``, ``person`` (through its cases), has a ``case_id``
column, or has a ``plan_id`` column (through the plan's case); every other synced table
is *master data*, which every device holds. ``CASE_LINKS`` lets other modules name the
parent of a table whose link column is different.

The queries are app/store/sync_scope.py; this module holds the rules.
"""

from __future__ import annotations

import json
from collections import defaultdict

from app.store import sync_scope as q

SYNC_COLUMNS = {"rev", "hlc", "updated_by", "device_id"}

# table -> (column, parent table): a row belongs to the cases of its parent row.
CASE_LINKS: dict[str, tuple[str, str]] = {}


def register_case_link(table: str, column: str, parent: str) -> None:
    """Declare that ``table`` rows belong to the case(s) of ``parent`` through ``column``."""
    CASE_LINKS[table] = (column, parent)


def synced_tables(conn) -> dict[str, list[str]]:
    """{table: columns} of every synced table."""
    return {name: cols for name, cols in q.table_columns(conn).items()
            if SYNC_COLUMNS <= set(cols) and "id" in cols}


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


class _CaseLinks:
    """What CaseIndex and CaseScope share: the synced tables, each table's link towards its
    case, and the walk from a row up that chain to its case(s). The two differ only in
    where a row's link value and a person's cases come from (``_value``,
    ``_person_cases``)."""

    def __init__(self, conn):
        self.conn = conn
        self.tables = synced_tables(conn)
        self.links = {t: table_link(t, c) for t, c in self.tables.items()}

    def is_master(self, table: str) -> bool:
        return table in self.tables and self.links.get(table) is None

    def _value(self, table: str, row_id: str):
        raise NotImplementedError

    def _person_cases(self, person_id: str) -> set[str]:
        raise NotImplementedError

    def cases_of(self, table: str, row_id: str, _depth: int = 0) -> set[str]:
        link = self.links.get(table)
        if link is None or _depth > 5:
            return set()
        if table == "case_file":
            return {row_id}
        if table == "person":
            return set(self._person_cases(row_id))
        value = self._value(table, row_id)
        if value is None:
            return set()
        parent = link[1]
        if parent == "case_file":
            return {value}
        return self.cases_of(parent, value, _depth + 1)


class CaseIndex(_CaseLinks):
    """Case ids of every case-scoped row (rows present, and rows known only from the
    journal: not yet complete, or deleted)."""

    def __init__(self, conn):
        super().__init__(conn)
        self.person_cases: dict[str, set[str]] = defaultdict(set)
        for cid, pid in q.all_case_persons(conn):
            self.person_cases[pid].add(cid)
        self._values: dict[tuple[str, str], str | None] = {}
        for t, link in self.links.items():
            if link is None or t in ("case_file", "person"):
                continue
            col = link[0]
            for rid, val in q.all_link_values(conn, t, col):
                self._values[(t, rid)] = val
        # Links of rows not present (pending or deleted): the newest journalled value.
        for tbl, rid, fields in q.all_journal_fields(conn):
            link = self.links.get(tbl)
            if link is None or (tbl, rid) in self._values and tbl not in ("case_file", "person"):
                continue
            data = json.loads(fields)
            if tbl == "case_file" and "person_id" in data:
                self.person_cases[data["person_id"]].add(rid)
            elif tbl not in ("case_file", "person") and link[0] in data:
                self._values.setdefault((tbl, rid), data[link[0]])

    def _value(self, table: str, row_id: str):
        return self._values.get((table, row_id))

    def _person_cases(self, person_id: str) -> set[str]:
        return self.person_cases.get(person_id, set())


class CaseScope(_CaseLinks):
    """The same answers as ``CaseIndex``, read from SQL for the rows concerned only: the
    cases of a few rows (an imported bundle) and the rows of a few cases (a case bundle, a
    field laptop's cases), through the link columns' indexes and the journal's
    (tbl, row_id) and journal_*_ref indexes — never the whole journal.

    A row present in its table belongs to the case(s) its link column names now; a row
    known only from the journal (deleted, or waiting for its insert) to those its oldest
    entry naming the link column names; a person to every case whose row or journal
    names them."""

    def __init__(self, conn):
        super().__init__(conn)
        self._values: dict[tuple[str, str], object] = {}
        self._persons: dict[str, set[str]] = {}

    def master_tables(self) -> list[str]:
        return [t for t in self.tables if self.links.get(t) is None]

    def case_tables(self) -> list[str]:
        return [t for t in self.tables if self.links.get(t) is not None]

    # ---------------------------------------------------------------- row -> cases
    def _value(self, table: str, row_id: str):
        key = (table, row_id)
        if key not in self._values:
            link = self.links[table]
            assert link is not None, f"{table} is master data: it links to no case"
            column = link[0]
            present, value = q.link_value(self.conn, table, column, row_id)
            self._values[key] = value if present else q.journalled_value(
                self.conn, table, row_id, column)
        return self._values[key]

    def _person_cases(self, person_id: str) -> set[str]:
        if person_id not in self._persons:
            self._persons[person_id] = q.cases_of_person(self.conn, person_id)
        return self._persons[person_id]

    # ---------------------------------------------------------------- cases -> rows
    def rows_of(self, cases) -> dict[tuple[str, str], frozenset[str]]:
        """{(table, row id): the given cases it belongs to} for every case-scoped row
        (present, or known from the journal) that belongs to at least one of ``cases``."""
        wanted = {c for c in cases if isinstance(c, str)}
        members: dict[str, dict[str, frozenset[str]]] = {}
        for table in self.tables:
            self._members(table, wanted, members, set())
        return {(t, rid): cs for t, rows in members.items() for rid, cs in rows.items()}

    def _members(self, table: str, wanted: set[str], memo: dict, visiting: set[str]
                 ) -> dict[str, frozenset[str]]:
        """{row id: cases of ``wanted`` it belongs to} for ``table``."""
        if table in memo:
            return memo[table]
        link = self.links.get(table)
        if link is None or table in visiting:
            return {}
        visiting = visiting | {table}
        out: dict[str, frozenset[str]] = {}
        if table == "case_file":
            out = {c: frozenset((c,)) for c in wanted}
        elif table == "person":
            persons: dict[str, set[str]] = {}
            for cid, pid in q.persons_of_cases(self.conn, wanted):
                if isinstance(pid, str):   # a journalled value that is not an id names no one
                    persons.setdefault(pid, set()).add(cid)
            out = {p: frozenset(cs) for p, cs in persons.items()}
        else:
            column, parent = link
            parents = self._members(parent, wanted, memo, visiting)
            if parents:
                out = self._linked(table, column, parents)
        memo[table] = out
        return out

    def _linked(self, table: str, column: str, parents: dict[str, frozenset[str]]
                ) -> dict[str, frozenset[str]]:
        out = {rid: parents[value]
               for rid, value in q.rows_linked(self.conn, table, column, parents)}
        # Rows not in the table: the journal names their link (deleted or pending rows).
        candidates = q.journalled_rows_linked(self.conn, table, column, parents) - set(out)
        if candidates:
            for rid in q.absent_ids(self.conn, table, candidates):
                value = q.journalled_value(self.conn, table, rid, column)
                if isinstance(value, str) and value in parents:
                    out[rid] = parents[value]
        return out
