"""The audit chain's end is anchored outside the database (issue 13 point 5): backup
manifests and transfer files; ``audit verify`` detects removal of the last entries (or all
of them) and says since when; laptop activity reaches the desk's audit with the bundle;
reading lists, searches and support records is audited once per query."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from app.desk import Desk
from app.security.keyslots import KdfParams
from app.security.roles import Role
from tests.conftest import LOGIN, PASSWORD, make_intake


def _cut(desk: Desk, keep: int) -> None:
    """What a user with the password and Python can do: delete the newest entries."""
    desk.store.conn.execute("DELETE FROM audit WHERE seq > ?", (keep,))


def test_backup_manifest_holds_the_anchor(desk, tmp_path):
    desk.register_intake(make_intake())
    target = desk.maintenance.backup(tmp_path / "bk")
    manifest = json.loads(Path(str(target) + ".manifest.json").read_text(encoding="utf-8"))
    head = desk.store.audit_entries(None, 2)
    anchor = manifest["audit_anchor"]
    # the backup entry itself is written after the copy: the anchor is the entry before
    assert anchor["seq"] == head[1].seq and anchor["hash"] == head[1].hash
    assert manifest["backup"] == target.name


def test_removing_the_last_entries_is_detected_and_dated(desk, tmp_path):
    desk.maintenance.set_backup_settings(tmp_path / "bk", 5)
    desk.register_intake(make_intake(name="山田 一"))
    desk.maintenance.backup()
    assert desk.security.audit_check() is None
    entries = desk.store.audit_entries(None, 10**6)
    anchored = json.loads(Path(str(desk.maintenance.backups()[0].path) + ".manifest.json")
                          .read_text(encoding="utf-8"))["audit_anchor"]["seq"]
    keep = anchored - 3
    _cut(desk, keep)
    assert desk.store.audit_verify() is None          # the chain alone still "holds"
    broken = desk.security.audit_check()
    assert broken is not None and broken.deleted
    kept_at = next(e.at for e in entries if e.seq == keep)
    assert broken.at == kept_at and broken.anchored_seq == anchored
    assert broken.anchored_by.startswith("tsunagu-")


def test_removing_every_entry_is_detected(desk, tmp_path):
    desk.maintenance.set_backup_settings(tmp_path / "bk", 5)
    desk.maintenance.backup()
    _cut(desk, 0)
    broken = desk.security.audit_check()
    assert broken is not None and broken.deleted and broken.seq == 1


def test_cli_audit_verify_says_since_when(desk_path, tmp_path):
    from tests.test_cli import run
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        d.maintenance.set_backup_settings(tmp_path / "bk", 5)
        d.register_intake(make_intake())
        d.maintenance.backup()
        d.register_intake(make_intake(name="後"))
        _cut(d, 3)
        last = d.store.audit_entries(None, 1)[0].at
    out = run("audit", "verify", "--db", str(desk_path), "--user", LOGIN)
    assert out.returncode == 3
    assert "削除" in out.stderr and last in out.stderr and "tsunagu-" in out.stderr


def test_a_restore_is_not_taken_for_a_cut(desk_path, tmp_path):
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        d.maintenance.set_backup_settings(tmp_path / "bk", 5)
        old = d.maintenance.backup()
        for i in range(3):
            d.register_intake(make_intake(name=f"後 {i}"))
        d.maintenance.backup()
    Desk.restore(old, desk_path, LOGIN, PASSWORD)
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        assert d.security.audit_check() is None


def test_laptop_activity_and_anchor_reach_the_desk(tmp_path):
    a, _rec = Desk.create(tmp_path / "a" / "tsunagu.db", agency_name="つなぐ町",
                          municipality="つなぐ町", population=8200, admin_login=LOGIN,
                          admin_name="管理 花子", password=PASSWORD, kdf=KdfParams.fast())
    a.security.add_user("con", "相談 一子", Role.CONSULTANT, "password 1234", kdf=KdfParams.fast())
    case = a.register_intake(make_intake())
    a.security.assign_case(case.case.id, "con")
    lap_info = a.sync.add_device("field", "訪問用ノート", tmp_path / "c", cases=[case.case.id])
    desk_id = a.agency.device_id
    a.close()
    lap = Desk.open(tmp_path / "c" / "tsunagu.db", "con", "password 1234")
    lap.get_case(case.case.id)
    lap.process.add_record(case.case.id, datetime(2026, 11, 2, 10, 0), "home_visit", "訪問した。")
    lap.sync.export_bundle(tmp_path / "1.tsb", for_device=desk_id)
    lap.list_cases("山田")
    lap.sync.export_bundle(tmp_path / "2.tsb", for_device=desk_id)
    lap_head = lap.store.audit_entries(None, 1)[0]
    lap.close()
    a = Desk.open(tmp_path / "a" / "tsunagu.db", LOGIN, PASSWORD)
    try:
        a.sync.import_bundle(tmp_path / "1.tsb")
        a.sync.import_bundle(tmp_path / "2.tsb")
        a.sync.import_bundle(tmp_path / "1.tsb")     # again: nothing copied twice
        seen = a.security.audit_search(user="con")
        actions = [r.action for r in seen]
        assert "device:view_case" in actions and "device:view_list" in actions
        assert actions.count("device:view_case") == 1
        assert all("訪問用ノート" in r.detail for r in seen if r.action.startswith("device:"))
        assert any(r.case_no == case.case.case_no for r in seen)
        stored = json.loads(a.store.local("audit.received." + lap_info.id))
        assert stored["seq"] <= lap_head.seq and stored["hash"]
        assert a.security.audit_check() is None
    finally:
        a.close()


def test_reads_are_audited_once_per_query(desk):
    case = desk.register_intake(make_intake()).case.id
    desk.process.add_record(case, datetime(2026, 4, 2, 10, 0), "phone", "電話")
    before = desk.store.audit_entries(None, 1)[0].seq
    rows = desk.list_cases("山田")
    desk.process.support_records(case)
    desk.process.dashboard()
    after = [e for e in desk.store.audit_entries(None, 100) if e.seq > before]
    actions = sorted(e.action for e in after)
    assert actions == ["view_dashboard", "view_list", "view_records"]
    listed = next(e for e in after if e.action == "view_list")
    assert "山田" in listed.detail and f"{len(rows)} rows" in listed.detail
    assert next(e for e in after if e.action == "view_records").case_id == case


def test_a_cut_on_either_side_is_flagged_at_the_next_transfer(tmp_path):
    a, _rec = Desk.create(tmp_path / "a" / "tsunagu.db", agency_name="つなぐ町",
                          municipality="つなぐ町", population=8200, admin_login=LOGIN,
                          admin_name="管理 花子", password=PASSWORD, kdf=KdfParams.fast())
    case = a.register_intake(make_intake())
    lap_info = a.sync.add_device("field", "訪問用ノート", tmp_path / "c", cases=[case.case.id])
    desk_id = a.agency.device_id
    a.sync.export_bundle(tmp_path / "to-lap.tsb", for_device=lap_info.id)   # carries a's anchor
    a.close()
    lap = Desk.open(tmp_path / "c" / "tsunagu.db", LOGIN, PASSWORD)
    lap.sync.import_bundle(tmp_path / "to-lap.tsb")
    lap.get_case(case.case.id)
    lap.sync.export_bundle(tmp_path / "1.tsb", for_device=desk_id)
    _cut(lap, 1)                                   # the laptop's user removes its log
    lap.list_cases()
    lap.sync.export_bundle(tmp_path / "2.tsb", for_device=desk_id)
    lap.close()
    a = Desk.open(tmp_path / "a" / "tsunagu.db", LOGIN, PASSWORD)
    try:
        a.sync.import_bundle(tmp_path / "1.tsb")
        assert not a.security.audit_search(action="device_audit_cut")
        _cut(a, 2)                                  # and the desk's user cuts the desk's log
        a.sync.import_bundle(tmp_path / "2.tsb")
        cut = a.security.audit_search(action="device_audit_cut")
        assert cut and "訪問用ノート" in cut[0].detail
        assert a.security.audit_search(action="audit_cut_detected")   # the laptop held a's anchor
    finally:
        a.close()
