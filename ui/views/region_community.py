"""The 地域づくり tabs of ui/views/region.py: the 社会資源 directory, 地域課題 and 地域との活動."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QListWidget,
    QListWidgetItem, QPushButton, QSpinBox, QTextBrowser, QVBoxLayout,
)

from app.i18n import _
from app.domain import region as R
from app.security.roles import Permission
from ui.views.region_base import STALE_DAYS, Panel, Table, _combo, _enum_options, _may, _text, _w
from ui.widgets import DateField


# ====================================================================== 社会資源
class ResourcesPanel(Panel):
    def __init__(self, view):
        super().__init__(view)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search by name (kana, width and variants folded)"))
        self.search.textChanged.connect(lambda _t: self.show_list())
        self.kind_filter = _combo([("", _("All kinds"))] + _enum_options(R.ResourceKind))
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.show_list())
        self.inactive = QCheckBox(_("Show inactive"))
        self.inactive.toggled.connect(lambda _on: self.show_list())
        self.uses: dict[str, int] = {}
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.kind_filter)
        top.addWidget(self.inactive)
        self.table = Table([_("Name of the resource"), _("Kind"), _("Field"), _("Contact"),
                            _("Last checked"), _("Used")], [210, 150, 80, 120, 120])
        self.table.itemSelectionChanged.connect(self.show_entry)
        self.detail = QTextBrowser()
        self.detail.setMaximumHeight(150)
        self.unlisted = QListWidget()
        self.unlisted.setMaximumHeight(90)
        self.unlisted.itemDoubleClicked.connect(self.take_unlisted)
        unlisted_box = QGroupBox(_("Names typed in records but not in the directory "
                                   "(double-click to add)"))
        QVBoxLayout(unlisted_box).addWidget(self.unlisted)
        left = self.column(top, self.table, self.detail, unlisted_box, stretch_last=True)

        self.name = QLineEdit()
        self.kind = _combo(_enum_options(R.ResourceKind))
        self.field = QLineEdit()
        self.address = QLineEdit()
        self.contact = QLineEdit()
        self.person = QLineEdit()
        self.conditions = _text(50)
        self.cost = QLineEdit()
        self.checked_on = DateField(_("Last checked on"), width=150)
        self.note = _text(50)
        form_box = QGroupBox(_("Entry"))
        form = QFormLayout(form_box)
        for label, w in ((_("Name of the resource") + " *", self.name),
                         (_("Kind") + " *", self.kind),
                         (_("Field"), self.field), (_("Address"), self.address),
                         (_("Contact"), self.contact), (_("Person in charge"), self.person),
                         (_("Who may use it and conditions"), self.conditions),
                         (_("Cost"), self.cost), (_("Last checked on"), self.checked_on),
                         (_("Notes"), self.note)):
            form.addRow(label, w)
        self.add_button = QPushButton(_("Add as a new entry"))
        self.add_button.clicked.connect(self.add)
        self.save_button = QPushButton(_("Save changes"))
        self.save_button.clicked.connect(self.save)
        self.active_button = QPushButton(_("Deactivate"))
        self.active_button.clicked.connect(self.toggle_active)
        self.clear_button = QPushButton(_("Clear"))
        self.clear_button.clicked.connect(self.clear_form)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.save_button, self.active_button, self.clear_button):
            buttons.addWidget(b)
        can_edit = _may(self.desk, Permission.EDIT_CASES, Permission.MANAGE_DESK,
                        Permission.MANAGE_SETTINGS)
        for b in (self.add_button, self.save_button):
            b.setEnabled(can_edit)
        self.active_button.setEnabled(_may(self.desk, Permission.MANAGE_DESK,
                                           Permission.MANAGE_SETTINGS))
        self.can_edit = can_edit
        unlisted_box.setVisible(can_edit)
        right = self.column(form_box, buttons, self.error, self.message)
        layout = QVBoxLayout(self)
        layout.addWidget(self.split(left, right))
        self.refresh()

    def refresh(self) -> None:
        """Read the use counts (one pass over the records), then the list."""
        self.uses = {e.id: e.uses for e in self.desk.region.resources(include_inactive=True,
                                                                with_uses=True)}
        self.show_list()
        self.fill_unlisted()

    def show_list(self) -> None:
        """The list for the search and filters (typing reads the directory only)."""
        entries = self.desk.region.resources(self.search.text(), kind=self.kind_filter.currentData(),
                                      include_inactive=self.inactive.isChecked())
        self.table.fill([[e.name + ("" if e.active else _(" (inactive)")), e.kind.label,
                          e.field, e.contact, _w(e.checked_on), self.uses.get(e.id, 0)]
                         for e in entries], entries)
        # not checked for a year (or never): the date cell says so, in the warning colour
        today = self.desk.today()
        for row, e in enumerate(entries):
            if e.checked_on is None or (today - e.checked_on).days > STALE_DAYS:
                item = self.table.item(row, 4)
                item.setForeground(Qt.GlobalColor.darkRed)
                item.setToolTip(_("Not checked for over a year: confirm the contact and "
                                  "conditions."))
                if e.checked_on is None:
                    item.setText(_("not checked"))

    def fill_unlisted(self) -> None:
        self.unlisted.clear()
        if getattr(self, "can_edit", False):
            try:
                for r in self.desk.region.unlisted_resource_names():
                    item = QListWidgetItem(_("{name} ({n} records)").format(name=r.name,
                                                                           n=r.uses))
                    item.setData(Qt.ItemDataRole.UserRole, r.name)
                    self.unlisted.addItem(item)
            except Exception:  # noqa: BLE001 - role without it
                pass

    def show_entry(self) -> None:
        e = self.table.current()
        if e is None:
            return
        e = self.desk.region.resource(e.id)
        self.name.setText(e.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(e.kind.value)))
        for w, v in ((self.field, e.field), (self.address, e.address), (self.contact, e.contact),
                     (self.person, e.person), (self.cost, e.cost)):
            w.setText(v)
        self.conditions.setPlainText(e.conditions)
        self.note.setPlainText(e.note)
        self.checked_on.set_date(e.checked_on)
        self.active_button.setText(_("Deactivate") if e.active else _("Reactivate"))
        cases = "、".join(f"{escape(c.case_no)} {escape(c.name)}" for c in e.open_cases)
        self.detail.setHtml(
            f"<b>{escape(e.name)}</b>（{escape(e.kind.label)}）<br>"
            + escape(_("Used {n} times as つなぎ先 or 支援を行う機関.").format(n=e.uses)) + "<br>"
            + escape(_("Open cases you may see:")) + " " + (cases or escape(_("none"))))

    def _input(self) -> R.ResourceInput:
        checked = self.checked_on.text().strip() or None
        return R.ResourceInput(
            name=self.name.text(), kind=self.kind.currentData(), field=self.field.text(),
            address=self.address.text(), contact=self.contact.text(),
            person=self.person.text(), conditions=self.conditions.toPlainText(),
            cost=self.cost.text(), checked_on=checked, note=self.note.toPlainText())

    def add(self) -> None:
        data = self._input()
        self.attempt(lambda: self.desk.region.add_resource(data),
                     _("「{name}」 was added to the directory.").format(name=data.name))

    def save(self) -> None:
        e = self.table.current()
        if e is None:
            self.error.show_message(_("Choose an entry in the list first."))
            return
        data = self._input()
        self.attempt(lambda: self.desk.region.edit_resource(e.id, data), _("Saved."))

    def toggle_active(self) -> None:
        e = self.table.current()
        if e is not None:
            self.attempt(lambda: self.desk.region.set_resource_active(e.id, not e.active), _("Saved."))

    def clear_form(self) -> None:
        for w in (self.name, self.field, self.address, self.contact, self.person, self.cost,
                  self.checked_on):
            w.setText("")
        self.conditions.setPlainText("")
        self.note.setPlainText("")
        self.table.clearSelection()

    def take_unlisted(self, item: QListWidgetItem) -> None:
        self.clear_form()
        self.name.setText(item.data(Qt.ItemDataRole.UserRole))
        self.name.setFocus()
        self.say(_("Choose the kind and add the entry."))


# ====================================================================== 地域課題
class IssuesPanel(Panel):
    def __init__(self, view):
        super().__init__(view)
        self.table = Table([_("Raised on"), _("Regional issue"), _("Raised from"), _("Status"),
                            _("Cases")], [140, 220, 90, 80])
        self.table.itemSelectionChanged.connect(self.show_issue)
        self.detail = QTextBrowser()
        self.detail.setMaximumHeight(140)
        self.pending = QPushButton()
        self.pending.clicked.connect(self.take_meeting_issues)
        left = self.column(self.table, self.detail, self.pending, stretch_last=True)

        raise_box = QGroupBox(_("Raise a regional issue"))
        self.title = QLineEdit()
        self.description = _text(60)
        self.case_no = QLineEdit()
        self.case_no.setPlaceholderText(_("case number, if seen in a case"))
        form = QFormLayout(raise_box)
        form.addRow(_("Regional issue") + " *", self.title)
        form.addRow(_("Details"), self.description)
        form.addRow(_("Case number"), self.case_no)
        self.raise_button = QPushButton(_("Raise"))
        self.raise_button.clicked.connect(self.raise_issue)
        self.link_button = QPushButton(_("Add this case to the selected issue"))
        self.link_button.clicked.connect(self.link_case)
        row = QHBoxLayout()
        row.addWidget(self.raise_button)
        row.addWidget(self.link_button)
        form.addRow(row)

        status_box = QGroupBox(_("Status (chief)"))
        self.status = _combo(_enum_options(R.IssueStatus))
        self.resource = QComboBox()
        self.status_note = QLineEdit()
        sform = QFormLayout(status_box)
        sform.addRow(_("Status"), self.status)
        sform.addRow(_("New resource (資源を創出)"), self.resource)
        sform.addRow(_("Notes"), self.status_note)
        self.status_button = QPushButton(_("Move forward"))
        self.status_button.clicked.connect(self.move)
        sform.addRow(self.status_button)
        status_box.setEnabled(_may(self.desk, Permission.MANAGE_DESK))
        raise_box.setEnabled(_may(self.desk, Permission.EDIT_CASES, Permission.MEETINGS))
        right = self.column(raise_box, status_box, self.error, self.message)
        layout = QVBoxLayout(self)
        layout.addWidget(self.split(left, right))
        self.refresh()

    def refresh(self) -> None:
        issues = self.desk.region.regional_issues()
        self.table.fill([[_w(i.raised_on), i.title, i.source.label, i.status.label,
                          i.case_count] for i in issues], issues)
        self.resource.clear()
        self.resource.addItem("", "")
        for r in self.desk.region.resources():
            self.resource.addItem(r.name, r.id)
        waiting = []
        if _may(self.desk, Permission.EDIT_CASES, Permission.MEETINGS):
            try:
                waiting = self.desk.region.meeting_issues_to_register()
            except Exception:  # noqa: BLE001 - shown as nothing to take in
                waiting = []
        self._waiting = waiting
        self.pending.setText(_("Take in {n} regional issue(s) written at meetings").format(
            n=len(waiting)))
        self.pending.setVisible(bool(waiting))

    def show_issue(self) -> None:
        i = self.table.current()
        if i is None:
            return
        i = self.desk.region.regional_issue(i.id)
        cases = "、".join(f"{escape(c.case_no)} {escape(c.name)}" for c in i.cases)
        self.detail.setHtml(
            f"<b>{escape(i.title)}</b>（{escape(i.status.label)} {escape(_w(i.status_on))}）<br>"
            f"{escape(i.description)}<br>"
            + escape(_("{n} cases behind it; those you may see:").format(n=i.case_count))
            + " " + (cases or escape(_("none")))
            + (f"<br>{escape(i.note)}" if i.note else ""))
        self.status.setCurrentIndex(max(0, self.status.findData(i.status.value)))

    def raise_issue(self) -> None:
        title, text, case_no = self.title.text(), self.description.toPlainText(), \
            self.case_no.text()
        source = R.IssueSource.CASE.value if case_no.strip() else R.IssueSource.STAFF.value
        if self.attempt(lambda: self.desk.region.raise_regional_issue(
                title, text, source=source, case_no=case_no),
                _("The regional issue was recorded.")):
            self.title.clear()
            self.description.setPlainText("")
            self.case_no.clear()

    def link_case(self) -> None:
        i = self.table.current()
        if i is None:
            self.error.show_message(_("Choose an issue in the list first."))
            return
        case_no = self.case_no.text()
        self.attempt(lambda: self.desk.region.link_issue_case(i.id, case_no), _("Saved."))

    def move(self) -> None:
        i = self.table.current()
        if i is None:
            self.error.show_message(_("Choose an issue in the list first."))
            return
        status, res, note = self.status.currentData(), self.resource.currentData() or None, \
            self.status_note.text()
        if self.attempt(lambda: self.desk.region.set_issue_status(i.id, status, note=note,
                                                           resource_id=res), _("Saved.")):
            self.status_note.clear()

    def take_meeting_issues(self) -> None:
        waiting = list(self._waiting)
        self.attempt(lambda: [self.desk.region.register_meeting_issue(w.id) for w in waiting],
                     _("Taken into the register."))


# ====================================================================== 地域との活動
class ActivitiesPanel(Panel):
    def __init__(self, view):
        super().__init__(view)
        self.table = Table([_("Date"), _("Kind"), _("Title"), _("Partners"),
                            _("Number of participants")],
                           [140, 110, 190, 150, 60])
        self.held_on = DateField(_("Date"), width=150)
        self.kind = _combo(_enum_options(R.ActivityKind))
        self.title = QLineEdit()
        self.partners = QLineEdit()
        self.participants = QSpinBox()
        self.participants.setRange(0, 100000)
        self.note = _text(60)
        box = QGroupBox(_("Record an activity"))
        form = QFormLayout(box)
        for label, w in ((_("Date") + " *", self.held_on), (_("Kind") + " *", self.kind),
                         (_("Title") + " *", self.title), (_("Partners"), self.partners),
                         (_("Number of participants"), self.participants), (_("Notes"), self.note)):
            form.addRow(label, w)
        self.add_button = QPushButton(_("Record"))
        self.add_button.clicked.connect(self.add)
        form.addRow(self.add_button)
        box.setEnabled(_may(self.desk, Permission.EDIT_CASES, Permission.MANAGE_DESK))
        layout = QVBoxLayout(self)
        layout.addWidget(self.split(self.table, self.column(box, self.error, self.message)))
        self.refresh()

    def refresh(self) -> None:
        rows = self.desk.region.region_activities()
        self.table.fill([[_w(r.held_on), r.kind.label, r.title, r.partners,
                          r.participants] for r in rows], rows)

    def add(self) -> None:
        held, kind, title = self.held_on.text(), self.kind.currentData(), self.title.text()
        partners, n, note = self.partners.text(), self.participants.value(), \
            self.note.toPlainText()
        if self.attempt(lambda: self.desk.region.add_region_activity(
                held, kind, title, partners=partners, participants=n, note=note),
                _("The activity was recorded.")):
            self.title.clear()
            self.note.setPlainText("")
