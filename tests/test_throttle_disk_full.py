"""A wrong password on a full disk (issue 5 point 3): the failed attempt is still refused,
in Japanese, never with a raw OSError — and a full disk does not switch the back-off off.
The record of failures keeps its room (an empty record after each login), so on a full
disk it is overwritten in place and still counts after the program is restarted; when even
that is impossible the failures are counted in memory, the refusal says why they could not
be recorded, and they reach the audit log at the next login.

A real, tiny tmpfs where it can be mounted (root); the same paths simulated elsewhere."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from app.desk import Desk
from app.errors import TsunaguError, WrongPassword
from app.security import throttle as throttle_mod
from app.security.throttle import LoginThrottle, LoginThrottled
from tests.conftest import LOGIN, PASSWORD, copy_desk
from tests.test_disk_full import _fill, _free, tiny_disk  # noqa: F401 - the fixture

WRONG = "wrong password"


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(throttle_mod, "_now", lambda: now[0])
    monkeypatch.setattr(throttle_mod, "_unrecorded", {})
    return now


def restart(monkeypatch) -> None:
    """A new program: nothing counted in memory."""
    monkeypatch.setattr(throttle_mod, "_unrecorded", {})


def refuse(path, password=WRONG) -> str:
    with pytest.raises(WrongPassword) as wrong:
        Desk.open(path, LOGIN, password)
    return str(wrong.value)


def test_on_a_real_full_disk_failures_are_recorded_in_place(desk_template, tiny_disk,
                                                             clock, monkeypatch):
    path = copy_desk(desk_template, tiny_disk)
    Desk.open(path, LOGIN, PASSWORD).close()  # a login leaves an empty record with room
    record = throttle_mod.failures_path(path)
    assert record.stat().st_size == throttle_mod.ROOM
    filler = _fill(tiny_disk, 0)
    with pytest.raises(OSError) as full:  # and the last bytes too
        with open(tiny_disk / "last.bin", "wb", buffering=0) as fh:
            while True:
                fh.write(b"\0" * 512)
    assert full.value.errno == errno.ENOSPC and _free(tiny_disk) < 4096
    with pytest.raises(OSError):  # not even a temporary file fits
        (tiny_disk / "probe.tmp").write_bytes(b"x" * 4096)
    in_place = []
    real = LoginThrottle._overwrite_in_place
    monkeypatch.setattr(LoginThrottle, "_overwrite_in_place",
                        lambda self, *a: (in_place.append(1), real(self, *a))[1])
    for _ in range(3):
        message = refuse(path)
        assert "パスワード" in message and "ディスク" not in message  # recorded after all
    assert len(in_place) == 3  # the atomic write found no room; the record's own room did
    restart(monkeypatch)  # the count is on the disk, not only in this program
    with pytest.raises(LoginThrottled) as wait:
        Desk.open(path, LOGIN, PASSWORD)
    assert "秒待って" in str(wait.value)
    assert LoginThrottle(path).pending()[0] == 3
    filler.unlink()
    (tiny_disk / "last.bin").unlink()
    clock[0] += throttle_mod.MAX_DELAY
    with Desk.open(path, LOGIN, PASSWORD) as desk:
        assert len(desk.security.audit_search(action="login_failed")) == 3


def _disk_full_everywhere(monkeypatch):
    """No temporary file and no in-place write fit; returns a function freeing space."""
    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    real_write = throttle_mod.write_atomic
    monkeypatch.setattr(throttle_mod, "write_atomic", full)
    real_open = open

    def no_room(file, mode="r", *a, **k):
        if str(file).endswith(".failures") and mode != "r":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(file, mode, *a, **k)

    monkeypatch.setattr(throttle_mod, "open", no_room, raising=False)

    def free() -> None:
        monkeypatch.setattr(throttle_mod, "write_atomic", real_write)
        monkeypatch.delattr(throttle_mod, "open")

    return free


def test_when_nothing_can_be_written_the_refusal_says_so_and_the_wait_holds(
        desk_path, clock, monkeypatch):
    free_space = _disk_full_everywhere(monkeypatch)
    for _ in range(3):
        message = refuse(desk_path)
        assert "パスワード" in message                   # still the wrong password …
        assert "ディスクがいっぱい" in message and "記録できません" in message  # … and why
        assert str(Path(desk_path).parent) in message
    with pytest.raises(LoginThrottled):               # counted in memory: no free guesses
        Desk.open(desk_path, LOGIN, PASSWORD)
    with pytest.raises(LoginThrottled):
        Desk.open_with_recovery_key(desk_path, "0000-0000-0000-0000-0000-0000-0000-0000")
    clock[0] += 2
    message = refuse(desk_path)
    assert "ディスクがいっぱい" in message
    with pytest.raises(LoginThrottled) as wait:        # the wait doubles, as on disk
        Desk.open(desk_path, LOGIN, PASSWORD)
    assert wait.value.seconds == 4
    assert not throttle_mod.failures_path(desk_path).exists()
    clock[0] += 4
    free_space()
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:  # the same program logs in
        failed = desk.security.audit_search(action="login_failed")
        assert len(failed) == 4 and {f.login for f in failed} == {LOGIN}
    assert LoginThrottle(desk_path).pending() == (0, [])


def test_a_recovery_key_and_a_disabled_user_are_refused_in_words_too(desk_path, clock,
                                                                      monkeypatch):
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        d.security.add_user("tanaka", "田中 一郎", "consultant", "password 123")
        d.security.disable_user("tanaka")
    _disk_full_everywhere(monkeypatch)
    with pytest.raises(WrongPassword) as wrong:
        Desk.open_with_recovery_key(desk_path, "0000-0000-0000-0000-0000-0000-0000-0000")
    assert "回復キー" in str(wrong.value) and "ディスクがいっぱい" in str(wrong.value)
    with pytest.raises(TsunaguError) as wrong:  # its key slot is gone: a wrong password
        Desk.open(desk_path, "tanaka", "password 123")
    assert isinstance(wrong.value, WrongPassword)
    assert "ディスクがいっぱい" in str(wrong.value)
    assert LoginThrottle(desk_path).pending()[0] == 2


def test_an_unwritable_folder_is_named(desk_path, clock, monkeypatch):
    def denied(*_a, **_k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(throttle_mod, "write_atomic", denied)
    message = refuse(desk_path)
    assert "パスワード" in message and "書き込める" in message
    assert str(throttle_mod.failures_path(desk_path)) in message
    assert LoginThrottle(desk_path).pending()[0] == 1
