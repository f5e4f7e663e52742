"""The two questions of every wizard that saves a draft as the user types: continue the
unfinished draft? keep what was typed as a draft? One box for the intake wizard
(ui/wizards/intake.py) and the step wizards (ui/wizards/base.py), only the words differ.

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


CONTINUE, KEEP, DISCARD = "continue", "keep", "discard"


class CloseQuestion:
    """Closing a wizard with input (issue 14): 「入力を続ける」 (the default, and the answer
    to Esc and to closing the box), 「下書きを残して閉じる」, 「下書きを破棄して閉じる」."""

    def __init__(self, parent: QWidget | None, words: DraftWords):
        self.box = QMessageBox(QMessageBox.Icon.Question, _(words.keep_title),
                               _(words.keep_text), QMessageBox.StandardButton.NoButton, parent)
        self.go_on: QAbstractButton = self.box.addButton(
            _("Continue entering"), QMessageBox.ButtonRole.RejectRole)
        self.keep: QAbstractButton = self.box.addButton(
            _("Keep the draft and close"), QMessageBox.ButtonRole.AcceptRole)
        self.discard: QAbstractButton = self.box.addButton(
            _("Discard the draft and close"), QMessageBox.ButtonRole.DestructiveRole)
        self.box.setDefaultButton(self.go_on)  # type: ignore[arg-type]
        self.box.setEscapeButton(self.go_on)

    def answer(self) -> str:
        clicked = self.box.clickedButton()
        if clicked is self.keep:
            return KEEP
        if clicked is self.discard:
            return DISCARD
        return CONTINUE


def close_question(parent: QWidget | None, words: DraftWords) -> CloseQuestion:
    return CloseQuestion(parent, words)


def run_close_question(question: CloseQuestion) -> str:
    question.box.exec()
    return question.answer()


def ask_close(parent: QWidget | None, words: DraftWords) -> str:
    """Close the wizard? CONTINUE (stay), KEEP (close, draft kept) or DISCARD."""
    return run_close_question(close_question(parent, words))


def close_answer(ask_keep_draft, ask_close_) -> str:
    """The answer of an injected ``ask_keep_draft`` (True: keep, False: discard) when a
    wizard was given one, else of ``ask_close_``."""
    if ask_keep_draft is not None:
        return KEEP if ask_keep_draft() else DISCARD
    return ask_close_()


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
           "CloseQuestion", "ask_close", "close_answer", "close_question", "CONTINUE", "KEEP",
           "DISCARD", "run_close_question",
           "ask_restore_draft", "keep_question", "restore_question", "run_question"]
