"""Sync-folder operations of Desk: a folder (USB stick, shared folder, Syncthing folder) where
each installation leaves one transfer file per peer and picks up the files addressed to it;
plus what the 同期 screen needs beside app/operations/sync.py (last exchange per device,
conflicts with case numbers and names of people and devices).

File names: ``tsunagu-to-<receiver id>-from-<sender id>.tsb`` — a peer finds its own files
by its id; the header inside is what is trusted. Files are written atomically (temporary
file beginning with a dot, then renamed), so a half-written file is never picked up.

The folder is a setting of this installation (table ``local``: never sent to other
devices, since each PC has its own path). Files already imported are remembered by size and
modification time, so an unchanged file is not read again; importing one twice would
change nothing anyway (import is idempotent). A file for a peer is rewritten only when this
installation holds something new or learnt what the peer holds.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from app.domain.sync import (
    FolderSync, ImportedFile, RefusedFile, SyncConflict, WrittenFile,
)
from app.errors import TsunaguError, ValidationError
from app.i18n import _
from app.operations.context import DeskContext, Operations
from app.operations.sync import SyncOperations
from app.security.authorization import EDIT, OPEN, VIEW, P, Rule, install, need
from app.security.roles import Permission
from app.store.sync_peers import exchange_times, load_vector
from app.sync.bundle import BundleRefused
from app.sync.merge import record_name
from app.sync.peers import own_vector

FOLDER_KEY = "sync_folder.path"
SEEN_KEY = "sync_folder.seen"    # {file name: [size, mtime_ns]} imported (or refused) here
SENT_KEY = "sync_folder.sent"    # {peer id: signature of the last file written for it}
PREFIX = "tsunagu-to-"
SUFFIX = ".tsb"


def folder_file_name(to_device: str, from_device: str) -> str:
    """The name of the transfer file ``from_device`` leaves in the folder for ``to_device``."""
    return f"{PREFIX}{to_device}-from-{from_device}{SUFFIX}"


def hlc_time(hlc: str | None) -> str | None:
    """The wall-clock time of a hybrid-logical-clock stamp, as a local ISO timestamp."""
    try:
        ms = int(str(hlc).split("-", 1)[0])
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).astimezone().isoformat(
        timespec="seconds")


class SyncFolderOperations(Operations):
    """``desk.sync_folder``: the shared folder transfer files go through, and the read
    models of the 同期 screen — a transport on top of ``desk.sync``, which it is given."""

    RULES: dict[str, Rule] = {
        "sync_folder": OPEN("the shared folder for transfer files"),
        "set_sync_folder": need(P.MANAGE_SETTINGS),
        "checked_out_case_numbers": need(VIEW),
        "sync_with_folder": need(EDIT),
        "device_exchanges": need(VIEW),
        "conflicts_for_screen": need(VIEW),
    }

    def __init__(self, ctx: DeskContext, sync: SyncOperations):
        super().__init__(ctx)
        self._sync = sync

    # ------------------------------------------------------------------ setting
    def sync_folder(self) -> str | None:
        """The sync folder of this installation, or None when none is set."""
        return self._store.local(FOLDER_KEY) or None

    def set_sync_folder(self, path: str | os.PathLike[str] | None) -> str | None:
        """Set (or clear, with None / "") the sync folder. It must exist and be writable."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        text = "" if path is None else str(path).strip()
        if text:
            folder = Path(text).expanduser()
            if not folder.is_dir():
                raise ValidationError("sync_folder", _(
                    "The folder {folder} was not found. Connect the drive or create the "
                    "folder, then choose it again.").format(folder=text))
            probe = folder / f".tsunagu-probe-{uuid.uuid4().hex}"
            try:
                probe.write_bytes(b"")
                probe.unlink()
            except OSError as exc:
                raise ValidationError("sync_folder", _(
                    "Tsunagu cannot write to the folder {folder} ({error}). Choose a folder "
                    "this PC may write to.").format(folder=text, error=exc.strerror or exc)) \
                    from None
            text = str(folder.resolve())
        store = self._store
        with store.transaction():
            store.set_local(FOLDER_KEY, text)
            store.set_local(SEEN_KEY, "{}")
            store.set_local(SENT_KEY, "{}")
            store.audit(self._ctx.user.login, "setting", detail=f"{FOLDER_KEY}={text}")
        return text or None

    # ------------------------------------------------------------------ sync
    def _json_local(self, key: str) -> dict[str, Any]:
        try:
            value = json.loads(self._store.local(key) or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def sync_with_folder(self) -> FolderSync:
        """Import the files addressed to this installation, then write one for each peer:
        what was imported, refused, left unchanged (read before), written, up to date."""
        self._ctx.require(Permission.EDIT_CASES)
        text = self.sync_folder()
        if not text:
            raise TsunaguError(_("No sync folder is set. Choose one on the Sync screen."))
        folder = Path(text)
        if not folder.is_dir():
            raise TsunaguError(_("The sync folder {folder} was not found. If it is on a USB "
                                 "drive or a network drive, connect it and try again.")
                               .format(folder=text))
        me = self._sync._me()
        names = {d.id: d.name for d in self._sync.devices()}
        imported: list[ImportedFile] = []
        refused: list[RefusedFile] = []
        written: list[WrittenFile] = []
        unchanged = up_to_date = 0
        # 1. what the others left for us
        seen = self._json_local(SEEN_KEY)
        present: set[str] = set()
        for path in sorted(folder.glob(f"{PREFIX}{me}-from-*{SUFFIX}")):
            try:
                st = path.stat()
            except OSError:
                continue
            present.add(path.name)
            signature = [st.st_size, st.st_mtime_ns]
            if seen.get(path.name) == signature:
                unchanged += 1
                continue
            sender = path.name[len(f"{PREFIX}{me}-from-"):-len(SUFFIX)]
            try:
                counts = self._sync.import_bundle(path)
            except BundleRefused as exc:
                refused.append(RefusedFile(path.name, str(exc)))
            else:
                imported.append(ImportedFile(path.name, names.get(sender, sender), counts))
            seen[path.name] = signature
        seen = {k: v for k, v in seen.items() if k in present}
        # 2. one file for each peer (a field laptop writes for the desks only)
        sent = self._json_local(SENT_KEY)
        field = self._sync.device_kind() == "field"
        own = own_vector(self._store.conn, me)
        for d in self._sync.devices():
            if d.this:
                continue
            target = folder / folder_file_name(d.id, me)
            if d.revoked or (field and d.kind != "desk"):
                if d.revoked and target.exists():
                    target.unlink()  # a lost device gets nothing more from us
                sent.pop(d.id, None)
                continue
            sent_as = json.dumps([own, load_vector(self._store.conn, d.id)],
                                 sort_keys=True)
            if sent.get(d.id) == sent_as and target.exists():
                up_to_date += 1
                continue
            header = self._sync.export_bundle(target, for_device=d.id)
            sent[d.id] = sent_as
            written.append(WrittenFile(target.name, d.name, int(header.get("entries", 0))))
        with self._store.transaction():
            self._store.set_local(SEEN_KEY, json.dumps(seen, sort_keys=True))
            self._store.set_local(SENT_KEY, json.dumps(sent, sort_keys=True))
        return FolderSync(text, tuple(imported), tuple(refused), unchanged, tuple(written),
                          up_to_date)

    # ------------------------------------------------------------------ screen read models
    def device_exchanges(self) -> dict[str, dict[str, str | None]]:
        """{device id: {"imported": when we last imported from it, "exported": when we last
        wrote a transfer file for it}} (ISO timestamps, UTC; None when never)."""
        self._ctx.require(Permission.VIEW_CASES)
        return {peer: {"imported": imp, "exported": exp}
                for peer, (imp, exp) in exchange_times(self._store.conn).items()}

    def checked_out_case_numbers(self, device_id: str) -> list[str]:
        """Case numbers of the cases checked out to ``device_id`` now."""
        self._ctx.require(Permission.VIEW_CASES)
        out = []
        for case_id, _dev in self._sync.checked_out(device_id):
            case = self._store.case(case_id)
            out.append(case.case_no if case else case_id)
        return out

    def conflicts_for_screen(self, *, open_only: bool = True) -> list[SyncConflict]:
        """``conflicts()`` with what a person needs to decide: ``case_nos`` (the case numbers
        the row belongs to), each side's ``user_name``, ``device_name`` and ``time`` (local
        ISO time), ``typeable`` (another value may be typed in) and ``record`` (the name of
        a master-data record; ``kept_record`` of a rule conflict: the record kept)."""
        rows = self._sync.conflicts(open_only=open_only)
        staff = {s.id: s.display_name for s in self._store.staff(active_only=False)}
        staff.update({s.login: s.display_name for s in self._store.staff(active_only=False)})
        devices = {d.id: d.name for d in self._sync.devices()}
        out = []
        for c in rows:
            case_ids = [c.case_id] if c.case_id else []
            if not case_ids and c.tbl == "person":
                person = self._store.person(c.row_id)
                case_ids = person.case_ids if person else []
            numbers = []
            for case_id in case_ids:
                case = self._store.case(case_id)
                numbers.append(case.case_no if case else case_id)
            kept_record = ""
            if c.kind == "rule":   # the record kept (the other side of the rule)
                try:
                    kept = json.loads(c.detail or "[]")
                except ValueError:
                    kept = []
                kept_record = record_name(self._store.conn, c.tbl, kept[0]) \
                    if kept and isinstance(kept[0], str) else ""
            sides = {side: replace(
                c.side(side), user_name=staff.get(c.side(side).user, c.side(side).user),
                device_name=devices.get(c.side(side).device, c.side(side).device),
                time=hlc_time(c.side(side).hlc)) for side in ("winner", "loser")}
            out.append(replace(
                c, case_nos=tuple(numbers), typeable=self._sync.conflict_value_typeable(c),
                record=record_name(self._store.conn, c.tbl, c.row_id),
                kept_record=kept_record, winner=sides["winner"], loser=sides["loser"]))
        return out


install(SyncFolderOperations)   # every public operation checked against its rule
