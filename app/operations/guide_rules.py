"""The guide's rules that span steps (issue 19): the desk's settings for them, the 報告 of a
plan to the municipality, the plan as approved (versions), one open case per person, and
the プラン評価 that fall due. A part of ``desk.process``; the rules themselves are pure
(app/process.py, app/domain/step_dates.py) and the SQL is in app/store/process_repo.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.domain.case_state import ProcessSettings
from app.domain.meeting import ProposalStatus
from app.domain.plan import Plan, PlanVersion
from app.domain.record import RecordMethod, SupportRecord
from app.domain.worklist import EvaluationDue
from app import process as P
from app.domain import rules as R
from app.errors import ProcessError, ValidationError, ValidationErrors
from app.i18n import _
from app.operations.context import DeskContext
from app.operations.process_part import SETTING_PREFIX, SETTING_RANGES, ProcessPart, _Check
from app.operations.process_support import SupportSteps
from app.security.roles import Permission


class OpenCaseExists(ProcessError):
    """A 相談受付 for a person whose case is still open (one open case per person)."""

    def __init__(self, message: str, case_id: str, case_no: str, ending: bool,
                 rule: str = ""):
        super().__init__(message, rule=rule)
        self.case_id, self.case_no, self.ending = case_id, case_no, ending


class GuideRules(ProcessPart):
    """The guide's rules of desk.process (issue 19): the desk's process settings, one open
    case per person, 相談 in an open case, plan reports and versions, evaluations due."""

    def __init__(self, ctx: DeskContext, support: SupportSteps):
        super().__init__(ctx)
        self._support = support   # a 相談 in an open case is a 支援経過記録

    def set_process_settings(self, **values: int) -> ProcessSettings:
        """Change the figures (the 主任 or the administrator)."""
        if not (self._ctx.allows(Permission.MEETINGS) or self._ctx.allows(Permission.MANAGE_SETTINGS)):
            self._ctx.require(Permission.MEETINGS)
        errors = []
        for name, value in values.items():
            if name not in SETTING_RANGES:
                errors.append(ValidationError(name, _("Unknown setting: {name}").format(
                    name=name)))
                continue
            lo, hi = SETTING_RANGES[name]
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                errors.append(ValidationError(name, _(
                    "Enter a whole number between {lo} and {hi}.").format(lo=lo, hi=hi)))
        if errors:
            raise ValidationErrors(errors)
        with self._store.transaction() as w:
            for name, value in values.items():
                self._store.put_setting(w, SETTING_PREFIX + name, str(value))
            self._store.audit(self._ctx.user.login, "setting", detail=",".join(
                f"{SETTING_PREFIX}{k}={v}" for k, v in sorted(values.items())))
        return self.process_settings()

    # ------------------------------------------------------------------ 報告
    def report_plan(self, plan_id: str, reported_on: date, reported_to: str) -> Plan:
        """報告: a plan without statutory services is reported to the municipality (no 支援
        決定); the date and to whom are recorded."""
        case_id = self._case_of("plan", plan_id)
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        plan = self._plan_or_404(plan_id)
        c = _Check()
        reported_on = c.date(reported_on, "reported_on", _("Date of the report"),
                             required=True, today=self._ctx.today())
        reported_to = c.text(reported_to, "reported_to", _("Reported to"), required=True,
                             max_len=100, multiline=False)
        c.done()
        self._enforce(P.report_blockers(self._case_state(case_id), plan_id))
        self._in_order(case_id, ("report", "reported_on", reported_on),
                       approval=plan.approved_on)
        with self._store.transaction() as w:
            self._repo.set_plan(w, plan_id, reported_on=reported_on, reported_to=reported_to)
            self._audit("plan_report", case_id, str(plan.number))
        return self._plan_or_404(plan_id)

    def plan_report(self, plan_id: str) -> tuple[date | None, str]:
        """(date, to whom) of the plan's 報告 to the municipality, (None, '') if none."""
        self._ctx.require_case(self._case_of("plan", plan_id), Permission.VIEW_CASES)
        row = self._repo.row("plan", plan_id) or {}
        on = row.get("reported_on")
        return (date.fromisoformat(on) if on else None), row.get("reported_to") or ""

    # ------------------------------------------------------------------ versions
    def plan_versions(self, plan_id: str) -> list[PlanVersion]:
        """The plan as approved by the 支援調整会議, then after each プランの修正 (oldest
        first)."""
        self._ctx.require_case(self._case_of("plan", plan_id), Permission.VIEW_CASES)
        plan = self._plan_or_404(plan_id)
        return self._repo.plan_versions(plan_id, plan.approved_on)

    # ------------------------------------------------------------------ one open case per person
    def open_case_of(self, person_id: str) -> tuple[str, str, bool] | None:
        """(case id, case number, ending) of the person's open case, or None. Open: not
        closed and not ended by a referral or information; ending: a 終結 is proposed or a
        プラン評価 decided 終結."""
        for case_id, case_no in self._repo.cases_of_person(person_id):
            state = self._repo.case_state(case_id)
            if state.closed or state.out_of_agency:
                continue
            ending = state.closure is ProposalStatus.PROPOSED or (
                P.closing_evaluation(state) is not None)
            return case_id, case_no, ending
        return None

    def check_open_case(self, existing_person_id: str | None, new_case_reason: str) -> None:
        """register_intake: a person with an open case gets no second case — the intake is
        recorded as a 相談 in that case (record_consultation); only when the open case is
        ending may a new case be opened, with the reason."""
        if not existing_person_id:
            return
        found = self.open_case_of(existing_person_id)
        if found is None:
            return
        case_id, case_no, ending = found
        if ending and new_case_reason.strip():
            return
        rule = R.CASE_ENDING if ending else R.OPEN_CASE
        raise OpenCaseExists(rule.message(case_no=case_no), case_id, case_no, ending,
                             rule=rule.name)

    def record_consultation(self, case_id: str, data: Any) -> SupportRecord:
        """The 相談 of a person whose case is open, recorded in that case as a 支援経過記録
        (an IntakeInput's date, route and what was consulted) — never a new consultation in
        the statistics."""
        from app.domain import Route
        route = data.route.value if hasattr(data.route, "value") else (data.route or "")
        method = {Route.SELF.value: RecordMethod.OFFICE,
                  Route.OUTREACH.value: RecordMethod.HOME_VISIT}.get(
                      route, RecordMethod.AGENCY)
        content = "\n".join(x for x in (
            _("Consultation (the case is open):"), data.consultation or "",
            data.hopes or "") if x.strip())
        on = data.received_on or self._ctx.today()
        visitor = getattr(data, "visitor", None)
        return self._support.add_record(case_id, datetime(on.year, on.month, on.day), method, content,
                               contact_person=(getattr(visitor, "name", "") or ""),
                               staff=data.received_by or "")

    # ------------------------------------------------------------------ due evaluations
    def evaluations_due(self, limit: int | None = 200) -> tuple[list[EvaluationDue], int]:
        """Plans in effect whose period ends within the notice days (or has ended) with no
        プラン評価 yet: (first ``limit`` rows, how many), of the cases this user may see."""
        self._ctx.require(Permission.VIEW_CASES)
        horizon = self._ctx.today().toordinal() + self.process_settings().evaluation_notice_days
        rows, count = self._repo.evaluations_due(date.fromordinal(horizon),
                                                 self._ctx.case_access(), limit)
        return [EvaluationDue.from_row(r) for r in rows], count


__all__ = ["GuideRules", "OpenCaseExists", "SETTING_RANGES"]
