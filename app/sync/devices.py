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

This installation's own keys, the anchors it pins and whom it trusts are here too (the
certificates themselves: app/sync/identity.py).

The SQL of each step is in app/store/sync_devices.py; this module decides the steps, their
order, the codes and the keys.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from app.errors import TsunaguError
from app.i18n import _
from app.store import audit as audit_log
from app.store import db
from app.store import sync_devices as repo
from app.store.sync_devices import TOFU_KEY, db_remove, load_anchors, save_anchors, tofu_allowed
from app.store.sync_peers import add_peer_vector
from app.sync import identity
from app.sync.identity import BOX_SECRET, SIGN_SECRET, DeviceRecord, DeviceSecrets, Trust
from app.sync.scope import CaseScope


def device_records(conn) -> list[DeviceRecord]:
    """Every device row with its registered public keys and certificate."""
    return [DeviceRecord(id=r[0], kind=r[1], sign_key=r[2], box_key=r[3], cert=r[4],
                         revoked=bool(r[5]))
            for r in repo.device_key_rows(conn)]


def load_secrets(conn) -> DeviceSecrets | None:
    """This installation's private keys (None on a database not upgraded yet)."""
    found = repo.load_secret_values(conn, (SIGN_SECRET, BOX_SECRET))
    if SIGN_SECRET not in found or BOX_SECRET not in found:
        return None
    return DeviceSecrets(sign=bytes(found[SIGN_SECRET]), box=bytes(found[BOX_SECRET]))


def save_secrets(conn, secrets: DeviceSecrets) -> None:
    """Keep this installation's private keys (caller holds the transaction)."""
    repo.save_secret_values(conn, ((SIGN_SECRET, secrets.sign), (BOX_SECRET, secrets.box)))


def own_secrets(conn) -> DeviceSecrets:
    """This installation's private keys; TsunaguError when it has none."""
    secrets = load_secrets(conn)
    if secrets is None:  # made by the schema-10 upgrade step: not expected
        raise TsunaguError(_("This installation has no signing key. Close Tsunagu and open "
                             "it again; if this message comes back, restore a backup."))
    return secrets


def trust_here(conn, agency_id: str, chain: list | tuple = ()) -> Trust:
    """Whom this installation trusts: the device rows, its anchors, and the certificate
    chain a transfer file carries (``chain``, when it is a list)."""
    return Trust(agency_id, device_records(conn), load_anchors(conn),
                 chain if isinstance(chain, list) else ())


def new_identity(agency_id: str, device_id: str, kind: str,
                 issuer: tuple[str, DeviceSecrets] | None = None
                 ) -> tuple[DeviceSecrets, dict[str, str]]:
    """Fresh key pairs for a device and the ``device`` columns registering their public
    halves, certified by ``issuer`` (device id, its secrets) or self-certified."""
    secrets = DeviceSecrets.new()
    issuer_id, issuer_secrets = issuer or (device_id, secrets)
    cert = identity.issue(agency_id, device_id, kind, secrets.sign_key, secrets.box_key,
                          issuer_id, issuer_secrets)
    return secrets, {"sign_key": secrets.sign_key, "box_key": secrets.box_key, "cert": cert}


def keep_identity(store, secrets: DeviceSecrets, anchors: dict[str, str]) -> None:
    """Store this installation's private keys and pin its anchors (in the caller's
    transaction; both stay on this installation)."""
    save_secrets(store.conn, secrets)
    pin_anchors(store.conn, anchors)


def pin_anchors(conn, anchors: dict[str, str]) -> None:
    """Add ``anchors`` ({device id: public signing key}) to those pinned here."""
    save_anchors(conn, dict(load_anchors(conn), **anchors))


def ensure_device_keys(store, w: Any) -> bool:
    """An installation made before schema 10 gets its key pairs when it is upgraded (the
    schema-10 data step, app/upgrades.py) and registers them in its device row. Nobody can
    vouch for them (the desk that made this installation never saw them), so the
    certificate is self-signed, and this installation pins the others' keys on first
    contact (app/sync/identity.py). True if keys were made."""
    conn = store.conn
    if load_secrets(conn) is not None:
        return False
    me = store.device_id
    rec = next((r for r in device_records(conn) if r.id == me), None)
    kind = rec.kind if rec is not None else (store.local("device_kind") or "desk")
    secrets, keys = new_identity(store.setting("agency.id", "") or "", me, kind)
    if rec is not None:
        w.update("device", me, keys)
    keep_identity(store, secrets, {me: secrets.sign_key})
    store.set_local(TOFU_KEY, "1")
    return True


def next_code(conn, own_code: str, kind: str) -> str:
    """A code unique in the agency without asking anyone: this device's code, the kind's
    letter and a number (F1, D2, D2F1 …)."""
    letter = "F" if kind == "field" else "D"
    taken = repo.device_codes(conn)
    n = 1
    while f"{own_code}{letter}{n}" in taken or f"{own_code}F{n}" in taken \
            or f"{own_code}D{n}" in taken:
        n += 1
    return f"{own_code}{letter}{n}"


def trim_to_cases(conn, keep: set[str]) -> int:
    """Delete every case-scoped row (and its journal, context and conflicts) of cases not
    in ``keep``; a person stays while one of their kept cases does. Returns rows deleted.
    The rows to keep are found through the indexes (CaseScope.rows_of, the same answer as
    CaseIndex)."""
    scope = CaseScope(conn)
    return repo.delete_rows_except(conn, scope.case_tables(), scope.rows_of(keep))


def build_device_file(source_conn, raw_key: bytes, target: Path, *, device_id: str, name: str,
                      kind: str, code: str, db_id: str, creator: str,
                      creator_vector: dict[str, str], keep_cases: set[str] | None,
                      secrets: DeviceSecrets, anchors: dict[str, str]) -> Path:
    """Write the new installation's database to ``target`` (see module docstring). The
    new device gets its own private keys (``secrets``; this installation keeps no copy),
    the creator's anchors plus the creator's key, and the creator's first-contact rule."""
    staging = target.parent / f".{target.name}.staging"
    staging_local = Path(str(source_conn.db_path)).parent / f".device-{device_id}.staging.db"
    # and the copies an earlier device left when the program was cut off while making it:
    # each is a whole copy of the desk (one writer makes devices, so none is in use now)
    for p in (staging_local, *staging_local.parent.glob(".device-*.staging.db")):
        db_remove(p)
    db.export_copy(source_conn, staging_local, raw_key)
    try:
        conn = db.connect(staging_local, raw_key)
        try:
            repo.begin_scratch(conn)
            if keep_cases is not None:
                trim_to_cases(conn, keep_cases)
            tofu = tofu_allowed(conn)
            repo.reset_local(conn, {"device_id": device_id, "device_name": name, "db_id": db_id,
                                    "device_kind": kind, "device_code": code,
                                    "case_prefix": f"{code}-" if code else ""})
            save_secrets(conn, secrets)
            save_anchors(conn, dict(anchors, **{device_id: secrets.sign_key}))
            if tofu:
                repo.allow_tofu(conn)
            repo.clear_installation_tables(conn)
            own = {k: v for k, v in creator_vector.items()}
            add_peer_vector(conn, creator, creator_vector)
            add_peer_vector(conn, device_id, own)
            audit_log.append(conn, user_id="system", login="system", device_id=device_id,
                             action="device_created", detail=f"{kind} {code} from {creator}")
            repo.commit(conn)
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
