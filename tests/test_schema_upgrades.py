"""Storage upgrades from every released schema (issue 21, point 6).

tests/fixtures/schemas/ holds one database per schema of the migration ladder, made by
tests/fixtures/make_schema_fixtures.py (run it when a migration is added). Each is
encrypted with its raw test key, opened with today's program — which upgrades it — and
checked: every row survives, the derived data is right (stages, search keys, the services
kept at approval), search finds the rare-kanji and half-width names, the audit chain
holds, what the first open adds to an old desk is there, and a process step works.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from app.domain.assessment import AssessmentInput
from app.domain.meeting import MeetingResult, Participant
from app.desk import Desk
from app.domain import Stage
from app.store import audit, db, derived_repo
from app.sync.devices import load_secrets
from app import derived, text_ja

SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
SCRIPT = Path(__file__).parent / "fixtures" / "make_schema_fixtures.py"


def _made() -> list[int]:
    found = (re.fullmatch(r"schema(\d+)\.db", p.name) for p in SCHEMAS.glob("schema*.db"))
    return sorted(int(m.group(1)) for m in found if m)


def _script():
    spec = importlib.util.spec_from_file_location("make_schema_fixtures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_fixture_for_every_schema_of_the_ladder():
    missing = [v for v in range(1, db.latest_version() + 1) if v not in _made()]
    assert not missing, (f"no fixture for schema {missing}: run "
                         f"python tests/fixtures/make_schema_fixtures.py and commit "
                         f"tests/fixtures/schemas/")


def _encrypted_copy(folder: Path, version: int, tmp_path: Path) -> tuple[Path, dict]:
    """The plain fixture encrypted with its raw test key, beside its key-slot file."""
    meta = json.loads((folder / f"schema{version}.json").read_text(encoding="utf-8"))
    plain = tmp_path / "plain.db"
    shutil.copy(folder / f"schema{version}.db", plain)
    target = tmp_path / "desk.db"
    conn = db.connect(plain, None)
    try:
        assert db.user_version(conn) == version
        db.export_copy(conn, target, bytes.fromhex(meta["raw_key"]))
    finally:
        conn.close()
    shutil.copy(folder / f"schema{version}.db.keys", tmp_path / "desk.db.keys")
    return target, meta


def _check_upgrade(path: Path, meta: dict) -> None:
    version = meta["schema"]
    with Desk.open(path, meta["login"], meta["password"]) as desk:
        desk._today = lambda: date(2026, 12, 3)
        conn = desk.store.conn
        assert db.user_version(conn) == db.latest_version()
        # every row survives
        for table, ids in meta["ids"].items():
            held = {r[0] for r in conn.execute(f"SELECT id FROM {table}")}
            assert set(ids) <= held, (table, sorted(set(ids) - held))
        assert audit.verify(conn) is None
        # the names, rare kanji and half-width kana intact, and found by search
        cases = desk.list_cases()
        assert sorted(c.name for c in cases) == meta["names"]
        for query, name in (("𠮷田", "𠮷田 髙子"), ("よしだ", "𠮷田 髙子"), ("高橋", "髙橋 一郎"),
                            ("山崎", "山﨑 邉"), ("たなか", "ﾀﾅｶ ﾀﾛｳ"), ("ﾀﾅｶ", "ﾀﾅｶ ﾀﾛｳ"),
                            ("わたなべ みさき", "渡邉 美咲")):
            assert name in [c.name for c in desk.list_cases(query)], query
        for pid, name, kana, nf, kf, key in conn.execute(
                "SELECT id, name, kana, name_fold, kana_fold, search_key FROM person"):
            assert (nf, kf) == (text_ja.fold_for_search(name), text_ja.fold_for_search(kana))
            assert key == f"{nf}\u3000{kf}"
        # derived data: each case's stage as its records give it
        by_no = {c.case_no: c for c in cases}
        for case_no, stage in meta["stages"].items():
            case_id = by_no[case_no].id
            assert by_no[case_no].stage.value == stage, case_no
            # (support_from / support_until of schema 20 too: the upgrade wrote them)
            row = conn.execute(f"SELECT {', '.join(derived.CASE_COLUMNS)} FROM case_file"
                               " WHERE id = ?", (case_id,)).fetchone()
            assert dict(zip(derived.CASE_COLUMNS, row)) == \
                derived_repo.case_fields(conn, case_id), case_no
        # what the first open adds to an old desk: master data, the referral and emergency
        # rows of old intakes (schema 1), this installation's keys (before schema 10)
        assert conn.execute("SELECT count(*) FROM service").fetchone()[0] > 0
        assert load_secrets(conn) is not None
        me = conn.execute("SELECT sign_key FROM device WHERE id = ?",
                          (desk.store.device_id,)).fetchone()
        assert me is not None and me[0]
        referred = by_no["2026-0003"].id
        assert [r.referred_to for r in desk.process.referrals(referred)] == ["法テラス"]
        actions = sorted(e.action.value for e in desk.process.emergency_support(by_no["2026-0001"].id))
        assert actions == ["food", "housing_benefit"]
        if version >= 2:   # schema 7 kept the services of approved plans as approved
            kept = conn.execute(
                "SELECT count(*) FROM plan_item i JOIN plan p ON p.id = i.plan_id WHERE"
                " p.approved_on IS NOT NULL AND i.service_at_approval IS NULL").fetchone()[0]
            assert kept == 0
            assert desk.process.current_plan(by_no["2026-0001"].id) is not None
        # a process step on the upgraded desk
        if version >= 2:
            waiting = by_no["2026-0002"].id
            meeting = next(m for m in desk.process.meetings(None)[0] if not m.held)
            items = desk.process.pending_agenda(meeting.id)
            assert [i.case_id for i in items] == [waiting]
            desk.process.record_meeting_results(meeting.id, {i.id: (MeetingResult.APPROVED, "")
                                                     for i in items}, "了承",
                                        participants=[Participant("町 一郎", "つなぐ町福祉課")])
            assert desk.get_case(waiting).case.stage is Stage.SUPPORT
        else:
            waiting = by_no["2026-0002"].id
            desk.process.save_assessment(waiting, AssessmentInput(
                assessed_on=date(2026, 4, 8), analysis="離職後の孤立", problems=["job_search"]))
            assert desk.get_case(waiting).case.stage is Stage.ASSESSMENT
        assert derived_repo.case_fields(conn, waiting)["stage"] == \
            desk.get_case(waiting).case.stage.value
    # and it opens again (nothing left half-done by the first open)
    with Desk.open(path, meta["login"], meta["password"]) as desk:
        assert len(desk.list_cases()) == len(meta["names"])


@pytest.mark.parametrize("version", _made())
def test_upgrade_from_released_schema(version, tmp_path):
    path, meta = _encrypted_copy(SCHEMAS, version, tmp_path)
    _check_upgrade(path, meta)


def test_the_script_builds_the_newest_schema(tmp_path):
    """The generator keeps up with the ladder: a desk at the newest schema, made by the
    script, passes the same checks."""
    latest = db.latest_version()
    _script().build(latest, tmp_path / "made")
    path, meta = _encrypted_copy(tmp_path / "made", latest, tmp_path)
    assert meta["schema"] == latest
    _check_upgrade(path, meta)


def test_data_steps_run_once_with_the_upgrade_not_at_every_open(tmp_path, monkeypatch):
    """The steps that need Python (app/upgrades.py) belong to the ladder: an upgrade from
    schema 1 runs each once; later opens run none."""
    from app import upgrades
    calls: list[int] = []
    steps = {v: (lambda fn, v: lambda store, w: (calls.append(v), fn(store, w)))(fn, v)
             for v, fn in upgrades.DATA_STEPS.items()}
    monkeypatch.setattr("app.desk.DATA_STEPS", steps)
    path, meta = _encrypted_copy(SCHEMAS, 1, tmp_path)
    with Desk.open(path, meta["login"], meta["password"]):
        pass
    assert calls == sorted(upgrades.DATA_STEPS)
    with Desk.open(path, meta["login"], meta["password"]) as desk:
        assert load_secrets(desk.store.conn) is not None
    assert calls == sorted(upgrades.DATA_STEPS)


def test_an_upgrade_cut_off_before_its_last_step_runs_the_data_steps_later(
        tmp_path, monkeypatch):
    """A data step that fails leaves the last schema step undone (and the version the
    upgrade started from kept): the next open finishes the upgrade with every data step of
    the versions crossed before."""
    from app import upgrades
    path, meta = _encrypted_copy(SCHEMAS, 1, tmp_path)

    def broken(store, w):
        raise RuntimeError("power cut")
    monkeypatch.setattr("app.desk.DATA_STEPS", {**upgrades.DATA_STEPS,
                                                db.latest_version(): broken})
    with pytest.raises(RuntimeError):
        Desk.open(path, meta["login"], meta["password"])
    conn = db.connect(path, bytes.fromhex(meta["raw_key"]))
    try:
        assert db.user_version(conn) == db.latest_version() - 1
        assert conn.execute("SELECT value FROM local WHERE key = ?",
                            (db.UPGRADE_FROM,)).fetchone() == ("1",)
    finally:
        conn.close()
    monkeypatch.setattr("app.desk.DATA_STEPS", upgrades.DATA_STEPS)
    with Desk.open(path, meta["login"], meta["password"]) as desk:
        conn = desk.store.conn
        assert db.user_version(conn) == db.latest_version()
        assert load_secrets(conn) is not None     # the schema-10 step
        assert conn.execute("SELECT count(*) FROM referral").fetchone()[0] == 1   # schema 2
        assert conn.execute("SELECT 1 FROM local WHERE key = ?",
                            (db.UPGRADE_FROM,)).fetchone() is None


def test_an_upgrade_without_room_for_the_copy_refuses_before_writing(tmp_path, monkeypatch):
    """The copy kept from before an upgrade needs as much room as the data: when the drive
    has not got it, opening refuses in Japanese, names the folder and the sizes, and leaves
    the database as it was (same schema, no copy, no half-written file)."""
    import shutil
    from collections import namedtuple
    from app import i18n
    i18n.set_language("ja")
    version = max(_made())
    if version == db.latest_version():   # the newest fixture needs no upgrade: take the one before
        version = sorted(_made())[-2]
    path, meta = _encrypted_copy(SCHEMAS, version, tmp_path)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage(10**9, 10**9 - 4096, 4096))
    with pytest.raises(db.DiskFull) as refused:
        Desk.open(path, meta["login"], meta["password"])
    message = str(refused.value)
    assert str(path.parent) in message and "空き" in message and "何も変更していません" in message
    assert sorted(p.name for p in path.parent.iterdir() if "before-v" in p.name) == []
    conn = db.connect(path, bytes.fromhex(meta["raw_key"]))
    try:
        assert db.user_version(conn) == version
    finally:
        conn.close()
    monkeypatch.undo()
    with Desk.open(path, meta["login"], meta["password"]) as desk:   # with room, it upgrades
        assert db.user_version(desk.store.conn) == db.latest_version()
    assert [p for p in path.parent.iterdir() if "before-v" in p.name and p.suffix == ".db"]
