"""Process steps after intake (assessment … closure): Desk operations. See app/process.py.

Each operation checks the permission, validates its input (messages name the field), asks
app/process.py whether the step is allowed now (ProcessError with the reason if not), then
writes the rows, the journal and the audit entry in one transaction and brings the case's
stage up to date. Nothing here writes SQL: app/store/process_repo.py does.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date, datetime
from typing import Any, Iterable

from app.domain.assessment import Screening
from app.domain.closure import Followup
from app.domain.intake import EmergencySupport
from app.domain.monitoring import Monitoring
from app.domain.plan import PlanAmendment
from app.domain.assessment import Assessment, AssessmentInput, ScreeningResult
from app.domain.case import TimelineEntry
from app.domain.case_state import CaseState
from app.domain.closure import ClosureGrounds, ClosureInput, ClosurePattern
from app.domain.decision import DecisionResult
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import (
    AgendaCandidate, AgendaItem, AgendaKind, Meeting, MeetingKind, MeetingResult, MeetingSummary,
    MeetingWait, Participant, ProposalStatus, municipality_attended,
)
from app.domain.monitoring import MonitoringInput, MonitoringKind
from app.domain.plan import Goal, Plan, PlanInput, PlanItem, PlanKind, PlanStatus
from app.domain.record import RecordMethod, SupportRecord
from app.domain.referral import Referral
from app.domain.service import Service
from app.domain.suspension import ContactMethod, ContactOutcome
from app import process as P
from app import text_ja, validation
from app.domain import step_dates
from app.domain import EmergencyAction, Stage
from app.errors import (
    NotFound, PermissionDenied, ProcessError, ValidationError, ValidationErrors,
)
from app.i18n import _
from app.process import Step
from app.operations.context import DeskContext
from app.operations.guide_rules import GuideRuleOperations
from app.operations.region import RegionOperations, feed_meeting_issue
from app.security.authorization import (
    EDIT, LISTED, OPEN, VIEW, AnyOf, Arg, Row, Rule, install, need, read, write,
)
from app.security.roles import Permission
from app.store import derived_repo
from app.store.process_repo import ProcessRepo

# Rows of each dashboard list: the counts are always whole; a caseworker reads the first
# ones (the GUI loads the rest of one list on request).
DASHBOARD_ROWS = 200


def _counted(rows: list) -> tuple[list, int]:
    return rows, len(rows)


class _Check:
    """Collects validation errors of one operation; ``done()`` raises them all at once."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def __call__(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as e:
            self.errors.append(e)
            return None

    def add(self, field: str, message: str) -> None:
        self.errors.append(ValidationError(field, message))

    def text(self, value, field: str, label: str, *, required: bool = False,
             max_len: int = 2000, multiline: bool = True) -> str:
        return self(validation.clean_text, value, field, label, required=required,
                    max_len=max_len, multiline=multiline) or ""

    def date(self, value, field: str, label: str, *, required: bool = False,
             today: date | None = None, not_before: tuple[date, str] | None = None):
        return self(validation.clean_date, value, field, label, required=required,
                    not_after=(today, _("Today")) if today else None, not_before=not_before)

    def choice(self, enum, value, field: str, label: str):
        if value is None or value == "":
            self.add(field, _("Please enter {label}").format(label=label))
            return None
        try:
            return enum(value)
        except ValueError:
            self.add(field, _("{label}: unknown value {value}").format(label=label,
                                                                      value=str(value)))
            return None

    def done(self) -> None:
        if self.errors:
            raise ValidationErrors(self.errors)


class _DryRun(Exception):
    """Ends a check_only transaction: everything it wrote is rolled back."""


def _board_detail(args: dict[str, Any], result: Any) -> str:
    counts = result.get("counts", {}) if isinstance(result, dict) else {}
    return " ".join(f"{k}={v}" for k, v in sorted(counts.items()))[:500]


def _records_detail(args: dict[str, Any], result: Any) -> str:
    return f"{len(result) if isinstance(result, list) else ''} records"


class ProcessOperations(GuideRuleOperations):
    """``desk.process``: the consultation process from 緊急的な支援 to フォローアップ, the
    支援調整会議 and the guide's rules (GuideRuleOperations)."""

    RULES: dict[str, Rule] = {
        "services": OPEN("master data of the plan form"),
        "assessment_domains": OPEN("master data of the assessment form"),
        "assessment_problems": OPEN("master data of the assessment form"),
        "case_state": read(Arg("case_id")),
        "case_steps": read(Arg("case_id")),
        "next_actions": read(Arg("case_id")),
        "current_plan": read(Arg("case_id")),
        "plans": read(Arg("case_id")),
        "plan": read(Row("plan", "plan_id")),
        "plan_amendments": read(Row("plan", "plan_id")),
        "assessments": read(Arg("case_id")),
        "referrals": read(Arg("case_id")),
        "emergency_support": read(Arg("case_id")),
        "support_records": need(VIEW, case=Arg("case_id"), audit="view_records",
                                audit_detail=_records_detail),
        "monitorings": read(Arg("case_id")),
        "evaluations": read(Arg("case_id")),
        "closures": read(Arg("case_id")),
        "followups": read(Arg("case_id")),
        "decisions": read(Arg("case_id")),
        "screenings": read(Arg("case_id")),
        "case_agenda": read(Arg("case_id")),
        "timeline": read(Arg("case_id")),
        "dashboard": need(VIEW, case=LISTED, audit="view_dashboard", audit_detail=_board_detail),
        "agenda_candidates": need(case=LISTED),
        "record_emergency": write(Arg("case_id")),
        "complete_emergency_procedure": write(Row("emergency_support", "emergency_id")),
        "save_assessment": write(Arg("case_id")),
        "screen": write(Arg("case_id")),
        "check_referral": write(Row("referral", "referral_id")),
        "take_back": write(Row("referral", "referral_id")),
        "draft_plan": write(Arg("case_id")),
        "update_plan": write(Row("plan", "plan_id")),
        "submit_plan": write(Row("plan", "plan_id")),
        "amend_plan": write(Row("plan", "plan_id")),
        "record_decision": write(Row("plan", "plan_id"), Permission.DECISIONS),
        "start_service": write(Row("plan_item", "plan_item_id")),
        "add_record": write(Arg("case_id")),
        "correct_record": write(Row("support_record", "record_id")),
        "add_monitoring": write(Arg("case_id")),
        "evaluate": write(Arg("case_id")),
        "add_contact_attempt": write(Arg("case_id")),
        "propose_suspension": write(Arg("case_id")),
        "resume": write(Arg("case_id")),
        "propose_closure": write(Arg("case_id")),
        "add_followup": write(Arg("case_id")),
        "meetings": need(AnyOf(Permission.MEETINGS, Permission.VIEW_AGENDA_CASES)),
        "meeting": need(AnyOf(Permission.MEETINGS, Permission.VIEW_AGENDA_CASES)),
        "agenda_people": need(AnyOf(Permission.MEETINGS, Permission.VIEW_AGENDA_CASES)),
        "pending_agenda": need(VIEW, Permission.MEETINGS),   # case numbers and summaries of the agenda
        "plan_meeting": need(Permission.MEETINGS),
        "add_agenda_item": need(Permission.MEETINGS, case=Arg("case_id", optional=True),
                                case_permission=VIEW),
        "record_meeting_results": need(Permission.MEETINGS),
        "check_only": Rule(needs=(VIEW,), checks_inside=True),  # a wizard's 次へ: a dry run
        "process_settings": OPEN("the desk's 中断 / 終結(3) / 軽微な修正 figures, stated on the "
                                 "screens every worker uses"),
        "set_process_settings": need(AnyOf(Permission.MEETINGS, Permission.MANAGE_SETTINGS)),
        "open_case_of": need(EDIT, audit="open_case_check"),   # case number only, at intake
        "check_open_case": need(EDIT, audit="open_case_check"),  # the same, as a refusal
        "record_consultation": write(Arg("case_id")),
        "report_plan": write(Row("plan", "plan_id")),
        "plan_report": read(Row("plan", "plan_id")),
        "plan_versions": read(Row("plan", "plan_id")),
        "evaluations_due": need(VIEW, case=LISTED),
        "open_meetings": need(VIEW),          # the coming meetings: dates, places, kinds
        "waiting_for_meeting": read(Arg("case_id")),
        "put_on_meeting": write(Arg("case_id")),
        "move_agenda_item": write(Row("agenda_item", "item_id", optional=True)),
        "withdraw_agenda_item": write(Row("agenda_item", "item_id", optional=True)),
    }

    def __init__(self, ctx: DeskContext, region: RegionOperations):
        super().__init__(ctx)
        self._region_ops = region   # a meeting's 地域課題 go into the register
        self._process_repo: ProcessRepo | None = None

    def check_only(self, fn) -> list[ValidationError]:
        """Run ``fn`` — one or more process operations of this Desk, as a wizard's last page
        would — keeping nothing: every check of the core runs (fields, cross-field rules,
        the process), then the transaction is rolled back (audit entries included). The
        step wizards ask it at each 次へ, so the final save never sends the user back.
        Returns the field problems; a refusal of the process comes back with field ''."""
        self._ctx.require(Permission.VIEW_CASES)
        try:
            with self._store.transaction():
                fn()
                raise _DryRun
        except _DryRun:
            return []
        except ValidationErrors as e:
            return list(e.errors)
        except ValidationError as e:
            return [e]
        except ProcessError as e:
            return [ValidationError("", str(e))]
        except (NotFound, PermissionDenied, TypeError, ValueError, AttributeError, KeyError):
            return []   # the wizard's answers are incomplete: the last page reports

    _store: Any
    user: Any

    # ------------------------------------------------------------------ plumbing
    @property
    def _repo(self) -> ProcessRepo:
        repo = self._process_repo
        if repo is None or repo.conn is not self._store.conn:
            repo = self._process_repo = ProcessRepo(self._store.conn)
        return repo

    def _case_state(self, case_id: str) -> CaseState:
        if self._store.case(case_id) is None:
            raise NotFound(_("Case not found."))
        return replace(self._repo.case_state(case_id), today=self._ctx.today(),
                       settings=self.process_settings())

    @staticmethod
    def _allow(state: CaseState, step: Step) -> None:
        status = P.check(state, step)
        if not status.allowed:
            raise ProcessError(status.reason)

    def _in_order(self, case_id: str, *checks: tuple[str, str, date | None],
                  **known: Any) -> None:
        """Each (step, field, date) against the dates of the steps it depends on
        (app/domain/step_dates.py: the rules the ledger import applies too); ``known``
        overrides a step's date (e.g. the approval of this very plan)."""
        dates: dict[str, Any] = dict(self._repo.case_dates(case_id))
        dates.update(known)
        errors = [ValidationError(field, p.message()) for key, field, on in checks
                  for p in step_dates.problems(key, on, dates)]
        if errors:
            raise ValidationErrors(errors)

    def _meeting_after(self, meeting: Meeting | None, key: str, on: date | None) -> None:
        """A meeting cannot decide on something dated after it."""
        if meeting is not None and on is not None and meeting.held_on < on:
            raise ValidationErrors([ValidationError("meeting_id", step_dates.OrderProblem(
                "meeting", meeting.held_on, key, on).message())])

    def _restage(self, w, case_id: str) -> Stage:
        """Write the columns derived from the case's records — stage, closed_on, next
        monitoring (app/derived.py: the same rule a merge applies) — where they changed."""
        want = derived_repo.case_fields(self._store.conn, case_id, self._repo)
        self._repo.set_status(w, "case_file", case_id, **want)   # journals what changed
        return Stage(want["stage"])

    def _audit(self, action: str, case_id: str | None, detail: str = "") -> None:
        self._store.audit(self._ctx.user.login, action, case_id=case_id, detail=detail)

    def _plan_or_404(self, plan_id: str) -> Plan:
        plan = self._repo.plan(plan_id)
        if plan is None:
            raise NotFound(_("Plan not found."))
        return plan

    def _meeting_or_404(self, meeting_id: str) -> Meeting:
        meeting = self._repo.meeting(meeting_id)
        if meeting is None:
            raise NotFound(_("Meeting not found."))
        return meeting

    # ------------------------------------------------------------------ master data
    def services(self, include_inactive: bool = False) -> list[Service]:
        """Services a plan can contain (master data), statutory ones flagged. Inactive ones
        (deactivated by the administrator) only with ``include_inactive``: to show the
        names on old records, never as a choice."""
        return self._repo.services(active_only=not include_inactive)

    def assessment_domains(self, include_inactive: bool = False) -> list[tuple[str, str]]:
        return self._repo.assessment_master("domain", active_only=not include_inactive)

    def assessment_problems(self, include_inactive: bool = False) -> list[tuple[str, str]]:
        return self._repo.assessment_master("problem", active_only=not include_inactive)

    # ------------------------------------------------------------------ queries
    def case_state(self, case_id: str) -> CaseState:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._case_state(case_id)

    def case_steps(self, case_id: str) -> list[P.StepStatus]:
        """Every step with whether it is allowed now and, if not, why (translated)."""
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return P.steps(self._case_state(case_id))

    def next_actions(self, case_id: str) -> list[str]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return P.next_actions(self._case_state(case_id))

    def current_plan(self, case_id: str) -> Plan | None:
        """The plan in effect (approved by the 支援調整会議, newest), or None."""
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        active = [p for p in self._repo.plans(case_id) if p.status is PlanStatus.APPROVED]
        return active[-1] if active else None

    def plans(self, case_id: str) -> list[Plan]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.plans(case_id)

    def plan(self, plan_id: str) -> Plan:
        self._ctx.require_case(self._case_of("plan", plan_id), Permission.VIEW_CASES)
        return self._plan_or_404(plan_id)

    def plan_amendments(self, plan_id: str) -> list[PlanAmendment]:
        self._ctx.require_case(self._case_of("plan", plan_id), Permission.VIEW_CASES)
        return self._repo.amendments(plan_id)

    def assessments(self, case_id: str) -> list[Assessment]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.assessments(case_id)

    def referrals(self, case_id: str) -> list[Referral]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.referrals(case_id)

    def emergency_support(self, case_id: str) -> list[EmergencySupport]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.emergency(case_id)

    def support_records(self, case_id: str, include_superseded: bool = False
                        ) -> list[SupportRecord]:
        """支援経過記録, newest first; corrected entries only with ``include_superseded``."""
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.records(case_id, include_superseded)

    def meeting(self, meeting_id: str) -> Meeting:
        self._require_meetings(read=True)
        return self._meeting_or_404(meeting_id)

    def meetings(self, limit: int | None = DASHBOARD_ROWS
                 ) -> tuple[list[MeetingSummary], int]:
        """Every 支援調整会議, newest first: the first ``limit`` (None: all of them) and how
        many there are. For whoever may read a meeting (the 主任; the 自治体担当, who reads
        the cases on the agendas); the agendas are counted, not read."""
        self._require_meetings(read=True)
        return self._repo.meetings(limit)

    def agenda_candidates(self, limit: int | None = DASHBOARD_ROWS
                          ) -> tuple[list[AgendaCandidate], int]:
        """What waits for the 支援調整会議 and is on no agenda yet — submitted plans (新規
        プラン / 再プラン), proposed プラン評価, 中断 and 終結 — in case-number order: the
        first ``limit`` (None: all) and how many there are. Only the cases this user may
        see, filtered in SQL (own, 協働 and team cases; all for the 主任; for the 自治体担当
        the cases on an agenda)."""
        access = self._ctx.require_case_view()
        rows, total = self._repo.agenda_candidates(access, limit)
        return [_candidate(r) for r in rows], total

    def agenda_people(self, meeting_id: str) -> dict[str, tuple[str, str]]:
        """case id → (name, kana) of the persons on the meeting's agenda, for the cases this
        user may see (the screen shows their initials, never the name)."""
        self._require_meetings(read=True)
        self._meeting_or_404(meeting_id)
        return self._repo.agenda_people(meeting_id, self._ctx.case_access())

    def pending_agenda(self, meeting_id: str) -> list[AgendaItem]:
        """Agenda items of the meeting still waiting for their result."""
        self._ctx.require(Permission.VIEW_CASES)
        self._meeting_or_404(meeting_id)
        return self._repo.agenda(meeting_id, pending_only=True)

    # rows the printed sheets read (forms/data.py), oldest first
    def monitorings(self, case_id: str) -> list[Monitoring]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return list(reversed(self._repo.monitorings(case_id)))

    def evaluations(self, case_id: str) -> list[dict[str, Any]]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.evaluations(case_id)

    def closures(self, case_id: str) -> list[dict[str, Any]]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.closures(case_id)

    def followups(self, case_id: str) -> list[Followup]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.followups(case_id)

    def decisions(self, case_id: str) -> list[dict[str, Any]]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.decisions(case_id)

    def screenings(self, case_id: str) -> list[Screening]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.screenings(case_id)

    def case_agenda(self, case_id: str) -> list[tuple[AgendaItem, date]]:
        """Every agenda item of the case with its meeting date (results included)."""
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.case_agenda(case_id)

    def timeline(self, case_id: str, kinds: Iterable[str] | None = None) -> list[TimelineEntry]:
        """Everything that happened on the case, newest first, optionally only some kinds."""
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        if self._store.case(case_id) is None:
            raise NotFound(_("Case not found."))
        entries = self._timeline_entries(case_id, kinds)
        with self._store.transaction():
            self._audit("view_timeline", case_id)
        return entries

    def _timeline_entries(self, case_id: str, kinds: Iterable[str] | None
                          ) -> list[TimelineEntry]:
        """The timeline read, unchecked and unaudited (``timeline``, the case overview)."""
        entries = self._repo.timeline(case_id)
        if kinds is not None:
            wanted = set(kinds)
            entries = [e for e in entries if e.kind in wanted]
        # within a day in the order of the process (プラン before its 会議, 終結 after the
        # プラン), then as written (issue 14: a plan whose row changed later came first)
        entries.sort(key=lambda e: (e.on, _timeline_rank(e), e.order), reverse=True)
        return entries

    def _require_meetings(self, *, read: bool = False) -> None:
        """支援調整会議 are run by the 主任 (and the administrator while it has case access);
        the municipal officer may read the meetings whose agenda it attends."""
        if read and not self._ctx.allows(Permission.MEETINGS) \
                and self._ctx.allows(Permission.VIEW_AGENDA_CASES):
            return
        self._ctx.require(Permission.MEETINGS)

    def _case_of(self, table: str, row_id: str) -> str:
        case_id = self._repo.case_of(table, row_id)
        if case_id is None:
            raise NotFound(_("Not found."))
        return case_id

    def dashboard(self, limit: int | None = DASHBOARD_ROWS,
                  lists: Iterable[str] | None = None) -> dict[str, Any]:
        """Lists for the dashboard: the first ``limit`` rows of each (None: all of them),
        and under ``counts`` how many each list has. Only the cases this user may see,
        filtered in SQL. ``lists`` names the lists wanted (default: every one)."""
        self._ctx.require(Permission.VIEW_CASES)
        today = self._ctx.today()
        access = self._ctx.case_access()
        repo = self._repo
        queries = {
            "monitoring_today": lambda: repo.monitoring_on(today, access, limit),
            "monitoring_overdue": lambda: repo.monitoring_overdue(today, access, limit),
            "referrals_to_check": lambda: repo.referrals_to_check(today, access, limit),
            "plans_waiting_for_meeting": lambda: repo.plans_waiting(access, limit),
            "decisions_pending": lambda: repo.decisions_pending(access, limit),
            "emergency_procedures_pending": lambda: repo.emergency_pending(access, limit),
            "suspended_cases": lambda: repo.suspended_cases(access, limit),
            # プラン評価 due at the end of the plan period (issue 19)
            "evaluations_due": lambda: repo.evaluations_due(
                date.fromordinal(today.toordinal()
                                 + self.process_settings().evaluation_notice_days),
                access, limit),
            "next_meetings": lambda: _counted(repo.next_meetings(today)),
        }
        wanted = list(queries) if lists is None else [k for k in queries if k in set(lists)]
        board: dict[str, Any] = {}
        counts: dict[str, int] = {}
        for key in wanted:
            board[key], counts[key] = queries[key]()
        board["counts"] = counts
        return board

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
        row = self._repo.emergency_row(emergency_id)
        if row is None:
            raise NotFound(_("Emergency support not found."))
        c = _Check()
        done_on = c.date(done_on, "procedure_done_on", _("Date"), required=True,
                         today=self._ctx.today(), not_before=(
                             date.fromisoformat(row["done_on"]), _("Emergency support")))
        c.done()
        if row["procedure"] != "pending":
            raise ProcessError(_("No municipal procedure is pending for this support."))
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
        ref = self._repo.referral(referral_id)
        if ref is None:
            raise NotFound(_("Referral not found."))
        c = _Check()
        checked_on = c.date(checked_on, "checked_on", _("Date of the check"), required=True,
                            today=self._ctx.today(), not_before=(ref.referred_on,
                                                            _("Date of the referral")))
        note = c.text(note, "check_note", _("Note"))
        if not isinstance(arrived, bool):
            c.add("arrived", _("Record whether the person reached the agency."))
        c.done()
        self._allow(self._case_state(ref.case_id), Step.REFERRAL_CHECK)
        if ref.checked_on is not None:
            raise ProcessError(_("This referral has already been checked."))
        with self._store.transaction() as w:
            self._repo.set_status(w, "referral", referral_id, checked_on=checked_on,
                                  arrived=int(arrived), check_note=note)
            self._restage(w, ref.case_id)
            self._audit("referral_check", ref.case_id, "arrived" if arrived else "not_arrived")
        return self._repo.referral(referral_id)  # type: ignore[return-value]

    def take_back(self, referral_id: str, taken_back_on: date, note: str = "") -> None:
        """ケースの引き戻し: a referral that failed comes back into continued support."""
        self._ctx.require_case(self._case_of("referral", referral_id), Permission.EDIT_CASES)
        ref = self._repo.referral(referral_id)
        if ref is None:
            raise NotFound(_("Referral not found."))
        c = _Check()
        taken_back_on = c.date(taken_back_on, "taken_back_on", _("Date"), required=True,
                               today=self._ctx.today(), not_before=(
                                   ref.checked_on or ref.referred_on, _("Date of the check")))
        note = c.text(note, "note", _("Note"))
        c.done()
        state = self._case_state(ref.case_id)
        self._allow(state, Step.TAKE_BACK)
        if not (ref.checked_on and ref.arrived is False and ref.taken_back_on is None):
            raise ProcessError(_("Check first that the person did not reach the agency, then "
                                 "take the case back."))
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
        if plan.status is not PlanStatus.DRAFT:
            raise ProcessError(_("Only a draft plan can be edited. Amend the plan in effect "
                                 "instead (plan amendment)."))
        if reason := P.open_reason(self._case_state(plan.case_id)):
            raise ProcessError(reason)
        self._in_order(plan.case_id, ("plan_signed", "signed_on", data.signed_on))
        with self._store.transaction() as w:
            self._repo.replace_plan_content(w, plan_id, data)
            self._audit("plan_edit", plan.case_id, str(plan.number))
        return self._plan_or_404(plan_id)

    def submit_plan(self, plan_id: str, meeting_id: str | None = None) -> Plan:
        """Put a signed draft before the 支援調整会議 (on ``meeting_id``'s agenda if given)."""
        self._ctx.require_case(self._case_of("plan", plan_id), Permission.EDIT_CASES)
        plan = self._plan_or_404(plan_id)
        state = self._case_state(plan.case_id)
        self._allow(state, Step.SUBMIT_PLAN)
        if state.open_plan is None or state.open_plan.id != plan_id:
            raise ProcessError(_("There is no draft plan to submit."))
        meeting = self._meeting_or_404(meeting_id) if meeting_id else None
        if meeting is not None and meeting.held:
            raise ProcessError(_("The results of this meeting are already recorded; choose "
                                 "another meeting."))
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
        state = self._case_state(plan.case_id)
        self._allow(state, Step.AMEND_PLAN)
        if plan.status is not PlanStatus.APPROVED:
            raise ProcessError(_("Only the plan in effect can be amended."))
        started = {i.id for i in plan.items if i.started_on}
        dropped = started - {i.id for i in data.items if i.id}
        if dropped:
            raise ProcessError(_("A service that has started cannot be removed by an "
                                 "amendment; end it with a re-plan."))
        services = {s.key: s for s in self._repo.services(active_only=False)}
        if beyond := P.amendment_problems(plan, data, services, self.process_settings()):
            raise ProcessError(" ".join(beyond) + " " + _(P.REPLAN_INSTEAD))
        self._in_order(plan.case_id, ("amendment", "amended_on", amended_on),
                       approval=plan.approved_on)
        before = _plan_snapshot(plan)
        with self._store.transaction() as w:
            self._repo.replace_plan_content(w, plan_id, data)
            after = _plan_snapshot(self._repo.plan(plan_id))  # type: ignore[arg-type]
            self._repo.insert_amendment(w, plan_id, plan.case_id, amended_on, reason, before,
                                        after)
            self._restage(w, plan.case_id)
            self._audit("plan_amend", plan.case_id, str(plan.number))
        return self._plan_or_404(plan_id)

    # ------------------------------------------------------------------ 支援調整会議
    def plan_meeting(self, held_on: date, kind: MeetingKind | str = MeetingKind.REGULAR, *,
                     place: str = "", participants: Iterable[Participant] = (),
                     next_meeting_on: date | None = None) -> Meeting:
        """Schedule a 支援調整会議 (定例 or 随時)."""
        self._require_meetings()
        c = _Check()
        held_on = c.date(held_on, "held_on", _("Date of the meeting"), required=True)
        k = c.choice(MeetingKind, kind, "kind", _("Kind of meeting"))
        place = c.text(place, "place", _("Place"), max_len=100, multiline=False)
        people = _check_participants(c, participants)
        next_on = c.date(next_meeting_on, "next_meeting_on", _("Next meeting"))
        if held_on and next_on and next_on <= held_on:
            c.add("next_meeting_on", _("The next meeting must be after this one."))
        c.done()
        with self._store.transaction() as w:
            meeting_id = self._repo.insert_meeting(w, held_on, k.value, place, people, next_on)
            self._audit("meeting_plan", None, held_on.isoformat())
        return self._meeting_or_404(meeting_id)

    def add_agenda_item(self, meeting_id: str, kind: AgendaKind | str, case_id: str | None = None,
                        subject_id: str | None = None, summary: str = "") -> AgendaItem:
        """Put a case (its plan, evaluation, 中断 or 終結) or a 地域課題 on the agenda."""
        self._require_meetings()
        if case_id is not None:
            self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._add_agenda_item(meeting_id, kind, case_id, subject_id, summary)

    def _add_agenda_item(self, meeting_id: str, kind: AgendaKind | str,
                         case_id: str | None = None, subject_id: str | None = None,
                         summary: str = "") -> AgendaItem:
        meeting = self._meeting_or_404(meeting_id)
        c = _Check()
        k = c.choice(AgendaKind, kind, "kind", _("Item type"))
        summary = c.text(summary, "summary", _("Summary"), max_len=2000)
        if k is AgendaKind.REGIONAL_ISSUE and not summary:
            c.add("summary", _("Describe the regional issue."))
        if k is not None and k is not AgendaKind.REGIONAL_ISSUE and not subject_id:
            c.add("subject_id", _("Choose what the meeting is to approve."))
        c.done()
        if meeting.held:
            raise ProcessError(_("The results of this meeting are already recorded; choose "
                                 "another meeting."))
        if k is not AgendaKind.REGIONAL_ISSUE:
            table = self._repo.subject_table(k)
            row = self._repo.row(table, subject_id)  # type: ignore[arg-type]
            if row is None or (case_id and row["case_id"] != case_id):
                raise NotFound(_("What the meeting is to approve was not found in this case."))
            case_id = row["case_id"]
            waiting = {"plan": PlanStatus.SUBMITTED.value}.get(table, "proposed")
            if row["status"] != waiting:
                raise ProcessError(_("This item is not waiting for the support coordination "
                                     "meeting."))
            if table == "plan" and (row["kind"] == "replan") != (k is AgendaKind.REPLAN):
                raise ProcessError(_("Choose the item type that matches the plan (new plan or "
                                     "re-plan)."))
            if self._repo.pending_agenda_for(subject_id):  # type: ignore[arg-type]
                raise ProcessError(_("This item is already on the agenda of a meeting."))
            self._meeting_after(meeting, *_subject_date(table, row))
            if table == "closure" and row.get("evaluation_id"):
                raise ProcessError(_("This closure is decided with its plan evaluation; it "
                                     "needs no agenda item of its own."))
        with self._store.transaction() as w:
            item_id = self._repo.insert_agenda_item(w, meeting_id, case_id, k.value, subject_id,
                                                    summary)
            self._audit("agenda_add", case_id, k.value)
            if k is AgendaKind.REGIONAL_ISSUE:  # issue 15: the box feeds the 地域課題 register
                feed_meeting_issue(self._region_ops, w, {"id": item_id, "meeting_id": meeting_id,
                                             "summary": summary,
                                             "held_on": meeting.held_on.isoformat()})
        return self._repo.agenda_item(item_id)  # type: ignore[return-value]

    def record_meeting_results(self, meeting_id: str,
                               results: dict[str, tuple[MeetingResult | str, str]],
                               minutes: str = "", *,
                               participants: Iterable[Participant] | None = None,
                               next_meeting_on: date | None = None,
                               municipality_absence: str = "") -> Meeting:
        """The 支援調整会議 decided: 了承 / 修正のうえ了承 (conditions) / 再検討 per item.

        Only 了承 and 修正のうえ了承 make a plan, evaluation, 中断 or 終結 take effect;
        再検討 sends a plan back to draft and a proposal back to the worker.

        A meeting is a 合議体: no result without at least one participant. The municipality
        takes part in principle: without a participant of it, ``municipality_absence`` (the
        confirmation why it went ahead without) is required and goes into the minutes."""
        self._require_meetings()
        meeting = self._meeting_or_404(meeting_id)
        items = {i.id: i for i in meeting.items}
        c = _Check()
        if meeting.held_on > self._ctx.today():
            c.add("held_on", _("The meeting has not been held yet."))
        minutes = c.text(minutes, "minutes", _("Minutes"), max_len=20000)
        people = _check_participants(c, participants) if participants is not None else None
        present = people if people is not None else meeting.participants
        if not present:
            c.add("participants", _("Record who took part: a meeting without participants "
                                    "cannot decide."))
        municipal = municipality_attended(present, self._store.agency().municipality)
        absence = c.text(municipality_absence, "municipality_absence",
                         _("Why the meeting went ahead without the municipality"),
                         max_len=1000)
        if present and not municipal and not absence:
            c.add("municipality_absence", _(
                "No one from the municipality took part. Confirm that the meeting goes ahead "
                "without it and why (recorded in the minutes)."))
        decided: dict[str, tuple[MeetingResult, str]] = {}
        for item_id, pair in results.items():
            if item_id not in items:
                c.add(f"results.{item_id}", _("This item is not on the meeting's agenda."))
                continue
            result, conditions = pair
            r = c.choice(MeetingResult, result, f"results.{item_id}.result", _("Result"))
            cond = c.text(conditions, f"results.{item_id}.conditions", _("Conditions"))
            if r is MeetingResult.APPROVED_WITH_CHANGES and not cond:
                c.add(f"results.{item_id}.conditions", _(
                    "Approved with changes: enter the changes (conditions)."))
            if items[item_id].result is not None:
                c.add(f"results.{item_id}", _("The result of this item is already recorded."))
            elif items[item_id].withdrawn_on is not None:
                c.add(f"results.{item_id}", _("This item was withdrawn from the agenda."))
            if r is not None:
                decided[item_id] = (r, cond)
            item = items[item_id]
            if item.case_id and item.subject_id and item.kind is not AgendaKind.REGIONAL_ISSUE:
                table = self._repo.subject_table(item.kind)
                row = self._repo.row(table, item.subject_id)
                key, on = _subject_date(table, row) if row else ("", None)
                if on is not None and meeting.held_on < on:
                    c.add(f"results.{item_id}", step_dates.OrderProblem(
                        "meeting", meeting.held_on, key, on).message())
        c.done()
        if not municipal:
            note = _("The municipality did not take part. Confirmed: {why}").format(
                why=absence)
            minutes = (minutes + "\n" + note).strip() if note not in minutes else minutes
        touched: set[str] = set()
        with self._store.transaction() as w:
            for item_id, (result, cond) in decided.items():
                item = items[item_id]
                self._repo.set_agenda_result(w, item_id, result.value, cond)
                if item.case_id:
                    self._apply_result(w, item, result, cond, meeting.held_on)
                    touched.add(item.case_id)
            # held (recorded) once no item waits any more: results may be recorded item by
            # item on the day, the others stay open (or are moved or withdrawn)
            still = [i for i in meeting.items if i.pending and i.id not in decided]
            changes: dict[str, Any] = {"held": 0 if still else 1, "minutes": minutes,
                                       "municipality_attended": int(municipal),
                                       "municipality_absence": absence}
            if people is not None:
                changes["participants"] = _participants_json(people)
            if next_meeting_on is not None:
                changes["next_meeting_on"] = next_meeting_on
            self._repo.set_meeting(w, meeting_id, **changes)
            for case_id in sorted(touched):
                self._restage(w, case_id)
                self._audit("meeting_result", case_id, meeting.held_on.isoformat())
            if not still:
                self._audit("meeting_held", None, meeting.held_on.isoformat())
        return self._meeting_or_404(meeting_id)

    # ------------------------------------------------------------------ 議題の移動・取り下げ
    def _pending_item(self, item_id: str) -> tuple[AgendaItem, Meeting]:
        """The agenda item (still waiting for its result) and its meeting, after checking
        that this user may change it: the worker of the case (edit rights on the case) or
        the 主任 (a 地域課題 has no case: only who runs the meetings)."""
        item = self._repo.agenda_item(item_id)
        if item is None:
            raise NotFound(_("The agenda item was not found."))
        if item.case_id:
            self._ctx.require_case(item.case_id, Permission.EDIT_CASES)
        else:
            self._require_meetings()
        if item.result is not None:
            raise ProcessError(_("The result of this item is already recorded."))
        if item.withdrawn_on is not None:
            raise ProcessError(_("This item was withdrawn from the agenda."))
        return item, self._meeting_or_404(item.meeting_id)

    def open_meetings(self) -> list[MeetingSummary]:
        """Meetings an agenda item can go to: not yet recorded, dated today or later, the
        nearest first (no case data: for every user who edits cases)."""
        self._ctx.require(Permission.EDIT_CASES)
        today = self._ctx.today()
        rows, _total = self._repo.meetings(None, open_from=today)   # (only those, in SQL)
        return sorted((m for m in rows if not m.held and m.held_on >= today),
                      key=lambda m: (m.held_on, m.kind.value != "ad_hoc", m.place))

    def withdraw_agenda_item(self, item_id: str, reason: str) -> AgendaItem:
        """Take an item off a meeting's agenda, with the reason. What it was to approve
        still waits (次にすること shows it; it can be put on another meeting)."""
        item, _meeting = self._pending_item(item_id)
        c = _Check()
        reason = c.text(reason, "reason", _("Reason for withdrawing"), required=True,
                        max_len=500)
        c.done()
        with self._store.transaction() as w:
            self._repo.withdraw_agenda_item(w, item_id, self._ctx.today(), reason)
            if item.case_id:
                self._restage(w, item.case_id)
            self._audit("agenda_withdraw", item.case_id, item.kind.value)
        return self._repo.agenda_item(item_id)  # type: ignore[return-value]

    def move_agenda_item(self, item_id: str, meeting_id: str, reason: str = ""
                         ) -> AgendaItem:
        """Move an item waiting for its result to another meeting not yet recorded (a
        随時 meeting today instead of the 定例 one two weeks ahead). The old item stays on
        its meeting as withdrawn (moved_to); returns the new item."""
        item, meeting = self._pending_item(item_id)
        target = self._meeting_or_404(meeting_id)
        c = _Check()
        reason = c.text(reason, "reason", _("Reason for moving"), max_len=500)
        c.done()
        if target.id == meeting.id:
            raise ProcessError(_("The item is already on this meeting's agenda."))
        if target.held:
            raise ProcessError(_("The results of this meeting are already recorded; choose "
                                 "another meeting."))
        if target.held_on < self._ctx.today():
            raise ProcessError(_("Choose a meeting dated today or later."))
        note = reason or _("Moved to the meeting of {date}").format(
            date=text_ja.format_wareki(target.held_on, "long"))
        with self._store.transaction() as w:
            self._repo.withdraw_agenda_item(w, item_id, self._ctx.today(), note, moved_to=target.id)
            new_id = self._repo.insert_agenda_item(w, target.id, item.case_id, item.kind.value,
                                                   item.subject_id, item.summary)
            if item.case_id:
                self._restage(w, item.case_id)
            self._audit("agenda_move", item.case_id, f"{meeting.held_on.isoformat()}->"
                        f"{target.held_on.isoformat()}")
        return self._repo.agenda_item(new_id)  # type: ignore[return-value]

    def waiting_for_meeting(self, case_id: str) -> list[MeetingWait]:
        """What of the case waits for the 支援調整会議 — a submitted plan, a proposed プラン
        評価, 中断 or 終結 — each with the meeting whose agenda it is on (None: on none)."""
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._meeting_waits(case_id)

    def _meeting_waits(self, case_id: str) -> list[MeetingWait]:
        """``waiting_for_meeting``, unchecked (the case overview)."""
        out = []
        for r in self._repo.waiting_subjects(case_id):
            item = self._repo.pending_item_for(r["id"])
            meeting = self._repo.meeting(item.meeting_id) if item else None
            out.append(MeetingWait(
                kind=AgendaKind(r["kind"]), case_id=case_id, subject_id=r["id"],
                summary=r["summary"] or "", item_id=item.id if item else None,
                meeting_id=meeting.id if meeting else None,
                meeting_on=meeting.held_on if meeting else None,
                meeting_kind=meeting.kind if meeting else None))
        return out

    def put_on_meeting(self, case_id: str, subject_id: str, meeting_id: str,
                       reason: str = "") -> AgendaItem:
        """Put what waits (``subject_id``) on the agenda of ``meeting_id``: added if it is on
        no agenda, moved if it is on another one."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        wait = next((x for x in self.waiting_for_meeting(case_id)
                     if x.subject_id == subject_id), None)
        if wait is None:
            raise ProcessError(_("This item is not waiting for the support coordination "
                                 "meeting."))
        if wait.item_id is not None:
            return self.move_agenda_item(wait.item_id, meeting_id, reason)
        target = self._meeting_or_404(meeting_id)
        if target.held_on < self._ctx.today() and not target.held:
            raise ProcessError(_("Choose a meeting dated today or later."))
        return self._add_agenda_item(meeting_id, wait.kind, case_id, subject_id, wait.summary)

    def _apply_result(self, w, item: AgendaItem, result: MeetingResult, conditions: str,
                      held_on: date) -> None:
        repo, case_id = self._repo, item.case_id
        ok = result.takes_effect
        if item.kind in (AgendaKind.NEW_PLAN, AgendaKind.REPLAN):
            plan_id = item.subject_id
            assert plan_id is not None and case_id is not None   # a plan's item names both
            if not ok:
                repo.set_plan(w, plan_id, status=PlanStatus.DRAFT.value,
                              meeting_result=result.value, conditions=conditions)
                return
            # The newer plan supersedes the one in effect: never two approved plans.
            for other in repo.plans(case_id):
                if other.status is PlanStatus.APPROVED and other.id != plan_id:
                    repo.set_plan(w, other.id, status=PlanStatus.SUPERSEDED.value,
                                  superseded_by=plan_id, ended_on=held_on)
            repo.set_plan(w, plan_id, status=PlanStatus.APPROVED.value,
                          approved_on=held_on, meeting_result=result.value,
                          conditions=conditions)
            return
        status = ProposalStatus.CONFIRMED.value if ok else ProposalStatus.RECONSIDER.value
        if item.kind is AgendaKind.EVALUATION:
            repo.set_status(w, "evaluation", item.subject_id, status=status,  # type: ignore[arg-type]
                            confirmed_on=held_on if ok else None)
            # a 終結 proposed with this evaluation (its decision 終結) is decided with it
            for x in repo.closures(case_id):  # type: ignore[arg-type]
                if x["evaluation_id"] == item.subject_id and x["status"] == "proposed":
                    self._close(w, case_id, x["id"], ok, held_on)  # type: ignore[arg-type]
        elif item.kind is AgendaKind.SUSPENSION:
            repo.set_status(w, "suspension", item.subject_id, status=status,  # type: ignore[arg-type]
                            confirmed_on=held_on if ok else None)
            if not ok:   # the attempts count again for a later proposal
                for a in repo.contact_attempts(case_id):  # type: ignore[arg-type]
                    if a["suspension_id"] == item.subject_id:
                        repo.set_status(w, "contact_attempt", a["id"], suspension_id=None)
        elif item.kind is AgendaKind.CLOSURE:
            self._close(w, case_id, item.subject_id, ok, held_on)  # type: ignore[arg-type]

    def _close(self, w, case_id: str, closure_id: str, ok: bool, on: date) -> None:
        """終結 confirmed on ``on`` (the plans end, the case closes) or sent back."""
        repo = self._repo
        status = ProposalStatus.CONFIRMED.value if ok else ProposalStatus.RECONSIDER.value
        repo.set_status(w, "closure", closure_id, status=status,
                        confirmed_on=on if ok else None)
        if ok:
            for plan in repo.plans(case_id):
                if plan.status in (PlanStatus.APPROVED, PlanStatus.DRAFT,
                                   PlanStatus.SUBMITTED):
                    repo.set_plan(w, plan.id, status=PlanStatus.ENDED.value, ended_on=on)
            repo.set_status(w, "case_file", case_id, closed_on=on)

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
        state = self._case_state(plan.case_id)
        self._allow(state, Step.DECISION)
        if plan.status is not PlanStatus.APPROVED:
            raise ProcessError(_(P.MEETING_NEEDED))
        items = [i for i in plan.items if i.service_key == service_key]
        if not items:
            raise ProcessError(_("The plan does not contain this service."))
        if items[0].decision == "reported":
            raise ProcessError(_("This service needs no support decision; it is only reported "
                                 "to the municipality."))
        if items[0].decision != "required":
            raise ProcessError(_("The support decision for this service is already recorded."))
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
        row = self._repo.plan_item_row(plan_item_id)
        if row is None:
            raise NotFound(_("Support item not found."))
        plan = self._plan_or_404(row["plan_id"])
        c = _Check()
        started_on = c.date(started_on, "started_on", _("Start date"), required=True,
                            today=self._ctx.today())
        c.done()
        state = self._case_state(plan.case_id)
        if reason := P.can_start_item(state, plan_item_id):
            raise ProcessError(reason)
        decided = [d["decided_on"] for d in self._repo.decisions(plan.case_id)
                   if d["plan_id"] == plan.id and d["service_key"] == row["service_key"]
                   and d["result"] == "approved"]
        self._in_order(plan.case_id, ("service_start", "started_on", started_on),
                       approval=plan.approved_on,
                       decision=date.fromisoformat(decided[-1]) if decided else None)
        with self._store.transaction() as w:
            self._repo.insert_service_start(w, plan.case_id, plan.id, plan_item_id, started_on)
            self._restage(w, plan.case_id)   # the first start sets the first monitoring
            self._audit("service_start", plan.case_id, row["service_key"])
        return next(i for i in self._plan_or_404(plan.id).items if i.id == plan_item_id)

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
        old = self._repo.record_row(record_id)
        if old is None:
            raise NotFound(_("Support record not found."))
        c, at, m, content, person, nxt, staff = self._check_record(
            occurred_at or datetime.fromisoformat(old["occurred_at"]), method or old["method"],
            content, old["contact_person"] if contact_person is None else contact_person,
            old["next_action"] if next_action is None else next_action, "")
        reason = c.text(reason, "correction_reason", _("Reason for the correction"),
                        required=True, max_len=500)
        c.done()
        if old["corrected"]:
            raise ProcessError(_("This entry has already been corrected; correct the latest "
                                 "version."))
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
        self._allow(state, Step.EVALUATION)
        plan = state.active_plan
        assert plan is not None
        full = self._plan_or_404(plan.id)
        self._in_order(case_id, ("evaluation", "evaluated_on", evaluated_on),
                       ("outcome", "employed_on", data.employed_on),
                       ("outcome", "income_increased_on", data.income_increased_on),
                       approval=full.approved_on)
        meeting = self._meeting_or_404(meeting_id) if meeting_id else None
        if meeting is not None and meeting.held:
            raise ProcessError(_("The results of this meeting are already recorded; choose "
                                 "another meeting."))
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
        if reason_ := P.can_suspend(state, proposed_on):
            raise ProcessError(reason_)
        self._in_order(case_id, ("suspension", "proposed_on", proposed_on))
        meeting = self._meeting_or_404(meeting_id) if meeting_id else None
        if meeting is not None and meeting.held:
            raise ProcessError(_("The results of this meeting are already recorded; choose "
                                 "another meeting."))
        self._meeting_after(meeting, "suspension", proposed_on)
        case = self._store.case(case_id)
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
        if reason := P.can_close(state, pattern, grounds, on=proposed_on,
                                 without_evaluation_reason=no_eval):
            raise ProcessError(reason)
        if pattern is ClosurePattern.CONTACT_LOST and grounds is None:
            grounds = (ClosureGrounds.SUSPENSION if state.suspended
                       else ClosureGrounds.MOVED_AWAY)
        self._in_order(case_id, ("closure", "proposed_on", proposed_on))
        # (1)(2) after a プラン評価 that decided 終結: decided with it, no agenda item of its own
        ev = P.closing_evaluation(state) if pattern is not ClosurePattern.CONTACT_LOST else None
        meeting = self._meeting_or_404(meeting_id) if meeting_id and ev is None else None
        if meeting is not None and meeting.held:
            raise ProcessError(_("The results of this meeting are already recorded; choose "
                                 "another meeting."))
        self._meeting_after(meeting, "closure", proposed_on)
        with self._store.transaction() as w:
            row_id = self._repo.insert_closure(w, case_id, replace(
                data, pattern=pattern, grounds=grounds, reason=data.reason.strip(),
                no_evaluation_reason="" if ev is not None else no_eval),
                ev.id if ev is not None else None)
            if ev is not None and ev.status is ProposalStatus.CONFIRMED:
                # the meeting already decided 終結 with the evaluation
                confirmed = next((e["confirmed_on"] for e in self._repo.evaluations(case_id)
                                  if e["id"] == ev.id), None)
                on = max(proposed_on, date.fromisoformat(confirmed)) if confirmed \
                    else proposed_on
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
                       if x["status"] == "confirmed")
        with self._store.transaction() as w:
            row_id = self._repo.insert_followup(w, case_id, closure["id"], contacted_on, method,
                                                contact_person, content)
            self._audit("followup", case_id)
        return row_id


_SUBJECT_DATES = {"plan": ("plan_signed", "signed_on"), "evaluation": ("evaluation",
                                                                        "evaluated_on"),
                  "suspension": ("suspension", "proposed_on"),
                  "closure": ("closure", "proposed_on")}


def _subject_date(table: str, row: dict[str, Any]) -> tuple[str, date | None]:
    """(step, date) of what an agenda item asks the meeting to approve."""
    key, col = _SUBJECT_DATES[table]
    return key, date.fromisoformat(row[col]) if row.get(col) else None


_TIMELINE_RANKS = {k: i for i, k in enumerate((
    "intake", "emergency", "assessment", "screening", "referral", "plan", "plan_amendment",
    "decision", "service_start", "support_record", "monitoring", "evaluation",
    "contact_attempt", "suspension", "resume", "closure", "followup"))}
_MEETING_SUBJECT = {"new_plan": "plan", "replan": "plan", "evaluation": "evaluation",
                    "suspension": "suspension", "closure": "closure"}


def _timeline_rank(e: TimelineEntry) -> float:
    """Where an entry goes among those of its day: the order of the process; a meeting's
    result just after what it decided."""
    if e.kind == "meeting":
        return _TIMELINE_RANKS.get(_MEETING_SUBJECT.get(e.title, ""), 0) + 0.5
    return float(_TIMELINE_RANKS.get(e.kind, 0))


def _candidate(row: dict[str, Any]) -> AgendaCandidate:
    """An agenda candidate from its row; an evaluation says its decision and a closure its
    pattern, in words (what the agenda item's summary will say)."""
    kind, summary = AgendaKind(row["kind"]), row["summary"] or ""
    if kind is AgendaKind.EVALUATION:
        summary = EvaluationDecision(summary).label
    elif kind is AgendaKind.CLOSURE:
        summary = ClosurePattern(summary).label
    return AgendaCandidate(kind, row["case_id"], row["id"], summary, row["case_no"])


def _check_participants(c: _Check, participants: Iterable[Participant] | None
                        ) -> list[Participant]:
    people = []
    for i, p in enumerate(participants or ()):
        name = c.text(p.name, f"participants.{i}.name", _("Name"), required=True, max_len=50,
                      multiline=False)
        org = c.text(p.organisation, f"participants.{i}.organisation", _("Organisation"),
                     max_len=100, multiline=False)
        people.append(Participant(name, org, municipal=bool(getattr(p, "municipal", False))))
    return people


def _participants_json(people: list[Participant]) -> str:
    import json
    return json.dumps([asdict(p) for p in people], ensure_ascii=False)


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


install(ProcessOperations)   # every public operation checked against its rule
