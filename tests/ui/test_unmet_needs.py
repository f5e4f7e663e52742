"""Issue 15 point 2: 「不足している社会資源」 written in the アセスメント, プラン and プラン評価
wizards becomes a 地域課題 of the register, raised from that case, with the step named —
saved with the step in one transaction; nothing written leaves the register as it was."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import ValidationErrors
from app.domain.evaluation import Attainment, EvaluationDecision
from app.domain.plan import PlanItem
from app.process import Step
from tests.test_process_walk import approved_plan, open_case, plan_input
from tests.ui.conftest import type_text
from tests.ui.test_process_wizards import OPTIONS, TODAY, assessed, finish, new_case, wizard
from ui.wizards import open_step_wizard
from ui.wizards.unmet import FIELD, needs_of


def _issues(desk, case_no: str) -> list[tuple[str, str, str]]:
    return sorted((i.title, i.source.value, i.description) for i in desk.region.regional_issues()
                  if case_no in i.description)


def test_needs_are_lines_trimmed_without_repeats():
    assert needs_of({FIELD: " 夜間の食料支援\n\n就労体験先 \n夜間の食料支援"}) == [
        "夜間の食料支援", "就労体験先"]
    assert needs_of({}) == [] and needs_of({FIELD: "  \n"}) == []


def test_assessment_raises_each_need_from_the_case(qtbot, desk):
    desk._today = lambda: TODAY
    cid = new_case(desk)
    case_no = desk.get_case(cid).case.case_no
    w = wizard(qtbot, desk, Step.ASSESSMENT, cid)
    analysis = w.page_named("analysis")
    type_text(analysis.inputs["analysis"], "離職後、家賃を滞納している")
    type_text(analysis.inputs[FIELD], "夜間の食料支援")
    assert finish(qtbot, w) and w.recorded
    assert len(desk.process.assessments(cid)) == 1
    assert _issues(desk, case_no) == [("夜間の食料支援", "case",
                                       f"ケース {case_no} のアセスメントで記入。")]


def test_plan_and_evaluation_raise_theirs_and_an_empty_field_raises_none(qtbot, desk):
    desk._today = lambda: TODAY
    cid = assessed(desk)
    case_no = desk.get_case(cid).case.case_no
    w = wizard(qtbot, desk, Step.PLAN, cid)
    type_text(w.page_named("aim").inputs["aim"], "自分の収入で暮らす")
    goals = w.page_named("goals").inputs["goals"]
    type_text(goals.cell(0, "text"), "生活リズムを整える")
    type_text(goals.cell(0, "target_on"), "R9.3.31")
    items = w.page_named("items")
    type_text(items.inputs["items"].cell(0, "what"), "月2回の面談")
    items.inputs["items"].cell(0, "service_key").setCurrentIndex(
        items.inputs["items"].cell(0, "service_key").findData("self_reliance"))
    type_text(items.inputs[FIELD], "若者の就労体験先")
    assert finish(qtbot, w) and w.recorded
    assert _issues(desk, case_no) == [("若者の就労体験先", "case",
                                       f"ケース {case_no} のプランで記入。")]
    # a plan evaluation: its need comes from the evaluation
    other = open_case(desk)
    other_no = desk.get_case(other).case.case_no
    approved_plan(desk, other, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    ev = open_step_wizard(Step.EVALUATION, desk, other, **OPTIONS)
    qtbot.addWidget(ev)
    assert ev.page_named("decision").inputs.get(FIELD) is not None
    a = ev.answers()
    a.update({"decision": EvaluationDecision.CONTINUE.value, FIELD: "移動手段がない地区",
              "attainment": [{"goal": g["goal"], "attainment": Attainment.PARTLY.value}
                             for g in a["attainment"]]})
    ev.operation(a)()
    assert len(desk.process.evaluations(other)) == 1
    assert _issues(desk, other_no) == [("移動手段がない地区", "case",
                                        f"ケース {other_no} のプラン評価で記入。")]
    # an empty field raises nothing
    before = len(desk.region.regional_issues())
    third = new_case(desk, name="鈴木 一郎", kana="すずき いちろう")
    w3 = wizard(qtbot, desk, Step.ASSESSMENT, third)
    type_text(w3.page_named("analysis").inputs["analysis"], "借金の相談")
    assert finish(qtbot, w3) and w3.recorded
    assert len(desk.region.regional_issues()) == before


def test_a_refused_step_raises_no_issue(qtbot, desk):
    """The step and its needs are one transaction: a step the core refuses leaves no
    地域課題 behind."""
    desk._today = lambda: TODAY
    cid = new_case(desk)
    case_no = desk.get_case(cid).case.case_no
    w = wizard(qtbot, desk, Step.ASSESSMENT, cid)
    a = w.answers()
    a.update({FIELD: "夜間の食料支援", "analysis": ""})   # nothing about the situation
    with pytest.raises(ValidationErrors):
        w.operation(a)()
    assert _issues(desk, case_no) == [] and desk.process.assessments(cid) == []
