"""Agenda items belong to the caseworker too (issue 14): put what waits for the 支援調整
会議 on a meeting, move it to another one (a 随時 meeting today), or withdraw it with a
reason. Used by the 支援調整会議 screen and the case view (次にすること).

The dialogs call the core synchronously in ``submit()`` (one small write) and stay open
with the core's message when it refuses."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app import text_ja
from app.i18n import _
from app.domain.meeting import MeetingKind
from ui.dialogs.base import FormDialog, ReasonDialog

NEW_AD_HOC_TODAY = "__new_ad_hoc_today__"


def meeting_text(m) -> str:
    """令和8年12月3日（随時）役場2階 — how a meeting is named in a choice."""
    text = f"{text_ja.format_wareki(m.held_on, 'long')}（{m.kind.label}）"
    return f"{text} {m.place}" if m.place else text


class PutOnMeetingDialog(FormDialog):
    """Choose the meeting (not recorded yet, today or later) for an item waiting for the
    支援調整会議; whoever runs the meetings may also make a 随時 meeting today for it.

    ``item_id`` given: the item is on an agenda and is moved; else ``subject_id`` is put on
    the chosen meeting."""

    def __init__(self, desk, *, case_id: str | None = None, subject_id: str | None = None,
                 item_id: str | None = None, current_meeting: str | None = None,
                 what: str = "", parent: QWidget | None = None):
        moving = item_id is not None
        super().__init__(_("Move to another meeting") if moving else _("Put on a meeting"),
                         parent, intro=what, ok_text=_("Move") if moving else _("Put on"))
        self.desk = desk
        self.case_id, self.subject_id, self.item_id = case_id, subject_id, item_id
        self.result = None
        self.meeting = QComboBox()
        self.meeting.setMinimumWidth(380)
        try:
            meetings = [m for m in desk.process.open_meetings() if m.id != current_meeting]
        except Exception as error:  # noqa: BLE001 - shown to the user
            meetings = []
            self.error.show_message(str(error))
        for m in meetings:
            self.meeting.addItem(meeting_text(m), m.id)
        self.can_plan = _may_plan(desk)
        if self.can_plan and not any(m.held_on == desk.today() and m.kind is MeetingKind.AD_HOC
                                     for m in meetings):
            self.meeting.addItem(_("New ad hoc meeting today"), NEW_AD_HOC_TODAY)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("e.g. urgent: housing security benefit"))
        self.form.addRow(_("Meeting"), self.meeting)
        self.form.addRow(_("Reason (optional)"), self.reason)
        if self.meeting.count() == 0:
            self.error.show_message(_("No meeting is planned for today or later. Ask the "
                                      "chief to plan one (an ad hoc meeting can be today)."))
            self.ok_button.setEnabled(False)
        self.finish_layout()

    def submit(self) -> bool:
        chosen = self.meeting.currentData()
        if not chosen:
            return False
        desk = self.desk

        def run():
            meeting_id = chosen
            if chosen == NEW_AD_HOC_TODAY:
                meeting_id = desk.process.plan_meeting(desk.today(), MeetingKind.AD_HOC).id
            if self.item_id is not None:
                self.result = desk.process.move_agenda_item(self.item_id, meeting_id,
                                                    self.reason.text())
            else:
                self.result = desk.process.put_on_meeting(self.case_id, self.subject_id, meeting_id,
                                                  self.reason.text())

        return self.attempt(run)


class WithdrawDialog(ReasonDialog):
    """Withdraw an item from its meeting's agenda; the reason is required. What it was to
    approve still waits (it shows in 次にすること of the case)."""

    def __init__(self, desk, item_id: str, what: str = "", parent: QWidget | None = None):
        super().__init__(_("Withdraw from the agenda"),
                         (what + "\n" if what else "") + _(
                             "The item leaves this meeting's agenda. What it was to approve "
                             "still waits and can be put on another meeting."),
                         parent, ok_text=_("Withdraw"),
                         placeholder=_("e.g. the person wants to think about the plan again"))
        self.desk, self.item_id = desk, item_id
        self.result = None

    def submit(self) -> bool:
        if not super().submit():
            return False

        def run():
            self.result = self.desk.process.withdraw_agenda_item(self.item_id, self.reason())

        return self.attempt(run)


def _may_plan(desk) -> bool:
    try:
        return bool(desk.security.allowed("meetings"))
    except Exception:  # noqa: BLE001
        return False
