"""プラン (support plan): goals, support items, period, the person's signature; its kind
and its status on the way through the 支援調整会議."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain.common import LabelledEnum
from app.domain.decision import DecisionNeed, decision_need
from app.i18n import N_


class PlanKind(LabelledEnum):
    FIRST = "first", N_("First plan")                                # 初回プラン
    REPLAN = "replan", N_("Re-plan")                                 # 再プラン


class PlanStatus(LabelledEnum):
    """draft → submitted → approved (再検討: back to draft) → superseded / ended."""

    DRAFT = "draft", N_("Draft")                                     # 作成中
    SUBMITTED = "submitted", N_("Waiting for the support coordination meeting")
    APPROVED = "approved", N_("Approved")                            # 了承済み (in effect)
    SUPERSEDED = "superseded", N_("Replaced by a newer plan")
    ENDED = "ended", N_("Ended")


# Plain domain objects the Desk returns (rows of the process tables).
@dataclass
class Goal:
    """短期目標 with its target date."""

    text: str
    target_on: date | None = None


@dataclass
class PlanItem:
    """One support item: what, who (this agency or a named provider), period, frequency."""

    what: str
    service_key: str = "self_reliance"
    provider: str = ""                 # '' = this agency
    problem: str = ""                  # the problem it addresses
    period_from: date | None = None
    period_to: date | None = None
    frequency: str = ""
    id: str = ""
    started_on: date | None = None     # サービス開始 (filled by the store)
    decision: str = ""                 # 'required' / 'decided' / 'refused' / 'reported'


@dataclass
class PlanInput:
    aim: str                            # 本人の目指す姿
    goals: list[Goal] = field(default_factory=list)
    items: list[PlanItem] = field(default_factory=list)
    period_from: date | None = None
    period_to: date | None = None
    next_monitoring_on: date | None = None
    signed_on: date | None = None       # 本人署名日
    author: str = ""                    # 作成者
    created_on: date | None = None      # 作成日


@dataclass
class Plan(PlanInput):
    id: str = ""
    case_id: str = ""
    number: int = 1
    kind: PlanKind = PlanKind.FIRST
    status: PlanStatus = PlanStatus.DRAFT
    approved_on: date | None = None
    meeting_result: str = ""
    conditions: str = ""
    rev: int = 0

    @property
    def decision_need(self) -> DecisionNeed:
        return decision_need([i.decision in ("required", "decided", "refused")
                              for i in self.items])


@dataclass(frozen=True)
class PlanAmendment:
    """A プランの修正 (minor amendment) of a plan in effect, with the plan's content before and
    after it (read-only: a row of the store)."""

    id: str
    plan_id: str
    case_id: str
    amended_on: date
    reason: str
    before: dict[str, Any] = field(default_factory=dict)   # the plan's content (aim, goals,
    after: dict[str, Any] = field(default_factory=dict)    # items, period) as JSON reads it
    hlc: str = ""                       # when it was written: the order of the amendments


@dataclass(frozen=True)
class PlanVersion:
    """The plan as the 支援調整会議 approved it (``source`` 'approval', version 1), or after a
    プランの修正 (``source`` 'amendment'): its content as JSON reads it (read-only)."""

    version: int
    on: date | None
    source: str                          # 'approval' / 'amendment'
    reason: str = ""                     # of the amendment
    content: dict[str, Any] = field(default_factory=dict)
