"""相談受付 wizard: 本人情報 → 相談内容 → 振り分け・緊急支援 → 同意 → 確認 → 登録.

Pages are thin: they show fields, hand the answers to ``desk.check_intake`` page by page and
show the core's messages under the fields. Nothing is written until 登録, except the draft,
which is saved on every change so a crash or a lock loses nothing.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton, QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
    QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QMessageBox,
    QPlainTextEdit, QRadioButton, QVBoxLayout, QWidget, QWizard, QWizardPage,
)

from app import text_ja
from app.desk import INTAKE_PAGES
from app.domain import (
    CONSULTATION_TOPICS, EmergencyAction, IntakeInput, Person, PersonInput, Route, Sex, Triage,
    Visitor,
)
from app.domain.intake import HOUSING_STATUSES, WORK_STATUSES
from app.errors import TsunaguError, ValidationError, ValidationErrors
from app.i18n import _
from ui.background import run_in_background, serialized
from ui.dialogs import drafts
from ui.widgets import DateField, ErrorLabel
from ui.widgets_ja import name_row, postal_row

DRAFT_KEY = "intake:new"


def _wareki(d: date | None) -> str:
    return text_ja.format_wareki(d, "long") if d else ""


# ---------------------------------------------------------------------- default dialogs
# (the draft questions are shared with the step wizards: ui/dialogs/drafts.py)
# ask_same_person's answer 「戻って確認する」 (also Esc and closing the box): nothing is
# decided, the wizard stays on 本人情報 (issue 14: Esc never registers a new person)
BACK_TO_PAGE = "back"


def ask_same_person_dialog(parent: QWidget, persons: list[Person]):
    """Ask whether the intake belongs to a person already registered: the Person, None (a
    different, new person) or BACK_TO_PAGE (Esc / 戻って確認する: decide later)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(_("The same person may already be registered"))
    dialog.setMinimumWidth(600)   # name, birth date, case numbers and 担当 on one line
    layout = QVBoxLayout(dialog)
    text = QLabel(_("A person with the same name and date of birth is registered. "
                    "Is this intake about this person?"))
    text.setWordWrap(True)
    layout.addWidget(text)
    choices = QListWidget(dialog)
    for p in persons:
        cases = "、".join(_("{case_no} (in charge: {worker})").format(
            case_no=no, worker=worker or "-") for no, worker in getattr(p, "cases", []))
        choices.addItem(f"{p.name}　{_wareki(p.birth_date)}　{cases}")
    choices.setCurrentRow(0)
    # every line whole: long addresses scroll sideways instead of being cut off
    choices.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    choices.setMinimumWidth(560)
    for i in range(choices.count()):
        choices.item(i).setToolTip(choices.item(i).text())
    layout.addWidget(choices)
    buttons = QDialogButtonBox(dialog)
    attach = buttons.addButton(_("Attach to this person"), QDialogButtonBox.ButtonRole.AcceptRole)
    different = buttons.addButton(_("Register as a different person"),
                                  QDialogButtonBox.ButtonRole.ActionRole)
    buttons.addButton(_("Go back and check"), QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    different.clicked.connect(lambda: dialog.done(2))
    attach.setDefault(True)
    layout.addWidget(buttons)
    code = dialog.exec()
    if code == QDialog.DialogCode.Accepted and choices.currentRow() >= 0:
        return persons[choices.currentRow()]
    if code == 2:
        return None
    return BACK_TO_PAGE


def show_error_dialog(parent: QWidget, message: str) -> None:
    QMessageBox.warning(parent, _("Error"), message)


# ---------------------------------------------------------------------- pages
class IntakePage(QWizardPage):
    """A page that knows its fields by the core's keys and shows the core's messages."""

    core_page = ""

    def __init__(self, wizard: "IntakeWizard", title: str, subtitle: str = ""):
        super().__init__()
        self.w = wizard
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.fields: dict[str, QWidget] = {}
        self.error_labels: dict[str, ErrorLabel] = {}
        self.general_error = ErrorLabel()

    def field_box(self, key: str, widget: QWidget, *, focus: QWidget | None = None) -> QWidget:
        """``widget`` with a red message line under it, registered under the core's key."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        error = ErrorLabel()
        column.addWidget(error)
        self.fields[key] = focus or widget
        self.error_labels[key] = error
        # the message goes once the field is changed (issue 14: it stayed after the fix)
        for signal in ("textChanged", "currentIndexChanged", "toggled"):
            target = focus or widget
            if hasattr(target, signal):
                getattr(target, signal).connect(lambda *_a, e=error: e.clear_message())
                break
        return box

    def clear_errors(self) -> None:
        for label in self.error_labels.values():
            label.clear_message()
        self.general_error.clear_message()

    def show_errors(self, errors: list[ValidationError]) -> None:
        self.clear_errors()
        general = []
        by_field: dict[str, list[str]] = {}
        for e in errors:
            if e.field in self.error_labels:
                by_field.setdefault(e.field, []).append(e.message)
            else:
                general.append(e.message)
        for key, messages in by_field.items():
            self.error_labels[key].show_message("\n".join(messages))
        self.general_error.show_message("\n".join(general))
        for key in self.fields:  # first bad field in the page's order
            if key in by_field:
                self.fields[key].setFocus(Qt.FocusReason.OtherFocusReason)
                break

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        data, parse_errors = self.w.intake_input()
        bad = {e.field for e in parse_errors}
        mine = [e for e in parse_errors if e.field in self.fields]
        core = [e for e in self.w.desk.check_intake(data, {self.core_page})
                if e.field not in bad]
        errors = mine + core
        self.show_errors(errors)
        return not errors

    def connect_changes(self, *widgets: QWidget) -> None:
        for widget in widgets:
            if isinstance(widget, DateField):
                widget.textChanged.connect(self.w.field_changed)
            elif isinstance(widget, QLineEdit):
                widget.textChanged.connect(self.w.field_changed)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self.w.field_changed)
            elif isinstance(widget, QComboBox):
                widget.currentTextChanged.connect(self.w.field_changed)
            elif isinstance(widget, QAbstractButton):
                widget.toggled.connect(self.w.field_changed)


def _radio_group(parent: QWidget, options: list[tuple[str, str]], *, columns: int = 4
                 ) -> tuple[QWidget, QButtonGroup, dict[str, QRadioButton]]:
    box = QWidget(parent)
    grid = QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    group = QButtonGroup(box)
    buttons: dict[str, QRadioButton] = {}
    for i, (value, label) in enumerate(options):
        button = QRadioButton(label, box)
        button.setProperty("value", value)
        group.addButton(button)
        buttons[value] = button
        grid.addWidget(button, i // columns, i % columns)
    grid.setHorizontalSpacing(24)
    grid.setColumnStretch(columns, 1)  # keep the choices together on the left
    return box, group, buttons


def _checked_value(buttons: dict[str, QRadioButton]) -> str:
    return next((v for v, b in buttons.items() if b.isChecked()), "")


def _set_checked(group: QButtonGroup, buttons: dict[str, QRadioButton], value: str) -> None:
    if value in buttons:
        buttons[value].setChecked(True)
    else:
        group.setExclusive(False)
        for b in buttons.values():
            b.setChecked(False)
        group.setExclusive(True)


def _text_edit(height: int = 70) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(height)
    return edit


class PersonPage(IntakePage):
    core_page = "person"

    def __init__(self, wizard: "IntakeWizard"):
        super().__init__(wizard, _("Person"), _("Please fill in as much as you can."))
        self.name = QLineEdit()
        self.kana = QLineEdit()
        self.kana.setPlaceholderText(_("in hiragana, e.g. やまだ はなこ"))
        self.birth = DateField(_("Date of birth"))
        self.birth.edit.setPlaceholderText(_("e.g. S55.3.2 or 1980/3/2"))
        sex_box, self.sex_group, self.sex = _radio_group(
            self, [(s.value, s.label) for s in (Sex.MALE, Sex.FEMALE, Sex.OTHER, Sex.UNKNOWN)])
        self.postal = QLineEdit()
        self.postal.setPlaceholderText("123-4567")
        self.postal.setMaximumWidth(150)
        self.address = QLineEdit()
        self.phone_home = QLineEdit()
        self.phone_mobile = QLineEdit()
        self.email = QLineEdit()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_("Name") + " *", self.field_box(
            "person.name", name_row(self.name, self.kana), focus=self.name))
        form.addRow(_("Furigana"), self.field_box("person.kana", self.kana))
        form.addRow(_("Date of birth"), self.field_box("person.birth_date", self.birth,
                                                       focus=self.birth.edit))
        form.addRow(_("Sex"), sex_box)
        form.addRow(_("Postal code"), self.field_box(
            "person.postal_code", postal_row(self.postal, self.address), focus=self.postal))
        form.addRow(_("Address"), self.field_box("person.address", self.address))
        phones = QWidget()
        row = QHBoxLayout(phones)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(_("Home")))
        row.addWidget(self.field_box("person.phone_home", self.phone_home))
        row.addWidget(QLabel(_("Mobile")))
        row.addWidget(self.field_box("person.phone_mobile", self.phone_mobile))
        form.addRow(_("Phone"), phones)
        form.addRow(_("E-mail"), self.field_box("person.email", self.email))

        self.visitor_box = QGroupBox(_("Visitor (if someone other than the person came)"))
        self.visitor_box.setCheckable(True)
        self.visitor_box.setChecked(False)
        self.visitor_name = QLineEdit()
        self.visitor_phone = QLineEdit()
        rel_box, self.relation_group, self.relation = _radio_group(
            self, [("family", _("Family")), ("other", _("Other"))])
        self.relation_detail = QLineEdit()
        self.relation_detail.setPlaceholderText(_("relationship, e.g. mother"))
        vform = QGridLayout(self.visitor_box)
        vform.addWidget(QLabel(_("Name")), 0, 0)
        vform.addWidget(self.field_box("visitor.name", self.visitor_name), 0, 1)
        vform.addWidget(QLabel(_("Phone")), 0, 2)
        vform.addWidget(self.field_box("visitor.phone", self.visitor_phone), 0, 3)
        vform.addWidget(QLabel(_("Relationship")), 1, 0)
        vform.addWidget(rel_box, 1, 1)
        vform.addWidget(self.field_box("visitor.relation_detail", self.relation_detail), 1, 2, 1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.visitor_box)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        self.connect_changes(self.name, self.kana, self.birth, *self.sex.values(), self.postal,
                             self.address, self.phone_home, self.phone_mobile, self.email,
                             self.visitor_box, self.visitor_name, self.visitor_phone,
                             *self.relation.values(), self.relation_detail)

    def state(self) -> dict:
        return {"name": self.name.text(), "kana": self.kana.text(), "birth_date": self.birth.text(),
                "sex": _checked_value(self.sex), "postal_code": self.postal.text(),
                "address": self.address.text(), "phone_home": self.phone_home.text(),
                "phone_mobile": self.phone_mobile.text(), "email": self.email.text(),
                "visitor": self.visitor_box.isChecked(), "visitor_name": self.visitor_name.text(),
                "visitor_phone": self.visitor_phone.text(),
                "visitor_relation": _checked_value(self.relation),
                "visitor_relation_detail": self.relation_detail.text()}

    def restore(self, s: dict) -> None:
        self.name.setText(s.get("name", ""))
        self.kana.setText(s.get("kana", ""))
        self.birth.setText(s.get("birth_date", ""))
        _set_checked(self.sex_group, self.sex, s.get("sex", ""))
        self.postal.setText(s.get("postal_code", ""))
        self.address.setText(s.get("address", ""))
        self.phone_home.setText(s.get("phone_home", ""))
        self.phone_mobile.setText(s.get("phone_mobile", ""))
        self.email.setText(s.get("email", ""))
        self.visitor_box.setChecked(bool(s.get("visitor")))
        self.visitor_name.setText(s.get("visitor_name", ""))
        self.visitor_phone.setText(s.get("visitor_phone", ""))
        _set_checked(self.relation_group, self.relation, s.get("visitor_relation", ""))
        self.relation_detail.setText(s.get("visitor_relation_detail", ""))

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if not super().validatePage():
            return False
        return self.w.check_same_person()


class ConsultationPage(IntakePage):
    core_page = "consultation"

    def __init__(self, wizard: "IntakeWizard"):
        super().__init__(wizard, _("Consultation"),
                         _("Mark every item that applies (○) and choose the main one (◎)."))
        desk = wizard.desk
        self.received_on = DateField(_("Date of intake"))
        self.received_by = QComboBox()
        self.received_by.setEditable(True)
        names = [s.display_name for s in desk.staff() if s.active]
        self.received_by.addItems(names)
        route_box, self.route_group, self.route = _radio_group(
            self, [(r.value, r.label) for r in Route], columns=1)
        self.source = QComboBox()
        self.source.setEditable(True)
        self.source.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.source.lineEdit().setPlaceholderText(_("choose or type"))
        for button in self.route.values():
            button.toggled.connect(self._route_changed)

        self.topics: dict[str, QCheckBox] = {}
        topics_box = QGroupBox(_("What the consultation is about"))
        grid = QGridLayout(topics_box)
        grid.setVerticalSpacing(2)
        for i, (key, label) in enumerate(CONSULTATION_TOPICS):
            box = QCheckBox(_(label))
            box.setProperty("topic", key)
            box.toggled.connect(self._topics_changed)
            self.topics[key] = box
            grid.addWidget(box, i % 8, i // 8)
        self.main_topic = QComboBox()
        self.topic_other = QLineEdit()
        self.topic_other.setPlaceholderText(_("details of “Other”"))
        self.topic_other.setEnabled(False)
        grid.addWidget(QLabel(_("Other (details)")), 8, 0)
        grid.addWidget(self.field_box("topic_other", self.topic_other), 8, 1)
        grid.addWidget(QLabel(_("Main item (◎)")), 9, 0)
        grid.addWidget(self.field_box("main_topic", self.main_topic), 9, 1)
        self.topics_error = ErrorLabel()
        grid.addWidget(self.topics_error, 10, 0, 1, 2)
        self.fields["topics"] = next(iter(self.topics.values()))
        self.error_labels["topics"] = self.topics_error

        self.consultation = _text_edit()
        self.hopes = _text_edit()
        self.work = QComboBox()
        self.work.addItem("", "")
        for key, label in WORK_STATUSES:
            self.work.addItem(_(label), key)
        self.housing = QComboBox()
        self.housing.addItem("", "")
        for key, label in HOUSING_STATUSES:
            self.housing.addItem(_(label), key)
        self.insurance = QLineEdit()
        self.insurance.setPlaceholderText(_("e.g. National Health Insurance"))
        self.pension = QLineEdit()

        left = QFormLayout()
        left.addRow(_("Date of intake") + " *", self.field_box("received_on", self.received_on,
                                                               focus=self.received_on.edit))
        left.addRow(_("Received by"), self.received_by)
        left.addRow(_("Route") + " *", self.field_box("route", route_box,
                                                       focus=self.route[Route.MUNICIPAL.value]))
        left.addRow(_("Referral source"), self.field_box("referral_source", self.source))
        left.addRow(_("Work status"), self.field_box("work_status", self.work))
        left.addRow(_("Housing situation"), self.field_box("housing_status", self.housing))
        left.addRow(_("Health insurance"), self.field_box("health_insurance", self.insurance))
        left.addRow(_("Pension"), self.field_box("pension", self.pension))

        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addWidget(topics_box, 1)
        texts = QGridLayout()
        texts.addWidget(QLabel(_("What would you like to consult about?")), 0, 0)
        texts.addWidget(QLabel(_("What kind of support do you hope for?")), 0, 1)
        texts.addWidget(self.field_box("consultation", self.consultation), 1, 0)
        texts.addWidget(self.field_box("hopes", self.hopes), 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(texts, 1)
        layout.addWidget(self.general_error)
        order = ["received_on", "route", "referral_source", "work_status", "housing_status",
                 "health_insurance", "pension", "topics", "topic_other", "main_topic",
                 "consultation", "hopes"]  # focus goes to the first bad field in this order
        self.fields = {k: self.fields[k] for k in order if k in self.fields}
        self.connect_changes(self.received_on, self.received_by, *self.route.values(), self.source,
                             *self.topics.values(), self.main_topic, self.topic_other,
                             self.consultation, self.hopes, self.work, self.housing,
                             self.insurance, self.pension)

    def _route_changed(self) -> None:
        route = _checked_value(self.route)
        current = self.source.currentText()
        self.source.blockSignals(True)
        self.source.clear()
        if route in (Route.MUNICIPAL.value, Route.AGENCY.value):
            self.source.addItems([s.name for s in self.w.desk.referral_sources(route) if s.active])
        self.source.setCurrentIndex(-1)
        self.source.setEditText(current)
        self.source.blockSignals(False)

    def _topics_changed(self) -> None:
        checked = [k for k, b in self.topics.items() if b.isChecked()]
        current = self.main_topic.currentData() or ""
        self.main_topic.blockSignals(True)
        self.main_topic.clear()
        labels = dict(CONSULTATION_TOPICS)
        for key in checked:
            self.main_topic.addItem("◎ " + _(labels[key]), key)
        keep = current if current in checked else (checked[0] if checked else "")
        self.main_topic.setCurrentIndex(max(0, self.main_topic.findData(keep)) if keep else -1)
        self.main_topic.blockSignals(False)
        self.topic_other.setEnabled(self.topics["other"].isChecked())

    def state(self) -> dict:
        return {"received_on": self.received_on.text(),
                "received_by": self.received_by.currentText(),
                "route": _checked_value(self.route), "referral_source": self.source.currentText(),
                "topics": [k for k, b in self.topics.items() if b.isChecked()],
                "main_topic": self.main_topic.currentData() or "",
                "topic_other": self.topic_other.text(),
                "consultation": self.consultation.toPlainText(),
                "hopes": self.hopes.toPlainText(),
                "work_status": self.work.currentData() or "",
                "housing_status": self.housing.currentData() or "",
                "health_insurance": self.insurance.text(), "pension": self.pension.text()}

    def restore(self, s: dict) -> None:
        if "received_on" in s:
            self.received_on.setText(s["received_on"])
        if s.get("received_by"):
            self.received_by.setEditText(s["received_by"])
        _set_checked(self.route_group, self.route, s.get("route", ""))
        self.source.setEditText(s.get("referral_source", ""))
        for key, box in self.topics.items():
            box.setChecked(key in s.get("topics", []))
        index = self.main_topic.findData(s.get("main_topic", ""))
        if index >= 0:
            self.main_topic.setCurrentIndex(index)
        self.topic_other.setText(s.get("topic_other", ""))
        self.consultation.setPlainText(s.get("consultation", ""))
        self.hopes.setPlainText(s.get("hopes", ""))
        self.work.setCurrentIndex(max(0, self.work.findData(s.get("work_status", ""))))
        self.housing.setCurrentIndex(max(0, self.housing.findData(s.get("housing_status", ""))))
        self.insurance.setText(s.get("health_insurance", ""))
        self.pension.setText(s.get("pension", ""))


class TriagePage(IntakePage):
    core_page = "triage"

    def __init__(self, wizard: "IntakeWizard"):
        super().__init__(wizard, _("Triage and emergency support"),
                         _("A referral is never just a phone number: record whether you went "
                           "with the person and when to check that they arrived."))
        triage_box, self.triage_group, self.triage = _radio_group(
            self, [(t.value, t.label) for t in Triage], columns=3)
        self.refer_box = QGroupBox(_("When referred to another agency"))
        self.referral_to = QComboBox()
        self.referral_to.setEditable(True)
        self.referral_to.addItems([s.name for s in wizard.desk.referral_sources(Route.AGENCY)
                                   if s.active])
        self.referral_to.setCurrentIndex(-1)
        from ui.resource_chooser import attach_resource_completer  # the 社会資源 directory
        attach_resource_completer(self.referral_to, wizard.desk)
        self.accompanied = QCheckBox(_("Went with the person (accompanied)"))
        self.check_on = DateField(_("Follow-up date"))
        rform = QFormLayout(self.refer_box)
        rform.addRow(_("Referred to") + " *", self.field_box("referral_to", self.referral_to))
        rform.addRow("", self.accompanied)
        rform.addRow(_("Follow-up date") + " *", self.field_box("check_on", self.check_on,
                                                                 focus=self.check_on.edit))
        self.refer_box.setEnabled(False)
        for button in self.triage.values():
            button.toggled.connect(self._triage_changed)

        self.emergency_box = QGroupBox(_("Emergency support is needed"))
        self.emergency_box.setCheckable(True)
        self.emergency_box.setChecked(False)
        self.actions: dict[str, QCheckBox] = {}
        agrid = QGridLayout()
        for i, action in enumerate(EmergencyAction):
            text = action.label
            if action.statutory:
                text += "　" + _("(pending municipal procedure)")
            box = QCheckBox(text)
            if action.statutory:
                box.setToolTip(_("Needs a municipal procedure: shown as pending until decided."))
            self.actions[action.value] = box
            agrid.addWidget(box, i // 2, i % 2)
        self.note = _text_edit(60)
        eform = QVBoxLayout(self.emergency_box)
        actions_holder = QWidget()
        actions_holder.setLayout(agrid)
        eform.addWidget(self.field_box("emergency_actions", actions_holder,
                                       focus=self.actions[EmergencyAction.WELFARE.value]))
        eform.addWidget(QLabel(_("What was done")))
        eform.addWidget(self.field_box("emergency_note", self.note))

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Result of triage") + " *"))
        layout.addWidget(self.field_box("triage", triage_box,
                                        focus=self.triage[Triage.CONTINUE.value]))
        layout.addWidget(self.refer_box)
        layout.addWidget(self.emergency_box)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        self.connect_changes(*self.triage.values(), self.referral_to, self.accompanied,
                             self.check_on, self.emergency_box, *self.actions.values(), self.note)

    def _triage_changed(self) -> None:
        self.refer_box.setEnabled(_checked_value(self.triage) == Triage.REFER.value)

    def state(self) -> dict:
        return {"triage": _checked_value(self.triage),
                "referral_to": self.referral_to.currentText(),
                "accompanied": self.accompanied.isChecked(), "check_on": self.check_on.text(),
                "emergency_needed": self.emergency_box.isChecked(),
                "emergency_actions": [k for k, b in self.actions.items() if b.isChecked()],
                "emergency_note": self.note.toPlainText()}

    def restore(self, s: dict) -> None:
        _set_checked(self.triage_group, self.triage, s.get("triage", ""))
        self.referral_to.setEditText(s.get("referral_to", ""))
        self.accompanied.setChecked(bool(s.get("accompanied")))
        self.check_on.setText(s.get("check_on", ""))
        self.emergency_box.setChecked(bool(s.get("emergency_needed")))
        for key, box in self.actions.items():
            box.setChecked(key in s.get("emergency_actions", []))
        self.note.setPlainText(s.get("emergency_note", ""))


class ConsentPage(IntakePage):
    core_page = "consent"

    def __init__(self, wizard: "IntakeWizard"):
        super().__init__(wizard, _("Consent"),
                         _("Ask the person after explaining how personal information is handled."))
        clause = QLabel(_("“I agree that information is shared with the agencies needed for my "
                          "support.”"))
        clause.setWordWrap(True)
        clause.setStyleSheet("background: #f4f6f8; border: 1px solid #c8d0d8; padding: 10px;")
        consent_box, self.consent_group, self.consent = _radio_group(
            self, [("yes", _("Agreed")), ("no", _("Not agreed"))], columns=2)
        self.consent_on = DateField(_("Date of consent"))
        for button in self.consent.values():
            button.toggled.connect(self._consent_changed)
        form = QFormLayout()
        form.addRow(_("Consent to share information") + " *",
                    self.field_box("consent", consent_box, focus=self.consent["yes"]))
        form.addRow(_("Date of consent"), self.field_box("consent_on", self.consent_on,
                                                         focus=self.consent_on.edit))
        self.consent_on.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(clause)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        self.connect_changes(*self.consent.values(), self.consent_on)

    def _consent_changed(self) -> None:
        yes = self.consent["yes"].isChecked()
        self.consent_on.setEnabled(yes)
        if yes and not self.consent_on.text().strip():
            self.consent_on.setText(self.w.consultation.received_on.text())

    def state(self) -> dict:
        return {"consent": _checked_value(self.consent), "consent_on": self.consent_on.text()}

    def restore(self, s: dict) -> None:
        _set_checked(self.consent_group, self.consent, s.get("consent", ""))
        self.consent_on.setText(s.get("consent_on", ""))
        self.consent_on.setEnabled(s.get("consent") == "yes")


class ConfirmPage(IntakePage):
    """確認: everything once more; 登録 writes it (in the background)."""

    def __init__(self, wizard: "IntakeWizard"):
        super().__init__(wizard, _("Confirm"),
                         _("Check the contents. Nothing is saved in the records until you press "
                           "Register."))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.general_error)
        self._done = False
        self._busy = False

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.summary.setText(self.w.summary_html())
        self.general_error.clear_message()

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self._done:
            return True
        if not self._busy:
            self.w.register()
        return False


# ---------------------------------------------------------------------- the wizard
class IntakeWizard(QWizard):
    """新規相談受付. Emits ``registered(case_id)`` after 登録."""

    registered = Signal(str)

    def __init__(self, desk, parent: QWidget | None = None, *,
                 ask_restore_draft: Callable[[], bool] | None = None,
                 ask_keep_draft: Callable[[], bool] | None = None,
                 ask_same_person: Callable[[list[Person]], Person | None] | None = None,
                 show_error: Callable[[str], None] | None = None,
                 ask_close: Callable[[], str] | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.ask_restore_draft = ask_restore_draft or (
            lambda: drafts.ask_restore_draft(self, drafts.INTAKE_DRAFT))
        # closing with input: 入力を続ける / 下書きを残して閉じる / 下書きを破棄して閉じる
        # (an injected ask_keep_draft answers instead: True keep, False discard)
        self.ask_keep_draft = ask_keep_draft
        self.ask_close = ask_close or (lambda: drafts.ask_close(self, drafts.INTAKE_DRAFT))
        self.ask_same_person = ask_same_person or (lambda ps: ask_same_person_dialog(self, ps))
        self.show_error = show_error or (lambda text: show_error_dialog(self, text))
        self.existing_person: Person | None = None
        self._asked_identity: tuple[str, date | None] | None = None
        self._restoring = False
        self.case_id: str | None = None

        self.setWindowTitle(_("New intake"))
        self.setOption(QWizard.WizardOption.IndependentPages, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        from ui.help import install_wizard_help   # ヘルプ (F1), issue 18
        install_wizard_help(self)
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Register"))
        self.person = PersonPage(self)
        self.consultation = ConsultationPage(self)
        self.triage = TriagePage(self)
        self.consent = ConsentPage(self)
        self.confirm = ConfirmPage(self)
        self.data_pages = [self.person, self.consultation, self.triage, self.consent]
        from ui.fit import fit_to_screen, make_scrollable
        for page in [*self.data_pages, self.confirm]:
            make_scrollable(page)   # a long page scrolls; 次へ / キャンセル stay on the screen
            self.addPage(page)
        fit_to_screen(self, 1040, 760)

        self._restoring = True
        self.consultation.received_on.set_date(self.desk.today())
        self.consultation.received_by.setEditText(self.desk.user.display_name)
        self._restoring = False
        draft = self.desk.load_draft(DRAFT_KEY)
        if draft:
            if self.ask_restore_draft():
                self.restore(draft)
            else:
                self.desk.discard_draft(DRAFT_KEY)

    # ---------------------------------------------------------------- drafts
    def payload(self) -> dict:
        """The whole form as typed (JSON-serialisable), dates as text even when unreadable."""
        data: dict = {"version": 1}
        for page in self.data_pages:
            data.update(page.state())
        data["existing_person_id"] = self.existing_person.id if self.existing_person else ""
        return data

    def restore(self, payload: dict) -> None:
        self._restoring = True
        try:
            for page in self.data_pages:
                page.restore(payload)
            person_id = payload.get("existing_person_id") or ""
            if person_id:
                self.existing_person = Person(id=person_id, name=payload.get("name", ""))
        finally:
            self._restoring = False

    def field_changed(self, *_args) -> None:
        if self._restoring or self.case_id:
            return
        self.desk.save_draft(DRAFT_KEY, self.payload())

    def has_input(self) -> bool:
        p = self.payload()
        return any(p.get(k) for k in ("name", "kana", "birth_date", "address", "topics",
                                      "consultation", "route", "triage"))

    def reject(self) -> None:
        if self.case_id is None and self.has_input():
            answer = drafts.close_answer(self.ask_keep_draft, self.ask_close)
            if answer == drafts.CONTINUE:
                return            # the wizard stays open, nothing lost
            if answer == drafts.DISCARD:
                self.desk.discard_draft(DRAFT_KEY)
        elif self.case_id is None:
            self.desk.discard_draft(DRAFT_KEY)
        super().reject()

    # ---------------------------------------------------------------- the data
    def intake_input(self) -> tuple[IntakeInput, list[ValidationError]]:
        """The form as the core's IntakeInput, plus the dates that could not be read."""
        s = self.payload()
        errors: list[ValidationError] = []

        def read(field: DateField, key: str) -> date | None:
            if not field.isEnabled():
                return None
            try:
                return field.parsed(key)
            except ValidationError as e:
                errors.append(e)
                return None

        visitor = None
        if s["visitor"]:
            visitor = Visitor(name=s["visitor_name"], phone=s["visitor_phone"],
                              relation=s["visitor_relation"],
                              relation_detail=s["visitor_relation_detail"])
        refer = s["triage"] == Triage.REFER.value
        consent = {"yes": True, "no": False}.get(s["consent"])
        data = IntakeInput(
            person=PersonInput(
                name=s["name"], kana=s["kana"],
                birth_date=read(self.person.birth, "person.birth_date"),
                sex=Sex(s["sex"]) if s["sex"] else Sex.UNKNOWN,
                postal_code=s["postal_code"], address=s["address"],
                phone_home=s["phone_home"], phone_mobile=s["phone_mobile"], email=s["email"]),
            existing_person_id=self.existing_person.id if self.existing_person else None,
            received_on=read(self.consultation.received_on, "received_on"),
            received_by=s["received_by"].strip(),
            route=Route(s["route"]) if s["route"] else None,
            referral_source=s["referral_source"],
            topics=s["topics"], main_topic=s["main_topic"],
            topic_other=s["topic_other"] if "other" in s["topics"] else "",
            consultation=s["consultation"], hopes=s["hopes"], visitor=visitor,
            work_status=s["work_status"], housing_status=s["housing_status"],
            health_insurance=s["health_insurance"], pension=s["pension"],
            triage=Triage(s["triage"]) if s["triage"] else None,
            referral_to=s["referral_to"] if refer else "",
            accompanied=bool(s["accompanied"]) if refer else False,
            check_on=read(self.triage.check_on, "check_on") if refer else None,
            emergency_needed=bool(s["emergency_needed"]),
            emergency_actions=s["emergency_actions"] if s["emergency_needed"] else [],
            emergency_note=s["emergency_note"] if s["emergency_needed"] else "",
            consent=consent,
            consent_on=read(self.consent.consent_on, "consent_on") if consent else None,
        )
        return data, errors

    def check_same_person(self) -> bool:
        """After 本人情報: offer to attach the intake to a person already registered.
        False: the user went back to the page (Esc, 戻って確認する) — asked again on 次へ."""
        data, _errors = self.intake_input()
        identity = (data.person.name.strip(), data.person.birth_date)
        if identity == self._asked_identity:
            return True
        self.existing_person = None
        found = self.desk.find_same_person(*identity)
        if found:
            answer = self.ask_same_person(found)
            if answer is BACK_TO_PAGE or answer == BACK_TO_PAGE:
                self._asked_identity = None
                return False
            self.existing_person = answer
        self._asked_identity = identity
        self.field_changed()
        return True

    # ---------------------------------------------------------------- 確認 and 登録
    def summary_html(self) -> str:
        data, _errors = self.intake_input()
        p = data.person
        labels = dict(CONSULTATION_TOPICS)

        def row(label: str, value: str) -> str:
            return (f"<tr><th align='left' style='padding:2px 12px 2px 0; color:#445;'>"
                    f"{escape(label)}</th><td>{escape(value)}</td></tr>")

        age = ""
        if p.birth_date and data.received_on:
            age = _("{date} (age {age})").format(date=_wareki(p.birth_date),
                                                 age=text_ja.age_on(p.birth_date, data.received_on))
        topics = "、".join(("◎" if k == data.main_topic else "○") + _(labels[k])
                          for k in data.topics)
        if data.topic_other:
            topics += f"（{data.topic_other}）"
        triage = data.triage.label if data.triage else ""
        if data.triage is Triage.REFER:
            triage += "　" + _("Referred to: {agency}").format(agency=data.referral_to)
            if data.accompanied:
                triage += "　" + _("Accompanied")
            triage += "　" + _("Follow-up on: {date}").format(date=_wareki(data.check_on))
        emergency = _("Not needed")
        if data.emergency_needed:
            emergency = "、".join(_action_text(a) for a in data.emergency_actions)
            if data.emergency_note:
                emergency += f"（{data.emergency_note}）"
        consent = _("Not agreed") if data.consent is False else (
            _("Agreed (on {date})").format(date=_wareki(data.consent_on)) if data.consent else "")
        rows = [
            row(_("Name"), f"{p.name}（{p.kana}）" if p.kana else p.name), row(_("Date of birth"), age),
            row(_("Sex"), p.sex.label), row(_("Address"), f"{p.postal_code} {p.address}"),
            row(_("Phone"), " / ".join(x for x in (p.phone_home, p.phone_mobile) if x)),
        ]
        if self.existing_person:
            rows.append(row(_("Person"), _("Attached to the person already registered")))
        rows += [
            row(_("Date of intake"), _wareki(data.received_on)),
            row(_("Received by"), data.received_by),
            row(_("Route"), data.route.label if data.route else ""),
            row(_("Referral source"), data.referral_source),
            row(_("What the consultation is about"), topics),
            row(_("What the person wants to consult about"), data.consultation),
            row(_("Help the person hopes for"), data.hopes),
            row(_("Triage"), triage), row(_("Emergency support"), emergency),
            row(_("Consent to share information"), consent),
        ]
        return "<table>" + "".join(rows) + "</table>"

    def register(self) -> None:
        data, errors = self.intake_input()
        errors += self.desk.check_intake(data, set(INTAKE_PAGES))
        if errors:
            self._show_errors_on_pages(errors)
            return
        self.confirm._busy = True
        self.confirm.status.setText(_("Registering…"))
        self._set_buttons_enabled(False)
        desk = self.desk
        self._pending_intake = data
        run_in_background(self, lambda: desk.register_intake(data), self._registered,
                          self._register_failed)

    def _registered(self, detail) -> None:
        self.case_id = detail.case.id
        self.desk.discard_draft(DRAFT_KEY)
        self.confirm._done = True
        self.confirm._busy = False
        self._set_buttons_enabled(True)
        self.registered.emit(self.case_id)
        self.accept()

    def _register_failed(self, error: BaseException) -> None:
        self.confirm._busy = False
        self.confirm.status.setText("")
        self._set_buttons_enabled(True)
        from app.operations.guide_rules import OpenCaseExists
        if isinstance(error, ValidationErrors):
            self._show_errors_on_pages(error.errors)
        elif isinstance(error, OpenCaseExists):
            self._offer_open_case(error)
        elif isinstance(error, TsunaguError):
            self.confirm.general_error.show_message(str(error))
        else:
            self.confirm.general_error.show_message(
                _("The intake could not be registered: {error}").format(error=error))

    def _offer_open_case(self, error) -> None:
        """One open case per person (issue 19): the consultation goes into the open case as a
        相談 record; a new case only when that case is ending, with the reason.
        ``ask_open_case`` (replaceable, e.g. by tests) answers ("record", "") or
        ("new", reason) or None."""
        ask = getattr(self, "ask_open_case", None) or self._open_case_dialog
        answer = ask(error)
        data, desk = self._pending_intake, self.desk
        if answer and answer[0] == "record":
            try:
                desk.process.record_consultation(error.case_id, data)
            except TsunaguError as e:
                self.confirm.general_error.show_message(str(e))
                return
            self._registered_in(error.case_id)
        elif answer and answer[0] == "new" and error.ending and answer[1].strip():
            self._set_buttons_enabled(False)
            run_in_background(self, lambda: desk.register_intake(
                data, new_case_reason=answer[1]), self._registered, self._register_failed)
        else:
            self.confirm.general_error.show_message(str(error))

    def _open_case_dialog(self, error):
        from PySide6.QtWidgets import QInputDialog
        box = QMessageBox(QMessageBox.Icon.Question, _("Open case"), str(error),
                          parent=self)
        record = box.addButton(_("Record it in case {case_no}").format(case_no=error.case_no),
                               QMessageBox.ButtonRole.AcceptRole)
        new_case = box.addButton(_("Open a new case"), QMessageBox.ButtonRole.ActionRole) \
            if error.ending else None
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is record:
            return ("record", "")
        if new_case is not None and box.clickedButton() is new_case:
            reason, ok = QInputDialog.getText(self, _("Open a new case"),
                                              _("Reason for a new case"))
            return ("new", reason) if ok else None
        return None

    def _registered_in(self, case_id: str) -> None:
        self.case_id = case_id
        self.desk.discard_draft(DRAFT_KEY)
        self.confirm._done = True
        self.registered.emit(case_id)
        self.accept()

    def _show_errors_on_pages(self, errors: list[ValidationError]) -> None:
        """Go back to the first page with a problem and show it there."""
        for page in self.data_pages:
            mine = [e for e in errors if e.field in page.fields]
            if mine:
                while self.currentPage() is not page and self.currentId() > 0:
                    self.back()
                page.show_errors(mine)
                return
        self.confirm.general_error.show_message("\n".join(e.message for e in errors))

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.FinishButton,
                      QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(enabled)


def _action_text(value: str) -> str:
    action = EmergencyAction(value)
    text = action.label
    if action.statutory:
        text += _("(pending municipal procedure)")
    return text
