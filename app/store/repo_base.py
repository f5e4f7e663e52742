"""What the SQL repositories of the process share: one open connection, rows as dicts, and
the conversions of dates and JSON between Python and the columns."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from app.store.db import Connection


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(d: date | datetime | None) -> str | None:
    return d.isoformat() if d else None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class SqlRepo:
    """Queries on one open connection (rows as dicts keyed by column name)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def _all(self, sql: str, args: tuple | list = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, args)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def _one(self, sql: str, args: tuple | list = ()) -> dict[str, Any] | None:
        rows = self._all(sql, args)
        return rows[0] if rows else None
