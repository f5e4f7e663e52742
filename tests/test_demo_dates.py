"""The demo desk's plans are dated the day the simulation drafted them (a closed case's first
plan showed in the timeline dated the day the demo was built: the demo left 作成日 to the
desk's today)."""

from __future__ import annotations

from datetime import date

from app.demo import fill
from app.domain import Stage

TODAY = date(2026, 11, 20)


def test_every_demo_plan_is_dated_when_it_was_drafted(desk):
    desk._today = lambda: TODAY
    fill(desk, 40, seed=5, records_per_case=2, bulk=False)
    plans = [p for c in desk.list_cases(limit=100) for p in desk.process.plans(c.id)]
    assert plans
    for p in plans:
        assert p.created_on is not None and p.signed_on is not None
        assert p.created_on <= p.signed_on and p.created_on < TODAY
        assert p.period_from is None or p.created_on <= p.period_from
    closed = [c for c in desk.list_cases(limit=100) if c.stage is Stage.CLOSED]
    assert closed
    for c in closed:
        timeline = desk.process.timeline(c.id)           # newest first
        closure = max(e.on for e in timeline if e.kind == "closure")
        assert all(e.on <= closure for e in timeline if e.kind == "plan")
