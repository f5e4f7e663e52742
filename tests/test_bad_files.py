"""Bad files get words, not tracebacks (issue 13 point 7): every malformed field of a
``.keys`` file, a ``.keys`` of another database, a ``-wal`` missing after an unclean
shutdown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.desk import Desk
from app.errors import MissingKeySlots, TsunaguError, WrongPassword
from app.security.keyslots import KdfParams
from app.store.db import KeysOfAnotherDatabase, MissingWal
from app.store.lock import DeskLock
from tests.conftest import LOGIN, PASSWORD, make_intake


def _slot_edits():
    big = "A" * 300
    return {
        "salt not base64": ("salt", "@@@not base64@@@"),
        "salt too short": ("salt", "AAAA"),
        "nonce wrong length": ("nonce", "AAAAAAAA"),                  # 6 bytes, 12 expected
        "wrapped wrong length": ("wrapped", "AAAA"),
        "wrapped huge": ("wrapped", big),
        "absurd memory cost": ("kdf", {"iterations": 3, "lanes": 4, "memory_cost": 2 ** 40}),
        "zero iterations": ("kdf", {"iterations": 0, "lanes": 1, "memory_cost": 8}),
        "lanes as text": ("kdf", {"iterations": 1, "lanes": "4", "memory_cost": 64}),
        "kdf missing": ("kdf", {}),
        "kdf a list": ("kdf", [1, 2]),
        "kind unknown": ("kind", "master"),
        "login a number": ("login", 7),
        "id empty": ("id", ""),
        "salt a number": ("salt", 12345),
    }


@pytest.mark.parametrize("case", list(_slot_edits()))
def test_every_malformed_keys_field_is_named_in_words(desk_path, case):
    field, value = _slot_edits()[case]
    keys = Path(str(desk_path) + ".keys")
    data = json.loads(keys.read_text(encoding="utf-8"))
    for slot in data["slots"]:
        slot[field] = value
    keys.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(MissingKeySlots) as err:
        Desk.open(desk_path, LOGIN, PASSWORD)
    text = str(err.value)
    assert "鍵ファイルが壊れています" in text and "バックアップ" in text, text
    assert "Traceback" not in text


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"[]", b"null", b'"x"',
                                     b'{"format": "tsunagu-keyslots"}',
                                     b'{"format": "tsunagu-keyslots", "db_id": "x", "slots": 5}',
                                     b'{"format": "tsunagu-keyslots", "db_id": "x", '
                                     b'"slots": [{"id": 1}]}',
                                     b'{"format": "tsunagu-keyslots", "db_id": 5, "slots": []}'])
def test_a_keys_file_that_is_not_one_gets_words(desk_path, content):
    Path(str(desk_path) + ".keys").write_bytes(content)
    with pytest.raises(MissingKeySlots) as err:
        Desk.open(desk_path, LOGIN, PASSWORD)
    assert "鍵ファイル" in str(err.value) and "壊れて" in str(err.value)


def test_a_keys_file_of_another_database_is_named_as_such(desk_path, tmp_path):
    other, _rec = Desk.create(tmp_path / "other" / "tsunagu.db", agency_name="別の町",
                              municipality="別の町", population=100, admin_login=LOGIN,
                              admin_name="管理 花子", password=PASSWORD, kdf=KdfParams.fast())
    other.close()
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:   # some pages to tell apart
        for i in range(5):
            d.register_intake(make_intake(name=f"山田 {i}"))
    shutil.copy2(str(tmp_path / "other" / "tsunagu.db") + ".keys", str(desk_path) + ".keys")
    with pytest.raises(KeysOfAnotherDatabase) as err:
        Desk.open(desk_path, LOGIN, PASSWORD)
    text = str(err.value)
    assert "別のデータベースの鍵ファイル" in text and "desk.db.keys" in text
    assert text.index("を戻すか") < text.index("バックアップから復元")  # key file first


def test_a_damaged_database_is_still_called_damaged(desk_path):
    with Desk.open(desk_path, LOGIN, PASSWORD) as d:
        for i in range(5):
            d.register_intake(make_intake(name=f"山田 {i}"))
    data = bytearray(desk_path.read_bytes())
    data[100] ^= 0xFF            # page 1 only
    desk_path.write_bytes(bytes(data))
    with pytest.raises(TsunaguError) as err:
        Desk.open(desk_path, LOGIN, PASSWORD)
    assert not isinstance(err.value, KeysOfAnotherDatabase)
    assert "損傷" in str(err.value) or "壊れて" in str(err.value)


def test_a_missing_wal_after_an_unclean_shutdown_is_reported_once(desk_path):
    d = Desk.open(desk_path, LOGIN, PASSWORD)
    d.register_intake(make_intake(name="保存済み"))
    # the program dies: its lock file stays (it says the database was open), and
    # someone removes the -wal (or copies the database without it)
    lock_file = Path(str(desk_path) + ".lock")
    info = lock_file.read_bytes()
    assert json.loads(info.decode().strip())["db_open"] is True
    d.close()                                    # (a clean close here, then the crash
    lock_file.write_bytes(info)                  #  is simulated by its leftovers)
    Path(str(desk_path) + "-wal").unlink(missing_ok=True)
    with pytest.raises(MissingWal) as err:
        Desk.open(desk_path, LOGIN, PASSWORD)
    text = str(err.value)
    assert "desk.db-wal" in text and "正常に終了しませんでした" in text
    with Desk.open(desk_path, LOGIN, PASSWORD) as again:   # told once; opens next time
        assert again.count_cases() == 1


def test_a_clean_exit_and_a_screen_lock_are_not_unclean(desk_path):
    d = Desk.open(desk_path, LOGIN, PASSWORD)
    lock = d.suspend()
    assert lock is not None
    info = json.loads(Path(str(desk_path) + ".lock").read_bytes().decode().strip())
    assert info["db_open"] is False
    lock.release()
    with Desk.open(desk_path, LOGIN, PASSWORD) as again:
        assert again.count_cases() == 0
    probe = DeskLock(desk_path)
    probe.acquire("x")
    assert not probe.previous_unclean
    probe.release()


def test_a_wrong_password_is_still_a_wrong_password(desk_path):
    with pytest.raises(WrongPassword):
        Desk.open(desk_path, LOGIN, "wrong password")
