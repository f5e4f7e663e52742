"""Running the desk (issue 15; the guide's chapters 2–5): the 社会資源 directory, 地域課題,
activities with the region, 人材育成, リスクマネジメント (苦情, ヒヤリハット・事故) and the
yearly plan. Desk operations (a mixin of Desk); the SQL is in app/store/region_repo.py, the
annual report in app/reports/annual.py.

Who may do what (each public method starts with its check; refusals are audited):

* 社会資源: everyone who works with cases or statistics reads the directory
  (``_require_any(VIEW_CASES, VIEW_STATISTICS, MANAGE_SETTINGS)``); staff who record cases
  add and edit entries (``EDIT_CASES`` or ``MANAGE_DESK`` or ``MANAGE_SETTINGS``) — a name
  typed as つなぎ先 that is not in the directory is offered to add; deactivating needs
  ``MANAGE_DESK`` or ``MANAGE_SETTINGS``. The open cases behind an entry are listed only
  when the reader may see them (case visibility in SQL); the use count counts all.
* 地域課題: read by the same readers; raised by staff (``EDIT_CASES``) or by the 支援調整会議
  (``MEETINGS``); a case linked needs that case's visibility; its status is moved by the
  主任 (``MANAGE_DESK``). Status 把握 → 検討中 → 対応中 → 解決 / 資源を創出; forward only,
  the last two are final, 資源を創出 names the new directory entry.
* 地域との活動 and OJT・事例検討: recorded by staff (``EDIT_CASES``) or ``MANAGE_DESK``; cases
  of a 事例検討 are kept by case number only.
* 研修: a staff member records and reads their own; the 主任 (``MANAGE_DESK``) everyone's.
* 苦情 and ヒヤリハット・事故: anyone with ``EDIT_CASES`` records one and sees their own; the
  主任 (``RISK_REGISTER``) sees and completes all. A record about a case is shown only to
  those who see the case. Every read of the registers and every write is audited
  (``risk_view`` / ``complaint_add`` / ``incident_add`` / …), as for cases.
* The yearly plan: ``MANAGE_DESK`` writes it, ``VIEW_STATISTICS`` reads it.

Every table is synced by the journal (migration 0017): the directory, 地域課題, activities,
training and the plan are master data held by every device; regional_issue_case, complaint
and incident rows with a case follow the case.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from app import text_ja, validation
from app.domain.common import LabelledEnum
from app.domain.paper import Render
from app.errors import NotFound, ValidationError, ValidationErrors
from app.i18n import N_, _
from app.operations.context import DeskContext, Operations
from app.security.authorization import (
    EDIT, VIEW, AnyOf, CaseNo, P, Refs, Row, Rule, install, need, write,
)
from app.security.roles import Permission, Role
from app.store.region_repo import RegionRepo
from app.store.sync_merge import natural_id, register_post_merge_check

MAX_NAME = 100


class ResourceKind(LabelledEnum):
    PUBLIC = "public", N_("Public system or service")              # 公的制度・サービス
    AGENCY = "agency", N_("Related agency")                        # 関係機関
    PRIVATE = "private", N_("Private / NPO")                       # 民間・NPO
    INFORMAL = "informal", N_("Informal support / place to be")    # インフォーマル・居場所
    EMPLOYER = "employer", N_("Employer / work experience")        # 就労先・就労体験先
    TRAINING = "training", N_("Certified work training provider")  # 認定就労訓練事業所
    OTHER = "other", N_("Other")


class IssueStatus(LabelledEnum):
    NOTED = "noted", N_("Noted")                         # 把握
    DISCUSSING = "discussing", N_("Under discussion")    # 検討中
    ACTING = "acting", N_("Being addressed")             # 対応中
    SOLVED = "solved", N_("Solved")                      # 解決
    CREATED = "created", N_("Resource created")          # 資源を創出


ISSUE_ORDER = [s.value for s in IssueStatus]
ISSUE_FINAL = {IssueStatus.SOLVED.value, IssueStatus.CREATED.value}


class IssueSource(LabelledEnum):
    MEETING = "meeting", N_("Support coordination meeting")   # 支援調整会議
    CASE = "case", N_("A case")                               # ケース
    STAFF = "staff", N_("Staff")                              # 職員


class ActivityKind(LabelledEnum):
    SEMINAR = "seminar", N_("Training session")                    # 研修会
    OUTREACH_TALK = "outreach_talk", N_("Outreach lecture")        # 出前講座
    LIAISON = "liaison", N_("Liaison meeting")                     # 連絡会
    JOB_DEVELOPMENT = "job_development", N_("Job development visit")  # 就労先の開拓
    AWARENESS = "awareness", N_("Public awareness")                # 住民への理解促進
    OTHER = "other", N_("Other")


class NationalCourse(LabelledEnum):
    CHIEF = "chief", N_("Chief consultation support worker course")      # 主任相談支援員
    CONSULTANT = "consultant", N_("Consultation support worker course")  # 相談支援員
    EMPLOYMENT = "employment", N_("Employment support worker course")    # 就労支援員


# The national course each role needs (the guide: 各支援員は国研修を受講する必要がある).
REQUIRED_COURSE = {Role.CHIEF.value: NationalCourse.CHIEF.value,
                   Role.CONSULTANT.value: NationalCourse.CONSULTANT.value,
                   Role.EMPLOYMENT.value: NationalCourse.EMPLOYMENT.value}


class TrainingKind(LabelledEnum):
    NATIONAL = "national", N_("National training")   # 国研修
    OFF_JT = "off_jt", N_("Off-JT")


class SessionKind(LabelledEnum):
    OJT = "ojt", N_("OJT")
    CASE_REVIEW = "case_review", N_("Case review")   # 事例検討


class Complainant(LabelledEnum):
    PERSON = "person", N_("The person")             # 本人
    FAMILY = "family", N_("Family")                 # 家族
    AGENCY = "agency", N_("Related agency")         # 関係機関
    RESIDENT = "resident", N_("Resident")           # 住民
    OTHER = "other", N_("Other")


class IncidentKind(LabelledEnum):
    PERSONAL_DATA = "personal_data", N_("Personal data")   # 個人情報
    RESPONSE = "response", N_("Response to a person")      # 対応
    SAFETY = "safety", N_("Safety")                        # 安全
    OTHER = "other", N_("Other")


class Severity(LabelledEnum):
    NEAR_MISS = "near_miss", N_("Near miss")   # ヒヤリハット
    MINOR = "minor", N_("Minor accident")      # 事故（軽微）
    SERIOUS = "serious", N_("Serious accident")  # 事故（重大）


@dataclass
class ResourceInput:
    name: str = ""
    kind: str = ResourceKind.AGENCY.value
    field: str = ""
    address: str = ""
    contact: str = ""
    person: str = ""
    conditions: str = ""
    cost: str = ""
    checked_on: Any = None
    note: str = ""


@dataclass(frozen=True)
class Resource:
    id: str
    name: str
    kind: ResourceKind
    field: str
    address: str
    contact: str
    person: str
    conditions: str
    cost: str
    checked_on: date | None
    note: str
    active: bool
    issue_id: str | None
    uses: int = 0                                  # records naming it (all cases)
    open_cases: tuple[dict, ...] = ()              # open cases the reader may see


@dataclass(frozen=True)
class RegionalIssue:
    id: str
    title: str
    description: str
    source: IssueSource
    raised_on: date
    status: IssueStatus
    status_on: date
    resource_id: str | None
    note: str
    case_count: int
    cases: tuple[dict, ...] = ()                  # the linked cases the reader may see


@dataclass
class ComplaintInput:
    received_on: Any = None
    complainant: str = Complainant.PERSON.value
    content: str = ""
    response: str = ""
    result: str = ""
    prevention: str = ""
    completed_on: Any = None
    case_no: str = ""
    committee: bool = False
    committee_on: Any = None


@dataclass
class IncidentInput:
    occurred_on: Any = None
    kind: str = IncidentKind.OTHER.value
    severity: str = Severity.NEAR_MISS.value
    what: str = ""
    cause: str = ""
    prevention: str = ""
    reviewed_at: str = ""
    reviewed_on: Any = None
    audit_refs: list = field(default_factory=list)   # audit 連番 (seq) numbers
    case_no: str = ""


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


class _Check:
    """Collects validation errors of one operation; ``done()`` raises them all at once."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def __call__(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as e:
            self.errors.append(e)
            return None

    def add(self, field_: str, message: str) -> None:
        self.errors.append(ValidationError(field_, message))

    def text(self, value, field_: str, label: str, *, required: bool = False,
             max_len: int = 2000, multiline: bool = True) -> str:
        return self(validation.clean_text, value, field_, label, required=required,
                    max_len=max_len, multiline=multiline) or ""

    def date(self, value, field_: str, label: str, *, required: bool = False,
             today: date | None = None) -> date | None:
        return self(validation.clean_date, value, field_, label, required=required,
                    not_after=(today, _("Today")) if today else None)

    def choice(self, enum, value, field_: str, label: str):
        value = getattr(value, "value", value)
        if value is None or value == "":
            self.add(field_, _("Please enter {label}").format(label=label))
            return None
        try:
            return enum(value)
        except ValueError:
            self.add(field_, _("{label}: unknown value {value}").format(label=label,
                                                                       value=str(value)))
            return None

    def done(self) -> None:
        if self.errors:
            raise ValidationErrors(self.errors)


class RegionOperations(Operations):
    """``desk.region``: 地域づくり, 人材育成, リスクマネジメント and the yearly plan."""

    RULES: dict[str, Rule] = {
        "resources": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "resource": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "resource_names": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "find_resource": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "add_resource": need(AnyOf(EDIT, P.MANAGE_DESK, P.MANAGE_SETTINGS)),
        "edit_resource": need(AnyOf(EDIT, P.MANAGE_DESK, P.MANAGE_SETTINGS)),
        "unlisted_resource_names": need(AnyOf(EDIT, P.MANAGE_DESK, P.MANAGE_SETTINGS)),
        "set_resource_active": need(AnyOf(P.MANAGE_DESK, P.MANAGE_SETTINGS)),
        "regional_issues": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "regional_issue": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "raise_regional_issue": need(AnyOf(EDIT, P.MEETINGS),
                                     case=CaseNo("case_no", optional=True, unknown_to_body=True),
                                     case_permission=EDIT),
        "meeting_issues_to_register": need(AnyOf(EDIT, P.MEETINGS)),
        "register_meeting_issue": need(AnyOf(EDIT, P.MEETINGS),
                                       case=Row("agenda_item", "agenda_item_id", optional=True),
                                       case_permission=VIEW),
        "link_issue_case": write(CaseNo("case_no", unknown_to_body=True)),
        "set_issue_status": need(P.MANAGE_DESK),
        "region_activities": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "add_region_activity": need(AnyOf(EDIT, P.MANAGE_DESK)),
        "desk_warnings": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "training_overview": need(AnyOf(P.MANAGE_DESK, EDIT)),
        "trainings": need(AnyOf(P.MANAGE_DESK, EDIT)),
        "add_training": need(AnyOf(P.MANAGE_DESK, EDIT)),
        "ojt_sessions": need(AnyOf(P.MANAGE_DESK, EDIT)),
        "add_ojt_session": need(AnyOf(P.MANAGE_DESK, EDIT),
                                case=Refs("case_numbers", optional=True, unknown_to_body=True),
                                case_permission=VIEW),
        "print_training_history": need(AnyOf(P.MANAGE_DESK, EDIT)),
        "missing_national_training": need(P.MANAGE_DESK),
        "complaints": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "incidents": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "add_complaint": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "add_incident": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "edit_complaint": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "edit_incident": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "risk_monthly_counts": need(P.RISK_REGISTER),
        "risk_open_counts": need(P.RISK_REGISTER),
        "annual_plan": need(AnyOf(P.VIEW_STATISTICS, P.MANAGE_DESK)),
        "save_annual_plan": need(P.MANAGE_DESK),
        "annual_report": need(P.VIEW_STATISTICS),
        "export_annual_report": need(P.VIEW_STATISTICS),
    }

    def __init__(self, ctx: DeskContext):
        super().__init__(ctx)
        self._region_repo: RegionRepo | None = None

    # ------------------------------------------------------------------ plumbing
    @property
    def _region(self) -> RegionRepo:
        repo = self._region_repo
        if repo is None or repo.conn is not self._store.conn:
            repo = self._region_repo = RegionRepo(self._store.conn)
        return repo

    def _require_any(self, *permissions: Permission) -> None:
        """The role must hold one of ``permissions``; a refusal is audited."""
        if not any(self._ctx.allows(p) for p in permissions):
            self._ctx.refuse(self._ctx.role_refused(),
                         detail="|".join(p.value for p in permissions))

    def _audit_region(self, action: str, detail: str = "", case_id: str | None = None) -> None:
        self._store.audit(self._ctx.user.login, action, case_id=case_id, detail=detail)

    def _case_of_number(self, c: _Check, case_no: str, field_: str = "case_no") -> str | None:
        case_no = text_ja.nfkc(case_no or "").strip()
        if not case_no:
            return None
        found = self._region.case_ids_of_numbers([case_no]).get(case_no)
        if found is None:
            c.add(field_, _("Case number {case_no} was not found.").format(case_no=case_no))
        return found

    def _visible_case_rows(self, case_ids: list[str]) -> list[dict]:
        access = self._ctx.case_access() if self._ctx.allows(Permission.VIEW_CASES) \
            else None
        if access is None:
            return []
        return self._region.open_cases(case_ids, access)

    # ================================================================== 社会資源
    def _record_names_by_fold(self) -> dict[str, tuple[int, set[str]]]:
        """Folded name -> (records, the spellings written) of every つなぎ先 / 支援を行う機関
        in the records: one grouped read for the whole directory."""
        out: dict[str, tuple[int, set[str]]] = {}
        for name, n in self._region.names_in_records().items():
            key = text_ja.fold_for_search(name)
            count, spellings = out.get(key, (0, set()))
            out[key] = (count + n, spellings | {name})
        return out

    def _resource(self, r: dict[str, Any], *, with_uses: bool = False,
                  with_cases: bool = False,
                  index: dict[str, tuple[int, set[str]]] | None = None) -> Resource:
        uses, open_cases = 0, ()
        if with_uses or with_cases:
            if index is None:
                index = self._record_names_by_fold()
            # every name the entry ever had, and every spelling of it in the records
            # (ﾊﾛｰﾜｰｸ, ハローワーク … fold alike)
            folds = {text_ja.fold_for_search(n)
                     for n in set(self._region.names_ever(r["id"])) | {r["name"]}}
            uses = sum(index.get(f, (0, set()))[0] for f in folds)
            if with_cases and uses:
                names = sorted(set().union(*(index.get(f, (0, set()))[1] for f in folds)))
                rows = self._region.uses(names)
                open_cases = tuple(self._visible_case_rows([u["case_id"] for u in rows]))
        return Resource(
            id=r["id"], name=r["name"], kind=ResourceKind(r["kind"]), field=r["field"],
            address=r["address"], contact=r["contact"], person=r["person"],
            conditions=r["conditions"], cost=r["cost"], checked_on=_d(r["checked_on"]),
            note=r["note"], active=bool(r["active"]), issue_id=r["issue_id"], uses=uses,
            open_cases=open_cases)

    def resources(self, search: str = "", *, kind: str = "", include_inactive: bool = False,
                  with_uses: bool = False) -> list[Resource]:
        """The 社会資源 directory, searched with the folding of names (kana, width,
        variant kanji: 「ﾊﾛｰﾜｰｸ」 finds ハローワーク, 「髙」 finds 高). ``with_uses``: how
        often each was used (one grouped read of the records; the cases behind an entry
        are in ``resource``)."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        fold = text_ja.fold_for_search(search or "")
        kind = getattr(kind, "value", kind) or ""
        index = self._record_names_by_fold() if with_uses else None
        return [self._resource(r, with_uses=with_uses, index=index)
                for r in self._region.resources(fold=fold, kind=kind,
                                                include_inactive=include_inactive)]

    def resource(self, resource_id: str) -> Resource:
        """One entry with how often it was used and the open cases behind it that the
        reader may see (the count covers every case)."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        r = self._region.row("social_resource", resource_id)
        if r is None:
            raise NotFound(_("The social resource was not found."))
        return self._resource(r, with_uses=True, with_cases=True)

    def resource_names(self) -> list[str]:
        """Names of the active entries, for the つなぎ先 / 支援を行う機関 choosers."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        return [r["name"] for r in self._region.resources()]

    def find_resource(self, name: str) -> Resource | None:
        """The entry whose folded name equals ``name``'s (None: free text not in the
        directory — the screens then offer to add it)."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        fold = text_ja.fold_for_search(name or "")
        if not fold:
            return None
        rows = self._region.resources_with_fold(fold)
        rows.sort(key=lambda r: (not r["active"], r["id"]))
        return self._resource(rows[0]) if rows else None

    def unlisted_resource_names(self) -> list[dict[str, Any]]:
        """Names typed as つなぎ先 / 支援を行う機関 (free text) that match no directory entry,
        most used first — the screen offers to add them. Dicts with name and uses."""
        self._require_any(Permission.EDIT_CASES, Permission.MANAGE_DESK,
                          Permission.MANAGE_SETTINGS)
        known = {r["name_fold"] for r in self._region.resources(include_inactive=True)}
        out: dict[str, dict[str, Any]] = {}
        for name, n in self._region.names_in_records().items():
            fold = text_ja.fold_for_search(name)
            if not fold or fold in known:
                continue
            slot = out.setdefault(fold, {"name": name, "uses": 0})
            slot["uses"] += n
        return sorted(out.values(), key=lambda r: (-r["uses"], r["name"]))

    def _check_resource(self, data: ResourceInput, resource_id: str | None) -> dict[str, Any]:
        c = _Check()
        name = c.text(data.name, "name", _("Name of the resource"), required=True,
                      max_len=MAX_NAME, multiline=False)
        given = text_ja.nfkc(str(getattr(data.kind, "value", data.kind) or "")).strip()
        given = next((k.value for k in ResourceKind if given in (k.label, k.value)), given)
        kind = c.choice(ResourceKind, given, "kind", _("Kind of resource"))  # key or 関係機関
        fields = {
            "field": c.text(data.field, "field", _("Field"), max_len=100, multiline=False),
            "address": c.text(data.address, "address", _("Address"), max_len=200),
            "contact": c.text(data.contact, "contact", _("Contact"), max_len=200),
            "person": c.text(data.person, "person", _("Person in charge"), max_len=100,
                             multiline=False),
            "conditions": c.text(data.conditions, "conditions",
                                 _("Who may use it and conditions"), max_len=2000),
            "cost": c.text(data.cost, "cost", _("Cost"), max_len=200),
            "note": c.text(data.note, "note", _("Notes"), max_len=4000),
        }
        checked = c.date(data.checked_on, "checked_on", _("Last checked on"),
                         today=self._ctx.today())
        if name:
            fold = text_ja.fold_for_search(name)
            for r in self._region.resources_with_fold(fold):
                if r["id"] != resource_id:
                    c.add("name", _("「{name}」 is already in the directory. Open that entry "
                                    "instead.").format(name=r["name"]))
                    break
        c.done()
        name = text_ja.nfkc(name) if name else name   # ﾊﾛｰﾜｰｸ → ハローワーク
        return {"name": name, "name_fold": text_ja.fold_for_search(name),
                "kind": kind.value, "checked_on": _iso(checked), **fields}

    def add_resource(self, data: ResourceInput) -> Resource:
        """A new directory entry. Named by its folded name, so the same resource added on
        two devices offline is one entry whose fields merge."""
        self._require_any(Permission.EDIT_CASES, Permission.MANAGE_DESK,
                          Permission.MANAGE_SETTINGS)
        fields = self._check_resource(data, None)
        row_id: str | None = natural_id("social_resource", fields["name_fold"])
        if self._region.exists_ever("social_resource", row_id):  # type: ignore[arg-type]
            row_id = None
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "social_resource", {
                **fields, "active": 1, "created_on": self._ctx.today().isoformat()},
                row_id=row_id)
            self._audit_region("resource_add", fields["name"])
        return self.resource(row_id)

    def edit_resource(self, resource_id: str, data: ResourceInput) -> Resource:
        self._require_any(Permission.EDIT_CASES, Permission.MANAGE_DESK,
                          Permission.MANAGE_SETTINGS)
        old = self.resource(resource_id)
        fields = self._check_resource(data, resource_id)
        with self._store.transaction() as w:
            self._region.update(w, "social_resource", resource_id, fields)
            detail = old.name if old.name == fields["name"] else \
                f"{old.name} → {fields['name']}"
            self._audit_region("resource_edit", detail)
        return self.resource(resource_id)

    def set_resource_active(self, resource_id: str, active: bool) -> Resource:
        """Deactivate (gone from the choosers; records keep the name) or reactivate."""
        self._require_any(Permission.MANAGE_DESK, Permission.MANAGE_SETTINGS)
        old = self.resource(resource_id)
        with self._store.transaction() as w:
            self._region.update(w, "social_resource", resource_id, {"active": int(active)})
            self._audit_region("resource_reactivate" if active else "resource_deactivate",
                               old.name)
        return self.resource(resource_id)

    # ================================================================== 地域課題
    def _issue(self, r: dict[str, Any], *, with_cases: bool = False) -> RegionalIssue:
        cases: tuple[dict, ...] = ()
        if with_cases:
            ids = self._region.issue_case_ids(r["id"])
            access = self._ctx.case_access() if self._ctx.allows(Permission.VIEW_CASES) else None
            if access is not None:
                cases = tuple(self._region.cases_seen(ids, access))
        return RegionalIssue(
            id=r["id"], title=r["title"], description=r["description"],
            source=IssueSource(r["source"]), raised_on=date.fromisoformat(r["raised_on"]),
            status=IssueStatus(r["status"]), status_on=date.fromisoformat(r["status_on"]),
            resource_id=r["resource_id"], note=r["note"],
            case_count=int(r.get("case_count") or len(self._region.issue_case_ids(r["id"]))),
            cases=cases)

    def regional_issues(self, status: str = "") -> list[RegionalIssue]:
        """The 地域課題 register, newest first, with the number of cases behind each."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        status = getattr(status, "value", status) or ""
        return [self._issue(r) for r in self._region.issues(status)]

    def regional_issue(self, issue_id: str) -> RegionalIssue:
        """One issue with the linked cases the reader may see (case_no, name, stage)."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        r = self._region.row("regional_issue", issue_id)
        if r is None:
            raise NotFound(_("The regional issue was not found."))
        r["case_count"] = len(self._region.issue_case_ids(issue_id))
        return self._issue(r, with_cases=True)

    def raise_regional_issue(self, title: str, description: str = "", *,
                             source: str = IssueSource.STAFF.value, case_no: str = "",
                             raised_on: Any = None) -> RegionalIssue:
        """Record an unmet need (不足している社会資源). ``case_no``: the case it was seen in
        (source 'case'; the user must see that case)."""
        self._require_any(Permission.EDIT_CASES, Permission.MEETINGS)
        c = _Check()
        title = c.text(title, "title", _("Regional issue"), required=True, max_len=200,
                       multiline=False)
        description = c.text(description, "description", _("Details"), max_len=4000)
        src = c.choice(IssueSource, source, "source", _("Raised from"))
        on = c.date(raised_on or self._ctx.today(), "raised_on", _("Raised on"),
                    today=self._ctx.today())
        case_id = self._case_of_number(c, case_no)
        if src is IssueSource.CASE and not case_no:
            c.add("case_no", _("Enter the case number the need was seen in."))
        c.done()
        if case_id:
            self._ctx.require_case(case_id, Permission.EDIT_CASES)
        with self._store.transaction() as w:
            issue_id = self._region.insert(w, "regional_issue", {
                "title": title, "description": description, "source": src.value,
                "raised_on": on.isoformat(), "raised_by": self._ctx.user.login,
                "status": IssueStatus.NOTED.value, "status_on": on.isoformat()})
            if case_id:
                self._link_case(w, issue_id, case_id)
            self._audit_region("regional_issue_add", title, case_id)
        return self.regional_issue(issue_id)

    def _link_case(self, w, issue_id: str, case_id: str) -> None:
        row_id = natural_id("regional_issue_case", f"{issue_id}:{case_id}")
        if self._region.row("regional_issue_case", row_id) is None and \
                not self._region.exists_ever("regional_issue_case", row_id):
            self._region.insert(w, "regional_issue_case", {
                "issue_id": issue_id, "case_id": case_id,
                "linked_on": self._ctx.today().isoformat()}, row_id=row_id)

    def link_issue_case(self, issue_id: str, case_no: str) -> RegionalIssue:
        """One more case behind an issue (once per case)."""
        self._ctx.require(Permission.EDIT_CASES)
        if self._region.row("regional_issue", issue_id) is None:
            raise NotFound(_("The regional issue was not found."))
        c = _Check()
        case_id = self._case_of_number(c, case_no)
        if not case_id and not c.errors:
            c.add("case_no", _("Enter the case number the need was seen in."))
        c.done()
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        with self._store.transaction() as w:
            self._link_case(w, issue_id, case_id)  # type: ignore[arg-type]
            self._audit_region("regional_issue_link", issue_id, case_id)
        return self.regional_issue(issue_id)

    def set_issue_status(self, issue_id: str, status: str, *, note: str = "",
                         resource_id: str | None = None, on: Any = None) -> RegionalIssue:
        """Move an issue forward (主任). 資源を創出 names the new directory entry."""
        self._ctx.require(Permission.MANAGE_DESK)
        r = self._region.row("regional_issue", issue_id)
        if r is None:
            raise NotFound(_("The regional issue was not found."))
        c = _Check()
        new = c.choice(IssueStatus, status, "status", _("Status"))
        note = c.text(note, "note", _("Notes"), max_len=4000)
        when = c.date(on or self._ctx.today(), "status_on", _("Date"),
                      today=self._ctx.today())
        c.done()
        assert new is not None and when is not None
        if r["status"] in ISSUE_FINAL:
            raise ValidationError("status", _("This issue is already {status}; raise a new "
                                              "issue if the need returns.").format(
                                                  status=IssueStatus(r["status"]).label))
        if ISSUE_ORDER.index(new.value) <= ISSUE_ORDER.index(r["status"]):
            raise ValidationError("status", _("The status moves forward only: 把握 → 検討中 → "
                                              "対応中 → 解決 / 資源を創出."))
        changes: dict[str, Any] = {"status": new.value, "status_on": when.isoformat()}
        if note:
            changes["note"] = (r["note"] + "\n" if r["note"] else "") + note
        if new is IssueStatus.CREATED:
            res = self._region.row("social_resource", resource_id or "")
            if res is None:
                raise ValidationError("resource_id", _(
                    "Choose the new entry of the social resource directory (add it first)."))
            changes["resource_id"] = res["id"]
        with self._store.transaction() as w:
            self._region.update(w, "regional_issue", issue_id, changes)
            if new is IssueStatus.CREATED:
                self._region.update(w, "social_resource", res["id"], {"issue_id": issue_id})
            self._audit_region("regional_issue_status", f"{r['title']}: {new.value}")
        return self.regional_issue(issue_id)

    def meeting_issues_to_register(self) -> list[dict[str, Any]]:
        """地域課題 written on meetings (the box on the meeting screen) not yet in the
        register: dicts with id (agenda item), meeting_id, summary, held_on."""
        self._require_any(Permission.EDIT_CASES, Permission.MEETINGS)
        return self._region.meeting_items_not_in_register()

    def register_meeting_issue(self, agenda_item_id: str) -> RegionalIssue:
        """Take a meeting's 地域課題 into the register (once per agenda item)."""
        self._require_any(Permission.EDIT_CASES, Permission.MEETINGS)
        item = self._region.agenda_item(agenda_item_id)
        if item is None or item["kind"] != "regional_issue":
            raise NotFound(_("The regional issue was not found."))
        found = self._region.issue_for_agenda_item(agenda_item_id)
        if found is None:
            with self._store.transaction() as w:
                feed_meeting_issue(self, w, item)
            found = self._region.issue_for_agenda_item(agenda_item_id)
        return self.regional_issue(found["id"])  # type: ignore[index]

    # ================================================================== activities
    def region_activities(self, start: Any = None, end: Any = None) -> list[dict[str, Any]]:
        """研修会・出前講座・連絡会・就労先の開拓 … newest first (kind as ActivityKind)."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        rows = self._region.activities(start, end)
        for r in rows:
            r["kind"] = ActivityKind(r["kind"])
            r["held_on"] = date.fromisoformat(r["held_on"])
        return rows

    def add_region_activity(self, held_on: Any, kind: str, title: str, *, partners: str = "",
                            participants: Any = 0, note: str = "") -> str:
        self._require_any(Permission.EDIT_CASES, Permission.MANAGE_DESK)
        c = _Check()
        on = c.date(held_on, "held_on", _("Date"), required=True)
        k = c.choice(ActivityKind, kind, "kind", _("Kind of activity"))
        title = c.text(title, "title", _("Title"), required=True, max_len=200, multiline=False)
        partners = c.text(partners, "partners", _("Partners"), max_len=1000)
        note = c.text(note, "note", _("Notes"), max_len=4000)
        n = _count(c, participants, "participants", _("Number of participants"))
        c.done()
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "region_activity", {
                "held_on": on.isoformat(), "kind": k.value, "title": title,
                "partners": partners, "participants": n, "note": note})
            self._audit_region("activity_add", f"{on.isoformat()} {title}")
        return row_id

    # ================================================================== 人材育成
    def _may_see_training_of(self, staff_id: str) -> None:
        if staff_id != self._ctx.user.id:
            self._ctx.require(Permission.MANAGE_DESK)

    def training_overview(self) -> list[dict[str, Any]]:
        """Per active staff member (the 主任 sees all, others themselves): role, the national
        course the role needs, whether it is done, and the counts of Off-JT and sessions."""
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        everyone = self._ctx.allows(Permission.MANAGE_DESK)
        trainings = self._region.trainings()
        sessions = self._region.ojt_sessions()
        out = []
        for s in self._region.staff_rows():
            if not everyone and s["id"] != self._ctx.user.id:
                continue
            own = [t for t in trainings if t["staff_id"] == s["id"]]
            need = REQUIRED_COURSE.get(s["role"])
            done = [t for t in own if t["kind"] == "national" and t["course"] == need]
            out.append({
                "staff_id": s["id"], "name": s["display_name"], "login": s["login"],
                "role": s["role"], "required_course": need,
                "national_done_on": _d(done[0]["completed_on"]) if done else None,
                "missing": bool(need and not done),
                "off_jt": sum(1 for t in own if t["kind"] == "off_jt"),
                "sessions": sum(1 for x in sessions
                                if s["id"] in json.loads(x["participants"] or "[]")),
            })
        return out

    def missing_national_training(self) -> list[dict[str, Any]]:
        """Staff whose role's national course is not recorded (the 主任's dashboard)."""
        self._ctx.require(Permission.MANAGE_DESK)
        return [r for r in self.training_overview() if r["missing"]]

    def trainings(self, staff_id: str) -> list[dict[str, Any]]:
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        self._may_see_training_of(staff_id)
        return self._region.trainings(staff_id)

    def add_training(self, staff_id: str, kind: str, completed_on: Any, *, course: str = "",
                     title: str = "", organiser: str = "", hours: Any = None,
                     note: str = "") -> str:
        """国研修 (``course`` chief / consultant / employment) or an Off-JT attended."""
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        self._may_see_training_of(staff_id)
        if self._region.staff_row(staff_id) is None:
            raise NotFound(_("The staff member was not found."))
        c = _Check()
        k = c.choice(TrainingKind, kind, "kind", _("Kind of training"))
        on = c.date(completed_on, "completed_on", _("Completed on"), required=True,
                    today=self._ctx.today())
        if k is TrainingKind.NATIONAL:
            crs = c.choice(NationalCourse, course, "course", _("Course"))
            course = crs.value if crs else ""
            title = c.text(title, "title", _("Title"), max_len=200, multiline=False) or \
                (crs.label if crs else "")
        else:
            course = ""
            title = c.text(title, "title", _("Title"), required=True, max_len=200,
                           multiline=False)
        organiser = c.text(organiser, "organiser", _("Organiser"), max_len=200,
                           multiline=False)
        note = c.text(note, "note", _("Notes"), max_len=2000)
        h = None
        if hours not in (None, ""):
            try:
                h = float(text_ja.nfkc(str(hours)))
                if not 0 < h <= 500:
                    raise ValueError
            except ValueError:
                c.add("hours", _("Hours: enter a number from 0.5 to 500."))
        c.done()
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "staff_training", {
                "staff_id": staff_id, "kind": k.value, "course": course, "title": title,
                "organiser": organiser, "completed_on": on.isoformat(), "hours": h,
                "note": note})
            self._audit_region("training_add", f"{staff_id} {k.value} {title}")
        return row_id

    def ojt_sessions(self) -> list[dict[str, Any]]:
        """OJT and 事例検討 sessions, newest first (cases by number only)."""
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        rows = self._region.ojt_sessions()
        for r in rows:
            r["kind"] = SessionKind(r["kind"])
            r["held_on"] = date.fromisoformat(r["held_on"])
            r["case_numbers"] = json.loads(r["case_numbers"] or "[]")
            r["participants"] = json.loads(r["participants"] or "[]")
        return rows

    def add_ojt_session(self, held_on: Any, kind: str, topic: str, *,
                        case_numbers: Iterable[str] = (), participants: Iterable[str] = (),
                        leader: str = "", note: str = "") -> str:
        """An OJT or 事例検討 session. Cases by number only (no names are written);
        participants are staff ids."""
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        c = _Check()
        on = c.date(held_on, "held_on", _("Date"), required=True, today=self._ctx.today())
        k = c.choice(SessionKind, kind, "kind", _("Kind of session"))
        topic = c.text(topic, "topic", _("Topic"), required=True, max_len=200, multiline=False)
        leader = c.text(leader, "leader", _("Led by"), max_len=100, multiline=False)
        note = c.text(note, "note", _("Notes"), max_len=4000)
        numbers = sorted({text_ja.nfkc(n).strip() for n in case_numbers if str(n).strip()})
        found = self._region.case_ids_of_numbers(numbers)
        for n in numbers:
            if n not in found:
                c.add("case_numbers", _("Case number {case_no} was not found.").format(case_no=n))
        people = list(dict.fromkeys(participants))
        for p in people:
            if self._region.staff_row(p) is None:
                c.add("participants", _("The staff member was not found."))
                break
        c.done()
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "ojt_session", {
                "held_on": on.isoformat(), "kind": k.value, "topic": topic,
                "case_numbers": json.dumps(numbers), "participants": json.dumps(people),
                "leader": leader, "note": note})
            self._audit_region("ojt_add", f"{on.isoformat()} {topic} {','.join(numbers)}")
        return row_id

    def print_training_history(self, staff_id: str, out: str | os.PathLike[str], *,
                               render: Render) -> Path:
        """The staff training history PDF (研修受講履歴) of one staff member."""
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        self._may_see_training_of(staff_id)
        s = self._region.staff_row(staff_id)
        if s is None:
            raise NotFound(_("The staff member was not found."))
        from app.operations.paper import training_history
        sessions = [x for x in self.ojt_sessions() if staff_id in x["participants"]]
        overview = next((r for r in self.training_overview() if r["staff_id"] == staff_id),
                        None) if s["active"] else None
        render(training_history(self._store.agency(), s, self._region.trainings(staff_id),
                                sessions, overview, today=self._ctx.today()), Path(out))
        path = Path(out)
        with self._store.transaction():
            self._audit_region("print", f"training_history {s['login']}")
        return path

    # ================================================================== リスクマネジメント
    def _risk_scope(self) -> tuple[Any, str | None]:
        """(case access, own staff id or None for everything) of the registers."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        access = self._ctx.case_access()
        mine = None if self._ctx.allows(Permission.RISK_REGISTER) else self._ctx.user.id
        return access, mine

    def complaints(self) -> list[dict[str, Any]]:
        """The 苦情 register: the 主任 sees all, others the ones they recorded; one about a
        case only if the reader sees the case. The reading is audited."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        access, mine = self._risk_scope()
        rows = self._region.complaints(access, mine=mine)
        with self._store.transaction():
            self._audit_region("risk_view", f"complaints ({len(rows)})")
        return [_complaint(r) for r in rows]

    def incidents(self) -> list[dict[str, Any]]:
        """ヒヤリハット・事故 reports, as ``complaints``; personal-data ones carry the audit
        entries they name (``audit_entries``)."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        access, mine = self._risk_scope()
        rows = self._region.incidents(access, mine=mine)
        with self._store.transaction():
            self._audit_region("risk_view", f"incidents ({len(rows)})")
        out = []
        for r in rows:
            d = _incident(r)
            d["audit_entries"] = self._region.audit_rows(d["audit_refs"]) if d["audit_refs"] \
                else []
            out.append(d)
        return out

    def _risk_row(self, table: str, row_id: str) -> dict[str, Any]:
        access, mine = self._risk_scope()
        r = self._region.row(table, row_id)
        if r is None:
            raise NotFound(_("The record was not found."))
        by = r["recorded_by"] if table == "complaint" else r["reported_by"]
        if mine is not None and by != mine:
            self._ctx.refuse(self._ctx.role_refused(), detail=f"{table}:{row_id}")
        if r["case_id"]:
            self._ctx.require_case(r["case_id"], Permission.VIEW_CASES)
        return r

    def _check_complaint(self, data: ComplaintInput) -> dict[str, Any]:
        c = _Check()
        today = self._ctx.today()
        received = c.date(data.received_on, "received_on", _("Received on"), required=True,
                          today=today)
        who = c.choice(Complainant, data.complainant, "complainant", _("Complainant"))
        content = c.text(data.content, "content", _("Complaint"), required=True, max_len=4000)
        fields = {k: c.text(getattr(data, k), k, label, max_len=4000) for k, label in (
            ("response", _("Response")), ("result", _("Result")),
            ("prevention", _("Prevention of recurrence")))}
        done = c.date(data.completed_on, "completed_on", _("Completed on"), today=today)
        committee_on = c.date(data.committee_on, "committee_on",
                              _("Referred to the operation appropriateness committee on"),
                              today=today)
        if received and done and done < received:
            c.add("completed_on", _("Completed on cannot be before the day it was received."))
        if done and not fields["response"]:
            c.add("response", _("Write the response before completing the complaint."))
        case_id = self._case_of_number(c, data.case_no)
        c.done()
        if case_id:
            self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return {"received_on": received.isoformat(), "complainant": who.value,
                "content": content, **fields, "completed_on": _iso(done), "case_id": case_id,
                "committee": int(bool(data.committee or committee_on)),
                "committee_on": _iso(committee_on)}

    def add_complaint(self, data: ComplaintInput) -> dict[str, Any]:
        """A new entry of the 苦情 register (anyone who records cases)."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        fields = self._check_complaint(data)
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "complaint", {**fields,
                                                          "recorded_by": self._ctx.user.id})
            self._audit_region("complaint_add", fields["received_on"], fields["case_id"])
        return _complaint(self._risk_row("complaint", row_id))

    def edit_complaint(self, complaint_id: str, data: ComplaintInput) -> dict[str, Any]:
        """対応・結果・再発防止策・完了 (the 主任, or who recorded it)."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        old = self._risk_row("complaint", complaint_id)
        fields = self._check_complaint(data)
        if fields["completed_on"] or old["completed_on"]:   # completing, or a completed one
            self._ctx.require(Permission.RISK_REGISTER)
        with self._store.transaction() as w:
            self._region.update(w, "complaint", complaint_id, fields)
            self._audit_region("complaint_edit", fields["received_on"], fields["case_id"])
        return _complaint(self._risk_row("complaint", complaint_id))

    def _check_incident(self, data: IncidentInput,
                        linked: list[int] | None = None) -> dict[str, Any]:
        """``linked``: the audit entries the report names already (keeping them needs no
        audit permission; linking others does)."""
        c = _Check()
        today = self._ctx.today()
        on = c.date(data.occurred_on, "occurred_on", _("Occurred on"), required=True,
                    today=today)
        kind = c.choice(IncidentKind, data.kind, "kind", _("Kind of incident"))
        severity = c.choice(Severity, data.severity, "severity", _("Severity"))
        what = c.text(data.what, "what", _("What happened"), required=True, max_len=4000)
        cause = c.text(data.cause, "cause", _("Cause"), max_len=4000)
        prevention = c.text(data.prevention, "prevention", _("Prevention of recurrence"),
                            max_len=4000)
        reviewed_at = c.text(data.reviewed_at, "reviewed_at", _("Reviewed at (staff meeting)"),
                             max_len=200, multiline=False)
        reviewed_on = c.date(data.reviewed_on, "reviewed_on", _("Reviewed on"), today=today)
        refs: list[int] = []
        for raw in data.audit_refs or []:
            try:
                seq = int(text_ja.nfkc(str(raw)).strip())
            except ValueError:
                c.add("audit_refs", _("Audit entries: give their numbers (連番)."))
                break
            if not self._region.audit_seq_exists(seq):
                c.add("audit_refs", _("Audit entry {seq} was not found.").format(seq=seq))
                break
            refs.append(seq)
        if refs and kind is not IncidentKind.PERSONAL_DATA:
            c.add("audit_refs", _("Audit entries are linked to personal-data incidents only."))
        if refs and sorted(set(refs)) != sorted(set(linked or [])):
            self._ctx.require(Permission.VIEW_AUDIT)
        case_id = self._case_of_number(c, data.case_no)
        c.done()
        if case_id:
            self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return {"occurred_on": on.isoformat(), "kind": kind.value,  # type: ignore[union-attr]
                "severity": severity.value, "what": what, "cause": cause,
                "prevention": prevention, "reviewed_at": reviewed_at,
                "reviewed_on": _iso(reviewed_on), "audit_refs": json.dumps(sorted(set(refs))),
                "case_id": case_id}

    def add_incident(self, data: IncidentInput) -> dict[str, Any]:
        """A ヒヤリハット・事故 report (anyone who records cases). A personal-data incident may
        name the audit entries involved (linking them needs the audit permission)."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        fields = self._check_incident(data)
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "incident", {**fields, "reported_by": self._ctx.user.id})
            self._audit_region("incident_add", f"{fields['occurred_on']} {fields['kind']} "
                               f"audit={fields['audit_refs']}", fields["case_id"])
        return _incident(self._risk_row("incident", row_id))

    def edit_incident(self, incident_id: str, data: IncidentInput) -> dict[str, Any]:
        """Cause, prevention and the staff meeting that reviewed it."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        old = self._risk_row("incident", incident_id)
        fields = self._check_incident(data, json.loads(old["audit_refs"] or "[]"))
        if fields["reviewed_on"] or old["reviewed_on"]:     # reviewing, or a reviewed one
            self._ctx.require(Permission.RISK_REGISTER)
        with self._store.transaction() as w:
            self._region.update(w, "incident", incident_id, fields)
            self._audit_region("incident_edit", fields["occurred_on"], fields["case_id"])
        return _incident(self._risk_row("incident", incident_id))

    def risk_monthly_counts(self, months: int = 6) -> list[dict[str, Any]]:
        """The last ``months`` months' counts of complaints, incidents and personal-data
        incidents (the 主任's dashboard), oldest first, plus open / unreviewed totals."""
        self._ctx.require(Permission.RISK_REGISTER)
        today = self._ctx.today()
        keys = []
        y, m = today.year, today.month
        for _i in range(max(1, months)):
            keys.append(f"{y:04d}-{m:02d}")
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        keys.reverse()
        start = date.fromisoformat(keys[0] + "-01")
        counts = self._region.monthly_risk_counts(start, today)
        return [{"month": k, **counts.get(k, {"complaints": 0, "incidents": 0,
                                              "personal_data": 0})} for k in keys]

    def risk_open_counts(self) -> dict[str, int]:
        self._ctx.require(Permission.RISK_REGISTER)
        return {"open_complaints": self._region.open_complaints(),
                "unreviewed_incidents": self._region.unreviewed_incidents()}

    # ================================================================== the yearly plan
    def annual_plan(self, fiscal_year: int) -> dict[str, Any]:
        """The year's plan: goals in the three areas and yearly numeric targets (defaults:
        the 目安値 per 100,000 per month × population × 12; see app/reports/annual.py)."""
        self._require_any(Permission.VIEW_STATISTICS, Permission.MANAGE_DESK)
        from app.reports.annual import plan_of
        return plan_of(self._store, self._region, fiscal_year)

    def save_annual_plan(self, fiscal_year: int, *, goals_structure: str = "",
                         goals_support: str = "", goals_region: str = "",
                         targets: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record the year's plan (主任). Targets not given keep the defaults."""
        self._ctx.require(Permission.MANAGE_DESK)
        from app.reports.annual import TARGET_KEYS, check_year
        fy = check_year(fiscal_year)
        c = _Check()
        goals = {k: c.text(v, k, label, max_len=4000) for k, v, label in (
            ("goals_structure", goals_structure, _("Goals: organisation and operation")),
            ("goals_support", goals_support, _("Goals: consultation support")),
            ("goals_region", goals_region, _("Goals: community building and partnership")))}
        clean: dict[str, int] = {}
        for k, v in (targets or {}).items():
            if k not in TARGET_KEYS:
                c.add(f"targets.{k}", _("Unknown target {key}.").format(key=k))
                continue
            if v in (None, ""):
                continue
            try:
                n = int(text_ja.nfkc(str(v)).strip())
                if not 0 <= n <= 1_000_000:
                    raise ValueError
                clean[k] = n
            except ValueError:
                c.add(f"targets.{k}", _("Targets: enter whole numbers of 0 or more."))
        c.done()
        row_id = natural_id("annual_plan", str(fy))
        with self._store.transaction() as w:
            values = {**goals, "targets": json.dumps(clean, sort_keys=True)}
            if self._region.row("annual_plan", row_id) is None:
                self._region.insert(w, "annual_plan", {"fiscal_year": fy, **values},
                                    row_id=row_id)
            else:
                self._region.update(w, "annual_plan", row_id, values)
            self._audit_region("annual_plan", f"FY{fy}")
        return self.annual_plan(fy)

    def annual_report(self, fiscal_year: int) -> dict[str, Any]:
        """The yearly evaluation (plan, structure, process, outcome, reach, region, risk):
        figures only, no names (app/reports/annual.py)."""
        self._ctx.require(Permission.VIEW_STATISTICS)
        from app.reports.annual import annual
        report = annual(self._store, self._region, fiscal_year,
                        today=self._ctx.today())
        with self._store.transaction():
            self._audit_region("view_statistics", f"annual FY{report['fiscal_year']}")
        return report

    def export_annual_report(self, fiscal_year: int, out: str | os.PathLike[str],
                             fmt: str = "pdf", *, render: Render | None = None) -> Path:
        """The annual report as json, xlsx or pdf (the desk's 事業報告)."""
        self._ctx.require(Permission.VIEW_STATISTICS)
        from app.reports.annual import export
        report = self.annual_report(fiscal_year)
        path = export(report, self._store.agency(), Path(out), fmt, render)
        with self._store.transaction():
            self._audit_region("export", f"annual FY{report['fiscal_year']} {fmt}")
        return path

    # ================================================================== dashboard
    def desk_warnings(self) -> dict[str, Any]:
        """For the 主任's dashboard: staff without their national course, open 地域課題 by
        status, this and last month's complaints/incidents. Empty for other roles."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        if not self._ctx.allows(Permission.MANAGE_DESK):
            return {}
        out: dict[str, Any] = {"missing_training": self.missing_national_training()}
        by_status: dict[str, int] = {s.value: 0 for s in IssueStatus}
        cases_behind = 0
        for i in self._region.issues():
            by_status[i["status"]] += 1
            if i["status"] not in ISSUE_FINAL:
                cases_behind += int(i["case_count"])
        out["issues"] = by_status
        out["issue_cases"] = cases_behind
        if self._ctx.allows(Permission.RISK_REGISTER):
            out["risk"] = self.risk_monthly_counts(2)
            out.update(self.risk_open_counts())
        return out


def _count(c: _Check, value: Any, field_: str, label: str) -> int:
    if value in (None, ""):
        return 0
    try:
        n = int(text_ja.nfkc(str(value)).strip())
        if not 0 <= n <= 100_000:
            raise ValueError
        return n
    except ValueError:
        c.add(field_, _("{label}: enter a whole number of 0 or more.").format(label=label))
        return 0


def _complaint(r: dict[str, Any]) -> dict[str, Any]:
    d = dict(r)
    d["complainant"] = Complainant(r["complainant"])
    d["received_on"] = _d(r["received_on"])
    d["completed_on"] = _d(r["completed_on"])
    d["committee_on"] = _d(r["committee_on"])
    d["committee"] = bool(r["committee"])
    return d


def _incident(r: dict[str, Any]) -> dict[str, Any]:
    d = dict(r)
    d["kind"] = IncidentKind(r["kind"])
    d["severity"] = Severity(r["severity"])
    d["occurred_on"] = _d(r["occurred_on"])
    d["reviewed_on"] = _d(r["reviewed_on"])
    d["audit_refs"] = json.loads(r["audit_refs"] or "[]")
    return d


# ---------------------------------------------------------------------- after a merge
def duplicate_resources(conn, _case_ids) -> list:
    """Two active directory entries under one folded name after a merge (renamed, or
    re-added after a deletion, on two devices offline; the same name added on two devices
    is one entry already — add_resource): flagged, the entry made first named as the one
    to keep, until one is deactivated or renamed."""
    from app.store.sync_merge import RuleIssue
    repo = RegionRepo(conn)
    groups: dict[str, list[str]] = {}
    for r in repo.resources(include_inactive=False):
        groups.setdefault(r["name_fold"], []).append(r["id"])
    issues = []
    for ids in groups.values():
        if len(ids) > 1:
            ordered = sorted(ids, key=lambda i: (repo.first_hlc("social_resource", i), i))
            issues.append(RuleIssue("duplicate_resource", None,  # type: ignore[arg-type]
                                    [("social_resource", i) for i in ordered]))
    return issues


def _resources_still_duplicate(conn, conflict: dict) -> bool:
    repo = RegionRepo(conn)
    ids = [conflict["row_id"], *json.loads(conflict["detail"] or "[]")]
    rows = [repo.row("social_resource", i) for i in ids]
    return all(r and r["active"] for r in rows) and \
        len({r["name_fold"] for r in rows if r}) == 1


register_post_merge_check(duplicate_resources, "duplicate_resource",
                          _resources_still_duplicate)


def feed_meeting_issue(region: RegionOperations, w: Any, item: dict[str, Any]) -> str:
    """Write a meeting's 地域課題 item into the register (inside the caller's transaction):
    status 把握, source 支援調整会議, title the first line of the summary. Named by the agenda
    item, so two devices taking the same item in make one issue."""
    repo = region._region
    summary = (item.get("summary") or "").strip()
    title = summary.splitlines()[0][:200] if summary else _("Regional issue")
    on = item.get("held_on") or region._ctx.today().isoformat()
    row_id = natural_id("regional_issue", f"agenda:{item['id']}")
    if repo.row("regional_issue", row_id) is None and \
            not repo.exists_ever("regional_issue", row_id):
        repo.insert(w, "regional_issue", {
            "title": title, "description": summary, "source": IssueSource.MEETING.value,
            "meeting_id": item.get("meeting_id"), "agenda_item_id": item["id"],
            "raised_on": on, "raised_by": region._ctx.user.login,
            "status": IssueStatus.NOTED.value,
            "status_on": on}, row_id=row_id)
        region._store.audit(region._ctx.user.login, "regional_issue_add", detail=title)
    return row_id


install(RegionOperations)   # every public operation checked against its rule
