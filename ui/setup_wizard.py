"""First run (はじめの設定) on the one wizard frame (ui/wizards): the agency, the administrator
and the password — each page judged by the core before 次へ (``check_setup``, pure) — then
確認, whose 作成 creates the encrypted desk in the background; last, the recovery key, shown
once, to be printed and kept safe before going on. Nothing typed is kept as a draft (it
holds the administrator's password)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget, QWizard,
    QWizardPage,
)

from app.desk import MIN_PASSWORD_DEFAULT, Desk
from app.domain.agency import AgencySetup
from app.errors import ValidationError
from app.i18n import _
from app.operations.checks import check_setup
from ui import printing
from ui.background import run_in_background
from ui.startup import ui_font
from ui.widgets import ErrorLabel
from ui.wizards.base import FormWizard
from ui.wizards.pages import FormPage, summary_table


class AgencyPage(FormPage):
    def __init__(self, wizard: "SetupWizard"):
        super().__init__(wizard, "agency", _("Your agency"),
                         _("These appear on every printed sheet. They can be changed later."))
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("e.g. Tsunagu Town Self-Reliance Support Center"))
        self.municipality = QLineEdit()
        self.population = QSpinBox()
        self.population.setRange(0, 50_000_000)
        self.population.setGroupSeparatorShown(True)
        self.population.setValue(0)
        self.population.setMaximumWidth(180)
        self.row(_("Agency name"), "agency.name", self.name, required=True)
        self.row(_("Municipality"), "agency.municipality", self.municipality, required=True)
        self.row(_("Population"), "agency.population", self.population, required=True)
        self.finish()


class AdminPage(FormPage):
    def __init__(self, wizard: "SetupWizard"):
        super().__init__(wizard, "admin", _("Administrator"),
                         _("The first user. The administrator adds the other staff later."))
        self.login = QLineEdit()
        self.login.setPlaceholderText(_("half-width letters and digits, e.g. sato"))
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText(_("e.g. 佐藤 花子"))
        self.row(_("User name (for login)"), "admin.login", self.login, required=True)
        self.row(_("Name shown on records"), "admin.name", self.display_name, required=True)
        self.finish()


class PasswordPage(FormPage):
    """The password and the agency's rule for every password."""

    def __init__(self, wizard: "SetupWizard"):
        super().__init__(wizard, "password", _("Password"),
                         _("The password protects every record. Nobody can recover it: "
                           "the recovery key shown next is the only way back."))
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
        self.row(_("Minimum password length"), "password.rule", self.min_length)
        self.row(_("Password"), "password", self.password, required=True)
        self.row(_("Password (again)"), "password.confirm", self.confirm, required=True)
        self.finish()


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


class SetupWizard(FormWizard):
    """初回設定 on the wizard frame: 機関 → 管理者 → パスワード → 確認 (作成: the desk is created
    in the background) → 回復キー. After 完了, ``desk`` is the new desk, logged in as the
    administrator. No draft: what is typed holds the administrator's password."""

    keeps_drafts = False
    closes_when_recorded = False         # the recovery key comes after 作成
    help_page = "setup"

    def __init__(self, path: str | Path, parent: QWidget | None = None, *,
                 kdf=None, opener: printing.Opener | None = None,
                 create: Callable[..., tuple[Desk, str]] | None = None,
                 ask_close: Callable[[], bool] | None = None):
        self.path = Path(path)
        self.kdf = kdf
        self.opener = opener or printing.open_with_system_viewer
        self._create = create or Desk.create
        self.recovery_key: str | None = None
        self.printed_paths: list[Path] = []
        self.finish_text = _("Finish")
        self.busy_text = _("Creating the encrypted database…")
        super().__init__(None, parent)
        self.desk: Desk | None = None    # made by 作成
        # closing with input typed asks first (issue 14); nothing of it is kept as a draft
        # (it holds the administrator's password): True = close, False = continue
        self.ask_close_setup = ask_close or (lambda: ask_close_setup(self))
        self.setWindowTitle(_("Tsunagu — first set-up"))
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.agency = AgencyPage(self)
        self.admin = AdminPage(self)
        self.password = PasswordPage(self)
        self.assemble([self.agency, self.admin, self.password], 760, 560)
        self.confirm.setCommitPage(True)        # created: no way back to change it
        self.setButtonText(QWizard.WizardButton.CommitButton, _("Create"))
        self.recovery = RecoveryKeyPage(self)
        self.setPage(len(self.pages), self.recovery)
        from ui.help import install_wizard_help   # ヘルプ (F1), issue 18
        install_wizard_help(self)

    @property
    def draft_key(self) -> str:
        return ""

    def setup_input(self) -> AgencySetup:
        a, m, p = self.agency, self.admin, self.password
        return AgencySetup(agency_name=a.name.text(), municipality=a.municipality.text(),
                           population=a.population.value(), admin_login=m.login.text().strip(),
                           admin_name=m.display_name.text(), password=p.password.text(),
                           min_password_length=p.min_length.value(),
                           password_again=p.confirm.text())

    # ---------------------------------------------------------------- the frame's questions
    def page_errors(self, page: FormPage) -> list[ValidationError]:
        """The core's check of the page's fields (pure: answered at once)."""
        return check_setup(self.setup_input(), {page.key})

    def summary_html(self) -> str:
        s = self.setup_input()
        return summary_table([
            (_("Agency name"), s.agency_name), (_("Municipality"), s.municipality),
            (_("Population"), f"{s.population:,}"),
            (_("User name (for login)"), s.admin_login), (_("Name shown on records"), s.admin_name),
            (_("Minimum password length"), f"{s.min_password_length}" + _(" characters or more")),
        ])

    def prepared(self) -> tuple[Callable[[], Any], list[ValidationError]]:
        s = self.setup_input()
        args = dict(agency_name=s.agency_name, municipality=s.municipality,
                    population=s.population, admin_login=s.admin_login,
                    admin_name=s.admin_name, password=s.password,
                    min_password_length=s.min_password_length, kdf=self.kdf)
        path, create = self.path, self._create
        return (lambda: create(path, **args)), check_setup(s)

    def on_recorded(self, result: Any) -> None:
        self.desk, self.recovery_key = result

    def reject(self) -> None:
        if self.desk is not None or self.confirm.busy:
            return  # being created, or the recovery key must be acknowledged: no way back
        typed = any(w.text() for w in (self.agency.name, self.agency.municipality,
                                        self.admin.login, self.admin.display_name,
                                        self.password.password))
        if typed and not self.ask_close_setup():
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
