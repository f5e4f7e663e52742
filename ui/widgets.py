"""Small widgets shared by the wizards and views: inline error text, a 和暦/西暦 date field."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from app import text_ja
from app.errors import ValidationError
from app.i18n import _

ERROR_STYLE = "color: #c00000;"


class ErrorLabel(QLabel):
    """Red text under a field; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        # not by colour alone (issue 18): a ⚠ before the red text, and the word for a reader
        self.setIndent(self.fontMetrics().horizontalAdvance("⚠ ") if text else -1)
        self.setAccessibleName(_("Error") + "：" + text if text else "")

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self.text():
            from PySide6.QtGui import QPainter
            painter = QPainter(self)
            painter.setPen(self.palette().color(self.foregroundRole()))
            m = self.contentsMargins()
            painter.drawText(m.left(), m.top() + self.fontMetrics().ascent(), "⚠")
            painter.end()

    def clear_message(self) -> None:
        self.show_message("")


class DateField(QWidget):
    """A line edit taking 2026/4/1, R8.4.1, 令和8年4月1日 …; shows the 和暦 it read beside it."""

    textChanged = Signal(str)

    def __init__(self, label: str, parent: QWidget | None = None, *, width: int = 240):
        super().__init__(parent)
        self.label = label
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(_("e.g. R8.4.1 or 2026/4/1"))
        self.edit.setFixedWidth(width)
        self.shown = QLabel(self)
        self.shown.setStyleSheet("color: #245;")
        self.shown.setWordWrap(True)   # with large text (issue 18) it wraps, never cut
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.shown, 1)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._changed)

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt style, mirrors QLineEdit
        self.edit.setText(text)

    def set_date(self, d: date | None) -> None:
        self.edit.setText(text_ja.format_wareki(d, "long") if d else "")

    def parsed(self, field: str) -> date | None:
        """The date, None when empty; ValidationError (with the field's label) when unreadable."""
        text = self.edit.text().strip()
        if not text:
            return None
        try:
            return text_ja.parse_date(text, field)
        except ValidationError as exc:
            raise ValidationError(field, _("{label}: {message}").format(
                label=self.label, message=exc.message)) from None

    def _changed(self, text: str) -> None:
        try:
            d = text_ja.parse_date(text) if text.strip() else None
        except ValidationError:
            d = None
            self.shown.setText(_("(cannot read this date)") if text.strip() else "")
        else:
            self.shown.setText(f"{text_ja.format_wareki(d, 'long')}（{d.year}年）" if d else "")
        self.textChanged.emit(text)


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: bold; font-size: 12pt; color: #1d3d5c;")
    return label
