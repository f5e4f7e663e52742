"""Row writes with their journal entries, in the caller's transaction.

Every synced row carries id, rev, hlc, updated_by and device_id. ``Writer.insert`` and
``Writer.update`` set them and append one journal entry (table, row, changed fields, base
revision) so that history, transfer bundles and conflict detection all read one source.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from app.store.changes import link_column, touched
from app.store.db import Connection
from app.store.hlc import HybridClock

# Tables the Writer may touch, and their columns (identifiers are never taken from input).
SYNC_COLUMNS = ("rev", "hlc", "updated_by", "device_id")


def _json_value(value: Any) -> Any:
    return value


class Writer:
    """Writes rows and journal entries on one connection, inside an open transaction."""

    def __init__(self, conn: Connection, clock: HybridClock, user_id: str, device_id: str,
                 columns: dict[str, set[str]] | None = None):
        """``columns``: a cache of table columns shared by the writers of one connection
        (the Store's), so that each transaction does not read PRAGMA table_info again."""
        self.conn = conn
        self.clock = clock
        self.user_id = user_id
        self.device_id = device_id
        self._columns: dict[str, set[str]] = {} if columns is None else columns
        self._links: dict[str, str | None] = {}

    def _table_columns(self, table: str) -> set[str]:
        if table not in self._columns:
            rows = self.conn.execute(f"PRAGMA table_info({table})").fetchall()
            if not rows:
                raise ValueError(f"unknown table {table}")
            self._columns[table] = {r[1] for r in rows}
        return self._columns[table]

    def _link(self, table: str) -> str | None:
        """The column that tells the case of a ``table`` row (app/store/changes.py)."""
        if table not in self._links:
            self._links[table] = link_column(table, self._table_columns(table))
        return self._links[table]

    def _note(self, table: str, row_id: str, link: str | None, value: Any) -> None:
        """Note the row in the open transaction's changes (Store.transaction)."""
        t = touched(self.conn)
        if t is not None:
            t.row(table, row_id, link, value)

    def _check(self, table: str, fields: dict[str, Any]) -> None:
        known = self._table_columns(table)
        unknown = set(fields) - known
        if unknown:
            raise ValueError(f"unknown columns for {table}: {sorted(unknown)}")

    def _journal(self, table: str, row_id: str, op: str, fields: dict[str, Any],
                 base_rev: int, rev: int, hlc: str) -> None:
        self.conn.execute(
            "INSERT INTO journal (id, tbl, row_id, op, fields, base_rev, rev, hlc, user_id, device_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(uuid.uuid4()), table, row_id, op,
             json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str),
             base_rev, rev, hlc, self.user_id, self.device_id))

    def insert(self, table: str, fields: dict[str, Any], *, row_id: str | None = None,
               id_column: str = "id") -> str:
        row_id = row_id or str(uuid.uuid4())
        hlc = self.clock.now()
        values = dict(fields)
        values[id_column] = row_id
        values.update(rev=1, hlc=hlc, updated_by=self.user_id, device_id=self.device_id)
        self._check(table, values)
        cols = list(values)
        self.conn.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [values[c] for c in cols])
        self._journal(table, row_id, "insert", fields, 0, 1, hlc)
        link = self._link(table)
        # a new person belongs to no case yet: the case written with them names itself
        self._note(table, row_id, link, None if table == "person" else values.get(link or ""))
        return row_id

    def update(self, table: str, row_id: str, changes: dict[str, Any], *,
               id_column: str = "id", force: bool = False) -> int:
        """Apply ``changes`` to one row; only fields whose value changes are journalled
        (``force``: all of them, e.g. a conflict resolved in favour of the current value)."""
        self._check(table, changes)
        cols = list(changes)
        # the row's link to its case comes with the read the update makes anyway
        link = self._link(table)
        read = [*cols, link] if link and link not in cols else cols
        row = self.conn.execute(
            f"SELECT rev{''.join(', ' + c for c in read)} FROM {table} WHERE {id_column} = ?",
            (row_id,)).fetchone()
        if row is None:
            raise KeyError(f"{table} {row_id} not found")
        base_rev = row[0]
        changed = {c: changes[c] for i, c in enumerate(cols)
                   if force or row[i + 1] != changes[c]}
        if not changed:
            return base_rev
        hlc = self.clock.now()
        rev = base_rev + 1
        assignments = ", ".join(f"{c} = ?" for c in changed)
        self.conn.execute(
            f"UPDATE {table} SET {assignments}, rev = ?, hlc = ?, updated_by = ?, device_id = ?"
            f" WHERE {id_column} = ?",
            [*changed.values(), rev, hlc, self.user_id, self.device_id, row_id])
        self._journal(table, row_id, "update", changed, base_rev, rev, hlc)
        self._note(table, row_id, link, row[1 + read.index(link)] if link else None)
        if link and link in changed and link != "id":   # moved to another case: both
            self._note(table, row_id, link, changed[link])
        return rev

    def delete(self, table: str, row_id: str, *, id_column: str = "id") -> None:
        """Delete one row; the journal entry keeps its last values (nothing lost)."""
        cur = self.conn.execute(f"SELECT * FROM {table} WHERE {id_column} = ?", (row_id,))
        row = cur.fetchone()
        if row is None:
            raise KeyError(f"{table} {row_id} not found")
        old = {d[0]: v for d, v in zip(cur.description, row)
               if d[0] not in (id_column, *SYNC_COLUMNS)}
        base_rev = int(row[[d[0] for d in cur.description].index("rev")])
        hlc = self.clock.now()
        self.conn.execute(f"DELETE FROM {table} WHERE {id_column} = ?", (row_id,))
        self._journal(table, row_id, "delete", old, base_rev, base_rev + 1, hlc)
        link = self._link(table)
        self._note(table, row_id, link, row_id if link == "id" else old.get(link or ""))
