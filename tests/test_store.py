"""The encrypted store: opening, refusing bad files, migrations, journal, encryption at rest."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import sqlcipher3

from app.desk import Desk
from app.errors import (
    AlreadyOpen, DamagedDatabase, MissingKeySlots, NewerDatabase, StoreError, TruncatedDatabase,
    ValidationErrors, WrongPassword,
)
from app.security.keyslots import KdfParams, KeySlots
from app.store import db
from tests.conftest import LOGIN, PASSWORD, make_intake

FIXTURES = Path(__file__).parent / "fixtures"


def raw_key(path: Path) -> bytes:
    return KeySlots.load(path).unlock(LOGIN, PASSWORD)


def test_wrong_password_is_refused_with_a_japanese_message(desk_path):
    with pytest.raises(WrongPassword) as err:
        Desk.open(desk_path, LOGIN, "not the password")
    assert "パスワード" in str(err.value)


def test_unknown_user_gets_the_same_message_as_a_wrong_password(desk_path):
    with pytest.raises(WrongPassword) as unknown:
        Desk.open(desk_path, "nobody", PASSWORD)
    with pytest.raises(WrongPassword) as wrong:
        Desk.open(desk_path, LOGIN, "nope")
    assert str(unknown.value) == str(wrong.value)


def test_password_typed_in_full_width_still_unlocks(desk_path):
    full_width = PASSWORD.replace("c", "ｃ").replace("1", "１")
    Desk.open(desk_path, LOGIN, full_width).close()


def test_database_is_encrypted_at_rest(desk_path):
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        desk.register_intake(make_intake(name="暗号化確認 マーカー"))
    data = Path(desk_path).read_bytes()
    wal = Path(str(desk_path) + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    assert "暗号化確認".encode() not in data
    assert b"SQLite format 3" not in data[:16]


@pytest.mark.parametrize("offset", [100, 5000, -3000])
def test_flipped_byte_is_reported_as_damage_never_as_an_empty_desk(desk_path, offset):
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        for i in range(30):
            desk.register_intake(make_intake(name=f"山田 {i}"))
    size = Path(desk_path).stat().st_size
    pos = offset if offset >= 0 else size + offset
    with open(desk_path, "r+b") as fh:
        fh.seek(pos)
        byte = fh.read(1)
        fh.seek(pos)
        fh.write(bytes([byte[0] ^ 0x40]))
    with pytest.raises(DamagedDatabase) as err:
        with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
            desk.list_cases()
            desk.maintenance.check_integrity()
    assert "損傷" in str(err.value)


def test_zero_byte_file_is_never_opened_as_an_empty_database(desk_path):
    Path(desk_path).write_bytes(b"")
    with pytest.raises(TruncatedDatabase) as err:
        Desk.open(desk_path, LOGIN, PASSWORD)
    assert "0" in str(err.value) and "バックアップ" in str(err.value)
    assert Path(desk_path).stat().st_size == 0  # nothing was written into it


def test_truncated_file_is_refused(desk_path):
    data = Path(desk_path).read_bytes()
    Path(desk_path).write_bytes(data[: len(data) // 2 + 100])
    with pytest.raises(TruncatedDatabase):
        Desk.open(desk_path, LOGIN, PASSWORD)


def test_file_cut_at_a_page_boundary_is_refused(desk_path):
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        for i in range(40):
            desk.register_intake(make_intake(name=f"切断 {i}"))
    data = Path(desk_path).read_bytes()
    Path(desk_path).write_bytes(data[: (len(data) // db.PAGE_SIZE // 2) * db.PAGE_SIZE])
    with pytest.raises((TruncatedDatabase, DamagedDatabase)):
        with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
            desk.list_cases()


def test_not_a_database_is_refused(tmp_path, desk_path):
    other = tmp_path / "other.db"
    other.write_bytes(os.urandom(db.PAGE_SIZE * 3))
    shutil.copy(str(desk_path) + ".keys", str(other) + ".keys")
    with pytest.raises(DamagedDatabase):
        Desk.open(other, LOGIN, PASSWORD)


def test_missing_key_file_is_named(desk_path):
    os.unlink(str(desk_path) + ".keys")
    with pytest.raises(MissingKeySlots) as err:
        Desk.open(desk_path, LOGIN, PASSWORD)
    assert ".keys" in str(err.value)


def test_damaged_key_file_is_named(desk_path):
    Path(str(desk_path) + ".keys").write_text("{not json", encoding="utf-8")
    with pytest.raises(MissingKeySlots):
        Desk.open(desk_path, LOGIN, PASSWORD)


def test_missing_database_file(tmp_path):
    with pytest.raises(StoreError):
        Desk.open(tmp_path / "nothing.db", LOGIN, PASSWORD)


def test_newer_schema_is_refused(desk_path):
    conn = db.connect(desk_path, raw_key(desk_path))
    conn.execute(f"PRAGMA user_version = {db.latest_version() + 5}")
    conn.close()
    with pytest.raises(NewerDatabase) as err:
        Desk.open(desk_path, LOGIN, PASSWORD)
    assert "新しいバージョン" in str(err.value)


def test_migration_ladder_backs_up_then_upgrades(desk_path, monkeypatch):
    ladder = db.migrations()
    extra = (len(ladder) + 1, "test_step",
             "CREATE TABLE test_added (id TEXT PRIMARY KEY);\n"
             "INSERT INTO test_added VALUES ('x');\n")
    monkeypatch.setattr(db, "migrations", lambda: [*ladder, extra])
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        desk.register_intake(make_intake())
    backups = list(Path(desk_path).parent.glob("*.before-v*.db"))
    assert len(backups) == 1
    conn = db.connect(desk_path, raw_key(desk_path))
    assert db.user_version(conn) == len(ladder) + 1
    assert conn.execute("SELECT id FROM test_added").fetchall() == [("x",)]
    conn.close()
    # The backup is encrypted with the same key and still at the old version.
    old = db.connect(backups[0], raw_key(desk_path))
    assert db.user_version(old) == len(ladder)
    assert old.execute("SELECT count(*) FROM staff").fetchone()[0] == 1
    old.close()


def test_failed_migration_step_leaves_the_old_version(desk_path, monkeypatch):
    ladder = db.migrations()
    broken = (len(ladder) + 1, "broken", "CREATE TABLE ok_table (id TEXT);\nTHIS IS NOT SQL;\n")
    monkeypatch.setattr(db, "migrations", lambda: [*ladder, broken])
    with pytest.raises(sqlcipher3.DatabaseError):
        Desk.open(desk_path, LOGIN, PASSWORD)
    monkeypatch.undo()
    conn = db.connect(desk_path, raw_key(desk_path))
    assert db.user_version(conn) == len(ladder)
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ok_table'").fetchone()
    conn.close()


def test_released_schema_fixtures_still_open(tmp_path):
    """The file the schema-1 program wrote opens with today's program (one fixture per
    schema, made by a script, is upgraded and checked in tests/test_schema_upgrades.py)."""
    fixtures = sorted(FIXTURES.glob("schema*.db"))
    assert fixtures, "no schema fixtures"
    for fixture in fixtures:
        meta = json.loads(fixture.with_suffix(".json").read_text(encoding="utf-8"))
        work = tmp_path / fixture.stem
        work.mkdir()
        for suffix in ("", ".keys"):
            shutil.copy(str(fixture) + suffix, str(work / fixture.name) + suffix)
        with Desk.open(work / fixture.name, meta["login"], meta["password"]) as desk:
            cases = desk.list_cases()
            assert [c.name for c in cases] == meta["names"]


def test_every_write_has_a_journal_entry_in_the_same_transaction(desk):
    detail = desk.register_intake(make_intake())
    conn = desk.store.conn
    rows = conn.execute("SELECT tbl, row_id, op, fields, base_rev, rev, user_id, device_id "
                        "FROM journal WHERE tbl IN ('person', 'case_file', 'intake')").fetchall()
    tables = {r[0] for r in rows}
    assert tables == {"person", "case_file", "intake"}
    for tbl, row_id, op, fields, base_rev, rev, user_id, device_id in rows:
        assert op == "insert" and base_rev == 0 and rev == 1
        assert user_id == desk.user.id and device_id == desk.agency.device_id
        assert json.loads(fields)
    person = conn.execute("SELECT rev, hlc, updated_by, device_id FROM person WHERE id = ?",
                          (detail.person.id,)).fetchone()
    assert person[0] == 1 and person[1] and person[2] == desk.user.id


def test_hlc_stamps_increase(desk):
    for i in range(5):
        desk.register_intake(make_intake(name=f"順序 {i}"))
    stamps = [r[0] for r in desk.store.conn.execute("SELECT hlc FROM journal ORDER BY seq")]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_failed_operation_leaves_nothing_behind(desk, monkeypatch):
    before = desk.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    from app.store import store as store_module

    def boom(*a, **k):
        raise RuntimeError("disk gone")
    monkeypatch.setattr(store_module.Store, "insert_intake", boom)
    with pytest.raises(RuntimeError):
        desk.register_intake(make_intake(name="途中 失敗"))
    conn = desk.store.conn
    assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == before
    assert conn.execute("SELECT count(*) FROM person WHERE name = '途中 失敗'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM case_file").fetchone()[0] == 0


def test_pragmas(desk):
    conn = desk.store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_create_refuses_bad_input_and_an_existing_database(tmp_path, desk_path):
    with pytest.raises(ValidationErrors) as err:
        Desk.create(tmp_path / "x.db", agency_name="", municipality="町", population=0,
                    admin_login="管理者", admin_name="", password="short",
                    kdf=KdfParams.fast())
    fields = {e.field for e in err.value.errors}
    assert {"agency.name", "agency.population", "admin.login", "admin.name", "password"} <= fields
    assert not (tmp_path / "x.db").exists()
    with pytest.raises(ValidationErrors) as err:
        Desk.create(desk_path, agency_name="A", municipality="B", population=10,
                    admin_login="admin", admin_name="C", password="long enough",
                    kdf=KdfParams.fast())
    assert {e.field for e in err.value.errors} == {"path"}


def test_key_slot_file_is_written_atomically_and_holds_no_key(desk_path):
    text = Path(str(desk_path) + ".keys").read_text(encoding="utf-8")
    key_hex = raw_key(desk_path).hex()
    assert key_hex not in text
    assert not list(Path(desk_path).parent.glob(".*.tmp"))


def test_recovery_key_opens_and_a_wrong_one_is_refused(desk_path, recovery_key):
    with Desk.open_with_recovery_key(desk_path, recovery_key.lower().replace("-", " ")) as d:
        assert d.user.login == LOGIN
    with pytest.raises(WrongPassword) as err:
        Desk.open_with_recovery_key(desk_path, "0000-0000-0000-0000-0000-0000-0000-0000")
    assert "回復キー" in str(err.value)


def test_second_instance_is_refused_naming_who_has_it_open(desk_path):
    with Desk.open(desk_path, LOGIN, PASSWORD):
        with pytest.raises(AlreadyOpen) as err:
            Desk.open(desk_path, LOGIN, PASSWORD)
        import socket
        assert LOGIN in str(err.value) and socket.gethostname() in str(err.value)
        assert "開かれています" in str(err.value)
    Desk.open(desk_path, LOGIN, PASSWORD).close()  # released on close


def test_stale_lock_after_a_crash_is_taken_over(desk_path):
    import subprocess
    import sys
    code = ("import os, sys; sys.path.insert(0, '.');"
            "from app.desk import Desk;"
            f"d = Desk.open({str(desk_path)!r}, {LOGIN!r}, {PASSWORD!r});"
            "os._exit(0)")  # dies holding the lock, leaving the lock file behind
    subprocess.run([sys.executable, "-c", code], check=True,
                   cwd=Path(__file__).resolve().parent.parent)
    assert Path(str(desk_path) + ".lock").exists()
    with Desk.open(desk_path, LOGIN, PASSWORD) as desk:
        assert desk.count_cases() == 0
