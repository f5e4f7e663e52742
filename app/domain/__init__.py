"""Domain objects of the consultation process: plain dataclasses and enums, no I/O."""

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
