"""Backups as the desk keeps them: where they go, how many are kept, when the next
automatic one is due, and checking backups when the database itself cannot be opened.

Automatic backups (on exit and at most once a day while the program runs) are the
system protecting the agency's history, so they run for every user whatever the role;
choosing the folder and the number of generations is the administrator's
(MANAGE_SETTINGS). A folder the administrator chose gets a small marker file: a backup
into a folder without it is refused, because on a USB drive or NAS that is not
connected the folder's path may still exist as an empty local folder (a mount point),
and a backup written there would silently miss the drive.

Beside the database, ``<database>.backup.json`` names the backup folder so that the
recovery screen finds the backups when the database itself is damaged (the setting is
inside it).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from app.errors import StoreError, ValidationError
from app.i18n import _
from app.operations.context import DeskContext, Operations
from app.security.authorization import OPEN, Rule, install, need
from app.security.roles import Permission
from app.store.backup import BackupInfo, list_backups, verify_file
from app.files import write_atomic

FOLDER_SETTING = "backup.folder"
GENERATIONS_SETTING = "backup.generations"
LAST_BACKUP_LOCAL = "backup.last"
DEFAULT_GENERATIONS = 10
MAX_GENERATIONS = 100
MARKER = ".tsunagu-backups"


@dataclass(frozen=True)
class BackupJob:
    """A backup about to be written (``prepare_backup``): where, how many are kept, the
    time it is named after, and why (auto, exit, manual)."""
    folder: Path
    keep: int
    now: datetime
    reason: str
    token: str = ""   # issued by prepare_backup: write_backup takes no other job


@dataclass(frozen=True)
class BackupSettings:
    folder: Path
    generations: int
    custom: bool  # False: the default folder beside the database


def default_backup_folder(db_path: str | os.PathLike[str]) -> Path:
    return Path(db_path).parent / "backups"


def pointer_path(db_path: str | os.PathLike[str]) -> Path:
    return Path(str(db_path) + ".backup.json")


def backup_folders_for(db_path: str | os.PathLike[str]) -> list[Path]:
    """Where the backups of the database at ``db_path`` may be, without opening it: the
    folder named beside it (if any), then the default folder."""
    folders: list[Path] = []
    try:
        data = json.loads(pointer_path(db_path).read_text(encoding="utf-8"))
        if data.get("folder"):
            folders.append(Path(data["folder"]))
    except (OSError, ValueError, AttributeError):
        pass
    default = default_backup_folder(db_path)
    if default not in folders:
        folders.append(default)
    return folders


class BackupUnlocker:
    """Checks backups of a database that may not open: each backup's own key file is
    unlocked with the password (or the recovery key when ``login`` is empty), then every
    page is read (app.store.backup.verify_file).

    The key derivation is slow by design; backups whose key files are identical (the
    passwords did not change between them) are unlocked once."""

    def __init__(self, login: str, secret: str):
        self.login = login
        self.secret = secret
        self._keys: dict[bytes, bytes] = {}

    def raw_key(self, backup: str | os.PathLike[str]) -> bytes:
        """WrongPassword, MissingKeySlots (key file missing or damaged)."""
        from app.security.keyslots import KeySlots, keys_path
        try:
            digest = sha256(keys_path(backup).read_bytes()).digest()
        except OSError:
            digest = b""
        if digest and digest in self._keys:
            return self._keys[digest]
        slots = KeySlots.load(backup)
        key = (slots.unlock(self.login, self.secret) if self.login
               else slots.unlock_with_recovery_key(self.secret))
        if digest:
            self._keys[digest] = key
        return key

    def check(self, backup: str | os.PathLike[str]) -> int:
        """Unlock and verify one backup; returns its schema version. Raises WrongPassword,
        MissingKeySlots, DamagedDatabase or TruncatedDatabase with the message to show."""
        key = self.raw_key(backup)
        return verify_file(backup, key)


class MaintenanceOperations(Operations):
    """``desk.maintenance``: backups (settings, automatic and by hand, checking them) and
    the integrity check of the database file."""

    RULES: dict[str, Rule] = {
        "check_integrity": OPEN("reads every page and answers whether the file is whole"),
        "last_backup": OPEN("when the last backup was made (the reminder)"),
        "backup_due": OPEN("whether a backup is due (the reminder)"),
        "backup_folder": OPEN("where backups go"),
        "backup_generations": OPEN("how many backups are kept"),
        "backup_settings": OPEN("where backups go and how many are kept"),
        "set_backup_settings": need(Permission.MANAGE_SETTINGS),
        "backup": need(Permission.BACKUP),
        # automatic backups are the system's own, for every role (the module's docstring):
        # into the folder and generations the administrator set, never the caller's
        "auto_backup": OPEN("the automatic backup, for every role, into the set folder"),
        "prepare_backup": OPEN("the automatic backup's folder, for every role"),
        # the role was checked by prepare_backup; this runs beside the screens, on a
        # connection of its own, and reads nothing of the desk's connection (not even the
        # role's settings): it takes only a job that prepare_backup issued, once
        "write_backup": OPEN("writes only a backup prepare_backup issued (checked inside)"),
        "record_backup": OPEN("records only the file written for a job this desk issued"),
        # on a desk locked or closed since the copy began: only that copy, file by file
        "discard_backup": OPEN("removes only a copy this desk wrote for a job, unrecorded"),
        "backups": need(Permission.BACKUP),
        "verify_backup": need(Permission.BACKUP),
    }

    def __init__(self, ctx: DeskContext):
        super().__init__(ctx)
        # the jobs prepare_backup issued: None until written, then the file written for
        # it until recorded or discarded (off while being written: never twice)
        self._jobs: dict[str, Path | None] = {}

    def _is_at(self, job: BackupJob, target: Path | None) -> bool:
        """``job`` was issued by this desk and is at ``target`` (None: not yet written)."""
        return bool(job.token) and job.token in self._jobs and self._jobs[job.token] == target

    def _require_at(self, job: BackupJob, target: Path | None, step: str) -> None:
        if not self._is_at(job, target):
            self._ctx.refuse(_("This backup was not prepared by this desk. Back up again "
                               "from the Backup area."), detail=step)

    def check_integrity(self, stop: threading.Event | None = None) -> None:
        """Read every page (HMAC) and check the structure; DamagedDatabase if broken.

        Small databases get the page check at open already; the GUI runs this in the
        background after login for large ones. It reads on a connection of its own, so
        that the desk's connection is free for the screens meanwhile (safe to call from
        another thread while the desk is used). ``stop``: ends it early (Cancelled)."""
        from app.store.db import check_file
        store = self._ctx.store
        if store is None:
            raise StoreError(_("The database is closed."))
        check_file(store.path, store.database_key() or None, stop)

    # ------------------------------------------------------------------ backups
    def backup_folder(self) -> Path:
        folder = self._store.local("backup.folder") or ""  # a path on this machine
        return Path(folder) if folder else self._store.path.parent / "backups"

    def backup_generations(self) -> int:
        return int(self._store.setting("backup.generations", "10") or 10)

    def backup(self, folder: str | os.PathLike[str] | None = None) -> Path:
        """Write an encrypted, verified backup (key slots included); prune old generations."""
        self._ctx.require(Permission.BACKUP)
        target = self._store.backup(Path(folder) if folder else self.backup_folder(),
                                    keep=self.backup_generations())
        with self._store.transaction():
            self._store.audit(self._ctx.user.login, "backup", detail=str(target))
        return target

    def verify_backup(self, path: str | os.PathLike[str]) -> int:
        """Open a backup with this desk's key and check every page; returns its schema."""
        return self._store.verify_backup(Path(path))


    # ------------------------------------------------------------------ settings
    def backup_settings(self) -> BackupSettings:
        # The folder is a path on this machine: kept locally, never synced to other devices.
        folder = (self._store.local(FOLDER_SETTING) or "").strip()
        try:
            generations = int(self._store.setting(GENERATIONS_SETTING, "") or
                              DEFAULT_GENERATIONS)
        except ValueError:
            generations = DEFAULT_GENERATIONS
        if folder:
            return BackupSettings(Path(folder), generations, True)
        return BackupSettings(default_backup_folder(self._store.path), generations, False)

    def set_backup_settings(self, folder: str | os.PathLike[str] | None,
                            generations: int) -> BackupSettings:
        """Administrator: the backup folder (a USB drive or NAS path is fine; empty means
        the default folder beside the database) and the generations kept. The folder is
        created if needed and must be writable."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        errors = []
        if isinstance(generations, bool) or not isinstance(generations, int) \
                or not 1 <= generations <= MAX_GENERATIONS:
            errors.append(ValidationError("backup.generations", _(
                "Enter the number of backups to keep as a whole number from 1 to {n}.")
                .format(n=MAX_GENERATIONS)))
        text = str(folder or "").strip()
        target: Path | None = None
        if text:
            target = Path(text).expanduser()
            problem = _check_folder(target, self._store.path)
            if problem:
                errors.append(ValidationError("backup.folder", problem))
        if errors:
            from app.errors import ValidationErrors
            raise ValidationErrors(errors)
        if target is not None:
            _write_marker(target, self._store.agency().name)
        with self._store.transaction() as w:
            self._store.set_local(FOLDER_SETTING, str(target) if target else "")
            self._store.put_setting(w, GENERATIONS_SETTING, str(generations))
            self._store.audit(self._ctx.user.login, "setting",
                              detail=f"{FOLDER_SETTING}={target or ''} "
                                     f"{GENERATIONS_SETTING}={generations}")
        self._write_pointer()
        return self.backup_settings()

    # ------------------------------------------------------------------ automatic backups
    def last_backup(self) -> datetime | None:
        """The newest backup this desk knows of: the last one it wrote, or the newest in
        the backup folder (a backup made from the command line counts too)."""
        times = []
        stamp = self._store.local(LAST_BACKUP_LOCAL)
        if stamp:
            try:
                times.append(datetime.fromisoformat(stamp))
            except ValueError:
                pass
        try:
            found = list_backups(self.backup_settings().folder)
        except OSError:
            found = []
        if found:
            times.append(found[0].created)
        return max(times) if times else None

    def backup_due(self, now: datetime | None = None) -> bool:
        """True when no backup was made today (automatic backups run at most daily)."""
        now = now or datetime.now()
        last = self.last_backup()
        return last is None or last.date() < now.date() or last > now  # clock set back

    def auto_backup(self, now: datetime | None = None, *, only_if_due: bool = False,
                    reason: str = "auto") -> Path | None:
        """Write a verified backup into the configured folder (on exit, daily). Returns
        its path, or None when ``only_if_due`` and one was made today already. Any
        failure is a StoreError saying what to do; the live database is never changed.
        The three steps one after another; the GUI runs the long middle one beside the
        screens (``prepare_backup``, ``write_backup``, ``record_backup``)."""
        job = self.prepare_backup(now, only_if_due=only_if_due, reason=reason)
        if job is None:
            return None
        return self.record_backup(job, self.write_backup(job))

    def prepare_backup(self, now: datetime | None = None, *, only_if_due: bool = False,
                       reason: str = "auto") -> BackupJob | None:
        """Where the next backup goes (the settings read, the chosen folder's marker
        checked), or None when ``only_if_due`` and one was made today already."""
        now = now or datetime.now()
        if only_if_due and not self.backup_due(now):
            return None
        settings = self.backup_settings()
        if settings.custom:
            _require_marker(settings.folder)
        job = BackupJob(settings.folder, settings.generations, now, reason,
                        secrets.token_hex(16))
        self._jobs[job.token] = None
        return job

    def write_backup(self, job: BackupJob, stop: threading.Event | None = None) -> Path:
        """Write and verify the backup ``job`` names, on a connection of its own: safe to
        call from another thread while the desk is used, like ``check_integrity`` — the
        screens read and write meanwhile, and the copy is the database as it was when it
        began (at 100,000 cases it takes a minute or more). ``stop``: ends it early with
        Cancelled and no file left. Nothing is recorded until ``record_backup``."""
        from app.security.keyslots import keys_path
        from app.store import db
        from app.store.backup import make_backup
        store = self._ctx.store
        if store is None:
            raise StoreError(_("The database is closed."))
        self._require_at(job, None, "write_backup")
        del self._jobs[job.token]   # written once only, even if it fails
        key = store.database_key()
        conn = db.connect(store.path, key or None)
        try:
            conn.execute("PRAGMA cache_size = -2048")   # the pages pass through once
            target = make_backup(conn, key, keys_path(store.path), job.folder,
                                 keep=job.keep, now=job.now, stop=stop)
        finally:
            conn.close()
        self._jobs[job.token] = target
        return target

    def record_backup(self, job: BackupJob, target: str | os.PathLike[str]) -> Path:
        """The backup written for ``job`` counts: when (the daily reminder), the audit
        entry, the pointer beside the database that names the folder. Only the file
        ``write_backup`` wrote for it (no day's backup is skipped for a file never made)."""
        target = Path(target)
        self._require_at(job, target, "record_backup")
        del self._jobs[job.token]
        store = self._store
        with store.transaction():
            store.set_local(LAST_BACKUP_LOCAL, job.now.isoformat(timespec="seconds"))
            store.audit(self._ctx.user.login, "backup", detail=f"{job.reason}: {target}")
        self._write_pointer()
        return target

    def discard_backup(self, job: BackupJob, target: str | os.PathLike[str]) -> bool:
        """Remove the copy ``write_backup`` wrote for ``job`` when it cannot be recorded
        any more (the screen locked or the program closed meanwhile): no backup stays
        without its audit entry. Anything else is left alone (False). Reads no database."""
        target = Path(target)
        if not self._is_at(job, target):
            return False
        del self._jobs[job.token]
        from app.store.backup import remove_pair
        remove_pair(target)
        return True

    def backups(self) -> list[BackupInfo]:
        """Backups in the configured folder, newest first ([] if it cannot be read)."""
        try:
            return list_backups(self.backup_settings().folder)
        except OSError:
            return []

    def _write_pointer(self) -> None:
        settings = self.backup_settings()
        data = {"folder": str(settings.folder) if settings.custom else ""}
        try:
            write_atomic(pointer_path(self._store.path),
                         json.dumps(data, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # only a convenience for the recovery screen; the default folder is known


def _check_folder(folder: Path, db_path: Path) -> str:
    """The problem with ``folder`` as a backup folder, or ''."""
    if not folder.is_absolute():
        return _("Give the backup folder as a full path (beginning with a drive such as "
                 "E: or with the name of a network share).")
    if folder.resolve() == db_path.parent.resolve():
        return _("Choose a folder other than the database's own folder (a backup there "
                 "is lost with the disk).")
    if folder.exists() and not folder.is_dir():
        return _("{folder} is a file, not a folder.").format(folder=folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _("The folder {folder} cannot be created ({error}). If it is on a USB drive "
                 "or a network drive, check that the drive is connected.").format(
                     folder=folder, error=exc.strerror or exc)
    try:
        fd, probe = tempfile.mkstemp(prefix=".tsunagu-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return _("Tsunagu cannot write to the folder {folder} ({error}). Choose a folder "
                 "you may write to.").format(folder=folder, error=exc.strerror or exc)
    return ""


def _write_marker(folder: Path, agency: str) -> None:
    try:
        write_atomic(folder / MARKER, json.dumps({"agency": agency}, ensure_ascii=False)
                     .encode("utf-8"))
    except OSError as exc:
        raise StoreError(_("Tsunagu cannot write to the folder {folder} ({error}). Choose a "
                           "folder you may write to.").format(folder=folder,
                                                              error=exc.strerror or exc)
                         ) from exc


def _require_marker(folder: Path) -> None:
    if not folder.is_dir():
        raise StoreError(_(
            "The backup folder {folder} was not found. If it is on a USB drive or a network "
            "drive (NAS), connect it and back up again; or choose another folder in "
            "Backup settings.").format(folder=folder))
    if not (folder / MARKER).exists():
        raise StoreError(_(
            "The folder {folder} exists but is not the backup folder that was set up (its "
            "marker file is missing): the USB drive or network drive is probably not "
            "connected. Connect it and back up again, or set the folder again in Backup "
            "settings.").format(folder=folder))


__all__ = ["MaintenanceOperations", "BackupSettings", "BackupUnlocker", "backup_folders_for",
           "default_backup_folder", "pointer_path"]


install(MaintenanceOperations)   # every public operation checked against its rule
