"""台帳の取り込み (LEDGER.md) under 管理: choose the ledger (.xlsx / .csv), check the whole
file first (a dry run in the background, nothing written), see the preview — each problem
as 「行 N 列「名前」: …」, how many rows would be imported, are already imported, look like
duplicates, and which staff would be created — and only then import (enabled only when the
check found no problem). The import itself is all or nothing and idempotent (the core's)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QListWidget,
    QListWidgetItem, QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

from app.i18n import _
from ui.background import run_in_background, serialized
from ui.views.caseload import error_text
from ui.widgets import ErrorLabel, heading

PROBLEM = QColor("#b42318")
NOTICE = QColor("#8a5a00")

# Asks which file to read: (parent, title, filter) -> path or None
AskOpenPath = Callable[[QWidget, str, str], "str | None"]


def ask_open_path(parent: QWidget, title: str, file_filter: str) -> str | None:
    path, _chosen = QFileDialog.getOpenFileName(parent, title, str(Path.home()), file_filter)
    return path or None


# Asks whether to import although the check found warnings: (parent, report) -> bool
AskImportWithWarnings = Callable[[QWidget, object], bool]


def ask_import_with_warnings(parent: QWidget, report) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, _("Import with warnings?"), _(
        "The check found {n} warnings: those rows are imported with the gaps recorded as "
        "“（記載なし）” and listed in the report. Import {m} consultations now?").format(
        n=report.warning_count, m=len(report.imported)), parent=parent)
    yes = box.addButton(_("Import"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Do not import"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes


class LedgerImportView(QWidget):
    """Choose → check (dry run) → preview → 取り込む. Emits ``imported(report)``."""

    imported = Signal(object)
    checked = Signal(object)

    def __init__(self, desk, parent: QWidget | None = None, *,
                 ask_path: AskOpenPath = ask_open_path,
                 ask_warnings: AskImportWithWarnings = ask_import_with_warnings):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.ask_path = ask_path
        self.ask_warnings = ask_warnings
        self.path: Path | None = None
        self.sheet: str | None = None      # None: the first sheet with the expected header
        self.report = None          # the last LedgerReport (dry run or import)
        self._loading = 0

        intro = QLabel(_("Import the desk's existing consultation ledger (相談受付簿) from an "
                         "Excel (.xlsx) or CSV file (UTF-8 or Shift_JIS). The whole file is "
                         "checked first and nothing is written until you import; if any row "
                         "is wrong, nothing is imported. Rows already imported are skipped."))
        intro.setWordWrap(True)
        self.choose_button = QPushButton(_("Choose a file…"))
        self.choose_button.clicked.connect(self.choose)
        self.path_label = QLabel(_("No file chosen."))
        self.path_label.setStyleSheet("color: #445;")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sheet_label = QLabel(_("Sheet:"))
        self.sheet_choice = QComboBox()
        self.sheet_choice.setAccessibleName(_("Sheet of the workbook"))
        self.sheet_choice.setMinimumWidth(160)
        self.sheet_choice.activated.connect(self._sheet_chosen)
        self.sheet_label.hide()
        self.sheet_choice.hide()
        self.check_button = QPushButton(_("Check again"))
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self.check)
        self.import_button = QPushButton(_("Import"))
        self.import_button.setEnabled(False)
        self.import_button.setStyleSheet(
            "QPushButton:enabled { background: #1f5f99; color: white; font-weight: bold;"
            " border-radius: 4px; padding: 5px 16px; }")
        self.import_button.clicked.connect(self.run_import)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-weight: bold;")
        self.error = ErrorLabel()

        summary = QGroupBox(_("Preview"))
        self.summary = summary
        grid = QGridLayout(summary)
        self.counts: dict[str, QLabel] = {}
        for i, (key, text) in enumerate((
                ("rows", _("Rows read")), ("to_import", _("Consultations to import")),
                ("already", _("Already imported (skipped)")),
                ("duplicates", _("Likely duplicates to check")),
                ("staff", _("Staff to be created (inactive)")),
                ("problems", _("Errors")), ("warnings", _("Warnings (imported)")))):
            name = QLabel(text)
            value = QLabel("–")
            value.setStyleSheet("font-size: 14pt; font-weight: bold; color: #1d3d5c;")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(60)
            grid.addWidget(name, i // 3, (i % 3) * 2)
            grid.addWidget(value, i // 3, (i % 3) * 2 + 1)
            self.counts[key] = value
        grid.setColumnStretch(6, 1)
        grid.setHorizontalSpacing(14)

        self.lines = QListWidget()
        self.lines.setAlternatingRowColors(True)
        self.lines.setWordWrap(True)
        self.lines.setUniformItemSizes(False)
        self.lines.setStyleSheet("QListWidget::item { padding: 3px 4px; }")

        file_row = QHBoxLayout()
        file_row.addWidget(self.choose_button)
        file_row.addWidget(self.path_label, 1)
        file_row.addWidget(self.sheet_label)
        file_row.addWidget(self.sheet_choice)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Import a ledger")))
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addWidget(self.error)
        layout.addWidget(summary)
        layout.addWidget(QLabel(_("The report, row by row:")))
        layout.addWidget(self.lines, 1)
        layout.addLayout(buttons)

    def busy(self) -> bool:
        return self._loading > 0

    # ------------------------------------------------------------------ steps
    def choose(self) -> None:
        path = self.ask_path(self, _("Choose the ledger"),
                             _("Ledgers (*.xlsx *.csv);;Excel files (*.xlsx);;"
                               "CSV files (*.csv)"))
        if path:
            self.set_file(path)

    def set_file(self, path: str | Path) -> None:
        """Take ``path`` and check it at once (a dry run)."""
        self.path = Path(path)
        self.path_label.setText(str(self.path))
        self.sheet = None
        self.sheet_choice.clear()
        self.sheet_label.hide()
        self.sheet_choice.hide()
        self.check()

    def set_sheet(self, name: str | None) -> None:
        """Read ``name`` (a sheet of the workbook) and check again."""
        self.sheet = name
        self.check()

    def _sheet_chosen(self, index: int) -> None:
        name = self.sheet_choice.itemText(index)
        if name and name != (self.report.sheet if self.report is not None else None):
            self.set_sheet(name)

    def _show_sheets(self, report) -> None:
        sheets = list(getattr(report, "sheets", []) or [])
        self.sheet_choice.blockSignals(True)
        self.sheet_choice.clear()
        self.sheet_choice.addItems(sheets)
        if report.sheet in sheets:
            self.sheet_choice.setCurrentIndex(sheets.index(report.sheet))
        self.sheet_choice.blockSignals(False)
        many = len(sheets) > 1
        self.sheet_label.setVisible(many)
        self.sheet_choice.setVisible(many)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._loading += 1 if busy else -1
        for w in (self.choose_button, self.check_button):
            w.setEnabled(not busy and (w is self.choose_button or self.path is not None))
        if busy:
            self.import_button.setEnabled(False)
            self.status.setStyleSheet("font-weight: bold; color: #445;")
            self.status.setText(text)

    def check(self) -> None:
        if self.path is None:
            return
        desk, path, sheet = self.desk, self.path, self.sheet
        self.report = None
        self.lines.clear()
        self.error.clear_message()
        self._set_busy(True, _("Checking the file…"))

        def done(report) -> None:
            self._set_busy(False)
            self._show(report)
            self.checked.emit(report)

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self.status.setText("")
            self.error.show_message(error_text(error))
            self.checked.emit(None)

        run_in_background(self, lambda: desk.ledger.import_ledger(path, dry_run=True, sheet=sheet),
                          done, failed)

    def run_import(self) -> None:
        if self.path is None or not self.can_import():
            return
        if self.report.warnings and not self.ask_warnings(self, self.report):
            return
        desk, path, sheet = self.desk, self.path, self.report.sheet or None
        self.error.clear_message()
        self._set_busy(True, _("Importing…"))

        def done(report) -> None:
            self._set_busy(False)
            self._show(report)
            self.imported.emit(report)

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self.status.setText("")
            self.error.show_message(error_text(error))
            self.imported.emit(None)

        run_in_background(self, lambda: desk.ledger.import_ledger(path, sheet=sheet), done, failed)

    def can_import(self) -> bool:
        r = self.report
        return r is not None and r.dry_run and r.ok and bool(r.imported)

    # ------------------------------------------------------------------ preview
    def _show(self, report) -> None:
        self.report = report
        self.summary.setTitle(_("Preview (nothing written yet)") if report.dry_run
                              else _("Result of the import"))
        self.counts["rows"].setText(str(report.rows))
        self.counts["to_import"].setText(str(len(report.imported)))
        self.counts["already"].setText(str(len(report.already)))
        self.counts["duplicates"].setText(str(len(report.duplicates)))
        self.counts["staff"].setText(str(len(report.staff_created)))
        self.counts["problems"].setText(str(report.error_count))
        self.counts["problems"].setStyleSheet(
            "font-size: 14pt; font-weight: bold; color: %s;"
            % ("#b42318" if report.problems else "#1d3d5c"))
        self.counts["warnings"].setText(str(report.warning_count))
        self.counts["warnings"].setStyleSheet(
            "font-size: 14pt; font-weight: bold; color: %s;"
            % ("#8a5a00" if report.warnings else "#1d3d5c"))
        self._show_sheets(report)
        self.lines.clear()
        bold = QFont(self.lines.font())
        bold.setBold(True)

        def add(text: str, colour: QColor | None = None, heading: bool = False) -> None:
            item = QListWidgetItem(text)
            if colour is not None:
                item.setForeground(QBrush(colour))
            if heading:
                item.setFont(bold)
            self.lines.addItem(item)

        for line in report.header_lines():
            add(line)
        # errors and warnings apart, each under its own heading
        if report.problems:
            add(_("Errors ({n}): nothing is imported while there is one.").format(
                n=report.error_count), PROBLEM, True)
            for line in report.error_lines():
                add(line, PROBLEM)
        if report.warnings:
            add(_("Warnings ({n}): these rows are imported, the gap recorded as “{gap}”.")
                .format(n=report.warning_count, gap="（記載なし）"), NOTICE, True)
            for line in report.warning_lines():
                add(line, NOTICE)
        duplicates = set(report.duplicates)
        for line in report.rest_lines():
            add(line, NOTICE if line in duplicates else None)
        if report.problems:
            self.status.setStyleSheet("font-weight: bold; color: #b42318;")
            self.status.setText(_("{n} problems: nothing can be imported. Correct the file "
                                  "and check it again.").format(n=report.error_count))
        elif report.dry_run and report.imported and report.warnings:
            self.status.setStyleSheet("font-weight: bold; color: #8a5a00;")
            self.status.setText(_("No errors, {w} warnings: {n} consultations can be imported "
                                  "(you will be asked first).").format(
                w=report.warning_count, n=len(report.imported)))
        elif report.dry_run and report.imported:
            self.status.setStyleSheet("font-weight: bold; color: #1d6b2f;")
            self.status.setText(_("No problems: {n} consultations can be imported.").format(
                n=len(report.imported)))
        elif report.dry_run:
            self.status.setStyleSheet("font-weight: bold; color: #445;")
            self.status.setText(_("Nothing new to import: every row is already imported."))
        else:
            self.status.setStyleSheet("font-weight: bold; color: #1d6b2f;")
            self.status.setText(_("Imported {n} consultations.").format(n=report.written))
        self.import_button.setEnabled(self.can_import())


def _create(window) -> LedgerImportView:
    return LedgerImportView(window.desk)
