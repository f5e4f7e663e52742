"""The 同期 area: transfer files (export for a device or chosen cases, import with the result
in words or the core's refusal), the sync folder (set, 今すぐ同期, also run when this screen
opens and when the main window starts), the conflicts (ui/views/sync_conflicts.py) and the
devices (add, 持ち出し/返却, 失効).

Everything that touches the desk runs through ui.background.run_in_background. Blocking
dialogs (file and folder pickers, confirmations, the new-device form) go through
``SyncDialogs``, which tests replace, so no test meets a modal ``exec()``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
    QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit,
    QMessageBox, QPushButton, QRadioButton, QTableWidget, QTableWidgetItem, QTabWidget,
    QVBoxLayout, QWidget,
)

from app.domain.sync import FolderSync, ImportCounts
from app.errors import TsunaguError
from app.i18n import N_, _
from app.security.roles import Permission, Role
from ui.areas import Area, register
from ui.background import read_in_background, run_in_background, serialized
from ui.views.sync_conflicts import ConflictList, when_text
from ui.widgets import ErrorLabel, heading

OK_STYLE = "color: #1d6b2f;"
BAD_STYLE = ("color: #b00020; font-weight: bold; background: #fff3f3; border: 1px solid #e3a3a3;"
             " border-radius: 3px; padding: 6px;")
KIND_LABELS = {"desk": N_("Desk PC"), "field": N_("Field laptop")}


def error_text(error: BaseException) -> str:
    """The core's message, or a plain sentence for anything unexpected (no traceback)."""
    if isinstance(error, TsunaguError):
        return str(error)
    return _("Unexpected error: {error}").format(error=error)


def summary_text(result: ImportCounts) -> str:
    """「適用 n件、既読 n件、競合 n件」 for the counts import_bundle returns."""
    return _("Applied {applied}, already here {skipped}, conflicts {conflicts}").format(
        applied=result.applied, skipped=result.skipped, conflicts=result.conflicts)


def case_numbers(text: str) -> list[str]:
    """Case numbers typed in one field, separated by spaces, commas or 、."""
    return [t for t in re.split(r"[\s,、，]+", text.strip()) if t]


def folder_summary(result: FolderSync) -> list[str]:
    """The lines that describe one run of the sync folder."""
    lines = []
    for item in result.imported:
        lines.append(_("Imported from {device}: {summary}").format(
            device=item.device, summary=summary_text(item.counts)))
    for refused in result.refused:
        lines.append(refused.message)
    for written in result.written:
        lines.append(_("Written for {device}: {n} changes").format(device=written.device,
                                                                 n=written.entries))
    if not result.imported and not result.refused:
        lines.append(_("Nothing new to import."))
    return lines


# ---------------------------------------------------------------------------- dialogs
class SyncDialogs:
    """The blocking dialogs of the screen; tests pass an object with the same methods."""

    def save_file(self, parent: QWidget, title: str, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(parent, title, suggested,
                                                    _("Tsunagu transfer file (*.tsb)"))
        return path or None

    def open_file(self, parent: QWidget, title: str) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(parent, title, "",
                                                    _("Tsunagu transfer file (*.tsb);;"
                                                      "All files (*)"))
        return path or None

    def choose_folder(self, parent: QWidget, title: str, start: str = "") -> str | None:
        return QFileDialog.getExistingDirectory(parent, title, start) or None

    def confirm(self, parent: QWidget, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def case_numbers(self, parent: QWidget, title: str, label: str,
                     prefill: str = "") -> list[str] | None:
        text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal,
                                        prefill)
        return case_numbers(text) if ok else None

    def new_device(self, parent: QWidget) -> dict | None:
        dialog = AddDeviceDialog(parent, choose_folder=self.choose_folder)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


class AddDeviceDialog(QDialog):
    """端末の追加: kind, name, output folder, optional password, cases for a field laptop."""

    def __init__(self, parent: QWidget | None = None, *,
                 choose_folder: Callable[[QWidget, str, str], str | None] | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Add a device"))
        self.choose_folder = choose_folder
        self.desk_kind = QRadioButton(_(KIND_LABELS["desk"]))
        self.field_kind = QRadioButton(_(KIND_LABELS["field"]))
        self.field_kind.setChecked(True)
        kinds = QHBoxLayout()
        kinds.addWidget(self.field_kind)
        kinds.addWidget(self.desk_kind)
        kinds.addStretch(1)
        group = QButtonGroup(self)
        group.addButton(self.field_kind)
        group.addButton(self.desk_kind)
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("e.g. Outreach laptop 1"))
        self.folder = QLineEdit()
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.cases = QLineEdit()
        self.cases.setPlaceholderText(_("e.g. 2026-0001 2026-0003"))
        self.field_kind.toggled.connect(self.cases.setEnabled)
        self.error = ErrorLabel()
        form = QFormLayout()
        form.addRow(_("Kind"), kinds)
        form.addRow(_("Device name"), self.name)
        form.addRow(_("Output folder"), folder_row)
        form.addRow(_("Password for the new device (optional)"), self.password)
        form.addRow(_("Password again"), self.password2)
        form.addRow(_("Cases to check out"), self.cases)
        note = QLabel(_("Without a password the new device has the same users and recovery "
                        "key as this PC. Copy the folder to the new PC and open it there."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #445;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 0)

    def _browse(self) -> None:
        if self.choose_folder is None:
            return
        path = self.choose_folder(self, _("Output folder"), self.folder.text())
        if path:
            self.folder.setText(path)

    def problem(self) -> str:
        if not self.folder.text().strip():
            return _("Choose the output folder.")
        if self.password.text() != self.password2.text():
            return _("The two passwords differ.")
        return ""

    def _accept(self) -> None:
        problem = self.problem()
        self.error.show_message(problem)
        if not problem:
            self.accept()

    def values(self) -> dict:
        field = self.field_kind.isChecked()
        return {"kind": "field" if field else "desk", "name": self.name.text(),
                "out_dir": self.folder.text().strip(),
                "password": self.password.text() or None,
                "cases": case_numbers(self.cases.text()) if field else []}


# ---------------------------------------------------------------------------- the screen
def _status(label: QLabel, text: str, ok: bool) -> None:
    label.setStyleSheet(OK_STYLE if ok else BAD_STYLE)
    label.setText(text)
    label.setVisible(bool(text))


def _status_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


DEVICE_COLUMNS = (N_("Kind"), N_("Device name"), N_("Code"), N_("Last import from it"),
                  N_("Last export to it"), N_("Cases checked out"), N_("State"))


class SyncView(QWidget):
    """同期. What an import or a resolution changed, every view hears from the core
    (ui/background.py)."""

    def __init__(self, desk, parent: QWidget | None = None, *,
                 dialogs: Any | None = None, sync_on_open: bool = True):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.dialogs = dialogs or SyncDialogs()
        self.devices: list = []
        self.is_desk = self.desk.sync.device_kind() == "desk"
        self.can_admin = self.desk.security.allowed(Permission.MANAGE_SETTINGS)
        self.can_edit = self.desk.security.allowed(Permission.EDIT_CASES)
        try:
            role = Role(self.desk.user.role).label
        except ValueError:
            role = self.desk.user.role
        # the core's own refusal, shown beside what this role may not do
        self.refusal = _("Your role ({role}) does not allow this operation.").format(role=role)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._exchange_page(), _("Transfer files and sync folder"))
        self.conflicts = ConflictList()
        self.conflicts.resolve.connect(self.resolve)
        self.tabs.addTab(self.conflicts, _("Conflicts"))
        self.tabs.addTab(self._devices_page(), _("Devices"))
        title = heading(_("Sync"))
        this = QLabel()
        this.setStyleSheet("color: #445;")
        self.this_label = this
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(16)
        top.addWidget(this, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.refresh()
        if sync_on_open and self.desk.sync_folder.sync_folder() and self.can_edit:
            self.sync_now()

    # ---------------------------------------------------------------- pages
    def _exchange_page(self) -> QWidget:
        page = QWidget()
        # export
        export = QGroupBox(_("Write a transfer file"))
        self.export_since = QRadioButton(_("Everything the other device has not seen yet"))
        self.export_cases = QRadioButton(_("Only these cases"))
        self.export_since.setChecked(True)
        group = QButtonGroup(export)
        group.addButton(self.export_since)
        group.addButton(self.export_cases)
        self.export_device = QComboBox()
        self.export_device.setMinimumWidth(260)
        self.export_device.setAccessibleName(_("Device"))
        self.export_case_numbers = QLineEdit()
        self.export_case_numbers.setPlaceholderText(_("e.g. 2026-0001 2026-0003"))
        self.export_case_numbers.setEnabled(False)
        self.export_cases.toggled.connect(self.export_case_numbers.setEnabled)
        self.export_since.toggled.connect(self.export_device.setEnabled)
        self.export_button = QPushButton(_("Write to a file…"))
        self.export_button.clicked.connect(self.export_file)
        self.export_status = _status_label()
        form = QFormLayout(export)
        row1 = QHBoxLayout()
        row1.addWidget(self.export_since)
        row1.addWidget(self.export_device)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        row2.addWidget(self.export_cases)
        row2.addWidget(self.export_case_numbers, 1)
        form.addRow(row1)
        form.addRow(row2)
        row3 = QHBoxLayout()
        row3.addWidget(self.export_button)
        row3.addStretch(1)
        form.addRow(row3)
        form.addRow(self.export_status)
        # import
        imp = QGroupBox(_("Import a transfer file"))
        self.import_button = QPushButton(_("Import from a file…"))
        self.import_button.clicked.connect(self.import_file)
        self.import_status = _status_label()
        note = QLabel(_("A transfer file is applied whole or not at all; importing the same "
                        "file twice changes nothing."))
        note.setStyleSheet("color: #445;")
        note.setWordWrap(True)
        box = QVBoxLayout(imp)
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(note, 1)
        box.addLayout(row)
        box.addWidget(self.import_status)
        if not self.can_edit:
            self.import_button.setEnabled(False)
            self.import_button.setToolTip(self.refusal)
        # sync folder
        folder = QGroupBox(_("Sync folder"))
        self.folder_path = QLineEdit()
        self.folder_path.setReadOnly(True)
        self.folder_path.setPlaceholderText(_("No sync folder is set."))
        self.folder_choose = QPushButton(_("Choose folder…"))
        self.folder_choose.clicked.connect(self.choose_folder)
        self.folder_clear = QPushButton(_("Clear"))
        self.folder_clear.clicked.connect(lambda: self.set_folder(""))
        self.sync_button = QPushButton(_("Sync now"))
        self.sync_button.setStyleSheet("font-weight: bold;")
        self.sync_button.clicked.connect(self.sync_now)
        self.folder_status = _status_label()
        self.folder_error = ErrorLabel()
        help_ = QLabel(_("A USB stick, a shared folder or a folder replicated by Syncthing. "
                         "Tsunagu leaves one file for each other device there and imports "
                         "the files left for this PC: when this screen opens, when Tsunagu "
                         "starts, and with Sync now."))
        help_.setWordWrap(True)
        help_.setStyleSheet("color: #445;")
        fbox = QVBoxLayout(folder)
        frow = QHBoxLayout()
        frow.addWidget(QLabel(_("Folder")))
        frow.addWidget(self.folder_path, 1)
        frow.addWidget(self.folder_choose)
        frow.addWidget(self.folder_clear)
        frow.addWidget(self.sync_button)
        fbox.addLayout(frow)
        fbox.addWidget(help_)
        fbox.addWidget(self.folder_error)
        fbox.addWidget(self.folder_status)
        if not self.can_admin:
            for button in (self.folder_choose, self.folder_clear):
                button.setEnabled(False)
                button.setToolTip(self.refusal)
        layout = QVBoxLayout(page)
        layout.addWidget(export)
        layout.addWidget(imp)
        layout.addWidget(folder)
        layout.addStretch(1)
        return page

    def _devices_page(self) -> QWidget:
        page = QWidget()
        self.device_table = QTableWidget(0, len(DEVICE_COLUMNS))
        self.device_table.setHorizontalHeaderLabels([_(c) for c in DEVICE_COLUMNS])
        self.device_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.device_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.device_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.device_table.verticalHeader().hide()
        self.device_table.verticalHeader().setDefaultSectionSize(28)
        self.device_table.setAlternatingRowColors(True)
        header = self.device_table.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in enumerate((110, 180, 70, 190, 190, 240)):
            self.device_table.setColumnWidth(col, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.device_table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button = QPushButton(_("Add a device…"))
        self.add_button.clicked.connect(self.add_device)
        self.check_out_button = QPushButton(_("Check out cases…"))
        self.check_out_button.clicked.connect(self.check_out)
        self.check_in_button = QPushButton(_("Return cases…"))
        self.check_in_button.clicked.connect(self.check_in)
        self.revoke_button = QPushButton(_("Revoke…"))
        self.revoke_button.setStyleSheet("QPushButton:enabled { color: #b00020; }")
        self.revoke_button.clicked.connect(self.revoke)
        self.device_status = _status_label()
        self.admin_note = QLabel()
        self.admin_note.setStyleSheet("color: #8a5a00;")
        self.admin_note.setWordWrap(True)
        if not self.can_admin:
            self.admin_note.setText(_("Adding and revoking devices: {refusal}")
                                    .format(refusal=self.refusal))
        elif not self.is_desk:
            self.admin_note.setText(_("Only a desk PC can add devices."))
        self.admin_note.setVisible(bool(self.admin_note.text()))
        row = QHBoxLayout()
        for b in (self.add_button, self.check_out_button, self.check_in_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.revoke_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.device_table, 1)
        layout.addLayout(row)
        layout.addWidget(self.admin_note)
        layout.addWidget(self.device_status)
        self._selection_changed()
        return page

    # ---------------------------------------------------------------- loading
    def refresh(self) -> None:
        """Reload devices, last exchanges, check-outs, conflicts and the folder (background)."""
        desk = self.desk

        def load(desk) -> dict:
            devices = desk.sync.devices()
            return {"devices": devices, "exchanges": desk.sync_folder.device_exchanges(),
                    "cases": {d.id: desk.sync_folder.checked_out_case_numbers(d.id) for d in devices},
                    "conflicts": desk.sync_folder.conflicts_for_screen(), "folder": desk.sync_folder.sync_folder()}

        read_in_background(self, self.desk, load, self._show, self._load_failed)

    def _load_failed(self, error: BaseException) -> None:
        _status(self.device_status, error_text(error), False)

    def _show(self, data: dict) -> None:
        self.devices = data["devices"]
        me = next((d for d in self.devices if d.this), None)
        if me is not None:
            self.this_label.setText(_("This PC: {name} ({kind}{code})").format(
                name=me.name, kind=_(KIND_LABELS.get(me.kind, me.kind)),
                code=f"・{me.code}" if me.code else ""))
        # export choices: devices that may receive a file
        current = self.export_device.currentData()
        self.export_device.clear()
        for d in self.devices:
            if not d.this and not d.revoked:
                self.export_device.addItem(f"{d.name}（{_(KIND_LABELS.get(d.kind, d.kind))}）",
                                           d.id)
        if current is not None:
            index = self.export_device.findData(current)
            if index >= 0:
                self.export_device.setCurrentIndex(index)
        if self.export_device.count() == 0:   # issue 14: an empty list said nothing more
            self.export_device.setPlaceholderText(_("No other device yet"))
            _status(self.export_status, _(
                "No other device is registered yet. Add the laptop or the other PC first in "
                "the tab “Devices” (Add a device); then its file can be written here."), False)
        elif self.export_status.property("no_device"):
            _status(self.export_status, "", True)
        self.export_status.setProperty("no_device", self.export_device.count() == 0)
        # devices table
        selected = self.selected_device()
        table = self.device_table
        table.setRowCount(len(self.devices))
        for row, d in enumerate(self.devices):
            times = data["exchanges"].get(d.id, {})
            cases = "、".join(data["cases"].get(d.id, [])) or "—"
            state = _("Revoked") if d.revoked else _("This PC") if d.this else _("In use")
            values = (_(KIND_LABELS.get(d.kind, d.kind)), d.name, d.code or "—",
                      "—" if d.this else when_text(times.get("imported")),
                      "—" if d.this else when_text(times.get("exported")), cases, state)
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, d.id)
                item.setToolTip(text)
                if d.revoked:
                    item.setForeground(QColor("#b00020"))
                elif d.this:
                    item.setForeground(QColor("#1d3d5c"))
                table.setItem(row, col, item)
        if selected is not None:
            for row, d in enumerate(self.devices):
                if d.id == selected.id:
                    table.selectRow(row)
        self._selection_changed()
        # conflicts
        conflicts = data["conflicts"]
        self.conflicts.show_conflicts(conflicts, can_edit=self.can_edit, refusal=self.refusal)
        index = self.tabs.indexOf(self.conflicts)
        self.tabs.setTabText(index, _("Conflicts ({n})").format(n=len(conflicts))
                             if conflicts else _("Conflicts"))
        # folder
        self.folder_path.setText(data["folder"] or "")
        self.sync_button.setEnabled(bool(data["folder"]) and self.can_edit)
        self.folder_clear.setEnabled(bool(data["folder"]) and self.can_admin)

    def selected_device(self):
        rows = {i.row() for i in self.device_table.selectedIndexes()}
        if not rows:
            return None
        row = min(rows)
        return self.devices[row] if row < len(self.devices) else None

    def select_device(self, device_id: str) -> None:
        for row, d in enumerate(self.devices):
            if d.id == device_id or d.code == device_id:
                self.device_table.selectRow(row)

    def _selection_changed(self) -> None:
        d = self.selected_device()
        other = d is not None and not d.this
        field_ok = other and d.kind == "field" and not d.revoked
        self.add_button.setEnabled(self.can_admin and self.is_desk)
        self.check_out_button.setEnabled(self.can_edit and field_ok)
        self.check_in_button.setEnabled(self.can_edit and other and d.cases > 0)
        self.revoke_button.setEnabled(self.can_admin and other and not d.revoked)
        for button in (self.add_button, self.revoke_button):
            button.setToolTip("" if self.can_admin else self.refusal)
        for button in (self.check_out_button, self.check_in_button):
            button.setToolTip("" if self.can_edit else self.refusal)

    # ---------------------------------------------------------------- transfer files
    def export_file(self) -> None:
        desk = self.desk
        if self.export_since.isChecked():
            device_id = self.export_device.currentData()
            if not device_id:
                if self.export_device.count() == 0:
                    _status(self.export_status, _(
                        "No other device is registered yet. Add the laptop or the other PC "
                        "first in the tab “Devices” (Add a device); then its file can be "
                        "written here."), False)
                    self.tabs.setCurrentIndex(self.tabs.count() - 1)
                    return
                _status(self.export_status, _("Choose the device the file is for."), False)
                return
            kwargs: dict[str, Any] = {"for_device": device_id}
            suggested = f"tsunagu-{self.export_device.currentText().split('（')[0]}.tsb"
        else:
            cases = case_numbers(self.export_case_numbers.text())
            if not cases:
                _status(self.export_status, _("Enter the case numbers."), False)
                return
            kwargs = {"cases": cases}
            suggested = f"tsunagu-{cases[0]}.tsb"
        path = self.dialogs.save_file(self, _("Write a transfer file"), suggested)
        if not path:
            return
        self.export_button.setEnabled(False)

        def done(header: dict) -> None:
            self.export_button.setEnabled(True)
            _status(self.export_status, _("Wrote {path} ({n} changes).").format(
                path=path, n=header.get("entries", 0)), True)
            self.refresh()

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(True)
            _status(self.export_status, error_text(error), False)

        run_in_background(self, lambda: desk.sync.export_bundle(path, **kwargs), done, failed)

    def import_file(self) -> None:
        path = self.dialogs.open_file(self, _("Import a transfer file"))
        if not path:
            return
        desk = self.desk
        self.import_button.setEnabled(False)
        name = Path(path).name

        def done(result: ImportCounts) -> None:
            self.import_button.setEnabled(True)
            _status(self.import_status, _("{name}: {summary}").format(
                name=name, summary=summary_text(result)), True)
            if result.conflicts:
                self.import_status.setText(self.import_status.text() + "\n" + _(
                    "Some changes conflict: see the Conflicts tab and decide for each."))
            self.refresh()

        def failed(error: BaseException) -> None:
            self.import_button.setEnabled(True)
            _status(self.import_status, error_text(error), False)

        run_in_background(self, lambda: desk.sync.import_bundle(path), done, failed)

    # ---------------------------------------------------------------- sync folder
    def choose_folder(self) -> None:
        path = self.dialogs.choose_folder(self, _("Sync folder"), self.folder_path.text())
        if path:
            self.set_folder(path)

    def set_folder(self, path: str) -> None:
        desk = self.desk

        def done(_result) -> None:
            self.folder_error.clear_message()
            self.folder_status.hide()
            self.refresh()
            if path:
                self.sync_now()

        run_in_background(self, lambda: desk.sync_folder.set_sync_folder(path), done,
                          lambda e: self.folder_error.show_message(error_text(e)))

    def sync_now(self) -> None:
        desk = self.desk
        self.sync_button.setEnabled(False)
        self.sync_button.setText(_("Syncing…"))

        def finish() -> None:
            self.sync_button.setText(_("Sync now"))
            self.sync_button.setEnabled(True)

        def done(result: FolderSync) -> None:
            finish()
            lines = folder_summary(result)
            _status(self.folder_status, "\n".join(lines), not result.refused)
            self.refresh()

        def failed(error: BaseException) -> None:
            finish()
            _status(self.folder_status, error_text(error), False)

        run_in_background(self, desk.sync_folder.sync_with_folder, done, failed)

    # ---------------------------------------------------------------- conflicts
    def resolve(self, conflict_id: str, choice: str, value: Any) -> None:
        desk = self.desk

        def done(_result) -> None:
            self.conflicts.error.clear_message()
            self.refresh()

        def failed(error: BaseException) -> None:
            # on the card itself, under the value typed in (the list may be scrolled)
            card = self.conflicts.card_for(lambda c: c.id == conflict_id)
            (card.error if card is not None else self.conflicts.error).show_message(
                error_text(error))

        run_in_background(self, lambda: desk.sync.resolve_conflict(conflict_id, choice, value),
                          done, failed)

    # ---------------------------------------------------------------- devices
    def _device_call(self, op: Callable[[], Any], message: Callable[[Any], str]) -> None:
        def done(result) -> None:
            _status(self.device_status, message(result), True)
            self.refresh()

        run_in_background(self, op, done,
                          lambda e: _status(self.device_status, error_text(e), False))

    def add_device(self) -> None:
        values = self.dialogs.new_device(self)
        if not values:
            return
        desk = self.desk
        self._device_call(
            lambda: desk.sync.add_device(values["kind"], values["name"], values["out_dir"],
                                    password_for_new_device=values.get("password"),
                                    cases=values.get("cases") or None),
            lambda d: _("Added {name} ({code}). Copy the folder {folder} to the new PC.")
            .format(name=d.name, code=d.code, folder=values["out_dir"]))

    def check_out(self) -> None:
        d = self.selected_device()
        if d is None:
            return
        numbers = self.dialogs.case_numbers(
            self, _("Check out cases"),
            _("Case numbers to check out to {device}:").format(device=d.name))
        if not numbers:
            return
        desk = self.desk
        self._device_call(lambda: desk.sync.check_out(numbers, d.id),
                          lambda n: _("{n} cases checked out to {device}. They go with its "
                                      "next transfer file.").format(n=n, device=d.name))

    def check_in(self) -> None:
        d = self.selected_device()
        if d is None:
            return
        held = self.device_table.item(self.device_table.currentRow(), 5)
        prefill = " ".join(case_numbers((held.text() if held else "").replace("—", "")))
        numbers = self.dialogs.case_numbers(
            self, _("Return cases"),
            _("Case numbers returned from {device}:").format(device=d.name), prefill)
        if not numbers:
            return
        desk = self.desk
        self._device_call(lambda: desk.sync.check_in(numbers, d.id),
                          lambda n: _("{n} cases returned from {device}.").format(
                              n=n, device=d.name))

    def revoke(self) -> None:
        d = self.selected_device()
        if d is None:
            return
        text = _("Revoke the device {name} ({code})? Transfer files from it will be refused "
                 "from now on, and the cases checked out to it come back here. The other PCs "
                 "refuse its files once they have received this change: exchange transfer "
                 "files with them soon. Use this for a lost or retired device; it cannot be "
                 "undone.").format(
                     name=d.name, code=d.code or "—")
        if not self.dialogs.confirm(self, _("Revoke a device"), text):
            return
        desk = self.desk
        self._device_call(lambda: desk.sync.revoke_device(d.id),
                          lambda _r: _("{name} was revoked.").format(name=d.name))


# ---------------------------------------------------------------------------- main window
def start_folder_sync(window) -> None:
    """At start-up: sync with the folder in the background if one is set (status bar)."""
    desk = window.desk
    try:
        if not desk.sync_folder.sync_folder() or not desk.security.allowed(Permission.EDIT_CASES):
            return
    except TsunaguError:
        return

    def done(result: FolderSync) -> None:
        window.statusBar().showMessage(_("Sync folder: {summary}").format(
            summary=" / ".join(folder_summary(result))), 15000)

    def failed(error: BaseException) -> None:
        window.statusBar().showMessage(_("Sync folder: {summary}").format(
            summary=error_text(error)), 15000)

    run_in_background(window, desk.sync_folder.sync_with_folder, done, failed)


def _create(window) -> SyncView:
    # what an import or a resolution changed, every view hears from the core
    # (ui/background.py)
    return SyncView(window.desk, dialogs=getattr(window, "sync_dialogs", None))


def _visible(desk) -> bool:
    try:
        return desk.security.allowed(Permission.VIEW_CASES)
    except TsunaguError:
        return False


register(Area("sync", N_("Sync"), _create, _visible))
