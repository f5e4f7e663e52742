"""Records and closed lists of running the desk (issue 15; the guide's chapters 2–5): the
社会資源 directory, 地域課題, activities with the region, 人材育成, 苦情 and ヒヤリハット・事故.
The operations on them are ``desk.region`` (app/operations/region.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from app.domain.common import LabelledEnum
from app.i18n import N_

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
class LinkedCase:
    """A case behind a directory entry or a 地域課題, as the reader may see it (number, name,
    stage; ``closed_on`` for the cases of a 地域課題, which may be closed)."""

    case_id: str
    case_no: str
    name: str
    stage: str
    closed_on: date | None = None


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
    open_cases: tuple[LinkedCase, ...] = ()        # open cases the reader may see


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
    cases: tuple[LinkedCase, ...] = ()            # the linked cases the reader may see


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


# ---------------------------------------------------------------------- reads of desk.region
@dataclass(frozen=True)
class UnlistedName:
    """A name typed as つなぎ先 / 支援を行う機関 that matches no directory entry."""

    name: str
    uses: int                                     # records naming it


@dataclass(frozen=True)
class MeetingIssue:
    """A 地域課題 written on a meeting's agenda, not yet in the register."""

    id: str                                       # the agenda item
    meeting_id: str
    summary: str
    held_on: date | None


@dataclass(frozen=True)
class RegionActivity:
    """研修会・出前講座・連絡会・就労先の開拓 … held with the region."""

    id: str
    held_on: date
    kind: ActivityKind
    title: str
    partners: str
    participants: int
    note: str


@dataclass(frozen=True)
class Training:
    """A 国研修 or an Off-JT a staff member completed."""

    id: str
    staff_id: str
    kind: TrainingKind
    course: str                                   # national: a NationalCourse value
    title: str
    organiser: str
    completed_on: date
    hours: float | None
    note: str


@dataclass(frozen=True)
class TrainingStatus:
    """A staff member's training at a glance (人材育成): the national course the role needs
    (None: none), when it was done, and the counts of Off-JT and OJT sessions."""

    staff_id: str
    name: str
    login: str
    role: str
    required_course: str | None
    national_done_on: date | None
    missing: bool
    off_jt: int
    sessions: int


@dataclass(frozen=True)
class OjtSession:
    """An OJT or 事例検討 session (cases by number only; participants are staff ids)."""

    id: str
    held_on: date
    kind: SessionKind
    topic: str
    case_numbers: tuple[str, ...]
    participants: tuple[str, ...]
    leader: str
    note: str


@dataclass(frozen=True)
class Complaint:
    """An entry of the 苦情 register."""

    id: str
    received_on: date
    complainant: Complainant
    content: str
    response: str
    result: str
    prevention: str
    completed_on: date | None
    case_id: str | None
    case_no: str | None
    committee: bool                               # 運営適正化委員会へ
    committee_on: date | None
    recorded_by: str


@dataclass(frozen=True)
class LinkedAuditEntry:
    """An audit entry a personal-data incident names."""

    seq: int
    at: str
    login: str
    action: str
    detail: str
    case_no: str | None


@dataclass(frozen=True)
class Incident:
    """A ヒヤリハット・事故 report (``audit_entries``: the audit entries it names, in the
    register's list)."""

    id: str
    occurred_on: date
    kind: IncidentKind
    severity: Severity
    what: str
    cause: str
    prevention: str
    reviewed_at: str
    reviewed_on: date | None
    audit_refs: tuple[int, ...]
    case_id: str | None
    case_no: str | None
    reported_by: str
    audit_entries: tuple[LinkedAuditEntry, ...] = ()


@dataclass(frozen=True)
class RiskMonth:
    """A month's complaints, incidents and personal-data incidents (month ``YYYY-MM``)."""

    month: str
    complaints: int
    incidents: int
    personal_data: int


@dataclass(frozen=True)
class DeskWarnings:
    """The 主任's warnings on the dashboard: staff without their national course, 地域課題
    by status (with the cases behind the open ones) and, with the risk register, the last
    months' complaints and incidents (``risk`` None without it)."""

    missing_training: tuple[TrainingStatus, ...]
    issues: Mapping[str, int]
    issue_cases: int
    risk: tuple[RiskMonth, ...] | None = None
    open_complaints: int = 0
    unreviewed_incidents: int = 0
