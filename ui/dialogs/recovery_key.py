"""The new recovery key, shown once: 印刷 and 「保管しました」 before the dialog closes."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from app.i18n import _
from ui import printing
from ui.background import run_in_background
from ui.startup import ui_font
from ui.widgets import ErrorLabel


class RecoveryKeyDialog(QDialog):
    def __init__(self, key: str, agency, opener: printing.Opener, parent: QWidget | None = None,
                 *, today: date | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("New recovery key"))
        self.setMinimumWidth(620)
        self._key, self.agency, self.opener = key, agency, opener
        self.today = today or date.today()
        intro = QLabel(_("The old recovery key no longer works. This new key is shown only "
                         "now: print it and keep the sheet in a safe."))
        intro.setWordWrap(True)
        self.key = QLabel(key)
        self.key.setFont(ui_font(20, mono=True))
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setWordWrap(True)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setStyleSheet("background: #fffbe6; border: 2px solid #c9a227; padding: 18px;")
        self.print_button = QPushButton(_("Print"))
        self.print_button.clicked.connect(self.print_key)
        self.print_error = ErrorLabel()
        self.kept = QCheckBox(_("I have stored the recovery key in a safe place"))
        self.close_button = QPushButton(_("Close"))
        self.close_button.setEnabled(False)
        self.kept.toggled.connect(self.close_button.setEnabled)
        self.close_button.clicked.connect(self.accept)
        self.printed: list = []
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.key)
        layout.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.print_error)
        layout.addWidget(self.kept)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)

    def print_key(self) -> None:
        self.print_button.setEnabled(False)
        path = printing.new_pdf_path("recovery-key")
        agency, key, today = self.agency, self._key, self.today

        def work():
            from forms.recovery import render_recovery_key
            return render_recovery_key(path, agency, key, today)

        def done(_warnings) -> None:
            self.print_button.setEnabled(True)
            self.printed.append(path)
            printing.open_pdf(path, self.opener, self)   # says where the sheet is

        def failed(error: BaseException) -> None:
            self.print_button.setEnabled(True)
            self.print_error.show_message(_("The PDF could not be written: {error}")
                                          .format(error=error))

        run_in_background(self, work, done, failed)

    def reject(self) -> None:
        if self.kept.isChecked():
            self.accept()  # Esc only once the key is kept

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        self.key.setText("")  # shown once: the key leaves the screen with the dialog
        self._key = ""
        for path in self.printed:   # and the printed sheet leaves the disk
            printing.discard(path)
        super().done(result)
