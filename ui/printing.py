"""Where printed PDFs go and how they are opened (issue 13 point 6: no plaintext left behind).

A printed sheet is plain text on disk until it is deleted. So PDFs for viewing go to a
per-user folder (``<user data>/prints``, only this user may read it), one sub-folder per
running program (``run-<pid>-<stamp>``, held by an OS lock while the program runs). The
program's own sub-folder is removed at exit; at start-up (and at exit) every sub-folder
whose program is gone — a crash, a power cut — is swept: its files are overwritten with
zeros and removed. The recovery-key sheet is never written there without saying so: the
user is told where it is and that it is removed.

When no PDF viewer can be opened, the user is told so and offered 「名前を付けて保存」.
``no_viewer`` and ``notice`` are the dialogs (replaced in tests).
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.i18n import _
from app.paths import user_data_dir

Opener = Callable[[QUrl], object]

_folder: Path | None = None
_lock_fh = None
_counter = itertools.count(1)
RECOVERY_STEM = "recovery-key"


def prints_root() -> Path:
    return user_data_dir() / "prints"


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
    return path


def print_folder() -> Path:
    """This program's folder for printed PDFs (only this user may read it); swept of
    leftovers of programs that did not exit cleanly when first made."""
    global _folder, _lock_fh
    if _folder is None or not _folder.exists():
        sweep_leftovers()
        root = _private_dir(prints_root())
        folder = _private_dir(root / f"run-{os.getpid()}-{int(time.time() * 1000)}")
        from app.store.lock import _lock
        fh = open(folder / ".lock", "a+b")
        try:
            _lock(fh)
        except OSError:
            fh.close()
            fh = None
        _folder, _lock_fh = folder, fh
        atexit.register(remove_print_folder)
    return _folder


def _shred(path: Path) -> None:
    """Overwrite a file with zeros before removing it (best effort: a viewer may hold it)."""
    try:
        size = path.stat().st_size
        if 0 < size <= 64 * 1024 * 1024:
            with open(path, "r+b") as fh:
                fh.write(b"\0" * size)
                fh.flush()
                os.fsync(fh.fileno())
    except OSError:
        pass
    try:
        path.unlink()
    except OSError:
        pass


def _remove_tree(folder: Path) -> None:
    for p in sorted(folder.rglob("*"), reverse=True):
        if p.is_file() and p.name != ".lock":
            _shred(p)
    shutil.rmtree(folder, ignore_errors=True)


def _abandoned(folder: Path) -> bool:
    """Whether no running program holds this run folder (its lock can be taken)."""
    from app.store.lock import _lock, _unlock
    lock = folder / ".lock"
    if not lock.exists():
        return True
    try:
        fh = open(lock, "a+b")
    except OSError:
        return False
    try:
        _lock(fh)
    except OSError:
        fh.close()
        return False
    _unlock(fh)
    fh.close()
    return True


def sweep_leftovers() -> list[Path]:
    """Remove the print folders of programs that are gone (crashed, killed). Returns what
    was removed. Also called at start-up (ui/main.py)."""
    root = prints_root()
    removed = []
    if not root.is_dir():
        return removed
    for folder in root.iterdir():
        if folder == _folder or not folder.is_dir() or not folder.name.startswith("run-"):
            continue
        if _abandoned(folder):
            _remove_tree(folder)
            removed.append(folder)
    return removed


def remove_print_folder() -> None:
    global _folder, _lock_fh
    if _folder is not None:
        folder = _folder
        _folder = None
        if _lock_fh is not None:
            try:
                _lock_fh.close()
            except OSError:
                pass
            _lock_fh = None
        _remove_tree(folder)
    sweep_leftovers()


def new_pdf_path(stem: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)
    return print_folder() / f"{safe}-{next(_counter)}.pdf"


def open_with_system_viewer(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


# ---------------------------------------------------------------------- dialogs
_shown: list[QMessageBox] = []   # kept alive while open (a box without parent is not)


def _show(box: QMessageBox) -> None:
    _shown.append(box)
    box.finished.connect(lambda _result, b=box: _shown.remove(b) if b in _shown else None)
    box.open()


def _parent(parent: QWidget | None) -> QWidget | None:
    if parent is not None:
        return parent
    from PySide6.QtWidgets import QApplication
    return QApplication.activeWindow()


def _notice(parent: QWidget | None, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, _("Printing"), text,
                      QMessageBox.StandardButton.Ok, _parent(parent))
    _show(box)


def save_pdf_as(parent: QWidget | None, path: Path) -> Path | None:
    """「名前を付けて保存」: copy the PDF where the user chooses. Returns the copy."""
    target, _filter = QFileDialog.getSaveFileName(
        parent, _("Save As"), str(Path.home() / path.name), _("PDF (*.pdf)"))
    if not target:
        return None
    shutil.copyfile(path, target)
    return Path(target)


def _no_viewer(parent: QWidget | None, path: Path) -> None:
    parent = _parent(parent)
    box = QMessageBox(QMessageBox.Icon.Warning, _("Printing"), no_viewer_text(path),
                      QMessageBox.StandardButton.Close, parent)
    save = box.addButton(_("Save As…"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(save)

    def clicked(button) -> None:
        if button is save:
            try:
                save_pdf_as(parent, path)
            except OSError as error:
                QMessageBox.warning(parent, _("Printing"), _(
                    "The PDF could not be written: {error}").format(error=error))

    box.buttonClicked.connect(clicked)
    _show(box)


def no_viewer_text(path: Path) -> str:
    return _("No program to show PDF files could be opened on this computer. Choose 「Save "
             "As…」 to keep the PDF ({name}) where you want and open or print it another way. "
             "The copy Tsunagu made is removed when Tsunagu closes.").format(name=path.name)


def recovery_sheet_text(path: Path) -> str:
    return _("The recovery-key sheet was written to a temporary file only to print it: "
             "{path}. It is removed (overwritten) when this window closes or Tsunagu quits. Do "
             "not save a copy of it; keep only the printed sheet, in a safe.").format(
                 path=str(path))


no_viewer: Callable[[QWidget | None, Path], None] = _no_viewer
notice: Callable[[QWidget | None, str], None] = _notice


def open_pdf(path: Path, opener: Opener, parent: QWidget | None = None) -> bool:
    """Hand the PDF to the viewer. When it cannot be opened (the opener answers False),
    say so and offer 「名前を付けて保存」. The recovery-key sheet always says where it is."""
    opened = opener(QUrl.fromLocalFile(str(path)))
    if Path(path).name.startswith(RECOVERY_STEM):
        notice(parent, recovery_sheet_text(Path(path)))
    if opened is False:
        no_viewer(parent, Path(path))
        return False
    return True


def discard(path: Path) -> None:
    """Remove one printed file now (the recovery-key sheet when its dialog closes)."""
    _shred(Path(path))
