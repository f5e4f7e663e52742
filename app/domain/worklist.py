"""The dashboard's work lists (ダッシュボード): one record per kind of line — a case whose
monitoring is due, a referral to check, a plan waiting for its 支援調整会議 … — and the board
of lists with their whole counts (``desk.process.dashboard``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Mapping

from app.domain.intake import EmergencyAction
from app.domain.meeting import MeetingKind
from app.domain.plan import PlanKind


def _on(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class WorkItem:
    """A line of a dashboard list: the case it is about."""

    case_id: str
    case_no: str
    person_name: str


@dataclass(frozen=True)
class MonitoringDue(WorkItem):
    """モニタリング due today or overdue (the case's next monitoring date)."""

    due_on: date | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> MonitoringDue:
        return cls(r["case_id"], r["case_no"], r.get("person_name") or r.get("name") or "",
                   _on(r["next_monitoring_on"]))


@dataclass(frozen=True)
class ReferralToCheck(WorkItem):
    """A referral (他機関へつなぐ) whose 後日確認 is due."""

    id: str
    referred_to: str
    check_on: date | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> ReferralToCheck:
        return cls(r["case_id"], r["case_no"], r.get("person_name") or "", r["id"],
                   r.get("referred_to") or "", _on(r.get("check_on")))


@dataclass(frozen=True)
class PlanWaiting(WorkItem):
    """A submitted plan waiting for the 支援調整会議 (``meeting_on``: the meeting whose agenda
    holds it, None when on no agenda yet)."""

    plan_id: str
    number: int
    kind: PlanKind
    meeting_on: date | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> PlanWaiting:
        return cls(r["case_id"], r["case_no"], r.get("person_name") or "", r["id"],
                   int(r["number"]), PlanKind(r["kind"]), _on(r.get("meeting_on")))


@dataclass(frozen=True)
class DecisionPending(WorkItem):
    """A service of an approved plan that needs a 支援決定 not yet recorded."""

    plan_id: str
    service_key: str
    service_name: str

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> DecisionPending:
        return cls(r["case_id"], r["case_no"], r.get("person_name") or "", r["plan_id"],
                   r["service_key"], r.get("name") or "")


@dataclass(frozen=True)
class EmergencyPending(WorkItem):
    """A statutory 緊急的な支援 whose municipal procedure is pending."""

    id: str
    action: EmergencyAction
    done_on: date | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> EmergencyPending:
        return cls(r["case_id"], r["case_no"], r.get("person_name") or "", r["id"],
                   EmergencyAction(r["action"]), _on(r.get("done_on")))


@dataclass(frozen=True)
class SuspendedCase(WorkItem):
    """A case in 中断 (``confirmed_on``: the confirmed suspension's date)."""

    confirmed_on: date | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> SuspendedCase:
        return cls(r["case_id"], r["case_no"], r.get("person_name") or r.get("name") or "",
                   _on(r.get("confirmed_on")))


@dataclass(frozen=True)
class EvaluationDue(WorkItem):
    """A plan in effect whose period ends soon (or has ended) with no プラン評価 yet."""

    plan_id: str
    number: int
    period_to: date | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> EvaluationDue:
        return cls(r["case_id"], r["case_no"], r.get("person_name") or "", r["plan_id"],
                   int(r["number"]), _on(r.get("period_to")))


@dataclass(frozen=True)
class MeetingDue:
    """A 支援調整会議 not yet held (次回の会議), with how many items wait on its agenda."""

    id: str
    held_on: date | None
    kind: MeetingKind
    place: str
    pending: int

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> MeetingDue:
        return cls(r["id"], _on(r["held_on"]), MeetingKind(r["kind"]), r.get("place") or "",
                   int(r.get("pending") or 0))


DashboardLine = WorkItem | MeetingDue

# The lists of the board, in the order of the dashboard's tiles.
DASHBOARD_LISTS = (
    "monitoring_today", "monitoring_overdue", "referrals_to_check",
    "plans_waiting_for_meeting", "decisions_pending", "emergency_procedures_pending",
    "suspended_cases", "evaluations_due", "next_meetings",
)


@dataclass(frozen=True)
class DashboardBoard:
    """The dashboard's lists: the first rows of each list read (a list not asked for is
    empty) and under ``counts`` how many each list read has in all."""

    monitoring_today: tuple[MonitoringDue, ...] = ()
    monitoring_overdue: tuple[MonitoringDue, ...] = ()
    referrals_to_check: tuple[ReferralToCheck, ...] = ()
    plans_waiting_for_meeting: tuple[PlanWaiting, ...] = ()
    decisions_pending: tuple[DecisionPending, ...] = ()
    emergency_procedures_pending: tuple[EmergencyPending, ...] = ()
    suspended_cases: tuple[SuspendedCase, ...] = ()
    evaluations_due: tuple[EvaluationDue, ...] = ()
    next_meetings: tuple[MeetingDue, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)

    def rows(self, key: str) -> tuple[DashboardLine, ...]:
        """The rows read of the list ``key`` (one of DASHBOARD_LISTS)."""
        if key not in DASHBOARD_LISTS:
            raise KeyError(key)
        rows: tuple[DashboardLine, ...] = getattr(self, key)
        return rows

    def total(self, key: str) -> int:
        """How many the list has in all (only the first ones may have been read)."""
        return max(int(self.counts.get(key, 0)), len(self.rows(key)))

    def merged(self, other: DashboardBoard) -> DashboardBoard:
        """This board with the lists ``other`` read (「すべて表示」 of one list)."""
        changes: dict[str, Any] = {key: other.rows(key) for key in other.counts}
        return replace(self, **changes, counts={**self.counts, **other.counts})


__all__ = [
    "DASHBOARD_LISTS", "DashboardBoard", "DashboardLine", "DecisionPending", "EmergencyPending",
    "EvaluationDue", "MeetingDue", "MonitoringDue", "PlanWaiting", "ReferralToCheck",
    "SuspendedCase", "WorkItem",
]
