"""Fonts for the sheets: the bundled TrueType fonts, registered once, with per-character fallback.

ReportLab does no font fallback: a character missing from the font is dropped or boxed without a
word. So every piece of text is split into runs, each drawn with the first font that has the
character: BIZ UD (bundled) → in Gothic text the Gothic fallback (bundled, a subset of Noto
Sans CJK JP, e.g. 𠮷 U+20BB7), in Mincho text IPAmj Mincho (bundled, 46 MB) — each loaded only
when a character needs it — → any TrueType font in the system font folders. A character no font has is
reported by :func:`unprintable_chars` so the caller can tell the user before printing; if it is
printed anyway it appears as 〓 (the geta mark typesetters use for a missing character), never
as a silent blank.
"""

from __future__ import annotations

import bisect
import mmap
import os
import struct
import sys
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import fonts_dir

GOTHIC = "BIZUDGothic"
GOTHIC_BOLD = "BIZUDGothic-Bold"
PGOTHIC = "BIZUDPGothic"
MINCHO = "BIZUDMincho"
IPAMJ = "IPAmjMincho"
GOTHIC_FALLBACK = "TsunaguGothicFallback"   # name kanji BIZ UD Gothic lacks, in Gothic

MISSING_GLYPH = "〓"  # printed in place of a character no font has (after a warning)

_BUNDLED = {
    GOTHIC: "BIZUDGothic-Regular.ttf",
    GOTHIC_BOLD: "BIZUDGothic-Bold.ttf",
    PGOTHIC: "BIZUDPGothic-Regular.ttf",
    MINCHO: "BIZUDMincho-Regular.ttf",
    IPAMJ: "ipamjm.ttf",
    GOTHIC_FALLBACK: "TsunaguGothicFallback.ttf",
}

# The fallback order per style: Gothic text stays Gothic (BIZ UD Gothic, then the Gothic
# subset of Noto Sans CJK JP made by tools/make_gothic_fallback.py), Mincho text stays Mincho
# (BIZ UD Mincho, then IPAmj Mincho); the other style only when neither has the character.
_GOTHIC_CHAIN = (GOTHIC, GOTHIC_FALLBACK, MINCHO, IPAMJ)
_MINCHO_CHAIN = (MINCHO, IPAMJ, GOTHIC, GOTHIC_FALLBACK)

# ReportLab writes the ToUnicode entry of a character beyond U+FFFF as 5 hex digits
# ("<20BB7>") instead of UTF-16 ("<D842DFB7>"), so 𠮷 extracts, searches and copies as "₻".
# Same output for every other character; the fix applies process-wide, once.
_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def _utf16_hex(cp: int) -> str:
    if cp <= 0xFFFF:
        return "%04X" % cp
    cp -= 0x10000
    return "%04X%04X" % (0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF))


def _to_unicode_cmap(fontname, subset):
    text = _reportlab_to_unicode(fontname, subset)
    if all(v <= 0xFFFF for v in subset):
        return text
    for i, v in enumerate(subset):
        if v > 0xFFFF:
            text = text.replace("<%02X> <%04X>\n" % (i, v),
                                "<%02X> <%s>\n" % (i, _utf16_hex(v)), 1)
    return text


if getattr(ttfonts.makeToUnicodeCMap, "__name__", "") != "_to_unicode_cmap":
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap

_lock = threading.RLock()
_cmaps: dict[str, dict[int, int]] = {}          # registered font name -> its cmap
_choice: dict[tuple[str, str], str | None] = {}  # (primary, char) -> font name or None


class _MappedFile:
    """A bundled font file for ReportLab, mapped rather than read: ReportLab keeps the
    whole file for subsetting (4.6–6.2 MB per BIZ UD face, 46 MB for IPAmj Mincho) and
    touches only its tables and the glyphs printed. Mapped, those pages are the operating
    system's to share and drop (the four BIZ UD faces: 42 → 24 MB resident)."""

    def __init__(self, path: Path):
        self.name = str(path)
        with open(path, "rb") as f:
            self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)

    def read(self) -> mmap.mmap:
        return self._data


def ensure_font(name: str) -> str:
    """Register the bundled font ``name`` with ReportLab (once) and return its name."""
    with _lock:
        if name in _cmaps:
            return name
        if name not in _BUNDLED:
            raise KeyError(name)
        font = TTFont(name, _MappedFile(fonts_dir() / _BUNDLED[name]))
        pdfmetrics.registerFont(font)
        _cmaps[name] = font.face.charToGlyph
        if name in (GOTHIC, GOTHIC_BOLD) and GOTHIC in _cmaps and GOTHIC_BOLD in _cmaps:
            # <b> inside a Paragraph in BIZ UD Gothic switches to the bold face.
            addMapping(GOTHIC, 0, 0, GOTHIC)
            addMapping(GOTHIC, 1, 0, GOTHIC_BOLD)
            addMapping(GOTHIC, 0, 1, GOTHIC)
            addMapping(GOTHIC, 1, 1, GOTHIC_BOLD)
        return name


def register_base_fonts() -> None:
    """Register the BIZ UD fonts the sheets use (≈0.1 s the first time, free afterwards)."""
    for name in (GOTHIC, GOTHIC_BOLD, PGOTHIC, MINCHO):
        ensure_font(name)


# -- characters that need no glyph -------------------------------------------------------------

def _ignorable(ch: str) -> bool:
    """Control and format characters, and variation selectors.

    Variation selectors (異体字セレクタ, U+FE00–FE0F, U+E0100–E01EF) choose a glyph variant of the
    preceding character; ReportLab cannot honour them, so the base character is printed in its
    standard form and the selector is left out.
    """
    cp = ord(ch)
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return True
    return unicodedata.category(ch) in ("Cc", "Cf")


def printable(text: str) -> str:
    """``text`` without the characters that need no glyph (keeps newlines)."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch for ch in text if ch == "\n" or not _ignorable(ch))


# -- system fonts --------------------------------------------------------------------------------

def system_font_dirs() -> list[Path]:
    """Folders searched for fallback fonts. ``TSUNAGU_FONT_DIRS`` (os.pathsep list) overrides."""
    override = os.environ.get("TSUNAGU_FONT_DIRS")
    if override is not None:
        return [Path(p) for p in override.split(os.pathsep) if p]
    home = Path.home()
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        dirs = [Path(windir) / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return dirs
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
            home / ".local" / "share" / "fonts", home / ".fonts"]


# Japanese fonts first: they are the likeliest to have a rare kanji, and they look right.
_PREFERRED = ("yugoth", "yumin", "msgothic", "msmincho", "meiryo", "bizud", "ipa", "takao",
              "noto", "hanazono", "hana")


class _SystemFont:
    """One face of a font file found on the system, with its cmap read lazily."""

    def __init__(self, path: Path, index: int):
        self.path = path
        self.index = index
        self._ranges: list[tuple[int, int]] | None = None
        self.name: str | None = None     # ReportLab name once registered
        self.broken = False              # not TrueType, not embeddable, unreadable

    def ranges(self) -> list[tuple[int, int]]:
        if self._ranges is None:
            try:
                self._ranges = _read_cmap_ranges(self.path, self.index)
            except (OSError, ValueError, struct.error):
                self._ranges = []
        return self._ranges

    def has(self, cp: int) -> bool:
        ranges = self.ranges()
        i = bisect.bisect_right(ranges, (cp, 0x7FFFFFFF)) - 1
        return i >= 0 and ranges[i][0] <= cp <= ranges[i][1]

    def register(self) -> str | None:
        if self.name or self.broken:
            return self.name
        name = f"sys-{self.path.stem}-{self.index}"
        try:
            font = TTFont(name, str(self.path), subfontIndex=self.index)
            pdfmetrics.registerFont(font)
        except Exception:  # ReportLab raises TTFError and assorted others for odd fonts
            self.broken = True
            return None
        _cmaps[name] = font.face.charToGlyph
        self.name = name
        return name


_system_fonts: list[_SystemFont] | None = None


def _find_system_fonts() -> list[_SystemFont]:
    global _system_fonts
    if _system_fonts is None:
        found: list[_SystemFont] = []
        for folder in system_font_dirs():
            if not folder.is_dir():
                continue
            for root, _dirs, files in os.walk(folder):
                for fname in files:
                    low = fname.lower()
                    if not low.endswith((".ttf", ".ttc", ".otf")):
                        continue
                    path = Path(root) / fname
                    try:
                        faces = _truetype_faces(path)
                    except (OSError, ValueError, struct.error):
                        continue
                    found.extend(_SystemFont(path, i) for i in faces)
        def rank(face: _SystemFont) -> tuple:
            low = face.path.name.lower()
            styled = any(w in low for w in ("bold", "italic", "oblique", "light", "math"))
            return (not low.startswith(_PREFERRED), styled, low, face.index)

        found.sort(key=rank)
        _system_fonts = found
    return _system_fonts


def _face_offsets(fh) -> list[int]:
    head = fh.read(12)
    if head[:4] == b"ttcf":
        count = struct.unpack(">I", head[8:12])[0]
        return list(struct.unpack(f">{count}I", fh.read(4 * count)))
    return [0]


def _table_dir(fh, offset: int) -> dict[bytes, tuple[int, int]]:
    fh.seek(offset)
    sfnt, num = struct.unpack(">4sH", fh.read(6))
    if sfnt not in (b"\x00\x01\x00\x00", b"true"):
        return {}  # CFF outlines ('OTTO'): ReportLab cannot embed them
    fh.seek(offset + 12)
    tables = {}
    for _ in range(num):
        tag, _sum, off, length = struct.unpack(">4sIII", fh.read(16))
        tables[tag] = (off, length)
    return tables


def _truetype_faces(path: Path) -> list[int]:
    """Indexes of the faces in ``path`` that have TrueType outlines and a cmap."""
    with open(path, "rb") as fh:
        offsets = _face_offsets(fh)
        faces = []
        for i, off in enumerate(offsets):
            tables = _table_dir(fh, off)
            if b"glyf" in tables and b"cmap" in tables:
                faces.append(i)
        return faces


def _read_cmap_ranges(path: Path, index: int) -> list[tuple[int, int]]:
    """The code point ranges mapped by the Unicode cmap of one face (reads only the cmap)."""
    with open(path, "rb") as fh:
        offsets = _face_offsets(fh)
        cmap_off, _len = _table_dir(fh, offsets[index])[b"cmap"]
        fh.seek(cmap_off)
        _ver, num = struct.unpack(">HH", fh.read(4))
        subtables = {}
        for _ in range(num):
            pid, eid, off = struct.unpack(">HHI", fh.read(8))
            subtables[(pid, eid)] = cmap_off + off
        for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
            if key not in subtables:
                continue
            fh.seek(subtables[key])
            fmt = struct.unpack(">H", fh.read(2))[0]
            if fmt == 12:
                fh.read(10)
                ngroups = struct.unpack(">I", fh.read(4))[0]
                data = fh.read(12 * ngroups)
                return _merge([(s, e) for s, e, g in struct.iter_unpack(">III", data)
                               if not (g == 0 and s == e)])
            if fmt == 4:
                length = struct.unpack(">H", fh.read(2))[0]
                body = fh.read(length - 4)
                return _format4_ranges(body)
        return []


def _format4_ranges(body: bytes) -> list[tuple[int, int]]:
    seg2 = struct.unpack(">H", body[2:4])[0]
    n = seg2 // 2
    base = 10
    ends = struct.unpack(f">{n}H", body[base:base + seg2])
    starts = struct.unpack(f">{n}H", body[base + seg2 + 2:base + 2 * seg2 + 2])
    deltas = struct.unpack(f">{n}h", body[base + 2 * seg2 + 2:base + 3 * seg2 + 2])
    ro_pos = base + 3 * seg2 + 2
    range_offsets = struct.unpack(f">{n}H", body[ro_pos:ro_pos + seg2])
    ranges: list[tuple[int, int]] = []
    for i in range(n):
        start, end = starts[i], ends[i]
        if start == 0xFFFF:
            continue
        if range_offsets[i] == 0:
            ranges.append((start, end))
            continue
        for c in range(start, end + 1):  # glyph ids looked up in glyphIdArray; 0 = missing
            pos = ro_pos + 2 * i + range_offsets[i] + 2 * (c - start)
            if pos + 2 <= len(body) and struct.unpack(">H", body[pos:pos + 2])[0]:
                ranges.append((c, c))
    return _merge(sorted(ranges))


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if merged and s <= merged[-1][1] + 1:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


# -- choosing a font per character ---------------------------------------------------------------

def has_glyph(font_name: str, ch: str) -> bool:
    """Whether the registered font ``font_name`` has a glyph for ``ch``."""
    cmap = _cmaps.get(font_name)
    if cmap is None:
        cmap = _cmaps[ensure_font(font_name)]
    return ord(ch) in cmap


def font_for_char(ch: str, primary: str = GOTHIC) -> str | None:
    """The font to draw ``ch`` with: ``primary`` if it can, else the first fallback, else None."""
    key = (primary, ch)
    try:
        return _choice[key]
    except KeyError:
        pass
    with _lock:
        chosen: str | None = None
        if has_glyph(primary, ch):
            chosen = primary
        else:
            chain = _MINCHO_CHAIN if primary in (MINCHO, IPAMJ) else _GOTHIC_CHAIN
            for name in chain:
                if name != primary and has_glyph(name, ch):
                    chosen = name
                    break
            else:
                cp = ord(ch)
                for face in _find_system_fonts():
                    if not face.broken and face.has(cp):
                        registered = face.register()
                        if registered and cp in _cmaps[registered]:
                            chosen = registered
                            break
        _choice[key] = chosen
        return chosen


def split_runs(text: str, primary: str = GOTHIC) -> list[tuple[str, str]]:
    """Split ``text`` into ``(font_name, text)`` runs, each drawable by its font.

    Characters that need no glyph (control/format characters, variation selectors) are left
    out; newlines stay in the run. A character no font has becomes 〓 in ``primary`` — check
    with :func:`unprintable_chars` first and tell the user.
    """
    cmap = _cmaps.get(primary) or _cmaps[ensure_font(primary)]
    text = printable(text)
    runs: list[tuple[str, str]] = []
    cur_font = primary
    buf: list[str] = []
    for ch in text:
        if ch == "\n" or ord(ch) in cmap:
            font = primary
        else:
            font = font_for_char(ch, primary) or primary
            if font == primary:
                ch = MISSING_GLYPH
        if font != cur_font and buf:
            runs.append((cur_font, "".join(buf)))
            buf = []
        cur_font = font
        buf.append(ch)
    if buf:
        runs.append((cur_font, "".join(buf)))
    return runs


def unprintable_chars(texts: Iterable[str | None], primary: str = GOTHIC) -> list[str]:
    """The distinct characters in ``texts`` that no available font can print, in order seen."""
    ensure_font(primary)
    cmap = _cmaps[primary]
    missing: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for ch in text:
            if ch == "\n" or ord(ch) in cmap or ch in missing or _ignorable(ch):
                continue
            if font_for_char(ch, primary) is None:
                missing[ch] = None
    return list(missing)


def describe_chars(chars: Iterable[str]) -> str:
    """``X (U+XXXX)`` list for messages."""
    return "、".join(f"{ch} (U+{ord(ch):04X})" for ch in chars)


def string_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points, drawn with fallback runs."""
    return sum(pdfmetrics.stringWidth(t, f, size) for f, t in split_runs(text, font))


def draw_string(canvas, x: float, y: float, text: str, font: str = GOTHIC, size: float = 9,
                anchor: str = "start") -> float:
    """Draw one line of ``text`` with fallback runs; ``anchor`` start/middle/end. Returns width."""
    runs = split_runs(text.replace("\n", " "), font)
    width = sum(pdfmetrics.stringWidth(t, f, size) for f, t in runs)
    if anchor == "middle":
        x -= width / 2
    elif anchor == "end":
        x -= width
    for f, t in runs:
        canvas.setFont(f, size)
        canvas.drawString(x, y, t)
        x += pdfmetrics.stringWidth(t, f, size)
    return width
