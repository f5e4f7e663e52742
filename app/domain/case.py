"""A case (ケース): one consultation of one person, from intake to closure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.common import Stage
from app.domain.intake import Intake
from app.domain.person import Person


@dataclass
class Case:
    id: str
    case_no: str            # fiscal-year based: 2026-0001
    person_id: str
    stage: Stage
    opened_on: date
    assignee: str = ""      # 担当 (staff display name)
    closed_on: date | None = None
    rev: int = 0


@dataclass
class CaseSummary:
    """One row of the case list."""

    id: str
    case_no: str
    name: str
    kana: str
    birth_date: date | None
    received_on: date
    stage: Stage
    assignee: str
    sensitive: bool = False        # 閲覧制限: the list marks the row (no whereabouts in it)

    def age(self, on: date) -> int | None:
        from app.text_ja import age_on
        return age_on(self.birth_date, on) if self.birth_date else None


@dataclass
class CaseDetail:
    case: Case
    person: Person
    intakes: list[Intake] = field(default_factory=list)


@dataclass
class TimelineEntry:
    """One thing that happened on a case (the case view's timeline, newest first)."""

    kind: str          # table name: intake, assessment, plan, support_record, …
    on: date
    title: str
    text: str = ""
    id: str = ""
    order: str = ""    # hlc of the row, for a stable order within a day
    superseded: bool = False


@dataclass(frozen=True)
class Handover:
    """A hand-over of a case from one 担当 to another (``from_login`` empty: none before)."""

    handed_on: date | None
    from_login: str
    to_login: str
    reason: str


@dataclass(frozen=True)
class CaseWorkers:
    """Who works on a case besides the 担当: the 協働 (logins) and the hand-over history,
    oldest first (``desk.security.case_workers``)."""

    coworkers: tuple[str, ...]
    handovers: tuple[Handover, ...]
