"""Demo and benchmark desks are built under Store.bulk_load (a big page cache, no fsync per
commit, tens of thousands of operations per transaction). The desk must come out the same as
one built operation by operation: same rows in every table, same journal entries and sync
contexts, same audit trail (hash chain intact), same search index — and the connection's
settings put back afterwards."""

from __future__ import annotations

from collections import Counter
from datetime import date

from app.demo import fill
from app.desk import Desk
from tests.conftest import LOGIN, PASSWORD, copy_desk

TODAY = date(2026, 11, 20)


def _content(desk: Desk) -> dict:
    conn = desk.store.conn
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE 'person_fts_%'")]
    out: dict = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    out["journal by table and op"] = Counter(
        (r[0], r[1]) for r in conn.execute("SELECT tbl, op FROM journal"))
    out["journal without context"] = conn.execute(
        "SELECT count(*) FROM journal j WHERE NOT EXISTS (SELECT 1 FROM sync_context s"
        " WHERE s.entry_id = j.id)").fetchone()[0]
    out["audit actions"] = Counter(
        (r[0], r[1]) for r in conn.execute("SELECT action, detail FROM audit"))
    out["stages"] = Counter(r[0] for r in conn.execute("SELECT stage FROM case_file"))
    out["found by trigram"] = conn.execute(
        "SELECT count(*) FROM person_fts WHERE person_fts MATCH '\"やまだ\"'").fetchone()[0]
    return out


def test_a_bulk_built_desk_has_the_same_content_as_one_built_step_by_step(desk_template,
                                                                          tmp_path):
    contents = []
    for bulk in (False, True):
        folder = tmp_path / ("bulk" if bulk else "steps")
        folder.mkdir()
        desk = Desk.open(copy_desk(desk_template, folder), LOGIN, PASSWORD)
        try:
            desk._today = lambda: TODAY
            conn = desk.store.conn
            cache = conn.execute("PRAGMA cache_size").fetchone()[0]
            fill(desk, 80, seed=11, records_per_case=4, bulk=bulk)
            assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2      # FULL again
            assert conn.execute("PRAGMA cache_size").fetchone()[0] == cache
            assert desk.security.audit_verify() is None                               # chain intact
            contents.append(_content(desk))
        finally:
            desk.close()
    steps, bulk = contents
    assert steps["case_file"] == 80 and steps["support_record"] > 80
    assert steps["journal without context"] == 0
    assert bulk == steps
