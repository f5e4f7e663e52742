"""バージョン情報: what a desk (or whoever helps it on the phone) needs to know about this
installation — the program's version, the engines it runs on, and where the database, its
key file and its backups are.

``about_lines`` returns (label, value) pairs, labels already translated; the GUI dialog
(ui/dialogs/about.py) and the self-test only show them. To add a line (e.g. the date of the
postal-code data), register a provider::

    from app import about
    about.register(lambda desk: [(_("Postal-code data"), "2026-11")])

A provider gets the open desk (or None) and returns pairs; one that fails is left out, so
the dialog always opens.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Callable, Iterable

from app import __version__
from app.i18n import _

Provider = Callable[[object], Iterable[tuple[str, str]]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add lines to バージョン情報 (after the built-in ones); usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def _qt_versions() -> list[tuple[str, str]]:
    """Qt's versions when the GUI has loaded it (the core never imports Qt itself)."""
    core = sys.modules.get("PySide6.QtCore")
    pyside = sys.modules.get("PySide6")
    lines = []
    if core is not None:
        lines.append(("Qt", str(core.qVersion())))
    if pyside is not None and getattr(pyside, "__version__", None):
        lines.append(("PySide6", str(pyside.__version__)))
    return lines


def _postal_line() -> tuple[str, str]:
    """郵便番号データ: which month of Japan Post's data fills addresses (issue 16)."""
    from app import postal
    label, _sep, value = postal.data_label().partition(": ")
    return (label, value) if value else (_("Postal code data"), label)


def _program_kind() -> str:
    if getattr(sys, "frozen", False):
        return _("installed program (PyInstaller)")
    return _("Python package")


def about_lines(desk=None, db_path: str | os.PathLike[str] | None = None
                ) -> list[tuple[str, str]]:
    """The lines of バージョン情報. ``desk``: the open desk (its file and its backup folder
    setting); without one, ``db_path`` or the default database is described."""
    from app.paths import default_db_path, project_root, user_data_dir
    from app.store.versions import engine_versions

    engines = engine_versions()
    open_desk = desk if desk is not None and not desk.closed else None
    path = Path(open_desk.path) if open_desk is not None else \
        Path(db_path) if db_path else default_db_path()
    backups = None
    if open_desk is not None:
        try:
            backups = open_desk.maintenance.backup_folder()
        except Exception:  # noqa: BLE001 - a locked or refused desk: fall back below
            backups = None
    if backups is None:
        from app.operations.maintenance import backup_folders_for
        backups = backup_folders_for(path)[0]
    lines = [
        (_("Program version"), f"つなぐ (Tsunagu) {__version__}"),
        ("SQLCipher", engines["sqlcipher"]),
        ("SQLite", engines["sqlite"]),
    ]
    if engines.get("crypto"):
        lines.append((_("Encryption library"), engines["crypto"]))
    lines += _qt_versions()
    lines += [
        ("Python", platform.python_version()),
        (_("Operating system"), f"{platform.system()} {platform.release()} "
                                f"({platform.machine()})"),
        (_("Database"), str(path)),
        (_("Key file"), str(path) + ".keys"),
        (_("Backup folder"), str(backups)),
        (_("Data folder"), str(user_data_dir())),
        (_("Program"), f"{project_root()} — {_program_kind()}"),
        _postal_line(),
    ]
    for provider in list(_providers):
        try:
            lines += [(str(k), str(v)) for k, v in provider(desk)]
        except Exception:  # noqa: BLE001 - one broken provider must not hide the rest
            continue
    return lines


def about_text(lines: list[tuple[str, str]]) -> str:
    """The lines as plain text (「コピー」 in the dialog, the self-test's output)."""
    return "\n".join(f"{label}: {value}" for label, value in lines)
