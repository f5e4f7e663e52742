"""Backup settings, the daily rule for automatic backups, a full or missing backup drive,
checking backups of a database that does not open, and transient file locks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from app.desk import Desk
from app.errors import (
    DamagedDatabase, StoreError, TruncatedDatabase, ValidationErrors, WrongPassword,
)
from app.operations.maintenance import (
    MARKER, BackupUnlocker, backup_folders_for, default_backup_folder, pointer_path,
)
from app.security.keyslots import KeySlots
from app.store import db
from app.store.backup import list_backups
from tests.conftest import LOGIN, PASSWORD, make_intake

DAY1 = datetime(2026, 11, 2, 9, 30)


def _fields(exc: ValidationErrors) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


# ---------------------------------------------------------------------- settings
def test_default_settings_are_the_folder_beside_the_database(desk):
    s = desk.maintenance.backup_settings()
    assert s.folder == default_backup_folder(desk.path) == desk.path.parent / "backups"
    assert s.generations == 10 and not s.custom


def test_settings_are_validated_with_messages_naming_the_field(desk, tmp_path):
    with pytest.raises(ValidationErrors) as e:
        desk.maintenance.set_backup_settings("relative/folder", 0)
    fields = _fields(e.value)
    assert "フルパス" in fields["backup.folder"]
    assert "1から100" in fields["backup.generations"]
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(ValidationErrors) as e:
        desk.maintenance.set_backup_settings(a_file, 5)
    assert "ファイル" in _fields(e.value)["backup.folder"]
    with pytest.raises(ValidationErrors) as e:
        desk.maintenance.set_backup_settings(a_file / "sub", 5)  # cannot be created
    assert "USBドライブ" in _fields(e.value)["backup.folder"]
    with pytest.raises(ValidationErrors) as e:
        desk.maintenance.set_backup_settings(desk.path.parent, 5)
    assert "データベースと同じフォルダー" in _fields(e.value)["backup.folder"]
    with pytest.raises(ValidationErrors):
        desk.maintenance.set_backup_settings(tmp_path / "ok", "10")  # type: ignore[arg-type]
    assert not desk.maintenance.backup_settings().custom  # nothing was saved


def test_an_unwritable_folder_is_refused(desk, tmp_path, monkeypatch):
    import app.operations.maintenance as m

    def refuse(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(m.tempfile, "mkstemp", refuse)  # root can write anywhere here
    with pytest.raises(ValidationErrors) as e:
        desk.maintenance.set_backup_settings(tmp_path / "locked", 5)
    assert "書き込めません" in _fields(e.value)["backup.folder"]


def test_settings_are_saved_marked_and_findable_without_opening_the_database(desk, tmp_path):
    usb = tmp_path / "usb" / "つなぐ控え"
    s = desk.maintenance.set_backup_settings(str(usb), 3)
    assert s.custom and s.folder == usb and s.generations == 3
    assert (usb / MARKER).exists()
    assert json.loads(pointer_path(desk.path).read_text(encoding="utf-8"))["folder"] == str(usb)
    assert backup_folders_for(desk.path) == [usb, default_backup_folder(desk.path)]
    for i in range(5):
        desk.maintenance.auto_backup(datetime(2026, 11, 1 + i, 9))
    assert len(list_backups(usb)) == 3
    desk.maintenance.set_backup_settings("", 10)  # back to the default folder
    assert not desk.maintenance.backup_settings().custom
    assert backup_folders_for(desk.path) == [default_backup_folder(desk.path)]


# ---------------------------------------------------------------------- daily rule
def test_backup_is_due_at_most_daily(desk):
    assert desk.maintenance.last_backup() is None and desk.maintenance.backup_due(DAY1)
    target = desk.maintenance.auto_backup(DAY1, only_if_due=True)
    assert target is not None and desk.maintenance.verify_backup(target) >= 1
    assert desk.maintenance.last_backup() == DAY1
    assert not desk.maintenance.backup_due(DAY1.replace(hour=18))
    assert desk.maintenance.auto_backup(DAY1.replace(hour=18), only_if_due=True) is None
    assert desk.maintenance.backup_due(datetime(2026, 11, 3, 0, 1))
    assert desk.maintenance.backup_due(datetime(2026, 11, 1, 12))  # the clock went back: back up
    assert len(desk.maintenance.backups()) == 1


def test_a_backup_made_elsewhere_counts(desk):
    desk.maintenance.backup()  # e.g. python -m app backup: the newest file in the folder counts
    assert not desk.maintenance.backup_due(datetime.now())


def test_automatic_backup_works_for_every_role_and_is_audited(desk):
    desk.maintenance.auto_backup(DAY1, reason="exit")
    entries = [e for e in desk.security.audit_entries() if getattr(e, "action", "") == "backup"]
    assert entries and "exit" in entries[0].detail


# ---------------------------------------------------------------------- missing drive
def test_a_disconnected_drive_is_named_not_silently_replaced(desk, tmp_path):
    usb = tmp_path / "usb"
    desk.maintenance.set_backup_settings(usb, 10)
    shutil.rmtree(usb)  # the USB drive is unplugged
    with pytest.raises(StoreError) as e:
        desk.maintenance.auto_backup(DAY1)
    assert "見つかりません" in str(e.value) and "USB" in str(e.value)
    assert not usb.exists()  # no folder made on the local disk instead
    usb.mkdir()  # an empty mount point where the drive should be
    with pytest.raises(StoreError) as e:
        desk.maintenance.auto_backup(DAY1)
    assert "接続されていない" in str(e.value)
    assert list(usb.iterdir()) == []
    assert desk.maintenance.backup_due(DAY1)


# ---------------------------------------------------------------------- disk full
def _tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    out = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                         capture_output=True)
    return out.returncode == 0


def _fill(desk, n=60):
    with desk.batch():
        for i in range(n):
            desk.register_intake(make_intake(name=f"満杯 {i}"))


def _live_is_untouched(desk, count: int) -> None:
    desk.maintenance.check_integrity()
    assert desk.count_cases() == count
    desk.register_intake(make_intake(name="満杯の後"))
    assert desk.count_cases() == count + 1


def test_disk_full_on_a_real_tiny_tmpfs(desk, tmp_path, monkeypatch):
    """A 64 KB tmpfs cannot hold the backup: first the free-space check refuses, then
    (check bypassed) the real ENOSPC in the middle of the export is caught the same way."""
    _fill(desk)
    mnt = tmp_path / "tiny"
    if not _tmpfs(mnt, "64k"):
        pytest.skip("cannot mount a tmpfs here (needs root): see the simulated test")
    try:
        with pytest.raises(StoreError) as e:
            desk.maintenance.backup(mnt / "bk")
        assert "空き容量が足りません" in str(e.value)
        import app.store.backup as backup_module
        monkeypatch.setattr(backup_module, "_check_free_space", lambda *_a: None)
        with pytest.raises(StoreError) as e:
            desk.maintenance.backup(mnt / "bk")
        assert "いっぱい" in str(e.value) and "途中までのバックアップは残していません" in str(e.value)
        assert list((mnt / "bk").iterdir()) == []
        _live_is_untouched(desk, 60)
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def test_disk_full_simulated_enospc(desk, tmp_path, monkeypatch):
    """Where no tmpfs can be mounted: ENOSPC simulated in the export (SQLite's own error
    text) and in writing the key file (OSError)."""
    import errno

    import sqlcipher3

    import app.store.backup as backup_module
    _fill(desk, 5)
    folder = tmp_path / "bk"
    real_export = db.export_copy

    def export_then_full(conn, target, raw_key):
        real_export(conn, target, raw_key)
        raise sqlcipher3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup_module.db, "export_copy", export_then_full)
    with pytest.raises(StoreError) as e:
        desk.maintenance.backup(folder)
    assert "いっぱい" in str(e.value)
    assert list(folder.iterdir()) == []
    monkeypatch.setattr(backup_module.db, "export_copy", real_export)

    def keys_full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_module, "write_atomic", keys_full)
    with pytest.raises(StoreError) as e:
        desk.maintenance.backup(folder)
    assert "いっぱい" in str(e.value)
    assert list(folder.iterdir()) == []
    _live_is_untouched(desk, 5)


# ---------------------------------------------------------------------- recovery checks
def _backups(desk_path: Path, folder: Path, n: int) -> list[Path]:
    paths = []
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        for i in range(n):
            desk.register_intake(make_intake(name=f"控え {i}"))
            paths.append(desk.maintenance.auto_backup(datetime(2026, 11, 1 + i, 9)))
    return paths


def test_unlocker_checks_backups_with_the_password_or_the_recovery_key(desk_path, tmp_path,
                                                                       recovery_key):
    folder = default_backup_folder(desk_path)
    old, new = _backups(desk_path, folder, 2)
    data = bytearray(new.read_bytes())
    data[len(data) // 2] ^= 0x01
    new.write_bytes(bytes(data))
    unlocker = BackupUnlocker(LOGIN, PASSWORD)
    with pytest.raises(DamagedDatabase):
        unlocker.check(new)
    assert unlocker.check(old) >= 1
    assert BackupUnlocker("", recovery_key).check(old) >= 1
    with pytest.raises(WrongPassword):
        BackupUnlocker(LOGIN, "wrong password").check(old)
    Path(str(old) + ".keys").unlink()
    assert [b.path for b in list_backups(folder)] == [new]  # only complete pairs count


def test_zero_byte_database_is_refused_and_restored_from_the_newest_verified(desk_path, tmp_path):
    folder = default_backup_folder(desk_path)
    _backups(desk_path, folder, 2)
    desk_path.write_bytes(b"")
    with pytest.raises(TruncatedDatabase):
        Desk.open(desk_path, LOGIN, PASSWORD)
    newest = list_backups(backup_folders_for(desk_path)[0])[0].path
    BackupUnlocker(LOGIN, PASSWORD).check(newest)
    Desk.restore(newest, desk_path, LOGIN, PASSWORD)
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        assert desk.count_cases() == 2


# ---------------------------------------------------------------------- transient locks
def _hold_lock(path: Path, seconds: float, exclusive: bool, started: threading.Event) -> None:
    key = KeySlots.load(path).unlock(LOGIN, PASSWORD)
    conn = db.connect(path, key)
    try:
        if exclusive:  # nobody may even read (a copy tool holding the file)
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
        else:
            conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE local SET value = value")
        started.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
    finally:
        conn.close()


@pytest.mark.parametrize("exclusive", [False, True])
def test_open_and_write_wait_out_a_short_lock(desk_path, monkeypatch, exclusive):
    # SQLite's own wait made short, so the back-off of retry_locked is what gets through.
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.05)
    started = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(desk_path, 0.4, exclusive, started))
    holder.start()
    started.wait(5)
    try:
        desk = Desk.open(desk_path, LOGIN, PASSWORD)
        started.clear()
        holder.join()
        holder = threading.Thread(target=_hold_lock, args=(desk_path, 0.4, False, started))
        holder.start()
        started.wait(5)
        desk.register_intake(make_intake(name="鍵のあと"))
        assert desk.count_cases() == 1
        desk.close()
    finally:
        holder.join()


def test_a_lock_that_stays_is_a_clear_error(desk_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.02)
    started = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(desk_path, 2.5, True, started))
    holder.start()
    started.wait(5)
    try:
        with pytest.raises(StoreError) as e:
            Desk.open(desk_path, LOGIN, PASSWORD)
        assert "別のプログラム" in str(e.value)
    finally:
        holder.join()
    Desk.open(desk_path, LOGIN, PASSWORD).close()  # and nothing was left behind


# ---------------------------------------------------------------------- CLI
def test_cli_verify_names_a_damaged_database_and_checks_the_newest_backup(desk_path):
    from tests.test_cli import run
    old, new = _backups(desk_path, Path(desk_path).parent / "backups", 2)
    out = run("verify", "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 0 and out.stdout.count("異常なし") == 2, out.stderr
    data = bytearray(new.read_bytes())
    data[len(data) // 2] ^= 0x01
    new.write_bytes(bytes(data))
    desk_path.write_bytes(b"")
    out = run("verify", "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 3
    assert "損傷" in out.stderr and "0バイト" in out.stderr
    assert str(old) in out.stdout and "restore" in out.stdout
    assert "Traceback" not in out.stderr


# ---------------------------------------------------------------------- beside the screens
def test_the_backups_copy_does_not_wait_for_the_desks_writer_and_is_what_was_committed(desk):
    """write_backup reads on a connection of its own (the GUI runs it beside the screens):
    with a write of the desk open and not committed, the copy is written all the same —
    without that write — and counts only once record_backup says so."""
    desk.register_intake(make_intake(name="山田 太郎", kana="やまだ たろう"))
    job = desk.maintenance.prepare_backup(DAY1)
    done: list = []
    with desk.store.transaction():
        desk.store.conn.execute("UPDATE person SET name = '書きかけ' WHERE name = '山田 太郎'")
        worker = threading.Thread(target=lambda: done.append(
            desk.maintenance.write_backup(job)))
        worker.start()
        worker.join(20)
        assert done, "the copy waited for the desk's open write"
    target = done[0]
    assert desk.store.local("backup.last") is None          # not yet recorded
    assert desk.maintenance.record_backup(job, target) == target
    assert desk.store.local("backup.last") == DAY1.isoformat(timespec="seconds")
    conn = db.connect(target, desk.store.database_key())
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM person")}
    finally:
        conn.close()
    assert "山田 太郎" in names and "書きかけ" not in names
    audit = [r[0] for r in desk.store.conn.execute(
        "SELECT detail FROM audit WHERE action = 'backup'")]
    assert audit == [f"auto: {target}"]


def test_a_backup_job_is_written_once_and_only_if_the_desk_prepared_it(desk):
    from dataclasses import replace

    from app.errors import PermissionDenied
    from app.operations.maintenance import BackupJob
    job = desk.maintenance.prepare_backup(DAY1)
    forged = BackupJob(desk.path.parent / "elsewhere", 10, DAY1, "auto", "0" * 32)
    for bad in (forged, replace(job, token="")):
        with pytest.raises(PermissionDenied):
            desk.maintenance.write_backup(bad)
    assert not (desk.path.parent / "elsewhere").exists()
    target = desk.maintenance.write_backup(job)
    with pytest.raises(PermissionDenied):
        desk.maintenance.write_backup(job)                  # not a second time
    # recorded only for the file written for it: a day's backup is never skipped for a
    # file that was not made
    for bad_job, bad_target in ((forged, target), (job, target.with_name("x.db"))):
        with pytest.raises(PermissionDenied):
            desk.maintenance.record_backup(bad_job, bad_target)
    assert desk.store.local("backup.last") is None
    desk.maintenance.record_backup(job, target)
    assert desk.store.local("backup.last") == DAY1.isoformat(timespec="seconds")
    with pytest.raises(PermissionDenied):
        desk.maintenance.record_backup(job, target)        # not a second time
    refused = dict(desk.store.conn.execute(
        "SELECT detail, count(*) FROM audit WHERE action = 'refused' GROUP BY detail"))
    assert refused == {"write_backup": 3, "record_backup": 3}
    # a copy that cannot be recorded (the desk locked meanwhile) is removed — only that one
    other = desk.maintenance.prepare_backup(DAY1.replace(hour=10))
    copy = desk.maintenance.write_backup(other)
    assert not desk.maintenance.discard_backup(forged, copy)
    assert not desk.maintenance.discard_backup(other, target)   # a recorded one: left alone
    assert copy.exists() and target.exists()
    assert desk.maintenance.discard_backup(other, copy)
    assert not copy.exists() and target.exists()
    assert list_backups(desk.maintenance.backup_settings().folder)[0].path == target


def test_a_stopped_backup_or_page_check_ends_early_and_leaves_no_file(desk, monkeypatch):
    from app.errors import Cancelled
    for _ in range(30):
        desk.register_intake(make_intake())
    folder = default_backup_folder(desk.path)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled) as e:
        desk.maintenance.write_backup(desk.maintenance.prepare_backup(DAY1), stop)
    assert "何も変わっていません" in str(e.value)
    assert not folder.exists() or list(folder.iterdir()) == []
    with pytest.raises(Cancelled):
        desk.maintenance.check_integrity(stop)
    # stopped in the middle of the copy, as the screen lock does from the GUI thread: the
    # event is looked at every few SQLite steps and says "stop" from its 5th look on
    class StopLater(threading.Event):
        looks = 0

        def is_set(self) -> bool:
            self.looks += 1
            return self.looks >= 5

    monkeypatch.setattr(db, "STOP_CHECK_STEPS", 100)
    later = StopLater()
    with pytest.raises(Cancelled):
        desk.maintenance.write_backup(desk.maintenance.prepare_backup(DAY1), later)
    assert later.looks >= 5
    assert not folder.exists() or list(folder.iterdir()) == []
    assert desk.maintenance.last_backup() is None
    target = desk.maintenance.auto_backup(DAY1)            # and then a whole one
    assert desk.maintenance.verify_backup(target) >= 1


@pytest.mark.parametrize("role", ["admin", "chief", "consultant", "employment", "municipal",
                                  "viewer"])
def test_the_backup_steps_by_role(desk_path, role):
    """Automatic backups are the system's own and run for every role (a 自治体担当 or a
    閲覧のみ user closing the program last still gets the exit backup, and no "your role
    does not allow this" about a backup nobody asked for): prepare, write, record into the
    folder the administrator set. write_backup, record_backup and discard_backup take only
    a job the same desk prepared; refusals audited. Backing up by hand into a folder of
    one's choosing stays with BACKUP."""
    from app.errors import PermissionDenied
    from app.operations.maintenance import BackupJob
    from app.security.roles import Permission, allows
    with Desk.open(desk_path, LOGIN, PASSWORD) as admin:
        admin.security.add_user("u", "利用 者", role, "user password 1")
    with Desk.open(desk_path, "u", "user password 1") as d:
        forged = BackupJob(desk_path.parent / "x", 10, DAY1, "auto", "f" * 32)
        job = d.maintenance.prepare_backup(DAY1)
        target = d.maintenance.write_backup(job)
        assert d.maintenance.record_backup(job, target) == target
        assert target.parent == default_backup_folder(desk_path)
        assert d.maintenance.auto_backup(DAY1.replace(hour=10)) is not None
        with pytest.raises(PermissionDenied):
            d.maintenance.write_backup(forged)
        with pytest.raises(PermissionDenied):
            d.maintenance.record_backup(forged, target)
        assert not d.maintenance.discard_backup(forged, target) and target.exists()
        assert not (desk_path.parent / "x").exists()
        may = allows(role, Permission.BACKUP)
        if not may:
            with pytest.raises(PermissionDenied):
                d.maintenance.backup(desk_path.parent / "y")
            with pytest.raises(PermissionDenied):
                d.maintenance.backups()
        refused = d.store.conn.execute(
            "SELECT count(*) FROM audit WHERE action = 'refused'").fetchone()[0]
        assert refused == (2 if may else 4)
        assert d.store.conn.execute(
            "SELECT count(*) FROM audit WHERE action = 'backup'").fetchone()[0] == 2
