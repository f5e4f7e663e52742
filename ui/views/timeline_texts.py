"""The case view's words for what happened: the kinds of the timeline (``desk.process.timeline``) in
the process's order, one entry as (kind, what happened), a support decision's status."""

from __future__ import annotations

from app.domain import EmergencyAction
from app.domain.assessment import ScreeningResult
from app.domain.case import TimelineEntry
from app.domain.closure import ClosurePattern
from app.domain.decision import DecisionResult
from app.domain.evaluation import EvaluationDecision
from app.domain.meeting import AgendaKind, MeetingResult, ProposalStatus
from app.domain.monitoring import MonitoringKind
from app.domain.record import RecordMethod
from app.domain.suspension import ContactMethod
from app.i18n import N_, _


# Kinds of the timeline (desk.process.timeline), in the process's order, with their labels.
TIMELINE_KINDS: list[tuple[str, str]] = [
    ("intake", N_("Intake")), ("emergency", N_("Urgent support")),
    ("assessment", N_("Assessment")), ("screening", N_("Screening")),
    ("referral", N_("Referral to another agency")), ("plan", N_("Plan")),
    ("plan_amendment", N_("Plan amendment")),
    ("meeting", N_("Support coordination meeting")), ("decision", N_("Support decision")),
    ("service_start", N_("Start of services")), ("support_record", N_("Support record")),
    ("monitoring", N_("Monitoring")), ("evaluation", N_("Plan evaluation")),
    ("contact_attempt", N_("Attempt to make contact")), ("suspension", N_("Suspension")),
    ("resume", N_("Resumption")), ("closure", N_("Closure")), ("followup", N_("Follow-up")),
]


def _enum_label(enum, value: str) -> str:
    try:
        return enum(value).label
    except ValueError:
        return value


def decision_status_text(decision: str) -> str:
    return {"required": _("Waiting for the support decision"),
            "decided": _("Support decision made"), "refused": _("Not granted"),
            "reported": _("Reported only")}.get(decision, decision)


def timeline_texts(e: TimelineEntry, service_names: dict[str, str]) -> tuple[str, str]:
    """(kind label, what happened) of one timeline entry, in words, not keys."""
    kind = _(dict(TIMELINE_KINDS).get(e.kind, e.kind))
    title, text = e.title, e.text or ""
    if e.kind == "intake":
        title = ""
    elif e.kind == "emergency":
        title = _enum_label(EmergencyAction, title)
    elif e.kind == "assessment":
        title = _("Version {n}").format(n=title)
    elif e.kind == "screening":
        title = _enum_label(ScreeningResult, title)
    elif e.kind == "referral":
        title = _("Referred to: {agency}").format(agency=title)
    elif e.kind == "plan":
        title = _("Plan No. {n}").format(n=title)
    elif e.kind == "meeting":
        result, _sep, conditions = text.partition(": ")
        title = _enum_label(AgendaKind, title)
        text = _enum_label(MeetingResult, result) + (f"（{conditions}）" if conditions else "")
    elif e.kind == "decision":
        title = service_names.get(title, title)
        text = _enum_label(DecisionResult, text)
    elif e.kind == "support_record":
        title = _enum_label(RecordMethod, title)
        if e.superseded:
            title += _("(corrected; old text)")
    elif e.kind == "monitoring":
        title = _enum_label(MonitoringKind, title)
    elif e.kind == "evaluation":
        title = _enum_label(EvaluationDecision, title)
    elif e.kind == "contact_attempt":
        title = _enum_label(ContactMethod, title)
    elif e.kind == "suspension":
        title = _enum_label(ProposalStatus, title)
    elif e.kind == "closure":
        title = _enum_label(ClosurePattern, title)
    body = "　".join(x for x in (title, text.replace("\n", " ")) if x)
    return kind, body
