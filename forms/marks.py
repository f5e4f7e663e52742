"""Marks drawn as shapes, not characters (☐☑✔ are not in the fonts): check boxes and their
groups (:class:`Choices`), the seal box and handwriting space."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from app.i18n import _
from forms.fonts import GOTHIC, draw_string, string_width
from forms.layout import BODY_SIZE, FAINT
from forms.textflow import break_lines


def draw_box(canv: Canvas, x: float, y: float, size: float, mark: str = "") -> None:
    """A check box with its lower-left corner at (x, y); ``mark``: '', check, fill, circle, double.

    check = a tick, fill = ■, circle = ○ (chosen), double = ◎ (the main one).
    """
    canv.saveState()
    canv.setStrokeColor(colors.black)
    canv.setLineWidth(0.6)
    canv.rect(x, y, size, size, stroke=1, fill=0)
    cx, cy = x + size / 2, y + size / 2
    if mark == "check":
        canv.setLineWidth(size * 0.16)
        canv.setLineCap(1)
        canv.setLineJoin(1)
        path = canv.beginPath()
        path.moveTo(x + size * 0.18, y + size * 0.52)
        path.lineTo(x + size * 0.42, y + size * 0.2)
        path.lineTo(x + size * 0.9, y + size * 0.95)
        canv.drawPath(path, stroke=1, fill=0)
    elif mark == "fill":
        inset = size * 0.2
        canv.setFillColor(colors.black)
        canv.rect(x + inset, y + inset, size - 2 * inset, size - 2 * inset, stroke=0, fill=1)
    elif mark in ("circle", "double"):
        canv.setLineWidth(size * 0.11)
        canv.circle(cx, cy, size * 0.36, stroke=1, fill=0)
        if mark == "double":
            canv.circle(cx, cy, size * 0.17, stroke=1, fill=0)
    canv.restoreState()


@dataclass
class Choice:
    """One item of a :class:`Choices` group. ``mark``: '', check, fill, circle, double."""

    label: str
    mark: str = ""
    fill: bool = False       # take the rest of the row (items with a write-in part)
    box: bool = True         # False: a plain write-in field among the items (つなぎ先：…)


def _wrap_line(text: str, font: str, size: float, width: float) -> list[str]:
    """Wrap one label (Japanese line breaking, as in the text fields)."""
    return break_lines(text, font, size, width)


class Choices(Flowable):
    """A group of check-box items laid out in ``columns`` (or flowing inline), drawn as shapes.

    Labels wider than their place wrap onto further lines; nothing is cut.
    """

    def __init__(self, items: Sequence[Choice], columns: int | None = None, *,
                 font: str = GOTHIC, size: float = BODY_SIZE, box: float | None = None,
                 leading: float | None = None, item_gap: float = 10, pad_v: float = 2):
        super().__init__()
        self.items = list(items)
        self.columns = columns
        self.font = font
        self.size = size
        self.box = box or size * 0.95
        self.leading = leading or size * 1.55
        self.item_gap = item_gap
        self.pad_v = pad_v
        self._placed: list[tuple[float, int, Choice, list[str]]] = []  # x, row, item, lines
        self._row_tops: list[float] = []

    def wrap(self, avail_width: float, avail_height: float):
        self.width = avail_width
        placed = []
        row, x = 0, 0.0
        col_w = avail_width / self.columns if self.columns else 0
        for item in self.items:
            box_w = self.box + 3 if item.box else 0
            natural = box_w + string_width(item.label, self.font, self.size)
            if self.columns:
                span = max(1, math.ceil((natural + self.item_gap) / col_w))
                col = round(x / col_w)
                if col + span > self.columns and col > 0:
                    row, x, col = row + 1, 0.0, 0
                span = min(span, self.columns - col)
                w = avail_width - x if item.fill else span * col_w
            else:
                if x > 0 and (x + natural > avail_width or item.fill):
                    row, x = row + 1, 0.0
                w = avail_width - x if item.fill else min(natural, avail_width - x)
            lines = _wrap_line(item.label, self.font, self.size, max(w - box_w, self.size))
            placed.append((x, row, item, lines))
            x += w if self.columns else w + self.item_gap
        heights: dict[int, int] = {}
        for _x, r, _item, lines in placed:
            heights[r] = max(heights.get(r, 1), len(lines))
        tops, y = [], 0.0
        for r in range(row + 1 if placed else 0):
            tops.append(y)
            y += heights.get(r, 1) * self.leading
        self._placed, self._row_tops = placed, tops
        self.height = y + 2 * self.pad_v - (self.leading - self.size * 1.2)
        return self.width, self.height

    def draw(self):
        canv = self.canv
        ascent = self.size * 0.88
        for x, r, item, lines in self._placed:
            top = self.height - self.pad_v - self._row_tops[r]
            baseline = top - ascent
            text_x = x
            if item.box:
                draw_box(canv, x, baseline - self.size * 0.08, self.box, item.mark)
                text_x += self.box + 3
            for i, line in enumerate(lines):
                draw_string(canv, text_x, baseline - i * self.leading, line, self.font,
                            self.size)


class SealBox(Flowable):
    """The 印 box: a square with a faint 印 in a dashed circle, for the seal or a thumbprint."""

    def __init__(self, size: float = 16 * mm):
        super().__init__()
        self.width = self.height = size

    def wrap(self, *_):
        return self.width, self.height

    def draw(self):
        c, s = self.canv, self.width
        c.saveState()
        c.setStrokeColor(FAINT)
        c.setLineWidth(0.5)
        c.setDash(1.5, 1.5)
        c.circle(s / 2, s / 2, s * 0.36, stroke=1, fill=0)
        c.setFillColor(FAINT)
        draw_string(c, s / 2, s / 2 - 4, _("Seal"), GOTHIC, 11, anchor="middle")
        c.restoreState()


class WritingSpace(Flowable):
    """Empty space to write in by hand, with faint dotted guide lines every ``line_gap``."""

    def __init__(self, height: float, line_gap: float | None = 7 * mm, width: float | None = None):
        super().__init__()
        self.height = height
        self.line_gap = line_gap
        self._width = width

    def wrap(self, avail_width, _avail_height):
        self.width = self._width or avail_width
        return self.width, self.height

    def draw(self):
        if not self.line_gap:
            return
        c = self.canv
        c.saveState()
        c.setStrokeColor(colors.Color(0.72, 0.72, 0.72))
        c.setLineWidth(0.4)
        c.setDash(1, 2)
        y = self.height - self.line_gap
        while y > 1:
            c.line(0, y, self.width, y)
            y -= self.line_gap
        c.restoreState()
