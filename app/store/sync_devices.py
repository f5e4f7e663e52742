"""Devices, the SQL: device rows, this installation's keys and anchors, checkouts, and the
steps of trimming and writing a new installation's database (the steps' order and the
keys are app/sync/devices.py; this module takes and returns plain values).

(What a new installation receives and why: app/sync/devices.py.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.store.changes import note_everything

ANCHORS_KEY = "sync.anchors"     # local: {device id: pinned public signing key}
TOFU_KEY = "sync.tofu"           # local: "1" on installations upgraded from schema 9


@dataclass
class DeviceInfo:
    id: str
    name: str
    kind: str            # "desk" or "field"
    code: str            # case-number prefix ("" for the first desk)
    created_at: str
    revoked: bool
    this: bool           # this installation
    cases: int           # cases checked out to it now (field devices)


def list_devices(conn, this_device: str) -> list[DeviceInfo]:
    rows = conn.execute(
        "SELECT d.id, d.name, d.kind, d.code, d.created_at, d.revoked,"
        " (SELECT count(*) FROM checkout c WHERE c.target_device = d.id"
        "  AND c.returned_on IS NULL) FROM device d ORDER BY d.created_at, d.code, d.name"
    ).fetchall()
    return [DeviceInfo(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[0] == this_device, r[6])
            for r in rows]


def device_key_rows(conn) -> list[tuple]:
    """Every device row with its registered public keys and certificate:
    (id, kind, sign_key, box_key, cert, revoked)."""
    return list(conn.execute("SELECT id, kind, sign_key, box_key, cert, revoked FROM device"))


def load_secret_values(conn, names: tuple[str, str]) -> dict[str, bytes]:
    """{name: value} of the named rows of local_secret that exist."""
    return dict(conn.execute("SELECT name, value FROM local_secret WHERE name IN (?, ?)",
                             names).fetchall())


def save_secret_values(conn, pairs) -> None:
    """Keep these (name, value) rows of local_secret (caller holds the transaction)."""
    for name, value in pairs:
        conn.execute("INSERT INTO local_secret (name, value) VALUES (?, ?) ON CONFLICT (name)"
                     " DO UPDATE SET value = excluded.value", (name, value))


def load_anchors(conn) -> dict[str, str]:
    row = conn.execute("SELECT value FROM local WHERE key = ?", (ANCHORS_KEY,)).fetchone()
    try:
        value = json.loads(row[0]) if row else {}
    except ValueError:
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(value, dict) else {}


def save_anchors(conn, anchors: dict[str, str]) -> None:
    conn.execute("INSERT INTO local (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
                 " SET value = excluded.value", (ANCHORS_KEY, json.dumps(anchors, sort_keys=True)))


def tofu_allowed(conn) -> bool:
    row = conn.execute("SELECT value FROM local WHERE key = ?", (TOFU_KEY,)).fetchone()
    return bool(row and row[0] == "1")


def held_cases(conn, device_id: str) -> set[str]:
    """Cases checked out to ``device_id`` and not returned."""
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT case_id FROM checkout WHERE target_device = ? AND returned_on IS NULL",
        (device_id,))}


def device_name(conn, device_id: str) -> str | None:
    row = conn.execute("SELECT name FROM device WHERE id = ?", (device_id,)).fetchone()
    return None if row is None else row[0]


def desk_ids(conn) -> list[str]:
    """Every desk device (revoked ones too)."""
    return [r[0] for r in conn.execute("SELECT id FROM device WHERE kind = 'desk'")]


def open_checkouts(conn, *, case_id: str | None = None, device_id: str | None = None
                   ) -> list[tuple[str, str, str]]:
    """(check-out id, case id, device id) of the check-outs not returned, of one case and/or
    one device, oldest first."""
    sql = "SELECT id, case_id, target_device FROM checkout WHERE returned_on IS NULL"
    args: list[str] = []
    if case_id is not None:
        sql += " AND case_id = ?"
        args.append(case_id)
    if device_id is not None:
        sql += " AND target_device = ?"
        args.append(device_id)
    return [(r[0], r[1], r[2]) for r in conn.execute(sql + " ORDER BY out_on", args)]


def holder_elsewhere(conn, case_id: str, device_id: str) -> str | None:
    """The name of another device the case is checked out to now, if any."""
    row = conn.execute("SELECT d.name FROM checkout c JOIN device d ON"
                       " d.id = c.target_device WHERE c.case_id = ? AND"
                       " c.returned_on IS NULL AND c.target_device != ?",
                       (case_id, device_id)).fetchone()
    return None if row is None else row[0]


def device_codes(conn) -> set[str]:
    """Every device's code (case-number prefix)."""
    return {r[0] for r in conn.execute("SELECT code FROM device")}


def delete_rows_except(conn, case_tables: list[str], kept) -> int:
    """Delete every row of ``case_tables`` (and its journal, context and conflicts) that is
    not one of ``kept`` (table, row id)s. Returns rows deleted.

    The rows to keep are few (a laptop's cases); everything else goes in one statement per
    table — a row-by-row delete took 95 s for 30 cases of a 10,000-case desk (2.9 million
    statements)."""
    note_everything(conn)   # app/store/changes.py
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep_row (tbl TEXT NOT NULL,"
                 " row_id TEXT NOT NULL, PRIMARY KEY (tbl, row_id)) WITHOUT ROWID")
    conn.execute("DELETE FROM keep_row")
    conn.executemany("INSERT OR IGNORE INTO keep_row (tbl, row_id) VALUES (?, ?)",
                     sorted(kept))
    unkept = ("NOT EXISTS (SELECT 1 FROM keep_row k WHERE k.tbl = {t}.tbl"
              " AND k.row_id = {t}.row_id)")
    n = 0
    for tbl in case_tables:
        conn.execute("DELETE FROM sync_context WHERE entry_id IN (SELECT j.id FROM journal j"
                     " WHERE j.tbl = ? AND " + unkept.format(t="j") + ")", (tbl,))
        conn.execute("DELETE FROM journal WHERE tbl = ? AND " + unkept.format(t="journal"),
                     (tbl,))
        conn.execute("DELETE FROM sync_conflict WHERE tbl = ? AND "
                     + unkept.format(t="sync_conflict"), (tbl,))
        n += conn.execute(f"DELETE FROM {tbl} WHERE NOT EXISTS (SELECT 1 FROM keep_row k"
                          f" WHERE k.tbl = ? AND k.row_id = {tbl}.id)", (tbl,)).rowcount
    conn.execute("DELETE FROM keep_row")
    conn.execute("INSERT INTO person_fts (person_fts) VALUES ('rebuild')")
    return n


def begin_scratch(conn) -> None:
    """A scratch copy (encrypted, removed at the end; the device file is exported from its
    live content only): no overwriting of freed pages, no fsync, no journal; opens the
    transaction. Without a journal: trimming a copy of a large desk to a laptop's cases is
    one transaction over most of its pages, and in write-ahead-log mode SQLite's memory grew
    with it (peak, 10,000 cases: 515 MB in WAL mode, 361 MB with a rollback journal, 255 MB
    with none; 100,000: 2.4 GB → 317 MB). A failed or cut-off trim leaves only this copy
    half-written; it is removed (build_device_file) and never opened again."""
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA secure_delete = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")


def commit(conn) -> None:
    conn.execute("COMMIT")


def reset_local(conn, values: dict[str, str]) -> None:
    """The copy forgets this installation's local settings and private keys and gets
    ``values`` as its local settings."""
    conn.execute("DELETE FROM local")
    conn.execute("DELETE FROM local_secret")
    for key, value in values.items():
        conn.execute("INSERT INTO local (key, value) VALUES (?, ?)", (key, value))


def allow_tofu(conn) -> None:
    conn.execute("INSERT INTO local (key, value) VALUES (?, '1')", (TOFU_KEY,))


def clear_installation_tables(conn) -> None:
    """What belongs to an installation, not to the agency: audit, drafts, counters, peers."""
    for table in ("audit", "draft", "case_counter", "sync_peer"):
        conn.execute(f"DELETE FROM {table}")


def db_remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".part"):
        p = Path(str(path) + suffix)
        try:
            p.unlink()
        except FileNotFoundError:
            pass
