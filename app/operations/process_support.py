"""While support runs and after: 支援経過記録 (and corrections), モニタリング,
プラン評価, contact attempts, 中断 and 再開, 終結 and フォローアップ — a part of
``desk.process`` (app/operations/process.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from app.domain.closure import ClosureGrounds, ClosureInput, ClosurePattern
from app.domain.monitoring import MonitoringInput, MonitoringKind
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import ProposalStatus
from app.domain.record import RecordMethod, SupportRecord
from app.domain.suspension import ContactMethod, ContactOutcome
from app import process as P
from app.domain import Stage
from app.i18n import _
from app.process import Step
from app.security.roles import Permission
from app.operations.process_part import ProcessPart, _Check, _record_blockers


class SupportSteps(ProcessPart):
    """The steps from the first record to the follow-up."""

    # ------------------------------------------------------------------ 支援経過記録
    def _check_record(self, occurred_at, method, content, contact_person, next_action, staff):
        c = _Check()
        if isinstance(occurred_at, date) and not isinstance(occurred_at, datetime):
            occurred_at = datetime(occurred_at.year, occurred_at.month, occurred_at.day)
        if not isinstance(occurred_at, datetime):
            c.add("occurred_at", _("Please enter {label}").format(label=_("Date and time")))
        elif occurred_at.date() > self._ctx.today():
            c.add("occurred_at", _("A support record cannot be in the future."))
        m = c.choice(RecordMethod, method, "method", _("Method"))
        content = c.text(content, "content", _("Content"), required=True, max_len=20000)
        contact_person = c.text(contact_person, "contact_person", _("Contacted person"),
                                max_len=100, multiline=False)
        next_action = c.text(next_action, "next_action", _("Next action"), max_len=2000)
        staff = c.text(staff or self._ctx.user.display_name, "staff", _("Staff"), required=True,
                       max_len=50, multiline=False)
        return c, occurred_at, m, content, contact_person, next_action, staff

    def add_record(self, case_id: str, occurred_at: datetime, method: RecordMethod | str,
                   content: str, *, contact_person: str = "", next_action: str = "",
                   staff: str = "") -> SupportRecord:
        """支援経過記録: one contact (append-only)."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c, at, m, content, person, nxt, staff = self._check_record(
            occurred_at, method, content, contact_person, next_action, staff)
        c.done()
        self._allow(self._case_state(case_id), Step.RECORD)
        self._in_order(case_id, ("record", "occurred_at", at.date()))
        with self._store.transaction() as w:
            row_id = self._repo.insert_record(w, case_id, at, m.value, staff, person, content, nxt)
            self._audit("record", case_id, m.value)
        return next(r for r in self._repo.records(case_id, True) if r.id == row_id)

    def correct_record(self, record_id: str, content: str, reason: str, *,
                       occurred_at: datetime | None = None, method: RecordMethod | str | None = None,
                       contact_person: str | None = None, next_action: str | None = None
                       ) -> SupportRecord:
        """Correct a 支援経過記録: a new entry supersedes the old one, which stays readable."""
        self._ctx.require_case(self._case_of("support_record", record_id), Permission.EDIT_CASES)
        old = self._row_or_404("support_record", record_id)
        c, at, m, content, person, nxt, staff = self._check_record(
            occurred_at or datetime.fromisoformat(old["occurred_at"]), method or old["method"],
            content, old["contact_person"] if contact_person is None else contact_person,
            old["next_action"] if next_action is None else next_action, "")
        reason = c.text(reason, "correction_reason", _("Reason for the correction"),
                        required=True, max_len=500)
        c.done()
        self._enforce(_record_blockers(old))
        self._in_order(old["case_id"], ("record", "occurred_at", at.date()))
        with self._store.transaction() as w:
            row_id = self._repo.insert_record(w, old["case_id"], at, m.value, staff, person,
                                              content, nxt, supersedes=record_id,
                                              correction_reason=reason)
            self._audit("record_correct", old["case_id"], record_id)
        return next(r for r in self._repo.records(old["case_id"], True) if r.id == row_id)

    # ------------------------------------------------------------------ モニタリング
    def add_monitoring(self, case_id: str, data: MonitoringInput) -> str:
        """モニタリング of the plan in effect; schedules the next one (monthly by default,
        on a business day)."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c = _Check()
        on = c.date(data.monitored_on, "monitored_on", _("Date of monitoring"), required=True,
                    today=self._ctx.today())
        kind = c.choice(MonitoringKind, data.kind, "kind", _("Kind of monitoring"))
        change = c.text(data.change, "change", _("The person's change"), max_len=5000)
        nxt = c.date(data.next_on, "next_on", _("Next monitoring"))
        if on and nxt and nxt <= on:
            c.add("next_on", _("The next monitoring must be after this one."))
        c.done()
        state = self._case_state(case_id)
        self._allow(state, Step.MONITORING)
        plan = state.active_plan
        assert plan is not None
        full = self._plan_or_404(plan.id)
        starts = [i.started_on for i in full.items if i.started_on]
        self._in_order(case_id, ("monitoring", "monitored_on", on), approval=full.approved_on,
                       service_start=min(starts) if starts else None)
        next_on = nxt or P.next_monitoring_date(on)
        data = replace(data, monitored_on=on, kind=kind, change=change)
        with self._store.transaction() as w:
            row_id = self._repo.insert_monitoring(w, case_id, plan.id, data, next_on)
            self._restage(w, case_id)
            self._audit("monitoring", case_id, kind.value)
        return row_id

    # ------------------------------------------------------------------ プラン評価
    def evaluate(self, case_id: str, data: EvaluationInput,
                 meeting_id: str | None = None) -> str:
        """プラン評価 of the plan in effect, proposed to the 支援調整会議 (its agenda if given).

        Its decision (終結 / 再プラン / 再アセスメント / 継続) takes effect with the meeting."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c = _Check()
        evaluated_on = c.date(data.evaluated_on, "evaluated_on", _("Date of evaluation"),
                              required=True, today=self._ctx.today())
        decision = c.choice(EvaluationDecision, data.decision, "decision", _("Decision"))
        if not data.attainment:
            c.add("attainment", _("Record the attainment of each goal."))
        for i, (goal, att) in enumerate(data.attainment):
            c.text(goal, f"attainment.{i}.goal", _("Short-term goal"), required=True)
            c.choice(Attainment, att, f"attainment.{i}.attainment", _("Attainment"))
        c.date(data.employed_on, "employed_on", _("Date of employment"), today=self._ctx.today())
        c.date(data.income_increased_on, "income_increased_on", _("Date of increased income"),
               today=self._ctx.today())
        c.text(data.support_delivered, "support_delivered", _("Support delivered"),
               max_len=10000)
        c.done()
        state = self._case_state(case_id)
        meeting = self._meeting_if(meeting_id)
        self._enforce(P.step_blocker(state, Step.EVALUATION) + P.meeting_blockers(meeting))
        plan = state.active_plan
        assert plan is not None
        full = self._plan_or_404(plan.id)
        self._in_order(case_id, ("evaluation", "evaluated_on", evaluated_on),
                       ("outcome", "employed_on", data.employed_on),
                       ("outcome", "income_increased_on", data.income_increased_on),
                       approval=full.approved_on)
        self._meeting_after(meeting, "evaluation", evaluated_on)
        with self._store.transaction() as w:
            row_id = self._repo.insert_evaluation(w, case_id, plan.id,
                                                  replace(data, decision=decision),
                                                  state.assessment_version)
            if meeting is not None:
                self._repo.insert_agenda_item(w, meeting.id, case_id, "evaluation", row_id,
                                              decision.label)
            self._restage(w, case_id)
            self._audit("evaluation", case_id, decision.value)
        return row_id

    # ------------------------------------------------------------------ 中断, 再開
    def add_contact_attempt(self, case_id: str, attempted_on: date,
                            method: ContactMethod | str,
                            outcome: ContactOutcome | str = ContactOutcome.NO_RESPONSE,
                            note: str = "") -> str:
        """An effort to reach the person (連絡票, 知人 …) — required before 中断; a
        move-away found here allows 終結(3)."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c = _Check()
        attempted_on = c.date(attempted_on, "attempted_on", _("Date"), required=True,
                              today=self._ctx.today())
        m = c.choice(ContactMethod, method, "method", _("Method"))
        o = c.choice(ContactOutcome, outcome, "outcome", _("Outcome"))
        note = c.text(note, "note", _("Note"))
        c.done()
        self._allow(self._case_state(case_id), Step.CONTACT_ATTEMPT)
        self._in_order(case_id, ("contact_attempt", "attempted_on", attempted_on))
        with self._store.transaction() as w:
            row_id = self._repo.insert_contact_attempt(w, case_id, attempted_on, m.value,
                                                       o.value, note)
            self._audit("contact_attempt", case_id, f"{m.value}:{o.value}")
        return row_id

    def propose_suspension(self, case_id: str, proposed_on: date, reason: str,
                           meeting_id: str | None = None) -> str:
        """中断: after recorded attempts to reach the person; reported to the 支援調整会議,
        in effect once it confirms. Every record is kept for a later 再開."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c = _Check()
        proposed_on = c.date(proposed_on, "proposed_on", _("Date"), required=True,
                             today=self._ctx.today())
        reason = c.text(reason, "reason", _("Reason for the suspension"), required=True)
        c.done()
        state = self._case_state(case_id)
        meeting = self._meeting_if(meeting_id)
        self._enforce(P.as_blockers(P.can_suspend(state, proposed_on)) + P.meeting_blockers(meeting))
        self._in_order(case_id, ("suspension", "proposed_on", proposed_on))
        self._meeting_after(meeting, "suspension", proposed_on)
        case = self._store.case(case_id)
        assert case is not None   # _case_state found it
        with self._store.transaction() as w:
            row_id = self._repo.insert_suspension(w, case_id, proposed_on, reason,
                                                  case.stage.value)
            for a in self._repo.contact_attempts(case_id):
                if a["suspension_id"] is None:
                    self._repo.set_status(w, "contact_attempt", a["id"], suspension_id=row_id)
            if meeting is not None:
                self._repo.insert_agenda_item(w, meeting.id, case_id, "suspension", row_id,
                                              reason[:200])
            self._restage(w, case_id)
            self._audit("suspension_propose", case_id)
        return row_id

    def resume(self, case_id: str, resumed_on: date, note: str = "") -> Stage:
        """再開 of a suspended case: everything recorded before stays; monitoring restarts."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c = _Check()
        resumed_on = c.date(resumed_on, "resumed_on", _("Date"), required=True,
                            today=self._ctx.today())
        note = c.text(note, "note", _("Note"))
        c.done()
        state = self._case_state(case_id)
        self._allow(state, Step.RESUME)
        self._in_order(case_id, ("resume", "resumed_on", resumed_on))
        current = next(s for s in reversed(self._repo.suspensions(case_id))
                       if s["status"] == "confirmed")
        with self._store.transaction() as w:
            self._repo.set_status(w, "suspension", current["id"], status="resumed",
                                  resumed_on=resumed_on, resume_note=note)
            new = self._restage(w, case_id)   # monitoring restarts if a plan is in effect
            self._audit("resume", case_id)
        return new

    # ------------------------------------------------------------------ 終結, フォローアップ
    def propose_closure(self, case_id: str, data: ClosureInput,
                        meeting_id: str | None = None) -> str:
        """終結 (1)(2)(3), proposed to the 支援調整会議. (3) only after a confirmed 中断 or a
        recorded move-away: 連絡がないことだけでは終結しない."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c = _Check()
        proposed_on = c.date(data.proposed_on, "proposed_on", _("Date"), required=True,
                             today=self._ctx.today())
        pattern = c.choice(ClosurePattern, data.pattern, "pattern", _("Closure pattern"))
        no_eval = c.text(data.no_evaluation_reason, "no_evaluation_reason",
                         _("Why the case closes without a plan evaluation"), max_len=2000)
        c.text(data.reason, "reason", _("Reason for closure"), required=True)
        grounds = None
        if data.grounds:
            grounds = c.choice(ClosureGrounds, data.grounds, "grounds", _("Grounds"))
        if pattern in (ClosurePattern.RESOLVED, ClosurePattern.STEP_BACK):
            c.text(data.intention, "intention", _("The person's intention"), required=True)
            c.text(data.intention_how, "intention_how", _("How the intention was confirmed"),
                   required=True, max_len=200, multiline=False)
            c.date(data.intention_on, "intention_on", _("When the intention was confirmed"),
                   required=True, today=self._ctx.today())
        for i, r in enumerate(data.referrals):
            c.text(r, f"referrals.{i}", _("Referred to"), required=True, max_len=100,
                   multiline=False)
        c.text(data.followup_plan, "followup_plan", _("Follow-up plan"))
        c.done()
        state = self._case_state(case_id)
        # (1)(2) after a プラン評価 that decided 終結: decided with it, no agenda item of its own
        ev = P.closing_evaluation(state) if pattern is not ClosurePattern.CONTACT_LOST else None
        meeting = self._meeting_if(meeting_id) if ev is None else None
        self._enforce(P.as_blockers(P.can_close(state, pattern, grounds, on=proposed_on,
                                                without_evaluation_reason=no_eval))
                      + P.meeting_blockers(meeting))
        if pattern is ClosurePattern.CONTACT_LOST and grounds is None:
            grounds = (ClosureGrounds.SUSPENSION if state.suspended
                       else ClosureGrounds.MOVED_AWAY)
        self._in_order(case_id, ("closure", "proposed_on", proposed_on))
        self._meeting_after(meeting, "closure", proposed_on)
        with self._store.transaction() as w:
            row_id = self._repo.insert_closure(w, case_id, replace(
                data, pattern=pattern, grounds=grounds, reason=data.reason.strip(),
                no_evaluation_reason="" if ev is not None else no_eval),
                ev.id if ev is not None else None)
            if ev is not None and ev.status is ProposalStatus.CONFIRMED:
                # the meeting already decided 終結 with the evaluation
                confirmed = next((e.confirmed_on for e in self._repo.evaluations(case_id)
                                  if e.id == ev.id), None)
                on = max(proposed_on, confirmed) if confirmed else proposed_on
                self._close(w, case_id, row_id, True, on)
            elif meeting is not None:
                self._repo.insert_agenda_item(w, meeting.id, case_id, "closure", row_id,
                                              pattern.label)
            self._restage(w, case_id)
            self._audit("closure_propose", case_id, pattern.value)
        return row_id

    def add_followup(self, case_id: str, contacted_on: date, content: str, *, method: str = "",
                     contact_person: str = "") -> str:
        """フォローアップ contact after a confirmed 終結."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        c = _Check()
        contacted_on = c.date(contacted_on, "contacted_on", _("Date"), required=True,
                              today=self._ctx.today())
        content = c.text(content, "content", _("Content"), required=True)
        method = c.text(method, "method", _("Method"), max_len=50, multiline=False)
        contact_person = c.text(contact_person, "contact_person", _("Contacted person"),
                                max_len=100, multiline=False)
        c.done()
        state = self._case_state(case_id)
        self._allow(state, Step.FOLLOWUP)
        self._in_order(case_id, ("followup", "contacted_on", contacted_on))
        closure = next(x for x in reversed(self._repo.closures(case_id))
                       if x.status is ProposalStatus.CONFIRMED)
        with self._store.transaction() as w:
            row_id = self._repo.insert_followup(w, case_id, closure.id, contacted_on, method,
                                                contact_person, content)
            self._audit("followup", case_id)
        return row_id
