"""Domain objects of the consultation process: plain dataclasses and enums, no I/O.

One module per subject — person, case, intake, assessment (and screening), plan, decision
(支援決定), meeting (支援調整会議), record (支援経過記録), monitoring, evaluation, suspension,
closure, referral, service, agency, worklist (the dashboard's lists), region — plus
case_state (what the rules of app/process.py read) and step_dates (the date order between
steps). Import a record from its module."""

from app.domain.common import Sex, Stage
from app.domain.intake import (
    CONSULTATION_TOPICS,
    EmergencyAction,
    Intake,
    IntakeInput,
    Route,
    Triage,
    Visitor,
)
from app.domain.person import Person, PersonInput
from app.domain.case import Case, CaseSummary, CaseDetail
from app.domain.agency import Agency, ReferralSource, Staff

__all__ = [
    "Agency", "Case", "CaseDetail", "CaseSummary", "CONSULTATION_TOPICS", "EmergencyAction",
    "Intake", "IntakeInput", "Person", "PersonInput", "ReferralSource", "Route", "Sex",
    "Stage", "Staff", "Triage", "Visitor",
]
