"""SQL the ledger import (app/operations/ledger.py) needs beyond the Store and ProcessRepo:
what is already in the database (case numbers, persons, staff, the imported 支援調整会議),
and the inactive staff entries it creates. Writes go through the Writer (journal)."""

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

    # -- the ledger export (the import's own columns) ---------------------------------------
    def export_rows(self) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        """One dict per case (first intake), with what the ledger's columns need: the
        person, the intake, the first assessment and screening, the approved plans and their
        services, the approved decisions, outcomes, the first confirmed suspension and the
        confirmed closure. Ordered by intake date and case number."""
        c = self.conn
        services = {r[0]: {"name": r[1], "statutory": bool(r[2]), "employment": bool(r[3]),
                           "needs_decision": bool(r[4])}
                    for r in c.execute("SELECT key, name, statutory, employment, needs_decision"
                                       " FROM service")}
        out = []
        cases = c.execute(
            "SELECT cf.id, cf.case_no, cf.closed_on, p.name, p.kana, p.birth_date, p.sex,"
            " p.postal_code, p.address, p.phone_home, p.phone_mobile, p.sensitive,"
            " s.display_name, i.received_on, i.route, i.referral_source, i.main_topic,"
            " i.consultation, i.triage, i.referral_to, i.emergency_note, i.consent"
            " FROM case_file cf JOIN person p ON p.id = cf.person_id"
            " LEFT JOIN staff s ON s.id = cf.assignee_id"
            " JOIN intake i ON i.id = (SELECT i2.id FROM intake i2 WHERE i2.case_id = cf.id"
            "   ORDER BY i2.received_on, i2.rowid LIMIT 1)"
            " ORDER BY i.received_on, cf.case_no").fetchall()
        for r in cases:
            case_id = r[0]
            row: dict[str, Any] = {
                "case_no": r[1], "closed_on": r[2], "name": r[3], "kana": r[4],
                "birth_date": r[5], "sex": r[6], "postal_code": r[7], "address": r[8],
                "phone_home": r[9], "phone_mobile": r[10], "sensitive": bool(r[11]),
                "staff": r[12] or "", "received_on": r[13], "route": r[14],
                "referral_source": r[15], "main_topic": r[16], "consultation": r[17],
                "triage": r[18], "referral_to": r[19], "emergency_note": r[20],
                "consent": r[21]}
            row["taken_back_on"] = c.execute(
                "SELECT max(taken_back_on) FROM referral WHERE case_id = ?",
                (case_id,)).fetchone()[0]
            row["assessed_on"] = c.execute(
                "SELECT min(assessed_on) FROM assessment WHERE case_id = ?",
                (case_id,)).fetchone()[0]
            s = c.execute("SELECT id, screened_on, result FROM screening WHERE case_id = ?"
                          " ORDER BY screened_on, rowid LIMIT 1", (case_id,)).fetchone()
            row["screening"] = s[2] if s else None
            row["screened_on"] = s[1] if s else None
            row["screening_referral"] = ""
            if s:
                ref = c.execute("SELECT referred_to FROM referral WHERE case_id = ? AND"
                                " origin = 'screening' AND source_id = ?",
                                (case_id, s[0])).fetchone()
                row["screening_referral"] = ref[0] if ref else ""
            plans = c.execute(
                "SELECT id, kind, approved_on FROM plan WHERE case_id = ? AND approved_on IS"
                " NOT NULL AND status IN ('approved', 'superseded', 'ended')"
                " ORDER BY approved_on, number", (case_id,)).fetchall()
            row["plans"] = []
            for pid, kind, approved_on in plans:
                keys = [k for (k,) in c.execute(
                    "SELECT service_key FROM plan_item"
                    " WHERE plan_id = ? AND coalesce(removed, 0) = 0 ORDER BY sort",
                    (pid,)) if k]
                row["plans"].append({"kind": kind, "approved_on": approved_on,
                                     "services": keys})
            row["decisions"] = [
                {"service_key": k, "decided_on": d} for k, d in c.execute(
                    "SELECT service_key, decided_on FROM decision WHERE case_id = ? AND"
                    " result = 'approved' ORDER BY decided_on", (case_id,))]
            for col, key in (("employed_on", "employed"), ("income_increased_on", "income")):
                row[key] = [d for (d,) in c.execute(
                    f"SELECT DISTINCT {col} FROM evaluation WHERE case_id = ? AND {col} IS NOT"
                    f" NULL AND status <> 'reconsider' ORDER BY 1", (case_id,))]
            row["suspended_on"] = c.execute(
                "SELECT min(confirmed_on) FROM suspension WHERE case_id = ? AND"
                " status IN ('confirmed', 'resumed')", (case_id,)).fetchone()[0]
            cl = c.execute("SELECT confirmed_on, pattern FROM closure WHERE case_id = ? AND"
                           " status = 'confirmed' ORDER BY confirmed_on DESC LIMIT 1",
                           (case_id,)).fetchone()
            row["closure_on"], row["pattern"] = (cl[0], cl[1]) if cl else (None, None)
            out.append(row)
        return out, services
