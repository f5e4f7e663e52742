"""The document: A4 pages with the header (agency, sheet title, case number) and footer
(「取扱注意（個人情報）」, 「x / y」) around a story of flowables, the 別紙 page for text cut
from its box, bundles of several sheets, and :func:`render` (check, then write atomically)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from app.i18n import N_, _
from forms.fonts import GOTHIC, GOTHIC_BOLD, draw_string, string_width
from forms.kit import SheetTable, continued_label, gap, styles, text_box, title
from forms.layout import (CONTENT_HEIGHT, CONTENT_WIDTH, MARGIN_BOTTOM, MARGIN_LEFT,
                          MARGIN_RIGHT, MARGIN_TOP, PAGE_HEIGHT, PAGE_WIDTH, SAFE_MARGIN)
from forms.textflow import break_lines


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
