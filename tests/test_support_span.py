"""支援中 (active at a month's end) from the stretch each case keeps (schema 20,
app/derived.py ``support_span``): the same figures and cases as walking every case's
decisions, which is how the statistics counted before — kept here as the definition."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from app import derived
from app.domain.assessment import AssessmentInput, ScreeningResult
from app.reports import statistics as S
from app.store import derived_repo
from app.store import stats_repo as SR
from tests.test_ledger import LEDGER, TODAY, write_csv

# The statistics' rule before schema 20: every case's decisions walked in order.
REFERENCE = """
WITH ev (case_id, on_, ord, cont) AS (
    SELECT case_id, received_on, 0, triage = 'continue' FROM intake
    UNION ALL SELECT case_id, screened_on, 1, result = 'continue' FROM screening
    UNION ALL SELECT case_id, taken_back_on, 2, 1 FROM referral WHERE taken_back_on IS NOT NULL
),
seg AS (
    SELECT case_id, on_ AS start, cont,
           LEAD(on_) OVER (PARTITION BY case_id ORDER BY on_, ord, cont) AS next_on
    FROM ev WHERE on_ <= :last
),
act AS MATERIALIZED (
    SELECT seg.case_id, c.person_id, seg.start,
           CASE WHEN seg.next_on IS NULL THEN c.closed_on
                WHEN c.closed_on IS NULL THEN seg.next_on
                ELSE min(seg.next_on, c.closed_on) END AS stop
    FROM seg JOIN case_file c ON c.id = seg.case_id WHERE seg.cont = 1
)
"""


def reference_active(conn, ends: list[date]) -> dict[date, int]:
    cte, args = SR._month_ends_cte([e.isoformat() for e in ends])
    sql = (REFERENCE + cte + " SELECT m.e, count(DISTINCT act.person_id) FROM act JOIN m"
           f" ON {SR._ACTIVE_AT} GROUP BY m.e")
    found = {r[0]: r[1] for r in conn.execute(sql, {**args, "last": max(ends).isoformat()})}
    return {e: found.get(e.isoformat(), 0) for e in ends}


def reference_cases(conn, end: date) -> set[str]:
    cte, args = SR._month_ends_cte([end.isoformat()])
    sql = (REFERENCE + cte + " SELECT MAX(act.case_id) FROM act JOIN m"
           f" ON {SR._ACTIVE_AT} GROUP BY act.person_id")
    return {r[0] for r in conn.execute(sql, {**args, "last": end.isoformat()})}


def month_ends(first: str, last: str) -> list[date]:
    months, (y, m) = [], map(int, first.split("-"))
    while f"{y:04d}-{m:02d}" <= last:
        months.append(S.parse_month(f"{y:04d}-{m:02d}")[1])
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def check_against_reference(desk, ends: list[date]) -> None:
    conn = desk.store.conn
    repo = SR.StatsRepo(conn)
    assert repo.active_at(ends) == reference_active(conn, ends)
    for fy_ends in (ends[i:i + 12] for i in range(0, len(ends), 12)):
        assert repo.active_at(fy_ends) == reference_active(conn, fy_ends)
    for e in ends:
        assert {c for c, _on in repo.case_ids("active_at_month_end", e, e)} == \
            reference_cases(conn, e), e


# ---------------------------------------------------------------------- the rule alone
FACTS = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 2), st.booleans()),
                 min_size=1, max_size=6)


@settings(max_examples=400, deadline=None)
@given(FACTS, st.one_of(st.none(), st.integers(0, 70)))
def test_the_stretch_is_exactly_the_days_a_case_is_in_support(raw, closed_after):
    """For every day: 支援中 (the latest decision by then says 継続支援 and no 終結 yet)
    holds exactly inside the one stored stretch; with several stretches, never after its
    end; never when stored as ("", "")."""
    day0 = date(2026, 4, 1)
    facts = [derived.SupportFact(day0 + timedelta(days=d), order, order == 2 or cont)
             for d, order, cont in raw]
    closed = day0 + timedelta(days=closed_after) if closed_after is not None else None
    since, until = derived.support_span(facts, closed)
    ordered = sorted(facts, key=lambda f: (f.on, f.order, f.cont))
    for n in range(-2, 80):
        day = day0 + timedelta(days=n)
        latest = [f for f in ordered if f.on <= day]
        active = bool(latest) and latest[-1].cont and (closed is None or day < closed)
        iso = day.isoformat()
        if since == "":
            assert until == "" and not active, day
        elif since is not None:
            assert active == (since <= iso and (until is None or iso < until)), day
        elif active:
            assert until is None or iso < until, day


# ---------------------------------------------------------------------- on a desk
@pytest.fixture
def d(desk):
    desk._today = lambda: TODAY
    return desk


def test_the_ledgers_cases_month_by_month(d, tmp_path):
    """Every month end from 2019 to 2027 over the ledger's cases (returns after 終結,
    つなぎ, 情報提供のみ, 中断): the same figures and cases as the reference — and the
    same again when no case has its stretch written yet (an older device's merge)."""
    report = d.ledger.import_ledger(write_csv(tmp_path / "ledger.csv", LEDGER))
    assert report.ok, report.lines()
    conn = d.store.conn
    for case_id, *stored in conn.execute(
            f"SELECT id, {', '.join(derived.CASE_COLUMNS)} FROM case_file").fetchall():
        assert dict(zip(derived.CASE_COLUMNS, stored)) == derived_repo.case_fields(conn, case_id)
    ends = month_ends("2019-04", "2027-03")
    assert max(reference_active(conn, ends).values()) >= 3
    check_against_reference(d, ends)
    with d.store.transaction():
        conn.execute("UPDATE case_file SET support_from = NULL, support_until = NULL")
    check_against_reference(d, ends)
    with d.store.transaction():
        assert derived_repo.fill_support_spans(conn) == len(d.list_cases(limit=1000))
    check_against_reference(d, ends)


def test_a_case_taken_back_after_a_referral_has_two_stretches(d):
    """受付 (継続支援) → スクリーニングで他機関へつなぎ → 引き戻し: 支援中 with a gap; its
    stretch is stored as several (support_from NULL) and its decisions walked again."""
    from tests.conftest import make_intake
    case = d.register_intake(make_intake(received=date(2026, 4, 6))).case
    conn = d.store.conn
    assert conn.execute("SELECT support_from, support_until FROM case_file WHERE id = ?",
                        (case.id,)).fetchone() == ("2026-04-06", None)
    d.process.save_assessment(case.id, AssessmentInput(
        assessed_on=date(2026, 4, 20), analysis="多重債務", problems=["debt"]))
    d.process.screen(case.id, ScreeningResult.REFER, date(2026, 4, 27), referral_to="法テラス",
                     check_on=date(2026, 5, 27))
    assert conn.execute("SELECT support_from, support_until FROM case_file WHERE id = ?",
                        (case.id,)).fetchone() == ("2026-04-06", "2026-04-27")
    ref = d.process.referrals(case.id)[0]
    d.process.check_referral(ref.id, date(2026, 6, 1), arrived=False)
    d.process.take_back(ref.id, date(2026, 6, 3))
    assert conn.execute("SELECT support_from, support_until FROM case_file WHERE id = ?",
                        (case.id,)).fetchone() == (None, None)
    repo = SR.StatsRepo(conn)
    ends = month_ends("2026-03", "2026-08")
    assert repo.active_at(ends) == {date(2026, 3, 31): 0, date(2026, 4, 30): 0,
                                    date(2026, 5, 31): 0, date(2026, 6, 30): 1,
                                    date(2026, 7, 31): 1, date(2026, 8, 31): 1}
    check_against_reference(d, ends)


def test_an_intake_referred_at_once_is_never_in_support(d):
    from app.domain import Triage
    from tests.conftest import make_intake
    case = d.register_intake(make_intake(received=date(2026, 4, 6), triage=Triage.REFER,
                                         referral_to="ハローワーク")).case
    assert d.store.conn.execute("SELECT support_from, support_until FROM case_file WHERE id = ?",
                                (case.id,)).fetchone() == ("", "")
    check_against_reference(d, month_ends("2026-03", "2026-06"))
