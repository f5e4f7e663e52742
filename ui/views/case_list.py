"""ケース一覧: a table of cases searched and sorted by the core, with a debounced live search."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from app import text_ja
from app.domain import CaseSummary, Stage
from app.i18n import N_, _
from ui.background import read_in_background, serialized
from ui.changes import Changes, StaleFlag

PAGE_SIZE = 200
SEARCH_DELAY_MS = 100

# (header msgid, the core's sort key)
COLUMNS: list[tuple[str, str]] = [
    (N_("Case No."), "case_no"), (N_("Name"), "name"), (N_("Furigana"), "kana"),
    (N_("Age"), "age"), (N_("Received on"), "received_on"), (N_("Stage"), "stage"),
    (N_("Assigned to"), "assignee"),
]


class CaseTableModel(QAbstractTableModel):
    """Rows come from ``desk.list_cases``; sorting asks the core again (never sorts here).

    A window onto the whole result: ``rowCount`` is the number of cases found, and pages of
    PAGE_SIZE rows are read in the background when the view first shows them (Ctrl+End
    on 100,000 cases reads one page, not 500); at most KEEP_PAGES pages are kept."""

    loaded = Signal()
    KEEP_PAGES = 50

    def __init__(self, desk, parent=None, *, today: date | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self._pages: dict[int, list[CaseSummary]] = {}
        self._wanted: list[int] = []     # pages asked for by the view, newest last
        self._loading: int | None = None
        self.total = 0
        self.search = ""
        self.sort_key = "case_no"
        self.descending = True
        self._today = today
        self._generation = 0
        self.held = False   # no read until the view is first shown (``CaseListView``)

    def today(self) -> date:
        return self._today or self.desk.today()

    @property
    def rows(self) -> list[CaseSummary]:
        """The rows read so far from the top, without a gap (all of them on a small desk)."""
        out: list[CaseSummary] = []
        page = 0
        while page in self._pages:
            out.extend(self._pages[page])
            page += 1
        return out

    def row_at(self, row: int) -> CaseSummary | None:
        page = self._pages.get(row // PAGE_SIZE)
        if page is None:
            return None
        offset = row % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    @property
    def loading(self) -> bool:
        return self._loading is not None or bool(self._wanted)

    # ---------------------------------------------------------------- queries
    def reload(self) -> None:
        """Ask the core for the first page of the current search and sort (in the background)."""
        if self.held:
            return
        self._generation += 1
        generation = self._generation
        desk, search, sort, descending = self.desk, self.search, self.sort_key, self.descending

        def query(desk):
            if generation != self._generation:
                # typed on since (the reads wait their turn on one connection): the word
                # typed last is answered next, not after each of its first characters
                return None
            return (desk.list_cases(search, sort=sort, descending=descending, limit=PAGE_SIZE),
                    desk.count_cases(search))

        def show(result) -> None:
            if result is None or generation != self._generation:
                return  # an older query finished after a newer one started
            rows, total = result
            self.beginResetModel()
            self._pages = {0: rows}
            self._wanted, self._loading = [], None
            self.total = max(total, len(rows))
            self.endResetModel()
            self.loaded.emit()

        read_in_background(self, self.desk, query, show)

    def set_search(self, text: str) -> None:
        self.search = text.strip()
        self.reload()

    def _want(self, page: int) -> None:
        """The view shows a row of ``page``, not read yet: read it next (newest wish first)."""
        if page == self._loading:
            return
        if page in self._wanted:
            self._wanted.remove(page)
        self._wanted.append(page)
        del self._wanted[:-4]            # scrolled past: only the last few wishes count
        if self._loading is None:
            QTimer.singleShot(0, self._load_next)

    def _load_next(self) -> None:
        if self._loading is not None or not self._wanted:
            return
        page = self._wanted.pop()
        if page in self._pages:
            QTimer.singleShot(0, self._load_next)
            return
        self._loading = page
        generation = self._generation
        desk, search, sort, descending = self.desk, self.search, self.sort_key, self.descending

        offset, total = page * PAGE_SIZE, self.total

        def read(desk):
            if offset > total // 2:
                # the far half read from its other end (the order is total: ties are broken
                # by the case number): Ctrl+End on 100,000 cases skips 200 rows, not 99,800
                count = min(PAGE_SIZE, total - offset)
                rows = desk.list_cases(search, sort=sort, descending=not descending,
                                       limit=count, offset=max(0, total - offset - count))
                return rows[::-1]
            return desk.list_cases(search, sort=sort, descending=descending, limit=PAGE_SIZE,
                                   offset=offset)

        def show(rows) -> None:
            if generation != self._generation:
                return
            self._loading = None
            self._pages[page] = rows
            for old in [p for p in self._pages if p not in (0, page)][:max(
                    0, len(self._pages) - self.KEEP_PAGES)]:
                del self._pages[old]     # the oldest pages read (dicts keep their order)
            first = page * PAGE_SIZE
            last = min(self.total, first + PAGE_SIZE) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
            self.loaded.emit()
            self._load_next()

        def failed(_error: BaseException) -> None:
            if generation == self._generation:
                self._loading = None

        read_in_background(self, self.desk, read, show, failed)

    # ---------------------------------------------------------------- Qt model
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return _(COLUMNS[section][0])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self.total:
            return None
        case = self.row_at(index.row())
        column = COLUMNS[index.column()][1]
        if case is None:                 # not read yet: asked for, shown when it comes
            if role == Qt.ItemDataRole.DisplayRole:
                self._want(index.row() // PAGE_SIZE)
                return "…" if column == "case_no" else ""
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "case_no":
                return case.case_no
            if column == "name":  # 閲覧制限: marked (the row holds no whereabouts)
                if getattr(case, "sensitive", False):
                    from ui.dialogs.case_privacy import restricted_label
                    return f"{case.name}　{restricted_label()}"
                return case.name
            if column == "kana":
                return case.kana
            if column == "age":
                age = case.age(self.today())
                return "" if age is None else str(age)
            if column == "received_on":
                return text_ja.format_wareki(case.received_on, "long")
            if column == "stage":
                return Stage(case.stage).label
            if column == "assignee":
                return case.assignee
        if role == Qt.ItemDataRole.UserRole:
            return case.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "age":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == "stage":
            from PySide6.QtGui import QColor
            if Stage(case.stage) in (Stage.REFERRED, Stage.INFO_ONLY, Stage.SUSPENDED):
                return QColor("#8a5a00")
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.sort_key = COLUMNS[column][1]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()


class CaseTable(QTableView):
    """Enter opens the current case as a double-click does."""

    activated_case = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._emit(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _emit(self, index: QModelIndex) -> None:
        case_id = self.model().data(index, Qt.ItemDataRole.UserRole)
        if case_id:
            self.activated_case.emit(case_id)


class CaseListView(QWidget):
    """The search box, the count and the table. Emits ``open_case(case_id)``."""

    open_case = Signal(str)

    def __init__(self, desk, parent: QWidget | None = None, *, read_when_shown: bool = False):
        super().__init__(parent)
        self.desk = serialized(desk)
        self._stale = StaleFlag()   # an operation changed cases while the list was hidden
        self.model = CaseTableModel(self.desk, self)
        # the main window opens on the dashboard: the list (and its count of every case) is
        # read when first shown, not behind the dashboard's read at login (issue 17)
        self.model.held = read_when_shown
        self.dashboard_coming = False   # (main window) shown now, the dashboard in front next
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search by name, reading or case number "
                                         "(e.g. たかはし, 2026-0070)"))
        self.search.installEventFilter(self)   # ↓ goes to the results (issue 14)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(360)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #445;")
        self.table = CaseTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # several cases can be chosen (Ctrl/Shift) for the home-visit kit
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)   # Tab leaves the list (arrows move in it)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for column, width in enumerate((110, 170, 200, 60, 170, 140)):
            self.table.setColumnWidth(column, width)
        # Sorting by header asks the core (model.sort); the default: newest case first.
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(self.table._emit)
        self.table.activated_case.connect(self.open_case)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.model.loaded.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)

        # 訪問用セット: the blank visit sheets pre-filled for each chosen case (ui/print_menu)
        from ui.print_menu import SheetPrinter
        self.printer = SheetPrinter(self, self.desk)
        self.visit_kit_button = QPushButton(_("Print the home-visit kit"))
        self.visit_kit_button.setToolTip(_("Blank sheets for a home visit (intake, assessment, "
                                           "consent, records), with the name and case number "
                                           "of each chosen case. Ctrl+click to choose several."))
        self.visit_kit_button.setEnabled(False)
        self.visit_kit_button.setMinimumWidth(self.visit_kit_button.fontMetrics().horizontalAdvance(
            _("Print the home-visit kit ({n} cases)").format(n=99)) + 24)
        self.visit_kit_button.clicked.connect(self.print_visit_kit)
        self.printer.busy_changed.connect(lambda _busy: self._selection_changed())
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self._selection_changed())
        self.model.modelReset.connect(self._selection_changed)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Search")))
        top.addWidget(self.search)
        top.addStretch(1)
        top.addWidget(self.count_label)
        top.addWidget(self.visit_kit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def on_operation_did_execute(self, changes: Changes, source: object) -> None:
        """Cases changed: read now if shown; an import, a sync, a meeting's decisions (all
        cases, or several) are read at once even behind another tab (they can add many
        cases); a step recorded in a case's tab, when the list is next shown."""
        if changes.all_cases or len(changes.case_ids) > 1:
            self._stale.changed(True, self.refresh)
        elif changes.any_case:
            self._stale.changed(self.isVisible(), self.refresh)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.model.held:
            # a turn later (the window shown at login turns to the dashboard meanwhile)
            if not self.dashboard_coming:
                QTimer.singleShot(0, self, self._first_read)
            return
        self._stale.shown(self.refresh)

    def _first_read(self) -> None:
        if self.model.held and self.isVisible():
            self._stale.stale = False
            self.refresh()

    def refresh(self) -> None:
        self.model.held = False
        self.model.reload()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        """↓ / PageDown in the search box: to the results, the first one chosen; Enter opens
        the case when the search found exactly one."""
        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self.focus_results()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                    self.model.total == 1 and self.model.rows and self.search.text().strip():
                if self._timer.isActive():   # the search typed last: run it first
                    return False
                self.open_case.emit(self.model.rows[0].id)
                return True
        return super().eventFilter(obj, event)

    def focus_results(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
            self.table.selectRow(0)

    def selected_case_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        found = (self.model.row_at(r) for r in rows)
        return [case.id for case in found if case is not None]

    def _selection_changed(self) -> None:
        n = len(self.selected_case_ids())
        self.visit_kit_button.setEnabled(n > 0 and not self.printer.busy)
        self.visit_kit_button.setText(_("Print the home-visit kit ({n} cases)").format(n=n)
                                      if n > 1 else _("Print the home-visit kit"))

    def print_visit_kit(self) -> None:
        ids = self.selected_case_ids()
        if ids:
            self.printer.print_visit_kit(ids)

    def _update_count(self) -> None:
        total = self.model.total
        if self.model.search:
            text = _("{total} cases match “{search}”").format(total=total, search=self.model.search)
        else:
            text = _("{total} cases").format(total=total)
        self.count_label.setText(text)
