"""Failed logins: a small counter beside the database, and exponential back-off.

A failed attempt cannot be written to the audit log: the database is still locked. So each
failure is kept in ``<database>.failures`` (JSON, written atomically; no password, only the
time and the user name typed) and moved into the audit log, as ``login_failed`` entries, at
the next successful login — which then clears the file.

Back-off is per database file, not per user name (an attacker trying many names is slowed
too): the first ``FREE_ATTEMPTS`` failures cost nothing, then each one doubles the wait,
up to ``MAX_DELAY`` seconds. The file is a speed bump for someone at the keyboard; the key
slots' Argon2id is what protects a copied file. Deleting the file resets the back-off but
needs write access to the folder, and the next login still finds no record of it — so an
empty record after many refusals is itself worth a look in the audit log.

A full disk must not switch the back-off off (fill the drive, then guess freely). So the
record keeps its room: it is padded to whole blocks of ``ROOM`` bytes, a successful login
leaves an empty record of that size rather than no file, and when the atomic write fails
(no room for the temporary file) the record is overwritten in place, which needs no new
space. Only when that fails too is the failure kept in memory — the back-off still holds
for as long as this program runs, the failures reach the audit log at the next login from
it, and the refusal says in words that the attempt could not be recorded and why.
"""

from __future__ import annotations

import errno
import json
import math
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from app.errors import StoreError, WrongPassword
from app.i18n import _
from app.files import write_atomic

FREE_ATTEMPTS = 3
FIRST_DELAY = 2          # seconds after the first failure beyond the free ones
MAX_DELAY = 300          # never more than 5 minutes
KEEP_ENTRIES = 200       # failures remembered for the audit log (the count goes on)
ROOM = 4096              # the record is padded to whole blocks of this size
_now = time.time         # tests replace this

# Failures that could not be written (per database, absolute path): count and entries.
_unrecorded: dict[str, dict] = {}


def failures_path(db_path: str | os.PathLike[str]) -> Path:
    return Path(str(db_path) + ".failures")


class LoginThrottled(StoreError):
    """Raised by Desk.open during back-off; ``seconds`` is the wait left."""

    def __init__(self, seconds: int):
        super().__init__(throttled_message(seconds))
        self.seconds = seconds


class LoginThrottle:
    def __init__(self, db_path: str | os.PathLike[str]):
        self.path = failures_path(db_path)
        self._key = os.path.abspath(self.path)
        self.error: OSError | None = None  # why the last failure could not be written

    def _read_file(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("entries"), list):
                return data
        except (FileNotFoundError, ValueError, OSError):
            pass
        return {"count": 0, "last": 0.0, "entries": []}

    def _read(self) -> dict:
        """The record on disk with the failures this program could not write added."""
        data = self._read_file()
        extra = _unrecorded.get(self._key)
        if extra:
            data["count"] = int(data.get("count", 0)) + extra["count"]
            data["last"] = max(float(data.get("last", 0.0)), extra["last"])
            data["entries"] = (list(data["entries"]) + extra["entries"])[-KEEP_ENTRIES:]
        return data

    @staticmethod
    def delay_for(count: int) -> int:
        """Seconds to wait after ``count`` consecutive failures."""
        if count < FREE_ATTEMPTS:
            return 0
        return int(min(MAX_DELAY, FIRST_DELAY * 2 ** (count - FREE_ATTEMPTS)))

    def wait_seconds(self) -> int:
        data = self._read()
        delay = self.delay_for(int(data.get("count", 0)))
        remaining = float(data.get("last", 0.0)) + delay - _now()
        return max(0, math.ceil(remaining)) if delay else 0

    def check(self) -> None:
        seconds = self.wait_seconds()
        if seconds > 0:
            raise LoginThrottled(seconds)

    def failed(self, login: str, kind: str = "password") -> bool:
        """Count a failure. Returns False when it could not be written (``error`` says
        why): it is then counted in memory, and the back-off still applies."""
        data = self._read()
        now = _now()
        data["count"] = int(data.get("count", 0)) + 1
        data["last"] = now
        entry = {"at": datetime.fromtimestamp(now, timezone.utc).isoformat(
            timespec="seconds"), "login": (login or "")[:64], "kind": kind}
        data["entries"] = (list(data["entries"]) + [entry])[-KEEP_ENTRIES:]
        self.error = None
        try:
            self._write(data)
        except OSError as error:
            self.error = error
            extra = _unrecorded.setdefault(self._key, {"count": 0, "last": 0.0, "entries": []})
            extra["count"] += 1
            extra["last"] = now
            extra["entries"] = (extra["entries"] + [entry])[-KEEP_ENTRIES:]
            return False
        _unrecorded.pop(self._key, None)  # written with the record now
        return True

    def _write(self, data: dict) -> None:
        """Atomically; on a full disk, in place over the record's own room."""
        text = json.dumps(data, ensure_ascii=False).encode("utf-8")
        try:
            write_atomic(self.path, _padded(text))
        except OSError as error:
            if error.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            self._overwrite_in_place(data, error)

    def _overwrite_in_place(self, data: dict, full: OSError) -> None:
        try:
            with open(self.path, "r+b") as fh:
                room = os.fstat(fh.fileno()).st_size
                entries = list(data["entries"])
                while True:  # the count goes on; the oldest entries give way
                    text = json.dumps(dict(data, entries=entries),
                                      ensure_ascii=False).encode("utf-8")
                    if len(text) <= room or not entries:
                        break
                    entries = entries[1:]
                if len(text) > room:
                    raise full
                fh.write(text.ljust(room))
                fh.flush()
                os.fsync(fh.fileno())
        except FileNotFoundError:
            raise full from None

    def pending(self) -> tuple[int, list[dict]]:
        """(failures counted, the entries kept) since the last successful login."""
        data = self._read()
        return int(data.get("count", 0)), list(data["entries"])

    def clear(self) -> None:
        """After a successful login: an empty record that keeps its room (see the module
        docstring); removed instead if even that cannot be written."""
        _unrecorded.pop(self._key, None)
        empty = {"count": 0, "last": 0.0, "entries": []}
        try:
            self._write(empty)
        except OSError:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def refusal(self, login: str, kind: str, wrong: WrongPassword) -> WrongPassword:
        """Count the failure; the error to raise — ``wrong``, or when the failure could
        not be written, ``wrong`` with the reason added (the password is refused all the
        same)."""
        if self.failed(login, kind):
            return wrong
        return WrongPassword(f"{wrong}\n{not_recorded_note(self.error, self.path)}")


def not_recorded_note(error: OSError | None, path: Path) -> str:
    """Added to the refusal when a failed attempt could not be written."""
    if error is not None and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return _("The failed attempt could not be recorded because the disk is full. Free "
                 "some space on the drive of {folder}. Until then the wait after failed "
                 "attempts holds only while this program runs.").format(folder=str(path.parent))
    return _("The failed attempt could not be recorded in {path} ({error}). Check that the "
             "folder can be written to. Until then the wait after failed attempts holds only "
             "while this program runs.").format(
                 path=str(path), error=getattr(error, "strerror", None) or error)


def _padded(text: bytes) -> bytes:
    return text.ljust(max(ROOM, -(-len(text) // ROOM) * ROOM))


def throttled_message(seconds: int) -> str:
    return _("Too many failed attempts. Wait {seconds} more seconds before trying again."
             ).format(seconds=seconds)
