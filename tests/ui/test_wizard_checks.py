"""Issue 14, point 3: each 次へ checks everything its page can know — the core's own checks,
cross-field rules included (desk.process.check_only runs the operation and rolls it back) — so the
final save never sends the user back pages, and nothing is written by a check."""

from __future__ import annotations

from datetime import date

from app.process import Step
from tests.ui.conftest import next_page, type_text
from tests.ui.test_process_wizards import OPTIONS, TODAY, assessed, with_plan
from ui.wizards import open_step_wizard


def open_wizard(qtbot, desk, step, cid):
    w = open_step_wizard(step, desk, cid, **OPTIONS)
    qtbot.addWidget(w)
    w.show()
    return w


def test_plan_pages_stop_on_their_own_problems(qtbot, desk):
    desk._today = lambda: TODAY
    cid = assessed(desk)
    w = open_wizard(qtbot, desk, Step.PLAN, cid)
    aim = w.page_named("aim")
    next_page(w)                                             # no aim: stays
    assert w.currentPage() is aim and aim.error_labels["aim"].text()
    type_text(aim.inputs["aim"], "自分の収入で暮らす")
    next_page(w)
    goals = w.page_named("goals")
    assert w.currentPage() is goals
    type_text(w.goals.cell(0, "text"), "生活リズムを整える")
    next_page(w)
    items = w.page_named("items")
    assert w.currentPage() is items
    # a support row without a service: stops here, on this page, with the row named
    type_text(w.items.cell(0, "what"), "月2回の面談")
    next_page(w)
    assert w.currentPage() is items
    assert "1行目" in items.error_labels["items"].text()
    combo = w.items.cell(0, "service_key")
    combo.setCurrentIndex(combo.findData("self_reliance"))
    next_page(w)
    while w.currentPage().name != "schedule":
        next_page(w)
    schedule = w.currentPage()
    # the end of the plan period before its start: stops on this page
    type_text(schedule.inputs["period_from"].edit, "R8.12.1")
    type_text(schedule.inputs["period_to"].edit, "R8.11.1")
    next_page(w)
    assert w.currentPage() is schedule
    assert schedule.error_labels["period_to"].text()
    schedule.inputs["period_to"].setText("")
    type_text(schedule.inputs["period_to"].edit, "R9.3.31")
    next_page(w)
    assert w.currentPage().name == "signature"
    assert desk.process.plans(cid) == []                        # the checks wrote nothing


def test_monitoring_next_date_not_after_this_one_stops_at_its_page(qtbot, desk):
    desk._today = lambda: TODAY
    cid, plan = with_plan(desk)
    desk.process.start_service(plan.items[0].id, date(2026, 11, 12))
    w = open_wizard(qtbot, desk, Step.MONITORING, cid)
    basics = w.page_named("basics")
    next_page(w)                                            # no kind chosen: stays
    assert w.currentPage() is basics and basics.error_labels["kind"].text()
    basics.inputs["kind"].first().setChecked(True)
    page = next(p for p in w.pages if "next_on" in p.inputs)
    for _i in range(6):
        if w.currentPage() is page:
            break
        next_page(w)
    assert w.currentPage() is page
    page.inputs["next_on"].setText("")
    type_text(page.inputs["next_on"].edit, "R8.11.1")   # before this monitoring
    next_page(w)
    assert w.currentPage() is page and page.error_labels["next_on"].text()
    assert desk.process.monitorings(cid) == []


def test_confirmation_reads_dates_in_wareki_and_fixed_fields_lose_their_message(qtbot, desk):
    from ui.wizards.pages import wareki_dates
    assert wareki_dates("R8.12.3 〜 2027/3/31") == "令和8年12月3日 〜 令和9年3月31日"
    assert wareki_dates("R8.2.30") == "R8.2.30"       # unreadable: as typed
    desk._today = lambda: TODAY
    cid, plan = with_plan(desk)
    w = open_wizard(qtbot, desk, Step.RECORD, cid)
    page = w.currentPage()
    key = next(k for k in ("occurred_on", "occurred_at", "date") if k in page.inputs)
    field = page.inputs[key]
    field.setText("")
    type_text(field.edit if hasattr(field, "edit") else field, "R8.2.30")
    next_page(w)
    assert page.error_labels[key].text()
    type_text(field.edit if hasattr(field, "edit") else field, "1")   # changed: message gone
    assert page.error_labels[key].text() == ""
    field.setText("R8.11.18")
    assert "R8.11.18" not in w.summary_html() and "令和8年11月18日" in w.summary_html()


def test_one_frame_for_every_wizard(qtbot, desk):
    """Issue 21 point 5: the intake and every step are built on one FormWizard, with one
    page base, one 確認 page and one draft mechanism; no file of the frame over 800 lines."""
    import inspect
    from pathlib import Path

    import ui
    from tests.ui.test_intake_wizard import make_wizard
    from ui.wizards import WIZARDS
    from ui.wizards.base import FormWizard
    from ui.wizards.draft import DraftSaver
    from ui.wizards.pages import ConfirmPage, FormPage

    intake = make_wizard(qtbot, desk)
    cid = assessed(desk)
    step = open_wizard(qtbot, desk, Step.RECORD, cid)
    for w in (intake, step):
        assert isinstance(w, FormWizard) and isinstance(w.drafts, DraftSaver)
        assert type(w.confirm) is ConfirmPage
        assert all(isinstance(p, FormPage) for p in w.pages)
    for make in WIZARDS.values():
        if inspect.isclass(make):
            assert issubclass(make, FormWizard)
    root = Path(ui.__file__).parent
    confirm_pages = [p for p in root.rglob("*.py") if "class ConfirmPage" in p.read_text("utf-8")]
    assert [p.relative_to(root).as_posix() for p in confirm_pages] == ["wizards/pages.py"]
    for path in (root / "wizards").glob("*.py"):
        assert len(path.read_text("utf-8").splitlines()) <= 800, path.name
