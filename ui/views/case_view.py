"""One case: header (number, name, reading, age), the stage bar, the intake as recorded, 印刷."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QMenu, QMessageBox, QPushButton, QScrollArea, QToolButton,
    QVBoxLayout, QWidget,
)

from app import text_ja
from app.domain import CONSULTATION_TOPICS, CaseDetail, EmergencyAction, Stage, Triage
from app.domain.intake import HOUSING_STATUSES, WORK_STATUSES
from app.errors import TsunaguError
from app.i18n import _
from ui import printing
from ui.background import run_in_background, serialized

OFF_PATH = {  # stages that leave the bar, and how to say so plainly
    Stage.REFERRED: "#b35c00", Stage.INFO_ONLY: "#5a6b00", Stage.SUSPENDED: "#8a1c1c",
}


def _wareki(d: date | None) -> str:
    return text_ja.format_wareki(d, "long") if d else ""


class StageBar(QWidget):
    """受付 → アセスメント → … → 終結, the current stage highlighted; off-path stages flagged."""

    def __init__(self, stage: Stage, parent: QWidget | None = None):
        super().__init__(parent)
        self.stage = Stage(stage)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        bar = Stage.bar()
        # An off-path case stopped at intake: intake is where it stands.
        current = self.stage if self.stage in bar else Stage.INTAKE
        index = bar.index(current)
        self.labels: dict[Stage, QLabel] = {}
        for i, step in enumerate(bar):
            label = QLabel(step.label)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumHeight(30)
            if step is current:
                style = ("background: #1f5f99; color: white; font-weight: bold;"
                         "border-radius: 4px; padding: 4px 10px;")
                label.setProperty("current", True)
            elif i < index:
                style = ("background: #d6e4f0; color: #1f3f5f; border-radius: 4px;"
                         "padding: 4px 10px;")
            else:
                style = ("background: white; color: #8a96a3; border: 1px solid #c8d0d8;"
                         "border-radius: 4px; padding: 4px 10px;")
            label.setStyleSheet(style)
            self.labels[step] = label
            row.addWidget(label)
            if i < len(bar) - 1:
                arrow = QLabel("→")
                arrow.setStyleSheet("color: #8a96a3;")
                row.addWidget(arrow)
        self.flag = QLabel()
        if self.stage in OFF_PATH:
            self.flag.setText(_("{stage} (ended at intake)").format(stage=self.stage.label)
                              if self.stage is not Stage.SUSPENDED else self.stage.label)
            self.flag.setStyleSheet(f"background: {OFF_PATH[self.stage]}; color: white;"
                                    "font-weight: bold; border-radius: 4px; padding: 4px 10px;")
            row.addSpacing(12)
            row.addWidget(self.flag)
        row.addStretch(1)


class CaseView(QWidget):
    """A case opened from the list. Printing goes to a private temporary folder and the PDF
    is handed to ``opener`` (injected; default: the system viewer)."""

    printed = Signal(str)  # path of the PDF

    def __init__(self, desk, detail: CaseDetail, parent: QWidget | None = None, *,
                 opener: printing.Opener | None = None,
                 warn: Callable[[str], None] | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.detail = detail
        self.opener = opener or printing.open_with_system_viewer
        self.warn = warn or (lambda text: QMessageBox.warning(self, _("Printing"), text))
        case, person = detail.case, detail.person
        intake = detail.intakes[-1] if detail.intakes else None

        number = QLabel(_("Case No. {case_no}").format(case_no=case.case_no))
        number.setStyleSheet("color: #445; font-size: 11pt;")
        name = QLabel(person.name)
        name.setStyleSheet("font-size: 20pt; font-weight: bold;")
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts = []
        if person.kana:
            facts.append(person.kana)
        if person.birth_date:
            facts.append(_("{date} (age {age})").format(
                date=_wareki(person.birth_date),
                age=text_ja.age_on(person.birth_date, self.desk.today())))
        facts.append(person.sex.label if hasattr(person.sex, "label") else str(person.sex))
        kana = QLabel("　".join(facts))
        kana.setStyleSheet("font-size: 11pt; color: #333;")

        self.print_button = QToolButton()
        self.print_button.setText(_("Print"))
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.print_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.print_button.setMinimumHeight(34)
        menu = QMenu(self.print_button)
        self.print_actions = {
            "filled": menu.addAction(_("Intake and application form (filled in)")),
            "no_consent": menu.addAction(_("Intake and application form without the consent clause")),
            "blank": menu.addAction(_("Intake and application form (blank, for handwriting)")),
        }
        self.print_actions["filled"].triggered.connect(lambda: self.print_intake("filled"))
        self.print_actions["no_consent"].triggered.connect(lambda: self.print_intake("no_consent"))
        self.print_actions["blank"].triggered.connect(lambda: self.print_intake("blank"))
        self.print_button.setMenu(menu)
        self.print_status = QLabel()

        head = QVBoxLayout()
        head.addWidget(number)
        head.addWidget(name)
        head.addWidget(kana)
        top = QHBoxLayout()
        top.addLayout(head, 1)
        side = QVBoxLayout()
        side.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignRight)
        side.addWidget(self.print_status, 0, Qt.AlignmentFlag.AlignRight)
        side.addStretch(1)
        top.addLayout(side)

        self.stage_bar = StageBar(case.stage)
        self.contents = QLabel(self._intake_html(intake))
        self.contents.setTextFormat(Qt.TextFormat.RichText)
        self.contents.setWordWrap(True)
        self.contents.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.contents.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.contents.setContentsMargins(8, 8, 8, 8)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setWidget(self.contents)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stage_bar)
        layout.addWidget(scroll, 1)

    # ---------------------------------------------------------------- contents
    def _intake_html(self, intake) -> str:
        person = self.detail.person
        sections: list[tuple[str, list[tuple[str, str]]]] = []
        contact = [(_("Address"), " ".join(x for x in (
            _("Postal code {code}").format(code=person.postal_code) if person.postal_code else "",
            person.address) if x)),
            (_("Phone (home)"), person.phone_home), (_("Phone (mobile)"), person.phone_mobile),
            (_("E-mail"), person.email)]
        if intake is None:
            sections.append((_("Basic information"), contact))
            return _sections_html(sections)
        labels = dict(CONSULTATION_TOPICS)
        main = [f"◎ {escape(_(labels[k]))}" for k in intake.topics if k == intake.main_topic]
        others = [f"○ {escape(_(labels[k]))}" for k in intake.topics if k != intake.main_topic]
        topics_html = "<br>".join(main + others)
        if intake.topic_other:
            topics_html += "<br>" + escape(_("Other ({detail})").format(detail=intake.topic_other))
        sections.append((_("Intake"), [
            (_("Received on"), _wareki(intake.received_on)),
            (_("Received by"), intake.received_by),
            (_("Route"), intake.route.label if intake.route else ""),
            (_("Referral source"), intake.referral_source),
        ]))
        if intake.visitor and intake.visitor.name:
            v = intake.visitor
            relation = (_("Family (relationship: {relation})").format(relation=v.relation_detail)
                        if v.relation == "family" else
                        _("Other ({detail})").format(detail=v.relation_detail))
            contact.append((_("Visitor"), f"{v.name}　{relation}　{v.phone}"))
        sections.append((_("Basic information"), contact))
        sections.append((_("What the consultation is about"), [
            (_("Items"), ("html", topics_html)),
            (_("What the person wants to consult about"), intake.consultation),
            (_("Help the person hopes for"), intake.hopes),
            (_("Work status"), _choice(WORK_STATUSES, intake.work_status)),
            (_("Housing situation"), _choice(HOUSING_STATUSES, intake.housing_status)),
            (_("Health insurance"), intake.health_insurance),
            (_("Pension"), intake.pension),
        ]))
        triage = [(_("Triage"), intake.triage.label if intake.triage else "")]
        if intake.triage is Triage.REFER:
            triage += [(_("Referred to"), intake.referral_to),
                       (_("Accompanied"), _("Yes") if intake.accompanied else _("No")),
                       (_("Follow-up date"), _wareki(intake.check_on))]
        if intake.emergency_needed:
            actions = []
            for value in intake.emergency_actions:
                action = EmergencyAction(value)
                text = escape(action.label)
                if action.statutory:
                    text += (" <span style='color:#b35c00; font-weight:bold;'>"
                             + escape(_("(pending municipal procedure)")) + "</span>")
                actions.append(text)
            triage.append((_("Emergency support"), ("html", "<br>".join(actions) or "—")))
            triage.append((_("What was done"), intake.emergency_note))
        else:
            triage.append((_("Emergency support"), _("Not needed")))
        sections.append((_("Triage and emergency support"), triage))
        consent = (_("Agreed (on {date})").format(date=_wareki(intake.consent_on))
                   if intake.consent else _("Not agreed") if intake.consent is False else "")
        sections.append((_("Consent"), [(_("Consent to share information"), consent)]))
        return _sections_html(sections)

    # ---------------------------------------------------------------- printing
    def print_intake(self, kind: str) -> None:
        """Write the PDF off the GUI thread, then hand it to the opener; show font warnings."""
        case = self.detail.case
        blank = kind == "blank"
        consent = kind != "no_consent"
        path = printing.new_pdf_path(f"intake-{'blank' if blank else case.case_no}")
        desk = self.desk
        self.print_button.setEnabled(False)
        self.print_status.setText(_("Preparing the PDF…"))

        def work():
            return desk.print_intake(None if blank else case.id, path, blank=blank,
                                     consent=consent)

        def done(warnings: list[str]) -> None:
            self.print_button.setEnabled(True)
            self.print_status.setText("")
            printing.open_pdf(path, self.opener)
            self.printed.emit(str(path))
            if warnings:
                self.warn("\n".join(warnings))

        def failed(error: BaseException) -> None:
            self.print_button.setEnabled(True)
            self.print_status.setText("")
            self.warn(str(error) if isinstance(error, TsunaguError) else
                      _("The PDF could not be written: {error}").format(error=error))

        run_in_background(self, work, done, failed)


def _choice(options: list[tuple[str, str]], key: str) -> str:
    return _(dict(options)[key]) if key in dict(options) else ""


def _sections_html(sections) -> str:
    parts = []
    for title, rows in sections:
        parts.append(f"<h3 style='color:#1d3d5c; margin:10px 0 4px 0;'>{escape(title)}</h3>"
                     "<table cellspacing='0' cellpadding='3'>")
        for label, value in rows:
            if isinstance(value, tuple):
                shown = value[1]
            else:
                shown = escape(value or "—").replace("\n", "<br>")
            parts.append(f"<tr><td style='color:#556; padding-right:18px;' valign='top' "
                         f"width='180'>{escape(label)}</td><td valign='top'>{shown}</td></tr>")
        parts.append("</table>")
    return "".join(parts)
