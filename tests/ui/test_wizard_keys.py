"""Issue 14, point 2: no keystroke is lost in a wizard. Real key events (QTest) and input
method commits for Japanese: typing on a page that opens on a table, Tab into and out of a
table in reading order, Esc in a cell cancels that cell only; Esc on the duplicate-person
question goes back to the page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

from app.process import Step
from tests.conftest import make_intake
from tests.ui.conftest import next_page, type_text
from tests.ui.test_process_wizards import OPTIONS, TODAY, assessed
from ui.wizards.intake import BACK_TO_PAGE, IntakeWizard, ask_same_person_dialog
from ui.wizards import open_step_wizard


def focused():
    return QApplication.focusWidget()


def commit(text: str) -> None:
    """Japanese typed as an input method commits it, to whatever has focus."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(focused(), event)


def plan_wizard(qtbot, desk):
    desk._today = lambda: TODAY
    cid = assessed(desk)
    w = open_step_wizard(Step.PLAN, desk, cid, **OPTIONS)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    return w


def test_typing_tab_and_esc_in_a_table_lose_nothing(qtbot, desk):
    w = plan_wizard(qtbot, desk)
    aim = w.page_named("aim").inputs["aim"]
    aim.setFocus()
    commit("自分の収入で暮らす")
    QTest.keyClick(focused(), Qt.Key.Key_Tab)           # out of the text box …
    next_page(w)                                            # … and on to the goals table
    goals = w.goals
    # the first key typed on the page lands in the first cell, whatever had focus
    goals.table.setFocus(Qt.FocusReason.OtherFocusReason)
    commit("就労準備支援に通う")
    cell = goals.cell(0, "text")
    assert cell.text() == "就労準備支援に通う"
    assert focused() is cell
    # Tab: the next cell of the row (the target date), then the next row
    QTest.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is goals.cell(0, "target_on")
    QTest.keyClicks(focused(), "R9.3.31")
    QTest.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is goals.cell(1, "text")
    # Esc in a cell undoes that cell only; the wizard stays
    commit("まちがい")
    QTest.keyClick(focused(), Qt.Key.Key_Escape)
    assert goals.cell(1, "text").text() == "" and w.isVisible()
    assert goals.cell(0, "text").text() == "就労準備支援に通う"
    # out of the table after its last cell, to the button under it; back in with Shift+Tab
    QTest.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is goals.cell(1, "target_on")
    QTest.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is goals.add_button
    QTest.keyClick(focused(), Qt.Key.Key_Backtab)
    assert focused() is goals.cell(1, "target_on")
    # a new row's cells follow in reading order too
    goals.add_button.click()
    goals.cell(1, "target_on").setFocus()
    QTest.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is goals.cell(2, "text")
    # coming from the field before the table, Tab lands in the first cell and typing goes in
    goals.cell(0, "text").clear()
    w.back()
    aim.setFocus()
    QTest.keyClick(aim, Qt.Key.Key_Tab)
    next_page(w)
    goals.table.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClicks(focused(), "work")
    assert goals.cell(0, "text").text() == "work"
    assert [g["text"] for g in goals.value()] == ["work"]


def test_esc_on_the_same_person_question_goes_back_to_the_page(qtbot, desk):
    desk.register_intake(make_intake())
    answers = []

    def ask(persons):
        answers.append(persons)
        return BACK_TO_PAGE if len(answers) == 1 else None

    w = IntakeWizard(desk, ask_restore_draft=lambda: True, ask_keep_draft=lambda: True,
                     ask_same_person=ask)
    qtbot.addWidget(w)
    w.show()
    p = w.person
    type_text(p.name, "髙橋 𠮷子")
    type_text(p.kana, "たかはし よしこ")
    type_text(p.birth.edit, "1980/5/6")
    start = w.currentId()
    next_page(w)
    assert answers                     # the same person was found: Esc → still on the page
    assert w.currentId() == start and w.existing_person is None
    next_page(w)                           # asked again; 「別の方として登録する」
    assert len(answers) == 2 and w.currentId() != start


def test_the_real_same_person_dialog_answers_back_on_esc(qtbot, desk):
    person = desk.register_intake(make_intake()).person
    seen = []

    def press_esc():
        box = next(x for x in QApplication.topLevelWidgets()
                   if isinstance(x, QDialog) and x.isVisible())
        seen.append(box)
        QTest.keyClick(box, Qt.Key.Key_Escape)

    from PySide6.QtCore import QTimer
    QTimer.singleShot(100, press_esc)
    assert ask_same_person_dialog(None, [person]) == BACK_TO_PAGE
    assert seen


def test_line_edits_in_cells_are_not_tab_stops_of_their_own(qtbot, desk):
    w = plan_wizard(qtbot, desk)
    next_page(w)
    for cell in w.goals.cell_inputs():
        assert isinstance(cell, QLineEdit)
        assert not (cell.focusPolicy() & Qt.FocusPolicy.TabFocus)
