"""支援調整会議: the meetings (past and planned), planning one, its agenda (cases by number and
initials), pulling in every case waiting for the meeting, and recording all results on one
screen — 了承 / 修正のうえ了承 (with conditions) / 再検討 — with the minutes and the next date.

Everything is read and written through the Desk, off the GUI thread, with queries that read
only what is shown: ``desk.process.meetings()`` (the first rows of the list and how many there are,
「すべて表示」 for the rest), ``desk.process.meeting()`` and ``desk.process.agenda_people()`` for the chosen
meeting, ``desk.process.agenda_candidates()`` for what waits to be pulled in. The screen never goes
through every case, so it stays instant however many the desk holds.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget, QFrame, QScrollArea,
)

from app import process as P
from app.errors import PermissionDenied, TsunaguError, ValidationErrors
from app.i18n import N_, _
from app.domain.meeting import AgendaItem, AgendaKind, Meeting, MeetingSummary
from forms.sheets import render
from ui import printing
from ui.areas import Area, register
from ui.background import read_in_background, run_in_background, serialized
from ui.changes import Changes, StaleFlag
from ui.views.meeting_tables import (COL_CONDITIONS, COL_MESSAGE, COL_RESULT, AgendaModel,
                                     MeetingTableModel, ResultDelegate, _d, initials, may, pull_in)
from ui.views.meeting_widgets import AgendaTable, ParticipantsEditor, PlanMeetingDialog, _FitLayout
from ui.widgets import DateField, ErrorLabel, heading


class MeetingsView(QWidget):
    """The 支援調整会議 area: meetings on the left, the chosen one on the right."""

    open_case = Signal(str)
    recorded = Signal(str)   # meeting id
    # Meetings listed at first (newest first); 「すべて表示」 lists the others.
    list_rows: int = 200

    def __init__(self, desk, parent: QWidget | None = None, *,
                 opener: printing.Opener | None = None,
                 dialog_shown: Callable[[QDialog], None] | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self._read_once = False
        self._stale = StaleFlag()   # an operation elsewhere changed meetings or cases
        self.opener = opener or printing.open_with_system_viewer
        # how a dialog is shown (tests get the dialog instead of a window)
        self.dialog_shown = dialog_shown or (lambda dialog: dialog.open())
        self.meeting: Meeting | None = None
        self.show_all = False       # 「すべて表示」 was asked for: later refreshes keep it
        self.total = 0              # how many meetings there are (the core counts them)
        self.can_edit = may(self.desk, "edit_cases")
        self.dialog: PlanMeetingDialog | None = None
        self._loading = 0

        # ---- left: the meetings
        self.meetings_model = MeetingTableModel(self)
        self.meetings_table = QTableView()
        self.meetings_table.setModel(self.meetings_model)
        self.meetings_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.meetings_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.meetings_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.meetings_table.verticalHeader().hide()
        self.meetings_table.setAlternatingRowColors(True)
        self.meetings_table.setWordWrap(False)   # 場所 elided in one line, whole in its tooltip
        self.meetings_table.setTabKeyNavigation(False)   # Tab leaves the list (arrows move in it)
        header = self.meetings_table.horizontalHeader()
        header.setStretchLastSection(False)
        for col, width in enumerate((128, 64, 110, 40, 84)):
            self.meetings_table.setColumnWidth(col, width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.meetings_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.meetings_table.selectionModel().currentRowChanged.connect(self._meeting_chosen)
        self.plan_button = QPushButton(_("Plan a meeting"))
        self.plan_button.clicked.connect(self.plan_meeting)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.setToolTip("F5")
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.banner = ErrorLabel()
        top = QHBoxLayout()
        top.addWidget(self.plan_button)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(heading(_("Support coordination meetings")))
        left_layout.addLayout(top)
        left_layout.addWidget(self.meetings_table, 1)
        # a long list: its first rows are shown, the rest on request (as on the dashboard)
        self.more_label = QLabel()
        self.more_label.setStyleSheet("color: #667;")
        self.more_button = QPushButton(_("Show all"))
        self.more_button.clicked.connect(self.load_all)
        more = QHBoxLayout()
        more.addWidget(self.more_label)
        more.addWidget(self.more_button)
        more.addStretch(1)
        left_layout.addLayout(more)
        self.more_label.hide()
        self.more_button.hide()

        # ---- right: one meeting
        self.title = heading("")
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setStyleSheet("color: #334;")
        self.pull_button = QPushButton(_("Pull in the cases waiting for a result"))
        self.pull_button.clicked.connect(self.pull_in_waiting)
        self.print_agenda_button = QPushButton(_("Print the agenda"))
        self.print_record_button = QPushButton(_("Print the record"))
        self.print_agenda_button.clicked.connect(lambda: self.print_meeting("agenda"))
        self.print_record_button.clicked.connect(lambda: self.print_meeting("minutes"))
        self.can_print = may(self.desk, "print")   # desk.paper.print_meeting
        for button in (self.print_agenda_button, self.print_record_button):
            button.setVisible(self.can_print)
        self.status = QLabel()
        self.status.setStyleSheet("color: #245;")
        self.status.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.pull_button)
        actions.addStretch(1)
        actions.addWidget(self.print_agenda_button)
        actions.addWidget(self.print_record_button)

        self.agenda_model = AgendaModel(self)
        self.agenda_table = AgendaTable()
        self.agenda_table.setModel(self.agenda_model)
        self.agenda_table.setItemDelegate(ResultDelegate(self.agenda_table))
        self.agenda_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.agenda_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.agenda_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.agenda_table.verticalHeader().hide()
        self.agenda_table.verticalHeader().setDefaultSectionSize(32)
        header = self.agenda_table.horizontalHeader()
        header.setStretchLastSection(False)
        for col, width in enumerate((34, 82, 112, 70, 160, 136, 190, 170)):
            self.agenda_table.setColumnWidth(col, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.agenda_table.setWordWrap(True)
        # the core's messages: the row turns red, the text is its tooltip and is listed
        # under the agenda with the item's number (a column would squeeze the summary)
        self.agenda_table.setColumnHidden(COL_MESSAGE, True)
        self.agenda_table.doubleClicked.connect(self._agenda_double_clicked)
        self.agenda_table.open_case.connect(self.open_case)
        self.agenda_model.modelReset.connect(self._open_editors)

        self.issue = QLineEdit()
        self.issue.setPlaceholderText(_("A missing social resource noticed at the meeting"))
        self.issue_button = QPushButton(_("Add a regional issue"))
        self.issue_button.clicked.connect(self.add_regional_issue)
        self.issue.returnPressed.connect(self.add_regional_issue)
        issue_row = QHBoxLayout()
        issue_row.addWidget(QLabel(_("Regional issue")))
        issue_row.addWidget(self.issue, 1)
        issue_row.addWidget(self.issue_button)

        self.participants = ParticipantsEditor()
        self.participants.table.setMinimumHeight(70)
        self.minutes = QPlainTextEdit()
        self.minutes.setPlaceholderText(_("Minutes of the meeting (who said what, what was "
                                          "agreed)"))
        self.minutes.setMinimumHeight(60)
        self.minutes.setTabChangesFocus(True)   # Tab goes on to the next field
        self.next_date = DateField(_("Next meeting"))
        self.save_button = QPushButton(_("Save the results"))
        self.save_button.setStyleSheet("background: #1f5f99; color: white; font-weight: bold;"
                                       "border-radius: 4px; padding: 6px 16px;")
        self.save_button.clicked.connect(self.save_results)
        self.error = ErrorLabel()
        # the core's messages scroll in a box of fixed height: they never squeeze the agenda
        # or grow the window (issue 14)
        self.error_box = QScrollArea()
        self.error_box.setWidgetResizable(True)
        self.error_box.setFrameShape(QFrame.Shape.NoFrame)
        self.error_box.setWidget(self.error)
        self.error_box.setFixedHeight(48)
        self.error_box.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.error.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        record = QFormLayout()
        record.addRow(_("Participants"), self.participants)
        # 自治体は原則参画: without it, the confirmation goes into the minutes (issue 19)
        self.municipality_absence = QLineEdit()
        self.municipality_absence.setPlaceholderText(_(
            "Only when no one from the municipality took part: why the meeting went ahead"))
        record.addRow(_("Why the meeting went ahead without the municipality"),
                      self.municipality_absence)
        record.addRow(_("Minutes"), self.minutes)
        record.addRow(_("Next meeting"), self.next_date)
        save_row = QHBoxLayout()
        save_row.addWidget(self.error_box, 1)
        save_row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        # an item waiting for its result: moved to another meeting, or withdrawn (issue 14)
        self.move_button = QPushButton(_("Move the item to another meeting…"))
        self.move_button.clicked.connect(self.move_selected_item)
        self.withdraw_button = QPushButton(_("Withdraw the item…"))
        self.withdraw_button.clicked.connect(self.withdraw_selected_item)
        item_row = QHBoxLayout()
        item_row.addWidget(self.move_button)
        item_row.addWidget(self.withdraw_button)
        item_row.addStretch(1)
        self.agenda_table.setMinimumHeight(140)   # four rows always show
        self.agenda_table.selectionModel().currentRowChanged.connect(
            lambda *_a: self._item_buttons())

        self.detail = QWidget()
        right = _FitLayout(self.detail)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.title)
        right.addWidget(self.info)
        right.addLayout(actions)
        right.addWidget(self.status)
        right.addWidget(self.agenda_table, 3)
        right.addLayout(item_row)
        right.addLayout(issue_row)
        right.addLayout(record, 2)
        right.addLayout(save_row)
        self.empty = QLabel(_("Choose a meeting on the left, or plan one."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #667;")
        right_box = QWidget()
        box = QVBoxLayout(right_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.empty)
        # the meeting scrolls as a whole on a small screen (1280×720): the agenda keeps its
        # rows, nothing grows the window
        self.detail_scroll = QScrollArea()
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_scroll.setWidget(self.detail)
        box.addWidget(self.detail_scroll)
        self.detail_scroll.hide()

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([450, 830])
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        QShortcut(QKeySequence("F5"), self, activated=lambda: self.refresh())
        if not self.can_edit:
            self._refuse_editing(_("Your role can read meetings but not plan or record them."))

    # ---------------------------------------------------------------- loading
    def busy(self) -> bool:
        return self._loading > 0

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Read when first shown, then again only after an operation elsewhere changed
        meetings or cases (ui/changes.py) — or on F5."""
        super().showEvent(event)
        if not self._read_once:
            self.refresh()
        else:
            self._stale.shown(self.refresh)

    def on_operation_did_execute(self, changes: Changes, source: object) -> None:
        if source is not self and (changes.meetings or changes.any_case):
            self._stale.changed(self.isVisible(), self.refresh)

    def refresh(self, select: str | None = None) -> None:
        """Reload the meetings (and the chosen one) in the background."""
        self._read_once = True
        desk, limit = self.desk, None if self.show_all else self.list_rows
        select = select or (self.meeting.id if self.meeting else None)
        self._loading += 1

        def load(desk):
            return desk.process.meetings(limit=limit), desk.today()

        def show(result) -> None:
            self._loading -= 1
            (meetings, total), today = result
            self.banner.clear_message()
            self._show_rows(meetings, total, today)
            row = self.meetings_model.row_of(select) if select else -1
            if row < 0 and meetings and select is None:
                # the nearest meeting still to record (the first of that day), else the newest
                waiting = [i for i, m in enumerate(meetings) if not m.held]
                nearest = meetings[waiting[-1]].held_on if waiting else None
                row = next((i for i in waiting if meetings[i].held_on == nearest), 0)
            if row >= 0:
                selection = self.meetings_table.selectionModel()
                selection.blockSignals(True)
                self.meetings_table.selectRow(row)
                selection.blockSignals(False)
                self.load_meeting(self.meetings_model.rows[row].id)
            elif select is not None:
                # a meeting beyond the first rows (opened from the dashboard): shown anyway
                self.meetings_table.clearSelection()
                self.load_meeting(select)
            else:
                self.show_meeting(None, {})

        read_in_background(self, self.desk, load, show, self._load_failed)

    def _show_rows(self, meetings: list[MeetingSummary], total: int, today: date) -> None:
        self.meetings_model.set_rows(meetings, today)
        self.total = max(total, len(meetings))
        partial = self.total > len(meetings)
        self.more_label.setText(_("The first {shown} of {total} are listed.").format(
            shown=len(meetings), total=self.total) if partial else "")
        self.more_label.setVisible(partial)
        self.more_button.setVisible(partial)
        self.more_button.setEnabled(True)

    def load_all(self) -> None:
        """「すべて表示」: every meeting listed, the chosen one kept."""
        self.show_all = True
        self.more_button.setEnabled(False)   # until the whole list is shown
        self.refresh()

    def select_meeting(self, meeting_id: str) -> None:
        self.refresh(select=meeting_id)

    def _meeting_chosen(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if not current.isValid():
            return
        self.load_meeting(self.meetings_model.data(current, Qt.ItemDataRole.UserRole))

    def load_meeting(self, meeting_id: str) -> None:
        desk = self.desk
        self._loading += 1

        def load(desk):
            meeting = desk.process.meeting(meeting_id)
            people = {}
            if any(i.case_id for i in meeting.items):
                for case_id, (name, kana) in desk.process.agenda_people(meeting_id).items():
                    people[case_id] = (initials(kana, name), name)
            return meeting, people

        def show(result) -> None:
            self._loading -= 1
            self.show_meeting(*result)

        read_in_background(self, self.desk, load, show, self._load_failed)

    def _load_failed(self, error: BaseException) -> None:
        self._loading -= 1
        self.more_button.setEnabled(True)
        text = str(error) if isinstance(error, TsunaguError) else repr(error)
        if isinstance(error, PermissionDenied):
            self._refuse_editing(text)
            self.refresh_button.setEnabled(True)
        self.banner.show_message(text)

    def _refuse_editing(self, text: str) -> None:
        self.can_edit = False
        for w in (self.plan_button, self.pull_button, self.issue_button, self.save_button,
                  self.move_button, self.withdraw_button):
            w.setEnabled(False)
            w.setToolTip(text)

    # ---------------------------------------------------------------- showing one meeting
    def show_meeting(self, meeting: Meeting | None, people: dict[str, tuple[str, str]]) -> None:
        same = meeting is not None and self.meeting is not None and self.meeting.id == meeting.id
        self.meeting = meeting
        self.agenda_model.set_meeting(meeting, people)
        if not same:  # what the last action said stays while its meeting is shown
            self.error.clear_message()
            self.status.setText("")
        self.empty.setVisible(meeting is None)
        self.detail.setVisible(meeting is not None)
        self.detail_scroll.setVisible(meeting is not None)
        if meeting is None:
            return
        self.title.setText(_("Support coordination meeting of {date} ({kind})").format(
            date=_d(meeting.held_on), kind=meeting.kind.label))
        lines = []
        if meeting.place:
            lines.append(_("Place: {place}").format(place=meeting.place))
        if meeting.participants:
            lines.append(_("Participants: {names}").format(names="、".join(
                f"{p.name}（{p.organisation}）" if p.organisation else p.name
                for p in meeting.participants)))
        if meeting.next_meeting_on:
            lines.append(_("Next meeting: {date}").format(date=_d(meeting.next_meeting_on)))
        self.info.setText("　".join(lines) if lines else "")
        self.participants.set_participants(meeting.participants)
        self.minutes.setPlainText(meeting.minutes)
        self.next_date.set_date(meeting.next_meeting_on)
        open_ = not meeting.held
        for w in (self.pull_button, self.issue_button, self.issue, self.save_button,
                  self.minutes, self.next_date, self.participants):
            w.setEnabled(open_ and self.can_edit)
        self.save_button.setVisible(open_)
        pending = self.agenda_model.pending_count()
        self.save_button.setText(_("Save the results chosen") if pending > 1
                                 else _("Save the results"))
        self.print_record_button.setEnabled(meeting.held)
        self._item_buttons()
        if meeting.held:
            self.status.setText(_("The results of this meeting are recorded."))
        elif not same or not self.status.text():
            decided = sum(1 for i in meeting.items if i.result is not None)
            if decided and pending:
                self.status.setText(_("{done} results recorded; {left} items still wait. "
                                      "Record them now or later, or move or withdraw them.")
                                    .format(done=decided, left=pending))
            elif pending and meeting.held_on > self.desk.today():
                self.status.setText(_("Results can be recorded from the day of the meeting."))

    def _open_editors(self) -> None:
        for row in range(self.agenda_model.rowCount()):
            if self.agenda_model.item_editable(row) and self.can_edit:
                for col in (COL_RESULT, COL_CONDITIONS):
                    index = self.agenda_model.index(row, col)
                    self.agenda_table.openPersistentEditor(index)
                    editor = self.agenda_table.indexWidget(index)
                    if editor is not None:
                        self.agenda_table.adopt(editor)

    def editor(self, row: int, column: int) -> QWidget | None:
        """The in-place editor of a 結果 or 条件 cell (tests and keyboard users)."""
        return self.agenda_table.indexWidget(self.agenda_model.index(row, column))

    def _agenda_double_clicked(self, index: QModelIndex) -> None:
        if index.column() not in (COL_RESULT, COL_CONDITIONS) or \
                not self.agenda_model.item_editable(index.row()):
            self.agenda_table._open(index)

    # ---------------------------------------------------------------- actions
    def plan_meeting(self) -> PlanMeetingDialog:
        dialog = PlanMeetingDialog(self.desk, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.planned.connect(lambda m: self.select_meeting(m.id))
        # a regular meeting usually has the same members: start from the latest list
        latest = next((m for m in self.meetings_model.rows if m.participants), None)
        if latest is not None:
            dialog.participants.set_participants(latest.participants)
        self.dialog = dialog
        self.dialog_shown(dialog)
        return dialog

    def pull_in_waiting(self) -> None:
        if self.meeting is None:
            return
        desk, meeting_id = self.desk, self.meeting.id
        self.pull_button.setEnabled(False)
        self.status.setText(_("Looking for the cases waiting for a result…"))
        self._loading += 1

        def done(result) -> None:
            self._loading -= 1
            self.pull_button.setEnabled(self.can_edit)
            added, problems, elsewhere = result
            text = _("{count} items added to the agenda.").format(count=added) if added else \
                _("No case is waiting for a result.")
            if elsewhere:
                text += " " + _("{count} items are on the agenda of other meetings not held "
                                "yet: select one there and use “Move the item to another "
                                "meeting”, or use the button in the case.").format(
                                    count=elsewhere)
            self.status.setText(text)
            self.error.show_message("\n".join(problems))
            self.refresh(select=meeting_id)

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.pull_button.setEnabled(self.can_edit)
            self.status.setText("")
            self.error.show_message(str(error))

        run_in_background(self, lambda: pull_in(desk, meeting_id), done, failed)

    def add_regional_issue(self) -> None:
        if self.meeting is None:
            return
        desk, meeting_id, text = self.desk, self.meeting.id, self.issue.text()
        self._loading += 1

        def done(_item) -> None:
            self._loading -= 1
            self.issue.clear()
            self.error.clear_message()
            self.refresh(select=meeting_id)

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.error.show_message(str(error))
            self.issue.setFocus()

        run_in_background(self, lambda: desk.process.add_agenda_item(
            meeting_id, AgendaKind.REGIONAL_ISSUE, summary=text), done, failed)

    def save_results(self) -> None:
        """Everything on the screen goes to the core in one call; the core's messages come
        back to the item (or field) they are about, and nothing is saved if there is one."""
        if self.meeting is None:
            return
        self.agenda_table.setFocus()  # commit an editor still open
        self.error.clear_message()
        self.agenda_model.set_messages({})
        try:
            next_on = self.next_date.parsed("next_meeting_on")
        except TsunaguError as e:
            self.error.show_message(str(e))
            return
        desk, meeting_id = self.desk, self.meeting.id
        results = self.agenda_model.results()
        if not results and self.agenda_model.pending_count():
            self.error.show_message(_("Choose the result of at least one item; the others can "
                                      "be recorded later, moved or withdrawn."))
            return
        left = self.agenda_model.pending_count() - len(results)
        minutes = self.minutes.toPlainText()
        people = self.participants.participants()
        absence = self.municipality_absence.text()
        self.save_button.setEnabled(False)
        self._loading += 1

        def done(meeting: Meeting) -> None:
            self._loading -= 1
            self.status.setText(_("{count} results saved.").format(count=len(results)) + (
                " " + _("{left} items still wait for their result.").format(left=left)
                if left > 0 else ""))
            self.recorded.emit(meeting.id)
            # (the decisions move the cases on the agenda: every view hears of it from the
            # core, ui/background.py)
            self.refresh(select=meeting.id)

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.save_button.setEnabled(self.can_edit)
            self._show_errors(error)

        run_in_background(self, lambda: desk.process.record_meeting_results(
            meeting_id, results, minutes, participants=people, next_meeting_on=next_on,
            municipality_absence=absence), done, failed)

    def _show_errors(self, error: BaseException) -> None:
        if not isinstance(error, TsunaguError):
            self.error.show_message(repr(error))
            return
        errors = error.errors if isinstance(error, ValidationErrors) else [error]
        per_item: dict[str, list[str]] = {}
        general = []
        for e in errors:
            field = getattr(e, "field", "") or ""
            parts = field.split(".")
            if parts[0] == "results" and len(parts) > 1:
                per_item.setdefault(parts[1], []).append(e.message)
            else:
                general.append(e.message)
        self.agenda_model.set_messages({k: " ".join(v) for k, v in per_item.items()})
        lines = []
        for row, item in enumerate(self.agenda_model.items):
            if item.id in per_item:
                lines.append(_("Item {number} ({kind} {case_no}): {message}").format(
                    number=row + 1, kind=item.kind.label, case_no=item.case_no,
                    message=" ".join(per_item[item.id])))
        self.error.show_message("\n".join(lines + general))
        for row, item in enumerate(self.agenda_model.items):
            if item.id in per_item:
                self.agenda_table.scrollTo(self.agenda_model.index(row, 0))
                break

    def selected_item(self) -> AgendaItem | None:
        row = self.agenda_table.currentIndex().row()
        if 0 <= row < len(self.agenda_model.items):
            return self.agenda_model.items[row]
        return None

    def _item_buttons(self) -> None:
        item = self.selected_item()
        # the process says why an item can no longer move (its result, its withdrawal)
        blockers = P.agenda_item_blockers(item) if item is not None else []
        ok = self.can_edit and self.meeting is not None and item is not None and not blockers
        self.move_button.setEnabled(ok)
        self.withdraw_button.setEnabled(ok)
        tip = "" if ok else " ".join(b.message for b in blockers) or _(
            "Select an item still waiting for its result.")
        self.move_button.setToolTip(tip)
        self.withdraw_button.setToolTip(tip)

    def _item_text(self, item: AgendaItem) -> str:
        return _("Item: {kind} {case_no}").format(kind=item.kind.label, case_no=item.case_no)

    def move_selected_item(self):
        item = self.selected_item()
        if item is None or not item.pending or self.meeting is None:
            return None
        from ui.dialogs.agenda import PutOnMeetingDialog
        dialog = PutOnMeetingDialog(self.desk, item_id=item.id, current_meeting=self.meeting.id,
                                    what=self._item_text(item), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        meeting_id = self.meeting.id
        dialog.accepted.connect(lambda: self._item_changed(
            meeting_id, _("The item was moved to another meeting.")))
        self.dialog_shown(dialog)
        return dialog

    def withdraw_selected_item(self):
        item = self.selected_item()
        if item is None or not item.pending or self.meeting is None:
            return None
        from ui.dialogs.agenda import WithdrawDialog
        dialog = WithdrawDialog(self.desk, item.id, what=self._item_text(item), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        meeting_id = self.meeting.id
        dialog.accepted.connect(lambda: self._item_changed(
            meeting_id, _("The item was withdrawn from the agenda.")))
        self.dialog_shown(dialog)
        return dialog

    def _item_changed(self, meeting_id: str, text: str) -> None:
        self.status.setText(text)
        self.refresh(select=meeting_id)

    def print_meeting(self, which: str) -> None:
        """資料 (``agenda``) or 記録 (``minutes``) as a PDF, handed to the injected opener."""
        if self.meeting is None or not self.can_print:
            return
        desk, meeting_id = self.desk, self.meeting.id
        path = printing.new_pdf_path(f"meeting-{which}-{self.meeting.held_on.isoformat()}")
        self.status.setText(_("Preparing the PDF…"))

        def done(warnings) -> None:
            self.status.setText("")
            printing.open_pdf(path, self.opener)
            if warnings:
                self.error.show_message("\n".join(warnings))

        def failed(error: BaseException) -> None:
            self.status.setText("")
            self.error.show_message(str(error))

        run_in_background(self, lambda: desk.paper.print_meeting(meeting_id, which, path,
                                                                 render=render), done,
                          failed)


def _create(window) -> MeetingsView:
    view = MeetingsView(window.desk, opener=window.opener)
    view.open_case.connect(window.open_case)
    return view


register(Area("meetings", N_("Support coordination meeting"), _create,
              lambda desk: may(desk, "meetings") or may(desk, "view_agenda_cases")))
