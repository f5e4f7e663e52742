"""The two questions of every wizard that saves a draft as the user types: continue the
unfinished draft? keep what was typed as a draft? One box for the intake wizard
(ui/intake_wizard.py) and the step wizards (ui/wizards/base.py), only the words differ.

The buttons say what happens (「続きから入力する」「下書きを残す」 / 「破棄して…」) and closing the
box or pressing Esc is the answer that loses nothing: only a click on the discard button
throws a draft away.

Wizards take these as injectable callables (``ask_restore_draft``, ``ask_keep_draft``);
``run_question`` is the one place the box blocks (tests replace it).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from app.i18n import N_, _


@dataclass(frozen=True)
class DraftWords:
    """msgids of one wizard kind's two questions."""

    restore_title: str
    restore_text: str
    keep_title: str
    keep_text: str


INTAKE_DRAFT = DraftWords(
    restore_title=N_("Unfinished intake"),
    restore_text=N_("An intake that was not finished was found. Continue where it was left?"),
    keep_title=N_("Keep the unfinished intake?"),
    keep_text=N_("Keep what was entered as a draft? The next new intake can continue from "
                 "it."))

STEP_DRAFT = DraftWords(
    restore_title=N_("Unfinished input"),
    restore_text=N_("Input that was not finished was found. Continue where it was left?"),
    keep_title=N_("Keep the unfinished input?"),
    keep_text=N_("Keep what was entered as a draft? Opening this step again can continue "
                 "from it."))


class DraftQuestion:
    """A question box whose safe answer (``keep``) is also the answer to Esc and closing."""

    def __init__(self, parent: QWidget | None, title: str, text: str, keep: str,
                 discard: str):
        self.box = QMessageBox(QMessageBox.Icon.Question, title, text,
                               QMessageBox.StandardButton.NoButton, parent)
        self.keep: QAbstractButton = self.box.addButton(keep, QMessageBox.ButtonRole.YesRole)
        self.discard: QAbstractButton = self.box.addButton(discard,
                                                           QMessageBox.ButtonRole.NoRole)
        self.box.setDefaultButton(self.keep)  # type: ignore[arg-type]
        self.box.setEscapeButton(self.keep)

    def answer(self) -> bool:
        """True unless the discard button was clicked."""
        return self.box.clickedButton() is not self.discard


def restore_question(parent: QWidget | None, words: DraftWords) -> DraftQuestion:
    return DraftQuestion(parent, _(words.restore_title), _(words.restore_text),
                         _("Continue where it was left"), _("Discard it and start anew"))


def keep_question(parent: QWidget | None, words: DraftWords) -> DraftQuestion:
    return DraftQuestion(parent, _(words.keep_title), _(words.keep_text),
                         _("Keep the draft"), _("Discard the draft"))


def run_question(question: DraftQuestion) -> bool:
    question.box.exec()
    return question.answer()


def ask_restore_draft(parent: QWidget | None, words: DraftWords) -> bool:
    """Continue the unfinished draft? (False: the caller discards it.)"""
    return run_question(restore_question(parent, words))


def ask_keep_draft(parent: QWidget | None, words: DraftWords) -> bool:
    """Keep what was typed as a draft? (False: the caller discards it.)"""
    return run_question(keep_question(parent, words))


__all__ = ["DraftWords", "DraftQuestion", "INTAKE_DRAFT", "STEP_DRAFT", "ask_keep_draft",
           "ask_restore_draft", "keep_question", "restore_question", "run_question"]
