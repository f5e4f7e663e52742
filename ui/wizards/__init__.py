"""The wizards: one frame (base.py ``FormWizard``, pages.py, inputs.py, draft.py) for the
相談受付 (intake.py, intake_pages.py) and one wizard per process step (app/process.py
``Step``), and how the case view opens them.

``open_step_wizard(step, desk, case_id, parent, **options)`` builds the wizard of ``step``;
``options`` carries the injected dialogs (tests never meet a modal). The pages are thin: the
core validates, and says which page comes next (``app.process.wizard_next``).
"""

from __future__ import annotations

from typing import Any, Callable

from app.process import Step
from ui.wizards.base import StepWizard
from ui.wizards.early import (
    AssessmentWizard, EmergencyWizard, ReferralCheckWizard, ScreeningWizard, TakeBackWizard,
)
from ui.wizards.plan import (
    DecisionWizard, PlanWizard, ReportWizard, ServiceStartWizard, SubmitPlanWizard,
)
from ui.wizards.support import (
    ClosureWizard, ContactAttemptWizard, EvaluationWizard, FollowupWizard, MonitoringWizard,
    RecordCorrectionWizard, RecordWizard, ResumeWizard, SuspensionWizard,
)

WIZARDS: dict[Step, Callable[..., StepWizard]] = {
    Step.EMERGENCY: EmergencyWizard,
    Step.ASSESSMENT: AssessmentWizard,
    Step.SCREENING: ScreeningWizard,
    Step.PLAN: lambda *a, **k: PlanWizard(*a, mode="plan", **k),
    Step.REPLAN: lambda *a, **k: PlanWizard(*a, mode="replan", **k),
    Step.AMEND_PLAN: lambda *a, **k: PlanWizard(*a, mode="amend", **k),
    Step.SUBMIT_PLAN: SubmitPlanWizard,
    Step.DECISION: DecisionWizard,
    Step.REPORT: ReportWizard,
    Step.SERVICE_START: ServiceStartWizard,
    Step.RECORD: RecordWizard,
    Step.MONITORING: MonitoringWizard,
    Step.EVALUATION: EvaluationWizard,
    Step.CONTACT_ATTEMPT: ContactAttemptWizard,
    Step.SUSPENSION: SuspensionWizard,
    Step.RESUME: ResumeWizard,
    Step.CLOSURE: ClosureWizard,
    Step.FOLLOWUP: FollowupWizard,
    Step.REFERRAL_CHECK: ReferralCheckWizard,
    Step.TAKE_BACK: TakeBackWizard,
}


def open_step_wizard(step: Step, desk, case_id: str, parent=None, **options: Any) -> StepWizard:
    return WIZARDS[Step(step)](desk, case_id, parent, **options)


__all__ = ["WIZARDS", "open_step_wizard", "StepWizard", "PlanWizard", "RecordCorrectionWizard"]
