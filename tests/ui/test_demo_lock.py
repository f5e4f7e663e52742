"""The demo cannot trap a user: a demo desk's password is generated, never typed, so its lock
screen (Ctrl+L or idle) says the password and has it filled in — unlocking keeps what was
typed. A desk that is not a demo shows no password. Also: ヘルプ → バージョン情報."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.desk import Desk
from app.demo import create_demo
from app.security.keyslots import KdfParams
from tests.ui.conftest import type_text
from tests.ui.helpers_security import collect_garbage_here, fake_dialogs
from ui import background
from ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    collect_garbage_here()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def demo(tmp_path):
    """A real demo desk (app.demo.create_demo, as ``tsunagu --demo`` makes it), 3 cases."""
    path = tmp_path / "demo.db"
    login, password = create_demo(path, cases=3, kdf=KdfParams.fast())
    desk = Desk.open(path, login, password)
    yield desk, password
    background.wait_idle()
    if not desk.closed:
        desk.close()


def make_window(qtbot, desk, clock, demo_password=None, dialogs=None):
    quits = []
    window = MainWindow(
        desk, opener=lambda url: None, close_desk_on_exit=False, dialogs=dialogs,
        wizard_options=dict(ask_restore_draft=lambda: True, ask_keep_draft=lambda: True,
                            ask_same_person=lambda persons: None),
        lock_options=dict(clock=clock, start_timer=False, quit=lambda: quits.append(1),
                          demo_password=demo_password))
    qtbot.addWidget(window)
    window.show()
    return window, quits


def press_unlock(qtbot, window) -> None:
    screen = window.screen_lock.screen
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.screen_lock.locked or screen.error.isVisible(),
                    timeout=10000)


def test_ctrl_l_on_a_demo_shows_the_password_and_unlocks_with_one_click(qtbot, demo, shots):
    desk, password = demo
    window, quits = make_window(qtbot, desk, Clock(), demo_password=password)
    wizard = window.new_intake()
    type_text(wizard.person.name, "入力中 太郎")
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is not None)
    # Ctrl+L typed in the wizard (an application-wide shortcut)
    qtbot.keyClick(wizard.person.name, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    lock = window.screen_lock
    assert lock.locked and desk.closed
    screen = lock.screen
    assert screen.isVisible() and screen.demo_hint is not None and screen.demo_hint.isVisible()
    assert password in screen.demo_hint.text() and "デモ" in screen.demo_hint.text()
    assert "ロック解除" in screen.demo_hint.text()
    assert screen.password.text() == password
    screen.grab().save(str(shots / "demo_lock_screen.png"))
    press_unlock(qtbot, window)
    assert not lock.locked and not window.desk.closed and quits == []
    assert wizard.isVisible() and wizard.person.name.text() == "入力中 太郎"
    window.desk.raw.close()


def test_an_idle_demo_locks_and_a_wrong_password_leaves_the_demo_one_filled_in(qtbot, demo):
    desk, password = demo
    clock = Clock()
    window, _quits = make_window(qtbot, desk, clock, demo_password=password)
    clock.now += 60 * 60
    assert window.screen_lock.idle.check() is True
    lock = window.screen_lock
    assert lock.locked and password in lock.screen.demo_hint.text()
    lock.screen.password.setText("wrong password")
    press_unlock(qtbot, window)
    assert lock.locked and lock.screen.error.isVisible()
    assert lock.screen.password.text() == password  # filled in again after the failure
    press_unlock(qtbot, window)
    assert not lock.locked and not window.desk.closed
    window.desk.raw.close()


def test_a_password_changed_in_the_demo_is_the_one_shown(qtbot, demo):
    desk, password = demo

    def change(dialog) -> bool:
        assert dialog.current.text() == password  # the generated one, filled in
        dialog.new.setText("my new demo pw 1")
        dialog.again.setText("my new demo pw 1")
        dialog.accept()
        return dialog.result() == 1

    window, _quits = make_window(qtbot, desk, Clock(), demo_password=password,
                                 dialogs=fake_dialogs(change))
    window.screen_lock.password_action.trigger()
    window.screen_lock.lock()
    screen = window.screen_lock.screen
    assert "my new demo pw 1" in screen.demo_hint.text() and password not in \
        screen.demo_hint.text()
    press_unlock(qtbot, window)
    assert not window.screen_lock.locked
    window.desk.raw.close()


def test_a_real_desk_shows_no_password_on_its_lock_screen(qtbot, desk_with_cases):
    window, _quits = make_window(qtbot, desk_with_cases, Clock())
    window.screen_lock.action.trigger()
    screen = window.screen_lock.screen
    assert screen.demo_hint is None and screen.password.text() == ""
    assert "デモ" not in "\n".join(w.text() for w in screen.findChildren(type(screen.who)))
    screen.password.setText("correct horse 1")
    press_unlock(qtbot, window)
    assert not window.screen_lock.locked
    window.desk.raw.close()


def test_help_menu_shows_the_version_information_of_the_core(qtbot, desk_with_cases, shots):
    from app import __version__
    from ui.dialogs.about import AboutDialog

    shown = []

    def look(dialog) -> bool:
        assert isinstance(dialog, AboutDialog)
        dialog.show()
        dialog.grab().save(str(shots / "about.png"))
        shown.append({label: w.text() for label, w in dialog.values.items()})
        dialog.copy()
        return True

    window, _quits = make_window(qtbot, desk_with_cases, Clock(), dialogs=fake_dialogs(look))
    assert window.help_menu.title() == "ヘルプ(&H)"
    assert window.about_action.text() == "バージョン情報…"
    window.about_action.trigger()
    (values,) = shown
    assert __version__ in values["バージョン"]
    import sqlcipher3
    assert values["SQLCipher"].split()[0].count(".") == 2 and values["SQLite"]
    assert values["SQLite"] == sqlcipher3.sqlite_version
    from PySide6.QtCore import qVersion
    assert values["Qt"] == qVersion()
    assert values["データベース"] == str(desk_with_cases.path)
    assert values["鍵ファイル"] == str(desk_with_cases.path) + ".keys"
    assert values["バックアップ先"] == str(desk_with_cases.maintenance.backup_folder())
    clip = QGuiApplication.clipboard().text()
    assert f"SQLCipher: {values['SQLCipher']}" in clip and str(desk_with_cases.path) in clip
    QGuiApplication.clipboard().clear()
