"""ダッシュボード: every tile's count is the core's, a click lists exactly the cases behind it
(number, name, date), overdue in the warning colour, double-click opens the case (or, for 次回
の会議, the meeting), F5 refreshes."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from app.domain import EmergencyAction, Triage
from app.domain.monitoring import MonitoringInput, MonitoringKind
from app.domain.plan import PlanItem
from tests.conftest import make_intake
from tests.test_process_walk import approved_plan, open_case, plan_input
from tests.ui.test_meetings import TODAY, prepare_waiting_cases
from ui.main_window import MainWindow
from ui.views.dashboard import TILE_KEYS, WARNING, DashboardView


def prepare_dashboard(desk) -> dict[str, str]:
    """Something on most tiles: a plan waiting (髙橋), a decision pending and an overdue
    monitoring (鈴木), a monitoring due today (田中), a referral to check (山田), a
    statutory emergency support waiting for its procedure, a meeting next week."""
    ids = prepare_waiting_cases(desk)
    suzuki = open_case(desk, name="鈴木 一郎", kana="すずき いちろう", birth=date(1975, 6, 1))
    plan = approved_plan(desk, suzuki, plan_input(
        PlanItem("就労準備支援事業", "work_preparation", "つなぐ町社協"),
        PlanItem("月1回の面談", "self_reliance")), date(2026, 4, 22))
    desk.process.start_service(plan.items[1].id, date(2026, 5, 1))
    tanaka = open_case(desk, name="田中 花", kana="たなか はな", birth=date(1988, 2, 3))
    plan = approved_plan(desk, tanaka, plan_input(PlanItem("月1回の面談", "self_reliance")),
                         date(2026, 4, 22))
    desk.process.start_service(plan.items[0].id, date(2026, 5, 1))
    desk.process.add_monitoring(tanaka, MonitoringInput(date(2026, 11, 10), MonitoringKind.REGULAR,
                                                change="落ち着いている", next_on=TODAY))
    yamada = desk.register_intake(make_intake(
        name="山田 花子", kana="やまだ はなこ", birth=date(1990, 3, 4), triage=Triage.REFER,
        received=date(2026, 11, 2))).case.id
    desk.process.record_emergency(tanaka, EmergencyAction.HOUSING_BENEFIT, date(2026, 11, 12))
    meeting = desk.process.plan_meeting(date(2026, 11, 27), "regular", place="役場2階会議室")
    ids.update(suzuki=suzuki, tanaka=tanaka, yamada=yamada, meeting=meeting.id)
    return ids


@pytest.fixture
def board_desk(desk):
    ids = prepare_dashboard(desk)
    return desk, ids


def loaded(qtbot, view: DashboardView) -> None:
    qtbot.waitUntil(lambda: not view.busy() and bool(view.board), timeout=10000)


def test_counts_are_the_cores_and_a_tile_lists_exactly_its_cases(qtbot, board_desk,
                                                                  qtmodeltester):
    desk, ids = board_desk
    board = desk.process.dashboard()
    view = DashboardView(desk)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    loaded(qtbot, view)
    assert {k: view.count(k) for k in TILE_KEYS} == {k: board.counts[k] for k in TILE_KEYS}
    assert view.count("monitoring_today") == 1 and view.count("monitoring_overdue") >= 1
    assert view.count("plans_waiting_for_meeting") == 1
    assert view.count("next_meetings") == 1
    assert [view.tiles[k].title_label.text() for k in TILE_KEYS] == [
        "モニタリング（今日）", "モニタリング（期限切れ）", "つなぎ先の確認待ち", "会議待ちのプラン",
        "支援決定待ち", "手続き待ちの緊急支援", "中断中", "プラン評価の時期", "次回の会議"]
    # overdue monitoring: the tile in the warning colour
    assert "#b42318" in view.tiles["monitoring_overdue"].count_label.styleSheet()
    assert "#b42318" not in view.tiles["monitoring_today"].count_label.styleSheet()

    for key in TILE_KEYS:
        if key == "next_meetings":
            continue
        view.tiles[key].click()
        expected = [r.case_id for r in board.rows(key)]
        listed = [view.model.data(view.model.index(r, 0), Qt.ItemDataRole.UserRole)
                  for r in range(view.model.rowCount())]
        assert listed == expected, key
        assert view.tiles[key].isChecked()
    qtmodeltester.check(view.model)

    view.tiles["monitoring_overdue"].click()
    model = view.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "ケース番号", "氏名", "モニタリング予定日", "内容"]
    row = next(r for r in range(model.rowCount())
               if model.data(model.index(r, 0), Qt.ItemDataRole.UserRole) == ids["suzuki"])
    assert model.data(model.index(row, 1)) == "鈴木 一郎"
    assert model.data(model.index(row, 2)).startswith("令和8年5月")
    assert model.data(model.index(row, 2), Qt.ItemDataRole.ForegroundRole) == WARNING
    assert view.list_title.text().startswith("モニタリング（期限切れ）")

    view.tiles["plans_waiting_for_meeting"].click()
    assert model.rowCount() == 1
    assert model.data(model.index(0, 1)) == "髙橋 𠮷子"   # names come from the case list
    assert "プラン第1号" in model.data(model.index(0, 3))

    view.tiles["referrals_to_check"].click()
    names = [model.data(model.index(r, 1)) for r in range(model.rowCount())]
    assert "山田 花子" in names

    view.tiles["next_meetings"].click()
    assert model.rowCount() == 1
    assert model.data(model.index(0, 2)) == "役場2階会議室"
    assert model.data(model.index(0, 1)) == "定例"


def test_f5_refreshes_in_the_background(qtbot, board_desk):
    desk, ids = board_desk
    view = DashboardView(desk)
    qtbot.addWidget(view)
    view.show()
    loaded(qtbot, view)
    assert view.count("next_meetings") == 1
    desk.process.plan_meeting(date(2026, 12, 4), "ad_hoc")
    view.board = None
    qtbot.keyClick(view, Qt.Key.Key_F5)
    loaded(qtbot, view)
    assert view.count("next_meetings") == 2


def test_opening_a_case_and_a_meeting_from_the_lists(qtbot, board_desk):
    desk, ids = board_desk
    window = MainWindow(desk, opener=lambda url: None, close_desk_on_exit=False)
    qtbot.addWidget(window)
    window.show()
    assert "dashboard" in window.area_actions
    assert window.area_actions["dashboard"].text() == "ダッシュボード"
    view = window.open_area("dashboard")
    loaded(qtbot, view)
    view.tiles["monitoring_today"].click()
    assert view.model.rowCount() == 1
    index = view.model.index(0, 1)
    assert view.model.data(index) == "田中 花"
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.current_case_view() is not None, timeout=10000)
    assert window.current_case_view().detail.case.id == ids["tanaka"]

    window.tabs.setCurrentWidget(view)
    view.tiles["next_meetings"].click()
    view.open_row(view.model.index(0, 0))
    meetings = window.area_views["meetings"]
    assert window.tabs.currentWidget() is meetings
    qtbot.waitUntil(lambda: meetings.meeting is not None and meetings.meeting.id == ids["meeting"]
                    and not meetings.busy(), timeout=10000)


def test_a_long_list_shows_its_first_rows_and_all_on_request(qtbot, board_desk, monkeypatch):
    """The tile counts every case; the list holds the core's first rows, says so, and
    「すべて表示」 loads the rest of that list."""
    desk, ids = board_desk
    for n in range(3):
        desk.register_intake(make_intake(
            name=f"山田 {n}郎", kana="やまだ", birth=date(1980 + n, 1, 1), triage=Triage.REFER,
            received=date(2026, 11, 3 + n)))
    full = desk.process.dashboard(limit=None).referrals_to_check
    assert len(full) >= 4
    from app.operations.process import ProcessOperations
    real = ProcessOperations.dashboard   # the screen reads on a reading Desk: patch the class
    monkeypatch.setattr(ProcessOperations, "dashboard",
                        lambda self, limit=2, lists=None: real(self, limit, lists))
    view = DashboardView(desk)
    qtbot.addWidget(view)
    view.show()
    loaded(qtbot, view)
    view.tiles["referrals_to_check"].click()
    assert view.count("referrals_to_check") == len(full)
    assert view.model.rowCount() == 2
    assert view.list_title.text().endswith(f"（{len(full)}）")
    assert view.more_button.isVisible() and view.more_button.text() == "すべて表示"
    assert view.more_label.text() == f"{len(full)}件のうち最初の2件を表示しています。"
    view.more_button.click()
    qtbot.waitUntil(lambda: view.model.rowCount() == len(full), timeout=10000)
    listed = [view.model.data(view.model.index(r, 0), Qt.ItemDataRole.UserRole)
              for r in range(view.model.rowCount())]
    assert listed == [r.case_id for r in full]
    assert not view.more_button.isVisible()
    view.tiles["monitoring_today"].click()
    assert not view.more_button.isVisible()


def test_at_login_the_dashboard_comes_first_and_the_case_list_reads_when_shown(
        qtbot, board_desk, monkeypatch):
    """issue 17: start() shows the dashboard with the read the window started when it was
    made (one read, split on two connections with a second core), and the case list, not
    shown, reads its page and count only when first shown."""
    from ui import background
    from ui.views import dashboard
    desk, _ids = board_desk
    monkeypatch.setattr(dashboard, "_cores", lambda: 2)
    reads = []
    for name in ("_load", "_load_split"):
        original = getattr(dashboard, name)
        monkeypatch.setattr(dashboard, name,
                            lambda d, original=original, name=name: reads.append(name)
                            or original(d))
    window = MainWindow(desk, opener=lambda url: None, close_desk_on_exit=False)
    qtbot.addWidget(window)
    window.start()
    qtbot.waitUntil(lambda: "dashboard" in window.area_views and not background.busy()
                    and bool(window.area_views["dashboard"].board), timeout=10000)
    view = window.area_views["dashboard"]
    assert window.tabs.currentWidget() is view
    # (read again, on the reading connection alone, if the answer came before the view)
    assert reads[0] == "_load_split" and set(reads[1:]) <= {"_load"}
    assert view.count("monitoring_today") == desk.process.dashboard().total("monitoring_today")
    assert view.count("plans_waiting_for_meeting") == 1
    listed = window.case_list.model
    assert listed.total == 0 and not listed.rows      # not read while hidden
    window.tabs.setCurrentWidget(window.case_list)
    qtbot.waitUntil(lambda: listed.total == desk.count_cases(), timeout=10000)
    view.refresh()                                    # later reads: the reading connection
    qtbot.waitUntil(lambda: not view.busy(), timeout=10000)
    assert reads[0] == "_load_split" and reads[-1] == "_load"
