"""Backups: made by export (not a file copy), verified, pruned, restorable; damage refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.desk import Desk
from app.errors import DamagedDatabase, WrongPassword
from app.store.backup import list_backups
from tests.conftest import LOGIN, PASSWORD, make_intake


def test_backup_holds_every_acknowledged_row_even_with_a_live_wal(desk, tmp_path):
    for i in range(25):
        desk.register_intake(make_intake(name=f"控え {i}"))
    # The WAL still holds the rows: a file copy now would lose them; the export must not.
    assert Path(str(desk.path) + "-wal").stat().st_size > 0
    target = desk.maintenance.backup(tmp_path / "bk")
    assert Path(str(target) + ".keys").exists()
    assert desk.maintenance.verify_backup(target) >= 1
    desk.close()
    restored = tmp_path / "restored.db"
    Desk.restore(target, restored, LOGIN, PASSWORD)
    with Desk.open(restored, LOGIN, PASSWORD) as again:
        assert again.count_cases() == 25


def test_generations_are_pruned(desk, tmp_path):
    from app.store.backup import make_backup
    from app.security.keyslots import keys_path
    from datetime import datetime, timedelta
    store = desk.store
    folder = tmp_path / "gen"
    start = datetime(2026, 11, 1, 9, 0, 0)
    for i in range(5):
        make_backup(store.conn, store._raw_key, keys_path(store.path), folder, keep=3,
                    now=start + timedelta(days=i))
    names = [b.path.name for b in list_backups(folder)]
    assert names == ["tsunagu-20261105-090000.db", "tsunagu-20261104-090000.db",
                     "tsunagu-20261103-090000.db"]


def test_restore_replaces_the_live_database_and_keeps_the_old_one(desk_path, tmp_path):
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        desk.register_intake(make_intake(name="バックアップ前"))
        target = desk.maintenance.backup(tmp_path / "bk")
        desk.register_intake(make_intake(name="バックアップ後"))
    kept = Desk.restore(target, desk_path, LOGIN, PASSWORD)
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        assert [c.name for c in desk.list_cases()] == ["バックアップ前"]
    assert Path(kept).exists()


def test_damaged_backup_is_refused_and_the_live_database_is_untouched(desk_path, tmp_path):
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        desk.register_intake(make_intake())
        target = desk.maintenance.backup(tmp_path / "bk")
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    before = Path(desk_path).read_bytes()
    with pytest.raises(DamagedDatabase):
        Desk.restore(target, desk_path, LOGIN, PASSWORD)
    assert Path(desk_path).read_bytes() == before


def test_restore_with_a_wrong_password_is_refused(desk_path, tmp_path):
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        target = desk.maintenance.backup(tmp_path / "bk")
    with pytest.raises(WrongPassword):
        Desk.restore(target, desk_path, LOGIN, "wrong")


def test_restore_with_the_recovery_key(desk_path, recovery_key, tmp_path):
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        desk.register_intake(make_intake(name="回復キー復元"))
        target = desk.maintenance.backup(tmp_path / "bk")
    fresh = tmp_path / "fresh.db"
    Desk.restore(target, fresh, "", recovery_key)
    with Desk.open(fresh, LOGIN, PASSWORD) as desk:
        assert desk.count_cases() == 1


def test_cli_backup_verify_restore(desk_path, tmp_path):
    from tests.test_cli import run
    out = run("backup", "--to", str(tmp_path / "bk"), "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 0 and "検証しました" in out.stdout, out.stderr
    out = run("verify", "--backups", str(tmp_path / "bk"), "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 0 and out.stdout.count("異常なし") == 2, out.stderr
    file = list_backups(tmp_path / "bk")[0].path
    out = run("restore", str(file), "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 0 and "復元しました" in out.stdout, out.stderr
    out = run("verify", "--backups", str(tmp_path / "none"), "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 4 and "バックアップがありません" in out.stderr
