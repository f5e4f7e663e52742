"""支援調整会議 screen: plan a meeting through its dialog (injected, never exec), pull in every
case waiting for a result, record 了承 / 再検討 on one screen in one call, the core's message
for 修正のうえ了承 without conditions, the agenda by initials, opening a case from it."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.desk import Desk
from app.domain import Stage
from app.i18n import _
from app.domain.closure import ClosurePattern
from app.domain.meeting import AgendaKind, MeetingResult, Participant
from app.domain.plan import PlanItem, PlanStatus
from tests.test_process_walk import approved_plan, closure, open_case, plan_input
from tests.ui.conftest import type_text
from ui.main_window import MainWindow
from ui.views.meetings import COL_CONDITIONS, COL_RESULT, MeetingsView, initials

TODAY = date(2026, 11, 20)


def prepare_waiting_cases(desk: Desk) -> dict[str, str]:
    """髙橋 with a submitted plan, 佐藤 with a proposed closure: both wait for a meeting."""
    desk._today = lambda: TODAY
    takahashi = open_case(desk)
    plan = desk.process.draft_plan(takahashi, plan_input(PlanItem("月1回の面談", "self_reliance")))
    desk.process.submit_plan(plan.id)
    sato = open_case(desk, name="佐藤 太郎", kana="さとう たろう", birth=date(1970, 1, 2))
    approved_plan(desk, sato, plan_input(PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    closure_id = desk.process.propose_closure(sato, closure(ClosurePattern.RESOLVED,
                                                    no_evaluation_reason="他市へ転居"))
    return {"takahashi": takahashi, "plan": plan.id, "sato": sato, "closure": closure_id}


@pytest.fixture
def waiting(desk):
    ids = prepare_waiting_cases(desk)
    return desk, ids


def idle(qtbot, view) -> None:
    qtbot.waitUntil(lambda: not view.busy(), timeout=10000)


def plan_meeting_through_the_dialog(qtbot, view: MeetingsView, dialogs: list) -> None:
    view.plan_button.click()
    assert len(dialogs) == 1
    dialog = dialogs[0]
    type_text(dialog.date.edit, "令和8年11月20日")
    assert dialog.date.shown.text().startswith("令和8年11月20日")
    dialog.kind_buttons[next(iter(dialog.kind_buttons))].setChecked(True)  # 定例
    type_text(dialog.place, "役場2階会議室")
    # the members of the latest meeting are filled in; one more joins
    assert [p.name for p in dialog.participants.participants()] == ["町 一郎", "相談 花子"]
    dialog.participants.add_row("社協 次郎", "つなぐ町社協")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: view.meeting is not None and view.meeting.held_on == TODAY
                    and not view.busy(), timeout=10000)


def test_plan_pull_in_and_record_all_results_on_one_screen(qtbot, waiting, qtmodeltester):
    desk, ids = waiting
    dialogs = []
    view = MeetingsView(desk, dialog_shown=dialogs.append)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    idle(qtbot, view)
    # the meeting that approved 佐藤's plan is listed, recorded
    assert view.meetings_model.rowCount() == 1
    assert view.meetings_model.data(view.meetings_model.index(0, 4)) == "記録済み"
    assert view.meetings_model.headerData(0, Qt.Orientation.Horizontal) == "日付"

    plan_meeting_through_the_dialog(qtbot, view, dialogs)
    meeting = view.meeting
    assert meeting.kind.label == "定例" and meeting.place == "役場2階会議室"
    assert [p.organisation for p in meeting.participants] == [
        "つなぐ町福祉課", "自立相談支援センター", "つなぐ町社協"]
    assert view.meetings_model.rowCount() == 2
    assert view.title.text() == "令和8年11月20日（定例）の支援調整会議"

    view.pull_button.click()
    qtbot.waitUntil(lambda: view.agenda_model.rowCount() == 2 and not view.busy(),
                    timeout=10000)
    assert "2件を議題に追加しました" in view.status.text()
    model = view.agenda_model
    qtmodeltester.check(model)
    qtmodeltester.check(view.meetings_model)
    by_case = {item.case_id: row for row, item in enumerate(model.items)}
    plan_row, closure_row = by_case[ids["takahashi"]], by_case[ids["sato"]]
    assert model.data(model.index(plan_row, 1)) == "新規プラン"
    assert model.data(model.index(closure_row, 1)) == "終結"
    # the agenda shows case numbers and initials, never the full name
    assert model.data(model.index(plan_row, 3)) == "T.Y."
    assert model.data(model.index(closure_row, 3)) == "S.T."
    shown = [str(model.data(model.index(r, c))) for r in range(2) for c in range(8)]
    assert not any("髙橋" in s or "佐藤" in s for s in shown)
    assert model.data(model.index(plan_row, 2)) == desk.get_case(ids["takahashi"]).case.case_no
    # pulling in again adds nothing
    view.pull_button.click()
    qtbot.waitUntil(lambda: "待っているケースはありません" in view.status.text(), timeout=10000)
    idle(qtbot, view)
    assert view.agenda_model.rowCount() == 2

    # 修正のうえ了承 without conditions: the core's message on the item, nothing saved
    combo = view.editor(plan_row, COL_RESULT)
    assert [combo.itemText(i) for i in range(combo.count())][1:] == [
        "了承", "修正のうえ了承", "再検討"]
    combo.setCurrentIndex(combo.findData(MeetingResult.APPROVED_WITH_CHANGES.value))
    closure_combo = view.editor(closure_row, COL_RESULT)
    closure_combo.setCurrentIndex(closure_combo.findData(MeetingResult.RECONSIDER.value))
    type_text(view.minutes, "髙橋さんのプランを検討。佐藤さんの終結は次回に再検討。")
    view.save_button.click()
    qtbot.waitUntil(lambda: bool(model.messages) and not view.busy(), timeout=10000)
    expected = _("Approved with changes: enter the changes (conditions).")
    assert expected.startswith("修正のうえ了承")
    assert model.data(model.index(plan_row, 7)) == expected
    assert model.data(model.index(closure_row, 7)) == ""
    assert model.data(model.index(plan_row, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert view.error.text() == f"議題1（新規プラン {model.items[plan_row].case_no}）: {expected}" \
        if plan_row == 0 else expected in view.error.text()
    assert not desk.process.meeting(meeting.id).held
    assert desk.process.plan(ids["plan"]).status is PlanStatus.SUBMITTED
    assert view.save_button.isEnabled()

    # 了承 for the plan, 再検討 for the closure: one call saves both
    combo.setCurrentIndex(combo.findData(MeetingResult.APPROVED.value))
    conditions = view.editor(plan_row, COL_CONDITIONS)
    type_text(conditions, "面談は月2回")
    assert model.conditions[model.items[plan_row].id] == "面談は月2回"
    type_text(view.next_date.edit, "R8.12.18")
    view.save_button.click()
    qtbot.waitUntil(lambda: view.meeting is not None and view.meeting.held
                    and not view.busy(), timeout=10000)
    saved = desk.process.meeting(meeting.id)
    assert saved.held and saved.minutes.startswith("髙橋さんのプランを検討")
    assert saved.next_meeting_on == date(2026, 12, 18)
    assert {i.case_id: i.result for i in saved.items} == {
        ids["takahashi"]: MeetingResult.APPROVED, ids["sato"]: MeetingResult.RECONSIDER}
    assert desk.process.plan(ids["plan"]).status is PlanStatus.APPROVED
    assert desk.process.current_plan(ids["takahashi"]).id == ids["plan"]
    assert [c.status for c in desk.process.closures(ids["sato"])] == ["reconsider"]
    assert desk.get_case(ids["sato"]).case.stage is not Stage.CLOSED
    # the recorded meeting is read-only, with its results shown
    assert not view.save_button.isVisible() and not view.pull_button.isEnabled()
    assert view.agenda_model.data(view.agenda_model.index(closure_row, COL_RESULT)) == "再検討"
    assert view.editor(plan_row, COL_RESULT) is None
    assert view.meetings_model.data(view.meetings_model.index(0, 4)) == "記録済み"


def test_regional_issue_and_an_empty_one_refused_by_the_core(qtbot, waiting):
    desk, _ids = waiting
    meeting = desk.process.plan_meeting(TODAY, "ad_hoc", place="社協")
    view = MeetingsView(desk, dialog_shown=lambda d: None)
    qtbot.addWidget(view)
    view.select_meeting(meeting.id)
    qtbot.waitUntil(lambda: view.meeting is not None and view.meeting.id == meeting.id
                    and not view.busy(), timeout=10000)
    view.issue_button.click()
    qtbot.waitUntil(lambda: view.error.text() != "", timeout=10000)
    assert view.error.text() == _("Describe the regional issue.")
    type_text(view.issue, "夜間に相談できる窓口がない")
    view.issue_button.click()
    qtbot.waitUntil(lambda: view.agenda_model.rowCount() == 1 and not view.busy(),
                    timeout=10000)
    item = view.agenda_model.items[0]
    assert item.kind is AgendaKind.REGIONAL_ISSUE and item.summary == "夜間に相談できる窓口がない"
    assert view.agenda_model.data(view.agenda_model.index(0, 1)) == "地域課題"
    assert view.issue.text() == ""


def test_the_dialog_shows_the_cores_message_and_stays_open(qtbot, desk):
    dialogs = []
    view = MeetingsView(desk, dialog_shown=dialogs.append)
    qtbot.addWidget(view)
    dialog = view.plan_meeting()
    type_text(dialog.date.edit, "2026/11/20")
    type_text(dialog.next_date.edit, "2026/11/1")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=10000)
    assert dialog.error.text() == _("The next meeting must be after this one.")
    assert dialogs == [dialog]


def test_double_click_on_an_agenda_item_opens_the_case(qtbot, waiting):
    desk, ids = waiting
    meeting = desk.process.plan_meeting(TODAY, "regular")
    desk.process.add_agenda_item(meeting.id, AgendaKind.NEW_PLAN, ids["takahashi"], ids["plan"], "案")
    window = MainWindow(desk, opener=lambda url: None, close_desk_on_exit=False)
    qtbot.addWidget(window)
    window.show()
    view = window.open_area("meetings")
    assert window.tabs.tabText(window.tabs.currentIndex()) == "支援調整会議"
    view.select_meeting(meeting.id)
    qtbot.waitUntil(lambda: view.meeting is not None and view.meeting.id == meeting.id
                    and view.agenda_model.rowCount() == 1 and not view.busy(), timeout=10000)
    index = view.agenda_model.index(0, 3)
    rect = view.agenda_table.visualRect(index)
    # a double-click is a press (it picks the row) followed by the double-click event
    qtbot.mouseClick(view.agenda_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.agenda_table.viewport(), Qt.MouseButton.LeftButton,
                      pos=rect.center())
    qtbot.waitUntil(lambda: window.current_case_view() is not None, timeout=10000)
    case_view = window.current_case_view()
    assert case_view.detail.case.id == ids["takahashi"]
    assert "髙橋 𠮷子" in window.tabs.tabText(window.tabs.currentIndex())


def test_initials_from_the_reading():
    assert initials("たかはし よしこ") == "T.Y."
    assert initials("チバ　ジロウ") == "C.J."
    assert initials("", "Anna Smith") == "A.S."
    assert initials("", "") == "＊＊"
    assert initials("", "髙橋 𠮷子") == "＊＊"   # never the kanji of the name


def test_printing_the_agenda_and_the_record_through_the_injected_opener(qtbot, waiting):
    desk, ids = waiting
    meeting = desk.process.plan_meeting(TODAY, "regular", place="役場2階会議室",
                                participants=[Participant("町 一郎", "つなぐ町福祉課")])
    desk.process.add_agenda_item(meeting.id, AgendaKind.NEW_PLAN, ids["takahashi"], ids["plan"], "案")
    opened = []
    view = MeetingsView(desk, opener=opened.append, dialog_shown=lambda d: None)
    qtbot.addWidget(view)
    view.select_meeting(meeting.id)
    qtbot.waitUntil(lambda: view.meeting is not None and view.meeting.id == meeting.id
                    and not view.busy(), timeout=10000)
    if not view.can_print:
        pytest.skip("the core has no print_meeting yet")
    assert not view.print_record_button.isEnabled()   # nothing recorded yet
    view.print_agenda_button.click()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=20000)
    path = opened[0].toLocalFile()
    assert "meeting-agenda" in path
    with open(path, "rb") as fh:
        assert fh.read(4) == b"%PDF"
    desk.process.record_meeting_results(meeting.id, {view.agenda_model.items[0].id: ("approved", "")},
                                "了承")
    view.refresh()
    qtbot.waitUntil(lambda: view.meeting.held and not view.busy(), timeout=10000)
    assert view.print_record_button.isEnabled()
    view.print_record_button.click()
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=20000)
    assert "meeting-minutes" in opened[1].toLocalFile()


class EveryCaseRefused:
    """The desk, except that what goes through the cases one by one (the case list, a case's
    state, agenda, plans, timeline, closures) or the whole dashboard fails and is noted: the
    screen must read its lists with the core's queries, at any number of cases."""

    REFUSED = ("list_cases", "count_cases", "case_state", "case_agenda", "plans", "plan",
               "timeline", "closures", "dashboard")

    def __init__(self, desk: Desk):
        self._desk = desk
        self.called: list[str] = []

    def __getattr__(self, name: str):
        if name in self.REFUSED:
            def refused(*_args, **_kwargs):
                self.called.append(name)
                raise AssertionError(f"the meetings screen called desk.{name}")
            return refused
        return getattr(self._desk, name)


def test_the_screen_lists_with_the_core_queries_never_case_by_case(qtbot, waiting):
    desk, ids = waiting
    held = desk.process.meetings()[0][0].id           # the meeting that approved 佐藤's plan
    later = desk.process.plan_meeting(date(2026, 12, 4), "ad_hoc", place="社協")
    coming = desk.process.plan_meeting(TODAY, "regular", place="役場2階会議室")
    guarded = EveryCaseRefused(desk)
    view = MeetingsView(guarded, dialog_shown=lambda d: None)
    view.list_rows = 2
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    idle(qtbot, view)
    # the first two of three, newest first; the nearest meeting to record is chosen
    model = view.meetings_model
    assert [model.rows[r].id for r in range(model.rowCount())] == [later.id, coming.id]
    assert [model.data(model.index(r, 4)) for r in range(2)] == ["予定", "結果未記録"]
    assert view.more_label.isVisible() and view.more_button.isVisible()
    assert view.more_label.text() == _("The first {shown} of {total} are listed.").format(
        shown=2, total=3)
    assert view.meeting.id == coming.id and view.banner.text() == ""
    # a meeting beyond the first rows (opened from the dashboard) is shown all the same
    view.select_meeting(held)
    qtbot.waitUntil(lambda: view.meeting.id == held and not view.busy(), timeout=10000)
    assert view.agenda_model.data(view.agenda_model.index(0, 3)) == "S.T."
    # すべて表示: the third row, the shown meeting kept and now selected
    view.more_button.click()
    qtbot.waitUntil(lambda: model.rowCount() == 3 and not view.busy(), timeout=10000)
    assert not view.more_button.isVisible() and view.meeting.id == held
    assert view.meetings_table.currentIndex().row() == 2
    assert model.data(model.index(2, 3)) == "1" and model.data(model.index(2, 4)) == "記録済み"
    # pulling in finds 髙橋's plan and 佐藤's closure; the agenda shows their initials
    view.select_meeting(coming.id)
    qtbot.waitUntil(lambda: view.meeting.id == coming.id and not view.busy(), timeout=10000)
    view.pull_button.click()
    qtbot.waitUntil(lambda: view.agenda_model.rowCount() == 2 and not view.busy(),
                    timeout=10000)
    agenda = view.agenda_model
    assert {agenda.items[r].subject_id: agenda.data(agenda.index(r, 3)) for r in range(2)} == {
        ids["plan"]: "T.Y.", ids["closure"]: "S.T."}
    assert model.data(model.index(model.row_of(coming.id), 3)) == "2"
    assert guarded.called == []


def test_participants_editor_keeps_the_municipal_mark(qtbot):
    """A participant marked as the municipality's (whatever the organisation's name says)
    stays marked when the screen saves the participants back (issue 19)."""
    from ui.views.meetings import ParticipantsEditor
    editor = ParticipantsEditor()
    qtbot.addWidget(editor)
    people = [Participant("山田 一", "地域包括", municipal=True), Participant("社協 次郎", "社協")]
    editor.set_participants(people)
    assert editor.participants() == people
