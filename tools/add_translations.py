"""Append Japanese translations for msgids not yet in the ja catalog.

Usage: python tools/add_translations.py FILE.tsv  (lines: English<TAB>Japanese)
Append-only, so several people can add entries without rewriting the catalog.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parent.parent / "translations/ja/LC_MESSAGES/tsunagu.po"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(tsv: str) -> int:
    with open(PO, "rb") as fh:
        known = {m.id for m in read_po(fh, locale="ja") if m.id}
    added = 0
    with open(PO, "a", encoding="utf-8") as out:
        for line in Path(tsv).read_text(encoding="utf-8").splitlines():
            if not line.strip() or "\t" not in line:
                continue
            en, ja = line.split("\t", 1)
            en, ja = en.replace("\\n", "\n"), ja.replace("\\n", "\n")
            if en in known:
                continue
            out.write(f"msgid {_quote(en)}\nmsgstr {_quote(ja)}\n\n")
            known.add(en)
            added += 1
    print(f"added {added}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
