"""Printing a sheet for another agency: whom it is for; the consent that covers it, or
another basis (支援会議（法第9条） / 法令) with a reason; the disclosure is recorded by the core
and the sheet never shows the person's whereabouts (for anyone, restricted or not)."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLineEdit, QPlainTextEdit, QRadioButton, QWidget

from app.i18n import _
from app.security.privacy import DisclosureBasis
from forms.sheets import render
from ui import printing
from ui.background import run_in_background
from ui.dialogs import Dialogs
from ui.dialogs.base import FormDialog, error_text


class RecipientDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(_("Intake form for another agency"), parent, intro=_(
            "Giving the sheet to another agency is a disclosure: it is recorded with its "
            "basis. The person's address, phones and e-mail are left off it."),
            ok_text=_("Next"))
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText(_("e.g. ハローワーク○○"))
        self.form.addRow(_("Recipient") + " *", self.recipient)
        self.finish_layout()

    def value(self) -> str:
        return self.recipient.text().strip()

    def submit(self) -> bool:
        if not self.value():
            self.error.show_message(_("Enter the agency the sheet is for."))
            return False
        return True


class BasisDialog(FormDialog):
    """No consent covers the recipient: share only on another basis, with its reason."""

    def __init__(self, recipient: str, parent: QWidget | None = None):
        super().__init__(_("No valid consent"), parent, intro=_(
            "No valid consent of the person covers sharing with {recipient} today (none "
            "given, another recipient, or withdrawn). Share only on another basis, and "
            "record which meeting or law.").format(recipient=recipient),
            ok_text=_("Record and print"))
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(box)
        self.choices: dict[str, QRadioButton] = {}
        for b in (DisclosureBasis.MEETING, DisclosureBasis.STATUTE):
            button = QRadioButton(b.label)
            self.group.addButton(button)
            self.choices[b.value] = button
            row.addWidget(button)
        row.addStretch(1)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(80)
        self.reason_edit.setPlaceholderText(_("e.g. 支援会議 of 2026-05-12, or the article of "
                                              "the law"))
        self.form.addRow(_("Basis") + " *", box)
        self.form.addRow(_("Reason") + " *", self.reason_edit)
        self.finish_layout()

    def basis(self) -> str:
        return next((v for v, b in self.choices.items() if b.isChecked()), "")

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def submit(self) -> bool:
        if not self.basis():
            self.error.show_message(_("Choose the basis: support meeting (Article 9) or laws."))
            return False
        if not self.reason():
            self.error.show_message(_("Enter the reason."))
            return False
        return True


def print_for_agency(view, dialogs: Dialogs) -> bool:
    """Ask, record and print; False when cancelled. The PDF goes to the view's opener."""
    ask = RecipientDialog(view)
    if not dialogs.run(ask):
        return False
    recipient = ask.value()
    desk, case = view.desk, view.detail.case
    try:
        consent = desk.security.check_disclosure(case.id, recipient)
    except Exception as error:  # noqa: BLE001 - shown
        view.warn(error_text(error))
        return False
    basis, reason = DisclosureBasis.CONSENT.value, ""
    if consent is None:
        why = BasisDialog(recipient, view)
        if not dialogs.run(why):
            return False
        basis, reason = why.basis(), why.reason()
    path = printing.new_pdf_path(f"intake-{case.case_no}-for-agency")
    view.print_status.setText(_("Preparing the PDF…"))

    def done(warnings) -> None:
        view.print_status.setText("")
        printing.open_pdf(path, view.opener)
        view.printed.emit(str(path))
        if warnings:
            view.warn("\n".join(warnings))

    def failed(error: BaseException) -> None:
        view.print_status.setText("")
        view.warn(error_text(error))

    run_in_background(view, lambda: desk.paper.print_intake(
        case.id, path, for_recipient=recipient, basis=basis, reason=reason, render=render),
        done, failed)
    return True
