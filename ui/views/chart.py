"""The indicator chart of the 統計・報告 screen: the three national indicators per 100,000
population (新規相談受付件数, プラン作成件数, 就労支援対象者数) as bars beside their targets
(国の目安値), drawn with QPainter (PySide6-Essentials has no QtCharts) in the application's
bundled font, so the Japanese labels show on machines without Japanese fonts."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.i18n import _
from app.reports import statistics as S

ACTUAL = QColor("#1f5f99")
BELOW_TARGET = QColor("#c26a00")
TARGET = QColor("#b8c4d0")
AXIS = QColor("#667788")
GRID = QColor("#e3e8ee")
TEXT = QColor("#223344")


TICKS = 4


def _nice_top(value: float) -> float:
    """A round upper end for the value axis: ``TICKS`` steps of 1, 2 or 5 × 10^n."""
    rough = max(value, 1.0) * 1.1 / TICKS
    magnitude = 1.0
    while magnitude * 10 <= rough:
        magnitude *= 10
    while magnitude > rough:
        magnitude /= 10
    for factor in (1, 2, 5, 10):
        if magnitude * factor >= rough:
            return magnitude * factor * TICKS
    return magnitude * 10 * TICKS


class IndicatorChart(QWidget):
    """Grouped bars: for each indicator the actual value (blue; amber when below the
    target) and the target (grey). ``set_values(actual, targets, caption)``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.actual: dict[str, float] = {}
        self.targets: dict[str, float] = {}
        self.caption = ""
        self.actual_label = _("Actual")
        self.setMinimumSize(320, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor("white"))
        self.setPalette(palette)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(480, 320)

    def set_values(self, actual: dict[str, float], targets: dict[str, float], caption: str = "",
                   actual_label: str | None = None) -> None:
        self.actual = {k: float(actual.get(k) or 0) for k in S.INDICATORS}
        self.targets = {k: float(targets.get(k) or 0) for k in S.INDICATORS}
        self.caption = caption
        if actual_label:
            self.actual_label = actual_label
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        base = QFont(self.font())
        small = QFont(base)
        small.setPointSizeF(max(base.pointSizeF() - 1.0, 7.0))
        bold = QFont(base)
        bold.setBold(True)
        w, h = self.width(), self.height()
        fm = p.fontMetrics()
        line = fm.height()

        # title and legend
        p.setPen(TEXT)
        p.setFont(bold)
        title = self.caption or _("Per 100,000 population")
        title = p.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, w - 24)
        p.drawText(QRectF(12, 6, w - 24, line + 4), Qt.AlignmentFlag.AlignLeft, title)
        p.setFont(small)
        legend_y = 10 + line + 2
        x = 12.0
        for colour, text in ((ACTUAL, self.actual_label), (TARGET, _("National target"))):
            p.fillRect(QRectF(x, legend_y + 3, 12, 12), colour)
            p.setPen(TEXT)
            text_w = p.fontMetrics().horizontalAdvance(text)
            p.drawText(QRectF(x + 16, legend_y, text_w + 4, line + 2),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            x += 16 + text_w + 18

        # plot area
        label_h = line * 2 + 10
        left, right = 44.0, 12.0
        top = legend_y + line + 14
        bottom = h - label_h - 8
        if bottom - top < 40:
            p.end()
            return
        values = list(self.actual.values()) + list(self.targets.values())
        top_value = _nice_top(max(values or [1.0]))
        scale = (bottom - top) / top_value
        p.setFont(small)
        for i in range(TICKS + 1):
            v = top_value * i / TICKS
            y = bottom - v * scale
            p.setPen(QPen(GRID if i else AXIS, 1))
            p.drawLine(int(left), int(y), int(w - right), int(y))
            p.setPen(AXIS)
            text = f"{v:g}" if v == int(v) else f"{v:.1f}"
            p.drawText(QRectF(0, y - line / 2, left - 6, line),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)

        group_w = (w - left - right) / len(S.INDICATORS)
        bar_w = min(56.0, group_w * 0.3)
        for i, key in enumerate(S.INDICATORS):
            cx = left + group_w * (i + 0.5)
            actual, target = self.actual.get(key, 0.0), self.targets.get(key, 0.0)
            colour = BELOW_TARGET if actual < target else ACTUAL
            for j, (value, fill) in enumerate(((actual, colour), (target, TARGET))):
                bx = cx - bar_w - 2 if j == 0 else cx + 2
                bh = value * scale
                p.fillRect(QRectF(bx, bottom - bh, bar_w, bh), fill)
                p.setPen(TEXT)
                p.drawText(QRectF(bx - 10, bottom - bh - line - 2, bar_w + 20, line),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                           f"{value:.1f}")
            p.setFont(base)
            p.setPen(TEXT)
            p.drawText(QRectF(cx - group_w / 2 + 4, bottom + 6, group_w - 8, label_h),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                       | Qt.TextFlag.TextWordWrap, S.label(key))
            p.setFont(small)
        p.end()
