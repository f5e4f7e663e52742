"""管理: users (add, role, disable), the audit log (filter, CSV export, tampering shown),
the recovery key issued and shown once, the auto-lock setting."""

from __future__ import annotations

import pytest

from tests.ui.helpers_security import collect_garbage_here

from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.security.keyslots import KeySlots
from app.security.roles import Role
from tests.ui.conftest import LOGIN, PASSWORD  # noqa: F401
from tests.ui.helpers_security import accept, fake_dialogs
from ui.main_window import MainWindow
from ui.views.admin import AdminView



@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not __import__("ui.background").background.busy(), timeout=10000)
    collect_garbage_here()


def admin_window(qtbot, desk, dialogs):
    window = MainWindow(desk, opener=lambda url: None, close_desk_on_exit=False,
                        dialogs=dialogs, lock_options=dict(start_timer=False))
    qtbot.addWidget(window)
    window.show()
    assert "admin" in window.area_actions
    assert window.area_actions["admin"].text() == "管理"
    view = window.open_area("admin")
    assert isinstance(view, AdminView)
    return window, view


def test_add_user_change_role_disable(qtbot, desk, shots):
    def bad_then_good(d):
        d.login.setText("田中")  # not half-width: the core refuses, the dialog stays open
        d.name.setText("田中 一郎")
        d.team.setCurrentText("A班")
        d.password.setText("password 123")
        d.again.setText("password 123")
        assert accept(d) is False
        assert "半角" in d.error.text()
        d.login.setText("tanaka")
        d.password.setText("password 123")
        d.again.setText("password 123")
        d.grab().save(str(shots / "admin_add_user.png"))
        return accept(d)

    def to_chief(d):
        d.role.setCurrentIndex(d.role.findData(Role.CHIEF.value))
        return accept(d)

    dialogs = fake_dialogs(bad_then_good, to_chief)
    window, view = admin_window(qtbot, desk, dialogs)
    users = view.users
    users.add_button.click()
    u = next(u for u in desk.security.list_users() if u.login == "tanaka")
    assert u.display_name == "田中 一郎" and u.role == Role.CONSULTANT.value and u.team == "A班"
    assert "tanaka" in users.message.text()
    assert users.selected().login == "tanaka"
    users.role_button.click()
    assert next(u for u in desk.security.list_users() if u.login == "tanaka").role == Role.CHIEF.value
    users.disable_button.click()
    assert dialogs.confirmed and "tanaka" in dialogs.confirmed[-1]
    assert not next(u for u in desk.security.list_users() if u.login == "tanaka").active
    item = users.table.currentItem()
    assert item.text(4) == "無効"
    # the last administrator cannot be disabled: the core's message is shown
    users.select(LOGIN)
    users.disable_button.click()
    assert users.error.isVisible() and users.error.text()
    window.grab().save(str(shots / "admin_users.png"))


def test_audit_filter_export_and_tampering(qtbot, desk, tmp_path, shots):
    out = tmp_path / "監査.csv"
    dialogs = fake_dialogs(save_path=str(out))
    desk.security.lock_event("lock")
    desk.security.lock_event("unlock")
    window, view = admin_window(qtbot, desk, dialogs)
    audit = view.audit
    view.tabs.setCurrentWidget(audit)
    audit.action.setCurrentIndex(audit.action.findData("lock"))
    audit.search()
    qtbot.waitUntil(lambda: audit.table.topLevelItemCount() > 0)
    texts = {audit.table.topLevelItem(i).text(2) for i in range(audit.table.topLevelItemCount())}
    assert texts == {"画面ロック"}
    window.grab().save(str(shots / "admin_audit.png"))
    audit.export()
    qtbot.waitUntil(lambda: bool(dialogs.infos))
    data = Path(out).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    head = data.decode("utf-8-sig").splitlines()[0]
    assert "日時" in head and "利用者" in head and "操作" in head
    assert len(data.decode("utf-8-sig").splitlines()) == 2  # heading + the one lock
    assert "1" in dialogs.infos[-1]

    audit.check()
    qtbot.waitUntil(lambda: bool(audit.check_result.text()))
    assert "改ざんは見つかりません" in audit.check_result.text()
    desk.store.conn.execute("UPDATE audit SET detail = 'changed' WHERE seq = 3")
    audit.check_result.setText("")
    audit.check()
    qtbot.waitUntil(lambda: bool(audit.check_result.text()))
    shown = audit.check_result.text()
    assert "改ざん" in shown and "3" in shown
    window.grab().save(str(shots / "admin_audit_tampered.png"))
    desk.store.conn.execute("UPDATE audit SET detail = '' WHERE seq = 3")


def test_recovery_key_regenerated_and_shown_once(qtbot, desk, shots):
    seen = {}

    def keep(d):
        key = d.key.text()
        seen["key"] = key
        assert len(key) > 20
        assert not d.close_button.isEnabled()
        d.kept.setChecked(True)
        d.grab().save(str(shots / "admin_recovery_key.png"))
        d.close_button.click()
        assert d.key.text() == ""  # gone from the screen with the dialog
        return d.result() == 1

    dialogs = fake_dialogs(keep)
    window, view = admin_window(qtbot, desk, dialogs)
    view.tabs.setCurrentWidget(view.settings)
    window.grab().save(str(shots / "admin_settings.png"))
    view.settings.recovery_button.click()
    assert dialogs.confirmed
    key = seen["key"]
    assert KeySlots.load(desk.path).unlock_with_recovery_key(key) is not None
    shown = [w.text() for top in QApplication.topLevelWidgets() if top.isVisible()
             for w in top.findChildren(QLabel) if w.isVisible()]
    assert not any(key in t for t in shown)
    assert "recovery_key_new" in [r.action for r in desk.security.audit_search(limit=3)]


def test_auto_lock_minutes_and_case_access_setting(qtbot, desk):
    def reason(d):
        d.text.setPlainText("主任相談支援員を別に置いたため")
        return accept(d)

    dialogs = fake_dialogs(reason)
    window, view = admin_window(qtbot, desk, dialogs)
    s = view.settings
    assert s.minutes.value() == 5 and desk.security.auto_lock_minutes() == 5
    s.minutes.setValue(12)
    s.save_minutes.click()
    assert desk.security.auto_lock_minutes() == 12 and window.screen_lock.idle.minutes == 12
    s.case_access.setChecked(False)
    assert desk.security.admin_case_access() is False
    rows = desk.security.audit_search(action="admin_case_access", limit=1)
    assert rows and rows[0].reason == "主任相談支援員を別に置いたため"
    assert isinstance(view, QWidget)


def test_the_guides_periods_are_set_on_the_settings_screen(qtbot, desk):
    """Issue 19 point 5: the desk sets the figures the guide leaves open (中断 by two means
    over N days, 終結(3) after M days of 中断 …); the screen shows the defaults and saves."""
    window, view = admin_window(qtbot, desk, fake_dialogs())
    s = view.settings
    spins = s.process_spins
    assert {k: spins[k].value() for k in spins} == {
        "suspension_means": 2, "suspension_days": 14, "closure3_days": 90,
        "amendment_days": 31, "evaluation_notice_days": 14}
    spins["suspension_days"].setValue(21)
    spins["closure3_days"].setValue(120)
    s.save_process.click()
    settings = desk.process.process_settings()
    assert (settings.suspension_days, settings.closure3_days) == (21, 120)
    assert "保存しました" in s.message.text()
    assert spins["suspension_means"].minimum() == 2   # never fewer than the guide's two means
