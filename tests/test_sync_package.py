"""One sync package (issue 21 point 4): the rules in app/sync/, their SQL in app/store/sync_*.py,
desk.sync and desk.sync_folder (app/operations/sync*.py) over both — and no SQL outside the
store, reads included."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = re.compile(r"^\s*(SELECT|PRAGMA|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|REPLACE)\s+\S")


def _sync_files() -> list[Path]:
    return sorted([*(ROOT / "app" / "sync").glob("*.py"),
                   *(ROOT / "app" / "operations").glob("sync*.py")])


def test_the_sync_rules_hold_no_sql():
    """No statement text and no execute call in app/sync/ or app/operations/sync*.py: each
    read or write is a named function of app/store/sync_*.py."""
    offenders = []
    for path in _sync_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("execute", "executemany", "executescript"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.func.attr}()")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and SQL.match(node.value):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value[:40]!r}")
    assert not offenders, offenders


def test_the_old_homes_of_the_sync_rules_are_gone():
    """No re-export left behind: the rules are imported from app/sync/ only."""
    store = {p.stem: p.read_text(encoding="utf-8")
             for p in (ROOT / "app" / "store").glob("sync_*.py")}
    for name, text in store.items():
        tree = ast.parse(text)
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        for rule in ("CaseScope", "CaseIndex", "Merger", "select_entries", "apply_entries",
                     "conflict_is_open", "refused_from", "post_merge_checks", "merge_vectors"):
            assert rule not in defined, f"app/store/{name}.py defines {rule}: a rule, not SQL"
        assert "app.sync" not in text, f"app/store/{name}.py imports app.sync"
