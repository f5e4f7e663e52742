"""Item-level rules of the process (issue 21): the rules on one item a step touches — a
meeting, an agenda item, a plan, a service of the plan, a referral, a record — each with a
stable name and exactly one message. app/process.py checks them over the case's facts
(``*_blockers``) beside its step graph; an operation of ``desk.process`` refuses with the
first blocker's message, and ``desk.process.why_not`` lists the same blockers before a
screen acts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.i18n import N_, _

MEETING_NEEDED = N_("The approval of the support coordination meeting is needed.")
NO_PLAN = N_("There is no plan in effect.")
DECISION_FIRST = N_("A statutory service cannot start before the municipality's support "
                    "decision.")
REPLAN_INSTEAD = N_("This is not a minor amendment. Submit it to the support coordination "
                    "meeting as a re-plan.")


@dataclass(frozen=True)
class Rule:
    """An item-level rule of the process: its name and its one message (an English msgid)."""

    name: str
    msgid: str

    def message(self, **values: Any) -> str:
        text = _(self.msgid)
        return text.format(**values) if values else text

    def blocks(self, **values: Any) -> Blocker:
        return Blocker(self.name, self.message(**values))


@dataclass(frozen=True)
class Blocker:
    """Why an action is refused now: the rule's name (``step`` for the step graph's reason,
    ``role`` for the user's role) and the translated message."""

    rule: str
    message: str

    def __str__(self) -> str:
        return self.message


MEETING_RECORDED = Rule("meeting_recorded", N_(
    "The results of this meeting are already recorded; choose another meeting."))
MEETING_PAST = Rule("meeting_past", N_("Choose a meeting dated today or later."))
SAME_MEETING = Rule("same_meeting", N_("The item is already on this meeting's agenda."))
NOT_WAITING = Rule("not_waiting", N_(
    "This item is not waiting for the support coordination meeting."))
AGENDA_KIND = Rule("agenda_kind", N_(
    "Choose the item type that matches the plan (new plan or re-plan)."))
ON_AGENDA = Rule("on_agenda", N_("This item is already on the agenda of a meeting."))
CLOSURE_WITH_EVALUATION = Rule("closure_with_evaluation", N_(
    "This closure is decided with its plan evaluation; it needs no agenda item of its own."))
RESULT_RECORDED = Rule("result_recorded", N_("The result of this item is already recorded."))
ITEM_WITHDRAWN = Rule("item_withdrawn", N_("This item was withdrawn from the agenda."))
NO_PROCEDURE = Rule("no_procedure", N_("No municipal procedure is pending for this support."))
REFERRAL_CHECKED = Rule("referral_checked", N_("This referral has already been checked."))
ARRIVAL_FIRST = Rule("arrival_first", N_(
    "Check first that the person did not reach the agency, then take the case back."))
DRAFT_ONLY = Rule("draft_only", N_(
    "Only a draft plan can be edited. Amend the plan in effect instead (plan amendment)."))
NO_DRAFT = Rule("no_draft", N_("There is no draft plan to submit."))
AMEND_IN_EFFECT = Rule("amend_in_effect", N_("Only the plan in effect can be amended."))
STARTED_STAYS = Rule("started_stays", N_(
    "A service that has started cannot be removed by an amendment; end it with a re-plan."))
MINOR_ONLY = Rule("minor_only", REPLAN_INSTEAD)
PLAN_APPROVED_FIRST = Rule("plan_approved_first", MEETING_NEEDED)
NOT_IN_PLAN = Rule("not_in_plan", N_("The plan does not contain this service."))
REPORTED_SERVICE = Rule("reported_service", N_(
    "This service needs no support decision; it is only reported to the municipality."))
DECISION_RECORDED = Rule("decision_recorded", N_(
    "The support decision for this service is already recorded."))
ITEM_NOT_IN_PLAN = Rule("item_not_in_plan", N_("This item is not part of the plan in effect."))
ITEM_STARTED = Rule("item_started", N_("This service has already started."))
ITEM_REFUSED = Rule("item_refused", N_("The municipality did not grant this service."))
DECISION_BEFORE_START = Rule("decision_before_start", DECISION_FIRST)
RECORD_CORRECTED = Rule("record_corrected", N_(
    "This entry has already been corrected; correct the latest version."))
REPORT_IN_EFFECT = Rule("report_in_effect", N_("Only the plan in effect can be reported."))

# 相談受付 of a person whose case is still open (one open case per person, issue 19): the
# intake is recorded as a 相談 in that case; a new case only when it is ending, with a reason
OPEN_CASE = Rule("open_case", N_(
    "This person has an open case ({case_no}). Record this consultation in that case instead "
    "of a new intake."))
CASE_ENDING = Rule("case_ending", N_(
    "This person's case {case_no} is ending. Record this consultation in that case, or open a "
    "new case and give the reason."))
INTAKE_RULES: tuple[Rule, ...] = (OPEN_CASE, CASE_ENDING)

ITEM_RULES: tuple[Rule, ...] = (
    MEETING_RECORDED, MEETING_PAST, SAME_MEETING, NOT_WAITING, AGENDA_KIND, ON_AGENDA,
    CLOSURE_WITH_EVALUATION, RESULT_RECORDED, ITEM_WITHDRAWN, NO_PROCEDURE, REFERRAL_CHECKED,
    ARRIVAL_FIRST, DRAFT_ONLY, NO_DRAFT, AMEND_IN_EFFECT, STARTED_STAYS, MINOR_ONLY,
    PLAN_APPROVED_FIRST, NOT_IN_PLAN, REPORTED_SERVICE, DECISION_RECORDED, ITEM_NOT_IN_PLAN,
    ITEM_STARTED, ITEM_REFUSED, DECISION_BEFORE_START, RECORD_CORRECTED, REPORT_IN_EFFECT)


