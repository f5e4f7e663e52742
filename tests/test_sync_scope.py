"""Which rows a bundle carries, read in SQL (app/sync/scope.py CaseScope) — the same
answers as the whole-journal CaseIndex, on rows present, deleted, waiting for their insert, linked
through a plan or a person, and a case whose person changed."""

from __future__ import annotations

import json
import pytest

from app.store.sync_devices import held_cases
from app.store.sync_exchange import ENTRY_COLUMNS, ENTRY_SQL, journal_devices
from app.store.sync_peers import load_vector
from app.sync import exchange
from app.sync.peers import own_vector
from app.sync.scope import CaseIndex, CaseScope
from sync_helpers import build_devices, copy_tree, open_dev


def reference_select(conn, *, peer, peer_kind, known, cases):
    """select_entries as it was before schema 11: the whole journal through CaseIndex."""
    rows = conn.execute(ENTRY_SQL + " ORDER BY j.hlc, j.id").fetchall()
    if cases is None and (peer is None or peer_kind == "desk"):
        return [list(r) for r in rows if r[7] > known.get(r[9], "")]
    index = CaseIndex(conn)
    if cases is not None:
        wanted = set(cases)
        return [list(r) for r in rows
                if index.is_master(r[1]) or index.cases_of(r[1], r[2]) & wanted]
    held = held_cases(conn, peer)
    fresh = {case for case, hlc, origin in conn.execute(
        "SELECT c.case_id, j.hlc, j.device_id FROM checkout c JOIN journal j ON"
        " j.tbl = 'checkout' AND j.row_id = c.id AND j.op = 'insert'"
        " WHERE c.target_device = ? AND c.returned_on IS NULL", (peer,))
        if hlc > known.get(origin, "")}
    out = []
    for r in rows:
        if index.is_master(r[1]):
            if r[7] > known.get(r[9], ""):
                out.append(list(r))
            continue
        mine = index.cases_of(r[1], r[2]) & held
        if not mine and r[1] == "checkout":
            ret = conn.execute("SELECT target_device FROM checkout WHERE id = ?",
                               (r[2],)).fetchone()
            if ret and ret[0] == peer and r[7] > known.get(r[9], ""):
                out.append(list(r))
            continue
        if mine and (mine & fresh or r[7] > known.get(r[9], "")):
            out.append(list(r))
    return out


def entry(conn, entry_id: str) -> dict:
    row = conn.execute(ENTRY_SQL + " WHERE j.id = ?", (entry_id,)).fetchone()
    return dict(zip(ENTRY_COLUMNS, row))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Desk a with plans, plan items, records (one deleted, one moved to another case), a
    case moved to another person; desk b holding one record only from its update (waiting
    for its insert); laptop c holding case 0."""
    root = tmp_path_factory.mktemp("scope")
    ids = build_devices(root)
    cases, persons = ids["cases"], ids["persons"]
    a = open_dev(root, "a")
    facts = {}
    try:
        with a.store.transaction() as w:
            for n, case in enumerate(cases):
                plan = w.insert("plan", {"case_id": case, "number": 1, "kind": "first",
                                         "status": "draft", "created_on": "2026-05-01"})
                for k in range(2):
                    w.insert("plan_item", {"plan_id": plan, "what": f"面談{k}",
                                           "service_key": "self_reliance", "sort": k})
                for k in range(2):
                    w.insert("support_record", {
                        "case_id": case, "occurred_at": f"2026-05-0{k + 1}T10:00",
                        "method": "phone", "staff": "相談員", "content": f"記録{n}-{k}"})
                facts.setdefault("plans", []).append(plan)
        # case 1: a plan item and a record deleted (known only from the journal now)
        item = a.store.conn.execute("SELECT id FROM plan_item WHERE plan_id = ?",
                                    (facts["plans"][1],)).fetchone()[0]
        record = a.store.conn.execute("SELECT id FROM support_record WHERE case_id = ?",
                                      (cases[1],)).fetchone()[0]
        with a.store.transaction() as w:
            w.delete("plan_item", item)
            w.delete("support_record", record)
        # case 2 now belongs to the person of case 3 (a duplicate person merged)
        with a.store.transaction() as w:
            w.update("case_file", cases[2], {"person_id": persons[3]})
        # a record of case 3 moved to case 4: its update names the new case
        moved = a.store.conn.execute("SELECT id FROM support_record WHERE case_id = ?",
                                     (cases[3],)).fetchone()[0]
        with a.store.transaction() as w:
            w.update("support_record", moved, {"case_id": cases[4]})
        update = a.store.conn.execute(
            "SELECT id FROM journal WHERE tbl = 'support_record' AND row_id = ? AND"
            " op = 'update'", (moved,)).fetchone()[0]
        facts.update(item=item, record=record, moved=moved, update=entry(a.store.conn, update))
    finally:
        a.close()
    b = open_dev(root, "b")
    try:
        with b.store.transaction():
            exchange.apply_entries(b.store.conn, b.store.clock, [facts["update"]])
        assert b.store.conn.execute("SELECT 1 FROM support_record WHERE id = ?",
                                    (facts["moved"],)).fetchone() is None
    finally:
        b.close()
    return root, ids, facts


def universe(conn, scope) -> set[tuple[str, str]]:
    rows = set(conn.execute("SELECT DISTINCT tbl, row_id FROM journal").fetchall())
    for t in scope.tables:
        rows |= {(t, r[0]) for r in conn.execute(f"SELECT id FROM {t}")}
    return rows


@pytest.mark.parametrize("device", ["a", "b", "c"])
def test_cases_of_every_row_as_the_whole_journal_index(world, device):
    root, _ids, _facts = world
    desk = open_dev(root, device)
    try:
        conn = desk.store.conn
        index, scope = CaseIndex(conn), CaseScope(conn)
        rows = universe(conn, scope)
        assert len(rows) > 40
        for t, r in sorted(rows):
            assert scope.cases_of(t, r) == index.cases_of(t, r), (t, r)
            assert scope.is_master(t) == index.is_master(t)
    finally:
        desk.close()


@pytest.mark.parametrize("device", ["a", "b", "c"])
def test_rows_of_cases_as_the_whole_journal_index(world, device):
    root, ids, _facts = world
    desk = open_dev(root, device)
    try:
        conn = desk.store.conn
        index, scope = CaseIndex(conn), CaseScope(conn)
        rows = universe(conn, scope)
        cases = ids["cases"]
        for wanted in ([cases[1]], [cases[2]], [cases[3]], [cases[4]], cases[:3], cases,
                       [], ["no-such-case"]):
            expected = {}
            for t, r in rows:
                found = index.cases_of(t, r) & set(wanted)
                if found:
                    expected[(t, r)] = found
            got = {k: set(v) for k, v in scope.rows_of(wanted).items() if k in rows}
            assert got == expected, wanted
    finally:
        desk.close()


@pytest.mark.parametrize("device", ["a", "b", "c"])
def test_bundle_entries_as_before(world, device):
    root, ids, _facts = world
    desk = open_dev(root, device)
    try:
        conn = desk.store.conn
        cases = ids["cases"]
        for wanted in ([cases[1]], [cases[2], cases[4]], cases, []):
            args = dict(peer=None, peer_kind=None, known={}, cases=wanted)
            assert exchange.select_entries(conn, **args) == reference_select(conn, **args)
        for peer, kind in ((ids["a"], "desk"), (ids["b"], "desk"), (ids["c"], "field"),
                           (None, None)):
            for known in ({}, load_vector(conn, peer or ""),
                          own_vector(conn, desk.store.device_id)):
                args = dict(peer=peer, peer_kind=kind, known=known, cases=None)
                assert exchange.select_entries(conn, **args) == reference_select(conn, **args)
    finally:
        desk.close()


def test_case_bundle_carries_exactly_the_rows_of_its_case(world, tmp_path):
    """Case 1's bundle: master data, the case, its person, intake, plan, the plan's items
    (linked through the plan) and the deleted item and record — nothing of another case."""
    root, ids, facts = world
    copy_tree(root, tmp_path / "w")
    a, b = open_dev(tmp_path / "w", "a"), open_dev(tmp_path / "w", "b")
    try:
        case, person = ids["cases"][1], ids["persons"][1]
        a.sync.export_bundle(tmp_path / "one.tsb", cases=[case])
        conn = a.store.conn
        entries = exchange.select_entries(conn, peer=None, peer_kind=None, known={},
                                          cases=[case])
        rows = {(e[1], e[2]) for e in entries}
        scope = CaseScope(conn)
        case_rows = {(t, r) for t, r in rows if not scope.is_master(t)}
        plan = facts["plans"][1]
        items = {r[0] for r in conn.execute("SELECT id FROM plan_item WHERE plan_id = ?",
                                            (plan,))}
        assert ("case_file", case) in case_rows and ("person", person) in case_rows
        assert ("plan", plan) in case_rows
        assert {("plan_item", i) for i in items} | {("plan_item", facts["item"])} <= case_rows
        assert ("support_record", facts["record"]) in case_rows
        assert {e[3] for e in entries if e[2] == facts["record"]} == {"insert", "delete"}
        # exactly the rows whose case is case 1, however they are linked
        index = CaseIndex(conn)
        every = set(conn.execute("SELECT DISTINCT tbl, row_id FROM journal").fetchall())
        assert case_rows == {(t, r) for t, r in every
                             if not index.is_master(t) and case in index.cases_of(t, r)}
        other = set(ids["cases"]) - {case}
        assert not any(index.cases_of(t, r) & other for t, r in case_rows)
        # every master entry goes along
        assert {e[0] for e in entries if scope.is_master(e[1])} == {
            r[0] for r in conn.execute("SELECT id, tbl FROM journal") if scope.is_master(r[1])}
        b.sync.import_bundle(tmp_path / "one.tsb")
        bc = b.store.conn
        assert {r[0] for r in bc.execute("SELECT id FROM plan_item WHERE plan_id = ?",
                                         (plan,))} == items
        assert bc.execute("SELECT 1 FROM support_record WHERE id = ?",
                          (facts["record"],)).fetchone() is None
        assert json.loads(bc.execute("SELECT fields FROM journal WHERE row_id = ? AND"
                                     " op = 'delete'", (facts["record"],)).fetchone()[0])
    finally:
        a.close()
        b.close()


def test_scope_reads_through_indexes(world):
    """The queries of a case bundle and of a bundle for a device use indexes, never a
    scan of the journal (schema 11)."""
    root, _ids, _facts = world
    desk = open_dev(root, "a")
    try:
        conn = desk.store.conn
        plans = []
        for sql, args in (
                ("SELECT row_id, tbl FROM journal WHERE json_extract(fields, '$.case_id')"
                 " IN (SELECT value FROM json_each(?))", ("[]",)),
                ("SELECT row_id, tbl FROM journal WHERE json_extract(fields, '$.plan_id')"
                 " IN (SELECT value FROM json_each(?))", ("[]",)),
                ("SELECT row_id, tbl, fields FROM journal"
                 " WHERE json_extract(fields, '$.person_id') = ?", ("x",)),
                (ENTRY_SQL + " WHERE j.tbl = ? AND j.row_id IN (SELECT value FROM json_each(?))",
                 ("plan", "[]")),
                (ENTRY_SQL + " WHERE j.device_id = ? AND j.hlc > ?", ("x", "")),
                ("SELECT max(hlc) FROM journal WHERE device_id = ?", ("x",))):
            plan = " / ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))
            plans.append(plan)
            assert "SCAN j " not in plan + " " and "SCAN journal" not in plan, plan
    finally:
        desk.close()


def test_entry_order_and_vectors_unchanged(world, tmp_path):
    root, ids, _facts = world
    desk = open_dev(root, "a")
    try:
        conn = desk.store.conn
        entries = exchange.select_entries(conn, peer=None, peer_kind=None, known={}, cases=None)
        assert [(e[7], e[0]) for e in entries] == sorted((e[7], e[0]) for e in entries)
        assert len(entries) == conn.execute("SELECT count(*) FROM journal").fetchone()[0]
        assert set(journal_devices(conn)) == {
            r[0] for r in conn.execute("SELECT DISTINCT device_id FROM journal")}
    finally:
        desk.close()


def test_import_reports_the_touched_cases(world, tmp_path):
    """apply_entries names the cases of the rows it touched (for the process checks)."""
    root, ids, facts = world
    copy_tree(root, tmp_path / "w")
    b = open_dev(tmp_path / "w", "b")
    try:
        with b.store.transaction():
            _a, _s, _c, cases = exchange.apply_entries(b.store.conn, b.store.clock,
                                                       [facts["update"]])
        assert cases == set()   # already held: skipped, nothing touched
        fresh = dict(facts["update"], id="0" * 32)
        with b.store.transaction():
            _a, _s, _c, cases = exchange.apply_entries(b.store.conn, b.store.clock, [fresh])
        assert cases == {ids["cases"][4]}
    finally:
        b.close()


@pytest.mark.parametrize("device", ["a", "b"])
def test_trim_to_cases_keeps_exactly_the_rows_of_the_kept_cases(world, device, tmp_path):
    """A field laptop is made by trimming a copy (app/sync/devices.trim_to_cases, one
    statement per table): what stays — rows, journal entries, their context, conflicts —
    is what the whole-journal index says belongs to the kept cases; master data stays."""
    from app.store import db
    from app.sync.devices import trim_to_cases
    root, ids, _facts = world
    desk = open_dev(root, device)
    try:
        raw_key = desk.store.database_key()
        source = desk.store.conn
        index = CaseIndex(source)
        keep = {ids["cases"][0], ids["cases"][2]}
        before = {t: {r[0] for r in source.execute(f"SELECT id FROM {t}")}
                  for t in index.tables}
        journal_before = source.execute("SELECT tbl, row_id, id FROM journal").fetchall()
        context_before = {r[0] for r in source.execute("SELECT entry_id FROM sync_context")}
        copy = tmp_path / "copy.db"
        db.export_copy(source, copy, raw_key)
    finally:
        desk.close()

    def stays(t: str, r: str) -> bool:
        return t not in index.tables or index.is_master(t) or bool(index.cases_of(t, r) & keep)

    conn = db.connect(copy, raw_key)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN IMMEDIATE")
        trim_to_cases(conn, keep)
        conn.execute("COMMIT")
        dropped = 0
        for t, rows in before.items():
            after = {r[0] for r in conn.execute(f"SELECT id FROM {t}")}
            assert after == {r for r in rows if stays(t, r)}, t
            dropped += len(rows) - len(after)
        assert dropped > 0
        assert {r[0] for r in conn.execute("SELECT id FROM case_file")} == keep
        journal_after = {r[0] for r in conn.execute("SELECT id FROM journal")}
        assert journal_after == {j for t, r, j in journal_before if stays(t, r)}
        gone = {j for _t, _r, j in journal_before} - journal_after
        assert {r[0] for r in conn.execute("SELECT entry_id FROM sync_context")} == \
            context_before - gone
    finally:
        conn.close()
