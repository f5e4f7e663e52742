"""What a transaction wrote: noted as it writes, told at COMMIT to whoever collects.

``Store.transaction`` opens a ``Touched`` on its connection when a collector is open on its
thread (``collecting()``: the GUI's operations; nobody else pays for it). Every row the
``Writer`` writes is noted there with the column linking it to its case (read from the
values it writes or reads anyway: no statement of its own); statements that write past the
Writer — a merge, a purge, a device reset — note ``everything``, and the derived columns'
recomputation the cases it recomputed. At COMMIT the noted rows are mapped to ``Changes``
(app/domain/changes.py): a row with a ``case_id`` to that case, a case to itself, a person
(changed, not new) to every case of theirs, a plan item to its plan's case,
``meeting``/``agenda_item`` to the meetings, any other synced table to the master data;
more than ``MANY_ROWS`` rows to all cases. A transaction rolled back (or a savepoint rolled
back to) tells nothing of what it undid. Writes outside ``Store.transaction`` (drafts, the
audit log, local settings, the upgrade ladder's own transaction) are not changes of the
data the screens show and are not noted.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

from app.domain.changes import Changes

MEETING_TABLES = frozenset({"meeting", "agenda_item"})
# More rows than this in one transaction (a large import, a demo desk built in one go): all
# cases changed, and no more rows are kept (the notes stay small).
MANY_ROWS = 5000


def link_column(table: str, columns: Iterable[str]) -> str | None:
    """The column of a ``table`` row that tells its case (app/sync/scope.py ``table_link``
    classifies the tables the same way; a test holds the two together): ``id`` for a case
    or a person, ``case_id``, ``plan_id`` (the plan's case), or None for a table that
    belongs to no case."""
    if table in ("case_file", "person"):
        return "id"
    cols = set(columns)
    if "case_id" in cols:
        return "case_id"
    if "plan_id" in cols:
        return "plan_id"
    return None


class Touched:
    """The rows an open transaction wrote: (table, row id, link column, its value)."""

    __slots__ = ("rows", "everything", "cases")

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str | None, Any]] = []
        self.everything = False
        self.cases: set[str] = set()

    def row(self, table: str, row_id: str, link: str | None, value: Any) -> None:
        if self.everything:
            return
        if len(self.rows) >= MANY_ROWS:
            self.everything = True
            return
        self.rows.append((table, row_id, link, value))

    def mark(self) -> tuple[int, bool, frozenset[str]]:
        """Where a savepoint starts (``undo_to`` on its rollback)."""
        return len(self.rows), self.everything, frozenset(self.cases)

    def undo_to(self, mark: tuple[int, bool, frozenset[str]]) -> None:
        del self.rows[mark[0]:]
        self.everything = mark[1]
        self.cases = set(mark[2])


def touched(conn) -> Touched | None:
    """The open transaction's notes on ``conn`` (None outside ``Store.transaction``)."""
    return getattr(conn, "touched", None)


def note_everything(conn) -> None:
    """A statement wrote past the Writer (a merge, a purge): every case, every meeting,
    the master data may have changed."""
    t = touched(conn)
    if t is not None:
        t.everything = True


def note_cases(conn, case_ids: Iterable[str]) -> None:
    """These cases changed (their derived columns were recomputed)."""
    t = touched(conn)
    if t is not None:
        t.cases.update(case_ids)


# ---------------------------------------------------------------- collectors (per thread)
class Collected:
    """What the transactions committed on this thread since ``collecting()`` opened."""

    def __init__(self) -> None:
        self.changes = Changes()

    def add(self, changes: Changes) -> None:
        self.changes = self.changes | changes


_local = threading.local()


def _collectors() -> list[Collected]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def collecting_now() -> bool:
    """True while a collector is open on this thread."""
    return bool(getattr(_local, "stack", None))


@contextmanager
def collecting() -> Iterator[Collected]:
    """Collect the changes of every transaction committed on this thread inside the
    ``with`` (nested collectors each receive them)."""
    box = Collected()
    stack = _collectors()
    stack.append(box)
    try:
        yield box
    finally:
        stack.remove(box)


def committed(conn, t: Touched) -> None:
    """(Store.transaction, after COMMIT) Tell the collectors of this thread, if any."""
    stack = getattr(_local, "stack", None)
    if not stack or not (t.rows or t.everything or t.cases):
        return
    try:
        changes = resolve(conn, t)
    except Exception:  # noqa: BLE001 - the write is committed: say "everything" rather than lose it
        changes = Changes.everything()
    if not changes.empty:
        for box in stack:
            box.add(changes)


# ---------------------------------------------------------------- rows -> Changes
def resolve(conn, t: Touched) -> Changes:
    """The Changes of the noted rows. Statements only for a changed person (their cases)
    and a plan item whose plan was not written with it (the plan's case)."""
    if t.everything:
        return Changes(all_cases=True, meetings=True, master=True,
                       tables=frozenset(r[0] for r in t.rows))
    cases = set(t.cases)
    persons: set[str] = set()
    plans: set[str] = set()
    plan_cases: dict[str, str] = {}
    meetings = master = False
    tables: set[str] = set()
    for table, row_id, column, value in t.rows:
        tables.add(table)
        if table in MEETING_TABLES:
            meetings = True
        if column is None:
            master = master or table not in MEETING_TABLES
        elif table == "case_file":
            cases.add(row_id)
        elif table == "person":
            if value is not None:        # changed or deleted; a new person has no case yet
                persons.add(row_id)
        elif column == "case_id":
            if value:
                cases.add(value)
            if table == "plan" and value:
                plan_cases[row_id] = value
        elif column == "plan_id" and value:
            plans.add(value)
    cases.update(plan_cases[p] for p in plans if p in plan_cases)
    unknown_plans = plans - plan_cases.keys()
    if unknown_plans:
        cases.update(r[0] for r in conn.execute(
            "SELECT case_id FROM plan WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(unknown_plans)),)) if r[0])
    if persons:
        cases.update(r[0] for r in conn.execute(
            "SELECT id FROM case_file WHERE person_id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(persons)),)))
    return Changes(case_ids=frozenset(cases), meetings=meetings, master=master,
                   tables=frozenset(tables))
