"""The 同期 screen: transfer files written on one desk and imported on another (result in
words), a tampered file refused with nothing changed, conflicts listed with both values and
resolved, the sync folder (written, imported, remembered, at start-up), devices (add,
持ち出し/返却, 失効 with a confirmation naming the device), roles. Dialogs are injected."""

from __future__ import annotations


import pytest

from app.desk import Desk
from app.security.keyslots import KdfParams
from tests.conftest import make_intake
from tests.sync_helpers import build_devices, copy_tree, dump, open_dev
from ui import background
from ui.views.sync import SyncView


class FakeDialogs:
    """Answers the screen's dialogs without showing any; records what was asked."""

    def __init__(self, **answers):
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    def save_file(self, parent, title, suggested):
        self.asked.append(("save_file", suggested))
        return self.answers.get("save_file")

    def open_file(self, parent, title):
        self.asked.append(("open_file", title))
        return self.answers.get("open_file")

    def choose_folder(self, parent, title, start=""):
        self.asked.append(("choose_folder", title))
        return self.answers.get("choose_folder")

    def confirm(self, parent, title, text):
        self.asked.append(("confirm", text))
        return self.answers.get("confirm", False)

    def case_numbers(self, parent, title, label, prefill=""):
        self.asked.append(("case_numbers", prefill))
        return self.answers.get("case_numbers")

    def new_device(self, parent):
        self.asked.append(("new_device", ""))
        return self.answers.get("new_device")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("sync_ui")
    return root, build_devices(root)


@pytest.fixture
def devs(template, tmp_path):
    root, ids = template
    copy_tree(root, tmp_path / "d")
    opened = {k: open_dev(tmp_path / "d", k) for k in "abc"}
    yield ids, opened
    background.wait_idle()
    for d in opened.values():
        if not d.closed:
            d.close()


def idle(qtbot) -> None:
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)


def view_for(qtbot, desk, dialogs=None, **kw) -> SyncView:
    view = SyncView(desk, dialogs=dialogs or FakeDialogs(), **kw)
    qtbot.addWidget(view)
    view.resize(1280, 760)
    idle(qtbot)
    return view


def test_export_on_one_desk_and_import_on_another(qtbot, devs, tmp_path):
    ids, d = devs
    a, b = d["a"], d["b"]
    new = a.register_intake(make_intake(name="新井 次郎", kana="あらい じろう"))
    path = tmp_path / "for-b.tsb"
    view_a = view_for(qtbot, a, FakeDialogs(save_file=str(path)))
    view_a.export_device.setCurrentIndex(view_a.export_device.findData(ids["b"]))
    view_a.export_button.click()
    idle(qtbot)
    assert path.exists()
    assert "for-b.tsb" in view_a.export_status.text() and view_a.export_status.isVisibleTo(view_a)

    view_b = view_for(qtbot, b, FakeDialogs(open_file=str(path)))
    view_b.import_button.click()
    idle(qtbot)
    text = view_b.import_status.text()
    assert text.startswith("for-b.tsb：適用 ") and "既読 0件" in text and "競合 0件" in text
    assert b.case_id(new.case.case_no) == new.case.id
    # the same file again changes nothing, and the screen says so
    view_b.import_button.click()
    idle(qtbot)
    assert "適用 0件" in view_b.import_status.text()
    # the device list now shows when b last imported from a
    row = [i for i, x in enumerate(view_b.devices) if x.id == ids["a"]][0]
    assert view_b.device_table.item(row, 3).text().startswith("令和")


def test_export_of_chosen_cases(qtbot, devs, tmp_path):
    ids, d = devs
    path = tmp_path / "cases.tsb"
    view = view_for(qtbot, d["a"], FakeDialogs(save_file=str(path)))
    view.export_cases.setChecked(True)
    view.export_case_numbers.setText("2026-0002、2026-0003")
    view.export_button.click()
    idle(qtbot)
    header = d["a"].sync.read_bundle_header(path)
    assert header["scope"] == "cases" and sorted(header["cases"]) == sorted(ids["cases"][1:3])
    # an unknown number is refused by the core, shown in words
    view.export_case_numbers.setText("2026-9999")
    view.export_button.click()
    idle(qtbot)
    assert view.export_status.isVisibleTo(view) and "2026-9999" in view.export_status.text()


def test_tampered_file_is_refused_and_nothing_changes(qtbot, devs, tmp_path):
    ids, d = devs
    a, b = d["a"], d["b"]
    a.update_person(ids["persons"][1], address="改ざん前1-1")
    path = tmp_path / "x.tsb"
    a.sync.export_bundle(path, for_device=ids["b"])
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    path.write_bytes(bytes(data))
    before = dump(b)
    view = view_for(qtbot, b, FakeDialogs(open_file=str(path)))
    view.import_button.click()
    idle(qtbot)
    text = view.import_status.text()
    assert "x.tsb" in text and "改変" in text and "何も取り込んでいません" in text
    assert "b00020" in view.import_status.styleSheet()  # shown as a refusal
    assert dump(b) == before
    # a file from another program is refused in its own words
    other = tmp_path / "notes.tsb"
    other.write_bytes(b"hello")
    view.dialogs.answers["open_file"] = str(other)
    view.import_button.click()
    idle(qtbot)
    assert "notes.tsb" in view.import_status.text() and "転送ファイルではありません" in \
        view.import_status.text()
    assert dump(b) == before


def test_conflict_listed_with_both_values_and_resolved(qtbot, devs, tmp_path):
    ids, d = devs
    a, b = d["a"], d["b"]
    pid, pid2 = ids["persons"][1], ids["persons"][2]
    a.update_person(pid, address="A町1-1")
    b.update_person(pid, address="B町2-2")
    a.update_person(pid2, phone_home="011-111-1111")
    b.update_person(pid2, phone_home="022-222-2222")
    a.sync.export_bundle(tmp_path / "1.tsb", for_device=ids["b"])
    b.sync.import_bundle(tmp_path / "1.tsb")
    b.sync.export_bundle(tmp_path / "2.tsb", for_device=ids["a"])
    a.sync.import_bundle(tmp_path / "2.tsb")
    view = view_for(qtbot, a)
    assert view.tabs.tabText(1) == "競合（2）"
    cards = view.conflicts.cards
    assert len(cards) == 2
    card = view.conflicts.card_for(lambda c: c.field == "address")
    title = card.findChildren(type(card.applied))[0].text()
    case_no = a.store.case(ids["cases"][1]).case_no
    assert case_no in title and "住所" in title
    shown = {card.value_labels["winner"].text(), card.value_labels["loser"].text()}
    assert shown == {"A町1-1", "B町2-2"}
    texts = " ".join(w.text() for w in card.findChildren(type(card.applied)))
    assert "窓口PC2" in texts and "管理 花子" in texts and "令和" in texts
    loser = card.conflict.loser_value
    card.choose("loser")
    card.ok.click()
    idle(qtbot)
    assert a.store.person(pid).address == loser
    # the other one: a value typed in, checked as a normal edit of the phone number
    card = view.conflicts.card_for(lambda c: c.field == "phone_home")
    assert card is not None and len(view.conflicts.cards) == 1
    assert card.buttons["value"].isEnabled()
    applied = a.store.person(pid2).phone_home
    card.choose("value", "でんわ")
    card.ok.click()
    idle(qtbot)
    assert card.error.isVisibleTo(card) and "電話" in card.error.text()
    assert a.store.person(pid2).phone_home == applied and len(a.sync.conflicts()) == 1
    card.choose("value", "０３３－３３３－３３３３")   # full width, normalised as in the intake
    card.ok.click()
    idle(qtbot)
    assert a.sync.conflicts() == []
    assert a.store.person(pid2).phone_home == "033-333-3333"
    assert view.conflicts.cards == [] and view.tabs.tabText(1) == "競合"


def test_deleted_on_one_desk_and_changed_on_the_other(qtbot, devs, tmp_path):
    """An unused 紹介元 deleted on a and renamed on b: the edit is kept and flagged; the
    screen offers keep / delete, and both settle it everywhere."""
    from app.operations.master import MasterInput
    ids, d = devs
    a, b = d["a"], d["b"]
    unused = [e for e in a.master.master_entries("referral_source") if e.deletable][:2]
    for e in unused:
        a.master.delete_master_entry("referral_source", e.id)
        b.master.edit_master_entry("referral_source", e.id,
                            MasterInput(name=e.name + "（改称）", route=e.route))
    b.sync.export_bundle(tmp_path / "b.tsb", for_device=ids["a"])
    a.sync.import_bundle(tmp_path / "b.tsb")
    view = view_for(qtbot, a)
    assert view.tabs.tabText(1) == "競合（2）"
    cards = {card.conflict.row_id: card for card in view.conflicts.cards}
    keep, drop = cards[unused[0].id], cards[unused[1].id]
    texts = " ".join(w.text() for w in keep.findChildren(type(keep.value_labels["winner"])))
    assert "マスターデータ" in texts and "紹介元" in texts and "削除" in texts
    assert keep.value_labels["loser"].text() == "（削除）"
    assert "窓口PC2" in texts and "管理 花子" in texts
    assert set(keep.buttons) == {"keep", "delete"}
    keep.choose("keep")
    keep.ok.click()
    idle(qtbot)
    drop = view.conflicts.card_for(lambda c: c.row_id == unused[1].id)
    drop.choose("delete")
    drop.ok.click()
    idle(qtbot)
    assert view.conflicts.cards == [] and a.sync.conflicts() == []
    names = {e.id: e.name for e in a.master.master_entries("referral_source")}
    assert names.get(unused[0].id) == unused[0].name + "（改称）" and unused[1].id not in names
    # b receives the decisions: nothing left open there either
    a.sync.export_bundle(tmp_path / "a.tsb", for_device=ids["b"])
    b.sync.import_bundle(tmp_path / "a.tsb")
    assert b.sync.conflicts() == [] and dump(a) == dump(b)


def test_resolve_without_a_choice_asks_for_one(qtbot, devs, tmp_path):
    ids, d = devs
    a, b = d["a"], d["b"]
    a.update_person(ids["persons"][1], address="A町1-1")
    b.update_person(ids["persons"][1], address="B町2-2")
    b.sync.export_bundle(tmp_path / "2.tsb", for_device=ids["a"])
    a.sync.import_bundle(tmp_path / "2.tsb")
    view = view_for(qtbot, a)
    card = view.conflicts.cards[0]
    card.ok.click()
    assert card.error.isVisibleTo(card) and not background.busy()
    assert len(a.sync.conflicts()) == 1


def test_sync_folder_writes_imports_and_remembers(qtbot, devs, tmp_path):
    ids, d = devs
    a, b = d["a"], d["b"]
    folder = tmp_path / "shared"
    folder.mkdir()
    new = a.register_intake(make_intake(name="北村 三郎", kana="きたむら さぶろう"))
    view_a = view_for(qtbot, a, FakeDialogs(choose_folder=str(folder)))
    view_a.folder_choose.click()
    idle(qtbot)
    assert a.sync_folder.sync_folder() == str(folder.resolve())
    assert view_a.folder_path.text() == str(folder.resolve())
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"tsunagu-to-{ids['b']}-from-{ids['a']}.tsb",
                            f"tsunagu-to-{ids['c']}-from-{ids['a']}.tsb"])
    assert "窓口PC2" in view_a.folder_status.text()

    b.sync_folder.set_sync_folder(folder)
    view_b = view_for(qtbot, b)  # opening the screen syncs
    assert "窓口PC から取り込み：適用 " in view_b.folder_status.text()
    assert b.case_id(new.case.case_no) == new.case.id
    assert (folder / f"tsunagu-to-{ids['a']}-from-{ids['b']}.tsb").exists()
    # 今すぐ同期 again: the file already imported is not read again
    view_b.sync_button.click()
    idle(qtbot)
    assert "新しく取り込むファイルはありません" in view_b.folder_status.text()
    # a's side picks up b's file
    view_a.sync_button.click()
    idle(qtbot)
    assert "窓口PC2 から取り込み" in view_a.folder_status.text()


def test_sync_folder_must_exist(qtbot, devs, tmp_path):
    _ids, d = devs
    view = view_for(qtbot, d["a"], FakeDialogs(choose_folder=str(tmp_path / "missing")))
    view.folder_choose.click()
    idle(qtbot)
    assert "missing" in view.folder_error.text() and view.folder_error.isVisibleTo(view)
    assert d["a"].sync_folder.sync_folder() is None


def test_main_window_syncs_the_folder_at_start(qtbot, devs, tmp_path):
    ids, d = devs
    a, b = d["a"], d["b"]
    folder = tmp_path / "shared"
    folder.mkdir()
    a.sync_folder.set_sync_folder(folder)
    b.sync_folder.set_sync_folder(folder)
    new = a.register_intake(make_intake(name="北村 三郎", kana="きたむら さぶろう"))
    a.sync_folder.sync_with_folder()
    from ui.main_window import MainWindow
    window = MainWindow(b, close_desk_on_exit=False,
                        auto_backup_options={"check_every_ms": 0})
    qtbot.addWidget(window)
    idle(qtbot)
    assert "同期フォルダ" in window.statusBar().currentMessage()
    assert b.case_id(new.case.case_no) == new.case.id
    view = window.open_area("sync")
    assert isinstance(view, SyncView)
    idle(qtbot)


def test_revoke_asks_naming_the_device(qtbot, devs):
    ids, d = devs
    a = d["a"]
    dialogs = FakeDialogs(confirm=False)
    view = view_for(qtbot, a, dialogs)
    view.tabs.setCurrentIndex(2)
    view.select_device(ids["c"])
    assert view.revoke_button.isEnabled()
    view.revoke_button.click()
    idle(qtbot)
    assert dialogs.asked[-1][0] == "confirm" and "訪問用ノート" in dialogs.asked[-1][1]
    assert not [x for x in a.sync.devices() if x.id == ids["c"]][0].revoked
    dialogs.answers["confirm"] = True
    view.revoke_button.click()
    idle(qtbot)
    assert [x for x in a.sync.devices() if x.id == ids["c"]][0].revoked
    assert a.sync.checked_out(ids["c"]) == []
    row = [i for i, x in enumerate(view.devices) if x.id == ids["c"]][0]
    assert view.device_table.item(row, 6).text() == "失効"
    assert "失効" in view.device_status.text()
    # this PC cannot be revoked, nor the revoked one again
    view.select_device(ids["a"])
    assert not view.revoke_button.isEnabled()


def test_add_device_check_out_and_return(qtbot, devs, tmp_path):
    ids, d = devs
    a = d["a"]
    case_no = a.store.case(ids["cases"][2]).case_no
    out = tmp_path / "new-laptop"
    dialogs = FakeDialogs(new_device={"kind": "field", "name": "訪問用ノート2",
                                      "out_dir": str(out), "password": None,
                                      "cases": [case_no]})
    view = view_for(qtbot, a, dialogs)
    view.add_button.click()
    idle(qtbot)
    assert (out / "tsunagu.db").exists(), view.device_status.text()
    laptop = [x for x in a.sync.devices() if x.name == "訪問用ノート2"][0]
    assert laptop.cases == 1 and "訪問用ノート2" in view.device_status.text()
    row = [i for i, x in enumerate(view.devices) if x.id == laptop.id][0]
    assert view.device_table.item(row, 5).text() == case_no
    # 持ち出し of one more case, then 返却 of both
    other = a.store.case(ids["cases"][3]).case_no
    view.select_device(laptop.id)
    dialogs.answers["case_numbers"] = [other]
    view.check_out_button.click()
    idle(qtbot)
    assert len(a.sync.checked_out(laptop.id)) == 2
    view.select_device(laptop.id)
    dialogs.answers["case_numbers"] = [case_no, other]
    view.check_in_button.click()
    idle(qtbot)
    assert dialogs.asked[-1] == ("case_numbers", f"{case_no} {other}")
    assert a.sync.checked_out(laptop.id) == []
    # a core refusal is shown: the case is checked out to the other laptop
    view.select_device(laptop.id)
    dialogs.answers["case_numbers"] = [a.store.case(ids["cases"][0]).case_no]
    view.check_out_button.click()
    idle(qtbot)
    assert "訪問用ノート" in view.device_status.text()
    assert "b00020" in view.device_status.styleSheet()


def test_other_roles_see_admin_actions_disabled_with_the_reason(qtbot, devs, tmp_path):
    ids, d = devs
    a = d["a"]
    a.security.add_user("sato", "佐藤 相談員", "consultant", "another horse 2", kdf=KdfParams.fast())
    path = a.store.path
    a.close()
    worker = Desk.open(path, "sato", "another horse 2")
    try:
        view = view_for(qtbot, worker)
        view.select_device(ids["c"])
        assert not view.add_button.isEnabled() and not view.revoke_button.isEnabled()
        assert not view.folder_choose.isEnabled()
        assert "相談支援員" in view.revoke_button.toolTip()
        assert "相談支援員" in view.admin_note.text()
        assert view.check_out_button.isEnabled()  # 持ち出し is casework, not administration
    finally:
        background.wait_idle()
        worker.close()


def test_export_with_no_other_device_points_to_adding_one(qtbot, desk):
    """Issue 14: the empty list of devices said only 「書き出し先の端末を選んでください」."""
    view = view_for(qtbot, desk)
    assert view.export_device.count() == 0
    assert "端末の追加" in view.export_status.text()
    assert view.export_status.isVisibleTo(view)
    view.export_button.click()
    assert "端末の追加" in view.export_status.text()
    assert view.tabs.tabText(view.tabs.currentIndex()) == "端末"
