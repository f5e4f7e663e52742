"""不足している社会資源: what a case needs and the region lacks, written in the アセスメント,
プラン or プラン評価 wizard, becomes a 地域課題 of the register raised from that case (issue 15
point 2) — in the same transaction as the step it was written in."""

from __future__ import annotations

from typing import Any, Callable

from app.i18n import _
from app.domain.region import IssueSource

FIELD = "unmet_needs"


def add_unmet_needs_row(page: Any, text_edit: Callable[[int], Any]) -> None:
    """The optional field, one need a line, with the guide's reason in its tooltip."""
    edit = text_edit(54)
    edit.setToolTip(_("A social resource this person needs and the region does not have "
                      "(one a line). Each line goes to the register of regional issues "
                      "(地域課題), raised from this case, so the desk can work on creating it."))
    page.row(_("Missing social resources (one a line)"), FIELD, edit)


def needs_of(answers: dict[str, Any]) -> list[str]:
    """The lines written, trimmed, without empty ones or repeats."""
    seen: list[str] = []
    for line in str(answers.get(FIELD) or "").splitlines():
        line = line.strip()
        if line and line not in seen:
            seen.append(line)
    return seen


def with_unmet_needs(desk: Any, case_id: str, needs: list[str], step: str,
                     operation: Callable[[], Any]) -> Callable[[], Any]:
    """``operation`` and one 地域課題 per need, committed together (or not at all)."""
    if not needs:
        return operation

    def run():
        with desk.batch():
            result = operation()
            case_no = desk.get_case(case_id).case.case_no
            for need in needs:
                desk.region.raise_regional_issue(
                    need[:200], _("Written in the {step} of case {case_no}.").format(
                        step=step, case_no=case_no),
                    source=IssueSource.CASE.value, case_no=case_no)
        return result
    return run
