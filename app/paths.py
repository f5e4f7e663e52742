"""Where Tsunagu finds its bundled resources and keeps its per-user data."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def project_root() -> Path:
    """The folder holding resources/ and translations/ (source tree or PyInstaller bundle)."""
    override = os.environ.get("TSUNAGU_ROOT")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return project_root() / "resources"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def master_dir() -> Path:
    return resources_dir() / "master"


def translations_dir() -> Path:
    return project_root() / "translations"


def user_data_dir() -> Path:
    """Per-user folder for the live database, settings and temporary prints.

    Windows: %LOCALAPPDATA%\\Tsunagu (a local disk, never a roaming profile);
    elsewhere: $XDG_DATA_HOME/tsunagu. TSUNAGU_HOME overrides both (tests, portable use).
    """
    override = os.environ.get("TSUNAGU_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "Tsunagu"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tsunagu"


def default_db_path() -> Path:
    return user_data_dir() / "tsunagu.db"
