"""Anchors of the audit chain kept outside the database (issue 13 point 5).

The hash chain shows that no entry was changed or taken out of the middle; it cannot show
that the last entries — or all of them — were deleted, because a user with the password and
Python can cut the table and the chain still holds. So where the chain ended is written
outside the database:

* every backup's manifest (``tsunagu-….db.manifest.json``, app/store/backup.py) holds the
  anchor (seq, hash, time) of the newest entry when the backup was made;
* every transfer file a device sends carries its own anchor, and what it knows of the
  receiver's chain (the receiver's anchor as last received from it); the receiver keeps each
  device's latest anchor;
* a field laptop's transfer file carries its audit entries since the last it sent, checked
  entry by entry and written into the desk's audit log (“端末の監査”), so laptop activity
  reaches the desk's audit with the bundle.

``check(desk)`` compares this database's chain with the anchors: an anchored entry that is
no longer there (or has another hash) means entries were removed since the newest one
still present.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from app.security.privacy import AuditBreak
from app.store import audit
from app.store.backup import manifests

SEND_LIMIT = 50_000       # audit entries of a laptop carried by one transfer file
RECEIVED = "audit.received."   # local key prefix: the latest anchor received from a device
ECHOED = "audit.echoed"        # local key: this device's anchor as another device last saw it
ACKED = "audit.acked."         # local key prefix: the same, per device


def _load(store: Any, key: str) -> dict | None:
    try:
        value = json.loads(store.local(key) or "null")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def for_transfer(desk: Any, peer: str | None) -> dict:
    """The audit part of a transfer file this device sends."""
    store = desk._store
    out: dict[str, Any] = {"anchor": audit.head(store.conn), "device": desk._me()}
    if peer:
        seen = _load(store, RECEIVED + peer)
        if seen:
            out["yours"] = seen   # the peer's chain as this device last saw it
    if desk.device_kind() == "field":
        # every entry the receiver has not acknowledged (its files echo this device's
        # anchor): a transfer file that never arrives loses nothing
        acked = _load(store, ACKED + peer) if peer else _load(store, ECHOED)
        out["entries"] = audit.rows_after(store.conn, int((acked or {}).get("seq", 0)),
                                          SEND_LIMIT)
    return out


def after_export(desk: Any, peer: str | None, part: dict) -> None:
    """Inside the export's transaction (nothing to keep: entries are sent until a file
    from the receiver acknowledges them)."""


def receive(desk: Any, sender: str, sender_name: str, part: Any, created: str = "") -> int:
    """Inside the import's transaction: keep the sender's anchor, check and copy its
    entries into this audit log, compare what it saw of this device's chain. Returns the
    number of problems flagged (each an audit entry)."""
    store, login = desk._store, desk._ctx.user.login
    if not isinstance(part, dict):
        return 0
    flagged = 0
    old = _load(store, RECEIVED + sender)
    anchor = part.get("anchor")
    rows = [r for r in part.get("entries") or [] if isinstance(r, list) and len(r) == 11]
    if rows and old is not None:
        rows = [r for r in rows if isinstance(r[0], int) and r[0] > int(old.get("seq", 0))]
    if rows:
        bad = audit.chain_holds(rows, old.get("hash") if old and rows[0][0] == old.get(
            "seq", -1) + 1 else None)
        if bad is not None:
            store.audit(login, "device_audit_broken",
                        detail=f"{sender_name}: entry {bad}", reason="")
            flagged += 1
        else:
            for r in rows:
                seq, at, _uid, who, _dev, action, case_id, detail, reason = r[:9]
                store.audit(str(who), f"device:{action}", case_id=_case(store, case_id),
                            detail=f"[{sender_name} #{seq} {at}] {detail}"[:2000],
                            reason=str(reason or ""))
    if old and created and str(old.get("created", "")) > created:
        return flagged   # an older transfer file imported late: its anchor is not news
    if isinstance(anchor, dict) and isinstance(anchor.get("seq"), int):
        if old and anchor["seq"] < int(old.get("seq", 0)):
            store.audit(login, "device_audit_cut",
                        detail=f"{sender_name}: chain ends at {anchor['seq']} ({anchor.get('at')})"
                               f", {old.get('seq')} ({old.get('at')}) was received before")
            flagged += 1
        else:
            store.set_local(RECEIVED + sender, json.dumps(
                {k: anchor.get(k) for k in ("seq", "hash", "at")} | {"created": created}))
    yours = part.get("yours")
    if isinstance(yours, dict) and isinstance(yours.get("seq"), int):
        mine = audit.entry_at(store.conn, yours["seq"])
        if mine is None or mine["hash"] != yours.get("hash"):
            if not _superseded_by_restore(store, yours):
                store.audit(login, "audit_cut_detected",
                            detail=f"{sender_name} holds entry {yours['seq']} of this log "
                                   f"({yours.get('at')}); it is no longer here")
                flagged += 1
        else:
            store.set_local(ACKED + sender, json.dumps({"seq": yours["seq"]}))
            echoed = _load(store, ECHOED)
            if echoed is None or yours["seq"] > int(echoed.get("seq", 0)):
                store.set_local(ECHOED, json.dumps(
                    {k: yours.get(k) for k in ("seq", "hash", "at")} | {"by": sender_name}))
    return flagged


def _case(store: Any, case_id: Any) -> str | None:
    """The laptop's case id if this database has that case (audit search by case)."""
    if isinstance(case_id, str) and store.case(case_id) is not None:
        return case_id
    return None


def _restore_rows(store: Any) -> list[dict]:
    from app.store.security_repo import SecurityRepo
    rows = SecurityRepo(store.conn).audit_search(login=None, case_id=None, action="restore",
                                                 since=None, until=None, limit=1000)
    return [{"seq": r.seq, "at": r.at} for r in rows]


def _superseded_by_restore(store: Any, anchor: dict, made: str = "") -> bool:
    """An anchor of the database a restore replaced: the restore entry comes at or before
    the anchored seq and after the anchor was made."""
    when = made or str(anchor.get("at") or "")
    for r in _restore_rows(store):
        if r["seq"] <= int(anchor["seq"]) and _utc(r["at"]) >= _utc(when):
            return True
    return False


def _utc(text: str) -> str:
    try:
        return datetime.fromisoformat(text).astimezone().isoformat()
    except (ValueError, TypeError):
        return str(text)


def check(store: Any, backup_folder: Path) -> AuditBreak | None:
    """Compare this database's chain with every anchor kept outside it (backup manifests
    in ``backup_folder``, what other devices last saw). None when all agree."""
    anchors: list[tuple[dict, str, str]] = []
    try:
        for m in manifests(backup_folder):
            if m.get("device_id") in ("", None, store.device_id):
                anchors.append((m["audit_anchor"], str(m.get("backup", "")),
                                str(m.get("created", ""))))
    except OSError:
        pass
    echoed = _load(store, ECHOED)
    if echoed:
        anchors.append((echoed, str(echoed.get("by", "")), str(echoed.get("at", ""))))
    head = audit.head(store.conn)
    worst: AuditBreak | None = None
    for anchor, source, made in anchors:
        if not isinstance(anchor, dict) or not isinstance(anchor.get("seq"), int):
            continue
        here = audit.entry_at(store.conn, anchor["seq"])
        if here is not None and here["hash"] == anchor.get("hash"):
            continue
        if _superseded_by_restore(store, anchor, made):
            continue
        if head and here is None:
            found = AuditBreak(seq=head["seq"] + 1, at=head["at"], deleted=True,
                               anchored_by=source, anchored_seq=anchor["seq"],
                               anchored_at=str(anchor.get("at", "")))
        elif head is None:
            found = AuditBreak(seq=1, at="", deleted=True, anchored_by=source,
                               anchored_seq=anchor["seq"], anchored_at=str(anchor.get("at", "")))
        else:
            before = audit.entry_at(store.conn, anchor["seq"] - 1)
            found = AuditBreak(seq=anchor["seq"], at=before["at"] if before else "",
                               deleted=True, anchored_by=source, anchored_seq=anchor["seq"],
                               anchored_at=str(anchor.get("at", "")))
        if worst is None or found.seq < worst.seq:
            worst = found
    return worst
