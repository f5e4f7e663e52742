"""The layout kit every sheet is built with: text, dates, grids, text boxes, tables.

A sheet is a list of Platypus flowables handed to :func:`forms.page.build_sheet`, which puts
on every page the agency name and case number (header) and 「取扱注意（個人情報）」 with
「x / y」 (footer).
All text goes through :mod:`forms.fonts` so characters missing from BIZ UD are drawn with a
fallback font. Government-form look: thin black rules, light grey label cells, check boxes and
marks drawn as shapes (:mod:`forms.marks`), 和暦 dates; the page's geometry in
:mod:`forms.layout`.

Text is laid out by :class:`forms.textflow.JText` (禁則, no justified CJK lines). Nothing is
printed over anything else: a grid's row heights are minimums, a one-line value may shrink
before it wraps, a cell taller than a third of a page is cut with 「（続きは別紙）」 and goes on
on a 別紙 page after the sheet; boxes and lists split between whole lines, say （続き） on
the next page, never leave an empty box, a lone row or a heading behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from app.i18n import N_, _
from app.text_ja import age_on, format_wareki
from forms import fonts
from forms.fonts import GOTHIC, GOTHIC_BOLD, MINCHO, split_runs
from forms.layout import (BODY_SIZE, CONTENT_HEIGHT, CONTENT_WIDTH, FRAME_RULE, LABEL_BG,
                          LABEL_SIZE, PAD_RIGHT, RULE)
from forms.marks import Choice, Choices, SealBox, WritingSpace
from forms.textflow import CENTER, LEFT, RIGHT, JText

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


Cell: TypeAlias = "str | Label | Flowable | list | None"


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
        out: list[Flowable | str] = []
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
    heights: list[float | None] = list(row_heights) if row_heights else [None] * len(data)
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
        given = heights[r] if r < len(heights) else None
        if given is not None and need > given:
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
    "Cell", "Label", "LeftLabel", "PERSON_COLS", "SheetTable", "birth_with_age",
    "blank_birth_date", "blank_date", "choice_row", "collect_texts", "continued_label",
    "date_or_blank", "flow_table", "gap", "grid", "keep", "markup", "para", "person_grid",
    "person_rows", "section_heading", "signature_block", "styles", "text_box", "title", "wareki",
]
