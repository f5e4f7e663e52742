"""ProcessRepo.case_state reads the facts of a case with a few narrow queries (it runs before
and after every process step). Here it is checked against the facts built the plain way, from
the repository's full reads (plans(), evaluations(), referrals() …), at every step of a demo
desk taken through the whole process."""

from __future__ import annotations

from collections import Counter
from datetime import date

from app.domain.assessment import ScreeningResult
from app.domain.case_state import (
    CaseState, ContactFact, EvaluationFact, ItemFact, PlanFact, ReferralFact,
)
from app.domain.meeting import ProposalStatus
from app.domain.plan import PlanStatus
from app.demo import fill
from app.store.process_repo import ProcessRepo


def reference_state(repo: ProcessRepo, case_id: str) -> CaseState:
    """The facts from the full reads (what case_state computed before it was narrowed)."""
    intake = repo._one("SELECT triage FROM intake WHERE case_id = ? ORDER BY received_on"
                       " DESC, hlc DESC LIMIT 1", (case_id,))
    screening = repo._one("SELECT result, assessment_version FROM screening WHERE case_id = ?"
                          " ORDER BY hlc DESC LIMIT 1", (case_id,))
    plans = []
    for p in repo.plans(case_id):
        plans.append(PlanFact(
            id=p.id, number=p.number, kind=p.kind, status=p.status,
            signed=p.signed_on is not None, on_agenda=repo.pending_agenda_for(p.id),
            items=tuple(ItemFact(
                id=i.id, service_key=i.service_key,
                needs_decision=i.decision != "reported", decided=i.decision == "decided",
                refused=i.decision == "refused", started=i.started_on is not None)
                for i in p.items),
            period_to=p.period_to, approved_on=p.approved_on,
            reported_on=repo.row("plan", p.id)["reported_on"] and date.fromisoformat(
                repo.row("plan", p.id)["reported_on"])))
    evaluations = tuple(EvaluationFact(
        id=e.id, plan_id=e.plan_id, status=e.status, decision=e.decision,
        assessment_version=e.assessment_version,
        all_goals_met=bool(e.attainment) and all(
            att == "met" for _goal, att in e.attainment))
        for e in repo.evaluations(case_id))
    referrals = tuple(ReferralFact(
        id=r.id, origin=r.origin, checked=r.checked_on is not None, arrived=r.arrived,
        taken_back=r.taken_back_on is not None) for r in repo.referrals(case_id))
    active = next((p for p in sorted(plans, key=lambda p: -p.number)
                   if p.status is PlanStatus.APPROVED), None)
    monitorings = 0
    if active is not None:
        monitorings = int(repo.conn.execute(
            "SELECT COUNT(*) FROM monitoring WHERE plan_id = ?", (active.id,)).fetchone()[0])
    suspensions = [s for s in repo.suspensions(case_id) if s["status"] != "reconsider"]
    closures = [c for c in repo.closures(case_id) if c.status != "reconsider"]
    attempts = repo.contact_attempts(case_id)
    live_suspension = {s["id"] for s in suspensions if s["status"] != "resumed"}
    moved_away = any(a["outcome"] == "moved_away" and (
        a["suspension_id"] is None or a["suspension_id"] in live_suspension) for a in attempts)
    return CaseState(
        case_id=case_id,
        triage=intake["triage"] if intake else "continue",
        emergency_pending=int(repo.conn.execute(
            "SELECT COUNT(*) FROM emergency_support WHERE case_id = ? AND procedure ="
            " 'pending'", (case_id,)).fetchone()[0]),
        assessment_version=repo.assessment_version(case_id),
        screening=ScreeningResult(screening["result"]) if screening else None,
        screened_version=screening["assessment_version"] if screening else 0,
        plans=tuple(plans), evaluations=evaluations, referrals=referrals,
        records=int(repo.conn.execute("SELECT COUNT(*) FROM support_record WHERE case_id = ?",
                                      (case_id,)).fetchone()[0]),
        monitorings_of_active_plan=monitorings,
        open_contact_attempts=sum(1 for a in attempts if a["suspension_id"] is None
                                  and a["outcome"] != "reached"),
        moved_away=moved_away,
        suspension=ProposalStatus(suspensions[-1]["status"]) if suspensions else None,
        suspended_on=date.fromisoformat(suspensions[-1]["confirmed_on"])
        if suspensions and suspensions[-1]["status"] == "confirmed" else None,
        contacts=tuple(ContactFact(date.fromisoformat(a["attempted_on"]), a["method"],
                                     a["outcome"]) for a in attempts
                       if a["suspension_id"] is None),
        closure=closures[-1].status if closures else None,
        followups=len(repo.followups(case_id)))


def test_case_state_equals_the_full_reads_at_every_step_of_a_demo_desk(desk, monkeypatch):
    narrow = ProcessRepo.case_state
    seen: Counter = Counter()

    def checked(self, case_id):
        state = narrow(self, case_id)
        assert state == reference_state(self, case_id)
        seen["states"] += 1
        seen["plans"] += len(state.plans)
        seen["decided"] += sum(i.decided for p in state.plans for i in p.items)
        seen["refused"] += sum(i.refused for p in state.plans for i in p.items)
        seen["started"] += sum(i.started for p in state.plans for i in p.items)
        seen["on_agenda"] += sum(p.on_agenda for p in state.plans)
        seen["goals_met"] += sum(e.all_goals_met for e in state.evaluations)
        seen["referrals"] += len(state.referrals)
        seen["moved_away"] += state.moved_away
        seen["attempts"] += state.open_contact_attempts
        seen[f"suspension {state.suspension}"] += 1
        seen[f"closure {state.closure}"] += 1
        seen["followups"] += state.followups
        seen["emergency"] += state.emergency_pending
        return state

    monkeypatch.setattr(ProcessRepo, "case_state", checked)
    desk._today = lambda: date(2026, 11, 20)
    fill(desk, 150, seed=6, records_per_case=3)
    repo = ProcessRepo(desk.store.conn)
    for (case_id,) in desk.store.conn.execute("SELECT id FROM case_file").fetchall():
        checked(repo, case_id)   # every case as it ends up (follow-ups come last)
    for key in ("plans", "decided", "refused", "started", "on_agenda", "goals_met",
                "referrals", "moved_away", "attempts", "followups", "emergency",
                "suspension ProposalStatus.RESUMED", "closure ProposalStatus.CONFIRMED"):
        assert seen[key] > 0, (key, seen)
