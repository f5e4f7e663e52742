"""House rules of the architecture, checked on every run."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_core_never_imports_qt_import_linter():
    """The import-linter contracts in pyproject.toml: app/ and forms/ never import PySide6 or
    ui; ui sits over app and forms (layers); app never imports forms (but the CLI, an entry
    point) and forms takes from app only the domain and listed utilities; the parts of the
    desk (app/operations, app/security) never import app/desk.py that composes them (no
    circles); app/store never imports app/sync (the sync rules sit over the SQL)."""
    exe = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "6 kept, 0 broken" in out.stdout


def test_only_the_entry_point_imports_the_cli():
    """app/cli.py may import forms/ (the one exception in pyproject.toml) because it is an
    entry point: nothing in app/ imports it but app/__main__.py (``python -m app``)."""
    importers = []
    for path in (ROOT / "app").rglob("*.py"):
        if path.name in ("__main__.py", "cli.py") and path.parent == ROOT / "app":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
                     if isinstance(node, ast.ImportFrom) else [])
            if "app.cli" in names:
                importers.append(str(path.relative_to(ROOT)))
    assert not importers, importers


def test_core_imports_without_pyside6():
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "import app.desk, app.cli, app.demo, forms.intake, forms.recovery\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_no_sql_writes_outside_the_store():
    """Nothing outside app/store/ writes SQL (INSERT/UPDATE/DELETE/CREATE/DROP/ALTER)."""
    verbs = ("INSERT INTO", "UPDATE ", "DELETE FROM", "CREATE TABLE", "DROP TABLE", "ALTER TABLE",
             "REPLACE INTO")
    offenders = []
    for package in ("app", "ui", "forms"):
        for path in (ROOT / package).rglob("*.py"):
            if "store" in path.relative_to(ROOT).parts[:2]:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    text = node.value.upper()
                    if any(v in text for v in verbs) and ("?" in text or " SET " in text
                                                          or "VALUES" in text or "(" in text):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, ("SQL written outside app/store/ — move these queries into a module "
                           "under app/store/ (DESIGN.md: nothing outside app/store/ writes SQL): "
                           + ", ".join(offenders))


def test_no_machine_paths_in_the_repository():
    """No absolute path of the machine running the tests (checkout, virtualenv, home)."""
    markers = {str(ROOT), sys.prefix, str(Path.home()) + "/"} - {"/", ""}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    bad = []
    for name in tracked.splitlines():
        if not name.endswith((".py", ".md", ".toml", ".json", ".sql", ".po", ".txt", ".spec")):
            continue
        text = (ROOT / name).read_text(encoding="utf-8", errors="ignore")
        for marker in markers:
            if marker in text:
                bad.append(f"{name}: {marker}")
    assert not bad, bad


def test_records_and_enums_are_imported_from_the_domain():
    """Records and enums live in app/domain/<subject>.py; app/process.py keeps the rules and
    the step graph. Nothing takes from app.process a name it does not define itself (such a
    name is only imported there, and the next move of the rules would break the import)."""
    process = ast.parse((ROOT / "app" / "process.py").read_text(encoding="utf-8"))
    defined = set()
    for node in process.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
    offenders = []
    for package in ("app", "ui", "forms", "tests", "tools"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            aliases = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "app.process":
                    offenders += [f"{path.relative_to(ROOT)}:{node.lineno}: {a.name}"
                                  for a in node.names if a.name not in defined]
                elif isinstance(node, ast.ImportFrom) and node.module == "app":
                    aliases |= {a.asname or a.name for a in node.names if a.name == "process"}
                elif isinstance(node, ast.Import):
                    aliases |= {a.asname for a in node.names if a.name == "app.process"
                                and a.asname}
            for node in ast.walk(tree):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                        and node.value.id in aliases and node.attr not in defined):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: "
                                     f"{node.value.id}.{node.attr}")
    assert not offenders, ("import these from app/domain/<subject>.py, not from app.process: "
                           + ", ".join(offenders))
