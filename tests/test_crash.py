"""Crash safety: SIGKILL the write path at random points; nothing acknowledged is lost.

A child process registers intakes in a loop and prints each case number only after the
Desk call returned. The parent kills it at a random moment, reopens the database, checks
integrity and that every acknowledged case is present. TSUNAGU_LONG=1 runs 300 rounds.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.desk import Desk
from tests.conftest import LOGIN, PASSWORD

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 300 if os.environ.get("TSUNAGU_LONG") else 12

CHILD = r"""
import sys
from datetime import date
from app.desk import Desk
from tests.conftest import make_intake
path, login, password, start = sys.argv[1:5]
desk = Desk.open(path, login, password)
print("ready", flush=True)
i = int(start)
while True:
    d = desk.register_intake(make_intake(name=f"クラッシュ {i}", received=date(2026, 4, 1)))
    print(d.case.case_no, flush=True)
    i += 1
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_during_writes_loses_nothing_acknowledged(desk_path):
    rng = random.Random(8)
    acknowledged: set[str] = set()
    start = 0
    for _round in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(desk_path), LOGIN, PASSWORD,
                                 str(start)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        lines = [line for line in out.splitlines() if line.strip()]
        acknowledged.update(lines)
        start += 10_000
        with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
            desk.check_integrity()
            present = {c.case_no for c in desk.list_cases(limit=1_000_000)}
            missing = acknowledged - present
            assert not missing, f"round {_round}: lost {sorted(missing)[:5]}"
            assert desk.audit_verify() is None
    assert len(acknowledged) > ROUNDS  # the kills really fell during writes
