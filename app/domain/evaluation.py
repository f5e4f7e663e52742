"""プラン評価 (plan evaluation): attainment of the goals and what comes next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.common import LabelledEnum
from app.domain.meeting import ProposalStatus
from app.i18n import N_


class Attainment(LabelledEnum):
    MET = "met", N_("Achieved")                                      # 達成
    PARTLY = "partly", N_("Partly achieved")                         # 一部達成
    NOT_MET = "not_met", N_("Not achieved")                          # 未達成


class EvaluationDecision(LabelledEnum):
    """What the プラン評価 proposes to the 支援調整会議."""

    CLOSE = "close", N_("Closure")                                   # 終結
    REPLAN = "replan", N_("Re-plan")                                 # 再プラン
    REASSESS = "reassess", N_("Re-assessment")                       # 再アセスメント
    CONTINUE = "continue", N_("Continue")                            # 継続


@dataclass
class EvaluationInput:
    evaluated_on: date
    attainment: list[tuple[str, Attainment]] = field(default_factory=list)  # (goal, 達成度)
    decision: EvaluationDecision = EvaluationDecision.CONTINUE
    support_delivered: str = ""
    employed_on: date | None = None     # 就労
    income_increased_on: date | None = None  # 増収
    motivation: bool = False            # 意欲
    relationships: bool = False         # 関係性
    participation: bool = False         # 参加
    hardship: bool = False              # 経済的困窮
    note: str = ""


@dataclass(frozen=True)
class Evaluation:
    """A recorded プラン評価 (read-only: a row of the store), proposed to the 支援調整会議
    (``status``: proposed / confirmed / reconsider)."""

    id: str
    case_id: str
    plan_id: str
    evaluated_on: date
    decision: EvaluationDecision
    status: ProposalStatus = ProposalStatus.PROPOSED
    attainment: tuple[tuple[str, Attainment], ...] = ()    # (goal, 達成度) as recorded
    support_delivered: str = ""
    employed_on: date | None = None     # 就労
    income_increased_on: date | None = None  # 増収
    motivation: bool = False            # 意欲
    relationships: bool = False         # 関係性
    participation: bool = False         # 参加
    hardship: bool = False              # 経済的困窮
    note: str = ""
    assessment_version: int = 0         # the アセスメント it followed
    confirmed_on: date | None = None
    hlc: str = ""                       # when it was written: a stable order within a day
