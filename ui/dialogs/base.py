"""A small form dialog: fields, a red message line for the core's answer, OK and Cancel.

``accept()`` runs ``submit()`` first; the dialog closes only when it returns True, so a
refusal of the core (wrong password, missing reason) is shown in the dialog itself."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget,
)

from app.errors import TsunaguError, ValidationErrors
from app.i18n import _
from ui.widgets import ErrorLabel


def error_text(error: BaseException) -> str:
    if isinstance(error, ValidationErrors):
        return "\n".join(e.message for e in error.errors)
    if isinstance(error, TsunaguError):
        return str(error)
    return _("Unexpected error: {error}").format(error=error)


class FormDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None, *, intro: str = "",
                 ok_text: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.layout_ = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            self.layout_.addWidget(label)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.addLayout(self.form)
        self.error = ErrorLabel()
        self.layout_.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok_text:
            self.ok_button.setText(ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.buttons)

    def submit(self) -> bool:
        return True

    def attempt(self, fn, *args, **kwargs) -> bool:
        """Call the core; show its message and stay open when it refuses."""
        try:
            fn(*args, **kwargs)
        except (TsunaguError, ValueError) as error:
            self.error.show_message(error_text(error))
            return False
        self.error.clear_message()
        return True

    def accept(self) -> None:
        if self.submit():
            super().accept()


class ReasonDialog(FormDialog):
    """Asks why (revealing whereabouts, a sensitive flag, a setting, a purge); OK needs text."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, *,
                 ok_text: str = "", placeholder: str = ""):
        super().__init__(title, parent, intro=prompt, ok_text=ok_text)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(90)
        self.text.setPlaceholderText(placeholder or _("e.g. to arrange a home visit with the "
                                                      "person's agreement"))
        self.form.addRow(_("Reason") + " *", self.text)
        self.text.textChanged.connect(self._changed)
        self.finish_layout()
        self._changed()

    def _changed(self) -> None:
        self.ok_button.setEnabled(bool(self.reason()))

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    def submit(self) -> bool:
        if not self.reason():
            self.error.show_message(_("Enter the reason."))
            return False
        return True
