"""``python -m app``: the CLI of issue 2, run as a user would (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LOGIN, PASSWORD, make_intake

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, password: str | None = PASSWORD, home: Path | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_")}
    if password is not None:
        env["TSUNAGU_PASSWORD"] = password
    if home is not None:
        env["TSUNAGU_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          stdin=subprocess.DEVNULL)


def test_help_lists_the_commands():
    out = run("--help")
    assert out.returncode == 0
    for command in ("init", "demo", "cases", "print", "audit"):
        assert command in out.stdout


def test_init_creates_a_desk_and_prints_the_recovery_key(tmp_path):
    db = tmp_path / "new.db"
    sheet = tmp_path / "recovery.pdf"
    out = run("init", "--db", str(db), "--user", "kanri", "--agency", "つなぐ町センター",
              "--municipality", "つなぐ町", "--population", "8200",
              "--recovery-sheet", str(sheet), password="long enough pw")
    assert out.returncode == 0, out.stderr
    assert "回復キー" in out.stdout
    assert db.exists() and Path(str(db) + ".keys").exists()
    assert sheet.read_bytes().startswith(b"%PDF")
    again = run("cases", "list", "--db", str(db), "--user", "kanri", "--json",
                password="long enough pw")
    assert again.returncode == 0 and json.loads(again.stdout) == []


def test_init_refuses_a_short_password_in_japanese(tmp_path):
    out = run("init", "--db", str(tmp_path / "x.db"), "--agency", "A", "--municipality", "B",
              "--population", "10", password="short")
    assert out.returncode != 0
    assert "パスワードは8文字以上" in out.stderr
    assert not (tmp_path / "x.db").exists()


def test_cases_list_and_search_json(desk_path):
    from app.desk import Desk
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        desk.register_intake(make_intake(name="髙橋 𠮷子", kana="たかはし よしこ"))
        desk.register_intake(make_intake(name="佐藤 一郎", kana="さとう いちろう"))
    out = run("cases", "list", "--json", "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {r["name"] for r in rows} == {"髙橋 𠮷子", "佐藤 一郎"}
    assert {"case_no", "name", "kana", "stage"} <= set(rows[0])
    for query in ("ﾀｶﾊｼ", "高橋", "たかはし"):
        found = json.loads(run("cases", "search", query, "--json", "--db", str(desk_path),
                               "--user", LOGIN).stdout)
        assert [r["name"] for r in found] == ["髙橋 𠮷子"]


def test_wrong_password_exits_nonzero_with_japanese_on_stderr(desk_path):
    out = run("cases", "list", "--db", str(desk_path), "--user", LOGIN, password="wrong")
    assert out.returncode == 1
    assert "パスワードが違います" in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_password_without_a_terminal_is_explained(desk_path):
    out = run("cases", "list", "--db", str(desk_path), "--user", LOGIN, password=None)
    assert out.returncode == 1 and "TSUNAGU_PASSWORD" in out.stderr


def test_damaged_database_exits_nonzero_without_traceback(desk_path):
    Path(desk_path).write_bytes(b"")
    out = run("cases", "list", "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 1 and "0バイト" in out.stderr and "Traceback" not in out.stderr


def test_print_filled_and_blank_intake(desk_path, tmp_path):
    from app.desk import Desk
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        case_no = desk.register_intake(make_intake()).case.case_no
    filled = tmp_path / "filled.pdf"
    blank = tmp_path / "blank.pdf"
    out = run("print", "--case", case_no, "--sheet", "intake", "--out", str(filled),
              "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 0, out.stderr
    out = run("print", "--sheet", "intake", "--blank", "--out", str(blank),
              "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 0, out.stderr
    assert filled.read_bytes().startswith(b"%PDF") and blank.read_bytes().startswith(b"%PDF")
    missing = run("print", "--case", "2099-9999", "--out", str(tmp_path / "x.pdf"),
                  "--db", str(desk_path), "--user", LOGIN)
    assert missing.returncode == 1 and "2099-9999" in missing.stderr


def test_demo_prints_user_and_password_that_open_the_desk(tmp_path):
    db = tmp_path / "demo.db"
    out = run("demo", "--db", str(db), "--cases", "30", password=None)
    assert out.returncode == 0, out.stderr
    password = next(line.split(": ", 1)[1] for line in out.stdout.splitlines()
                    if line.startswith("パスワード"))
    listed = run("cases", "list", "--json", "--db", str(db), "--user", "demo", password=password)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 30


def test_audit_verify(desk_path):
    out = run("audit", "verify", "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 0 and "改ざんされていません" in out.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="checks the POSIX default location")
def test_default_database_is_the_guis(tmp_path):
    out = run("cases", "list", "--user", LOGIN, home=tmp_path)
    assert out.returncode == 1 and str(tmp_path) in out.stderr
