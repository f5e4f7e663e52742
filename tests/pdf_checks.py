"""Checks of a printed PDF from its own glyph boxes and text (pypdfium2).

- :func:`overlapping_glyphs`: pairs of glyphs whose ink boxes overlap, on any page;
- :func:`page_lines`: the text of each page as lines (as a reader sees them);
- :func:`missing_text`: which input texts are not on the pages in order (a text may be cut
  only by page breaks and by continuation marks, never lose a character).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium

TOLERANCE = 0.6   # points of overlap allowed (anti-aliasing of tight boxes, kerning)


def glyph_boxes(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page: (left, bottom, right, top, char) of every visible glyph."""
    pdf = pdfium.PdfDocument(str(path))
    pages = []
    try:
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            n = tp.count_chars()
            # pdfium counts UTF-16 units: a character beyond U+FFFF (𠮷) is two "chars"
            units = tp.get_text_range(0, n).encode("utf-16-le")
            boxes = []
            for c in range(n):
                unit = int.from_bytes(units[2 * c:2 * c + 2], "little")
                if 0xDC00 <= unit <= 0xDFFF:
                    continue            # the second half of the previous character
                if 0xD800 <= unit <= 0xDBFF:
                    ch = units[2 * c:2 * c + 4].decode("utf-16-le", "replace")
                else:
                    ch = chr(unit)
                if ch.isspace():
                    continue            # generated line breaks and spaces
                left, bottom, right, top = tp.get_charbox(c)
                if right - left > 0.3 and top - bottom > 0.3:
                    boxes.append((left, bottom, right, top, ch))
            pages.append(boxes)
    finally:
        pdf.close()
    return pages


def overlapping_glyphs(path: Path, tolerance: float = TOLERANCE) -> list[tuple]:
    """(page, glyph a, glyph b) for every pair of glyphs printed over each other."""
    found = []
    for page_no, boxes in enumerate(glyph_boxes(path), start=1):
        cell = 20.0
        grid: dict[tuple[int, int], list[int]] = {}
        for k, b in enumerate(boxes):
            for gx in range(int(b[0] // cell), int(b[2] // cell) + 1):
                for gy in range(int(b[1] // cell), int(b[3] // cell) + 1):
                    grid.setdefault((gx, gy), []).append(k)
        seen = set()
        for members in grid.values():
            for x in range(len(members)):
                a = boxes[members[x]]
                for y in range(x + 1, len(members)):
                    pair = (members[x], members[y])
                    if pair in seen:
                        continue
                    seen.add(pair)
                    b = boxes[members[y]]
                    ox = min(a[2], b[2]) - max(a[0], b[0])
                    oy = min(a[3], b[3]) - max(a[1], b[1])
                    if ox > tolerance and oy > tolerance:
                        found.append((page_no, a, b))
    return found


def page_texts(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def page_lines(path: Path) -> list[list[str]]:
    return [re.split(r"\r\n|\n|\r", t) for t in page_texts(path)]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pieces(haystack: str, needle: str, anchor: int = 6) -> int | None:
    """How many pieces ``needle`` is cut into in ``haystack`` (in order), or None.

    Each piece starts at the earliest place after the previous one where its first
    ``anchor`` characters occur, and runs as far as the two texts agree."""
    pos, pieces, rest = 0, 0, needle
    while rest:
        k = min(anchor, len(rest))
        at = haystack.find(rest[:k], pos)
        while at < 0 and k > 1:         # a short piece at the end of a column chunk
            k -= 1
            at = haystack.find(rest[:k], pos)
        if at < 0:
            return None
        while k < len(rest) and at + k < len(haystack) and haystack[at + k] == rest[k]:
            k += 1
        pos = at + k
        rest = rest[k:]
        pieces += 1
    return pieces


def missing_text(path: Path, texts, *, ignore: str = "") -> list[str]:
    """The input ``texts`` that are not all on the pages.

    A text may be cut into pieces in page order (by page breaks, repeated headings, the
    「（続きは別紙）」 mark); at most three pieces per page of the document, each at least
    four characters long unless it ends the text. Characters of ``ignore`` (e.g. those an
    overlong field is allowed to drop to 〓) are left out of the comparison.
    """
    pages = page_texts(path)
    hay = flat("".join(pages))
    bad = []
    counts = Counter(hay)
    need: Counter = Counter()
    for t in texts:
        if not t or t in ("True", "False"):
            continue
        needle = flat(t)
        if ignore:
            needle = "".join(ch for ch in needle if ch not in ignore)
        if not needle:
            continue
        for ch, k in Counter(needle).items():
            need[ch] = max(need[ch], k)
        n = _pieces(hay, needle)
        if n is None or n > 3 * len(pages) + len(needle) // 150 + 1:
            bad.append(t[:40])
    short = {ch: n - counts[ch] for ch, n in need.items() if counts[ch] < n}
    if short and not bad:
        bad.append(f"characters missing: {short}")
    return bad
