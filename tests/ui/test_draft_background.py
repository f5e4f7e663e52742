"""Drafts never cost the GUI thread a commit (issue 21 point 5): a keystroke only starts a
timer; the draft is written when typing pauses, by the draft worker on a connection of its
own (ui/wizards/draft.py, ui/background.py ``write_in_background``). Nothing typed is lost:
closing at once, reopening at once, or the screen lock right after typing."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from app.desk import Desk
from tests.conftest import make_intake
from tests.ui.conftest import next_page, type_text
from ui import background
from ui.wizards.intake import DRAFT_KEY, IntakeWizard
from ui.wizards import open_step_wizard
from app.process import Step

TYPED = {"name": "髙橋 𠮷子", "kana": "たかはし よしこ", "address": "つなぐ町本町1-2-3 山﨑荘202",
         "consultation": "家賃を三か月滞納している。\n仕事を探したい。"}


@pytest.fixture
def writes(monkeypatch):
    """Every draft written: (key, payload, on the GUI thread?)."""
    seen: list[tuple[str, dict, bool]] = []
    real = Desk.save_draft

    def save_draft(self, key, payload):
        seen.append((key, payload, threading.current_thread() is threading.main_thread()))
        return real(self, key, payload)
    monkeypatch.setattr(Desk, "save_draft", save_draft)
    return seen


def intake(qtbot, desk, **options) -> IntakeWizard:
    options.setdefault("ask_restore_draft", lambda: True)
    options.setdefault("ask_keep_draft", lambda: True)
    options.setdefault("ask_same_person", lambda persons: None)
    options.setdefault("show_error", lambda text: (_ for _ in ()).throw(AssertionError(text)))
    wizard = IntakeWizard(desk, **options)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def type_everything(wizard: IntakeWizard) -> None:
    p = wizard.person
    for ch in TYPED["name"]:                   # one input-method commit per character
        type_text(p.name, ch)
    type_text(p.kana, TYPED["kana"])
    type_text(p.address, TYPED["address"])
    type_text(wizard.consultation.consultation, TYPED["consultation"])


def test_keystrokes_make_no_draft_write_on_the_gui_thread(qtbot, desk, writes):
    wizard = intake(qtbot, desk)
    type_everything(wizard)
    assert writes == []                         # typing: no write at all yet
    assert wizard.drafts.pending
    qtbot.waitUntil(wizard.drafts.idle, timeout=5000)
    assert len(writes) == 1                     # one write once typing paused
    key, payload, on_gui_thread = writes[0]
    assert key == DRAFT_KEY and payload["name"] == TYPED["name"]
    assert not on_gui_thread
    assert desk.load_draft(DRAFT_KEY)["consultation"] == TYPED["consultation"]

    next_page(wizard)                               # a page change writes what is pending
    type_text(wizard.consultation.hopes, "住まいを失いたくない")
    wizard.back()
    qtbot.waitUntil(wizard.drafts.idle, timeout=5000)
    assert not any(on_gui for _k, _p, on_gui in writes) and len(writes) <= 3
    assert writes[-1][1]["hopes"] == "住まいを失いたくない"


def test_a_step_wizard_writes_its_draft_off_the_gui_thread(qtbot, desk, writes):
    case_id = desk.register_intake(make_intake()).case.id
    w = open_step_wizard(Step.RECORD, desk, case_id, ask_restore_draft=lambda: True,
                         ask_keep_draft=lambda: True, show_error=lambda text: None)
    qtbot.addWidget(w)
    w.show()
    for ch in "電話で近況を確認した。":
        type_text(w.page_named("record").inputs["content"], ch)
    assert writes == []
    qtbot.waitUntil(w.drafts.idle, timeout=5000)
    assert [(k, on_gui) for k, _p, on_gui in writes] == [(f"record:{case_id}", False)]


def test_closing_at_once_and_reopening_at_once_loses_no_character(qtbot, desk, writes):
    first = intake(qtbot, desk)
    type_everything(first)
    first.reject()                              # kept (injected answer), not yet written
    second = intake(qtbot, desk)                # reopened before the worker wrote it
    p = second.person
    assert (p.name.text(), p.kana.text(), p.address.text()) == \
        (TYPED["name"], TYPED["kana"], TYPED["address"])
    assert second.consultation.consultation.toPlainText() == TYPED["consultation"]
    qtbot.waitUntil(lambda: not background.busy(), timeout=5000)
    assert not any(on_gui for _k, _p, on_gui in writes)
    assert desk.load_draft(DRAFT_KEY)["name"] == TYPED["name"]


def test_the_screen_lock_right_after_typing_writes_the_draft_before_closing(
        qtbot, desk_with_cases, writes):
    from tests.ui.test_lock import Clock, make_window, unlock
    from tests.ui.conftest import PASSWORD
    window, _quits = make_window(qtbot, desk_with_cases, Clock())
    wizard = window.new_intake()
    type_everything(wizard)
    assert writes == []
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.screen_lock.locked and desk_with_cases.closed
    assert [p["name"] for _k, p, _g in writes] == [TYPED["name"]]   # written before closing
    unlock(qtbot, window, PASSWORD)
    assert not window.screen_lock.locked
    assert window.desk.raw.load_draft(DRAFT_KEY)["address"] == TYPED["address"]
    assert len(writes) == 1                     # nothing left to write after unlocking
    wizard.close()
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    window.desk.raw.close()
