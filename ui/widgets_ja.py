"""Japanese data entry as desks expect it (issue 16): reusable pieces for any person form.

* ``PostalAddressFill`` — beside a 郵便番号 field: 7 digits typed (any width, 〒, hyphens)
  fill the 都道府県・市区町村・町域 into the 住所 field from offline Japan Post data
  (``app.postal``); several 町域 are offered as a choice; what the user wrote after the
  region (番地, building) is kept; an unknown code is said, never blocks.
* ``KanaFromIme`` — watches the input method on a 氏名 field: the reading typed before
  conversion (the preedit while it is kana) is proposed in ふりがな as hiragana, part by part
  (山田 → やまだ, 花子 → はなこ); never overwrites what the user typed in ふりがな.
* ``VariantPicker`` — a small 異体字 button beside 氏名: offers the variants of the character
  at the cursor (高→髙, 崎→﨑, 吉→𠮷, 辺→邊・邉 …) from the folding table and replaces it.
  Alt+↓ in 氏名 opens it; Tab reaches it only after ふりがな (氏名 → ふりがな is typed in a row).
* ``name_row`` / ``postal_row`` — the two put together for a form row.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QInputMethodEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QLineEdit, QMenu, QToolButton, QWidget,
)

from app import name_variants, postal, text_ja
from app.i18n import _

_PREFECTURE = re.compile(r"^(北海道|東京都|京都府|大阪府|.{2,3}県)")


# ---------------------------------------------------------------------- 郵便番号 → 住所
class PostalAddressFill(QWidget):
    """Status and 町域 choice shown beside a postal-code field; fills ``address``."""

    filled = Signal(str)          # the region put into the address

    def __init__(self, postal_edit: QLineEdit, address_edit: QLineEdit,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.postal = postal_edit
        self.address = address_edit
        self.candidates: list[postal.Address] = []
        self._filled = ""         # the region this widget last put at the start of the address
        self._code = ""
        self.choice = QComboBox(self)
        self.choice.setAccessibleName(_("Choose the town (町域)"))
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.choice.setMaximumWidth(360)
        self.choice.hide()
        self.choice.activated.connect(self._chosen)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #445;")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.choice)
        row.addWidget(self.status, 1)
        # only what the user types: restoring a draft must not rewrite the address
        self.postal.textEdited.connect(self._edited)

    def _say(self, text: str, colour: str = "#445") -> None:
        self.status.setStyleSheet(f"color: {colour};")
        self.status.setText(text)

    def _edited(self, text: str) -> None:
        code = postal.normalise(text)
        if code is None:
            self._code = ""
            self.candidates = []
            self.choice.hide()
            digits = re.sub(r"\D", "", text_ja.nfkc(text))
            self._say(_("Type the 7 digits of the postal code.") if 0 < len(digits) < 7
                      else "")
            return
        self._code = code
        self.lookup(text)

    def lookup(self, text: str | None = None) -> list[postal.Address]:
        """Look the code up and fill the address (also for a code set by the program)."""
        text = self.postal.text() if text is None else text
        self.candidates = postal.lookup(text)
        self.choice.clear()
        self.choice.hide()
        if not self.candidates:
            if not postal.available():
                self._say(_("No postal code data is installed: please type the address."),
                          "#8a5a00")
            elif postal.normalise(text) is not None:
                self._say(_("This postal code was not found: please type the address "
                            "yourself."), "#8a5a00")
            return []
        if len(self.candidates) == 1:
            if self._apply(self.candidates[0].text):
                self._say(_("Address filled in: add the block number and building."),
                          "#1d6b2f")
            return self.candidates
        common = _common_prefix([c.text for c in self.candidates])
        first = self.candidates[0]
        region = first.prefecture + first.city if common.startswith(
            first.prefecture + first.city) else common
        if not self._apply(region):
            return self.candidates
        self.choice.addItem(_("Choose the town ({n})…").format(n=len(self.candidates)))
        for c in self.candidates:
            self.choice.addItem(c.town or c.label() or c.text, c.text)
        self.choice.show()
        self._say(_("This code covers {n} towns: choose one.").format(n=len(self.candidates)))
        return self.candidates

    def choose(self, index: int) -> None:
        """Choose the ``index``-th candidate (as the user would in the list)."""
        self.choice.setCurrentIndex(index + 1)
        self._chosen(index + 1)

    def _chosen(self, combo_index: int) -> None:
        if combo_index <= 0:
            return
        if self._apply(self.choice.itemData(combo_index)):
            self._say(_("Address filled in: add the block number and building."), "#1d6b2f")

    def _apply(self, region: str) -> bool:
        """Put ``region`` at the start of the address, keeping the rest the user wrote."""
        current = self.address.text()
        if not current.strip():
            new = region
        elif self._filled and current.startswith(self._filled):
            new = region + current[len(self._filled):]
        elif current.startswith(region):
            new = current
        elif _PREFECTURE.match(current) or (self.candidates and current.startswith(
                self.candidates[0].city)):
            # the user's own full address: theirs to change
            self._say(_("The address field already holds an address: it was not changed "
                        "({region}).").format(region=region), "#8a5a00")
            return False
        else:                      # what they wrote is the rest (番地, building): keep it
            new = region + current
        self._filled = region
        if new != current:
            self.address.setText(new)
            self.address.setCursorPosition(len(new.encode("utf-16-le")) // 2)
        self.filled.emit(region)
        return True


def _common_prefix(texts: list[str]) -> str:
    if not texts:
        return ""
    first, last = min(texts), max(texts)
    i = 0
    while i < len(first) and i < len(last) and first[i] == last[i]:
        i += 1
    return first[:i]


# ---------------------------------------------------------------------- ふりがな from the IME
class KanaFromIme(QObject):
    """Proposes the reading typed through the input method on ``name`` in ``kana``.

    Each commit into 氏名 is kept with its reading (the last kana preedit before it); when
    the name is edited afterwards, the parts still at its start keep their reading and the
    rest is dropped (a 異体字 chosen with the picker keeps it: compared with variants folded).
    """

    proposed = Signal(str)

    def __init__(self, name: QLineEdit, kana: QLineEdit):
        super().__init__(name)
        self.name = name
        self.kana = kana
        self.segments: list[tuple[str, str]] = []   # (text committed, its reading)
        self._base = ""           # what 氏名 held before the first commit followed
        self._segment = ""        # the last kana preedit of the composition in progress
        self._proposal = ""       # what this helper last put into ふりがな
        name.installEventFilter(self)
        name.textChanged.connect(self._name_changed)

    @property
    def reading(self) -> str:
        return re.sub(r" {2,}", " ", "".join(r for _t, r in self.segments)).lstrip()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if obj is self.name:
            if event.type() == QEvent.Type.InputMethod:
                self._input_method(event)
            elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                    and event.key() == Qt.Key.Key_Space and not self._segment:
                self._add(" ", " ")
        return False

    def _add(self, text: str, reading: str) -> None:
        if not self.segments:
            self._base = self.name.text()
        self.segments.append((text, reading))

    def _input_method(self, event: QInputMethodEvent) -> None:
        preedit = event.preeditString()
        commit = event.commitString()
        # the commit first: an IME typing on commits the last conversion in the same event
        # as the next composition's first kana (山田 + は)
        if commit:
            if commit.isspace():
                self._add(commit, " ")
            else:
                reading = self._segment or (commit if text_ja.is_kana(commit) else "")
                reading = text_ja.to_hiragana(reading.replace("\u3000", " "))
                if commit[-1:].isspace() and not reading.endswith(" "):
                    reading += " "
                self._add(commit, reading)
                self._propose()
            self._segment = ""
        if preedit and text_ja.is_kana(preedit):
            self._segment = preedit
        elif not preedit and not commit:
            self._segment = ""       # composition cancelled

    def _name_changed(self, text: str) -> None:
        if not text.strip():          # cleared: start again
            self.segments, self._base, self._segment = [], "", ""
            return
        folded = text_ja.fold_variants(text)
        expect = self._base
        keep: list[tuple[str, str]] = []
        if folded.startswith(text_ja.fold_variants(expect)):
            for t, r in self.segments:
                if not folded.startswith(text_ja.fold_variants(expect + t)):
                    break
                expect += t
                keep.append((t, r))
        if len(keep) != len(self.segments):     # edited: the parts no longer there go
            self.segments = keep
            self._propose()

    def _propose(self) -> None:
        proposal = self.reading.strip()
        current = self.kana.text()
        # only an empty field or our own earlier proposal is ours to change
        if current.strip() and current != self._proposal:
            if proposal:
                self.kana.setPlaceholderText(proposal)
            return
        if not proposal and not current:
            return
        self._proposal = proposal
        if current != proposal:
            self.kana.setText(proposal)
        self.proposed.emit(proposal)


# ---------------------------------------------------------------------- 異体字
def _py_index(text: str, utf16_pos: int) -> int:
    """The Python index of a QLineEdit cursor position (Qt counts UTF-16 units: 𠮷 is 2)."""
    return len(text.encode("utf-16-le")[:utf16_pos * 2].decode("utf-16-le", errors="ignore"))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class VariantPicker(QToolButton):
    """「異体字」: a menu of the variants of the character at the cursor of ``edit``."""

    replaced = Signal(str, str)      # old character, new character
    SHORTCUT = QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Down)

    def __init__(self, edit: QLineEdit, parent: QWidget | None = None, *,
                 tab_after: QWidget | None = None):
        super().__init__(parent)
        self.edit = edit
        # Tab goes 氏名 → ふりがな: the button comes after ``tab_after`` (ふりがな) once both
        # are in one window (at the first show); from 氏名, Alt+↓ opens it
        self.tab_after = tab_after
        self._ordered = False
        self.setText(_("Variants"))
        self.setToolTip(_("Variant characters (異体字): choose the form of the character "
                          "before the cursor, e.g. 高→髙, 崎→﨑, 吉→𠮷, 辺→邊・邉") + "\n"
                        + _("From the name field: {key}").format(
                            key=self.SHORTCUT.toString(QKeySequence.SequenceFormat.NativeText)))
        self.shortcut = QShortcut(self.SHORTCUT, edit, self.showMenu,
                                  context=Qt.ShortcutContext.WidgetShortcut)
        self.setAccessibleName(_("Variant characters of the character at the cursor"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_ = QMenu(self)
        self.menu_.aboutToShow.connect(self.fill_menu)
        self.setMenu(self.menu_)
        self._last_cursor = 0
        edit.cursorPositionChanged.connect(self._remember)
        edit.textChanged.connect(lambda _t: self._refresh())
        self._refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._ordered and self.tab_after is not None \
                and self.tab_after.window() is self.window():
            QWidget.setTabOrder(self.tab_after, self)
            self._ordered = True

    def _remember(self, _old: int, new: int) -> None:
        self._last_cursor = new
        self._refresh()

    def target(self) -> tuple[int, str]:
        """(Python index, character) the picker works on: the selected character, else the
        one before the cursor, else the one after it; (-1, '') when the field is empty."""
        text = self.edit.text()
        if not text:
            return -1, ""
        if self.edit.hasSelectedText():
            i = _py_index(text, self.edit.selectionStart())
        else:
            pos = self.edit.cursorPosition() if self.edit.hasFocus() else self._last_cursor
            i = _py_index(text, pos) - 1
            if i < 0 or not name_variants.variants_of(text[i]):
                j = i + 1
                if 0 <= j < len(text) and name_variants.variants_of(text[j]):
                    i = j
            i = max(i, 0)
        return i, text[i]

    def _refresh(self) -> None:
        _i, ch = self.target()
        has = bool(name_variants.variants_of(ch))
        self.setStyleSheet("QToolButton { font-weight: bold; color: #1f5f99; }" if has else "")

    def choices(self) -> list[str]:
        _i, ch = self.target()
        return name_variants.variants_of(ch)

    def fill_menu(self) -> None:
        self.menu_.clear()
        i, ch = self.target()
        variants = name_variants.variants_of(ch)
        if not variants:
            action = self.menu_.addAction(
                _("“{char}” has no variants in the table.").format(char=ch) if ch
                else _("Type the name first, then choose a character."))
            action.setEnabled(False)
            return
        header = self.menu_.addAction(_("Variants of “{char}”:").format(char=ch))
        header.setEnabled(False)
        big = QFont(self.font())
        big.setPointSizeF(max(big.pointSizeF(), 9) * 1.6)
        for v in variants:
            action = self.menu_.addAction(v)
            action.setFont(big)
            action.setToolTip(f"U+{ord(v):04X}")
            action.triggered.connect(lambda _c=False, v=v, i=i: self.replace(i, v))

    def replace(self, index: int, variant: str) -> None:
        """Replace the character at Python ``index`` by ``variant`` (undoable, like typing)."""
        text = self.edit.text()
        if not 0 <= index < len(text):
            return
        old = text[index]
        start = _utf16_len(text[:index])
        self.edit.setSelection(start, _utf16_len(old))
        self.edit.insert(variant)
        self.edit.setCursorPosition(start + _utf16_len(variant))
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.replaced.emit(old, variant)


# ---------------------------------------------------------------------- rows for forms
def name_row(name: QLineEdit, kana: QLineEdit | None = None,
             parent: QWidget | None = None) -> QWidget:
    """氏名 with its 異体字 button (and ふりがな from the IME when ``kana`` is given)."""
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(name, 1)
    picker = VariantPicker(name, box, tab_after=kana)
    row.addWidget(picker)
    box.variant_picker = picker            # type: ignore[attr-defined]
    if kana is not None:
        box.kana_helper = KanaFromIme(name, kana)   # type: ignore[attr-defined]
    box.setFocusProxy(name)
    return box


def postal_row(postal_edit: QLineEdit, address_edit: QLineEdit,
               parent: QWidget | None = None) -> QWidget:
    """郵便番号 with the address fill beside it."""
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(postal_edit)
    fill = PostalAddressFill(postal_edit, address_edit, box)
    row.addWidget(fill, 1)
    box.postal_fill = fill                  # type: ignore[attr-defined]
    box.setFocusProxy(postal_edit)
    return box
