"""First-run wizard (creates the desk, shows the recovery key once) and the login dialog."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard

from app.desk import Desk
from app.security.keyslots import KdfParams
from tests.conftest import LOGIN, PASSWORD
from tests.ui.conftest import type_text
from ui.login import LoginDialog
from ui.setup_wizard import SetupWizard


def _fill_setup(wizard: SetupWizard) -> None:
    type_text(wizard.agency.name, "つなぐ町自立相談支援センター")
    type_text(wizard.agency.municipality, "つなぐ町")
    wizard.agency.population.setValue(8200)
    wizard.next()
    type_text(wizard.admin.login, "sato")
    type_text(wizard.admin.display_name, "佐藤 花子")
    wizard.next()


def test_setup_wizard_creates_the_desk_and_shows_the_recovery_key(qtbot, tmp_path):
    opened = []
    path = tmp_path / "new" / "tsunagu.db"
    wizard = SetupWizard(path, kdf=KdfParams.fast(), opener=opened.append)
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_setup(wizard)
    assert wizard.currentPage() is wizard.password
    wizard.password.password.setText("short")
    wizard.password.confirm.setText("short")
    wizard.next()
    assert wizard.currentPage() is wizard.password
    assert "8文字以上" in wizard.password.error_labels["password"].text()
    wizard.password.password.setText("correct horse 1")
    wizard.password.confirm.setText("correct horse 2")
    wizard.next()
    assert "一致しません" in wizard.password.error_labels["password.confirm"].text()
    wizard.password.confirm.setText("correct horse 1")
    wizard.next()
    assert wizard.currentPage() is wizard.confirm      # 確認: what will be created
    summary = wizard.confirm.summary.text()
    assert "つなぐ町自立相談支援センター" in summary and "8,200" in summary and "sato" in summary
    assert "correct horse" not in summary              # never the password
    assert not Desk.exists(path)
    wizard.next()                                      # 作成
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery, timeout=10000)
    assert Desk.exists(path)
    key = wizard.recovery.key.text()
    assert key and key == wizard.recovery_key
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # the key must be acknowledged first
    wizard.reject()
    assert wizard.isVisible()      # no way out before it is
    wizard.recovery.print_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    pdf = wizard.printed_paths[0]
    assert pdf.read_bytes().startswith(b"%PDF")
    wizard.recovery.kept.setChecked(True)
    assert finish.isEnabled()
    assert wizard.desk.agency.name == "つなぐ町自立相談支援センター"
    assert wizard.desk.user.login == "sato"
    wizard.desk.close()
    reopened = Desk.open_with_recovery_key(path, key)
    reopened.close()


def test_setup_wizard_refuses_an_empty_agency_name(qtbot, tmp_path):
    wizard = SetupWizard(tmp_path / "x.db", kdf=KdfParams.fast())
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    assert wizard.currentPage() is wizard.agency
    assert "機関名を入力してください" in wizard.agency.error_labels["agency.name"].text()
    assert "人口" in wizard.agency.error_labels["agency.population"].text()
    assert not (tmp_path / "x.db").exists()


def test_login_wrong_then_right_password(qtbot, desk_path):
    dialog = LoginDialog(desk_path, login=LOGIN)
    qtbot.addWidget(dialog)
    dialog.show()
    assert str(desk_path) in dialog.where.text()
    dialog.password.setText("wrong password")
    dialog.try_open()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
    assert "パスワード" in dialog.error.text()
    assert dialog.desk is None
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.try_open()
    assert dialog.desk is not None and dialog.desk.user.login == LOGIN
    dialog.desk.close()


def test_login_with_the_recovery_key(qtbot, desk_path, recovery_key):
    dialog = LoginDialog(desk_path)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.switch.click()
    assert dialog.modes.currentIndex() == 1
    assert dialog.switch.text() == "パスワードでログイン"
    dialog.recovery.setText("AAAA-BBBB")
    dialog.try_open()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
    dialog.recovery.setText(recovery_key)
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.try_open()
    dialog.desk.close()


def test_login_shows_the_cores_message_for_a_damaged_file(qtbot, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"")
    dialog = LoginDialog(bad, login=LOGIN)
    qtbot.addWidget(dialog)
    dialog.password.setText(PASSWORD)
    dialog.try_open()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=10000)
    assert dialog.desk is None
    assert any("\u3040" <= ch <= "\u30ff" for ch in dialog.error.text())  # Japanese, as is


def test_login_wrong_password_on_a_full_disk_is_refused_in_words(qtbot, desk_path,
                                                                  monkeypatch, shots):
    """The failed attempt cannot be written (disk full): the dialog still refuses the
    password and says, in Japanese, why the attempt was not recorded — no raw OSError."""
    import errno

    from app.security import throttle as throttle_mod

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(throttle_mod, "write_atomic", full)
    monkeypatch.setattr(throttle_mod, "_unrecorded", {})
    dialog = LoginDialog(desk_path, login=LOGIN)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password.setText("wrong password")
    dialog.try_open()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
    shown = dialog.error.text()
    assert "パスワード" in shown and "ディスクがいっぱい" in shown
    assert "Errno" not in shown and "No space" not in shown
    assert dialog.desk is None and dialog.isVisible()
    dialog.grab().save(str(shots / "login_disk_full.png"))


def test_closing_the_setup_with_input_asks_and_continue_keeps_it_open(qtbot, tmp_path):
    """Issue 14: closing a wizard with input asks; 入力を続ける keeps everything typed."""
    answers = [False, True]
    wizard = SetupWizard(tmp_path / "x.db", kdf=KdfParams.fast(),
                         ask_close=lambda: answers.pop(0))
    qtbot.addWidget(wizard)
    wizard.show()
    type_text(wizard.agency.name, "つなぐ町自立相談支援センター")
    wizard.reject()                       # 入力を続ける
    assert wizard.isVisible() and wizard.agency.name.text() == "つなぐ町自立相談支援センター"
    wizard.reject()                       # 入力を破棄して閉じる
    assert not wizard.isVisible() and answers == []
    empty = SetupWizard(tmp_path / "y.db", kdf=KdfParams.fast(),
                        ask_close=lambda: pytest.fail("nothing typed: no question"))
    qtbot.addWidget(empty)
    empty.show()
    empty.reject()
    assert not empty.isVisible()


def test_the_setup_by_keyboard_alone_at_1280x720(qtbot, tmp_path, shots):
    """Issue 21 point 5: the set-up on the wizard frame — Tab, typing and Enter only, each
    page judged by the core at 次へ (pure: at once), 確認, 作成, the recovery key; every page
    inside a 1280×720 screen with its buttons."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    from tests.ui.keyboard import Keyboard, focused
    from tests.ui.test_small_screens import inside
    from ui.fit import fit_to_screen, room_on
    from ui.wizards.base import FormWizard
    path = tmp_path / "kb" / "tsunagu.db"
    wizard = SetupWizard(path, kdf=KdfParams.fast(), opener=lambda url: None)
    assert isinstance(wizard, FormWizard) and not wizard.keeps_drafts
    qtbot.addWidget(wizard)
    room = room_on(1280, 720)
    fit_to_screen(wizard, 760, 560, room)
    wizard.show()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard, timeout=5000)
    kb = Keyboard(qtbot)
    enter = Qt.Key.Key_Return

    def fits(name: str) -> None:
        QApplication.processEvents()
        assert wizard.width() <= room.width() and wizard.height() <= room.height()
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.CommitButton,
                      QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton):
            if wizard.button(which).isVisible():
                assert inside(wizard.button(which), wizard), (name, which)
        wizard.grab().save(str(shots / f"setup_{name}.png"))

    a = wizard.agency
    fits("agency")
    kb.key(enter)                                       # nothing typed: stays, says why
    assert wizard.currentPage() is a and a.error_labels["agency.name"].text()
    kb.tab_to(a.name)
    kb.type("つなぐ町自立相談支援センター")
    kb.tab_to(a.municipality)
    kb.type("つなぐ町")
    kb.tab_to(a.population)
    kb.replace("8200")
    kb.key(enter)
    assert wizard.currentPage() is wizard.admin
    fits("admin")
    kb.tab_to(wizard.admin.login)
    kb.type("sato")
    kb.tab_to(wizard.admin.display_name)
    kb.type("佐藤 花子")
    kb.key(enter)
    p = wizard.password
    assert wizard.currentPage() is p
    fits("password")
    kb.tab_to(p.password)
    kb.type("correct horse 1")
    kb.tab_to(p.confirm)
    kb.type("correct horse 2")
    kb.key(enter)                                       # the core: the two differ
    assert wizard.currentPage() is p and "一致しません" in p.error_labels["password.confirm"].text()
    assert focused() is p.confirm
    kb.replace("correct horse 1")
    kb.key(enter)
    assert wizard.currentPage() is wizard.confirm
    fits("confirm")
    assert wizard.button(QWizard.WizardButton.CommitButton).text() == "作成"
    kb.key(enter)                                       # 作成
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery, timeout=10000)
    fits("recovery")
    kb.tab_to(wizard.recovery.kept)
    kb.key(Qt.Key.Key_Space)
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.isEnabled() and finish.text() == "完了"
    kb.press(finish)
    assert not wizard.isVisible() and wizard.desk is not None
    assert wizard.desk.agency.population == 8200
    wizard.desk.close()
