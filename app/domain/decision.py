"""支援決定: the municipality's decision on a statutory service, and which plans need one
(PROCESS.md §1.8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.common import LabelledEnum
from app.i18n import N_


class DecisionResult(LabelledEnum):
    """支援決定 by the municipality on one statutory service."""

    APPROVED = "approved", N_("Decided (service granted)")           # 支援決定
    REFUSED = "refused", N_("Not granted")                           # 不決定


@dataclass(frozen=True)
class Decision:
    """A recorded 支援決定 on one statutory service of a plan (read-only: a row of the
    store)."""

    id: str
    case_id: str
    plan_id: str
    service_key: str
    decided_on: date
    officer: str                        # 自治体担当
    result: DecisionResult = DecisionResult.APPROVED
    note: str = ""
    hlc: str = ""                       # when it was written: a stable order within a day


class DecisionNeed(LabelledEnum):
    """The 支援決定 matrix of PROCESS.md §1.8, by what the plan contains."""

    REQUIRED = "required", N_("Statutory services only: support decision required")
    STATUTORY_ONLY = "statutory_only", N_(
        "Statutory and other services: decision for the statutory ones, the rest reported")
    REPORT_ONLY = "report_only", N_("No statutory service: report only")


def decision_need(needs_decision: list[bool]) -> DecisionNeed:
    """Which row of the matrix a plan falls in (one flag per service item)."""
    if not any(needs_decision):
        return DecisionNeed.REPORT_ONLY
    if all(needs_decision):
        return DecisionNeed.REQUIRED
    return DecisionNeed.STATUTORY_ONLY
