"""同意・情報提供 of one case: the consents (date, scope, recipients or 「関係機関」, purpose,
書面/口頭, withdrawn), adding one, withdrawing one; and the disclosures made."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QRadioButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from app import text_ja
from app.errors import ValidationError
from app.i18n import _
from app.security.privacy import ANY_AGENCY, ConsentForm
from ui.dialogs import Dialogs
from ui.dialogs.base import FormDialog, error_text
from ui.widgets import DateField, ErrorLabel, heading


def _wareki(d: date | None) -> str:
    return text_ja.format_wareki(d, "long") if d else ""


def _table(headers: list[str]) -> QTreeWidget:
    t = QTreeWidget()
    t.setColumnCount(len(headers))
    t.setHeaderLabels(headers)
    t.setRootIsDecorated(False)
    t.setAlternatingRowColors(True)
    t.setWordWrap(True)
    t.setStyleSheet("QTreeWidget::item { padding: 3px 8px; }")   # columns not run together
    t.header().setStretchLastSection(True)
    t.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return t


class AddConsentDialog(FormDialog):
    def __init__(self, desk, case_id: str, parent: QWidget | None = None):
        super().__init__(_("Record a consent"), parent, intro=_(
            "The person's consent to share information: to whom, what and why."))
        self.desk, self.case_id = desk, case_id
        self.given_on = DateField(_("Date of consent"))
        self.given_on.set_date(desk.today())
        self.any_agency = QCheckBox(_("Every agency involved in the support (「関係機関」)"))
        self.any_agency.setChecked(True)
        self.recipients = QLineEdit()
        self.recipients.setPlaceholderText(_("names separated by 、 e.g. ハローワーク、社会福祉協議会"))
        self.recipients.setEnabled(False)
        self.any_agency.toggled.connect(lambda on: self.recipients.setEnabled(not on))
        self.scope = QLineEdit()
        self.scope.setPlaceholderText(_("e.g. intake, assessment and plan"))
        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText(_("e.g. coordinating the support"))
        form_box = QWidget()
        row = QHBoxLayout(form_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.form_group = QButtonGroup(form_box)
        self.form_buttons: dict[str, QRadioButton] = {}
        for f in ConsentForm:
            b = QRadioButton(f.label)
            self.form_group.addButton(b)
            self.form_buttons[f.value] = b
            row.addWidget(b)
        row.addStretch(1)
        self.form_buttons[ConsentForm.WRITTEN.value].setChecked(True)
        self.form.addRow(_("Date of consent") + " *", self.given_on)
        self.form.addRow(_("Recipients"), self.any_agency)
        self.form.addRow("", self.recipients)
        self.form.addRow(_("Scope of information"), self.scope)
        self.form.addRow(_("Purpose"), self.purpose)
        self.form.addRow(_("Form"), form_box)
        self.finish_layout()

    def names(self) -> list[str]:
        if self.any_agency.isChecked():
            return [ANY_AGENCY]
        text = self.recipients.text().replace(",", "、").replace("，", "、")
        return [n.strip() for n in text.split("、") if n.strip()]

    def submit(self) -> bool:
        try:
            given = self.given_on.parsed("given_on")
        except ValidationError as e:
            self.error.show_message(e.message)
            return False
        form = next(v for v, b in self.form_buttons.items() if b.isChecked())
        return self.attempt(self.desk.security.record_consent, self.case_id, given,
                            recipients=self.names(), scope=self.scope.text(),
                            purpose=self.purpose.text(), form=form)


class WithdrawConsentDialog(FormDialog):
    def __init__(self, desk, consent, parent: QWidget | None = None):
        super().__init__(_("Withdraw a consent"), parent, intro=_(
            "From this day the consent no longer covers sharing; what was shared before "
            "stays valid."))
        self.desk, self.consent = desk, consent
        self.on = DateField(_("Date of withdrawal"))
        self.on.set_date(desk.today())
        self.note = QLineEdit()
        self.form.addRow(_("Date of withdrawal") + " *", self.on)
        self.form.addRow(_("Note"), self.note)
        self.finish_layout()

    def submit(self) -> bool:
        try:
            on = self.on.parsed("withdrawn_on")
        except ValidationError as e:
            self.error.show_message(e.message)
            return False
        if on is None:
            self.error.show_message(_("Enter the date of withdrawal."))
            return False
        return self.attempt(self.desk.security.withdraw_consent, self.consent.id, on,
                            self.note.text())


class ConsentDialog(QDialog):
    """Consents and disclosures of one case (read through the core, audited there)."""

    def __init__(self, desk, case_id: str, dialogs: Dialogs, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk, self.case_id, self.dialogs = desk, case_id, dialogs
        self.setWindowTitle(_("Consent and disclosures"))
        self.resize(900, 560)
        self.consents_table = _table([_("Date of consent"), _("Scope of information"),
                                      _("Recipients"), _("Purpose"), _("Form"),
                                      _("Withdrawn")])
        self.consents_table.currentItemChanged.connect(lambda *_a: self._selection())
        self.add_button = QPushButton(_("Add a consent…"))
        self.add_button.clicked.connect(self.add)
        self.withdraw_button = QPushButton(_("Withdraw…"))
        self.withdraw_button.setEnabled(False)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.disclosures_table = _table([_("Date of disclosure"), _("Recipient"),
                                         _("Scope of information"), _("Basis"), _("Reason"),
                                         _("Recorded by")])
        self.consents_table.setAccessibleName(_("Consents of the person"))   # issue 18
        self.disclosures_table.setAccessibleName(_("Information given to other agencies"))
        self.error = ErrorLabel()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Consents of the person")))
        layout.addWidget(self.consents_table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.withdraw_button)
        buttons.addStretch(1)
        # 印刷: 情報提供に関する同意書 first (filled in / blank), then the other sheets
        from ui.print_menu import PrintButton, SheetPrinter
        self.printer = SheetPrinter(self, desk, case_id, dialogs=dialogs)
        self.print_button = PrintButton(self.printer, own="consent")
        buttons.addWidget(self.print_button)
        layout.addLayout(buttons)
        layout.addWidget(heading(_("Information given to other agencies")))
        layout.addWidget(self.disclosures_table, 1)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.consents: list = []
        self.refresh()

    def refresh(self) -> None:
        try:
            self.consents = self.desk.security.consents(self.case_id)
            disclosures = self.desk.security.disclosures(self.case_id)
        except Exception as error:  # noqa: BLE001 - shown
            self.error.show_message(error_text(error))
            return
        self.consents_table.clear()
        for c in self.consents:
            withdrawn = _wareki(c.withdrawn_on)
            if withdrawn and c.withdrawal_note:
                withdrawn += f"（{c.withdrawal_note}）"
            item = QTreeWidgetItem([_wareki(c.given_on), c.scope or "—",
                                    "、".join(c.recipients), c.purpose or "—", c.form.label,
                                    withdrawn or "—"])
            item.setData(0, Qt.ItemDataRole.UserRole, c.id)
            self.consents_table.addTopLevelItem(item)
        self.disclosures_table.clear()
        for d in disclosures:
            self.disclosures_table.addTopLevelItem(QTreeWidgetItem([
                _wareki(d.disclosed_on), d.recipient, d.scope, d.basis.label, d.reason or "—",
                d.by]))
        self._selection()

    def _selected(self):
        item = self.consents_table.currentItem()
        if item is None:
            return None
        cid = item.data(0, Qt.ItemDataRole.UserRole)
        return next((c for c in self.consents if c.id == cid), None)

    def _selection(self) -> None:
        c = self._selected()
        self.withdraw_button.setEnabled(c is not None and c.withdrawn_on is None)

    def add(self) -> None:
        if self.dialogs.run(AddConsentDialog(self.desk, self.case_id, self)):
            self.refresh()

    def withdraw(self) -> None:
        c = self._selected()
        if c is not None and self.dialogs.run(WithdrawConsentDialog(self.desk, c, self)):
            self.refresh()


__all__ = ["ConsentDialog", "AddConsentDialog", "WithdrawConsentDialog", "QLabel"]
