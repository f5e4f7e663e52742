"""From 緊急的な支援 to サービス開始: emergency support, アセスメント, スクリーニング,
つなぎ and its check, the プラン (draft, edit, submit, 修正), 支援決定 and the start
of services — a part of ``desk.process`` (app/operations/process.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from app.domain.assessment import Assessment, AssessmentInput, ScreeningResult
from app.domain.plan import Goal, Plan, PlanInput, PlanItem, PlanKind, PlanStatus
from app.domain.decision import DecisionResult
from app.domain.meeting import AgendaKind
from app.domain.referral import Referral
from app import process as P
from app.domain import EmergencyAction
from app.i18n import _
from app.process import Step
from app.security.roles import Permission
from app.operations.process_part import ProcessPart, _Check, _procedure_blockers


class PlanSteps(ProcessPart):
    """The steps up to the services of a plan."""

    # ------------------------------------------------------------------ 緊急的な支援
    def record_emergency(self, case_id: str, action: EmergencyAction | str, done_on: date,
                         note: str = "") -> str:
        """緊急的な支援: record what was done; statutory ones carry a pending procedure."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c = _Check()
        act = c.choice(EmergencyAction, action, "action", _("Emergency support"))
        done_on = c.date(done_on, "done_on", _("Date"), required=True, today=self._ctx.today())
        note = c.text(note, "note", _("Emergency support done"))
        if act is EmergencyAction.OTHER and not note:
            c.add("note", _("Describe the emergency support that was done."))
        c.done()
        state = self._case_state(case_id)
        self._allow(state, Step.EMERGENCY)
        self._in_order(case_id, ("record", "done_on", done_on))
        with self._store.transaction() as w:
            row_id = self._repo.insert_emergency(w, case_id, act.value, done_on, note,
                                                 act.statutory)
            self._audit("emergency", case_id, act.value)
        return row_id

    def complete_emergency_procedure(self, emergency_id: str, done_on: date) -> None:
        """The municipal procedure of a statutory emergency support is done."""
        self._ctx.require_case(self._case_of("emergency_support", emergency_id), Permission.EDIT_CASES)
        row = self._row_or_404("emergency_support", emergency_id)
        c = _Check()
        done_on = c.date(done_on, "procedure_done_on", _("Date"), required=True,
                         today=self._ctx.today(), not_before=(
                             date.fromisoformat(row["done_on"]), _("Emergency support")))
        c.done()
        self._enforce(_procedure_blockers(row))
        with self._store.transaction() as w:
            self._repo.set_status(w, "emergency_support", emergency_id, procedure="done",
                                  procedure_done_on=done_on)
            self._audit("emergency_procedure", row["case_id"], row["action"])

    # ------------------------------------------------------------------ アセスメント
    def save_assessment(self, case_id: str, data: AssessmentInput) -> Assessment:
        """アセスメント: adds a new version (a re-assessment never overwrites the old one)."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c = _Check()
        c.date(data.assessed_on, "assessed_on", _("Date of assessment"), required=True,
               today=self._ctx.today())
        domains = dict(self._repo.assessment_master("domain"))
        problems = dict(self._repo.assessment_master("problem"))
        for key in data.domains:
            if key not in domains:
                c.add("domains", _("Unknown assessment domain: {key}").format(key=key))
        for key in data.problems:
            if key not in problems:
                c.add("problems", _("Unknown problem in the checklist: {key}").format(key=key))
        cleaned = {k: c.text(v, f"domains.{k}", domains.get(k, k), max_len=5000)
                   for k, v in data.domains.items()}
        analysis = c.text(data.analysis, "analysis", _("Problems and their background"),
                          max_len=10000)
        strengths = c.text(data.strengths, "strengths", _("Strengths of the person"),
                           max_len=5000)
        wishes = c.text(data.wishes, "wishes", _("What the person wishes"), max_len=5000)
        if not (cleaned or data.problems or analysis):
            c.add("analysis", _("Record the person's situation: a domain, the checklist or "
                                "the problems and their background."))
        c.done()
        state = self._case_state(case_id)
        self._allow(state, Step.ASSESSMENT)
        self._in_order(case_id, ("assessment", "assessed_on", data.assessed_on))
        data = replace(data, domains=cleaned, analysis=analysis, strengths=strengths,
                       wishes=wishes, author=data.author or self._ctx.user.display_name,
                       problems=[k for k in problems if k in data.problems])
        with self._store.transaction() as w:
            row_id, version = self._repo.insert_assessment(w, case_id, data)
            self._restage(w, case_id)
            self._audit("assessment", case_id, f"v{version}")
        return next(a for a in self._repo.assessments(case_id) if a.id == row_id)

    # ------------------------------------------------------------------ スクリーニング
    def screen(self, case_id: str, result: ScreeningResult | str, screened_on: date, *,
               note: str = "", referral_to: str = "", accompanied: bool = False,
               check_on: date | None = None, reported_on: date | None = None) -> str:
        """スクリーニング: 継続支援 / 他機関へつなぐ (with the check date) / 情報提供で終了."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c = _Check()
        res = c.choice(ScreeningResult, result, "result", _("Result of screening"))
        screened_on = c.date(screened_on, "screened_on", _("Date of screening"), required=True,
                             today=self._ctx.today())
        note = c.text(note, "note", _("Note"))
        referral_to = c.text(referral_to, "referral_to", _("Referred to"), max_len=100,
                             multiline=False)
        check_on = c.date(check_on, "check_on", _("Date to check the referral"))
        reported_on = c.date(reported_on, "reported_on", _("Reported to the municipality"),
                             today=self._ctx.today())
        if res is ScreeningResult.REFER:
            if not referral_to:
                c.add("referral_to", _("Enter the agency the person is referred to."))
            if check_on is None:
                c.add("check_on", _("Enter the date to check that the person reached the "
                                    "agency (a referral is never just a phone number)."))
            elif screened_on and check_on < screened_on:
                c.add("check_on", _("The check date must be on or after the date of the "
                                    "referral."))
        c.done()
        state = self._case_state(case_id)
        self._allow(state, Step.SCREENING)
        self._in_order(case_id, ("screening", "screened_on", screened_on))
        with self._store.transaction() as w:
            row_id = self._repo.insert_screening(w, case_id, screened_on, res.value,
                                                 state.assessment_version, note, reported_on)
            if res is ScreeningResult.REFER:
                self._repo.insert_referral(w, case_id, "screening", row_id, screened_on,
                                           referral_to, accompanied, check_on)
            self._restage(w, case_id)
            self._audit("screening", case_id, res.value)
        return row_id

    # ------------------------------------------------------------------ つなぎ
    def check_referral(self, referral_id: str, checked_on: date, arrived: bool,
                       note: str = "") -> Referral:
        """後日確認: did the person reach the agency they were referred to?"""
        self._ctx.require_case(self._case_of("referral", referral_id), Permission.EDIT_CASES)
        ref = self._referral_or_404(referral_id)
        c = _Check()
        checked_on = c.date(checked_on, "checked_on", _("Date of the check"), required=True,
                            today=self._ctx.today(), not_before=(ref.referred_on,
                                                            _("Date of the referral")))
        note = c.text(note, "check_note", _("Note"))
        if not isinstance(arrived, bool):
            c.add("arrived", _("Record whether the person reached the agency."))
        c.done()
        self._enforce(P.referral_blockers(self._case_state(ref.case_id), ref))
        with self._store.transaction() as w:
            self._repo.set_status(w, "referral", referral_id, checked_on=checked_on,
                                  arrived=int(arrived), check_note=note)
            self._restage(w, ref.case_id)
            self._audit("referral_check", ref.case_id, "arrived" if arrived else "not_arrived")
        return self._written(self._repo.referral(referral_id))

    def take_back(self, referral_id: str, taken_back_on: date, note: str = "") -> None:
        """ケースの引き戻し: a referral that failed comes back into continued support."""
        self._ctx.require_case(self._case_of("referral", referral_id), Permission.EDIT_CASES)
        ref = self._referral_or_404(referral_id)
        c = _Check()
        taken_back_on = c.date(taken_back_on, "taken_back_on", _("Date"), required=True,
                               today=self._ctx.today(), not_before=(
                                   ref.checked_on or ref.referred_on, _("Date of the check")))
        note = c.text(note, "note", _("Note"))
        c.done()
        self._enforce(P.referral_blockers(self._case_state(ref.case_id), ref, take_back=True))
        with self._store.transaction() as w:
            changes: dict[str, Any] = {"taken_back_on": taken_back_on}
            if note:
                changes["check_note"] = (ref.check_note + "\n" + note).strip()
            self._repo.set_status(w, "referral", referral_id, **changes)
            self._restage(w, ref.case_id)
            self._audit("take_back", ref.case_id, ref.referred_to)

    # ------------------------------------------------------------------ プラン
    def _check_plan(self, data: PlanInput) -> PlanInput:
        c = _Check()
        aim = c.text(data.aim, "aim", _("The person's aim"), required=True, max_len=2000)
        if not data.goals:
            c.add("goals", _("Enter at least one short-term goal."))
        goals = []
        for i, g in enumerate(data.goals):
            text = c.text(g.text, f"goals.{i}.text", _("Short-term goal"), required=True,
                          max_len=1000)
            target = c.date(g.target_on, f"goals.{i}.target_on", _("Target date"))
            goals.append(Goal(text, target))
        if not data.items:
            c.add("items", _("Enter at least one support item."))
        known = {s.key for s in self._repo.services()}
        items = []
        for i, item in enumerate(data.items):
            what = c.text(item.what, f"items.{i}.what", _("Support content"), required=True,
                          max_len=1000)
            # a deactivated service stays on the items that already had it (never a new choice)
            kept = bool(item.id) and (self._repo.plan_item_row(item.id) or {}).get(
                "service_key") == item.service_key
            if item.service_key not in known and not kept:
                c.add(f"items.{i}.service_key", _("Choose the service of the support item."))
            provider = c.text(item.provider, f"items.{i}.provider", _("Provider"), max_len=100,
                              multiline=False)
            frequency = c.text(item.frequency, f"items.{i}.frequency", _("Frequency"),
                               max_len=100, multiline=False)
            pf = c.date(item.period_from, f"items.{i}.period_from", _("Start of the period"))
            pt = c.date(item.period_to, f"items.{i}.period_to", _("End of the period"))
            if pf and pt and pt < pf:
                c.add(f"items.{i}.period_to", _("The end of the period must be on or after "
                                                "its start."))
            items.append(replace(item, what=what, provider=provider, frequency=frequency,
                                 period_from=pf, period_to=pt,
                                 problem=(item.problem or "").strip()))
        pf = c.date(data.period_from, "period_from", _("Start of the plan period"))
        pt = c.date(data.period_to, "period_to", _("End of the plan period"))
        if pf and pt and pt < pf:
            c.add("period_to", _("The end of the period must be on or after its start."))
        nm = c.date(data.next_monitoring_on, "next_monitoring_on", _("Next monitoring"))
        signed = c.date(data.signed_on, "signed_on", _("Date of the person's signature"),
                        today=self._ctx.today())
        author = c.text(data.author, "author", _("Author"), max_len=50, multiline=False)
        c.done()
        return replace(data, aim=aim, goals=goals, items=items, period_from=pf, period_to=pt,
                       next_monitoring_on=nm, signed_on=signed,
                       author=author or self._ctx.user.display_name)

    def draft_plan(self, case_id: str, data: PlanInput) -> Plan:
        """プラン作成 (first plan) or 再プラン (after an approved プラン評価), as a draft."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        data = self._check_plan(data)
        state = self._case_state(case_id)
        step = Step.REPLAN if state.plans else Step.PLAN
        self._allow(state, step)
        self._in_order(case_id, ("plan_signed", "signed_on", data.signed_on))
        kind = PlanKind.REPLAN if state.plans else PlanKind.FIRST
        with self._store.transaction() as w:
            plan_id = self._repo.insert_plan(w, case_id, data, kind, state.assessment_version,
                                             self._ctx.today())
            self._restage(w, case_id)
            self._audit("plan_draft", case_id, kind.value)
        return self._plan_or_404(plan_id)

    def update_plan(self, plan_id: str, data: PlanInput) -> Plan:
        """Edit a draft (also one sent back by 再検討) before submitting it again."""
        self._ctx.require_case(self._case_of("plan", plan_id), Permission.EDIT_CASES)
        plan = self._plan_or_404(plan_id)
        data = self._check_plan(data)
        self._enforce(P.edit_blockers(self._case_state(plan.case_id), plan))
        self._in_order(plan.case_id, ("plan_signed", "signed_on", data.signed_on))
        with self._store.transaction() as w:
            self._repo.replace_plan_content(w, plan_id, data)
            self._audit("plan_edit", plan.case_id, str(plan.number))
        return self._plan_or_404(plan_id)

    def submit_plan(self, plan_id: str, meeting_id: str | None = None) -> Plan:
        """Put a signed draft before the 支援調整会議 (on ``meeting_id``'s agenda if given)."""
        self._ctx.require_case(self._case_of("plan", plan_id), Permission.EDIT_CASES)
        plan = self._plan_or_404(plan_id)
        meeting = self._meeting_if(meeting_id)
        self._enforce(P.submit_blockers(self._case_state(plan.case_id), plan)
                      + P.meeting_blockers(meeting))
        self._meeting_after(meeting, "plan_signed", plan.signed_on)
        with self._store.transaction() as w:
            self._repo.set_plan(w, plan_id, status=PlanStatus.SUBMITTED.value)
            if meeting is not None:
                kind = AgendaKind.REPLAN if plan.kind is PlanKind.REPLAN else AgendaKind.NEW_PLAN
                self._repo.insert_agenda_item(w, meeting.id, plan.case_id, kind.value, plan_id,
                                              plan.aim[:200])
            self._restage(w, plan.case_id)
            self._audit("plan_submit", plan.case_id, str(plan.number))
        return self._plan_or_404(plan_id)

    def amend_plan(self, plan_id: str, data: PlanInput, reason: str,
                   amended_on: date | None = None) -> Plan:
        """プランの修正: a minor change of the plan in effect; before and after are kept."""
        self._ctx.require_case(self._case_of("plan", plan_id), Permission.EDIT_CASES)
        plan = self._plan_or_404(plan_id)
        data = self._check_plan(data)
        c = _Check()
        reason = c.text(reason, "reason", _("Reason for the amendment"), required=True)
        amended_on = c.date(amended_on or self._ctx.today(), "amended_on", _("Date"),
                            required=True, today=self._ctx.today())
        c.done()
        self._enforce(self._amend_blockers(plan, data))
        self._in_order(plan.case_id, ("amendment", "amended_on", amended_on),
                       approval=plan.approved_on)
        before = _plan_snapshot(plan)
        with self._store.transaction() as w:
            self._repo.replace_plan_content(w, plan_id, data)
            after = _plan_snapshot(self._written(self._repo.plan(plan_id)))
            self._repo.insert_amendment(w, plan_id, plan.case_id, amended_on, reason, before,
                                        after)
            self._restage(w, plan.case_id)
            self._audit("plan_amend", plan.case_id, str(plan.number))
        return self._plan_or_404(plan_id)

    # ------------------------------------------------------------------ 支援決定, サービス開始
    def record_decision(self, plan_id: str, service_key: str, decided_on: date, officer: str,
                        result: DecisionResult | str = DecisionResult.APPROVED,
                        note: str = "") -> str:
        """支援決定 by the municipality on one statutory service of the plan in effect."""
        self._ctx.require_case(self._case_of("plan", plan_id), Permission.DECISIONS)
        plan = self._plan_or_404(plan_id)
        c = _Check()
        decided_on = c.date(decided_on, "decided_on", _("Date of the support decision"),
                            required=True, today=self._ctx.today())
        officer = c.text(officer, "officer", _("Municipal officer"), required=True, max_len=50,
                         multiline=False)
        res = c.choice(DecisionResult, result, "result", _("Result"))
        note = c.text(note, "note", _("Note"))
        c.done()
        self._enforce(P.decision_blockers(self._case_state(plan.case_id), plan, service_key))
        self._in_order(plan.case_id, ("decision", "decided_on", decided_on),
                       approval=plan.approved_on)
        with self._store.transaction() as w:
            row_id = self._repo.insert_decision(w, plan.case_id, plan_id, service_key,
                                                decided_on, officer, res.value, note)
            self._restage(w, plan.case_id)
            self._audit("decision", plan.case_id, f"{service_key}:{res.value}")
        return row_id

    def start_service(self, plan_item_id: str, started_on: date) -> PlanItem:
        """サービス開始 of one item; a statutory service only after its 支援決定.

        The first start of a plan schedules the first monitoring (支援開始直後) within two
        weeks, on a business day (see app.process.first_monitoring_date)."""
        self._ctx.require_case(self._case_of("plan_item", plan_item_id), Permission.EDIT_CASES)
        row = self._row_or_404("plan_item", plan_item_id)
        plan = self._plan_or_404(row["plan_id"])
        c = _Check()
        started_on = c.date(started_on, "started_on", _("Start date"), required=True,
                            today=self._ctx.today())
        c.done()
        self._enforce(P.start_blockers(self._case_state(plan.case_id), plan_item_id))
        decided = [d.decided_on for d in self._repo.decisions(plan.case_id)
                   if d.plan_id == plan.id and d.service_key == row["service_key"]
                   and d.result is DecisionResult.APPROVED]
        self._in_order(plan.case_id, ("service_start", "started_on", started_on),
                       approval=plan.approved_on,
                       decision=decided[-1] if decided else None)
        with self._store.transaction() as w:
            self._repo.insert_service_start(w, plan.case_id, plan.id, plan_item_id, started_on)
            self._restage(w, plan.case_id)   # the first start sets the first monitoring
            self._audit("service_start", plan.case_id, row["service_key"])
        return next(i for i in self._plan_or_404(plan.id).items if i.id == plan_item_id)


def _plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The content of a plan as plain data (for the プランの修正 history)."""
    return {
        "aim": plan.aim,
        "goals": [{"text": g.text, "target_on": g.target_on} for g in plan.goals],
        "items": [{"id": i.id, "what": i.what, "service_key": i.service_key,
                   "provider": i.provider, "period_from": i.period_from,
                   "period_to": i.period_to, "frequency": i.frequency} for i in plan.items],
        "period_from": plan.period_from, "period_to": plan.period_to,
        "next_monitoring_on": plan.next_monitoring_on,
    }
