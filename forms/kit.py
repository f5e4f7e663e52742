"""The layout kit every sheet is built with: page, header/footer, grids, check boxes, text boxes.

A sheet is a list of Platypus flowables handed to :func:`build_sheet`, which puts on every page
the agency name and case number (header) and 「取扱注意（個人情報）」 with 「x / y」 (footer).
All text goes through :mod:`forms.fonts` so characters missing from BIZ UD are drawn with a
fallback font. Government-form look: thin black rules, light grey label cells, check boxes and
marks drawn as shapes (☐☑✔ are not in the fonts), 和暦 dates.

Text is laid out by :class:`forms.textflow.JText` (禁則, no justified CJK lines). Nothing is
printed over anything else: a grid's row heights are minimums, a one-line value may shrink
before it wraps, a cell taller than a third of a page is cut with 「（続きは別紙）」 and goes on
on a 別紙 page after the sheet; boxes and lists split between whole lines, say （続き） on
the next page, never leave an empty box, a lone row or a heading behind.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate,
                                Spacer, Table, TableStyle)

from app.i18n import N_, _
from app.text_ja import age_on, format_wareki
from forms import fonts
from forms.fonts import GOTHIC, GOTHIC_BOLD, MINCHO, draw_string, split_runs, string_width
from forms.textflow import CENTER, LEFT, RIGHT, JText, break_lines

# -- page ----------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = MARGIN_RIGHT = 15 * mm
MARGIN_TOP = 21 * mm          # the header sits in it
MARGIN_BOTTOM = 18 * mm       # the footer sits in it
SAFE_MARGIN = 10 * mm         # nothing is drawn closer to the paper's edge (printers' limit ≈5 mm)
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
CONTENT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

RULE = 0.5                    # thin black rule of the grids
FRAME_RULE = 1.0              # outer frame of a grid
LABEL_BG = colors.Color(0.9, 0.9, 0.9)
FAINT = colors.Color(0.6, 0.6, 0.6)
PAD_RIGHT = 5                 # right padding of cells (JText never hangs 、。 past the line)

BODY_SIZE = 9
LABEL_SIZE = 8.5


# -- text ----------------------------------------------------------------------------------------

def markup(text: str | None, font: str = GOTHIC) -> str:
    """ReportLab Paragraph markup for plain ``text``: ``<>&`` escaped, fallback runs in
    ``<font>`` (the sheets themselves lay text out with :class:`forms.textflow.JText`)."""
    if not text:
        return ""
    out = []
    for run_font, run in split_runs(text, font):
        # Paragraph collapses whitespace: keep 　 (U+3000) and runs of spaces as written,
        # since blank dates and write-in brackets are made of them.
        piece = escape(run).replace("\u3000", "\u00a0\u00a0").replace("  ", "\u00a0\u00a0")
        piece = piece.replace("\n", "<br/>")
        out.append(piece if run_font == font else f'<font name="{run_font}">{piece}</font>')
    return "".join(out)


_styles: dict[str, ParagraphStyle] | None = None


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the sheets (registers the fonts on first use)."""
    global _styles
    if _styles is None:
        fonts.register_base_fonts()
        base = dict(fontName=GOTHIC, fontSize=BODY_SIZE, leading=13, wordWrap="CJK")
        _styles = {
            "body": ParagraphStyle("body", **base),
            "value": ParagraphStyle("value", **{**base, "fontSize": 10, "leading": 14}),
            "large": ParagraphStyle("large", **{**base, "fontSize": 14, "leading": 18}),
            "small": ParagraphStyle("small", **{**base, "fontSize": 7.5, "leading": 10}),
            "note": ParagraphStyle("note", **{**base, "fontSize": 7.5, "leading": 10,
                                              "textColor": colors.Color(0.25, 0.25, 0.25)}),
            "label": ParagraphStyle("label", **{**base, "fontSize": LABEL_SIZE, "leading": 11,
                                                "alignment": TA_CENTER}),
            "label_left": ParagraphStyle("label_left", **{**base, "fontSize": LABEL_SIZE,
                                                          "leading": 11}),
            "formal": ParagraphStyle("formal", **{**base, "fontName": MINCHO, "fontSize": 10,
                                                  "leading": 14.5}),
            "heading": ParagraphStyle("heading", **{**base, "fontName": GOTHIC_BOLD,
                                                    "fontSize": 10.5, "leading": 14}),
            "title": ParagraphStyle("title", **{**base, "fontName": GOTHIC_BOLD, "fontSize": 16,
                                                "leading": 22, "alignment": TA_CENTER}),
            "right": ParagraphStyle("right", **{**base, "alignment": TA_RIGHT}),
            "center": ParagraphStyle("center", **{**base, "alignment": TA_CENTER}),
        }
    return _styles


_ALIGN = {TA_CENTER: CENTER, TA_RIGHT: RIGHT}


def para(text: str | None, style: str | ParagraphStyle = "body", *,
         fit_min: float | None = None, color=None) -> JText:
    """A block of plain ``text`` in ``style`` (Japanese line breaking, font fallback).

    ``fit_min``: a one-line value too wide for its cell shrinks down to this size before it
    wraps (names, numbers, dates)."""
    st = styles()[style] if isinstance(style, str) else style
    return JText(text, st.fontName, st.fontSize, st.leading, _ALIGN.get(st.alignment, LEFT),
                 color or st.textColor, fit_min)


# -- dates ---------------------------------------------------------------------------------------

def iso_date(value: str | date | None) -> date | None:
    """The date of a stored value (ISO text such as 2026-04-01, or a date already); None when
    empty."""
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(value)


def wareki(d: date | None) -> str:
    """令和8年4月1日 (empty for None)."""
    return format_wareki(d) if d else ""


def birth_with_age(birth: date | None, on: date | None) -> str:
    """昭和55年3月3日（満46歳）; the age as of ``on`` (or today)."""
    if not birth:
        return ""
    return _("{date} (age {age})").format(date=wareki(birth),
                                           age=age_on(birth, on or date.today()))


def blank_date() -> str:
    """A date to fill in by hand: 令和　　年　　月　　日."""
    return _("Reiwa ____ / ____ / ____")


def blank_birth_date() -> str:
    """A birth date to fill in: 昭・平・令　　年　　月　　日（満　　歳）."""
    return _("S. / H. / R. ____ / ____ / ____ (age ____)")


# -- grids ---------------------------------------------------------------------------------------

class Label(str):
    """A label cell of :func:`grid`: light grey, centred."""


class LeftLabel(Label):
    """A label cell aligned left (for a label spanning a whole row)."""


Cell = str | Label | Flowable | list | None


def grid(rows: Sequence[Sequence[Cell]], col_widths: Sequence[float], *,
         spans: Iterable[tuple[tuple[int, int], tuple[int, int]]] = (),
         row_heights: Sequence[float | None] | None = None,
         value_style: str = "value", repeat_rows: int = 0, valign: str = "MIDDLE",
         extra: Iterable[tuple] = (), frame: bool = True) -> Table:
    """A ruled label/value table. ``str`` → value paragraph, :class:`Label` → grey label cell.

    ``spans`` are ReportLab ``((col0,row0),(col1,row1))`` pairs; the covered cells should be
    ``None``. Rows are never split across pages (``splitByRow``); long text belongs in
    :func:`text_box`, which splits by chunks of lines.
    """
    data = []
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), RULE, colors.black),
        ("VALIGN", (0, 0), (-1, -1), valign),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_RIGHT),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if frame:
        commands.append(("BOX", (0, 0), (-1, -1), FRAME_RULE, colors.black))
    for r, row in enumerate(rows):
        out = []
        for c, cell in enumerate(row):
            if isinstance(cell, Label):
                style = "label_left" if isinstance(cell, LeftLabel) else "label"
                out.append(para(str(cell), style))
                commands.append(("BACKGROUND", (c, r), (c, r), LABEL_BG))
                commands.append(("RIGHTPADDING", (c, r), (c, r), 4 if style == "label" else 9))
            elif isinstance(cell, str):
                out.append(para(cell, value_style) if cell else "")
            elif cell is None:
                out.append("")
            else:
                out.append(cell)
        data.append(out)
    for start, end in spans:
        commands.append(("SPAN", start, end))
    commands.extend(extra)
    heights, overflow = _fit_rows(rows, data, col_widths, spans, row_heights)
    table = SheetTable(data, colWidths=list(col_widths), rowHeights=heights,
                       repeatRows=repeat_rows, splitByRow=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    if overflow:
        table._tsunagu_overflow = overflow
    return table


MAX_CELL_HEIGHT = CONTENT_HEIGHT / 3    # taller grid cells continue on the attached sheet


def _needed(cell, width: float) -> float:
    """Height the content of a cell needs at ``width`` (without padding)."""
    if cell is None or isinstance(cell, str):
        return 0.0
    if isinstance(cell, (list, tuple)):
        return sum(_needed(c, width) for c in cell)
    try:
        return cell.wrap(width, 1e6)[1] + (getattr(cell, "spaceBefore", 0) or 0) \
            + (getattr(cell, "spaceAfter", 0) or 0)
    except Exception:   # pragma: no cover - a flowable that cannot say
        return 0.0


def _rest_of(text: str, shown: list[str]) -> str:
    """``text`` after the characters of the ``shown`` lines (line breaks and spaces aside)."""
    count = sum(len("".join(line.split())) for line in shown)
    for i, ch in enumerate(text):
        if count == 0:
            return text[i:].lstrip()
        if not ch.isspace():
            count -= 1
    return ""


def _fit_rows(rows, data, col_widths, spans, row_heights):
    """Row heights that hold their content (a given height is a minimum), and the cells cut
    for the attached sheet: [(label, rest of the text)]."""
    covered: dict[tuple[int, int], float] = {}
    vertical: set[tuple[int, int]] = set()
    for (c0, r0), (c1, r1) in spans:
        c0, c1 = sorted((c0 % len(col_widths), c1 % len(col_widths)))
        covered[(c0, r0)] = sum(col_widths[c0:c1 + 1])
        if r1 != r0:
            vertical.add((c0, r0))
    heights = list(row_heights) if row_heights else [None] * len(data)
    overflow: list[tuple[str, str]] = []
    pad = 4 + PAD_RIGHT
    for r, row in enumerate(data):
        need = 0.0
        for c, cell in enumerate(row):
            if (c, r) in vertical:
                continue
            width = covered.get((c, r), col_widths[c]) - pad
            h = _needed(cell, width)
            if h > MAX_CELL_HEIGHT:
                *before, text = cell if isinstance(cell, list) and cell else [cell]
                if isinstance(text, JText):
                    room = MAX_CELL_HEIGHT - _needed(before, width)
                    keep_lines = max(1, int(room // text.cur_leading) - 1)
                    head, rest = text.split_lines(width, keep_lines)
                    if rest is not None:
                        label = next((str(x) for x in reversed(rows[r][:c])
                                      if isinstance(x, Label)), "")
                        row[c] = [*before, head, para(_(CONTINUED_NOTE), "note")]
                        overflow.append((label, _rest_of(text.text, head._lines)))
                        h = _needed(row[c], width)
            need = max(need, h + 7)
        if r < len(heights) and heights[r] is not None and need > heights[r]:
            heights[r] = None
    return heights, overflow


def section_heading(text: str, note: str = "") -> Table:
    """A section heading: a black square, bold text, an optional note on the right."""
    st = styles()
    left = para("■ " + text, "heading")
    right = para(note, ParagraphStyle("hn", parent=st["note"], alignment=TA_RIGHT))
    table = Table([[left, right]], colWidths=[CONTENT_WIDTH * 0.45, CONTENT_WIDTH * 0.55],
                  hAlign="LEFT")
    table.setStyle(TableStyle([
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
    ]))
    table.spaceBefore = 5
    table.spaceAfter = 2
    table._tsunagu_heading = True
    return table


def title(text: str) -> JText:
    p = para(text, "title")
    p.spaceAfter = 4
    return p


def gap(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


# -- marks drawn as shapes -----------------------------------------------------------------------

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


class SheetTable(Table):
    """A Table whose page breaks are the ones a person would make.

    - ``cont_row``: the row printed instead of the repeated heading row on a continuation
      (「課題と背景要因（続き）」), so a box that goes on says so;
    - a split never leaves fewer than two body rows behind or carries a single row over
      (unless the table starts the page and must split anyway);
    - ``filler_rows`` (writing space under a text) never continue alone onto the next page
      as an empty duplicate box: they are dropped instead.
    """

    cont_row: list | None = None
    filler_rows: frozenset = frozenset()
    min_rows: int = 2
    cont_first: dict = {}     # row → the entry's number, shown with 「続き」 atop a new page

    def split(self, availWidth, availHeight):
        parts = Table.split(self, availWidth, availHeight)
        if len(parts) != 2:
            return parts
        head = self.repeatRows if isinstance(self.repeatRows, int) else len(self.repeatRows)
        n = len(parts[0]._cellvalues)
        total = len(self._cellvalues)
        body_before, body_after = n - head, total - n
        at_top = availHeight >= CONTENT_HEIGHT - 2
        content_after = [r for r in range(n, total) if r not in self.filler_rows]
        if not content_after:
            if any(r not in self.filler_rows for r in range(head, n)):
                # only the writing space under a text would go on: end the box here
                return [self._with_style(parts[0])]
            if not at_top:
                return []       # a blank box is its writing space: keep it whole
        if not at_top and body_before < min(self.min_rows, total - head):
            return []
        if body_after == 1 and (body_before >= self.min_rows + 1 or not at_top):
            # never carry one row over alone: take one more with it, or move the whole table
            if body_before < self.min_rows + 1:
                return []
            heights = getattr(self, "_rowHeights", None)
            if heights:
                again = Table.split(self, availWidth, sum(heights[:n - 1]) + 0.01)
                if len(again) == 2:
                    parts = again
                    n = len(parts[0]._cellvalues)
        first, rest = parts
        if self.cont_row is not None and head:
            rest._cellvalues[0] = list(self.cont_row)
        if n in self.cont_first and len(rest._cellvalues) > head:
            row = list(rest._cellvalues[head])
            row[0] = [para(self.cont_first[n], "body"), para(_("continued"), "note")]
            rest._cellvalues[head] = row
        fillers = frozenset(r - n + head for r in self.filler_rows if r >= n)
        shifted = {r - n + head: v for r, v in self.cont_first.items() if r >= n}
        return [self._with_style(first, cont_first={r: v for r, v in self.cont_first.items()
                                                      if r < n}),
                self._with_style(rest, fillers, shifted)]

    def _with_style(self, part, fillers=None, cont_first=None):
        part.cont_row = self.cont_row
        part.min_rows = self.min_rows
        part.filler_rows = self.filler_rows if fillers is None else fillers
        part.cont_first = self.cont_first if cont_first is None else cont_first
        return part


CONTINUED_NOTE = N_("(continued on the attached sheet)")


def continued_label(label: str) -> str:
    return _("{label} (continued)").format(label=label)


def text_box(label: str, text: str | None, *, min_height: float = 25 * mm,
             width: float = CONTENT_WIDTH, lines_per_row: int = 3, note: str = "") -> Table:
    """A labelled box of free text that flows across pages.

    The text is cut into rows of a few lines each, so a page break falls between lines and
    never through the middle of a row; on the next page the box goes on under its label
    marked 「（続き）」. An empty text leaves writing space of ``min_height``.
    """
    st = styles()["value"]
    full_label = label if not note else f"{label}　{note}"
    head = para(full_label, "label_left")
    inner_w = width - 4 - PAD_RIGHT
    rows: list[list] = [[head]]
    body_h = 0.0
    if text and text.strip():
        block = JText(text.strip("\n"), st.fontName, st.fontSize, st.leading)
        lines = block.lines(inner_w)
        for i in range(0, len(lines), lines_per_row):
            part = block._part(lines[i:i + lines_per_row])
            rows.append([part])
            body_h += len(part._lines) * st.leading + 1
    fillers = set()
    if body_h < min_height:
        # an empty box gets handwriting guide lines; a short text just keeps the box's size
        guides = 7 * mm if len(rows) == 1 else None
        fillers.add(len(rows))
        rows.append([WritingSpace(min_height - body_h, line_gap=guides)])
    n = len(rows)
    commands = [
        ("BOX", (0, 0), (-1, -1), FRAME_RULE, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), RULE, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_RIGHT),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 1), (-1, n - 1), 1),
        ("BOTTOMPADDING", (0, 1), (-1, n - 1), 0),
        ("TOPPADDING", (0, 1), (-1, 1), 4),
        ("BOTTOMPADDING", (0, n - 1), (-1, n - 1), 4),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    table = SheetTable(rows, colWidths=[width], repeatRows=1, splitByRow=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    table.cont_row = [para(continued_label(full_label), "label_left")]
    table.filler_rows = frozenset(fillers)
    return table


def keep(*flowables: Flowable) -> KeepTogether:
    """Keep ``flowables`` on one page (moves them to the next page if they don't fit)."""
    return KeepTogether(list(flowables))


# -- the document --------------------------------------------------------------------------------

@dataclass
class Furniture:
    """What is printed on every page around the content."""

    agency_name: str
    case_no: str = ""                 # '' prints a write-in blank
    sheet_title: str = ""
    footer: str = field(default_factory=lambda: _("Confidential (personal information)"))
    show_case_no: bool = True


class _NumberedCanvas(Canvas):
    """Defers each page until the end so the footer can say 「x / y」."""

    furniture: Furniture

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        # pages are numbered per part (a bundle holds several sheets, each 「1 / n」)
        parts = [state.get("_part", 0) for state in self._pages]
        totals = {p: parts.count(p) for p in set(parts)}
        seen: dict[int, int] = {}
        for state in self._pages:
            self.__dict__.update(state)
            part = state.get("_part", 0)
            seen[part] = seen.get(part, 0) + 1
            self._draw_furniture(seen[part], totals[part])
            Canvas.showPage(self)
        self.page_count = len(self._pages)
        Canvas.save(self)

    def _draw_header_left(self, agency: str, sheet_title: str, top: float,
                          avail: float) -> None:
        """Agency name (left) and sheet title (centred) in ``avail`` points: never over each
        other or the ID. Long ones shrink (to 5.5 pt); a title that still does not fit is
        left out (it is printed as the sheet's title on page 1); an agency name too long
        even at 5 pt takes two lines."""
        gap_ = 12
        size = 8.5
        a_w = string_width(agency, GOTHIC, 1)
        t_w = string_width(sheet_title, GOTHIC, 1) if sheet_title else 0.0
        need = (a_w + t_w) * size + (gap_ if sheet_title else 0)
        if need > avail and sheet_title:
            size = max(5.5, size * (avail - gap_) / ((a_w + t_w) * size) * size / size)
            if (a_w + t_w) * size + gap_ > avail:
                sheet_title, t_w = "", 0.0
                size = 8.5
        if not sheet_title and a_w * size > avail:
            size = max(5.0, avail / a_w if a_w else size)
        if a_w * size > avail:
            lines = break_lines(agency, GOTHIC, size, avail)[:2]
            draw_string(self, MARGIN_LEFT, top + 3, lines[0], GOTHIC, size)
            if len(lines) > 1:
                draw_string(self, MARGIN_LEFT, top - 2.5, lines[1], GOTHIC, size)
            return
        draw_string(self, MARGIN_LEFT, top, agency, GOTHIC, size)
        if sheet_title:
            width = t_w * size
            x = PAGE_WIDTH / 2 - width / 2
            lo = MARGIN_LEFT + a_w * size + gap_
            hi = MARGIN_LEFT + avail - width
            x = min(max(x, lo), hi)
            draw_string(self, x, top, sheet_title, GOTHIC, size)

    def _draw_furniture(self, number: int, total: int) -> None:
        f = self.__dict__.get("_part_furniture") or self.furniture
        self.saveState()
        self.setFillColor(colors.black)
        top = PAGE_HEIGHT - SAFE_MARGIN - 8
        right = PAGE_WIDTH - MARGIN_RIGHT
        id_w = 0.0
        if f.show_case_no:
            if f.case_no:
                text = _("ID: {case_no}").format(case_no=f.case_no)
                id_w = draw_string(self, right, top, text, GOTHIC_BOLD, 9, anchor="end")
            else:
                label = _("ID:")
                id_w = 30 * mm + draw_string(self, right - 30 * mm, top, label, GOTHIC_BOLD, 9,
                                             anchor="end")
                self.setLineWidth(0.5)
                self.line(right - 29 * mm, top - 2, right, top - 2)
        self._draw_header_left(f.agency_name, f.sheet_title, top,
                               CONTENT_WIDTH - id_w - (8 if id_w else 0))
        self.setLineWidth(0.4)
        self.line(MARGIN_LEFT, top - 5, right, top - 5)
        bottom = SAFE_MARGIN + 2
        self.line(MARGIN_LEFT, bottom + 11, right, bottom + 11)
        w = draw_string(self, MARGIN_LEFT + 2, bottom + 1, f.footer, GOTHIC_BOLD, 8.5)
        self.setLineWidth(0.6)
        self.rect(MARGIN_LEFT, bottom - 2, w + 4, 11.5, stroke=1, fill=0)
        draw_string(self, right, bottom + 1, f"{number} / {total}", GOTHIC, 9, anchor="end")
        self.restoreState()


def build_sheet(target, story: list[Flowable], furniture: Furniture, *,
                title: str = "", subject: str = "") -> int:
    """Lay ``story`` out on A4 pages with the header and footer; returns the page count.

    ``target`` is a file name or a binary file object.
    """
    styles()  # registers the fonts
    doc = BaseDocTemplate(
        target, pagesize=A4, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=title, subject=subject,
        author=furniture.agency_name, creator="Tsunagu", invariant=True, lang="ja-JP",
        initialFontName=GOTHIC,
    )
    frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, CONTENT_WIDTH, CONTENT_HEIGHT, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame])])
    canvas_class = type("SheetCanvas", (_NumberedCanvas,), {"furniture": furniture})
    made: list[_NumberedCanvas] = []

    def maker(*args, **kwargs):
        canv = canvas_class(*args, **kwargs)
        made.append(canv)
        return canv

    doc.build(with_attached_sheet(story), canvasmaker=maker)
    return getattr(made[-1], "page_count", 0) if made else 0


ATTACHED_SHEET = N_("Attached sheet (continued)")


def _overflows(items) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, (list, tuple)):
            found += _overflows(item)
            continue
        found += getattr(item, "_tsunagu_overflow", [])
        content = getattr(item, "_content", None)     # KeepTogether
        if isinstance(content, (list, tuple)):
            found += _overflows(content)
    return found


def _keep_headings(story: list[Flowable]) -> list[Flowable]:
    """A section heading never ends a page: it moves on with the start of what it heads
    (a few rows of a table or box that splits, the whole of one that does not)."""
    from reportlab.platypus import CondPageBreak
    out: list[Flowable] = []
    for i, item in enumerate(story):
        if getattr(item, "_tsunagu_heading", False) and i + 1 < len(story):
            nxt = story[i + 1]
            try:
                _w, h_next = nxt.wrap(CONTENT_WIDTH, CONTENT_HEIGHT)
                _w, h_head = item.wrap(CONTENT_WIDTH, CONTENT_HEIGHT)
            except Exception:   # pragma: no cover
                h_next = h_head = 0
            heights = getattr(nxt, "_rowHeights", None)
            if isinstance(nxt, SheetTable) and heights and nxt.splitByRow:
                # what must come with the heading: the table's heading row and first rows
                head = nxt.repeatRows if isinstance(nxt.repeatRows, int) else len(
                    nxt.repeatRows)
                h_next = min(h_next, sum(heights[:head + nxt.min_rows + 1]))
            need = min(h_head + 8 + h_next, CONTENT_HEIGHT - 1)
            out.append(CondPageBreak(need))
        out.append(item)
    return out


def with_attached_sheet(story: list[Flowable]) -> list[Flowable]:
    """``story`` followed by the 別紙 page that continues the fields too long for their box
    (each printed 「（続きは別紙）」 where it was cut)."""
    story = _keep_headings(story)
    found = _overflows(story)
    if not found:
        return story
    from reportlab.platypus import PageBreak
    out = list(story) + [PageBreak(), title(_(ATTACHED_SHEET))]
    for label, rest in found:
        out.append(text_box(continued_label(label) if label else _(ATTACHED_SHEET), rest,
                            min_height=0))
        out.append(gap(2))
    return out


class _PartStart(Flowable):
    """Zero-size marker: the pages from here on belong to a new part with its own furniture."""

    def __init__(self, index: int, furniture: Furniture):
        super().__init__()
        self.index = index
        self.furniture = furniture
        self.width = self.height = 0

    def wrap(self, *_):
        return 0, 0

    def draw(self):
        self.canv._part = self.index
        self.canv._part_furniture = self.furniture


def build_bundle(target, parts: Sequence[tuple[list[Flowable], Furniture]], *,
                 title: str = "", subject: str = "") -> int:
    """Several sheets in one PDF, each on its own pages with its own header and 「x / y」."""
    from reportlab.platypus import PageBreak
    story: list[Flowable] = []
    for index, (part_story, furniture) in enumerate(parts):
        if index:
            story.append(PageBreak())
        story.append(_PartStart(index, furniture))
        story.extend(part_story)
    first = parts[0][1] if parts else Furniture(agency_name="")
    return build_sheet(target, story, first, title=title, subject=subject)


def render(out_path, story: list[Flowable], furniture: Furniture, texts: Iterable[str | None], *,
           title: str = "", strict: bool = False):
    """Check ``texts`` for unprintable characters, then write the sheet atomically.

    Returns a :class:`forms.output.PrintResult`."""
    from pathlib import Path

    from forms.output import PrintResult, check_texts, write_pdf_atomic
    chars, warnings = check_texts([t for t in texts if t], strict=strict)
    pages = write_pdf_atomic(
        lambda tmp: build_sheet(tmp, story, furniture, title=title or furniture.sheet_title),
        out_path)
    return PrintResult(Path(out_path), pages, warnings, chars)


# -- tables whose long cells flow across pages -----------------------------------------------

def _cell_flowable(cell: Cell, style: str) -> tuple[Flowable | list | str, bool]:
    """(flowable, is_label) for a flow_table cell."""
    if isinstance(cell, Label):
        return para(str(cell), "label_left" if isinstance(cell, LeftLabel) else "label"), True
    if isinstance(cell, str):
        return (para(cell, style) if cell else ""), False
    if cell is None:
        return "", False
    return cell, False


def flow_table(rows: Sequence[Sequence[Cell]], col_widths: Sequence[float], *,
               header: Sequence[str] | None = None, max_lines: int = 5,
               value_style: str = "body", row_heights: Sequence[float | None] | None = None,
               muted_rows: Iterable[int] = (), valign: str = "TOP",
               label_cols: Iterable[int] = ()) -> Table:
    """A ruled list table whose rows are never cut in half by a page break.

    A row whose text is taller than ``max_lines`` lines is cut into continuation rows of
    whole lines (no rule between them), so very long entries still flow onto the next page;
    the header row repeats on every page. ``muted_rows`` are printed grey (superseded
    entries); ``label_cols`` get the grey label background.
    """
    st = styles()[value_style]
    pad_l, pad_r = 4, PAD_RIGHT
    data: list[list] = []
    commands: list[tuple] = [
        ("BOX", (0, 0), (-1, -1), FRAME_RULE, colors.black),
        ("VALIGN", (0, 0), (-1, -1), valign),
        ("LEFTPADDING", (0, 0), (-1, -1), pad_l),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad_r),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for c in range(1, len(col_widths)):
        commands.append(("LINEBEFORE", (c, 0), (c, -1), RULE, colors.black))
    heights: list[float | None] = []
    if header:
        data.append([para(h, "label") for h in header])
        commands += [("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
                     ("LINEBELOW", (0, 0), (-1, 0), RULE, colors.black),
                     ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                     ("RIGHTPADDING", (0, 0), (-1, 0), 4)]
        heights.append(None)
    label_cols = set(label_cols)
    muted = set(muted_rows)
    cont_first: dict[int, str] = {}
    for r, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            flow, is_label = _cell_flowable(cell, value_style)
            if r in muted and isinstance(cell, str) and cell:
                flow = para(cell, value_style, color=colors.Color(0.4, 0.4, 0.4))
            cells.append((flow, is_label or c in label_cols))
        # cut tall texts into chunks of whole lines
        columns: list[list] = []
        for c, (flow, _lab) in enumerate(cells):
            inner = col_widths[c] - pad_l - pad_r
            chunks = [flow]
            if isinstance(flow, JText):
                lines = flow.lines(inner)
                if len(lines) > max_lines:
                    chunks = [flow._part(lines[i:i + max_lines])
                              for i in range(0, len(lines), max_lines)]
            columns.append(chunks)
        n = max(len(ch) for ch in columns) if columns else 1
        first = len(data)
        lead = row[0] if row and isinstance(row[0], str) and len(row[0]) <= 12 else ""
        for k in range(n):
            data.append([ch[k] if k < len(ch) else "" for ch in columns])
            if k and lead and data[-1][0] == "":
                # if the page breaks here, the entry's number goes on with 「続き」
                cont_first[len(data) - 1] = lead
            fixed = row_heights[r] if row_heights and k == 0 and n == 1 else None
            if fixed is not None and any(
                    _needed(ch[0], col_widths[c] - pad_l - pad_r) + 7 > fixed
                    for c, ch in enumerate(columns) if ch):
                fixed = None        # a given height is a minimum: never print over the rule
            heights.append(fixed)
        last = len(data) - 1
        commands.append(("LINEBELOW", (0, last), (-1, last), RULE, colors.black))
        if n > 1:
            commands += [("BOTTOMPADDING", (0, first), (-1, last - 1), 0),
                         ("TOPPADDING", (0, first + 1), (-1, last), 0)]
        for c, (_flow, is_label) in enumerate(cells):
            if is_label:
                commands.append(("BACKGROUND", (c, first), (c, last), LABEL_BG))
                if n == 1:
                    commands.append(("VALIGN", (c, first), (c, first), "MIDDLE"))
    table = SheetTable(data, colWidths=list(col_widths), rowHeights=heights,
                       repeatRows=1 if header else 0, splitByRow=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    table.cont_first = cont_first
    return table


def choice_row(options: Iterable[tuple[str, bool]], *, columns: int | None = None,
               item_gap: float = 14, mark: str = "check") -> Choices:
    """Check boxes for ``(label, chosen)`` pairs (the chosen ones ticked)."""
    return Choices([Choice(label, mark if on else "") for label, on in options],
                   columns=columns, item_gap=item_gap)


def date_or_blank(d: date | None, blank: bool = True) -> str:
    """和暦 date, or a write-in date when there is none (and ``blank``)."""
    return wareki(d) if d else (blank_date() if blank else "")


def person_rows(case_no: str, person, *, on: date | None = None,
                address: bool = True) -> list[list[Cell]]:
    """The person rows that open every sheet: ID, ふりがな, 氏名, 生年月日, 住所 (4 columns)."""
    kana = getattr(person, "kana", "") if person else ""
    name = getattr(person, "name", "") if person else ""
    birth_d = getattr(person, "birth_date", None) if person else None
    birth = birth_with_age(birth_d, on) if birth_d else para(blank_birth_date(), "body")
    rows: list[list[Cell]] = [
        [Label(_("ID")), case_no, Label(_("Furigana")), kana],
        [Label(_("Name")), para(name, "large", fit_min=9) if name else "",
         Label(_("Date of birth")), birth],
    ]
    if address:
        addr = getattr(person, "address", "") if person else ""
        postal = getattr(person, "postal_code", "") if person else ""
        text = (_("Postal code {code}").format(code=postal) + "　" if postal else "") + (addr or "")
        rows.append([Label(_("Address")), text, None, None])
    return rows


# the birth column holds 「昭・平・令　　年　　月　　日（満　　歳）」 on one line when blank
PERSON_COLS = [20 * mm, 64 * mm, 22 * mm, CONTENT_WIDTH - 106 * mm]


def person_grid(case_no: str, person, *, on: date | None = None, address: bool = True) -> Table:
    rows = person_rows(case_no, person, on=on, address=address)
    spans = [((1, 2), (3, 2))] if address else []
    empty = not (person and getattr(person, "name", ""))
    heights = [8 * mm, 11 * mm] + ([9 * mm] if address else []) if empty else [
        None, 10 * mm] + ([None] if address else [])
    return grid(rows, PERSON_COLS, spans=spans, row_heights=heights, value_style="value")


def signature_block(date_label: str, signed_on: date | None, *, who: str = "",
                    seal: bool = True) -> Table:
    """Date, 本人署名 and the 印 box, in one ruled row."""
    cols = [20 * mm, 52 * mm, 22 * mm, (CONTENT_WIDTH - 116 * mm) if seal else
            CONTENT_WIDTH - 94 * mm] + ([22 * mm] if seal else [])
    row: list[Cell] = [Label(date_label), date_or_blank(signed_on),
                       Label(who or _("Signature of the person")), ""]
    extra = [("ALIGN", (4, 0), (4, 0), "CENTER"), ("LEFTPADDING", (4, 0), (4, 0), 0),
             ("RIGHTPADDING", (4, 0), (4, 0), 0)] if seal else []
    if seal:
        row.append(SealBox(14 * mm))
    return grid([row], cols, row_heights=[18 * mm], value_style="body", extra=extra)


def collect_texts(*values) -> list[str]:
    """Flatten the strings in ``values`` (nested lists/tuples allowed) for a printability check."""
    out: list[str] = []
    for v in values:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, (list, tuple)):
            out.extend(collect_texts(*v))
    return out


__all__ = [
    "CONTENT_WIDTH", "Choice", "Choices", "Furniture", "Label", "LeftLabel", "PERSON_COLS",
    "build_bundle", "choice_row", "date_or_blank", "flow_table", "person_grid", "person_rows",
    "render", "signature_block",
    "MARGIN_BOTTOM", "MARGIN_LEFT", "MARGIN_RIGHT", "MARGIN_TOP", "SAFE_MARGIN", "SealBox",
    "WritingSpace", "birth_with_age", "blank_birth_date", "blank_date", "build_sheet",
    "collect_texts", "draw_box", "gap", "grid", "keep", "markup", "para", "section_heading",
    "styles", "text_box", "title", "wareki",
]
