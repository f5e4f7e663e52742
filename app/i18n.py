"""Translations for app/, ui/ and forms/: one gettext catalog, Japanese by default.

Source strings (msgids) are English; translations/ja is complete, English needs no catalog.
Catalogs are read from the .po files with Babel, so no compile step is needed.
Use ``_()`` for text shown now and ``N_()`` to mark text that is translated later
(module-level constants, enum labels).
"""

from __future__ import annotations

import os
from functools import lru_cache

from babel.messages.pofile import read_po

from app.paths import translations_dir

DOMAIN = "tsunagu"
DEFAULT_LANGUAGE = "ja"
SUPPORTED = ("ja", "en")

_language = os.environ.get("TSUNAGU_LANG", DEFAULT_LANGUAGE)


@lru_cache(maxsize=None)
def _catalog(language: str) -> dict[str, str]:
    path = translations_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=language)
    table: dict[str, str] = {}
    for message in catalog:
        if (message.id and isinstance(message.id, str) and message.string
                and isinstance(message.string, str) and not message.fuzzy):
            table[message.id] = message.string
    return table


def set_language(language: str) -> None:
    global _language
    if language not in SUPPORTED:
        raise ValueError(f"unsupported language: {language}")
    _language = language


def language() -> str:
    return _language


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _catalog(_language).get(message, message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message
