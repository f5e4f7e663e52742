"""画面ロック: idle time (injected clock) and Ctrl+L hide every window, empty the app's
clipboard text, close the database; the password (with back-off) opens it again and brings
back the same tab, the same case and an open intake wizard with its typed text."""

from __future__ import annotations

import pytest

from tests.ui.helpers_security import collect_garbage_here

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QApplication, QComboBox, QLabel, QLineEdit,
    QPlainTextEdit, QTabWidget, QTextEdit, QWidget,
)

from app.security import throttle as throttle_mod
from ui.wizards.intake import DRAFT_KEY
from ui.lock import LockScreen
from ui.main_window import MainWindow
from ui.views.case_view import CaseView

from tests.ui.conftest import LOGIN, PASSWORD, type_text


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not __import__("ui.background").background.busy(), timeout=10000)
    collect_garbage_here()

PERSONAL = ["髙橋", "𠮷子", "たかはし", "佐藤", "さとう", "山田", "やまだ", "本町1-2-3",
            "山﨑荘", "090-1234-5678", "123-4567", "家賃を滞納"]


def visible_texts() -> list[str]:
    """Every text a person could read on the screen now (visible widgets only)."""
    out: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        out.append(top.windowTitle())
        for w in [top, *top.findChildren(QWidget)]:
            if not w.isVisible():
                continue
            out.append(w.toolTip())
            if isinstance(w, (QLabel, QLineEdit, QAbstractButton)):
                out.append(w.text())
            elif isinstance(w, (QPlainTextEdit, QTextEdit)):
                out.append(w.toPlainText())
            elif isinstance(w, QComboBox):
                out += [w.itemText(i) for i in range(w.count())]
            elif isinstance(w, QTabWidget):
                out += [w.tabText(i) for i in range(w.count())]
            elif isinstance(w, QAbstractItemView) and w.model() is not None:
                m = w.model()
                for r in range(m.rowCount()):
                    for c in range(m.columnCount()):
                        out.append(str(m.data(m.index(r, c)) or ""))
    return out


def personal_on_screen() -> list[str]:
    texts = "\n".join(visible_texts())
    return [p for p in PERSONAL if p in texts]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_window(qtbot, desk, clock):
    quits = []
    window = MainWindow(
        desk, opener=lambda url: None, close_desk_on_exit=False,
        wizard_options=dict(ask_restore_draft=lambda: True, ask_keep_draft=lambda: True,
                            ask_same_person=lambda persons: None),
        lock_options=dict(clock=clock, start_timer=False, quit=lambda: quits.append(1)))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 3)
    return window, quits


def open_first_case(qtbot, window) -> CaseView:
    case_id = window.case_list.model.rows[0].id
    window.open_case(case_id)
    qtbot.waitUntil(lambda: window.current_case_view() is not None)
    view = window.current_case_view()
    qtbot.waitUntil(lambda: bool(view.steps))
    return view


def unlock(qtbot, window, password: str) -> None:
    screen = window.screen_lock.screen
    screen.password.setText(password)
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.screen_lock.locked or screen.error.isVisible(),
                    timeout=10000)


def test_idle_lock_hides_everything_closes_desk_and_unlock_returns(qtbot, desk_with_cases,
                                                                   monkeypatch, shots):
    raw = desk_with_cases
    clock = Clock()
    window, _quits = make_window(qtbot, raw, clock)
    view = open_first_case(qtbot, window)
    tab_index = window.tabs.currentIndex()
    case_id = view.detail.case.id
    wizard = window.new_intake()
    type_text(wizard.person.name, "鈴木 一郎")
    type_text(wizard.person.address, "つなぐ町本町1-2-3 山﨑荘202")
    # the user copies the name they typed (Ctrl+C in the app)
    wizard.person.name.selectAll()
    qtbot.keyClick(wizard.person.name, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "鈴木 一郎"
    assert personal_on_screen()  # the check can see personal text when it is there
    window.grab().save(str(shots / "lock_before.png"))

    clock.now += 4 * 60
    assert window.screen_lock.idle.check() is False  # not yet
    clock.now += 61
    assert window.screen_lock.idle.check() is True
    lock = window.screen_lock
    assert lock.locked and isinstance(lock.screen, LockScreen) and lock.screen.isVisible()
    assert not window.isVisible() and not wizard.isVisible()
    assert personal_on_screen() == []
    assert "鈴木" not in "\n".join(visible_texts())
    assert raw.closed  # the database closed, the key dropped
    assert window.desk.closed
    assert QGuiApplication.clipboard().text() == ""
    lock.screen.grab().save(str(shots / "lock_screen.png"))

    # wrong passwords: the core's message, then its back-off
    for _i in range(3):
        unlock(qtbot, window, "wrong password")
        assert lock.locked
        assert "パスワード" in lock.screen.error.text()
    unlock(qtbot, window, "wrong password")
    assert lock.locked and "秒" in lock.screen.error.text()
    lock.screen.grab().save(str(shots / "lock_backoff.png"))
    assert personal_on_screen() == []

    real_now = throttle_mod._now
    monkeypatch.setattr(throttle_mod, "_now", lambda: real_now() + 3600)
    unlock(qtbot, window, PASSWORD)
    assert not lock.locked and lock.screen is None
    new = window.desk.raw
    assert new is not raw and not new.closed
    assert window.isVisible() and wizard.isVisible()
    assert window.tabs.currentIndex() == tab_index
    assert window.current_case_view().detail.case.id == case_id
    assert wizard.person.name.text() == "鈴木 一郎"
    assert wizard.person.address.text() == "つなぐ町本町1-2-3 山﨑荘202"
    # the wizard works on the new desk: the next keystroke saves its draft there
    assert wizard.desk.raw is new
    type_text(wizard.person.kana, "すずき いちろう")
    qtbot.waitUntil(wizard.drafts.idle, timeout=5000)   # written once typing paused
    assert new.load_draft(DRAFT_KEY) is not None
    assert "すずき いちろう" in str(new.load_draft(DRAFT_KEY))
    actions = [r.action for r in new.security.audit_search(limit=20)]
    assert "auto_lock" in actions and "unlock" in actions
    assert actions.count("login_failed") >= 3  # counted while locked, audited at unlock
    wizard.close()
    qtbot.waitUntil(lambda: not __import__("ui.background").background.busy())
    new.close()


def test_ctrl_l_locks_and_a_stray_desk_reference_is_rebound(qtbot, desk_with_cases):
    raw = desk_with_cases
    window, quits = make_window(qtbot, raw, Clock())
    stray = QWidget()
    stray.desk = raw  # a widget that kept the desk object itself
    qtbot.addWidget(stray)
    window.screen_lock.action.trigger()
    assert window.screen_lock.locked and raw.closed
    assert window.screen_lock.action.shortcut().toString() == "Ctrl+L"
    from ui.lock import DeskLocked
    import pytest
    with pytest.raises(DeskLocked):
        window.desk.list_cases()
    unlock(qtbot, window, PASSWORD)
    assert not window.screen_lock.locked
    assert stray.desk is window.desk and not window.desk.closed
    assert [r.action for r in window.desk.security.audit_search(limit=3)][1:3] == ["login", "lock"] \
        or "lock" in [r.action for r in window.desk.security.audit_search(limit=5)]
    window.desk.raw.close()


def test_quit_from_the_lock_screen_keeps_the_draft(qtbot, desk_with_cases):
    window, quits = make_window(qtbot, desk_with_cases, Clock())
    wizard = window.new_intake()
    type_text(wizard.person.name, "下書き 太郎")
    window.screen_lock.lock()
    window.screen_lock.screen.quit_button.click()
    assert quits == [1] and window.wizard is None
    window.close()  # closing while locked touches no desk
    from app.desk import Desk
    with Desk.open(desk_with_cases.path if False else window.screen_lock.path, LOGIN,
                   PASSWORD) as d:
        assert "下書き 太郎" in str(d.load_draft(DRAFT_KEY))


def test_the_locked_program_keeps_the_desk_from_a_second_one(qtbot, desk_with_cases):
    """While locked the database is closed, but the program still holds the one-writer
    lock: a second program is refused (naming user and computer, saying the screen there is
    locked) and so cannot write while the wizard input waits; unlocking keeps the lock;
    「終了」 on the lock screen gives it back."""
    import socket

    from app.desk import Desk
    from app.errors import AlreadyOpen

    window, quits = make_window(qtbot, desk_with_cases, Clock())
    path = window.screen_lock.path
    wizard = window.new_intake()
    type_text(wizard.person.name, "未保存 花子")
    window.screen_lock.action.trigger()
    assert window.screen_lock.locked and desk_with_cases.closed
    with pytest.raises(AlreadyOpen) as refused:
        Desk.open(path, LOGIN, PASSWORD)
    message = str(refused.value)
    assert LOGIN in message and socket.gethostname() in message
    assert "画面がロックされている" in message
    unlock(qtbot, window, PASSWORD)
    assert not window.screen_lock.locked and not window.desk.closed
    assert wizard.person.name.text() == "未保存 花子"
    with pytest.raises(AlreadyOpen) as refused:  # still the first program's desk
        Desk.open(path, LOGIN, PASSWORD)
    assert "画面がロックされている" not in str(refused.value)
    # locked again, then 「終了」: the lock is given back, the desk opens elsewhere
    window.screen_lock.lock()
    window.screen_lock.screen.quit_button.click()
    assert quits == [1]
    Desk.open(path, LOGIN, PASSWORD).close()
    window.close()
