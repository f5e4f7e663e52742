"""Devices: each installation (desk PC or field laptop) of one agency's database.

A new installation is made from this one: the database is copied by ``sqlcipher_export``
(never a file copy) into a staging file beside this database, trimmed there, and exported
once more into the target folder, so the target only ever receives the rows it may hold.
A **desk** device gets everything; a **field** laptop gets master data and the cases
checked out to it (持ち出し) — no row, journal entry, search-index entry or conflict of any
other case. The staging file is encrypted with the agency key (like this database) and
removed afterwards; the copy's ``local`` table gets the new device's id, name and case
number prefix, its audit log starts afresh (the audit log belongs to an installation), and
it knows what this device holds (its version vector), so the first bundles are small.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from app.store import audit as audit_log
from app.store import db
from app.store.sync_scope import CaseScope
from app.sync.identity import BOX_SECRET, SIGN_SECRET, DeviceRecord, DeviceSecrets

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


def device_records(conn) -> list[DeviceRecord]:
    """Every device row with its registered public keys and certificate."""
    return [DeviceRecord(id=r[0], kind=r[1], sign_key=r[2], box_key=r[3], cert=r[4],
                         revoked=bool(r[5]))
            for r in conn.execute("SELECT id, kind, sign_key, box_key, cert, revoked FROM device")]


def load_secrets(conn) -> DeviceSecrets | None:
    """This installation's private keys (None on a database not upgraded yet)."""
    found = dict(conn.execute("SELECT name, value FROM local_secret WHERE name IN (?, ?)",
                              (SIGN_SECRET, BOX_SECRET)).fetchall())
    if SIGN_SECRET not in found or BOX_SECRET not in found:
        return None
    return DeviceSecrets(sign=bytes(found[SIGN_SECRET]), box=bytes(found[BOX_SECRET]))


def save_secrets(conn, secrets: DeviceSecrets) -> None:
    """Keep this installation's private keys (caller holds the transaction)."""
    for name, value in ((SIGN_SECRET, secrets.sign), (BOX_SECRET, secrets.box)):
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


def next_code(conn, own_code: str, kind: str) -> str:
    """A code unique in the agency without asking anyone: this device's code, the kind's
    letter and a number (F1, D2, D2F1 …)."""
    letter = "F" if kind == "field" else "D"
    taken = {r[0] for r in conn.execute("SELECT code FROM device")}
    n = 1
    while f"{own_code}{letter}{n}" in taken or f"{own_code}F{n}" in taken \
            or f"{own_code}D{n}" in taken:
        n += 1
    return f"{own_code}{letter}{n}"


def trim_to_cases(conn, keep: set[str]) -> int:
    """Delete every case-scoped row (and its journal, context and conflicts) of cases not
    in ``keep``; a person stays while one of their kept cases does. Returns rows deleted.

    The rows to keep are few (a laptop's cases) and found through the indexes
    (CaseScope.rows_of, the same answer as CaseIndex); everything else goes in one
    statement per table — a row-by-row delete took 95 s for 30 cases of a 10,000-case
    desk (2.9 million statements)."""
    scope = CaseScope(conn)
    kept = scope.rows_of(keep)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep_row (tbl TEXT NOT NULL,"
                 " row_id TEXT NOT NULL, PRIMARY KEY (tbl, row_id)) WITHOUT ROWID")
    conn.execute("DELETE FROM keep_row")
    conn.executemany("INSERT OR IGNORE INTO keep_row (tbl, row_id) VALUES (?, ?)",
                     sorted(kept))
    unkept = ("NOT EXISTS (SELECT 1 FROM keep_row k WHERE k.tbl = {t}.tbl"
              " AND k.row_id = {t}.row_id)")
    n = 0
    for tbl in scope.tables:
        if scope.is_master(tbl):
            continue
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


def forget_row(conn, tbl: str, row_id: str) -> None:
    conn.execute("DELETE FROM sync_context WHERE entry_id IN (SELECT id FROM journal"
                 " WHERE tbl = ? AND row_id = ?)", (tbl, row_id))
    conn.execute("DELETE FROM journal WHERE tbl = ? AND row_id = ?", (tbl, row_id))
    conn.execute("DELETE FROM sync_conflict WHERE tbl = ? AND row_id = ?", (tbl, row_id))


def build_device_file(source_conn, raw_key: bytes, target: Path, *, device_id: str, name: str,
                      kind: str, code: str, db_id: str, creator: str,
                      creator_vector: dict[str, str], keep_cases: set[str] | None,
                      secrets: DeviceSecrets, anchors: dict[str, str]) -> Path:
    """Write the new installation's database to ``target`` (see module docstring). The
    new device gets its own private keys (``secrets``; this installation keeps no copy),
    the creator's anchors plus the creator's key, and the creator's first-contact rule."""
    staging = target.parent / f".{target.name}.staging"
    staging_local = Path(str(source_conn.db_path)).parent / f".device-{device_id}.staging.db"
    for p in (staging_local,):
        db_remove(p)
    db.export_copy(source_conn, staging_local, raw_key)
    try:
        conn = db.connect(staging_local, raw_key)
        try:
            # a scratch copy (encrypted, removed at the end; the device file is exported
            # from its live content only): no overwriting of freed pages, no fsync
            conn.execute("PRAGMA secure_delete = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("BEGIN IMMEDIATE")
            if keep_cases is not None:
                trim_to_cases(conn, keep_cases)
            tofu = tofu_allowed(conn)
            conn.execute("DELETE FROM local")
            conn.execute("DELETE FROM local_secret")
            for key, value in {"device_id": device_id, "device_name": name, "db_id": db_id,
                               "device_kind": kind, "device_code": code,
                               "case_prefix": f"{code}-" if code else ""}.items():
                conn.execute("INSERT INTO local (key, value) VALUES (?, ?)", (key, value))
            save_secrets(conn, secrets)
            save_anchors(conn, dict(anchors, **{device_id: secrets.sign_key}))
            if tofu:
                conn.execute("INSERT INTO local (key, value) VALUES (?, '1')", (TOFU_KEY,))
            for table in ("audit", "draft", "case_counter", "sync_peer"):
                conn.execute(f"DELETE FROM {table}")
            own = {k: v for k, v in creator_vector.items()}
            conn.execute("INSERT INTO sync_peer (peer, vector) VALUES (?, ?)",
                         (creator, json.dumps(creator_vector, sort_keys=True)))
            conn.execute("INSERT INTO sync_peer (peer, vector) VALUES (?, ?)",
                         (device_id, json.dumps(own, sort_keys=True)))
            audit_log.append(conn, user_id="system", login="system", device_id=device_id,
                             action="device_created", detail=f"{kind} {code} from {creator}")
            conn.execute("COMMIT")
            if target.exists():
                raise FileExistsError(str(target))
            db.export_copy(conn, staging, raw_key)
            os.replace(staging, target)
        finally:
            conn.close()
    finally:
        db_remove(staging_local)
        db_remove(staging)
    return target


def db_remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".part"):
        p = Path(str(path) + suffix)
        try:
            p.unlink()
        except FileNotFoundError:
            pass
