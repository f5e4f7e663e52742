"""Automatic backups in the main window (on exit, at most daily, failures shown), the
backup area (settings, back up now, check, restore then log in again), and damage found
after login handed to the recovery screen."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

from app.desk import Desk
from app.errors import DamagedDatabase
from app.operations.maintenance import BackupUnlocker, default_backup_folder
from app.store.backup import list_backups
from tests.conftest import LOGIN, PASSWORD, make_intake
from ui.main_window import MainWindow
from ui.views.backup import BackupView


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def window_for(qtbot, desk, **auto):
    problems: list[str] = []
    auto.setdefault("show_problem", problems.append)
    auto.setdefault("check_every_ms", 0)
    window = MainWindow(desk, show_error=problems.append, close_desk_on_exit=False,
                        auto_backup_options=auto)
    qtbot.addWidget(window)
    window.show()
    return window, problems


class SpontaneousClose:
    """A close from the window manager (the user's ×)."""

    def __init__(self):
        self.ignored = False

    def spontaneous(self) -> bool:
        return True

    def ignore(self) -> None:
        self.ignored = True


def test_closing_the_window_writes_a_verified_backup(qtbot, desk):
    desk.register_intake(make_intake())
    window, problems = window_for(qtbot, desk)
    window.close()
    found = list_backups(default_backup_folder(desk.path))
    assert len(found) == 1 and not problems
    assert BackupUnlocker(LOGIN, PASSWORD).check(found[0].path) >= 1


def test_the_users_close_backs_up_in_the_background_then_closes(qtbot, desk):
    window, problems = window_for(qtbot, desk)
    event = SpontaneousClose()
    assert window.auto_backup.on_close(event) is False and event.ignored
    assert not window.isEnabled()  # waiting, not frozen
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert len(list_backups(default_backup_folder(desk.path))) == 1


def test_a_failed_backup_at_exit_asks_what_to_do(qtbot, desk, tmp_path):
    usb = tmp_path / "usb"
    desk.maintenance.set_backup_settings(usb, 5)
    shutil.rmtree(usb)  # the USB drive is not plugged in
    asked: list[str] = []
    answers = ["stay", "quit"]
    window, problems = window_for(qtbot, desk,
                                  ask_at_exit=lambda text: asked.append(text) or answers.pop(0))
    window.auto_backup.on_close(SpontaneousClose())
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10000)
    assert "見つかりません" in asked[0] and "USB" in asked[0]
    assert window.isVisible() and window.isEnabled()  # "stay": go on working
    window.auto_backup.on_close(SpontaneousClose())
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert len(asked) == 2


def test_daily_backup_by_the_timer_and_not_twice_a_day(qtbot, desk):
    clock = Clock(datetime(2026, 11, 2, 10, 0))
    folder = default_backup_folder(desk.path)
    window, problems = window_for(qtbot, desk, clock=clock, check_every_ms=30,
                                  first_check_ms=10)
    qtbot.waitUntil(lambda: len(list_backups(folder)) == 1, timeout=10000)
    qtbot.waitUntil(lambda: "バックアップしました" in window.auto_backup.label.text(),
                    timeout=5000)
    clock.now += timedelta(hours=5)
    qtbot.wait(200)  # several ticks, the same day
    assert len(list_backups(folder)) == 1
    clock.now = datetime(2026, 11, 3, 8, 0)
    qtbot.waitUntil(lambda: len(list_backups(folder)) == 2, timeout=10000)
    window.auto_backup.timer.stop()
    window.auto_backup.enabled = False
    assert not problems


def test_a_failed_daily_backup_is_shown_not_silent_and_retried_later(qtbot, desk, tmp_path):
    usb = tmp_path / "usb"
    desk.maintenance.set_backup_settings(usb, 5)
    shutil.rmtree(usb)
    clock = Clock(datetime(2026, 11, 2, 10, 0))
    window, problems = window_for(qtbot, desk, clock=clock)
    auto = window.auto_backup
    auto.check()
    qtbot.waitUntil(lambda: len(problems) == 1, timeout=10000)
    assert "USB" in problems[0] and "作業を続けられます" in problems[0]
    assert "バックアップできませんでした" in auto.label.text()
    auto.check()  # within 30 minutes: not tried again
    assert not auto.running
    clock.now += timedelta(minutes=31)
    auto.check()
    qtbot.waitUntil(lambda: not auto.running, timeout=10000)
    assert len(problems) == 1  # the same problem: the status bar keeps saying it
    usb.mkdir()
    desk.maintenance.set_backup_settings(usb, 5)  # plugged in (and set up) again
    clock.now += timedelta(minutes=31)
    auto.check()
    qtbot.waitUntil(lambda: len(list_backups(usb)) == 1, timeout=10000)
    qtbot.waitUntil(lambda: "バックアップしました" in auto.label.text(), timeout=5000)
    auto.enabled = False


def test_damage_found_after_login_closes_the_desk_and_asks_for_recovery(qtbot, desk,
                                                                       monkeypatch):
    def broken(stop=None):
        raise DamagedDatabase("データベースファイル desk.db が損傷しています。")

    monkeypatch.setattr(desk.maintenance, "check_integrity", broken)
    folder = default_backup_folder(desk.path)
    seen: list[str] = []
    window = MainWindow(desk, close_desk_on_exit=False,
                        auto_backup_options={"check_every_ms": 0, "integrity_check_bytes": 0,
                                             "integrity_delay_ms": 0})
    qtbot.addWidget(window)
    window.damaged.connect(seen.append)
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert "損傷" in seen[0]
    assert desk.closed and not window.auto_backup.enabled
    window.close()  # no backup of a damaged desk on the way out
    assert list_backups(folder) == []


# ---------------------------------------------------------------------- the area
def backup_view(qtbot, desk, **kw):
    window, problems = window_for(qtbot, desk)
    view = BackupView(window, **kw)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.last.text() != "", timeout=10000)
    return window, view


def test_the_backup_area_is_for_administrators(qtbot, desk):
    window, problems = window_for(qtbot, desk)
    assert "backup" in window.area_actions
    assert window.area_actions["backup"].text() == "バックアップ"
    view = window.open_area("backup")
    assert isinstance(view, BackupView)
    from ui.areas import area_by_key
    from types import SimpleNamespace
    viewer = SimpleNamespace(user=SimpleNamespace(role="consultant"))
    assert not area_by_key("backup").visible(viewer)
    window.auto_backup.enabled = False


def test_settings_are_checked_and_saved(qtbot, desk, tmp_path):
    window, view = backup_view(qtbot, desk)
    assert "まだバックアップがありません" in view.last.text()
    view.folder.setText("relative/path")
    view.save_settings()
    qtbot.waitUntil(lambda: view.folder_error.isVisible(), timeout=10000)
    assert "フルパス" in view.folder_error.text()
    usb = tmp_path / "usb"
    view.folder.setText(str(usb))
    view.generations.setValue(4)
    view.save_settings()
    qtbot.waitUntil(lambda: "保存しました" in view.saved.text(), timeout=10000)
    assert not view.folder_error.isVisible()
    assert desk.maintenance.backup_settings().folder == usb and desk.maintenance.backup_settings().generations == 4
    view.backup_now()
    qtbot.waitUntil(lambda: view.table.topLevelItemCount() == 1, timeout=10000)
    assert "確認しました" in view.status.text()
    assert "最終バックアップ" in view.last.text()
    view.verify_all()
    qtbot.waitUntil(lambda: view.table.topLevelItem(0).text(2) == "正常", timeout=10000)
    window.auto_backup.enabled = False


def test_restore_from_the_area_closes_the_desk_and_asks_to_log_in_again(qtbot, desk_path):
    desk = Desk.open(desk_path, LOGIN, PASSWORD)
    desk.register_intake(make_intake(name="復元される"))
    asked = []
    window, view = backup_view(qtbot, desk,
                               confirm_restore=lambda info: asked.append(info) or (LOGIN,
                                                                                    PASSWORD))
    view.backup_now()
    qtbot.waitUntil(lambda: view.table.topLevelItemCount() == 1, timeout=10000)
    desk.register_intake(make_intake(name="復元で消える"))
    ended: list[str] = []
    window.session_ended.connect(ended.append)
    view.restore_selected()
    qtbot.waitUntil(lambda: bool(ended), timeout=15000)
    assert asked and "復元しました" in ended[0]
    assert desk.closed
    with Desk.open(desk_path, LOGIN, PASSWORD) as again:
        assert [c.name for c in again.list_cases()] == ["復元される"]
    window.close()


def test_a_wrong_password_for_a_restore_keeps_the_desk_open(qtbot, desk):
    window, view = backup_view(qtbot, desk,
                               confirm_restore=lambda info: (LOGIN, "wrong password"))
    view.backup_now()
    qtbot.waitUntil(lambda: view.table.topLevelItemCount() == 1, timeout=10000)
    view.restore_selected()
    qtbot.waitUntil(lambda: view.error.isVisible(), timeout=10000)
    assert "パスワード" in view.error.text()
    assert not desk.closed
    window.auto_backup.enabled = False


def test_restore_from_a_file_refuses_a_file_that_is_not_a_backup(qtbot, desk, tmp_path):
    other = tmp_path / "notes.db"
    other.write_bytes(b"x")
    window, view = backup_view(qtbot, desk, choose_file=lambda parent: str(other))
    view.restore_from_file()
    assert "バックアップではありません" in view.error.text()
    window.auto_backup.enabled = False




# ---------------------------------------------------------------------- beside the screens
def test_the_daily_backups_copy_never_holds_up_the_screens_and_a_lock_stops_it(qtbot, desk,
                                                                                monkeypatch):
    """At 100,000 cases the copy takes a minute or more. It runs beside the screens on a
    connection of its own: while it runs, the GUI thread's calls on the desk (a dialog's
    save) and the writer's operations go on; locking the screen stops it — no file left,
    no message — and the next tick backs up after all."""
    import threading
    import time

    from app.store import db
    clock = Clock(datetime(2026, 11, 2, 10, 0))
    window, problems = window_for(qtbot, desk, clock=clock)
    auto, folder = window.auto_backup, default_backup_folder(desk.path)
    real_write = type(desk.maintenance).write_backup
    copying, stops = threading.Event(), []

    def slow_write(ops, job, stop=None):   # a copy that takes until it is stopped
        stops.append(stop)
        copying.set()
        if stop is None:
            time.sleep(3)                    # (a caller that cannot stop it just waits)
        elif stop.wait(30):
            raise db.cancelled()
        return real_write(ops, job, stop)
    monkeypatch.setattr(type(desk.maintenance), "write_backup", slow_write)
    auto.check()
    qtbot.waitUntil(copying.is_set, timeout=5000)
    t = time.perf_counter()
    window.desk.register_intake(make_intake())              # on the GUI thread, at once
    assert time.perf_counter() - t < 2
    saved: list = []
    from ui.background import run_in_background
    run_in_background(window, lambda: window.desk.register_intake(make_intake()),
                      saved.append)                         # the writer worker too
    qtbot.waitUntil(lambda: bool(saved), timeout=5000)
    assert auto.running and list_backups(folder) == []
    window.desk.drop_reader()                               # what the screen lock does first
    qtbot.waitUntil(lambda: not auto.running, timeout=5000)
    assert stops[0].is_set() and not problems and list_backups(folder) == []
    assert "できませんでした" not in auto.label.text()
    monkeypatch.setattr(type(desk.maintenance), "write_backup", real_write)
    auto.check()                                            # the next tick
    qtbot.waitUntil(lambda: len(list_backups(folder)) == 1, timeout=10000)
    qtbot.waitUntil(lambda: "バックアップしました" in auto.label.text(), timeout=5000)
    assert not problems
    auto.enabled = False


def test_a_backup_whose_desk_locked_meanwhile_is_neither_continued_nor_kept(qtbot, desk,
                                                                           monkeypatch):
    """Each step's answer comes back by a queued signal, so the lock may come in between:
    a backup prepared before the lock is not copied after it, and a copy that ended just
    as the desk locked is removed — never a backup without its audit entry, never the
    message of a failure."""
    import threading

    from app.errors import Cancelled
    from ui.views.backup import backup_in_background
    window, problems = window_for(qtbot, desk)
    folder = default_backup_folder(desk.path)
    done, failed = [], []
    backup_in_background(window, window.desk, done.append, failed.append, reason="manual")
    window.desk.drop_reader()                  # the lock, before the answer of step one
    qtbot.waitUntil(lambda: bool(done or failed), timeout=5000)
    assert done == [] and isinstance(failed[0], Cancelled) and list_backups(folder) == []

    real_write = type(desk.maintenance).write_backup
    copying, release = threading.Event(), threading.Event()

    def late_write(ops, job, stop=None):      # ends after the lock, ignoring its stop
        copying.set()
        release.wait(10)
        return real_write(ops, job, None)
    monkeypatch.setattr(type(desk.maintenance), "write_backup", late_write)
    failed.clear()
    backup_in_background(window, window.desk, done.append, failed.append, reason="manual")
    qtbot.waitUntil(copying.is_set, timeout=5000)
    window.desk.drop_reader()
    release.set()
    qtbot.waitUntil(lambda: bool(done or failed), timeout=10000)
    assert done == [] and isinstance(failed[0], Cancelled)
    assert not folder.exists() or list(folder.iterdir()) == []
    assert window.desk.raw.store.conn.execute(
        "SELECT count(*) FROM audit WHERE action = 'backup'").fetchone()[0] == 0
    assert not problems
    window.auto_backup.enabled = False


def test_a_page_check_stopped_by_the_lock_runs_again_at_the_next_tick(qtbot, desk,
                                                                     monkeypatch):
    import threading

    from app.store import db
    window, problems = window_for(qtbot, desk)
    auto = window.auto_backup
    started, runs = threading.Event(), []

    def long_check(stop=None):
        started.set()
        if stop.wait(10):
            raise db.cancelled()
    monkeypatch.setattr(desk.maintenance, "check_integrity", long_check)
    auto.check_integrity()
    qtbot.waitUntil(started.is_set, timeout=5000)
    window.desk.drop_reader()                       # the lock stops it …
    qtbot.waitUntil(lambda: auto.integrity_pending, timeout=5000)
    assert not problems and auto.enabled
    monkeypatch.setattr(desk.maintenance, "check_integrity", lambda stop=None: runs.append(1))
    auto.check()                                    # … and the next tick runs it again
    qtbot.waitUntil(lambda: runs == [1], timeout=5000)
    assert not auto.integrity_pending and not problems
    auto.enabled = False


def test_the_screen_lock_never_waits_for_the_page_check_of_a_large_desk(qtbot, desk,
                                                                       monkeypatch):
    """SQLCipher's page check cannot be interrupted mid-way (20 s of a 32 s check at
    100,000 cases): the lock asks it to stop and goes on within a second; the check ends on
    its own connection, reports itself stopped, and runs again at the next tick."""
    import threading
    import time

    from app.store import db
    window, problems = window_for(qtbot, desk)
    auto = window.auto_backup
    started, finished = threading.Event(), threading.Event()

    def stubborn_check(stop=None):             # looks at ``stop`` only after 4 s
        started.set()
        time.sleep(4)
        finished.set()
        if stop is not None and stop.is_set():
            raise db.cancelled()
    monkeypatch.setattr(desk.maintenance, "check_integrity", stubborn_check)
    auto.check_integrity()
    qtbot.waitUntil(started.is_set, timeout=5000)
    t = time.perf_counter()
    window.screen_lock.lock()
    assert time.perf_counter() - t < 2 and window.screen_lock.locked
    assert not finished.is_set()               # still reading on its own connection
    qtbot.waitUntil(lambda: auto.integrity_pending, timeout=10000)
    assert not problems
    window.screen_lock.unlock(PASSWORD)
    qtbot.waitUntil(lambda: not window.screen_lock.locked, timeout=10000)
    runs: list[int] = []
    monkeypatch.setattr(window.desk.raw.maintenance, "check_integrity",
                        lambda stop=None: runs.append(1))
    auto.check()
    qtbot.waitUntil(lambda: runs == [1], timeout=5000)
    assert not problems
    auto.enabled = False
