"""Agenda items belong to the caseworker too (issue 14): an item waiting for its result
moves to another meeting (a 随時 meeting today) or is withdrawn with a reason; results are
recorded item by item on the day, the others stay open; what waits for a meeting is listed
per case with the meeting it is on."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import NotFound, PermissionDenied, ProcessError, ValidationErrors
from app.domain.closure import ClosurePattern
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import AgendaKind, MeetingKind, MeetingResult, Participant
from app.domain.plan import PlanItem, PlanStatus
from app.domain import Stage
from tests.test_process_walk import (
    TODAY, approved_plan, closure, meeting, open_case, plan_input,
)
from tests.test_security import agency, as_user  # noqa: F401  (fixture)

ITEM = PlanItem("月1回の面談", "self_reliance")
PEOPLE = [Participant("町 一郎", "つなぐ町福祉課", municipal=True)]   # issue 19: who decided


@pytest.fixture
def d(desk):
    desk._today = lambda: TODAY
    return desk


def test_a_plan_on_a_regular_meeting_moves_to_an_ad_hoc_meeting_today(d):
    case = open_case(d)
    plan = d.process.draft_plan(case, plan_input(ITEM))
    regular = meeting(d, date(2026, 12, 4))          # two weeks ahead
    d.process.submit_plan(plan.id, regular)
    [wait] = d.process.waiting_for_meeting(case)
    assert (wait.kind, wait.subject_id, wait.meeting_id, wait.meeting_on) == (
        AgendaKind.NEW_PLAN, plan.id, regular, date(2026, 12, 4))
    # nothing to pull in: it is on the regular meeting's agenda
    assert d.process.agenda_candidates()[1] == 0
    today = d.process.plan_meeting(TODAY, MeetingKind.AD_HOC, place="相談室").id
    moved = d.process.move_agenda_item(wait.item_id, today, "住居確保給付金の急ぎ")
    assert moved.meeting_id == today and moved.subject_id == plan.id and moved.pending
    old = next(i for i in d.process.meeting(regular).items if i.id == wait.item_id)
    assert not old.pending and old.moved_to == today and old.withdrawn_on == TODAY
    assert old.withdrawn_reason == "住居確保給付金の急ぎ"
    assert d.process.pending_agenda(regular) == []
    assert [w.meeting_id for w in d.process.waiting_for_meeting(case)] == [today]
    # a meeting dated today is recorded; the moved item takes effect
    held = d.process.record_meeting_results(today, {moved.id: (MeetingResult.APPROVED, "")}, participants=PEOPLE)
    assert held.held
    assert d.process.plan(plan.id).status is PlanStatus.APPROVED
    assert d.process.plan(plan.id).approved_on == TODAY
    assert d.process.waiting_for_meeting(case) == []
    # the regular meeting keeps the moved item as history; it waits for its day
    assert not d.process.meeting(regular).held
    with pytest.raises(ValidationErrors):
        d.process.record_meeting_results(regular, {})


def test_results_item_by_item_the_rest_stay_open(d):
    cases = [open_case(d, name=n, kana=k, birth=date(1970 + i, 1, 1)) for i, (n, k) in
             enumerate((("試験 一郎", "しけん いちろう"), ("試験 二郎", "しけん じろう"),
                        ("試験 三郎", "しけん さぶろう")))]
    m = d.process.plan_meeting(TODAY, MeetingKind.REGULAR).id
    plans = []
    for case in cases:
        p = d.process.draft_plan(case, plan_input(ITEM))
        d.process.submit_plan(p.id, m)
        plans.append(p.id)
    items = d.process.pending_agenda(m)
    assert len(items) == 3
    d.process.record_meeting_results(m, {items[0].id: (MeetingResult.APPROVED, "")}, "1件目", participants=PEOPLE)
    meeting_now = d.process.meeting(m)
    assert not meeting_now.held and meeting_now.minutes == "1件目"
    assert [i.id for i in d.process.pending_agenda(m)] == [items[1].id, items[2].id]
    assert d.process.plan(plans[0]).status is PlanStatus.APPROVED
    assert d.process.plan(plans[1]).status is PlanStatus.SUBMITTED
    # the same item twice is refused, by item
    with pytest.raises(ValidationErrors) as exc:
        d.process.record_meeting_results(m, {items[0].id: (MeetingResult.APPROVED, "")}, participants=PEOPLE)
    assert exc.value.errors[0].field == f"results.{items[0].id}"
    # one withdrawn with a reason: its plan waits again, on no agenda
    with pytest.raises(ValidationErrors):
        d.process.withdraw_agenda_item(items[2].id, "  ")
    d.process.withdraw_agenda_item(items[2].id, "本人の意向を再確認する")
    assert [(w.subject_id, w.meeting_id) for w in d.process.waiting_for_meeting(cases[2])] == [
        (plans[2], None)]
    assert [c.subject_id for c in d.process.agenda_candidates()[0]] == [plans[2]]
    with pytest.raises(ValidationErrors):   # no result for a withdrawn item
        d.process.record_meeting_results(m, {items[2].id: (MeetingResult.APPROVED, "")}, participants=PEOPLE)
    with pytest.raises(ProcessError):
        d.process.withdraw_agenda_item(items[2].id, "二度目")
    # the last open item recorded: the meeting is recorded
    d.process.record_meeting_results(m, {items[1].id: (MeetingResult.RECONSIDER, "")}, participants=PEOPLE)
    assert d.process.meeting(m).held
    assert d.process.plan(plans[1]).status is PlanStatus.DRAFT
    # a withdrawn plan goes on another meeting from the case
    later = meeting(d, date(2026, 12, 4))
    item = d.process.put_on_meeting(cases[2], plans[2], later)
    assert item.meeting_id == later and d.process.waiting_for_meeting(cases[2])[0].meeting_id == later


def test_move_refuses_a_past_or_recorded_meeting_and_unknown_items(d):
    case = open_case(d)
    approved_plan(d, case, plan_input(ITEM), date(2026, 4, 22))
    coming = meeting(d, date(2026, 12, 4))
    d.process.evaluate(case, EvaluationInput(date(2026, 9, 30), [("生活リズムを整える", Attainment.MET)],
                                     EvaluationDecision.CLOSE), coming)
    d.process.propose_closure(case, closure(ClosurePattern.RESOLVED), coming)
    waits = d.process.waiting_for_meeting(case)
    # issue 19: the 終結 is decided with the プラン評価 that decided it — it waits with the
    # evaluation and is not offered for a meeting of its own
    assert [w.kind for w in waits] == [AgendaKind.EVALUATION]
    assert all(w.meeting_id == coming for w in waits)
    past = meeting(d, date(2026, 11, 1))
    with pytest.raises(ProcessError):
        d.process.move_agenda_item(waits[0].item_id, past)
    with pytest.raises(ProcessError):
        d.process.move_agenda_item(waits[0].item_id, coming)     # the same meeting
    with pytest.raises(NotFound):
        d.process.move_agenda_item("no-such-item", coming)
    with pytest.raises(NotFound):
        d.process.move_agenda_item(waits[0].item_id, "no-such-meeting")
    today = d.process.plan_meeting(TODAY, MeetingKind.AD_HOC).id
    for w in waits:
        d.process.put_on_meeting(case, w.subject_id, today)
    items = d.process.pending_agenda(today)
    d.process.record_meeting_results(today, {i.id: (MeetingResult.APPROVED, "") for i in items}, participants=PEOPLE)
    assert d.get_case(case).case.stage is Stage.CLOSED
    assert d.process.waiting_for_meeting(case) == []


def test_a_consultant_moves_and_withdraws_own_items_only(agency):  # noqa: F811
    with as_user(agency["path"], "chief") as d:
        d._today = lambda: TODAY
        coming = d.process.plan_meeting(date(2026, 12, 4)).id
        today = d.process.plan_meeting(TODAY, MeetingKind.AD_HOC).id
        for key in ("a", "b"):
            cid = agency[key]
            from app.domain.assessment import AssessmentInput
            d.process.save_assessment(cid, AssessmentInput(
                assessed_on=date(2026, 4, 8), domains={"work": "長期離職"},
                problems=["job_search"], analysis="孤立", strengths="まじめ", wishes="働きたい"))
            d.process.screen(cid, "continue", date(2026, 4, 10))
            d.process.submit_plan(d.process.draft_plan(cid, plan_input(ITEM)).id, coming)
        # the agenda itself is for those who run meetings (issue 13); the item id is known
        other_id = next(i.id for i in d.process.pending_agenda(coming) if i.case_id == agency["b"])
    with as_user(agency["path"], "con_a") as d:
        d._today = lambda: TODAY
        assert [m.id for m in d.process.open_meetings()] == [today, coming]
        [mine] = d.process.waiting_for_meeting(agency["a"])
        with pytest.raises(PermissionDenied):
            d.process.waiting_for_meeting(agency["b"])
        with pytest.raises(PermissionDenied):
            d.process.pending_agenda(coming)
        with pytest.raises(PermissionDenied):
            d.process.move_agenda_item(other_id, today)
        with pytest.raises(PermissionDenied):
            d.process.withdraw_agenda_item(other_id, "他班")
        with pytest.raises(PermissionDenied):
            d.process.record_meeting_results(today, {}, participants=PEOPLE)
        moved = d.process.move_agenda_item(mine.item_id, today)
        assert moved.meeting_id == today
    with as_user(agency["path"], "view") as d:
        with pytest.raises(PermissionDenied):
            d.process.open_meetings()


def test_schema_has_the_withdrawal_columns(d):
    case = open_case(d)
    plan = d.process.draft_plan(case, plan_input(ITEM))
    m = meeting(d, date(2026, 12, 4))
    d.process.submit_plan(plan.id, m)
    item = d.process.pending_agenda(m)[0]
    assert item.withdrawn_on is None and item.withdrawn_reason == "" and item.moved_to is None
