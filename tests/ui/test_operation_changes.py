"""Operations announce what they changed and the main window tells every view (issue 21 point
5, Anki's operation_did_execute, ui/changes.py): a step recorded in a case's tab makes the
dashboard and the meetings screen read again when next shown — and only then; switching tabs
with nothing changed reads nothing again. What changed comes from the core (the store notes
every row written, app/store/changes.py), delivered with the operation's answer
(ui/background.py), never built by the screen."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtWidgets import QWizard

from app.domain.intake import Route
from app.domain.record import RecordMethod
from app.errors import TsunaguError
from app.operations.master import MasterInput, MasterKind
from app.process import Step
from tests.ui.conftest import next_page, type_text
from tests.ui.test_lock import Clock, make_window, open_first_case
from ui import background
from ui.views.case_view import CaseView
from ui.views.dashboard import DashboardView
from ui.views.meetings import MeetingsView


def counting(monkeypatch, cls) -> list:
    calls: list = []
    real = cls.refresh

    def refresh(self, *a, **k):
        calls.append(self)
        return real(self, *a, **k)
    monkeypatch.setattr(cls, "refresh", refresh)
    return calls


def idle(qtbot) -> None:
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)


def test_a_recorded_step_is_told_to_the_other_views_which_read_when_shown(
        qtbot, desk_with_cases, monkeypatch):
    window, _quits = make_window(qtbot, desk_with_cases, Clock())
    dashboard = window.open_area("dashboard")
    meetings = window.open_area("meetings")
    idle(qtbot)
    view = open_first_case(qtbot, window)
    idle(qtbot)
    case_reads = counting(monkeypatch, CaseView)
    board_reads = counting(monkeypatch, DashboardView)
    meeting_reads = counting(monkeypatch, MeetingsView)

    # nothing changed: going to the dashboard and back reads nothing again
    window.tabs.setCurrentWidget(dashboard)
    window.tabs.setCurrentWidget(meetings)
    window.tabs.setCurrentWidget(view)
    idle(qtbot)
    assert (case_reads, board_reads, meeting_reads) == ([], [], [])

    # a support record in the case's tab: the case reads again; the others when shown
    w = view.open_step(Step.RECORD)
    page = w.page_named("record")
    page.inputs["method"].set_value("phone")
    type_text(page.inputs["content"], "電話で近況を確認した。")
    while w.currentPage() is not w.confirm:
        next_page(w)
    w.button(QWizard.WizardButton.FinishButton).click()
    idle(qtbot)
    assert case_reads == [view] and board_reads == [] and meeting_reads == []
    window.tabs.setCurrentWidget(dashboard)
    idle(qtbot)
    assert board_reads == [dashboard]
    window.tabs.setCurrentWidget(meetings)
    idle(qtbot)
    assert meeting_reads == [meetings]
    window.tabs.setCurrentWidget(view)        # the case was read already: not again
    window.tabs.setCurrentWidget(dashboard)   # nothing new since
    idle(qtbot)
    assert case_reads == [view] and board_reads == [dashboard]


@pytest.fixture
def heard():
    """What the background helper announced: (changes, source)."""
    got: list = []

    def hear(changes, source) -> None:
        got.append((changes, source))
    signal = background.operation_did_execute()
    signal.connect(hear)
    yield got
    signal.disconnect(hear)


def test_the_core_says_which_case_changed_and_a_hidden_case_view_reads_when_shown(
        qtbot, desk_with_cases, monkeypatch, heard):
    """An operation started in another tab names no case itself: the store reports the case
    its rows belong to, and only that case's view reads again (when shown)."""
    window, _quits = make_window(qtbot, desk_with_cases, Clock())
    view = open_first_case(qtbot, window)
    other_id = window.case_list.model.rows[1].id
    meetings = window.open_area("meetings")
    idle(qtbot)
    case_reads = counting(monkeypatch, CaseView)
    desk, case_id = window.desk, view.detail.case.id

    def record(cid: str):
        return lambda: desk.process.add_record(cid, datetime(2026, 4, 2, 10), RecordMethod.PHONE,
                                               "電話で近況を確認した。")
    background.run_in_background(meetings, record(other_id))   # another case
    idle(qtbot)
    assert heard[-1][0].case_ids == {other_id} and heard[-1][1] is meetings
    window.tabs.setCurrentWidget(view)
    idle(qtbot)
    assert case_reads == []                     # not this view's business
    window.tabs.setCurrentWidget(meetings)
    background.run_in_background(meetings, record(case_id))
    idle(qtbot)
    assert heard[-1][0].case_ids == {case_id}
    assert case_reads == []                     # hidden: read when shown
    window.tabs.setCurrentWidget(view)
    idle(qtbot)
    assert case_reads == [view]


def test_a_save_on_the_gui_thread_announces_itself_and_a_failed_operation_what_it_did(
        qtbot, desk_with_cases, heard):
    window, _quits = make_window(qtbot, desk_with_cases, Clock())
    window.desk.master.add_master_entry(MasterKind.REFERRAL_SOURCE,
                                        MasterInput(name="フードバンク", route=Route.AGENCY))
    assert heard and heard[-1][0].master and not heard[-1][0].any_case   # at once, on this thread
    heard.clear()
    window.desk.list_cases()                                        # a read tells nothing
    assert heard == []
    desk, case_id = window.desk, window.case_list.model.rows[0].id
    failures: list = []

    def half() -> None:
        desk.process.add_record(case_id, datetime(2026, 4, 2, 10), RecordMethod.PHONE, "x")
        raise TsunaguError("then it failed")
    background.run_in_background(window, half, on_error=failures.append)
    idle(qtbot)
    assert failures and heard[-1][0].case_ids == {case_id}   # the record stays: it is told


def test_every_operation_of_the_whole_process_that_journals_a_row_announces_a_change(
        qtbot, desk, monkeypatch):
    """The GUI walk of one case through every step (tests/ui/test_whole_process.py) with a
    check around each background operation: if it journalled a row, it announced what."""
    from app.store.changes import collecting
    from tests.ui import test_whole_process
    checked: list = []
    silent: list = []
    real_init = background._Job.__init__
    conn, lock = desk.store.conn, background.serialized(desk)._lock

    def journal_size() -> int:
        return conn.execute("SELECT count(*) FROM journal").fetchone()[0]

    def init(self, op, callbacks) -> None:
        def watched():
            with lock:   # nothing else writes meanwhile (the GUI thread, the drafts)
                before = journal_size()
                with collecting() as box:
                    result = op()
                after = journal_size()
            if after > before:
                (checked if not box.changes.empty else silent).append(
                    (getattr(op, "__qualname__", op), box.changes))
            return result
        real_init(self, watched, callbacks)
    monkeypatch.setattr(background._Job, "__init__", init)
    test_whole_process.test_one_case_through_the_whole_process(qtbot, desk)
    assert silent == [] and len(checked) >= 10


def test_a_correction_saved_in_a_dialog_of_the_case_reads_the_case_once_and_the_list_later(
        qtbot, desk_with_cases, monkeypatch, heard):
    """本人情報の修正 saves on the GUI thread: announced as the case tab's own (its modal
    dialog in front), so the case view reads once; the hidden list when shown."""
    window, _quits = make_window(qtbot, desk_with_cases, Clock())
    view = open_first_case(qtbot, window)
    idle(qtbot)
    case_reads = counting(monkeypatch, CaseView)
    dialog = view.edit_person()
    qtbot.waitUntil(dialog.isVisible)
    dialog.address.setText("つなぐ町北1-1")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    idle(qtbot)
    assert heard[-1][0].case_ids == {view.detail.case.id}
    assert case_reads == [view]
    assert window.case_list._stale.stale          # behind the case's tab: read when shown
