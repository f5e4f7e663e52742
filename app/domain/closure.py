"""終結 (closure): the three patterns of the 手引き, their grounds and the person's intention."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.common import LabelledEnum
from app.domain.meeting import ProposalStatus
from app.i18n import N_


class ClosurePattern(LabelledEnum):
    """終結のパターン (1)(2)(3) of the 手引き."""

    RESOLVED = "1", N_("(1) Hardship resolved, self-reliance in sight")
    STEP_BACK = "2", N_("(2) Big problems solved, the agency can step back")
    CONTACT_LOST = "3", N_("(3) Contact lost")


class ClosureGrounds(LabelledEnum):
    """Why contact is considered lost, for 終結(3)."""

    SUSPENSION = "suspension", N_("Suspended, with no prospect of resuming")  # 中断後、再開のめどなし
    MOVED_AWAY = "moved_away", N_("Moved away without notice")                # 行き先を知らせずに転居


@dataclass
class ClosureInput:
    """終結: pattern with its reason, the person's intention (how, when), referrals, follow-up."""

    proposed_on: date
    pattern: ClosurePattern
    reason: str
    grounds: ClosureGrounds | None = None   # pattern (3)
    intention: str = ""
    intention_how: str = ""
    intention_on: date | None = None
    referrals: list[str] = field(default_factory=list)
    followup_plan: str = ""
    no_evaluation_reason: str = ""          # (1)(2) without a プラン評価 that decided 終結


@dataclass(frozen=True)
class Closure:
    """A recorded 終結 (read-only: a row of the store), proposed to the 支援調整会議 — or
    decided with the プラン評価 ``evaluation_id`` that decided 終結."""

    id: str
    case_id: str
    proposed_on: date
    pattern: ClosurePattern
    reason: str
    status: ProposalStatus = ProposalStatus.PROPOSED
    grounds: ClosureGrounds | None = None   # pattern (3)
    intention: str = ""
    intention_how: str = ""
    intention_on: date | None = None
    referrals: tuple[str, ...] = ()
    followup_plan: str = ""
    confirmed_on: date | None = None
    evaluation_id: str | None = None
    no_evaluation_reason: str = ""
    hlc: str = ""                       # when it was written: a stable order within a day


@dataclass(frozen=True)
class Followup:
    """A フォローアップ contact after a confirmed 終結 (read-only: a row of the store)."""

    id: str
    case_id: str
    closure_id: str
    contacted_on: date
    method: str = ""
    contact_person: str = ""
    content: str = ""
    hlc: str = ""                       # when it was written: a stable order within a day
