"""Issue 14, point 1 in the screens: an agenda item is moved to a 随時 meeting today or
withdrawn with a reason from the 支援調整会議 screen; results are recorded item by item (the
rest stay open); the case view lists what waits for a meeting with a button that puts it on
one; the core's messages never squeeze the agenda."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialogButtonBox

from app.domain import rules as R
from app.domain.meeting import MeetingKind, MeetingResult
from app.domain.plan import PlanStatus
from tests.test_process_walk import meeting as plan_regular
from tests.ui.conftest import meeting_people, type_text
from tests.ui.test_meetings import TODAY, idle, prepare_waiting_cases
from ui.views.case_view import CaseView
from ui.views.meetings import COL_RESULT, MeetingsView


def ok(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_move_withdraw_and_record_item_by_item(qtbot, desk):
    ids = prepare_waiting_cases(desk)
    regular = plan_regular(desk, date(2026, 12, 4))           # two weeks ahead
    desk.process.add_agenda_item(regular, "new_plan", ids["takahashi"], ids["plan"], "aim")
    desk.process.add_agenda_item(regular, "closure", ids["sato"], ids["closure"], "終結")
    today = desk.process.plan_meeting(TODAY, MeetingKind.AD_HOC, place="相談室",
                              participants=meeting_people()).id   # no result without one
    dialogs: list = []
    view = MeetingsView(desk, dialog_shown=dialogs.append)
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    idle(qtbot, view)
    view.select_meeting(regular)
    qtbot.waitUntil(lambda: view.meeting is not None and view.meeting.id == regular
                    and not view.busy(), timeout=10000)
    # pulling into today's meeting finds nothing new, and says where the items are
    view.select_meeting(today)
    qtbot.waitUntil(lambda: view.meeting.id == today and not view.busy(), timeout=10000)
    view.pull_in_waiting()
    idle(qtbot, view)
    assert "2" in view.status.text() and "移" in view.status.text()
    # move the plan from the regular meeting to today's 随時 meeting
    view.select_meeting(regular)
    qtbot.waitUntil(lambda: view.meeting.id == regular and not view.busy(), timeout=10000)
    assert not view.move_button.isEnabled()          # nothing selected yet
    view.agenda_table.setCurrentIndex(view.agenda_model.index(0, 1))
    assert view.move_button.isEnabled() and view.withdraw_button.isEnabled()
    view.move_button.click()
    dialog = dialogs[-1]
    assert dialog.meeting.itemData(0) == today           # the nearest: today's meeting
    type_text(dialog.reason, "住居確保給付金の急ぎ")
    ok(dialog)
    idle(qtbot, view)
    items = desk.process.meeting(regular).items
    assert items[0].moved_to == today and not items[0].pending
    assert view.agenda_model.data(view.agenda_model.index(0, COL_RESULT)) == "別の会議へ移動"
    # withdraw the closure, a reason is required
    view.agenda_table.setCurrentIndex(view.agenda_model.index(1, 1))
    view.withdraw_button.click()
    dialog = dialogs[-1]
    assert not dialog.ok_button.isEnabled()
    type_text(dialog.text, "本人の意向を再確認する")
    ok(dialog)
    idle(qtbot, view)
    assert desk.process.meeting(regular).items[1].withdrawn_reason == "本人の意向を再確認する"
    # a withdrawn item cannot move again: the button is off and says why (the core's rule)
    view.agenda_table.setCurrentIndex(view.agenda_model.index(1, 1))
    assert not view.withdraw_button.isEnabled()
    assert view.withdraw_button.toolTip() == R.ITEM_WITHDRAWN.message() == \
        desk.process.why_not("withdraw_agenda_item", item_id=items[1].id)[0].message
    assert desk.process.pending_agenda(regular) == []
    # today's meeting: two items (the moved plan and a regional issue); one result now
    desk.process.add_agenda_item(today, "regional_issue", summary="居場所が足りない")
    view.select_meeting(today)
    qtbot.waitUntil(lambda: view.meeting.id == today and len(view.agenda_model.items) == 2
                    and not view.busy(), timeout=10000)
    view.agenda_model.chosen[view.agenda_model.items[1].id] = None   # the issue: left open
    combo = view.editor(0, COL_RESULT)
    combo.setCurrentIndex(combo.findData(MeetingResult.APPROVED.value))
    view.save_button.click()
    idle(qtbot, view)
    qtbot.waitUntil(lambda: desk.process.plan(ids["plan"]).status is PlanStatus.APPROVED, timeout=5000)
    assert not desk.process.meeting(today).held                 # the issue still waits
    assert "1" in view.status.text()
    # the error box never squeezes the agenda
    height = view.agenda_table.height()
    view.error.show_message("\n".join(f"項目{i}: 結果を選んでください" for i in range(19)))
    qtbot.wait(50)
    assert view.agenda_table.height() == height
    assert view.error_box.height() == 48
    assert view.window().height() <= 720
    # at 1280×720 (less the task bar and title) the meeting's save button shows unscrolled
    from tests.ui.test_small_screens import inside
    view.resize(1280, 720 - 72 - 70)      # the main window's tab area at 1280×720
    qtbot.wait(50)
    assert inside(view.save_button, view)
    assert view.detail_scroll.verticalScrollBar().value() == 0


def test_case_view_lists_what_waits_with_a_button_to_a_meeting(qtbot, desk):
    ids = prepare_waiting_cases(desk)
    regular = plan_regular(desk, date(2026, 12, 4))
    desk.process.add_agenda_item(regular, "closure", ids["sato"], ids["closure"], "終結")
    today = desk.process.plan_meeting(TODAY, MeetingKind.AD_HOC).id
    view = CaseView(desk, desk.get_case(ids["sato"]))
    dialogs: list = []
    view.dialog_shown = dialogs.append
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: len(view.waiting_buttons) == 1, timeout=10000)
    assert "令和8年12月4日" in view.waiting_panel.findChildren(type(view.next_label))[0].text()
    assert "予定されていることはありません" not in view.next_label.text()
    view.waiting_buttons[0].click()
    dialog = dialogs[-1]
    assert dialog.meeting.itemData(0) == today
    ok(dialog)
    qtbot.waitUntil(lambda: desk.process.waiting_for_meeting(ids["sato"])[0].meeting_id == today,
                    timeout=5000)
    # the plan waits on no meeting: 「会議に載せる」
    view2 = CaseView(desk, desk.get_case(ids["takahashi"]))
    view2.dialog_shown = dialogs.append
    qtbot.addWidget(view2)
    view2.show()
    qtbot.waitUntil(lambda: len(view2.waiting_buttons) == 1, timeout=10000)
    assert view2.waiting_buttons[0].text() == "会議に載せる…"
    view2.waiting_buttons[0].click()
    ok(dialogs[-1])
    assert desk.process.waiting_for_meeting(ids["takahashi"])[0].meeting_id == today
