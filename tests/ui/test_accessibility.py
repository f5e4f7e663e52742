"""Issue 18, point 5: a screen reader can name every input, button and table column of every
screen and every wizard page (walked widget by widget), and the frequent actions have keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from app.process import Step
from tests.ui.test_small_screens import all_wizards, case_with_plan  # noqa: F401 - fixture
from ui import background
from ui.accessibility import name_fields, problems
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, case_with_plan, monkeypatch, tmp_path):
    monkeypatch.setenv("TSUNAGU_HOME", str(tmp_path))   # the display settings file
    desk, cid = case_with_plan
    w = MainWindow(desk, close_desk_on_exit=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    return w, cid


def test_every_wizard_page_names_its_inputs_and_buttons(qtbot, case_with_plan):
    desk, cid = case_with_plan
    found = []
    for name, w in all_wizards(qtbot, desk, cid):
        w.show()
        for page_id in w.pageIds():
            w.setStartId(page_id)
            w.restart()          # shows the page as the user gets it
            QApplication.processEvents()
            found += [(name, w.currentPage().title(), p) for p in problems(w.currentPage())]
            found += [(name, "buttons", p) for p in problems(w) if "button" in p]
        w.hide()
    assert found == [], "\n".join(map(str, found))


def test_every_screen_names_its_inputs_buttons_and_table_columns(qtbot, window):
    w, cid = window
    found = [("case list", p) for p in problems(w)]
    for key in list(w.area_actions):
        w.open_area(key)
        qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
        view = w.tabs.currentWidget()
        for tabs in view.findChildren(type(w.tabs)):   # the sub-tabs of an area
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                QApplication.processEvents()
                found += [(key, tabs.tabText(i), p) for p in problems(tabs.widget(i))]
        found += [(key, p) for p in problems(view)]
    w.open_case(cid)
    qtbot.waitUntil(lambda: w.current_case_view() is not None, timeout=10000)
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    view = w.current_case_view()
    for tabs in view.findChildren(type(w.tabs)):
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            found += [("case", tabs.tabText(i), p) for p in problems(tabs.widget(i))]
    found += [("case", p) for p in problems(view)]
    assert found == [], "\n".join(map(str, found))


def test_a_form_label_becomes_the_buddy_and_the_name(qtbot):
    from PySide6.QtWidgets import QFormLayout, QPlainTextEdit
    box = QWidget()
    qtbot.addWidget(box)
    form = QFormLayout(box)
    edit, notes, bare = QLineEdit(), QPlainTextEdit(), QLineEdit()
    form.addRow("氏名 *", edit)
    form.addRow("備考", notes)
    form.addRow(bare)                       # no label at all
    box.show()
    # QFormLayout makes its own labels the buddies: only the bare one has no name
    assert len([p for p in problems(box) if "input without" in p]) == 1
    name_fields(box)
    assert edit.accessibleName() == "氏名" and notes.accessibleName() == "備考"
    label = form.labelForField(edit)
    assert isinstance(label, QLabel) and label.buddy() is edit
    assert len(problems(box)) == 1 and "QLineEdit" in problems(box)[0]   # the bare one


def test_keys_for_the_frequent_actions(qtbot, window):
    w, cid = window
    keys = {a.shortcut().toString() for a in w.findChildren(type(w.new_intake_action))}
    for key in ("Ctrl+N", "Ctrl+F", "Ctrl+R", "Ctrl+P", "Ctrl+L", "F1"):
        assert key in keys, key
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    w.open_area(next(iter(w.area_actions)))
    w.shortcut_actions["Ctrl+F"].trigger()
    assert w.tabs.currentWidget() is w.case_list
    assert QApplication.focusWidget() is w.case_list.search
    # 支援経過記録 without an open case says what to do instead of doing nothing
    w.shortcut_actions["Ctrl+R"].trigger()
    assert "Ctrl+F" in w.statusBar().currentMessage()
    w.open_case(cid)
    qtbot.waitUntil(lambda: w.current_case_view() is not None, timeout=10000)
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    view = w.current_case_view()
    opened = []
    view.open_step = lambda step: opened.append(step)
    w.shortcut_actions["Ctrl+R"].trigger()
    if view.step_buttons[Step.RECORD].isEnabled():
        assert opened == [Step.RECORD]
    else:
        assert opened == [] and w.statusBar().currentMessage()


def test_the_log_in_the_lock_and_the_help_window_name_everything(qtbot, desk_path):
    from ui.help import HelpBrowser
    from ui.lock import LockScreen
    from ui.login import LoginDialog
    found = []
    for w in (LoginDialog(desk_path, login="admin"), LockScreen("つなぐ町", "管理 花子", "admin"),
              HelpBrowser()):
        qtbot.addWidget(w)
        w.show()
        QApplication.processEvents()
        found += [(type(w).__name__, p) for p in problems(w)]
    assert found == [], "\n".join(map(str, found))


def test_the_dialogs_name_everything(qtbot, case_with_plan, tmp_path):
    """Planning a meeting, putting an item on one, withdrawing it, consent, correcting the
    person's details: what their fields are is said to a screen reader too."""
    from ui.dialogs import Dialogs
    from ui.dialogs.agenda import PutOnMeetingDialog, WithdrawDialog
    from ui.dialogs.consent import ConsentDialog
    from ui.dialogs.person_edit import PersonEditDialog
    from ui.views.meetings import PlanMeetingDialog
    desk, cid = case_with_plan
    detail = desk.get_case(cid)
    found = []
    for w in (PlanMeetingDialog(desk), ConsentDialog(desk, cid, Dialogs()),
              PutOnMeetingDialog(desk, case_id=cid, subject_id="x"), WithdrawDialog(desk, "x"),
              PersonEditDialog(desk, detail.person)):
        qtbot.addWidget(w)
        w.show()
        QApplication.processEvents()
        found += [(type(w).__name__, p) for p in problems(w)]
    assert found == [], "\n".join(map(str, found))
