"""The authorization table: every public operation of ``Desk``, what it requires, and how
the case it touches is found — enforced in one place before the operation's body runs.

``install(Desk)`` (called where Desk is defined) wraps each public method named in
``TABLE``: before anything is read or written the wrapper checks the permission(s) of the
rule and, for case data, that the user may see every case the call touches (own, 協働 and
team cases; every case for the 主任; agenda cases, read only, for the 自治体担当; none for
閲覧 — see app/operations/security.py ``case_access``). A refusal raises PermissionDenied in
Japanese and is written to the audit log ("refused", with the operation's name).

How a rule finds its case (``case=``):

* ``Arg("case_id")``           — an argument holding a case id (``optional`` when None is allowed)
* ``Refs("case_ids")``         — a list of case ids or case numbers (every one must be visible)
* ``Row("plan", "plan_id")``   — a row of a case table; its case is looked up first
* ``PersonArg("person_id")``   — a person: the user must see one of the person's cases
* ``CaseOrPerson("target_id")``— a case id, or else a person id
* ``CaseNo("case_no")``        — a case number typed by a person
* ``LISTED``                   — a list or count filtered in SQL by the user's case scope:
                                 refused outright for a role that sees no case
* ``NO_CASE``                  — no case data (settings, users, statistics, master data)

``needs`` is the permission (or a tuple of permissions, all needed); an ``AnyOf`` inside it
is satisfied by one of its members. ``OPEN`` rules need nothing beyond being logged in and
say why (``why``). ``SESSIONLESS`` marks the static/class methods that open or make a
database: they authenticate with a password themselves.

The wrapper checks only the outermost call: an operation that calls another public
operation (print_intake → print_sheet, export_caseload → caseload) was checked on entry,
and the bodies keep their own checks.

Issue 21 composes Desk: each part (``desk.master``, ``desk.reports`` …, listed in
``Desk.PARTS``) declares its own rules in a class-level ``RULES`` and is installed per class
(``install(MasterOperations)``); ``TABLE`` here holds the desk's own methods and those of
the areas still mixed into it. The wrapper finds the session (user, store, checks) in
``self._ctx`` (app/operations/context.py); one outermost call per context is checked.
tests/test_authorization.py fails when a public method of Desk or of a part has no rule, and
drives every method × role × (own, other's, 閲覧制限 case).
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from app.errors import NotFound
from app.i18n import _
from app.security.roles import Permission as P
from app.operations.context import DeskContext
from app.store.authz_repo import AuthzRepo


# ---------------------------------------------------------------------- rule parts
@dataclass(frozen=True)
class AnyOf:
    """One of these permissions is enough."""
    perms: tuple[P, ...]

    def __init__(self, *perms: P):
        object.__setattr__(self, "perms", tuple(perms))


@dataclass(frozen=True)
class Arg:
    name: str
    optional: bool = False


@dataclass(frozen=True)
class Refs:
    name: str
    optional: bool = False
    unknown_to_body: bool = False   # a number that finds no case: the body says which field


@dataclass(frozen=True)
class Row:
    table: str
    name: str
    optional: bool = False


@dataclass(frozen=True)
class PersonArg:
    name: str


@dataclass(frozen=True)
class CaseOrPerson:
    name: str


@dataclass(frozen=True)
class CaseNo:
    name: str
    optional: bool = False
    unknown_to_body: bool = False   # a number that finds no case: the body says which field


class _Marker(str):
    pass


LISTED = _Marker("listed")
NO_CASE = _Marker("no case")


@dataclass(frozen=True)
class Rule:
    needs: tuple[P | AnyOf, ...] = ()
    case: Any = NO_CASE
    case_permission: P | None = None   # per-case check (default: the first of ``needs``)
    open: bool = False                 # no permission: any logged-in user
    sessionless: bool = False          # static/class method that authenticates itself
    why: str = ""
    extra: Callable[[Any, dict[str, Any]], None] | None = None  # a further condition
    audit: str = ""                    # a read written to the audit log (one entry per call)
    audit_detail: Callable[[dict[str, Any], Any], str] | None = None
    checks_inside: bool = False        # runs other operations, each checked as outermost

    @property
    def permission_for_case(self) -> P:
        if self.case_permission is not None:
            return self.case_permission
        first = self.needs[0] if self.needs else P.VIEW_CASES
        return first.perms[0] if isinstance(first, AnyOf) else first


def need(*perms: P | AnyOf, case: Any = NO_CASE, case_permission: P | None = None,
         extra=None, audit: str = "", audit_detail=None) -> Rule:
    return Rule(needs=tuple(perms), case=case, case_permission=case_permission, extra=extra,
                audit=audit, audit_detail=audit_detail)


def _list_detail(args: dict[str, Any], result: Any) -> str:
    query = str(args.get("search") or "")[:50]
    n = len(result) if isinstance(result, list) else ""
    return (f"「{query}」 " if query else "") + f"{n} rows"


def OPEN(why: str) -> Rule:
    return Rule(open=True, why=why)


def SESSIONLESS(why: str) -> Rule:
    return Rule(sessionless=True, why=why)


VIEW, EDIT = P.VIEW_CASES, P.EDIT_CASES


def read(case: Any) -> Rule:
    """Reading case data: 自治体担当 may read agenda cases (security._require_case_access)."""
    return need(VIEW, case=case)


def write(case: Any, permission: P = EDIT) -> Rule:
    return need(permission, case=case)


# ---------------------------------------------------------------------- the table
TABLE: dict[str, Rule] = {
    # --- opening, closing, the session itself
    "exists": SESSIONLESS("whether a file exists at a path; reads nothing"),
    "create": SESSIONLESS("makes a new database; its creator becomes the administrator"),
    "open": SESSIONLESS("unlocks with the user's own password"),
    "open_with_recovery_key": SESSIONLESS("unlocks with the printed recovery key"),
    "restore": SESSIONLESS("checks the administrator's password of the live desk and of "
                           "the backup itself (Desk.restore)"),
    "close": OPEN("ends the user's own session"),
    "suspend": OPEN("the screen lock of the user's own session"),
    "reader": OPEN("the user's own session on a second connection: every read on it is "
                   "checked and audited as on this one"),
    "interrupt": OPEN("stops a statement of the user's own session"),
    "closed": OPEN("whether the session is closed"),
    "path": OPEN("the database file's path"),
    "store": OPEN("the demo generator and benchmarks; a user with Python and a password can "
                  "read the database anyway (docs/THREAT_MODEL.md)"),
    "today": OPEN("the date"),
    "user": OPEN("the logged-in user's own account"),
    "batch": OPEN("a transaction around operations that are each checked"),
    "check_intake": OPEN("validates input; reads nothing"),
    "save_draft": OPEN("the user's own drafts (kept per user)"),
    "load_draft": OPEN("the user's own drafts (kept per user)"),
    "discard_draft": OPEN("the user's own drafts (kept per user)"),
    "drafts": OPEN("the user's own drafts (kept per user)"),
    # --- agency and master data every form needs
    "agency": OPEN("the agency's name and municipality (printed on every sheet)"),
    "referral_sources": OPEN("master data of the intake form"),
    "staff": OPEN("names and roles of colleagues (担当 pickers, names in records)"),
    # --- intake and cases
    "find_same_person": need(EDIT),  # name, birth date, case numbers, 担当 only; audited
    "register_intake": need(EDIT),
    "list_cases": need(case=LISTED, audit="view_list", audit_detail=_list_detail),
    "count_cases": need(case=LISTED),
    "case_id": read(CaseNo("case_no")),
    "get_case": read(Arg("case_id")),
    "case_overview": read(Arg("case_id")),   # the case view's one read; audited inside
    "update_person": write(PersonArg("person_id")),
    # --- process reads
    # --- process writes
    # --- 支援調整会議
    # --- consent and disclosure
    # --- printing: desk.paper (app/operations/paper.py RULES)
    # --- statistics and exports
    # --- accounts and settings (the administrator)
    # --- audit
    # --- devices and transfer files
    # --- the guide's rules (issue 19)
    # --- agenda items belong to the caseworker too (issue 14)
    # --- 社会資源, 地域課題, activities (issue 15)
    # --- 人材育成 (another staff member's records need MANAGE_DESK: the body checks)
    # --- 苦情・ヒヤリハット (own records without RISK_REGISTER, the case's visibility and
    # audit links are checked by the bodies on the record they read)
    # --- the yearly plan and report (no names in it)
}


# ---------------------------------------------------------------------- enforcement
_CHECK_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("authz_check_only",
                                                                    default=False)


class _Allowed:
    def __repr__(self) -> str:
        return "ALLOWED"


ALLOWED = _Allowed()


class checking_only:
    """Within this block a gated call checks and returns ``ALLOWED`` instead of running
    (what the GUI may ask before showing a button; how the table test drives every
    method without side effects). Refusals are raised and audited as always."""

    def __enter__(self):
        self._token = _CHECK_ONLY.set(True)
        return self

    def __exit__(self, *exc):
        _CHECK_ONLY.reset(self._token)


def public_names(cls: type) -> list[str]:
    """Every public attribute of the class that is a method or property."""
    names = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        attr = inspect.getattr_static(cls, name)
        if isinstance(attr, (staticmethod, classmethod, property)) or inspect.isfunction(attr):
            names.append(name)
    return sorted(names)


def inferred_rule(fn: Any) -> Rule:
    """A conservative rule for a public method missing from the table (a branch merged
    without its entry): found from its parameter names, so the program keeps working while
    tests/test_authorization.py fails until the method is declared."""
    if not inspect.isfunction(fn):
        return Rule(open=True, why="inferred: not a plain method")
    params = inspect.signature(fn).parameters
    for arg, table in (("plan_id", "plan"), ("plan_item_id", "plan_item"),
                       ("record_id", "support_record"), ("referral_id", "referral"),
                       ("consent_id", "consent"), ("emergency_id", "emergency_support"),
                       ("conflict_id", "sync_conflict")):
        if arg in params:
            return need(VIEW, case=Row(table, arg))
    if "case_id" in params:
        return need(VIEW, case=Arg("case_id", optional=params["case_id"].default is None))
    if "case_ids" in params:
        return need(VIEW, case=Refs("case_ids", optional=True))
    if "person_id" in params:
        return need(VIEW, case=PersonArg("person_id"))
    if "meeting_id" in params:
        return need(AnyOf(P.MEETINGS, P.VIEW_AGENDA_CASES))
    return Rule(open=True, why="inferred: not in the table (its body checks)")


def rules_of(cls: type) -> dict[str, Rule]:
    """The rules a class declares: its own ``RULES`` (an operations object of the desk,
    app/operations/*), else this module's ``TABLE`` (the desk itself)."""
    own = cls.__dict__.get("RULES")
    return own if isinstance(own, dict) else TABLE


def install(cls: type, rules: dict[str, Rule] | None = None) -> type:
    """Wrap every public method of ``cls`` with its rule (``rules``, else ``rules_of``). A
    method missing from the table gets ``inferred_rule`` (and the table test fails), so that
    a merge does not stop the program. The wrapper finds the session in ``self._ctx``
    (app/operations/context.py)."""
    rules = rules if rules is not None else rules_of(cls)
    for name in public_names(cls):
        attr = inspect.getattr_static(cls, name)
        rule = rules.get(name) or inferred_rule(attr)
        if rule.sessionless or isinstance(attr, (staticmethod, classmethod, property)):
            continue
        if rule.open:
            continue
        if getattr(attr, "__authz_rule__", None) is not None:
            continue
        setattr(cls, name, _gate(name, attr, rule))
    return cls


def _gate(name: str, fn: Callable, rule: Rule) -> Callable:
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def gated(self, *args, **kwargs):
        active = _active_desks()
        ctx = self._ctx
        if id(ctx) in active or ctx.store is None:
            return fn(self, *args, **kwargs)   # inside an operation checked on entry
        bound = sig.bind(self, *args, **kwargs)
        bound.apply_defaults()
        ids = check(ctx, name, rule, bound.arguments, owner=self)
        if _CHECK_ONLY.get():
            return ALLOWED
        if rule.checks_inside:   # check_only: what it runs is checked call by call
            return fn(self, *args, **kwargs)
        active.add(id(ctx))
        try:
            result = fn(self, *args, **kwargs)
            if rule.audit:   # reading lists, searches, records: one entry per call
                detail = rule.audit_detail(bound.arguments, result) if rule.audit_detail \
                    else ""
                ctx.audit(rule.audit, case_id=ids[0] if ids else None, detail=detail)
            return result
        finally:
            active.discard(id(ctx))

    setattr(gated, "__authz_rule__", rule)
    return gated


_threads = threading.local()


def _active_desks() -> set[int]:
    """The sessions (contexts) whose operation this thread is inside (the GUI thread and the background
    worker each check their own calls)."""
    found = getattr(_threads, "desks", None)
    if found is None:
        found = _threads.desks = set()
    return found


def _require_all(ctx: DeskContext, permission: P, name: str,
                 case_id: str | None = None) -> None:
    if not ctx.allows(permission):
        ctx.refuse(ctx.role_refused(), case_id=case_id, detail=f"{permission.value} {name}")


def check(ctx: DeskContext, name: str, rule: Rule, args: dict[str, Any], *,
          owner: Any = None) -> list[str]:
    """Raise PermissionDenied (audited) unless the user of ``ctx`` may make this call
    (``owner``: the object whose method it is, handed to ``rule.extra``). Returns the
    cases the call touches."""
    case = rule.case
    ids: list[str] = []
    if case is not NO_CASE and case is not LISTED:
        ids = list(case_ids(ctx, case, args))
    first = ids[0] if ids else None
    for p in rule.needs:
        if isinstance(p, AnyOf):
            if not any(ctx.allows(x) for x in p.perms):
                ctx.refuse(ctx.role_refused(), case_id=first,
                             detail="|".join(x.value for x in p.perms) + f" {name}")
        elif ids and p is rule.permission_for_case:
            pass  # checked per case below (自治体担当 reads agenda cases)
        else:
            _require_all(ctx, p, name, first)
    if case is LISTED:
        if ctx.case_access().scope == "none":
            ctx.refuse(ctx.role_refused(), detail=f"{VIEW.value} {name}")
    for case_id in ids:
        ctx.require_case(case_id, rule.permission_for_case)
    if rule.extra is not None:
        rule.extra(owner, args)
    return ids


_repos: "weakref.WeakKeyDictionary[DeskContext, AuthzRepo]" = weakref.WeakKeyDictionary()


def _repo(ctx: DeskContext) -> AuthzRepo:
    repo = _repos.get(ctx)
    if repo is None or repo.conn is not ctx.db.conn:
        repo = _repos[ctx] = AuthzRepo(ctx.db.conn)
    return repo


def case_ids(ctx: DeskContext, ref: Any, args: dict[str, Any]) -> Iterable[str]:
    """The cases a call touches, per its rule; NotFound when a row does not exist."""
    repo = _repo(ctx)
    value = args.get(ref.name)
    if (value is None or value == "" or value == ()) and getattr(ref, "optional", False):
        return []
    if isinstance(ref, Arg):
        if not isinstance(value, str):
            raise NotFound(_("Case not found."))
        return [value]
    if isinstance(ref, CaseNo):
        found = repo.case_by_ref(value) if isinstance(value, str) else None
        if found is None:
            if ref.unknown_to_body:
                return []   # nothing to see: the body refuses the number under its field
            raise NotFound(_("No case has the number {case_no}.").format(case_no=value))
        return [found]
    if isinstance(ref, Refs):
        if isinstance(value, str):
            value = [value]
        out = []
        for r in value or []:
            found = repo.case_by_ref(r)
            if found is None and ref.unknown_to_body:
                continue
            if found is None:
                raise NotFound(_("No case has the number {case_no}.").format(case_no=r))
            out.append(found)
        return out
    if isinstance(ref, Row):
        if not isinstance(value, str):
            raise NotFound(_("Not found."))
        found = repo.case_of(ref.table, value)
        if found is None:
            if ref.optional and isinstance(value, str) and repo.row_exists(ref.table, value):
                return []   # a row of no case (a conflict on a setting): the role decides
            raise NotFound(_("Not found."))
        return [found]
    if isinstance(ref, (PersonArg, CaseOrPerson)):
        if not isinstance(value, str):
            raise NotFound(_("The person was not found."))
        if isinstance(ref, CaseOrPerson) and repo.case_of("case_file", value):
            return [value]
        cases = repo.person_cases(value)
        if not cases:
            raise NotFound(_("The person was not found."))
        access = ctx.case_access()
        visible = [c for c in cases if ctx.sec.case_visible(c, access)]
        return visible[:1] or cases[:1]   # one case the user sees, else refused on the first
    raise TypeError(ref)


def rule_of(name: str) -> Rule:
    return TABLE[name]


__all__ = ["TABLE", "Rule", "install", "check", "checking_only", "ALLOWED", "public_names",
           "Arg", "Refs", "Row", "PersonArg", "CaseOrPerson", "CaseNo", "LISTED", "NO_CASE",
           "AnyOf", "rule_of", "case_ids", "rules_of"]
