"""閲覧制限 in the list and the case view; 「住所等を表示」 asks a reason and is audited; a
sheet for another agency without consent asks for a basis and records the disclosure;
consents added and withdrawn in the consent dialog."""

from __future__ import annotations

import pytest

from tests.ui.helpers_security import collect_garbage_here

from PySide6.QtCore import Qt

from app.security.privacy import ANY_AGENCY
from tests.ui.helpers_security import accept, fake_dialogs
from ui.main_window import MainWindow
from ui.views.case_view import CaseView


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not __import__("ui.background").background.busy(), timeout=10000)
    collect_garbage_here()

ADDRESS = "本町1-2-3"


def setup(qtbot, desk, dialogs):
    target = next(c for c in desk.list_cases() if c.name.startswith("髙橋"))
    desk.security.set_sensitive(target.id, True, "DV 被害の相談があったため")
    opened = []
    window = MainWindow(desk, opener=opened.append, close_desk_on_exit=False,
                        dialogs=dialogs, lock_options=dict(start_timer=False))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 3)
    return window, target, opened


def open_case(qtbot, window, case_id) -> CaseView:
    window.open_case(case_id)
    qtbot.waitUntil(lambda: window.current_case_view() is not None)
    view = window.current_case_view()
    qtbot.waitUntil(lambda: bool(view.steps))
    return view


def test_list_and_view_masked_reveal_asks_reason(qtbot, desk_with_cases, shots):
    desk = desk_with_cases

    def reason(d):
        assert not d.ok_button.isEnabled()  # no reason, no reveal
        d.text.setPlainText("家庭訪問の日程調整のため")
        d.grab().save(str(shots / "privacy_reveal_reason.png"))
        return accept(d)

    dialogs = fake_dialogs(reason)
    window, target, _opened = setup(qtbot, desk, dialogs)
    model = window.case_list.model
    names = {model.rows[r].id: model.data(model.index(r, 1)) for r in range(model.rowCount())}
    assert "閲覧制限" in names[target.id] and "㊙" in names[target.id]
    assert sum("閲覧制限" in n for n in names.values()) == 1
    window.grab().save(str(shots / "privacy_list.png"))

    view = open_case(qtbot, window, target.id)
    bar = view.privacy
    assert bar.marker.isVisible() and bar.reveal_button.isVisible()
    assert ADDRESS not in view.contents.text() and "090-1234-5678" not in view.contents.text()
    assert "＊＊＊（閲覧制限）" in view.contents.text()
    window.grab().save(str(shots / "privacy_view_masked.png"))
    bar.reveal_button.click()
    qtbot.waitUntil(lambda: ADDRESS in view.contents.text())
    assert bar.revealed_note.isVisible() and not bar.reveal_button.isVisible()
    window.grab().save(str(shots / "privacy_view_revealed.png"))
    rows = desk.security.audit_search(action="reveal", limit=1)
    assert rows and rows[0].reason == "家庭訪問の日程調整のため"
    # the view's own detail stays masked; locking masks the shown text again
    assert ADDRESS not in view.detail.person.address
    bar.conceal()
    assert ADDRESS not in view.contents.text() and bar.reveal_button.isVisible()


def test_reveal_cancelled_shows_nothing(qtbot, desk_with_cases):
    dialogs = fake_dialogs(lambda d: False)
    window, target, _opened = setup(qtbot, desk_with_cases, dialogs)
    view = open_case(qtbot, window, target.id)
    view.privacy.reveal_button.click()
    assert ADDRESS not in view.contents.text()
    assert not desk_with_cases.security.audit_search(action="reveal", limit=1)


def test_print_for_another_agency_without_consent_asks_basis(qtbot, desk_with_cases, shots):
    desk = desk_with_cases
    target = next(c for c in desk.list_cases() if c.name.startswith("髙橋"))
    for c in desk.security.consents(target.id):
        desk.security.withdraw_consent(c.id, desk.today(), "本人の申し出")

    def recipient(d):
        d.recipient.setText("ハローワークつなぐ")
        return accept(d)

    def basis(d):
        assert accept(d) is False  # nothing chosen: refused in the dialog
        d.choices["meeting"].setChecked(True)
        d.reason_edit.setPlainText("令和8年5月12日の支援会議で共有を決定")
        d.grab().save(str(shots / "privacy_basis.png"))
        return accept(d)

    dialogs = fake_dialogs(recipient, basis)
    window, target, opened = setup(qtbot, desk, dialogs)
    view = open_case(qtbot, window, target.id)
    view.privacy.agency_print.trigger()
    qtbot.waitUntil(lambda: bool(opened), timeout=15000)
    assert not dialogs.queue
    d = desk.security.disclosures(target.id)
    assert len(d) == 1 and d[0].recipient == "ハローワークつなぐ"
    assert d[0].basis.value == "meeting" and "支援会議" in d[0].reason
    rows = desk.security.audit_search(action="print", limit=1)
    assert rows and "ハローワークつなぐ" in rows[0].detail
    pdf = opened[0].toLocalFile()
    import pypdfium2 as pdfium
    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(pdf))
    assert ADDRESS not in text and "090-1234-5678" not in text


def test_print_for_agency_with_consent_asks_no_basis(qtbot, desk_with_cases):
    dialogs = fake_dialogs(lambda d: (d.recipient.setText("社会福祉協議会"), accept(d))[1])
    window, target, opened = setup(qtbot, desk_with_cases, dialogs)
    view = open_case(qtbot, window, target.id)
    view.privacy.agency_print.trigger()
    qtbot.waitUntil(lambda: bool(opened), timeout=15000)
    d = desk_with_cases.security.disclosures(target.id)
    assert len(d) == 1 and d[0].basis.value == "consent"


def test_consent_dialog_add_and_withdraw(qtbot, desk_with_cases, shots):
    def consent_dialog(d):
        assert d.consents_table.topLevelItemCount() >= 1  # the intake's consent
        before = d.consents_table.topLevelItemCount()
        d.add_button.click()
        assert d.consents_table.topLevelItemCount() == before + 1
        d.consents_table.setCurrentItem(d.consents_table.topLevelItem(before))
        assert d.withdraw_button.isEnabled()
        d.withdraw_button.click()
        d.grab().save(str(shots / "privacy_consents.png"))
        d.reject()
        return False

    def add(d):
        d.any_agency.setChecked(False)
        d.recipients.setText("ハローワーク、社会福祉協議会")
        d.scope.setText("アセスメントとプラン")
        d.purpose.setText("就労支援の調整")
        d.form_buttons["oral"].setChecked(True)
        return accept(d)

    def withdraw(d):
        d.note.setText("電話で撤回の申し出")
        return accept(d)

    dialogs = fake_dialogs(consent_dialog, add, withdraw)
    window, target, _opened = setup(qtbot, desk_with_cases, dialogs)
    view = open_case(qtbot, window, target.id)
    view.privacy.consent_button.click()
    consents = desk_with_cases.security.consents(target.id)
    added = [c for c in consents if "ハローワーク" in c.recipients]
    assert added and added[0].form.value == "oral" and added[0].withdrawn_on is not None
    assert any(ANY_AGENCY in c.recipients for c in consents)
    assert Qt  # noqa: B018
