"""Encrypted backups: made with sqlcipher_export (never a file copy), key slots included,
each one verified by reopening it and checking every page before it counts.

A backup is a pair in the backup folder: ``tsunagu-YYYYMMDD-HHMMSS.db`` (encrypted with
the same database key) and ``….db.keys`` (the key slots at the time of the backup).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import StoreError
from app.i18n import _
from app.store import db
from app.files import fsync_dir, write_atomic

NAME = re.compile(r"^tsunagu-(\d{8}-\d{6})(?:-\d+)?\.db$")


@dataclass
class BackupInfo:
    path: Path
    created: datetime
    size: int


def list_backups(folder: str | os.PathLike[str]) -> list[BackupInfo]:
    """Backups in ``folder``, newest first (only complete pairs)."""
    folder = Path(folder)
    found: list[BackupInfo] = []
    if not folder.is_dir():
        return found
    for p in folder.iterdir():
        m = NAME.match(p.name)
        if m and Path(str(p) + ".keys").exists():
            found.append(BackupInfo(p, datetime.strptime(m.group(1), "%Y%m%d-%H%M%S"),
                                    p.stat().st_size))
    found.sort(key=lambda b: (b.created, b.path.name), reverse=True)
    return found


def verify_file(path: str | os.PathLike[str], raw_key: bytes,
                stop: threading.Event | None = None) -> int:
    """Open a database or backup with its key and check every page and the structure.
    Returns its schema version; raises DamagedDatabase / TruncatedDatabase (Cancelled
    once ``stop`` is set)."""
    conn = db.connect(Path(path), raw_key)
    try:
        with db.stoppable(conn, stop):
            db.check_pages(conn, thorough=True)
        return db.user_version(conn)
    finally:
        conn.close()


def make_backup(conn: db.Connection, raw_key: bytes, keys_file: Path, folder: str | os.PathLike[str],
                *, keep: int = 10, now: datetime | None = None,
                stop: threading.Event | None = None) -> Path:
    """Write a verified backup into ``folder`` and prune to ``keep`` generations.

    ``conn`` may be a connection of the backup's own while the desk goes on being used:
    the copy is the database as it was when the copy began (one read transaction), and
    the manifest's audit anchor is read before it (an entry the copy holds). ``stop``:
    ends it early with Cancelled, leaving no file behind."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(_("The backup folder {folder} cannot be created: {error}")
                         .format(folder=folder, error=exc.strerror or exc)) from exc
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"tsunagu-{stamp}.db"
    n = 1
    while target.exists():
        target = folder / f"tsunagu-{stamp}-{n}.db"
        n += 1
    _check_free_space(conn, folder)
    manifest = _manifest(conn, target)
    try:
        with db.stoppable(conn, stop):
            db.export_copy(conn, target, raw_key)
        write_atomic(Path(str(target) + ".keys"), keys_file.read_bytes())
        verify_file(target, raw_key, stop)
    except OSError as exc:
        remove_pair(target)
        if exc.errno == errno.ENOSPC:
            raise _disk_full(folder) from exc
        raise StoreError(_("The backup could not be written to {folder}: {error}. Check that "
                           "the drive is connected and has free space.")
                         .format(folder=folder, error=exc.strerror or exc)) from exc
    except db.DiskFull as exc:  # SQLITE_FULL, as the connection wrapper reports it
        remove_pair(target)
        raise _disk_full(folder) from exc
    except db.DatabaseError as exc:
        # SQLite reports ENOSPC as "database or disk is full" (SQLITE_FULL).
        remove_pair(target)
        if "full" in str(exc).lower():
            raise _disk_full(folder) from exc
        raise
    except BaseException:
        remove_pair(target)
        raise
    write_atomic(Path(str(target) + MANIFEST),
                 json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    fsync_dir(folder)
    for old in list_backups(folder)[keep:]:
        remove_pair(old.path)
    return target


def _disk_full(folder: Path) -> StoreError:
    return StoreError(_("The backup drive {folder} is full. Nothing was changed in the "
                        "database and no partial backup was left. Free some space (or use "
                        "another drive) and back up again.").format(folder=folder))


def _check_free_space(conn: db.Connection, folder: Path) -> None:
    """Refuse before writing when the drive clearly cannot hold the backup."""
    pages, free_pages, page_size = (int(conn.execute(f"PRAGMA {name}").fetchone()[0])
                                    for name in ("page_count", "freelist_count", "page_size"))
    need = (pages - free_pages) * page_size + 64 * 1024
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # some network shares do not say; the write itself will tell
    if free < need:
        raise StoreError(_("The backup drive {folder} does not have enough free space (about "
                           "{need} MB needed, {free} MB free). Nothing was changed in the "
                           "database. Free some space (or use another drive) and back up "
                           "again.").format(folder=folder, need=_mb(need), free=_mb(free)))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


MANIFEST = ".manifest.json"


def _manifest(conn: db.Connection, target: Path) -> dict:
    """Beside each backup: when, which schema, and where the audit chain ended — an anchor
    kept outside the database, so that removing the last audit entries is detected
    (app/operations/audit_anchors.py)."""
    from app.store import audit
    return {"format": "tsunagu-backup-manifest", "backup": target.name,
            "created": datetime.now().astimezone().isoformat(timespec="seconds"),
            "schema": db.user_version(conn),
            "device_id": (conn.execute("SELECT value FROM local WHERE key = 'device_id'")
                          .fetchone() or [""])[0],
            "audit_anchor": audit.head(conn)}


def manifests(folder: str | os.PathLike[str]) -> list[dict]:
    """The readable manifests of the backups in ``folder`` (a damaged one is skipped)."""
    out = []
    for b in list_backups(folder):
        try:
            info = json.loads(Path(str(b.path) + MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(info, dict) and isinstance(info.get("audit_anchor"), dict):
            out.append(info)
    return out


def remove_pair(path: Path) -> None:
    """A backup and the files beside it (keys, manifest, a half-written copy)."""
    for p in (path, Path(str(path) + ".keys"), path.with_name(path.name + ".part"),
              Path(str(path) + MANIFEST)):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def kept_name(live: Path, now: datetime | None = None) -> Path:
    """A name for the replaced files that no earlier restore used: two restores in the
    same second (or a clock set back) never overwrite what an earlier one set aside."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    n = 0
    while True:
        kept = live.with_name(f"{live.name}.replaced-{stamp}" + (f"-{n}" if n else ""))
        if not any(Path(str(kept) + s).exists() for s in ("", "-wal", "-shm", ".keys")):
            return kept
        n += 1


def restore(backup: str | os.PathLike[str], raw_key: bytes, live: str | os.PathLike[str],
            *, keys: bytes | None = None) -> Path:
    """Replace the live database with a verified backup. The replaced files are kept
    beside it as ``<name>.replaced-<stamp>[-n]`` (never overwritten) so that a restore can
    itself be undone. ``keys``: the key file to install (default: the backup's).
    Returns the path of the kept old database (or the live path if there was none)."""
    backup, live = Path(backup), Path(live)
    verify_file(backup, raw_key)
    kept = kept_name(live)
    staging = live.with_name(live.name + ".restoring")
    shutil.copyfile(backup, staging)
    with open(staging, "rb+") as fh:
        os.fsync(fh.fileno())
    verify_file(staging, raw_key)
    for suffix in ("", "-wal", "-shm", ".keys"):
        old = Path(str(live) + suffix)
        if old.exists():
            os.replace(old, Path(str(kept) + suffix))
    os.replace(staging, live)
    write_atomic(Path(str(live) + ".keys"),
                 keys if keys is not None else Path(str(backup) + ".keys").read_bytes())
    fsync_dir(live.parent)
    return kept
