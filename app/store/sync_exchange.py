"""Transfer bundles, the SQL: journal entries read for a bundle and written from one, the
check-outs a bundle for a laptop follows, and the deletes of a case a laptop lets go.

Plain queries; which entries a bundle carries, how a bundle is applied and when a laptop
purges a case are app/sync/exchange.py.
"""

from __future__ import annotations

import json
from typing import Iterable

from app.store.changes import note_everything

# A journal entry as ENTRY_SQL reads it and as a bundle carries it (app/sync/bundle.py).
ENTRY_COLUMNS = ("id", "tbl", "row_id", "op", "fields", "base_rev", "rev", "hlc", "user_id",
                 "device_id", "ctx")
ENTRY_SQL = ("SELECT j.id, j.tbl, j.row_id, j.op, j.fields, j.base_rev, j.rev, j.hlc,"
             " j.user_id, j.device_id, COALESCE(c.ctx, '{}') FROM journal j"
             " LEFT JOIN sync_context c ON c.entry_id = j.id")


def _rows(conn, sql: str, args: Iterable = ()) -> list[tuple]:
    return conn.execute(sql, list(args)).fetchall()


# ------------------------------------------------------------------ reading entries
def newest_hlc_of(conn, device_id: str) -> str | None:
    """The newest hlc of the entries written by ``device_id``."""
    return conn.execute("SELECT max(hlc) FROM journal WHERE device_id = ?",
                        (device_id,)).fetchone()[0]


def entries_of_rows(conn, rows) -> list[tuple]:
    """Every entry of the given (table, row id)s, through the journal's (tbl, row_id) index."""
    by_table: dict[str, list[str]] = {}
    for tbl, rid in rows:
        by_table.setdefault(tbl, []).append(rid)
    out: list[tuple] = []
    for tbl, ids in sorted(by_table.items()):
        out += _rows(conn, ENTRY_SQL + " WHERE j.tbl = ? AND j.row_id IN"
                     " (SELECT value FROM json_each(?))", (tbl, json.dumps(sorted(ids))))
    return out


def entries_of_tables(conn, tables) -> list[tuple]:
    out: list[tuple] = []
    for tbl in sorted(tables):
        out += _rows(conn, ENTRY_SQL + " WHERE j.tbl = ?", (tbl,))
    return out


def journal_devices(conn) -> list[str]:
    """Every origin device of the journal (a skip scan of the journal_device index)."""
    return [r[0] for r in conn.execute(
        "WITH RECURSIVE d (device) AS (SELECT (SELECT min(device_id) FROM journal)"
        " UNION ALL SELECT (SELECT min(device_id) FROM journal WHERE device_id > d.device)"
        " FROM d WHERE d.device IS NOT NULL) SELECT device FROM d WHERE device IS NOT NULL")]


def entries_since(conn, known: dict[str, str]) -> list[tuple]:
    """Entries newer than ``known`` holds from their origin (journal_device index)."""
    out: list[tuple] = []
    for device in journal_devices(conn):
        out += _rows(conn, ENTRY_SQL + " WHERE j.device_id = ? AND j.hlc > ?",
                     (device, known.get(device, "")))
    return out


def open_checkout_inserts(conn, device_id: str) -> list[tuple[str, str, str]]:
    """(case id, hlc, origin device) of the insert entry of each open check-out to
    ``device_id``."""
    return _rows(conn, "SELECT c.case_id, j.hlc, j.device_id FROM checkout c JOIN journal j ON"
                 " j.tbl = 'checkout' AND j.row_id = c.id AND j.op = 'insert'"
                 " WHERE c.target_device = ? AND c.returned_on IS NULL", (device_id,))


def checkout_ids(conn, device_id: str) -> list[str]:
    """Every check-out to ``device_id``, open or returned."""
    return [r[0] for r in _rows(conn, "SELECT id FROM checkout WHERE target_device = ?",
                                (device_id,))]


# ------------------------------------------------------------------ writing entries
def has_entry(conn, entry_id: str) -> bool:
    return conn.execute("SELECT 1 FROM journal WHERE id = ?", (entry_id,)).fetchone() is not None


def insert_entry(conn, e: dict) -> None:
    """Keep an entry received in a bundle, with its causal context (caller holds the
    transaction)."""
    note_everything(conn)   # an import: every view reads again (app/store/changes.py)
    conn.execute("INSERT OR REPLACE INTO sync_context (entry_id, ctx) VALUES (?, ?)",
                 (e["id"], e["ctx"]))
    conn.execute(
        "INSERT INTO journal (id, tbl, row_id, op, fields, base_rev, rev, hlc, user_id,"
        " device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [e[c] for c in ENTRY_COLUMNS[:-1]])


# ------------------------------------------------------------------ a laptop lets cases go
def returned_cases(conn, device_id: str) -> set[str]:
    """Cases checked out to ``device_id`` whose every check-out is returned."""
    return {r[0] for r in conn.execute(
        "SELECT case_id FROM checkout WHERE target_device = ? GROUP BY case_id"
        " HAVING sum(returned_on IS NULL) = 0", (device_id,))}


def newest_hlc_of_row(conn, tbl: str, row_id: str, device_id: str) -> str | None:
    """The newest hlc of the row's entries written by ``device_id``."""
    return conn.execute("SELECT max(hlc) FROM journal WHERE tbl = ? AND row_id = ?"
                        " AND device_id = ?", (tbl, row_id, device_id)).fetchone()[0]


def defer_foreign_keys(conn) -> None:
    conn.execute("PRAGMA defer_foreign_keys = ON")


def delete_row(conn, tbl: str, row_id: str) -> None:
    """The row, its journal, their contexts and its conflicts."""
    note_everything(conn)
    conn.execute(f"DELETE FROM {tbl} WHERE id = ?", (row_id,))
    forget_row(conn, tbl, row_id)


def forget_row(conn, tbl: str, row_id: str) -> None:
    """The row's journal, their contexts and its conflicts (the row itself stays)."""
    conn.execute("DELETE FROM sync_context WHERE entry_id IN (SELECT id FROM journal"
                 " WHERE tbl = ? AND row_id = ?)", (tbl, row_id))
    conn.execute("DELETE FROM journal WHERE tbl = ? AND row_id = ?", (tbl, row_id))
    conn.execute("DELETE FROM sync_conflict WHERE tbl = ? AND row_id = ?", (tbl, row_id))


def delete_case_conflicts(conn, case_id: str) -> None:
    conn.execute("DELETE FROM sync_conflict WHERE case_id = ?", (case_id,))


def rebuild_person_index(conn) -> None:
    conn.execute("INSERT INTO person_fts (person_fts) VALUES ('rebuild')")


# ------------------------------------------------------------------ tests, diagnostics
def dump_tables(conn, tables: dict[str, list[str]]) -> dict:
    """The rows of ``tables`` ({table: columns}), the journal (with contexts) and the
    field/delete conflicts, each ordered by id."""
    out = {}
    for tbl, cols in tables.items():
        out[tbl] = [tuple(r) for r in conn.execute(
            f"SELECT {', '.join(cols)} FROM {tbl} ORDER BY id")]
    out["journal"] = [tuple(r) for r in conn.execute(
        ENTRY_SQL + " ORDER BY j.id")]
    out["sync_conflict"] = [tuple(r) for r in conn.execute(
        "SELECT * FROM sync_conflict WHERE kind != 'rule' ORDER BY id")]
    return out
