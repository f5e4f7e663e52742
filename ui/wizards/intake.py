"""相談受付 wizard: 本人情報 → 相談内容 → 振り分け・緊急支援 → 同意 → 確認 → 登録, on the frame of
every wizard (ui/wizards/base.py ``FormWizard``; its pages in ui/wizards/intake_pages.py).

Pages are thin: they show fields, hand the answers to ``desk.check_intake`` page by page and
show the core's messages under the fields. Nothing is written until 登録, except the draft,
written off the GUI thread when typing pauses, on page change, on closing and at the screen
lock (ui/wizards/draft.py), so a lock loses nothing.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QListWidget, QMessageBox, QVBoxLayout, QWidget,
)

from app import text_ja
from app.desk import INTAKE_PAGES
from app.domain import (
    CONSULTATION_TOPICS, EmergencyAction, IntakeInput, Person, PersonInput, Route, Sex, Triage,
    Visitor,
)
from app.errors import ValidationError
from app.i18n import _
from ui.background import read_in_background, run_in_background
from ui.dialogs.base import error_text
from ui.dialogs import drafts
from ui.widgets import DateField
from ui.wizards.base import FormWizard
from ui.wizards.inputs import wareki
from ui.wizards.intake_pages import ConsentPage, ConsultationPage, PersonPage, TriagePage
from ui.wizards.pages import FormPage

DRAFT_KEY = "intake:new"


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
        choices.addItem(f"{p.name}　{wareki(p.birth_date)}　{cases}")
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



# ---------------------------------------------------------------------- the wizard
class IntakeWizard(FormWizard):
    """新規相談受付. Emits ``registered(case_id)`` after 登録."""

    registered = Signal(str)
    draft_words = drafts.INTAKE_DRAFT
    help_page = "intake"
    confirm_subtitle = ""   # set in __init__ (translated)

    def __init__(self, desk, parent: QWidget | None = None, *,
                 ask_restore_draft: Callable[[], bool] | None = None,
                 ask_keep_draft: Callable[[], bool] | None = None,
                 ask_same_person: Callable[[list[Person]], Person | None] | None = None,
                 show_error: Callable[[str], None] | None = None,
                 ask_close: Callable[[], str] | None = None):
        self.finish_text = _("Register")
        self.busy_text = _("Registering…")
        self.failed_text = _("The intake could not be registered: {error}")
        self.confirm_subtitle = _("Check the contents. Nothing is saved in the records until "
                                  "you press Register.")
        super().__init__(desk, parent, ask_restore_draft=ask_restore_draft,
                         ask_keep_draft=ask_keep_draft,
                         show_error=show_error or (lambda text: show_error_dialog(self, text)),
                         ask_close=ask_close)
        self.ask_same_person = ask_same_person or (lambda ps: ask_same_person_dialog(self, ps))
        self.existing_person: Person | None = None
        self._asked_identity: tuple[str, date | None] | None = None
        self.case_id: str | None = None
        self._pending_intake: IntakeInput | None = None

        self.setWindowTitle(_("New intake"))
        from ui.help import install_wizard_help   # ヘルプ (F1), issue 18
        install_wizard_help(self)
        self.person = PersonPage(self)
        self.consultation = ConsultationPage(self)
        self.triage = TriagePage(self)
        self.consent = ConsentPage(self)
        self.assemble([self.person, self.consultation, self.triage, self.consent], 1040, 760)

        self._restoring = True
        self.consultation.received_on.set_date(self.desk.today())
        self.consultation.received_by.setEditText(self.desk.user.display_name)
        self._restoring = False
        self.offer_draft()

    @property
    def draft_key(self) -> str:
        return DRAFT_KEY

    # ---------------------------------------------------------------- drafts
    def payload(self) -> dict[str, Any]:
        """The whole form as typed (JSON-serialisable), dates as text even when unreadable."""
        data = super().payload()
        data["existing_person_id"] = self.existing_person.id if self.existing_person else ""
        return data

    def restore(self, payload: dict[str, Any]) -> None:
        super().restore(payload)
        person_id = payload.get("existing_person_id") or ""
        if person_id:
            self.existing_person = Person(id=person_id, name=payload.get("name", ""))

    def has_input(self) -> bool:
        p = self.payload()
        return any(p.get(k) for k in ("name", "kana", "birth_date", "address", "topics",
                                      "consultation", "route", "triage"))

    def worth_keeping(self) -> bool:
        return self.has_input()

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

    def page_errors(self, page: FormPage) -> list[ValidationError]:
        """Dates of ``page`` that cannot be read, then the core's ``check_intake`` of it."""
        data, parse_errors = self.intake_input()
        bad = {e.field for e in parse_errors}
        mine = [e for e in parse_errors if page.owns(e)]
        return mine + [e for e in self.desk.check_intake(data, {page.key})
                       if e.field not in bad]

    def check_page(self, page: FormPage,
                   done: Callable[[list[ValidationError] | None], None]) -> None:
        """``check_intake`` of the page (pure: at once); after 本人情報, a person already
        registered with the same name and birth date is looked for on the background
        reading path (it reads and audits) and offered: attach the intake to them, or go
        back to the page (Esc, 戻って確認する: ``done(None)``, asked again on 次へ)."""
        errors = self.page_errors(page)
        if errors or page is not self.person:
            done(errors)
            return
        data, _errors = self.intake_input()
        identity = (data.person.name.strip(), data.person.birth_date)
        if identity == self._asked_identity:
            done([])
            return
        self.existing_person = None

        def answered(found: list[Person]) -> None:
            if found:
                answer = self.ask_same_person(found)
                if answer is BACK_TO_PAGE or answer == BACK_TO_PAGE:
                    self._asked_identity = None
                    done(None)
                    return
                self.existing_person = answer
            self._asked_identity = identity
            self.field_changed()
            done([])

        name, birth = identity
        if not name or birth is None:
            answered([])              # nobody to look for (the core would read nothing)
            return
        read_in_background(self, self.desk, lambda reader: reader.find_same_person(name, birth),
                           answered,
                           lambda error: done([ValidationError("", error_text(error))]))

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
            age = _("{date} (age {age})").format(date=wareki(p.birth_date),
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
            triage += "　" + _("Follow-up on: {date}").format(date=wareki(data.check_on))
        emergency = _("Not needed")
        if data.emergency_needed:
            emergency = "、".join(_action_text(a) for a in data.emergency_actions)
            if data.emergency_note:
                emergency += f"（{data.emergency_note}）"
        consent = _("Not agreed") if data.consent is False else (
            _("Agreed (on {date})").format(date=wareki(data.consent_on)) if data.consent else "")
        rows = [
            row(_("Name"), f"{p.name}（{p.kana}）" if p.kana else p.name), row(_("Date of birth"), age),
            row(_("Sex"), p.sex.label), row(_("Address"), f"{p.postal_code} {p.address}"),
            row(_("Phone"), " / ".join(x for x in (p.phone_home, p.phone_mobile) if x)),
        ]
        if self.existing_person:
            rows.append(row(_("Person"), _("Attached to the person already registered")))
        rows += [
            row(_("Date of intake"), wareki(data.received_on)),
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

    def prepared(self) -> tuple[Callable[[], Any], list[ValidationError]]:
        data, errors = self.intake_input()
        errors += self.desk.check_intake(data, set(INTAKE_PAGES))
        desk = self.desk
        self._pending_intake = data
        return (lambda: desk.register_intake(data)), errors

    def on_failed(self, error: BaseException) -> bool:
        from app.operations.guide_rules import OpenCaseExists
        if isinstance(error, OpenCaseExists):
            self._offer_open_case(error)
            return True
        return False

    def _offer_open_case(self, error) -> None:
        """One open case per person (issue 19): the consultation goes into the open case as a
        相談 record; a new case only when that case is ending, with the reason.
        ``ask_open_case`` (replaceable, e.g. by tests) answers ("record", "") or
        ("new", reason) or None."""
        ask = getattr(self, "ask_open_case", None) or self._open_case_dialog
        answer = ask(error)
        data, desk, case_id = self._pending_intake, self.desk, error.case_id
        if answer and answer[0] == "record":
            self._busy()
            run_in_background(self, lambda: desk.process.record_consultation(case_id, data),
                              lambda _r: self._recorded_in(case_id), self._failed)
        elif answer and answer[0] == "new" and error.ending and answer[1].strip():
            self._busy()
            run_in_background(self, lambda: desk.register_intake(
                data, new_case_reason=answer[1]), self._recorded, self._failed)
        else:
            self.confirm.show_refusal(str(error))

    def _busy(self) -> None:
        self.confirm.busy = True
        self.confirm.status.setText(self.busy_text)
        self._buttons(False)

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

    def _recorded_in(self, case_id: str) -> None:
        """The consultation went into the person's open case as a 相談 record."""
        self.case_id = case_id
        self._recorded(None)

    def on_recorded(self, detail) -> None:
        if detail is not None:
            self.case_id = detail.case.id
        self.registered.emit(self.case_id)


def _action_text(value: str) -> str:
    action = EmergencyAction(value)
    text = action.label
    if action.statutory:
        text += _("(pending municipal procedure)")
    return text
