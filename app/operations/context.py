"""The one small context every part of the desk shares (issue 21, Anki's ``col``): the
store, the logged-in user, today's date, and the checks and the audit entry every
operation needs. ``Desk`` makes one per session and hands it to each operations object
(``desk.master``, ``desk.reports``, ``desk.maintenance`` …) in its constructor.

Which cases a user sees (``case_access``) is decided here — see
app/operations/security.py for the rules as the administrator's manual states them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, TypeVar

from app.domain import Staff
from app.errors import NotFound, PermissionDenied
from app.i18n import _
from app.security.roles import Permission, Role, allows
from app.store.security_repo import CaseAccess, SecurityRepo
from app.store.store import Store

ADMIN_CASE_ACCESS = "security.admin_case_access"
_Repo = TypeVar("_Repo")


class DeskContext:
    """The session: ``store`` (None once closed), ``user``, ``today()``; ``require`` a
    permission, ``require_case`` a visible case, ``audit`` an action — refusals audited."""

    def __init__(self, store: Store | None, user: Staff, today: Callable[[], date]):
        self.store: Store | None = store
        self.user = user
        self.today_fn = today
        self._repos: dict[Any, Any] = {}

    # ------------------------------------------------------------------ the session
    @property
    def db(self) -> Store:
        """The open store (StoreError-free: a closed desk has no operations to run)."""
        store = self.store
        assert store is not None, "the desk is closed"
        return store

    def today(self) -> date:
        return self.today_fn()

    def repo(self, kind: Callable[[Any], _Repo]) -> _Repo:
        """The repository ``kind`` (a class of app/store taking the connection) on the
        store's connection now — made once, and again after the desk was locked and
        unlocked (a new connection)."""
        repo = self._repos.get(kind)
        conn = self.db.conn
        if repo is None or repo.conn is not conn:
            repo = self._repos[kind] = kind(conn)
        return repo

    @property
    def sec(self) -> SecurityRepo:
        """Who sees which case (SQL in app/store/security_repo.py), on this connection."""
        return self.repo(SecurityRepo)

    # ------------------------------------------------------------------ permissions
    def admin_case_access(self) -> bool:
        """Whether administrators may read and write cases (security.py's docstring)."""
        return (self.db.setting(ADMIN_CASE_ACCESS, "1") or "1") == "1"

    def allows(self, permission: Permission) -> bool:
        return allows(self.user.role, permission, admin_case_access=self.admin_case_access())

    def role_refused(self) -> str:
        return _("Your role ({role}) does not allow this operation.").format(
            role=Role(self.user.role).label)

    def refuse(self, message: str, *, case_id: str | None = None, detail: str = "") -> None:
        """Audit the refusal, then raise PermissionDenied(message)."""
        with self.db.transaction():
            self.db.audit(self.user.login, "refused", case_id=case_id, detail=detail)
        raise PermissionDenied(message)

    def require(self, permission: Permission) -> None:
        if not self.allows(permission):
            self.refuse(self.role_refused(), detail=permission.value)

    def case_access(self) -> CaseAccess:
        """Which cases the logged-in user sees."""
        if self.allows(Permission.ALL_CASES):
            return CaseAccess("all")
        if self.allows(Permission.VIEW_CASES):
            return CaseAccess("team", self.user.id, self.sec.team_of(self.user.id))
        if self.allows(Permission.VIEW_AGENDA_CASES):
            return CaseAccess("agenda")
        return CaseAccess("none")

    def require_case_view(self) -> CaseAccess:
        """Role check for case lists and searches; returns the SQL filter to apply."""
        access = self.case_access()
        if access.scope == "none":
            self.refuse(self.role_refused(), detail=Permission.VIEW_CASES.value)
        return access

    def require_case(self, case_id: str, permission: Permission) -> None:
        """``permission`` for one case: the role, then whether the user sees the case (own,
        協働 and team cases; all for 主任; agenda cases, reading, for 自治体担当)."""
        read_only = permission is Permission.VIEW_CASES
        if read_only and not self.allows(Permission.VIEW_CASES) \
                and self.allows(Permission.VIEW_AGENDA_CASES):
            pass  # 自治体担当: reading, limited to agenda cases below
        elif not self.allows(permission):
            self.refuse(self.role_refused(), case_id=case_id, detail=permission.value)
        if not self.sec.case_exists(case_id):
            raise NotFound(_("Case not found."))
        if not self.sec.case_visible(case_id, self.case_access()):
            row = self.sec.case_row(case_id)
            self.refuse(_("You may not see case {case_no}: it is not among your own cases, "
                          "the cases you work on together or your team's cases. Ask the "
                          "chief consultation support worker.").format(
                              case_no=row["case_no"] if row else ""),
                        case_id=case_id, detail=permission.value)

    # ------------------------------------------------------------------ audit
    def audit(self, action: str, *, case_id: str | None = None, detail: str = "",
              reason: str = "") -> None:
        """One audit entry in a transaction of its own (reads, exports)."""
        with self.db.transaction():
            self.db.audit(self.user.login, action, case_id=case_id, detail=detail,
                          reason=reason)


class Operations:
    """Base of the desk's parts: each holds the shared context (and, in its own
    constructor, the other parts it calls). The authorization wrapper finds the session
    through ``_ctx``."""

    def __init__(self, ctx: DeskContext):
        self._ctx = ctx

    @property
    def _store(self) -> Store:
        return self._ctx.db



__all__ = ["DeskContext", "Operations", "ADMIN_CASE_ACCESS"]
