"""The security screens' remaining paths, driven through the real widgets and checked in the
database and the audit log: a user changes their own password (user menu), an
administrator enables a disabled account with a new password, the retention screen lists
closed cases past their period and deletes the checked ones after a confirmation, and a
case's 閲覧制限 is lifted (and set) with a recorded reason."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from app.errors import NotFound, WrongPassword
from app.security.keyslots import KeySlots
from app.security.roles import Role
from tests.conftest import make_intake
from tests.test_retention import _close
from tests.ui.conftest import LOGIN, PASSWORD
from tests.ui.helpers_security import accept, collect_garbage_here, fake_dialogs
from ui import background
from ui.main_window import MainWindow
from ui.views.admin import AdminView
from ui.views.case_view import CaseView

NEW_PASSWORD = "new password 456"


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not __import__("ui.background").background.busy(), timeout=10000)
    collect_garbage_here()


def make_window(qtbot, desk, dialogs, *, cases: int = 0):
    opened: list = []
    window = MainWindow(desk, opener=opened.append, close_desk_on_exit=False,
                        dialogs=dialogs, lock_options=dict(start_timer=False))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == cases)
    return window


def admin_view(window) -> AdminView:
    view = window.open_area("admin")
    assert isinstance(view, AdminView)
    return view


def slots_open(desk, login: str, password: str) -> bool:
    try:
        return KeySlots.load(desk.path).unlock(login, password) == desk.store._raw_key
    except WrongPassword:
        return False


# ---------------------------------------------------------------------- own password
def test_user_changes_their_own_password_from_the_user_menu(qtbot, desk, shots):
    seen: dict[str, str] = {}

    def change(d):
        assert "パスワード" in d.windowTitle()
        # the two new ones differ: said in the dialog, which stays open
        d.current.setText(PASSWORD)
        d.new.setText(NEW_PASSWORD)
        d.again.setText(NEW_PASSWORD + "x")
        assert accept(d) is False
        seen["differ"] = d.error.text()
        # the current password is wrong: the core refuses, nothing changes
        d.current.setText("not my password")
        d.new.setText(NEW_PASSWORD)
        d.again.setText(NEW_PASSWORD)
        assert accept(d) is False
        seen["wrong"] = d.error.text()
        assert d.new.text() == "" and d.again.text() == ""  # typed again, not kept
        # too short for the desk's rule
        d.current.setText(PASSWORD)
        d.new.setText("short")
        d.again.setText("short")
        assert accept(d) is False
        seen["short"] = d.error.text()
        d.new.setText(NEW_PASSWORD)
        d.again.setText(NEW_PASSWORD)
        d.grab().save(str(shots / "change_password.png"))
        return accept(d)

    dialogs = fake_dialogs(change)
    window = make_window(qtbot, desk, dialogs)
    lock = window.screen_lock
    assert lock.password_action in lock.user_button.menu().actions()
    lock.password_action.trigger()
    assert not dialogs.queue
    assert "一致しません" in seen["differ"]
    assert "現在のパスワード" in seen["wrong"] and "違います" in seen["wrong"]
    assert "8" in seen["short"] and "文字" in seen["short"]
    assert dialogs.infos and "変更しました" in dialogs.infos[-1]
    assert slots_open(desk, LOGIN, NEW_PASSWORD) and not slots_open(desk, LOGIN, PASSWORD)
    actions = [r.action for r in desk.security.audit_search(user=LOGIN, limit=5)]
    assert actions[0] == "password_change" and "password_change_failed" in actions


def test_cancelled_password_change_changes_nothing(qtbot, desk):
    dialogs = fake_dialogs(lambda d: (d.current.setText(PASSWORD),
                                      d.new.setText(NEW_PASSWORD),
                                      d.again.setText(NEW_PASSWORD), d.reject(), False)[-1])
    window = make_window(qtbot, desk, dialogs)
    window.screen_lock.password_action.trigger()
    assert not dialogs.infos
    assert slots_open(desk, LOGIN, PASSWORD)
    assert "password_change" not in [r.action for r in desk.security.audit_search(limit=5)]


# ---------------------------------------------------------------------- enable a user
def test_administrator_enables_a_disabled_user_with_a_new_password(qtbot, desk, shots):
    desk.security.add_user("tanaka", "田中 一郎", Role.CONSULTANT, "first password 1", team="A班")
    desk.security.disable_user("tanaka")
    assert not slots_open(desk, "tanaka", "first password 1")
    seen: dict[str, str] = {}

    def enable(d):
        assert "tanaka" in d.windowTitle()
        d.new.setText("short")
        d.again.setText("short")
        assert accept(d) is False  # the core's rule, in the dialog
        seen["short"] = d.error.text()
        d.new.setText("again password 2")
        d.again.setText("again password 3")
        assert accept(d) is False
        seen["differ"] = d.error.text()
        d.new.setText("again password 2")
        d.again.setText("again password 2")
        d.grab().save(str(shots / "enable_user.png"))
        return accept(d)

    dialogs = fake_dialogs(enable)
    window = make_window(qtbot, desk, dialogs)
    users = admin_view(window).users
    users.select("tanaka")
    assert users.table.currentItem().text(4) == "無効"
    assert users.enable_button.isEnabled() and not users.disable_button.isEnabled()
    assert not users.reset_button.isEnabled()
    users.enable_button.click()
    assert "文字" in seen["short"] and "一致しません" in seen["differ"]
    assert users.table.currentItem().text(4) == "有効"
    assert users.disable_button.isEnabled() and not users.enable_button.isEnabled()
    assert "tanaka" in users.message.text()
    window.grab().save(str(shots / "enable_user_done.png"))
    u = next(u for u in desk.security.list_users() if u.login == "tanaka")
    assert u.active and u.has_key and u.team == "A班"
    assert slots_open(desk, "tanaka", "again password 2")
    assert not slots_open(desk, "tanaka", "first password 1")
    row = desk.security.audit_search(action="user_enable", limit=1)[0]
    assert row.login == LOGIN and row.detail == "tanaka"


def test_enabling_cancelled_leaves_the_user_disabled(qtbot, desk):
    desk.security.add_user("tanaka", "田中 一郎", Role.CONSULTANT, "first password 1")
    desk.security.disable_user("tanaka")
    dialogs = fake_dialogs(lambda d: False)
    window = make_window(qtbot, desk, dialogs)
    users = admin_view(window).users
    users.select("tanaka")
    users.enable_button.click()
    assert not next(u for u in desk.security.list_users() if u.login == "tanaka").active
    assert users.table.currentItem().text(4) == "無効"
    assert not desk.security.audit_search(action="user_enable", limit=1)


# ---------------------------------------------------------------------- retention
@pytest.fixture
def retention_desk(desk):
    old = [desk.register_intake(make_intake(name=f"保存 {n}", received=date(2018, 4, 1 + n),
                                            consultation=f"ZQXRET{n} の相談")).case
           for n in range(2)]
    recent = desk.register_intake(make_intake(name="最近 終結", received=date(2024, 4, 1))).case
    _close(desk, old[0].id, "2019-03-31")
    _close(desk, old[1].id, "2020-06-30")
    _close(desk, recent.id, date.today().isoformat())
    return desk, old, recent


def test_retention_screen_lists_and_deletes_after_confirmation(qtbot, retention_desk, shots):
    desk, old, recent = retention_desk
    counts = desk.security.intake_counts_by_month()
    dialogs = fake_dialogs(confirm=False)
    window = make_window(qtbot, desk, dialogs, cases=3)
    view = admin_view(window)
    panel = view.retention
    view.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.table.topLevelItemCount() == 2, timeout=10000)
    assert panel.years.value() == 5
    listed = [panel.table.topLevelItem(i).text(1)
              for i in range(panel.table.topLevelItemCount())]
    assert listed == [old[0].case_no, old[1].case_no]  # not the recently closed case
    first = panel.table.topLevelItem(0)
    assert first.text(2) == "平成31年3月31日" and first.text(3) == "令和6年3月31日"

    panel.purge_button.click()  # nothing checked
    assert "チェック" in panel.error.text() and not dialogs.confirmed
    first.setCheckState(0, Qt.CheckState.Checked)
    panel.purge_button.click()  # no reason
    assert "理由" in panel.error.text() and not dialogs.confirmed
    panel.reason.setPlainText("保存期間（終結後5年）経過")
    assert not panel.error.isVisible()  # the old complaint goes once the reason is typed
    window.grab().save(str(shots / "retention_before.png"))
    panel.purge_button.click()  # the confirmation is declined: nothing deleted
    assert len(dialogs.confirmed) == 1 and old[0].case_no in dialogs.confirmed[0]
    assert desk.get_case(old[0].id).case.case_no == old[0].case_no
    assert not desk.security.audit_search(action="purge", limit=1)

    dialogs.confirm = lambda _p, _t, text: (dialogs.confirmed.append(text), True)[1]
    panel.purge_button.click()
    assert not panel.purge_button.isEnabled()  # one purge at a time
    qtbot.waitUntil(lambda: panel.table.topLevelItemCount() == 1, timeout=15000)
    assert panel.table.topLevelItem(0).text(1) == old[1].case_no
    assert old[0].case_no in panel.message.text() and not panel.error.isVisible()
    assert panel.purge_button.isEnabled()
    assert panel.reason.toPlainText() == ""
    window.grab().save(str(shots / "retention_after.png"))
    with pytest.raises(NotFound):
        desk.get_case(old[0].id)
    desk.get_case(old[1].id)
    desk.get_case(recent.id)
    row = desk.security.audit_search(action="purge", limit=1)[0]
    assert row.detail == old[0].case_no and row.reason == "保存期間（終結後5年）経過"
    assert desk.security.intake_counts_by_month() == counts  # past figures unchanged


def test_retention_period_saved_from_the_screen(qtbot, retention_desk):
    desk, old, _recent = retention_desk
    window = make_window(qtbot, desk, fake_dialogs(), cases=3)
    panel = admin_view(window).retention
    panel.years.setValue(7)  # 2020-06-30 + 7 years is not yet past
    panel.save_years.click()
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    assert desk.security.retention_years() == 7
    assert [panel.table.topLevelItem(i).text(1)
            for i in range(panel.table.topLevelItemCount())] == [old[0].case_no]
    assert desk.security.audit_search(action="setting", limit=1)[0].detail == "retention.years=7"
    panel.years.setValue(30)
    panel.save_years.click()
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    assert panel.table.topLevelItemCount() == 0
    assert "ありません" in panel.message.text()


# ---------------------------------------------------------------------- 閲覧制限
def open_case(qtbot, window, case_id) -> CaseView:
    window.open_case(case_id)
    qtbot.waitUntil(lambda: window.current_case_view() is not None)
    view = window.current_case_view()
    qtbot.waitUntil(lambda: bool(view.steps))
    return view


def list_name(window, case_id) -> str:
    model = window.case_list.model
    row = next(r for r in range(model.rowCount()) if model.rows[r].id == case_id)
    return model.data(model.index(row, 1))


def test_lifting_the_restriction_asks_a_reason_and_shows_the_whereabouts(qtbot,
                                                                        desk_with_cases, shots):
    desk = desk_with_cases
    target = next(c for c in desk.list_cases() if c.name.startswith("髙橋"))
    desk.security.set_sensitive(target.id, True, "DV 被害の相談があったため")

    def lift(d):
        assert "解除" in d.windowTitle() and not d.ok_button.isEnabled()
        d.text.setPlainText("本人から転居済みで制限不要との申し出")
        d.grab().save(str(shots / "lift_restriction.png"))
        return accept(d)

    dialogs = fake_dialogs(lift)
    window = make_window(qtbot, desk, dialogs, cases=3)
    assert "閲覧制限" in list_name(window, target.id)
    view = open_case(qtbot, window, target.id)
    bar = view.privacy
    assert bar.marker.isVisible() and "本町1-2-3" not in view.contents.text()
    assert "解除" in bar.flag_button.text()
    bar.flag_button.click()
    qtbot.waitUntil(lambda: "本町1-2-3" in view.contents.text(), timeout=10000)
    qtbot.waitUntil(lambda: not bar.marker.isVisible())
    assert not bar.reveal_button.isVisible() and bar.flag_button.text() == "閲覧制限を設定…"
    window.grab().save(str(shots / "lifted.png"))
    assert not desk.security.is_sensitive(target.id)
    row = desk.security.audit_search(action="sensitive_off", limit=1)[0]
    assert row.reason == "本人から転居済みで制限不要との申し出" and row.case_no
    # the case list follows: the marker is gone there too
    window.tabs.setCurrentWidget(window.case_list)
    qtbot.waitUntil(lambda: "閲覧制限" not in list_name(window, target.id), timeout=10000)


def test_setting_the_restriction_masks_view_and_list(qtbot, desk_with_cases):
    desk = desk_with_cases
    target = next(c for c in desk.list_cases() if c.name.startswith("髙橋"))

    def restrict(d):
        d.text.setPlainText("ストーカー被害の相談があったため")
        return accept(d)

    dialogs = fake_dialogs(lambda d: False, restrict)
    window = make_window(qtbot, desk, dialogs, cases=3)
    view = open_case(qtbot, window, target.id)
    bar = view.privacy
    assert not bar.marker.isVisible() and "本町1-2-3" in view.contents.text()
    bar.flag_button.click()  # cancelled: nothing changes, nothing audited
    assert not desk.security.is_sensitive(target.id)
    assert not desk.security.audit_search(action="sensitive_on", limit=1)
    bar.flag_button.click()
    qtbot.waitUntil(lambda: bar.marker.isVisible(), timeout=10000)
    assert "本町1-2-3" not in view.contents.text()
    assert desk.security.is_sensitive(target.id)
    assert desk.security.audit_search(action="sensitive_on", limit=1)[0].reason == \
        "ストーカー被害の相談があったため"
    window.tabs.setCurrentWidget(window.case_list)
    qtbot.waitUntil(lambda: "閲覧制限" in list_name(window, target.id), timeout=10000)
