"""SQL of privacy and security (issue 5): staff and teams, which cases a user may see,
協働 and 引継ぎ, consent and disclosure records, the audit search, retention and the purge.

Writes go through the Writer (journal) in the caller's transaction, except the purge,
which deletes rows and their journal entries for good.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Iterable

from app.security.privacy import (
    ANY_AGENCY, AuditBreak, AuditRow, Consent, ConsentForm, Disclosure, DisclosureBasis,
    RetentionItem, UserInfo,
)
from app.store.changes import note_everything
from app.store.db import Connection
from app.store.journal import Writer

# Tables the purge never touches although they name a case: the audit log is hash-chained
# and holds no personal data (actions, case ids and numbers, reasons).
PURGE_KEEPS = frozenset({"audit", "journal", "draft", "anon_case", "anon_intake"})
_CHUNK = 400


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _marks(n: int) -> str:
    return ", ".join("?" for _ in range(n))


@dataclass(frozen=True)
class CaseAccess:
    """Which cases a user sees: 'all', 'team' (own, 協働 and team), 'agenda' (cases on a
    meeting's agenda) or 'none'."""

    scope: str
    staff_id: str = ""
    team: str = ""


def case_access_clause(access: CaseAccess | None, alias: str = "c") -> tuple[str, list[Any]]:
    """A WHERE condition on ``case_file AS alias`` (empty: every case)."""
    if access is None or access.scope == "all":
        return "", []
    if access.scope == "agenda":
        return (f"{alias}.id IN (SELECT case_id FROM agenda_item WHERE case_id IS NOT NULL)",
                [])
    if access.scope == "team" and access.staff_id:
        sql = (f"({alias}.assignee_id = ? OR {alias}.id IN (SELECT case_id FROM case_worker"
               " WHERE staff_id = ? AND removed_on IS NULL)")
        args: list[Any] = [access.staff_id, access.staff_id]
        if access.team:
            sql += f" OR {alias}.assignee_id IN (SELECT id FROM staff WHERE team = ?)"
            args.append(access.team)
        return sql + ")", args
    return "0", []


def _local_start_utc(d: date) -> str:
    return datetime.combine(d, time()).astimezone().astimezone(timezone.utc).isoformat(
        timespec="milliseconds")


class SecurityRepo:
    def __init__(self, conn: Connection):
        self.conn = conn

    # ------------------------------------------------------------------ staff
    def users(self) -> list[UserInfo]:
        rows = self.conn.execute(
            "SELECT id, login, display_name, role, team, active FROM staff"
            " ORDER BY active DESC, display_name").fetchall()
        return [UserInfo(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]

    def user(self, login: str) -> UserInfo | None:
        r = self.conn.execute("SELECT id, login, display_name, role, team, active FROM staff"
                              " WHERE login = ?", (login,)).fetchone()
        return UserInfo(r[0], r[1], r[2], r[3], r[4], bool(r[5])) if r else None

    def team_of(self, staff_id: str) -> str:
        r = self.conn.execute("SELECT team FROM staff WHERE id = ?", (staff_id,)).fetchone()
        return r[0] if r else ""

    def active_admins(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM staff WHERE role = 'admin' AND"
                                     " active = 1").fetchone()[0])

    def teams(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT team FROM staff WHERE team != '' AND active = 1 ORDER BY team")]

    # ------------------------------------------------------------------ case access
    def case_exists(self, case_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM case_file WHERE id = ?",
                                 (case_id,)).fetchone() is not None

    def case_visible(self, case_id: str, access: CaseAccess) -> bool:
        where, args = case_access_clause(access)
        sql = "SELECT 1 FROM case_file c WHERE c.id = ?" + (f" AND {where}" if where else "")
        return self.conn.execute(sql, [case_id, *args]).fetchone() is not None

    def case_row(self, case_id: str) -> dict[str, Any] | None:
        r = self.conn.execute("SELECT id, case_no, person_id, assignee_id, closed_on, stage"
                              " FROM case_file WHERE id = ?", (case_id,)).fetchone()
        return dict(zip(("id", "case_no", "person_id", "assignee_id", "closed_on", "stage"), r)
                    ) if r else None

    def person_case_ids(self, person_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM case_file WHERE person_id = ? ORDER BY opened_on", (person_id,))]

    def person_sensitive(self, person_id: str) -> bool:
        r = self.conn.execute("SELECT sensitive FROM person WHERE id = ?",
                              (person_id,)).fetchone()
        return bool(r and r[0])

    def coworkers(self, case_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT s.login FROM case_worker w JOIN staff s ON s.id = w.staff_id"
            " WHERE w.case_id = ? AND w.removed_on IS NULL ORDER BY s.display_name", (case_id,))]

    def is_coworker(self, case_id: str, staff_id: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM case_worker WHERE case_id = ? AND staff_id = ? AND removed_on IS NULL",
            (case_id, staff_id)).fetchone() is not None

    def insert_coworker(self, w: Writer, case_id: str, staff_id: str, on: date) -> str:
        return w.insert("case_worker", {"case_id": case_id, "staff_id": staff_id,
                                        "added_on": on.isoformat()})

    def insert_handover(self, w: Writer, case_id: str, on: date, from_id: str | None,
                        to_id: str, reason: str) -> str:
        return w.insert("handover", {"case_id": case_id, "handed_on": on.isoformat(),
                                     "from_staff_id": from_id, "to_staff_id": to_id,
                                     "reason": reason})

    def handovers(self, case_id: str) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT h.handed_on, COALESCE(f.login, ''), t.login, h.reason FROM handover h"
            " LEFT JOIN staff f ON f.id = h.from_staff_id JOIN staff t ON t.id = h.to_staff_id"
            " WHERE h.case_id = ? ORDER BY h.handed_on, h.hlc", (case_id,))
        return [{"handed_on": _d(r[0]), "from": r[1], "to": r[2], "reason": r[3]}
                for r in cur.fetchall()]

    # ------------------------------------------------------------------ consent
    def consents(self, case_id: str) -> list[Consent]:
        result: list[Consent] = []
        materialised = set()
        for r in self.conn.execute(
                "SELECT id, case_id, intake_id, given_on, scope, recipients, purpose, form,"
                " withdrawn_on, withdrawal_note FROM consent WHERE case_id = ?"
                " ORDER BY given_on, hlc", (case_id,)):
            if r[2]:
                materialised.add(r[2])
            result.append(Consent(id=r[0], case_id=r[1], given_on=date.fromisoformat(r[3]),
                                  scope=r[4], recipients=json.loads(r[5]), purpose=r[6],
                                  form=ConsentForm(r[7]), withdrawn_on=_d(r[8]),
                                  withdrawal_note=r[9], from_intake=bool(r[2])))
        # The intake's 「同意 有」 is a written consent for 関係機関 from its date.
        for r in self.conn.execute(
                "SELECT id, received_on, consent_on FROM intake WHERE case_id = ? AND"
                " consent = 1 ORDER BY received_on", (case_id,)):
            if r[0] in materialised:
                continue
            result.append(Consent(id=f"intake:{r[0]}", case_id=case_id,
                                  given_on=date.fromisoformat(r[2] or r[1]), scope="",
                                  recipients=[ANY_AGENCY], purpose="", form=ConsentForm.WRITTEN,
                                  from_intake=True))
        result.sort(key=lambda c: c.given_on)
        return result

    def insert_consent(self, w: Writer, case_id: str, *, given_on: date, scope: str,
                       recipients: list[str], purpose: str, form: str,
                       intake_id: str | None = None, withdrawn_on: date | None = None,
                       withdrawal_note: str = "") -> str:
        return w.insert("consent", {
            "case_id": case_id, "intake_id": intake_id, "given_on": given_on.isoformat(),
            "scope": scope, "recipients": json.dumps(recipients, ensure_ascii=False),
            "purpose": purpose, "form": form,
            "withdrawn_on": withdrawn_on.isoformat() if withdrawn_on else None,
            "withdrawal_note": withdrawal_note})

    def withdraw_consent(self, w: Writer, consent_id: str, on: date, note: str) -> None:
        w.update("consent", consent_id, {"withdrawn_on": on.isoformat(),
                                         "withdrawal_note": note})

    def consent_case(self, consent_id: str) -> str | None:
        if consent_id.startswith("intake:"):
            r = self.conn.execute("SELECT case_id FROM intake WHERE id = ?",
                                  (consent_id[7:],)).fetchone()
        else:
            r = self.conn.execute("SELECT case_id FROM consent WHERE id = ?",
                                  (consent_id,)).fetchone()
        return r[0] if r else None

    # ------------------------------------------------------------------ disclosure
    def insert_disclosure(self, w: Writer, case_id: str, *, disclosed_on: date, recipient: str,
                          scope: str, basis: str, reason: str, consent_id: str | None) -> str:
        return w.insert("disclosure", {
            "case_id": case_id, "disclosed_on": disclosed_on.isoformat(),
            "recipient": recipient, "scope": scope, "basis": basis, "reason": reason,
            "consent_id": consent_id})

    def disclosures(self, case_id: str) -> list[Disclosure]:
        rows = self.conn.execute(
            "SELECT d.id, d.case_id, d.disclosed_on, d.recipient, d.scope, d.basis, d.reason,"
            " d.consent_id, COALESCE(s.display_name, '') FROM disclosure d"
            " LEFT JOIN staff s ON s.id = d.updated_by WHERE d.case_id = ?"
            " ORDER BY d.disclosed_on, d.hlc", (case_id,)).fetchall()
        return [Disclosure(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4],
                           DisclosureBasis(r[5]), r[6], r[7], r[8]) for r in rows]

    # ------------------------------------------------------------------ audit
    def audit_search(self, *, login: str | None, case_id: str | None, action: str | None,
                     since: date | datetime | None, until: date | datetime | None,
                     limit: int) -> list[AuditRow]:
        clauses: list[str] = []
        args: list[Any] = []
        if login:
            clauses.append("a.login = ?")
            args.append(login)
        if case_id:
            clauses.append("a.case_id = ?")
            args.append(case_id)
        if action:
            clauses.append("a.action = ?")
            args.append(action)
        if since is not None:
            clauses.append("a.at >= ?")
            args.append(since.astimezone(timezone.utc).isoformat(timespec="milliseconds")
                        if isinstance(since, datetime) else _local_start_utc(since))
        if until is not None:
            if isinstance(until, datetime):
                clauses.append("a.at <= ?")
                args.append(until.astimezone(timezone.utc).isoformat(timespec="milliseconds"))
            else:
                from datetime import timedelta
                clauses.append("a.at < ?")
                args.append(_local_start_utc(until + timedelta(days=1)))
        sql = ("SELECT a.seq, a.at, a.login, a.action, COALESCE(c.case_no, ''), a.detail,"
               " a.reason, a.device_id, a.case_id FROM audit a"
               " LEFT JOIN case_file c ON c.id = a.case_id")
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY a.seq DESC"
        if limit:
            sql += " LIMIT ?"
            args.append(int(limit))
        return [AuditRow(*r) for r in self.conn.execute(sql, args).fetchall()]

    def audit_break(self, seq: int) -> AuditBreak:
        r = self.conn.execute("SELECT seq, at FROM audit WHERE seq = ?", (seq,)).fetchone()
        if r:
            return AuditBreak(seq=seq, at=r[1])
        before = self.conn.execute("SELECT at FROM audit WHERE seq < ? ORDER BY seq DESC"
                                   " LIMIT 1", (seq,)).fetchone()
        return AuditBreak(seq=seq, at=before[0] if before else "", deleted=True)

    # ------------------------------------------------------------------ statistics
    def intake_counts_by_month(self) -> dict[str, int]:
        """Intakes per month (YYYY-MM), purged cases' anonymised intakes included."""
        rows = self.conn.execute(
            "SELECT m, sum(n) FROM (SELECT substr(received_on, 1, 7) AS m, count(*) AS n"
            " FROM intake GROUP BY m UNION ALL SELECT substr(received_on, 1, 7), count(*)"
            " FROM anon_intake GROUP BY substr(received_on, 1, 7)) GROUP BY m ORDER BY m")
        return {r[0]: int(r[1]) for r in rows}

    # ------------------------------------------------------------------ retention
    def retention_due(self, years: int, today: date) -> list[RetentionItem]:
        rows = self.conn.execute(
            "SELECT id, case_no, closed_on, date(closed_on, ?) FROM case_file"
            " WHERE closed_on IS NOT NULL AND date(closed_on, ?) <= ?"
            " ORDER BY closed_on, case_no",
            (f"+{int(years)} years", f"+{int(years)} years", today.isoformat())).fetchall()
        return [RetentionItem(r[0], r[1], date.fromisoformat(r[2]), date.fromisoformat(r[3]))
                for r in rows]

    def _columns(self) -> dict[str, set[str]]:
        """Every table of the schema (virtual FTS tables and their shadows excepted)."""
        found: dict[str, set[str]] = {}
        for (name,) in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                " 'sqlite_%' AND name NOT LIKE 'person_fts%'").fetchall():
            found[name] = {r[1] for r in self.conn.execute(f'PRAGMA table_info("{name}")')}
        return found

    def _tables(self) -> dict[str, set[str]]:
        """Tables whose rows the purge may delete by id."""
        return {t: c for t, c in self._columns().items() if "id" in c and t not in PURGE_KEEPS}

    def _ids(self, table: str, column: str, values: list[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(values):
            out.update(r[0] for r in self.conn.execute(
                f'SELECT id FROM "{table}" WHERE "{column}" IN ({_marks(len(chunk))})', chunk))
        return out

    def purge_plan(self, case_ids: list[str]) -> dict[str, set[str]]:
        """Every row to delete for these cases: rows of every table with a case_id column,
        the cases, persons left without a case, and (following foreign keys) their
        children in tables without a case_id column (plan_item …)."""
        tables = self._tables()
        ids: dict[str, set[str]] = {"case_file": set(case_ids)}
        for name, cols in tables.items():
            if "case_id" in cols:
                ids[name] = self._ids(name, "case_id", case_ids)
        persons: set[str] = set()
        for chunk in _chunks(case_ids):
            persons.update(r[0] for r in self.conn.execute(
                f"SELECT DISTINCT person_id FROM case_file WHERE id IN ({_marks(len(chunk))})",
                chunk))
        keep = set(case_ids)
        ids["person"] = {p for p in persons if not any(
            c not in keep for c in self.person_case_ids(p))}
        changed = True
        while changed:
            changed = False
            for child in tables:
                for fk in self.conn.execute(f'PRAGMA foreign_key_list("{child}")').fetchall():
                    parent, column, target = fk[2], fk[3], fk[4]
                    if parent not in ids or (target not in (None, "id")) or not ids[parent]:
                        continue
                    found = self._ids(child, column, sorted(ids[parent]))
                    if not found <= ids.get(child, set()):
                        ids.setdefault(child, set()).update(found)
                        changed = True
        return {t: v for t, v in ids.items() if v}

    def anonymise(self, w: Writer, case_id: str, counts: dict[str, int], purged_on: date) -> None:
        """Keep the facts statistics need: dates and categories, nothing that names."""
        c = self.conn.execute(
            "SELECT c.fiscal_year, c.opened_on, c.closed_on, c.stage, p.sex, p.birth_date"
            " FROM case_file c JOIN person p ON p.id = c.person_id WHERE c.id = ?",
            (case_id,)).fetchone()
        intakes = self.conn.execute(
            "SELECT received_on, route, topics, main_topic, triage, work_status,"
            " housing_status, emergency_needed, consent FROM intake WHERE case_id = ?"
            " ORDER BY received_on", (case_id,)).fetchall()
        band = ""
        if c[5]:
            on = date.fromisoformat(intakes[0][0] if intakes else c[1])
            born = date.fromisoformat(c[5])
            age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
            band = f"{age // 10 * 10}-{age // 10 * 10 + 9}"
        anon_id = w.insert("anon_case", {
            "fiscal_year": c[0], "opened_on": c[1], "closed_on": c[2], "stage": c[3],
            "sex": c[4], "age_band": band,
            "counts": json.dumps(counts, sort_keys=True), "purged_on": purged_on.isoformat()},
            row_id=str(uuid.uuid4()))
        for i in intakes:
            w.insert("anon_intake", {
                "anon_case": anon_id, "received_on": i[0], "route": i[1], "topics": i[2],
                "main_topic": i[3], "triage": i[4], "work_status": i[5],
                "housing_status": i[6], "emergency_needed": i[7], "consent": i[8]})

    def delete_rows(self, plan: dict[str, set[str]]) -> dict[str, int]:
        """Delete the planned rows, their journal entries and drafts naming them. Call inside
        a transaction; foreign keys are checked at its commit."""
        note_everything(self.conn)   # app/store/changes.py
        self.conn.execute("PRAGMA defer_foreign_keys = ON")
        deleted: dict[str, int] = {}
        every: list[str] = []
        for table, row_ids in plan.items():
            values = sorted(row_ids)
            every += values
            n = 0
            for chunk in _chunks(values):
                n += self.conn.execute(f'DELETE FROM "{table}" WHERE id IN ({_marks(len(chunk))})',
                                       chunk).rowcount
            deleted[table] = n
        # The journal keeps every value ever written: its entries of these rows go too, and
        # so do rows of other tables naming them by row_id (sync conflicts) or by journal
        # entry (sync context).
        entries: list[str] = []
        for chunk in _chunks(every):
            entries += [r[0] for r in self.conn.execute(
                f"SELECT id FROM journal WHERE row_id IN ({_marks(len(chunk))})", chunk)]
            self.conn.execute(f"DELETE FROM journal WHERE row_id IN ({_marks(len(chunk))})",
                              chunk)
        for table, cols in self._columns().items():
            if table in PURGE_KEEPS:
                continue
            for column, values in (("row_id", every), ("entry_id", entries)):
                if column in cols:
                    for chunk in _chunks(values):
                        self.conn.execute(f'DELETE FROM "{table}" WHERE "{column}" IN'
                                          f" ({_marks(len(chunk))})", chunk)
        for row_id in plan.get("case_file", set()) | plan.get("person", set()):
            self.conn.execute("DELETE FROM draft WHERE instr(key, ?) > 0 OR instr(payload, ?) > 0",
                              (row_id, row_id))
        # Merge the trigram index so no segment keeps the deleted names.
        self.conn.execute("INSERT INTO person_fts (person_fts) VALUES ('optimize')")
        return deleted

    def compact(self) -> None:
        """After a purge (outside any transaction): rewrite the file and empty the WAL, so
        no freed page or old frame keeps what was deleted."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
