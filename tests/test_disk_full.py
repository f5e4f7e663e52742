"""Disk full on the live database (issue 8 point 3): a real, tiny tmpfs holds the desk and is
filled while intakes, 支援経過記録, a batch and a ledger import are written through the Desk.

What it proves: the write that no longer fits fails with a TsunaguError in Japanese (not
SQLite's "database or disk is full"), leaves no row, journal or audit entry behind, the desk
still closes, opening it on the full disk says the same thing in words, and after space is
freed every acknowledged write is there, byte for byte, with integrity and the audit chain
intact. (Backups to a full drive are tested in test_maintenance.py.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from app.desk import Desk
from app.errors import StoreError, TsunaguError
from tests.conftest import LOGIN, PASSWORD, copy_desk, make_intake
from tests.test_ledger import row, write_csv

TODAY = date(2026, 11, 20)
FULL_TEXT = "ディスクの空き容量が足りないため保存できませんでした"
TABLES = ("person", "case_file", "intake", "support_record", "journal", "audit")


def _mount_tmpfs(where: Path, size: str) -> str | None:
    """Mount a tmpfs of ``size`` at ``where``; the reason when it cannot be done."""
    if sys.platform != "linux":
        return "tmpfs needs Linux"
    if shutil.which("mount") is None:
        return "no mount command"
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}"
    return None


@pytest.fixture
def tiny_disk(tmp_path):
    mnt = tmp_path / "tiny"
    reason = _mount_tmpfs(mnt, "3m")
    if reason:
        pytest.skip(reason)
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def _fill(path: Path, leave: int) -> Path:
    filler = path / "filler.bin"
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(0, _free(path) - leave))
    return filler


def _counts(desk: Desk) -> dict[str, int]:
    conn = desk.store.conn
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _assert_clean_failure(desk: Desk, err: TsunaguError, before: dict[str, int]) -> None:
    assert isinstance(err, StoreError), type(err)
    assert FULL_TEXT in str(err), str(err)
    assert "disk is full" not in str(err)
    assert not desk.store.conn.in_transaction
    assert _counts(desk) == before, "the failed write left rows behind"


def test_writes_until_the_disk_is_full_then_everything_acknowledged_survives(
        desk_template, tiny_disk):
    path = copy_desk(desk_template, tiny_disk)
    desk = Desk.open(path, LOGIN, PASSWORD)
    desk._today = lambda: TODAY
    filler = _fill(tiny_disk, 1_200_000)
    cases: dict[str, str] = {}          # case_no → name, acknowledged
    records: dict[str, str] = {}        # record id → content, acknowledged
    last_case = None
    failure = None
    for i in range(5000):
        before = _counts(desk)
        try:
            if i % 3 == 2 and last_case is not None:
                content = f"記録{i}：" + "電話で状況を確認した。𠮷野家の前で待ち合わせ。" * 40
                rec = desk.process.add_record(last_case, datetime(2026, 5, 1, 10, 0), "phone", content)
                records[rec.id] = content
            else:
                name = f"満杯 {i}"
                detail = desk.register_intake(make_intake(
                    name=name, consultation="家賃を滞納している。" * (50 + i % 200)))
                cases[detail.case.case_no] = name
                last_case = detail.case.id
        except TsunaguError as err:
            _assert_clean_failure(desk, err, before)
            failure = err
            break
    assert failure is not None, "the 3 MB disk never filled up"
    assert len(cases) >= 3 and records, (len(cases), len(records))
    print(f"disk full after {len(cases)} intakes and {len(records)} records: {failure}")

    # still full: every kind of write fails whole, again and again, with the same words
    before = _counts(desk)
    for attempt in range(2):
        with pytest.raises(TsunaguError) as e:
            desk.register_intake(make_intake(name=f"まだ満杯 {attempt}",
                                             consultation="長い相談。" * 900))
        _assert_clean_failure(desk, e.value, before)
    with pytest.raises(TsunaguError) as e:
        with desk.batch():
            for k in range(30):
                desk.register_intake(make_intake(name=f"一括 {k}", consultation="一括。" * 400))
    _assert_clean_failure(desk, e.value, before)
    ledger = write_csv(tiny_disk.parent / "ledger.csv", [
        row(受付番号=f"DF-{k:03d}", 受付日="2026/4/1", 氏名=f"台帳 {k}", 相談経路="本人等",
            振り分け="継続支援", 備考="台帳の備考。" * 300) for k in range(40)])
    try:
        report = desk.ledger.import_ledger(ledger)
    except TsunaguError as err:
        _assert_clean_failure(desk, err, before)
    else:  # only if it fitted after all: then all of it is there
        assert report.ok and len(report.imported) == 40

    desk.close()  # the final checkpoint cannot grow the file: the WAL keeps everything
    try:  # on the still-full disk: opens (login audited in freed pages) or says why not
        Desk.open(path, LOGIN, PASSWORD).close()
    except TsunaguError as err:
        assert FULL_TEXT in str(err), str(err)

    filler.unlink()  # space freed
    with Desk.open(path, LOGIN, PASSWORD) as again:
        again._today = lambda: TODAY
        again.maintenance.check_integrity()
        assert again.security.audit_verify() is None
        present = {c.case_no: c.name for c in again.list_cases(limit=1_000_000)}
        for case_no, name in cases.items():
            assert present.get(case_no) == name, case_no
        assert not any(n.startswith(("まだ満杯", "一括")) for n in present.values())
        kept = {}
        for case_no in cases:
            for r in again.process.support_records(again.case_id(case_no), True):
                kept[r.id] = r.content
        assert {k: kept.get(k) for k in records} == records
        # the desk works normally again
        new = again.register_intake(make_intake(name="空きができた"))
        assert again.get_case(new.case.id).person.name == "空きができた"
