"""The pages of the 相談受付 wizard (ui/wizards/intake.py): 本人情報, 相談内容, 振り分け・緊急支援,
同意. Each keeps the draft's own keys (``state``/``restore``) and shows the core's messages
(``check_intake`` of its page, asked by the wizard) under the fields by the core's keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QVBoxLayout, QWidget,
)

from app.domain import CONSULTATION_TOPICS, EmergencyAction, Route, Sex, Triage
from app.domain.intake import HOUSING_STATUSES, WORK_STATUSES
from app.i18n import _
from ui.widgets import DateField, ErrorLabel
from ui.widgets_ja import name_row, postal_row
from ui.wizards.inputs import Choice, connect_change, text_edit
from ui.wizards.pages import FormPage

if TYPE_CHECKING:
    from ui.wizards.intake import IntakeWizard


class IntakePage(FormPage):
    """A page of the intake: its inputs are watched for the draft; its state is its own."""

    def box(self, key: str, widget: QWidget, *, focus: QWidget | None = None) -> QWidget:
        """``widget`` with the red line of the core's ``key``, ``focus`` taking the focus."""
        return self.field_box(key, widget, store=False, focus=focus)

    def connect_changes(self, *widgets: QWidget) -> None:
        for widget in widgets:
            connect_change(widget, self.w.field_changed)


def radio(page: QWidget, options: list[tuple[str, str]], *, columns: int = 4) -> Choice:
    return Choice(options, columns=columns, parent=page)


class PersonPage(IntakePage):
    def __init__(self, wizard: "IntakeWizard"):
        super().__init__(wizard, "person", _("Person"), _("Please fill in as much as you can."))
        self.name = QLineEdit()
        self.kana = QLineEdit()
        self.kana.setPlaceholderText(_("in hiragana, e.g. やまだ はなこ"))
        self.birth = DateField(_("Date of birth"))
        self.birth.edit.setPlaceholderText(_("e.g. S55.3.2 or 1980/3/2"))
        self.sex_choice = sex_box = radio(
            self, [(s.value, s.label) for s in (Sex.MALE, Sex.FEMALE, Sex.OTHER, Sex.UNKNOWN)])
        self.sex = sex_box.buttons
        self.postal = QLineEdit()
        self.postal.setPlaceholderText("123-4567")
        self.postal.setMaximumWidth(150)
        self.address = QLineEdit()
        self.phone_home = QLineEdit()
        self.phone_mobile = QLineEdit()
        self.email = QLineEdit()

        form = self.form
        form.addRow(_("Name") + " *", self.box(
            "person.name", name_row(self.name, self.kana), focus=self.name))
        form.addRow(_("Furigana"), self.box("person.kana", self.kana))
        form.addRow(_("Date of birth"), self.box("person.birth_date", self.birth,
                                                 focus=self.birth.edit))
        form.addRow(_("Sex"), sex_box)
        form.addRow(_("Postal code"), self.box(
            "person.postal_code", postal_row(self.postal, self.address), focus=self.postal))
        form.addRow(_("Address"), self.box("person.address", self.address))
        phones = QWidget()
        row = QHBoxLayout(phones)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(_("Home")))
        row.addWidget(self.box("person.phone_home", self.phone_home))
        row.addWidget(QLabel(_("Mobile")))
        row.addWidget(self.box("person.phone_mobile", self.phone_mobile))
        form.addRow(_("Phone"), phones)
        form.addRow(_("E-mail"), self.box("person.email", self.email))

        self.visitor_box = QGroupBox(_("Visitor (if someone other than the person came)"))
        self.visitor_box.setCheckable(True)
        self.visitor_box.setChecked(False)
        self.visitor_name = QLineEdit()
        self.visitor_phone = QLineEdit()
        self.relation_choice = rel_box = radio(
            self, [("family", _("Family")), ("other", _("Other"))])
        self.relation = rel_box.buttons
        self.relation_detail = QLineEdit()
        self.relation_detail.setPlaceholderText(_("relationship, e.g. mother"))
        vform = QGridLayout(self.visitor_box)
        vform.addWidget(QLabel(_("Name")), 0, 0)
        vform.addWidget(self.box("visitor.name", self.visitor_name), 0, 1)
        vform.addWidget(QLabel(_("Phone")), 0, 2)
        vform.addWidget(self.box("visitor.phone", self.visitor_phone), 0, 3)
        vform.addWidget(QLabel(_("Relationship")), 1, 0)
        vform.addWidget(rel_box, 1, 1)
        vform.addWidget(self.box("visitor.relation_detail", self.relation_detail), 1, 2, 1, 2)

        layout = self.layout_
        layout.addWidget(self.visitor_box)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        self.connect_changes(self.name, self.kana, self.birth, *self.sex.values(), self.postal,
                             self.address, self.phone_home, self.phone_mobile, self.email,
                             self.visitor_box, self.visitor_name, self.visitor_phone,
                             *self.relation.values(), self.relation_detail)

    def state(self) -> dict:
        return {"name": self.name.text(), "kana": self.kana.text(), "birth_date": self.birth.text(),
                "sex": self.sex_choice.value(), "postal_code": self.postal.text(),
                "address": self.address.text(), "phone_home": self.phone_home.text(),
                "phone_mobile": self.phone_mobile.text(), "email": self.email.text(),
                "visitor": self.visitor_box.isChecked(), "visitor_name": self.visitor_name.text(),
                "visitor_phone": self.visitor_phone.text(),
                "visitor_relation": self.relation_choice.value(),
                "visitor_relation_detail": self.relation_detail.text()}

    def restore(self, s: dict) -> None:
        self.name.setText(s.get("name", ""))
        self.kana.setText(s.get("kana", ""))
        self.birth.setText(s.get("birth_date", ""))
        self.sex_choice.set_value(s.get("sex", ""))
        self.postal.setText(s.get("postal_code", ""))
        self.address.setText(s.get("address", ""))
        self.phone_home.setText(s.get("phone_home", ""))
        self.phone_mobile.setText(s.get("phone_mobile", ""))
        self.email.setText(s.get("email", ""))
        self.visitor_box.setChecked(bool(s.get("visitor")))
        self.visitor_name.setText(s.get("visitor_name", ""))
        self.visitor_phone.setText(s.get("visitor_phone", ""))
        self.relation_choice.set_value(s.get("visitor_relation", ""))
        self.relation_detail.setText(s.get("visitor_relation_detail", ""))


class ConsultationPage(IntakePage):
    def __init__(self, wizard: "IntakeWizard"):
        super().__init__(wizard, "consultation", _("Consultation"),
                         _("Mark every item that applies (○) and choose the main one (◎)."))
        desk = wizard.desk
        self.received_on = DateField(_("Date of intake"))
        self.received_by = QComboBox()
        self.received_by.setEditable(True)
        names = [s.display_name for s in desk.staff() if s.active]
        self.received_by.addItems(names)
        self.route_choice = route_box = radio(self, [(r.value, r.label) for r in Route], columns=1)
        self.route = route_box.buttons
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
        grid.addWidget(self.box("topic_other", self.topic_other), 8, 1)
        grid.addWidget(QLabel(_("Main item (◎)")), 9, 0)
        grid.addWidget(self.box("main_topic", self.main_topic), 9, 1)
        self.topics_error = ErrorLabel()
        grid.addWidget(self.topics_error, 10, 0, 1, 2)
        self.focus["topics"] = next(iter(self.topics.values()))
        self.error_labels["topics"] = self.topics_error

        self.consultation = text_edit()
        self.hopes = text_edit()
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
        left.addRow(_("Date of intake") + " *", self.box("received_on", self.received_on,
                                                         focus=self.received_on.edit))
        left.addRow(_("Received by"), self.received_by)
        left.addRow(_("Route") + " *", self.box("route", route_box,
                                                focus=self.route[Route.MUNICIPAL.value]))
        left.addRow(_("Referral source"), self.box("referral_source", self.source))
        left.addRow(_("Work status"), self.box("work_status", self.work))
        left.addRow(_("Housing situation"), self.box("housing_status", self.housing))
        left.addRow(_("Health insurance"), self.box("health_insurance", self.insurance))
        left.addRow(_("Pension"), self.box("pension", self.pension))

        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addWidget(topics_box, 1)
        texts = QGridLayout()
        texts.addWidget(QLabel(_("What would you like to consult about?")), 0, 0)
        texts.addWidget(QLabel(_("What kind of support do you hope for?")), 0, 1)
        texts.addWidget(self.box("consultation", self.consultation), 1, 0)
        texts.addWidget(self.box("hopes", self.hopes), 1, 1)
        layout = self.layout_
        layout.addLayout(top)
        layout.addLayout(texts, 1)
        layout.addWidget(self.general_error)
        order = ["received_on", "route", "referral_source", "work_status", "housing_status",
                 "health_insurance", "pension", "topics", "topic_other", "main_topic",
                 "consultation", "hopes"]  # focus goes to the first bad field in this order
        self.focus = {k: self.focus[k] for k in order if k in self.focus}
        self.connect_changes(self.received_on, self.received_by, *self.route.values(), self.source,
                             *self.topics.values(), self.main_topic, self.topic_other,
                             self.consultation, self.hopes, self.work, self.housing,
                             self.insurance, self.pension)

    def _route_changed(self) -> None:
        route = self.route_choice.value()
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
                "route": self.route_choice.value(), "referral_source": self.source.currentText(),
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
        self.route_choice.set_value(s.get("route", ""))
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
    def __init__(self, wizard: "IntakeWizard"):
        super().__init__(wizard, "triage", _("Triage and emergency support"),
                         _("A referral is never just a phone number: record whether you went "
                           "with the person and when to check that they arrived."))
        self.triage_choice = triage_box = radio(self, [(t.value, t.label) for t in Triage],
                                                columns=3)
        self.triage = triage_box.buttons
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
        rform.addRow(_("Referred to") + " *", self.box("referral_to", self.referral_to))
        rform.addRow("", self.accompanied)
        rform.addRow(_("Follow-up date") + " *", self.box("check_on", self.check_on,
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
        self.note = text_edit(60)
        eform = QVBoxLayout(self.emergency_box)
        actions_holder = QWidget()
        actions_holder.setLayout(agrid)
        eform.addWidget(self.box("emergency_actions", actions_holder,
                                 focus=self.actions[EmergencyAction.WELFARE.value]))
        eform.addWidget(QLabel(_("What was done")))
        eform.addWidget(self.box("emergency_note", self.note))

        layout = self.layout_
        layout.addWidget(QLabel(_("Result of triage") + " *"))
        layout.addWidget(self.box("triage", triage_box,
                                  focus=self.triage[Triage.CONTINUE.value]))
        layout.addWidget(self.refer_box)
        layout.addWidget(self.emergency_box)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        self.connect_changes(*self.triage.values(), self.referral_to, self.accompanied,
                             self.check_on, self.emergency_box, *self.actions.values(), self.note)

    def _triage_changed(self) -> None:
        self.refer_box.setEnabled(self.triage_choice.value() == Triage.REFER.value)

    def state(self) -> dict:
        return {"triage": self.triage_choice.value(),
                "referral_to": self.referral_to.currentText(),
                "accompanied": self.accompanied.isChecked(), "check_on": self.check_on.text(),
                "emergency_needed": self.emergency_box.isChecked(),
                "emergency_actions": [k for k, b in self.actions.items() if b.isChecked()],
                "emergency_note": self.note.toPlainText()}

    def restore(self, s: dict) -> None:
        self.triage_choice.set_value(s.get("triage", ""))
        self.referral_to.setEditText(s.get("referral_to", ""))
        self.accompanied.setChecked(bool(s.get("accompanied")))
        self.check_on.setText(s.get("check_on", ""))
        self.emergency_box.setChecked(bool(s.get("emergency_needed")))
        for key, box in self.actions.items():
            box.setChecked(key in s.get("emergency_actions", []))
        self.note.setPlainText(s.get("emergency_note", ""))


class ConsentPage(IntakePage):
    def __init__(self, wizard: "IntakeWizard"):
        super().__init__(wizard, "consent", _("Consent"),
                         _("Ask the person after explaining how personal information is handled."))
        clause = QLabel(_("“I agree that information is shared with the agencies needed for my "
                          "support.”"))
        clause.setWordWrap(True)
        clause.setStyleSheet("background: #f4f6f8; border: 1px solid #c8d0d8; padding: 10px;")
        self.consent_choice = consent_box = radio(
            self, [("yes", _("Agreed")), ("no", _("Not agreed"))], columns=2)
        self.consent = consent_box.buttons
        self.consent_on = DateField(_("Date of consent"))
        for button in self.consent.values():
            button.toggled.connect(self._consent_changed)
        form = QFormLayout()
        form.addRow(_("Consent to share information") + " *",
                    self.box("consent", consent_box, focus=self.consent["yes"]))
        form.addRow(_("Date of consent"), self.box("consent_on", self.consent_on,
                                                   focus=self.consent_on.edit))
        self.consent_on.setEnabled(False)
        layout = self.layout_
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
        return {"consent": self.consent_choice.value(), "consent_on": self.consent_on.text()}

    def restore(self, s: dict) -> None:
        self.consent_choice.set_value(s.get("consent", ""))
        self.consent_on.setText(s.get("consent_on", ""))
        self.consent_on.setEnabled(s.get("consent") == "yes")
