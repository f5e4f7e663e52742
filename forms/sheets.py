"""The registry of printable case sheets: name → render function (used by the Desk and CLI).

Every renderer has the signature ``render(out_path, agency, data: CaseData, *, blank=False,
strict=False) -> PrintResult``. Modules are imported on first use, so the CLI can list the
names without loading ReportLab. The meeting sheets (agenda, minutes) are printed per meeting
(forms.meeting) and the home-visit kit per visit (forms.visit_kit).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable

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
                                    prefill=data.person if blank else None)
    return render_intake


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

__all__ = ["MEETING_SHEETS", "SHEETS", "Renderer"]
