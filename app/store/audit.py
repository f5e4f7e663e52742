"""The audit log: append-only, each entry hash-chained to the one before."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from app.store.db import Connection

GENESIS = "0" * 64


@dataclass
class AuditEntry:
    seq: int
    at: str
    user_id: str
    login: str
    device_id: str
    action: str
    case_id: str | None
    detail: str
    reason: str
    prev_hash: str
    hash: str


def _digest(prev_hash: str, at: str, user_id: str, login: str, device_id: str, action: str,
            case_id: str | None, detail: str, reason: str) -> str:
    payload = json.dumps([prev_hash, at, user_id, login, device_id, action, case_id or "",
                          detail, reason], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(conn: Connection, *, user_id: str, login: str, device_id: str, action: str,
           case_id: str | None = None, detail: str = "", reason: str = "") -> None:
    """Append one entry (call inside the transaction of the change it records)."""
    row = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    digest = _digest(prev, at, user_id, login, device_id, action, case_id, detail, reason)
    conn.execute(
        "INSERT INTO audit (at, user_id, login, device_id, action, case_id, detail, reason,"
        " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (at, user_id, login, device_id, action, case_id, detail, reason, prev, digest))


def entries(conn: Connection, *, case_id: str | None = None, limit: int = 1000) -> list[AuditEntry]:
    sql = "SELECT * FROM audit"
    args: list = []
    if case_id:
        sql += " WHERE case_id = ?"
        args.append(case_id)
    sql += " ORDER BY seq DESC LIMIT ?"
    args.append(limit)
    return [AuditEntry(*r) for r in conn.execute(sql, args).fetchall()]


def verify(conn: Connection) -> int | None:
    """The seq of the first entry whose link is broken, or None when the chain holds."""
    prev = GENESIS
    expected_seq = None
    for r in conn.execute("SELECT * FROM audit ORDER BY seq"):
        e = AuditEntry(*r)
        if expected_seq is not None and e.seq != expected_seq:
            return expected_seq  # an entry was deleted
        if e.prev_hash != prev or e.hash != _digest(prev, e.at, e.user_id, e.login, e.device_id,
                                                    e.action, e.case_id, e.detail, e.reason):
            return e.seq
        prev = e.hash
        expected_seq = e.seq + 1
    return None


# ---------------------------------------------------------------------- anchors (issue 13)
# The chain proves that no entry was changed in the middle; only something kept outside the
# database proves where it ended. An anchor is (seq, hash, at) of the newest entry, written
# into every backup's manifest and every transfer file a device sends.
def head(conn: Connection) -> dict | None:
    r = conn.execute("SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return {"seq": int(r[0]), "hash": r[1], "at": r[2]} if r else None


def entry_at(conn: Connection, seq: int) -> dict | None:
    r = conn.execute("SELECT seq, hash, at FROM audit WHERE seq = ?", (seq,)).fetchone()
    return {"seq": int(r[0]), "hash": r[1], "at": r[2]} if r else None


def rows_after(conn: Connection, seq: int, limit: int) -> list[list]:
    """This device's own entries after ``seq`` (as a transfer file carries them)."""
    return [list(r) for r in conn.execute(
        "SELECT seq, at, user_id, login, device_id, action, case_id, detail, reason,"
        " prev_hash, hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))]


def chain_holds(rows: list[list], prev_hash: str | None) -> int | None:
    """Check entries received from another device: consecutive, each hash recomputed,
    each linked to the one before (the first to ``prev_hash`` when known). Returns the seq
    of the first bad one, or None."""
    expected = None
    for r in rows:
        e = AuditEntry(*r)
        if expected is not None and e.seq != expected:
            return expected
        if prev_hash is not None and e.prev_hash != prev_hash:
            return e.seq
        if e.hash != _digest(e.prev_hash, e.at, e.user_id, e.login, e.device_id, e.action,
                             e.case_id, e.detail, e.reason):
            return e.seq
        prev_hash, expected = e.hash, e.seq + 1
    return None
