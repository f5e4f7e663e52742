"""The registry of printable sheets, and :func:`render` — what callers hand the desk.

The core reads what a sheet shows into a plain record of app/domain/paper.py and draws it
with the function its caller gives it: the screens and the CLI pass :func:`render`
(``desk.paper.print_sheet(case_id, "records", out, render=forms.sheets.render)``), which
picks the renderer by the record's type. forms/ never reads the database.

Every case-sheet renderer has the signature ``render(out_path, agency, data: CaseData, *,
blank=False, strict=False) -> PrintResult``. Modules are imported on first use, so the CLI
can list the names without loading ReportLab.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from app.domain.paper import (
    MEETING_SHEETS, SHEET_TITLES, AnnualPaper, CaseSheet, MeetingSheet, ReportPaper,
    TrainingHistory, VisitKit,
)

if TYPE_CHECKING:
    from forms.output import PrintResult

Renderer = Callable[..., "PrintResult"]


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
assert tuple(SHEETS) == tuple(SHEET_TITLES)


def render(paper: Any, out: str | Path) -> list[str]:
    """Draw ``paper`` (a record of app/domain/paper.py) at ``out``; return the warnings
    (characters no font has). The desk's print operations call it (``render=``)."""
    out = Path(out)
    if isinstance(paper, CaseSheet):
        result = SHEETS[paper.sheet](out, paper.agency, paper.data, blank=paper.blank)
    elif isinstance(paper, MeetingSheet):
        from forms import meeting
        draw = meeting.render_agenda if paper.sheet == "agenda" else meeting.render_minutes
        result = draw(out, paper.agency, paper.data)
    elif isinstance(paper, VisitKit):
        from forms.visit_kit import render_visit_kit
        result = render_visit_kit(out, paper.agency, paper.people)
    elif isinstance(paper, TrainingHistory):
        from forms.training import render_training_history
        result = render_training_history(paper, out)
    elif isinstance(paper, ReportPaper):
        from forms import report
        result = report.render_report(out, paper)
    elif isinstance(paper, AnnualPaper):
        from forms.annual import render_annual
        result = render_annual(out, paper)
    else:
        raise TypeError(f"no sheet draws {type(paper).__name__}")
    return list(result.warnings)


__all__ = ["MEETING_SHEETS", "SHEETS", "SHEET_TITLES", "Renderer", "render"]
