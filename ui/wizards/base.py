"""The frame every process-step wizard is built on: thin pages, drafts, core validation.

A ``StepWizard`` shows pages that only collect answers. Which page comes next is asked of the
core (``app.process.wizard_next``) when the step has a page graph there; the answers go to one
Desk operation on the last page, run in the background; the core's ``ValidationErrors`` come
back to the page that holds the field (red text under it) and block; a ``ProcessError`` (the
process does not allow it now, with the reason) is shown in red on the last page.

Drafts: every change saves the whole form under ``f"{step}:{case_id}"``; reopening offers to
continue from it. Dialogs that block (restore the draft? keep it?) are injected; the defaults
are the questions shared with the intake wizard (ui/dialogs/drafts.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton, QApplication, QButtonGroup, QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton,
    QRadioButton, QTableWidget, QVBoxLayout, QWidget, QWizard, QWizardPage,
)

from app import process as P
from app import text_ja
from app.errors import TsunaguError, ValidationError, ValidationErrors
from app.i18n import _
from ui.background import run_in_background, serialized
from ui.dialogs import drafts
from ui.widgets import DateField, ErrorLabel

REFUSAL_STYLE = ("color: #8a1c1c; background: #fdecea; border: 1px solid #e0a5a0;"
                 "border-radius: 4px; padding: 8px; font-weight: bold;")


def wareki(d: date | None) -> str:
    return text_ja.format_wareki(d, "long") if d else ""


# ---------------------------------------------------------------------- small inputs
class Choice(QWidget):
    """Radio buttons for one value (``value()`` is '' while nothing is chosen)."""

    changed = Signal()

    def __init__(self, options: list[tuple[str, str]], *, columns: int = 4,
                 parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(24)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for i, (value, label) in enumerate(options):
            button = QRadioButton(label, self)
            self.group.addButton(button)
            self.buttons[value] = button
            grid.addWidget(button, i // columns, i % columns)
            button.toggled.connect(lambda _on: self.changed.emit())
        grid.setColumnStretch(columns, 1)

    def value(self) -> str:
        return next((v for v, b in self.buttons.items() if b.isChecked()), "")

    def set_value(self, value: str) -> None:
        if value in self.buttons:
            self.buttons[value].setChecked(True)
            return
        self.group.setExclusive(False)
        for b in self.buttons.values():
            b.setChecked(False)
        self.group.setExclusive(True)
        self.changed.emit()

    def first(self) -> QWidget:
        return next(iter(self.buttons.values()))


class CheckList(QWidget):
    """Check boxes for several values (``value()`` lists the checked keys in order)."""

    changed = Signal()

    def __init__(self, options: list[tuple[str, str]], *, columns: int = 3,
                 parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(3)
        self.boxes: dict[str, QCheckBox] = {}
        rows = (len(options) + columns - 1) // columns
        for i, (value, label) in enumerate(options):
            box = QCheckBox(label, self)
            self.boxes[value] = box
            grid.addWidget(box, i % rows, i // rows)
            box.toggled.connect(lambda _on: self.changed.emit())

    def value(self) -> list[str]:
        return [k for k, b in self.boxes.items() if b.isChecked()]

    def set_value(self, values: list[str]) -> None:
        for k, b in self.boxes.items():
            b.setChecked(k in (values or []))

    def first(self) -> QWidget:
        return next(iter(self.boxes.values()))


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"           # text / date / check / combo / fixed
    width: int = 0               # 0: stretch
    options: list[tuple[str, str]] = field(default_factory=list)   # combo: (value, label)
    complete: Callable | None = None   # text: called with the cell's QLineEdit (a completer)


class _CellTable(QTableWidget):
    """The table of a RowsEditor: never a stop of its own. Focus coming to it (Tab, a page
    opening on it, a click beside the cells) goes into a cell's own input, and a key typed
    while the table itself has focus goes there too — so no keystroke is lost (issue 14)."""

    def __init__(self, editor: "RowsEditor", rows: int, columns: int):
        super().__init__(rows, columns, editor)
        self.editor = editor
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        backwards = event.reason() == Qt.FocusReason.BacktabFocusReason
        target = self.editor.cell_inputs()[-1 if backwards else 0] \
            if self.editor.cell_inputs() else None
        row = self.currentRow()
        if event.reason() not in (Qt.FocusReason.TabFocusReason,
                                  Qt.FocusReason.BacktabFocusReason) and row >= 0:
            target = self.editor.first_input(row) or target
        if target is not None:
            target.setFocus(event.reason())

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        target = self.editor.first_input(max(self.currentRow(), 0))
        if target is not None and event.text() and event.text().isprintable():
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            QApplication.sendEvent(target, event)
            return
        super().keyPressEvent(event)

    def inputMethodEvent(self, event) -> None:  # noqa: N802 - Qt override
        target = self.editor.first_input(max(self.currentRow(), 0))
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            QApplication.sendEvent(target, event)
            return
        super().inputMethodEvent(event)


class _CellKeys(QObject):
    """Keys inside one cell input: Tab / Shift+Tab go to the next / previous cell in
    reading order and out of the table at its ends (whatever order the inputs were made
    in); Esc undoes what was typed in the cell since it got focus and never closes the
    wizard."""

    def __init__(self, editor: "RowsEditor"):
        super().__init__(editor)
        self.editor = editor
        self.before: dict[int, Any] = {}

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        t = event.type()
        if t == QEvent.Type.FocusIn:
            self.before[id(obj)] = _cell_value(obj)
            row = self.editor.row_of(obj)
            if row >= 0 and self.editor.table.currentRow() != row:
                self.editor.table.setCurrentCell(row, 0)
            return False
        if t == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape:
            event.accept()
            return True
        if t != QEvent.Type.KeyPress:
            return False
        key = event.key()
        if key == Qt.Key.Key_Escape:
            if isinstance(obj, QComboBox) and obj.view().isVisible():
                return False
            if id(obj) in self.before:
                _set_cell_value(obj, self.before[id(obj)])
            return True
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and not (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            back = key == Qt.Key.Key_Backtab or bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.editor.step_focus(obj, back)
            return True
        return False


def _cell_value(w: QWidget) -> Any:
    if isinstance(w, QLineEdit):
        return w.text()
    if isinstance(w, QComboBox):
        return w.currentIndex()
    if isinstance(w, QCheckBox):
        return w.isChecked()
    return None


def _set_cell_value(w: QWidget, value: Any) -> None:
    if isinstance(w, QLineEdit) and w.text() != value:
        w.setText(value)
    elif isinstance(w, QComboBox) and w.currentIndex() != value:
        w.setCurrentIndex(value)
    elif isinstance(w, QCheckBox) and w.isChecked() != value:
        w.setChecked(value)


class RowsEditor(QWidget):
    """A small table of rows typed in place (goals, items, household …).

    ``value()`` is a list of dicts by column key, dates as typed text; rows where nothing was
    entered are left out. Hidden per-row data (e.g. the id of a plan item) rides along.

    Keyboard (issue 14): Tab goes into the first cell, through the cells row by row and out
    after the last one to the buttons under the table; typing while the table has focus
    types into the cell; Esc in a cell undoes the cell only."""

    changed = Signal()

    def __init__(self, columns: list[Column], *, add_label: str = "", fixed_rows: bool = False,
                 min_rows: int = 1, parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = columns
        self.fixed_rows = fixed_rows
        self.min_rows = min_rows
        self.hidden: list[dict[str, Any]] = []
        self.keys = _CellKeys(self)
        self.table = _CellTable(self, 0, len(columns))
        self.table.setHorizontalHeaderLabels([c.label for c in columns])
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for i, c in enumerate(columns):
            if c.width:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Fixed)
                self.table.setColumnWidth(i, c.width)
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        if not fixed_rows:
            buttons = QHBoxLayout()
            self.add_button = QPushButton(add_label or _("Add a row"))
            self.remove_button = QPushButton(_("Remove the selected row"))
            self.add_button.clicked.connect(lambda: self.add_row())
            self.remove_button.clicked.connect(self.remove_selected)
            buttons.addWidget(self.add_button)
            buttons.addWidget(self.remove_button)
            buttons.addStretch(1)
            layout.addLayout(buttons)
        for _i in range(min_rows):
            self.add_row()

    def cell(self, row: int, key: str) -> QWidget:
        col = next(i for i, c in enumerate(self.columns) if c.key == key)
        return self.table.cellWidget(row, col)

    def add_row(self, values: dict[str, Any] | None = None) -> int:
        values = values or {}
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.hidden.append({k: v for k, v in values.items()
                            if k not in {c.key for c in self.columns}})
        for col, c in enumerate(self.columns):
            value = values.get(c.key)
            if c.kind == "check":
                w: QWidget = QCheckBox()
                w.setChecked(bool(value))
                w.setStyleSheet("margin-left: 8px;")
                w.toggled.connect(lambda _on: self.changed.emit())
            elif c.kind == "combo":
                w = QComboBox()
                w.addItem("", "")
                for v, label in c.options:
                    w.addItem(label, v)
                i = w.findData(value or "")
                w.setCurrentIndex(max(i, 0))
                w.currentIndexChanged.connect(lambda _i: self.changed.emit())
            elif c.kind == "fixed":
                w = QLabel(str(value or ""))
                w.setContentsMargins(6, 2, 6, 2)
                w.setWordWrap(True)          # a long reason is read whole, never cut off
                w.setToolTip(str(value or ""))
            else:
                w = QLineEdit()
                if c.kind == "date":
                    w.setPlaceholderText(_("e.g. R8.4.1"))
                w.setText(_as_text(value))
                w.textChanged.connect(lambda _t: self.changed.emit())
                if c.complete is not None:
                    c.complete(w)
            if c.kind != "fixed":
                # out of the window's Tab chain: Tab moves through the cells in reading
                # order (_CellKeys), and the table is one stop of the chain
                w.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
                w.installEventFilter(self.keys)
            self.table.setCellWidget(row, col, w)
        self.changed.emit()
        return row

    # ---- keyboard
    def cell_inputs(self) -> list[QWidget]:
        """Every input of the table in reading order (row by row)."""
        out = []
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                w = self.table.cellWidget(r, c)
                if w is not None and not isinstance(w, QLabel) and w.isEnabled():
                    out.append(w)
        return out

    def first_input(self, row: int) -> QWidget | None:
        for c in range(self.table.columnCount()):
            w = self.table.cellWidget(row, c)
            if w is not None and not isinstance(w, QLabel) and w.isEnabled():
                return w
        return None

    def row_of(self, w: QWidget) -> int:
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                if self.table.cellWidget(r, c) is w:
                    return r
        return -1

    def step_focus(self, w: QWidget, back: bool) -> None:
        inputs = self.cell_inputs()
        i = inputs.index(w) if w in inputs else -1
        j = i - 1 if back else i + 1
        if 0 <= j < len(inputs):
            inputs[j].setFocus(Qt.FocusReason.BacktabFocusReason if back
                               else Qt.FocusReason.TabFocusReason)
            return
        # out of the table: the next (previous) stop of the window outside the table
        start = self.table
        w2 = start.previousInFocusChain() if back else self.table.nextInFocusChain()
        for _guard in range(500):
            if w2 is None or w2 is start:
                break
            inside = self.table.isAncestorOf(w2) or w2 is self.table
            if not inside and w2.isVisible() and w2.isEnabled() and \
                    w2.focusPolicy() & Qt.FocusPolicy.TabFocus and w2.window() is self.window():
                w2.setFocus(Qt.FocusReason.BacktabFocusReason if back
                            else Qt.FocusReason.TabFocusReason)
                return
            w2 = w2.previousInFocusChain() if back else w2.nextInFocusChain()

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        if row >= 0 and self.table.rowCount() > self.min_rows:
            self.table.removeRow(row)
            del self.hidden[row]
            self.changed.emit()

    def row_values(self, row: int) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.hidden[row])
        for col, c in enumerate(self.columns):
            w = self.table.cellWidget(row, col)
            if isinstance(w, QCheckBox):
                out[c.key] = w.isChecked()
            elif isinstance(w, QComboBox):
                out[c.key] = w.currentData() or ""
            elif isinstance(w, QLineEdit):
                out[c.key] = w.text()
            elif isinstance(w, QLabel):
                out[c.key] = w.text()
        return out

    def _empty(self, row: int) -> bool:
        for col, c in enumerate(self.columns):
            w = self.table.cellWidget(row, col)
            if isinstance(w, QLineEdit) and w.text().strip():
                return False
            if isinstance(w, QComboBox) and w.currentData():
                return False
        return not any(self.hidden[row].values())

    def value(self) -> list[dict[str, Any]]:
        if self.fixed_rows:
            return [self.row_values(r) for r in range(self.table.rowCount())]
        return [self.row_values(r) for r in range(self.table.rowCount()) if not self._empty(r)]

    def set_value(self, rows: list[dict[str, Any]]) -> None:
        self.table.setRowCount(0)
        self.hidden.clear()
        for values in rows or []:
            self.add_row(values)
        while self.table.rowCount() < self.min_rows:
            self.add_row()
        if self.fixed_rows:   # exactly as tall as its rows: no empty grid under them
            self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
            for r in range(self.table.rowCount()):   # a row as tall as its wrapped text
                need = 34
                for col, c in enumerate(self.columns):
                    w = self.table.cellWidget(r, col)
                    if c.kind == "fixed" and c.width and isinstance(w, QLabel):
                        need = max(need, w.heightForWidth(c.width) + 6)
                self.table.setRowHeight(r, need)
            rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
            self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height() + 4
                                      + max(34, rows))


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return wareki(value)
    return str(value)


def text_edit(height: int = 70) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(height)
    return edit


def read_value(w: QWidget) -> Any:
    if isinstance(w, (Choice, CheckList, RowsEditor)):
        return w.value()
    if isinstance(w, DateField):
        return w.text()
    if isinstance(w, QLineEdit):
        return w.text()
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText()
    if isinstance(w, QComboBox):
        return w.currentData() if w.currentData() is not None and not w.isEditable() \
            else w.currentText()
    if isinstance(w, QGroupBox):
        return w.isChecked()
    if isinstance(w, QAbstractButton):
        return w.isChecked()
    raise TypeError(type(w))


def write_value(w: QWidget, value: Any) -> None:
    if isinstance(w, (Choice, CheckList, RowsEditor)):
        w.set_value(value)
    elif isinstance(w, DateField):
        w.setText(value or "")
    elif isinstance(w, QLineEdit):
        w.setText(value or "")
    elif isinstance(w, QPlainTextEdit):
        w.setPlainText(value or "")
    elif isinstance(w, QComboBox):
        i = w.findData(value) if not w.isEditable() else w.findText(value or "")
        if i >= 0:
            w.setCurrentIndex(i)
        elif w.isEditable():
            w.setEditText(value or "")
    elif isinstance(w, (QGroupBox, QAbstractButton)):
        w.setChecked(bool(value))


def connect_change(w: QWidget, slot: Callable) -> None:
    if isinstance(w, (Choice, CheckList, RowsEditor)):
        w.changed.connect(slot)
    elif isinstance(w, (DateField, QLineEdit, QPlainTextEdit)):
        w.textChanged.connect(slot)
    elif isinstance(w, QComboBox):
        w.currentIndexChanged.connect(slot)
        if w.isEditable():
            w.editTextChanged.connect(slot)
    elif isinstance(w, (QGroupBox, QAbstractButton)):
        w.toggled.connect(slot)


# ---------------------------------------------------------------------- pages
class StepPage(QWizardPage):
    """One page: its inputs by key (the core's field names), a red line under each."""

    def __init__(self, wizard: "StepWizard", name: str, title: str, subtitle: str = ""):
        super().__init__()
        self.w = wizard
        self.name = name
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
                  aliases: tuple[str, ...] = ()) -> QWidget:
        """``widget`` with a red message line under it, registered under the core's key."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        error = ErrorLabel()
        column.addWidget(error)
        self.error_labels[key] = error
        focus = widget.first() if isinstance(widget, (Choice, CheckList)) else (
            widget.edit if isinstance(widget, DateField) else widget)
        self.focus[key] = focus
        for a in aliases:
            self.aliases[a] = key
        if store:
            self.inputs[key] = widget
            connect_change(widget, self.w.field_changed)
            # a message goes once the field is changed (issue 14: it stayed after the fix)
            connect_change(widget, lambda *_a, e=error: e.clear_message())
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
        for key in self.error_labels:   # first bad field in the page's order
            if key in by_key:
                self.focus[key].setFocus(Qt.FocusReason.OtherFocusReason)
                break

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """Everything this page can know blocks here (issue 14): dates that cannot be read,
        then the core's own checks of the fields on this page, cross-field rules included
        (the whole operation run by the core and rolled back: desk.process.check_only)."""
        errors = self.w.parse_errors(self)
        if not errors:
            errors = self.w.core_errors(self)
        self.show_errors(errors)
        return not errors


class ConfirmPage(StepPage):
    """確認: what will be recorded; the last button hands it to the core (in the background)."""

    def __init__(self, wizard: "StepWizard"):
        super().__init__(wizard, "confirm", _("Confirm"),
                         _("Check the contents. Nothing is recorded until you press the "
                           "button below."))
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


# ---------------------------------------------------------------------- the wizard
class StepWizard(QWizard):
    """A wizard for one process step of one case. Emits ``completed(step)`` once recorded."""

    step: P.Step = P.Step.RECORD
    graph: P.Step | None = None          # the step whose page graph app/process.py holds
    title_text = ""
    finish_text = ""

    completed = Signal(str)

    def __init__(self, desk, case_id: str, parent: QWidget | None = None, *,
                 ask_restore_draft: Callable[[], bool] | None = None,
                 ask_keep_draft: Callable[[], bool] | None = None,
                 show_error: Callable[[str], None] | None = None,
                 ask_close: Callable[[], str] | None = None, **context: Any):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.case_id = case_id
        self.context = context
        self.ask_restore_draft = ask_restore_draft or (  # ui/dialogs/drafts.py
            lambda: drafts.ask_restore_draft(self, drafts.STEP_DRAFT))
        # closing with input asks 入力を続ける / 下書きを残して閉じる / 下書きを破棄して閉じる;
        # an injected ask_keep_draft (True: keep, False: discard) answers instead
        self.ask_keep_draft = ask_keep_draft
        self.ask_close = ask_close or (lambda: drafts.ask_close(self, drafts.STEP_DRAFT))
        self.show_error = show_error or (lambda text: QMessageBox.warning(self, _("Error"), text))
        self._restoring = False
        self.recorded = False
        self.result_value: Any = None
        self._parse: dict[str, list[ValidationError]] = {}

        self.setWindowTitle(self.title_text or self.step.label)
        self.setOption(QWizard.WizardOption.IndependentPages, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.finish_text or _("Record"))
        self._restoring = True
        self.load()
        self.pages: list[StepPage] = self.build()
        self.confirm = ConfirmPage(self)
        self.pages.append(self.confirm)
        for i, page in enumerate(self.pages):
            self.setPage(i, page)
        self.setStartId(0)
        self.prefill()
        self._restoring = False
        from ui.fit import fit_to_screen, make_scrollable
        for page in self.pages:   # a long page scrolls; 次へ / キャンセル stay on the screen
            make_scrollable(page)
        fit_to_screen(self, 1000, 700)
        self.install_print_button()
        draft = self.desk.load_draft(self.draft_key)
        if draft:
            if self.ask_restore_draft():
                self.restore(draft)
            else:
                self.desk.discard_draft(self.draft_key)

    # ---------------------------------------------------------------- 印刷
    def install_print_button(self) -> None:
        """「印刷」 at the bottom left: the step's own sheet (ui/print_menu.STEP_SHEETS) first,
        filled from what is saved, blank, or for another agency; then the other sheets."""
        from ui.print_menu import STEP_SHEETS, PrintMenu, SheetPrinter
        self.printer = SheetPrinter(self, self.desk, self.case_id,
                                    opener=self.context.get("opener"),
                                    warn=self.context.get("warn"),
                                    dialogs=self.context.get("dialogs"))
        self.print_menu = PrintMenu(self.printer, own=STEP_SHEETS.get(self.step, ""),
                                    parent=self)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, _("Print") + " ▾")
        self.print_button = self.button(QWizard.WizardButton.CustomButton1)
        self.print_button.setToolTip(_("Print this step's sheet: filled in from what is "
                                       "saved, blank for handwriting, or for another agency"))
        self.customButtonClicked.connect(self._print_clicked)
        self.printer.busy_changed.connect(lambda busy: self.print_button.setEnabled(not busy))
        from ui.help import install_wizard_help   # ヘルプ (F1) beside 印刷 (issue 18)
        install_wizard_help(self)
        self.setButtonLayout([QWizard.WizardButton.HelpButton, QWizard.WizardButton.CustomButton1,
                              QWizard.WizardButton.Stretch,
                              QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                              QWizard.WizardButton.CommitButton,
                              QWizard.WizardButton.FinishButton,
                              QWizard.WizardButton.CancelButton])

    def _print_clicked(self, which) -> None:
        if which in (QWizard.WizardButton.CustomButton1,
                     QWizard.WizardButton.CustomButton1.value):
            from PySide6.QtCore import QPoint
            b = self.print_button
            above = b.mapToGlobal(QPoint(0, 0))  # opens upwards, from the button bar
            self.print_menu.popup(QPoint(above.x(),
                                         above.y() - self.print_menu.sizeHint().height()))

    # ---------------------------------------------------------------- to override
    def load(self) -> None:
        """Read what the pages need from the desk (before they are built)."""

    def build(self) -> list[StepPage]:
        raise NotImplementedError

    def prefill(self) -> None:
        """Defaults (today's date, the previous version's answers …)."""

    def derived(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Extra answers the page graph reads (e.g. whether the plan has statutory services)."""
        return {}

    def operation(self, a: dict[str, Any]) -> Callable[[], Any]:
        """The Desk call(s) recording the answers; runs off the GUI thread."""
        raise NotImplementedError

    def summary_rows(self, a: dict[str, Any]) -> list[tuple[str, str]]:
        return []

    # ---------------------------------------------------------------- pages and answers
    @property
    def draft_key(self) -> str:
        return f"{self.step.value}:{self.case_id}"

    def page_named(self, name: str) -> StepPage:
        return next(p for p in self.pages if p.name == name)

    def answers(self) -> dict[str, Any]:
        a: dict[str, Any] = {}
        for page in self.pages:
            a.update(page.state())
        a.update(self.derived(a))
        return a

    def path(self) -> list[str]:
        names = [p.name for p in self.pages]
        if self.graph is not None:
            return [n for n in P.wizard_path(self.graph, self.answers()) if n in names]
        return names

    def nextId(self) -> int:  # noqa: N802 - Qt override
        page = self.currentPage()
        if not isinstance(page, StepPage):
            return -1
        names = [p.name for p in self.pages]
        if self.graph is not None:
            nxt = P.wizard_next(self.graph, page.name, self.answers())
        else:
            i = names.index(page.name)
            nxt = names[i + 1] if i + 1 < len(names) else None
        return names.index(nxt) if nxt in names else -1

    # ---------------------------------------------------------------- dates typed as text
    def date(self, key: str, label: str = "") -> date | None:
        """The date typed in ``key`` (any page), None when empty; an unreadable date is
        remembered as a message for its page."""
        for page in self.pages:
            w = page.inputs.get(key)
            if isinstance(w, DateField):
                try:
                    return w.parsed(key)
                except ValidationError as e:
                    self._parse.setdefault(page.name, []).append(e)
                    return None
        raise KeyError(key)

    def row_date(self, text: str, key: str, label: str) -> date | None:
        if not (text or "").strip():
            return None
        try:
            return text_ja.parse_date(text, key)
        except ValidationError as e:
            owner = next((p for p in self.pages if p.owner_key(key)), self.confirm)
            self._parse.setdefault(owner.name, []).append(ValidationError(
                key, _("{label}: {message}").format(label=label, message=e.message)))
            return None

    def parse_errors(self, page: StepPage) -> list[ValidationError]:
        """Unreadable dates on ``page`` (reads every date of the page)."""
        self._parse = {}
        try:
            self.operation(self.answers())
        except Exception:  # noqa: BLE001 - building the call only; the core judges later
            pass
        return [e for e in self._parse.get(page.name, []) if page.owns(e)]

    def core_errors(self, page: StepPage) -> list[ValidationError]:
        """The core's problems with the fields of ``page`` (the operation checked and rolled
        back); problems of fields on later pages wait for those pages."""
        check = self.desk.process.check_only
        self._parse = {}
        try:
            op = self.operation(self.answers())
        except Exception:  # noqa: BLE001 - answers still incomplete: the last page reports
            return []
        try:
            found = check(op)
        except Exception:  # noqa: BLE001 - a check that cannot run never blocks 次へ
            return []
        return [e for e in found if e.field and page.owns(e)]

    # ---------------------------------------------------------------- drafts
    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": 1}
        for page in self.pages:
            data.update(page.state())
        return data

    def restore(self, payload: dict[str, Any]) -> None:
        self._restoring = True
        try:
            for page in self.pages:
                page.restore(payload)
        finally:
            self._restoring = False

    def field_changed(self, *_args) -> None:
        if self._restoring or self.recorded:
            return
        self.desk.save_draft(self.draft_key, self.payload())

    def reject(self) -> None:
        if not self.recorded and self.desk.load_draft(self.draft_key):
            answer = drafts.close_answer(self.ask_keep_draft, self.ask_close)
            if answer == drafts.CONTINUE:
                return            # the wizard stays open, nothing lost
            if answer == drafts.DISCARD:
                self.desk.discard_draft(self.draft_key)
        super().reject()

    # ---------------------------------------------------------------- recording
    def summary_html(self) -> str:
        return summary_table(self.summary_rows(self.answers()))

    def submit(self) -> None:
        self._parse = {}
        a = self.answers()
        op = self.operation(a)
        errors = [e for errs in self._parse.values() for e in errs]
        if errors:
            self.route_errors(errors)
            return
        self.confirm.busy = True
        self.confirm.show_refusal("")
        self.confirm.status.setText(_("Recording…"))
        self._buttons(False)
        run_in_background(self, op, self._recorded, self._failed)

    def _recorded(self, result: Any) -> None:
        self.recorded = True
        self.result_value = result
        self.desk.discard_draft(self.draft_key)
        self.confirm.done = True
        self.confirm.busy = False
        self._buttons(True)
        self.completed.emit(self.step.value)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.confirm.busy = False
        self.confirm.status.setText("")
        self._buttons(True)
        if isinstance(error, ValidationErrors):
            self.route_errors(error.errors)
        elif isinstance(error, ValidationError):
            self.route_errors([error])
        elif isinstance(error, TsunaguError):
            self.confirm.show_refusal(str(error))
        else:
            self.confirm.show_refusal(_("Could not be recorded: {error}").format(error=error))

    def route_errors(self, errors: list[ValidationError]) -> None:
        """Go back to the first page shown that has a problem and show the messages under
        its fields; messages no page shown can hold go to the current page."""
        visited = [self.page_(i) for i in self.visitedIds()]
        for page in [p for p in self.pages[:-1] if p in visited]:
            mine = [e for e in errors if page.owns(e)]
            if mine:
                while self.currentPage() is not page and self.currentId() != self.startId():
                    self.back()
                page.show_errors(mine)
                return
        current = self.currentPage()
        if current is self.confirm:
            self.confirm.show_refusal("\n".join(e.message for e in errors))
        elif isinstance(current, StepPage):
            current.general_error.show_message("\n".join(e.message for e in errors))

    def page_(self, page_id: int) -> QWizardPage:
        return QWizard.page(self, page_id)

    def _buttons(self, enabled: bool) -> None:
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.FinishButton,
                      QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(enabled)


def meeting_options(desk) -> list[tuple[str, str]]:
    """Upcoming 支援調整会議 not yet held, for the "put it on the agenda of" choice (the
    meetings only: reading the whole dashboard for them froze the wizard at 100,000 cases)."""
    out = [("", _("Decide later (put it on an agenda from the meeting screen)"))]
    for m in desk.process.open_meetings():
        out.append((m.id, f"{wareki(m.held_on)}　{m.kind.label}　{m.place or ''}".rstrip()))
    return out


def combo(options: list[tuple[str, str]]) -> QComboBox:
    box = QComboBox()
    for value, label in options:
        box.addItem(label, value)
    return box


def note_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #445; background: #f3f6f9; border: 1px solid #d5dde5;"
                        "border-radius: 4px; padding: 8px;")
    return label


def date_field(label: str) -> DateField:
    return DateField(label)
