"""Drafts without waiting (issue 21 point 5): a keystroke in a wizard writes nothing on the
GUI thread; the draft is written by the writer worker when typing pauses, and nothing typed
is lost when the wizard closes right after the last keystroke."""

from __future__ import annotations

import threading
from datetime import date

from app.process import Step
from tests.conftest import make_intake
from tests.ui.conftest import type_text
from ui import background
from ui.intake_wizard import DRAFT_KEY, IntakeWizard
from ui.wizards import open_step_wizard

TYPED = "𠮷田 髙﨑 ﾊﾝｶｸ"


def _spy_saves(desk) -> list[bool]:
    """Record, for every draft save of the desk, whether it ran on the GUI thread."""
    on_gui: list[bool] = []
    real = desk.save_draft

    def save_draft(key, payload):
        on_gui.append(threading.current_thread() is threading.main_thread())
        return real(key, payload)

    desk.save_draft = save_draft
    return on_gui


def test_keystrokes_write_no_draft_on_the_gui_thread_and_closing_keeps_every_one(qtbot, desk):
    on_gui = _spy_saves(desk)
    errors: list[str] = []
    wizard = IntakeWizard(desk, ask_restore_draft=lambda: True, ask_keep_draft=lambda: True,
                          show_error=errors.append)
    qtbot.addWidget(wizard)
    wizard.show()
    for ch in TYPED:                                 # one input-method commit per character
        type_text(wizard.person.name, ch)
    assert wizard.person.name.text() == TYPED
    assert on_gui == []                              # typing wrote nothing yet, anywhere
    assert wizard.drafts.pending
    wizard.close()                                   # at once, before the pause: kept
    qtbot.waitUntil(lambda: not background.busy(), timeout=5000)
    assert on_gui == [False]                         # one save, on the writer worker
    assert desk.load_draft(DRAFT_KEY)["name"] == TYPED and errors == []

    again = IntakeWizard(desk, ask_restore_draft=lambda: True, ask_keep_draft=lambda: False)
    qtbot.addWidget(again)
    assert again.person.name.text() == TYPED


def test_typing_does_not_wait_for_a_background_operation_holding_the_desk(qtbot, desk):
    """A long operation on the writer worker holds the desk; the caseworker keeps typing in
    a step wizard and every character lands at once; the draft follows when it is done."""
    desk._today = lambda: date(2026, 11, 20)
    cid = desk.register_intake(make_intake(received=date(2026, 11, 2))).case.id
    on_gui = _spy_saves(desk)
    w = open_step_wizard(Step.RECORD, desk, cid, ask_restore_draft=lambda: True,
                         ask_keep_draft=lambda: True, show_error=lambda text: None)
    qtbot.addWidget(w)
    w.show()
    gate, holding = threading.Event(), threading.Event()

    def long_operation():            # called through the wizard's shared desk: holds its lock
        holding.set()
        gate.wait(20)

    desk.long_operation = long_operation
    shared = w.desk
    background.run_in_background(None, lambda: shared.long_operation())
    assert holding.wait(5)
    field = w.page_named("record").inputs["content"]
    try:
        for ch in "家賃の相談。𠮷":
            type_text(field, ch)
            qtbot.wait(5)
        assert field.toPlainText() == "家賃の相談。𠮷"   # typed while the desk was held
        qtbot.wait(700)                                # the pause: the save is queued …
        assert on_gui == [] and not gate.is_set()      # … behind the long operation
    finally:
        gate.set()
    qtbot.waitUntil(w.drafts.idle, timeout=5000)
    assert on_gui == [False]
    assert desk.load_draft(f"record:{cid}")["content"] == "家賃の相談。𠮷"


def test_a_draft_that_cannot_be_written_is_said_once_in_japanese(qtbot, desk):
    from app.errors import StoreError

    def full(key, payload):
        raise StoreError("ディスクがいっぱいです。空きを作ってからもう一度保存してください。")

    desk.save_draft = full
    errors: list[str] = []
    wizard = IntakeWizard(desk, ask_restore_draft=lambda: True, ask_keep_draft=lambda: True,
                          show_error=errors.append)
    qtbot.addWidget(wizard)
    wizard.show()
    for text in ("山", "田"):
        type_text(wizard.person.name, text)
        wizard.drafts.flush()
        qtbot.waitUntil(wizard.drafts.idle, timeout=5000)
    assert errors == ["下書きを保存できませんでした: "
                      "ディスクがいっぱいです。空きを作ってからもう一度保存してください。"]
    assert wizard.person.name.text() == "山田"          # the input itself is untouched
