"""Writing PDFs: atomically (temp file in the same folder, fsync, os.replace), with warnings."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from app.errors import TsunaguError
from app.files import atomic_path
from app.i18n import _
from forms.fonts import describe_chars, unprintable_chars

T = TypeVar("T")


@dataclass
class PrintResult:
    """What a sheet renderer produced: the file, its page count, and what the user must know."""

    path: Path
    pages: int
    warnings: list[str] = field(default_factory=list)
    unprintable: list[str] = field(default_factory=list)   # characters no font has


class UnprintableText(TsunaguError):
    """Some characters cannot be printed with any font (raised only when asked to be strict)."""

    def __init__(self, chars: list[str]):
        super().__init__(unprintable_warning(chars))
        self.chars = chars


def unprintable_warning(chars: list[str]) -> str:
    return _("No font can print these characters; they will appear as 〓: {chars}").format(
        chars=describe_chars(chars))


def check_texts(texts: Iterable[str], *, strict: bool = False) -> tuple[list[str], list[str]]:
    """``(unprintable characters, warnings)`` for ``texts``; raise if ``strict`` and any."""
    chars = unprintable_chars(texts)
    if chars and strict:
        raise UnprintableText(chars)
    return chars, ([unprintable_warning(chars)] if chars else [])


def write_pdf_atomic(build_fn: Callable[[str], T], path: str | os.PathLike) -> T:
    """Run ``build_fn(temp_path)`` then move the finished file onto ``path``.

    The temp file sits in the destination folder (so ``os.replace`` is atomic), is fsynced
    before the rename, and is removed if building fails: ``path`` is either the old file or the
    complete new one, never half a PDF.
    """
    with atomic_path(path, suffix=".pdf.tmp") as tmp:
        result = build_fn(tmp)
    return result
