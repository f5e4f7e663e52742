"""What the tabs of 地域づくり・運営 (ui/views/region.py) are built from: a read-only table, the
list-and-form :class:`Panel` every tab is, and small helpers (和暦 dates, combo boxes, the
permission check)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QLabel, QPlainTextEdit, QSplitter, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from app import text_ja
from app.security.roles import Permission
from ui.dialogs.base import error_text
from ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from ui.views.region import RegionView

STALE_DAYS = 365   # a directory entry not checked for this long is marked


def _w(d: date | None) -> str:
    return text_ja.format_wareki(d) if d else ""


def _may(desk, *permissions: Permission) -> bool:
    try:
        return any(desk.security.allowed(p) for p in permissions)
    except Exception:  # noqa: BLE001 - a desk without the security core
        return False


def _combo(options: Sequence[tuple[str, str]], blank: bool = False) -> QComboBox:
    box = QComboBox()
    if blank:
        box.addItem("", "")
    for value, label in options:
        box.addItem(label, value)
    return box


def _enum_options(enum) -> list[tuple[str, str]]:
    return [(e.value, e.label) for e in enum]


def _text(height: int = 60) -> QPlainTextEdit:
    t = QPlainTextEdit()
    t.setFixedHeight(height)
    return t


class Table(QTableWidget):
    """A read-only list with row data."""

    def __init__(self, headers: Sequence[str], widths: Sequence[int] = ()):
        super().__init__(0, len(headers))
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        self.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate(widths):
            self.setColumnWidth(i, w)
        self.data_rows: list[Any] = []

    def fill(self, rows: Sequence[Sequence[Any]], data: Sequence[Any]) -> None:
        self.setRowCount(0)
        self.data_rows = list(data)
        for r, row in enumerate(rows):
            self.insertRow(r)
            for c, value in enumerate(row):
                item = QTableWidgetItem("" if value is None else str(value))
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)

    def current(self) -> Any:
        r = self.currentRow()
        return self.data_rows[r] if 0 <= r < len(self.data_rows) else None


class Panel(QWidget):
    """A tab: a list on the left, a form on the right, a message line."""

    def __init__(self, view: "RegionView"):
        super().__init__()
        self.view = view
        self.error = ErrorLabel()
        self.message = QLabel()
        self.message.setStyleSheet("color: #1d6b2f;")
        self.message.setWordWrap(True)

    @property
    def desk(self):
        return self.view.desk

    def say(self, text: str) -> None:
        self.error.clear_message()
        self.message.setText(text)

    def attempt(self, fn: Callable[[], Any], done: str = "") -> Any:
        try:
            result = fn()
        except Exception as error:  # noqa: BLE001 - the core's message
            self.message.setText("")
            self.error.show_message(error_text(error))
            return None
        self.say(done)
        self.refresh()
        return result if result is not None else True

    def refresh(self) -> None:  # pragma: no cover - overridden
        pass

    def split(self, left: QWidget, right: QWidget) -> QSplitter:
        s = QSplitter(Qt.Orientation.Horizontal)
        s.addWidget(left)
        s.addWidget(right)
        s.setStretchFactor(0, 3)
        s.setStretchFactor(1, 2)
        return s

    def column(self, *widgets, stretch_last: bool = False) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        layout.setContentsMargins(0, 0, 0, 0)
        for x in widgets:
            if isinstance(x, QWidget):
                layout.addWidget(x)
            else:
                layout.addLayout(x)
        if not stretch_last:
            layout.addStretch(1)
        return w
