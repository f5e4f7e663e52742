"""Japanese text for the sheets: line breaking with 禁則, no justification, shrink-to-fit.

ReportLab's Paragraph with ``wordWrap='CJK'`` spreads the glyphs of a line that was split
(「勤務先の倒 産により失 職し」), lets small kana start a line and cuts Latin words and numbers
anywhere. :class:`JText` lays text out itself:

- lines are filled greedily and left as they are (no inter-character justification);
- 禁則: a character that must not start a line (、。）」 small kana, ー …) stays with the one
  before it, one that must not end a line (（「 …) with the one after it;
- Latin words and numbers (``Excel``, ``58,000円``, ``2026``) are never cut, unless one is
  wider than the whole line;
- ``fit_min``: a one-line field too wide for its box first shrinks (down to ``fit_min``
  points), and only then wraps;
- it splits between whole lines across pages.

Every character is drawn with :mod:`forms.fonts` per-character fallback.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reportlab.lib.colors import Color, black
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from forms.fonts import GOTHIC, font_for_char, printable, split_runs

# must not start a line (JIS X 4051 行頭禁則, strict set)
NO_START = frozenset(
    "、。，．,.：；:;！？!?）)］]｝}〕〉》」』】〙〗〟’”｠»"
    "ゝゞヽヾ々〻ー―‐–〜～・･…‥％%‰℃°′″"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "ｧｨｩｪｫｯｬｭｮｰﾞﾟ\u3099\u309a\u309b\u309c")
# must not end a line (行末禁則)
NO_END = frozenset("（(［[｛{〔〈《「『【〘〖〝‘“｟«￥＄$£€＃#")

_WORD = re.compile(
    r"[A-Za-z0-9\u00c0-\u024f０-９Ａ-Ｚａ-ｚ]+"
    r"(?:[.,:/@\-_'+&=~#?%．，：／＠－][A-Za-z0-9\u00c0-\u024f０-９Ａ-Ｚａ-ｚ]+)*"
    r"|.", re.S)


@lru_cache(maxsize=65536)
def char_width(ch: str, font: str) -> float:
    """Advance width of ``ch`` at 1 pt, in the font that will draw it (fallback included)."""
    f = font_for_char(ch, font) or font
    return pdfmetrics.stringWidth(ch, f, 1.0)


def text_width(text: str, font: str, size: float) -> float:
    return sum(char_width(ch, font) for ch in text) * size


def _groups(line: str) -> list[str]:
    """Unbreakable groups of one hard line: a break is allowed only between two groups."""
    groups: list[str] = []
    for unit in _WORD.findall(line):
        if groups and (unit[0] in NO_START or groups[-1][-1] in NO_END
                       or (unit == " " and groups[-1][-1] == " ")):
            groups[-1] += unit
        elif groups and unit == " ":
            groups[-1] += unit          # a space stays at the end of the line before it
        else:
            groups.append(unit)
    return groups


def break_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """The lines of ``text`` (``\\n`` = hard break) wrapped into ``width`` points."""
    lines: list[str] = []
    width = max(width, size)           # at least one character per line
    for hard in text.split("\n"):
        if not hard:
            lines.append("")
            continue
        cur, cur_w = "", 0.0
        for g in _groups(hard):
            gw = text_width(g, font, size)
            trail = text_width(g.rstrip(" "), font, size)
            if cur and cur_w + trail > width:
                lines.append(cur.rstrip(" "))
                cur, cur_w = "", 0.0
                g = g.lstrip(" ") if g.strip(" ") else g
                gw = text_width(g, font, size)
                trail = text_width(g.rstrip(" "), font, size)
            if trail > width:
                # a group wider than the line (a long URL, a run of 禁則 characters): cut it
                for ch in g:
                    w = char_width(ch, font) * size
                    if cur and cur_w + w > width and ch != " ":
                        lines.append(cur.rstrip(" "))
                        cur, cur_w = "", 0.0
                    cur += ch
                    cur_w += w
                continue
            cur += g
            cur_w += gw
        lines.append(cur.rstrip(" "))
    return lines


LEFT, CENTER, RIGHT = 0, 1, 2


class JText(Flowable):
    """A block of Japanese text: wrapped with 禁則, never justified, split by whole lines."""

    def __init__(self, text: str | None, font: str = GOTHIC, size: float = 9,
                 leading: float | None = None, align: int = LEFT,
                 color: Color | None = None, fit_min: float | None = None,
                 _lines: list[str] | None = None, _size: float | None = None,
                 _first: bool = True, _last: bool = True):
        super().__init__()
        self.text = printable(text or "").replace("\r\n", "\n").replace("\r", "\n")
        self.font = font
        self.size = size
        self.leading = leading or size * 1.4
        self.align = align
        self.color = color or black
        self.fit_min = fit_min
        self._fixed = _lines is not None
        self._lines = _lines or []
        self._cur_size = _size or size
        self._for_width: float | None = None
        self.width = self.height = 0.0
        self._first, self._last = _first, _last

    # ------------------------------------------------------------------ layout
    @property
    def cur_leading(self) -> float:
        return self.leading * self._cur_size / self.size

    def _layout(self, width: float) -> None:
        if self._fixed or self._for_width == width:
            return
        size = self.size
        if self.fit_min and "\n" not in self.text:
            natural = text_width(self.text, self.font, size)
            if natural > width > 0:
                size = max(self.fit_min, int(size * width / natural * 4) / 4)
                while size > self.fit_min and text_width(self.text, self.font, size) > width:
                    size = max(self.fit_min, size - 0.25)
        self._cur_size = size
        self._lines = break_lines(self.text, self.font, size, width) if self.text else []
        self._for_width = width

    def lines(self, width: float) -> list[str]:
        self._layout(width)
        return self._lines

    def wrap(self, avail_width, avail_height):
        self._layout(avail_width)
        self.width = avail_width
        self.height = len(self._lines) * self.cur_leading
        return self.width, self.height

    def minWidth(self):
        return max((char_width(ch, self.font) for ch in self.text), default=0) * self.size

    def split(self, avail_width, avail_height):
        self._layout(avail_width)
        k = int((avail_height + 1e-6) // self.cur_leading)
        if k <= 0:
            return []
        if k >= len(self._lines):
            return [self]
        return [self._part(self._lines[:k], last=False), self._part(self._lines[k:], first=False)]

    def _part(self, lines: list[str], *, first: bool = True, last: bool = True) -> "JText":
        part = JText("\n".join(lines), self.font, self.size, self.leading, self.align,
                     self.color, None, _lines=lines, _size=self._cur_size,
                     _first=first and self._first, _last=last and self._last)
        part._for_width = self._for_width
        return part

    def split_lines(self, width: float, max_lines: int) -> tuple["JText", "JText | None"]:
        """(the first ``max_lines`` lines, the rest or None)."""
        self._layout(width)
        if len(self._lines) <= max_lines:
            return self, None
        return (self._part(self._lines[:max_lines], last=False),
                self._part(self._lines[max_lines:], first=False))

    def getPlainText(self) -> str:
        return self.text

    # ------------------------------------------------------------------ drawing
    def draw(self):
        canv = self.canv
        size = self._cur_size
        leading = self.cur_leading
        canv.setFillColor(self.color)
        y = self.height - size
        for line in self._lines:
            if line:
                runs = split_runs(line, self.font)
                widths = [pdfmetrics.stringWidth(t, f, size) for f, t in runs]
                x = 0.0
                if self.align != LEFT:
                    total = sum(widths)
                    x = (self.width - total) / (2 if self.align == CENTER else 1)
                for (f, t), w in zip(runs, widths):
                    canv.setFont(f, size)
                    canv.drawString(x, y, t)
                    x += w
            y -= leading


__all__ = ["CENTER", "JText", "LEFT", "NO_END", "NO_START", "RIGHT", "break_lines",
           "char_width", "text_width"]
