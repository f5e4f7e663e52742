"""The inputs the wizards' pages are made of: radio and check lists, a table of rows typed in
place (RowsEditor, keyboard of issue 14), and reading/writing/watching any input by value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton, QApplication, QButtonGroup, QCheckBox, QComboBox, QGridLayout, QGroupBox,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QRadioButton,
    QSpinBox, QTableWidget, QVBoxLayout, QWidget,
)

from app import text_ja
from app.i18n import _
from ui.widgets import DateField

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
    if isinstance(w, QSpinBox):
        return w.value()
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
    elif isinstance(w, QSpinBox) and isinstance(value, int):
        w.setValue(value)


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
    elif isinstance(w, QSpinBox):
        w.valueChanged.connect(slot)


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
