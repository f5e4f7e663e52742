"""Sync: devices, 持ち出し, bundles (format, refusal), merge, conflicts, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.desk import Desk
from app.domain.sync import ImportCounts
from app.errors import TsunaguError, ValidationErrors
from app.store import db
from app.sync.devices import load_secrets
from app.sync.bundle import BundleRefused
from conftest import LOGIN, PASSWORD, make_intake
from sync_helpers import NAMES, build_devices, copy_tree, dump, open_dev

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("devices")
    ids = build_devices(root)
    return root, ids


@pytest.fixture
def devs(template, tmp_path):
    root, ids = template
    copy_tree(root, tmp_path / "d")
    root = tmp_path / "d"
    opened = {k: open_dev(root, k) for k in "abc"}
    yield root, ids, opened
    for d in opened.values():
        d.close()


def exchange(src, dst, folder: Path, name="x.tsb"):
    path = folder / name
    src.sync.export_bundle(path, for_device=dst.agency.device_id)
    return dst.sync.import_bundle(path)


def test_devices_listed_with_codes(devs):
    _root, ids, d = devs
    listed = {x.id: x for x in d["a"].sync.devices()}
    assert listed[ids["b"]].kind == "desk" and listed[ids["b"]].code == "D1"
    assert listed[ids["c"]].kind == "field" and listed[ids["c"]].cases == 1
    assert listed[ids["a"]].this
    assert d["c"].sync.device_kind() == "field" and d["c"].agency.device_id == ids["c"]


def test_field_laptop_holds_only_its_cases(devs, tmp_path):
    _root, ids, d = devs
    lap = d["c"]
    assert [c.name for c in lap.list_cases()] == [NAMES[0][0]]
    plain = tmp_path / "plain.db"
    db.export_copy(lap.store.conn, plain, None)
    raw = plain.read_bytes()
    for name, kana in NAMES[1:]:
        for text in (name, kana, name.split()[0]):
            assert text.encode("utf-8") not in raw, text
    for case_id in ids["cases"][1:]:
        assert case_id.encode() not in raw
    assert NAMES[0][0].encode("utf-8") in raw
    # the search index knows only the held person
    assert [c.name for c in lap.list_cases("すずき")] == []
    assert lap.security.audit_verify() is None


def test_a_copy_left_by_a_cut_off_device_is_removed_by_the_next(devs, tmp_path):
    """Making a laptop trims a whole copy of the desk beside it (no journal: a cut-off trim
    leaves it half-written). If the program was cut off, the next device made removes it —
    a copy of every case must not stay in the desk's folder."""
    root, ids, d = devs
    folder = root / "a"
    left = folder / ".device-0d1e-cut-off.staging.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(left) + suffix).write_bytes(b"half-written copy of the desk")
    lap = d["a"].sync.add_device("field", "訪問用ノート2", tmp_path / "e", cases=ids["cases"][1:2])
    assert not list(folder.glob(".device-*"))
    e = Desk.open(tmp_path / "e" / "tsunagu.db", LOGIN, PASSWORD)
    try:
        assert e.agency.device_id == lap.id and e.sync.device_kind() == "field"
        assert [c.name for c in e.list_cases()] == [NAMES[1][0]]
        assert e.security.audit_verify() is None
        assert e.store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        e.close()


def test_round_trip_idempotent_and_identical(devs, tmp_path):
    _root, ids, d = devs
    a, b = d["a"], d["b"]
    a.register_intake(make_intake(name="新井 次郎", kana="あらい じろう"))
    b.register_intake(make_intake(name="北村 三郎", kana="きたむら さぶろう"))
    b.update_person(ids["persons"][1], address="つなぐ町北1-1")
    r1 = exchange(a, b, tmp_path, "a.tsb")
    assert r1.applied > 0 and r1.conflicts == 0
    again = b.sync.import_bundle(tmp_path / "a.tsb")
    assert again == ImportCounts(applied=0, skipped=r1.applied + r1.skipped, conflicts=0)
    exchange(b, a, tmp_path, "b.tsb")
    assert dump(a) == dump(b)
    numbers = [c.case_no for c in a.list_cases()]
    assert len(numbers) == len(set(numbers)) == 7
    assert any(n.startswith("2026-D1-") for n in numbers)
    assert [c.name for c in a.list_cases("きたむら")] == ["北村 三郎"]


def test_same_field_on_two_desks_is_a_conflict_resolved_by_a_person(devs, tmp_path):
    _root, ids, d = devs
    a, b = d["a"], d["b"]
    pid = ids["persons"][1]
    a.update_person(pid, address="A町1-1", phone_home="011-111-1111")
    b.update_person(pid, address="B町2-2", email="b@example.jp")
    exchange(a, b, tmp_path, "1.tsb")
    exchange(b, a, tmp_path, "2.tsb")
    assert dump(a) == dump(b)
    conflicts = a.sync.conflicts()
    assert [(c.tbl, c.field) for c in conflicts] == [("person", "address")]
    c = conflicts[0]
    assert {c.loser_value, c.winner_value} == {"A町1-1", "B町2-2"}
    assert c.applied_value == c.winner_value
    assert c.loser.user and c.winner.device and c.loser.hlc < c.winner.hlc
    p = a.store.person(pid)
    assert p.phone_home == "011-111-1111" and p.email == "b@example.jp"  # both kept
    a.sync.resolve_conflict(c.id, "loser")
    assert a.store.person(pid).address == c.loser_value
    assert a.sync.conflicts() == [] and len(a.sync.conflicts(open_only=False)) == 1
    exchange(a, b, tmp_path, "3.tsb")
    assert b.sync.conflicts() == [] and b.store.person(pid).address == c.loser_value
    assert dump(a) == dump(b)


def test_name_edits_keep_the_search_index_right(devs, tmp_path):
    _root, ids, d = devs
    a, b = d["a"], d["b"]
    pid = ids["persons"][3]
    a.update_person(pid, name="佐藤 一朗")
    b.update_person(pid, kana="さとう いちろ")
    exchange(a, b, tmp_path, "1.tsb")
    exchange(b, a, tmp_path, "2.tsb")
    for desk in (a, b):
        assert [c.name for c in desk.list_cases("一朗")] == ["佐藤 一朗"]
        assert [c.name for c in desk.list_cases("さとう いちろ")] == ["佐藤 一朗"]
        assert desk.list_cases("佐藤 一郎") == []
        desk.store.conn.execute("INSERT INTO person_fts (person_fts) VALUES ('integrity-check')")
    assert a.sync.conflicts() == []  # different fields: merged, no conflict


def test_delete_against_edit_keeps_the_edit_and_flags_it(devs, tmp_path):
    _root, ids, d = devs
    a, b = d["a"], d["b"]
    sid = a.store.conn.execute("SELECT id FROM referral_source ORDER BY sort LIMIT 1").fetchone()[0]
    with a.store.transaction() as w:
        w.delete("referral_source", sid)
    with b.store.transaction() as w:
        w.update("referral_source", sid, {"name": "改名された紹介元"})
    exchange(a, b, tmp_path, "1.tsb")
    exchange(b, a, tmp_path, "2.tsb")
    for desk in (a, b):
        row = desk.store.conn.execute("SELECT name FROM referral_source WHERE id = ?",
                                      (sid,)).fetchone()
        assert row == ("改名された紹介元",)
    assert [c.kind for c in a.sync.conflicts()] == ["delete"]
    assert dump(a) == dump(b)
    # a deletion that saw every edit removes the row everywhere
    a.sync.resolve_conflict(a.sync.conflicts()[0].id, "delete")
    exchange(a, b, tmp_path, "3.tsb")
    assert b.store.conn.execute("SELECT 1 FROM referral_source WHERE id = ?", (sid,)).fetchone() is None
    assert dump(a) == dump(b)


def test_check_out_edit_on_laptop_and_return(devs, tmp_path):
    _root, ids, d = devs
    a, lap = d["a"], d["c"]
    a.sync.check_out([ids["cases"][2]], ids["c"])
    r = exchange(a, lap, tmp_path, "out.tsb")
    assert r.applied > 0
    assert sorted(c.name for c in lap.list_cases()) == sorted([NAMES[0][0], NAMES[2][0]])
    lap.update_person(ids["persons"][2], address="訪問先で確認した住所")
    new = lap.register_intake(make_intake(name="訪問 新規", kana="ほうもん しんき"))
    assert new.case.case_no.startswith("2026-F2-")
    with pytest.raises(TsunaguError):
        a.sync.check_out([ids["cases"][2]], ids["c"] if False else ids["b"])
    # the desk returns the case before the laptop's edit arrived: the laptop keeps it
    a.sync.check_in([ids["cases"][2]])
    exchange(a, lap, tmp_path, "in1.tsb")
    assert NAMES[2][0] in [c.name for c in lap.list_cases()]
    exchange(lap, a, tmp_path, "back.tsb")
    assert a.store.person(ids["persons"][2]).address == "訪問先で確認した住所"
    assert "訪問 新規" in [c.name for c in a.list_cases()]
    exchange(a, lap, tmp_path, "in2.tsb")   # acknowledges the laptop's edit: the case leaves
    assert sorted(c.name for c in lap.list_cases()) == sorted([NAMES[0][0], "訪問 新規"])
    plain = tmp_path / "plain.db"
    db.export_copy(lap.store.conn, plain, None)
    raw = plain.read_bytes()
    assert NAMES[2][0].encode() not in raw and "訪問先で確認した住所".encode() not in raw


def _bundle(a, b, tmp_path) -> Path:
    a.register_intake(make_intake(name="送信 テスト", kana="そうしん てすと"))
    path = tmp_path / "x.tsb"
    a.sync.export_bundle(path, for_device=b.agency.device_id)
    return path


@pytest.mark.parametrize("damage", ["truncate", "flip_header", "flip_body", "flip_tag", "empty",
                                    "garbage"])
def test_damaged_bundles_are_refused_whole(devs, tmp_path, damage):
    _root, ids, d = devs
    a, b = d["a"], d["b"]
    path = _bundle(a, b, tmp_path)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[:len(data) // 2]
    elif damage == "flip_header":
        data[30] ^= 0x01
    elif damage == "flip_body":
        data[len(data) // 2 + 40] ^= 0x80
    elif damage == "flip_tag":
        data[-1] ^= 0x01
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"PK\x03\x04 not a bundle at all")
    path.write_bytes(bytes(data))
    before = dump(b)
    with pytest.raises(BundleRefused) as err:
        b.sync.import_bundle(path)
    assert "Nothing was imported" in str(err.value) or "取り込" in str(err.value)
    assert dump(b) == before


def test_foreign_revoked_misaddressed_and_future_bundles_are_refused(devs, tmp_path, desk_path):
    from app.desk import Desk
    from app.sync import bundle as fmt
    _root, ids, d = devs
    a, b, lap = d["a"], d["b"], d["c"]
    path = _bundle(a, b, tmp_path)
    before = dump(b)
    other = Desk.open(desk_path, LOGIN, PASSWORD)   # another agency (own key, own id)
    try:
        with pytest.raises(BundleRefused):
            other.sync.import_bundle(path)
        # same agency id but another key: authentication fails (with a's signature, or
        # with the other database's own signature)
        data = path.read_bytes()
        header, _prefix = fmt.read_header(data, "x")
        fields = {k: v for k, v in header.items() if k not in ("salt", "nonce", "box")}
        for signer in (load_secrets(a.store.conn), load_secrets(other.store.conn)):
            forged = fmt.pack(other.store.database_key(), fields,
                              {"vector": {}, "entries": []}, signer=signer)
            (tmp_path / "forged.tsb").write_bytes(forged)
            with pytest.raises(BundleRefused):
                b.sync.import_bundle(tmp_path / "forged.tsb")
    finally:
        other.close()
    with pytest.raises(BundleRefused):
        lap.sync.import_bundle(path)       # meant for b
    future = fmt.pack(a.store.database_key(), {"agency_id": header["agency_id"],
                                               "from_device": ids["a"], "to_device": None,
                                               "entries": 0}, {"vector": {}, "entries": []},
                      signer=load_secrets(a.store.conn))
    future = future.replace(b'"version": 2', b'"version": 9')
    (tmp_path / "future.tsb").write_bytes(future)
    with pytest.raises(BundleRefused) as err:
        b.sync.import_bundle(tmp_path / "future.tsb")
    assert "9" in str(err.value)
    lap_bundle = tmp_path / "lap.tsb"
    lap.update_person(ids["persons"][0], address="盗難前の住所")
    lap.sync.export_bundle(lap_bundle, for_device=ids["a"])
    a.sync.revoke_device(ids["c"])
    before_a = dump(a)
    with pytest.raises(BundleRefused):
        a.sync.import_bundle(lap_bundle)
    assert dump(a) == before_a
    with pytest.raises(TsunaguError):
        a.sync.export_bundle(tmp_path / "no.tsb", for_device=ids["c"])
    assert dump(b) == before


def test_case_bundle_and_full_bundle(devs, tmp_path):
    _root, ids, d = devs
    a, b = d["a"], d["b"]
    a.update_person(ids["persons"][4], address="ケース単位")
    no = a.store.case(ids["cases"][4]).case_no
    h = a.sync.export_bundle(tmp_path / "case.tsb", cases=[no])
    assert h["cases"] == [ids["cases"][4]] and h["scope"] == "cases"
    assert b.sync.import_bundle(tmp_path / "case.tsb").applied >= 1
    assert b.store.person(ids["persons"][4]).address == "ケース単位"
    a.sync.export_bundle(tmp_path / "all.tsb")
    b.sync.import_bundle(tmp_path / "all.tsb")
    assert dump(a) == dump(b)


def test_two_approved_plans_are_flagged(devs, tmp_path):
    _root, ids, d = devs
    a, b = d["a"], d["b"]
    if a.store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'plan'").fetchone() is None:
        pytest.skip("no plan table yet")
    case = ids["cases"][1]
    for desk, n in ((a, 1), (b, 2)):
        with desk.store.transaction() as w:
            w.insert("plan", {"case_id": case, "number": n, "kind": "first", "status": "approved",
                              "created_on": "2026-05-01", "approved_on": "2026-05-10"})
    exchange(a, b, tmp_path, "1.tsb")
    flags = [c for c in b.sync.conflicts() if c.kind == "rule"]
    assert len(flags) == 1 and flags[0].field == "two_approved_plans"
    assert flags[0].case_id == case


def test_add_device_validates(devs, tmp_path):
    _root, ids, d = devs
    a = d["a"]
    with pytest.raises(ValidationErrors):
        a.sync.add_device("tablet", "", tmp_path / "x")
    with pytest.raises(ValidationErrors):
        a.sync.add_device("desk", "二台目", tmp_path / "d" / "b")   # a database is there
    with pytest.raises(TsunaguError):
        d["c"].sync.add_device("field", "孫", tmp_path / "y")             # a laptop cannot
    own = a.sync.add_device("field", "専用パスワード", tmp_path / "z", password_for_new_device="field pass 1",
                       kdf=__import__("app.security.keyslots", fromlist=["KdfParams"]).KdfParams.fast())
    from app.desk import Desk
    with Desk.open(tmp_path / "z" / "tsunagu.db", LOGIN, "field pass 1") as z:
        assert z.agency.device_id == own.id and z.list_cases() == []


def _cli(*args, env=None):
    e = dict(os.environ, TSUNAGU_PASSWORD=PASSWORD, TSUNAGU_LANG="ja", **(env or {}))
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=e,
                          capture_output=True, text=True, timeout=120)


def test_cli_devices_and_bundles(devs, tmp_path):
    root, ids, d = devs
    for desk in d.values():
        desk.close()
    a_db, b_db = root / "a" / "tsunagu.db", root / "b" / "tsunagu.db"
    r = _cli("device", "list", "--db", str(a_db), "--json")
    assert r.returncode == 0, r.stderr
    assert {x["code"] for x in json.loads(r.stdout)} == {"", "D1", "F2"}
    r = _cli("bundle", "export", "--out", str(tmp_path / "x.tsb"), "--for", "D1", "--db", str(a_db))
    assert r.returncode == 0, r.stderr
    r = _cli("bundle", "import", str(tmp_path / "x.tsb"), "--db", str(b_db))
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert set(summary) == {"applied", "skipped", "conflicts"}
    r = _cli("bundle", "import", str(tmp_path / "x.tsb"), "--db", str(b_db))
    assert json.loads(r.stdout)["applied"] == 0
    (tmp_path / "bad.tsb").write_bytes(b"TSUNAGU-BUNDLE\n\0broken")
    r = _cli("bundle", "import", str(tmp_path / "bad.tsb"), "--db", str(b_db))
    assert r.returncode != 0 and "壊れ" in r.stderr
    r = _cli("device", "add", "--kind", "field", "--name", "ノート2", "--out", str(tmp_path / "n2"),
             "--cases", "2026-0002", "--db", str(a_db))
    assert r.returncode == 0, r.stderr
    r = _cli("device", "revoke", "F2", "--db", str(a_db))
    assert r.returncode == 0, r.stderr
    r = _cli("device", "revoke", "nonexistent", "--db", str(a_db))
    assert r.returncode != 0 and "端末" in r.stderr
