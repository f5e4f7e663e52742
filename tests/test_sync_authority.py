"""Authority travels only from the desk (issue 13 point 3): a field laptop's user, with
their own password and the program's own Store, journals themselves administrator, a
setting, a device and a check-out of a case they do not hold; the desk applies none of it,
flags it, and still applies the laptop's ordinary case work."""

from __future__ import annotations

from pathlib import Path

from app.desk import Desk
from app.security.keyslots import KdfParams
from app.security.roles import Role
from conftest import LOGIN, PASSWORD, make_intake

PW = "password 1234"


def test_field_laptop_cannot_make_itself_administrator(tmp_path: Path):
    a, _rec = Desk.create(tmp_path / "a" / "tsunagu.db", agency_name="つなぐ町自立相談支援センター",
                          municipality="つなぐ町", population=8200, admin_login=LOGIN,
                          admin_name="管理 花子", password=PASSWORD, kdf=KdfParams.fast(),
                          device_name="窓口PC")
    a.security.add_user("con", "相談 一子", Role.CONSULTANT, PW, kdf=KdfParams.fast())
    own = a.register_intake(make_intake(name="山田 太郎", kana="やまだ たろう"))
    other = a.register_intake(make_intake(name="鈴木 花子", kana="すずき はなこ"))
    a.security.assign_case(own.case.id, "con")
    lap_info = a.sync.add_device("field", "訪問用ノート", tmp_path / "c", cases=[own.case.id])
    desk_id = a.agency.device_id
    a.close()

    lap = Desk.open(tmp_path / "c" / "tsunagu.db", "con", PW)
    assert lap.sync.device_kind() == "field"
    store = lap.store
    con = store.staff_by_login("con")
    with store.transaction() as w:   # the program's own Store, as a hostile user would
        w.update("staff", con.id, {"role": Role.ADMIN.value})
        store.put_setting(w, "security.admin_case_access", "1")
        store.put_setting(w, "password.min_length", "4")
        w.update("device", lap_info.id, {"kind": "desk"})
        # a check-out it grants to another device (its own case: the laptop holds no other)
        w.insert("checkout", {"case_id": own.case.id, "target_device": desk_id,
                              "out_on": "2026-12-01"})
    assert store.staff_by_login("con").role == "admin"   # on the laptop itself, yes
    lap.update_person(own.person.id, address="つなぐ町栄町5-5")   # ordinary case work
    out = tmp_path / "lap.tsb"
    lap.sync.export_bundle(out, for_device=desk_id)
    lap.close()

    a = Desk.open(tmp_path / "a" / "tsunagu.db", LOGIN, PASSWORD)
    try:
        before_settings = (a.security.min_password_length(), a.security.admin_case_access())
        result = a.sync.import_bundle(out)
        assert result.refused >= 5
        assert a.store.staff_by_login("con").role == Role.CONSULTANT.value
        assert (a.security.min_password_length(), a.security.admin_case_access()) == before_settings
        assert {d.id: d.kind for d in a.sync.devices()}[lap_info.id] == "field"
        held = {(c, dev) for c, dev in a.sync.checked_out()}
        assert (own.case.id, desk_id) not in held and (own.case.id, lap_info.id) in held
        assert a.get_case(own.case.id).person.address == "つなぐ町栄町5-5"   # applied
        flags = a.security.audit_search(action="bundle_refused_rows")
        assert len(flags) == 1 and "訪問用ノート" in flags[0].detail
        assert "staff" in flags[0].detail and "setting" in flags[0].detail
        assert "窓口PC" in flags[0].reason
        again = a.sync.import_bundle(out)                     # idempotent, still refused
        assert a.store.staff_by_login("con").role == Role.CONSULTANT.value
        assert again.applied == 0
    finally:
        a.close()
    # the consultant, at the desk, is still a consultant
    d = Desk.open(tmp_path / "a" / "tsunagu.db", "con", PW)
    try:
        assert d.user.role == Role.CONSULTANT.value and not d.security.allowed("manage_users")
    finally:
        d.close()


def test_desk_to_desk_still_carries_accounts(tmp_path: Path):
    a, _rec = Desk.create(tmp_path / "a" / "tsunagu.db", agency_name="つなぐ町自立相談支援センター",
                          municipality="つなぐ町", population=8200, admin_login=LOGIN,
                          admin_name="管理 花子", password=PASSWORD, kdf=KdfParams.fast())
    b_info = a.sync.add_device("desk", "窓口PC2", tmp_path / "b")
    a.security.add_user("con", "相談 一子", Role.CONSULTANT, PW, kdf=KdfParams.fast())
    a.security.change_role("con", Role.CHIEF)
    out = tmp_path / "a.tsb"
    a.sync.export_bundle(out, for_device=b_info.id)
    a.close()
    b = Desk.open(tmp_path / "b" / "tsunagu.db", LOGIN, PASSWORD)
    try:
        result = b.sync.import_bundle(out)
        assert result.refused == 0
        assert b.store.staff_by_login("con").role == Role.CHIEF.value
    finally:
        b.close()
