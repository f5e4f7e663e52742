"""管理 › 利用者: the accounts (add with role and team, change role or team, reset the
password, disable, enable) — every change through the core, its messages shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTreeWidget,
    QTreeWidgetItem, QVBoxLayout, QWidget,
)

from app.errors import ValidationError, ValidationErrors
from app.i18n import _
from app.security.roles import Role
from ui.dialogs.base import FormDialog, error_text
from ui.dialogs.password import NewPasswordDialog, reset_password_dialog
from ui.widgets import ErrorLabel


def role_combo(current: str = "") -> QComboBox:
    combo = QComboBox()
    for r in Role:
        combo.addItem(r.label, r.value)
    if current:
        combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class AddUserDialog(FormDialog):
    def __init__(self, desk, teams: list[str], parent: QWidget | None = None):
        super().__init__(_("Add a user"), parent, intro=_(
            "The new user gets their own key: the records are not re-encrypted."))
        self.desk = desk
        self.login = QLineEdit()
        self.login.setPlaceholderText(_("half-width, e.g. tanaka"))
        self.name = QLineEdit()
        self.role = role_combo(Role.CONSULTANT.value)
        self.team = QComboBox()
        self.team.setEditable(True)
        self.team.addItems([""] + teams)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(_("User name") + " *", self.login)
        self.form.addRow(_("Name") + " *", self.name)
        self.form.addRow(_("Role"), self.role)
        self.form.addRow(_("Team"), self.team)
        self.form.addRow(_("First password") + " *", self.password)
        self.form.addRow(_("First password (again)") + " *", self.again)
        self.finish_layout()
        self.added = None

    def submit(self) -> bool:
        if self.password.text() != self.again.text():
            self.error.show_message(_("The two passwords differ. Type them again."))
            return False
        try:
            self.added = self.desk.security.add_user(self.login.text(), self.name.text(),
                                            self.role.currentData(), self.password.text(),
                                            team=self.team.currentText())
        except (ValidationErrors, ValidationError, Exception) as error:  # noqa: BLE001
            self.error.show_message(error_text(error))
            return False
        return True


class ChangeRoleDialog(FormDialog):
    def __init__(self, desk, user, teams: list[str], parent: QWidget | None = None):
        super().__init__(_("Role and team of {login}").format(login=user.login), parent)
        self.desk, self.user = desk, user
        self.role = role_combo(user.role)
        self.team = QComboBox()
        self.team.setEditable(True)
        self.team.addItems(sorted(set([""] + teams + [user.team])))
        self.team.setCurrentText(user.team)
        self.form.addRow(_("Role"), self.role)
        self.form.addRow(_("Team"), self.team)
        self.finish_layout()

    def submit(self) -> bool:
        if self.role.currentData() != self.user.role and not self.attempt(
                self.desk.security.change_role, self.user.login, self.role.currentData()):
            return False
        if self.team.currentText().strip() != self.user.team:
            return self.attempt(self.desk.security.set_team, self.user.login, self.team.currentText())
        return True


class UsersPanel(QWidget):
    def __init__(self, admin):
        super().__init__()
        self.admin = admin
        self.table = QTreeWidget()
        self.table.setColumnCount(5)
        self.table.setHeaderLabels([_("User name"), _("Name"), _("Role"), _("Team"),
                                    _("State")])
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setStyleSheet("QTreeWidget::item { padding: 3px 8px; }")   # columns not run together
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setStretchLastSection(True)
        self.table.currentItemChanged.connect(lambda *_a: self._selection())
        self.add_button = QPushButton(_("Add a user…"))
        self.role_button = QPushButton(_("Role and team…"))
        self.reset_button = QPushButton(_("Reset password…"))
        self.disable_button = QPushButton(_("Disable"))
        self.enable_button = QPushButton(_("Enable…"))
        self.add_button.clicked.connect(self.add)
        self.role_button.clicked.connect(self.change_role)
        self.reset_button.clicked.connect(self.reset_password)
        self.disable_button.clicked.connect(self.disable)
        self.enable_button.clicked.connect(self.enable)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #1d6b2f;")
        self.error = ErrorLabel()
        buttons = QHBoxLayout()
        for b in (self.add_button, self.role_button, self.reset_button, self.disable_button,
                  self.enable_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.error)
        self.users: list = []
        self.refresh()

    @property
    def desk(self):
        return self.admin.desk

    def refresh(self) -> None:
        try:
            self.users = self.desk.security.list_users()
        except Exception as error:  # noqa: BLE001 - shown
            self.error.show_message(error_text(error))
            return
        current = self.selected()
        self.table.clear()
        for u in self.users:
            state = _("Active") if u.active else _("Disabled")
            item = QTreeWidgetItem([u.login, u.display_name, u.role_label, u.team or "—", state])
            item.setData(0, Qt.ItemDataRole.UserRole, u.login)
            if not u.active:
                for c in range(5):
                    item.setForeground(c, Qt.GlobalColor.gray)
            self.table.addTopLevelItem(item)
            if current is not None and u.login == current.login:
                self.table.setCurrentItem(item)
        self._selection()

    def selected(self):
        item = self.table.currentItem()
        if item is None:
            return None
        login = item.data(0, Qt.ItemDataRole.UserRole)
        return next((u for u in self.users if u.login == login), None)

    def select(self, login: str) -> None:
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == login:
                self.table.setCurrentItem(item)

    def _selection(self) -> None:
        u = self.selected()
        for b in (self.role_button, self.reset_button):
            b.setEnabled(u is not None and u.active)
        self.disable_button.setEnabled(u is not None and u.active)
        self.enable_button.setEnabled(u is not None and not u.active)

    def _done(self, text: str) -> None:
        self.error.clear_message()
        self.message.setText(text)
        self.refresh()

    def add(self) -> None:
        dialog = AddUserDialog(self.desk, self.desk.security.teams(), self)
        if self.admin.dialogs.run(dialog) and dialog.added is not None:
            self._done(_("{login} was added.").format(login=dialog.added.login))
            self.select(dialog.added.login)

    def change_role(self) -> None:
        u = self.selected()
        if u is not None and self.admin.dialogs.run(
                ChangeRoleDialog(self.desk, u, self.desk.security.teams(), self)):
            self._done(_("The role and team of {login} were saved.").format(login=u.login))

    def reset_password(self) -> None:
        u = self.selected()
        if u is not None and self.admin.dialogs.run(reset_password_dialog(self.desk, u.login,
                                                                          self)):
            self._done(_("A new password was set for {login}.").format(login=u.login))

    def disable(self) -> None:
        u = self.selected()
        if u is None or not self.admin.dialogs.confirm(
                self, _("Disable"), _("Disable {login}? The account stays in the records, but "
                                      "it can no longer open the database.").format(
                                          login=u.login)):
            return
        try:
            self.desk.security.disable_user(u.login)
        except Exception as error:  # noqa: BLE001 - the core's message
            self.message.setText("")
            self.error.show_message(error_text(error))
            return
        self._done(_("{login} was disabled.").format(login=u.login))

    def enable(self) -> None:
        u = self.selected()
        if u is None:
            return
        dialog = NewPasswordDialog(_("Enable {login}").format(login=u.login),
                                   lambda pw: self.desk.security.enable_user(u.login, pw), self,
                                   intro=_("A disabled account needs a new password."))
        if self.admin.dialogs.run(dialog):
            self._done(_("{login} was enabled.").format(login=u.login))
