"""Issue 14, point 4 (findings in the case list and the case view): a case number is found,
↓ from the search box reaches the results, the step buttons keep their places as the case
advances, a blocked step's reason is said once per run, one day's timeline follows the
process."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.domain.closure import ClosurePattern
from app.domain.plan import PlanItem
from app.process import Step
from tests.test_process_walk import approved_plan, closure, open_case, plan_input
from tests.ui.conftest import next_page, type_text
from ui.views.case_list import CaseListView
from ui.views.case_view import CaseView


def test_a_case_number_is_found_and_down_reaches_the_results(qtbot, desk_with_cases):
    desk = desk_with_cases
    cases = desk.list_cases()
    number = cases[1].case_no
    assert desk.count_cases(number) == 1
    assert desk.count_cases(number.replace("-", "－").translate(
        str.maketrans("0123456789", "０１２３４５６７８９"))) == 1      # full width
    assert desk.count_cases(number[-4:]) >= 1
    view = CaseListView(desk)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: len(view.model.rows) == 3, timeout=5000)
    type_text(view.search, number)
    qtbot.waitUntil(lambda: [r.case_no for r in view.model.rows] == [number], timeout=5000)
    opened = []
    view.open_case.connect(opened.append)
    view.search.setFocus()
    QTest.keyClick(view.search, Qt.Key.Key_Down)
    assert view.table.hasFocus() or view.table.currentIndex().row() == 0
    assert view.table.currentIndex().row() == 0
    QTest.keyClick(view.table, Qt.Key.Key_Return)
    assert opened == [cases[1].id]
    view.search.setFocus()
    QTest.keyClick(view.search, Qt.Key.Key_Return)          # one result: Enter opens it
    assert opened == [cases[1].id, cases[1].id]


def test_step_buttons_keep_their_places_and_reasons_are_said_once(qtbot, desk):
    desk._today = lambda: date(2026, 11, 20)
    cid = open_case(desk)
    view = CaseView(desk, desk.get_case(cid))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: bool(view.step_buttons), timeout=10000)

    def order():
        return [view.actions_layout.itemAt(i).widget() for i in range(view.actions_layout.count())
                if view.actions_layout.itemAt(i).widget() in view.step_buttons.values()]

    before = [b.text() for b in order()]
    approved_plan(desk, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    view.refresh()
    qtbot.waitUntil(lambda: view.step_buttons.get(Step.PLAN) is not None
                    and not view.step_buttons[Step.PLAN].isEnabled(), timeout=10000)
    after = [b.text() for b in order()]
    assert after == before                                   # the same places
    reasons = [view.step_reasons[s].text() for s in view.step_reasons]
    labels = {id(view.step_reasons[s]) for s in view.step_reasons}
    shown = [w for w in (view.actions_layout.itemAt(i).widget()
                         for i in range(view.actions_layout.count()))
             if w is not None and id(w) in labels]
    texts = [w.text() for w in shown]
    assert all(a != b for a, b in zip(texts, texts[1:]))    # never the same twice in a row
    assert set(texts) == set(reasons)


def test_one_days_timeline_follows_the_process(desk):
    desk._today = lambda: date(2026, 11, 20)
    cid = open_case(desk)
    approved_plan(desk, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    # 終結(1) without a プラン評価 says why (issue 19); an evaluation would add its own entry
    desk.process.propose_closure(cid, closure(ClosurePattern.RESOLVED, proposed_on=date(2026, 4, 22),
                                      no_evaluation_reason="本人の転居により評価の機会がない"))
    day = [e.kind for e in desk.process.timeline(cid) if e.on == date(2026, 4, 22)]
    # newest first: the 終結 proposed that day above the plan's meeting result
    assert day == ["closure", "meeting"]


def test_a_pending_procedure_is_completed_from_an_empty_first_page(qtbot, desk):
    from tests.conftest import make_intake
    from tests.ui.test_process_wizards import OPTIONS
    from ui.wizards import open_step_wizard
    desk._today = lambda: date(2026, 11, 20)
    cid = desk.register_intake(make_intake(
        received=date(2026, 11, 2), emergency_needed=True,
        emergency_actions=["housing_benefit"])).case.id
    view = CaseView(desk, desk.get_case(cid))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: bool(view.step_buttons), timeout=10000)
    assert "手続き待ち" in view.contents.text()
    w = open_step_wizard(Step.EMERGENCY, desk, cid, **OPTIONS)
    qtbot.addWidget(w)
    w.show()
    page = w.page_named("action")
    assert any("住居確保給付金" in label.text() and "次へ" in label.text()
               for label in page.findChildren(type(view.contents)))
    next_page(w)                                              # page 1 left empty: allowed
    procedures = w.page_named("procedure")
    assert w.currentPage() is procedures
    table = procedures.inputs["procedures"]
    table.cell(0, "complete").setChecked(True)
    type_text(table.cell(0, "procedure_done_on"), "R8.11.19")
    next_page(w)
    assert w.currentPage() is w.confirm
    next_page(w)
    qtbot.waitUntil(lambda: w.recorded, timeout=10000)
    assert desk.process.case_state(cid).emergency_pending == 0
    assert [r.action.value for r in desk.process.emergency_support(cid)] == ["housing_benefit"]
    view.refresh()
    qtbot.waitUntil(lambda: "手続き済み" in view.contents.text(), timeout=10000)
    assert "手続き待ち" not in view.contents.text()


def test_the_intention_typed_in_the_evaluation_comes_to_the_closure(qtbot, desk):
    from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
    from tests.ui.test_process_wizards import OPTIONS
    from ui.wizards import open_step_wizard
    desk._today = lambda: date(2026, 11, 20)
    cid = open_case(desk)
    approved_plan(desk, cid, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    w = open_step_wizard(Step.EVALUATION, desk, cid, **OPTIONS)
    qtbot.addWidget(w)
    w.page_named("closure_intent").inputs["closure_intent"].setPlainText("もう一人で大丈夫")
    a = w.answers()
    a.update(decision=EvaluationDecision.CLOSE.value,
             attainment=[{"goal": g["goal"], "attainment": Attainment.MET.value}
                         for g in a["attainment"]])
    w.operation(a)()
    closing = open_step_wizard(Step.CLOSURE, desk, cid, **OPTIONS)
    qtbot.addWidget(closing)
    page = closing.page_named("intention")
    assert page.inputs["intention"].toPlainText() == "もう一人で大丈夫"
    assert page.inputs["intention_on"].parsed("x") == date(2026, 11, 20)


def test_the_reason_a_service_cannot_start_is_read_whole(qtbot, desk):
    from tests.ui.test_process_wizards import OPTIONS, with_plan
    from ui.wizards import open_step_wizard
    desk._today = lambda: date(2026, 11, 20)
    cid, _plan = with_plan(desk, PlanItem("家賃の支援", "housing_benefit"),
                           PlanItem("面談", "self_reliance"))
    w = open_step_wizard(Step.SERVICE_START, desk, cid, **OPTIONS)
    qtbot.addWidget(w)
    w.show()
    table = w.items
    label = table.cell(0, "status")
    assert "支援決定" in label.text() and label.wordWrap()
    assert label.toolTip() == label.text()
    assert table.table.rowHeight(0) >= label.heightForWidth(330)
