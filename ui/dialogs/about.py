"""ヘルプ → バージョン情報: shows app.about's lines (version, SQLCipher, SQLite, Qt, where the
database and the backups are). The lines come from the core; this dialog only shows them,
with 「コピー」 for a support call or an e-mail."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QMainWindow, QPushButton, QVBoxLayout,
    QWidget,
)

from app.about import about_lines, about_text
from app.i18n import _


class AboutDialog(QDialog):
    def __init__(self, desk=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("About Tsunagu"))
        self.lines = about_lines(desk)
        title = QLabel(_("Tsunagu"))
        title.setStyleSheet("font-size: 18pt; font-weight: bold;")
        subtitle = QLabel(_("Records of a self-reliance consultation desk"))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.values: dict[str, QLabel] = {}
        for label, value in self.lines:
            shown = QLabel(value)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setWordWrap(True)
            form.addRow(label + ":", shown)
            self.values[label] = shown
        note = QLabel(_("Back up the database and its key file together. They stay on this "
                        "computer when the program is uninstalled."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(_("Copy"))
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def text(self) -> str:
        return about_text(self.lines)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())


def add_help_menu(window: QMainWindow) -> QAction:
    """ヘルプ(H) → バージョン情報… in the main window's menu bar; returns the action."""
    from ui.help import help_menu
    menu = help_menu(window)          # the one ヘルプ menu (issue 18 fills the rest of it)
    menu.addSeparator()
    action = QAction(_("About Tsunagu…"), window)
    action.setMenuRole(QAction.MenuRole.AboutRole)

    def show() -> None:
        desk = getattr(window, "desk", None)
        dialog = AboutDialog(desk, window)
        runner = getattr(getattr(window, "dialogs", None), "run", None)
        if runner is not None:
            runner(dialog)
        else:
            dialog.exec()

    action.triggered.connect(show)
    menu.addAction(action)
    window.help_menu = menu
    window.about_action = action
    return action
