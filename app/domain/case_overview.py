"""The case at a glance: everything the case view shows, read at one moment (issue 21)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from app.domain.case import CaseDetail, TimelineEntry
from app.domain.intake import EmergencySupport
from app.domain.meeting import MeetingWait
from app.domain.plan import Plan
from app.domain.service import Service

if TYPE_CHECKING:   # the step graph imports the domain, not the other way round
    from app.process import StepStatus


@dataclass(frozen=True)
class CaseOverview:
    """One case as its screen shows it (``Desk.case_overview``): the case and its person
    (whereabouts masked for a 閲覧制限 person), every step with whether it is possible now
    and why not, the next actions, the plans, what waits for the 支援調整会議, the 緊急的な
    支援 done, the services (inactive ones too, for the names on old plans) and the
    timeline (newest first; only ``timeline_kinds`` when given). ``today`` is the desk's
    date the steps were judged on (the header's age); ``may_edit``: whether this user may
    change the case (the correcting buttons)."""

    detail: CaseDetail
    steps: tuple[StepStatus, ...]
    next_actions: tuple[str, ...]
    plans: tuple[Plan, ...]
    waiting: tuple[MeetingWait, ...]
    emergency: tuple[EmergencySupport, ...]
    services: tuple[Service, ...]
    timeline: tuple[TimelineEntry, ...]
    today: date
    may_edit: bool
    timeline_kinds: tuple[str, ...] | None = None

    @property
    def case_id(self) -> str:
        return self.detail.case.id


__all__ = ["CaseOverview"]
