"""Retention: closed cases past ``retention.years`` are purged for good — not in the file, not
in the WAL, not in a plain export — while the anonymised facts keep past counts unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.errors import NotFound, PermissionDenied, ValidationError
from app.security.roles import Role
from app.store.db import export_copy
from tests.conftest import make_intake

MARKERS = (b"ZQXWVMARK", b"ZQXWVNOTE", "蒸発太郎".encode("utf-8"))
PAGE, RESERVE = 4096, 80   # SQLCipher 4: IV 16 + HMAC-SHA512 64 bytes per page


def _decrypt_page(page: bytes, key: bytes, first: bool) -> bytes:
    iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return d.update(page[16 if first else 0:PAGE - RESERVE]) + d.finalize()


def plaintext_of(db: Path, key: bytes) -> bytes:
    """Every page of the database file and every frame of its WAL, decrypted — including
    free pages and stale frames, where deleted rows would linger."""
    out = []
    data = db.read_bytes()
    for off in range(0, len(data) - PAGE + 1, PAGE):
        out.append(_decrypt_page(data[off:off + PAGE], key, off == 0))
    wal = Path(str(db) + "-wal")
    if wal.exists():
        w = wal.read_bytes()
        off = 32
        while off + 24 + PAGE <= len(w):
            pgno = int.from_bytes(w[off:off + 4], "big")
            out.append(_decrypt_page(w[off + 24:off + 24 + PAGE], key, pgno == 1))
            off += 24 + PAGE
    return b"".join(out)


def _close(desk, case_id: str, on: str) -> None:
    with desk.store.transaction() as w:
        w.update("case_file", case_id, {"closed_on": on, "stage": "closed"})


def test_purge_leaves_no_trace_and_keeps_the_counts(desk, tmp_path):
    old = desk.register_intake(make_intake(
        name="蒸発太郎 ZQXWVMARK", kana="じょうはつ たろう", received=date(2019, 6, 3),
        consultation="ZQXWVNOTE 借金と家族の暴力", consent_on=date(2019, 6, 3))).case.id
    keep = desk.register_intake(make_intake(received=date(2019, 6, 20))).case.id
    desk.register_intake(make_intake(name="別人 花子", received=date(2019, 7, 1)))
    desk.security.set_sensitive(old, True, "DV")
    desk.security.record_consent(old, date(2019, 6, 4), recipients=["ハローワーク"])
    desk.security.record_disclosure(old, "ハローワーク", "職歴", "consent", on=date(2019, 6, 5))
    desk.save_draft(f"record:{old}", {"text": "ZQXWVNOTE draft"})
    _close(desk, old, "2020-03-31")
    _close(desk, keep, date.today().isoformat())        # closed, but not past retention
    counts = desk.security.intake_counts_by_month()
    assert counts["2019-06"] == 2 and counts["2019-07"] == 1
    key = desk.store._raw_key
    plain = plaintext_of(desk.path, key)
    assert all(m in plain for m in MARKERS[:2])          # the decryption sees the rows

    due = desk.security.retention_due()
    assert [i.case_id for i in due] == [old] and due[0].due_on == date(2025, 3, 31)
    with pytest.raises(ValidationError):
        desk.security.purge([old], "")
    with pytest.raises(ValidationError):
        desk.security.purge([keep], "保存期間経過")
    result = desk.security.purge([old], "保存期間（終結後5年）経過")
    assert result.rows["case_file"] == 1 and result.rows["person"] == 1
    assert result.rows["intake"] == 1 and result.rows["disclosure"] == 1

    assert desk.security.intake_counts_by_month() == counts
    with pytest.raises(NotFound):
        desk.get_case(old)
    assert desk.security.retention_due() == []
    assert desk.load_draft(f"record:{old}") is None
    after = plaintext_of(desk.path, key)
    for m in MARKERS:
        assert m not in after, m
    copy = export_copy(desk.store.conn, tmp_path / "plain.db", None)
    raw = copy.read_bytes()
    assert raw.startswith(b"SQLite format 3") and b"\xe5\x88\xa5\xe4\xba\xba" in raw  # 別人 stays
    for m in MARKERS:
        assert m not in raw, m
    [entry] = desk.security.audit_search(action="purge")
    assert entry.reason == "保存期間（終結後5年）経過" and "ZQXWV" not in entry.detail
    assert desk.security.audit_check() is None
    anon = desk.store.conn.execute("SELECT sex, age_band, counts FROM anon_case").fetchall()
    assert anon == [("female", "30-39", anon[0][2])] and '"disclosure": 1' in anon[0][2]


def test_retention_years_setting_and_roles(desk, desk_path):
    case_id = desk.register_intake(make_intake(received=date(2024, 4, 1))).case.id
    _close(desk, case_id, "2024-06-30")
    assert desk.security.retention_years() == 5 and desk.security.retention_due() == []
    desk.security.set_retention_years(1)
    assert [i.case_id for i in desk.security.retention_due()] == [case_id]
    with pytest.raises(ValidationError):
        desk.security.set_retention_years(0)
    desk.security.add_user("chief", "主任", Role.CHIEF, "chief password")
    desk.close()
    from app.desk import Desk
    with Desk.open(desk_path, "chief", "chief password") as chief:
        with pytest.raises(PermissionDenied):
            chief.security.retention_due()
        with pytest.raises(PermissionDenied):
            chief.security.purge([case_id], "理由")
        with pytest.raises(PermissionDenied):
            chief.security.set_retention_years(3)
