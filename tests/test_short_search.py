"""Schema 23 (issue 17): a search below three characters — what the case list asks while a
name is typed, before the trigram index can answer — reads the index person_search (the
folded name and kana with the person's id) instead of every person's row: the count always,
the list when few people match (it then starts from them, not from every case in order).
Both must answer exactly what the scan of the rows answered, kept here as the definition,
for every sort, both directions, a page further on, a stage filter and a user who sees only
some cases; and the plans must really read the index."""

from __future__ import annotations

from datetime import date

import pytest

from app.demo import fill
from app.store.security_repo import CaseAccess
from app.store.store import CASE_SORTS
from app.text_ja import fold_for_search
from tests.conftest import make_intake

TODAY = date(2026, 11, 20)
QUERIES = ["た", "たか", "田", "髙", "𠮷", "﨑", "ﾀﾅ", "タナ", "子", "こ", "ろう", "%", "_", "\\",
           "山﨑", "ん", "ゑ", "ー", " "]


@pytest.fixture
def people(desk):
    """150 cases taken through the process, and names a search must survive."""
    desk._today = lambda: TODAY
    fill(desk, 150, seed=3, records_per_case=1)
    for name, kana in (("𠮷田 髙子", "よしだ たかこ"), ("山﨑 邉", "やまさき へん"),
                       ("ﾀﾅｶ ﾀﾛｳ", "ﾀﾅｶ ﾀﾛｳ"), ("百%_ 太郎", "ひゃく たろう"),
                       ("円\\記号 花子", "えん はなこ")):
        desk.register_intake(make_intake(name=name, kana=kana))
    return desk


def _reference(store, folded: str, sort: str, descending: bool, limit: int, offset: int,
               stages, access) -> tuple[list[str], int]:
    """The scan of schema 22: every person's row, its folded search key."""
    from app.store.security_repo import case_access_clause
    where, args = "p.search_key LIKE ? ESCAPE '\\'", [
        "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"]
    clauses = [where]
    allowed, allowed_args = case_access_clause(access)
    if allowed:
        clauses.append(allowed)
        args += allowed_args
    if stages:
        clauses.append(f"c.stage IN ({', '.join('?' for _ in stages)})")
        args += stages
    frm = (" FROM case_file c JOIN person p ON p.id = c.person_id"
           " LEFT JOIN staff s ON s.id = c.assignee_id WHERE " + " AND ".join(clauses))
    direction = "DESC" if descending else "ASC"
    ids = [r[0] for r in store.conn.execute(
        f"SELECT c.id {frm} ORDER BY {CASE_SORTS[sort]} {direction}, c.case_no {direction}"
        " LIMIT ? OFFSET ?", [*args, limit, offset])]
    total = store.conn.execute(f"SELECT count(*) {frm}", args).fetchone()[0]
    return ids, total


def test_short_searches_answer_what_the_scan_of_every_row_answered(people, monkeypatch):
    store = people.store
    staff = store.conn.execute("SELECT id FROM staff LIMIT 1").fetchone()[0]
    store.conn.execute("UPDATE case_file SET assignee_id = NULL WHERE rowid % 3 = 0")
    store.conn.commit()
    accesses = [None, CaseAccess("team", staff, "")]
    checked = 0
    for few in (0, 10_000):          # the list from the people, or in order: both paths
        monkeypatch.setattr(type(store), "FEW_PEOPLE", few)
        for query in QUERIES:
            folded = fold_for_search(query)
            for sort in CASE_SORTS:
                for descending in (False, True):
                    for access in accesses:
                        for stages, limit, offset in ((None, 200, 0), (["closed"], 7, 3)):
                            got = [c.id for c in store.list_cases(
                                folded_query=folded, sort=sort, descending=descending,
                                limit=limit, offset=offset, stages=stages, access=access)]
                            want, total = _reference(store, folded, sort, descending, limit,
                                                     offset, stages, access)
                            assert got == want, (query, sort, descending, access, stages)
                            if stages is None:
                                assert store.count_cases(folded_query=folded,
                                                         access=access) == total, query
                            checked += bool(want)
    assert checked > 500     # most queries match something


def test_a_short_search_reads_the_index_not_the_rows(people):
    store, seen = people.store, []
    store.conn.set_trace_callback(seen.append)
    try:
        store.count_cases(folded_query=fold_for_search("た"))
        store.list_cases(folded_query=fold_for_search("𠮷"))    # few people: from them
    finally:
        store.conn.set_trace_callback(None)
    plans = {sql: " / ".join(r[-1] for r in store.conn.execute(
        "EXPLAIN QUERY PLAN " + sql, ["%x%"] * sql.count("?")))
        for sql in seen if "person_search" in sql and "SELECT 1 FROM person" not in sql}
    assert len(plans) == 2, seen
    for sql, plan in plans.items():
        steps = plan.split(" / ")
        assert "SEARCH c USING" in plan and "case_person_cases" in plan, plan
        # no table is scanned: the only scan is of the index (the people who match)
        scans = [x for x in steps if x.startswith("SCAN ")]
        assert scans and all("COVERING INDEX person_search" in x for x in scans), plan
