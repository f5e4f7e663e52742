"""First run: the agency, the administrator and the password; then the desk is created and
the recovery key is shown once, to be printed and kept safe before going on."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QFormLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget,
    QWizard, QWizardPage,
)

from app import validation
from app.validation import collect
from app.desk import MIN_PASSWORD_DEFAULT, Desk, check_login, check_password
from app.errors import TsunaguError, ValidationError, ValidationErrors
from app.i18n import _
from ui import printing
from ui.background import run_in_background
from ui.startup import ui_font
from ui.widgets import ErrorLabel


class _Page(QWizardPage):
    def __init__(self, title: str, subtitle: str = ""):
        super().__init__()
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.form = QFormLayout()
        self.errors: dict[str, ErrorLabel] = {}
        self.fields: dict[str, QWidget] = {}
        self.general_error = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addStretch(1)

    def add(self, key: str, label: str, widget: QWidget) -> None:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        error = ErrorLabel()
        column.addWidget(error)
        self.errors[key] = error
        self.fields[key] = widget
        self.form.addRow(label, box)

    def show_errors(self, errors: list[ValidationError]) -> bool:
        for label in self.errors.values():
            label.clear_message()
        general = []
        for e in errors:
            if e.field in self.errors:
                self.errors[e.field].show_message(e.message)
            else:
                general.append(e.message)
        self.general_error.show_message("\n".join(general))
        for key, widget in self.fields.items():
            if any(e.field == key for e in errors):
                widget.setFocus()
                break
        return not errors


class AgencyPage(_Page):
    def __init__(self):
        super().__init__(_("Your agency"),
                         _("These appear on every printed sheet. They can be changed later."))
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("e.g. Tsunagu Town Self-Reliance Support Center"))
        self.municipality = QLineEdit()
        self.population = QSpinBox()
        self.population.setRange(0, 50_000_000)
        self.population.setGroupSeparatorShown(True)
        self.population.setValue(0)
        self.population.setMaximumWidth(180)
        self.add("agency.name", _("Agency name"), self.name)
        self.add("agency.municipality", _("Municipality"), self.municipality)
        self.add("agency.population", _("Population"), self.population)

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        errors: list[ValidationError] = []
        collect(errors, validation.clean_text, self.name.text(), "agency.name", _("Agency name"),
                required=True, max_len=100)
        collect(errors, validation.clean_text, self.municipality.text(), "agency.municipality",
                _("Municipality"), required=True, max_len=100)
        if self.population.value() <= 0:
            errors.append(ValidationError("agency.population", _(
                "Enter the population as a whole number greater than 0.")))
        return self.show_errors(errors)


class AdminPage(_Page):
    def __init__(self):
        super().__init__(_("Administrator"),
                         _("The first user. The administrator adds the other staff later."))
        self.login = QLineEdit()
        self.login.setPlaceholderText(_("half-width letters and digits, e.g. sato"))
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText(_("e.g. 佐藤 花子"))
        self.add("admin.login", _("User name (for login)"), self.login)
        self.add("admin.name", _("Name shown on records"), self.display_name)

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        errors: list[ValidationError] = []
        collect(errors, check_login, self.login.text())
        collect(errors, validation.clean_text, self.display_name.text(), "admin.name", _("Name"),
                required=True, max_len=50)
        return self.show_errors(errors)


class PasswordPage(_Page):
    """The password; pressing 作成 creates the desk (in the background)."""

    def __init__(self, wizard: "SetupWizard"):
        super().__init__(_("Password"),
                         _("The password protects every record. Nobody can recover it: "
                           "the recovery key shown next is the only way back."))
        self.w = wizard
        self.min_length = QSpinBox()
        self.min_length.setRange(8, 64)
        self.min_length.setValue(max(8, MIN_PASSWORD_DEFAULT))
        self.min_length.setSuffix(_(" characters or more"))
        self.min_length.setMaximumWidth(200)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setStyleSheet("lineedit-password-character: 8226;")
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setStyleSheet("lineedit-password-character: 8226;")
        self.add("password.rule", _("Minimum password length"), self.min_length)
        self.add("password", _("Password"), self.password)
        self.add("password.confirm", _("Password (again)"), self.confirm)
        self.status = QLabel()
        self.layout().insertWidget(2, self.status)
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, _("Create"))
        self._busy = False

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self.w.desk is not None:
            return True
        if self._busy:
            return False
        errors: list[ValidationError] = []
        collect(errors, check_password, self.password.text(), self.min_length.value())
        if not errors and self.password.text() != self.confirm.text():
            errors.append(ValidationError("password.confirm", _("The two passwords differ.")))
        if not self.show_errors(errors):
            return False
        self._busy = True
        self.status.setText(_("Creating the encrypted database…"))
        self.w.create_desk()
        return False

    def creation_finished(self, error: BaseException | None) -> None:
        self._busy = False
        self.status.setText("")
        if error is None:
            self.w.next()
            return
        if isinstance(error, ValidationErrors):
            self.show_errors(error.errors)
        else:
            self.general_error.show_message(str(error) if isinstance(error, TsunaguError)
                                            else repr(error))


class RecoveryKeyPage(QWizardPage):
    """Shown once: the recovery key, 印刷, and a required confirmation."""

    def __init__(self, wizard: "SetupWizard"):
        super().__init__()
        self.w = wizard
        self.setTitle(_("Recovery key"))
        self.setSubTitle(_("This key opens the records when every password is forgotten. "
                           "It is shown only now: print it and keep the sheet in a safe."))
        self.key = QLabel()
        self.key.setFont(ui_font(22, mono=True))
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setWordWrap(True)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setStyleSheet("background: #fffbe6; border: 2px solid #c9a227; padding: 18px;")
        self.print_button = QPushButton(_("Print"))
        self.print_button.setMinimumHeight(34)
        self.print_button.clicked.connect(self.print_key)
        self.print_error = ErrorLabel()
        self.kept = QCheckBox(_("I have stored the recovery key in a safe place"))
        self.kept.toggled.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.key)
        layout.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.print_error)
        layout.addStretch(1)
        layout.addWidget(self.kept)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.key.setText(self.w.recovery_key or "")

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.kept.isChecked() and self.w.desk is not None

    def print_key(self) -> None:
        self.print_button.setEnabled(False)
        path = printing.new_pdf_path("recovery-key")
        agency, key = self.w.desk.agency, self.w.recovery_key

        def work():
            from forms.recovery import render_recovery_key  # written by the paper layer
            return render_recovery_key(path, agency, key, date.today())

        def done(_warnings) -> None:
            self.print_button.setEnabled(True)
            printing.open_pdf(path, self.w.opener, self)   # says where the sheet is
            self.w.printed_paths.append(path)

        def failed(error: BaseException) -> None:
            self.print_button.setEnabled(True)
            self.print_error.show_message(_("The PDF could not be written: {error}")
                                          .format(error=error))

        run_in_background(self, work, done, failed)


class SetupWizard(QWizard):
    """初回設定. After 完了, ``desk`` is the new desk, logged in as the administrator."""

    def __init__(self, path: str | Path, parent: QWidget | None = None, *,
                 kdf=None, opener: printing.Opener | None = None,
                 create: Callable[..., tuple[Desk, str]] | None = None,
                 ask_close: Callable[[], bool] | None = None):
        super().__init__(parent)
        self.path = Path(path)
        # closing with input typed asks first (issue 14); nothing of it is kept as a draft
        # (it holds the administrator's password): True = close, False = continue
        self.ask_close = ask_close or (lambda: ask_close_setup(self))
        self.kdf = kdf
        self.opener = opener or printing.open_with_system_viewer
        self._create = create or Desk.create
        self.desk: Desk | None = None
        self.recovery_key: str | None = None
        self.printed_paths: list[Path] = []
        self.setWindowTitle(_("Tsunagu — first set-up"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        from ui.help import install_wizard_help   # ヘルプ (F1), issue 18
        install_wizard_help(self)
        self.setOption(QWizard.WizardOption.IndependentPages, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.agency = AgencyPage()
        self.admin = AdminPage()
        self.password = PasswordPage(self)
        self.recovery = RecoveryKeyPage(self)
        for page in (self.agency, self.admin, self.password, self.recovery):
            self.addPage(page)
        self.resize(760, 560)

    def create_desk(self) -> None:
        a, m, p = self.agency, self.admin, self.password
        args = dict(agency_name=a.name.text(), municipality=a.municipality.text(),
                    population=a.population.value(), admin_login=m.login.text().strip(),
                    admin_name=m.display_name.text(), password=p.password.text(),
                    min_password_length=p.min_length.value(), kdf=self.kdf)
        path, create = self.path, self._create

        def done(result) -> None:
            self.desk, self.recovery_key = result
            p.creation_finished(None)

        run_in_background(self, lambda: create(path, **args), done, p.creation_finished)

    def reject(self) -> None:
        if self.desk is not None:
            return  # the recovery key must be acknowledged: there is no going back now
        typed = any(w.text() for w in (self.agency.name, self.agency.municipality,
                                        self.admin.login, self.admin.display_name,
                                        self.password.password))
        if typed and not self.ask_close():
            return  # 入力を続ける
        super().reject()


def ask_close_setup(parent: QWidget) -> bool:
    """「入力を続ける」 (the default, and Esc) or 「入力を破棄して閉じる」: True closes."""
    from PySide6.QtWidgets import QMessageBox
    box = QMessageBox(QMessageBox.Icon.Question, _("Close the first set-up?"),
                      _("What was entered is not kept (it holds a password)."),
                      QMessageBox.StandardButton.NoButton, parent)
    go_on = box.addButton(_("Continue entering"), QMessageBox.ButtonRole.RejectRole)
    close = box.addButton(_("Discard the input and close"),
                          QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(go_on)
    box.setEscapeButton(go_on)
    box.exec()
    return box.clickedButton() is close
