"""Merge: the rows are a deterministic function of the journal entries held.

Every device folds the same set of journal entries into the same rows, whatever order the
entries arrived in:

* a row exists once its ``insert`` entry is held (a change that arrives before it waits);
* each field takes the value of the newest entry that set it, ordered by (hlc, entry id)
  — the hybrid clock stamp ends with the device id, so ties cannot happen;
* ``rev`` is the number of entries of the row, ``hlc``/``updated_by``/``device_id`` those
  of its newest entry; derived columns (person search keys) are recomputed from the merged
  values, so the FTS index (kept by the person triggers) follows, and the columns derived
  from other rows (a case's stage …) are recomputed for each case touched, after the
  rows (``register_derived``) — neither is ever a conflict;
* a deletion removes the row only if it saw every write of the row; an edit it did not see
  keeps the row, and the deletion is recorded as a conflict;
* two writes of one field are *concurrent* when neither saw the other (each entry carries
  its causal context, see migration 0004); a concurrent write that lost with a different
  value becomes a row of ``sync_conflict`` — both values, who wrote each, when, where.
  Nothing is overwritten without a trace: every value stays in the journal.

Conflict rows are derived from the entries too (ids are hashes), so they are the same on
every device. A conflict is open until a later write of the field saw both sides
(``resolve_conflict`` writes one).

The SQL is app/store/sync_merge.py.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from app import derived, text_ja
from app.store import derived_repo
from app.store import sync_merge as q
from app.store.sync_scope import columns

# Tables whose rows are records of what happened: only ever inserted (a correction is a
# new row). Inserts never conflict; the registry lets the process work add its tables.
APPEND_ONLY: set[str] = {
    "intake", "support_record", "monitoring", "followup", "plan_amendment",
    "contact_attempt", "service_start", "decision", "screening", "assessment",
}


def register_append_only(*tables: str) -> None:
    APPEND_ONLY.update(tables)


def _person_derived(values: dict[str, Any]) -> dict[str, Any]:
    name_fold = text_ja.fold_for_search(values.get("name") or "")
    kana_fold = text_ja.fold_for_search(values.get("kana") or "")
    return {"name_fold": name_fold, "kana_fold": kana_fold,
            "search_key": f"{name_fold}\u3000{kana_fold}"}


# Columns computed from other columns: never a conflict, recomputed after the merge.
DERIVED: dict[str, tuple[set[str], Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "person": ({"name_fold", "kana_fold", "search_key"}, _person_derived),
}

# Columns computed from other rows (a case's stage from its plans, evaluations, closure …):
# never a conflict; after a merge, ``recompute_derived`` asks each registered function to
# store them again for the cases the merge touched (the case_file ones: app/derived.py,
# stored by app/store/derived_repo.py, registered below).
DERIVED_FROM_FACTS: dict[str, set[str]] = {}
_RECOMPUTE: list[Callable[[Any, list[str]], int]] = []


def register_derived(tbl: str, columns: set[str],
                     recompute: Callable[[Any, list[str]], int]) -> None:
    DERIVED_FROM_FACTS.setdefault(tbl, set()).update(columns)
    if recompute not in _RECOMPUTE:
        _RECOMPUTE.append(recompute)


register_derived("case_file", set(derived.CASE_COLUMNS), derived_repo.recompute_cases)


def recompute_derived(conn, case_ids) -> int:
    """Store the derived columns of every case touched by a merge; returns rows changed."""
    ids = sorted(set(case_ids))
    return sum(fn(conn, ids) for fn in _RECOMPUTE) if ids else 0


def _derived_columns(tbl: str) -> set[str]:
    return DERIVED.get(tbl, (set(), None))[0] | DERIVED_FROM_FACTS.get(tbl, set())


def with_derived(tbl: str, current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` to a row plus the columns computed from its other columns (a person's
    search keys), given the row as stored now."""
    if tbl not in DERIVED:
        return dict(changes)
    return {**changes, **DERIVED[tbl][1]({**current, **changes})}


ROW_META = ("id", "rev", "hlc", "updated_by", "device_id")


@dataclass
class Entry:
    id: str
    tbl: str
    row_id: str
    op: str
    fields: dict[str, Any]
    base_rev: int
    rev: int
    hlc: str
    user_id: str
    device_id: str
    ctx: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.hlc, self.id)

    @property
    def who(self) -> tuple[str, str, str, str]:
        """(entry id, user, device, hlc), as a conflict names each side."""
        return (self.id, self.user_id, self.device_id, self.hlc)

    def saw(self, other: "Entry") -> bool:
        """True if this entry was written by a device that already held ``other``."""
        return self.id != other.id and self.ctx.get(other.device_id, "") >= other.hlc


def _norm(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def load_entries(conn, tbl: str, row_id: str) -> list[Entry]:
    """The row's entries, ordered by (hlc, id)."""
    entries = [Entry(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7], r[8], r[9],
                     json.loads(r[10]) if r[10] else {})
               for r in q.entry_rows(conn, tbl, row_id)]
    entries.sort(key=lambda e: e.key)
    return entries


def _first_key(entries: list[Entry]) -> tuple[str, str]:
    return next((e.key for e in entries if e.op == "insert"), ("~", ""))


def _case_of(entries: list[Entry]) -> str | None:
    for e in entries:
        if e.op == "insert" and isinstance(e.fields.get("case_id"), str):
            return e.fields["case_id"]
    return None


def conflict_id(kind: str, tbl: str, row_id: str, fld: str, loser: str) -> str:
    return hashlib.sha256(f"{kind}|{tbl}|{row_id}|{fld}|{loser}".encode()).hexdigest()[:32]


class Merger:
    """Recomputes rows from their journal entries (inside the caller's transaction)."""

    def __init__(self, conn):
        self.conn = conn
        self._cols: dict[str, list[str]] = {}
        self.conflicts_changed = 0

    def columns(self, tbl: str) -> list[str]:
        if tbl not in self._cols:
            self._cols[tbl] = columns(self.conn, tbl)
        return self._cols[tbl]

    def recompute(self, rows: list[tuple[str, str]]) -> None:
        """Fold the entries of each (table, row id); parents before children (the insert
        of a parent is older than the insert of its child), deletions last."""
        loaded = [(t, r, load_entries(self.conn, t, r)) for t, r in set(rows)]
        loaded.sort(key=lambda item: _first_key(item[2]))
        deletions = []
        for tbl, row_id, entries in loaded:
            if not self._apply_row(tbl, row_id, entries):
                deletions.append((tbl, row_id, entries))
        for tbl, row_id, entries in reversed(deletions):
            q.remove_row(self.conn, tbl, row_id)
            self._conflicts(tbl, row_id, entries, deleted=True)

    def _apply_row(self, tbl: str, row_id: str, entries: list[Entry]) -> bool:
        """Write the merged row; False if the row is to be deleted."""
        cols = self.columns(tbl)
        writes = [e for e in entries if e.op != "delete"]
        deletes = [e for e in entries if e.op == "delete"]
        if any(all(d.saw(w) for w in writes) for d in deletes):
            return False
        row = q.row_values(self.conn, tbl, row_id)
        has_insert = any(e.op == "insert" for e in writes)
        if not writes or (row is None and not has_insert):
            return True  # waiting for its insert
        values: dict[str, Any] = {}
        for e in writes:  # ascending (hlc, id): the newest value of each field stays
            for k, v in e.fields.items():
                if k in cols and k not in ROW_META:
                    values[k] = v
        values = with_derived(tbl, row or {}, values)
        newest = writes[-1]
        values.update(rev=len(entries), hlc=newest.hlc, updated_by=newest.user_id,
                      device_id=newest.device_id)
        if not q.write_row(self.conn, tbl, row_id, values, row):
            self._unique_clash(tbl, row_id, values, row is not None, entries)
        self._conflicts(tbl, row_id, entries, deleted=False)
        return True

    # -------------------------------------------------------------- unique keys
    def _unique_clash(self, tbl: str, row_id: str, values: dict[str, Any], exists: bool,
                      entries: list[Entry]) -> None:
        """Two rows made on two devices need one unique key (a login, a setting, a master
        key, an assessment version). Rows written by this version share their id when
        they share such a key (natural_id), so this is the rare rest: the row inserted
        first keeps the key, the other is held back — kept in the journal, not in its
        table — and flagged as a ``duplicate_key`` conflict. Never a failed import."""
        holder = q.unique_holder(self.conn, tbl, row_id, values)
        held, kept = row_id, holder
        if holder is not None and not exists and \
                _first_key(entries) < _first_key(load_entries(self.conn, tbl, holder)):
            # this row is the older one: it takes the key, the holder is held back instead
            # (unless the holder has dependent rows: then this one is held back)
            if q.take_key_from(self.conn, tbl, holder, row_id, values):
                held, kept = holder, row_id
        self._record_rule("duplicate_key", tbl, held, kept or held,
                          _case_of(entries) if held == row_id
                          else _case_of(load_entries(self.conn, tbl, held)))

    def _record_rule(self, rule: str, tbl: str, held: str, kept: str,
                     case_id: str | None) -> None:
        cid = conflict_id("rule", tbl, held, rule, kept)
        if q.conflict_exists(self.conn, cid):
            return
        newest = q.newest_entry(self.conn, tbl, held)
        if newest is None:
            return
        other = q.newest_entry(self.conn, tbl, kept) or newest
        q.insert_rule_conflict(self.conn, cid, tbl, held, rule, case_id, newest, other,
                               json.dumps([kept]))
        self.conflicts_changed += 1

    def _conflicts(self, tbl: str, row_id: str, entries: list[Entry], *, deleted: bool) -> None:
        writes = [e for e in entries if e.op != "delete"]
        computed = _derived_columns(tbl)
        case_id = None
        if tbl == "case_file":
            case_id = row_id
        else:
            for e in entries:
                if "case_id" in e.fields and e.op == "insert":
                    case_id = e.fields["case_id"]
        fields = sorted({k for e in writes for k in e.fields} - computed - set(ROW_META))
        for fld in fields:
            setters = [e for e in writes if fld in e.fields]
            if len(setters) < 2:
                continue
            for loser in setters:
                rivals = [w for w in setters if w.key > loser.key and not w.saw(loser)
                          and not loser.saw(w)
                          and _norm(w.fields[fld]) != _norm(loser.fields[fld])]
                if rivals:
                    winner = max(rivals, key=lambda e: e.key)
                    self._record("field", tbl, row_id, fld, case_id, loser, winner,
                                 loser.fields[fld], winner.fields[fld])
        # recorded whether or not the row survived: a deletion that saw both sides
        # ("delete" chosen) closes it, and every device holds the same conflict rows
        for d in (e for e in entries if e.op == "delete"):
            # edits concurrent with the deletion; a write that saw the deletion (the
            # "keep" of a resolution) settles it rather than competing with it
            unseen = [w for w in writes if not d.saw(w) and not w.saw(d)]
            if unseen:
                winner = max(unseen, key=lambda e: e.key)
                self._record("delete", tbl, row_id, "*", case_id, d, winner,
                             None, None)

    def _record(self, kind, tbl, row_id, fld, case_id, loser: Entry, winner: Entry,
                loser_value, winner_value) -> None:
        cid = conflict_id(kind, tbl, row_id, fld, loser.id)
        lv = None if loser_value is None else _norm(loser_value)
        wv = None if winner_value is None else _norm(winner_value)
        if q.conflict_winner(self.conn, cid) == winner.id:
            return
        q.save_conflict(self.conn, cid, kind, tbl, row_id, fld, case_id, loser.who, lv,
                        winner.who, wv)
        self.conflicts_changed += 1


def conflict_is_open(conn, conflict: dict) -> bool:
    """Open until a later write of the field, or a deletion of the record, saw both sides
    (rule conflicts: until the rule holds again)."""
    if conflict["kind"] == "rule":
        check = RULE_STATUS.get(conflict["field"])
        return bool(check(conn, conflict)) if check else True
    if conflict["kind"] == "field" and conflict["field"] in _derived_columns(conflict["tbl"]):
        return False   # recorded by an older version: the value is computed, not chosen
    entries = load_entries(conn, conflict["tbl"], conflict["row_id"])
    by_id = {e.id: e for e in entries}
    loser, winner = by_id.get(conflict["loser_entry"]), by_id.get(conflict["winner_entry"])
    if loser is None or winner is None:
        return False
    for e in entries:
        if e.op == "delete":
            # a deletion by someone who saw both sides settles it too (the record is gone
            # on purpose: "delete" chosen for a deletion conflict)
            if e.id != loser.id and e.saw(loser) and e.saw(winner):
                return False
            continue
        if conflict["kind"] == "field" and conflict["field"] not in e.fields:
            continue
        if e.saw(loser) and e.saw(winner):
            return False
    return True


# ----------------------------------------------------------------- process rules after merge
@dataclass
class RuleIssue:
    rule: str            # stable key, e.g. "two_approved_plans"
    case_id: str | None   # None: master data (a duplicate name, a duplicate resource)
    rows: list[tuple[str, str]]   # (table, row id) involved, the first kept, the others flagged
    detail: str = ""


# fn(conn, case_ids) -> issues; app/process.py may add its own.
POST_MERGE_CHECKS: list[Callable[[Any, list[str]], list[RuleIssue]]] = []
# rule key -> fn(conn, conflict row) -> still broken?
RULE_STATUS: dict[str, Callable[[Any, dict], bool]] = {}


def register_post_merge_check(fn, rule: str | None = None, still_broken=None):
    POST_MERGE_CHECKS.append(fn)
    if rule and still_broken:
        RULE_STATUS[rule] = still_broken
    return fn


def two_approved_plans(conn, case_ids: list[str]) -> list[RuleIssue]:
    """Two plans approved for one case (approved on two devices offline)."""
    if not q.has_table(conn, "plan") or not case_ids:
        return []
    issues = []
    for cid in case_ids:
        plans = q.approved_plans(conn, cid)
        if len(plans) > 1:
            issues.append(RuleIssue("two_approved_plans", cid,
                                    [("plan", p) for p in plans],
                                    "two plans are approved for this case"))
    return issues


def _plans_still_approved(conn, conflict: dict) -> bool:
    ids = [conflict["row_id"], *json.loads(conflict["detail"] or "[]")]
    return q.count_approved(conn, ids) > 1


register_post_merge_check(two_approved_plans, "two_approved_plans", _plans_still_approved)


def _still_held_back(conn, conflict: dict) -> bool:
    """duplicate_key: open while the held-back row is not in its table."""
    return not q.field_value(conn, conflict["tbl"], "id", conflict["row_id"])[0]


RULE_STATUS["duplicate_key"] = _still_held_back


def post_merge_checks(conn, case_ids: list[str]) -> int:
    """Run every registered process check on the merged cases; each issue becomes a
    ``rule`` conflict (flagged, never silently both in effect). Returns new flags."""
    flagged = 0
    for check in POST_MERGE_CHECKS:
        for issue in check(conn, sorted(set(case_ids))):
            kept_tbl, kept_id = issue.rows[0]
            for tbl, row_id in issue.rows[1:]:
                cid = conflict_id("rule", tbl, row_id, issue.rule, kept_id)
                if q.conflict_exists(conn, cid):
                    continue
                newest = q.newest_entry(conn, tbl, row_id)
                kept = q.newest_entry(conn, kept_tbl, kept_id)
                if newest is None or kept is None:
                    continue
                q.insert_rule_conflict(conn, cid, tbl, row_id, issue.rule, issue.case_id,
                                       newest, kept, json.dumps([kept_id]))
                flagged += 1
    return flagged


NAME_COLUMNS = {"referral_source": "name", "service": "name", "assessment_master": "name",
                "staff": "display_name", "device": "name"}


def record_name(conn, tbl: str, row_id: str) -> str:
    """What a person calls a record of master data (its name now, or the last name it had
    when it is deleted); "" for other tables."""
    col = NAME_COLUMNS.get(tbl)
    if col is None:
        return ""
    present, value = q.field_value(conn, tbl, col, row_id)
    if present:
        return str(value)
    for fields in q.journalled_fields(conn, tbl, row_id):
        name = fields.get(col)
        if isinstance(name, str):
            return name
    return ""


# ---------------------------------------------------------------------- authority
# Rows that say who may do what — accounts and their roles, agency settings, devices and
# their keys, master data, the anonymised facts of purged cases. They are accepted only
# from a desk device: a field laptop's user has a password and the program's own Store,
# and could journal ``staff.role = 'admin'`` for themselves (issue 13).
AUTHORITY_TABLES = frozenset({"staff", "setting", "device", "referral_source", "service",
                              "assessment_master", "anon_case", "anon_intake", "anon_stat"})


def refused_from(sender_kind: str, sender: str, entries: list[dict]
                 ) -> tuple[list[dict], list[dict]]:
    """(accepted, refused) entries of a transfer file. From a desk everything is accepted.
    From any other device: no row of ``AUTHORITY_TABLES`` (whoever the entry claims wrote
    it — the file is signed by the laptop, not by the desk it names), and no check-out to
    another device (a laptop holds the cases it opened itself, nothing it grants itself)."""
    if sender_kind == "desk":
        return list(entries), []
    accepted: list[dict] = []
    refused: list[dict] = []
    for e in entries:
        bad = e["tbl"] in AUTHORITY_TABLES
        if not bad and e["tbl"] == "checkout" and e["op"] != "delete":
            try:
                target = json.loads(e["fields"]).get("target_device", sender)
            except (ValueError, AttributeError):
                target = None
            bad = target != sender
        (refused if bad else accepted).append(e)
    return accepted, refused
