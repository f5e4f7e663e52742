"""Where printed PDFs go (a private temporary folder, removed on exit) and how they are opened."""

from __future__ import annotations

import atexit
import itertools
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

Opener = Callable[[QUrl], object]

_folder: Path | None = None
_counter = itertools.count(1)


def print_folder() -> Path:
    """A folder only this user can read (mkdtemp is 0700), deleted when the program ends."""
    global _folder
    if _folder is None or not _folder.exists():
        _folder = Path(tempfile.mkdtemp(prefix="tsunagu-print-"))
        atexit.register(remove_print_folder)
    return _folder


def remove_print_folder() -> None:
    global _folder
    if _folder is not None:
        shutil.rmtree(_folder, ignore_errors=True)
        _folder = None


def new_pdf_path(stem: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)
    return print_folder() / f"{safe}-{next(_counter)}.pdf"


def open_with_system_viewer(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


def open_pdf(path: Path, opener: Opener) -> None:
    opener(QUrl.fromLocalFile(str(path)))
