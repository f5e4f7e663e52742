"""Export and import of transfer files: choosing the entries of a bundle, checking who
made a file and whether this installation may read it, applying it, and letting returned
cases go.

A bundle "for P" carries every entry in P's scope newer than what P holds from its origin
(P's version vector, app/sync/peers.py) — plus the whole history of any case checked out
to P by a check-out P has not seen yet. A case bundle carries master data and the whole
history of the chosen cases. Applying a bundle keeps the entries not held yet and folds
their rows (app/sync/merge.py), then recomputes what is derived from the cases touched.

The file format is app/sync/bundle.py, the trust in devices app/sync/identity.py and
app/sync/devices.py; the SQL is app/store/sync_exchange.py. ``desk.sync``
(app/operations/sync.py) checks the user's permission and writes the audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.i18n import _
from app.store import sync_exchange as q
from app.store.db import user_version
from app.store.sync_devices import (
    desk_ids, device_name, held_cases, list_devices, tofu_allowed,
)
from app.store.sync_peers import load_vector
from app.sync import bundle as fmt
from app.sync import identity, merge
from app.sync.bundle import BundleRefused
from app.sync.devices import own_secrets, trust_here
from app.sync.identity import DeviceRecord, Untrusted
from app.sync.peers import learn_from_bundle, own_vector
from app.sync.scope import CaseScope, synced_tables


def _ordered(rows: list[tuple]) -> list[list]:
    rows.sort(key=lambda r: (r[7], r[0]))   # (hlc, id), as ORDER BY j.hlc, j.id
    return [list(r) for r in rows]


def select_entries(conn, *, peer: str | None, peer_kind: str | None,
                   known: dict[str, str], cases: list[str] | None) -> list[list]:
    """Entries for a bundle, ordered by (hlc, id). Reads only what the bundle needs: the
    entries newer than ``known`` (for a desk, or everything), or master data and the
    rows of the chosen or checked-out cases (scope.CaseScope)."""
    if cases is None and (peer is None or peer_kind == "desk"):
        return _ordered(q.entries_since(conn, known))
    scope = CaseScope(conn)
    if cases is not None:
        rows = scope.rows_of(cases)
        return _ordered(q.entries_of_tables(conn, scope.master_tables())
                        + q.entries_of_rows(conn, rows))
    assert peer is not None  # peer None with cases None returned above
    held = held_cases(conn, peer)
    # Cases whose check-out the peer has not seen: it gets their whole history.
    fresh = {case for case, hlc, origin in q.open_checkout_inserts(conn, peer)
             if hlc > known.get(origin, "")}
    out = [r for r in q.entries_of_tables(conn, scope.master_tables())
           if r[7] > known.get(r[9], "")]
    rows = scope.rows_of(held)
    for r in q.entries_of_rows(conn, rows):
        if rows[(r[1], r[2])] & fresh or r[7] > known.get(r[9], ""):
            out.append(r)
    # The return of a check-out (so the laptop lets the case go).
    returned = [("checkout", cid) for cid in q.checkout_ids(conn, peer)
                if ("checkout", cid) not in rows]
    out += [r for r in q.entries_of_rows(conn, returned) if r[7] > known.get(r[9], "")]
    return _ordered(out)


def apply_entries(conn, clock, entries: list[dict]) -> tuple[int, int, int, set[str]]:
    """Insert unseen entries into the journal and fold their rows. Returns (applied,
    skipped, conflicts changed, case ids touched). Caller holds the transaction."""
    applied = skipped = 0
    touched: list[tuple[str, str]] = []
    for e in entries:
        if q.has_entry(conn, e["id"]):
            skipped += 1
            continue
        q.insert_entry(conn, e)
        clock.observe(e["hlc"])
        touched.append((e["tbl"], e["row_id"]))
        applied += 1
    merger = merge.Merger(conn)
    merger.recompute(touched)
    scope = CaseScope(conn)
    cases: set[str] = set()
    for tbl, rid in set(touched):
        cases |= scope.cases_of(tbl, rid)
    merge.recompute_derived(conn, cases)   # stage & co. from the merged records
    return applied, skipped, merger.conflicts_changed, cases


def purge_returned(conn, me: str, desk_peers: list[str]) -> list[str]:
    """On a field laptop: cases returned (checked in) whose every local change a desk has
    acknowledged leave this installation — rows, journal, context, conflicts, search
    index (secure_delete zeroes the freed pages). Returns the purged case ids."""
    returned = q.returned_cases(conn, me)
    if not returned:
        return []
    acked = ""
    for peer in desk_peers:
        acked = max(acked, load_vector(conn, peer).get(me, ""))
    scope = CaseScope(conn)
    members = scope.rows_of(returned)
    held = held_cases(conn, me)
    purged = []
    for case in sorted(returned):
        rows = [key for key, cases in members.items() if case in cases]
        newest_own = ""
        for t, r in rows:
            newest_own = max(newest_own, q.newest_hlc_of_row(conn, t, r, me) or "")
        if newest_own > acked:
            continue  # a change made here has not reached a desk yet: keep the case
        q.defer_foreign_keys(conn)
        for t, r in sorted(rows, key=lambda x: x[0] == "person" or x[0] == "case_file"):
            if scope.cases_of(t, r) & held:
                continue  # a person with another case still held here
            q.delete_row(conn, t, r)
        q.delete_case_conflicts(conn, case)
        purged.append(case)
    if purged:
        q.rebuild_person_index(conn)
    return purged


def canonical_dump(conn) -> dict:
    """Every synced table, the journal (with contexts) and the field/delete conflicts, in
    a device-independent order: two devices that hold the same data dump equal."""
    return q.dump_tables(conn, synced_tables(conn))


# ---------------------------------------------------------------------- export
def recipient_box_key(conn, agency_id: str, device_id: str) -> str | None:
    """The X25519 key a file for ``device_id`` is encrypted to, if its registration is
    trusted here (a peer still on its first-contact key gets the agency key only)."""
    try:
        return trust_here(conn, agency_id).trusted(device_id).box_key or None
    except Untrusted:
        return None


def make_bundle(conn, *, db_key: bytes, agency_id: str, me: str, my_kind: str,
                peer: str | None, peer_kind: str | None, known: dict[str, str],
                cases: list[str] | None, audit_part: dict) -> tuple[dict, bytes]:
    """(header, signed and encrypted file) of a transfer file: what ``peer`` has not seen
    (``known``), the chosen ``cases`` (whole history, with master data), or everything."""
    if my_kind == "field" and cases is None:
        peer_kind = "desk"  # a laptop sends everything it holds that the peer lacks
    entries = select_entries(conn, peer=peer, peer_kind=peer_kind, known=known, cases=cases)
    header = {"agency_id": agency_id, "from_device": me,
              "to_device": peer, "created": fmt.now_iso(),
              "entries": len(entries), "cases": cases,
              "scope": "cases" if cases is not None else ("since" if peer else "all"),
              "schema": user_version(conn),
              "sender": identity.chain_of(me, trust_here(conn, agency_id).rows)}
    payload = {"vector": own_vector(conn, me), "sender_kind": my_kind, "entries": entries,
               "audit": audit_part}
    data = fmt.pack(db_key, header, payload, signer=own_secrets(conn),
                    recipient_box_key=recipient_box_key(conn, agency_id, peer) if peer
                    else None)
    return header, data


# ---------------------------------------------------------------------- import
def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BundleRefused(_("The transfer file {name} was not found.")
                            .format(name=str(path))) from None
    except OSError as exc:
        raise BundleRefused(_("The transfer file {name} cannot be read: {error}")
                            .format(name=path.name, error=exc.strerror or exc)) from None


def trusted_sender(conn, agency_id: str, me: str, header: dict, name: str
                   ) -> tuple[DeviceRecord, str, dict[str, str]]:
    """(trusted record, device name, keys to pin) of the device a file claims to come
    from; BundleRefused when that device is unknown, revoked or not registered."""
    sender = header.get("from_device")
    if not isinstance(sender, str) or not sender:
        raise fmt._damaged(name)
    claimed = header.get("sender")
    chain: list = claimed if isinstance(claimed, list) else []
    trust = trust_here(conn, agency_id, chain)
    names = {d.id: d.name for d in list_devices(conn, me)}
    label = names.get(sender, sender)
    pins: dict[str, str] = {}
    try:
        return trust.trusted(sender), label, pins
    except Untrusted as first:
        error = first
    if error.reason in ("unregistered", "self_signed", "bad_cert") and tofu_allowed(conn):
        # first contact between installations upgraded from schema 9: pin the
        # self-signed keys of devices known here that have no other registration
        for entry in chain:
            rec = identity.chain_record(entry)
            row = trust.rows.get(rec.id) if rec is not None else None
            if rec is None or row is None or row.revoked or rec.id in trust.anchors \
                    or row.kind != rec.kind or row.sign_key not in ("", rec.sign_key) \
                    or not identity.self_signed_ok(agency_id, rec):
                continue
            pins[rec.id] = rec.sign_key
        if pins:
            trust.anchors.update(pins)
            try:
                return trust.trusted(sender), label, pins
            except Untrusted as again:
                error = again
    who = names.get(error.device_id, error.device_id)
    if error.reason == "revoked":
        raise BundleRefused(_("The transfer file {name} comes from the revoked device "
                              "{device}. Nothing was imported.").format(name=name,
                                                                      device=who))
    if error.reason == "unknown":
        raise BundleRefused(_("The transfer file {name} comes from a device this PC does "
                              "not know ({device}). Import the transfer files of the desk "
                              "PC that added it first, then import this file again. "
                              "Nothing was imported.").format(name=name, device=who))
    if error.reason == "issuer_revoked":
        raise BundleRefused(_("The transfer file {name} comes from the device {device}, "
                              "which this PC meets for the first time and which was added "
                              "by a revoked device. Add the device again from a desk PC. "
                              "Nothing was imported.").format(name=name, device=who))
    if error.reason in ("unregistered", "self_signed"):
        raise BundleRefused(_("The device {device} has not registered its signing key with "
                              "this PC yet, so the transfer file {name} cannot be checked. "
                              "Update Tsunagu on both PCs, then import the transfer files "
                              "of the desk PC first. Nothing was imported.")
                            .format(name=name, device=who))
    raise BundleRefused(_("The registration of the device {device} does not check out (its "
                          "keys are not certified by a desk PC of this agency), so the "
                          "transfer file {name} is refused. Nothing was imported.")
                        .format(name=name, device=who))


@dataclass
class Received:
    """A transfer file opened and checked: who made it, what it carries."""

    name: str
    header: dict[str, Any]
    payload: dict[str, Any]
    sender: str
    sender_kind: str          # certified (or registered here), not as claimed
    sender_name: str
    pins: dict[str, str]      # first-contact keys to pin (installations from schema 9)
    entries: list[dict]
    vector: dict[str, str]


def open_bundle(conn, data: bytes, name: str, *, db_key: bytes, agency_id: str,
                me: str) -> Received:
    """Check a transfer file whole — this agency's, meant for this device, signed by a
    device trusted here, readable, not from a newer version, every entry well formed —
    and read it; BundleRefused (nothing imported) otherwise."""
    header, _prefix = fmt.read_header(data, name)
    if header.get("agency_id") != agency_id:
        raise BundleRefused(_("The transfer file {name} comes from another agency's "
                              "database. Nothing was imported.").format(name=name))
    to = header.get("to_device")
    if to not in (None, me):
        target = device_name(conn, to) if isinstance(to, str) else None
        raise BundleRefused(_("The transfer file {name} is meant for another device "
                              "({device}). Nothing was imported.")
                            .format(name=name, device=target if target is not None else to))
    # which device made it: its own signature, checked against its registered key
    sender_rec, sender_name, pins = trusted_sender(conn, agency_id, me, header, name)
    header, payload = fmt.unpack(
        data, db_key, agency_id, name, sender_key=sender_rec.sign_key,
        sender_name=sender_name, box_secret=own_secrets(conn).box)
    if int(header.get("schema") or 0) > user_version(conn):
        raise BundleRefused(_("The transfer file {name} was made by a newer version of "
                              "Tsunagu. Update Tsunagu on this PC, then import it again. "
                              "Nothing was imported.").format(name=name))
    tables = synced_tables(conn)
    entries = [fmt.check_entry(e, tables, name) for e in payload["entries"]]
    if len(entries) != header.get("entries"):
        raise fmt._damaged(name)
    vector = payload.get("vector") if isinstance(payload.get("vector"), dict) else {}
    return Received(name=name, header=header, payload=payload, sender=header["from_device"],
                    sender_kind=sender_rec.kind, sender_name=sender_name, pins=pins,
                    entries=entries, vector=vector or {})


def merge_bundle(conn, clock, me: str, my_kind: str, got: Received, entries: list[dict]
                 ) -> tuple[int, int, int]:
    """Apply the accepted ``entries`` of a received file (caller holds the transaction):
    fold them, flag the process rules the merge broke, learn what the sender holds and,
    on a field laptop, let returned cases go. Returns (applied, skipped, conflicts)."""
    applied, skipped, conflicts, cases = apply_entries(conn, clock, entries)
    flagged = merge.post_merge_checks(conn, sorted(cases))
    learn_from_bundle(conn, me, got.sender, got.sender_kind, got.vector,
                      scope=got.header.get("scope"), imported=fmt.now_iso())
    if my_kind == "field":
        purge_returned(conn, me, desk_ids(conn))
    return applied, skipped, conflicts + flagged
