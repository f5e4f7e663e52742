"""The registry of printable case sheets: name → render function (used by the Desk and CLI).

Every renderer has the signature ``render(out_path, agency, data: CaseData, *, blank=False,
strict=False) -> PrintResult``. Modules are imported on first use, so the CLI can list the
names without loading ReportLab. The meeting sheets (agenda, minutes) are printed per meeting
(forms.meeting) and the home-visit kit per visit (forms.visit_kit).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable

from app.i18n import N_

if TYPE_CHECKING:
    from forms.output import PrintResult

Renderer = Callable[..., "PrintResult"]
MEETING_SHEETS = ("agenda", "minutes")


def _lazy(module: str, name: str) -> Renderer:
    def render(*args, **kwargs) -> "PrintResult":
        return getattr(importlib.import_module(module), name)(*args, **kwargs)
    render.__name__ = name
    render.__doc__ = f"{module}.{name}"
    return render


def _intake(consent: bool) -> Renderer:
    def render_intake(out_path, agency, data, *, blank: bool = False,
                      strict: bool = False) -> "PrintResult":
        from forms.intake import render_intake_result
        return render_intake_result(out_path, agency, data.detail, blank=blank,
                                    consent=consent, strict=strict,
                                    prefill=data.person if blank else None,
                                    consents=data.consents)
    return render_intake


# The printed title of each sheet (msgids; the print menus and disclosure records use them).
SHEET_TITLES: dict[str, str] = {
    "intake": N_("Intake and application form"),
    "intake-noconsent": N_("Intake and application form without the consent clause"),
    "assessment": N_("Intake and assessment sheet"),
    "plan": N_("Support plan and application for services"),
    "records": N_("Support record sheet"),
    "monitoring": N_("Monitoring sheet"),
    "evaluation": N_("Plan evaluation sheet"),
    "closure": N_("Closure and follow-up record"),
    "consent": N_("Consent to the provision of information"),
}

SHEETS: dict[str, Renderer] = {
    "intake": _intake(True),
    "intake-noconsent": _intake(False),
    "assessment": _lazy("forms.assessment", "render_assessment"),
    "plan": _lazy("forms.plan", "render_plan"),
    "records": _lazy("forms.records", "render_records"),
    "monitoring": _lazy("forms.monitoring", "render_monitoring"),
    "evaluation": _lazy("forms.evaluation", "render_evaluation"),
    "closure": _lazy("forms.closure", "render_closure"),
    "consent": _lazy("forms.consent", "render_consent"),
}

__all__ = ["MEETING_SHEETS", "SHEETS", "SHEET_TITLES", "Renderer"]
