"""Restore holds against a hostile user (issue 13 point 2): the administrator only, audited
before and after (in the restored database too), accounts disabled since the backup are not
revived, set-aside files are never overwritten, and the user is told in Japanese what was
set aside, where, and which work is missing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from app.desk import Desk
from app.errors import PermissionDenied, WrongPassword
from app.security.keyslots import KdfParams, KeySlots
from app.security.roles import Role
from tests.conftest import LOGIN, PASSWORD, make_intake

PW = "password 1234"


def _with_users(desk_path: Path, tmp_path: Path) -> Path:
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        d.security.add_user("view", "閲覧 花子", Role.VIEWER, PW, kdf=KdfParams.fast())
        d.security.add_user("old_admin", "元 管理者", Role.ADMIN, PW, kdf=KdfParams.fast())
        d.register_intake(make_intake(name="バックアップ前"))
        return d.maintenance.backup(tmp_path / "bk")


def test_only_an_active_administrator_restores(desk_path, tmp_path):
    target = _with_users(desk_path, tmp_path)
    with pytest.raises(PermissionDenied) as err:
        Desk.restore(target, desk_path, "view", PW)          # 閲覧: not an administrator
    assert "管理者" in str(err.value)
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        d.security.disable_user("old_admin")
    # a disabled administrator: their slot is gone from the current database
    with pytest.raises(PermissionDenied) as err:
        Desk.restore(target, desk_path, "old_admin", PW)
    assert "old_admin" in str(err.value) and "何も変更していません" in str(err.value)
    with pytest.raises(WrongPassword):
        Desk.restore(target, desk_path, LOGIN, "wrong password")
    assert "old_admin" not in KeySlots.load(desk_path).logins()
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        assert d.count_cases() == 1
        assert d.store.staff_by_login("old_admin").active == 0


def test_a_restore_never_revives_a_disabled_user_and_says_so(desk_path, tmp_path):
    target = _with_users(desk_path, tmp_path)
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        d.security.disable_user("old_admin")
        d.register_intake(make_intake(name="バックアップ後 一郎", kana="あと いちろう"))
        new_no = d.list_cases("バックアップ後")[0].case_no
        d.process.add_record(d.case_id(new_no), datetime(2026, 4, 2, 10, 0),
                     "phone", "後から書いた記録")
    report = Desk.restore(target, desk_path, LOGIN, PASSWORD)
    assert report.kept_disabled == ["old_admin"]
    assert "old_admin" not in KeySlots.load(desk_path).logins()
    with pytest.raises(WrongPassword):
        Desk.open(desk_path, "old_admin", PW)
    text = report.message
    assert "old_admin" in text and "無効" in text
    assert report.kept.name in text and str(report.kept.parent) in text
    assert new_no in text and report.new_cases == [new_no]
    assert report.entries_after >= 2
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        assert [c.name for c in d.list_cases()] == ["バックアップ前"]
        assert d.store.staff_by_login("old_admin").active == 0
        done = d.security.audit_search(action="restore")
        assert len(done) == 1 and target.name in done[0].detail and "old_admin" in done[0].detail
    # the database set aside has the "before" entry
    with Desk.open(report.kept, LOGIN, PASSWORD) as old:
        started = old.security.audit_search(action="restore_start")
        assert started and started[0].login == LOGIN and target.name in started[0].detail


def test_two_restores_in_the_same_second_keep_both_set_aside_files(desk_path, tmp_path):
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        target = d.maintenance.backup(tmp_path / "bk")
        d.register_intake(make_intake(name="一回目の後"))
    first = Desk.restore(target, desk_path, LOGIN, PASSWORD)
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        d.register_intake(make_intake(name="二回目の後"))
    second = Desk.restore(target, desk_path, LOGIN, PASSWORD)
    third = Desk.restore(target, desk_path, LOGIN, PASSWORD)
    kept = {Path(first), Path(second), Path(third)}
    assert len(kept) == 3 and all(k.exists() and Path(str(k) + ".keys").exists() for k in kept)
    with Desk.open(first.kept, LOGIN, PASSWORD) as d:
        assert [c.name for c in d.list_cases("一回目")] == ["一回目の後"]
    with Desk.open(second.kept, LOGIN, PASSWORD) as d:
        assert [c.name for c in d.list_cases("二回目")] == ["二回目の後"]
    assert "何も保存されていません" in third.message   # nothing after the backup this time


def test_cli_restore_prints_what_was_set_aside(desk_path, tmp_path):
    from tests.test_cli import run
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        d.security.add_user("view", "閲覧 花子", Role.VIEWER, PW, kdf=KdfParams.fast())
        target = d.maintenance.backup(tmp_path / "bk")
        d.register_intake(make_intake(name="あとから"))
    out = run("restore", str(target), "--db", str(desk_path), "--user", "view",
              password=PW)
    assert out.returncode != 0 and "管理者" in out.stderr
    out = run("restore", str(target), "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 0, out.stderr
    assert "退避" in out.stdout or "別名" in out.stdout
    assert "2026-0001" in out.stdout and "バックアップ後に受け付けたケース" in out.stdout
