"""The tables of the 支援調整会議 screen (ui/views/meetings.py): the meetings list, the agenda
with its result and condition columns and their delegate, and the helpers they share
(initials shown for a case, pulling waiting cases into a meeting, permission checks)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QLineEdit, QStyledItemDelegate

from app import text_ja
from app.errors import TsunaguError
from app.i18n import N_, _
from app.domain.meeting import (
    AgendaCandidate, AgendaItem, AgendaKind, Meeting, MeetingResult, MeetingSummary,
)

WARNING = QColor("#b34700")
ERROR_BG = QColor("#fde8e8")
DONE = QColor("#2d6a2d")


# ============================================================================ core helpers
def may(desk, permission: str) -> bool:
    """Whether the core lets this user do ``permission`` (asked without touching the audit
    log)."""
    try:
        return bool(desk.security.allowed(permission))
    except ValueError:   # a permission this version does not know
        return False


def waiting_items(desk) -> list[AgendaCandidate]:
    """Every plan (new / 再プラン), evaluation, 中断 and 終結 waiting for a meeting's result and
    not yet on an agenda, in case-number order (the core's query, uncapped)."""
    return desk.process.agenda_candidates(limit=None)[0]


def pull_in(desk, meeting_id: str) -> tuple[int, list[str], int]:
    """Put every waiting item on the meeting's agenda; (how many, the core's refusals, how
    many items wait on the agenda of other meetings not recorded yet — they can be moved)."""
    added, problems = 0, []
    for c in waiting_items(desk):
        try:
            desk.process.add_agenda_item(meeting_id, c.kind, c.case_id, c.subject_id, c.summary)
            added += 1
        except TsunaguError as e:
            problems.append(f"{c.case_no}: {e}")
    elsewhere = 0
    for m in desk.process.meetings(limit=None)[0]:
        if not m.held and m.id != meeting_id and m.item_count:
            elsewhere += len(desk.process.pending_agenda(m.id))
    return added, problems, elsewhere


_ROMAJI = {}
for _letters, _kana in (("A", "あア"), ("I", "いイ"), ("U", "うウ"), ("E", "えエ"), ("O", "おオ"),
                        ("K", "かきくけこカキクケコ"), ("G", "がぎぐげごガギグゲゴ"),
                        ("S", "さしすせそサシスセソ"), ("Z", "ざずぜぞザズゼゾ"), ("J", "じジ"),
                        ("T", "たてとつタテトツ"), ("C", "ちチ"), ("D", "だぢづでどダヂヅデド"),
                        ("N", "なにぬねのんナニヌネノン"), ("H", "はひへほハヒヘホ"),
                        ("F", "ふフ"), ("B", "ばびぶべぼバビブベボ"),
                        ("P", "ぱぴぷぺぽパピプペポ"), ("M", "まみむめもマミムメモ"),
                        ("Y", "やゆよヤユヨ"), ("R", "らりるれろラリルレロ"), ("W", "わをワヲ"),
                        ("V", "ゔヴ")):
    for _k in _kana:
        _ROMAJI[_k] = _letters


def initials(kana: str, name: str = "") -> str:
    """「たかはし よしこ」→ T.Y. — what an agenda shows instead of the name."""
    parts = (kana or "").replace("　", " ").split()
    letters = [_ROMAJI.get(p[0], "") for p in parts if p]
    if letters and all(letters):
        return "".join(f"{x}." for x in letters)
    parts = (name or "").replace("　", " ").split()
    if parts and all(p[0].isascii() and p[0].isalpha() for p in parts):
        return "".join(f"{p[0].upper()}." for p in parts)
    return "＊＊"   # never the kanji of the name


def _d(d: date | None) -> str:
    return text_ja.format_wareki(d, "long") if d else ""


# ============================================================================ models
MEETING_COLUMNS = (N_("Date"), N_("Kind of meeting"), N_("Place"), N_("Items"), N_("Status"))


def meeting_status(meeting: Meeting | MeetingSummary, today: date) -> str:
    if meeting.held:
        return _("Recorded")
    if meeting.held_on > today:
        return _("Planned")
    return _("Results to record")


class MeetingTableModel(QAbstractTableModel):
    """The meetings, newest first (rows given by the view)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[MeetingSummary] = []
        self.today = date.today()

    def set_rows(self, rows: list[MeetingSummary], today: date) -> None:
        self.beginResetModel()
        self.rows, self.today = list(rows), today
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(MEETING_COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(MEETING_COLUMNS):
            return _(MEETING_COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        m = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (_d(m.held_on), m.kind.label, m.place, str(m.item_count),
                    meeting_status(m, self.today))[col]
        if role == Qt.ItemDataRole.UserRole:
            return m.id
        if role == Qt.ItemDataRole.ToolTipRole and col == 2 and m.place:
            return m.place
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 4:
            if m.held:
                return DONE
            if m.held_on <= self.today:
                return WARNING
        return None

    def row_of(self, meeting_id: str) -> int:
        return next((i for i, m in enumerate(self.rows) if m.id == meeting_id), -1)


AGENDA_COLUMNS = (N_("No."), N_("Item type"), N_("Case No."), N_("Initials"), N_("Summary"),
                  N_("Result"), N_("Conditions"), N_("Message"))
COL_RESULT, COL_CONDITIONS, COL_MESSAGE = 5, 6, 7


class AgendaModel(QAbstractTableModel):
    """The agenda of one meeting. While its results are not recorded, 結果 and 条件 are
    editable; ``results()`` is what goes to ``record_meeting_results`` in one call."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[AgendaItem] = []
        self.people: dict[str, tuple[str, str]] = {}   # case_id -> (initials, full name)
        self.editable = False
        self.chosen: dict[str, MeetingResult | None] = {}
        self.conditions: dict[str, str] = {}
        self.messages: dict[str, str] = {}

    def set_meeting(self, meeting: Meeting | None, people: dict[str, tuple[str, str]]) -> None:
        self.beginResetModel()
        self.items = list(meeting.items) if meeting else []
        self.people = dict(people)
        self.editable = bool(meeting) and not meeting.held
        self.chosen = {i.id: i.result if i.result is not None else
                       (MeetingResult.APPROVED if i.kind is AgendaKind.REGIONAL_ISSUE
                        and self.editable else None) for i in self.items}
        self.conditions = {i.id: i.conditions for i in self.items}
        self.messages = {}
        self.endResetModel()

    def item_editable(self, row: int) -> bool:
        return self.editable and self.items[row].pending

    def results(self) -> dict[str, tuple[str, str]]:
        """The items still waiting whose result is chosen (or whose conditions are typed:
        the core then asks for the result). Items left open stay open: results are recorded
        item by item; the meeting is recorded once no item waits."""
        return {i.id: (self.chosen[i.id].value if self.chosen.get(i.id) else "",
                       self.conditions.get(i.id, "")) for i in self.items
                if i.pending and (self.chosen.get(i.id) or self.conditions.get(i.id, "").strip())}

    def pending_count(self) -> int:
        return sum(1 for i in self.items if i.pending)

    def set_messages(self, messages: dict[str, str]) -> None:
        self.messages = dict(messages)
        if self.items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.items) - 1,
                                                               len(AGENDA_COLUMNS) - 1))

    # ---------------------------------------------------------------- Qt model
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(AGENDA_COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(AGENDA_COLUMNS):
            return _(AGENDA_COLUMNS[section])
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (COL_RESULT, COL_CONDITIONS) and self.item_editable(index.row()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item = self.items[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return str(index.row() + 1)
            if col == 1:
                return item.kind.label
            if col == 2:
                return item.case_no
            if col == 3:
                return self.people.get(item.case_id or "", ("", ""))[0] if item.case_id else ""
            if col == 4:
                return item.summary
            if col == COL_RESULT and item.withdrawn_on is not None:
                return _("Moved to another meeting") if item.moved_to \
                    else _("Withdrawn from the agenda")
            if col == COL_CONDITIONS and item.withdrawn_on is not None:
                return item.withdrawn_reason
            if col == COL_RESULT:
                chosen = self.chosen.get(item.id)
                if role == Qt.ItemDataRole.EditRole:
                    return chosen.value if chosen else ""
                return chosen.label if chosen else ""
            if col == COL_CONDITIONS:
                return self.conditions.get(item.id, "")
            if col == COL_MESSAGE:
                return self.messages.get(item.id, "")
        if role == Qt.ItemDataRole.UserRole:
            return item.case_id
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_MESSAGE or item.id in self.messages:
                return self.messages.get(item.id) or None
            if col == 4:
                return item.summary
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.withdrawn_on is not None:
                return QColor("#8a96a3")
            if col == COL_MESSAGE:
                return QColor("#c00000")
            if col == COL_RESULT and self.chosen.get(item.id) is MeetingResult.RECONSIDER:
                return WARNING
        if role == Qt.ItemDataRole.BackgroundRole and item.id in self.messages:
            return ERROR_BG
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole \
                or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        item = self.items[index.row()]
        if index.column() == COL_RESULT:
            try:
                new = MeetingResult(value) if value else None
            except ValueError:
                return False
            if self.chosen.get(item.id) is new:
                return True
            self.chosen[item.id] = new
        else:
            text = str(value or "")
            if self.conditions.get(item.id, "") == text:
                return True
            self.conditions[item.id] = text
        self.dataChanged.emit(index, index)
        return True


class ResultDelegate(QStyledItemDelegate):
    """結果 as a drop-down, 条件 as a line: both commit as soon as they change, so the
    model always holds what the screen shows."""

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt override
        if index.column() == COL_RESULT:
            combo = QComboBox(parent)
            combo.addItem(_("(choose)"), "")
            for r in MeetingResult:
                combo.addItem(r.label, r.value)
            combo.currentIndexChanged.connect(lambda _i, e=combo: self.commitData.emit(e))
            return combo
        edit = QLineEdit(parent)
        edit.setPlaceholderText(_("Needed for “approved with changes”"))
        edit.textEdited.connect(lambda _t, e=edit: self.commitData.emit(e))
        return edit

    def setEditorData(self, editor, index):  # noqa: N802 - Qt override
        value = index.data(Qt.ItemDataRole.EditRole) or ""
        if isinstance(editor, QComboBox):
            i = editor.findData(value)
            if i != editor.currentIndex():
                editor.blockSignals(True)
                editor.setCurrentIndex(max(i, 0))
                editor.blockSignals(False)
        elif editor.text() != value:
            editor.setText(value)

    def setModelData(self, editor, model, index):  # noqa: N802 - Qt override
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
