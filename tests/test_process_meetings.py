"""The queries of the 支援調整会議 screen (issue 8): the list of meetings, what waits for a
meeting, the persons on an agenda — read in SQL, filtered by the user's cases, counted and
capped; checked against what the screen computed before case by case."""

from __future__ import annotations

from datetime import date

import pytest

from app.desk import Desk
from app.errors import PermissionDenied
from app.domain.closure import ClosurePattern
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import (
    AgendaCandidate, AgendaKind, MeetingKind, MeetingResult, Participant, ProposalStatus,
)
from app.domain.plan import PlanItem, PlanKind, PlanStatus
from tests.test_process_walk import (
    TODAY, approved_plan, closure, decide, meeting, open_case, plan_input,
)
from tests.test_security import agency, as_user  # noqa: F401  (fixture)


def reference_candidates(desk: Desk) -> list[AgendaCandidate]:
    """What the screen computed before the core had the query: every case, its state, its
    agenda, its plans, 中断 and 終結 — in case-number order."""
    out = []
    for case in desk.list_cases(limit=100_000):
        state = desk.process.case_state(case.id)
        on_agenda = {a.subject_id for a, _on in desk.process.case_agenda(case.id) if a.result is None}
        for p in desk.process.plans(case.id):
            if p.status is PlanStatus.SUBMITTED and p.id not in on_agenda:
                kind = AgendaKind.REPLAN if p.kind is PlanKind.REPLAN else AgendaKind.NEW_PLAN
                out.append(AgendaCandidate(kind, case.id, p.id, p.aim[:200], case.case_no))
        for ev in state.evaluations:
            if ev.status is ProposalStatus.PROPOSED and ev.id not in on_agenda:
                out.append(AgendaCandidate(AgendaKind.EVALUATION, case.id, ev.id,
                                           ev.decision.label, case.case_no))
        if state.suspension is ProposalStatus.PROPOSED:
            for entry in desk.process.timeline(case.id, kinds=["suspension"]):
                if entry.title == "proposed" and entry.id not in on_agenda:
                    out.append(AgendaCandidate(AgendaKind.SUSPENSION, case.id, entry.id,
                                               entry.text[:200], case.case_no))
        if state.closure is ProposalStatus.PROPOSED:
            for row in desk.process.closures(case.id):
                if row.status == "proposed" and row.id not in on_agenda:
                    out.append(AgendaCandidate(AgendaKind.CLOSURE, case.id, row.id,
                                               row.pattern.label,
                                               case.case_no))
    return sorted(out, key=lambda c: (c.case_no, c.kind.value))


READINGS = ("いち", "じ", "さぶ", "し", "ご", "ろく", "しち")


def person(n: int) -> dict:
    """Someone else each time (試験 一郎, 試験 二郎 …)."""
    return {"name": f"試験 {'一二三四五六七'[n - 1]}郎", "kana": f"しけん {READINGS[n - 1]}ろう",
            "birth": date(1960 + n, 1, 2)}


def test_agenda_candidates_are_what_waits_for_a_meeting(desk):
    d = desk
    d._today = lambda: TODAY
    item = PlanItem("月1回の面談", "self_reliance")
    # 新規プラン submitted, on no agenda; its aim longer than an agenda summary
    new = open_case(d, **person(1))
    new_plan = d.process.draft_plan(new, plan_input(item, aim="自分の収入で安心して暮らす。" * 20))
    d.process.submit_plan(new_plan.id)
    # プラン評価 proposed without a meeting
    evaluated = open_case(d, **person(2))
    approved_plan(d, evaluated, plan_input(item), date(2026, 4, 22))
    evaluation = d.process.evaluate(evaluated, EvaluationInput(
        date(2026, 9, 30), [("生活リズムを整える", Attainment.MET)], EvaluationDecision.CONTINUE))
    # 中断 proposed after the attempts to reach the person
    suspended = open_case(d, **person(3))
    approved_plan(d, suspended, plan_input(item), date(2026, 4, 22))
    d.process.add_contact_attempt(suspended, date(2026, 5, 15), "note_at_home")
    d.process.add_contact_attempt(suspended, date(2026, 5, 22), "acquaintance")
    suspension = d.process.propose_suspension(suspended, date(2026, 6, 1), "完全に連絡が取れない")
    # 終結 proposed
    closing = open_case(d, **person(4))
    approved_plan(d, closing, plan_input(item), date(2026, 4, 22))
    closure_id = d.process.propose_closure(closing, closure(ClosurePattern.RESOLVED,
                                                 no_evaluation_reason="他市へ転居"))
    # 再プラン after an evaluation the meeting approved
    replanned = open_case(d, **person(5))
    approved_plan(d, replanned, plan_input(item), date(2026, 4, 22))
    m = meeting(d, date(2026, 10, 7))
    d.process.evaluate(replanned, EvaluationInput(date(2026, 9, 30), [("生活リズムを整える",
                                                                Attainment.PARTLY)],
                                          EvaluationDecision.REPLAN), m)
    decide(d, m)
    replan = d.process.draft_plan(replanned, plan_input(item, aim="就職する"))
    d.process.submit_plan(replan.id)
    # already on the agenda of a coming meeting: not waiting to be pulled in
    on_agenda = open_case(d, **person(6))
    coming = meeting(d, date(2026, 12, 1))
    d.process.submit_plan(d.process.draft_plan(on_agenda, plan_input(item)).id, coming)
    # sent back by 再検討, then submitted again: waiting again
    reworked = open_case(d, **person(7))
    reworked_plan = d.process.draft_plan(reworked, plan_input(item, aim="家計を立て直す"))
    m2 = meeting(d, date(2026, 10, 14))
    d.process.submit_plan(reworked_plan.id, m2)
    decide(d, m2, MeetingResult.RECONSIDER)
    d.process.submit_plan(reworked_plan.id)

    rows, total = d.process.agenda_candidates(limit=None)
    assert [(c.kind, c.subject_id) for c in rows] == [
        (AgendaKind.NEW_PLAN, new_plan.id), (AgendaKind.EVALUATION, evaluation),
        (AgendaKind.SUSPENSION, suspension), (AgendaKind.CLOSURE, closure_id),
        (AgendaKind.REPLAN, replan.id), (AgendaKind.NEW_PLAN, reworked_plan.id)]
    assert total == 6
    assert rows == reference_candidates(d)
    assert rows[0].summary == ("自分の収入で安心して暮らす。" * 20)[:200]
    assert rows[1].summary == "継続" and rows[2].summary == "完全に連絡が取れない"
    assert rows[3].summary == ClosurePattern.RESOLVED.label
    assert [c.case_id for c in rows] == [new, evaluated, suspended, closing, replanned, reworked]
    # capped: the first rows, the whole count; the default cap is the dashboard's
    assert d.process.agenda_candidates(limit=2) == (rows[:2], 6)
    assert d.process.agenda_candidates() == (rows, 6)
    # pulled in, an item waits no more
    d.process.add_agenda_item(coming, AgendaKind.CLOSURE, closing, closure_id, rows[3].summary)
    assert [c.subject_id for c in d.process.agenda_candidates(limit=None)[0]] == [
        c.subject_id for c in rows if c.subject_id != closure_id]


def test_agenda_candidates_only_of_the_cases_the_user_sees(agency):  # noqa: F811
    path, item = agency["path"], PlanItem("面談", "self_reliance")
    with as_user(path, "chief") as d:
        d._today = lambda: TODAY
        team_a = open_case(d, **person(1))
        d.security.assign_case(team_a, "con_a")
        plan_a = d.process.draft_plan(team_a, plan_input(item))
        d.process.submit_plan(plan_a.id)
        team_b = open_case(d, **person(2))
        d.security.assign_case(team_b, "con_b")
        approved_plan(d, team_b, plan_input(item), date(2026, 4, 22))  # on a (held) agenda
        closure_b = d.process.propose_closure(team_b, closure(ClosurePattern.RESOLVED,
                                                 no_evaluation_reason="他市へ転居"))
        assert {c.subject_id for c in d.process.agenda_candidates()[0]} == {plan_a.id, closure_b}
    seen = {}
    for login in ("con_a", "con_a2", "con_b", "emp_b", "muni"):
        with as_user(path, login) as d:
            rows, total = d.process.agenda_candidates()
            assert total == len(rows)
            seen[login] = [c.subject_id for c in rows]
    assert seen["con_a"] == seen["con_a2"] == [plan_a.id]     # own and team cases only
    assert seen["con_b"] == seen["emp_b"] == [closure_b]
    # the 自治体担当 reads the cases on a meeting's agenda: 馬場's, not the other team's plan
    assert seen["muni"] == [closure_b]
    with as_user(path, "view") as d, pytest.raises(PermissionDenied):
        d.process.agenda_candidates()


def test_meetings_listed_newest_first_with_their_items_counted(agency):  # noqa: F811
    path = agency["path"]
    with as_user(path, "chief") as d:
        d._today = lambda: TODAY
        case = open_case(d, **person(1))
        approved_plan(d, case, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
        coming = d.process.plan_meeting(date(2026, 12, 1), MeetingKind.AD_HOC, place="社協",
                                participants=[Participant("町 一郎", "つなぐ町福祉課")])
        d.process.add_agenda_item(coming.id, AgendaKind.REGIONAL_ISSUE, summary="夜間の窓口がない")
        d.process.plan_meeting(date(2026, 5, 20), place="役場")   # nothing on its agenda
        rows, total = d.process.meetings(limit=None)
        assert [(m.held_on, m.item_count, m.held) for m in rows] == [
            (date(2026, 12, 1), 1, False), (date(2026, 5, 20), 0, False),
            (date(2026, 4, 22), 1, True)]
        assert total == 3
        assert rows[0].kind is MeetingKind.AD_HOC and rows[0].place == "社協"
        assert rows[0].participants == (Participant("町 一郎", "つなぐ町福祉課"),)
        assert d.process.meetings(limit=2) == (rows[:2], 3)
        assert d.process.meetings() == (rows, 3)
        held = rows[2].id
        name = d.get_case(case).person
        assert d.process.agenda_people(held) == {case: (name.name, name.kana)}
        assert d.process.agenda_people(coming.id) == {}
    with as_user(path, "muni") as d:   # reads the meetings and the persons on their agendas
        assert d.process.meetings(limit=None) == (rows, 3)
        assert d.process.agenda_people(held) == {case: (name.name, name.kana)}
    for login in ("con_a", "view"):
        with as_user(path, login) as d:
            for call in (d.process.meetings, lambda: d.process.agenda_people(held)):
                with pytest.raises(PermissionDenied):
                    call()
    with as_user(path, "chief") as d:   # sessions of one day: numbered rooms in their order
        for n in (10, 2):
            d.process.plan_meeting(date(2026, 12, 1), place=f"第{n}会議室")
        assert [m.place for m in d.process.meetings(limit=3)[0]] == ["社協", "第2会議室", "第10会議室"]
        assert d.process.meetings(limit=3)[1] == 5
