"""ダッシュボード: one tile per list the core's ``dashboard()`` keeps (monitoring due today and
overdue, referrals to check, plans waiting for a meeting, decisions and emergency procedures
pending, suspended cases, next meetings). A tile shows the count; clicking it lists the cases
behind it (number, name, date); double-click opens the case. A long list shows its first rows
(the core's ``DASHBOARD_ROWS``) and「すべて表示」loads the rest of that list. Refreshed when
shown and on F5, in the background."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QTableView,
    QVBoxLayout, QWidget,
)

from app import text_ja
from app.domain import EmergencyAction
from app.errors import TsunaguError
from app.i18n import N_, _
from app.domain.meeting import MeetingKind
from app.domain.plan import PlanKind
from app.domain.worklist import (
    DashboardBoard, DashboardLine, DecisionPending, EmergencyPending, EvaluationDue,
    MeetingDue, MonitoringDue, PlanWaiting, ReferralToCheck, SuspendedCase,
)
from ui.areas import Area, register
from ui.background import read_in_background, release_freed_memory, serialized
from ui.changes import Changes, StaleFlag
from ui.views.meetings import may
from ui.widgets import ErrorLabel, heading

WARNING = QColor("#b42318")

# (the core's key, tile label msgid, the date column's header msgid, warn when not empty)
TILES: list[tuple[str, str, str, bool]] = [
    ("monitoring_today", N_("Monitoring (today)"), N_("Monitoring due"), False),
    ("monitoring_overdue", N_("Monitoring (overdue)"), N_("Monitoring due"), True),
    ("referrals_to_check", N_("Referrals awaiting their check"), N_("Check on"), False),
    ("plans_waiting_for_meeting", N_("Plans waiting for a meeting"), N_("Date of the meeting"),
     False),
    ("decisions_pending", N_("Support decisions pending"), N_("Date"), False),
    ("emergency_procedures_pending", N_("Emergency support awaiting its procedure"),
     N_("Done on"), False),
    ("suspended_cases", N_("Suspended cases"), N_("Suspended on"), False),
    ("evaluations_due", N_("Plan evaluations due"), N_("End of the plan period"), True),
    ("next_meetings", N_("Next meetings"), N_("Date of the meeting"), False),
]
TILE_KEYS = [t[0] for t in TILES]
# nine tiles in two rows: a third row (and issue 15's warnings under them) no longer fit
# 1280×720 above the list
TILE_COLUMNS = 5


@dataclass
class Row:
    """One line of a tile's list: a case (or, for 次回の会議, a meeting)."""

    case_id: str | None
    case_no: str
    name: str
    due: date | None
    detail: str
    overdue: bool = False
    meeting_id: str | None = None
    cells: tuple[str, str, str, str] | None = None   # a meeting's own columns


def _label(enum, value) -> str:
    try:
        return enum(value).label
    except ValueError:
        return str(value)


def rows_for(key: str, raw: Sequence[DashboardLine], names: dict[str, str], today: date
             ) -> list[Row]:
    """The core's rows of one list (app/domain/worklist.py), as the table shows them."""
    out = []
    for r in raw:
        if isinstance(r, MeetingDue):     # next_meetings
            held_on = r.held_on
            cells = (text_ja.format_wareki(held_on, "long") if held_on else "",
                     _label(MeetingKind, r.kind), r.place, str(r.pending))
            out.append(Row(None, "", "", held_on, "", meeting_id=r.id, cells=cells))
            continue
        case_id = r.case_id
        name = r.person_name or names.get(case_id, "")
        due: date | None
        if isinstance(r, MonitoringDue):
            due, detail = r.due_on, ""
            if due is not None and due < today:
                detail = _("{days} days overdue").format(days=(today - due).days)
        elif isinstance(r, ReferralToCheck):
            due, detail = r.check_on, r.referred_to
        elif isinstance(r, PlanWaiting):
            due = r.meeting_on
            detail = _("Plan No. {number} ({kind})").format(
                number=r.number, kind=_label(PlanKind, r.kind))
            if due is None:
                detail += "　" + _("not on an agenda yet")
        elif isinstance(r, DecisionPending):
            due, detail = None, r.service_name or r.service_key
        elif isinstance(r, EmergencyPending):
            due, detail = r.done_on, _label(EmergencyAction, r.action)
        elif isinstance(r, EvaluationDue):      # プラン評価 at the end of the plan period
            due = r.period_to
            detail = _("Plan No. {number}").format(number=r.number)
        elif isinstance(r, SuspendedCase):
            due, detail = r.confirmed_on, ""
        else:
            due, detail = None, ""
        overdue = key == "monitoring_overdue" or (
            key == "referrals_to_check" and due is not None and due < today)
        out.append(Row(case_id, r.case_no, name, due, detail, overdue))
    return out


class DashboardListModel(QAbstractTableModel):
    """The cases behind the chosen tile: ケース番号, 氏名, the tile's date, 内容."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.key = ""
        self.rows: list[Row] = []
        self.date_header = N_("Date")

    def set_rows(self, key: str, rows: list[Row], date_header: str) -> None:
        self.beginResetModel()
        self.key, self.rows, self.date_header = key, list(rows), date_header
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 3)

    def headers(self) -> list[str]:
        if self.key == "next_meetings":
            return [_("Date of the meeting"), _("Kind of meeting"), _("Place"),
                    _("Items waiting")]
        return [_("Case No."), _("Name"), _(self.date_header), _("Details")]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < 4:
            return self.headers()[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if row.cells:
                return row.cells[col]
            if col == 2:   # the date, in 和暦 (formatted only when asked for)
                return text_ja.format_wareki(row.due, "long") if row.due else ""
            return (row.case_no, row.name, "", row.detail)[col]
        if role == Qt.ItemDataRole.UserRole:
            return row.case_id
        if role == Qt.ItemDataRole.UserRole + 1:
            return row.meeting_id
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue and col in (0, 2):
            return WARNING
        if role == Qt.ItemDataRole.FontRole and row.overdue and col == 2:
            from PySide6.QtGui import QFont
            font = QFont()
            font.setBold(True)
            return font
        return None


class Tile(QPushButton):
    """A count and what it counts; checkable, so the chosen list is marked."""

    def __init__(self, key: str, label: str, warn: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.key, self.warn = key, warn
        self.setCheckable(True)
        self.setAutoExclusive(True)
        self.setMinimumSize(200, 92)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.count_label = QLabel("–")
        self.title_label = QLabel(label)
        self.title_label.setWordWrap(True)
        self.label = label
        for w in (self.count_label, self.title_label):
            w.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.addWidget(self.count_label)
        layout.addWidget(self.title_label)
        self.set_count(None)

    def set_count(self, count: int | None) -> None:
        self.count = count
        self.count_label.setText("–" if count is None else str(count))
        alarm = bool(self.warn and count)
        # not by colour alone (issue 18): a warning says so in words, and a screen reader
        # reads the tile as what it counts and how many
        if alarm:
            self.count_label.setText(f"{count} <span style='font-size: 11pt;'>⚠ "
                                     f"{_('Needs attention')}</span>")
        self.setAccessibleName(f"{self.label} {'–' if count is None else count}"
                               + (f"（{_('Needs attention')}）" if alarm else ""))
        colour = "#b42318" if alarm else ("#1d3d5c" if count else "#5f6b78")
        self.count_label.setStyleSheet(f"font-size: 22pt; font-weight: bold; color: {colour};")
        self.title_label.setStyleSheet("color: #b42318; font-weight: bold;" if alarm
                                       else "color: #334;")
        border = "#d92d20" if alarm else "#c9d3de"
        self.setStyleSheet(
            f"QPushButton {{ text-align: left; background: {'#fff4f2' if alarm else '#f7f9fb'};"
            f" border: 1px solid {border}; border-radius: 6px; }}"
            f"QPushButton:checked {{ background: #e3eef9; border: 2px solid #1f5f99; }}"
            f"QPushButton:focus {{ border: 2px solid #5b8fc7; }}")


# read beside the others on a second connection, in a thread of its own, at the first read
# after login when the machine has a second core (issue 17: at 100,000 cases the read takes
# ~0.3 s on one core; the two halves about as long each). Not at later reads: the reading
# connection then has their pages in its cache, a second one would read them again.
BESIDE = ("plans_waiting_for_meeting", "suspended_cases", "evaluations_due", "next_meetings")


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def _load(desk) -> tuple[DashboardBoard, dict[str, str], date]:
    """(read worker) What the dashboard shows: every list's first rows and counts."""
    return desk.process.dashboard(), {}, desk.today()


def _load_split(desk) -> tuple[DashboardBoard, dict[str, str], date]:
    """``_load`` with the lists of ``BESIDE`` read meanwhile on a reader of the reading desk
    of their own (one core: all on the reading connection)."""
    if _cores() < 2:
        return _load(desk)
    beside: list[Any] = []

    def read_beside() -> None:
        try:
            helper = desk.reader(brief=True)
        except BaseException as error:  # noqa: BLE001 - raised below, on the read worker
            beside.append(error)
            return
        try:
            beside.append(helper.process.dashboard(lists=BESIDE))
        except BaseException as error:  # noqa: BLE001 - raised below, on the read worker
            beside.append(error)
        finally:
            helper.close()
            release_freed_memory()   # this thread's arena would keep the closed cache

    thread = threading.Thread(target=read_beside, name="dashboard-beside", daemon=True)
    thread.start()
    try:
        board = desk.process.dashboard(lists=[k for k in TILE_KEYS if k not in BESIDE])
    finally:
        thread.join()
    if isinstance(beside[0], BaseException):
        raise beside[0]
    return board.merged(beside[0]), {}, desk.today()


class FirstRead:
    """The dashboard's first read, started by the main window as soon as the desk is open
    (issue 17: it runs on the reading connection while the window is built); the view,
    built a turn later, takes its answer instead of asking again."""

    def __init__(self, owner: QWidget, desk):
        self._answer: tuple[bool, Any] | None = None
        self._waiting: tuple[Any, Any] | None = None
        read_in_background(owner, desk, _load_split,
                           lambda result: self._arrive((True, result)),
                           lambda error: self._arrive((False, error)))

    def _arrive(self, answer: tuple[bool, Any]) -> None:
        self._answer = answer
        if self._waiting is not None:
            self._deliver()

    def then(self, on_done, on_failed) -> bool:
        """``on_done(result)`` or ``on_failed(error)`` when the answer comes. False if it
        came already (the window was shown later than usual): the view then reads again,
        as the background helper counts only what it still waits for."""
        if self._answer is not None:
            return False
        self._waiting = (on_done, on_failed)
        return True

    def _deliver(self) -> None:
        if self._answer is None or self._waiting is None:
            return
        (ok, value), (on_done, on_failed) = self._answer, self._waiting
        self._waiting = None
        (on_done if ok else on_failed)(value)


def first_read(window) -> FirstRead | None:
    """The dashboard's read started now for ``window`` (None if its user may not see it)."""
    return FirstRead(window, window.desk) if may(window.desk, "view_cases") else None


class DashboardView(QWidget):
    """Tiles above, the chosen tile's list below. Emits ``open_case`` and ``open_meeting``."""

    open_case = Signal(str)
    open_meeting = Signal(str)
    loaded = Signal()

    def __init__(self, desk, parent: QWidget | None = None, *,
                 first_read: FirstRead | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self._first_read = first_read   # the main window's read, taken by the first refresh
        self.board: DashboardBoard | None = None
        self.names: dict[str, str] = {}
        self.today = date.today()
        self.current_key = "monitoring_today"
        self._loading = 0
        self._read_once = False
        self._stale = StaleFlag()   # an operation changed cases or meetings meanwhile
        self.tiles: dict[str, Tile] = {}
        grid = QGridLayout()
        grid.setSpacing(10)
        for i, (key, label, _header, warn) in enumerate(TILES):
            tile = Tile(key, _(label), warn)
            tile.clicked.connect(lambda _c=False, k=key: self.show_list(k))
            self.tiles[key] = tile
            grid.addWidget(tile, i // TILE_COLUMNS, i % TILE_COLUMNS)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.setToolTip("F5")
        self.refresh_button.clicked.connect(self.refresh)
        self.stamp = QLabel()
        self.stamp.setStyleSheet("color: #667;")
        self.error = ErrorLabel()
        self.list_title = heading("")
        self.model = DashboardListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)   # Tab leaves the list (arrows move in it)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.horizontalHeader().setStretchLastSection(True)
        # columns fitted to the rows in view and the next 50, not to every row of the list
        self.table.horizontalHeader().setResizeContentsPrecision(50)
        for col, width in enumerate((120, 200, 190)):
            self.table.setColumnWidth(col, width)
        # a date or a place is never cut off (issue 14: 令和8年12月1… in the meetings list)
        self.table.setWordWrap(False)
        self.model.modelReset.connect(self._fit_columns)
        self.table.doubleClicked.connect(self.open_row)
        self.table.activated.connect(self.open_row)
        self.empty = QLabel()
        self.empty.setStyleSheet("color: #667;")
        # A long list: its first rows are shown, the rest on request.
        self.more_label = QLabel()
        self.more_label.setStyleSheet("color: #667;")
        self.more_button = QPushButton(_("Show all"))
        self.more_button.clicked.connect(self.load_all)
        more = QHBoxLayout()
        more.addWidget(self.more_label)
        more.addWidget(self.more_button)
        more.addStretch(1)

        top = QHBoxLayout()
        top.addWidget(heading(_("Dashboard")))
        top.addStretch(1)
        top.addWidget(self.stamp)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addLayout(grid)
        from ui.views.region import DeskWarnings  # issue 15: the 主任's warnings
        self.desk_warnings = DeskWarnings(self.desk)
        layout.addWidget(self.desk_warnings)
        layout.addSpacing(6)
        layout.addWidget(self.list_title)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(more)
        self.more_label.hide()
        self.more_button.hide()
        QShortcut(QKeySequence("F5"), self, activated=self.refresh)

    def busy(self) -> bool:
        return self._loading > 0

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Read when first shown, then again only after an operation changed what the
        tiles count (ui/changes.py) — or on F5."""
        super().showEvent(event)
        if not self._read_once:
            self.refresh()
        else:
            self._stale.shown(self.refresh)

    def on_operation_did_execute(self, changes: Changes, source: object) -> None:
        if changes.any_case or changes.meetings:
            self._stale.changed(self.isVisible(), self.refresh)

    def refresh(self) -> None:
        desk = self.desk
        self._read_once = True
        self.desk_warnings.refresh()
        self._loading += 1

        def show(result) -> None:
            self._loading -= 1
            self.board, self.names, self.today = result
            self.error.clear_message()
            for key, tile in self.tiles.items():
                tile.set_count(self.total(key))
            from datetime import datetime
            self.stamp.setText(_("Updated at {time}").format(
                time=datetime.now().strftime("%H:%M")))
            self.show_list(self.current_key)
            self.loaded.emit()

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.error.show_message(str(error) if isinstance(error, TsunaguError)
                                    else repr(error))

        first, self._first_read = self._first_read, None
        if first is None or not first.then(show, failed):
            read_in_background(self, self.desk, _load, show, failed)

    def count(self, key: str) -> int | None:
        return self.tiles[key].count

    def total(self, key: str) -> int:
        """How many the list has (the core counts them all; only the first are loaded)."""
        return self.board.total(key) if self.board is not None else 0

    def load_all(self) -> None:
        """「すべて表示」: the whole of the list shown now, in the background."""
        desk, key = self.desk, self.current_key
        self._loading += 1
        self.more_button.setEnabled(False)

        def load(desk):
            return desk.process.dashboard(limit=None, lists=[key])

        def show(result) -> None:
            self._loading -= 1
            self.more_button.setEnabled(True)
            self.board = result if self.board is None else self.board.merged(result)
            self.tiles[key].set_count(self.total(key))
            if self.current_key == key:
                self.show_list(key)

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.more_button.setEnabled(True)
            self.error.show_message(str(error) if isinstance(error, TsunaguError)
                                    else repr(error))

        read_in_background(self, self.desk, load, show, failed)

    def show_list(self, key: str) -> None:
        self.current_key = key
        _key, label, header, _warn = TILES[TILE_KEYS.index(key)]
        self.tiles[key].setChecked(True)
        raw = self.board.rows(key) if self.board is not None else ()
        rows = rows_for(key, raw, self.names, self.today)
        self.model.set_rows(key, rows, header)
        total = self.total(key)
        self.list_title.setText(f"{_(label)}（{total}）")
        read = self.board is not None
        self.empty.setText(_("Nothing here.") if read and not rows else "")
        self.empty.setVisible(read and not rows)
        partial = total > len(rows)
        self.more_label.setText(_("The first {shown} of {total} are listed.").format(
            shown=len(rows), total=total) if partial else "")
        self.more_label.setVisible(partial)
        self.more_button.setVisible(partial)

    def _fit_columns(self) -> None:
        for col, width in enumerate((120, 200, 190)):
            if col < self.model.columnCount() - 1:
                need = max(self.table.sizeHintForColumn(col),
                           self.table.horizontalHeader().sectionSizeHint(col)) + 12
                self.table.setColumnWidth(col, max(width, need))

    def open_row(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        meeting_id = self.model.data(index, Qt.ItemDataRole.UserRole + 1)
        if meeting_id:
            self.open_meeting.emit(meeting_id)
            return
        case_id = self.model.data(index, Qt.ItemDataRole.UserRole)
        if case_id:
            self.open_case.emit(case_id)


def _create(window) -> DashboardView:
    view = DashboardView(window.desk, first_read=getattr(window, "dashboard_first_read", None))
    window.dashboard_first_read = None
    view.open_case.connect(window.open_case)

    def open_meeting(meeting_id: str) -> None:
        meetings = window.open_area("meetings")
        meetings.select_meeting(meeting_id)

    view.open_meeting.connect(open_meeting)
    view.desk_warnings.open_area = lambda: window.open_area("region")  # issue 15
    return view


register(Area("dashboard", N_("Dashboard"), _create, lambda desk: may(desk, "view_cases")))
