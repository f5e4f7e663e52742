"""The recovery screen: a database that does not open (0 bytes, a flipped byte, the key
file gone) leads from the login to a screen that names the problem, checks the backups
and restores the newest intact one; then the desk opens with the backed-up data."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from app.desk import Desk
from app.errors import DamagedDatabase, MissingKeySlots, TruncatedDatabase
from tests.conftest import LOGIN, PASSWORD, copy_desk, make_intake
from ui.login import LoginDialog
from ui.recovery import RecoveryDialog, error_text


def make_backups(desk_path: Path, n: int = 2) -> list[Path]:
    """n backups, one a day; backup i holds i+1 cases named 控え 0 … 控え i."""
    paths = []
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        for i in range(n):
            desk.register_intake(make_intake(name=f"控え {i}"))
            paths.append(desk.maintenance.auto_backup(datetime(2026, 11, 1 + i, 9)))
        desk.register_intake(make_intake(name="バックアップの後"))
    return paths


def flip_byte(path: Path, where: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * where)] ^= 0x01
    path.write_bytes(bytes(data))


def login_fails_as_damaged(qtbot, desk_path: Path) -> LoginDialog:
    dialog = LoginDialog(desk_path, login=LOGIN)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password.setText(PASSWORD)
    dialog.try_open()
    qtbot.waitUntil(lambda: dialog.damage is not None, timeout=10000)
    assert dialog.result() == LoginDialog.DAMAGED
    assert dialog.desk is None
    return dialog


def recover_from(qtbot, dialog: LoginDialog) -> RecoveryDialog:
    login, secret, use_key = dialog.entered()
    screen = RecoveryDialog(dialog.path, error_text(dialog.damage), login=login, secret=secret,
                            use_recovery_key=use_key)
    qtbot.addWidget(screen)
    screen.show()
    return screen


def restore_and_check(qtbot, screen: RecoveryDialog, desk_path: Path, expected: int) -> None:
    qtbot.waitUntil(lambda: screen.restore_button.isEnabled(), timeout=15000)
    with qtbot.waitSignal(screen.accepted, timeout=15000):
        screen.restore_button.click()
    assert "復元しました" in screen.notice
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        names = sorted(c.name for c in desk.list_cases())
    assert names == sorted(f"控え {i}" for i in range(expected))
    assert list(desk_path.parent.glob(desk_path.name + ".replaced-*"))  # the old one is kept


@pytest.mark.parametrize("damage, error, words", [
    ("empty", TruncatedDatabase, "0バイト"),
    ("flipped", DamagedDatabase, "損傷"),
    ("no-keys", MissingKeySlots, "鍵ファイル"),
])
def test_damage_at_login_leads_to_the_recovery_screen_and_a_restore(qtbot, desk_path, damage,
                                                                   error, words):
    make_backups(desk_path, 2)
    if damage == "empty":
        desk_path.write_bytes(b"")
    elif damage == "flipped":
        flip_byte(desk_path, 0.6)
    else:
        Path(str(desk_path) + ".keys").unlink()
    dialog = login_fails_as_damaged(qtbot, desk_path)
    assert isinstance(dialog.damage, error)
    screen = recover_from(qtbot, dialog)
    assert words in screen.problem_label.text()  # the problem, named by the core
    assert screen.table.topLevelItemCount() == 2
    assert screen.table.topLevelItem(0).text(0).startswith("令和8年11月2日")  # newest first, 和暦
    restore_and_check(qtbot, screen, desk_path, expected=2)
    assert screen.table.topLevelItem(0).text(2) == "正常"


def test_a_damaged_newest_backup_is_skipped_for_an_older_intact_one(qtbot, desk_path):
    old, new = make_backups(desk_path, 2)
    flip_byte(new, 0.5)
    desk_path.write_bytes(b"")
    screen = recover_from(qtbot, login_fails_as_damaged(qtbot, desk_path))
    qtbot.waitUntil(lambda: screen.restore_button.isEnabled(), timeout=15000)
    assert screen.table.topLevelItem(0).text(2) == "破損 — 使いません"
    assert screen.table.topLevelItem(1).text(2) == "正常"
    assert "令和8年11月1日" in screen.status.text()
    restore_and_check(qtbot, screen, desk_path, expected=1)


def test_the_recovery_key_unlocks_the_backups(qtbot, desk_path, recovery_key):
    make_backups(desk_path, 1)
    desk_path.write_bytes(b"")
    screen = RecoveryDialog(desk_path, "壊れています", login="", secret=recovery_key,
                            use_recovery_key=True)
    qtbot.addWidget(screen)
    screen.show()
    restore_and_check(qtbot, screen, desk_path, expected=1)


def test_a_wrong_password_is_said_and_can_be_retyped(qtbot, desk_path):
    make_backups(desk_path, 2)
    desk_path.write_bytes(b"")
    screen = RecoveryDialog(desk_path, "空です", login=LOGIN, secret="wrong password")
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: "パスワード" in screen.status.text(), timeout=15000)
    assert not screen.restore_button.isEnabled()
    assert screen.table.topLevelItem(0).text(2) == "開けません（パスワード）"
    screen.secrets.password.setText(PASSWORD)
    screen.check_button.click()
    restore_and_check(qtbot, screen, desk_path, expected=2)


def test_no_backup_found_says_so_and_offers_another_folder(qtbot, desk_path, desk_template,
                                                           tmp_path):
    desk_path.write_bytes(b"")
    usb = tmp_path / "usb"
    chosen = []
    screen = RecoveryDialog(desk_path, "空です", login=LOGIN, secret=PASSWORD,
                            choose_folder=lambda parent: chosen.append(1) or str(usb))
    qtbot.addWidget(screen)
    screen.show()
    assert screen.table.topLevelItemCount() == 0
    assert "バックアップが見つかりません" in screen.status.text()
    assert not screen.restore_button.isEnabled()
    # The backups turn up on a USB drive (made from a copy of the same desk).
    (tmp_path / "other").mkdir()
    other = copy_desk(desk_template, tmp_path / "other")
    with Desk.open(other, LOGIN, PASSWORD) as desk:
        desk.register_intake(make_intake(name="控え 0"))
        desk.maintenance.backup(usb)
    screen.other_folder.click()
    assert chosen and screen.table.topLevelItemCount() == 1
    restore_and_check(qtbot, screen, desk_path, expected=1)


def test_login_dialog_shows_who_has_the_database_open(qtbot, desk_path):
    holder = Desk.open(desk_path, LOGIN, PASSWORD)
    try:
        dialog = LoginDialog(desk_path, login=LOGIN)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.password.setText(PASSWORD)
        dialog.try_open()
        qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
        text = dialog.error.text()
        assert "すでに開かれています" in text
        assert LOGIN in text and socket.gethostname() in text
        assert dialog.isVisible() and dialog.desk is None and dialog.damage is None
    finally:
        holder.close()
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.try_open()  # closed there: now it opens
    dialog.desk.close()


def test_a_restore_notice_is_shown_at_the_next_login(qtbot, desk_path):
    dialog = LoginDialog(desk_path, login=LOGIN, notice="2026/11/02 09:00 のバックアップを復元しました。")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.notice.isVisible() and "復元しました" in dialog.notice.text()
    assert QDialog.DialogCode.Accepted.value != LoginDialog.DAMAGED
