"""Dialogs of the privacy and security screens (reasons, passwords, consent, disclosure,
the recovery key) and ``Dialogs``, the one place where they block.

Every modal question goes through a ``Dialogs`` object: ``run(dialog)`` shows a real dialog
and returns whether it was accepted; ``confirm``, ``info`` and ``save_path`` are the message
boxes and the file picker. Tests hand in their own ``Dialogs`` whose ``run`` fills the real
dialog and accepts it — so the dialogs are tested, and no test meets a modal ``exec()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from app.i18n import _


def run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def confirm_box(parent: QWidget | None, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(_("Go ahead"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(QMessageBox.StandardButton.NoButton)
    box.exec()
    return box.clickedButton() is yes


def info_box(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def save_path_dialog(parent: QWidget | None, title: str, suggested: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, title, suggested,
                                                _("CSV files (*.csv)"))
    return path or None


@dataclass
class Dialogs:
    """The blocking parts of the security screens; replaced whole or in part in tests."""

    run: Callable[[QDialog], bool] = run_dialog
    confirm: Callable[[QWidget | None, str, str], bool] = confirm_box
    info: Callable[[QWidget | None, str, str], None] = info_box
    save_path: Callable[[QWidget | None, str, str], str | None] = save_path_dialog
    opened: list = field(default_factory=list)  # dialogs shown (tests look at them)


def dialogs_for(widget: QWidget | None) -> Dialogs:
    """The ``dialogs`` of the widget, or of its window (the main window), or the defaults."""
    w = widget
    while w is not None:
        found = getattr(w, "dialogs", None)
        if isinstance(found, Dialogs):
            return found
        w = w.parentWidget()
    return DEFAULT


DEFAULT = Dialogs()
