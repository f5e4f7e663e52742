"""The store says what a write changed (issue 21 point 5, Anki's OpChanges): every row a
transaction writes is noted and mapped at commit to its cases, the meetings or the master
data (app/store/changes.py) — a step, an intake, a meeting's decisions, a master edit, an
import — and nothing is told of a transaction rolled back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.changes import Changes
from app.operations.master import MasterInput, MasterKind
from app.domain.intake import Route
from app.domain.plan import PlanItem
from app.domain.record import RecordMethod
from app.errors import TsunaguError
from app.store import changes as changes_log
from app.store.changes import collecting, link_column
from app.sync.scope import synced_tables, table_link
from tests.conftest import make_intake
from tests.test_process_walk import TODAY, approved_plan, meeting, open_case, plan_input


@pytest.fixture
def d(desk):
    desk._today = lambda: TODAY
    return desk


def changes_of(fn) -> Changes:
    with collecting() as box:
        fn()
    return box.changes


def test_a_support_record_changes_its_case_only(d):
    cid = open_case(d)
    other = open_case(d, name="山田 太郎", kana="やまだ たろう", birth=date(1970, 1, 2))
    got = changes_of(lambda: d.process.add_record(cid, datetime(2026, 11, 20, 10), RecordMethod.PHONE,
                                                  "電話で近況を確認した。"))
    assert got.case_ids == {cid} and other not in got.case_ids
    assert not (got.all_cases or got.meetings or got.master)
    assert "support_record" in got.tables


def test_an_intake_changes_the_new_case(d):
    got: list = []
    got.append(changes_of(lambda: got.append(d.register_intake(make_intake()))))
    case = got[0]
    assert got[1].case_ids == {case.case.id} and not got[1].all_cases
    assert {"person", "case_file", "intake"} <= got[1].tables


def test_a_person_corrected_changes_every_case_of_theirs(d):
    cid = open_case(d)
    person_id = d.get_case(cid).person.id
    got = changes_of(lambda: d.update_person(person_id, address="つなぐ町北1-1"))
    assert got.case_ids == {cid}


def test_a_meeting_decision_changes_the_meetings_and_the_cases_decided(d):
    cid = open_case(d)
    plan = d.process.draft_plan(cid, plan_input(PlanItem("月1回の面談", "self_reliance")))
    planned = changes_of(lambda: meeting(d, date(2026, 4, 22)))
    assert planned.meetings and not planned.any_case
    m = meeting(d, date(2026, 4, 22))
    submitted = changes_of(lambda: d.process.submit_plan(plan.id, m))
    assert submitted.case_ids == {cid} and submitted.meetings
    items = d.process.pending_agenda(m)
    from app.domain.meeting import MeetingResult
    decided = changes_of(lambda: d.process.record_meeting_results(
        m, {i.id: (MeetingResult.APPROVED, "") for i in items}, ""))
    assert decided.meetings and decided.case_ids == {cid} and not decided.all_cases


def test_a_plan_item_alone_is_found_through_its_plan(d):
    cid = open_case(d)
    plan = approved_plan(d, cid, plan_input(PlanItem("月1回の面談", "self_reliance")),
                         date(2026, 4, 22))
    item_id = d.store.conn.execute("SELECT id FROM plan_item WHERE plan_id = ?",
                                   (plan.id,)).fetchone()[0]

    def touch() -> None:
        with d.store.transaction() as w:
            w.update("plan_item", item_id, {"service_key": "household"})
    assert changes_of(touch).case_ids == {cid}


def test_a_master_edit_changes_the_master_data(d):
    got = changes_of(lambda: d.master.add_master_entry(
        MasterKind.REFERRAL_SOURCE, MasterInput(name="フードバンク", route=Route.AGENCY)))
    assert got.master and not got.any_case and not got.meetings
    assert "referral_source" in got.tables


def test_an_import_changes_all_cases(tmp_path):
    from tests.sync_helpers import build_devices, open_dev
    root = tmp_path / "devices"
    ids = build_devices(root)
    a, b = open_dev(root, "a"), open_dev(root, "b")
    try:
        a.register_intake(make_intake(name="新井 次郎", kana="あらい じろう"))
        path = tmp_path / "a.tsb"
        a.sync.export_bundle(path, for_device=ids["b"])
        got = changes_of(lambda: b.sync.import_bundle(path))
        assert got.all_cases and got.meetings and got.master
        again = changes_of(lambda: b.sync.import_bundle(path))   # nothing new: no change
        assert not again.any_case
    finally:
        a.close()
        b.close()


def test_a_rolled_back_write_tells_nothing_and_a_savepoint_undone_is_forgotten(d):
    cid = open_case(d)

    def fails() -> None:
        with d.store.transaction():
            d.process.add_record(cid, datetime(2026, 11, 20, 10), RecordMethod.PHONE, "x")
            raise TsunaguError("no")
    with collecting() as box:
        with pytest.raises(TsunaguError):
            fails()
    assert box.changes.empty

    def inner_fails() -> None:
        with d.store.transaction():
            try:
                with d.store.transaction():   # a savepoint
                    d.process.add_record(cid, datetime(2026, 11, 20, 10), RecordMethod.PHONE,
                                         "x")
                    raise TsunaguError("no")
            except TsunaguError:
                pass
            d.master.add_master_entry(MasterKind.REFERRAL_SOURCE,
                                      MasterInput(name="子ども食堂", route=Route.AGENCY))
    got = changes_of(inner_fails)
    assert got.master and not got.any_case


def test_nothing_is_noted_without_a_collector(d, monkeypatch):
    cid = open_case(d)
    monkeypatch.setattr(changes_log, "Touched", lambda: pytest.fail("noted"))
    d.process.add_record(cid, datetime(2026, 11, 20, 10), RecordMethod.PHONE, "x")


def test_a_very_large_transaction_changes_all_cases_and_keeps_few_notes(d, monkeypatch):
    cid = open_case(d)
    monkeypatch.setattr(changes_log, "MANY_ROWS", 3)
    kept: list = []
    real = changes_log.committed
    monkeypatch.setattr(changes_log, "committed",
                        lambda conn, t: (kept.append(len(t.rows)), real(conn, t)))

    def many() -> None:
        with d.store.transaction():
            for n in range(5):
                d.process.add_record(cid, datetime(2026, 11, 20, 10), RecordMethod.PHONE,
                                     f"記録{n}")
    got = changes_of(many)
    assert got.all_cases and kept == [3]


def test_the_link_of_every_table_is_the_sync_scopes(d):
    """The store finds a row's case as app/sync/scope.py does (one classification)."""
    for table, cols in synced_tables(d.store.conn).items():
        link = table_link(table, cols)
        mine = link_column(table, cols)
        assert (mine is None) == (link is None), table
        if link is not None and table not in ("case_file", "person"):
            assert mine == link[0], table


def test_every_journalled_write_of_a_whole_case_walk_is_told(d, monkeypatch):
    """Every transaction that journals a row tells a change: the walk through the process
    (tests/test_process_walk.py) with a check around each transaction."""
    from app.store.store import Store
    real = Store.transaction
    silent: list = []
    count = "SELECT count(*) FROM journal"

    from contextlib import contextmanager

    @contextmanager
    def checked(self):
        if self.conn.in_transaction:
            with real(self) as w:
                yield w
            return
        before = self.conn.execute(count).fetchone()[0]
        with collecting() as box:
            with real(self) as w:
                yield w
        if self.conn.execute(count).fetchone()[0] > before and box.changes.empty:
            silent.append(self.conn.execute(
                "SELECT tbl FROM journal ORDER BY hlc DESC LIMIT 1").fetchone()[0])
    monkeypatch.setattr(Store, "transaction", checked)
    import tests.test_process_walk as walk
    walk.test_goal_met_next_goal_replan_at_second_meeting(d)
    walk.test_suspension_confirmed_then_resumed_with_records_intact(d)
    walk.test_support_record_correction_keeps_the_old_text(d)
    assert silent == []


def test_every_statement_that_journals_a_row_notes_it():
    """A journal entry is written in two places only — the Writer's (each of its writes
    notes the row) and an import's (which notes everything): a new one must note too."""
    import ast
    import inspect
    from app.store import journal, sync_exchange
    root = Path(__file__).resolve().parent.parent / "app"
    writers = {p.relative_to(root).as_posix() for p in root.rglob("*.py")
               if "INTO journal" in p.read_text(encoding="utf-8")}
    assert writers == {"store/journal.py", "store/sync_exchange.py"}
    assert "note_everything(conn)" in inspect.getsource(sync_exchange.insert_entry)
    source = inspect.getsource(journal.Writer)
    for method in ("insert", "update", "delete"):
        body = ast.get_source_segment(source, next(
            n for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.FunctionDef) and n.name == method))
        assert "self._note(" in body, method
