"""Which rows belong to which case, the SQL: the schema's tables and columns, the link
columns of rows present, and the link values the journal names for rows not present.

Plain queries taking and returning plain values; which table is synced, which column links
a row to its case and how a row's cases are found are app/sync/scope.py.
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator

# Link columns whose journalled values have an index (schema 11: journal_*_ref).
INDEXED_LINKS = ("case_id", "plan_id", "person_id")


def _ids(values: Iterable[str]) -> str:
    """A list of ids as one bound parameter (``IN (SELECT value FROM json_each(?))``): no
    limit on the number of variables, one statement text for any count."""
    return json.dumps(sorted(values))


def columns(conn, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def table_columns(conn) -> dict[str, list[str]]:
    """{table: columns} of every table of the schema, by name."""
    return {name: columns(conn, name) for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()}


# ------------------------------------------------------------------ whole tables (CaseIndex)
def all_case_persons(conn) -> list[tuple[str, str]]:
    """(case id, person id) of every case."""
    return conn.execute("SELECT id, person_id FROM case_file").fetchall()


def all_link_values(conn, table: str, column: str) -> list[tuple]:
    """(row id, value of ``column``) of every row of ``table``."""
    return conn.execute(f"SELECT id, {column} FROM {table}").fetchall()


def all_journal_fields(conn) -> Iterator[tuple[str, str, str]]:
    """(table, row id, fields as JSON text) of every journal entry, oldest first."""
    yield from conn.execute("SELECT tbl, row_id, fields FROM journal ORDER BY hlc")


# ------------------------------------------------------------------ a few rows (CaseScope)
def journalled_value(conn, table: str, row_id: str, column: str):
    """The value of ``column`` in the oldest entry of the row that names it (None if none)."""
    for (fields,) in conn.execute(
            "SELECT fields FROM journal WHERE tbl = ? AND row_id = ? ORDER BY hlc, id",
            (table, row_id)):
        data = json.loads(fields)
        if column in data:
            return data[column]
    return None


def link_value(conn, table: str, column: str, row_id: str) -> tuple[bool, object]:
    """(row present, value of its ``column``)."""
    row = conn.execute(f"SELECT {column} FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return (False, None) if row is None else (True, row[0])


def cases_of_person(conn, person_id: str) -> set[str]:
    """Cases whose row, or one of whose journal entries, names the person."""
    found = {r[0] for r in conn.execute(
        "SELECT id FROM case_file WHERE person_id = ?", (person_id,))}
    for rid, tbl, fields in conn.execute(
            "SELECT row_id, tbl, fields FROM journal"
            " WHERE json_extract(fields, '$.person_id') = ?", (person_id,)):
        if tbl == "case_file" and json.loads(fields).get("person_id") == person_id:
            found.add(rid)
    return found


def persons_of_cases(conn, case_ids: Iterable[str]) -> list[tuple[str, object]]:
    """(case id, person id) of the cases' rows, then of every journal entry of theirs
    naming a person (the value as journalled: not always an id)."""
    keys = _ids(case_ids)
    out: list[tuple[str, object]] = conn.execute(
        "SELECT id, person_id FROM case_file WHERE id IN"
        " (SELECT value FROM json_each(?))", (keys,)).fetchall()
    for cid, fields in conn.execute(
            "SELECT row_id, fields FROM journal WHERE tbl = 'case_file' AND row_id IN"
            " (SELECT value FROM json_each(?))", (keys,)):
        data = json.loads(fields)
        if "person_id" in data:
            out.append((cid, data["person_id"]))
    return out


def rows_linked(conn, table: str, column: str, values: Iterable[str]) -> list[tuple[str, str]]:
    """(row id, value) of the rows of ``table`` whose ``column`` is one of ``values``."""
    return conn.execute(
        f"SELECT id, {column} FROM {table} WHERE {column} IN"
        f" (SELECT value FROM json_each(?))", (_ids(values),)).fetchall()


def journalled_rows_linked(conn, table: str, column: str, values: Iterable[str]) -> set[str]:
    """Row ids of ``table`` whose journal may name one of ``values`` in ``column``: through
    the journal_*_ref index for an indexed link column, else every journalled row."""
    if column in INDEXED_LINKS:
        return {rid for rid, tbl in conn.execute(
            f"SELECT row_id, tbl FROM journal WHERE json_extract(fields, '$.{column}')"
            f" IN (SELECT value FROM json_each(?))", (_ids(values),)) if tbl == table}
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT row_id FROM journal WHERE tbl = ?", (table,))}


def absent_ids(conn, table: str, ids: Iterable[str]) -> list[str]:
    """The ids that have no row in ``table``."""
    return [r[0] for r in conn.execute(
        f"SELECT value FROM json_each(?) WHERE NOT EXISTS"
        f" (SELECT 1 FROM {table} WHERE id = value)", (_ids(ids),))]
