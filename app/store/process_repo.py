"""SQL of the consultation process (assessment … follow-up): writes through the Writer, reads
into the plain objects of app/process.py. One class, :class:`ProcessRepo`, in four modules by
subject: the steps' rows here, meetings and agenda (meeting_repo.py), the facts the step graph
reads (case_facts_repo.py: CaseState, step dates), the dashboard's lists (worklist_repo.py)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from app.domain.assessment import Assessment, AssessmentInput, Screening, ScreeningResult
from app.domain.case import TimelineEntry
from app.domain.closure import Closure, ClosureGrounds, ClosureInput, ClosurePattern, Followup
from app.domain.decision import Decision, DecisionResult
from app.domain.evaluation import Attainment, Evaluation, EvaluationDecision, EvaluationInput
from app.domain.intake import EmergencyAction, EmergencySupport
from app.domain.meeting import AgendaKind, Participant, ProposalStatus
from app.domain.monitoring import Monitoring, MonitoringInput, MonitoringKind
from app.domain.plan import (
    Goal, Plan, PlanAmendment, PlanInput, PlanItem, PlanKind, PlanStatus, PlanVersion,
)
from app.domain.record import RecordMethod, SupportRecord
from app.domain.referral import Referral, ReferralOrigin
from app.domain.service import Service
from app.paths import master_dir
from app.store.case_facts_repo import CaseFactsRepo
from app.store.journal import Writer
from app.store.meeting_repo import MeetingRepo
from app.store.repo_base import _d, _iso, _json
from app.store.worklist_repo import WorklistRepo


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


class ProcessRepo(MeetingRepo, CaseFactsRepo, WorklistRepo):
    """Queries and writes of the process tables on one open connection. The meetings, the
    facts of a case and the dashboard's lists are in their own modules (app/store/
    meeting_repo.py, case_facts_repo.py, worklist_repo.py), each on the shared
    :class:`app.store.repo_base.SqlRepo`; this class holds the steps' rows."""

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

    def plan_versions(self, plan_id: str, approved_on: date | None) -> list[PlanVersion]:
        """The plan as approved, then after each amendment (see Desk.plan_versions)."""
        row = self._one("SELECT approved_content FROM plan WHERE id = ?", (plan_id,))
        out: list[PlanVersion] = []
        amendments = self.amendments(plan_id)
        if row and row["approved_content"]:
            first = json.loads(row["approved_content"])
        elif amendments:
            first = amendments[0].before
        else:
            return out
        out.append(PlanVersion(1, approved_on, "approval", "", first))
        for i, a in enumerate(amendments, start=2):
            out.append(PlanVersion(i, a.amended_on, "amendment", a.reason, a.after))
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

    def evaluations(self, case_id: str) -> list[Evaluation]:
        """The case's プラン評価, oldest first."""
        return [Evaluation(
            id=r["id"], case_id=r["case_id"], plan_id=r["plan_id"],
            evaluated_on=date.fromisoformat(r["evaluated_on"]),
            decision=EvaluationDecision(r["decision"]), status=ProposalStatus(r["status"]),
            attainment=tuple((str(a.get("goal", "")), Attainment(a["attainment"]))
                             for a in json.loads(r["attainment"] or "[]")),
            support_delivered=r["support_delivered"], employed_on=_d(r["employed_on"]),
            income_increased_on=_d(r["income_increased_on"]),
            motivation=bool(r["motivation"]), relationships=bool(r["relationships"]),
            participation=bool(r["participation"]), hardship=bool(r["hardship"]),
            note=r["note"], assessment_version=r["assessment_version"],
            confirmed_on=_d(r["confirmed_on"]), hlc=r["hlc"])
            for r in self._all("SELECT * FROM evaluation WHERE case_id = ? ORDER BY hlc",
                               (case_id,))]

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

    def closures(self, case_id: str) -> list[Closure]:
        """The case's 終結 (proposed, confirmed or sent back), oldest first."""
        return [Closure(
            id=r["id"], case_id=r["case_id"], proposed_on=date.fromisoformat(r["proposed_on"]),
            pattern=ClosurePattern(r["pattern"]), reason=r["reason"],
            status=ProposalStatus(r["status"]),
            grounds=ClosureGrounds(r["grounds"]) if r["grounds"] else None,
            intention=r["intention"], intention_how=r["intention_how"],
            intention_on=_d(r["intention_on"]),
            referrals=tuple(json.loads(r["referrals"] or "[]")),
            followup_plan=r["followup_plan"], confirmed_on=_d(r["confirmed_on"]),
            evaluation_id=r["evaluation_id"], no_evaluation_reason=r["no_evaluation_reason"],
            hlc=r["hlc"])
            for r in self._all("SELECT * FROM closure WHERE case_id = ? ORDER BY hlc",
                               (case_id,))]

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

    def decisions(self, case_id: str) -> list[Decision]:
        """支援決定 of the case, in date order (read-only; for the printed plan)."""
        return [Decision(
            id=r["id"], case_id=r["case_id"], plan_id=r["plan_id"],
            service_key=r["service_key"], decided_on=date.fromisoformat(r["decided_on"]),
            officer=r["officer"], result=DecisionResult(r["result"]), note=r["note"],
            hlc=r["hlc"])
            for r in self._all("SELECT * FROM decision WHERE case_id = ?"
                               " ORDER BY decided_on, hlc", (case_id,))]

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
        for ev in self.evaluations(case_id):
            out.append(T("evaluation", ev.evaluated_on, ev.decision.value, ev.note, ev.id,
                         ev.hlc))
        for r in self.contact_attempts(case_id):
            out.append(T("contact_attempt", date.fromisoformat(r["attempted_on"]), r["method"],
                          r["note"], r["id"], r["hlc"]))
        for r in self.suspensions(case_id):
            out.append(T("suspension", date.fromisoformat(r["proposed_on"]), r["status"],
                          r["reason"], r["id"], r["hlc"]))
            if r["resumed_on"]:
                out.append(T("resume", date.fromisoformat(r["resumed_on"]), "",
                              r["resume_note"], r["id"], r["hlc"]))
        for x in self.closures(case_id):
            out.append(T("closure", x.proposed_on, x.pattern.value, x.reason, x.id, x.hlc))
        for f in self.followups(case_id):
            out.append(T("followup", f.contacted_on, f.method, f.content, f.id, f.hlc))
        return out
