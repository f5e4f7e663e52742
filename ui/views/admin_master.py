"""管理 › マスターデータ: the lists the administrator edits — 紹介元, services, assessment
domains, the problem checklist (app/operations/master.py). One list per kind with add, edit,
up, down, deactivate / reactivate and delete (only entries no record uses). Every change goes
through the core and its message is shown; the intake and plan wizards read the lists from
the desk, so a change shows there at once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox,
    QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from app.i18n import _
from app.operations.master import MAX_MONTHS, SOURCE_ROUTES, MasterInput, MasterKind
from ui.background import run_in_background
from ui.dialogs.base import FormDialog, error_text
from ui.widgets import ErrorLabel

GREY = Qt.GlobalColor.gray


def route_label(route: str) -> str:
    return {"municipal": _("庁内 (municipal department)"),
            "agency": _("関係機関 (related agency)")}.get(route, route)


class MasterEntryDialog(FormDialog):
    """Add or edit one entry; OK calls the core and stays open with its message."""

    def __init__(self, desk, kind: MasterKind, entry=None, parent: QWidget | None = None):
        title = (_("Edit: {list}") if entry else _("Add to: {list}")).format(list=kind.label)
        intro = ""
        if entry is not None and entry.uses:
            intro = _("Used by {n} record(s). A new name shows from now on; intakes keep the "
                      "referral source as it was written, and approved plans keep the service "
                      "as it was when they were approved.").format(n=entry.uses)
        super().__init__(title, parent, intro=intro)
        self.desk, self.kind, self.entry = desk, kind, entry
        self.name = QLineEdit(entry.name if entry else "")
        self.form.addRow(_("Name of the entry") + " *", self.name)
        self.route = self.statutory = self.needs_decision = self.employment = None
        self.months = None
        if kind is MasterKind.REFERRAL_SOURCE:
            self.route = QComboBox()
            for value in SOURCE_ROUTES:
                self.route.addItem(route_label(value), value)
            if entry is not None:
                self.route.setCurrentIndex(max(0, self.route.findData(entry.route)))
            self.form.addRow(_("Referral route") + " *", self.route)
        elif kind is MasterKind.SERVICE:
            self.statutory = QCheckBox(_("Statutory service (法定サービス)"))
            self.needs_decision = QCheckBox(_("Needs the municipality's support decision"))
            self.employment = QCheckBox(_("Counted as employment support"))
            self.months = QSpinBox()
            self.months.setRange(0, MAX_MONTHS)
            self.months.setSpecialValueText(_("not set"))
            self.months.setSuffix(_(" months"))
            if entry is not None:
                self.statutory.setChecked(entry.statutory)
                self.needs_decision.setChecked(entry.needs_decision)
                self.employment.setChecked(entry.employment)
                self.months.setValue(entry.usual_months or 0)
            self.form.addRow(_("Kind"), self.statutory)
            self.form.addRow("", self.needs_decision)
            self.form.addRow("", self.employment)
            self.form.addRow(_("Usual duration"), self.months)
            note = QLabel(_("Changed flags apply to plans approved from now on; plans already "
                            "approved and past statistics keep what they had."))
            note.setWordWrap(True)
            note.setStyleSheet("color: #555;")
            self.form.addRow("", note)
        self.finish_layout()
        self.saved = None

    def data(self) -> MasterInput:
        d = MasterInput(name=self.name.text())
        if self.route is not None:
            d.route = self.route.currentData() or ""
        if self.statutory is not None:
            d.statutory = self.statutory.isChecked()
            d.needs_decision = self.needs_decision.isChecked()
            d.employment = self.employment.isChecked()
            d.usual_months = self.months.value() or None
        return d

    def submit(self) -> bool:
        try:
            if self.entry is None:
                self.saved = self.desk.master.add_master_entry(self.kind, self.data())
            else:
                self.saved = self.desk.master.edit_master_entry(self.kind, self.entry.id, self.data())
        except Exception as error:  # noqa: BLE001 - the core's message, the dialog stays
            self.error.show_message(error_text(error))
            return False
        return True


class MasterListPanel(QWidget):
    """One master list with its buttons."""

    def __init__(self, owner, kind: MasterKind):
        super().__init__()
        self.owner, self.kind = owner, kind
        self.table = QTreeWidget()
        headings = [_("Name of the entry")]
        if kind is MasterKind.REFERRAL_SOURCE:
            headings.append(_("Referral route"))
        elif kind is MasterKind.SERVICE:
            headings += [_("statutory"), _("support decision"), _("employment"),
                         _("Usual duration")]
        headings += [_("State"), _("Records")]
        self.table.setColumnCount(len(headings))
        self.table.setHeaderLabels(headings)
        for c in range(1, len(headings)):
            self.table.headerItem().setTextAlignment(c, Qt.AlignmentFlag.AlignCenter)
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setUniformRowHeights(True)
        self.table.setStyleSheet("QTreeWidget::item { padding: 3px 8px; }")
        header = self.table.header()
        header.setMinimumSectionSize(56)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.currentItemChanged.connect(lambda *_a: self._selection())
        self.table.itemDoubleClicked.connect(lambda *_a: self.edit())
        self.add_button = QPushButton(_("Add…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.up_button = QPushButton(_("▲ Up"))
        self.down_button = QPushButton(_("▼ Down"))
        self.deactivate_button = QPushButton(_("Deactivate"))
        self.reactivate_button = QPushButton(_("Reactivate"))
        self.delete_button = QPushButton(_("Delete"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.deactivate_button.clicked.connect(lambda: self.set_active(False))
        self.reactivate_button.clicked.connect(lambda: self.set_active(True))
        self.delete_button.clicked.connect(self.delete)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.up_button, self.down_button,
                  self.deactivate_button, self.reactivate_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #1d6b2f;")
        self.error = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.error)
        self.entries: list = []
        self._loaded = False   # read when first shown: the other tabs of 管理 do not wait

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._loaded:
            self._loaded = True
            self.refresh()

    @property
    def desk(self):
        return self.owner.desk

    @property
    def dialogs(self):
        return self.owner.dialogs

    # ------------------------------------------------------------------ list
    def _row(self, e) -> list[str]:
        row = [e.name]
        if self.kind is MasterKind.REFERRAL_SOURCE:
            row.append(e.group or route_label(e.route))
        elif self.kind is MasterKind.SERVICE:
            mark = lambda flag: "○" if flag else ""  # noqa: E731
            row += [mark(e.statutory), mark(e.needs_decision), mark(e.employment),
                    _("{n} months").format(n=e.usual_months) if e.usual_months else "—"]
        row += [_("Active") if e.active else _("Inactive (not offered)"),
                str(e.uses) if e.uses else "—"]
        return row

    def refresh(self, select: str | None = None) -> None:
        """Read the list again in the background (the use counts read every intake and
        plan: a second at 100,000 cases); ``select``: the entry to choose then."""
        current = self.selected()
        desk, kind = self.desk, self.kind
        self._reading = getattr(self, "_reading", 0) + 1
        reading = self._reading

        def show(entries) -> None:
            if reading == self._reading:
                self._fill(entries, select or (current.name if current is not None else None))

        def failed(error: BaseException) -> None:
            if reading == self._reading:
                self.error.show_message(error_text(error))
                self._fill([], None)

        run_in_background(self, lambda: desk.master.master_entries(kind), show, failed)

    def _fill(self, entries: list, select: str | None) -> None:
        self.entries = entries
        self.table.clear()
        for e in self.entries:
            item = QTreeWidgetItem(self._row(e))
            item.setData(0, Qt.ItemDataRole.UserRole, e.id)
            for c in range(1, self.table.columnCount()):
                item.setTextAlignment(c, Qt.AlignmentFlag.AlignCenter)
            if not e.active:
                for c in range(self.table.columnCount()):
                    item.setForeground(c, GREY)
            self.table.addTopLevelItem(item)
            if select is not None and e.name == select:
                self.table.setCurrentItem(item)
        self._selection()

    def selected(self):
        item = self.table.currentItem()
        if item is None:
            return None
        entry_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((e for e in self.entries if e.id == entry_id), None)

    def select(self, name: str) -> None:
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            if item.text(0) == name:
                self.table.setCurrentItem(item)
                return

    def _selection(self) -> None:
        e = self.selected()
        for b in (self.edit_button, self.up_button, self.down_button):
            b.setEnabled(e is not None)
        self.deactivate_button.setEnabled(e is not None and e.active)
        self.reactivate_button.setEnabled(e is not None and not e.active)
        self.delete_button.setEnabled(e is not None and e.deletable)
        self.delete_button.setToolTip(
            "" if e is None or e.deletable else
            _("Used by records: it can only be deactivated."))

    def _done(self, text: str, select: str | None = None) -> None:
        self.error.clear_message()
        self.message.setText(text)
        self.refresh(select)

    def _fail(self, error: Exception) -> None:
        self.message.setText("")
        self.error.show_message(error_text(error))

    # ------------------------------------------------------------------ actions
    def add(self) -> None:
        dialog = MasterEntryDialog(self.desk, self.kind, None, self)
        if self.dialogs.run(dialog) and dialog.saved is not None:
            self._done(_("「{name}」 was added.").format(name=dialog.saved.name),
                       dialog.saved.name)

    def edit(self) -> None:
        e = self.selected()
        if e is None:
            return
        dialog = MasterEntryDialog(self.desk, self.kind, e, self)
        if self.dialogs.run(dialog) and dialog.saved is not None:
            self._done(_("「{name}」 was saved.").format(name=dialog.saved.name),
                       dialog.saved.name)

    def move(self, step: int) -> None:
        e = self.selected()
        if e is None:
            return
        try:
            self.desk.master.move_master_entry(self.kind, e.id, step)
        except Exception as error:  # noqa: BLE001 - the core's message
            self._fail(error)
            return
        self._done("", e.name)

    def set_active(self, active: bool) -> None:
        e = self.selected()
        if e is None:
            return
        if not active and not self.dialogs.confirm(self, _("Deactivate"), _(
                "Deactivate 「{name}」? It is no longer offered in new input; records that "
                "have it keep showing it. You can reactivate it later.").format(name=e.name)):
            return
        try:
            self.desk.master.set_master_entry_active(self.kind, e.id, active)
        except Exception as error:  # noqa: BLE001 - the core's message
            self._fail(error)
            return
        self._done((_("「{name}」 is offered again.") if active else
                    _("「{name}」 is no longer offered in new input.")).format(name=e.name),
                   e.name)

    def delete(self) -> None:
        e = self.selected()
        if e is None or not self.dialogs.confirm(self, _("Delete"), _(
                "Delete 「{name}」? No record uses it.").format(name=e.name)):
            return
        try:
            self.desk.master.delete_master_entry(self.kind, e.id)
        except Exception as error:  # noqa: BLE001 - the core's message
            self._fail(error)
            return
        self._done(_("「{name}」 was deleted.").format(name=e.name))


class MasterDataPanel(QWidget):
    """The マスターデータ tab: one list per kind."""

    def __init__(self, admin):
        super().__init__()
        self.admin = admin
        note = QLabel(_("Lists offered in new input. An entry that records use cannot be "
                        "deleted: deactivate it, and old records keep showing its name."))
        note.setWordWrap(True)
        self.tabs = QTabWidget()
        self.lists: dict[MasterKind, MasterListPanel] = {}
        for kind in MasterKind:
            panel = MasterListPanel(self, kind)
            self.lists[kind] = panel
            self.tabs.addTab(panel, kind.label)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.tabs, 1)

    @property
    def desk(self):
        return self.admin.desk

    @property
    def dialogs(self):
        return self.admin.dialogs

    def refresh(self) -> None:
        for panel in self.lists.values():
            panel.refresh()
