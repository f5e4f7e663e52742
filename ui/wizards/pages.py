"""The pages every wizard is made of (the intake and each process step): thin pages that show
fields, ask the core to judge them before 次へ and show its messages, in Japanese, under the
field they concern; and the one 確認 page, whose last button hands the answers to the core."""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget, QWizardPage

from app import text_ja
from app.errors import ValidationError
from app.i18n import _
from ui.widgets import DateField, ErrorLabel
from ui.wizards.inputs import CheckList, Choice, connect_change, read_value, wareki, write_value

if TYPE_CHECKING:
    from ui.wizards.base import FormWizard

REFUSAL_STYLE = ("color: #8a1c1c; background: #fdecea; border: 1px solid #e0a5a0;"
                 "border-radius: 4px; padding: 8px; font-weight: bold;")


class FormPage(QWizardPage):
    """One page: its inputs by key (the core's field names), a red line under each. ``key``
    is the page's name in the core (its page graph, ``check_intake``'s pages) and in help;
    a step's pages also answer to ``name`` (the intake's 本人情報 has a field called so)."""

    def __init__(self, wizard: "FormWizard", name: str, title: str, subtitle: str = ""):
        super().__init__()
        self.w = wizard
        self.key = self.name = name
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.inputs: dict[str, QWidget] = {}
        self.focus: dict[str, QWidget] = {}
        self.error_labels: dict[str, ErrorLabel] = {}
        self.aliases: dict[str, str] = {}
        self.general_error = ErrorLabel()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(self.form)

    # ---- building
    def field_box(self, key: str, widget: QWidget, *, store: bool = True,
                  aliases: tuple[str, ...] = (), focus: QWidget | None = None) -> QWidget:
        """``widget`` with a red message line under it, registered under the core's key.
        ``store``: its value is part of the page's state (pages that keep their own state,
        like the intake's, pass False and say which input takes the focus)."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        error = ErrorLabel()
        column.addWidget(error)
        self.error_labels[key] = error
        if focus is None:
            focus = widget.first() if isinstance(widget, (Choice, CheckList)) else (
                widget.edit if isinstance(widget, DateField) else widget)
        self.focus[key] = focus
        for a in aliases:
            self.aliases[a] = key
        if store:
            self.inputs[key] = widget
            connect_change(widget, self.w.field_changed)
        # a message goes once the field is changed (issue 14: it stayed after the fix)
        connect_change(widget if store else focus, lambda *_a, e=error: e.clear_message())
        return box

    def row(self, label: str, key: str, widget: QWidget, *, required: bool = False,
            aliases: tuple[str, ...] = ()) -> QWidget:
        self.form.addRow(label + (" *" if required else ""),
                         self.field_box(key, widget, aliases=aliases))
        return widget

    def add(self, widget: QWidget, stretch: int = 0) -> None:
        self.layout_.addWidget(widget, stretch)

    def finish(self) -> None:
        self.layout_.addWidget(self.general_error)
        self.layout_.addStretch(1)

    # ---- state
    def state(self) -> dict[str, Any]:
        return {k: read_value(w) for k, w in self.inputs.items()}

    def restore(self, s: dict[str, Any]) -> None:
        for k, w in self.inputs.items():
            if k in s:
                write_value(w, s[k])

    # ---- errors
    def owner_key(self, field_name: str) -> str | None:
        if field_name in self.error_labels:
            return field_name
        if field_name in self.aliases:
            return self.aliases[field_name]
        best = None
        for key in self.error_labels:
            if field_name.startswith(key + ".") and (best is None or len(key) > len(best)):
                best = key
        return best

    def owns(self, error: ValidationError) -> bool:
        return self.owner_key(error.field) is not None

    def clear_errors(self) -> None:
        for label in self.error_labels.values():
            label.clear_message()
        self.general_error.clear_message()

    def show_errors(self, errors: list[ValidationError]) -> None:
        self.clear_errors()
        by_key: dict[str, list[str]] = {}
        general = []
        for e in errors:
            key = self.owner_key(e.field)
            if key is None:
                general.append(e.message)
                continue
            message = e.message
            rest = e.field[len(key) + 1:] if e.field.startswith(key + ".") else ""
            if rest.split(".")[0].isdigit():
                message = _("Row {n}: {message}").format(n=int(rest.split(".")[0]) + 1,
                                                         message=message)
            by_key.setdefault(key, []).append(message)
        for key, messages in by_key.items():
            self.error_labels[key].show_message("\n".join(messages))
        self.general_error.show_message("\n".join(general))
        for key in self.focus:   # first bad field in the page's order
            if key in by_key:
                self.focus[key].setFocus(Qt.FocusReason.OtherFocusReason)
                break

    # ---- 次へ
    checking = False        # the core's check of this page runs in the background
    _passed: Any = None     # the answers the last check passed (次へ goes on with them)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        """次へ is busy (greyed) while the core checks the page."""
        return not self.checking and super().isComplete()

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """Everything this page can know blocks here (issue 14): dates that cannot be read,
        then the core's own checks of the fields on this page (``FormWizard.check_page``).

        A check that reads the database runs in the background (a process step's dry run,
        the intake's same-person search): 次へ is greyed until it answers, the fields stay
        live, and when it passes the wizard goes on — unless the page's answers changed
        meanwhile (typed on, or went back): then the answer is stale and nothing moves;
        次へ asks again. An answer ``None``: stay, with nothing to say (the person chose to
        look at the page again)."""
        if self._passed is not None and self._passed == self.state():
            self._passed = None
            return True              # the check that just answered passed these answers
        self._passed = None
        if self.checking:
            return False
        asked = self.state()
        answer: list[list[ValidationError] | None] = []
        sync = [True]

        def done(errors: list[ValidationError] | None) -> None:
            if sync[0]:
                answer.append(errors)
                return
            self._busy(False)
            if self.w.currentPage() is not self or self.state() != asked \
                    or not self.w.isVisible() or errors is None:
                return           # stale, the screen locked meanwhile, or stay: nothing moves
            self.show_errors(errors)
            if not errors:
                self._passed = asked
                self.w.next()

        self.w.check_page(self, done)
        sync[0] = False
        if answer:                   # a check that needs no database answered at once
            if answer[0] is None:
                return False
            self.show_errors(answer[0])
            return not answer[0]
        self._busy(True)
        return False

    def _busy(self, busy: bool) -> None:
        self.checking = busy
        self.w.page_checking(self, busy)
        self.completeChanged.emit()


class ConfirmPage(FormPage):
    """確認: what will be recorded; the last button hands it to the core (in the background:
    ``FormWizard.submit``). A refusal of the core is shown in red on this page."""

    def __init__(self, wizard: "FormWizard", subtitle: str = ""):
        super().__init__(wizard, "confirm", _("Confirm"), subtitle or _(
            "Check the contents. Nothing is recorded until you press the button below."))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.status = QLabel()
        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet(REFUSAL_STYLE)
        self.refusal.hide()
        self.add(self.summary, 1)
        self.add(self.refusal)
        self.add(self.status)
        self.layout_.addWidget(self.general_error)
        self.done = False
        self.busy = False

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.summary.setText(self.w.summary_html())
        self.show_refusal("")
        self.general_error.clear_message()

    def show_refusal(self, text: str) -> None:
        self.refusal.setText(text)
        self.refusal.setVisible(bool(text))

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self.done:
            return True
        if not self.busy:
            self.w.submit()
        return False


# dates as typed (R8.12.3, 2026/12/3, 2026-12-03, H31.4.30, 令和8年12月3日 …) in a summary
_TYPED_DATE = re.compile(
    r"(?<![\w.])(?:[RHSTMrhstm]\d{1,2}|\d{4}|(?:令和|平成|昭和|大正|明治)(?:\d{1,2}|元)年?)"
    r"[./年-]\d{1,2}[./月-]\d{1,2}日?(?![\w.])")


def wareki_dates(text: str) -> str:
    """Every readable date typed in ``text`` as a person reads it: 令和8年12月3日 (issue 14:
    confirmation pages showed 「R8.12.3」 as typed). Unreadable text stays as it is."""
    def one(m: re.Match) -> str:
        try:
            return wareki(text_ja.parse_date(m.group(0)))
        except (ValidationError, ValueError):
            return m.group(0)
    return _TYPED_DATE.sub(one, text or "")


def summary_table(rows: list[tuple[str, str]]) -> str:
    out = []
    for label, value in rows:
        shown = value[1] if isinstance(value, tuple) else \
            escape(wareki_dates(value) or "—").replace("\n", "<br>")
        out.append(f"<tr><th align='left' valign='top' style='padding:2px 14px 2px 0;"
                   f" color:#445; font-weight:normal;'>{escape(label)}</th><td>{shown}</td></tr>")
    return "<table>" + "".join(out) + "</table>"
