"""Desk.case_overview (issue 21 point 5): everything the case view shows in one read — the
same answers as the separate reads, read at one moment, the whereabouts of a 閲覧制限 person
masked, the viewing audited once, refused like any case read."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from app.desk import Desk
from app.domain.assessment import AssessmentInput, ScreeningResult
from app.domain.plan import Goal, PlanInput, PlanItem
from app.domain.case_overview import CaseOverview
from app.errors import PermissionDenied
from app.security.keyslots import KdfParams
from app.security.roles import Role
from tests.conftest import make_intake
from tests.sheet_cases import TODAY, full_case, meeting


def _audits(desk, case_id):
    return [r.action for r in desk.store.audit_entries(case_id=case_id)]


def test_the_overview_answers_what_the_separate_reads_answer(desk):
    ids = full_case(desk)
    cid = ids["case_id"]
    ov = desk.case_overview(cid)
    assert isinstance(ov, CaseOverview) and ov.case_id == cid
    with pytest.raises(dataclasses.FrozenInstanceError):
        ov.may_edit = False   # type: ignore[misc]
    assert ov.detail == desk.get_case(cid)
    assert list(ov.steps) == desk.process.case_steps(cid)
    assert list(ov.next_actions) == desk.process.next_actions(cid)
    assert list(ov.plans) == desk.process.plans(cid)
    assert list(ov.waiting) == desk.process.waiting_for_meeting(cid)
    assert list(ov.emergency) == desk.process.emergency_support(cid)
    assert list(ov.services) == desk.process.services(include_inactive=True)
    assert list(ov.timeline) == desk.process.timeline(cid)
    assert ov.today == TODAY and ov.may_edit is True and ov.timeline_kinds is None
    assert {e.kind for e in ov.timeline} >= {"intake", "plan", "closure"}
    only = desk.case_overview(cid, ["support_record"])
    assert only.timeline_kinds == ("support_record",)
    assert list(only.timeline) == desk.process.timeline(cid, ["support_record"])
    assert len(only.timeline) == 3    # two records, one of them corrected


def test_what_waits_for_the_meeting_and_the_audit(desk):
    desk._today = lambda: date(2026, 5, 1)
    cid = desk.register_intake(make_intake()).case.id
    desk.process.save_assessment(cid, AssessmentInput(assessed_on=date(2026, 4, 9),
                                                      analysis="家計", problems=["job_search"]))
    desk.process.screen(cid, ScreeningResult.CONTINUE, date(2026, 4, 9))
    plan = desk.process.draft_plan(cid, PlanInput(
        aim="働く", goals=[Goal("履歴書", date(2026, 6, 30))],
        items=[PlanItem("家計相談", "self_reliance", period_from=date(2026, 4, 20),
                        period_to=date(2026, 9, 30))],
        period_from=date(2026, 4, 20), period_to=date(2026, 9, 30),
        next_monitoring_on=date(2026, 5, 14), signed_on=date(2026, 4, 15)))
    desk.process.submit_plan(plan.id, meeting(desk, date(2026, 5, 20)))
    before = _audits(desk, cid)
    ov = desk.case_overview(cid)
    assert [w.subject_id for w in ov.waiting] == [plan.id] and ov.waiting[0].meeting_on
    assert ov.waiting == tuple(desk.process.waiting_for_meeting(cid))
    # one commit after the read: the case and its timeline viewed, as the screen did before
    after = _audits(desk, cid)
    assert len(after) == len(before) + 2 and after[:2] == ["view_timeline", "view_case"]
    assert not desk.store.conn.in_transaction


def test_a_restricted_persons_whereabouts_come_masked(desk):
    cid = desk.register_intake(make_intake()).case.id
    desk.security.set_sensitive(cid, True, "DV被害・住民票の閲覧制限あり")
    person = desk.case_overview(cid).detail.person
    assert person.sensitive and "090-1234-5678" not in (person.phone_mobile or "")
    assert person == desk.get_case(cid).person


def test_refused_for_a_case_the_user_may_not_see(desk, desk_path):
    cid = desk.register_intake(make_intake()).case.id
    desk.security.add_user("view1", "閲覧 一郎", Role.VIEWER, "viewer password 1",
                           kdf=KdfParams.fast())
    desk.close()
    with Desk.open(desk_path, "view1", "viewer password 1") as viewer:
        with pytest.raises(PermissionDenied):
            viewer.case_overview(cid)
        assert _audits(viewer, cid)[0] == "refused"


def test_the_read_sees_one_moment(desk):
    """A save committed by the writer while the overview reads is not half in it: the
    snapshot keeps the reading connection at the moment it began."""
    cid = desk.register_intake(make_intake()).case.id
    reader = desk.reader()
    try:
        store = reader.store
        with store.snapshot():
            assert store.case_detail(cid) is not None
            desk.update_person(desk.get_case(cid).person.id, name="山田 一子")
            assert store.case_detail(cid).person.name == "髙橋 𠮷子"
        assert store.case_detail(cid).person.name == "山田 一子"
        assert reader.case_overview(cid).detail.person.name == "山田 一子"
    finally:
        reader.close()
