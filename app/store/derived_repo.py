"""Reading the facts the derived columns of a case come from (app/derived.py), and writing
those columns after a merge (app/sync/merge.py registers ``recompute_cases``).

A process step stores them through the Writer (journalled like any change, so devices of an
older version still receive them); a merge recomputes them here for every case it touched,
without a journal entry — like the search keys of a person, they are a function of rows
every device holds, never a value of their own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app import derived
from app.store.changes import note_cases
from app.store.process_repo import ProcessRepo
from app.store.stats_repo import SUPPORT_FACTS


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def schedule_facts(conn, case_id: str) -> list[derived.ScheduleFact]:
    """Monitorings, the first サービス開始 of each plan, and 再開 with a plan in effect."""
    facts = [derived.ScheduleFact("monitoring", date.fromisoformat(on), hlc, _d(nxt))
             for on, hlc, nxt in conn.execute(
                 "SELECT monitored_on, hlc, next_on FROM monitoring WHERE case_id = ?",
                 (case_id,))]
    first: dict[str, tuple[str, str, str | None]] = {}
    for plan_id, on, hlc, planned in conn.execute(
            "SELECT s.plan_id, s.started_on, s.hlc, p.next_monitoring_on FROM service_start s"
            " JOIN plan p ON p.id = s.plan_id WHERE s.case_id = ?", (case_id,)):
        if plan_id not in first or hlc < first[plan_id][1]:
            first[plan_id] = (on, hlc, planned)
    facts += [derived.ScheduleFact("start", date.fromisoformat(on), hlc, _d(planned))
              for on, hlc, planned in first.values()]
    facts += [derived.ScheduleFact("resume", date.fromisoformat(on), hlc)
              for on, hlc in conn.execute(
                  "SELECT s.resumed_on, s.hlc FROM suspension s WHERE s.case_id = ?1 AND"
                  " s.status = 'resumed' AND s.resumed_on IS NOT NULL AND EXISTS (SELECT 1"
                  " FROM plan p WHERE p.case_id = ?1 AND p.approved_on <= s.resumed_on)",
                  (case_id,))]
    return facts


def support_facts(conn, case_id: str) -> list[derived.SupportFact]:
    """The decisions that start or end the case's 支援中 (the statistics' SUPPORT_FACTS)."""
    return [derived.SupportFact(date.fromisoformat(on), order, bool(cont))
            for _c, on, order, cont in conn.execute(
                SUPPORT_FACTS.format(cases="case_id = :case"), {"case": case_id})]


def case_fields(conn, case_id: str, repo: ProcessRepo | None = None) -> dict[str, Any]:
    """The derived columns of the case (stage, closed_on, next_monitoring_on, support_from,
    support_until) as its records give them now."""
    state = (repo or ProcessRepo(conn)).case_state(case_id)
    closed = conn.execute("SELECT confirmed_on FROM closure WHERE case_id = ? AND"
                          " status = 'confirmed' ORDER BY hlc DESC LIMIT 1",
                          (case_id,)).fetchone()
    return derived.case_fields(state, _d(closed[0]) if closed else None,
                               schedule_facts(conn, case_id), support_facts(conn, case_id))


def fill_support_spans(conn) -> int:
    """Schema 20: support_from / support_until of every case, from its decisions and the
    stored closed_on (derived like stage: no journal entry — every device computes the
    same). Returns how many cases were written."""
    facts: dict[str, list[derived.SupportFact]] = {}
    for case_id, on, order, cont in conn.execute(SUPPORT_FACTS.format(cases="1")):
        facts.setdefault(case_id, []).append(
            derived.SupportFact(date.fromisoformat(on), order, bool(cont)))
    rows = [(*derived.support_span(facts.get(case_id, ()), _d(closed)), case_id)
            for case_id, closed in conn.execute("SELECT id, closed_on FROM case_file")]
    conn.executemany("UPDATE case_file SET support_from = ?, support_until = ? WHERE id = ?",
                     rows)
    return len(rows)


def recompute_cases(conn, case_ids: list[str]) -> int:
    """After a merge: store the derived columns of each case (those whose rows are here).
    Returns how many cases changed."""
    repo = ProcessRepo(conn)
    cols = ", ".join(derived.CASE_COLUMNS)
    changed = 0
    for case_id in case_ids:
        row = conn.execute(f"SELECT {cols} FROM case_file WHERE id = ?", (case_id,)).fetchone()
        if row is None:
            continue   # its insert has not arrived (or the case was purged here)
        want = case_fields(conn, case_id, repo)
        if tuple(row) != tuple(want[c] for c in derived.CASE_COLUMNS):
            conn.execute(f"UPDATE case_file SET {', '.join(f'{c} = ?' for c in want)}"
                         " WHERE id = ?", [*want.values(), case_id])
            changed += 1
    note_cases(conn, case_ids)   # told as changed (app/store/changes.py)
    return changed

