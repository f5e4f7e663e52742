"""Widgets of the 支援調整会議 screen (ui/views/meetings.py): the participants editor, the
dialog that plans a meeting, and the agenda table."""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QRadioButton,
    QTableView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget, QButtonGroup,
)

from app.errors import TsunaguError
from app.i18n import _
from app.domain.meeting import MeetingKind, Participant
from ui.background import run_in_background, serialized
from ui.views.meeting_tables import COL_CONDITIONS, COL_RESULT
from ui.widgets import DateField, ErrorLabel


# ============================================================================ widgets
class ParticipantsEditor(QWidget):
    """参加者: name and organisation, one row each."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([_("Name"), _("Organisation")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 160)
        self.table.setMinimumHeight(110)
        # Tab leaves the table (arrow keys move in it; Tab while typing still goes from the
        # name to the organisation): Tab cycling in its cells trapped keyboard users
        self.table.setTabKeyNavigation(False)
        self.add_button = QPushButton(_("Add a participant"))
        self.remove_button = QPushButton(_("Remove"))
        self.add_button.clicked.connect(self.add_and_edit)
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_row(self, name: str = "", organisation: str = "", municipal: bool = False) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        item = QTableWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, municipal)   # kept: marked as the municipality's
        self.table.setItem(row, 0, item)
        self.table.setItem(row, 1, QTableWidgetItem(organisation))
        return row

    def add_and_edit(self) -> None:
        """「参加者を追加」: a new row with its name cell open for typing (Tab → the
        organisation), so a keyboard user writes the participant at once."""
        row = self.add_row()
        self.table.setCurrentCell(row, 0)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.table.editItem(self.table.item(row, 0))

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def set_participants(self, people: Iterable[Participant]) -> None:
        self.table.setRowCount(0)
        for p in people:
            self.add_row(p.name, p.organisation, p.municipal)

    def participants(self) -> list[Participant]:
        """Rows with anything typed (an empty name in a filled row is for the core to refuse)."""
        out = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, c) for c in (0, 1)]
            name, org = ((c.text().strip() if c else "") for c in cells)
            if name or org:
                marked = bool(cells[0] and cells[0].data(Qt.ItemDataRole.UserRole))
                out.append(Participant(name, org, municipal=marked))
        return out


class PlanMeetingDialog(QDialog):
    """会議を予定する: date, 定例/随時, place, participants, next meeting. Opened with
    ``open()`` (never ``exec()``); the core checks the answers; closes once planned."""

    planned = Signal(object)  # the Meeting

    def __init__(self, desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.setWindowTitle(_("Plan a meeting"))
        self.date = DateField(_("Date of the meeting"))
        self.kind_group = QButtonGroup(self)
        kinds = QHBoxLayout()
        self.kind_buttons: dict[MeetingKind, QRadioButton] = {}
        for kind in MeetingKind:
            button = QRadioButton(kind.label)
            self.kind_group.addButton(button)
            self.kind_buttons[kind] = button
            kinds.addWidget(button)
        kinds.addStretch(1)
        self.kind_buttons[MeetingKind.REGULAR].setChecked(True)
        self.place = QLineEdit()
        self.place.setPlaceholderText(_("e.g. town hall, meeting room 2"))
        self.participants = ParticipantsEditor()
        self.next_date = DateField(_("Next meeting"))
        self.error = ErrorLabel()
        form = QFormLayout()
        form.addRow(_("Date of the meeting"), self.date)
        form.addRow(_("Kind of meeting"), kinds)
        form.addRow(_("Place"), self.place)
        form.addRow(_("Participants"), self.participants)
        form.addRow(_("Next meeting"), self.next_date)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Plan the meeting"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(620, 480)

    def kind(self) -> MeetingKind:
        return next(k for k, b in self.kind_buttons.items() if b.isChecked())

    def submit(self) -> None:
        self.error.clear_message()
        try:
            held_on = self.date.parsed("held_on")
            next_on = self.next_date.parsed("next_meeting_on")
        except TsunaguError as e:
            self.error.show_message(str(e))
            return
        desk, kind, place, people = self.desk, self.kind(), self.place.text(), \
            self.participants.participants()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)

        def done(meeting) -> None:
            ok.setEnabled(True)
            self.planned.emit(meeting)
            self.accept()

        def failed(error: BaseException) -> None:
            ok.setEnabled(True)
            self.error.show_message(str(error) if isinstance(error, TsunaguError)
                                    else repr(error))

        run_in_background(self, lambda: desk.process.plan_meeting(
            held_on, kind, place=place, participants=people, next_meeting_on=next_on),
            done, failed)


class _FitLayout(QVBoxLayout):
    """A column that takes the height it is given (down to its minimum): in a scroll area a
    layout with wrapped labels asks for its preferred height instead, and the agenda grew
    past the screen, pushing 「結果を保存」 out of sight at 1280×720."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return False


class AgendaTable(QTableView):
    """Double-click (or Enter) on a case item opens the case; 結果 and 条件 are edited in place.

    Keyboard (issue 14): while items wait for their result the table is one Tab stop whose
    focus goes into the 結果 / 条件 editors; Tab and Shift+Tab walk them row by row and leave
    the table at its ends; the row of the editor with focus is the chosen item."""

    open_case = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabKeyNavigation(False)

    def editors(self) -> list[QWidget]:
        model = self.model()
        out = []
        if model is None:
            return out
        for row in range(model.rowCount()):
            for col in (COL_RESULT, COL_CONDITIONS):
                w = self.indexWidget(model.index(row, col))
                if w is not None and w.isEnabled():
                    out.append(w)
        return out

    def adopt(self, editor: QWidget) -> None:
        """An editor just opened: out of the window's Tab chain, stepped through here."""
        editor.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        editor.installEventFilter(self)

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        editors = self.editors()
        if not editors or event.reason() not in (Qt.FocusReason.TabFocusReason,
                                                  Qt.FocusReason.BacktabFocusReason):
            return
        back = event.reason() == Qt.FocusReason.BacktabFocusReason
        editors[-1 if back else 0].setFocus(event.reason())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        from PySide6.QtCore import QEvent
        if event.type() == QEvent.Type.FocusIn:
            model = self.model()
            for row in range(model.rowCount() if model else 0):
                for col in (COL_RESULT, COL_CONDITIONS):
                    if self.indexWidget(model.index(row, col)) is obj and \
                            self.currentIndex().row() != row:
                        self.setCurrentIndex(model.index(row, 1))
            return False
        if event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and not (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            back = event.key() == Qt.Key.Key_Backtab or bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            editors = self.editors()
            i = editors.index(obj) if obj in editors else -1
            j = i - 1 if back else i + 1
            if 0 <= j < len(editors):
                editors[j].setFocus(Qt.FocusReason.BacktabFocusReason if back
                                    else Qt.FocusReason.TabFocusReason)
            else:
                w = self.previousInFocusChain() if back else self.nextInFocusChain()
                for _guard in range(500):
                    if w is None or w is self:
                        break
                    if not self.isAncestorOf(w) and w.isVisible() and w.isEnabled() and \
                            w.focusPolicy() & Qt.FocusPolicy.TabFocus and \
                            w.window() is self.window():
                        w.setFocus(Qt.FocusReason.BacktabFocusReason if back
                                   else Qt.FocusReason.TabFocusReason)
                        break
                    w = w.previousInFocusChain() if back else w.nextInFocusChain()
            return True
        return False

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid() \
                and self.currentIndex().column() not in (COL_RESULT, COL_CONDITIONS):
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QModelIndex) -> None:
        case_id = self.model().data(index, Qt.ItemDataRole.UserRole)
        if case_id:
            self.open_case.emit(case_id)
