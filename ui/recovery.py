"""The recovery screen: the database cannot be opened (damaged, cut off, 0 bytes, key file
missing), so it names the problem, checks the backups in the background and restores the
newest one that is intact. Also the password prompt for a restore chosen in the backup
area, and ``log_in`` — the login dialog that leads to this screen when needed.

Never an empty desk and never a traceback: whatever fails, the screen says what and what
to do. Restoring keeps the replaced files beside the database (app.store.backup.restore).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
    QWidget,
)

from app.desk import Desk
from app.errors import TsunaguError, WrongPassword
from app.i18n import _
from app.operations.maintenance import BackupUnlocker, backup_folders_for
from app.store.backup import BackupInfo, list_backups
from ui.background import run_in_background
from ui.widgets import ErrorLabel

OK_COLOR = "#1d6b2f"
BAD_COLOR = "#b00020"
WAIT_COLOR = "#556"


def when_text(moment: datetime) -> str:
    """令和8年12月3日 14:05 — a moment as a person reads it (issue 14: 和暦 everywhere)."""
    from app import text_ja
    return f"{text_ja.format_wareki(moment.date(), 'long')} {moment.strftime('%H:%M')}"


def size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 100 * 1024 else f"{max(1, n // 1024)} KB"


def error_text(error: BaseException) -> str:
    """The core's message, or a plain sentence for anything unexpected (no traceback)."""
    if isinstance(error, TsunaguError):
        return str(error)
    return _("Unexpected error: {error}").format(error=error)


class SecretFields(QWidget):
    """User name and password, or (checked) the printed recovery key."""

    def __init__(self, login: str = "", secret: str = "", parent: QWidget | None = None, *,
                 use_recovery_key: bool = False):
        super().__init__(parent)
        self.login = QLineEdit(login)
        self.password = QLineEdit(secret if not use_recovery_key else "")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setStyleSheet("lineedit-password-character: 8226;")
        self.recovery = QLineEdit(secret if use_recovery_key else "")
        self.recovery.setPlaceholderText("XXXX-XXXX-XXXX-…")
        self.use_recovery = QCheckBox(_("Use the recovery key instead of a password"))
        self.use_recovery.toggled.connect(self._toggle)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.login_label = QLabel(_("User name"))
        self.password_label = QLabel(_("Password"))
        self.recovery_label = QLabel(_("Recovery key"))
        form.addRow(self.login_label, self.login)
        form.addRow(self.password_label, self.password)
        form.addRow(self.recovery_label, self.recovery)
        form.addRow("", self.use_recovery)
        self.use_recovery.setChecked(use_recovery_key)
        self._toggle(use_recovery_key)

    def _toggle(self, recovery: bool) -> None:
        for w in (self.login_label, self.login, self.password_label, self.password):
            w.setVisible(not recovery)
        self.recovery_label.setVisible(recovery)
        self.recovery.setVisible(recovery)

    def values(self) -> tuple[str, str]:
        """(login, secret); login is '' when the recovery key is used."""
        if self.use_recovery.isChecked():
            return "", self.recovery.text()
        return self.login.text().strip(), self.password.text()

    def filled(self) -> bool:
        login, secret = self.values()
        return bool(secret) and (bool(login) or self.use_recovery.isChecked())


class RecoveryDialog(QDialog):
    """Names the problem, lists the backups (newest first), checks each in the background
    once unlocked, and restores the newest intact one. Accepted after a restore: ``notice``
    says what was done, for the login dialog that follows."""

    def __init__(self, path: str | Path, problem: str, parent: QWidget | None = None, *,
                 login: str = "", secret: str = "", use_recovery_key: bool = False,
                 choose_folder: Callable[[QWidget], str | None] | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.problem = problem
        self.notice = ""
        self.choose_folder = choose_folder or (lambda parent: QFileDialog.getExistingDirectory(
            parent, _("Folder with the backups")) or None)
        self.folders = backup_folders_for(self.path)
        self.backups: list[BackupInfo] = []
        self.status_of: dict[Path, str] = {}  # "ok", "bad", "wait"
        self.rows: dict[Path, QTreeWidgetItem] = {}
        self._round = 0
        self._restoring = False
        self.setWindowTitle(_("Tsunagu — the database cannot be opened"))

        title = QLabel(_("The database cannot be opened"))
        title.setStyleSheet(f"font-size: 16pt; font-weight: bold; color: {BAD_COLOR};")
        self.problem_label = QLabel(problem)
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_label.setStyleSheet(
            "background: #fdecee; border: 1px solid #e7b4bb; border-radius: 4px; padding: 10px;"
            "color: #5a0010;")
        where = QLabel(_("Database: {path}").format(path=str(self.path)))
        where.setWordWrap(True)
        where.setStyleSheet("color: #556;")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        explain = QLabel(_(
            "Nothing was opened or overwritten. Restore the newest backup that is intact: the "
            "backups below are checked with your password (or the recovery key) and the newest "
            "intact one is offered. The damaged files are kept beside the database."))
        explain.setWordWrap(True)

        self.secrets = SecretFields(login, secret, use_recovery_key=use_recovery_key)
        self.check_button = QPushButton(_("Check the backups"))
        self.check_button.clicked.connect(self.check_backups)
        self.secrets.password.returnPressed.connect(self.check_backups)
        self.secrets.recovery.returnPressed.connect(self.check_backups)

        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels([_("Made on"), _("Size"), _("State"), _("File")])
        header = self.table.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setMinimumHeight(170)
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setStyleSheet("color: #556;")
        self.other_folder = QPushButton(_("Look in another folder…"))
        self.other_folder.clicked.connect(self.add_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.other_folder)

        self.error = ErrorLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.restore_button = QPushButton(_("Restore the newest intact backup"))
        self.restore_button.setEnabled(False)
        # Not bold: the UI font has no bold face and synthetic bold overflows the button.
        self.restore_button.setStyleSheet(
            "QPushButton { padding: 6px 14px; }"  # also while disabled: the size hint
            "QPushButton:enabled { background: #1f5f99; color: white; border-radius: 4px; }")
        self.restore_button.clicked.connect(self.restore_newest)
        self.quit_button = QPushButton(_("Quit"))
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.restore_button)

        unlock = QHBoxLayout()
        unlock.addWidget(self.secrets, 1)
        unlock.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignBottom)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.problem_label)
        layout.addWidget(where)
        layout.addWidget(explain)
        layout.addSpacing(6)
        layout.addWidget(_heading(_("Backups")))
        layout.addLayout(folder_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(unlock)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setMinimumWidth(680)
        self.reload()
        if self.secrets.filled():
            self.check_backups()
        else:
            (self.secrets.recovery if use_recovery_key else
             self.secrets.password if login else self.secrets.login).setFocus()

    # ---------------------------------------------------------------- backups
    def reload(self) -> None:
        found: dict[Path, BackupInfo] = {}
        for folder in self.folders:
            try:
                for info in list_backups(folder):
                    found.setdefault(info.path, info)
            except OSError:
                continue
        self.backups = sorted(found.values(), key=lambda b: (b.created, b.path.name),
                              reverse=True)
        self.folder_label.setText(_("Looked in: {folders}").format(
            folders="、".join(str(f) for f in self.folders)))
        self.table.clear()
        self.rows.clear()
        self.status_of.clear()
        for info in self.backups:
            item = QTreeWidgetItem([when_text(info.created), size_text(info.size),
                                    _("Not checked yet"), info.path.name])
            item.setToolTip(3, str(info.path))
            self.table.addTopLevelItem(item)
            self.rows[info.path] = item
        self.restore_button.setEnabled(False)
        if not self.backups:
            self.status.setText(_(
                "No backup was found. If the backups are on a USB drive or a network drive, "
                "connect it and press \"Look in another folder…\". Without a backup the "
                "records cannot be recovered: do not start a new database over this one."))
            self.status.setStyleSheet(f"color: {BAD_COLOR};")
        else:
            self.status.setText("")
            self.status.setStyleSheet("")

    def add_folder(self) -> None:
        chosen = self.choose_folder(self)
        if not chosen:
            return
        folder = Path(chosen)
        if folder not in self.folders:
            self.folders.insert(0, folder)
        self.reload()
        if self.secrets.filled():
            self.check_backups()

    def _set_row(self, path: Path, text: str, color: str) -> None:
        item = self.rows.get(path)
        if item is None:
            return
        item.setText(2, text)
        item.setForeground(2, QBrush(QColor(color)))

    def check_backups(self) -> None:
        """Unlock and verify every backup in the background, newest first."""
        self.error.clear_message()
        if not self.backups:
            return
        if not self.secrets.filled():
            self.error.show_message(_("Enter the user name and password (or the recovery key) "
                                      "that were valid when the backups were made."))
            return
        login, secret = self.secrets.values()
        unlocker = BackupUnlocker(login, secret)
        self._round += 1
        token = self._round
        self.restore_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(_("Checking the backups…"))
        for info in self.backups:
            self.status_of[info.path] = "wait"
            self._set_row(info.path, _("Checking…"), WAIT_COLOR)

        for info in self.backups:
            def op(path=info.path):
                if token != self._round:
                    return None  # a newer round or a restore started: skip
                unlocker.check(path)
                return True

            run_in_background(self, op,
                              lambda result, path=info.path: self._checked(token, path, result),
                              lambda error, path=info.path: self._check_failed(token, path, error))

    def _checked(self, token: int, path: Path, result) -> None:
        if token != self._round or result is None:
            return
        self.status_of[path] = "ok"
        self._set_row(path, _("Intact"), OK_COLOR)
        self._update()

    def _check_failed(self, token: int, path: Path, error: BaseException) -> None:
        if token != self._round:
            return
        self.status_of[path] = "bad"
        if isinstance(error, WrongPassword):
            self._set_row(path, _("Cannot unlock (password)"), BAD_COLOR)
        else:
            self._set_row(path, _("Damaged — skipped"), BAD_COLOR)
        self.rows[path].setToolTip(2, error_text(error))
        self._update()

    def newest_intact(self) -> BackupInfo | None:
        """The newest backup known to be intact, once every newer one has been checked."""
        for info in self.backups:
            state = self.status_of.get(info.path)
            if state == "ok":
                return info
            if state != "bad":
                return None
        return None

    def _update(self) -> None:
        best = self.newest_intact()
        pending = any(s == "wait" for s in self.status_of.values())
        self.restore_button.setEnabled(best is not None and not self._restoring)
        if best is not None:
            self.status.setStyleSheet(f"color: {OK_COLOR};")
            self.status.setText(_("The backup of {when} is intact and can be restored.")
                                .format(when=when_text(best.created)))
            self.rows[best.path].setSelected(True)
        elif not pending:
            states = [self.status_of.get(b.path) for b in self.backups]
            wrong = all(self.rows[b.path].text(2) == _("Cannot unlock (password)")
                        for b in self.backups)
            self.status.setStyleSheet(f"color: {BAD_COLOR};")
            if wrong:
                self.status.setText(_("The password (or recovery key) does not unlock the "
                                      "backups. Use the one that was valid when they were "
                                      "made."))
            elif states:
                self.status.setText(_("No intact backup was found here. Look in another "
                                      "folder (a USB drive or network drive) if there is one."))

    # ---------------------------------------------------------------- restore
    def restore_newest(self) -> None:
        best = self.newest_intact()
        if best is None:
            return
        login, secret = self.secrets.values()
        self._round += 1  # the checks still queued are skipped
        self._restoring = True
        self.restore_button.setEnabled(False)
        self.check_button.setEnabled(False)
        self.error.clear_message()
        self.status.setStyleSheet("")
        self.status.setText(_("Restoring the backup of {when}…").format(
            when=when_text(best.created)))
        path = self.path
        run_in_background(self, lambda: Desk.restore(best.path, path, login, secret),
                          lambda kept: self._restored(best, kept), self._restore_failed)

    def _restored(self, best: BackupInfo, kept) -> None:
        self._restoring = False
        self.notice = _("Restored the backup of {when}. The replaced files were kept as "
                        "{kept}. Log in again; records entered after the backup must be "
                        "entered again.").format(when=when_text(best.created),
                                                 kept=Path(kept).name)
        told = getattr(kept, "message", "")  # what was set aside, which work is missing
        if told:
            self.notice += "\n" + told
        self.accept()

    def _restore_failed(self, error: BaseException) -> None:
        self._restoring = False
        self.check_button.setEnabled(True)
        self.status.setText("")
        self.error.show_message(error_text(error))
        self._update()


class RestoreConfirmDialog(QDialog):
    """Confirms replacing the open database with a chosen backup and takes the password
    (or recovery key) valid when the backup was made."""

    def __init__(self, backup: BackupInfo, login: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Restore a backup"))
        title = QLabel(_("Replace the database with this backup?"))
        title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        what = QLabel(_("Backup of {when} ({size})\n{path}").format(
            when=when_text(backup.created), size=size_text(backup.size), path=backup.path))
        what.setWordWrap(True)
        what.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        what.setStyleSheet("background: #f3f6fa; border: 1px solid #c9d6e3; padding: 8px;")
        warn = QLabel(_("Records entered after this backup will not be in the restored "
                        "database (the current files are kept beside it). Tsunagu closes the "
                        "database, restores the backup and asks you to log in again."))
        warn.setWordWrap(True)
        warn.setStyleSheet(f"color: {BAD_COLOR};")
        self.secrets = SecretFields(login, "")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Restore"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.error = ErrorLabel()
        layout = QVBoxLayout(self)
        for w in (title, what, warn, self.secrets, self.error, self.buttons):
            layout.addWidget(w)
        self.setMinimumWidth(560)
        self.secrets.password.setFocus()

    def _accept(self) -> None:
        if not self.secrets.filled():
            self.error.show_message(_("Enter the password (or the recovery key)."))
            return
        self.accept()


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: bold; color: #1d3d5c; margin-top: 4px;")
    return label


def log_in(path: str | Path, *, notice: str = "", parent: QWidget | None = None,
           recovery: Callable[..., QDialog] = RecoveryDialog):
    """The login dialog; when the database turns out damaged, the recovery screen, then
    the login again. Returns the opened Desk, or None if the user gave up."""
    from ui.login import LoginDialog
    while True:
        dialog = LoginDialog(path, parent, notice=notice)
        result = dialog.exec()
        if result == LoginDialog.DAMAGED and dialog.damage is not None:
            login, secret, use_key = dialog.entered()
            screen = recovery(path, error_text(dialog.damage), parent, login=login,
                              secret=secret, use_recovery_key=use_key)
            if screen.exec() != QDialog.DialogCode.Accepted:
                return None
            notice = screen.notice
            continue
        if result != QDialog.DialogCode.Accepted or dialog.desk is None:
            return None
        return dialog.desk


def recover(path: str | Path, problem: str, login: str = "", parent: QWidget | None = None,
            recovery: Callable[..., QDialog] = RecoveryDialog):
    """The recovery screen for damage found after login, then the login. Desk or None."""
    screen = recovery(path, problem, parent, login=login)
    if screen.exec() != QDialog.DialogCode.Accepted:
        return None
    return log_in(path, notice=screen.notice, parent=parent, recovery=recovery)
