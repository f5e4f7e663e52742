"""Choosing the entries of a bundle, applying a bundle, and what each peer is known to hold.

Version vectors map an origin device to the newest hlc of its entries held *completely*
(every entry of that origin up to it, within the holder's scope: everything for a desk,
master data and its cases for a field laptop). This installation's own vector is kept in
``sync_peer`` under its own id; what peer P holds is P's vector as read from P's last
bundle (or set when P was created here). A bundle "for P" carries every entry in P's scope
newer than what P holds from its origin — plus the whole history of any case checked out
to P by a check-out P has not seen yet.

Only complete knowledge is merged into the own vector: everything a desk held (its bundle
was built against what we held), but from a field laptop only its own entries (it holds
other devices' entries of its cases only). Case bundles (``cases=``) never move vectors.
"""

from __future__ import annotations

import json
from typing import Iterable

from app.store import db
from app.store import derived_repo  # noqa: F401  (registers the derived case columns)
from app.store import sync_merge as merge
from app.store.sync_devices import forget_row, held_cases
from app.store.sync_scope import CaseScope, synced_tables


def load_vector(conn, peer: str) -> dict[str, str]:
    r = conn.execute("SELECT vector FROM sync_peer WHERE peer = ?", (peer,)).fetchone()
    return json.loads(r[0]) if r else {}


def save_vector(conn, peer: str, vector: dict[str, str], *, imported: str | None = None,
                exported: str | None = None) -> None:
    conn.execute("INSERT INTO sync_peer (peer, vector) VALUES (?, '{}') ON CONFLICT (peer)"
                 " DO NOTHING", (peer,))
    conn.execute("UPDATE sync_peer SET vector = ? WHERE peer = ?",
                 (json.dumps(vector, sort_keys=True), peer))
    if imported:
        conn.execute("UPDATE sync_peer SET last_import = ? WHERE peer = ?", (imported, peer))
    if exported:
        conn.execute("UPDATE sync_peer SET last_export = ? WHERE peer = ?", (exported, peer))


def merge_vectors(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    out = dict(a)
    for k, v in b.items():
        if isinstance(k, str) and isinstance(v, str) and v > out.get(k, ""):
            out[k] = v
    return out


def own_vector(conn, me: str) -> dict[str, str]:
    vec = load_vector(conn, me)
    newest = conn.execute("SELECT max(hlc) FROM journal WHERE device_id = ?", (me,)).fetchone()[0]
    if newest and newest > vec.get(me, ""):
        vec[me] = newest
    return vec


def _rows(conn, sql: str, args: Iterable = ()) -> list[tuple]:
    return conn.execute(sql, list(args)).fetchall()


# A journal entry as ENTRY_SQL reads it and as a bundle carries it (app/sync/bundle.py).
ENTRY_COLUMNS = ("id", "tbl", "row_id", "op", "fields", "base_rev", "rev", "hlc", "user_id",
                 "device_id", "ctx")
ENTRY_SQL = ("SELECT j.id, j.tbl, j.row_id, j.op, j.fields, j.base_rev, j.rev, j.hlc,"
             " j.user_id, j.device_id, COALESCE(c.ctx, '{}') FROM journal j"
             " LEFT JOIN sync_context c ON c.entry_id = j.id")


def _entries_of_rows(conn, rows) -> list[tuple]:
    """Every entry of the given (table, row id)s, through the journal's (tbl, row_id) index."""
    by_table: dict[str, list[str]] = {}
    for tbl, rid in rows:
        by_table.setdefault(tbl, []).append(rid)
    out: list[tuple] = []
    for tbl, ids in sorted(by_table.items()):
        out += _rows(conn, ENTRY_SQL + " WHERE j.tbl = ? AND j.row_id IN"
                     " (SELECT value FROM json_each(?))", (tbl, json.dumps(sorted(ids))))
    return out


def _entries_of_tables(conn, tables) -> list[tuple]:
    out: list[tuple] = []
    for tbl in sorted(tables):
        out += _rows(conn, ENTRY_SQL + " WHERE j.tbl = ?", (tbl,))
    return out


def journal_devices(conn) -> list[str]:
    """Every origin device of the journal (a skip scan of the journal_device index)."""
    return [r[0] for r in conn.execute(
        "WITH RECURSIVE d (device) AS (SELECT (SELECT min(device_id) FROM journal)"
        " UNION ALL SELECT (SELECT min(device_id) FROM journal WHERE device_id > d.device)"
        " FROM d WHERE d.device IS NOT NULL) SELECT device FROM d WHERE device IS NOT NULL")]


def _entries_since(conn, known: dict[str, str]) -> list[tuple]:
    """Entries newer than ``known`` holds from their origin (journal_device index)."""
    out: list[tuple] = []
    for device in journal_devices(conn):
        out += _rows(conn, ENTRY_SQL + " WHERE j.device_id = ? AND j.hlc > ?",
                     (device, known.get(device, "")))
    return out


def _ordered(rows: list[tuple]) -> list[list]:
    rows.sort(key=lambda r: (r[7], r[0]))   # (hlc, id), as ORDER BY j.hlc, j.id
    return [list(r) for r in rows]


def select_entries(conn, *, peer: str | None, peer_kind: str | None,
                   known: dict[str, str], cases: list[str] | None) -> list[list]:
    """Entries for a bundle, ordered by (hlc, id). Reads only what the bundle needs: the
    entries newer than ``known`` (for a desk, or everything), or master data and the
    rows of the chosen or checked-out cases (sync_scope.CaseScope)."""
    if cases is None and (peer is None or peer_kind == "desk"):
        return _ordered(_entries_since(conn, known))
    scope = CaseScope(conn)
    if cases is not None:
        rows = scope.rows_of(cases)
        return _ordered(_entries_of_tables(conn, scope.master_tables())
                        + _entries_of_rows(conn, rows))
    assert peer is not None  # peer None with cases None returned above
    held = held_cases(conn, peer)
    # Cases whose check-out the peer has not seen: it gets their whole history.
    fresh = {case for case, hlc, origin in _rows(
        conn, "SELECT c.case_id, j.hlc, j.device_id FROM checkout c JOIN journal j ON"
        " j.tbl = 'checkout' AND j.row_id = c.id AND j.op = 'insert'"
        " WHERE c.target_device = ? AND c.returned_on IS NULL", (peer,))
        if hlc > known.get(origin, "")}
    out = [r for r in _entries_of_tables(conn, scope.master_tables())
           if r[7] > known.get(r[9], "")]
    rows = scope.rows_of(held)
    for r in _entries_of_rows(conn, rows):
        if rows[(r[1], r[2])] & fresh or r[7] > known.get(r[9], ""):
            out.append(r)
    # The return of a check-out (so the laptop lets the case go).
    returned = [("checkout", r[0]) for r in _rows(
        conn, "SELECT id FROM checkout WHERE target_device = ?", (peer,))
        if ("checkout", r[0]) not in rows]
    out += [r for r in _entries_of_rows(conn, returned) if r[7] > known.get(r[9], "")]
    return _ordered(out)


def apply_entries(conn, clock, entries: list[dict]) -> tuple[int, int, int, set[str]]:
    """Insert unseen entries into the journal and fold their rows. Returns (applied,
    skipped, conflicts changed, case ids touched). Caller holds the transaction."""
    applied = skipped = 0
    touched: list[tuple[str, str]] = []
    for e in entries:
        if conn.execute("SELECT 1 FROM journal WHERE id = ?", (e["id"],)).fetchone():
            skipped += 1
            continue
        conn.execute("INSERT OR REPLACE INTO sync_context (entry_id, ctx) VALUES (?, ?)",
                     (e["id"], e["ctx"]))
        conn.execute(
            "INSERT INTO journal (id, tbl, row_id, op, fields, base_rev, rev, hlc, user_id,"
            " device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [e[c] for c in ENTRY_COLUMNS[:-1]])
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
    returned = {r[0] for r in conn.execute(
        "SELECT case_id FROM checkout WHERE target_device = ? GROUP BY case_id"
        " HAVING sum(returned_on IS NULL) = 0", (me,))}
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
            v = conn.execute("SELECT max(hlc) FROM journal WHERE tbl = ? AND row_id = ?"
                             " AND device_id = ?", (t, r, me)).fetchone()[0]
            newest_own = max(newest_own, v or "")
        if newest_own > acked:
            continue  # a change made here has not reached a desk yet: keep the case
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for t, r in sorted(rows, key=lambda x: x[0] == "person" or x[0] == "case_file"):
            if scope.cases_of(t, r) & held:
                continue  # a person with another case still held here
            conn.execute(f"DELETE FROM {t} WHERE id = ?", (r,))
            forget_row(conn, t, r)
        conn.execute("DELETE FROM sync_conflict WHERE case_id = ?", (case,))
        purged.append(case)
    if purged:
        conn.execute("INSERT INTO person_fts (person_fts) VALUES ('rebuild')")
    return purged


def canonical_dump(conn) -> dict:
    """Every synced table, the journal (with contexts) and the field/delete conflicts, in
    a device-independent order: two devices that hold the same data dump equal."""
    out = {}
    for tbl, cols in synced_tables(conn).items():
        out[tbl] = [tuple(r) for r in conn.execute(
            f"SELECT {', '.join(cols)} FROM {tbl} ORDER BY id")]
    out["journal"] = [tuple(r) for r in conn.execute(
        ENTRY_SQL + " ORDER BY j.id")]
    out["sync_conflict"] = [tuple(r) for r in conn.execute(
        "SELECT * FROM sync_conflict WHERE kind != 'rule' ORDER BY id")]
    return out


__all__ = ["db"]
