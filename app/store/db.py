"""Opening the SQLCipher database: raw key, pragmas, error classification, migrations.

Facts this module relies on (see STACK.md): the key is set before anything touches the
schema; a wrong key only fails at the first read, with the same error as a damaged file;
a 0-byte file opens as an empty database with any key; WAL + synchronous=FULL keeps every
acknowledged write; foreign keys are off unless turned on per connection.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import sqlcipher3

from app.errors import Cancelled, DamagedDatabase, NewerDatabase, StoreError, TruncatedDatabase
from app.i18n import _

if TYPE_CHECKING:
    from app.store.changes import Touched

PAGE_SIZE = 4096
_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")
_log_silenced = False

DatabaseError = sqlcipher3.DatabaseError
# Files up to this size get a full page check (every page's HMAC) when opened; larger
# ones are checked by ``check_pages`` in the background after login (≈0.2 s per 90 MB).
FULL_CHECK_AT_OPEN_BYTES = 64 * 1024 * 1024
# How long SQLite itself waits on a lock held by another connection (a backup tool, a
# virus scanner) before retry_locked backs off and tries again.
BUSY_TIMEOUT_S = 10.0
# Prepared statements kept per connection. The process steps alone use about 150
# distinct queries; with the default of 128 the cache thrashed and most queries were
# compiled again each time (found profiling the demo generator).
STATEMENT_CACHE = 512
# Decrypted pages kept per connection (KiB; allocated only as pages are read). A fiscal-year
# report at 100,000 cases reads more pages than 64 MB (or 80 MB) hold, so each report
# decrypted them again (encrypted/plain 1.2–1.5); with 96 MB it is 1.0, and the benchmark's
# peak memory stays under 400 MB (tests/bench/run.py: two desks open during the bundle rows).
CACHE_KIB = 96 * 1024
_DAMAGE_MARKERS = ("file is not a database", "database disk image is malformed",
                   "hmac check failed")


def _damaged(path: Path) -> DamagedDatabase:
    return DamagedDatabase(
        _("The database file {path} is damaged or is not a Tsunagu database. "
          "Restore the newest backup.").format(path=path.name))


def is_damage(exc: BaseException) -> bool:
    return isinstance(exc, sqlcipher3.DatabaseError) and not isinstance(
        exc, (sqlcipher3.IntegrityError, sqlcipher3.ProgrammingError)) and any(
        m in str(exc).lower() for m in _DAMAGE_MARKERS)


SQLITE_FULL = 13


class DiskFull(StoreError):
    """SQLITE_FULL: the drive has no room left. SQLite has rolled the write back (in WAL
    mode a failed COMMIT leaves nothing behind), so the message says nothing was saved."""


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, sqlcipher3.OperationalError) and (
        getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL
        or "database or disk is full" in str(exc).lower())


def _disk_full() -> DiskFull:
    return DiskFull(_("The disk is full, so this could not be saved. Nothing of this "
                      "operation was written; everything saved before is kept. Free some "
                      "space on the drive (or move the database to a larger drive), then try "
                      "again."))


class Connection(sqlcipher3.Connection):
    """A connection that reports a damaged page as DamagedDatabase and a full disk as
    DiskFull (Japanese messages, not SQLite's English), wherever they happen."""

    db_path: Path = Path("?")
    # the open Store.transaction's notes of what it writes (app/store/changes.py)
    touched: Touched | None = None

    def execute(self, *args, **kwargs):
        try:
            return super().execute(*args, **kwargs)
        except sqlcipher3.DatabaseError as exc:
            if is_damage(exc):
                raise _damaged(self.db_path) from exc
            if is_disk_full(exc):
                raise _disk_full() from exc
            raise

    def executemany(self, *args, **kwargs):
        try:
            return super().executemany(*args, **kwargs)
        except sqlcipher3.DatabaseError as exc:
            if is_damage(exc):
                raise _damaged(self.db_path) from exc
            if is_disk_full(exc):
                raise _disk_full() from exc
            raise


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every numbered migration file, in order."""
    found = []
    for entry in resources.files("app.store").joinpath("migrations").iterdir():
        m = re.match(r"^(\d{4})_(.+)\.sql$", entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    for expected, (version, _name, _sql) in enumerate(found, start=1):
        if version != expected:
            raise RuntimeError(f"migration ladder has a gap at {expected}")
    return found


def latest_version() -> int:
    return len(migrations())


def _silence_log(conn: Connection) -> None:
    global _log_silenced
    if not _log_silenced:
        conn.execute("PRAGMA cipher_log_level = NONE")
        _log_silenced = True


def _key_pragma(raw_key: bytes) -> str:
    hexkey = raw_key.hex()
    if len(raw_key) != 32 or not _HEX_KEY.match(hexkey):
        raise ValueError("database key must be 32 bytes")
    # A bound parameter is a syntax error for PRAGMA key; the literal is built from hex only.
    return f"PRAGMA key = \"x'{hexkey}'\""


def connect(path: str | os.PathLike[str], raw_key: bytes | None, *,
            create: bool = False, verify: bool = True) -> Connection:
    """Open ``path`` with ``raw_key``, check it is readable, and set the pragmas.

    ``raw_key=None`` opens a plain SQLite file: only the benchmarks do that, to compare.

    Raises TruncatedDatabase, DamagedDatabase (wrong key cannot happen here: the key was
    authenticated by its key slot, so an unreadable file is a damaged one).
    """
    p = Path(path)
    if not create:
        check_file_shape(p)
    conn = sqlcipher3.connect(str(p), isolation_level=None, check_same_thread=False,
                              timeout=BUSY_TIMEOUT_S, factory=Connection,
                              cached_statements=STATEMENT_CACHE)
    conn.db_path = p

    def prepare() -> None:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        # Keep decrypted pages: repeated searches and reports do not decrypt again.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if not create and verify:   # a second connection of an open desk: checked already
            _check_pages(conn, p)
            if raw_key is not None and p.stat().st_size <= FULL_CHECK_AT_OPEN_BYTES:
                check_pages(conn)

    try:
        _silence_log(conn)
        if raw_key is not None:
            conn.execute(_key_pragma(raw_key))
        retry_locked(prepare)  # another program may hold the file for a moment
        return conn
    except DamagedDatabase:
        conn.close()
        if raw_key is not None and not create and key_of_another_database(p, raw_key):
            raise KeysOfAnotherDatabase(_(
                "The key file {keys} does not fit {db}: not one page of the database opens "
                "with it, although the password was right for the key file. Most likely it "
                "is the key file of another database, and this database itself is intact: "
                "put back the key file made with this database (the .keys file of the same "
                "name from its newest backup), or open the database that belongs to this key "
                "file. Only if it is the right key file is {db} not a Tsunagu database or "
                "damaged throughout; then restore the newest backup.").format(
                    keys=p.name + ".keys", db=p.name)) from None
        raise
    except BaseException:
        conn.close()
        raise


class KeysOfAnotherDatabase(DamagedDatabase):
    """The key file beside the database unlocks a key that opens no page of it."""


class MissingWal(StoreError):
    """The program before did not exit cleanly and its -wal file is gone."""


FOREIGN_CHECK_MAX_BYTES = 1 << 30   # beyond, the check would take too long on this path


def key_of_another_database(path: Path, raw_key: bytes) -> bool:
    """Whether ``raw_key`` opens no page at all of the file (every page fails its HMAC):
    a key file from another database, as opposed to a damaged file, where only the
    damaged pages fail."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size < 2 * 4096 or size > FOREIGN_CHECK_MAX_BYTES:
        return False
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        _silence_log(conn)
        conn.execute(_key_pragma(raw_key))
        failed = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()
    pages = size // 4096
    bad = sum(1 for (line,) in failed if "hmac" in str(line).lower())
    return pages >= 2 and bad >= pages


def check_wal_after_crash(path: Path, left_by_previous: dict) -> None:
    """At open, after the one-writer lock is taken: if the program before had the
    database open and did not exit cleanly (the lock file says so), its -wal file holds
    the changes not yet written into the database. Missing (deleted, or the database
    copied without it), those changes are lost: say so before anything opens the file and
    starts a new -wal. Raised once: the lock file is cleared when the caller gives up."""
    if not left_by_previous.get("db_open"):
        return
    if Path(str(path) + "-wal").exists():
        return   # SQLite recovers from it at open
    raise MissingWal(_(
        "Tsunagu did not exit cleanly last time (user: {user}, computer: {host}, opened "
        "{since}), and the file {wal} beside the database is missing. It held the changes "
        "saved since the last checkpoint; without it they are not in the database. If the "
        "file was moved or the database was copied without it, put {wal} back beside the "
        "database before opening again. Otherwise open again: the database opens as it was "
        "at the last checkpoint — check the latest work (and the backups) and enter what is "
        "missing again.").format(user=left_by_previous.get("user", "?"),
                                  host=left_by_previous.get("host", "?"),
                                  since=left_by_previous.get("since", "?"),
                                  wal=path.name + "-wal"))


def check_file_shape(p: Path) -> None:
    """Refuse a missing, empty or cut-off file before SQLCipher sees it."""
    if not p.exists():
        raise StoreError(_("The database file {path} does not exist.").format(path=str(p)))
    size = p.stat().st_size
    if size == 0:
        raise TruncatedDatabase(
            _("The database file {path} is empty (0 bytes). It was not opened, so nothing "
              "was overwritten. Restore the newest backup.").format(path=p.name))
    if size % PAGE_SIZE != 0:
        raise TruncatedDatabase(
            _("The database file {path} is cut off ({size} bytes is not a whole number of "
              "pages). Restore the newest backup.").format(path=p.name, size=size))


def check_pages(conn: Connection, *, thorough: bool = False) -> None:
    """Read every page and check its HMAC (and, if thorough, the b-tree structure);
    raise DamagedDatabase on the first problem."""
    problems = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    if problems:
        raise _damaged(conn.db_path)
    if thorough:
        result = conn.execute("PRAGMA quick_check").fetchone()
        if not result or result[0] != "ok":
            raise _damaged(conn.db_path)


# SQLite virtual-machine steps between two looks at a ``stop`` event (a few milliseconds)
STOP_CHECK_STEPS = 20_000


@contextmanager
def stoppable(conn: Connection, stop: threading.Event | None) -> Iterator[None]:
    """Statements on ``conn`` inside end early, with Cancelled, once ``stop`` is set
    (SQLite's progress handler: a long statement is interrupted, not waited for)."""
    if stop is None:
        yield
        return
    conn.set_progress_handler(lambda: 1 if stop.is_set() else 0, STOP_CHECK_STEPS)
    try:
        if stop.is_set():
            raise sqlcipher3.OperationalError("interrupted")
        yield
    except sqlcipher3.OperationalError as exc:
        if stop.is_set() and "interrupt" in str(exc).lower():
            raise cancelled() from exc
        raise
    finally:
        conn.set_progress_handler(None, 0)


def cancelled() -> Cancelled:
    return Cancelled(_("Stopped before it ended because the screen was locked or the "
                       "program closed. Nothing was changed; it is done again later."))


def check_file(path: Path, raw_key: bytes | None, stop: threading.Event | None = None
               ) -> None:
    """The thorough check of ``check_pages`` on a connection of its own with a small page
    cache: the program's connection stays free meanwhile (a check of a large desk takes
    seconds to a minute) and its cache keeps the pages the screens use. ``stop``: ends it
    early with Cancelled (``stoppable``)."""
    conn = connect(path, raw_key)
    try:
        conn.execute("PRAGMA cache_size = -2048")
        with stoppable(conn, stop):
            check_pages(conn, thorough=True)
    finally:
        conn.close()


def _check_pages(conn: Connection, p: Path) -> None:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    wal = Path(str(p) + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    if not has_wal and pages * PAGE_SIZE > p.stat().st_size:
        raise TruncatedDatabase(
            _("The database file {path} is cut off ({size} bytes is not a whole number of "
              "pages). Restore the newest backup.").format(path=p.name, size=p.stat().st_size))


def user_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def export_copy(conn: Connection, target: str | os.PathLike[str], raw_key: bytes | None) -> Path:
    """Encrypted copy of the open database via sqlcipher_export (never a file copy).
    ``raw_key=None`` writes a plain copy (benchmarks only)."""
    target = Path(target)
    tmp = target.with_name(target.name + ".part")
    if tmp.exists():
        tmp.unlink()
    version = user_version(conn)
    key = f"\"x'{raw_key.hex()}'\"" if raw_key is not None else "''"
    conn.execute(f"ATTACH DATABASE ? AS bk KEY {key}", (str(tmp),))
    try:
        conn.execute("SELECT sqlcipher_export('bk')")
        conn.execute(f"PRAGMA bk.user_version = {int(version)}")
    except BaseException:
        conn.set_progress_handler(None, 0)   # stopped (``stoppable``): the clean-up runs
        conn.execute("DETACH DATABASE bk")
        tmp.unlink(missing_ok=True)   # no half-written copy left beside the database
        raise
    conn.execute("DETACH DATABASE bk")
    os.replace(tmp, target)
    return target


def _room_for_copy(conn: Connection, folder: Path) -> None:
    """Refuse an upgrade, before anything is written, when the drive cannot hold the copy
    of the database kept from before it (the copy is as large as the data in use)."""
    pages, free_pages, page_size = (int(conn.execute(f"PRAGMA {name}").fetchone()[0])
                                    for name in ("page_count", "freelist_count", "page_size"))
    need = (pages - free_pages) * page_size + 64 * 1024 * 1024   # + room for the upgrade
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return   # some network shares do not say; the write itself will tell
    if free < need:
        raise DiskFull(_(
            "Before this version of Tsunagu updates the database, it keeps a copy of the "
            "database as it is now in {folder}. The drive does not have room for it (about "
            "{need} MB needed, {free} MB free). Nothing was changed. Free some space on the "
            "drive (old copies named '…before-v….db' can be moved elsewhere once the "
            "database opens well), then open the database again.").format(
                folder=folder, need=f"{need / 1024 / 1024:.0f}",
                free=f"{free / 1024 / 1024:.0f}"))


# The schema an upgrade started from, kept (in ``local``) until its last step commits.
UPGRADE_FROM = "upgrade.from"


def migrate(conn: Connection, path: Path, raw_key: bytes,
            finish: Callable[[int], None] | None = None) -> int:
    """Bring the schema to the latest version; refuse a newer one. Returns the old version.

    Before upgrading an existing database, an encrypted backup is written beside it.
    Each step runs in its own transaction and sets user_version inside it. On an existing
    database, ``finish(from_version)`` runs in the transaction of the last step, after its
    SQL: the data steps that need Python (app/upgrades.py), on the newest schema, once. The
    version the upgrade started from is kept until then, so an upgrade cut off between
    two steps still runs the data steps of the versions it crossed before.
    """
    current = user_version(conn)
    ladder = migrations()
    latest = len(ladder)
    if current > latest:
        raise NewerDatabase(
            _("This database was written by a newer version of Tsunagu (schema {found}, this "
              "program knows up to {known}). Install the newer version to open it.")
            .format(found=current, known=latest))
    if current == latest:
        return current
    if current > 0:
        _room_for_copy(conn, path.parent)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        export_copy(conn, path.with_name(f"{path.stem}.before-v{latest}-{stamp}.db"), raw_key)
    start = current
    if current > 0 and finish is not None:
        kept = conn.execute("SELECT value FROM local WHERE key = ?", (UPGRADE_FROM,)).fetchone()
        start = min(current, int(kept[0])) if kept else current
    for version, _name, sql in ladder[current:]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(sql):
                conn.execute(statement)
            if current > 0 and finish is not None:
                if version == latest:
                    finish(start)
                    conn.execute("DELETE FROM local WHERE key = ?", (UPGRADE_FROM,))
                else:
                    conn.execute("INSERT OR IGNORE INTO local (key, value) VALUES (?, ?)",
                                 (UPGRADE_FROM, str(start)))
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return current


def _split_sql(sql: str) -> list[str]:
    """Split a migration file into statements (complete_statement handles triggers)."""
    statements, buf = [], ""
    for line in sql.splitlines(keepends=True):
        if not buf and (line.strip().startswith("--") or not line.strip()):
            continue
        buf += line
        if sqlcipher3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


def is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlcipher3.OperationalError) and ("locked" in text or "busy" in text)


def retry_locked(fn, *, attempts: int = 5, first_delay: float = 0.05):
    """Run ``fn`` and retry with back-off while the file is transiently locked (each
    attempt already waits BUSY_TIMEOUT_S inside SQLite). Still locked after the last
    attempt: a StoreError saying so, not SQLite's English."""
    delay = first_delay
    for attempt in range(attempts):
        try:
            return fn()
        except sqlcipher3.OperationalError as exc:
            if not is_locked(exc):
                raise
            if attempt == attempts - 1:
                raise StoreError(_(
                    "The database is being used by another program (it stayed locked). "
                    "Close other programs that use the file (a copy or backup tool, a "
                    "virus scan), then try again.")) from exc
            time.sleep(delay)
            delay *= 2
