"""SQL of the consultation process (assessment … follow-up): writes through the Writer, reads
into the plain objects of app/process.py, and the facts (CaseState) the step graph reads."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from app.domain.assessment import Assessment, AssessmentInput, Screening, ScreeningResult
from app.domain.case import TimelineEntry
from app.domain.case_state import (
    CaseState, ContactFact, EvaluationFact, ItemFact, PlanFact, ReferralFact,
)
from app.domain.closure import ClosureGrounds, ClosureInput, ClosurePattern, Followup
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.intake import EmergencyAction, EmergencySupport
from app.domain.meeting import (
    AgendaItem, AgendaKind, Meeting, MeetingKind, MeetingResult, MeetingSummary, Participant,
    ProposalStatus,
)
from app.domain.monitoring import Monitoring, MonitoringInput, MonitoringKind
from app.domain.plan import Goal, Plan, PlanAmendment, PlanInput, PlanItem, PlanKind, PlanStatus
from app.domain.record import RecordMethod, SupportRecord
from app.domain.referral import Referral, ReferralOrigin
from app.domain.service import Service
from app.paths import master_dir
from app.store.db import Connection
from app.store.journal import Writer
from app.store.security_repo import case_access_clause


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(d: date | datetime | None) -> str | None:
    return d.isoformat() if d else None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def plan_content(plan: Plan) -> dict[str, Any]:
    """The content of a plan as plain data (approval snapshot, amendment history)."""
    return {
        "aim": plan.aim,
        "goals": [{"text": g.text, "target_on": _iso(g.target_on)} for g in plan.goals],
        "items": [{"id": i.id, "what": i.what, "service_key": i.service_key,
                   "provider": i.provider, "period_from": _iso(i.period_from),
                   "period_to": _iso(i.period_to), "frequency": i.frequency}
                  for i in plan.items],
        "period_from": _iso(plan.period_from), "period_to": _iso(plan.period_to),
        "next_monitoring_on": _iso(plan.next_monitoring_on),
    }


class ProcessRepo:
    """Queries and writes of the process tables on one open connection."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def _all(self, sql: str, args: tuple | list = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, args)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def _one(self, sql: str, args: tuple | list = ()) -> dict[str, Any] | None:
        rows = self._all(sql, args)
        return rows[0] if rows else None

    # ------------------------------------------------------------------ master data
    def load_master(self, w: Writer) -> int:
        """Insert the services and assessment lists of resources/master missing from the
        database (a new desk, or one created before schema 2). Returns rows added."""
        added = 0
        services = json.loads((master_dir() / "services.json").read_text(encoding="utf-8"))
        known = {r[0] for r in self.conn.execute("SELECT key FROM service")}
        for i, s in enumerate(services["services"]):
            if s["key"] in known:
                continue
            w.insert("service", {"key": s["key"], "name": s["name"],
                                 "statutory": int(s["statutory"]),
                                 "employment": int(s["employment"]),
                                 "needs_decision": int(s["needs_decision"]),
                                 "usual_months": s.get("usual_months"), "sort": i, "active": 1})
            added += 1
        lists = json.loads((master_dir() / "assessment.json").read_text(encoding="utf-8"))
        known_pairs = {(r[0], r[1]) for r in self.conn.execute(
            "SELECT kind, key FROM assessment_master")}
        for kind, entries in (("domain", lists["domains"]), ("problem", lists["problems"])):
            for i, e in enumerate(entries):
                if (kind, e["key"]) in known_pairs:
                    continue
                w.insert("assessment_master", {"kind": kind, "key": e["key"], "name": e["name"],
                                               "sort": i, "active": 1})
                added += 1
        return added

    # Tables whose rows belong to one case, for the per-case permission check.
    _CASE_TABLES = {"plan", "plan_item", "support_record", "referral", "emergency_support",
                    "agenda_item"}

    def case_of(self, table: str, row_id: str) -> str | None:
        """The case a row belongs to (plan items through their plan)."""
        if table not in self._CASE_TABLES:
            raise ValueError(table)
        if table == "plan_item":
            r = self.conn.execute("SELECT p.case_id FROM plan_item i JOIN plan p ON p.id = i.plan_id"
                                  " WHERE i.id = ?", (row_id,)).fetchone()
        else:
            r = self.conn.execute(f"SELECT case_id FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return r[0] if r else None

    def services(self, active_only: bool = True) -> list[Service]:
        sql = ("SELECT id, key, name, statutory, employment, needs_decision, usual_months "
               "FROM service")
        if active_only:
            sql += " WHERE active = 1"
        return [Service(id=r["id"], key=r["key"], name=r["name"],
                          statutory=bool(r["statutory"]), employment=bool(r["employment"]),
                          needs_decision=bool(r["needs_decision"]),
                          usual_months=r["usual_months"])
                for r in self._all(sql + " ORDER BY sort, key")]

    def service(self, key: str) -> Service | None:
        return next((s for s in self.services(active_only=False) if s.key == key), None)

    def assessment_master(self, kind: str, active_only: bool = True) -> list[tuple[str, str]]:
        active = " AND active = 1" if active_only else ""
        return [(r[0], r[1]) for r in self.conn.execute(
            f"SELECT key, name FROM assessment_master WHERE kind = ?{active}"
            " ORDER BY sort, key", (kind,))]

    # ------------------------------------------------------------------ from intake
    def from_intakes(self, w: Writer, case_id: str | None = None) -> int:
        """Referral rows for intakes triaged 他機関へつなぎ, and emergency rows for the
        emergency support done at intake (statutory ones pending), where missing."""
        where = " AND i.case_id = ?" if case_id else ""
        args = (case_id,) if case_id else ()
        added = 0
        for r in self._all(
                "SELECT i.id, i.case_id, i.received_on, i.referral_to, i.accompanied, i.check_on"
                " FROM intake i WHERE i.triage = 'refer' AND NOT EXISTS (SELECT 1 FROM referral"
                " x WHERE x.origin = 'intake' AND x.source_id = i.id)" + where, args):
            w.insert("referral", {"case_id": r["case_id"], "origin": "intake",
                                  "source_id": r["id"], "referred_on": r["received_on"],
                                  "referred_to": r["referral_to"],
                                  "accompanied": r["accompanied"], "check_on": r["check_on"]})
            added += 1
        from app.domain import EmergencyAction
        for r in self._all(
                "SELECT i.id, i.case_id, i.received_on, i.emergency_actions, i.emergency_note"
                " FROM intake i WHERE i.emergency_actions <> '[]' AND NOT EXISTS (SELECT 1 FROM"
                " emergency_support e WHERE e.intake_id = i.id)" + where, args):
            for action in json.loads(r["emergency_actions"]):
                statutory = EmergencyAction(action).statutory
                w.insert("emergency_support", {
                    "case_id": r["case_id"], "intake_id": r["id"], "action": action,
                    "done_on": r["received_on"], "note": r["emergency_note"],
                    "procedure": "pending" if statutory else "none"})
                added += 1
        return added

    # ------------------------------------------------------------------ emergency
    def insert_emergency(self, w: Writer, case_id: str, action: str, done_on: date, note: str,
                         statutory: bool) -> str:
        return w.insert("emergency_support", {
            "case_id": case_id, "action": action, "done_on": _iso(done_on), "note": note,
            "procedure": "pending" if statutory else "none"})

    def emergency(self, case_id: str) -> list[EmergencySupport]:
        return [EmergencySupport(
            id=r["id"], case_id=r["case_id"], action=EmergencyAction(r["action"]),
            done_on=date.fromisoformat(r["done_on"]), note=r["note"], procedure=r["procedure"],
            procedure_done_on=_d(r["procedure_done_on"]), intake_id=r["intake_id"], hlc=r["hlc"])
            for r in self._all("SELECT id, case_id, intake_id, action, done_on, note, procedure,"
                               " procedure_done_on, hlc FROM emergency_support WHERE case_id = ?"
                               " ORDER BY done_on, hlc", (case_id,))]

    def emergency_row(self, emergency_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM emergency_support WHERE id = ?", (emergency_id,))

    # ------------------------------------------------------------------ assessment
    def assessment_version(self, case_id: str) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(version), 0) FROM assessment"
                                     " WHERE case_id = ?", (case_id,)).fetchone()[0])

    def insert_assessment(self, w: Writer, case_id: str, a: AssessmentInput) -> tuple[str, int]:
        version = self.assessment_version(case_id) + 1
        row_id = w.insert("assessment", {
            "case_id": case_id, "version": version, "assessed_on": _iso(a.assessed_on),
            "author": a.author, "domains": _json(a.domains), "problems": _json(a.problems),
            "problem_other": a.problem_other, "analysis": a.analysis, "strengths": a.strengths,
            "wishes": a.wishes, "household": _json(a.household),
            "consultation_history": a.consultation_history, "life_history": a.life_history,
            "team": _json([asdict(t) for t in a.team]),
            "expert_opinions": _json(a.expert_opinions), "reason": a.reason})
        return row_id, version

    def assessments(self, case_id: str) -> list[Assessment]:
        out = []
        for r in self._all("SELECT * FROM assessment WHERE case_id = ? ORDER BY version",
                           (case_id,)):
            out.append(Assessment(
                id=r["id"], case_id=r["case_id"], version=r["version"],
                assessed_on=date.fromisoformat(r["assessed_on"]), author=r["author"],
                domains=json.loads(r["domains"]), problems=json.loads(r["problems"]),
                problem_other=r["problem_other"], analysis=r["analysis"],
                strengths=r["strengths"], wishes=r["wishes"],
                household=json.loads(r["household"]),
                consultation_history=r["consultation_history"], life_history=r["life_history"],
                team=[Participant(**t) for t in json.loads(r["team"])],
                expert_opinions=json.loads(r["expert_opinions"]), reason=r["reason"]))
        return out

    # ------------------------------------------------------------------ screening, referral
    def insert_screening(self, w: Writer, case_id: str, screened_on: date, result: str,
                         version: int, note: str, reported_on: date | None) -> str:
        return w.insert("screening", {
            "case_id": case_id, "screened_on": _iso(screened_on), "result": result,
            "assessment_version": version, "note": note, "reported_on": _iso(reported_on)})

    def insert_referral(self, w: Writer, case_id: str, origin: str, source_id: str | None,
                        referred_on: date, referred_to: str, accompanied: bool,
                        check_on: date | None) -> str:
        return w.insert("referral", {
            "case_id": case_id, "origin": origin, "source_id": source_id,
            "referred_on": _iso(referred_on), "referred_to": referred_to,
            "accompanied": int(accompanied), "check_on": _iso(check_on)})

    @staticmethod
    def _referral(r: dict[str, Any]) -> Referral:
        return Referral(
            id=r["id"], case_id=r["case_id"], origin=ReferralOrigin(r["origin"]),
            referred_on=date.fromisoformat(r["referred_on"]), referred_to=r["referred_to"],
            accompanied=bool(r["accompanied"]), check_on=_d(r["check_on"]),
            checked_on=_d(r["checked_on"]),
            arrived=None if r["arrived"] is None else bool(r["arrived"]),
            check_note=r["check_note"], taken_back_on=_d(r["taken_back_on"]))

    def referrals(self, case_id: str) -> list[Referral]:
        return [self._referral(r) for r in self._all(
            "SELECT * FROM referral WHERE case_id = ? ORDER BY referred_on, hlc", (case_id,))]

    def referral(self, referral_id: str) -> Referral | None:
        r = self._one("SELECT * FROM referral WHERE id = ?", (referral_id,))
        return self._referral(r) if r else None

    # ------------------------------------------------------------------ plans
    def next_plan_number(self, case_id: str) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(number), 0) FROM plan WHERE case_id = ?",
                                     (case_id,)).fetchone()[0]) + 1

    @staticmethod
    def _plan_fields(p: PlanInput) -> dict[str, Any]:
        return {"aim": p.aim,
                "goals": _json([{"text": g.text, "target_on": _iso(g.target_on)} for g in p.goals]),
                "period_from": _iso(p.period_from), "period_to": _iso(p.period_to),
                "next_monitoring_on": _iso(p.next_monitoring_on), "signed_on": _iso(p.signed_on),
                "author": p.author}

    @staticmethod
    def _item_fields(item: PlanItem, sort: int) -> dict[str, Any]:
        return {"sort": sort, "problem": item.problem, "what": item.what,
                "service_key": item.service_key, "provider": item.provider,
                "period_from": _iso(item.period_from), "period_to": _iso(item.period_to),
                "frequency": item.frequency, "removed": 0}

    def insert_plan(self, w: Writer, case_id: str, p: PlanInput, kind: PlanKind,
                    assessment_version: int, created_on: date) -> str:
        plan_id = w.insert("plan", {
            "case_id": case_id, "number": self.next_plan_number(case_id), "kind": kind.value,
            "status": PlanStatus.DRAFT.value, "assessment_version": assessment_version,
            "created_on": _iso(p.created_on or created_on), **self._plan_fields(p)})
        for i, item in enumerate(p.items):
            w.insert("plan_item", {"plan_id": plan_id, **self._item_fields(item, i)})
        return plan_id

    def replace_plan_content(self, w: Writer, plan_id: str, p: PlanInput) -> None:
        """Write new content: items with an id are updated, new ones added, missing ones
        marked removed (never deleted: a started service keeps its item)."""
        w.update("plan", plan_id, self._plan_fields(p))
        existing = {r["id"] for r in self._all(
            "SELECT id FROM plan_item WHERE plan_id = ? AND removed = 0", (plan_id,))}
        kept = set()
        for i, item in enumerate(p.items):
            if item.id and item.id in existing:
                w.update("plan_item", item.id, self._item_fields(item, i))
                kept.add(item.id)
            else:
                w.insert("plan_item", {"plan_id": plan_id, **self._item_fields(item, i)})
        for gone in existing - kept:
            w.update("plan_item", gone, {"removed": 1})
        status = self.conn.execute("SELECT status FROM plan WHERE id = ?", (plan_id,)).fetchone()
        if status and status[0] == PlanStatus.APPROVED.value:   # プランの修正
            self.keep_services_at_approval(w, plan_id)

    def set_plan(self, w: Writer, plan_id: str, **changes: Any) -> None:
        w.update("plan", plan_id, {k: (_iso(v) if isinstance(v, date) else v)
                                   for k, v in changes.items()})
        if changes.get("status") == PlanStatus.APPROVED.value:
            self.keep_services_at_approval(w, plan_id)
            self.keep_plan_as_approved(w, plan_id)

    def keep_plan_as_approved(self, w: Writer, plan_id: str) -> None:
        """The plan as the 支援調整会議 approved it (migration 0015): its content, and whether
        it contains employment support — what the statistics count from, whatever a later
        プランの修正 does."""
        plan = self.plan(plan_id)
        assert plan is not None
        kept = {r["id"]: json.loads(r["service_at_approval"] or "null") for r in self._all(
            "SELECT id, service_at_approval FROM plan_item WHERE plan_id = ? AND removed = 0",
            (plan_id,))}
        content = plan_content(plan)
        for item in content["items"]:
            item["service"] = kept.get(item["id"])
        employment = any((s or {}).get("employment") for s in kept.values())
        w.update("plan", plan_id, {"approved_content": _json(content),
                                   "employment_at_approval": int(employment)})

    def plan_versions(self, plan_id: str, approved_on: date | None) -> list[dict[str, Any]]:
        """The plan as approved, then after each amendment (see Desk.plan_versions)."""
        row = self._one("SELECT approved_content FROM plan WHERE id = ?", (plan_id,))
        out: list[dict[str, Any]] = []
        amendments = self.amendments(plan_id)
        if row and row["approved_content"]:
            first = json.loads(row["approved_content"])
        elif amendments:
            first = amendments[0].before
        else:
            return out
        out.append({"version": 1, "on": _iso(approved_on), "source": "approval", "reason": "",
                    "content": first})
        for i, a in enumerate(amendments, start=2):
            out.append({"version": i, "on": _iso(a.amended_on), "source": "amendment",
                        "reason": a.reason, "content": a.after})
        return out

    def keep_services_at_approval(self, w: Writer, plan_id: str) -> None:
        """Record on each item of an approved plan the service as the master data says now
        (name and flags): a later change of the master data applies to new plans only, and
        past statistics never change (migration 0007). Items added by a プランの修正 get it
        when written; an item whose service changed gets it anew."""
        services = {r["key"]: r for r in self._all(
            "SELECT key, name, statutory, employment, needs_decision FROM service")}
        for r in self._all("SELECT id, service_key, service_at_approval FROM plan_item"
                           " WHERE plan_id = ? AND removed = 0", (plan_id,)):
            s = services.get(r["service_key"])
            kept = json.loads(r["service_at_approval"]) if r["service_at_approval"] else None
            if s is None or (kept and kept.get("key") == r["service_key"]):
                continue
            w.update("plan_item", r["id"], {"service_at_approval": json.dumps(
                {"key": s["key"], "name": s["name"], "statutory": int(s["statutory"]),
                 "employment": int(s["employment"]),
                 "needs_decision": int(s["needs_decision"])}, ensure_ascii=False)})

    def insert_amendment(self, w: Writer, plan_id: str, case_id: str, amended_on: date,
                         reason: str, before: dict, after: dict) -> str:
        return w.insert("plan_amendment", {
            "plan_id": plan_id, "case_id": case_id, "amended_on": _iso(amended_on),
            "reason": reason, "before": _json(before), "after": _json(after)})

    def amendments(self, plan_id: str) -> list[PlanAmendment]:
        return [PlanAmendment(
            id=r["id"], plan_id=r["plan_id"], case_id=r["case_id"],
            amended_on=date.fromisoformat(r["amended_on"]), reason=r["reason"],
            before=json.loads(r["before"]), after=json.loads(r["after"]), hlc=r["hlc"])
            for r in self._all("SELECT id, plan_id, case_id, amended_on, reason, before, after,"
                               " hlc FROM plan_amendment WHERE plan_id = ? ORDER BY hlc",
                               (plan_id,))]

    def _items(self, plan_id: str) -> list[PlanItem]:
        needs = {s.key: s.needs_decision for s in self.services(active_only=False)}
        decisions: dict[str, str] = {}
        for r in self._all("SELECT service_key, result FROM decision WHERE plan_id = ?"
                           " ORDER BY hlc", (plan_id,)):
            decisions[r["service_key"]] = r["result"]
        starts = {r["plan_item_id"]: r["started_on"] for r in self._all(
            "SELECT plan_item_id, started_on FROM service_start WHERE plan_id = ?", (plan_id,))}
        items = []
        for r in self._all("SELECT * FROM plan_item WHERE plan_id = ? AND removed = 0"
                           " ORDER BY sort", (plan_id,)):
            kept = json.loads(r["service_at_approval"]) if r.get("service_at_approval") else None
            if kept and kept.get("key") == r["service_key"]:   # as when the plan was approved
                need = bool(kept.get("needs_decision"))
            else:
                need = bool(needs.get(r["service_key"]))
            if need:
                state = {"approved": "decided", "refused": "refused"}.get(
                    decisions.get(r["service_key"], ""), "required")
            else:
                state = "reported"
            items.append(PlanItem(
                id=r["id"], what=r["what"], service_key=r["service_key"], provider=r["provider"],
                problem=r["problem"], period_from=_d(r["period_from"]),
                period_to=_d(r["period_to"]), frequency=r["frequency"],
                started_on=_d(starts.get(r["id"])), decision=state))
        return items

    def _plan(self, r: dict[str, Any]) -> Plan:
        return Plan(
            id=r["id"], case_id=r["case_id"], number=r["number"], kind=PlanKind(r["kind"]),
            status=PlanStatus(r["status"]), aim=r["aim"],
            goals=[Goal(g["text"], _d(g.get("target_on"))) for g in json.loads(r["goals"])],
            items=self._items(r["id"]), period_from=_d(r["period_from"]),
            period_to=_d(r["period_to"]), next_monitoring_on=_d(r["next_monitoring_on"]),
            signed_on=_d(r["signed_on"]), author=r["author"], created_on=_d(r["created_on"]),
            approved_on=_d(r["approved_on"]), meeting_result=r["meeting_result"],
            conditions=r["conditions"], rev=r["rev"])

    def plan(self, plan_id: str) -> Plan | None:
        r = self._one("SELECT * FROM plan WHERE id = ?", (plan_id,))
        return self._plan(r) if r else None

    def plans(self, case_id: str) -> list[Plan]:
        return [self._plan(r) for r in self._all(
            "SELECT * FROM plan WHERE case_id = ? ORDER BY number", (case_id,))]

    def cases_of_person(self, person_id: str) -> list[tuple[str, str]]:
        """(case id, case number) of the person's cases not closed, newest first."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT id, case_no FROM case_file WHERE person_id = ? AND stage <> 'closed'"
            " ORDER BY opened_on DESC, case_no DESC", (person_id,))]

    def plan_item_row(self, item_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM plan_item WHERE id = ? AND removed = 0", (item_id,))

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

    # ------------------------------------------------------------------ decision, start
    def insert_decision(self, w: Writer, case_id: str, plan_id: str, service_key: str,
                        decided_on: date, officer: str, result: str, note: str) -> str:
        return w.insert("decision", {
            "case_id": case_id, "plan_id": plan_id, "service_key": service_key,
            "decided_on": _iso(decided_on), "officer": officer, "result": result, "note": note})

    def insert_service_start(self, w: Writer, case_id: str, plan_id: str, item_id: str,
                             started_on: date) -> str:
        return w.insert("service_start", {"case_id": case_id, "plan_id": plan_id,
                                          "plan_item_id": item_id,
                                          "started_on": _iso(started_on)})

    # ------------------------------------------------------------------ support records
    def insert_record(self, w: Writer, case_id: str, occurred_at: datetime, method: str,
                      staff: str, contact_person: str, content: str, next_action: str,
                      supersedes: str | None = None, correction_reason: str = "") -> str:
        return w.insert("support_record", {
            "case_id": case_id, "occurred_at": occurred_at.isoformat(timespec="minutes"),
            "method": method, "staff": staff, "contact_person": contact_person,
            "content": content, "next_action": next_action, "supersedes": supersedes,
            "correction_reason": correction_reason})

    def records(self, case_id: str, include_superseded: bool = False) -> list[SupportRecord]:
        rows = self._all(
            "SELECT r.*, (SELECT n.id FROM support_record n WHERE n.supersedes = r.id"
            " ORDER BY n.hlc DESC LIMIT 1) AS superseded_by FROM support_record r"
            " WHERE r.case_id = ? ORDER BY r.occurred_at DESC, r.hlc DESC", (case_id,))
        out = [SupportRecord(
            id=r["id"], case_id=r["case_id"], occurred_at=datetime.fromisoformat(r["occurred_at"]),
            method=RecordMethod(r["method"]), staff=r["staff"],
            contact_person=r["contact_person"], content=r["content"],
            next_action=r["next_action"], supersedes=r["supersedes"],
            superseded_by=r["superseded_by"], correction_reason=r["correction_reason"])
            for r in rows]
        return out if include_superseded else [r for r in out if r.superseded_by is None]

    def record_row(self, record_id: str) -> dict[str, Any] | None:
        return self._one("SELECT r.*, (SELECT 1 FROM support_record n WHERE n.supersedes = r.id)"
                         " AS corrected FROM support_record r WHERE r.id = ?", (record_id,))

    # ------------------------------------------------------------------ monitoring, evaluation
    def insert_monitoring(self, w: Writer, case_id: str, plan_id: str, m: MonitoringInput,
                          next_on: date) -> str:
        return w.insert("monitoring", {
            "case_id": case_id, "plan_id": plan_id, "monitored_on": _iso(m.monitored_on),
            "kind": MonitoringKind(m.kind).value, "method": m.method, "change": m.change,
            "progress": _json(m.progress), "satisfaction": m.satisfaction,
            "amendment_needed": int(m.amendment_needed), "next_on": _iso(next_on)})

    def monitorings(self, case_id: str) -> list[Monitoring]:
        """The case's monitorings, newest first."""
        return [Monitoring(
            id=r["id"], case_id=r["case_id"], plan_id=r["plan_id"],
            monitored_on=date.fromisoformat(r["monitored_on"]), kind=MonitoringKind(r["kind"]),
            method=r["method"], change=r["change"],
            progress=tuple(json.loads(r["progress"] or "[]")), satisfaction=r["satisfaction"],
            amendment_needed=bool(r["amendment_needed"]), next_on=_d(r["next_on"]),
            hlc=r["hlc"])
            for r in self._all("SELECT id, case_id, plan_id, monitored_on, kind, method, change,"
                               " progress, satisfaction, amendment_needed, next_on, hlc"
                               " FROM monitoring WHERE case_id = ?"
                               " ORDER BY monitored_on DESC, hlc DESC", (case_id,))]

    def insert_evaluation(self, w: Writer, case_id: str, plan_id: str, e: EvaluationInput,
                          assessment_version: int) -> str:
        return w.insert("evaluation", {
            "case_id": case_id, "plan_id": plan_id, "evaluated_on": _iso(e.evaluated_on),
            "attainment": _json([{"goal": g, "attainment": Attainment(a).value}
                                 for g, a in e.attainment]),
            "support_delivered": e.support_delivered, "employed_on": _iso(e.employed_on),
            "income_increased_on": _iso(e.income_increased_on),
            "motivation": int(e.motivation), "relationships": int(e.relationships),
            "participation": int(e.participation), "hardship": int(e.hardship),
            "decision": EvaluationDecision(e.decision).value, "note": e.note,
            "assessment_version": assessment_version, "status": "proposed"})

    def evaluations(self, case_id: str) -> list[dict[str, Any]]:
        rows = self._all("SELECT * FROM evaluation WHERE case_id = ? ORDER BY hlc", (case_id,))
        for r in rows:
            r["attainment"] = json.loads(r["attainment"])
        return rows

    def set_status(self, w: Writer, table: str, row_id: str, **changes: Any) -> None:
        assert table in ("evaluation", "suspension", "closure", "emergency_support", "referral",
                         "contact_attempt", "case_file")
        w.update(table, row_id, {k: (_iso(v) if isinstance(v, date) else v)
                                 for k, v in changes.items()})

    # ------------------------------------------------------------------ contact, 中断, 終結
    def insert_contact_attempt(self, w: Writer, case_id: str, attempted_on: date, method: str,
                               outcome: str, note: str) -> str:
        return w.insert("contact_attempt", {
            "case_id": case_id, "attempted_on": _iso(attempted_on), "method": method,
            "outcome": outcome, "note": note})

    def contact_attempts(self, case_id: str) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM contact_attempt WHERE case_id = ? ORDER BY attempted_on,"
                         " hlc", (case_id,))

    def insert_suspension(self, w: Writer, case_id: str, proposed_on: date, reason: str,
                          stage_before: str) -> str:
        return w.insert("suspension", {"case_id": case_id, "proposed_on": _iso(proposed_on),
                                       "reason": reason, "status": "proposed",
                                       "stage_before": stage_before})

    def suspensions(self, case_id: str) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM suspension WHERE case_id = ? ORDER BY hlc", (case_id,))

    def insert_closure(self, w: Writer, case_id: str, c: ClosureInput,
                       evaluation_id: str | None = None) -> str:
        return w.insert("closure", {
            "case_id": case_id, "evaluation_id": evaluation_id, "proposed_on": _iso(c.proposed_on),
            "pattern": ClosurePattern(c.pattern).value, "reason": c.reason,
            "grounds": ClosureGrounds(c.grounds).value if c.grounds else None,
            "intention": c.intention, "intention_how": c.intention_how,
            "intention_on": _iso(c.intention_on), "referrals": _json(c.referrals),
            "followup_plan": c.followup_plan, "status": "proposed",
            "no_evaluation_reason": c.no_evaluation_reason})

    def closures(self, case_id: str) -> list[dict[str, Any]]:
        rows = self._all("SELECT * FROM closure WHERE case_id = ? ORDER BY hlc", (case_id,))
        for r in rows:
            r["referrals"] = json.loads(r["referrals"])
        return rows

    def insert_followup(self, w: Writer, case_id: str, closure_id: str, contacted_on: date,
                        method: str, contact_person: str, content: str) -> str:
        return w.insert("followup", {
            "case_id": case_id, "closure_id": closure_id, "contacted_on": _iso(contacted_on),
            "method": method, "contact_person": contact_person, "content": content})

    def followups(self, case_id: str) -> list[Followup]:
        return [Followup(
            id=r["id"], case_id=r["case_id"], closure_id=r["closure_id"],
            contacted_on=date.fromisoformat(r["contacted_on"]), method=r["method"],
            contact_person=r["contact_person"], content=r["content"], hlc=r["hlc"])
            for r in self._all("SELECT id, case_id, closure_id, contacted_on, method,"
                               " contact_person, content, hlc FROM followup WHERE case_id = ?"
                               " ORDER BY contacted_on, hlc", (case_id,))]

    def decisions(self, case_id: str) -> list[dict[str, Any]]:
        """支援決定 rows of the case (read-only; for the printed plan)."""
        return self._all("SELECT * FROM decision WHERE case_id = ? ORDER BY decided_on, hlc",
                         (case_id,))

    def screenings(self, case_id: str) -> list[Screening]:
        """スクリーニング of the case, oldest first (read-only; for the printed assessment)."""
        return [Screening(
            id=r["id"], case_id=r["case_id"], screened_on=date.fromisoformat(r["screened_on"]),
            result=ScreeningResult(r["result"]), assessment_version=r["assessment_version"],
            note=r["note"], reported_on=_d(r["reported_on"]), hlc=r["hlc"])
            for r in self._all("SELECT id, case_id, screened_on, result, assessment_version,"
                               " note, reported_on, hlc FROM screening WHERE case_id = ?"
                               " ORDER BY screened_on, hlc", (case_id,))]

    def subject_table(self, kind: AgendaKind) -> str:
        return {AgendaKind.NEW_PLAN: "plan", AgendaKind.REPLAN: "plan",
                AgendaKind.EVALUATION: "evaluation", AgendaKind.SUSPENSION: "suspension",
                AgendaKind.CLOSURE: "closure"}[kind]

    def row(self, table: str, row_id: str) -> dict[str, Any] | None:
        assert table in ("plan", "evaluation", "suspension", "closure", "meeting", "case_file",
                         "referral", "emergency_support")
        return self._one(f"SELECT * FROM {table} WHERE id = ?", (row_id,))

    # ------------------------------------------------------------------ dates of the steps
    def case_dates(self, case_id: str) -> dict[str, date | None]:
        """The latest date of each step of the case, as app/domain/step_dates.py names them
        (the plan steps of the plan in effect); for the date-order checks."""
        r = self.conn.execute(
            "SELECT (SELECT MIN(received_on) FROM intake WHERE case_id = ?1),"
            " (SELECT MAX(assessed_on) FROM assessment WHERE case_id = ?1),"
            " (SELECT MAX(screened_on) FROM screening WHERE case_id = ?1),"
            " (SELECT MAX(approved_on) FROM plan WHERE case_id = ?1 AND approved_on IS NOT NULL),"
            " (SELECT MAX(decided_on) FROM decision WHERE case_id = ?1),"
            " (SELECT MAX(evaluated_on) FROM evaluation WHERE case_id = ?1"
            "  AND status <> 'reconsider'),"
            " (SELECT MAX(MAX(COALESCE(employed_on, '')), MAX(COALESCE(income_increased_on, '')))"
            "  FROM evaluation WHERE case_id = ?1 AND status = 'confirmed'),"
            " (SELECT MAX(attempted_on) FROM contact_attempt WHERE case_id = ?1"
            "  AND suspension_id IS NULL),"
            " (SELECT MAX(proposed_on) FROM suspension WHERE case_id = ?1"
            "  AND status <> 'reconsider'),"
            " (SELECT MAX(confirmed_on) FROM suspension WHERE case_id = ?1"
            "  AND status IN ('confirmed', 'resumed')),"
            " (SELECT MAX(resumed_on) FROM suspension WHERE case_id = ?1),"
            " (SELECT MAX(confirmed_on) FROM closure WHERE case_id = ?1"
            "  AND status = 'confirmed')", (case_id,)).fetchone()
        keys = ("intake", "assessment", "screening", "approval", "decision", "evaluation",
                "outcome", "contact_attempt", "suspension", "suspension_confirmed", "resume",
                "closure_confirmed")
        out = {k: _d(v or None) for k, v in zip(keys, r)}
        # a resumed case is suspended no more: what comes after counts from the resumption
        if out["resume"] and out["suspension_confirmed"] and \
                out["resume"] >= out["suspension_confirmed"]:
            out["suspension_confirmed"] = out["resume"]
        return out

    # ------------------------------------------------------------------ the facts
    def case_state(self, case_id: str) -> CaseState:
        """Everything app/process.py needs to judge the steps of one case.

        Read before and after every process step, so it reads only the columns the rules
        need, the plans' items, decisions and starts for all plans at once (the same facts
        as plans(), evaluations(), referrals() … would give: tests/test_case_state.py)."""
        c = self.conn
        head = c.execute(
            "SELECT (SELECT triage FROM intake WHERE case_id = ?1 ORDER BY received_on DESC,"
            " hlc DESC LIMIT 1),"
            " (SELECT COUNT(*) FROM emergency_support WHERE case_id = ?1 AND"
            " procedure = 'pending'),"
            " (SELECT COALESCE(MAX(version), 0) FROM assessment WHERE case_id = ?1),"
            " (SELECT COUNT(*) FROM support_record WHERE case_id = ?1),"
            " (SELECT COUNT(*) FROM followup WHERE case_id = ?1)", (case_id,)).fetchone()
        screening = c.execute("SELECT result, assessment_version FROM screening WHERE"
                              " case_id = ? ORDER BY hlc DESC LIMIT 1", (case_id,)).fetchone()
        plan_rows = c.execute(
            "SELECT id, number, kind, status, signed_on, EXISTS (SELECT 1 FROM agenda_item a"
            " WHERE a.subject_id = plan.id AND a.result IS NULL AND a.withdrawn_on IS NULL), period_to, approved_on,"
            " reported_on FROM plan WHERE case_id = ? ORDER BY number", (case_id,)).fetchall()
        plans = []
        if plan_rows:
            of_case = "plan_id IN (SELECT id FROM plan WHERE case_id = ?)"
            needs = {r[0]: r[1] for r in c.execute(
                "SELECT key, needs_decision FROM service ORDER BY sort, key")}
            decisions: dict[tuple[str, str], str] = {}
            for plan_id, key, result in c.execute(
                    f"SELECT plan_id, service_key, result FROM decision WHERE {of_case}"
                    " ORDER BY hlc", (case_id,)):
                decisions[(plan_id, key)] = result
            starts = {(r[0], r[1]): r[2] for r in c.execute(
                f"SELECT plan_id, plan_item_id, started_on FROM service_start WHERE {of_case}",
                (case_id,))}
            items: dict[str, list[ItemFact]] = {}
            for plan_id, item_id, key, kept_json in c.execute(
                    f"SELECT plan_id, id, service_key, service_at_approval FROM plan_item"
                    f" WHERE {of_case} AND removed = 0 ORDER BY sort", (case_id,)):
                kept = json.loads(kept_json) if kept_json else None
                if kept and kept.get("key") == key:   # as when the plan was approved
                    need = bool(kept.get("needs_decision"))
                else:
                    need = bool(needs.get(key))
                result = decisions.get((plan_id, key), "") if need else ""
                items.setdefault(plan_id, []).append(ItemFact(
                    id=item_id, service_key=key, needs_decision=need,
                    decided=result == "approved", refused=result == "refused",
                    started=bool(starts.get((plan_id, item_id)))))
            plans = [PlanFact(id=r[0], number=r[1], kind=PlanKind(r[2]),
                                status=PlanStatus(r[3]), signed=bool(r[4]),
                                on_agenda=bool(r[5]), items=tuple(items.get(r[0], ())),
                                period_to=_d(r[6]), approved_on=_d(r[7]),
                                reported_on=_d(r[8]))
                     for r in plan_rows]
        evaluations = []
        for eid, plan_id, status, decision, version, attainment in c.execute(
                "SELECT id, plan_id, status, decision, assessment_version, attainment FROM"
                " evaluation WHERE case_id = ? ORDER BY hlc", (case_id,)):
            att = json.loads(attainment)
            evaluations.append(EvaluationFact(
                id=eid, plan_id=plan_id, status=ProposalStatus(status),
                decision=EvaluationDecision(decision), assessment_version=version,
                all_goals_met=bool(att) and all(a["attainment"] == "met" for a in att)))
        referrals = tuple(ReferralFact(
            id=r[0], origin=ReferralOrigin(r[1]), checked=bool(r[2]),
            arrived=None if r[3] is None else bool(r[3]), taken_back=bool(r[4]))
            for r in c.execute("SELECT id, origin, checked_on, arrived, taken_back_on FROM"
                               " referral WHERE case_id = ? ORDER BY referred_on, hlc",
                               (case_id,)))
        active = next((p for p in sorted(plans, key=lambda p: -p.number)
                       if p.status is PlanStatus.APPROVED), None)
        monitorings = 0
        if active is not None:
            monitorings = int(c.execute("SELECT COUNT(*) FROM monitoring WHERE plan_id = ?",
                                        (active.id,)).fetchone()[0])
        suspensions = [(r[0], r[1], r[2]) for r in c.execute(
            "SELECT id, status, confirmed_on FROM suspension WHERE case_id = ? ORDER BY hlc",
            (case_id,)) if r[1] != "reconsider"]
        closures = [r[0] for r in c.execute(
            "SELECT status FROM closure WHERE case_id = ? ORDER BY hlc", (case_id,))
            if r[0] != "reconsider"]
        attempt_rows = c.execute("SELECT outcome, suspension_id, attempted_on, method FROM"
                                 " contact_attempt WHERE case_id = ?", (case_id,)).fetchall()
        attempts = [(r[0], r[1]) for r in attempt_rows]
        contacts = tuple(sorted((ContactFact(date.fromisoformat(r[2]), r[3], r[0])
                                 for r in attempt_rows if r[1] is None), key=lambda x: x.on))
        live_suspension = {s[0] for s in suspensions if s[1] != "resumed"}
        moved_away = any(outcome == "moved_away" and (
            suspension is None or suspension in live_suspension)
            for outcome, suspension in attempts)
        return CaseState(
            case_id=case_id,
            triage=head[0] if head[0] is not None else "continue",
            emergency_pending=int(head[1]),
            assessment_version=int(head[2]),
            screening=ScreeningResult(screening[0]) if screening else None,
            screened_version=screening[1] if screening else 0,
            plans=tuple(plans), evaluations=tuple(evaluations), referrals=referrals,
            records=int(head[3]),
            monitorings_of_active_plan=monitorings,
            open_contact_attempts=sum(1 for outcome, suspension in attempts
                                      if suspension is None and outcome != "reached"),
            moved_away=moved_away,
            suspension=ProposalStatus(suspensions[-1][1]) if suspensions else None,
            suspended_on=_d(suspensions[-1][2]) if suspensions and
            suspensions[-1][1] == "confirmed" else None,
            contacts=contacts,
            closure=ProposalStatus(closures[-1]) if closures else None,
            followups=int(head[4]))

    # ------------------------------------------------------------------ timeline
    def timeline(self, case_id: str) -> list[TimelineEntry]:
        """Every event of the case as (kind, date, title, text), unsorted."""
        out: list[TimelineEntry] = []
        T = TimelineEntry
        for r in self._all("SELECT id, received_on, consultation, hlc FROM intake WHERE case_id"
                           " = ?", (case_id,)):
            out.append(T("intake", date.fromisoformat(r["received_on"]), "intake",
                          r["consultation"], r["id"], r["hlc"]))
        for e in self.emergency(case_id):
            out.append(T("emergency", e.done_on, e.action.value, e.note, e.id, e.hlc))
        for r in self._all("SELECT id, version, assessed_on, analysis, hlc FROM assessment WHERE"
                           " case_id = ?", (case_id,)):
            out.append(T("assessment", date.fromisoformat(r["assessed_on"]),
                          str(r["version"]), r["analysis"], r["id"], r["hlc"]))
        for r in self._all("SELECT id, screened_on, result, note, hlc FROM screening WHERE"
                           " case_id = ?", (case_id,)):
            out.append(T("screening", date.fromisoformat(r["screened_on"]), r["result"],
                          r["note"], r["id"], r["hlc"]))
        for r in self._all("SELECT * FROM referral WHERE case_id = ?", (case_id,)):
            out.append(T("referral", date.fromisoformat(r["referred_on"]), r["referred_to"],
                          r["check_note"], r["id"], r["hlc"]))
        for r in self._all("SELECT id, number, status, created_on, aim, hlc FROM plan WHERE"
                           " case_id = ?", (case_id,)):
            out.append(T("plan", date.fromisoformat(r["created_on"]), str(r["number"]),
                          r["aim"], r["id"], r["hlc"]))
        for r in self._all("SELECT id, amended_on, reason, hlc FROM plan_amendment WHERE"
                           " case_id = ?", (case_id,)):
            out.append(T("plan_amendment", date.fromisoformat(r["amended_on"]), "",
                          r["reason"], r["id"], r["hlc"]))
        for item, held_on in self.case_agenda(case_id):
            if item.result is not None:
                out.append(T("meeting", held_on, item.kind.value,
                              item.result.value + (f": {item.conditions}" if item.conditions
                                                   else ""), item.id, ""))
        for r in self._all("SELECT id, decided_on, service_key, result, hlc FROM decision WHERE"
                           " case_id = ?", (case_id,)):
            out.append(T("decision", date.fromisoformat(r["decided_on"]), r["service_key"],
                          r["result"], r["id"], r["hlc"]))
        for r in self._all("SELECT s.id, s.started_on, i.what, s.hlc FROM service_start s JOIN"
                           " plan_item i ON i.id = s.plan_item_id WHERE s.case_id = ?",
                           (case_id,)):
            out.append(T("service_start", date.fromisoformat(r["started_on"]), r["what"], "",
                          r["id"], r["hlc"]))
        for rec in self.records(case_id, include_superseded=True):
            out.append(T("support_record", rec.occurred_at.date(), rec.method.value,
                          rec.content, rec.id, rec.occurred_at.isoformat(),
                          superseded=rec.superseded_by is not None))
        for m in self.monitorings(case_id):
            out.append(T("monitoring", m.monitored_on, m.kind.value, m.change, m.id, m.hlc))
        for r in self.evaluations(case_id):
            out.append(T("evaluation", date.fromisoformat(r["evaluated_on"]), r["decision"],
                          r["note"], r["id"], r["hlc"]))
        for r in self.contact_attempts(case_id):
            out.append(T("contact_attempt", date.fromisoformat(r["attempted_on"]), r["method"],
                          r["note"], r["id"], r["hlc"]))
        for r in self.suspensions(case_id):
            out.append(T("suspension", date.fromisoformat(r["proposed_on"]), r["status"],
                          r["reason"], r["id"], r["hlc"]))
            if r["resumed_on"]:
                out.append(T("resume", date.fromisoformat(r["resumed_on"]), "",
                              r["resume_note"], r["id"], r["hlc"]))
        for r in self.closures(case_id):
            out.append(T("closure", date.fromisoformat(r["proposed_on"]), r["pattern"],
                          r["reason"], r["id"], r["hlc"]))
        for f in self.followups(case_id):
            out.append(T("followup", f.contacted_on, f.method, f.content, f.id, f.hlc))
        return out

    # ------------------------------------------------------------------ dashboard
    def _listed(self, cols: str, frm: str, where: str, order: str, args: list[Any], access,
                limit: int | None, *, distinct: bool = False, count_from: str | None = None
                ) -> tuple[list[dict[str, Any]], int]:
        """(the first ``limit`` rows, how many there are) of a dashboard list of cases
        (``case_file AS c`` in ``frm``), filtered in SQL to the cases ``access`` lets the
        user see; each row gets the person's name (``person_name``), read for the rows
        returned only. ``count_from``: the table alone, when ``where`` needs nothing else
        and every case may be seen (the case join of ``frm`` only names the case: its
        foreign key guarantees the row)."""
        allowed, allowed_args = case_access_clause(access)
        if allowed:
            where, args = f"({where}) AND {allowed}", [*args, *allowed_args]
        select = f"SELECT {'DISTINCT ' if distinct else ''}{cols} FROM {frm} WHERE {where}"
        if limit is None:
            rows = self._all(f"{select} ORDER BY {order}", args)
            total = len(rows)
        else:
            rows = self._all(f"{select} ORDER BY {order} LIMIT ?", [*args, limit])
            total = len(rows)
            if total >= limit:
                source = count_from if count_from and not allowed else frm
                count = (f"SELECT count(*) FROM ({select})" if distinct
                         else f"SELECT count(*) FROM {source} WHERE {where}")
                total = int(self.conn.execute(count, args).fetchone()[0])
        names = self._person_names({r["case_id"] for r in rows})
        for r in rows:
            r["person_name"] = names.get(r["case_id"], "")
        return rows, total

    def _person_names(self, case_ids: set[str]) -> dict[str, str]:
        if not case_ids:
            return {}
        return dict(self.conn.execute(
            "SELECT c.id, p.name FROM case_file c JOIN person p ON p.id = c.person_id"
            " WHERE c.id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(case_ids)),)))

    def monitoring_on(self, today: date, access=None, limit: int | None = None
                      ) -> tuple[list[dict[str, Any]], int]:
        """Monitoring due today (the dashboard's tile beside the overdue ones)."""
        return self._listed(
            "c.id AS case_id, c.case_no, p.name, c.next_monitoring_on",
            "case_file c JOIN person p ON p.id = c.person_id",
            "c.next_monitoring_on = ? AND c.stage NOT IN ('closed', 'suspended')",
            "c.next_monitoring_on, c.case_no", [_iso(today)], access, limit,
            count_from="case_file c")

    def monitoring_overdue(self, today: date, access=None, limit: int | None = None
                           ) -> tuple[list[dict[str, Any]], int]:
        return self._listed(
            "c.id AS case_id, c.case_no, p.name, c.next_monitoring_on",
            "case_file c JOIN person p ON p.id = c.person_id",
            "c.next_monitoring_on IS NOT NULL AND c.next_monitoring_on < ? AND"
            " c.stage NOT IN ('closed', 'suspended')",
            "c.next_monitoring_on, c.case_no", [_iso(today)], access, limit,
            count_from="case_file c")

    def referrals_to_check(self, today: date, access=None, limit: int | None = None
                           ) -> tuple[list[dict[str, Any]], int]:
        return self._listed(
            "r.id, r.case_id, c.case_no, r.referred_to, r.check_on",
            "referral r JOIN case_file c ON c.id = r.case_id",
            "r.checked_on IS NULL AND (r.check_on IS NULL OR r.check_on <= ?)",
            "r.check_on, c.case_no", [_iso(today)], access, limit, count_from="referral r")

    def plans_waiting(self, access=None, limit: int | None = None
                      ) -> tuple[list[dict[str, Any]], int]:
        return self._listed(
            "p.id, p.case_id, c.case_no, p.number, p.kind, (SELECT m.held_on FROM"
            " agenda_item a JOIN meeting m ON m.id = a.meeting_id WHERE a.subject_id = p.id AND"
            " a.result IS NULL AND a.withdrawn_on IS NULL ORDER BY m.held_on LIMIT 1)"
            " AS meeting_on",
            "plan p JOIN case_file c ON c.id = p.case_id",
            "p.status = 'submitted'", "c.case_no", [], access, limit, count_from="plan p")

    def decisions_pending(self, access=None, limit: int | None = None
                          ) -> tuple[list[dict[str, Any]], int]:
        # CROSS JOIN keeps this order: the approved plans' items first, the case only for
        # the few items still waiting (not for every approved plan).
        return self._listed(
            "p.id AS plan_id, p.case_id, c.case_no, i.service_key, s.name",
            "plan p CROSS JOIN plan_item i ON i.plan_id = p.id AND i.removed = 0"
            " CROSS JOIN service s ON s.key = i.service_key AND s.needs_decision = 1"
            " CROSS JOIN case_file c ON c.id = p.case_id",
            "p.status = 'approved' AND NOT EXISTS (SELECT 1 FROM decision d WHERE"
            " d.plan_id = p.id AND d.service_key = i.service_key)", "c.case_no", [], access,
            limit, distinct=True)

    def emergency_pending(self, access=None, limit: int | None = None
                          ) -> tuple[list[dict[str, Any]], int]:
        return self._listed(
            "e.id, e.case_id, c.case_no, e.action, e.done_on",
            "emergency_support e JOIN case_file c ON c.id = e.case_id",
            "e.procedure = 'pending'", "e.done_on", [], access, limit,
            count_from="emergency_support e")

    def suspended_cases(self, access=None, limit: int | None = None
                        ) -> tuple[list[dict[str, Any]], int]:
        # (+s.status: the suspension is found through its case, not among every confirmed one)
        return self._listed(
            "c.id AS case_id, c.case_no, p.name, s.confirmed_on",
            "case_file c JOIN person p ON p.id = c.person_id LEFT JOIN suspension s"
            " ON s.case_id = c.id AND +s.status = 'confirmed'",
            "c.stage = 'suspended'", "c.case_no", [], access, limit,
            count_from="case_file c LEFT JOIN suspension s"
                       " ON s.case_id = c.id AND +s.status = 'confirmed'")

    def evaluations_due(self, until: date, access=None, limit: int | None = None
                        ) -> tuple[list[dict[str, Any]], int]:
        """Plans in effect whose period ends on or before ``until`` with no プラン評価
        (other than one sent back), of open cases: the dashboard's 「評価の時期」."""
        return self._listed(
            "p.id AS plan_id, p.case_id, c.case_no, p.number, p.period_to",
            "plan p JOIN case_file c ON c.id = p.case_id",
            "p.status = 'approved' AND p.period_to IS NOT NULL AND p.period_to <= ?"
            " AND c.stage NOT IN ('closed', 'suspended') AND NOT EXISTS (SELECT 1 FROM"
            " evaluation e WHERE e.plan_id = p.id AND e.status <> 'reconsider')"
            " AND NOT EXISTS (SELECT 1 FROM closure x WHERE x.case_id = p.case_id"
            " AND x.status = 'proposed')",
            "p.period_to, c.case_no", [_iso(until)], access, limit)

    def next_meetings(self, today: date) -> list[dict[str, Any]]:
        return self._all(
            "SELECT m.id, m.held_on, m.kind, m.place, (SELECT COUNT(*) FROM agenda_item a WHERE"
            " a.meeting_id = m.id AND a.result IS NULL AND a.withdrawn_on IS NULL) AS pending"
            " FROM meeting m WHERE"
            " m.held = 0 AND m.held_on >= ? ORDER BY m.held_on", (_iso(today),))
