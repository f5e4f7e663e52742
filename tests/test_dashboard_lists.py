"""Schema 22 (issue 17): the dashboard's 「支援決定待ち」 walks the items of the services that
need a 支援決定 and asks the decisions first, instead of every plan in effect; the lists read
each listed case's stage and number from an index. The lists must say exactly what the
queries they replace said — kept here as the definition — on a desk taken through the
process, with items decided and not, plans in effect, waiting and superseded, removed items;
the queries' plans are in tests/test_query_plans.py."""

from __future__ import annotations

from datetime import date

import pytest

from app.demo import fill
from app.store.worklist_repo import WorklistRepo
from app.domain.plan import PlanItem
from tests.test_process_walk import approved_plan, meeting, open_case, plan_input

TODAY = date(2026, 11, 20)

# 「支援決定待ち」 as schema 21 listed it: every plan in effect, its live items of a service
# that needs a 支援決定, without one.
_DECISIONS_BEFORE = (
    "SELECT DISTINCT p.id AS plan_id, p.case_id, c.case_no, i.service_key, s.name"
    " FROM plan p CROSS JOIN plan_item i ON i.plan_id = p.id AND i.removed = 0"
    " CROSS JOIN service s ON s.key = i.service_key AND s.needs_decision = 1"
    " CROSS JOIN case_file c ON c.id = p.case_id WHERE p.status = 'approved'"
    " AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.plan_id = p.id"
    " AND d.service_key = i.service_key)"
    " ORDER BY c.case_no, s.sort, i.service_key")   # (now in the services' order in a case)


@pytest.fixture
def busy(desk):
    """A desk with 120 cases taken through the process (two years up to TODAY), a plan
    waiting for its 支援調整会議 and one in effect, each with services that need a 支援決定."""
    desk._today = lambda: TODAY
    fill(desk, 120, seed=5, records_per_case=2)
    housing = PlanItem("住居確保給付金の申請", "housing_benefit", "つなぐ町福祉課")
    budget = PlanItem("家計改善支援", "household_budget", "つなぐ町社協")
    talk = PlanItem("月1回の面談", "self_reliance")
    waiting = desk.process.draft_plan(open_case(desk), plan_input(housing, talk))
    desk.process.submit_plan(waiting.id, meeting(desk, date(2026, 12, 2)))
    approved_plan(desk, open_case(desk), plan_input(housing, budget, talk), date(2026, 4, 22))
    return desk


def _rows(rows):
    return [tuple(r[k] for k in ("plan_id", "case_id", "case_no", "service_key", "name"))
            for r in rows]


def test_decisions_pending_lists_what_the_walk_over_every_plan_listed(busy):
    conn = busy.store.conn
    # what the desk holds: the list is not trivially empty, and each rule it keeps out is there
    states = dict(conn.execute(
        "SELECT p.status, count(*) FROM plan_item i JOIN service s ON s.key = i.service_key"
        " JOIN plan p ON p.id = i.plan_id WHERE s.needs_decision = 1 AND NOT EXISTS"
        " (SELECT 1 FROM decision d WHERE d.plan_id = p.id AND d.service_key = i.service_key)"
        " GROUP BY p.status").fetchall())
    assert states.get("submitted") and states.get("approved"), states
    before = [tuple(r) for r in conn.execute(_DECISIONS_BEFORE)]
    rows, total = WorklistRepo(conn).decisions_pending()
    assert _rows(rows) == before and total == len(before) > 0
    # a decision recorded takes its item off; an item removed from the plan is not waiting
    plan_id, _case, _no, service, _name = before[0]
    busy.process.record_decision(plan_id, service, TODAY, "町 一郎")
    rows, _ = WorklistRepo(conn).decisions_pending()
    assert (plan_id, service) not in {(r["plan_id"], r["service_key"]) for r in rows}
    assert _rows(rows) == [tuple(r) for r in conn.execute(_DECISIONS_BEFORE)]
    other_plan, other_service = before[1][0], before[1][3]
    with busy.store.transaction():   # (as プランの修正 leaves a dropped item)
        conn.execute("UPDATE plan_item SET removed = 1 WHERE plan_id = ? AND service_key = ?",
                     (other_plan, other_service))
    rows, _ = WorklistRepo(conn).decisions_pending()
    assert _rows(rows) == [tuple(r) for r in conn.execute(_DECISIONS_BEFORE)]

