"""Merge and conflicts, the SQL: the entries of a row, the row as stored, writing the
merged row, unique keys, and the rows of ``sync_conflict``.

Plain queries taking and returning plain values; how entries fold into a row, what is a
conflict and when it is settled are app/sync/merge.py.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Iterator

from sqlcipher3 import IntegrityError

from app.store.changes import note_everything


def natural_id(kind: str, key: str) -> str:
    """The row id of a record identified by a natural key (a setting's key, a user's login,
    a master entry's folded name): the same on every device, so the same key added on two
    devices is one row whose fields merge, instead of two rows that clash or duplicate."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tsunagu:{kind}:{key}"))


# ------------------------------------------------------------------ entries and rows
def entry_rows(conn, tbl: str, row_id: str) -> list[tuple]:
    """(id, tbl, row_id, op, fields, base_rev, rev, hlc, user_id, device_id, ctx) of every
    entry of the row, in no particular order (ctx None when the entry has none)."""
    return conn.execute(
        "SELECT j.id, j.tbl, j.row_id, j.op, j.fields, j.base_rev, j.rev, j.hlc, j.user_id,"
        " j.device_id, c.ctx FROM journal j LEFT JOIN sync_context c ON c.entry_id = j.id"
        " WHERE j.tbl = ? AND j.row_id = ?", (tbl, row_id)).fetchall()


def journalled_fields(conn, tbl: str, row_id: str) -> Iterator[dict[str, Any]]:
    """The fields of the row's entries, newest first."""
    for (fields,) in conn.execute("SELECT fields FROM journal WHERE tbl = ? AND row_id = ?"
                                  " ORDER BY hlc DESC, id DESC", (tbl, row_id)):
        yield json.loads(fields)


def newest_entry(conn, tbl: str, row_id: str) -> tuple | None:
    """(entry id, user, device, hlc) of the row's newest entry."""
    return conn.execute(
        "SELECT id, user_id, device_id, hlc FROM journal WHERE tbl = ? AND row_id = ?"
        " ORDER BY hlc DESC LIMIT 1", (tbl, row_id)).fetchone()


def row_values(conn, tbl: str, row_id: str) -> dict[str, Any] | None:
    """The row as stored ({column: value}), None when it is not in its table."""
    cur = conn.execute(f"SELECT * FROM {tbl} WHERE id = ?", (row_id,))
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    return None if row is None else dict(zip(names, row))


def field_value(conn, tbl: str, column: str, row_id: str) -> tuple[bool, Any]:
    """(row present, value of its ``column``)."""
    row = conn.execute(f"SELECT {column} FROM {tbl} WHERE id = ?", (row_id,)).fetchone()
    return (False, None) if row is None else (True, row[0])


def has_table(conn, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None


def _write(conn, tbl: str, row_id: str, values: dict[str, Any],
           old: dict[str, Any] | None) -> None:
    note_everything(conn)   # a merge: every view reads again (app/store/changes.py)
    if old is None:
        values = dict(values, id=row_id)
        keys = list(values)
        conn.execute(
            f"INSERT INTO {tbl} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
            [values[k] for k in keys])
        return
    changed = {k: v for k, v in values.items() if old.get(k) != v}
    if changed:
        conn.execute(
            f"UPDATE {tbl} SET {', '.join(f'{k} = ?' for k in changed)} WHERE id = ?",
            [*changed.values(), row_id])


def write_row(conn, tbl: str, row_id: str, values: dict[str, Any],
              old: dict[str, Any] | None) -> bool:
    """Insert the row (``old`` None) or update the columns that differ from ``old``.
    False, and nothing written, when another row holds a unique key the values need."""
    try:
        _write(conn, tbl, row_id, values, old)
    except IntegrityError as exc:
        if "UNIQUE" not in str(exc).upper():
            raise
        return False
    return True


def take_key_from(conn, tbl: str, holder: str, row_id: str, values: dict[str, Any]) -> bool:
    """Remove ``holder`` and insert the row in its place, or — when the holder has
    dependent rows — change nothing. True if the row took the holder's place."""
    conn.execute("SAVEPOINT unique_clash")
    try:
        conn.execute(f"DELETE FROM {tbl} WHERE id = ?", (holder,))
        _write(conn, tbl, row_id, values, None)
    except IntegrityError:
        conn.execute("ROLLBACK TO unique_clash")
        done = False
    else:
        done = True
    conn.execute("RELEASE unique_clash")
    return done


def remove_row(conn, tbl: str, row_id: str) -> None:
    note_everything(conn)
    conn.execute(f"DELETE FROM {tbl} WHERE id = ?", (row_id,))


def unique_holder(conn, tbl: str, row_id: str, values: dict[str, Any]) -> str | None:
    """Another row holding a unique key (other than the id) the merged row needs."""
    for index in conn.execute(f"PRAGMA index_list({tbl})").fetchall():
        name, unique, partial = index[1], index[2], index[4]
        if not unique or partial:
            continue
        cols = [r[2] for r in conn.execute(f"PRAGMA index_info({name})")]
        if not cols or "id" in cols or any(c not in values for c in cols):
            continue
        found = conn.execute(
            f"SELECT id FROM {tbl} WHERE {' AND '.join(f'{c} IS ?' for c in cols)}"
            " AND id != ? LIMIT 1", [*(values[c] for c in cols), row_id]).fetchone()
        if found:
            return found[0]
    return None


# ------------------------------------------------------------------ sync_conflict
def conflict_exists(conn, conflict_id: str) -> bool:
    return conn.execute("SELECT 1 FROM sync_conflict WHERE id = ?",
                        (conflict_id,)).fetchone() is not None


def conflict_winner(conn, conflict_id: str) -> str | None:
    """The winning entry of a recorded conflict (None when not recorded)."""
    row = conn.execute("SELECT winner_entry FROM sync_conflict WHERE id = ?",
                       (conflict_id,)).fetchone()
    return None if row is None else row[0]


def insert_rule_conflict(conn, conflict_id: str, tbl: str, row_id: str, rule: str,
                         case_id: str | None, flagged: tuple, kept: tuple, detail: str) -> None:
    """A ``rule`` conflict; ``flagged`` and ``kept`` are (entry id, user, device, hlc) of
    the newest entry of the row flagged and of the row kept."""
    conn.execute(
        "INSERT INTO sync_conflict (id, kind, tbl, row_id, field, case_id, loser_entry,"
        " loser_value, loser_user, loser_device, loser_hlc, winner_entry, winner_value,"
        " winner_user, winner_device, winner_hlc, detail) VALUES (?, 'rule', ?, ?, ?, ?,"
        " ?, NULL, ?, ?, ?, ?, NULL, ?, ?, ?, ?)",
        (conflict_id, tbl, row_id, rule, case_id, *flagged, *kept, detail))


def save_conflict(conn, conflict_id: str, kind: str, tbl: str, row_id: str, fld: str,
                  case_id: str | None, loser: tuple, loser_value: str | None, winner: tuple,
                  winner_value: str | None) -> None:
    """A field or deletion conflict, or its new winner; ``loser`` and ``winner`` are
    (entry id, user, device, hlc)."""
    conn.execute(
        "INSERT INTO sync_conflict (id, kind, tbl, row_id, field, case_id, loser_entry,"
        " loser_value, loser_user, loser_device, loser_hlc, winner_entry, winner_value,"
        " winner_user, winner_device, winner_hlc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (id) DO UPDATE SET winner_entry = excluded.winner_entry,"
        " winner_value = excluded.winner_value, winner_user = excluded.winner_user,"
        " winner_device = excluded.winner_device, winner_hlc = excluded.winner_hlc",
        (conflict_id, kind, tbl, row_id, fld, case_id, loser[0], loser_value, *loser[1:],
         winner[0], winner_value, *winner[1:]))


def conflict_rows(conn, case_id: str | None = None) -> list[dict[str, Any]]:
    """Every row of sync_conflict (of one case), as {column: value}, by the winner's hlc."""
    sql = "SELECT * FROM sync_conflict"
    args = []
    if case_id:
        sql += " WHERE case_id = ?"
        args.append(case_id)
    cur = conn.execute(sql + " ORDER BY winner_hlc, id", args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


# ------------------------------------------------------------------ process rules' facts
def approved_plans(conn, case_id: str) -> list[str]:
    """The case's approved plans, oldest approval first."""
    # (+status: found through the case's plans, not among every approved plan)
    return [r[0] for r in conn.execute(
        "SELECT id FROM plan WHERE case_id = ? AND +status = 'approved'"
        " ORDER BY approved_on, hlc, id", (case_id,))]


def count_approved(conn, plan_ids: list[str]) -> int:
    return conn.execute(f"SELECT count(*) FROM plan WHERE status = 'approved' AND id IN "
                        f"({', '.join('?' * len(plan_ids))})", plan_ids).fetchone()[0]
