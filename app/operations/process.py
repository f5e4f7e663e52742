"""Process steps after intake (assessment … closure): Desk operations. See app/process.py.

Each operation checks the permission, validates its input (messages name the field), asks
app/process.py whether the step is allowed now (ProcessError with the reason if not), then
writes the rows, the journal and the audit entry in one transaction and brings the case's
stage up to date. Nothing here writes SQL: app/store/process_repo.py does.

``desk.process`` is composed by subject — PlanSteps (process_plans.py),
MeetingSteps (process_meetings.py), SupportSteps (process_support.py), GuideRules
(guide_rules.py) and WhyNot (process_why.py) over the shared plumbing of
ProcessPart (process_part.py) — and this class, the one entry the screens use,
declares every operation's rule (RULES) and holds the reads.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Iterable

from app.domain.rules import Blocker
from app.domain.assessment import Screening, Assessment, AssessmentInput, ScreeningResult
from app.domain.closure import Closure, Followup, ClosureInput, ClosurePattern
from app.domain.intake import EmergencySupport
from app.domain.monitoring import Monitoring, MonitoringInput
from app.domain.plan import PlanAmendment, Plan, PlanInput, PlanItem, PlanStatus, PlanVersion
from app.domain.case import TimelineEntry
from app.domain.case_state import CaseState, ProcessSettings
from app.domain.decision import Decision, DecisionResult
from app.domain.evaluation import Evaluation, EvaluationDecision, EvaluationInput
from app.domain.meeting import (
    AgendaCandidate, AgendaItem, AgendaKind, Meeting, MeetingKind, MeetingResult,
    MeetingSummary, MeetingWait, Participant,
)
from app.domain.record import RecordMethod, SupportRecord
from app.domain.referral import Referral
from app.domain.service import Service
from app.domain.suspension import ContactMethod, ContactOutcome
from app.domain.worklist import (
    DashboardBoard, DecisionPending, EmergencyPending, EvaluationDue, MeetingDue,
    MonitoringDue, PlanWaiting, ReferralToCheck, SuspendedCase,
)
from app import process as P
from app.domain import EmergencyAction, Stage
from app.errors import (
    NotFound, PermissionDenied, ProcessError, ValidationError, ValidationErrors,
)
from app.i18n import _
from app.operations.region import RegionOperations
from app.security.authorization import (
    EDIT, LISTED, OPEN, VIEW, AnyOf, Arg, Row, Rule, install, need, read, write,
)
from app.security.roles import Permission
from app.operations.context import DeskContext
from app.operations.guide_rules import GuideRules
from app.operations.process_meetings import MeetingSteps
from app.operations.process_part import ProcessPart
from app.operations.process_plans import PlanSteps
from app.operations.process_support import SupportSteps
from app.operations.process_why import WhyNot


# Rows of each dashboard list: the counts are always whole; a caseworker reads the first
# ones (the GUI loads the rest of one list on request).
DASHBOARD_ROWS = 200


def _counted(rows: list) -> tuple[list, int]:
    return rows, len(rows)


def _typed(record: Any, listed: tuple[list[dict[str, Any]], int]) -> tuple[list[Any], int]:
    """A dashboard list's (rows, count) with each row as its record (app/domain/worklist.py)."""
    rows, count = listed
    return [record.from_row(r) for r in rows], count


class _DryRun(Exception):
    """Ends a check_only transaction: everything it wrote is rolled back."""


def _board_detail(args: dict[str, Any], result: Any) -> str:
    counts = result.counts if isinstance(result, DashboardBoard) else {}
    return " ".join(f"{k}={v}" for k, v in sorted(counts.items()))[:500]


def _records_detail(args: dict[str, Any], result: Any) -> str:
    return f"{len(result) if isinstance(result, list) else ''} records"


class ProcessOperations(ProcessPart):
    """``desk.process``: the consultation process from 緊急的な支援 to フォローアップ, the
    支援調整会議 and the guide's rules (GuideRules)."""

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
        # before acting: the body checks the case the action touches (VIEW)
        "why_not": need(AnyOf(VIEW, Permission.VIEW_AGENDA_CASES)),
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
        # the parts, by subject (each with the shared plumbing of ProcessPart)
        self._plans = PlanSteps(ctx)
        self._meetings = MeetingSteps(ctx, region)
        self._support = SupportSteps(ctx)
        self._guide = GuideRules(ctx, self._support)
        self._why = WhyNot(ctx, self.RULES, self._meetings)

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

    # a case's rows, oldest first (the printed sheets read them through desk.paper)
    def monitorings(self, case_id: str) -> list[Monitoring]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return list(reversed(self._repo.monitorings(case_id)))

    def evaluations(self, case_id: str) -> list[Evaluation]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.evaluations(case_id)

    def closures(self, case_id: str) -> list[Closure]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.closures(case_id)

    def followups(self, case_id: str) -> list[Followup]:
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._repo.followups(case_id)

    def decisions(self, case_id: str) -> list[Decision]:
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

    def _meeting_waits(self, case_id: str) -> list[MeetingWait]:
        """``waiting_for_meeting``, unchecked (the case overview)."""
        return self._meetings._meeting_waits(case_id)

    def dashboard(self, limit: int | None = DASHBOARD_ROWS,
                  lists: Iterable[str] | None = None) -> DashboardBoard:
        """Lists for the dashboard: the first ``limit`` rows of each (None: all of them),
        and under ``counts`` how many each list has. Only the cases this user may see,
        filtered in SQL. ``lists`` names the lists wanted (default: every one)."""
        self._ctx.require(Permission.VIEW_CASES)
        today = self._ctx.today()
        access = self._ctx.case_access()
        repo = self._repo
        queries: dict[str, Callable[[], tuple[list[Any], int]]] = {
            "monitoring_today": lambda: _typed(
                MonitoringDue, repo.monitoring_on(today, access, limit)),
            "monitoring_overdue": lambda: _typed(
                MonitoringDue, repo.monitoring_overdue(today, access, limit)),
            "referrals_to_check": lambda: _typed(
                ReferralToCheck, repo.referrals_to_check(today, access, limit)),
            "plans_waiting_for_meeting": lambda: _typed(
                PlanWaiting, repo.plans_waiting(access, limit)),
            "decisions_pending": lambda: _typed(
                DecisionPending, repo.decisions_pending(access, limit)),
            "emergency_procedures_pending": lambda: _typed(
                EmergencyPending, repo.emergency_pending(access, limit)),
            "suspended_cases": lambda: _typed(SuspendedCase, repo.suspended_cases(access, limit)),
            # プラン評価 due at the end of the plan period (issue 19)
            "evaluations_due": lambda: _typed(EvaluationDue, repo.evaluations_due(
                date.fromordinal(today.toordinal()
                                 + self.process_settings().evaluation_notice_days),
                access, limit)),
            "next_meetings": lambda: _typed(MeetingDue, _counted(repo.next_meetings(today))),
        }
        wanted = list(queries) if lists is None else [k for k in queries if k in set(lists)]
        board: dict[str, Any] = {}
        counts: dict[str, int] = {}
        for key in wanted:
            rows, counts[key] = queries[key]()
            board[key] = tuple(rows)
        return DashboardBoard(**board, counts=counts)

    # ---------------------------------------------------- 緊急的な支援 … サービス開始: process_plans.py
    def record_emergency(self, case_id: str, action: EmergencyAction | str, done_on: date,
                         note: str = "") -> str:
        """緊急的な支援: record what was done; statutory ones carry a pending procedure."""
        return self._plans.record_emergency(case_id, action, done_on, note)

    def complete_emergency_procedure(self, emergency_id: str, done_on: date) -> None:
        """The municipal procedure of a statutory emergency support is done."""
        return self._plans.complete_emergency_procedure(emergency_id, done_on)

    def save_assessment(self, case_id: str, data: AssessmentInput) -> Assessment:
        """アセスメント: adds a new version (a re-assessment never overwrites the old one)."""
        return self._plans.save_assessment(case_id, data)

    def screen(self, case_id: str, result: ScreeningResult | str, screened_on: date, *,
               note: str = "", referral_to: str = "", accompanied: bool = False,
               check_on: date | None = None, reported_on: date | None = None) -> str:
        """スクリーニング: 継続支援 / 他機関へつなぐ (with the check date) / 情報提供で終了."""
        return self._plans.screen(
            case_id, result, screened_on, note=note, referral_to=referral_to,
            accompanied=accompanied, check_on=check_on, reported_on=reported_on)

    def check_referral(self, referral_id: str, checked_on: date, arrived: bool,
                       note: str = "") -> Referral:
        """後日確認: did the person reach the agency they were referred to?"""
        return self._plans.check_referral(referral_id, checked_on, arrived, note)

    def take_back(self, referral_id: str, taken_back_on: date, note: str = "") -> None:
        """ケースの引き戻し: a referral that failed comes back into continued support."""
        return self._plans.take_back(referral_id, taken_back_on, note)

    def draft_plan(self, case_id: str, data: PlanInput) -> Plan:
        """プラン作成 (first plan) or 再プラン (after an approved プラン評価), as a draft."""
        return self._plans.draft_plan(case_id, data)

    def update_plan(self, plan_id: str, data: PlanInput) -> Plan:
        """Edit a draft (also one sent back by 再検討) before submitting it again."""
        return self._plans.update_plan(plan_id, data)

    def submit_plan(self, plan_id: str, meeting_id: str | None = None) -> Plan:
        """Put a signed draft before the 支援調整会議 (on ``meeting_id``'s agenda if given)."""
        return self._plans.submit_plan(plan_id, meeting_id)

    def amend_plan(self, plan_id: str, data: PlanInput, reason: str,
                   amended_on: date | None = None) -> Plan:
        """プランの修正: a minor change of the plan in effect; before and after are kept."""
        return self._plans.amend_plan(plan_id, data, reason, amended_on)

    def record_decision(self, plan_id: str, service_key: str, decided_on: date, officer: str,
                        result: DecisionResult | str = DecisionResult.APPROVED,
                        note: str = "") -> str:
        """支援決定 by the municipality on one statutory service of the plan in effect."""
        return self._plans.record_decision(
            plan_id, service_key, decided_on, officer, result, note)

    def start_service(self, plan_item_id: str, started_on: date) -> PlanItem:
        """サービス開始 of one item; a statutory service only after its 支援決定."""
        return self._plans.start_service(plan_item_id, started_on)

    # ---------------------------------------------------- 支援調整会議: process_meetings.py
    def plan_meeting(self, held_on: date, kind: MeetingKind | str = MeetingKind.REGULAR, *,
                     place: str = "", participants: Iterable[Participant] = (),
                     next_meeting_on: date | None = None) -> Meeting:
        """Schedule a 支援調整会議 (定例 or 随時)."""
        return self._meetings.plan_meeting(
            held_on, kind, place=place, participants=participants,
            next_meeting_on=next_meeting_on)

    def add_agenda_item(self, meeting_id: str, kind: AgendaKind | str, case_id: str | None = None,
                        subject_id: str | None = None, summary: str = "") -> AgendaItem:
        """Put a case (its plan, evaluation, 中断 or 終結) or a 地域課題 on the agenda."""
        return self._meetings.add_agenda_item(
            meeting_id, kind, case_id, subject_id, summary)

    def record_meeting_results(self, meeting_id: str,
                               results: dict[str, tuple[MeetingResult | str, str]],
                               minutes: str = "", *,
                               participants: Iterable[Participant] | None = None,
                               next_meeting_on: date | None = None,
                               municipality_absence: str = "") -> Meeting:
        """The 支援調整会議 decided: 了承 / 修正のうえ了承 (conditions) / 再検討 per item."""
        return self._meetings.record_meeting_results(
            meeting_id, results, minutes, participants=participants,
            next_meeting_on=next_meeting_on, municipality_absence=municipality_absence)

    def open_meetings(self) -> list[MeetingSummary]:
        """Meetings an agenda item can go to: not yet recorded, dated today or later, the
        nearest first (no case data: for every user who edits cases)."""
        return self._meetings.open_meetings()

    def withdraw_agenda_item(self, item_id: str, reason: str) -> AgendaItem:
        """Take an item off a meeting's agenda, with the reason. What it was to approve still
        waits (次にすること shows it; it can be put on another meeting)."""
        return self._meetings.withdraw_agenda_item(item_id, reason)

    def move_agenda_item(self, item_id: str, meeting_id: str, reason: str = ""
                         ) -> AgendaItem:
        """Move an item waiting for its result to another meeting not yet recorded (a 随時
        meeting today instead of the 定例 one two weeks ahead). The old item stays on its
        meeting as withdrawn (moved_to); returns the new item."""
        return self._meetings.move_agenda_item(item_id, meeting_id, reason)

    def waiting_for_meeting(self, case_id: str) -> list[MeetingWait]:
        """What of the case waits for the 支援調整会議 — a submitted plan, a proposed プラン評価, 中断 or 終結
        — each with the meeting whose agenda it is on (None: on none)."""
        return self._meetings.waiting_for_meeting(case_id)

    def put_on_meeting(self, case_id: str, subject_id: str, meeting_id: str,
                       reason: str = "") -> AgendaItem:
        """Put what waits (``subject_id``) on the agenda of ``meeting_id``: added if it is on
        no agenda, moved if it is on another one."""
        return self._meetings.put_on_meeting(case_id, subject_id, meeting_id, reason)

    # ---------------------------------------------------- 記録 … フォローアップ: process_support.py
    def add_record(self, case_id: str, occurred_at: datetime, method: RecordMethod | str,
                   content: str, *, contact_person: str = "", next_action: str = "",
                   staff: str = "") -> SupportRecord:
        """支援経過記録: one contact (append-only)."""
        return self._support.add_record(
            case_id, occurred_at, method, content, contact_person=contact_person,
            next_action=next_action, staff=staff)

    def correct_record(self, record_id: str, content: str, reason: str, *,
                       occurred_at: datetime | None = None, method: RecordMethod | str | None = None,
                       contact_person: str | None = None, next_action: str | None = None
                       ) -> SupportRecord:
        """Correct a 支援経過記録: a new entry supersedes the old one, which stays readable."""
        return self._support.correct_record(
            record_id, content, reason, occurred_at=occurred_at, method=method,
            contact_person=contact_person, next_action=next_action)

    def add_monitoring(self, case_id: str, data: MonitoringInput) -> str:
        """モニタリング of the plan in effect; schedules the next one (monthly by default, on a
        business day)."""
        return self._support.add_monitoring(case_id, data)

    def evaluate(self, case_id: str, data: EvaluationInput,
                 meeting_id: str | None = None) -> str:
        """プラン評価 of the plan in effect, proposed to the 支援調整会議 (its agenda if given)."""
        return self._support.evaluate(case_id, data, meeting_id)

    def add_contact_attempt(self, case_id: str, attempted_on: date,
                            method: ContactMethod | str,
                            outcome: ContactOutcome | str = ContactOutcome.NO_RESPONSE,
                            note: str = "") -> str:
        """An effort to reach the person (連絡票, 知人 …) — required before 中断; a move-away found
        here allows 終結(3)."""
        return self._support.add_contact_attempt(
            case_id, attempted_on, method, outcome, note)

    def propose_suspension(self, case_id: str, proposed_on: date, reason: str,
                           meeting_id: str | None = None) -> str:
        """中断: after recorded attempts to reach the person; reported to the 支援調整会議, in effect
        once it confirms. Every record is kept for a later 再開."""
        return self._support.propose_suspension(case_id, proposed_on, reason, meeting_id)

    def resume(self, case_id: str, resumed_on: date, note: str = "") -> Stage:
        """再開 of a suspended case: everything recorded before stays; monitoring restarts."""
        return self._support.resume(case_id, resumed_on, note)

    def propose_closure(self, case_id: str, data: ClosureInput,
                        meeting_id: str | None = None) -> str:
        """終結 (1)(2)(3), proposed to the 支援調整会議. (3) only after a confirmed 中断 or a recorded
        move-away: 連絡がないことだけでは終結しない."""
        return self._support.propose_closure(case_id, data, meeting_id)

    def add_followup(self, case_id: str, contacted_on: date, content: str, *, method: str = "",
                     contact_person: str = "") -> str:
        """フォローアップ contact after a confirmed 終結."""
        return self._support.add_followup(
            case_id, contacted_on, content, method=method, contact_person=contact_person)

    # ---------------------------------------------------- the guide's rules: guide_rules.py
    def set_process_settings(self, **values: int) -> ProcessSettings:
        """Change the figures (the 主任 or the administrator)."""
        return self._guide.set_process_settings(**values)

    def report_plan(self, plan_id: str, reported_on: date, reported_to: str) -> Plan:
        """報告: a plan without statutory services is reported to the municipality (no 支援決定); the
        date and to whom are recorded."""
        return self._guide.report_plan(plan_id, reported_on, reported_to)

    def plan_report(self, plan_id: str) -> tuple[date | None, str]:
        """(date, to whom) of the plan's 報告 to the municipality, (None, '') if none."""
        return self._guide.plan_report(plan_id)

    def plan_versions(self, plan_id: str) -> list[PlanVersion]:
        """The plan as approved by the 支援調整会議, then after each プランの修正 (oldest
        first)."""
        return self._guide.plan_versions(plan_id)

    def open_case_of(self, person_id: str) -> tuple[str, str, bool] | None:
        """(case id, case number, ending) of the person's open case, or None. Open: not closed
        and not ended by a referral or information; ending: a 終結 is proposed or a プラン評価
        decided 終結."""
        return self._guide.open_case_of(person_id)

    def check_open_case(self, existing_person_id: str | None, new_case_reason: str) -> None:
        """register_intake: a person with an open case gets no second case — the intake is
        recorded as a 相談 in that case (record_consultation); only when the open case is
        ending may a new case be opened, with the reason."""
        return self._guide.check_open_case(existing_person_id, new_case_reason)

    def record_consultation(self, case_id: str, data: Any) -> SupportRecord:
        """The 相談 of a person whose case is open, recorded in that case as a 支援経過記録 (an
        IntakeInput's date, route and what was consulted) — never a new consultation in the
        statistics."""
        return self._guide.record_consultation(case_id, data)

    def evaluations_due(self, limit: int | None = 200) -> tuple[list[EvaluationDue], int]:
        """Plans in effect whose period ends within the notice days (or has ended) with no
        プラン評価 yet: (first ``limit`` rows, how many), of the cases this user may see."""
        return self._guide.evaluations_due(limit)

    # ---------------------------------------------------- before acting: process_why.py
    def why_not(self, action: str, **args: Any) -> list[Blocker]:
        """What refuses the operation ``action`` of desk.process (by name, with the arguments
        the screen would pass; ``data`` optional) now: the user's role, the step graph and
        the item-level rules (app/domain/rules.py) — each blocker with its rule's name and
        the very message the operation refuses with; [] when the process allows it (the
        fields are checked when saving)."""
        return self._why.why_not(action, **args)


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


install(ProcessOperations)   # every public operation checked against its rule
