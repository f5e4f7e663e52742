"""SQL of the 支援調整会議: meetings, their agenda items and results, what waits for a
meeting (the agenda candidates) and the people on an agenda."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Any

from app.domain.meeting import (
    AgendaItem, AgendaKind, Meeting, MeetingKind, MeetingResult, MeetingSummary, Participant,
)
from app.store.journal import Writer
from app.store.repo_base import SqlRepo, _d, _iso, _json
from app.store.security_repo import case_access_clause


class MeetingRepo(SqlRepo):
    """Meetings and agenda items (part of :class:`app.store.process_repo.ProcessRepo`)."""

    # ------------------------------------------------------------------ meetings
    def insert_meeting(self, w: Writer, held_on: date, kind: str, place: str,
                       participants: list[Participant], next_meeting_on: date | None) -> str:
        return w.insert("meeting", {
            "held_on": _iso(held_on), "kind": kind, "place": place,
            "participants": _json([asdict(p) for p in participants]),
            "next_meeting_on": _iso(next_meeting_on), "held": 0})

    def set_meeting(self, w: Writer, meeting_id: str, **changes: Any) -> None:
        w.update("meeting", meeting_id, {k: (_iso(v) if isinstance(v, date) else v)
                                         for k, v in changes.items()})

    def insert_agenda_item(self, w: Writer, meeting_id: str, case_id: str | None, kind: str,
                           subject_id: str | None, summary: str) -> str:
        sort = int(self.conn.execute("SELECT COUNT(*) FROM agenda_item WHERE meeting_id = ?",
                                     (meeting_id,)).fetchone()[0])
        return w.insert("agenda_item", {
            "meeting_id": meeting_id, "case_id": case_id, "kind": kind, "subject_id": subject_id,
            "summary": summary, "sort": sort})

    def set_agenda_result(self, w: Writer, item_id: str, result: str, conditions: str) -> None:
        w.update("agenda_item", item_id, {"result": result, "conditions": conditions})

    def _agenda(self, r: dict[str, Any]) -> AgendaItem:
        return AgendaItem(
            id=r["id"], meeting_id=r["meeting_id"], kind=AgendaKind(r["kind"]),
            case_id=r["case_id"], subject_id=r["subject_id"], summary=r["summary"],
            result=MeetingResult(r["result"]) if r["result"] else None,
            conditions=r["conditions"], case_no=r.get("case_no") or "",
            withdrawn_on=_d(r.get("withdrawn_on")), withdrawn_reason=r.get("withdrawn_reason") or "",
            moved_to=r.get("moved_to"))

    _AGENDA_SQL = ("SELECT a.*, c.case_no FROM agenda_item a LEFT JOIN case_file c"
                   " ON c.id = a.case_id")

    def agenda(self, meeting_id: str, pending_only: bool = False) -> list[AgendaItem]:
        sql = self._AGENDA_SQL + " WHERE a.meeting_id = ?"
        if pending_only:
            sql += " AND a.result IS NULL AND a.withdrawn_on IS NULL"
        return [self._agenda(r) for r in self._all(sql + " ORDER BY a.sort", (meeting_id,))]

    def agenda_item(self, item_id: str) -> AgendaItem | None:
        r = self._one(self._AGENDA_SQL + " WHERE a.id = ?", (item_id,))
        return self._agenda(r) if r else None

    def pending_agenda_for(self, subject_id: str) -> bool:
        return self.pending_item_for(subject_id) is not None

    def pending_item_for(self, subject_id: str) -> AgendaItem | None:
        """The agenda item of ``subject_id`` still waiting for its result (None if none)."""
        r = self._one(self._AGENDA_SQL + " WHERE a.subject_id = ? AND a.result IS NULL"
                      " AND a.withdrawn_on IS NULL", (subject_id,))
        return self._agenda(r) if r else None

    def withdraw_agenda_item(self, w: Writer, item_id: str, on: date, reason: str,
                             moved_to: str | None = None) -> None:
        w.update("agenda_item", item_id, {"withdrawn_on": _iso(on), "withdrawn_reason": reason,
                                          "moved_to": moved_to})

    def meeting(self, meeting_id: str) -> Meeting | None:
        r = self._one("SELECT * FROM meeting WHERE id = ?", (meeting_id,))
        if r is None:
            return None
        return Meeting(
            id=r["id"], held_on=date.fromisoformat(r["held_on"]), kind=MeetingKind(r["kind"]),
            place=r["place"],
            participants=[Participant(**p) for p in json.loads(r["participants"])],
            minutes=r["minutes"], next_meeting_on=_d(r["next_meeting_on"]),
            held=bool(r["held"]), items=self.agenda(r["id"]),
            municipality_attended=None if r.get("municipality_attended") is None
            else bool(r["municipality_attended"]),
            municipality_absence=r.get("municipality_absence") or "")

    def meetings(self, limit: int | None = None, *, open_from: date | None = None
                 ) -> tuple[list[MeetingSummary], int]:
        """(the first ``limit`` meetings, newest first; how many there are). Each without
        its agenda: the items are only counted, from the agenda_meeting index. Sessions of
        one day by place, a shorter name first: numbered rooms in their order (第2 before
        第10)."""
        sql = ("SELECT m.id, m.held_on, m.kind, m.place, m.held, m.next_meeting_on,"
               " m.participants, (SELECT count(*) FROM agenda_item a WHERE"
               " a.meeting_id = m.id) FROM meeting m"
               + (" WHERE m.held = 0 AND m.held_on >= ?" if open_from is not None else "")
               + " ORDER BY m.held_on DESC, length(m.place), m.place, m.id")
        args: list[Any] = [open_from.isoformat()] if open_from is not None else []
        if limit is not None:
            sql, args = sql + " LIMIT ?", [*args, limit]
        rows = [MeetingSummary(
            id=r[0], held_on=date.fromisoformat(r[1]), kind=MeetingKind(r[2]), place=r[3],
            held=bool(r[4]), next_meeting_on=_d(r[5]),
            participants=tuple(Participant(**p) for p in json.loads(r[6])), item_count=r[7])
            for r in self.conn.execute(sql, args)]
        total = len(rows)
        if limit is not None and total >= limit:
            total = int(self.conn.execute("SELECT count(*) FROM meeting").fetchone()[0])
        return rows, total

    # What waits for a meeting: (table, its agenda kind, its summary, the status of a row
    # that waits — a plan 'submitted', the others 'proposed', as add_agenda_item checks).
    _WAITING = (
        ("plan", "CASE x.kind WHEN 'replan' THEN 'replan' ELSE 'new_plan' END",
         "substr(x.aim, 1, 200)", "submitted"),
        ("evaluation", "'evaluation'", "x.decision", "proposed"),
        ("suspension", "'suspension'", "substr(x.reason, 1, 200)", "proposed"),
        ("closure", "'closure'", "x.pattern", "proposed"),
    )

    def waiting_subjects(self, case_id: str) -> list[dict[str, Any]]:
        """What of one case waits for the 支援調整会議 (on an agenda or not): id, kind (an
        AgendaKind value), summary — in the order it was written."""
        parts = [f"SELECT x.id, {kind} AS kind, {summary} AS summary, x.hlc FROM {table} x"
                 f" WHERE x.case_id = ?1 AND x.status = '{status}'"
                 # a 終結 decided with its プラン評価 waits with the evaluation, not alone
                 + (" AND x.evaluation_id IS NULL" if table == "closure" else "")
                 for table, kind, summary, status in self._WAITING]
        return self._all("SELECT id, kind, summary FROM (" + " UNION ALL ".join(parts)
                         + ") ORDER BY hlc", (case_id,))

    def agenda_candidates(self, access=None, limit: int | None = None
                          ) -> tuple[list[dict[str, Any]], int]:
        """(the first ``limit`` items waiting for the 支援調整会議 and on no agenda still
        waiting for its result; how many there are), of the cases ``access`` lets the user
        see, in case-number order, then by kind, then as written. Rows: id (the subject),
        case_id, case_no, kind (an AgendaKind value) and summary (for an evaluation its
        decision, for a closure its pattern, as stored)."""
        allowed, allowed_args = case_access_clause(access)
        parts, args = [], []
        for table, kind, summary, status in self._WAITING:
            parts.append(
                f"SELECT x.id, x.case_id, c.case_no, {kind} AS kind, {summary} AS summary,"
                f" x.hlc FROM {table} x JOIN case_file c ON c.id = x.case_id"
                f" WHERE x.status = '{status}' AND NOT EXISTS (SELECT 1 FROM agenda_item a"
                f" WHERE a.subject_id = x.id AND a.result IS NULL AND a.withdrawn_on IS NULL)"
                # a 終結 decided with its プラン評価 has no agenda item of its own
                + (" AND x.evaluation_id IS NULL" if table == "closure" else "")
                + (f" AND {allowed}" if allowed else ""))
            args += allowed_args
        union = " UNION ALL ".join(parts)
        sql = (f"SELECT id, case_id, case_no, kind, summary FROM ({union})"
               " ORDER BY case_no, kind, hlc")
        if limit is None:
            rows = self._all(sql, args)
            return rows, len(rows)
        rows = self._all(sql + " LIMIT ?", [*args, limit])
        total = len(rows)
        if total >= limit:
            total = int(self.conn.execute(f"SELECT count(*) FROM ({union})", args).fetchone()[0])
        return rows, total

    def agenda_people(self, meeting_id: str, access=None) -> dict[str, tuple[str, str]]:
        """case id → (name, kana) of the person of each case on the meeting's agenda that
        ``access`` lets the user see."""
        allowed, allowed_args = case_access_clause(access)
        return {r[0]: (r[1], r[2]) for r in self.conn.execute(
            "SELECT DISTINCT c.id, p.name, p.kana FROM agenda_item a JOIN case_file c"
            " ON c.id = a.case_id JOIN person p ON p.id = c.person_id WHERE a.meeting_id = ?"
            + (f" AND {allowed}" if allowed else ""), [meeting_id, *allowed_args])}

    def case_agenda(self, case_id: str) -> list[tuple[AgendaItem, date]]:
        return [(self._agenda(r), date.fromisoformat(r["held_on"])) for r in self._all(
            "SELECT a.*, c.case_no, m.held_on FROM agenda_item a JOIN meeting m ON"
            " m.id = a.meeting_id LEFT JOIN case_file c ON c.id = a.case_id WHERE a.case_id = ?",
            (case_id,))]
