"""Sync operations of Desk: devices, 持ち出し, transfer bundles, conflicts (app/sync/)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlcipher3 import IntegrityError

from app import validation
from app.errors import NotFound, TsunaguError, ValidationError, ValidationErrors
from app.i18n import _
from app.operations.context import DeskContext, Operations
from app.operations.master import MasterOperations
from app.operations.person import person_values
from app.operations.security import SecurityOperations
from app.security.authorization import (
    EDIT, OPEN, VIEW, Arg, P, Refs, Row, Rule, install, need, read, write,
)
from app.security.roles import Permission
from app.files import write_atomic
from app.store.sync_devices import (
    DeviceInfo, held_cases, holder_elsewhere, list_devices, load_anchors, open_checkouts,
)
from app.store.sync_peers import load_vector, save_vector
from app.sync import bundle as bundle_format
from app.sync import exchange, merge
from app.sync.bundle import BundleRefused
from app.sync.conflicts import read_conflicts, settlement
from app.domain.person import PERSON_FIELDS
from app.domain.sync import ImportCounts, SyncConflict
from app.sync.devices import (
    build_device_file, new_identity, next_code, own_secrets, pin_anchors,
)
from app.sync.identity import DeviceSecrets
from app.sync.peers import own_vector

# Conflicts that may be settled with a value typed in, and whose rules check it (the same
# as a normal edit of the field); every other field is settled by choosing a side.
TYPED_FIELDS: dict[tuple[str, str], str] = {
    **{("person", f): "person" for f in PERSON_FIELDS if f != "sex"},
    ("referral_source", "name"): "master", ("service", "name"): "master",
    ("assessment_master", "name"): "master",
    ("staff", "display_name"): "user_name", ("staff", "team"): "team",
    ("device", "name"): "device_name",
}
# Tables an administrator keeps (MANAGE_SETTINGS): their conflicts are settled by one too.
ADMIN_TABLES = {"referral_source", "service", "assessment_master", "staff", "setting",
                "device"}


def _whole_export(sync: "SyncOperations", args: dict[str, Any]) -> None:
    """A transfer file of every case (no ``for_device``, no ``cases``) made on a desk holds
    every case: only a user who sees every case may make it. A field laptop sends what it
    holds (its checked-out cases) to the desk."""
    ctx = sync._ctx
    if args.get("cases") is None and args.get("for_device") is None \
            and sync.device_kind() != "field" and not ctx.allows(Permission.ALL_CASES):
        ctx.refuse(ctx.role_refused(), detail=f"{Permission.ALL_CASES.value} export_bundle")


class SyncOperations(Operations):
    """``desk.sync``: devices, checking cases out and in, transfer bundles, conflicts."""

    RULES: dict[str, Rule] = {
        "device_kind": OPEN("desk or field laptop"),
        "conflict_value_typeable": OPEN("looks at a value already given to the caller"),
        "devices": need(VIEW),
        "add_device": need(P.MANAGE_SETTINGS),
        "revoke_device": need(P.MANAGE_SETTINGS),
        "check_out": write(Refs("case_ids")),
        "check_in": write(Refs("case_ids")),
        "checked_out": need(VIEW),
        "export_bundle": need(VIEW, case=Refs("cases", optional=True), extra=_whole_export),
        "read_bundle_header": need(EDIT),
        "import_bundle": need(EDIT),
        "conflicts": read(Arg("case_id", optional=True)),
        "resolve_conflict": write(Row("sync_conflict", "conflict_id", optional=True)),
    }

    def __init__(self, ctx: DeskContext, security: SecurityOperations,
                 master: MasterOperations):
        super().__init__(ctx)
        self._security = security   # the password rule for a new device's key slots
        self._master_ops = master    # a master entry's name typed to settle a conflict

    # ------------------------------------------------------------------ this device
    def _me(self) -> str:
        return self._store.device_id

    def device_kind(self) -> str:
        return self._store.local("device_kind") or "desk"

    def _agency_id(self) -> str:
        return self._store.setting("agency.id", "") or ""

    def _secrets(self) -> DeviceSecrets:
        return own_secrets(self._store.conn)

    # ------------------------------------------------------------------ devices
    def devices(self) -> list[DeviceInfo]:
        self._ctx.require(Permission.VIEW_CASES)
        return list_devices(self._store.conn, self._me())

    def _device(self, device_id: str) -> DeviceInfo:
        for d in list_devices(self._store.conn, self._me()):
            if d.id == device_id or (d.code and d.code == device_id):
                return d
        raise NotFound(_("No device has the id {device}.").format(device=device_id))

    def add_device(self, kind: str, name: str, out_dir: str | os.PathLike[str], *,
                   password_for_new_device: str | None = None, cases: list[str] | None = None,
                   kdf=None) -> DeviceInfo:
        """Make a new installation in ``out_dir`` (tsunagu.db + tsunagu.db.keys).

        A desk device gets everything; a field laptop master data and the ``cases``
        checked out to it now (more later with check_out). With a password, the new
        installation gets its own key file with one slot (this user, that password);
        without, it gets a copy of this desk's key slots (same users, same recovery key)."""
        from app.security.keyslots import KeySlots, keys_path
        from app.store.store import new_id
        self._ctx.require(Permission.MANAGE_SETTINGS)
        if self.device_kind() != "desk":
            raise TsunaguError(_("Only a desk PC can add devices."))
        errors = []
        if kind not in ("desk", "field"):
            errors.append(ValidationError("kind", _("Choose the kind of device: desk or field.")))
        try:
            name = validation.clean_text(name, "name", _("Device name"), required=True,
                                         max_len=50)
        except ValidationError as e:
            errors.append(e)
        target = Path(out_dir) / "tsunagu.db"
        if target.exists() or keys_path(target).exists():
            errors.append(ValidationError("out_dir", _(
                "A database already exists in {folder}. Choose an empty folder.")
                .format(folder=str(out_dir))))
        if password_for_new_device is not None:
            from app.operations.checks import check_password
            try:
                check_password(password_for_new_device, self._security.min_password_length())
            except ValidationError as e:
                errors.append(e)
        if errors:
            raise ValidationErrors(errors)
        case_ids = [self._case_ref(c) for c in (cases or [])]
        if case_ids and kind != "field":
            raise TsunaguError(_("Cases are checked out to field devices only."))
        store = self._store
        device_id = new_id()
        code = next_code(store.conn, store.local("device_code") or "", kind)
        # the new installation's own key pairs, certified by this desk; the private halves
        # go into its database only (build_device_file), none stays here
        secrets, keys = new_identity(self._agency_id(), device_id, kind,
                                     issuer=(self._me(), self._secrets()))
        with store.transaction() as w:
            w.insert("device", {"name": name, "kind": kind, "code": code,
                                "created_at": self._ctx.today().isoformat(), **keys},
                     row_id=device_id)
            for case_id in case_ids:
                self._check_out_one(w, case_id, device_id)
            store.audit(self._ctx.user.login, "device_add", detail=f"{kind} {code} {name}")
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        vector = own_vector(store.conn, self._me())
        raw_key = store.database_key()
        if password_for_new_device is not None:
            slots = KeySlots.new(target)
            slots.set_password(self._ctx.user.login, password_for_new_device, raw_key, kdf)
        else:
            slots = KeySlots.load(store.path)
            slots.path = keys_path(target)
        try:
            build_device_file(store.conn, raw_key, target, device_id=device_id, name=name,
                              kind=kind, code=code, db_id=slots.db_id, creator=self._me(),
                              creator_vector=vector,
                              keep_cases=set(case_ids) if kind == "field" else None,
                              secrets=secrets,
                              anchors=dict(load_anchors(store.conn),
                                           **{self._me(): self._secrets().sign_key}))
            slots.save()
        except BaseException:
            from app.store.sync_devices import db_remove
            db_remove(target)
            raise
        with store.transaction():
            save_vector(store.conn, device_id, vector)
        return self._device(device_id)

    def revoke_device(self, device_id: str) -> None:
        """A lost or retired device: its bundles are refused from now on (here, and on
        every device that receives this change). Its cases are returned here."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        d = self._device(device_id)
        if d.this:
            raise TsunaguError(_("This device cannot revoke itself."))
        store = self._store
        with store.transaction() as w:
            w.update("device", d.id, {"revoked": 1})
            for cid, _case, _dev in open_checkouts(store.conn, device_id=d.id):
                w.update("checkout", cid, {"returned_on": self._ctx.today().isoformat()})
            store.audit(self._ctx.user.login, "device_revoke", detail=f"{d.code} {d.name}")

    # ------------------------------------------------------------------ 持ち出し
    def _case_ref(self, ref: str) -> str:
        if self._store.case(ref) is not None:
            return ref
        found = self._store.case_id_by_no(ref.strip())
        if found is None:
            raise NotFound(_("No case has the number {case_no}.").format(case_no=ref))
        return found

    def _check_out_one(self, w, case_id: str, device_id: str) -> None:
        conn = self._store.conn
        other = holder_elsewhere(conn, case_id, device_id)
        if other is not None:
            case = self._store.case(case_id)
            raise TsunaguError(_("Case {case_no} is already checked out to {device}. Check it "
                                 "in first.").format(case_no=case.case_no if case else case_id,
                                                      device=other))
        if case_id in held_cases(conn, device_id):
            return
        w.insert("checkout", {"case_id": case_id, "target_device": device_id,
                              "out_on": self._ctx.today().isoformat()})

    def check_out(self, case_ids: list[str], device_id: str) -> int:
        """持ち出し: the cases go to the field laptop with its next bundle."""
        self._ctx.require(Permission.EDIT_CASES)
        d = self._device(device_id)
        if d.kind != "field" or d.revoked:
            raise TsunaguError(_("Cases can be checked out only to a field device that is not "
                                 "revoked."))
        ids = [self._case_ref(c) for c in case_ids]
        with self._store.transaction() as w:
            for case_id in ids:
                self._check_out_one(w, case_id, d.id)
                self._store.audit(self._ctx.user.login, "check_out", case_id=case_id,
                                  detail=d.name)
        return len(ids)

    def check_in(self, case_ids: list[str], device_id: str | None = None) -> int:
        """The cases come back: the laptop deletes them once a desk holds its changes."""
        self._ctx.require(Permission.EDIT_CASES)
        ids = [self._case_ref(c) for c in case_ids]
        n = 0
        with self._store.transaction() as w:
            for case_id in ids:
                device = self._device(device_id).id if device_id else None
                for cid, _case, _dev in open_checkouts(self._store.conn, case_id=case_id,
                                                       device_id=device):
                    w.update("checkout", cid, {"returned_on": self._ctx.today().isoformat()})
                    n += 1
                self._store.audit(self._ctx.user.login, "check_in", case_id=case_id)
        return n

    def checked_out(self, device_id: str | None = None) -> list[tuple[str, str]]:
        """(case id, device id) of every open check-out."""
        return [(case, device) for _id, case, device
                in open_checkouts(self._store.conn, device_id=device_id or None)]

    # ------------------------------------------------------------------ bundles
    def export_bundle(self, out: str | os.PathLike[str], *, for_device: str | None = None,
                      cases: list[str] | None = None) -> dict:
        """Write a transfer file: what ``for_device`` has not seen, the chosen ``cases``
        (whole history, with master data), or everything. Returns the header."""
        self._ctx.require(Permission.VIEW_CASES)
        store, conn = self._store, self._store.conn
        peer = peer_kind = None
        known: dict[str, str] = {}
        if for_device is not None:
            d = self._device(for_device)
            if d.revoked:
                raise TsunaguError(_("The device {device} is revoked: no transfer file is made "
                                     "for it.").format(device=d.name))
            peer, peer_kind = d.id, d.kind
            known = load_vector(conn, peer)
        case_ids = None if cases is None else [self._case_ref(c) for c in cases]
        from app.operations import audit_anchors
        audit_part = audit_anchors.for_transfer(self, peer)
        header, data = exchange.make_bundle(
            conn, db_key=store.database_key(), agency_id=self._agency_id(), me=self._me(),
            my_kind=self.device_kind(), peer=peer, peer_kind=peer_kind, known=known,
            cases=case_ids, audit_part=audit_part)
        write_atomic(Path(out), data)
        with store.transaction():
            audit_anchors.after_export(self, peer, audit_part)
            if peer:
                save_vector(conn, peer, known, exported=header["created"])
            store.audit(self._ctx.user.login, "bundle_export",
                        detail=f"{Path(out).name} {header['entries']} → {peer or '*'}")
        return header

    def read_bundle_header(self, path: str | os.PathLike[str]) -> dict:
        """The header of a transfer file (not yet authenticated), for the 同期 screen."""
        data = exchange.read_file(Path(path))
        return bundle_format.read_header(data, Path(path).name)[0]

    def import_bundle(self, path: str | os.PathLike[str]) -> ImportCounts:
        """Apply a transfer file whole or not at all. Idempotent and order-independent.
        Returns the counts applied, skipped, conflicts (and refused: rows of authority from
        a field laptop)."""
        self._ctx.require(Permission.EDIT_CASES)
        store, conn = self._store, self._store.conn
        path = Path(path)
        got = exchange.open_bundle(conn, exchange.read_file(path), path.name,
                                   db_key=store.database_key(), agency_id=self._agency_id(),
                                   me=self._me())
        if got.sender == self._me():
            return ImportCounts(applied=0, skipped=len(got.entries), conflicts=0)
        # authority travels only from a desk: accounts, roles, settings, devices, master
        # data from a field laptop are refused (not applied) and flagged in the audit log
        entries, refused = merge.refused_from(got.sender_kind, got.sender, got.entries)
        name, sender_name, sender_kind = got.name, got.sender_name, got.sender_kind
        try:
            with store.transaction():
                if got.pins:
                    pin_anchors(conn, got.pins)
                    store.audit(self._ctx.user.login, "device_key_pinned",
                                detail=" ".join(f"{k}:{v}" for k, v in sorted(got.pins.items())))
                applied, skipped, conflicts = exchange.merge_bundle(
                    conn, store.clock, self._me(), self.device_kind(), got, entries)
                store.audit(self._ctx.user.login, "bundle_import",
                            detail=f"{name} +{applied} ={skipped} !{conflicts}")
                from app.operations import audit_anchors   # the sender's audit and anchors
                audit_anchors.receive(self, got.sender, sender_name, got.payload.get("audit"),
                                      str(got.header.get("created") or ""))
                if refused:
                    tables = sorted({e["tbl"] for e in refused})
                    store.audit(self._ctx.user.login, "bundle_refused_rows",
                                detail=f"{name} {sender_name} ({sender_kind}): "
                                       f"{len(refused)} × {','.join(tables)}",
                                reason=_("Accounts, roles, settings, devices and master data "
                                         "are accepted only from a desk PC."))
        except IntegrityError as exc:
            # the merge keeps unique keys apart (sync_merge); should a constraint still
            # fail, the whole file is refused in words, never half applied
            raise BundleRefused(_("The transfer file {name} could not be merged into this "
                                  "database ({error}). Nothing was imported. Keep the file "
                                  "and tell the administrator.")
                                .format(name=name, error=exc)) from exc
        # refused: rows of authority from a field laptop
        return ImportCounts(applied=applied, skipped=skipped, conflicts=conflicts,
                            refused=len(refused))

    # ------------------------------------------------------------------ conflicts
    def conflicts(self, *, open_only: bool = True, case_id: str | None = None
                  ) -> list[SyncConflict]:
        """Conflicts for the 同期 screen: both values, who wrote each and when, the value
        applied now, and whether it is still open — of the cases this user sees (and of
        users, settings and master data for the administrator)."""
        self._ctx.require(Permission.VIEW_CASES)
        return self._conflict_rows(open_only=open_only, case_id=case_id, only_visible=True)

    def _conflict_rows(self, *, open_only: bool, case_id: str | None,
                       only_visible: bool) -> list[SyncConflict]:
        access, visible = self._security.case_access(), {}
        admin = self._ctx.allows(Permission.MANAGE_SETTINGS)

        def shown(c: dict) -> bool:
            # both values of a field are case data: only conflicts of cases the user
            # sees; those of no case (users, settings, master data) for the administrator
            if not only_visible:
                return True
            if c["case_id"] is None:
                return admin or c["tbl"] not in ADMIN_TABLES
            if c["case_id"] not in visible:
                visible[c["case_id"]] = self._ctx.sec.case_visible(c["case_id"], access)
            return visible[c["case_id"]]
        return read_conflicts(self._store.conn, case_id=case_id, open_only=open_only,
                              shown=shown)

    def resolve_conflict(self, conflict_id: str, choice: str, value: Any = None) -> None:
        """Settle a conflict: ``choice`` "winner" (keep the applied side), "loser" (take
        the other value), or "value" (``value``). For a deletion conflict: "keep" or
        "delete". Written as a new journalled change that saw both sides."""
        self._ctx.require(Permission.EDIT_CASES)
        store = self._store
        found = [c for c in self._conflict_rows(open_only=False, case_id=None,
                                                only_visible=False) if c.id == conflict_id]
        if not found:
            raise NotFound(_("The conflict was not found."))
        c = found[0]
        if c.tbl in ADMIN_TABLES:   # master data, users, settings, devices
            self._ctx.require(Permission.MANAGE_SETTINGS)
        if c.kind == "field" and choice == "value":
            # typed in: checked exactly as a normal edit of the field would be
            value = self._typed_conflict_value(c, value)
        with store.transaction() as w:
            action, changes = settlement(store.conn, c, choice, value)
            if action == "delete":
                w.delete(c.tbl, c.row_id)
            else:
                w.update(c.tbl, c.row_id, changes, force=True)
            store.audit(self._ctx.user.login, "resolve_conflict", case_id=c.case_id,
                        detail=f"{c.tbl}.{c.field} {choice}")

    def conflict_value_typeable(self, conflict: SyncConflict) -> bool:
        """Whether another value may be typed in for this conflict (a text field with a
        validator of its own); other fields are settled by choosing one of the two sides."""
        return conflict.kind == "field" and (conflict.tbl, conflict.field) in TYPED_FIELDS

    def _typed_conflict_value(self, c: SyncConflict, value: Any) -> Any:
        """The value typed in to settle a conflict, validated and normalised by the same
        rules as a normal edit of that field; ValidationError(s) in Japanese otherwise."""
        kind = TYPED_FIELDS.get((c.tbl, c.field))
        if kind is None:
            raise ValidationError("value", _(
                "This value cannot be typed in: choose value A or value B."))
        if value is not None and not isinstance(value, str):
            raise ValidationError("value", _("Enter the value as text."))
        text = value or ""
        if kind == "person":
            person = self._store.person(c.row_id)
            if person is None:
                raise NotFound(_("The person was not found."))
            return person_values(self._store, self._ctx.today(), person, {c.field: text},
                                 only=c.field)[c.field]
        if kind == "master":
            return self._master_ops.checked_typed_name(c.tbl, c.row_id, text)
        if kind == "user_name":
            return validation.clean_text(text, "user.display_name", _("Name"), required=True,
                                         max_len=50)
        if kind == "team":
            return validation.clean_text(text, "user.team", _("Team"), max_len=30)
        return validation.clean_text(text, "name", _("Device name"), required=True, max_len=50)


__all__ = ["SyncOperations"]


install(SyncOperations)   # every public operation checked against its rule

