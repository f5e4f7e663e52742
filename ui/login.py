"""Login: user name and password (or the printed recovery key) for one database file."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton, QStackedWidget,
    QVBoxLayout, QWidget,
)

from app.desk import Desk
from app.errors import DamagedDatabase, MissingKeySlots, TruncatedDatabase, TsunaguError
from app.i18n import _
from ui.background import run_in_background
from ui.widgets import ErrorLabel


class LoginDialog(QDialog):
    """Opens the desk in the background; ``desk`` is set when the dialog is accepted.

    A damaged, cut-off or key-less database ends the dialog with the result ``DAMAGED``
    and the error in ``damage``: the caller shows the recovery screen (ui/recovery.py)."""

    DAMAGED = 2

    def __init__(self, path: str | Path, parent: QWidget | None = None, *, login: str = "",
                 notice: str = ""):
        super().__init__(parent)
        self.path = Path(path)
        self.desk: Desk | None = None
        self.damage: TsunaguError | None = None
        self.setWindowTitle(_("Tsunagu — log in"))
        title = QLabel(_("Tsunagu"))
        title.setStyleSheet("font-size: 18pt; font-weight: bold; color: #1d3d5c;")
        self.where = where = QLabel(_("Database: {path}").format(path=str(self.path)))
        where.setWordWrap(True)
        where.setStyleSheet("color: #556;")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.login = QLineEdit(login or os.environ.get("TSUNAGU_USER", ""))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setStyleSheet("lineedit-password-character: 8226;")
        password_form = QWidget()
        form = QFormLayout(password_form)
        form.addRow(_("User name"), self.login)
        form.addRow(_("Password"), self.password)

        self.recovery = QLineEdit()
        self.recovery.setPlaceholderText("XXXX-XXXX-XXXX-…")
        recovery_form = QWidget()
        rform = QFormLayout(recovery_form)
        note = QLabel(_("Type the key printed on the recovery-key sheet. After opening, set a "
                        "new password."))
        note.setWordWrap(True)
        rform.addRow(note)
        rform.addRow(_("Recovery key"), self.recovery)

        self.modes = QStackedWidget()
        self.modes.addWidget(password_form)
        self.modes.addWidget(recovery_form)
        self.error = ErrorLabel()
        self.status = QLabel()
        self.notice = QLabel(notice)  # e.g. what the recovery screen restored
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background: #e9f5ec; border: 1px solid #9fcfaa; "
                                  "padding: 8px; color: #1d4d2a;")
        self.notice.setVisible(bool(notice))
        self.switch = QPushButton(_("Open with the recovery key"))
        self.switch.setFlat(True)
        self.switch.setStyleSheet("color: #1f5f99; text-decoration: underline; text-align: left;")
        self.switch.setCursor(Qt.CursorShape.PointingHandCursor)
        self.switch.clicked.connect(self.toggle_mode)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Log in"))
        self.buttons.accepted.connect(self.try_open)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(where)
        layout.addWidget(self.notice)
        layout.addWidget(self.modes)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addWidget(self.switch, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        (self.password if self.login.text() else self.login).setFocus()

    def toggle_mode(self) -> None:
        recovery = self.modes.currentIndex() == 0
        self.modes.setCurrentIndex(1 if recovery else 0)
        self.switch.setText(_("Log in with a password") if recovery
                            else _("Open with the recovery key"))
        self.error.clear_message()
        (self.recovery if recovery else self.password).setFocus()

    def try_open(self) -> None:
        """Unlock off the GUI thread (the password hash takes a moment by design)."""
        self.error.clear_message()
        path = self.path
        if self.modes.currentIndex() == 0:
            login, password = self.login.text().strip(), self.password.text()
            op = lambda: Desk.open(path, login, password)  # noqa: E731
        else:
            key = self.recovery.text()
            op = lambda: Desk.open_with_recovery_key(path, key)  # noqa: E731
        self.buttons.setEnabled(False)
        self.status.setText(_("Opening…"))
        run_in_background(self, op, self._opened, self._failed)
        from PySide6.QtCore import QTimer
        QTimer.singleShot(0, self, warm_up)   # while the password is checked

    def _opened(self, desk: Desk) -> None:
        self.desk = desk
        self.status.setText("")
        self.buttons.setEnabled(True)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.status.setText("")
        self.buttons.setEnabled(True)
        message = str(error) if isinstance(error, TsunaguError) else \
            _("The database could not be opened: {error}").format(error=error)
        self.error.show_message(message)
        self.adjustSize()  # long messages (who has the database open) wrap onto more lines
        if isinstance(error, (DamagedDatabase, TruncatedDatabase, MissingKeySlots)):
            self.damage = error
            self.done(self.DAMAGED)
            return
        if self.modes.currentIndex() == 0:
            self.password.selectAll()
            self.password.setFocus()

    def entered(self) -> tuple[str, str, bool]:
        """(login, password or recovery key, whether it is the recovery key) as typed."""
        if self.modes.currentIndex() == 1:
            return "", self.recovery.text(), True
        return self.login.text().strip(), self.password.text(), False


def warm_up() -> None:
    """Load the main window's screens while the password is being checked (the GUI thread
    waits then anyway), so that the dashboard does not wait for them after login."""
    if getattr(warm_up, "done", False):
        return
    warm_up.done = True  # type: ignore[attr-defined]
    import ui.main_window  # noqa: F401
    from ui.areas import load_areas
    load_areas()
    import ui.wizards  # noqa: F401
