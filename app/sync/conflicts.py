"""Conflicts as a person sees and settles them: both values (decoded), the value applied
now, whether the conflict is still open (app/sync/merge.py decides), and what settling one
writes — a new journalled change that saw both sides.

Who may see and settle which conflict is ``desk.sync`` (app/operations/sync.py); the SQL is
app/store/sync_merge.py.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from app.domain.sync import ConflictSide, SyncConflict
from app.errors import TsunaguError, ValidationError
from app.i18n import _
from app.store import sync_merge as q
from app.store.sync_scope import columns
from app.sync.merge import ROW_META, conflict_is_open, with_derived


def read_conflicts(conn, *, case_id: str | None = None, open_only: bool,
                   shown: Callable[[dict[str, Any]], bool] = lambda c: True
                   ) -> list[SyncConflict]:
    """The conflicts (of one case) that ``shown`` lets through (it is handed each
    sync_conflict row), with ``open``, both values decoded and ``applied_value`` (the
    field's value now)."""
    out = []
    for c in q.conflict_rows(conn, case_id):
        if not shown(c):
            continue
        is_open = conflict_is_open(conn, c)
        if open_only and not is_open:
            continue
        applied = None
        if c["kind"] == "field" and c["field"] in columns(conn, c["tbl"]):
            applied = q.field_value(conn, c["tbl"], c["field"], c["row_id"])[1]
        out.append(SyncConflict(
            id=c["id"], kind=c["kind"], tbl=c["tbl"], row_id=c["row_id"], field=c["field"],
            case_id=c["case_id"], winner=_side(c, "winner"), loser=_side(c, "loser"),
            detail=c["detail"] or "", open=is_open, applied_value=applied))
    return out


def _side(c: dict[str, Any], side: str) -> ConflictSide:
    value = c[f"{side}_value"]
    return ConflictSide(entry=c[f"{side}_entry"],
                        value=None if value is None else json.loads(value),
                        user=c[f"{side}_user"], device=c[f"{side}_device"],
                        hlc=c[f"{side}_hlc"])


def settlement(conn, c: SyncConflict, choice: str, value: Any = None
               ) -> tuple[str, dict[str, Any]]:
    """What settling conflict ``c`` with ``choice`` writes: ("update", changes) or
    ("delete", {}). A field: "winner", "loser" or "value" (``value``, already checked as a
    normal edit of the field); a deletion: "keep" or "delete". Rule conflicts are settled
    by the process step itself (TsunaguError)."""
    if c.kind == "field":
        if choice not in ("winner", "loser", "value"):
            raise ValidationError("choice", _("Choose one of the two values."))
        chosen = {"winner": c.winner.value, "loser": c.loser.value}.get(choice, value)
        changes = {c.field: chosen}
        current = q.row_values(conn, c.tbl, c.row_id) or {}
        return "update", with_derived(c.tbl, current, changes)
    if c.kind == "delete":
        if choice == "delete":
            return "delete", {}
        if choice == "keep":   # an edit that saw the deletion: the first column, unchanged
            first = next(x for x in columns(conn, c.tbl) if x not in ROW_META)
            row = q.row_values(conn, c.tbl, c.row_id)
            if row is None:
                raise TypeError(f"{c.tbl} {c.row_id} is not here")
            return "update", {first: row[first]}
        raise ValidationError("choice", _("Choose to keep or delete the record."))
    raise TsunaguError(_("This conflict is settled by the process step itself "
                         "(for example, end one of the two plans)."))
