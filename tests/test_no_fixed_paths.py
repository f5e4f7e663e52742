"""Tests touch nothing outside their own temporary folders.

No file under tests/ (nor the tools, packaging and CI scripts) names the system temp folder or
another absolute path of a machine: a test that wrote screenshots into a fixed folder failed on
every machine but the one it was written on (and silently wrote nothing where the folder was
missing). Screenshots go to the ``shots`` fixture (tests/conftest.py): under tmp_path, or under
$TSUNAGU_TEST_SHOTS when a developer sets it.

The patterns below are assembled so that this file passes its own check: it is scanned too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("tests", "tools", "packaging", ".ci")
TEXT_SUFFIXES = {".py", ".md", ".txt", ".json", ".toml", ".cfg", ".ini", ".tsv", ".csv", ".sh",
                 ".spec", ".iss", ".yml", ".yaml", ""}
SKIPPED_DIRS = {"__pycache__", ".pytest_cache", "build", "dist"}

_UNIX_ROOTS = ["tmp", "var/tmp", "var/folders", "private", "work", "home", "root",
               "Users", "mnt", "media", "srv", "opt", "scratch"]
# "/<root>" not preceded by a name character (so "a/work/b" and URLs' paths do not count)
UNIX = re.compile(r"(?<![\w.~$-])/(?:" + "|".join(_UNIX_ROOTS) + r")(?![\w.-])")
# A drive letter, an upper-case letter, a colon and a (back)slash (so "e:" + "\\n" is not one)
WINDOWS = re.compile(r"(?<![\w])[A-Z]:(?:\\\\|\\|/)(?=[\w.~$%-])")
# A network share: \\server\share
UNC = re.compile(r"(?<![\w\\])\\\\\\\\[A-Za-z][\w.-]*\\\\")


def machine_paths(text: str) -> list[str]:
    """The absolute machine paths a text names (shebang lines are not paths the code uses)."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if number == 1 and line.startswith("#!"):
            continue
        for pattern in (UNIX, WINDOWS, UNC):
            for match in pattern.finditer(line):
                found.append(f"{number}: {line.strip()[:120]}")
                break
    return found


def scanned_files():
    for top in SCANNED:
        base = ROOT / top
        if not base.exists():
            continue
        for folder, dirs, files in os.walk(base):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
            for name in files:
                path = Path(folder) / name
                if path.suffix.lower() in TEXT_SUFFIXES:
                    yield path


@pytest.mark.parametrize("text", [
    'PNG = Path("/' 'tmp/ui_print_png")',
    'grab().save(f"/' 'tmp/eng5/draft_{n}.png")',
    'open("/' 'tmp")',
    'Path("/' 'var/tmp/x")',
    'db = "/' 'work/main/desk.db"',
    'home = "/' 'home/alice/tsunagu"',
    'x = "/' 'root/.cache"',
    'mac = "/' 'Users/alice/Desktop"',
    r'win = "C:' r'\\Users\\alice"',
    "raw = r'D:" "\\data\\desk.db'",
    'fwd = "E:' '/backup"',
    r'share = "\\' r'\\server\\share"',
])
def test_the_check_finds_machine_paths(text):
    assert machine_paths(text), text


@pytest.mark.parametrize("text", [
    "folder = tmp_path / 'shots'",
    "url = 'https://example.org/home/index.html'",
    "rel = 'resources/master/variants.tsv'",
    "code = 'except AlreadyOpen as e:\\n'",
    "path = 'app/store/migrations/0001_initial.sql'",
    "ratio = 'a/work/b'",
    "#!/usr/bin/env python3",
])
def test_the_check_leaves_ordinary_text_alone(text):
    assert machine_paths(text) == []


def test_no_file_under_tests_names_a_fixed_machine_path():
    files = list(scanned_files())
    assert any(p.name == "conftest.py" for p in files) and Path(__file__) in files
    bad = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary fixtures (schema*.db)
        bad += [f"{path.relative_to(ROOT)}:{hit}" for hit in machine_paths(text)]
    assert not bad, ("fixed machine paths (write under tmp_path or the `shots` fixture "
                     "instead):\n" + "\n".join(bad))
