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
"""

from __future__ import annotations

import json
import math
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from app.errors import StoreError
from app.i18n import _
from app.store.files import write_atomic

FREE_ATTEMPTS = 3
FIRST_DELAY = 2          # seconds after the first failure beyond the free ones
MAX_DELAY = 300          # never more than 5 minutes
KEEP_ENTRIES = 200       # failures remembered for the audit log (the count goes on)
_now = time.time         # tests replace this


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

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("entries"), list):
                return data
        except (FileNotFoundError, ValueError, OSError):
            pass
        return {"count": 0, "last": 0.0, "entries": []}

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

    def failed(self, login: str, kind: str = "password") -> None:
        data = self._read()
        now = _now()
        data["count"] = int(data.get("count", 0)) + 1
        data["last"] = now
        entries = data["entries"]
        entries.append({"at": datetime.fromtimestamp(now, timezone.utc).isoformat(
            timespec="seconds"), "login": (login or "")[:64], "kind": kind})
        data["entries"] = entries[-KEEP_ENTRIES:]
        write_atomic(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def pending(self) -> tuple[int, list[dict]]:
        """(failures counted, the entries kept) since the last successful login."""
        data = self._read()
        return int(data.get("count", 0)), list(data["entries"])

    def clear(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def throttled_message(seconds: int) -> str:
    return _("Too many failed attempts. Wait {seconds} more seconds before trying again."
             ).format(seconds=seconds)
