"""One writer per database: an OS-level lock on ``<database>.lock``.

The lock is held on an open file (fcntl on POSIX, msvcrt on Windows), so a crashed
instance releases it by itself: a lock file left behind after a crash is recognised as
stale and taken over. The file names who holds the lock (user and machine) so that a
second instance can say who has the desk open.

The screen lock keeps the lock: a locked program is still open (its windows may hold unsaved
input that is saved on unlock), so the database is closed and the key dropped but the lock
stays held, marked ``locked`` — a second instance is refused and told that the desk is open,
and locked, on that computer. It is released only when the program quits or logs out.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from app.errors import AlreadyOpen
from app.i18n import _


def lock_path(db_path: str | os.PathLike[str]) -> Path:
    return Path(str(db_path) + ".lock")


class DeskLock:
    def __init__(self, db_path: str | os.PathLike[str]):
        self.path = lock_path(db_path)
        self._fh: BinaryIO | None = None
        self._info: dict = {}
        self.previous: dict = {}

    @property
    def previous_unclean(self) -> bool:
        """The program that held the lock before had the database open and never exited
        cleanly."""
        return bool(self.previous.get("db_open"))

    def note_open(self, is_open: bool) -> None:
        """Note in the lock file whether the database is open (best effort)."""
        if self._fh is None:
            return
        self._info["db_open"] = is_open
        try:
            self._write_info(self._fh)
        except OSError:
            pass

    def acquire(self, login: str) -> None:
        fh = open(self.path, "a+b")
        try:
            _lock(fh)
        except OSError:
            holder = self.holder()
            fh.close()
            raise already_open(holder)
        # what the previous holder left: a clean exit empties and removes the file, so
        # info still there (the database marked open) means that program did not exit
        # cleanly (a crash, a power cut) — Desk.open then checks that the -wal is there
        try:
            fh.seek(0)
            left = json.loads(fh.read().decode("utf-8").strip() or "{}")
        except (OSError, ValueError):
            left = {}
        self.previous = left if isinstance(left, dict) else {}
        self._info = {"user": login, "host": socket.gethostname(), "pid": os.getpid(),
                      "since": _stamp()}
        try:
            self._write_info(fh)
        except OSError as exc:  # a full disk: give the lock back, say so in words
            _unlock(fh)
            try:
                fh.close()  # flushes the unwritten buffer again: ENOSPC again, fd closed
            except OSError:
                pass
            if exc.errno == errno.ENOSPC:
                from app.store.db import _disk_full
                raise _disk_full() from exc
            raise
        self._fh = fh

    @staticmethod
    def _write_info_to(fh, info: dict) -> None:
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(info, ensure_ascii=False).encode("utf-8").ljust(512))
        fh.flush()
        os.fsync(fh.fileno())

    def _write_info(self, fh) -> None:
        self._write_info_to(fh, self._info)

    def mark_locked(self, locked: bool) -> None:
        """Note in the lock file whether the holder's screen is locked (a second instance
        says so). Best effort: the lock itself stays held even if this cannot be written."""
        if self._fh is None:
            return
        self._info["db_open"] = not locked   # the screen lock closes the database
        info = dict(self._info)
        if locked:
            info["locked_since"] = _stamp()
        try:
            self._write_info_to(self._fh, info)
        except OSError:
            pass

    def still_held(self) -> bool:
        """Whether this object holds the lock on the file now at ``path`` (the file was not
        removed or replaced behind its back)."""
        if self._fh is None:
            return False
        try:
            return os.path.samestat(os.fstat(self._fh.fileno()), os.stat(self.path))
        except OSError:
            return False

    def ensure_held(self, login: str) -> None:
        """At unlock: keep the lock if it is still ours; otherwise take it again, or raise
        AlreadyOpen naming whoever opened the desk meanwhile."""
        if self.still_held():
            self.mark_locked(False)
            return
        if self._fh is not None:
            try:
                _unlock(self._fh)
            except OSError:
                pass
            self._fh.close()
            self._fh = None
        self.acquire(login)

    def holder(self) -> dict:
        try:
            with open(self.path, "rb") as fh:
                return json.loads(fh.read().decode("utf-8").strip() or "{}")
        except (OSError, ValueError):
            return {}

    def release(self) -> None:
        if self._fh is None:
            return
        if not self.still_held():  # the file is someone else's now: leave it alone
            try:
                _unlock(self._fh)
            finally:
                self._fh.close()
                self._fh = None
            return
        try:
            self._fh.seek(0)
            self._fh.truncate()
            _unlock(self._fh)
        finally:
            self._fh.close()
            self._fh = None
            try:
                os.unlink(self.path)
            except OSError:
                pass

    @property
    def held(self) -> bool:
        return self._fh is not None


def _stamp() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M")


def already_open(holder: dict) -> AlreadyOpen:
    """The refusal a second instance shows: who has the desk open, where, since when —
    and whether that screen is locked (unsaved input may be waiting there)."""
    user, host = holder.get("user", "?"), holder.get("host", "?")
    if holder.get("locked_since"):
        return AlreadyOpen(_(
            "This database is open in a Tsunagu whose screen is locked (user: {user}, "
            "computer: {host}, locked since {since}). Input not yet saved may be waiting "
            "there: unlock Tsunagu on that computer and quit it first. Only one program may "
            "write to it at a time.").format(user=user, host=host,
                                             since=holder.get("locked_since", "?")))
    return AlreadyOpen(_(
        "This database is already open (user: {user}, computer: {host}, since {since}). "
        "Close Tsunagu there first. Only one program may write to it at a time.")
        .format(user=user, host=host, since=holder.get("since", "?")))


if sys.platform == "win32":  # pragma: no cover - exercised on Windows
    import msvcrt

    def _lock(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
