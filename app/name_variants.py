"""異体字: the variants of a character, for writing a name exactly as the person does (issue 16).

The groups come from the search folding table (resources/master/variants.tsv, read by
``text_ja``): every character folded to the same standard character is a variant of the
others (高・髙, 崎・﨑・嵜・碕・𥔎, 吉・𠮷, 辺・邊・邉 …). Editing that table changes both.
"""

from __future__ import annotations

from functools import lru_cache

from app import text_ja


@lru_cache(maxsize=1)
def _groups() -> dict[str, tuple[str, ...]]:
    by_standard: dict[str, list[str]] = {}
    for code, standard in text_ja._variant_translation().items():  # noqa: SLF001
        by_standard.setdefault(standard, [standard]).append(chr(code))
    groups: dict[str, tuple[str, ...]] = {}
    for members in by_standard.values():
        group = tuple(dict.fromkeys(members))      # the standard first, then the table's order
        for ch in group:
            groups[ch] = group
    return groups


def variants_of(ch: str) -> list[str]:
    """The other forms of ``ch`` (the standard one first), [] when the table has none.

    >>> variants_of("高")
    ['髙']
    """
    if not ch:
        return []
    ch = text_ja.strip_variation_selectors(ch)[:1]
    return [c for c in _groups().get(ch, ()) if c != ch]


def group_of(ch: str) -> list[str]:
    """``ch`` with its variants (the standard one first); [ch] alone when it has none."""
    ch = text_ja.strip_variation_selectors(ch)[:1]
    return list(_groups().get(ch, (ch,))) if ch else []


def has_variants(text: str) -> bool:
    return any(_groups().get(ch) for ch in text)
