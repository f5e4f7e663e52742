"""The Japanese catalog is complete and keeps every placeholder of its source."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}")


def source_msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in ("app", "ui", "forms"):
        folder = ROOT / package
        if not folder.exists():
            continue
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
                str(folder), method_map=[("**.py", "python")],
                keywords={"_": None, "N_": None}):
            if isinstance(message, str) and message:
                found.setdefault(message, f"{package}/{filename}:{lineno}")
    return found


def catalog(lang: str) -> dict[str, str]:
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "tsunagu.po"
    with open(path, "rb") as fh:
        cat = read_po(fh, locale=lang)
    return {m.id: m.string for m in cat if m.id and isinstance(m.id, str)}


def test_japanese_catalog_is_complete():
    ja = catalog("ja")
    missing = {m: where for m, where in source_msgids().items() if not ja.get(m)}
    assert not missing, "untranslated:\n" + "\n".join(f"{w}: {m}" for m, w in missing.items())


def test_translations_keep_their_placeholders():
    ja = catalog("ja")
    bad = [m for m, t in ja.items() if t and set(PLACEHOLDER.findall(m)) != set(PLACEHOLDER.findall(t))]
    assert not bad, bad


def test_catalog_has_no_duplicate_msgids():
    text = (ROOT / "translations/ja/LC_MESSAGES/tsunagu.po").read_text(encoding="utf-8")
    ids = re.findall(r'^msgid "(.+)"$', text, flags=re.M)
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes, dupes
