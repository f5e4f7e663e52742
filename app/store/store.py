"""Store: the open database connection, its transactions and every query of the core.

The Desk facade validates and applies rules; this class holds the SQL. Rows come back as
domain objects.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from app.domain import (
    Agency, Case, CaseDetail, CaseSummary, Intake, Person, PersonInput, ReferralSource,
    Route, Sex, Stage, Staff, Triage, Visitor,
)
from app.store import audit as audit_log
from app.store import changes as changes_log
from app.store import db
from app.store.hlc import HybridClock
from app.store.journal import Writer
from app.store.security_repo import case_access_clause
from app.store.sync_merge import natural_id


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


CASE_SORTS = {
    "case_no": "c.case_no",
    "name": "p.name_fold",
    "kana": "p.kana_fold",
    "age": "p.birth_date",
    "received_on": "c.opened_on",
    "stage": "c.stage",
    "assignee": "s.display_name",
}


WRITER_CACHE_KIB = 16 * 1024   # the first connection's cache once a reader takes the reads


class Store:
    def __init__(self, conn: db.Connection, path: Path, raw_key: bytes):
        self.conn = conn
        self.closed = False   # after close(): the connection refuses every statement
        self.path = path
        self._raw_key = raw_key
        self.device_id = self.local("device_id") or ""
        self.clock = HybridClock(self.device_id or "local")
        # Stamps continue after the newest one held, even if the wall clock went back.
        newest = conn.execute("SELECT max(hlc) FROM journal").fetchone()[0]
        if newest:
            self.clock.observe(newest)
        self.user_id = ""
        self.reading = False   # a reader's connection (``reader``): keeps its large cache
        self._savepoints = 0
        self._columns: dict[str, set[str]] = {}   # table -> columns, for every Writer

    # -- lifecycle ---------------------------------------------------------
    @classmethod
    def create(cls, path: Path, raw_key: bytes) -> "Store":
        conn = db.connect(path, raw_key, create=True)
        db.migrate(conn, path, raw_key)
        store = cls(conn, path, raw_key)
        return store

    @classmethod
    def open(cls, path: Path, raw_key: bytes,
             data_steps: Mapping[int, Callable[["Store", Writer], None]] | None = None
             ) -> "Store":
        """Open and upgrade. ``data_steps`` (version -> fn(store, writer), app/upgrades.py):
        an upgrade from below a version runs its step once, in the upgrade's last
        transaction (db.migrate), on the newest schema."""
        conn = db.connect(path, raw_key)
        try:
            store = cls(conn, path, raw_key)   # reads tables every schema has

            def finish(from_version: int) -> None:
                store._columns.clear()   # the ladder has added columns
                for version, fn in sorted((data_steps or {}).items()):
                    if version > from_version:
                        with store.transaction() as w:   # a savepoint in the last step
                            fn(store, w)

            db.migrate(conn, path, raw_key, finish)
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        if not self.closed:
            try:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except db.DiskFull:
                pass  # every commit is safe in the -wal file; the next open checkpoints it
            finally:
                self.conn.close()   # any later statement raises (ProgrammingError)
                self.closed = True
                self._raw_key = b""

    def reader(self, *, brief: bool = False) -> "Store":
        """A second connection to the same database for reads off the GUI thread (its
        audit entries are written in its own transactions; WAL lets it read while this
        connection writes). It gets the large page cache (db.CACHE_KIB): the screens' reads
        and reports run on it; the first connection then keeps only what the saves read.
        ``brief``: a reader for one read beside the reading connection (the dashboard's
        first lists), with the small cache — what it reads is read once, and its cache
        would otherwise stay in the program's memory after it is closed."""
        conn = db.connect(self.path, self._raw_key, verify=False)
        if brief:
            conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        # both caches count in the program's memory: this connection keeps 16 MB (not a
        # reader's, whose own short-lived reader reads beside it: the dashboard's lists)
        if not self.reading:
            self.conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        store = Store(conn, self.path, self._raw_key)
        store.user_id = self.user_id
        store.reading = True
        return store

    def database_key(self) -> bytes:
        """The raw database key: only for a new device's key slots and the transfer key
        (app/sync), never shown or stored elsewhere."""
        return self._raw_key

    def export_copy(self, target: Path) -> Path:
        return db.export_copy(self.conn, target, self._raw_key)

    def backup(self, folder: Path, keep: int = 10) -> Path:
        from app.security.keyslots import keys_path
        from app.store.backup import make_backup
        return make_backup(self.conn, self._raw_key, keys_path(self.path), folder, keep=keep)

    def verify_backup(self, path: Path) -> int:
        from app.store.backup import verify_file
        return verify_file(path, self._raw_key)

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error: never half a change.

        Nested inside an open transaction (a batch), it becomes a savepoint: the inner
        operation still succeeds or fails whole, and the batch commits once.
        """
        writer = Writer(self.conn, self.clock, self.user_id or "system", self.device_id,
                        self._columns)
        if self.conn.in_transaction:
            # Named by nesting depth, not by a running number: the same few statement
            # texts stay in the connection's statement cache (a new name per operation
            # pushed the cached queries out: thousands of distinct statements in a batch).
            self._savepoints += 1
            name = f"sp{self._savepoints}"
            noted = changes_log.touched(self.conn)
            mark = noted.mark() if noted is not None else None
            try:
                self.conn.execute(f"SAVEPOINT {name}")
                try:
                    yield writer
                except BaseException:
                    # SQLITE_FULL (or IOERR) mid-statement may already have rolled back the
                    # whole transaction: then there is no savepoint left, and the original
                    # error (not "no such savepoint") must reach the caller.
                    if self.conn.in_transaction:
                        self.conn.execute(f"ROLLBACK TO {name}")
                        self.conn.execute(f"RELEASE {name}")
                    if noted is not None and mark is not None:
                        noted.undo_to(mark)   # what was undone did not change
                    raise
                self.conn.execute(f"RELEASE {name}")
            finally:
                self._savepoints -= 1
            return
        db.retry_locked(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        # what the transaction writes, noted as it goes when someone will be told of it
        # (app/store/changes.py)
        noted = self.conn.touched = changes_log.Touched() if changes_log.collecting_now() \
            else None
        try:
            try:
                yield writer
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled back already (disk full)
                    self.conn.execute("ROLLBACK")
                raise
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:  # a failed COMMIT leaves nothing half-written
                    self.conn.execute("ROLLBACK")
                raise
        finally:
            self.conn.touched = None
        if noted is not None:
            changes_log.committed(self.conn, noted)   # told to the collectors of this thread

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """BEGIN … COMMIT around reads: every read inside sees the database as of one moment
        (WAL: the writer goes on meanwhile and is never waited for). Write nothing inside
        (the audit entry after it): a read transaction cannot become a write one once
        another connection has committed. Inside an open transaction: that one's view."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")   # nothing written: ends the read

    @contextmanager
    def bulk_load(self, cache_mb: int = 2048) -> Iterator[None]:
        """Building a large desk in one go (demo and benchmark desks, app/demo.py): a page
        cache big enough for the growing indexes, so that pages are not decrypted again
        and again, and no fsync at each commit (synchronous = OFF: a build cut off by a
        crash is thrown away and made again). What is written — rows, journal, audit,
        indexes, FTS — is exactly what the same operations write without it. At the end
        the settings are put back and the write-ahead log is checkpointed with a full
        sync, so the finished desk is as durable as any other."""
        conn = self.conn
        if conn.in_transaction:
            raise RuntimeError("bulk_load starts outside a transaction")
        cache = int(conn.execute("PRAGMA cache_size").fetchone()[0])
        sync = int(conn.execute("PRAGMA synchronous").fetchone()[0])
        conn.execute(f"PRAGMA cache_size = -{int(cache_mb) * 1024}")
        conn.execute("PRAGMA synchronous = OFF")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA cache_size = {cache}")
            if not conn.in_transaction:   # (SQLite refuses it inside one)
                conn.execute(f"PRAGMA synchronous = {sync}")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- local and settings ------------------------------------------------------
    def local(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM local WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_local(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO local (key, value) VALUES (?, ?) ON CONFLICT (key) DO "
                          "UPDATE SET value = excluded.value", (key, value))

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put_setting(self, w: Writer, key: str, value: str) -> None:
        row = self.conn.execute("SELECT id FROM setting WHERE key = ?", (key,)).fetchone()
        if row:
            w.update("setting", row[0], {"value": value})
        else:   # one row per key on every device (sync_merge.natural_id)
            w.insert("setting", {"key": key, "value": value}, row_id=natural_id("setting", key))

    def agency(self) -> Agency:
        return Agency(
            name=self.setting("agency.name", "") or "",
            municipality=self.setting("agency.municipality", "") or "",
            population=int(self.setting("agency.population", "0") or 0),
            agency_id=self.setting("agency.id", "") or "",
            device_id=self.device_id,
            device_name=self.local("device_name") or "",
        )

    # -- staff --------------------------------------------------------------------
    def staff_by_login(self, login: str) -> Staff | None:
        row = self.conn.execute(
            "SELECT id, login, display_name, role, active FROM staff WHERE login = ?",
            (login,)).fetchone()
        return Staff(row[0], row[1], row[2], row[3], bool(row[4])) if row else None

    def staff(self, active_only: bool = True) -> list[Staff]:
        sql = "SELECT id, login, display_name, role, active FROM staff"
        if active_only:
            sql += " WHERE active = 1"
        rows = self.conn.execute(sql + " ORDER BY display_name").fetchall()
        return [Staff(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    # -- master data ----------------------------------------------------------------
    def referral_sources(self, route: str | None = None) -> list[ReferralSource]:
        sql = "SELECT id, route, grp, name, active, sort FROM referral_source WHERE active = 1"
        args: list[Any] = []
        if route:
            sql += " AND route = ?"
            args.append(route)
        rows = self.conn.execute(sql + " ORDER BY sort, name", args).fetchall()
        return [ReferralSource(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]

    # -- audit ----------------------------------------------------------------------
    def audit(self, login: str, action: str, case_id: str | None = None, detail: str = "",
              reason: str = "", user_id: str | None = None) -> None:
        """``user_id`` overrides the logged-in user's (failed logins are nobody's)."""
        audit_log.append(self.conn, user_id=(self.user_id or "system") if user_id is None
                         else user_id, login=login,
                         device_id=self.device_id, action=action, case_id=case_id,
                         detail=detail, reason=reason)

    def audit_entries(self, case_id: str | None = None, limit: int = 1000):
        return audit_log.entries(self.conn, case_id=case_id, limit=limit)

    def audit_verify(self) -> int | None:
        return audit_log.verify(self.conn)

    # -- case numbers ------------------------------------------------------------------
    def next_case_no(self, fiscal_year: int) -> str:
        """Allocate the next number of ``fiscal_year`` (call inside a transaction)."""
        row = self.conn.execute("SELECT last FROM case_counter WHERE fiscal_year = ?",
                                (fiscal_year,)).fetchone()
        last = row[0] if row else 0
        # Devices added for sync number with their code (2026-F1-0001): no offline collision.
        prefix = self.local("case_prefix") or ""
        while True:
            last += 1
            case_no = f"{fiscal_year}-{prefix}{last:04d}"
            if not self.conn.execute("SELECT 1 FROM case_file WHERE case_no = ?",
                                     (case_no,)).fetchone():
                break
        self.conn.execute(
            "INSERT INTO case_counter (fiscal_year, last) VALUES (?, ?) ON CONFLICT (fiscal_year)"
            " DO UPDATE SET last = excluded.last", (fiscal_year, last))
        return case_no

    # -- person -------------------------------------------------------------------------
    @staticmethod
    def person_fields(p: PersonInput, name_fold: str, kana_fold: str) -> dict[str, Any]:
        return {
            "name": p.name, "kana": p.kana, "birth_date": _iso(p.birth_date),
            "sex": Sex(p.sex).value, "postal_code": p.postal_code, "address": p.address,
            "phone_home": p.phone_home, "phone_mobile": p.phone_mobile, "email": p.email,
            "name_fold": name_fold, "kana_fold": kana_fold,
            "search_key": f"{name_fold}\u3000{kana_fold}",
        }

    _PERSON_COLS = ("id, name, kana, birth_date, sex, postal_code, address, phone_home, "
                    "phone_mobile, email, sensitive, rev")

    def _person(self, r) -> Person:
        return Person(name=r[1], kana=r[2], birth_date=_d(r[3]), sex=Sex(r[4]),
                      postal_code=r[5], address=r[6], phone_home=r[7], phone_mobile=r[8],
                      email=r[9], sensitive=bool(r[10]), id=r[0], rev=r[11])

    def person(self, person_id: str) -> Person | None:
        r = self.conn.execute(f"SELECT {self._PERSON_COLS} FROM person WHERE id = ?",
                              (person_id,)).fetchone()
        if r is None:
            return None
        p = self._person(r)
        p.case_ids = [x[0] for x in self.conn.execute(
            "SELECT id FROM case_file WHERE person_id = ? ORDER BY opened_on", (person_id,))]
        return p

    def persons_by_identity(self, name_fold: str, birth_date: date) -> list[Person]:
        rows = self.conn.execute(
            f"SELECT {self._PERSON_COLS} FROM person WHERE name_fold = ? AND birth_date = ?",
            (name_fold, birth_date.isoformat())).fetchall()
        return [self._person(r) for r in rows]

    # -- cases ---------------------------------------------------------------------------
    def insert_case(self, w: Writer, *, case_no: str, person_id: str, fiscal_year: int,
                    stage: Stage, opened_on: date, assignee_id: str | None,
                    support: tuple[str | None, str | None] = (None, None)) -> str:
        """A new case; ``support``: its support_from / support_until (app/derived.py
        support_span) when the caller knows them — unknown (None, None) makes the
        statistics read its decisions until a step writes them."""
        return w.insert("case_file", {
            "case_no": case_no, "person_id": person_id, "fiscal_year": fiscal_year,
            "stage": stage.value, "opened_on": opened_on.isoformat(), "assignee_id": assignee_id,
            "support_from": support[0], "support_until": support[1],
        })

    def insert_intake(self, w: Writer, case_id: str, i) -> str:
        visitor = None
        if i.visitor and (i.visitor.name or i.visitor.phone or i.visitor.relation):
            visitor = json.dumps(i.visitor.__dict__, ensure_ascii=False)
        return w.insert("intake", {
            "case_id": case_id, "received_on": i.received_on.isoformat(),
            "received_by": i.received_by, "route": Route(i.route).value,
            "referral_source": i.referral_source,
            "topics": json.dumps(list(i.topics)), "main_topic": i.main_topic,
            "topic_other": i.topic_other, "consultation": i.consultation, "hopes": i.hopes,
            "visitor": visitor, "work_status": i.work_status,
            "housing_status": i.housing_status, "health_insurance": i.health_insurance,
            "pension": i.pension, "triage": Triage(i.triage).value,
            "referral_to": i.referral_to, "accompanied": int(bool(i.accompanied)),
            "check_on": _iso(i.check_on), "emergency_needed": int(bool(i.emergency_needed)),
            "emergency_actions": json.dumps(list(i.emergency_actions)),
            "emergency_note": i.emergency_note,
            "consent": None if i.consent is None else int(bool(i.consent)),
            "consent_on": _iso(i.consent_on),
        })

    _CASE_COLS = ("c.id, c.case_no, c.person_id, c.stage, c.opened_on, "
                  "COALESCE(s.display_name, ''), c.closed_on, c.rev")

    def _case(self, r) -> Case:
        return Case(id=r[0], case_no=r[1], person_id=r[2], stage=Stage(r[3]),
                    opened_on=date.fromisoformat(r[4]), assignee=r[5], closed_on=_d(r[6]),
                    rev=r[7])

    def case(self, case_id: str) -> Case | None:
        r = self.conn.execute(
            f"SELECT {self._CASE_COLS} FROM case_file c LEFT JOIN staff s ON s.id = c.assignee_id"
            " WHERE c.id = ?", (case_id,)).fetchone()
        return self._case(r) if r else None

    def case_id_by_no(self, case_no: str) -> str | None:
        r = self.conn.execute("SELECT id FROM case_file WHERE case_no = ?", (case_no,)).fetchone()
        return r[0] if r else None

    def intakes(self, case_id: str) -> list[Intake]:
        rows = self.conn.execute(
            "SELECT id, case_id, received_on, received_by, route, referral_source, topics,"
            " main_topic, topic_other, consultation, hopes, visitor, work_status,"
            " housing_status, health_insurance, pension, triage, referral_to, accompanied,"
            " check_on, emergency_needed, emergency_actions, emergency_note, consent,"
            " consent_on, rev FROM intake WHERE case_id = ? ORDER BY received_on",
            (case_id,)).fetchall()
        result = []
        for r in rows:
            visitor = Visitor(**json.loads(r[11])) if r[11] else None
            result.append(Intake(
                id=r[0], case_id=r[1], received_on=date.fromisoformat(r[2]), received_by=r[3],
                route=Route(r[4]), referral_source=r[5], topics=json.loads(r[6]),
                main_topic=r[7], topic_other=r[8], consultation=r[9], hopes=r[10],
                visitor=visitor, work_status=r[12], housing_status=r[13],
                health_insurance=r[14], pension=r[15], triage=Triage(r[16]),
                referral_to=r[17], accompanied=bool(r[18]), check_on=_d(r[19]),
                emergency_needed=bool(r[20]), emergency_actions=json.loads(r[21]),
                emergency_note=r[22], consent=None if r[23] is None else bool(r[23]),
                consent_on=_d(r[24]), rev=r[25]))
        return result

    def case_detail(self, case_id: str) -> CaseDetail | None:
        case = self.case(case_id)
        if case is None:
            return None
        person = self.person(case.person_id)
        assert person is not None
        return CaseDetail(case=case, person=person, intakes=self.intakes(case_id))

    # -- case list and search -------------------------------------------------------------
    def _search_clause(self, folded: str) -> tuple[str, list[Any]]:
        if not folded:
            return "", []
        if re.fullmatch(r"[0-9]+(?:-[0-9]*)?|-[0-9]+", folded):
            # a case number, whole (2026-0070) or in part (0070): issue 14 found nothing
            name_clause, name_args = self._name_clause(folded)
            return (f"(c.case_no LIKE ? ESCAPE '\\' OR {name_clause})",
                    [f"%{_like_escape(folded)}%", *name_args])
        return self._name_clause(folded)

    def _short_query(self, folded: str) -> str | None:
        """The LIKE pattern of a name search below three characters (not a case number),
        else None: such a search reads the index person_search (schema 23)."""
        if not folded or len(folded) >= 3 or re.fullmatch(
                r"[0-9]+(?:-[0-9]*)?|-[0-9]+", folded):
            return None
        return f"%{_like_escape(folded)}%"

    def _name_clause(self, folded: str) -> tuple[str, list[Any]]:
        if len(folded) >= 3:
            phrase = '"' + folded.replace('"', '""') + '"'
            return ("p.rowid IN (SELECT rowid FROM person_fts WHERE person_fts MATCH ?)",
                    [phrase])
        # FTS5 trigram finds nothing below 3 characters: scan the folded column in SQL.
        return "p.search_key LIKE ? ESCAPE '\\'", [f"%{_like_escape(folded)}%"]

    def list_cases(self, *, folded_query: str = "", sort: str = "case_no",
                   descending: bool = False, limit: int = 200, offset: int = 0,
                   stages: list[str] | None = None, access=None) -> list[CaseSummary]:
        """``access`` (security_repo.CaseAccess) limits the rows to the user's cases."""
        where, args = self._search_clause(folded_query)
        short = self._short_query(folded_query)
        if short is not None and self._few_people(short):
            # a rare short match: its people from the index, then their cases (not every
            # case in order, each for its person's row, until 200 match or none is left)
            where = ("c.person_id IN (SELECT id FROM person INDEXED BY person_search"
                     " WHERE search_key LIKE ? ESCAPE '\\')")
        clauses = [where] if where else []
        allowed, allowed_args = case_access_clause(access)
        if allowed:
            clauses.append(allowed)
            args = [*args, *allowed_args]
        if stages:
            clauses.append(f"c.stage IN ({', '.join('?' for _ in stages)})")
            args += stages
        sql = (
            "SELECT c.id, c.case_no, p.name, p.kana, p.birth_date, c.opened_on, c.stage,"
            " COALESCE(s.display_name, ''), p.sensitive"
            " FROM case_file c JOIN person p ON p.id = c.person_id"
            " LEFT JOIN staff s ON s.id = c.assignee_id")
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        order = CASE_SORTS.get(sort, "c.case_no")
        direction = "DESC" if descending else "ASC"
        sql += f" ORDER BY {order} {direction}, c.case_no {direction} LIMIT ? OFFSET ?"
        rows = self.conn.execute(sql, [*args, limit, offset]).fetchall()
        return [CaseSummary(id=r[0], case_no=r[1], name=r[2], kana=r[3], birth_date=_d(r[4]),
                            received_on=date.fromisoformat(r[5]), stage=Stage(r[6]),
                            assignee=r[7], sensitive=bool(r[8])) for r in rows]

    # up to this many people matching a short search, its list starts from them
    FEW_PEOPLE = 2000

    def _few_people(self, pattern: str) -> bool:
        return self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM person INDEXED BY person_search"
            " WHERE search_key LIKE ? ESCAPE '\\' LIMIT ?)",
            (pattern, self.FEW_PEOPLE + 1)).fetchone()[0] <= self.FEW_PEOPLE

    def count_cases(self, *, folded_query: str = "", access=None) -> int:
        where, args = self._search_clause(folded_query)
        allowed, allowed_args = case_access_clause(access)
        short = self._short_query(folded_query)
        if short is not None:
            # the people from the index, their cases from case_person_cases: no row read
            sql = ("SELECT count(*) FROM person p INDEXED BY person_search CROSS JOIN"
                   " case_file c INDEXED BY case_person_cases ON c.person_id = p.id"
                   " WHERE p.search_key LIKE ? ESCAPE '\\'")
            sql += (" AND " + allowed) if allowed else ""
            return int(self.conn.execute(sql, [short, *allowed_args]).fetchone()[0])
        if not where:
            sql = "SELECT count(*) FROM case_file c"
            if allowed:
                sql += " WHERE " + allowed
            return int(self.conn.execute(sql, allowed_args).fetchone()[0])
        sql = "SELECT count(*) FROM case_file c JOIN person p ON p.id = c.person_id"
        sql += " WHERE " + where + (" AND " + allowed if allowed else "")
        args = [*args, *allowed_args]
        return int(self.conn.execute(sql, args).fetchone()[0])

    # -- drafts (local, not journalled) -------------------------------------------------------
    def save_draft(self, key: str, payload: dict) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.conn.execute(
            "INSERT INTO draft (key, user_id, payload, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, key) DO UPDATE SET payload = excluded.payload,"
            " updated_at = excluded.updated_at",
            (key, self.user_id, json.dumps(payload, ensure_ascii=False, default=str), now))

    def load_draft(self, key: str) -> dict | None:
        r = self.conn.execute("SELECT payload FROM draft WHERE user_id = ? AND key = ?",
                              (self.user_id, key)).fetchone()
        return json.loads(r[0]) if r else None

    def discard_draft(self, key: str) -> None:
        self.conn.execute("DELETE FROM draft WHERE user_id = ? AND key = ?", (self.user_id, key))

    def drafts(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT key, updated_at FROM draft WHERE user_id = ? ORDER BY updated_at DESC",
            (self.user_id,))]

    # -- bulk (demo, benchmarks) ----------------------------------------------------------------
    def execute_many(self, sql: str, rows: list[tuple]) -> None:
        self.conn.executemany(sql, rows)


def new_id() -> str:
    return str(uuid.uuid4())


def remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".keys"):
        p = Path(str(path) + suffix)
        if p.exists():
            os.unlink(p)
