"""What a restore sets aside: the work in the live database that a backup does not have
(journal entries newer than the backup's newest), by case number — for the message that
tells the administrator what must be entered again (app/operations/restore.py)."""

from __future__ import annotations

from typing import Any, Callable

MAP_LIMIT = 20_000  # entries mapped to their cases; beyond, only counted


def journal_end(conn: Any) -> str:
    return conn.execute("SELECT max(hlc) FROM journal").fetchone()[0] or ""


def work_after(conn: Any, since_hlc: str,
               cases_of: Callable[[str, str], set[str]]) -> dict[str, Any]:
    """{"entries": n, "new_cases": [case numbers], "changed_cases": [case numbers],
    "first": hlc, "last": hlc} of the journal entries newer than ``since_hlc``;
    ``cases_of(table, row id)`` names a row's cases (app/sync/scope.py CaseScope)."""
    n = conn.execute("SELECT count(*), min(hlc), max(hlc) FROM journal WHERE hlc > ?",
                     (since_hlc,)).fetchone()
    rows = conn.execute("SELECT tbl, row_id, op FROM journal WHERE hlc > ? ORDER BY hlc"
                        " LIMIT ?", (since_hlc, MAP_LIMIT)).fetchall()
    new, changed = set(), set()
    for tbl, row_id, op in rows:
        if tbl == "case_file" and op == "insert":
            new.add(row_id)
        changed |= cases_of(tbl, row_id)
    numbers = {}
    ids = list(new | changed)
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        numbers.update(conn.execute(
            f"SELECT id, case_no FROM case_file WHERE id IN ({','.join('?' * len(part))})",
            part).fetchall())
    return {"entries": int(n[0]), "first": n[1] or "", "last": n[2] or "",
            "new_cases": sorted(numbers[c] for c in new if c in numbers),
            "changed_cases": sorted(numbers[c] for c in changed - new if c in numbers)}


def active_logins(conn: Any) -> dict[str, bool]:
    """login -> active, of every account."""
    return {r[0]: bool(r[1]) for r in conn.execute("SELECT login, active FROM staff")}


def account_role(conn: Any, login: str) -> str | None:
    """The role of an active account, None if there is no active account of that name."""
    r = conn.execute("SELECT role FROM staff WHERE login = ? AND active = 1",
                     (login,)).fetchone()
    return r[0] if r else None
