"""Choosing the entries of a bundle, applying a bundle, and letting returned cases go.

A bundle "for P" carries every entry in P's scope newer than what P holds from its origin
(P's version vector, app/sync/peers.py) — plus the whole history of any case checked out
to P by a check-out P has not seen yet. A case bundle carries master data and the whole
history of the chosen cases. Applying a bundle keeps the entries not held yet and folds
their rows (app/sync/merge.py), then recomputes what is derived from the cases touched.

The SQL is app/store/sync_exchange.py.
"""

from __future__ import annotations

from app.store import sync_exchange as q
from app.store.sync_devices import held_cases
from app.store.sync_peers import load_vector
from app.sync import merge
from app.sync.scope import CaseScope, synced_tables


def _ordered(rows: list[tuple]) -> list[list]:
    rows.sort(key=lambda r: (r[7], r[0]))   # (hlc, id), as ORDER BY j.hlc, j.id
    return [list(r) for r in rows]


def select_entries(conn, *, peer: str | None, peer_kind: str | None,
                   known: dict[str, str], cases: list[str] | None) -> list[list]:
    """Entries for a bundle, ordered by (hlc, id). Reads only what the bundle needs: the
    entries newer than ``known`` (for a desk, or everything), or master data and the
    rows of the chosen or checked-out cases (scope.CaseScope)."""
    if cases is None and (peer is None or peer_kind == "desk"):
        return _ordered(q.entries_since(conn, known))
    scope = CaseScope(conn)
    if cases is not None:
        rows = scope.rows_of(cases)
        return _ordered(q.entries_of_tables(conn, scope.master_tables())
                        + q.entries_of_rows(conn, rows))
    assert peer is not None  # peer None with cases None returned above
    held = held_cases(conn, peer)
    # Cases whose check-out the peer has not seen: it gets their whole history.
    fresh = {case for case, hlc, origin in q.open_checkout_inserts(conn, peer)
             if hlc > known.get(origin, "")}
    out = [r for r in q.entries_of_tables(conn, scope.master_tables())
           if r[7] > known.get(r[9], "")]
    rows = scope.rows_of(held)
    for r in q.entries_of_rows(conn, rows):
        if rows[(r[1], r[2])] & fresh or r[7] > known.get(r[9], ""):
            out.append(r)
    # The return of a check-out (so the laptop lets the case go).
    returned = [("checkout", cid) for cid in q.checkout_ids(conn, peer)
                if ("checkout", cid) not in rows]
    out += [r for r in q.entries_of_rows(conn, returned) if r[7] > known.get(r[9], "")]
    return _ordered(out)


def apply_entries(conn, clock, entries: list[dict]) -> tuple[int, int, int, set[str]]:
    """Insert unseen entries into the journal and fold their rows. Returns (applied,
    skipped, conflicts changed, case ids touched). Caller holds the transaction."""
    applied = skipped = 0
    touched: list[tuple[str, str]] = []
    for e in entries:
        if q.has_entry(conn, e["id"]):
            skipped += 1
            continue
        q.insert_entry(conn, e)
        clock.observe(e["hlc"])
        touched.append((e["tbl"], e["row_id"]))
        applied += 1
    merger = merge.Merger(conn)
    merger.recompute(touched)
    scope = CaseScope(conn)
    cases: set[str] = set()
    for tbl, rid in set(touched):
        cases |= scope.cases_of(tbl, rid)
    merge.recompute_derived(conn, cases)   # stage & co. from the merged records
    return applied, skipped, merger.conflicts_changed, cases


def purge_returned(conn, me: str, desk_peers: list[str]) -> list[str]:
    """On a field laptop: cases returned (checked in) whose every local change a desk has
    acknowledged leave this installation — rows, journal, context, conflicts, search
    index (secure_delete zeroes the freed pages). Returns the purged case ids."""
    returned = q.returned_cases(conn, me)
    if not returned:
        return []
    acked = ""
    for peer in desk_peers:
        acked = max(acked, load_vector(conn, peer).get(me, ""))
    scope = CaseScope(conn)
    members = scope.rows_of(returned)
    held = held_cases(conn, me)
    purged = []
    for case in sorted(returned):
        rows = [key for key, cases in members.items() if case in cases]
        newest_own = ""
        for t, r in rows:
            newest_own = max(newest_own, q.newest_hlc_of_row(conn, t, r, me) or "")
        if newest_own > acked:
            continue  # a change made here has not reached a desk yet: keep the case
        q.defer_foreign_keys(conn)
        for t, r in sorted(rows, key=lambda x: x[0] == "person" or x[0] == "case_file"):
            if scope.cases_of(t, r) & held:
                continue  # a person with another case still held here
            q.delete_row(conn, t, r)
        q.delete_case_conflicts(conn, case)
        purged.append(case)
    if purged:
        q.rebuild_person_index(conn)
    return purged


def canonical_dump(conn) -> dict:
    """Every synced table, the journal (with contexts) and the field/delete conflicts, in
    a device-independent order: two devices that hold the same data dump equal."""
    return q.dump_tables(conn, synced_tables(conn))
