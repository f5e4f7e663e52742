"""The columns of a case that are computed from its facts, never entered: one rule for the
process steps and for the merge of transfer files.

``case_file.stage``, ``closed_on``, ``next_monitoring_on``, ``support_from`` and
``support_until`` are stored (the case list, the dashboard and the statistics read them from
indexes) but each is a function of the case's records: the stage of ``app.process.stage``;
the date the confirmed 終結 took effect; the next monitoring set by the latest scheduling
fact; when the case was 支援中 in the statistics' sense (``support_span``). A process step writes them
through ``case_fields`` (app/operations/process_part.py ``_restage``), and a merge recomputes
them with the same function for every case it touches (app/sync/merge.py
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
CASE_COLUMNS = ("stage", "closed_on", "next_monitoring_on", "support_from", "support_until")


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


@dataclass(frozen=True)
class SupportFact:
    """A decision that starts or ends 支援中 (STATISTICS.md): the intake's triage
    (``order`` 0), a スクリーニング (1), a take-back of a つなぎ (2); ``cont`` when it says
    継続支援."""

    on: date
    order: int
    cont: bool


def support_span(facts: Iterable[SupportFact], closed_on: date | None
                 ) -> tuple[str | None, str | None]:
    """When the case is 支援中 as the statistics count it (app/store/stats_repo.py
    ``_SEGMENTS``): from each 継続支援 decision until the next decision or the 終結.

    Stored as (support_from, support_until), ISO dates: ``("", "")`` never 支援中;
    ``(from, until)`` one stretch, ``until`` None while it lasts; ``(None, until)`` several
    stretches with gaps between — the statistics then read that case's decisions again —
    ``until`` being the end of the last (None while it lasts). On a day with two decisions
    of one kind, 継続支援 is taken as the later (the statistics' order)."""
    ordered = sorted(facts, key=lambda f: (f.on, f.order, f.cont))
    stretches: list[tuple[date, date | None]] = []
    for i, fact in enumerate(ordered):
        if not fact.cont:
            continue
        nxt = ordered[i + 1].on if i + 1 < len(ordered) else None
        stop = closed_on if nxt is None else (nxt if closed_on is None else min(nxt, closed_on))
        if stop is None or stop > fact.on:
            stretches.append((fact.on, stop))
    if not stretches:
        return "", ""
    start, until = stretches[0]
    joined = True
    for s, stop in stretches[1:]:
        if until is not None and s > until:
            joined = False
        until = None if until is None or stop is None else max(until, stop)
    return (start.isoformat() if joined else None), (until.isoformat() if until else None)


def case_fields(state: CaseState, closure_confirmed_on: date | None,
                schedule: Iterable[ScheduleFact],
                support: Iterable[SupportFact]) -> dict[str, Any]:
    """The derived columns of one case, as stored (ISO dates)."""
    stage = P.stage(state)
    nxt = next_monitoring(stage, schedule)
    closed = closure_confirmed_on if state.closed else None
    since, until = support_span(support, closed)
    return {"stage": stage.value,
            "closed_on": closed.isoformat() if closed else None,
            "next_monitoring_on": nxt.isoformat() if nxt else None,
            "support_from": since, "support_until": until}
