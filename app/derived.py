"""The columns of a case that are computed from its facts, never entered: one rule for the
process steps and for the merge of transfer files.

``case_file.stage``, ``closed_on`` and ``next_monitoring_on`` are stored (the case list,
the dashboard and the statistics read them from indexes) but each is a function of the
case's records: the stage of ``app.process.stage``; the date the confirmed 終結 took
effect; the next monitoring set by the latest scheduling fact. A process step writes them
through ``case_fields`` (app/operations/process_part.py ``_restage``), and a merge recomputes
them with the same function for every case it touches (app/store/sync_merge.py
``register_derived``) — so two devices that hold the same records hold the same values,
and a person is never asked to choose between two values the program computes itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from app.domain.case_state import CaseState
from app import process as P
from app.domain import Stage

# The columns of case_file computed here (never a sync conflict).
CASE_COLUMNS = ("stage", "closed_on", "next_monitoring_on")


@dataclass(frozen=True)
class ScheduleFact:
    """A record that set the date of the next monitoring.

    kind ``monitoring``: a monitoring on ``on`` naming its next date ``next_on``;
    ``start``: the first サービス開始 of a plan on ``on`` (the plan's own first monitoring
    date ``next_on`` if it has one, else within two weeks); ``resume``: a 再開 on ``on``
    while a plan was in effect (within two weeks). ``hlc`` orders facts of one day in the
    order they were written.
    """

    kind: str
    on: date
    hlc: str
    next_on: date | None = None

    @property
    def sets(self) -> date | None:
        if self.kind == "monitoring":
            return self.next_on
        if self.kind == "start":
            return self.next_on or P.first_monitoring_date(self.on)
        return P.first_monitoring_date(self.on)


def next_monitoring(stage: Stage, facts: Iterable[ScheduleFact]) -> date | None:
    """The date set by the latest fact (by its date, then by when it was written); none
    for a closed or suspended case."""
    if stage in (Stage.CLOSED, Stage.SUSPENDED):
        return None
    latest = max(facts, key=lambda f: (f.on, f.hlc), default=None)
    return latest.sets if latest is not None else None


def case_fields(state: CaseState, closure_confirmed_on: date | None,
                schedule: Iterable[ScheduleFact]) -> dict[str, Any]:
    """The derived columns of one case, as stored (ISO dates)."""
    stage = P.stage(state)
    nxt = next_monitoring(stage, schedule)
    closed = closure_confirmed_on if state.closed else None
    return {"stage": stage.value,
            "closed_on": closed.isoformat() if closed else None,
            "next_monitoring_on": nxt.isoformat() if nxt else None}
