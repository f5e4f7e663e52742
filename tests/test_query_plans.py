"""Reads that must come from indexes (issue 17): at 100,000 cases a count that reads one
table row per match is thousands of scattered pages, each decrypted — on the first
dashboard after login (schema 18), and on every statistics report (schema 19). The plans of
the queries the program really runs are checked here."""

from __future__ import annotations

from tests.conftest import make_intake


def _plans(desk, lists):
    conn = desk.store.conn
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        desk.process.dashboard(limit=0, lists=lists)   # 0: every list counted in SQL
    finally:
        conn.set_trace_callback(None)
    return {sql: " / ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
            for sql in seen if sql.lstrip().upper().startswith("SELECT")}


def test_the_monitoring_and_evaluation_lists_are_counted_from_covering_indexes(desk):
    desk.register_intake(make_intake())
    plans = _plans(desk, ["monitoring_today", "monitoring_overdue", "evaluations_due",
                          "plans_waiting_for_meeting"])
    counts = {sql: plan for sql, plan in plans.items() if "count(" in sql.lower()}
    monitoring = [p for s, p in counts.items() if "next_monitoring_on" in s]
    assert len(monitoring) == 2 and all("COVERING INDEX case_due" in p for p in monitoring), \
        monitoring
    due = [p for s, p in counts.items() if "period_to" in s]
    assert due and "COVERING INDEX plan_due_case" in due[0], due
    assert "COVERING INDEX closure_case_status" in due[0], due
    for sql, plan in plans.items():       # no list scans a whole table of cases or plans
        assert "SCAN c " not in plan + " " and "SCAN p " not in plan + " ", (sql, plan)


def test_the_lists_read_their_cases_and_the_decisions_waiting_from_indexes(desk):
    """Schema 22: 「支援決定待ち」 walks the items of the services that need a 支援決定
    (not every plan in effect), asks the decisions before the plan; 「評価の時期」,
    「会議待ちのプラン」 and 「つなぎ先の確認」 take each case's stage and number from
    case_list_of, not its row — listed (limit 8) and counted."""
    desk.register_intake(make_intake())
    plans = _plans(desk, ["decisions_pending"])
    walk = [p for s, p in plans.items() if "needs_decision" in s]
    assert len(walk) == 2, plans              # listed, and counted (DISTINCT)
    for plan in walk:
        steps = [x for x in plan.split(" / ") if not x.startswith("CO-ROUTINE")]
        assert steps[0] == "SCAN s" and steps[1].startswith(
            "SEARCH i USING COVERING INDEX plan_item_service (service_key=?)"), plan
        assert steps.index(next(x for x in steps if "decision_plan" in x)) < steps.index(
            next(x for x in steps if x.startswith("SEARCH p "))), plan
    lists = ["evaluations_due", "plans_waiting_for_meeting", "referrals_to_check"]
    for limit in (0, 8):
        conn = desk.store.conn
        seen: list[str] = []
        conn.set_trace_callback(seen.append)
        try:
            desk.process.dashboard(limit=limit, lists=lists)
        finally:
            conn.set_trace_callback(None)
        listed = [sql for sql in seen if "case_list_of" in sql]
        # three lists, and with limit 0 「評価の時期」 counted (the others count their table)
        assert len(listed) == (4 if limit == 0 else 3), seen
        for sql in listed:
            plan = " / ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "SEARCH c USING COVERING INDEX case_list_of (id=?)" in plan, (sql, plan)


def test_employment_support_targets_are_counted_from_the_index_alone(desk):
    from app.store.stats_repo import RULES
    sql = f"SELECT substr(on_, 1, 7), count(*) FROM ({RULES['employment_support_targets']})" \
          " GROUP BY 1"
    plan = " / ".join(r[-1] for r in desk.store.conn.execute(
        "EXPLAIN QUERY PLAN " + sql, {"start": "2026-04-01", "end": "2027-03-31"}))
    assert "SEARCH p USING COVERING INDEX plan_approved_employment" in plan, plan


def _report_plans(desk, report) -> dict[str, str]:
    conn = desk.store.conn
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        report()
    finally:
        conn.set_trace_callback(None)
    return {sql: " / ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
            for sql in seen if sql.lstrip().upper().startswith(("SELECT", "WITH"))}


def test_a_fiscal_years_report_reads_intakes_plans_and_stretches_from_indexes(desk):
    """Schema 20/21: every query of the fiscal-year report that reads intakes, the cases of a
    person, their plans or 支援中 does so from a covering index, never a scan of them."""
    desk.register_intake(make_intake())
    plans = _report_plans(desk, lambda: desk.reports.fiscal_year_report(2026))
    joined = "\n".join(plans.values())
    for table in ("intake", "case_file", "plan", "screening"):
        assert f"SCAN {table}" not in joined, joined
    intake_reads = [p for s, p in plans.items()
                    if "FROM intake" in s and "received_on BETWEEN" in s]
    assert intake_reads and all("COVERING INDEX intake_received_cover" in p
                                for p in intake_reads), intake_reads
    active = [p for s, p in plans.items() if "support_until" in s]
    assert len(active) == 1 and "COVERING INDEX case_support (support_until=?)" in active[0] \
        and "COVERING INDEX case_support (support_until>?)" in active[0], active
    among = [p for s, p in plans.items() if "p2.approved_on" in s]
    assert among and all("COVERING INDEX case_person_cases" in p and
                         "COVERING INDEX plan_case_approved" in p for p in among), among
