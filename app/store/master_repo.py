"""SQL of the master data an administrator edits (app/operations/master.py): referral
sources (紹介元), services, assessment domains and the problem checklist.

Writes go through the Writer, so every change is journalled and reaches the other devices.
A row is deleted only when no record refers to it ("used"); otherwise it is deactivated.
How records refer to master rows:

* intakes store the referral source's **name** (and つなぎ先 the name of an agency): a
  source is used when a record carries any name the row ever had (its journal);
* plan items and 支援決定 store the service **key**;
* assessments store domain keys (``domains`` object) and checklist keys (``problems``),
  and plan items may name a checklist key as their problem.
"""

from __future__ import annotations

import json
from typing import Any

from app.store.journal import Writer
from app.store.repo_base import SqlRepo

# kind -> (table, extra WHERE for the kind)
TABLES: dict[str, tuple[str, str, tuple]] = {
    "referral_source": ("referral_source", "", ()),
    "service": ("service", "", ()),
    "domain": ("assessment_master", " AND kind = ?", ("domain",)),
    "problem": ("assessment_master", " AND kind = ?", ("problem",)),
}

_COLUMNS = {
    "referral_source": "id, '' AS key, name, active, sort, route, grp",
    "service": "id, key, name, active, sort, statutory, employment, needs_decision, usual_months",
    "domain": "id, key, name, active, sort",
    "problem": "id, key, name, active, sort",
}


class MasterRepo(SqlRepo):
    """Queries and writes of the master tables on one open connection (``SqlRepo``)."""

    # ------------------------------------------------------------------ reads
    def rows(self, kind: str) -> list[dict[str, Any]]:
        """Every row of the kind, inactive included, in display order."""
        table, where, args = TABLES[kind]
        return self._all(f"SELECT {_COLUMNS[kind]} FROM {table} WHERE 1 = 1{where}"
                         " ORDER BY sort, name", args)

    def row(self, kind: str, row_id: str) -> dict[str, Any] | None:
        table, where, args = TABLES[kind]
        found = self._all(f"SELECT {_COLUMNS[kind]} FROM {table} WHERE id = ?{where}",
                          (row_id, *args))
        return found[0] if found else None

    def next_sort(self, kind: str) -> int:
        table, where, args = TABLES[kind]
        r = self.conn.execute(f"SELECT COALESCE(MAX(sort), -1) FROM {table} WHERE 1 = 1{where}",
                              args).fetchone()
        return int(r[0]) + 1

    def key_exists(self, kind: str, key: str) -> bool:
        table, where, args = TABLES[kind]
        return self.conn.execute(f"SELECT 1 FROM {table} WHERE key = ?{where}",
                                 (key, *args)).fetchone() is not None

    def names_ever(self, kind: str, row_id: str) -> set[str]:
        """Every name the row has had (journal), its current one included."""
        table = TABLES[kind][0]
        names: set[str] = set()
        for (fields,) in self.conn.execute(
                "SELECT fields FROM journal WHERE tbl = ? AND row_id = ?", (table, row_id)):
            try:
                name = json.loads(fields).get("name")
            except (ValueError, AttributeError):
                continue
            if isinstance(name, str):
                names.add(name)
        current = self.row(kind, row_id)
        if current:
            names.add(current["name"])
        return names

    def use_count(self, kind: str, row_id: str) -> int:
        """How many records refer to the row (0: it may be deleted)."""
        r = self.row(kind, row_id)
        if r is None:
            return 0
        one = lambda sql, args: int(self.conn.execute(sql, args).fetchone()[0])  # noqa: E731
        if kind == "referral_source":
            names = sorted(self.names_ever(kind, row_id))
            marks = ", ".join("?" for _ in names)
            return (one(f"SELECT count(*) FROM intake WHERE referral_source IN ({marks})", names)
                    + one(f"SELECT count(*) FROM intake WHERE referral_to IN ({marks})", names)
                    + one(f"SELECT count(*) FROM referral WHERE referred_to IN ({marks})", names))
        key = r["key"]
        if kind == "service":
            return (one("SELECT count(*) FROM plan_item WHERE service_key = ?", (key,))
                    + one("SELECT count(*) FROM decision WHERE service_key = ?", (key,)))
        if kind == "domain":
            return one("SELECT count(*) FROM assessment a, json_each(a.domains) j"
                       " WHERE j.key = ?", (key,))
        return (one("SELECT count(*) FROM assessment a, json_each(a.problems) j"
                    " WHERE j.value = ?", (key,))
                + one("SELECT count(*) FROM plan_item WHERE problem = ?", (key,)))

    # ------------------------------------------------------------------ writes
    def created(self, kind: str, row_id: str) -> tuple[str, str]:
        """(stamp of the row's first journal entry, id): the order rows were made in."""
        r = self.conn.execute("SELECT min(hlc) FROM journal WHERE tbl = ? AND row_id = ?",
                              (TABLES[kind][0], row_id)).fetchone()
        return (r[0] or "~", row_id)

    def active_name(self, table: str, row_id: str) -> str | None:
        """The name of an active master row of ``table`` (None: gone or inactive)."""
        if table not in {t for t, _w, _a in TABLES.values()}:
            return None
        r = self.conn.execute(f"SELECT name FROM {table} WHERE id = ? AND active = 1",
                              (row_id,)).fetchone()
        return r[0] if r else None

    def ever_written(self, kind: str, row_id: str) -> bool:
        """Whether a row with this id exists or ever existed (its journal)."""
        return self.conn.execute("SELECT 1 FROM journal WHERE tbl = ? AND row_id = ? LIMIT 1",
                                 (TABLES[kind][0], row_id)).fetchone() is not None

    def insert(self, w: Writer, kind: str, fields: dict[str, Any],
               row_id: str | None = None) -> str:
        table = TABLES[kind][0]
        values = dict(fields)
        if kind in ("domain", "problem"):
            values["kind"] = kind
        if kind == "referral_source":
            values["grp"] = values.pop("group")
        return w.insert(table, values, row_id=row_id)

    def update(self, w: Writer, kind: str, row_id: str, changes: dict[str, Any]) -> None:
        values = dict(changes)
        if "group" in values:
            values["grp"] = values.pop("group")
        w.update(TABLES[kind][0], row_id, values)

    def delete(self, w: Writer, kind: str, row_id: str) -> None:
        w.delete(TABLES[kind][0], row_id)
