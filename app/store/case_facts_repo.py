"""The facts the step graph (app/process.py) judges a case by: the latest date of each
step and the :class:`CaseState`, read in a few statements before and after every step."""

from __future__ import annotations

import json
from datetime import date

from app.domain.assessment import ScreeningResult
from app.domain.case_state import (
    CaseState, ContactFact, EvaluationFact, ItemFact, PlanFact, ReferralFact,
)
from app.domain.evaluation import EvaluationDecision
from app.domain.meeting import ProposalStatus
from app.domain.plan import PlanKind, PlanStatus
from app.domain.referral import ReferralOrigin
from app.store.repo_base import SqlRepo, _d


class CaseFactsRepo(SqlRepo):
    """Step dates and case state (part of :class:`app.store.process_repo.ProcessRepo`)."""

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
