"""支援ケース一覧 (the national caseload form): the cases 支援中 today with stage, 担当, the
plan in effect and the next monitoring date, sortable by any column; exported as CSV, xlsx
or PDF by the core. Loaded in the background (a large desk has many cases); double-click
opens the case. Also the export buttons the 統計・報告 screen shares (``ExportButtons``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from app import text_ja
from app.domain import Stage
from app.domain.reports import CaseloadRow
from app.errors import TsunaguError
from app.i18n import N_, _
from forms.sheets import render
from ui.background import read_in_background, run_in_background, serialized
from ui.changes import Changes, StaleFlag
from ui.widgets import ErrorLabel, heading

WARNING = QColor("#b42318")

# (header msgid, column key) — the columns of ``desk.reports.caseload()``'s rows (CELLS)
COLUMNS: list[tuple[str, str]] = [
    (N_("Case No."), "case_no"), (N_("Name"), "name"), (N_("Furigana"), "kana"),
    (N_("Received on"), "received_on"), (N_("Stage"), "stage"),
    (N_("Assigned to"), "assignee"), (N_("Plan"), "plan"),
    (N_("End of the plan period"), "plan_period_to"), (N_("Next monitoring"),
                                                       "next_monitoring_on"),
]
DATE_KEYS = {"received_on", "plan_period_to", "next_monitoring_on"}

# Asks where to save: (parent, title, suggested file name, filter) -> path or None
AskSavePath = Callable[[QWidget, str, str, str], "str | None"]


def ask_save_path(parent: QWidget, title: str, suggested: str, file_filter: str) -> str | None:
    path, _chosen = QFileDialog.getSaveFileName(parent, title, str(Path.home() / suggested),
                                                file_filter)
    return path or None


def error_text(error: BaseException) -> str:
    return str(error) if isinstance(error, TsunaguError) else repr(error)


def _date(value: Any) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _stage(value: str) -> str:
    try:
        return Stage(value).label
    except ValueError:
        return value


def plan_text(row: CaseloadRow) -> str:
    if not row.plan_number:
        return ""
    kind = _("Re-plan") if row.plan_kind == "replan" else _("First plan")
    return f"{kind}（{row.plan_number}）"


# the value of each column of a row (plan and stage are shown as words: plan_text, _stage)
CELLS: dict[str, Callable[[CaseloadRow], Any]] = {
    "case_no": lambda r: r.case_no, "name": lambda r: r.name, "kana": lambda r: r.kana,
    "received_on": lambda r: r.received_on, "stage": lambda r: r.stage,
    "assignee": lambda r: r.assignee, "plan": plan_text,
    "plan_period_to": lambda r: r.plan_period_to,
    "next_monitoring_on": lambda r: r.next_monitoring_on,
}


class ExportButtons(QWidget):
    """CSV (with the encoding chosen beside it), Excel and PDF. Emits ``export(fmt, encoding)``."""

    export = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.encoding = QComboBox()
        self.encoding.addItem(_("UTF-8 (with BOM)"), "utf-8")
        self.encoding.addItem(_("Shift_JIS (cp932, older Excel)"), "cp932")
        self.encoding.setAccessibleName(_("Character set of the CSV file"))
        self.encoding.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.encoding.setToolTip(_("The character set of the CSV file. Shift_JIS cannot hold "
                                   "some name characters (e.g. 𠮷); the export then stops and "
                                   "says where."))
        self.csv_button = QPushButton(_("CSV"))
        self.xlsx_button = QPushButton(_("Excel (xlsx)"))
        self.pdf_button = QPushButton(_("PDF"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(_("Export:")))
        row.addWidget(self.csv_button)
        row.addWidget(self.encoding)
        row.addSpacing(6)
        row.addWidget(self.xlsx_button)
        row.addWidget(self.pdf_button)
        self.csv_button.clicked.connect(lambda: self.export.emit("csv", self.encoding.currentData()))
        self.xlsx_button.clicked.connect(lambda: self.export.emit("xlsx", "utf-8"))
        self.pdf_button.clicked.connect(lambda: self.export.emit("pdf", "utf-8"))

    def set_busy(self, busy: bool) -> None:
        for w in (self.csv_button, self.xlsx_button, self.pdf_button):
            w.setEnabled(not busy)


FILTERS = {"csv": N_("CSV files (*.csv)"), "xlsx": N_("Excel files (*.xlsx)"),
           "pdf": N_("PDF files (*.pdf)")}


def export_filter(fmt: str) -> str:
    return _(FILTERS[fmt])


def with_suffix(path: str, fmt: str) -> str:
    return path if path.lower().endswith("." + fmt) else f"{path}.{fmt}"


class CaseloadModel(QAbstractTableModel):
    """The caseload rows (all loaded at once); sorting here, by the column's value."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[CaseloadRow] = []
        self.today = date.today()
        self._sort = (len(COLUMNS) - 1, Qt.SortOrder.AscendingOrder)

    def set_rows(self, rows: list[CaseloadRow], today: date) -> None:
        self.beginResetModel()
        self.rows, self.today = list(rows), today
        self._sort_rows(*self._sort)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return _(COLUMNS[section][0])
        return None

    def overdue(self, row: CaseloadRow) -> bool:
        due = row.next_monitoring_on
        return due is not None and due < self.today

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][1]
        if role == Qt.ItemDataRole.DisplayRole:
            if key in DATE_KEYS:
                d = _date(CELLS[key](row))
                return text_ja.format_wareki(d, "long") if d else ""
            if key == "stage":
                return _stage(row.stage)
            return CELLS[key](row) or ""
        if role == Qt.ItemDataRole.UserRole:
            return row.case_id
        if role == Qt.ItemDataRole.ForegroundRole and key == "next_monitoring_on" \
                and self.overdue(row):
            return WARNING
        if role == Qt.ItemDataRole.ToolTipRole and key == "next_monitoring_on" \
                and self.overdue(row):
            return _("Monitoring overdue")
        return None

    def _sort_rows(self, column: int, order) -> None:
        key = COLUMNS[column][1]

        def value(row: CaseloadRow):
            v: Any = _stage(row.stage) if key == "stage" else CELLS[key](row) or ""
            return (v == "", v)  # empty values last

        self.rows.sort(key=lambda r: r.case_no or "")
        self.rows.sort(key=value, reverse=order == Qt.SortOrder.DescendingOrder)
        if order == Qt.SortOrder.DescendingOrder:  # still keep empty values last
            self.rows.sort(key=lambda r: value(r)[0])

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._sort_rows(column, order)
        self.layoutChanged.emit()


class CaseloadView(QWidget):
    """The title with the count, the table, the export buttons. Emits ``open_case``."""

    open_case = Signal(str)
    loaded = Signal()

    def __init__(self, desk, parent: QWidget | None = None, *,
                 ask_path: AskSavePath = ask_save_path):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.ask_path = ask_path
        self.on: date | None = None
        self._loading = 0
        self.last_export: Path | None = None
        self.title = heading(_("Caseload (cases in support)"))
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #445;")
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.exports = ExportButtons()
        self.exports.export.connect(self.export)
        self.message = QLabel()
        self.message.setStyleSheet("color: #1d6b2f;")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = ErrorLabel()
        self.model = CaseloadModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for column, width in enumerate((110, 150, 170, 150, 110, 120, 120, 150)):
            self.table.setColumnWidth(column, width)
        header.setSortIndicator(len(COLUMNS) - 1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        # activated: a double-click, or Enter (as the platform has it) — not both
        self.table.activated.connect(self._open)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.exports)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.message)
        self._shown_once = False
        self._stale = StaleFlag()   # an operation changed cases meanwhile

    def busy(self) -> bool:
        return self._loading > 0

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.refresh()
        else:
            self._stale.shown(self.refresh)

    def on_operation_did_execute(self, changes: Changes, source: object) -> None:
        if changes.any_case and self._shown_once:
            self._stale.changed(self.isVisible(), self.refresh)

    def refresh(self) -> None:
        desk = self.desk
        self._loading += 1
        self.count_label.setText(_("Loading…"))
        self.refresh_button.setEnabled(False)

        def load(desk):
            today = desk.today()
            return desk.reports.caseload(today), today

        def show(result) -> None:
            self._loading -= 1
            self.refresh_button.setEnabled(True)
            rows, today = result
            self.on = today
            self.error.clear_message()
            self.model.set_rows(rows, today)
            self.count_label.setText(_("{n} cases as of {date}").format(
                n=len(rows), date=text_ja.format_wareki(today, "long")))
            self.loaded.emit()

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.refresh_button.setEnabled(True)
            self.count_label.setText("")
            self.model.set_rows([], date.today())
            self.error.show_message(error_text(error))
            self.loaded.emit()

        read_in_background(self, self.desk, load, show, failed)

    def _open(self, index: QModelIndex) -> None:
        case_id = self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None
        if case_id:
            self.open_case.emit(case_id)

    def export(self, fmt: str, encoding: str = "utf-8") -> None:
        on = self.on or date.today()
        suggested = f"支援ケース一覧_{on.isoformat()}.{fmt}"
        path = self.ask_path(self, _("Export the caseload"), suggested, export_filter(fmt))
        if not path:
            return
        path = with_suffix(path, fmt)
        desk = self.desk
        self._loading += 1
        self.exports.set_busy(True)
        self.message.setText("")

        def done(written) -> None:
            self._loading -= 1
            self.exports.set_busy(False)
            self.last_export = Path(written)
            self.error.clear_message()
            self.message.setText(_("Saved: {path}").format(path=written))

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.exports.set_busy(False)
            self.error.show_message(error_text(error))

        run_in_background(self, lambda: desk.reports.export_caseload(path, fmt, encoding=encoding,
                                                                 render=render),
                          done, failed)
