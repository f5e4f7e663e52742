"""The conflicts of the 同期 screen: one card per conflicting field with both values side by
side, who wrote each and when (user, device, time), the value applied now, and the choice
(keep this / keep that / another value; for a deleted record: keep / delete). The choice is
handed to ``Desk.resolve_conflict``; nothing here decides what wins."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QRadioButton, QScrollArea, QVBoxLayout, QWidget,
)

from app import text_ja
from app.domain import Sex, Stage
from app.domain.sync import SyncConflict
from app.i18n import N_, _
from app.security.roles import Role
from ui.widgets import ErrorLabel

# Tables and fields shown in Japanese; a key not listed here is shown as it is.
TABLE_LABELS = {
    "person": N_("Person"), "case_file": N_("Case"), "intake": N_("Intake"),
    "assessment": N_("Assessment"), "plan": N_("Plan"), "plan_item": N_("Plan item"),
    "support_record": N_("Support record"), "monitoring": N_("Monitoring"),
    "evaluation": N_("Evaluation"), "closure": N_("Closure"), "referral": N_("Referral"),
    "consent": N_("Consent"), "checkout": N_("Check-out"), "meeting": N_("Meeting"),
    "agenda_item": N_("Agenda item"), "decision": N_("Support decision"),
    "suspension": N_("Suspension"), "followup": N_("Follow-up"), "setting": N_("Setting"),
    "staff": N_("Staff"), "device": N_("Device"),
    "referral_source": N_("Referral source"), "service": N_("Service"),
    "assessment_master": N_("Assessment domain / checklist item"),
}
# Tables of master data (no case): their cards say so instead of a case number.
MASTER_TABLES = {"referral_source", "service", "assessment_master", "staff", "setting",
                 "device"}
FIELD_LABELS = {
    "person.name": N_("Name"), "person.kana": N_("Furigana"),
    "person.birth_date": N_("Date of birth"), "person.sex": N_("Sex"),
    "person.postal_code": N_("Postal code"), "person.address": N_("Address"),
    "person.phone_home": N_("Phone (home)"), "person.phone_mobile": N_("Phone (mobile)"),
    "person.email": N_("E-mail"), "person.sensitive": N_("Whereabouts protected"),
    "case_file.stage": N_("Stage"), "case_file.assignee_id": N_("Assigned to"),
    "case_file.next_monitoring_on": N_("Next monitoring"),
    "intake.consultation": N_("Consultation"), "intake.hopes": N_("Hopes"),
    "intake.main_topic": N_("Main topic"),
    "support_record.content": N_("Content"), "support_record.next_action": N_("Next action"),
    "plan.aim": N_("Aim"), "plan.goals": N_("Goals"), "plan.status": N_("Status"),
    "assessment.analysis": N_("Analysis"),
    "checkout.returned_on": N_("Returned on"),
    "referral_source.name": N_("Name"), "referral_source.route": N_("Route"),
    "service.name": N_("Name"), "assessment_master.name": N_("Name"),
    "staff.display_name": N_("Name"), "staff.role": N_("Role"), "staff.team": N_("Team"),
    "device.name": N_("Device name"),
    "referral_source.active": N_("Active"), "service.active": N_("Active"),
    "assessment_master.active": N_("Active"),
    "service.usual_months": N_("Usual duration"),
    "service.statutory": N_("Statutory service (法定サービス)"),
    "service.needs_decision": N_("Needs the municipality's support decision"),
    "service.employment": N_("Counted as employment support"),
}
# Fields holding 0 / 1: shown as はい / いいえ.
YES_NO_FIELDS = {"referral_source.active", "service.active", "assessment_master.active",
                 "service.statutory", "service.needs_decision", "service.employment",
                 "staff.active", "person.sensitive"}


# Process rules a merge can break (app/sync/merge.py, app/operations/master.py): what
# the card says, and how the rule is settled.
RULE_LABELS = {
    "two_approved_plans": N_("Two plans are approved for this case"),
    "duplicate_name": N_("The same name twice in one list"),
    "duplicate_key": N_("Added on two devices under the same key"),
}
RULE_NOTES = {
    "two_approved_plans": N_("This conflict is settled by the process step itself (for "
                             "example, end one of the two plans)."),
    "duplicate_name": N_("One entry was renamed, or added again, on another device under "
                         "the same name. Deactivate one of the two or rename it (管理 › "
                         "マスターデータ); records keep the name they were written with."),
    "duplicate_key": N_("A record made on another device needs the same key (for example "
                        "a user name) as one made earlier. The earlier one is used; the "
                        "other is held back and kept in the history. Tell the "
                        "administrator."),
}
# issue 15: the tables of running the desk (app/operations/region.py)
TABLE_LABELS.update({
    "social_resource": N_("Social resource"), "regional_issue": N_("Regional issue"),
    "regional_issue_case": N_("Case behind a regional issue"),
    "region_activity": N_("Activity with the region"), "staff_training": N_("Training"),
    "ojt_session": N_("OJT / case review"), "complaint": N_("Complaint"),
    "incident": N_("Near miss or accident"), "annual_plan": N_("Yearly plan")})
MASTER_TABLES |= {"social_resource", "regional_issue", "region_activity", "staff_training",
                  "ojt_session", "annual_plan"}
RULE_LABELS["duplicate_resource"] = N_("The same social resource twice")
RULE_NOTES["duplicate_resource"] = N_(
    "An entry of the social resource directory was renamed, or added again, on another "
    "device under the same name. Deactivate one of the two or rename it (地域・運営 › "
    "社会資源); records keep the name they were written with.")


def table_label(table: str) -> str:
    return _(TABLE_LABELS[table]) if table in TABLE_LABELS else table


def field_label(table: str, field: str) -> str:
    key = f"{table}.{field}"
    return _(FIELD_LABELS[key]) if key in FIELD_LABELS else field


# Fields holding a code: shown by its Japanese label.
CODED_FIELDS = {"person.sex": Sex, "case_file.stage": Stage, "staff.role": Role}


def value_text(value: Any, table: str = "", field: str = "") -> str:
    if value is None or value == "":
        return _("(empty)")
    if f"{table}.{field}" in YES_NO_FIELDS and value in (0, 1, True, False):
        return _("Yes") if value else _("No")
    coded = CODED_FIELDS.get(f"{table}.{field}")
    if coded is not None:
        try:
            return coded(value).label
        except ValueError:
            pass
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def when_text(iso: str | None) -> str:
    """A local ISO time as 令和8年11月27日 09:15."""
    if not iso:
        return _("never")
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{text_ja.format_wareki(moment.date(), 'long')} {moment:%H:%M}"


VALUE_STYLE = ("background: #f7f9fc; border: 1px solid #c9d3df; border-radius: 3px;"
               " padding: 4px 6px;")
APPLIED_STYLE = ("background: #eef7ee; border: 1px solid #8fc29a; border-radius: 3px;"
                 " padding: 4px 6px;")


class ConflictCard(QFrame):
    """One conflict. ``resolve(conflict_id, choice, value)`` is emitted on 確定."""

    resolve = Signal(str, str, object)

    def __init__(self, conflict: SyncConflict, *, can_edit: bool, refusal: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.conflict = conflict
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("conflictCard")
        self.setStyleSheet("#conflictCard { background: white; border: 1px solid #c3ccd6;"
                           " border-radius: 4px; }")
        c = conflict
        cases = "、".join(c.case_nos) or "—"
        kind = c.kind
        table = table_label(c.tbl)
        if c.record:   # master data: which entry
            table = f"{table}「{c.record}」"
        if kind == "field":
            what = f"{table}：{field_label(c.tbl, c.field)}"
        elif kind == "delete":
            what = _("{table}: deleted on one device, changed on the other").format(
                table=table)
        else:
            rule = RULE_LABELS.get(c.field)
            rule_text = _(rule) if rule else c.field
            if c.tbl in MASTER_TABLES:
                what = f"{table_label(c.tbl)}：{rule_text}"
            else:
                what = _("Process rule: {rule}").format(rule=rule_text)
        if c.case_nos or c.tbl not in MASTER_TABLES:
            heading = _("Case {case_no} — {what}").format(case_no=cases, what=what)
        else:
            heading = _("Master data — {what}").format(what=what)
        title = QLabel(heading)
        title.setStyleSheet("font-weight: bold; color: #1d3d5c;")
        title.setWordWrap(True)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.value_labels: dict[str, QLabel] = {}
        heads = ({"winner": _("Value A (applied now)"), "loser": _("Value B (not applied)")}
                 if kind != "rule" else
                 {"winner": _("Record A (in use)"), "loser": _("Record B (to check)")})
        for col, side in ((1, "winner"), (2, "loser")):
            head = QLabel(heads[side])
            head.setStyleSheet("font-weight: bold;")
            grid.addWidget(head, 0, col)
            # a deletion conflict: the loser deleted the record, the winner changed it;
            # a rule: the record flagged (loser) and the one kept (winner)
            if kind == "field":
                shown = value_text(c.side(side).value, c.tbl, c.field)
            elif kind == "delete":
                shown = (_("(deleted)") if side == "loser"
                         else _("(changed; the record is kept now)"))
            else:
                name = c.record if side == "loser" else c.kept_record
                shown = (_("{record} (kept)") if side == "winner"
                         else _("{record} (flagged)")).format(
                             record=name or table_label(c.tbl))
            value = QLabel(shown)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setStyleSheet(APPLIED_STYLE if side == "winner" else VALUE_STYLE)
            self.value_labels[side] = value
            grid.addWidget(value, 1, col)
            who = QLabel(_("{user} on {device}, {when}").format(
                user=c.side(side).user_name or c.side(side).user,
                device=c.side(side).device_name or c.side(side).device,
                when=when_text(c.side(side).time)))
            who.setStyleSheet("color: #445;")
            who.setWordWrap(True)
            grid.addWidget(who, 2, col)
        grid.addWidget(QLabel(_("Value")), 1, 0)
        grid.addWidget(QLabel(_("Written by")), 2, 0)
        if kind == "field":
            grid.addWidget(QLabel(_("Applied now")), 3, 0)
            self.applied = QLabel(value_text(c.applied_value, c.tbl, c.field))
            self.applied.setWordWrap(True)
            grid.addWidget(self.applied, 3, 1, 1, 2)

        self.choices = QButtonGroup(self)
        row = QHBoxLayout()
        self.other = QLineEdit()
        self.other.setEnabled(False)
        if kind == "field":
            options = [("winner", _("Keep value A")), ("loser", _("Keep value B")),
                       ("value", _("Enter another value:"))]
        elif kind == "delete":
            options = [("keep", _("Keep the record")), ("delete", _("Delete the record"))]
        else:
            options = []
        self.buttons: dict[str, QRadioButton] = {}
        for key, text in options:
            button = QRadioButton(text)
            self.buttons[key] = button
            self.choices.addButton(button)
            row.addWidget(button)
        if kind == "field":
            row.addWidget(self.other, 1)
            self.buttons["value"].toggled.connect(self.other.setEnabled)
            # only a text field the core can check may be typed in (Desk.conflicts_for_screen
            # says which); other values are chosen from the two sides
            typeable = c.typeable
            self.buttons["value"].setEnabled(typeable)
            if not typeable:
                self.buttons["value"].setToolTip(_(
                    "This value cannot be typed in: choose value A or value B."))
            self.other.setText("" if c.applied_value is None or not typeable
                               else str(c.applied_value))
        elif options:
            row.addStretch(1)
        self.ok = QPushButton(_("Resolve"))
        self.ok.clicked.connect(self._resolve)
        row.addWidget(self.ok)
        self.error = ErrorLabel()
        if not options:
            note = QLabel(_(RULE_NOTES.get(c.field, RULE_NOTES["two_approved_plans"])))
            note.setWordWrap(True)
            row.insertWidget(0, note, 1)
            self.ok.hide()
        if not can_edit:
            for button in self.buttons.values():
                button.setEnabled(False)
            self.ok.setEnabled(False)
            self.ok.setToolTip(refusal)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(grid)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def choose(self, choice: str, value: str | None = None) -> None:
        """Select a choice as a person would (used by tests and keyboard users alike)."""
        self.buttons[choice].setChecked(True)
        if value is not None:
            self.other.setText(value)

    def _resolve(self) -> None:
        checked = [k for k, b in self.buttons.items() if b.isChecked()]
        if not checked:
            self.error.show_message(_("Choose which value to keep."))
            return
        self.error.clear_message()
        choice = checked[0]
        self.resolve.emit(self.conflict.id, choice,
                          self.other.text() if choice == "value" else None)


class ConflictList(QWidget):
    """The open conflicts as cards in a scroll area. ``resolve`` is forwarded from the cards."""

    resolve = Signal(str, str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.cards: list[ConflictCard] = []
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.error = ErrorLabel()
        self.inner = QWidget()
        self.inner_layout = QVBoxLayout(self.inner)
        self.inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.inner)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(scroll, 1)

    def show_conflicts(self, conflicts: list[SyncConflict], *, can_edit: bool, refusal: str) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        for c in conflicts:
            card = ConflictCard(c, can_edit=can_edit, refusal=refusal)
            card.resolve.connect(self.resolve)
            self.inner_layout.insertWidget(self.inner_layout.count() - 1, card)
            self.cards.append(card)
        if conflicts:
            self.summary.setText(_("{n} conflicts wait for a decision. Value A is the one "
                                   "applied now; nothing was overwritten without a trace.")
                                 .format(n=len(conflicts)))
        else:
            self.summary.setText(_("There are no open conflicts."))

    def card_for(self, predicate: Callable[[SyncConflict], bool]) -> ConflictCard | None:
        return next((card for card in self.cards if predicate(card.conflict)), None)
