"""支援調整会議 (support coordination meeting): meetings, their participants, agenda items
and results, and the proposals that wait for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.common import LabelledEnum
from app.i18n import N_


class MeetingKind(LabelledEnum):
    REGULAR = "regular", N_("Regular")                               # 定例
    AD_HOC = "ad_hoc", N_("Ad hoc")                                  # 随時


class AgendaKind(LabelledEnum):
    """Item types of a 支援調整会議 agenda."""

    NEW_PLAN = "new_plan", N_("New plan")                            # 新規プラン
    REPLAN = "replan", N_("Re-plan")                                 # 再プラン
    EVALUATION = "evaluation", N_("Evaluation")                      # 評価
    SUSPENSION = "suspension", N_("Suspension")                      # 中断
    CLOSURE = "closure", N_("Closure")                               # 終結
    REGIONAL_ISSUE = "regional_issue", N_("Regional issue")          # 地域課題


class MeetingResult(LabelledEnum):
    """Result of one agenda item of the 支援調整会議."""

    APPROVED = "approved", N_("Approved as proposed")                # 了承
    APPROVED_WITH_CHANGES = "approved_with_changes", N_("Approved with changes")  # 修正のうえ了承
    RECONSIDER = "reconsider", N_("To be reconsidered")              # 再検討

    @property
    def takes_effect(self) -> bool:
        return self is not MeetingResult.RECONSIDER


class ProposalStatus(LabelledEnum):
    """A proposal that needs the 支援調整会議 (evaluation, 中断, 終結)."""

    PROPOSED = "proposed", N_("Waiting for the support coordination meeting")
    CONFIRMED = "confirmed", N_("Confirmed by the support coordination meeting")
    RECONSIDER = "reconsider", N_("To be reconsidered")
    RESUMED = "resumed", N_("Resumed")                               # 中断 only


@dataclass
class Participant:
    name: str
    organisation: str = ""
    municipal: bool = False            # of the municipality (自治体), whatever the name says


# Organisations that are the municipality's own offices (not 社協 nor other agencies).
_MUNICIPAL_MARKS = ("役場", "役所", "市役所", "区役所", "町役場", "村役場", "福祉事務所", "庁",
                    "自治体")


_NOT_MUNICIPAL = ("社会福祉協議会", "社協", "センター", "法人", "事業所", "ハローワーク",
                  "公共職業安定所")


def is_municipal(p: Participant, municipality: str = "") -> bool:
    """Whether a participant represents the municipality (自治体は原則参画): marked so, or an
    office of it by its organisation's name (「つなぐ町福祉課」, 「〇〇市役所」, 福祉事務所)."""
    if p.municipal:
        return True
    import unicodedata
    org = unicodedata.normalize("NFKC", p.organisation or "").strip()
    if not org or any(m in org for m in _NOT_MUNICIPAL):
        return False
    if any(m in org for m in _MUNICIPAL_MARKS):
        return True
    if org.endswith(("課", "係")):          # a department: 福祉課, 生活支援係
        return True
    town = unicodedata.normalize("NFKC", municipality or "").strip()
    return bool(town) and org.startswith(town) and org.endswith(("室", "部", "局"))


def municipality_attended(people: list[Participant], municipality: str = "") -> bool:
    return any(is_municipal(p, municipality) for p in people)


@dataclass
class AgendaItem:
    id: str
    meeting_id: str
    kind: AgendaKind
    case_id: str | None
    subject_id: str | None
    summary: str = ""
    result: MeetingResult | None = None
    conditions: str = ""
    case_no: str = ""
    withdrawn_on: date | None = None     # withdrawn (or moved: moved_to) — waits no more
    withdrawn_reason: str = ""
    moved_to: str | None = None          # the meeting it was moved to

    @property
    def pending(self) -> bool:
        """Still waiting for the meeting's result."""
        return self.result is None and self.withdrawn_on is None


@dataclass
class Meeting:
    """支援調整会議 — approves plans, evaluations, suspensions and closures."""

    id: str
    held_on: date
    kind: MeetingKind
    place: str = ""
    participants: list[Participant] = field(default_factory=list)
    minutes: str = ""
    next_meeting_on: date | None = None
    held: bool = False
    items: list[AgendaItem] = field(default_factory=list)
    municipality_attended: bool | None = None   # recorded with the results (schema 15)
    municipality_absence: str = ""              # the confirmation when it did not attend


@dataclass(frozen=True)
class MeetingSummary:
    """One row of the list of 支援調整会議: the meeting without its agenda, minutes or
    results — only how many items its agenda has."""

    id: str
    held_on: date
    kind: MeetingKind
    place: str = ""
    held: bool = False
    item_count: int = 0
    next_meeting_on: date | None = None
    participants: tuple[Participant, ...] = ()


@dataclass(frozen=True)
class AgendaCandidate:
    """Something waiting for the 支援調整会議 and on no agenda yet: a submitted plan (新規
    プラン / 再プラン), or a proposed プラン評価, 中断 or 終結. ``summary`` is what the
    agenda item says (the plan's aim, the decision, the reason or the closure pattern)."""

    kind: AgendaKind
    case_id: str
    subject_id: str
    summary: str
    case_no: str = ""


@dataclass(frozen=True)
class MeetingWait:
    """Something of a case waiting for the 支援調整会議 and the meeting whose agenda it is
    on (``item_id``/``meeting_id`` None: on no agenda yet)."""

    kind: AgendaKind
    case_id: str
    subject_id: str
    summary: str = ""
    item_id: str | None = None
    meeting_id: str | None = None
    meeting_on: date | None = None
    meeting_kind: MeetingKind | None = None
