"""Issue 21 point 5: the case view reads its case with one core call (Desk.case_overview) on
opening and on every refresh — counted on a spy desk, reading connection included."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontMetricsF, QTextDocument

from app.operations.context import Operations
from ui import background
from ui.main_window import MainWindow
from ui.views.case_view import CaseView

# the session, not a question to the core; today() reads the clock, not the database (the
# case list asks it when it paints its ages, whenever the window repaints)
PLUMBING = {"reader", "close", "interrupt", "today"}


class SpyDesk:
    """A desk that writes down every call made on it, on its parts (``desk.process`` …) and
    on the reading desk it hands out; everything else goes to the real desk."""

    def __init__(self, desk, calls: list[str]):
        self._desk = desk
        self.calls = calls

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._desk, name)
        if name == "reader":
            return lambda **kw: SpyDesk(value(**kw), self.calls)
        if isinstance(value, Operations):
            return SpyDesk(value, self.calls)
        if callable(value) and name not in PLUMBING:
            def call(*args, **kwargs):
                self.calls.append(name)
                return value(*args, **kwargs)
            return call
        return value


def _wait_idle(qtbot) -> None:
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)


def test_the_case_view_asks_the_core_once_on_opening_and_on_refresh(qtbot, desk_with_cases):
    desk = desk_with_cases
    detail = desk.get_case(desk.list_cases("髙橋")[0].id)
    calls: list[str] = []
    spy = SpyDesk(desk, calls)
    view = CaseView(spy, detail, opener=lambda url: None)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: bool(view.steps), timeout=10000)
    _wait_idle(qtbot)
    assert calls == ["case_overview"]
    # what it read is on the screen: the steps, the timeline, the header with the age
    assert view.step_buttons and view.timeline.topLevelItemCount() >= 1
    assert "歳" in view.facts_label.text() and view.edit_person_button.isVisibleTo(view)
    calls.clear()
    with qtbot.waitSignal(view.refreshed, timeout=10000):
        view.refresh()
    _wait_idle(qtbot)
    assert calls == ["case_overview"]


def test_the_main_window_opens_a_case_with_one_read(qtbot, desk_with_cases):
    desk = desk_with_cases
    calls: list[str] = []
    window = MainWindow(SpyDesk(desk, calls), opener=lambda url: None,
                        close_desk_on_exit=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: len(window.case_list.model.rows) == 3, timeout=10000)
    _wait_idle(qtbot)
    case_id = window.case_list.model.rows[0].id
    calls.clear()
    window.open_case(case_id)
    qtbot.waitUntil(lambda: window.current_case_view() is not None, timeout=10000)
    _wait_idle(qtbot)
    view = window.current_case_view()
    assert view.detail.case.id == case_id and view.step_buttons
    assert calls == ["case_overview"]


def _ink_rows(widget) -> list[int]:
    """The pixel rows of ``widget`` holding text (anything far from its background)."""
    image = widget.grab().toImage()
    background_ = image.pixelColor(image.width() - 1, 0)
    rows = []
    for y in range(image.height()):
        for x in range(0, image.width(), 1):
            c = image.pixelColor(x, y)
            if abs(c.red() - background_.red()) + abs(c.green() - background_.green()) \
                    + abs(c.blue() - background_.blue()) > 120:
                rows.append(y)
                break
    return rows


def test_a_closed_cases_note_is_read_whole_at_1280x720(qtbot, desk, shots):
    """The closed case's note under its steps (「このケースは終結しています。再び支援するとき
    は…」) lost its last line at 1280×720: the label's style-sheet margins were not counted
    when it measured its wrapped height. Every reason is drawn inside its label."""
    from app.domain import Stage
    from app.process import Step
    from tests.sheet_cases import full_case
    cid = full_case(desk)["case_id"]
    window = MainWindow(desk, opener=lambda url: None, close_desk_on_exit=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    window.open_case(cid)
    qtbot.waitUntil(lambda: window.current_case_view() is not None, timeout=10000)
    view = window.current_case_view()
    _wait_idle(qtbot)
    qtbot.wait(100)                 # laid out
    assert view.detail.case.stage is Stage.CLOSED
    # the current-plan tab of a closed case shows its last plan, ended (not 「まだありません」)
    assert "第1回プラン（初回プラン・終了）" in view.plan_label.text()
    note = view.step_reasons[Step.CLOSURE]
    assert note.text().startswith("このケースは終結しています")
    window.grab().save(str(shots / "closed_case_view.png"))
    for label in set(view.step_reasons.values()):
        # drawn in as many lines as the text needs at the label's width (a style-sheet margin
        # narrowed it twice: three lines where two fit, the third below the list's edge)
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setPlainText(label.text())
        doc.setTextWidth(label.contentsRect().width())
        lines = round(doc.size().height() / QFontMetricsF(label.font()).lineSpacing())
        assert _bands(_ink_rows(label)) == lines, (label.text(), label.size())
        assert label.height() >= label.heightForWidth(label.width())


def _bands(rows: list[int]) -> int:
    """Lines of text: runs of rows holding ink."""
    return sum(1 for i, y in enumerate(rows) if i == 0 or y != rows[i - 1] + 1)
