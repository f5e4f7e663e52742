"""What the process rules know about one case (``CaseState``), built by the Desk from the
store and read by the step graph in app/process.py; the desk's settings for the rules
(``ProcessSettings``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.assessment import ScreeningResult
from app.domain.evaluation import EvaluationDecision
from app.domain.meeting import ProposalStatus
from app.domain.plan import PlanKind, PlanStatus
from app.domain.referral import ReferralOrigin
from app.i18n import _


@dataclass(frozen=True)
class ItemFact:
    """One support item of a plan, as far as the rules care."""

    id: str
    service_key: str = ""
    needs_decision: bool = False       # 法定サービス needing the municipality's 支援決定
    decided: bool = False              # a 支援決定 (granted) is recorded
    refused: bool = False              # the municipality did not grant it
    started: bool = False


@dataclass(frozen=True)
class ProcessSettings:
    """The desk's settings for the guide's rules where the guide leaves the figure open
    (一定期間, 軽微な修正); the screens state them. Stored as agency settings."""

    suspension_means: int = 2          # 中断: contact attempts by at least this many means …
    suspension_days: int = 14          # … spread over at least this many days
    closure3_days: int = 90            # 終結(3): only after this many days of 中断
    amendment_days: int = 31           # 軽微な修正: a period moves by at most this many days
    evaluation_notice_days: int = 14   # プラン評価: listed this many days before the plan ends


@dataclass(frozen=True)
class ContactFact:
    """A recorded attempt to reach the person, not yet part of a 中断."""

    on: date
    method: str
    outcome: str = "no_response"


@dataclass(frozen=True)
class PlanFact:
    id: str
    number: int = 1
    kind: PlanKind = PlanKind.FIRST
    status: PlanStatus = PlanStatus.DRAFT
    signed: bool = False               # 本人署名 (the plan is also the application)
    on_agenda: bool = False            # on a meeting agenda still waiting for its result
    items: tuple[ItemFact, ...] = ()
    period_to: date | None = None      # end of the plan period (プラン評価 is due then)
    approved_on: date | None = None
    reported_on: date | None = None    # 報告 to the municipality (no statutory service)


@dataclass(frozen=True)
class EvaluationFact:
    id: str
    plan_id: str
    status: ProposalStatus = ProposalStatus.PROPOSED
    decision: EvaluationDecision = EvaluationDecision.CONTINUE
    assessment_version: int = 0        # the latest assessment when it was evaluated
    all_goals_met: bool = False


@dataclass(frozen=True)
class ReferralFact:
    id: str
    origin: ReferralOrigin = ReferralOrigin.INTAKE
    checked: bool = False
    arrived: bool | None = None
    taken_back: bool = False


@dataclass
class CaseState:
    """Snapshot of the facts about one case that the rules read (built by the Desk)."""

    case_id: str = ""
    triage: str = "continue"                  # 振り分け at intake (Triage value)
    emergency_pending: int = 0                # statutory emergency procedures still pending
    assessment_version: int = 0               # 0: no assessment yet
    screening: ScreeningResult | None = None  # latest screening
    screened_version: int = 0                 # assessment version the latest screening read
    plans: tuple[PlanFact, ...] = ()
    evaluations: tuple[EvaluationFact, ...] = ()
    referrals: tuple[ReferralFact, ...] = ()
    records: int = 0
    monitorings_of_active_plan: int = 0
    open_contact_attempts: int = 0            # attempts not yet attached to a 中断
    moved_away: bool = False                  # a contact attempt found the person moved away
    suspension: ProposalStatus | None = None  # latest 中断 (RESUMED once resumed)
    closure: ProposalStatus | None = None     # latest 終結 proposal
    followups: int = 0
    contacts: tuple[ContactFact, ...] = ()    # attempts not yet attached to a 中断
    suspended_on: date | None = None          # the 中断 in effect was confirmed on
    today: date | None = None                 # the desk's today (due dates)
    settings: ProcessSettings = field(default_factory=ProcessSettings)

    # -- derived facts ------------------------------------------------------------
    @property
    def active_plans(self) -> list[PlanFact]:
        return [p for p in self.plans if p.status is PlanStatus.APPROVED]

    @property
    def active_plan(self) -> PlanFact | None:
        """The plan in effect (the newest approved one)."""
        active = self.active_plans
        return max(active, key=lambda p: p.number) if active else None

    @property
    def open_plan(self) -> PlanFact | None:
        """A plan being drafted or waiting for the meeting (at most one)."""
        for p in sorted(self.plans, key=lambda p: -p.number):
            if p.status in (PlanStatus.DRAFT, PlanStatus.SUBMITTED):
                return p
        return None

    @property
    def latest_evaluation(self) -> EvaluationFact | None:
        active = self.active_plan
        if active is None:
            return None
        mine = [e for e in self.evaluations if e.plan_id == active.id
                and e.status is not ProposalStatus.RECONSIDER]
        return mine[-1] if mine else None

    @property
    def closed(self) -> bool:
        return self.closure is ProposalStatus.CONFIRMED

    @property
    def suspended(self) -> bool:
        return self.suspension is ProposalStatus.CONFIRMED

    @property
    def out_of_agency(self) -> bool:
        """Referred out or ended with information, and not taken back."""
        if any(r.taken_back for r in self.referrals):
            return False
        if self.screening is not None and self.screened_version == self.assessment_version:
            return self.screening is not ScreeningResult.CONTINUE
        return self.triage in ("refer", "info_only")

    @property
    def continued(self) -> bool:
        """Screened for continued support on the latest assessment, or already planning."""
        return bool(self.plans) or (self.screening is ScreeningResult.CONTINUE)

    @property
    def problems(self) -> list[str]:
        """Inconsistencies to show on the case (e.g. after merging transfer bundles)."""
        found = []
        if len(self.active_plans) > 1:
            found.append(_("Two approved plans are in effect for this case (after merging "
                           "data from another device). End the older one."))
        return found
