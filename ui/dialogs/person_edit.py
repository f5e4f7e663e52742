"""本人情報の修正 (issue 16): correct a person's details with the same Japanese entry as the
intake — 郵便番号 → 住所, ふりがな from the IME, the 異体字 picker — saved through
``Desk.update_person`` (validated like the intake; only the fields changed are sent).

A 閲覧制限 person's whereabouts come masked from the core: they are shown read-only here and
never sent back (the mask must not overwrite the real address)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

from app import text_ja
from app.domain import Sex
from app.errors import TsunaguError, ValidationError, ValidationErrors
from app.i18n import _
from app.security.privacy import whereabouts_mask
from ui.widgets import DateField, ErrorLabel
from ui.widgets_ja import name_row, postal_row

WHEREABOUTS = ("postal_code", "address", "phone_home", "phone_mobile", "email")


class PersonEditDialog(QDialog):
    """Edit the person; ``saved(person)`` is the updated person from the core."""

    def __init__(self, desk, person, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.person = person
        self.saved_person = None
        self.setWindowTitle(_("Correct the person's details"))
        self.masked = any(getattr(person, f, "") == whereabouts_mask() for f in WHEREABOUTS)

        self.name = QLineEdit(person.name)
        self.kana = QLineEdit(person.kana)
        self.kana.setPlaceholderText(_("in hiragana, e.g. やまだ はなこ"))
        self.birth = DateField(_("Date of birth"))
        self.birth.set_date(person.birth_date)
        self.sex = QComboBox()
        for s in (Sex.MALE, Sex.FEMALE, Sex.OTHER, Sex.UNKNOWN):
            self.sex.addItem(s.label, s)
        self.sex.setCurrentIndex(max(self.sex.findData(person.sex), 0))
        self.postal = QLineEdit(person.postal_code)
        self.postal.setPlaceholderText("123-4567")
        self.postal.setMaximumWidth(150)
        self.address = QLineEdit(person.address)
        self.phone_home = QLineEdit(person.phone_home)
        self.phone_mobile = QLineEdit(person.phone_mobile)
        self.email = QLineEdit(person.email)
        self.edits = {"name": self.name, "kana": self.kana, "postal_code": self.postal,
                      "address": self.address, "phone_home": self.phone_home,
                      "phone_mobile": self.phone_mobile, "email": self.email}

        self.errors: dict[str, ErrorLabel] = {}
        form = QFormLayout()

        def add(label: str, key: str, widget: QWidget) -> None:
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            column.addWidget(widget)
            self.errors[key] = ErrorLabel()
            column.addWidget(self.errors[key])
            form.addRow(label, box)

        self.name_row = name_row(self.name, self.kana)
        add(_("Name") + " *", "name", self.name_row)
        add(_("Furigana"), "kana", self.kana)
        add(_("Date of birth"), "birth_date", self.birth)
        add(_("Sex"), "sex", self.sex)
        self.postal_row = postal_row(self.postal, self.address)
        add(_("Postal code"), "postal_code", self.postal_row)
        add(_("Address"), "address", self.address)
        add(_("Phone (home)"), "phone_home", self.phone_home)
        add(_("Phone (mobile)"), "phone_mobile", self.phone_mobile)
        add(_("E-mail"), "email", self.email)
        layout = QVBoxLayout(self)
        if self.masked:
            note = QLabel(_("Access is restricted for this person: the address and contacts "
                            "are hidden and cannot be corrected here."))
            note.setWordWrap(True)
            note.setStyleSheet("color: #8a5a00;")
            layout.addWidget(note)
            for key in WHEREABOUTS:
                self.edits[key].setReadOnly(True)
                self.edits[key].setEnabled(False)
        layout.addLayout(form)
        self.general = ErrorLabel()
        layout.addWidget(self.general)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        self.resize(620, self.sizeHint().height())

    def changed(self) -> dict:
        """The fields whose value differs from the person's (what update_person gets)."""
        out: dict = {}
        for key, edit in self.edits.items():
            if self.masked and key in WHEREABOUTS:
                continue
            if edit.text() != (getattr(self.person, key) or ""):
                out[key] = edit.text()
        birth_text = self.birth.text().strip()
        old = text_ja.format_wareki(self.person.birth_date, "long") \
            if self.person.birth_date else ""
        if birth_text != old:
            out["birth_date"] = birth_text
        sex = self.sex.currentData()
        if sex != self.person.sex:
            out["sex"] = sex
        return out

    def save(self) -> None:
        for label in self.errors.values():
            label.clear_message()
        self.general.clear_message()
        fields = self.changed()
        if not fields:
            self.accept()
            return
        if "birth_date" in fields:
            try:
                fields["birth_date"] = self.birth.parsed("person.birth_date")
            except ValidationError as e:
                self.errors["birth_date"].show_message(e.message)
                return
        try:
            self.saved_person = self.desk.update_person(self.person.id, **fields)
        except ValidationErrors as e:
            for err in e.errors:
                key = err.field.split(".")[-1]
                (self.errors.get(key) or self.general).show_message(err.message)
            return
        except ValidationError as e:
            key = e.field.split(".")[-1]
            (self.errors.get(key) or self.general).show_message(e.message)
            return
        except TsunaguError as e:
            self.general.show_message(str(e))
            return
        self.accept()
