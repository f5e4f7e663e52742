"""Operations announce what they changed and the main window tells every view (issue 21 point
5, Anki's operation_did_execute, ui/changes.py): a step recorded in a case's tab makes the
dashboard and the meetings screen read again when next shown — and only then; switching tabs
with nothing changed reads nothing again."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard

from app.process import Step
from tests.ui.conftest import next_page, type_text
from tests.ui.test_lock import Clock, make_window, open_first_case
from ui import background
from ui.changes import Changes
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


def test_a_meeting_decision_makes_an_open_case_read_again_when_shown(
        qtbot, desk_with_cases, monkeypatch):
    window, _quits = make_window(qtbot, desk_with_cases, Clock())
    view = open_first_case(qtbot, window)
    meetings = window.open_area("meetings")
    idle(qtbot)
    case_reads = counting(monkeypatch, CaseView)
    meetings.operation_did_execute.emit(Changes(all_cases=True, meetings=True))
    assert case_reads == []                    # hidden: read when shown
    window.tabs.setCurrentWidget(view)
    idle(qtbot)
    assert case_reads == [view]
    other = Changes.of_case("another-case")
    window.operation_did_execute(other)        # another case: not this view's business
    window.tabs.setCurrentWidget(meetings)
    window.tabs.setCurrentWidget(view)
    idle(qtbot)
    assert case_reads == [view]
