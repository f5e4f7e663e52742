"""The intake wizard: Japanese typed through the input method, inline validation that blocks
Next, registration, draft restore after a crash, the same-person question."""

from __future__ import annotations

import gc

from PySide6.QtWidgets import QWizard

from app.domain import Triage
from tests.conftest import make_intake
from tests.ui.conftest import next_page, type_text
from ui import background
from ui.wizards.intake import DRAFT_KEY, IntakeWizard
from ui.main_window import MainWindow


def make_wizard(qtbot, desk, **options) -> IntakeWizard:
    calls = {"restore": 0, "same": []}

    def restore():
        calls["restore"] += 1
        return True

    options.setdefault("ask_restore_draft", restore)
    options.setdefault("ask_keep_draft", lambda: True)
    options.setdefault("ask_same_person", lambda persons: calls["same"].append(persons) or None)
    options.setdefault("show_error", lambda text: (_ for _ in ()).throw(AssertionError(text)))
    wizard = IntakeWizard(desk, **options)
    wizard.calls = calls
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def fill_person(wizard: IntakeWizard, name="鈴木 一郎", kana="すずき いちろう",
                birth="S55.3.2") -> None:
    page = wizard.person
    type_text(page.name, name)
    type_text(page.kana, kana)
    type_text(page.birth.edit, birth)
    page.sex["male"].setChecked(True)
    type_text(page.address, "つなぐ町本町1-2-3")
    type_text(page.phone_mobile, "090-1111-2222")


def fill_rest(wizard: IntakeWizard, qtbot) -> None:
    c = wizard.consultation
    c.route["agency"].setChecked(True)
    c.source.setEditText("ハローワーク")
    c.topics["income"].setChecked(True)
    c.topics["job_search"].setChecked(True)
    c.main_topic.setCurrentIndex(c.main_topic.findData("job_search"))
    type_text(c.consultation, "仕事が見つからず、家賃が払えない。")
    next_page(wizard)
    assert wizard.currentPage() is wizard.triage, wizard.consultation.general_error.text()
    t = wizard.triage
    t.triage["refer"].setChecked(True)
    assert t.refer_box.isEnabled()
    t.referral_to.setEditText("法テラス")
    t.accompanied.setChecked(True)
    type_text(t.check_on.edit, wizard.consultation.received_on.text())
    t.emergency_box.setChecked(True)
    t.actions["housing_benefit"].setChecked(True)
    next_page(wizard)
    assert wizard.currentPage() is wizard.consent
    wizard.consent.consent["yes"].setChecked(True)
    assert wizard.consent.consent_on.text() == wizard.consultation.received_on.text()
    next_page(wizard)
    assert wizard.currentPage() is wizard.confirm


def test_japanese_input_and_inline_validation_block_next(qtbot, desk):
    wizard = make_wizard(qtbot, desk)
    assert wizard.currentPage() is wizard.person
    next_page(wizard)
    assert wizard.currentPage() is wizard.person
    assert wizard.person.error_labels["person.name"].text() == "氏名を入力してください"
    assert wizard.focusWidget() is wizard.person.name

    type_text(wizard.person.name, "髙橋 𠮷子")
    assert wizard.person.name.text() == "髙橋 𠮷子"
    type_text(wizard.person.birth.edit, "令和2年2月30日")
    next_page(wizard)
    assert wizard.currentPage() is wizard.person
    assert wizard.person.error_labels["person.name"].text() == ""
    message = wizard.person.error_labels["person.birth_date"].text()
    assert "生年月日" in message and "存在しない日付" in message
    assert wizard.person.birth.shown.text() == "（日付として読み取れません）"
    assert wizard.focusWidget() is wizard.person.birth.edit

    wizard.person.birth.edit.clear()
    type_text(wizard.person.birth.edit, "S55.5.6")
    assert wizard.person.birth.shown.text().startswith("昭和55年5月6日")
    type_text(wizard.person.kana, "abc")
    next_page(wizard)
    assert "ひらがなかカタカナ" in wizard.person.error_labels["person.kana"].text()
    wizard.person.kana.clear()
    type_text(wizard.person.kana, "たかはし よしこ")
    next_page(wizard)
    assert wizard.currentPage() is wizard.consultation
    next_page(wizard)  # nothing chosen yet
    assert wizard.currentPage() is wizard.consultation
    assert "相談経路" in wizard.consultation.error_labels["route"].text()
    assert "1つ以上" in wizard.consultation.error_labels["topics"].text()
    # Back keeps what was typed (IndependentPages)
    wizard.back()
    assert wizard.person.name.text() == "髙橋 𠮷子"


def test_referral_fields_only_for_referral(qtbot, desk):
    wizard = make_wizard(qtbot, desk)
    t = wizard.triage
    assert not t.refer_box.isEnabled()
    t.triage["refer"].setChecked(True)
    assert t.refer_box.isEnabled()
    t.triage["continue"].setChecked(True)
    assert not t.refer_box.isEnabled()
    statutory = t.actions["temporary_living"].text()
    assert "手続き待ち" in statutory


def test_a_full_intake_registers_a_case_that_appears_in_the_list(qtbot, desk):
    window = MainWindow(desk, opener=lambda url: None, close_desk_on_exit=False,
                        wizard_options=dict(ask_restore_draft=lambda: True,
                                            ask_keep_draft=lambda: True,
                                            ask_same_person=lambda persons: None))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not background.busy(), timeout=5000)
    assert window.case_list.model.total == 0
    wizard = window.new_intake()
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "次へ(&N) >"
    fill_person(wizard)
    next_page(wizard)
    assert wizard.currentPage() is wizard.consultation
    fill_rest(wizard, qtbot)
    summary = wizard.confirm.summary.text()
    assert "鈴木 一郎" in summary and "◎仕事探し、就職について" in summary
    assert "住居確保給付金（法定）（市町村の手続き待ち）" in summary
    assert desk.count_cases() == 0  # nothing written before 登録
    qtbot.waitUntil(wizard.drafts.idle, timeout=5000)   # the draft, once typing paused
    assert desk.load_draft(DRAFT_KEY) is not None
    assert wizard.button(QWizard.WizardButton.FinishButton).text() == "登録"
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: window.current_case_view() is not None, timeout=10000)
    qtbot.waitUntil(lambda: not background.busy(), timeout=5000)   # the discard, too
    assert desk.load_draft(DRAFT_KEY) is None
    view = window.current_case_view()
    assert view.detail.person.name == "鈴木 一郎"
    assert view.stage_bar.flag.text() == "他機関へつなぎ（受付で終了）"
    qtbot.waitUntil(lambda: [r.name for r in window.case_list.model.rows] == ["鈴木 一郎"],
                    timeout=5000)
    intake = view.detail.intakes[-1]
    assert intake.triage is Triage.REFER and intake.accompanied
    assert intake.emergency_actions == ["housing_benefit"]
    assert "住居確保給付金（法定）" in view.contents.text()
    assert "市町村の手続き待ち" in view.contents.text()  # statutory: shown as pending


def test_draft_comes_back_after_a_crash(qtbot, desk):
    wizard = make_wizard(qtbot, desk)
    fill_person(wizard, name="𠮷田 花子", kana="よしだ はなこ", birth="令和2年2月30日")
    wizard.consultation.topics["no_food"].setChecked(True)
    type_text(wizard.consultation.consultation, "所持金が数百円しかない。")
    # the program dies: the wizard goes away without Cancel or 登録
    wizard.hide()
    wizard.deleteLater()
    qtbot.wait(10)
    del wizard
    gc.collect()

    restored = make_wizard(qtbot, desk)
    assert restored.calls["restore"] == 1
    p = restored.person
    assert p.name.text() == "𠮷田 花子"
    assert p.kana.text() == "よしだ はなこ"
    assert p.birth.text() == "令和2年2月30日"  # kept as typed, even unreadable
    assert p.sex["male"].isChecked()
    assert restored.consultation.topics["no_food"].isChecked()
    assert restored.consultation.main_topic.currentData() == "no_food"
    assert restored.consultation.consultation.toPlainText() == "所持金が数百円しかない。"


def test_declining_the_draft_discards_it_and_cancel_can_drop_it(qtbot, desk):
    wizard = make_wizard(qtbot, desk)
    type_text(wizard.person.name, "山本 次郎")
    qtbot.waitUntil(wizard.drafts.idle, timeout=5000)
    assert desk.load_draft(DRAFT_KEY)["name"] == "山本 次郎"
    wizard.ask_keep_draft = lambda: False
    wizard.reject()
    qtbot.waitUntil(wizard.drafts.idle, timeout=5000)
    assert desk.load_draft(DRAFT_KEY) is None

    first = make_wizard(qtbot, desk)
    type_text(first.person.name, "山本 次郎")
    first.reject()  # ask_keep_draft → True: kept (written on closing)
    qtbot.waitUntil(first.drafts.idle, timeout=5000)
    assert desk.load_draft(DRAFT_KEY) is not None
    second = make_wizard(qtbot, desk, ask_restore_draft=lambda: False)
    assert second.person.name.text() == ""
    qtbot.waitUntil(second.drafts.idle, timeout=5000)
    assert desk.load_draft(DRAFT_KEY) is None


def test_same_person_is_offered_and_attaching_works(qtbot, desk):
    existing = desk.register_intake(make_intake())  # 髙橋 𠮷子, 1980-05-06
    wizard = make_wizard(qtbot, desk, ask_same_person=lambda persons: (
        asked.append(persons) or persons[0]))
    asked: list = []
    fill_person(wizard, name="髙橋 𠮷子", kana="たかはし よしこ", birth="1980/5/6")
    next_page(wizard)
    assert wizard.currentPage() is wizard.consultation
    assert len(asked) == 1 and asked[0][0].id == existing.person.id
    # going back and on again with the same identity does not ask twice
    wizard.back()
    next_page(wizard)
    assert len(asked) == 1
    fill_rest(wizard, qtbot)
    assert "登録済みの本人の記録に結び付けます" in wizard.confirm.summary.text()
    # the person's case is still open: the wizard offers the 相談 in that case (issue 19)
    offered: list = []
    wizard.ask_open_case = lambda e: offered.append(e) or ("record", "")
    with qtbot.waitSignal(wizard.registered, timeout=10000) as signal:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert offered and offered[0].case_id == existing.case.id
    detail = desk.get_case(signal.args[0])
    assert detail.person.id == existing.person.id
    assert detail.case.id == existing.case.id and desk.count_cases() == 1
    assert len(desk.process.support_records(existing.case.id)) == 1


def test_same_person_declined_registers_a_new_person(qtbot, desk):
    existing = desk.register_intake(make_intake())
    wizard = make_wizard(qtbot, desk)
    fill_person(wizard, name="髙橋 𠮷子", kana="たかはし よしこ", birth="S55.5.6")
    next_page(wizard)
    assert len(wizard.calls["same"]) == 1
    fill_rest(wizard, qtbot)
    with qtbot.waitSignal(wizard.registered, timeout=10000) as signal:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert desk.get_case(signal.args[0]).person.id != existing.person.id
