"""Issue 18, point 6: tooltips speak the guide — every step button, and the fields whose
meaning is not obvious (スクリーニング, 支援決定, 終結区分 (1)(2)(3), 就労支援対象 …)."""

from __future__ import annotations

from app.process import Step
from tests.ui.test_small_screens import all_wizards, case_with_plan  # noqa: F401 - fixture
from ui import background, guide_tips
from ui.views.case_view import CaseView
from tests.ui.test_process_wizards import OPTIONS


def test_every_step_has_its_sentence_from_the_guide():
    assert set(guide_tips.STEP_TIPS) == set(Step)
    for step in Step:
        tip = guide_tips.step_tip(step)
        assert "手引き" in tip, step


def test_the_step_buttons_of_a_case_explain_themselves(qtbot, case_with_plan):
    desk, cid = case_with_plan
    view = CaseView(desk, desk.get_case(cid), opener=lambda url: None, wizard_options=OPTIONS)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: bool(view.step_buttons), timeout=10000)
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    for step, button in view.step_buttons.items():
        tip = button.toolTip()
        assert "手引き" in tip, (step, tip)
        if not button.isEnabled():   # the reason first, then what the step is for
            assert tip.split("\n")[0] and tip.split("\n")[0] != guide_tips.step_tip(step)


def test_the_fields_that_need_it_explain_themselves(qtbot, case_with_plan):
    desk, cid = case_with_plan
    wizards = dict(all_wizards(qtbot, desk, cid))
    # the table never names a field a wizard no longer has
    for (step, key) in guide_tips.FIELD_TIPS:
        assert key in wizards[step].answers() or any(
            key in p.inputs for p in wizards[step].pages), (step, key)
    closure = wizards["closure"].page_named("pattern").inputs["pattern"]
    tips = {v: b.toolTip() for v, b in closure.buttons.items()}
    assert tips["1"].startswith("(1) 困窮状態が解決し") and "目途" in tips["1"]
    assert tips["2"].startswith("(2) 困窮状態の脱却にまでは至っていないが")
    assert tips["3"].startswith("(3) 連絡が途絶した場合等")
    assert "終結のパターン" in closure.toolTip()
    screening = wizards["screening"].page_named("result").inputs["result"]
    assert "スクリーニング" in screening.toolTip()
    assert all(b.toolTip() for b in screening.buttons.values())
    decision = wizards["decision"].page_named("decision")
    assert "支援決定" in decision.inputs["result"].toolTip()
    assert "住居確保給付金" in decision.inputs["service_key"].toolTip()
    outcomes = wizards["evaluation"].page_named("outcomes")
    assert "就労支援対象" in outcomes.inputs["employed_on"].toolTip()
    assert "就労支援対象" in wizards["plan"].page_named("items").inputs["items"].toolTip()
    assert "手引き 1-10" in wizards["monitoring"].page_named("basics").inputs["kind"].toolTip()
    # the intake's 振り分け says the guide's four questions
    intake = wizards["intake"]
    for page_id in intake.pageIds():
        intake.setStartId(page_id)
        intake.restart()
    triage = next(intake.page(i) for i in intake.pageIds()
                  if type(intake.page(i)).__name__ == "TriagePage")
    assert all("①" in b.toolTip() and "④" in b.toolTip() for b in triage.triage.values())
