"""Japanese text kit: normalisation, kana and variant-kanji folding for search, 和暦 dates.

Everything here is pure (no Qt, no database). Names are stored exactly as written; the
folding functions below only build search keys. Dates accept every form of the case ledger
(see the shared LEDGER.md) and refuse dates that do not exist in their era.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import jaconv

from app.errors import ValidationError
from app.i18n import N_, _
from app.paths import master_dir

__all__ = [
    "ERAS",
    "Era",
    "age_on",
    "coerce_date",
    "era_of",
    "fiscal_year",
    "fold_for_search",
    "fold_variants",
    "format_date_ja",
    "format_seireki",
    "format_wareki",
    "format_wareki_year",
    "is_kana",
    "nfkc",
    "normalise_recovery_key",
    "normalize_kana",
    "parse_date",
    "strip_variation_selectors",
    "to_hiragana",
    "to_katakana",
]

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# Normalisation and kana
# ---------------------------------------------------------------------------

_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_SPACE_RUN = re.compile(r"\s+")  # str patterns: \s covers U+3000 and other Unicode spaces
_SEARCH_DROP = re.compile(r"[\s\u30fb]+")  # whitespace and the middle dot ・


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width ASCII/digits to half-width, half-width kana to full-width."""
    return unicodedata.normalize("NFKC", text)


def strip_variation_selectors(text: str) -> str:
    """Remove variation selectors (U+FE00–FE0F and the ideographic U+E0100–E01EF)."""
    return _VARIATION_SELECTORS.sub("", text)


def _kana_full_width(text: str) -> str:
    # Half-width katakana (with ﾞ/ﾟ marks) to full width; ASCII and digits untouched.
    return jaconv.h2z(text, kana=True, ascii=False, digit=False)


def to_hiragana(text: str) -> str:
    """Katakana (full or half width, e.g. ﾀｶﾊｼ, ｶﾞ) to hiragana; ー and other text kept."""
    return jaconv.kata2hira(_kana_full_width(text))


def to_katakana(text: str) -> str:
    """Hiragana and half-width katakana to full-width katakana; ー and other text kept."""
    return jaconv.hira2kata(_kana_full_width(text))


def normalize_kana(text: str) -> str:
    """The stored form of a ふりがな: NFKC, hiragana, single ASCII spaces, stripped."""
    text = to_hiragana(nfkc(text))
    return _SPACE_RUN.sub(" ", text).strip()


def _is_kana_char(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x3041 <= cp <= 0x3096  # hiragana (incl. small ゕゖ)
        or 0x3099 <= cp <= 0x309F  # voiced marks (combining and spacing), ゝゞゟ
        or 0x30A1 <= cp <= 0x30FF  # katakana, ・, ー, ヽヾヿ
        or 0x31F0 <= cp <= 0x31FF  # small katakana extensions (ㇰ …)
        or 0xFF65 <= cp <= 0xFF9F  # half-width katakana, ･, ｰ, ﾞﾟ
        or ch.isspace()  # ASCII space, U+3000 …
    )


def is_kana(text: str) -> bool:
    """True if ``text`` holds only kana (hiragana, katakana, half-width), ー, ・ and spaces.

    Empty or spaces-only text is not kana (returns False).
    """
    if not text or text.isspace():
        return False
    return all(_is_kana_char(ch) for ch in text)


# ---------------------------------------------------------------------------
# Variant kanji
# ---------------------------------------------------------------------------

VARIANTS_FILE = "variants.tsv"


def _read_variant_table(path: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        log.warning("variant table %s not readable: %s", path, exc)
        return table
    for number, raw in enumerate(lines, start=1):
        line = raw.strip(" \r\n")
        if not line or line.startswith("#"):
            continue
        parts = [strip_variation_selectors(p.strip()) for p in line.split("\t")]
        if len(parts) != 2 or len(parts[0]) != 1 or len(parts[1]) != 1:
            log.warning("%s line %d ignored (want 'variant<TAB>standard'): %r",
                        path.name, number, raw)
            continue
        variant, standard = parts
        if variant != standard:
            table[variant] = standard
    # Resolve chains (A→B, B→C gives A→C); stop on cycles.
    resolved: dict[str, str] = {}
    for variant in table:
        target, seen = table[variant], {variant}
        while target in table and target not in seen:
            seen.add(target)
            target = table[target]
        if target != variant:
            resolved[variant] = target
    return resolved


@lru_cache(maxsize=1)
def _variant_translation() -> dict[int, str]:
    table = _read_variant_table(master_dir() / VARIANTS_FILE)
    return {ord(k): v for k, v in table.items()}


def _fold_compat_ideograph(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFC", match.group(0))


_COMPAT_IDEOGRAPH = re.compile("[\uf900-\ufaff\U0002f800-\U0002fa1f]")


def fold_variants(text: str) -> str:
    """Fold variant kanji to their standard form (髙→高, 﨑→崎, 𠮷→吉, 邉→辺 …).

    Variation selectors are removed and CJK compatibility ideographs are folded to their
    canonical equivalents first; the editable table is resources/master/variants.tsv.
    """
    text = strip_variation_selectors(text)
    text = _COMPAT_IDEOGRAPH.sub(_fold_compat_ideograph, text)
    return text.translate(_variant_translation())


def _fold_once(text: str) -> str:
    text = strip_variation_selectors(nfkc(text))
    text = jaconv.kata2hira(text)
    text = fold_variants(text).casefold()
    return _SEARCH_DROP.sub("", text)


def fold_for_search(text: str) -> str:
    """The search key of a name or text: ﾀｶﾊｼ, タカハシ, たかはし → たかはし; 髙橋 → 高橋.

    NFKC, variation selectors removed, katakana → hiragana, variant kanji folded,
    casefolded, whitespace (incl. U+3000) and ・ removed. Idempotent.
    """
    folded = _fold_once(text)
    # Removing spaces or casefolding can expose new compositions (e.g. か + spacing ゛);
    # repeat until stable so that fold_for_search(fold_for_search(x)) == fold_for_search(x).
    for _round in range(8):
        again = _fold_once(folded)
        if again == folded:
            break
        folded = again
    return folded


# ---------------------------------------------------------------------------
# 和暦 (Japanese eras)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R
    start: date  # first day (元年)
    end: date | None  # last day, None for the current era

    def year_of(self, d: date) -> int:
        return d.year - self.start.year + 1


ERAS: tuple[Era, ...] = (
    Era("明治", "M", date(1868, 10, 23), date(1912, 7, 29)),
    Era("大正", "T", date(1912, 7, 30), date(1926, 12, 24)),
    Era("昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", "R", date(2019, 5, 1), None),
)

_ERA_BY_KEY: dict[str, Era] = {}
for _era in ERAS:
    _ERA_BY_KEY[_era.name] = _era
    _ERA_BY_KEY[_era.name[0]] = _era  # 令8.4.1
    _ERA_BY_KEY[_era.letter] = _era
    _ERA_BY_KEY[_era.letter.lower()] = _era


def era_of(d: date) -> Era:
    """The era ``d`` falls in; ValueError before 明治 (1868-10-23)."""
    if isinstance(d, datetime):
        d = d.date()
    for era in reversed(ERAS):
        if d >= era.start:
            return era
    raise ValueError(f"{d.isoformat()} is before the Meiji era (no 和暦)")


def _year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def format_wareki_year(d: date) -> str:
    """令和8年 (令和元年 for the first year)."""
    era = era_of(d)
    return f"{era.name}{_year_text(era.year_of(d))}年"


def format_wareki(d: date, style: str = "long") -> str:
    """令和8年4月1日 (``style="long"``, 元年 for year 1) or R8.4.1 (``style="short"``)."""
    if isinstance(d, datetime):
        d = d.date()
    era = era_of(d)
    year = era.year_of(d)
    if style == "long":
        return f"{era.name}{_year_text(year)}年{d.month}月{d.day}日"
    if style == "short":
        return f"{era.letter}{year}.{d.month}.{d.day}"
    raise ValueError(f"unknown wareki style: {style!r} (use 'long' or 'short')")


def format_seireki(d: date) -> str:
    """2026年4月1日."""
    return f"{d.year}年{d.month}月{d.day}日"


def format_date_ja(d: date, with_wareki: bool = True) -> str:
    """令和8年4月1日（2026年）, or 2026年4月1日 without wareki (or before 明治)."""
    if with_wareki and d >= ERAS[0].start:
        return f"{format_wareki(d)}（{d.year}年）"
    return format_seireki(d)


# ---------------------------------------------------------------------------
# Parsing dates
# ---------------------------------------------------------------------------

_NUM = r"([0-9]{1,2})"
_TIME = r"(?:\s*[T ]\s*[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_SEIREKI_SEP = re.compile(rf"([0-9]{{4}})\s*([/\-.])\s*{_NUM}\s*\2\s*{_NUM}{_TIME}", re.ASCII)
_SEIREKI_KANJI = re.compile(rf"([0-9]{{4}})\s*年\s*{_NUM}\s*月\s*{_NUM}\s*日?", re.ASCII)
_SEIREKI_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})", re.ASCII)
_ERA_KEYS = "明治|大正|昭和|平成|令和|[明大昭平令MTSHRmtshr]"
_WAREKI = re.compile(
    rf"({_ERA_KEYS})\s*([0-9]{{1,2}}|元)\s*"
    rf"(?:年\s*{_NUM}\s*月\s*{_NUM}\s*日?|([/\-.])\s*{_NUM}\s*\5\s*{_NUM})",
    re.ASCII,
)

_FORMAT_HELP_MSGID = N_(
    "Cannot read the date “{text}” (examples: 2026/4/1, R8.4.1, 令和8年4月1日)"
)


def _bad_format(field: str, text: str) -> ValidationError:
    return ValidationError(field, _(_FORMAT_HELP_MSGID).format(text=text))


def _gregorian(field: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        shown = f"{year}年{month}月{day}日"
        raise ValidationError(
            field, _("{date} is not a real date").format(date=shown)
        ) from None


def _wareki(field: str, era: Era, year: int, month: int, day: int) -> date:
    shown = f"{era.name}{_year_text(year)}年{month}月{day}日" if year else ""
    if year < 1:
        raise ValidationError(
            field, _("There is no year 0 in {era} (its first year is 元年)").format(era=era.name)
        )
    gregorian_year = era.start.year + year - 1
    try:
        d = date(gregorian_year, month, day)
    except ValueError:
        raise ValidationError(field, _("{date} is not a real date").format(date=shown)) from None
    if d < era.start:
        first = f"{_year_text(1)}年{era.start.month}月{era.start.day}日"
        raise ValidationError(
            field,
            _("{date} does not exist ({era} began on {first})").format(
                date=shown, era=era.name, first=first
            ),
        )
    if era.end is not None and d > era.end:
        last = f"{_year_text(era.year_of(era.end))}年{era.end.month}月{era.end.day}日"
        raise ValidationError(
            field,
            _("{date} does not exist ({era} ended on {last})").format(
                date=shown, era=era.name, last=last
            ),
        )
    return d


def parse_date(text: str, field: str = "date") -> date:
    """Read a date typed or imported in any ledger form; ValidationError if impossible.

    Accepted: 2026/4/1, 2026-04-01, 2026.4.1, 20260401, 2026年4月1日, R8.4.1, R8/4/1, r8.4.1,
    令和8年4月1日, 令和元年5月1日, 令8.4.1, H31.4.30, S55.3.2; full-width digits and
    surrounding spaces are fine. A wareki date must exist in its era (H31.5.1 is refused).
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_date wants str, not {type(text).__name__}")
    norm = nfkc(text).strip()
    if not norm:
        raise ValidationError(field, _("No date was entered"))
    if m := _SEIREKI_SEP.fullmatch(norm):
        return _gregorian(field, int(m[1]), int(m[3]), int(m[4]))
    if m := _SEIREKI_KANJI.fullmatch(norm):
        return _gregorian(field, int(m[1]), int(m[2]), int(m[3]))
    if m := _SEIREKI_COMPACT.fullmatch(norm):
        return _gregorian(field, int(m[1]), int(m[2]), int(m[3]))
    if m := _WAREKI.fullmatch(norm):
        era = _ERA_BY_KEY[m[1]]
        year = 1 if m[2] == "元" else int(m[2])
        if m[3] is not None:
            month, day = int(m[3]), int(m[4])
        else:
            month, day = int(m[6]), int(m[7])
        return _wareki(field, era, year, month, day)
    raise _bad_format(field, text.strip())


_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (after Excel's fake 1900-02-29)


def coerce_date(value: object, field: str = "date") -> date:
    """A date from a cell or a widget: date, datetime, Excel serial number (int/float) or str.

    Integers written as YYYYMMDD (e.g. 20260401) are read as that date, not as a serial.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value, field)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad_format(field, str(value))
    if isinstance(value, float) and not math.isfinite(value):
        raise _bad_format(field, str(value))
    whole = int(math.floor(value))
    if 10000101 <= whole <= 99991231 and whole == value:
        return parse_date(str(whole), field)
    # Excel serials: 60 is the non-existent 1900-02-29; 1..59 are one day earlier than
    # the epoch arithmetic below gives.
    if whole < 1 or whole == 60:
        raise _bad_format(field, str(value))
    if whole < 60:
        whole += 1
    try:
        return _EXCEL_EPOCH + timedelta(days=whole)
    except OverflowError:
        raise _bad_format(field, str(value)) from None


# ---------------------------------------------------------------------------
# Age and fiscal year
# ---------------------------------------------------------------------------


def age_on(birth: date, on: date) -> int:
    """Age in whole years on ``on`` (civil rule: a 2/29 birthday counts from 3/1 in
    non-leap years). ValueError if ``on`` is before ``birth``."""
    if on < birth:
        raise ValueError(f"{on.isoformat()} is before the birth date {birth.isoformat()}")
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def fiscal_year(d: date) -> int:
    """Japanese fiscal year (April to March): 2026-04-01 and 2027-03-31 are both 2026."""
    return d.year if d.month >= 4 else d.year - 1


def normalise_recovery_key(text: str) -> str:
    """A recovery key as the unlock screen reads it and the recovery sheet prints it:
    NFKC, upper case, O/I/L read as 0/1/1, groups of four joined by "-"."""
    cleaned = unicodedata.normalize("NFKC", text).upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    return "-".join(cleaned[i:i + 4] for i in range(0, len(cleaned), 4))
