"""Issue 14, point 5: made for 1280×720 and 1366×768. Every window and wizard fits the room
such a screen leaves (task bar and title bar taken off) with its buttons visible — long
pages scroll — and Tab reaches every control of every wizard page in reading order (the
focus chain of each page is walked with real Tab key events)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QRadioButton,
    QTableWidget, QTextEdit, QWidget, QWizard,
)

from app.process import Step
from tests.ui.test_process_wizards import OPTIONS, TODAY, with_plan
from ui import background
from ui.fit import SMALL_SCREENS, fit_to_screen, room_on
from ui.wizards.intake import IntakeWizard
from ui.main_window import MainWindow
from ui.wizards import WIZARDS, open_step_wizard

WIZARD_BUTTONS = (QWizard.WizardButton.NextButton, QWizard.WizardButton.CancelButton,
                  QWizard.WizardButton.BackButton, QWizard.WizardButton.FinishButton)


@pytest.fixture
def case_with_plan(desk):
    desk._today = lambda: TODAY
    cid, _plan = with_plan(desk)
    return desk, cid


def all_wizards(qtbot, desk, cid):
    from ui.setup_wizard import SetupWizard
    out = [("intake", IntakeWizard(desk, ask_restore_draft=lambda: False,
                                   ask_keep_draft=lambda: False,
                                   ask_same_person=lambda persons: None)),
           ("setup", SetupWizard(desk.path.parent / "setup-new.db"))]
    for step in WIZARDS:
        out.append((step.value, open_step_wizard(step, desk, cid, **OPTIONS)))
    for _name, w in out:
        qtbot.addWidget(w)
    return out


def inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return (widget.isVisible() and top_left.x() >= 0 and top_left.y() >= 0
            and top_left.x() + widget.width() <= window.width()
            and top_left.y() + widget.height() <= window.height())


@pytest.mark.parametrize("screen", SMALL_SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_wizard_page_fits_with_its_buttons(qtbot, case_with_plan, screen):
    desk, cid = case_with_plan
    room = room_on(*screen)
    for name, w in all_wizards(qtbot, desk, cid):
        fit_to_screen(w, 1040, 760, room)
        w.show()
        QApplication.processEvents()
        assert w.width() <= room.width() and w.height() <= room.height(), name
        page = w.currentPage()
        overhead = w.height() - page.height()
        for page_id in w.pageIds():
            p = w.page(page_id)
            need = p.minimumSizeHint()
            assert need.height() + overhead <= room.height(), (name, p.title(), need)
            assert need.width() <= room.width(), (name, p.title(), need)
        for which in WIZARD_BUTTONS:
            button = w.button(which)
            if button.isVisible():
                assert inside(button, w), (name, button.text())
        w.hide()


@pytest.mark.parametrize("screen", SMALL_SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_main_window_and_every_area_fit(qtbot, case_with_plan, screen):
    desk, cid = case_with_plan
    room = room_on(*screen)
    window = MainWindow(desk, close_desk_on_exit=False)
    qtbot.addWidget(window)
    fit_to_screen(window, 1280, 800, room)
    window.show()
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    for key in list(window.area_actions):
        window.open_area(key)
        qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
        need = window.minimumSizeHint()
        assert need.height() <= room.height() and need.width() <= room.width(), (key, need)
        assert window.height() <= room.height() and window.width() <= room.width(), key
    window.open_case(cid)
    qtbot.waitUntil(lambda: window.current_case_view() is not None, timeout=10000)
    need = window.minimumSizeHint()
    assert need.height() <= room.height() and need.width() <= room.width(), need


# ---------------------------------------------------------------------- the focus chain
def controls_of(page: QWidget) -> list[QWidget]:
    """What Tab must reach on ``page``: every visible, enabled control that takes focus by
    Tab; a group of radio buttons counts once (arrow keys choose within it); a table counts
    as its cells' inputs."""
    out = []
    for w in page.findChildren(QWidget):
        if not w.isVisibleTo(page) or not w.isEnabled():
            continue
        if isinstance(w, QTableWidget):
            continue
        if not isinstance(w, (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox,
                              QAbstractButton, QAbstractSpinBox)):
            continue
        if isinstance(w, QLineEdit) and isinstance(w.parent(), (QComboBox, QAbstractSpinBox)):
            continue   # the editor inside a drop-down or a spin box: the box is the stop
        if _in_table(w) and w.parent() is not None and isinstance(w.parent(), QTableWidget):
            continue   # the table's corner button
        if w.focusPolicy() & Qt.FocusPolicy.TabFocus or _in_table(w):
            out.append(w)
    return out


def _in_table(w: QWidget) -> bool:
    p = w.parent()
    while p is not None:
        if isinstance(p, QTableWidget):
            return True
        p = p.parent()
    return False


def _group_key(w: QWidget):
    if isinstance(w, QRadioButton):
        group = w.group()
        return ("group", id(group)) if group is not None else ("parent", id(w.parent()))
    return ("widget", id(w))


def walk(page: QWidget, first: QWidget, limit: int = 400) -> list[QWidget]:
    first.setFocus(Qt.FocusReason.TabFocusReason)
    seen = [QApplication.focusWidget()]
    for _i in range(limit):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is None or not page.isAncestorOf(now) or now is seen[0]:
            break
        seen.append(now)
    return seen


def test_tab_reaches_every_control_of_every_wizard_page(qtbot, case_with_plan):
    desk, cid = case_with_plan
    problems = []
    for name, w in all_wizards(qtbot, desk, cid):
        fit_to_screen(w, 1040, 760, room_on(1280, 720))
        w.show()
        w.activateWindow()
        qtbot.waitUntil(lambda w=w: QApplication.activeWindow() is w, timeout=5000)
        for page_id in w.pageIds():
            w.setStartId(page_id)
            w.restart()
            page = w.currentPage()
            QApplication.processEvents()
            wanted = controls_of(page)
            if not wanted:
                continue
            reached = walk(page, wanted[0])
            missing = {_group_key(x) for x in wanted} - {_group_key(x) for x in reached}
            if missing:
                names = [f"{type(x).__name__}:{getattr(x, 'text', lambda: '')()}"
                         for x in wanted if _group_key(x) in missing]
                problems.append((name, page.title(), names))
            # reading order: each stop is below the one before, or on its row to the right
            # (a table's cells and a grid of choices count as one block)
            last = None
            for x in reached:
                pos = x.mapTo(page, QPoint(0, 0))
                # going up is right only into the next column to the right (a page or a
                # list of choices laid out in columns reads down each column)
                if last is not None and pos.y() + x.height() < last.y() \
                        and pos.x() <= last.x() and not _in_table(x):
                    problems.append((name, page.title(), f"order: {type(x).__name__} "
                                     f"{getattr(x, 'text', lambda: '')()} above the one before"))
                last = pos
        w.hide()
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("screen", SMALL_SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_other_windows_and_dialogs_fit(qtbot, case_with_plan, tmp_path, screen):
    """Set-up, log-in, planning a meeting, putting an item on one, consent: each fits the
    room with its buttons inside."""
    from PySide6.QtWidgets import QDialogButtonBox
    from ui.dialogs import Dialogs
    from ui.dialogs.agenda import PutOnMeetingDialog, WithdrawDialog
    from ui.dialogs.consent import ConsentDialog
    from ui.login import LoginDialog
    from ui.setup_wizard import SetupWizard
    from ui.views.meetings import PlanMeetingDialog
    desk, cid = case_with_plan
    room = room_on(*screen)
    windows = [SetupWizard(tmp_path / "new.db"), LoginDialog(tmp_path / "new.db"),
               PlanMeetingDialog(desk), ConsentDialog(desk, cid, Dialogs()),
               PutOnMeetingDialog(desk, case_id=cid, subject_id="x"),
               WithdrawDialog(desk, "x")]
    for w in windows:
        qtbot.addWidget(w)
        w.show()
        QApplication.processEvents()
        need = w.minimumSizeHint()
        assert need.height() <= room.height() and need.width() <= room.width(), (w, need)
        assert w.height() <= room.height() and w.width() <= room.width(), (w, w.size())
        buttons = [b for box in w.findChildren(QDialogButtonBox) for b in box.buttons()]
        if isinstance(w, QWizard):
            buttons = [w.button(b) for b in WIZARD_BUTTONS]
        for b in buttons:
            if b.isVisible():
                assert inside(b, w), (w, b.text())
        w.hide()
