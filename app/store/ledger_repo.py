"""SQL the ledger import (app/ledger.py) needs beyond the Store and ProcessRepo: what is
already in the database (case numbers, persons, staff, the imported 支援調整会議), and the
inactive staff entries it creates. Writes go through the Writer (journal)."""

from __future__ import annotations

import uuid
from typing import Any

from app.store.db import Connection
from app.store.journal import Writer

# The place of the 支援調整会議 records an import creates (one per approval date): how they
# are recognised as imported, and found again by a later import.
LEDGER_MEETING_PLACE = "台帳取り込み"


class LedgerRepo:
    def __init__(self, conn: Connection):
        self.conn = conn

    def case_by_no(self, case_no: str) -> dict[str, Any] | None:
        r = self.conn.execute(
            "SELECT c.id, c.case_no, p.name, p.name_fold, p.birth_date,"
            " (SELECT min(i.received_on) FROM intake i WHERE i.case_id = c.id)"
            " FROM case_file c JOIN person p ON p.id = c.person_id WHERE c.case_no = ?",
            (case_no,)).fetchone()
        if r is None:
            return None
        return {"id": r[0], "case_no": r[1], "name": r[2], "name_fold": r[3],
                "birth_date": r[4], "received_on": r[5]}

    def intake_exists(self, name_fold: str, birth_date: str | None, received_on: str) -> str:
        """Case number of an intake of the same person (folded name and birth date, both
        without a birth date) on the same day, or ''."""
        r = self.conn.execute(
            "SELECT c.case_no FROM intake i JOIN case_file c ON c.id = i.case_id"
            " JOIN person p ON p.id = c.person_id WHERE i.received_on = ? AND p.name_fold = ?"
            " AND p.birth_date IS ?", (received_on, name_fold, birth_date)).fetchone()
        return r[0] if r else ""

    def persons_by_name(self, name_fold: str) -> list[dict[str, Any]]:
        return [{"id": r[0], "name": r[1], "birth_date": r[2], "case_no": r[3] or ""}
                for r in self.conn.execute(
                    "SELECT p.id, p.name, p.birth_date, (SELECT min(c.case_no) FROM case_file c"
                    " WHERE c.person_id = p.id) FROM person p WHERE p.name_fold = ?",
                    (name_fold,))]

    def staff_by_name(self, display_name: str) -> str | None:
        r = self.conn.execute("SELECT id FROM staff WHERE display_name = ? ORDER BY active DESC",
                              (display_name,)).fetchone()
        return r[0] if r else None

    def insert_inactive_staff(self, w: Writer, display_name: str) -> str:
        """担当者 unknown to the desk: an inactive entry (cannot log in) carrying the name."""
        while True:
            login = "ledger-" + uuid.uuid4().hex[:8]
            if not self.conn.execute("SELECT 1 FROM staff WHERE login = ?", (login,)).fetchone():
                break
        return w.insert("staff", {"login": login, "display_name": display_name,
                                  "role": "consultant", "active": 0})

    def imported_meeting(self, held_on: str) -> str | None:
        r = self.conn.execute("SELECT id FROM meeting WHERE held_on = ? AND place = ?",
                              (held_on, LEDGER_MEETING_PLACE)).fetchone()
        return r[0] if r else None

    def set_emergency_done(self, w: Writer, case_id: str) -> None:
        """Statutory emergency support from a ledger: its procedure is history, not pending."""
        for (row_id,) in self.conn.execute(
                "SELECT id FROM emergency_support WHERE case_id = ? AND procedure = 'pending'",
                (case_id,)).fetchall():
            w.update("emergency_support", row_id, {"procedure": "done"})
