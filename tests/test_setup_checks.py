"""The first set-up's checks (はじめの設定, issue 21 point 5): one core check, page by page,
that the set-up wizard asks at 次へ and Desk.create applies whole — pure (no database)."""

from __future__ import annotations

import pytest

from app.desk import Desk
from app.domain.agency import AgencySetup
from app.errors import ValidationErrors
from app.operations.checks import SETUP_PAGES, check_setup, clean_setup
from app.security.keyslots import KdfParams

GOOD = AgencySetup(agency_name=" つなぐ町自立相談支援センター ", municipality="つなぐ町",
                   population=8200, admin_login=" sato ", admin_name="佐藤 花子",
                   password="correct horse 1", min_password_length=8,
                   password_again="correct horse 1")


def fields(setup: AgencySetup, pages=None) -> list[str]:
    return [e.field for e in check_setup(setup, pages)]


def test_each_page_is_judged_on_its_own_fields():
    assert SETUP_PAGES == ("agency", "admin", "password")
    assert check_setup(GOOD) == []
    empty = AgencySetup()
    assert fields(empty, {"agency"}) == ["agency.name", "agency.municipality",
                                         "agency.population"]
    assert fields(empty, {"admin"}) == ["admin.login", "admin.name"]
    assert fields(empty, {"password"}) == ["password"]
    from dataclasses import replace
    differ = replace(GOOD, password_again="correct horse 2")
    assert [(e.field, e.message) for e in check_setup(differ, {"password"})] == [
        ("password.confirm", "2つのパスワードが一致しません。")]
    assert fields(replace(GOOD, min_password_length=3), {"password"}) == ["password.rule"]
    assert fields(replace(GOOD, password_again=None)) == []   # asked once (the CLI)
    clean = clean_setup(GOOD)
    assert clean.agency_name == "つなぐ町自立相談支援センター" and clean.admin_login == "sato"


def test_desk_create_applies_the_same_check(tmp_path):
    with pytest.raises(ValidationErrors) as err:
        Desk.create(tmp_path / "x.db", agency_name="", municipality="", population=0,
                    admin_login="", admin_name="", password="short", kdf=KdfParams.fast())
    assert [e.field for e in err.value.errors] == fields(
        AgencySetup(password="short"))
    assert not (tmp_path / "x.db").exists()
