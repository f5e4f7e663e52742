"""The case overview: one read of everything the case view shows (``Desk.case_overview``).

The screen used to ask eight questions one after another (the case, its steps, the next
actions, the plans, what waits for the 支援調整会議, the 緊急的な支援, the services, the
timeline), each checking the user again, building the case's state again and the timeline
writing its own audit commit — and a save between two of them could show a step bar that
disagreed with the timeline. Here they are read in one read transaction (one moment of
the database), the state built once, and the viewing audited after it in one commit.
"""

from __future__ import annotations

from typing import Iterable

from app import process as P
from app.domain.case_overview import CaseOverview
from app.errors import NotFound
from app.i18n import _
from app.operations.context import DeskContext
from app.operations.process import ProcessOperations
from app.operations.security import masked
from app.security.roles import Permission


def read_case_overview(ctx: DeskContext, process: ProcessOperations, case_id: str,
                       timeline_kinds: Iterable[str] | None = None) -> CaseOverview:
    """The overview of ``case_id`` for the logged-in user, whose right to see the case the
    caller (the authorization rule of ``Desk.case_overview``) has checked. Uses the process
    part's unchecked reads (same package): the check was made once, on entry."""
    store = ctx.db
    kinds = tuple(timeline_kinds) if timeline_kinds is not None else None
    with store.snapshot():
        detail = store.case_detail(case_id)
        if detail is None:
            raise NotFound(_("Case not found."))
        state = process._case_state(case_id)
        repo = process._repo
        overview = CaseOverview(
            detail=masked(detail),
            steps=tuple(P.steps(state)),
            next_actions=tuple(P.next_actions(state)),
            plans=tuple(repo.plans(case_id)),
            waiting=tuple(process._meeting_waits(case_id)),
            emergency=tuple(repo.emergency(case_id)),
            services=tuple(repo.services(active_only=False)),
            timeline=tuple(process._timeline_entries(case_id, kinds)),
            today=state.today or ctx.today(),
            may_edit=ctx.allows(Permission.EDIT_CASES),
            timeline_kinds=kinds)
    with store.transaction():   # after the read: a read transaction cannot turn into a write
        store.audit(ctx.user.login, "view_case", case_id=case_id, detail=detail.case.case_no)
        store.audit(ctx.user.login, "view_timeline", case_id=case_id)
    return overview


__all__ = ["read_case_overview"]
