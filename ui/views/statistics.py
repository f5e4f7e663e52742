"""統計・報告: the monthly report or the fiscal-year summary of STATISTICS.md as a table with
Japanese labels (counts, per 100,000 population, targets, breakdowns by route, referral
source and statutory service; a fiscal year with its twelve months, the total and the three
rates), the chart of the three indicators against the national targets, the exports the core
writes (CSV in UTF-8 with BOM or cp932, xlsx, PDF), the targets per fiscal year for
administrators, and the cases behind a figure (click it; double-click a case to open it).
The 支援ケース一覧 is the second tab (ui/views/caseload.py). Every report is computed in the
background: at 100,000 cases one takes up to a second."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import (
    QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
    QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox, QSplitter, QTableView,
    QTabWidget, QVBoxLayout, QWidget,
)

from app import text_ja
from app.domain.reports import CaseBehind
from app.i18n import N_, _
from app.reports import statistics as S
from forms.sheets import render
from ui.areas import Area, register
from ui.background import read_in_background, run_in_background, serialized
from ui.views.caseload import (
    AskSavePath, CaseloadView, ExportButtons, ask_save_path, error_text, export_filter,
    with_suffix,
)
from ui.views.chart import IndicatorChart
from ui.views.meetings import may
from ui.widgets import ErrorLabel, heading

LINK = QColor("#1f5f99")
BELOW_TARGET = QColor("#b45309")
SECTION_BACKGROUND = QColor("#e8edf3")

RunDialog = Callable[[QDialog], bool]


def run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def last_complete_month(today: date) -> tuple[int, int]:
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def _per(value: Any) -> str:
    return "" if value is None or value == "" else f"{float(value):.1f}"


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def period_name(period: str) -> str:
    """2026年度 for "FY2026", 2026年5月 for "2026-05"."""
    if period.startswith("FY"):
        return _("Fiscal year {year}").format(year=int(period[2:]))
    return f"{int(period[:4])}年{int(period[5:7])}月"


# ---------------------------------------------------------------------- the figures table
@dataclass
class FigureRow:
    """One line of the table. ``key``: the figure's key for ``cases_behind`` (None for
    breakdowns and rates); ``periods[c]``: the period of column c behind it."""

    label: str
    cells: list[Any]
    key: str | None = None
    section: bool = False
    periods: dict[int, str] = field(default_factory=dict)
    below_target: set[int] = field(default_factory=set)
    indent: bool = False


def _breakdown_rows(title: str, per_month: list[dict[str, int]], total: bool) -> list[FigureRow]:
    """A section of counts by name (routes, sources, services): one cell per month, and the
    sum when ``total``."""
    names: list[str] = []
    for mapping in per_month:
        names.extend(n for n in mapping if n not in names)
    rows = [FigureRow(title, [], section=True)]
    for name in names:
        cells: list[Any] = [m.get(name, 0) for m in per_month]
        if total:
            cells.append(sum(cells))
        rows.append(FigureRow(name, cells, indent=True))
    if not names:
        rows.append(FigureRow(_("(none)"), [], indent=True))
    return rows


def monthly_rows(report: dict[str, Any]) -> tuple[list[str], list[FigureRow]]:
    """Columns: item, count, per 100,000, target."""
    header = [_("Item"), _("Count"), _("Per 100,000 population"), _("Target per 100,000")]
    month = report["month"]
    counts = report["counts"]
    rows = [FigureRow(_("Figures"), [], section=True)]
    for key in S.COUNT_KEYS:
        if key == "closed_by_pattern":
            for p in S.PATTERNS:
                rows.append(FigureRow(S.label(f"closed_{p}"), [counts[key][p], "", ""],
                                      f"closed_{p}", periods={1: month}, indent=True))
            continue
        per = report["per_100k"].get(key)
        target = report["targets_per_100k"].get(key)
        below = {2} if per is not None and target is not None and per < target else set()
        rows.append(FigureRow(S.label(key), [counts[key], _per(per), _per(target)], key,
                              periods={1: month, 2: month} if per is not None else {1: month},
                              below_target=below,
                              indent=key in ("first_plans", "replans", "employed_among_targets",
                                             "income_increased_among_targets")))
    rows += _breakdown_rows(_("Consultation route"), [report["referral_routes"]], False)
    rows += _breakdown_rows(_("Referral source"), [report["referral_sources"]], False)
    rows += _breakdown_rows(_("Statutory services (support decisions)"),
                            [report["statutory_services"]], False)
    return header, rows


def fiscal_year_rows(fy: dict[str, Any]) -> tuple[list[str], list[FigureRow]]:
    """Columns: item, April … March, the fiscal year's total."""
    months = [m["month"] for m in fy["months"]]
    header = [_("Item")] + [_("Month {n}").format(n=int(m[5:])) for m in months] \
        + [_("Fiscal year total")]
    periods = {i + 1: m for i, m in enumerate(months)}
    periods[len(months) + 1] = f"FY{fy['fiscal_year']}"
    rows = [FigureRow(_("Figures"), [], section=True)]
    for key in S.COUNT_KEYS:
        if key == "closed_by_pattern":
            for p in S.PATTERNS:
                rows.append(FigureRow(S.label(f"closed_{p}"),
                                      [m["counts"][key][p] for m in fy["months"]]
                                      + [fy["totals"][key][p]], f"closed_{p}", periods=periods,
                                      indent=True))
            continue
        rows.append(FigureRow(S.label(key), [m["counts"][key] for m in fy["months"]]
                              + [fy["totals"][key]], key, periods=periods,
                              indent=key in ("first_plans", "replans", "employed_among_targets",
                                             "income_increased_among_targets")))
    rows.append(FigureRow(_("Per 100,000 population (total: monthly average)"), [],
                          section=True))
    for key in S.INDICATORS:
        target = fy["targets_per_100k"][key]
        values = [m["per_100k"][key] for m in fy["months"]] \
            + [fy["per_100k_monthly_average"][key]]
        rows.append(FigureRow(S.label(key), [_per(v) for v in values], key, periods=periods,
                              below_target={c + 1 for c, v in enumerate(values) if v < target},
                              indent=True))
        rows.append(FigureRow(_("Target per 100,000"), [""] * len(months) + [_per(target)],
                              indent=True))
    rows.append(FigureRow(_("Rates"), [], section=True))
    for key in S.RATE_KEYS:
        rows.append(FigureRow(S.label(key), [""] * len(months) + [_rate(fy[key])], indent=True))
    rows += _breakdown_rows(_("Consultation route"),
                            [m["referral_routes"] for m in fy["months"]], True)
    rows += _breakdown_rows(_("Referral source"),
                            [m["referral_sources"] for m in fy["months"]], True)
    rows += _breakdown_rows(_("Statutory services (support decisions)"),
                            [m["statutory_services"] for m in fy["months"]], True)
    return header, rows


class FiguresModel(QAbstractTableModel):
    """The report as rows of figures; ``behind(index)`` says which cases a cell counts."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.header: list[str] = [_("Item")]
        self.rows: list[FigureRow] = []

    def set_table(self, header: list[str], rows: list[FigureRow]) -> None:
        self.beginResetModel()
        self.header, self.rows = header, rows
        self.endResetModel()

    def behind(self, index: QModelIndex | QPersistentModelIndex) -> tuple[str, str] | None:
        """(period, key) of the cases behind the figure at ``index``, None if not a figure."""
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        period = row.periods.get(index.column())
        if row.key is None or period is None:
            return None
        return period, row.key

    def find(self, key: str) -> int:
        """The row of figure ``key`` (the first one: the count)."""
        return next(i for i, r in enumerate(self.rows) if r.key == key)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.header)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.header):
            return self.header[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return ("　" + row.label) if row.indent else row.label
            if col - 1 < len(row.cells):
                value = row.cells[col - 1]
                return "" if value is None else str(value)
            return ""
        clickable = self.behind(index) is not None
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and row.section:
            return QBrush(SECTION_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and row.section:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if col in row.below_target:
                return BELOW_TARGET
            if clickable:
                return LINK
        if role == Qt.ItemDataRole.ToolTipRole:
            if col in row.below_target:
                return _("Below the national target")
            if clickable:
                return _("Click to list the cases behind this figure")
        return None


# ---------------------------------------------------------------------- the cases behind
BEHIND_COLUMNS = [N_("Case No."), N_("Name"), N_("Furigana"), N_("Counted on"), N_("Stage"),
                  N_("Assigned to")]


class CasesBehindModel(QAbstractTableModel):
    """The rows of ``desk.reports.cases_behind``: number, name, reading, date counted, stage, 担当."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[CaseBehind] = []

    def set_rows(self, rows: list[CaseBehind]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def case_ids(self) -> list[str]:
        return [r.case_id for r in self.rows]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(BEHIND_COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(BEHIND_COLUMNS):
            return _(BEHIND_COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == 3:
                return text_ja.format_wareki(row.on, "long") if row.on else ""
            if col == 4:
                from ui.views.caseload import _stage
                return _stage(row.stage or "")
            return (row.case_no, row.name, row.kana, "", "", row.assignee)[col] or ""
        if role == Qt.ItemDataRole.UserRole:
            return row.case_id
        return None


# ---------------------------------------------------------------------- targets
class TargetsDialog(QDialog):
    """The national targets per 100,000 population per month of one fiscal year."""

    def __init__(self, fy: int, current: dict[str, float], parent: QWidget | None = None):
        super().__init__(parent)
        self.fy = fy
        self.setWindowTitle(_("Targets for fiscal year {year}").format(year=fy))
        self.fields: dict[str, QDoubleSpinBox] = {}
        form = QFormLayout()
        for key in S.INDICATORS:
            spin = QDoubleSpinBox()
            spin.setDecimals(1)
            spin.setRange(0, 100000)
            spin.setSingleStep(1)
            spin.setValue(float(current.get(key, S.DEFAULT_TARGETS[key])))
            spin.setSuffix(_(" per 100,000"))
            spin.setMinimumWidth(160)
            self.fields[key] = spin
            form.addRow(S.label(key), spin)
        note = QLabel(_("Targets per 100,000 population per month (国の目安値). Later fiscal "
                        "years without their own targets use these."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, float]:
        return {k: spin.value() for k, spin in self.fields.items()}


# ---------------------------------------------------------------------- the screen
MONTHLY, FISCAL_YEAR = "month", "fiscal_year"


class FiguresView(QWidget):
    """Period choice, the figures table, the chart, exports, and the cases behind a figure."""

    open_case = Signal(str)
    loaded = Signal()
    cases_loaded = Signal()

    def __init__(self, desk, parent: QWidget | None = None, *,
                 ask_path: AskSavePath = ask_save_path, run: RunDialog = run_dialog,
                 today: date | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.ask_path = ask_path
        self.run_dialog = run
        self.report: dict[str, Any] | None = None
        self.last_export: Path | None = None
        self._loading = 0
        self._generation = 0
        today = today or self.desk.today()
        year, month = last_complete_month(today)

        self.kind = QComboBox()
        self.kind.addItem(_("Monthly report"), MONTHLY)
        self.kind.addItem(_("Fiscal year"), FISCAL_YEAR)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(year)
        self.year.setSuffix(_(" (year)"))
        self.month = QComboBox()
        for m in range(1, 13):
            self.month.addItem(_("Month {n}").format(n=m), m)
        self.month.setCurrentIndex(month - 1)
        self.fiscal_year = QSpinBox()
        self.fiscal_year.setRange(2000, 2100)
        self.fiscal_year.setValue(text_ja.fiscal_year(date(year, month, 1)))
        self.fiscal_year.setSuffix(_(" (fiscal year)"))
        self.fiscal_year.hide()
        for w, name in ((self.kind, _("Report")), (self.year, _("Year")), (self.month, _("Month")),
                        (self.fiscal_year, _("Fiscal year"))):
            w.setAccessibleName(name)   # screen readers (issue 18)
        self.period_label = QLabel()
        self.period_label.setStyleSheet("color: #445;")
        self.refresh_button = QPushButton(_("Refresh"))
        self.targets_button = QPushButton(_("Targets…"))
        self.targets_button.setToolTip(_("The national targets per 100,000 population of the "
                                         "fiscal year (administrators)"))
        self.targets_button.setVisible(may(self.desk, "manage_settings"))
        self.exports = ExportButtons()

        self.title = heading("")
        self.error = ErrorLabel()
        self.message = QLabel()
        self.message.setStyleSheet("color: #1d6b2f;")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = FiguresModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.clicked.connect(self.show_cases_behind)
        self.chart = IndicatorChart()

        self.cases_title = heading(_("Cases behind a figure"))
        self.cases_hint = QLabel(_("Click a figure in blue to list the cases it counts; "
                                   "double-click a case to open it."))
        self.cases_hint.setStyleSheet("color: #667;")
        self.cases_error = ErrorLabel()
        self.cases_model = CasesBehindModel(self)
        self.cases = QTableView()
        self.cases.setModel(self.cases_model)
        self.cases.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cases.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.cases.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cases.setAlternatingRowColors(True)
        self.cases.verticalHeader().hide()
        self.cases.verticalHeader().setDefaultSectionSize(26)
        self.cases.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((110, 160, 180, 150, 110)):
            self.cases.setColumnWidth(col, width)
        # activated: a double-click, or Enter (as the platform has it) — not both
        self.cases.activated.connect(self._open)

        controls = QHBoxLayout()
        controls.addWidget(self.kind)
        controls.addWidget(self.year)
        controls.addWidget(self.month)
        controls.addWidget(self.fiscal_year)
        controls.addWidget(self.period_label)
        # counting a fiscal year at 100,000 cases takes a second or more, in the background:
        # a moving bar says so, and the screen stays usable meanwhile
        from PySide6.QtWidgets import QProgressBar
        self.counting = QProgressBar()
        self.counting.setRange(0, 0)
        self.counting.setMaximumWidth(120)
        self.counting.setMaximumHeight(14)
        self.counting.setTextVisible(False)
        self.counting.setAccessibleName(_("Counting…"))
        self.counting.setToolTip(_("Counting…"))
        self.counting.hide()
        controls.addWidget(self.counting)
        controls.addWidget(self.refresh_button)
        controls.addStretch(1)
        controls.addWidget(self.targets_button)
        exports = QHBoxLayout()
        exports.addWidget(self.title)
        exports.addStretch(1)
        exports.addWidget(self.exports)

        self.top_split = QSplitter(Qt.Orientation.Horizontal)
        self.top_split.addWidget(self.table)
        self.top_split.addWidget(self.chart)
        self.top_split.setStretchFactor(0, 3)
        self.top_split.setStretchFactor(1, 2)
        self.top_split.setChildrenCollapsible(False)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        lower_layout.addWidget(self.cases_title)
        lower_layout.addWidget(self.cases_hint)
        lower_layout.addWidget(self.cases_error)
        lower_layout.addWidget(self.cases, 1)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.top_split)
        self.split.addWidget(lower)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(exports)
        layout.addWidget(self.error)
        layout.addWidget(self.message)
        layout.addWidget(self.split, 1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        for spin in (self.year, self.fiscal_year):
            spin.valueChanged.connect(lambda _v: self.refresh())
        self.month.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.targets_button.clicked.connect(self.edit_targets)
        self.exports.export.connect(self.export)
        self.refresh()

    # ------------------------------------------------------------------ period
    def busy(self) -> bool:
        return self._loading > 0

    def mode(self) -> str:
        return self.kind.currentData()

    def period(self) -> str:
        """"YYYY-MM" or "FY2026"."""
        if self.mode() == FISCAL_YEAR:
            return f"FY{self.fiscal_year.value()}"
        return f"{self.year.value():04d}-{self.month.currentData():02d}"

    def current_fiscal_year(self) -> int:
        if self.mode() == FISCAL_YEAR:
            return self.fiscal_year.value()
        return text_ja.fiscal_year(date(self.year.value(), self.month.currentData(), 1))

    def set_month(self, month: str) -> None:
        """Show the monthly report of ``"YYYY-MM"``."""
        y, m = int(month[:4]), int(month[5:7])
        for w in (self.kind, self.year, self.month):
            w.blockSignals(True)
        self.kind.setCurrentIndex(0)
        self.year.setValue(y)
        self.month.setCurrentIndex(m - 1)
        for w in (self.kind, self.year, self.month):
            w.blockSignals(False)
        self._kind_changed()

    def set_fiscal_year(self, year: int) -> None:
        for w in (self.kind, self.fiscal_year):
            w.blockSignals(True)
        self.kind.setCurrentIndex(1)
        self.fiscal_year.setValue(year)
        for w in (self.kind, self.fiscal_year):
            w.blockSignals(False)
        self._kind_changed()

    def _kind_changed(self, _index: int = 0) -> None:
        yearly = self.mode() == FISCAL_YEAR
        self.year.setVisible(not yearly)
        self.month.setVisible(not yearly)
        self.fiscal_year.setVisible(yearly)
        self.refresh()

    def _period_text(self) -> str:
        if self.mode() == FISCAL_YEAR:
            fy = self.fiscal_year.value()
            return _("Fiscal year {year} ({wareki}, April {year} – March {next})").format(
                year=fy, wareki=text_ja.format_wareki_year(date(fy, 4, 1)) + "度",
                next=fy + 1)
        first = date(self.year.value(), self.month.currentData(), 1)
        return f"{text_ja.format_wareki_year(first)}{first.month}月"

    # ------------------------------------------------------------------ figures
    def refresh(self) -> None:
        desk, mode = self.desk, self.mode()
        self._generation += 1
        generation = self._generation
        self._loading += 1
        self.counting.show()
        self.period_label.setText(self._period_text())
        if mode == FISCAL_YEAR:
            year = self.fiscal_year.value()
            op: Callable[[Any], Any] = lambda desk: desk.reports.fiscal_year_report(year)
        else:
            month = self.period()
            op = lambda desk: desk.reports.monthly_report(month)

        def show(report) -> None:
            self._loading -= 1
            self.counting.setVisible(self._loading > 0)
            if generation != self._generation:
                return
            self.error.clear_message()
            self._show(mode, report)
            self.loaded.emit()

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.counting.setVisible(self._loading > 0)
            if generation == self._generation:
                self.error.show_message(error_text(error))
                self.loaded.emit()

        read_in_background(self, self.desk, op, show, failed)

    def _show(self, mode: str, report: dict[str, Any]) -> None:
        self.report = report
        self.cases_model.set_rows([])
        self.cases_title.setText(_("Cases behind a figure"))
        self.cases_error.clear_message()
        header = self.table.horizontalHeader()
        if mode == FISCAL_YEAR:
            head, rows = fiscal_year_rows(report)
            self.model.set_table(head, rows)
            self.title.setText(_("Fiscal year {year}").format(year=report["fiscal_year"]))
            self.chart.set_values(report["per_100k_monthly_average"],
                                  report["targets_per_100k"],
                                  _("Per 100,000 population, monthly average of the year"),
                                  _("Monthly average"))
            self.table.setColumnWidth(0, 300)
            for col in range(1, len(head)):
                self.table.setColumnWidth(col, 54)
            self.table.setColumnWidth(len(head) - 1, 78)
            header.setStretchLastSection(False)
            self.top_split.setSizes([880, 360])
        else:
            head, rows = monthly_rows(report)
            self.model.set_table(head, rows)
            first = date(int(report["month"][:4]), int(report["month"][5:]), 1)
            self.title.setText(_("Monthly report {month}").format(
                month=f"{first.year}年{first.month}月"))
            self.chart.set_values(report["per_100k"], report["targets_per_100k"],
                                  _("Per 100,000 population"), _("This month"))
            self.table.setColumnWidth(0, 300)
            self.table.setColumnWidth(1, 80)
            for col in range(2, len(head)):
                self.table.setColumnWidth(col, 150)
            header.setStretchLastSection(True)
            self.top_split.setSizes([720, 520])
        self.table.setWordWrap(False)

    # ------------------------------------------------------------------ cases behind
    def show_cases_behind(self, index: QModelIndex) -> None:
        found = self.model.behind(index)
        if found is None:
            return
        period, key = found
        row = self.model.rows[index.row()]
        desk = self.desk
        self._loading += 1
        self.cases_error.clear_message()
        what = f"{S.label(key)}（{period_name(period)}）"

        def show(rows) -> None:
            self._loading -= 1
            self.cases_model.set_rows(rows)
            self.cases_title.setText(_("Cases behind “{figure}”: {n}").format(
                figure=what, n=len(rows)))
            if not rows and row.cells and str(row.cells[0]) not in ("", "0"):
                self.cases_hint.setText(_("None of the cases counted here are visible to you."))
            else:
                self.cases_hint.setText(_("Double-click a case to open it."))
            self.cases_loaded.emit()

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.cases_model.set_rows([])
            self.cases_title.setText(_("Cases behind “{figure}”").format(figure=what))
            self.cases_error.show_message(error_text(error))
            self.cases_loaded.emit()

        read_in_background(self, self.desk, lambda desk: desk.reports.cases_behind(period, key), show,
                           failed)

    def _open(self, index: QModelIndex) -> None:
        case_id = self.cases_model.data(index, Qt.ItemDataRole.UserRole) \
            if index.isValid() else None
        if case_id:
            self.open_case.emit(case_id)

    # ------------------------------------------------------------------ exports
    def export(self, fmt: str, encoding: str = "utf-8") -> None:
        desk = self.desk
        if self.mode() == FISCAL_YEAR:
            year = self.fiscal_year.value()
            suggested = f"年度集計_{year}年度.{fmt}"
            op: Callable[[str], Any] = lambda path: desk.reports.export_fiscal_year(
                year, path, fmt, encoding=encoding, render=render)
        else:
            month = self.period()
            suggested = f"月次報告_{month}.{fmt}"
            op = lambda path: desk.reports.export_monthly(month, path, fmt, encoding=encoding,
                                                          render=render)
        path = self.ask_path(self, _("Export the report"), suggested, export_filter(fmt))
        if not path:
            return
        path = with_suffix(path, fmt)
        self._loading += 1
        self.exports.set_busy(True)
        self.message.setText("")

        def done(written) -> None:
            self._loading -= 1
            self.exports.set_busy(False)
            self.error.clear_message()
            self.last_export = Path(written)
            self.message.setText(_("Saved: {path}").format(path=written))

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.exports.set_busy(False)
            self.error.show_message(error_text(error))

        run_in_background(self, lambda: op(path), done, failed)

    # ------------------------------------------------------------------ targets
    def edit_targets(self) -> None:
        fy = self.current_fiscal_year()
        try:
            current = self.desk.reports.targets(fy)
        except Exception as error:  # noqa: BLE001 - the core's message
            self.error.show_message(error_text(error))
            return
        dialog = TargetsDialog(fy, current, self)
        if not self.run_dialog(dialog):
            return
        values = dialog.values()
        desk = self.desk
        self._loading += 1

        def done(saved) -> None:
            self._loading -= 1
            self.error.clear_message()
            self.message.setText(_("Targets for fiscal year {year} saved.").format(year=fy))
            self.refresh()

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.error.show_message(error_text(error))

        run_in_background(self, lambda: desk.reports.set_targets(fy, **values), done, failed)


class StatisticsView(QWidget):
    """The 統計・報告 area: the figures (月次報告 / 年度集計) and the 支援ケース一覧."""

    open_case = Signal(str)

    def __init__(self, desk, parent: QWidget | None = None, *,
                 ask_path: AskSavePath = ask_save_path, run: RunDialog = run_dialog,
                 today: date | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.figures = FiguresView(self.desk, ask_path=ask_path, run=run, today=today)
        self.caseload = CaseloadView(self.desk, ask_path=ask_path)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.figures, _("Statistics"))
        self.tabs.addTab(self.caseload, _("Caseload"))
        self.figures.open_case.connect(self.open_case)
        self.caseload.open_case.connect(self.open_case)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)

    def busy(self) -> bool:
        return self.figures.busy() or self.caseload.busy()


def _create(window) -> StatisticsView:
    view = StatisticsView(window.desk)
    view.open_case.connect(window.open_case)
    return view


register(Area("statistics", N_("Statistics and reports"), _create,
              lambda desk: may(desk, "view_statistics")))
