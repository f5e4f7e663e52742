"""The one-writer lock while the screen is locked (issue 5 point 3): the database is closed
and the key dropped, but the program keeps the desk — a second program is refused, naming
the user and computer and saying the screen there is locked; unlocking hands the same lock
to the new desk; it is given back when the program quits. Someone who took the desk while
the lock file was gone is named at unlock, and their lock is left alone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.desk import Desk
from app.errors import AlreadyOpen, WrongPassword
from app.store.lock import lock_path
from tests.conftest import LOGIN, PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def test_a_locked_desk_keeps_the_lock_and_unlock_takes_it_over(desk_path):
    desk = Desk.open(desk_path, LOGIN, PASSWORD)
    kept = desk.suspend()
    assert desk.closed and kept is not None and kept.held
    with pytest.raises(AlreadyOpen) as refused:
        Desk.open(desk_path, LOGIN, PASSWORD)
    message = str(refused.value)
    assert LOGIN in message and socket.gethostname() in message
    assert "ロック" in message and "終了" in message
    # the wrong password at unlock leaves the lock with the locked program
    with pytest.raises(WrongPassword):
        Desk.open(desk_path, LOGIN, "wrong password", lock=kept)
    assert kept.held
    with pytest.raises(AlreadyOpen):
        Desk.open(desk_path, LOGIN, PASSWORD)
    again = Desk.open(desk_path, LOGIN, PASSWORD, lock=kept)
    try:
        assert not again.closed and again.count_cases() == 0
        with pytest.raises(AlreadyOpen) as refused:  # open again, no longer locked
            Desk.open(desk_path, LOGIN, PASSWORD)
        assert "ロック" not in str(refused.value) and LOGIN in str(refused.value)
    finally:
        again.close()
    Desk.open(desk_path, LOGIN, PASSWORD).close()  # given back on close
    assert not lock_path(desk_path).exists()


def test_a_second_program_is_refused_while_the_first_is_locked(desk_path):
    desk = Desk.open(desk_path, LOGIN, PASSWORD)
    kept = desk.suspend()
    code = ("import sys; sys.path.insert(0, '.');"
            "from app.desk import Desk; from app.errors import AlreadyOpen\n"
            "try:\n"
            f"    Desk.open({str(desk_path)!r}, {LOGIN!r}, {PASSWORD!r}).close()\n"
            "    print('OPENED')\n"
            "except AlreadyOpen as e:\n"
            "    print('REFUSED', e)\n")
    try:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
    finally:
        kept.release()
    assert done.stdout.startswith("REFUSED"), done.stdout + done.stderr
    assert LOGIN in done.stdout and socket.gethostname() in done.stdout
    assert "画面がロックされている" in done.stdout
    Desk.open(desk_path, LOGIN, PASSWORD).close()  # released: opens again


def test_unlock_names_whoever_took_the_desk_meanwhile(desk_path):
    desk = Desk.open(desk_path, LOGIN, PASSWORD)
    kept = desk.suspend()
    os.unlink(lock_path(desk_path))  # e.g. a clean-up tool removed the lock file
    other = Desk.open(desk_path, LOGIN, PASSWORD)
    try:
        with pytest.raises(AlreadyOpen) as refused:
            Desk.open(desk_path, LOGIN, PASSWORD, lock=kept)
        assert LOGIN in str(refused.value) and "ロック" not in str(refused.value)
        assert not kept.held
        kept.release()  # nothing to give back: the other program's lock file stays
        assert lock_path(desk_path).exists()
        with pytest.raises(AlreadyOpen):
            Desk.open(desk_path, LOGIN, PASSWORD)
    finally:
        other.close()
    # once the other program quits, unlocking with the (lost) lock takes a new one
    again = Desk.open(desk_path, LOGIN, PASSWORD, lock=kept)
    again.close()


def test_a_lock_file_replaced_behind_the_holders_back_is_left_alone(desk_path):
    desk = Desk.open(desk_path, LOGIN, PASSWORD)
    kept = desk.suspend()
    os.unlink(lock_path(desk_path))
    lock_path(desk_path).write_bytes(b'{"user": "someone"}')
    kept.release()
    assert lock_path(desk_path).read_bytes() == b'{"user": "someone"}'
