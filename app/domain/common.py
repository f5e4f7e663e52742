"""Enums shared across the domain: stages of a case, sex."""

from __future__ import annotations

from enum import Enum

from app.i18n import N_, _


class LabelledEnum(str, Enum):
    """A str enum whose members carry a translatable label (``member.label``)."""

    _label: str

    def __new__(cls, value: str, label: str = ""):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj._label = label or value
        return obj

    @property
    def label(self) -> str:
        return _(self._label)


class Sex(LabelledEnum):
    MALE = "male", N_("Male")
    FEMALE = "female", N_("Female")
    OTHER = "other", N_("Other")
    UNKNOWN = "unknown", N_("Unknown")


class Stage(LabelledEnum):
    """Stage of a case, in the order of the stage bar (受付 → … → 終結)."""

    INTAKE = "intake", N_("Intake")
    ASSESSMENT = "assessment", N_("Assessment")
    PLAN = "plan", N_("Plan")
    MEETING = "meeting", N_("Meeting")
    DECISION = "decision", N_("Decision")
    SUPPORT = "support", N_("Support")
    MONITORING = "monitoring", N_("Monitoring")
    EVALUATION = "evaluation", N_("Evaluation")
    CLOSED = "closed", N_("Closed")
    REFERRED = "referred", N_("Referred out")
    INFO_ONLY = "info_only", N_("Information only")
    SUSPENDED = "suspended", N_("Suspended")

    @classmethod
    def bar(cls) -> list["Stage"]:
        """The stages shown on the stage bar, in order."""
        return [cls.INTAKE, cls.ASSESSMENT, cls.PLAN, cls.MEETING, cls.DECISION,
                cls.SUPPORT, cls.MONITORING, cls.EVALUATION, cls.CLOSED]
