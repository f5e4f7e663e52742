"""Issue 5, the core: accounts and roles, who sees which case, key slots, failed logins,
the audit log, sensitive cases (masking in lists, search and the intake PDF), the CLI."""

from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from app.desk import Desk
from app.errors import (
    NotFound, PermissionDenied, ValidationError, ValidationErrors, WrongPassword,
)
from app.security import throttle as throttle_mod
from app.security.keyslots import KeySlots
from app.security.privacy import whereabouts_mask
from app.security.roles import Role
from app.security.throttle import LoginThrottled
from tests.conftest import LOGIN, PASSWORD, make_intake
from tests.test_cli import run
from forms.sheets import render

PW = "user password 1"
ADDRESS = "つなぐ町本町1-2-3 山﨑荘101"


@contextmanager
def as_user(path: Path, login: str, password: str = PW):
    d = Desk.open(path, login, password)
    try:
        yield d
    finally:
        d.close()


def refused_entries(d: Desk, case_id: str | None = None) -> list:
    return [e for e in d.store.audit_entries(case_id) if e.action == "refused"]


@pytest.fixture
def agency(desk_path):
    """A desk with one user per role, two teams and a case in each."""
    with as_user(desk_path, LOGIN, PASSWORD) as d:
        d.security.add_user("chief", "主任 一郎", Role.CHIEF, PW)
        d.security.add_user("con_a", "相談 A子", Role.CONSULTANT, PW, team="A班")
        d.security.add_user("con_a2", "相談 A男", Role.CONSULTANT, PW, team="A班")
        d.security.add_user("con_b", "相談 B子", Role.CONSULTANT, PW, team="B班")
        d.security.add_user("emp_b", "就労 B男", Role.EMPLOYMENT, PW, team="B班")
        d.security.add_user("muni", "市役所 太郎", Role.MUNICIPAL, PW)
        d.security.add_user("view", "閲覧 花子", Role.VIEWER, PW)
        a = d.register_intake(make_intake(name="青木 春子", kana="あおき はるこ"))
        b = d.register_intake(make_intake(name="別府 夏子", kana="べっぷ なつこ",
                                          birth=date(1975, 1, 2)))
        d.security.assign_case(a.case.id, "con_a")
        d.security.assign_case(b.case.id, "con_b")
    return {"path": desk_path, "a": a.case.id, "b": b.case.id}


def test_consultant_sees_only_own_team_and_shared_cases(agency):
    path, a, b = agency["path"], agency["a"], agency["b"]
    with as_user(path, "con_a") as d:
        assert [c.id for c in d.list_cases()] == [a]
        assert d.count_cases() == 1
        assert d.list_cases("別府") == [] and d.count_cases("べっぷ") == 0
        assert [c.id for c in d.list_cases("青木")] == [a]
        with pytest.raises(PermissionDenied) as exc:
            d.get_case(b)
        assert "見る権限" in str(exc.value) or "ケース" in str(exc.value)
        with pytest.raises(PermissionDenied):
            d.paper.print_intake(b, path.parent / "b.pdf", render=render)
        assert d.get_case(a).case.id == a
        d.security.add_coworker(a, "con_b")
    with as_user(path, LOGIN, PASSWORD) as d:
        refused = refused_entries(d, b)
        assert refused and refused[0].login == "con_a"
    with as_user(path, "con_a2") as d:  # same team as the 担当
        assert [c.id for c in d.list_cases()] == [a]
    with as_user(path, "emp_b") as d:   # 就労支援員 of team B
        assert [c.id for c in d.list_cases()] == [b]
        with pytest.raises(PermissionDenied):
            d.get_case(a)
    with as_user(path, "con_b") as d:   # own case, and case a as 協働
        assert sorted(c.id for c in d.list_cases()) == sorted([a, b])
        with pytest.raises(PermissionDenied):
            d.security.assign_case(a, "con_b")   # only the 主任 assigns
        with pytest.raises(PermissionDenied):
            d.security.hand_over(a, "con_b", "異動のため")  # not the 担当 of a
        d.security.hand_over(b, "con_a", "担当替え")
    with as_user(path, "con_a") as d:
        assert sorted(c.id for c in d.list_cases()) == sorted([a, b])
        assert d.security.case_workers(b).handovers[-1].reason == "担当替え"
        for forbidden in (d.security.list_users, d.security.retention_due, d.security.audit_search):
            with pytest.raises(PermissionDenied):
                forbidden()


def test_chief_sees_every_case_and_assigns(agency):
    with as_user(agency["path"], "chief") as d:
        assert d.count_cases() == 2
        d.security.assign_case(agency["a"], "emp_b", "就労支援を中心に")
        with pytest.raises(ValidationError):
            d.security.assign_case(agency["a"], "view")  # 閲覧 cannot take charge
        with pytest.raises(PermissionDenied):
            d.security.add_user("x", "X", Role.VIEWER, PW)
    with as_user(agency["path"], "emp_b") as d:
        assert d.count_cases() == 2


def test_municipal_officer_sees_only_agenda_cases_read_only(agency):
    path, a, b = agency["path"], agency["a"], agency["b"]
    with as_user(path, "muni") as d:
        assert d.list_cases() == []
        with pytest.raises(PermissionDenied):
            d.get_case(a)
    with as_user(path, LOGIN, PASSWORD) as d:
        with d.store.transaction() as w:  # a meeting with case a on its agenda
            m = w.insert("meeting", {"held_on": "2026-05-01", "kind": "regular"})
            w.insert("agenda_item", {"meeting_id": m, "case_id": a, "kind": "new_plan"})
    with as_user(path, "muni") as d:
        assert [c.id for c in d.list_cases()] == [a]
        assert d.get_case(a).case.id == a
        with pytest.raises(PermissionDenied):
            d.get_case(b)
        with pytest.raises(PermissionDenied):
            d.register_intake(make_intake())
        with pytest.raises(PermissionDenied):
            d.security.add_coworker(a, "muni")
        assert isinstance(d.security.intake_counts_by_month(), dict)


def test_viewer_opens_no_case_and_refusals_are_audited(agency):
    path, a = agency["path"], agency["a"]
    with as_user(path, "view") as d:
        with pytest.raises(PermissionDenied):
            d.list_cases()
        with pytest.raises(PermissionDenied):
            d.count_cases()
        with pytest.raises(PermissionDenied):
            d.get_case(a)
        with pytest.raises(PermissionDenied):
            d.paper.print_intake(a, path.parent / "a.pdf", render=render)
        with pytest.raises(PermissionDenied):
            d.security.consents(a)
        assert sum(d.security.intake_counts_by_month().values()) == 2
    with as_user(path, LOGIN, PASSWORD) as d:
        rows = d.security.audit_search(user="view", action="refused")
        assert len(rows) == 5
        assert any(r.case_no for r in rows)


def test_administrator_case_access_is_a_setting(agency):
    path, a = agency["path"], agency["a"]
    with as_user(path, LOGIN, PASSWORD) as d:
        assert d.security.admin_case_access() and d.count_cases() == 2
        with pytest.raises(ValidationError):
            d.security.set_admin_case_access(False, "")
        d.security.set_admin_case_access(False, "主任相談支援員を配置したため")
        with pytest.raises(PermissionDenied):
            d.list_cases()
        with pytest.raises(PermissionDenied):
            d.get_case(a)
        with pytest.raises(PermissionDenied):
            d.register_intake(make_intake())
        assert len(d.security.list_users()) == 8       # system management stays
        assert d.maintenance.backup(path.parent / "bk").exists()
        assert d.security.audit_search(action="admin_case_access")[0].reason == "主任相談支援員を配置したため"


def test_users_disable_role_and_team(agency):
    path = agency["path"]
    with as_user(path, LOGIN, PASSWORD) as d:
        users = {u.login: u for u in d.security.list_users()}
        assert users["con_a"].team == "A班" and users["con_a"].has_key
        assert users["con_a"].role_label == "相談支援員"
        with pytest.raises(ValidationErrors) as exc:
            d.security.add_user("con_a", "重複", Role.VIEWER, PW)
        assert exc.value.errors[0].field == "user.login"
        with pytest.raises(ValidationErrors) as exc:
            d.security.add_user("new", "新人", "boss", "short")
        assert {e.field for e in exc.value.errors} == {"role", "password"}
        with pytest.raises(ValidationError):
            d.security.disable_user(LOGIN)
        with pytest.raises(ValidationError):
            d.security.change_role(LOGIN, Role.CHIEF)  # the last administrator
        d.security.disable_user("con_a2")
        assert "con_a2" not in KeySlots.load(path).logins()
        d.security.change_role("view", Role.CONSULTANT)
        d.security.set_team("view", "A班")
        assert {u.login: u for u in d.security.list_users()}["con_a2"].has_key is False
    with pytest.raises(WrongPassword):
        Desk.open(path, "con_a2", PW)
    with as_user(path, "view") as d:  # now a consultant of team A
        assert [c.id for c in d.list_cases()] == [agency["a"]]


def test_password_change_and_reset_rewrite_only_the_key_file(agency):
    path = agency["path"]
    before = path.stat().st_mtime_ns
    with as_user(path, "con_a") as d:
        with pytest.raises(WrongPassword):
            d.security.change_password("not my password", "a new password")
        with pytest.raises(ValidationError):
            d.security.change_password(PW, "short")
        d.security.change_password(PW, "a new password")
    with pytest.raises(WrongPassword):
        Desk.open(path, "con_a", PW)
    with as_user(path, "con_a", "a new password"):
        pass
    with as_user(path, LOGIN, PASSWORD) as d:
        d.security.reset_password("con_a", "reset by admin 1")
        with pytest.raises(NotFound):
            d.security.reset_password("nobody", "reset by admin 1")
        raw = d.store._raw_key
    with pytest.raises(WrongPassword):
        Desk.open(path, "con_a", "a new password")
    with as_user(path, "con_a", "reset by admin 1"):
        pass
    # the database key never changed: the key file unwraps the same key
    assert KeySlots.load(path).unlock("con_a", "reset by admin 1") == raw
    del before


def test_recovery_key_regenerated(desk_path, recovery_key):
    with as_user(desk_path, LOGIN, PASSWORD) as d:
        new = d.security.regenerate_recovery_key()
    assert new != recovery_key
    with pytest.raises(WrongPassword):
        Desk.open_with_recovery_key(desk_path, recovery_key)
    with pytest.raises(WrongPassword):
        Desk.open_with_recovery_key(desk_path, "0000-0000-0000-0000-0000-0000-0000-0000")
    d = Desk.open_with_recovery_key(desk_path, new.lower())
    assert d.user.login == LOGIN
    d.close()


def test_back_off_after_failed_logins_then_audited(desk_path, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(throttle_mod, "_now", lambda: now[0])
    for _ in range(3):                          # three tries cost nothing …
        with pytest.raises(WrongPassword):
            Desk.open(desk_path, LOGIN, "wrong one")
    with pytest.raises(LoginThrottled) as exc:  # … then a wait, even for the right one
        Desk.open(desk_path, LOGIN, PASSWORD)
    assert "あと 2 秒待ってから入力してください" in str(exc.value)
    now[0] += 2
    with pytest.raises(WrongPassword):
        Desk.open(desk_path, LOGIN, "wrong again")
    with pytest.raises(LoginThrottled) as exc:  # the wait doubles
        Desk.open(desk_path, LOGIN, PASSWORD)
    assert exc.value.seconds == 4
    now[0] += 3
    with pytest.raises(LoginThrottled) as exc:
        Desk.open(desk_path, LOGIN, PASSWORD)
    assert exc.value.seconds == 1
    now[0] += 1
    with as_user(desk_path, LOGIN, PASSWORD) as d:
        failed = d.security.audit_search(action="login_failed")
        assert len(failed) == 4 and {f.login for f in failed} == {LOGIN}
        assert d.security.audit_search(action="login")[0].login == LOGIN
    # the record is emptied; it keeps its room for a full disk (see throttle.py)
    assert throttle_mod.LoginThrottle(desk_path).pending() == (0, [])


def test_lock_unlock_events_and_screen_unlock(desk_path):
    with as_user(desk_path, LOGIN, PASSWORD) as d:
        d.security.lock_event("auto_lock")
        assert d.security.verify_password("wrong") is False
        assert d.security.verify_password(PASSWORD) is True
        d.security.lock_event("lock")
        with pytest.raises(ValueError):
            d.security.lock_event("nap")
        actions = [r.action for r in d.security.audit_search(limit=4)]
        assert actions == ["lock", "unlock", "unlock_failed", "auto_lock"]


def test_audit_search_and_csv_export(agency, tmp_path):
    path, a = agency["path"], agency["a"]
    with as_user(path, "con_a") as d:
        d.get_case(a)
        d.paper.print_intake(a, tmp_path / "a.pdf", render=render)
    with as_user(path, LOGIN, PASSWORD) as d:
        case_no = d.store.case(a).case_no
        rows = d.security.audit_search(case_no=case_no)
        assert {"intake", "assign", "view_case", "print"} <= {r.action for r in rows}
        assert all(r.case_no == case_no for r in rows)
        assert [r.action for r in d.security.audit_search(user="con_a", case_no=case_no)][:2] == [
            "print", "view_case"]
        assert d.security.audit_search(since=date(2000, 1, 1), until=date(2000, 12, 31)) == []
        assert d.security.audit_search(since=date.today(), until=date.today())
        assert d.security.audit_search(case_no="1999-9999") == []
        out = tmp_path / "audit.csv"
        n = d.security.audit_export_csv(out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0][:5] == ["連番", "日時", "利用者", "操作", "ケース番号"]
    assert len(rows) == n + 1 and int(rows[1][0]) < int(rows[-1][0])
    assert not list(tmp_path.glob(".audit.csv.*"))


def test_audit_chain_tampering_detected_by_cli(desk_path):
    with as_user(desk_path, LOGIN, PASSWORD) as d:
        for i in range(3):
            d.security.lock_event("lock")
        assert d.security.audit_check() is None
        d.store.conn.execute("UPDATE audit SET detail = 'changed' WHERE seq = 3")
        broken = d.security.audit_check()
        assert broken.seq == 3 and broken.at and not broken.deleted
    out = run("audit", "verify", "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 3
    assert "3" in out.stderr and "監査ログ" in out.stderr
    with as_user(desk_path, LOGIN, PASSWORD) as d:
        d.store.conn.execute("UPDATE audit SET detail = '' WHERE seq = 3")  # put it back
        assert d.security.audit_check() is None
        d.store.conn.execute("DELETE FROM audit WHERE seq = 4")
        broken = d.security.audit_check()
        assert broken.seq == 4 and broken.deleted
    out = run("audit", "verify", "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 3 and "4" in out.stderr


def _pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(path))
    try:
        return "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def test_sensitive_case_masked_in_lists_search_case_and_pdf(agency, tmp_path):
    path, a = agency["path"], agency["a"]
    mask = whereabouts_mask()
    assert mask == "＊＊＊（閲覧制限）"
    with as_user(path, "con_a") as d:
        with pytest.raises(ValidationError):
            d.security.set_sensitive(a, True, "")      # a reason is required
        d.security.set_sensitive(a, True, "DV被害・住民票の閲覧制限あり")
        assert d.security.is_sensitive(a)
        detail = d.get_case(a)
        p = detail.person
        assert (p.address, p.postal_code, p.phone_mobile) == (mask, mask, mask)
        assert p.name == "青木 春子" and p.phone_home == ""   # empty stays empty
        for row in d.list_cases("青木"):
            assert ADDRESS not in json.dumps(row.__dict__, ensure_ascii=False, default=str)
        same = d.find_same_person("青木 春子", date(1980, 5, 6))
        # the duplicate check never gives whereabouts, masked or not (issue 13)
        assert same and same[0].address == "" and same[0].cases == [("2026-0001", "相談 A子")]
        d.paper.print_intake(a, tmp_path / "masked.pdf", render=render)
        text = _pdf_text(tmp_path / "masked.pdf")
        assert "本町" not in text and "1234" not in text and "閲覧制限" in text
        with pytest.raises(ValidationError):
            d.security.reveal(a, " ")
        shown = d.security.reveal(a, "本人への郵送のため")
        assert shown.person.address == ADDRESS
        assert d.get_case(a).person.address == mask     # the reveal lasted one view
        d.paper.print_intake(a, tmp_path / "shown.pdf", reveal_reason="本人へ手渡し", render=render)
        assert "本町" in _pdf_text(tmp_path / "shown.pdf")
        # a sheet for another agency never shows whereabouts, even with a reason
        d.paper.print_intake(a, tmp_path / "agency.pdf", reveal_reason="依頼", for_recipient="法テラス",
                       basis="consent", render=render)
        assert "本町" not in _pdf_text(tmp_path / "agency.pdf")
        assert d.security.disclosures(a)[0].recipient == "法テラス"
    with as_user(path, LOGIN, PASSWORD) as d:
        reveal = d.security.audit_search(action="reveal")
        assert reveal[0].reason == "本人への郵送のため" and reveal[0].login == "con_a"
        prints = d.security.audit_search(action="print", user="con_a")
        assert [r.reason for r in prints] == ["", "本人へ手渡し", ""]
    with as_user(path, "con_a") as d:
        d.security.set_sensitive(a, False, "制限期間終了")
        assert d.get_case(a).person.address == ADDRESS


def test_cli_users_and_audit_export(desk_path, tmp_path):
    base = ("--db", str(desk_path), "--user", LOGIN)
    out = run("users", "add", "--name", "tanaka", "--role", "consultant", "--display", "田中 一郎",
              "--team", "A班", *base, password=PASSWORD)
    assert out.returncode != 0 and "TSUNAGU_NEW_PASSWORD" in out.stderr
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_")}
    env.update(TSUNAGU_PASSWORD=PASSWORD, TSUNAGU_NEW_PASSWORD="tanaka password")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "app", "users", "add", "--name", "tanaka",
                           "--role", "相談支援員", "--display", "田中 一郎", *base], cwd=root,
                          env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "tanaka" in done.stdout
    listed = run("users", "list", *base)
    assert listed.returncode == 0 and "田中 一郎" in listed.stdout and "相談支援員" in listed.stdout
    bad = run("users", "add", "--name", "x", "--role", "boss", *base)
    assert bad.returncode != 0 and "役割" in bad.stderr
    off = run("users", "disable", "tanaka", *base)
    assert off.returncode == 0, off.stderr
    assert "tanaka" not in KeySlots.load(desk_path).logins()
    csv_path = tmp_path / "a.csv"
    exported = run("audit", "export", "--out", str(csv_path), *base)
    assert exported.returncode == 0, exported.stderr
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "user_add" in text and "user_disable" in text
    ok = run("audit", "verify", *base)
    assert ok.returncode == 0 and "監査ログ" in ok.stdout
