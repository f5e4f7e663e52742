"""パスワード変更 (every user, their own) and a new password set by the administrator."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QLineEdit, QWidget

from app.errors import ValidationError
from app.i18n import _
from ui.dialogs.base import FormDialog


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class NewPasswordDialog(FormDialog):
    """A new password typed twice; ``apply(password)`` asks the core (its message shown)."""

    def __init__(self, title: str, apply: Callable[[str], None], parent: QWidget | None = None,
                 *, intro: str = "", current: Callable[[str, str], None] | None = None):
        super().__init__(title, parent, intro=intro)
        self.apply = apply
        self.change_own = current
        self.current = _password_edit()
        if current is not None:
            self.form.addRow(_("Current password"), self.current)
        self.new = _password_edit()
        self.again = _password_edit()
        self.form.addRow(_("New password"), self.new)
        self.form.addRow(_("New password (again)"), self.again)
        self.finish_layout()

    def submit(self) -> bool:
        if self.new.text() != self.again.text():
            self.error.show_message(_("The two new passwords differ. Type them again."))
            self.again.clear()
            self.again.setFocus()
            return False
        if self.change_own is not None:
            ok = self.attempt(self.change_own, self.current.text(), self.new.text())
        else:
            ok = self.attempt(self.apply, self.new.text())
        if not ok:
            self.new.clear()
            self.again.clear()
        return ok


def change_password_dialog(desk, parent: QWidget | None = None) -> NewPasswordDialog:
    """The logged-in user changes their own password (Desk.change_password)."""
    return NewPasswordDialog(
        _("Change password"), lambda _pw: None, parent, current=desk.security.change_password,
        intro=_("Only your own key file entry changes; the records are not re-encrypted."))


def reset_password_dialog(desk, login: str, parent: QWidget | None = None) -> NewPasswordDialog:
    return NewPasswordDialog(
        _("Reset the password of {login}").format(login=login),
        lambda pw: desk.security.reset_password(login, pw), parent,
        intro=_("Tell the user the new password in person and ask them to change it."))


__all__ = ["NewPasswordDialog", "change_password_dialog", "reset_password_dialog",
           "ValidationError"]
