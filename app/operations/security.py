"""Privacy and security (issue 5): accounts and roles, who sees which case, the audit log,
sensitive cases, consent and disclosure, retention: ``desk.security``, a part of the Desk.

Decisions (documented for the administrator's manual):

* **The administrator manages the system** — users, settings, master data, backups, the
  audit log and retention. Reading and writing case content is a separate set of
  permissions (``roles.ADMIN_CASE_PERMISSIONS``) that an administrator holds only while the
  agency setting ``security.admin_case_access`` is on. It is on unless switched off, because
  on a one- or two-person desk the administrator *is* the 主任相談支援員; an agency with a
  separate 主任 switches it off (``set_admin_case_access(False, reason)``, audited), and from
  then the administrator sees no case, not even in lists.
* Which cases a user sees (``CaseAccess``, filtered in SQL): 主任相談支援員 every case;
  相談支援員 and 就労支援員 the cases they are 担当 or 協働 of and the cases whose 担当 is in
  their team; 自治体担当 (read only) the cases on a 支援調整会議 agenda; 閲覧 none.
* Failed logins are counted in ``<db>.failures`` (app/security/throttle.py) and written to
  the audit log as ``login_failed`` at the next successful login.
* Every refusal raises PermissionDenied with a Japanese message and is audited ("refused").
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any, Iterable

from app import validation
from app.domain.case import CaseWorkers, Handover
from app.errors import NotFound, ValidationError, ValidationErrors
from app.i18n import _
from app.security.keyslots import KdfParams, KeySlots, new_recovery_key
from app.security.privacy import (
    ANY_AGENCY, AuditBreak, AuditRow, Consent, ConsentForm, Disclosure, DisclosureBasis,
    PurgeResult, RetentionItem, UserInfo, mask_detail, mask_person,
)
from app.security.roles import CASE_WORKER_ROLES, Permission, Role, allows
from app.security.throttle import LoginThrottle
from app.files import write_atomic
from app.store.security_repo import CaseAccess, SecurityRepo
from app.store.sync_merge import natural_id
from app.operations.context import ADMIN_CASE_ACCESS, DeskContext, Operations
from app.operations.maintenance import MaintenanceOperations
from app.security.authorization import (
    OPEN, Arg, CaseOrPerson, P, Row, Rule, install, need, read, write,
)

RETENTION_YEARS = "retention.years"
RETENTION_DEFAULT = 5
AUTO_LOCK_MINUTES = "security.auto_lock_minutes"
AUTO_LOCK_DEFAULT = 5
LOCK_EVENTS = ("lock", "unlock", "auto_lock")

AUDIT_CSV_HEADINGS = ("連番", "日時", "利用者", "操作", "ケース番号", "詳細", "理由", "端末",
                      "ハッシュ")


def audit_failed_logins(store: Any, path) -> LoginThrottle:
    """Inside the login transaction: move the failures counted while the database was
    locked into the audit log. The caller clears the counter after the commit."""
    throttle = LoginThrottle(path)
    count, entries = throttle.pending()
    for e in entries:
        store.audit(str(e.get("login", "")), "login_failed", user_id="",
                    detail=f"{e.get('at', '')} {e.get('kind', 'password')}")
    if count > len(entries):
        store.audit("", "login_failed", user_id="",
                    detail=f"+{count - len(entries)} (older, not kept)")
    return throttle


MIN_PASSWORD_DEFAULT = 8


def masked(detail):
    """A case as shown without a reason: a sensitive person's whereabouts masked."""
    return mask_detail(detail) if detail is not None and detail.person.sensitive else detail


def mask_persons(persons: list) -> list:
    return [mask_person(p) if p.sensitive else p for p in persons]


class SecurityOperations(Operations):
    """``desk.security``: accounts, case access, audit, sensitive cases, consent,
    retention."""

    RULES: dict[str, Rule] = {
        "verify_password": OPEN("the user's own password (screen unlock, throttled)"),
        "change_password": OPEN("the user's own password"),
        "lock_event": OPEN("the user's own screen lock, audited"),
        "allowed": OPEN("what the user's own role allows (menus)"),
        "case_access": OPEN("which cases the user's own role sees"),
        "admin_case_access": OPEN("an agency setting the menus need"),
        "auto_lock_minutes": OPEN("the screen lock delay"),
        "min_password_length": OPEN("the password rule"),
        "retention_years": OPEN("an agency setting"),
        "teams": OPEN("names of teams"),
        "reveal": read(Arg("case_id")),
        "is_sensitive": read(Arg("case_id")),
        "set_sensitive": write(CaseOrPerson("target_id")),
        "case_workers": read(Arg("case_id")),
        "assign_case": write(Arg("case_id"), P.ASSIGN_CASES),
        "add_coworker": write(Arg("case_id")),
        "hand_over": write(Arg("case_id")),
        "consents": read(Arg("case_id")),
        "record_consent": write(Arg("case_id")),
        "withdraw_consent": write(Row("consent", "consent_id")),
        "check_disclosure": read(Arg("case_id")),
        "record_disclosure": write(Arg("case_id")),
        "disclosures": read(Arg("case_id")),
        "intake_counts_by_month": need(P.VIEW_STATISTICS),
        "list_users": need(P.MANAGE_USERS),
        "add_user": need(P.MANAGE_USERS),
        "disable_user": need(P.MANAGE_USERS),
        "enable_user": need(P.MANAGE_USERS),
        "change_role": need(P.MANAGE_USERS),
        "reset_password": need(P.MANAGE_USERS),
        "set_team": need(P.MANAGE_USERS),
        "regenerate_recovery_key": need(P.MANAGE_USERS),
        "set_admin_case_access": need(P.MANAGE_SETTINGS),
        "set_auto_lock_minutes": need(P.MANAGE_SETTINGS),
        "set_retention_years": need(P.MANAGE_SETTINGS),
        "retention_due": need(P.PURGE),
        "purge": need(P.PURGE),
        "audit_search": need(P.VIEW_AUDIT),
        "audit_export_csv": need(P.VIEW_AUDIT),
        "audit_check": need(P.VIEW_AUDIT),
        "audit_entries": need(P.VIEW_AUDIT),
        "audit_verify": need(P.VIEW_AUDIT),
    }

    def __init__(self, ctx: DeskContext, maintenance: MaintenanceOperations):
        super().__init__(ctx)
        self._maintenance = maintenance   # the backup folder, whose manifests anchor the log

    # ------------------------------------------------------------------ plumbing
    @property
    def _sec(self) -> SecurityRepo:
        return self._ctx.sec

    def admin_case_access(self) -> bool:
        """Whether administrators may read and write cases (see the module docstring)."""
        return self._ctx.admin_case_access()

    def _allows(self, permission: Permission) -> bool:
        return self._ctx.allows(permission)

    def allowed(self, permission: Permission | str) -> bool:
        """For the GUI: whether the logged-in user may do this (buttons, menus)."""
        return self._allows(Permission(permission))

    def _refuse(self, message: str, *, case_id: str | None = None, detail: str = "") -> None:
        self._ctx.refuse(message, case_id=case_id, detail=detail)

    def _role_refused(self) -> str:
        return self._ctx.role_refused()

    def case_access(self) -> CaseAccess:
        """Which cases the logged-in user sees (app/operations/context.py)."""
        return self._ctx.case_access()

    def _require_case_view(self) -> CaseAccess:
        """Role check for case lists and searches; returns the SQL filter to apply."""
        return self._ctx.require_case_view()

    def _require_case_access(self, case_id: str, permission: Permission) -> None:
        """The per-case check behind Desk._require_case."""
        self._ctx.require_case(case_id, permission)

    def _need_reason(self, reason: str, field: str = "reason") -> str:
        reason = validation.clean_text(reason, field, _("Reason"), required=True, max_len=500)
        return reason

    def _kdf(self) -> KdfParams:
        """The Argon2id cost of this desk's slots (new slots cost the same)."""
        slots = KeySlots.load(self._store.path)
        for s in slots.slots:
            if s.login == self._ctx.user.login or s.kind == "recovery":
                return KdfParams(**s.kdf)
        return KdfParams()

    # ------------------------------------------------------------------ accounts
    def list_users(self, include_disabled: bool = True) -> list[UserInfo]:
        if not self._allows(Permission.MANAGE_USERS):
            self._refuse(self._role_refused(), detail=Permission.MANAGE_USERS.value)
        with_key = set(KeySlots.load(self._store.path).logins())
        users = [u for u in self._sec.users() if include_disabled or u.active]
        for u in users:
            u.has_key = u.login in with_key
        return users

    def teams(self) -> list[str]:
        return self._sec.teams()

    def _manage_users(self) -> None:
        if not self._allows(Permission.MANAGE_USERS):
            self._refuse(self._role_refused(), detail=Permission.MANAGE_USERS.value)

    def _user_or_404(self, login: str) -> UserInfo:
        found = self._sec.user((login or "").strip())
        if found is None:
            raise NotFound(_("No user is called {login}.").format(login=login))
        return found

    @staticmethod
    def _role(role: Role | str) -> Role:
        try:
            return Role(role)
        except ValueError:
            raise ValidationError("role", _("Unknown role: {role}").format(role=str(role))
                                  ) from None

    def add_user(self, login: str, display_name: str, role: Role | str, password: str, *,
                 team: str = "", kdf: KdfParams | None = None) -> UserInfo:
        """A new account with its own key slot (the database is not re-encrypted)."""
        from app.operations.checks import check_login, check_password
        self._manage_users()
        errors: list[ValidationError] = []

        def c(fn, *a, **k):
            try:
                return fn(*a, **k)
            except ValidationError as e:
                errors.append(ValidationError(e.field.replace("admin.", "user."), e.message))
                return None

        login = c(check_login, login)
        display_name = c(validation.clean_text, display_name, "user.display_name", _("Name"),
                         required=True, max_len=50)
        r = c(self._role, role)
        team = c(validation.clean_text, team, "user.team", _("Team"), max_len=30) or ""
        c(check_password, password, self.min_password_length())
        if login and self._sec.user(login) is not None:
            errors.append(ValidationError("user.login", _(
                "The user name {login} is already taken (also by disabled users).")
                .format(login=login)))
        if errors:
            raise ValidationErrors(errors)
        assert r is not None and login is not None
        with self._store.transaction() as w:
            # the login names the row on every device: the same login added on two desks
            # offline is one user whose fields merge (conflicts flagged), not a clash
            w.insert("staff", {"login": login, "display_name": display_name, "role": r.value,
                               "active": 1, "team": team}, row_id=natural_id("staff", login))
            self._store.audit(self._ctx.user.login, "user_add", detail=f"{login} {r.value}")
            slots = KeySlots.load(self._store.path)
            slots.set_password(login, password, self._store._raw_key, kdf or self._kdf())
            slots.save()  # last: a failure rolls the new row back
        return self._user_or_404(login)

    def disable_user(self, login: str) -> None:
        """The account stays (its name in records), its key slot goes: it cannot open."""
        self._manage_users()
        u = self._user_or_404(login)
        if u.login == self._ctx.user.login:
            raise ValidationError("user.login", _("You cannot disable your own account."))
        if u.role == Role.ADMIN.value and u.active and self._sec.active_admins() <= 1:
            raise ValidationError("user.login", _("The last administrator cannot be disabled."))
        with self._store.transaction() as w:
            w.update("staff", u.id, {"active": 0})
            self._store.audit(self._ctx.user.login, "user_disable", detail=u.login)
            slots = KeySlots.load(self._store.path)
            slots.remove_user(u.login)
            slots.save()

    def enable_user(self, login: str, password: str, kdf: KdfParams | None = None) -> None:
        """Re-enable a disabled account with a new password (its old slot is gone)."""
        from app.operations.checks import check_password
        self._manage_users()
        u = self._user_or_404(login)
        check_password(password, self.min_password_length())
        with self._store.transaction() as w:
            w.update("staff", u.id, {"active": 1})
            self._store.audit(self._ctx.user.login, "user_enable", detail=u.login)
            slots = KeySlots.load(self._store.path)
            slots.set_password(u.login, password, self._store._raw_key, kdf or self._kdf())
            slots.save()

    def change_role(self, login: str, role: Role | str) -> None:
        self._manage_users()
        u = self._user_or_404(login)
        r = self._role(role)
        if u.role == Role.ADMIN.value and r is not Role.ADMIN and u.active \
                and self._sec.active_admins() <= 1:
            raise ValidationError("role", _("The last administrator must stay an administrator."))
        with self._store.transaction() as w:
            w.update("staff", u.id, {"role": r.value})
            self._store.audit(self._ctx.user.login, "user_role", detail=f"{u.login} {u.role}→{r.value}")
        if u.login == self._ctx.user.login:
            self._ctx.user.role = r.value

    def set_team(self, login: str, team: str) -> None:
        self._manage_users()
        u = self._user_or_404(login)
        team = validation.clean_text(team, "user.team", _("Team"), max_len=30)
        with self._store.transaction() as w:
            w.update("staff", u.id, {"team": team})
            self._store.audit(self._ctx.user.login, "user_team", detail=f"{u.login} {team}")

    def change_password(self, old: str, new: str, kdf: KdfParams | None = None) -> None:
        """The logged-in user changes their own password (only the key file is rewritten)."""
        from app.operations.checks import check_password
        from app.errors import WrongPassword
        slots = KeySlots.load(self._store.path)
        try:
            key = slots.unlock(self._ctx.user.login, old)
        except WrongPassword:
            with self._store.transaction():
                self._store.audit(self._ctx.user.login, "password_change_failed")
            raise WrongPassword(_("The current password is wrong.")) from None
        if key != self._store._raw_key:
            raise WrongPassword(_("The current password is wrong."))
        check_password(new, self.min_password_length())
        with self._store.transaction():
            self._store.audit(self._ctx.user.login, "password_change")
            slots.set_password(self._ctx.user.login, new, self._store._raw_key, kdf or self._kdf())
            slots.save()

    def reset_password(self, login: str, new: str, kdf: KdfParams | None = None) -> None:
        """An administrator sets a new password for a user who forgot theirs."""
        from app.operations.checks import check_password
        self._manage_users()
        u = self._user_or_404(login)
        if not u.active:
            raise ValidationError("user.login", _(
                "{login} is disabled: enable the account instead.").format(login=u.login))
        check_password(new, self.min_password_length())
        with self._store.transaction():
            self._store.audit(self._ctx.user.login, "password_reset", detail=u.login)
            slots = KeySlots.load(self._store.path)
            slots.set_password(u.login, new, self._store._raw_key, kdf or self._kdf())
            slots.save()

    def regenerate_recovery_key(self, kdf: KdfParams | None = None) -> str:
        """A new recovery key (print it); the old one stops working at once."""
        self._manage_users()
        recovery = new_recovery_key()
        with self._store.transaction():
            self._store.audit(self._ctx.user.login, "recovery_key_new")
            slots = KeySlots.load(self._store.path)
            slots.set_recovery_key(recovery, self._store._raw_key, kdf or self._kdf())
            slots.save()
        return recovery

    def set_admin_case_access(self, allowed: bool, reason: str) -> None:
        if not allows(self._ctx.user.role, Permission.MANAGE_SETTINGS):
            self._refuse(self._role_refused(), detail=Permission.MANAGE_SETTINGS.value)
        reason = self._need_reason(reason)
        with self._store.transaction() as w:
            self._store.put_setting(w, ADMIN_CASE_ACCESS, "1" if allowed else "0")
            self._store.audit(self._ctx.user.login, "admin_case_access", detail=str(int(allowed)),
                              reason=reason)

    # ------------------------------------------------------------------ 担当, 協働, 引継ぎ
    def _worker(self, login: str) -> UserInfo:
        u = self._user_or_404(login)
        if not u.active or Role(u.role) not in CASE_WORKER_ROLES:
            raise ValidationError("login", _(
                "{login} cannot take charge of cases (disabled, or a role without case work)."
            ).format(login=u.login))
        return u

    def assign_case(self, case_id: str, login: str, reason: str = "") -> None:
        """担当を決める (主任相談支援員)."""
        self._require_case_access(case_id, Permission.ASSIGN_CASES)
        u = self._worker(login)
        row = self._sec.case_row(case_id)
        assert row is not None
        with self._store.transaction() as w:
            w.update("case_file", case_id, {"assignee_id": u.id})
            self._sec.insert_handover(w, case_id, self._ctx.today(), row["assignee_id"], u.id,
                                      reason.strip())
            self._store.audit(self._ctx.user.login, "assign", case_id=case_id, detail=u.login,
                              reason=reason.strip())

    def add_coworker(self, case_id: str, login: str) -> None:
        """協働: another worker works on the case too (and so sees it)."""
        self._require_case_access(case_id, Permission.EDIT_CASES)
        u = self._worker(login)
        if self._sec.is_coworker(case_id, u.id):
            return
        with self._store.transaction() as w:
            self._sec.insert_coworker(w, case_id, u.id, self._ctx.today())
            self._store.audit(self._ctx.user.login, "coworker_add", case_id=case_id, detail=u.login)

    def hand_over(self, case_id: str, to_login: str, reason: str) -> None:
        """引継ぎ: the 担当 (or the 主任) hands the case to another worker, with a reason."""
        self._require_case_access(case_id, Permission.EDIT_CASES)
        row = self._sec.case_row(case_id)
        assert row is not None
        if row["assignee_id"] != self._ctx.user.id and not self._allows(Permission.ASSIGN_CASES):
            self._refuse(_("Only the worker in charge or the chief consultation support worker "
                           "can hand a case over."), case_id=case_id, detail="hand_over")
        reason = self._need_reason(reason)
        u = self._worker(to_login)
        with self._store.transaction() as w:
            w.update("case_file", case_id, {"assignee_id": u.id})
            self._sec.insert_handover(w, case_id, self._ctx.today(), row["assignee_id"], u.id,
                                      reason)
            self._store.audit(self._ctx.user.login, "hand_over", case_id=case_id, detail=u.login,
                              reason=reason)

    def case_workers(self, case_id: str) -> CaseWorkers:
        """担当, 協働 and the hand-over history of a case."""
        self._require_case_access(case_id, Permission.VIEW_CASES)
        return CaseWorkers(
            coworkers=tuple(self._sec.coworkers(case_id)),
            handovers=tuple(Handover(h["handed_on"], h["from"], h["to"], h["reason"])
                            for h in self._sec.handovers(case_id)))

    # ------------------------------------------------------------------ sensitive cases
    def set_sensitive(self, target_id: str, flag: bool, reason: str) -> None:
        """Mark a person (by person id or one of their case ids) as 閲覧制限 (DV, ストーカー,
        住民票の閲覧制限): their whereabouts are masked everywhere unless revealed."""
        row = self._sec.case_row(target_id)
        if row is not None:
            person_id, case_ids = row["person_id"], [target_id]
        else:
            case_ids = self._sec.person_case_ids(target_id)
            if not case_ids:
                raise NotFound(_("Case not found."))
            person_id = target_id
        self._require_case_access(case_ids[0], Permission.EDIT_CASES)
        reason = self._need_reason(reason)
        with self._store.transaction() as w:
            w.update("person", person_id, {"sensitive": int(bool(flag))})
            self._store.audit(self._ctx.user.login, "sensitive_on" if flag else "sensitive_off",
                              case_id=case_ids[0], reason=reason)

    def is_sensitive(self, case_id: str) -> bool:
        row = self._sec.case_row(case_id)
        return bool(row and self._sec.person_sensitive(row["person_id"]))

    def reveal(self, case_id: str, reason: str):
        """The case with its whereabouts shown, for this one view; audited with the reason."""
        self._require_case_access(case_id, Permission.VIEW_CASES)
        reason = self._need_reason(reason)
        detail = self._store.case_detail(case_id)
        if detail is None:
            raise NotFound(_("Case not found."))
        with self._store.transaction():
            self._store.audit(self._ctx.user.login, "reveal", case_id=case_id,
                              detail=detail.case.case_no, reason=reason)
        return detail

    def min_password_length(self) -> int:
        """The agency's password rule (set at creation)."""
        return int(self._store.setting("password.min_length", str(MIN_PASSWORD_DEFAULT))
                   or MIN_PASSWORD_DEFAULT)

    def audit_verify(self) -> int | None:
        return self._store.audit_verify()

    def audit_entries(self, case_id: str | None = None, limit: int = 1000):
        return self._store.audit_entries(case_id, limit)

    # ------------------------------------------------------------------ consent
    def consents(self, case_id: str) -> list[Consent]:
        self._require_case_access(case_id, Permission.VIEW_CASES)
        return self._sec.consents(case_id)

    def record_consent(self, case_id: str, given_on: date, *,
                       recipients: Iterable[str] | None = None, scope: str = "",
                       purpose: str = "", form: ConsentForm | str = ConsentForm.WRITTEN
                       ) -> Consent:
        """情報提供に関する同意: to whom (names, or 「関係機関」), what, why, 書面/口頭."""
        self._require_case_access(case_id, Permission.EDIT_CASES)
        errors: list[ValidationError] = []
        try:
            validation.clean_date(given_on, "given_on", _("Date of consent"), required=True,
                                  not_after=(self._ctx.today(), _("Today")))
        except ValidationError as e:
            errors.append(e)
        names = [r.strip() for r in (recipients if recipients is not None else [ANY_AGENCY])
                 if r and r.strip()]
        if not names:
            errors.append(ValidationError("recipients", _(
                "Name at least one recipient, or 「関係機関」 for every agency involved.")))
        for n in names:
            if len(n) > 100:
                errors.append(ValidationError("recipients", _("A recipient's name is too long.")))
        try:
            f = ConsentForm(form)
        except ValueError:
            errors.append(ValidationError("form", _("Choose written or oral consent.")))
            f = ConsentForm.WRITTEN
        for value, field, label in ((scope, "scope", _("Scope of information")),
                                    (purpose, "purpose", _("Purpose"))):
            try:
                validation.clean_text(value, field, label, max_len=500)
            except ValidationError as e:
                errors.append(e)
        if errors:
            raise ValidationErrors(errors)
        with self._store.transaction() as w:
            consent_id = self._sec.insert_consent(
                w, case_id, given_on=given_on, scope=scope.strip(), recipients=names,
                purpose=purpose.strip(), form=f.value)
            self._store.audit(self._ctx.user.login, "consent", case_id=case_id,
                              detail=f"{f.value} " + "、".join(names))
        return next(c for c in self._sec.consents(case_id) if c.id == consent_id)

    def withdraw_consent(self, consent_id: str, withdrawn_on: date, note: str = "") -> None:
        """同意の撤回: honoured from ``withdrawn_on`` (disclosures before it stay valid)."""
        case_id = self._sec.consent_case(consent_id)
        if case_id is None:
            raise NotFound(_("The consent record was not found."))
        self._require_case_access(case_id, Permission.EDIT_CASES)
        consent = next((c for c in self._sec.consents(case_id) if c.id == consent_id), None)
        if consent is None:
            raise NotFound(_("The consent record was not found."))
        validation.clean_date(withdrawn_on, "withdrawn_on", _("Date of withdrawal"),
                              required=True, not_after=(self._ctx.today(), _("Today")))
        if withdrawn_on < consent.given_on:
            raise ValidationError("withdrawn_on", _(
                "The withdrawal cannot be before the consent was given."))
        note = validation.clean_text(note, "note", _("Note"), max_len=500)
        with self._store.transaction() as w:
            if consent.from_intake and consent_id.startswith("intake:"):
                self._sec.insert_consent(
                    w, case_id, given_on=consent.given_on, scope=consent.scope,
                    recipients=consent.recipients, purpose=consent.purpose,
                    form=consent.form.value, intake_id=consent_id[7:],
                    withdrawn_on=withdrawn_on, withdrawal_note=note)
            else:
                self._sec.withdraw_consent(w, consent_id, withdrawn_on, note)
            self._store.audit(self._ctx.user.login, "consent_withdraw", case_id=case_id,
                              detail=withdrawn_on.isoformat())

    def check_disclosure(self, case_id: str, recipient: str, on: date | None = None
                         ) -> Consent | None:
        """The consent that covers sharing with ``recipient`` on ``on``, or None."""
        self._require_case_access(case_id, Permission.VIEW_CASES)
        on = on or self._ctx.today()
        for c in self._sec.consents(case_id):
            if c.covers(recipient, on):
                return c
        return None

    def record_disclosure(self, case_id: str, recipient: str, scope: str,
                          basis: DisclosureBasis | str, reason: str = "", *,
                          on: date | None = None) -> Disclosure:
        """情報提供の記録. Basis 本人同意 needs a consent valid on that day and covering the
        recipient; 支援会議（法第9条） and 法令 need a reason (which meeting, which law)."""
        self._require_case_access(case_id, Permission.EDIT_CASES)
        on = on or self._ctx.today()
        errors: list[ValidationError] = []

        def c(fn, *a, **k):
            try:
                return fn(*a, **k)
            except ValidationError as e:
                errors.append(e)
                return None

        recipient = c(validation.clean_text, recipient, "recipient", _("Recipient"),
                      required=True, max_len=100) or ""
        scope = c(validation.clean_text, scope, "scope", _("Scope of information"),
                  required=True, max_len=500) or ""
        c(validation.clean_date, on, "on", _("Date of disclosure"), required=True,
          not_after=(self._ctx.today(), _("Today")))
        try:
            b = DisclosureBasis(basis)
        except ValueError:
            errors.append(ValidationError("basis", _(
                "Choose the basis: consent, support meeting (Article 9) or laws.")))
            b = None
        reason = c(validation.clean_text, reason, "reason", _("Reason"),
                   required=b is not None and b is not DisclosureBasis.CONSENT,
                   max_len=500) or ""
        if errors:
            raise ValidationErrors(errors)
        consent = None
        if b is DisclosureBasis.CONSENT:
            consent = next((x for x in self._sec.consents(case_id) if x.covers(recipient, on)),
                           None)
            if consent is None:
                raise ValidationError("basis", _(
                    "No valid consent of the person covers sharing with {recipient} on that "
                    "day (none given, another recipient, or withdrawn). Share only on another "
                    "basis — the support meeting under Article 9 or a law — and record it with "
                    "its reason.").format(recipient=recipient))
        assert b is not None
        with self._store.transaction() as w:
            row_id = self._sec.insert_disclosure(
                w, case_id, disclosed_on=on, recipient=recipient, scope=scope, basis=b.value,
                reason=reason, consent_id=consent.id if consent else None)
            self._store.audit(self._ctx.user.login, "disclose", case_id=case_id,
                              detail=f"{b.value} {recipient}", reason=reason)
        return next(d for d in self._sec.disclosures(case_id) if d.id == row_id)

    def disclosures(self, case_id: str) -> list[Disclosure]:
        self._require_case_access(case_id, Permission.VIEW_CASES)
        return self._sec.disclosures(case_id)

    # ------------------------------------------------------------------ audit log
    def _view_audit(self) -> None:
        if not self._allows(Permission.VIEW_AUDIT):
            self._refuse(self._role_refused(), detail=Permission.VIEW_AUDIT.value)

    def audit_search(self, user: str | None = None, case_no: str | None = None,
                     action: str | None = None, since: date | datetime | None = None,
                     until: date | datetime | None = None, limit: int = 500) -> list[AuditRow]:
        """Entries newest first; ``since``/``until`` dates are local days, inclusive."""
        self._view_audit()
        case_id = None
        if case_no:
            case_id = self._store.case_id_by_no(case_no.strip())
            if case_id is None:
                return []
        return self._sec.audit_search(login=user, case_id=case_id, action=action, since=since,
                                      until=until, limit=limit)

    def audit_export_csv(self, path, **filters: Any) -> int:
        """Write the (filtered) audit log as CSV for Excel: UTF-8 with BOM, Japanese
        headings, oldest first, written atomically. Returns the number of rows."""
        self._view_audit()
        filters.setdefault("limit", 0)
        rows = list(reversed(self.audit_search(**filters)))
        hashes = {e.seq: e.hash for e in self._store.audit_entries(None, 10**9)} if rows else {}
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\r\n")
        out.writerow(AUDIT_CSV_HEADINGS)
        from app.reports.export import safe_text   # no formula from typed text (issue 13)
        for r in rows:
            out.writerow([safe_text(v) for v in (
                r.seq, r.at, r.login, r.action, r.case_no, r.detail, r.reason, r.device_id,
                hashes.get(r.seq, ""))])
        write_atomic(path, ("\ufeff" + buf.getvalue()).encode("utf-8"))
        with self._store.transaction():
            self._store.audit(self._ctx.user.login, "export", detail=f"audit csv {len(rows)}")
        return len(rows)

    def audit_check(self) -> AuditBreak | None:
        """Where the hash chain first breaks (seq and time), or None when it holds."""
        seq = self._store.audit_verify()
        if seq is not None:
            return self._sec.audit_break(seq)
        from app.operations.audit_anchors import check   # anchors outside the database
        return check(self._store, self._maintenance.backup_folder())

    def lock_event(self, kind: str) -> None:
        """The GUI locked (``lock``, ``auto_lock``) or unlocked (``unlock``) the screen."""
        if kind not in LOCK_EVENTS:
            raise ValueError(f"unknown lock event {kind}")
        with self._store.transaction():
            self._store.audit(self._ctx.user.login, kind)

    def auto_lock_minutes(self) -> int:
        """Minutes without input before the screen locks itself (default 5)."""
        try:
            minutes = int(self._store.setting(AUTO_LOCK_MINUTES, str(AUTO_LOCK_DEFAULT))
                          or AUTO_LOCK_DEFAULT)
        except ValueError:
            return AUTO_LOCK_DEFAULT
        return minutes if 1 <= minutes <= 60 else AUTO_LOCK_DEFAULT

    def set_auto_lock_minutes(self, minutes: int) -> None:
        if not self._allows(Permission.MANAGE_SETTINGS):
            self._refuse(self._role_refused(), detail=Permission.MANAGE_SETTINGS.value)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 60:
            raise ValidationError("security.auto_lock_minutes", _(
                "Enter the time before the screen locks as whole minutes between 1 and 60."))
        with self._store.transaction() as w:
            self._store.put_setting(w, AUTO_LOCK_MINUTES, str(minutes))
            self._store.audit(self._ctx.user.login, "setting", detail=f"{AUTO_LOCK_MINUTES}={minutes}")

    def verify_password(self, password: str) -> bool:
        """Unlocking the locked screen: the user's password again (back-off applies)."""
        throttle = LoginThrottle(self._store.path)
        throttle.check()
        from app.errors import WrongPassword
        try:
            ok = KeySlots.load(self._store.path).unlock(self._ctx.user.login, password) \
                == self._store._raw_key
        except WrongPassword:
            ok = False
        with self._store.transaction():
            self._store.audit(self._ctx.user.login, "unlock" if ok else "unlock_failed")
        if ok:
            throttle.clear()
        else:
            throttle.failed(self._ctx.user.login, "unlock")  # kept in memory if not written
        return ok

    # ------------------------------------------------------------------ statistics
    def intake_counts_by_month(self) -> dict[str, int]:
        """Intakes per month (YYYY-MM), including purged cases' anonymised facts."""
        if not self._allows(Permission.VIEW_STATISTICS):
            self._refuse(self._role_refused(), detail=Permission.VIEW_STATISTICS.value)
        return self._sec.intake_counts_by_month()

    # ------------------------------------------------------------------ retention
    def retention_years(self) -> int:
        try:
            return int(self._store.setting(RETENTION_YEARS, str(RETENTION_DEFAULT))
                       or RETENTION_DEFAULT)
        except ValueError:
            return RETENTION_DEFAULT

    def set_retention_years(self, years: int) -> None:
        if not self._allows(Permission.MANAGE_SETTINGS):
            self._refuse(self._role_refused(), detail=Permission.MANAGE_SETTINGS.value)
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 100:
            raise ValidationError("retention.years", _(
                "Enter the retention period as whole years between 1 and 100."))
        with self._store.transaction() as w:
            self._store.put_setting(w, RETENTION_YEARS, str(years))
            self._store.audit(self._ctx.user.login, "setting", detail=f"{RETENTION_YEARS}={years}")

    def retention_due(self) -> list[RetentionItem]:
        """Closed cases whose retention period (years after closure) has passed."""
        if not self._allows(Permission.PURGE):
            self._refuse(self._role_refused(), detail=Permission.PURGE.value)
        return self._sec.retention_due(self.retention_years(), self._ctx.today())

    def purge(self, case_ids: Iterable[str], reason: str) -> PurgeResult:
        """Delete the personal data of cases past retention for good: every row of every
        table with a case_id column (and their children), the person if no other case is
        theirs, their journal entries and drafts; then rewrite the file (VACUUM) and empty
        the WAL. Anonymised facts (dates and categories) stay for statistics. The audit
        entry names the case numbers and the reason, no personal data."""
        due = {i.case_id: i for i in self.retention_due()}
        reason = self._need_reason(reason)
        ids = list(dict.fromkeys(case_ids))
        if not ids:
            return PurgeResult()
        not_due = [i for i in ids if i not in due]
        if not_due:
            row = self._sec.case_row(not_due[0])
            raise ValidationError("case_ids", _(
                "Case {case_no} is not past its retention period (or not closed): it cannot "
                "be deleted.").format(case_no=row["case_no"] if row else not_due[0]))
        result = PurgeResult(purged=[due[i].case_no for i in ids])
        from app.store.stats_repo import StatsRepo
        stats = StatsRepo(self._store.conn)
        with self._store.transaction() as w:
            plan = self._sec.purge_plan(ids)
            span = stats.case_span(ids)
            before = stats.snapshot(*span) if span else {}
            for case_id in ids:
                mine = self._sec.purge_plan([case_id])
                counts = {t: len(v) for t, v in sorted(mine.items())
                          if t not in ("case_file", "person")}
                self._sec.anonymise(w, case_id, counts, self._ctx.today())
            result.rows = self._sec.delete_rows(plan)
            if span:
                # What these cases contributed to each month stays, without them: past
                # statistics do not change.
                after = stats.snapshot(*span)
                stats.record_anon(w, {k: before.get(k, 0) - after.get(k, 0)
                                      for k in set(before) | set(after)})
            self._store.audit(self._ctx.user.login, "purge", detail=" ".join(result.purged),
                              reason=reason)
        self._sec.compact()
        return result


install(SecurityOperations)   # every public operation checked against its rule
