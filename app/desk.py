"""Desk: the one door into an opened, unlocked agency database.

The GUI, the CLI and the tests all drive the desk through this facade. Every operation
checks the user's permission, validates input, applies the process rules, and writes the
rows, the change journal and the audit entry in one transaction.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from app import derived, text_ja, validation
from app.domain import (
    Agency, CaseDetail, CaseSummary, IntakeInput, ReferralSource, Route, Stage,
    Staff, Triage,
)
from app.domain.agency import AgencySetup
from app.domain.case_overview import CaseOverview
from app.domain.person import PersonMatch
from app.errors import (
    NotFound, StoreError, ValidationError, ValidationErrors, WrongPassword,
)
from app.i18n import _
from app.paths import master_dir
from app.security.keyslots import KdfParams, KeySlots, new_recovery_key
from app.security.roles import Permission, Role
from app.store.db import DamagedDatabase, user_version
from app.store.lock import DeskLock
from app.upgrades import DATA_STEPS
from app.operations.checks import (
    INTAKE_PAGES, check_intake, check_setup, clean_intake,
    clean_setup,
)
from app.operations.case_overview import read_case_overview
from app.operations.context import DeskContext
from app.operations.ledger import LedgerOperations
from app.operations.maintenance import MaintenanceOperations
from app.operations.master import MasterOperations
from app.operations.paper import PaperOperations
from app.operations.process import ProcessOperations
from app.operations.region import RegionOperations
from app.operations.reports import ReportOperations
from app.domain.person import PERSON_FIELDS
from app.operations.person import hold_new_case, person_values
from app.operations.sync import SyncOperations
from app.operations.sync_folder import SyncFolderOperations
from app.operations.security import (
    MIN_PASSWORD_DEFAULT, SecurityOperations, audit_failed_logins, mask_persons, masked,
)
from app.security.throttle import LoginThrottle
from app.store.process_repo import ProcessRepo
from app.store.store import Store, new_id, remove_database_files
from app.sync.devices import keep_identity, new_identity



def _today() -> date:
    return date.today()


class Desk:
    """An open agency database, unlocked for one user.

    Composed like Anki's collection (issue 21): the parts share one context
    (app/operations/context.py: store, user, today, require, audit) and are built here —
    ``desk.process`` (the steps of the guide, 支援調整会議, the named rules and why_not),
    ``desk.paper`` (what each printed sheet shows; forms draws it), ``desk.master`` (master
    lists), ``desk.reports`` (statistics, exports), ``desk.ledger`` (the ledger import),
    ``desk.maintenance`` (backups, the integrity check), ``desk.security`` (accounts,
    who works on which case, consent, the audit log, retention), ``desk.sync`` (devices,
    transfer bundles, conflicts), ``desk.sync_folder`` (the shared folder, the 同期 screen),
    ``desk.region`` (社会資源, 地域課題, 人材育成, 苦情・ヒヤリハット, the yearly plan and
    report). The desk itself keeps the lifecycle (open, lock, close), intake, the case list,
    case_overview, person correction and drafts."""

    master: MasterOperations
    reports: ReportOperations
    ledger: LedgerOperations
    maintenance: MaintenanceOperations
    region: RegionOperations
    security: SecurityOperations
    sync: SyncOperations
    sync_folder: SyncFolderOperations
    process: ProcessOperations
    paper: PaperOperations
    # the parts, by attribute: each declares its rules (``RULES``) and is gated on its own
    PARTS: dict[str, type] = {"master": MasterOperations, "reports": ReportOperations,
                              "ledger": LedgerOperations,
                              "maintenance": MaintenanceOperations, "region": RegionOperations,
                              "security": SecurityOperations, "sync": SyncOperations,
                              "sync_folder": SyncFolderOperations, "process": ProcessOperations,
                              "paper": PaperOperations}

    def __init__(self, store: Store, user: Staff, *, today=_today, lock: DeskLock | None = None):
        self._ctx = DeskContext(store, user, today)
        self._lock = lock
        self.master = MasterOperations(self._ctx)
        self.reports = ReportOperations(self._ctx)
        self.ledger = LedgerOperations(self._ctx)
        self.maintenance = MaintenanceOperations(self._ctx)
        self.region = RegionOperations(self._ctx)
        self.security = SecurityOperations(self._ctx, self.maintenance)
        self.sync = SyncOperations(self._ctx, self.security, self.master)
        self.sync_folder = SyncFolderOperations(self._ctx, self.sync)
        self.process = ProcessOperations(self._ctx, self.region)
        self.paper = PaperOperations(self._ctx, self.process, self.security)

    @property
    def user(self) -> Staff:
        """The logged-in user (the context's: every part sees the same)."""
        return self._ctx.user

    @user.setter
    def user(self, user: Staff) -> None:
        self._ctx.user = user

    @property
    def _store(self) -> Store:
        return self._ctx.db   # the open store (a closed desk has none: see ``closed``)

    @_store.setter
    def _store(self, store: Store | None) -> None:
        self._ctx.store = store

    @property
    def _today(self) -> Callable[[], date]:
        return self._ctx.today_fn

    @_today.setter
    def _today(self, today: Callable[[], date]) -> None:
        self._ctx.today_fn = today

    # ------------------------------------------------------------------ lifecycle
    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        return Path(path).exists()

    @classmethod
    def create(cls, path: str | os.PathLike[str], *, agency_name: str, municipality: str,
               population: int, admin_login: str, admin_name: str, password: str,
               min_password_length: int = MIN_PASSWORD_DEFAULT, device_name: str = "",
               kdf: KdfParams | None = None) -> tuple["Desk", str]:
        """Make a new agency database. Returns the desk (logged in as the administrator)
        and the recovery key, which is shown once and printed by the caller."""
        path = Path(path)
        setup = AgencySetup(agency_name, municipality, population, admin_login, admin_name,
                            password, min_password_length)
        errors = check_setup(setup)   # every page of the set-up (app/operations/checks.py)
        if path.exists() and path.stat().st_size > 0:
            errors.append(ValidationError("path", _(
                "A database already exists at {path}. Open it instead, or choose another "
                "folder.").format(path=str(path))))
        if errors:
            raise ValidationErrors(errors)
        setup = clean_setup(setup)
        agency_name, municipality = setup.agency_name, setup.municipality
        admin_login, admin_name = setup.admin_login, setup.admin_name

        path.parent.mkdir(parents=True, exist_ok=True)
        lock = DeskLock(path)
        lock.acquire(admin_login)
        remove_database_files(path)
        slots = KeySlots.new(path)
        raw_key = os.urandom(32)
        recovery = new_recovery_key()
        store = Store.create(path, raw_key)
        lock.note_open(True)
        try:
            device_id = new_id()
            store.device_id = device_id
            store.clock.device_id = device_id
            admin_id = new_id()
            store.user_id = admin_id
            agency_id = new_id()
            with store.transaction() as w:
                store.set_local("device_id", device_id)
                store.set_local("device_name", device_name or socket.gethostname())
                store.set_local("db_id", slots.db_id)
                for key, value in {
                    "agency.id": agency_id, "agency.name": agency_name,
                    "agency.municipality": municipality, "agency.population": str(population),
                    "password.min_length": str(int(min_password_length)),
                }.items():
                    store.put_setting(w, key, value)
                # the first desk: its own key pairs, self-certified and pinned (the anchor
                # of every device made from it — app/sync/identity.py)
                secrets, keys = new_identity(agency_id, device_id, "desk")
                w.insert("device", {"name": device_name or socket.gethostname(), "kind": "desk",
                                    "created_at": date.today().isoformat(), **keys},
                         row_id=device_id)
                keep_identity(store, secrets, {device_id: secrets.sign_key})
                w.insert("staff", {"login": admin_login, "display_name": admin_name,
                                   "role": Role.ADMIN.value, "active": 1}, row_id=admin_id)
                _load_master_data(w)
                store.audit(admin_login, "create", detail=agency_name)
            slots.set_password(admin_login, password, raw_key, kdf)
            slots.set_recovery_key(recovery, raw_key, kdf)
            slots.save()
        except BaseException:
            store.close()
            remove_database_files(path)
            lock.release()
            raise
        user = store.staff_by_login(admin_login)
        assert user is not None
        return cls(store, user, lock=lock), recovery

    @classmethod
    def open(cls, path: str | os.PathLike[str], login: str, password: str, *,
             lock: DeskLock | None = None) -> "Desk":
        """Unlock with a user's password. Raises WrongPassword, DamagedDatabase,
        TruncatedDatabase, NewerDatabase or MissingKeySlots with a Japanese message.

        ``lock``: the one-writer lock kept by ``suspend`` (the screen lock); the desk takes
        it over on success and leaves it with the caller on failure."""
        path = Path(path)
        if not path.exists():
            raise StoreError(_("No database was found at {path}.").format(path=str(path)))
        from app.store.db import check_file_shape
        check_file_shape(path)
        slots = KeySlots.load(path)
        throttle = LoginThrottle(path)
        throttle.check()  # LoginThrottled: 「あと N 秒待ってから…」
        try:
            raw_key = slots.unlock(login, password)
        except WrongPassword as wrong:
            raise throttle.refusal(login, "password", wrong) from None
        return cls._open_with_key(path, raw_key, login, lock)

    @classmethod
    def open_with_recovery_key(cls, path: str | os.PathLike[str], recovery_key: str) -> "Desk":
        """Unlock with the printed recovery key, as the first active administrator."""
        path = Path(path)
        from app.store.db import check_file_shape
        check_file_shape(path)
        throttle = LoginThrottle(path)
        throttle.check()
        try:
            raw_key = KeySlots.load(path).unlock_with_recovery_key(recovery_key)
        except WrongPassword as wrong:
            raise throttle.refusal("", "recovery", wrong) from None
        return cls._open_with_key(path, raw_key, None)

    @classmethod
    def _open_with_key(cls, path: Path, raw_key: bytes, login: str | None,
                       kept: DeskLock | None = None) -> "Desk":
        if kept is not None and kept.held:
            lock = kept
            lock.ensure_held(login or "recovery")  # AlreadyOpen if someone took it meanwhile
        else:
            lock = DeskLock(path)
            lock.acquire(login or "recovery")

        def give_back() -> None:
            if lock is kept:
                lock.mark_locked(True)  # still the caller's, still locked
            else:
                lock.release()

        try:
            if lock is not kept:
                from app.store.db import check_wal_after_crash
                check_wal_after_crash(path, lock.previous)  # MissingWal, once
            store = Store.open(path, raw_key, DATA_STEPS)   # upgrades old desks whole
        except BaseException:
            give_back()
            raise
        lock.note_open(True)
        try:
            if login is None:
                admins = [s for s in store.staff() if s.role == Role.ADMIN.value]
                if not admins:
                    raise StoreError(_("No active administrator exists in this database."))
                user = admins[0]
            else:
                found = store.staff_by_login(login)
                if found is None or not found.active:
                    raise LoginThrottle(path).refusal(login, "disabled", WrongPassword(_(
                        "The user name or password is wrong. Check the keyboard (caps lock, "
                        "half/full width) and try again.")))
                user = found
            store.user_id = user.id
            with store.transaction():
                throttle = audit_failed_logins(store, path)  # counted while locked
                store.audit(user.login, "login" if login else "login_recovery_key")
            throttle.clear()
        except BaseException:
            store.close()
            give_back()
            raise
        return cls(store, user, lock=lock)

    @staticmethod
    def restore(backup: str | os.PathLike[str], live: str | os.PathLike[str], login: str,
                password: str, *, live_password: str | None = None):
        """Replace the database at ``live`` with a verified backup — an active
        administrator only, unlocked with the password valid at backup time (or the
        recovery key when ``login`` is empty). Audited before and after; accounts disabled
        since the backup stay disabled; the replaced files are kept beside it under a name
        no earlier restore used. Returns a RestoreReport (usable as the kept path) whose
        ``message`` says in Japanese what was set aside and which work is missing
        (app/operations/restore.py)."""
        from app.operations.restore import restore as restore_backup
        return restore_backup(backup, live, login, password, live_password=live_password)

    def close(self) -> None:
        if self._ctx.store is not None:
            try:
                self._store.close()
            finally:
                self._store = None
                if self._lock is not None:
                    self._lock.release()

    def reader(self, *, brief: bool = False) -> "Desk":
        """The same session on a connection of its own, for reading in the background (the
        GUI's screens): the same user, the same checks and audit, no one-writer lock.
        Close it with ``close()`` before this desk; ``interrupt()`` stops its query.
        ``brief``: for one read beside the reading desk, with a small page cache."""
        if self._ctx.store is None:
            raise StoreError(_("The database is closed."))
        return type(self)(self._store.reader(brief=brief), self.user, today=self._today,
                          lock=None)

    def interrupt(self) -> None:
        """Stop the statement running on this desk's connection now (from another thread:
        a screen closed or the desk locked while a long read runs); it fails there."""
        store = self._ctx.store
        if store is not None and not store.closed:
            store.conn.interrupt()

    def suspend(self) -> DeskLock | None:
        """The screen lock: close the database and drop the key, but keep this program's
        one-writer lock (marked locked), so that no second program opens the desk while
        this one waits with unsaved input. Hand the lock to ``Desk.open(..., lock=)`` at
        unlock, or ``release()`` it when the program quits."""
        lock, self._lock = self._lock, None
        self.close()
        if lock is not None:
            lock.mark_locked(True)
        return lock

    @property
    def closed(self) -> bool:
        return self._ctx.store is None

    @property
    def path(self) -> Path:
        return self._store.path

    def __enter__(self) -> "Desk":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers
    def today(self) -> date:
        return self._today()


    # ------------------------------------------------------------------ agency and master data
    @property
    def agency(self) -> Agency:
        return self._store.agency()

    def referral_sources(self, route: Route | str | None = None) -> list[ReferralSource]:
        return self._store.referral_sources(Route(route).value if route else None)

    def staff(self) -> list[Staff]:
        return self._store.staff()


    # ------------------------------------------------------------------ intake
    def check_intake(self, data: IntakeInput, pages: set[str] | None = None) -> list[ValidationError]:
        """Validate the intake (only the given wizard pages). Returns the problems found."""
        return check_intake(data, pages, today=self.today())

    def find_same_person(self, name: str, birth_date: date | None) -> list[PersonMatch]:
        """Persons already registered with the same (folded) name and birth date, also in
        other workers' cases: only 氏名, 生年月日, case numbers and 担当 (never address,
        phone or e-mail). Audited (the case numbers shown)."""
        if not name or birth_date is None or not isinstance(birth_date, date):
            return []
        from app.domain.person import PersonMatch
        from app.store.authz_repo import AuthzRepo
        rows = AuthzRepo(self._store.conn).person_identity_cases(
            text_ja.fold_for_search(name), birth_date.isoformat())
        found: dict[str, PersonMatch] = {}
        for r in rows:
            p = found.setdefault(r["person_id"], PersonMatch(
                id=r["person_id"], name=r["name"], birth_date=birth_date))
            if r["case_id"]:
                p.case_ids.append(r["case_id"])
                p.cases.append((r["case_no"], r["assignee"] or ""))
        with self._store.transaction():
            self._store.audit(self.user.login, "same_person_check",
                              detail=" ".join(no for p in found.values() for no, _a in p.cases)
                              or "-")
        return list(found.values())

    def register_intake(self, data: IntakeInput, *, new_case_reason: str = "") -> CaseDetail:
        """相談受付: create (or reuse) the person, open a case, record the intake.

        One open case per person: for a known person whose case is open this raises
        OpenCaseExists (record the 相談 in that case: record_consultation); only when that
        case is ending may a new case be opened, with ``new_case_reason``."""
        self._ctx.require(Permission.EDIT_CASES)
        errors = check_intake(data, None, today=self.today())
        if errors:
            raise ValidationErrors(errors)
        data = clean_intake(data)
        new_case_reason = validation.clean_text(
            new_case_reason, "new_case_reason", _("Reason for a new case"), max_len=1000) or ""
        self.process.check_open_case(data.existing_person_id, new_case_reason)
        store = self._store
        with store.transaction() as w:
            p = data.person
            fields = store.person_fields(p, text_ja.fold_for_search(p.name),
                                         text_ja.fold_for_search(p.kana))
            if data.existing_person_id:
                if store.person(data.existing_person_id) is None:
                    raise NotFound(_("The person to attach this intake to no longer exists."))
                person_id = data.existing_person_id
                w.update("person", person_id, fields)
            else:
                person_id = w.insert("person", fields)
            # check_intake above refused an intake without its date or triage
            assert data.received_on is not None and data.triage is not None
            fy = text_ja.fiscal_year(data.received_on)
            case_no = store.next_case_no(fy)
            stage = {Triage.CONTINUE: Stage.INTAKE, Triage.REFER: Stage.REFERRED,
                     Triage.INFO_ONLY: Stage.INFO_ONLY}[Triage(data.triage)]
            # its one decision so far: the intake's triage (支援中 from today if 継続支援)
            support = derived.support_span([derived.SupportFact(
                data.received_on, 0, Triage(data.triage) is Triage.CONTINUE)], None)
            case_id = store.insert_case(w, case_no=case_no, person_id=person_id,
                                        fiscal_year=fy, stage=stage,
                                        opened_on=data.received_on, assignee_id=self.user.id,
                                        support=support)
            intake_id = store.insert_intake(w, case_id, data)
            if new_case_reason and data.existing_person_id:
                w.update("intake", intake_id, {"new_case_reason": new_case_reason})
            # the referral to check later (他機関へつなぎ), the emergency support done
            ProcessRepo(w.conn).from_intakes(w, case_id)
            hold_new_case(store, w, case_id, self.today())  # a laptop holds the cases it opens
            store.audit(self.user.login, "intake", case_id=case_id, detail=case_no)
        detail = store.case_detail(case_id)
        assert detail is not None
        return detail

    # ------------------------------------------------------------------ cases
    def list_cases(self, search: str = "", *, sort: str = "case_no", descending: bool = False,
                   limit: int = 200, offset: int = 0) -> list[CaseSummary]:
        """The cases this user may see (filtered in SQL); no whereabouts in the rows."""
        access = self._ctx.require_case_view()
        return self._store.list_cases(folded_query=text_ja.fold_for_search(search), sort=sort,
                                      descending=descending, limit=limit, offset=offset,
                                      access=access)

    def count_cases(self, search: str = "") -> int:
        access = self._ctx.require_case_view()
        return self._store.count_cases(folded_query=text_ja.fold_for_search(search),
                                       access=access)

    def get_case(self, case_id: str) -> CaseDetail:
        """The case; a sensitive person's whereabouts come masked (see ``reveal``)."""
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        detail = self._store.case_detail(case_id)
        if detail is None:
            raise NotFound(_("Case not found."))
        with self._store.transaction():
            self._store.audit(self.user.login, "view_case", case_id=case_id,
                              detail=detail.case.case_no)
        return masked(detail)

    def case_overview(self, case_id: str, timeline_kinds: Iterable[str] | None = None
                      ) -> CaseOverview:
        """Everything the case view shows, read at one moment (app/operations/
        case_overview.py); audited as viewing the case and its timeline."""
        return read_case_overview(self._ctx, self.process, case_id, timeline_kinds)

    def case_id(self, case_no: str) -> str:
        found = self._store.case_id_by_no(case_no.strip())
        if found is None:
            raise NotFound(_("No case has the number {case_no}.").format(case_no=case_no))
        return found

    # ------------------------------------------------------------------ persons
    def update_person(self, person_id: str, **fields: Any):
        """Correct a person's details (validated like the intake); journalled field by
        field, so concurrent edits on two devices are merged or flagged."""
        self._ctx.require(Permission.EDIT_CASES)
        unknown = set(fields) - set(PERSON_FIELDS)
        if unknown:
            raise ValidationError(sorted(unknown)[0], _("Unknown field: {field}")
                                  .format(field=", ".join(sorted(unknown))))
        store = self._store
        person = store.person(person_id)
        if person is None:
            raise NotFound(_("The person was not found."))
        values = person_values(store, self.today(), person, fields)
        with store.transaction() as w:
            w.update("person", person_id, values)
            store.audit(self.user.login, "person_update",
                        case_id=person.case_ids[0] if person.case_ids else None,
                        detail=",".join(sorted(fields)))
        # a 閲覧制限 person's whereabouts come back masked, as everywhere (see ``reveal``)
        return mask_persons([store.person(person_id)])[0]

    def batch(self):
        """Group many operations into one transaction (imports, demo data).

        Each operation inside still succeeds or fails whole (a savepoint); the batch
        commits once at the end, or not at all.
        """
        return self._store.transaction()

    # ------------------------------------------------------------------ drafts
    def save_draft(self, key: str, payload: dict) -> None:
        with self._store.transaction():
            self._store.save_draft(key, payload)

    def load_draft(self, key: str) -> dict | None:
        return self._store.load_draft(key)

    def discard_draft(self, key: str) -> None:
        with self._store.transaction():
            self._store.discard_draft(key)

    def drafts(self) -> list[tuple[str, str]]:
        return self._store.drafts()

    # for the demo generator and benchmarks only
    @property
    def store(self) -> Store:
        return self._store


# ---------------------------------------------------------------------- validation
def _load_master_data(w) -> None:
    sources = json.loads((master_dir() / "referral_sources.json").read_text(encoding="utf-8"))
    for i, s in enumerate(sources["sources"]):
        w.insert("referral_source", {"route": s["route"], "grp": s["group"], "name": s["name"],
                                     "active": 1, "sort": i})
    from app.store.process_repo import ProcessRepo
    ProcessRepo(w.conn).load_master(w)  # services, assessment domains and checklist


# Every public operation is checked against the one authorization table before it runs.
from app.security.authorization import install as _install_authorization  # noqa: E402
_install_authorization(Desk)

__all__ = ["Desk", "INTAKE_PAGES", "check_intake", "DamagedDatabase", "user_version"]
