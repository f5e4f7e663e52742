"""Shared fixtures: a template desk built once per session and copied for each test."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from app.desk import Desk
from app.domain import IntakeInput, PersonInput, Route, Sex, Triage
from app.security.keyslots import KdfParams

PASSWORD = "correct horse 1"
LOGIN = "admin"

# Tests write only under temporary folders: no .hypothesis/ in the checkout. No example
# database (a fresh run explores anew; a failing example is printed with the failure), and
# Hypothesis's caches (it reads them while collecting) in a new temporary folder of this run.
# Made in pytest_configure, not at import: helper processes that import this module
# (tests/crash_child.py, killed with SIGKILL) would each leave a folder behind.
settings.register_profile("tsunagu", database=None)
settings.load_profile("tsunagu")


def pytest_configure(config) -> None:
    home = tempfile.mkdtemp(prefix="tsunagu-hypothesis-")
    set_hypothesis_home_dir(home)
    atexit.register(shutil.rmtree, home, True)


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    path = folder / "desk.db"
    desk, recovery = Desk.create(
        path, agency_name="つなぐ町自立相談支援センター", municipality="つなぐ町",
        population=8200, admin_login=LOGIN, admin_name="管理 花子", password=PASSWORD,
        kdf=KdfParams.fast())
    desk.close()
    (folder / "recovery.txt").write_text(recovery, encoding="utf-8")
    return path


@pytest.fixture
def shots(request, tmp_path) -> Path:
    """The folder a test saves its screenshots into, for a developer to look at.

    By default under the test's own tmp_path (kept by pytest for the last few runs); with the
    environment variable TSUNAGU_TEST_SHOTS set, a folder per test under that folder instead.
    Tests never write to a fixed path."""
    base = os.environ.get("TSUNAGU_TEST_SHOTS")
    if base:
        folder = Path(base) / re.sub(r"[^\w.-]+", "_", request.node.name)[:120]
    else:
        folder = tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def copy_desk(template: Path, target_dir: Path) -> Path:
    target = target_dir / template.name
    for suffix in ("", ".keys"):
        shutil.copy2(str(template) + suffix, str(target) + suffix)
    return target


@pytest.fixture
def desk_path(desk_template, tmp_path) -> Path:
    return copy_desk(desk_template, tmp_path)


@pytest.fixture
def recovery_key(desk_template) -> str:
    return (desk_template.parent / "recovery.txt").read_text(encoding="utf-8")


@pytest.fixture
def desk(desk_path):
    d = Desk.open(desk_path, LOGIN, PASSWORD)
    yield d
    background = sys.modules.get("ui.background")   # GUI tests: writes still queued first
    if background is not None:
        background.wait_idle()
    d.close()


def make_intake(name="髙橋 𠮷子", kana="たかはし よしこ", birth=date(1980, 5, 6),
                received=date(2026, 4, 1), triage=Triage.CONTINUE, **kw) -> IntakeInput:
    data = IntakeInput(
        person=PersonInput(name=name, kana=kana, birth_date=birth, sex=Sex.FEMALE,
                           postal_code="123-4567", address="つなぐ町本町1-2-3 山﨑荘101",
                           phone_mobile="090-1234-5678"),
        received_on=received, received_by="管理 花子", route=Route.SELF,
        topics=["debt", "housing"], main_topic="debt", consultation="家賃を滞納している。",
        triage=triage, consent=True, consent_on=received)
    if triage is Triage.REFER:
        data.referral_to = "法テラス"
        data.check_on = received
    for k, v in kw.items():
        setattr(data, k, v)
    return data
