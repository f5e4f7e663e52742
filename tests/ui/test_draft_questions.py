"""The draft questions shared by the intake wizard and the step wizards (ui/dialogs/drafts.py):
the words of each wizard, buttons that say what happens, Esc or closing the box keeps the
draft; and both wizards ask them when nothing is injected (the blocking part replaced)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.conftest import make_intake
from ui.dialogs import drafts
from ui.wizards.intake import DRAFT_KEY, IntakeWizard
from ui.wizards.early import AssessmentWizard


@pytest.mark.parametrize("make, title, keep, discard", [
    (drafts.restore_question, "入力途中", "続きから入力する", "破棄して新しく始める"),
    (drafts.keep_question, "残しますか", "下書きを残す", "下書きを破棄する"),
])
def test_the_buttons_say_what_happens_and_esc_keeps(qtbot, make, title, keep, discard, shots):
    q = make(None, drafts.STEP_DRAFT)
    qtbot.addWidget(q.box)
    assert title in q.box.windowTitle()
    assert q.keep.text() == keep and q.discard.text() == discard
    assert q.box.defaultButton() is q.keep and q.box.escapeButton() is q.keep
    q.box.show()
    qtbot.keyClick(q.box, Qt.Key.Key_Escape)  # Esc (or closing): nothing is lost
    assert q.answer() is True
    q.box.grab().save(str(shots / f"draft_{make.__name__}.png"))
    q2 = make(None, drafts.STEP_DRAFT)
    qtbot.addWidget(q2.box)
    q2.box.show()
    q2.discard.click()
    assert q2.answer() is False


def test_intake_and_step_wizards_ask_the_shared_questions(qtbot, desk, monkeypatch):
    asked: list[tuple[str, str]] = []
    answers = {"restore": True, "keep": False}

    def fake_run(q: drafts.DraftQuestion) -> bool:
        kind = "restore" if q.keep.text() == "続きから入力する" else "keep"
        asked.append((kind, q.box.text()))
        (q.keep if answers[kind] else q.discard).click()
        return q.answer()

    monkeypatch.setattr(drafts, "run_question", fake_run)

    def fake_close(q: drafts.CloseQuestion) -> str:
        asked.append(("keep", q.box.text()))
        (q.keep if answers["keep"] else q.discard).click()
        return q.answer()

    monkeypatch.setattr(drafts, "run_close_question", fake_close)
    desk.save_draft(DRAFT_KEY, {"version": 1, "name": "下書き 花子"})
    wizard = IntakeWizard(desk)  # nothing injected: the shared questions
    qtbot.addWidget(wizard)
    assert asked == [("restore", "入力途中の相談受付が残っています。続きから入力しますか？")]
    assert wizard.person.name.text() == "下書き 花子"
    wizard.reject()  # 「下書きを破棄して閉じる」 was clicked: the draft goes
    assert asked[-1][0] == "keep" and "相談受付" in asked[-1][1]
    qtbot.waitUntil(wizard.drafts.idle, timeout=5000)   # the writer worker removed it
    assert desk.load_draft(DRAFT_KEY) is None

    case_id = desk.register_intake(make_intake()).case.id
    key = f"{AssessmentWizard.step.value}:{case_id}"
    asked.clear()
    answers.update(restore=False, keep=True)
    desk.save_draft(key, {"version": 1})
    step = AssessmentWizard(desk, case_id)
    qtbot.addWidget(step)
    assert asked and asked[0][0] == "restore" and "相談受付" not in asked[0][1]
    qtbot.waitUntil(step.drafts.idle, timeout=5000)
    assert desk.load_draft(key) is None  # 「破棄して新しく始める」
    step.field_changed()  # something typed: a new draft (written when typing pauses)
    step.reject()         # asked although not yet written; kept: written on closing
    qtbot.waitUntil(step.drafts.idle, timeout=5000)
    assert asked[-1][0] == "keep" and desk.load_draft(key) is not None


def test_closing_a_wizard_asks_continue_keep_or_discard_continue_is_the_default(qtbot, desk):
    """Issue 14: 「入力を続ける / 下書きを残して閉じる / 下書きを破棄して閉じる」, 入力を続ける
    the default and the answer to Esc; answering it leaves the wizard open with its input."""
    q = drafts.close_question(None, drafts.INTAKE_DRAFT)
    qtbot.addWidget(q.box)
    assert [b.text() for b in (q.go_on, q.keep, q.discard)] == [
        "入力を続ける", "下書きを残して閉じる", "下書きを破棄して閉じる"]
    assert q.box.defaultButton() is q.go_on and q.box.escapeButton() is q.go_on
    q.box.show()
    qtbot.keyClick(q.box, Qt.Key.Key_Escape)
    assert q.answer() == drafts.CONTINUE

    answers = [drafts.CONTINUE, drafts.DISCARD]
    wizard = IntakeWizard(desk, ask_close=lambda: answers.pop(0))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.person.name.setText("続き 花子")
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)        # Esc on the wizard: the question
    assert wizard.isVisible() and wizard.person.name.text() == "続き 花子"
    qtbot.waitUntil(wizard.drafts.idle, timeout=5000)  # written once typing paused
    assert desk.load_draft(DRAFT_KEY) is not None
    wizard.close()                                    # closing the window: asked again
    qtbot.waitUntil(wizard.drafts.idle, timeout=5000)
    assert not wizard.isVisible() and desk.load_draft(DRAFT_KEY) is None
