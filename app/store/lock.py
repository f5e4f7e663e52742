"""One writer per database: an OS-level lock on ``<database>.lock``.

The lock is held on an open file (fcntl on POSIX, msvcrt on Windows), so a crashed
instance releases it by itself: a lock file left behind after a crash is recognised as
stale and taken over. The file names who holds the lock (user and machine) so that a
second instance can say who has the desk open.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from datetime import datetime
from pathlib import Path

from app.errors import AlreadyOpen
from app.i18n import _


def lock_path(db_path: str | os.PathLike[str]) -> Path:
    return Path(str(db_path) + ".lock")


class DeskLock:
    def __init__(self, db_path: str | os.PathLike[str]):
        self.path = lock_path(db_path)
        self._fh = None

    def acquire(self, login: str) -> None:
        fh = open(self.path, "a+b")
        try:
            _lock(fh)
        except OSError:
            holder = self.holder()
            fh.close()
            raise AlreadyOpen(_(
                "This database is already open (user: {user}, computer: {host}, since {since}). "
                "Close Tsunagu there first. Only one program may write to it at a time.")
                .format(user=holder.get("user", "?"), host=holder.get("host", "?"),
                        since=holder.get("since", "?")))
        info = {"user": login, "host": socket.gethostname(), "pid": os.getpid(),
                "since": datetime.now().strftime("%Y-%m-%d %H:%M")}
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(info, ensure_ascii=False).encode("utf-8").ljust(512))
            fh.flush()
            os.fsync(fh.fileno())
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

    def holder(self) -> dict:
        try:
            with open(self.path, "rb") as fh:
                return json.loads(fh.read().decode("utf-8").strip() or "{}")
        except (OSError, ValueError):
            return {}

    def release(self) -> None:
        if self._fh is None:
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
