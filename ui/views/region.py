"""地域づくり・運営 (issue 15): the 社会資源 directory, 地域課題, 地域との活動, 人材育成,
苦情・事故 (リスクマネジメント) and 年間計画・事業報告, one tab each; and the 主任's warnings on
the dashboard (``DeskWarnings``). Everything goes through the core (app/operations/region.py);
its messages are shown under the form they are about. Tabs the role may not use are left out.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
    QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QScrollArea,
    QSpinBox, QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QTextBrowser, QVBoxLayout,
    QWidget,
)

from app import text_ja
from app.i18n import _
from app.operations import region as R
from app.reports.annual import TARGET_KEYS as R_TARGET_KEYS
from app.security.roles import Permission
from ui.areas import Area, register
from ui.background import serialized
from ui.dialogs.base import FormDialog, error_text
from ui.widgets import DateField, ErrorLabel, heading


STALE_DAYS = 365   # a directory entry not checked for this long is marked


def _w(d: date | None) -> str:
    return text_ja.format_wareki(d) if d else ""


def _may(desk, *permissions: Permission) -> bool:
    try:
        return any(desk.security.allowed(p) for p in permissions)
    except Exception:  # noqa: BLE001 - a desk without the security core
        return False


def _combo(options: Sequence[tuple[str, str]], blank: bool = False) -> QComboBox:
    box = QComboBox()
    if blank:
        box.addItem("", "")
    for value, label in options:
        box.addItem(label, value)
    return box


def _enum_options(enum) -> list[tuple[str, str]]:
    return [(e.value, e.label) for e in enum]


def _text(height: int = 60) -> QPlainTextEdit:
    t = QPlainTextEdit()
    t.setFixedHeight(height)
    return t


class Table(QTableWidget):
    """A read-only list with row data."""

    def __init__(self, headers: Sequence[str], widths: Sequence[int] = ()):
        super().__init__(0, len(headers))
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        self.horizontalHeader().setStretchLastSection(True)
        for i, w in enumerate(widths):
            self.setColumnWidth(i, w)
        self.data_rows: list[Any] = []

    def fill(self, rows: Sequence[Sequence[Any]], data: Sequence[Any]) -> None:
        self.setRowCount(0)
        self.data_rows = list(data)
        for r, row in enumerate(rows):
            self.insertRow(r)
            for c, value in enumerate(row):
                item = QTableWidgetItem("" if value is None else str(value))
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)

    def current(self) -> Any:
        r = self.currentRow()
        return self.data_rows[r] if 0 <= r < len(self.data_rows) else None


class Panel(QWidget):
    """A tab: a list on the left, a form on the right, a message line."""

    def __init__(self, view: "RegionView"):
        super().__init__()
        self.view = view
        self.error = ErrorLabel()
        self.message = QLabel()
        self.message.setStyleSheet("color: #1d6b2f;")
        self.message.setWordWrap(True)

    @property
    def desk(self):
        return self.view.desk

    def say(self, text: str) -> None:
        self.error.clear_message()
        self.message.setText(text)

    def attempt(self, fn: Callable[[], Any], done: str = "") -> Any:
        try:
            result = fn()
        except Exception as error:  # noqa: BLE001 - the core's message
            self.message.setText("")
            self.error.show_message(error_text(error))
            return None
        self.say(done)
        self.refresh()
        return result if result is not None else True

    def refresh(self) -> None:  # pragma: no cover - overridden
        pass

    def split(self, left: QWidget, right: QWidget) -> QSplitter:
        s = QSplitter(Qt.Orientation.Horizontal)
        s.addWidget(left)
        s.addWidget(right)
        s.setStretchFactor(0, 3)
        s.setStretchFactor(1, 2)
        return s

    def column(self, *widgets, stretch_last: bool = False) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        layout.setContentsMargins(0, 0, 0, 0)
        for x in widgets:
            if isinstance(x, QWidget):
                layout.addWidget(x)
            else:
                layout.addLayout(x)
        if not stretch_last:
            layout.addStretch(1)
        return w


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
                    item = QListWidgetItem(_("{name} ({n} records)").format(name=r["name"],
                                                                           n=r["uses"]))
                    item.setData(Qt.ItemDataRole.UserRole, r["name"])
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
        cases = "、".join(f"{escape(c['case_no'])} {escape(c['name'])}" for c in e.open_cases)
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
        cases = "、".join(f"{escape(c['case_no'])} {escape(c['name'])}" for c in i.cases)
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
        self.attempt(lambda: [self.desk.region.register_meeting_issue(w["id"]) for w in waiting],
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
        self.table.fill([[_w(r["held_on"]), r["kind"].label, r["title"], r["partners"],
                          r["participants"]] for r in rows], rows)

    def add(self) -> None:
        held, kind, title = self.held_on.text(), self.kind.currentData(), self.title.text()
        partners, n, note = self.partners.text(), self.participants.value(), \
            self.note.toPlainText()
        if self.attempt(lambda: self.desk.region.add_region_activity(
                held, kind, title, partners=partners, participants=n, note=note),
                _("The activity was recorded.")):
            self.title.clear()
            self.note.setPlainText("")


# ====================================================================== 人材育成
class TrainingPanel(Panel):
    def __init__(self, view):
        super().__init__(view)
        self.table = Table([_("Name"), _("Role"), _("National course the role needs"),
                            _("Completed on"), _("Off-JT"), _("OJT / case reviews")],
                           [110, 130, 190, 140, 55])
        self.sessions = Table([_("Date"), _("Kind"), _("Topic"), _("Case numbers")],
                              [140, 90, 200])
        self.print_button = QPushButton(_("Training history (PDF)…"))
        self.print_button.clicked.connect(self.print_history)
        left = self.column(self.table, self.print_button, heading(_("OJT and case reviews")),
                           self.sessions, stretch_last=True)

        tbox = QGroupBox(_("Record a training for the selected staff member"))
        self.t_kind = _combo(_enum_options(R.TrainingKind))
        self.t_course = _combo(_enum_options(R.NationalCourse), blank=True)
        self.t_title = QLineEdit()
        self.t_on = DateField(_("Completed on"), width=150)
        self.t_org = QLineEdit()
        tform = QFormLayout(tbox)
        for label, w in ((_("Kind"), self.t_kind), (_("Course"), self.t_course),
                         (_("Title"), self.t_title), (_("Completed on") + " *", self.t_on),
                         (_("Organiser"), self.t_org)):
            tform.addRow(label, w)
        b = QPushButton(_("Record the training"))
        b.clicked.connect(self.add_training)
        tform.addRow(b)

        sbox = QGroupBox(_("Record an OJT or case review session"))
        self.s_on = DateField(_("Date"), width=150)
        self.s_kind = _combo(_enum_options(R.SessionKind))
        self.s_topic = QLineEdit()
        self.s_cases = QLineEdit()
        self.s_cases.setPlaceholderText(_("case numbers only, separated by commas"))
        self.s_all = QCheckBox(_("Every staff member listed took part"))
        self.s_all.setChecked(True)
        sform = QFormLayout(sbox)
        for label, w in ((_("Date") + " *", self.s_on), (_("Kind"), self.s_kind),
                         (_("Topic") + " *", self.s_topic), (_("Case numbers"), self.s_cases),
                         ("", self.s_all)):
            sform.addRow(label, w)
        b2 = QPushButton(_("Record the session"))
        b2.clicked.connect(self.add_session)
        sform.addRow(b2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.split(left, self.column(tbox, sbox, self.error, self.message)))
        self.refresh()

    def refresh(self) -> None:
        from app.security.roles import Role
        rows = self.desk.region.training_overview()

        def role(v):
            try:
                return Role(v).label
            except ValueError:
                return v
        self.table.fill([[r["name"], role(r["role"]),
                          R.NationalCourse(r["required_course"]).label
                          if r["required_course"] else _("(none needed)"),
                          _w(r["national_done_on"]) or (_("NOT YET COMPLETED") if r["missing"]
                                                         else ""),
                          r["off_jt"], r["sessions"]] for r in rows], rows)
        for i, r in enumerate(rows):
            if r["missing"]:
                item = self.table.item(i, 3)
                item.setForeground(Qt.GlobalColor.red)
        s = self.desk.region.ojt_sessions()
        self.sessions.fill([[_w(x["held_on"]), x["kind"].label, x["topic"],
                             "、".join(x["case_numbers"])] for x in s], s)

    def _staff(self) -> dict | None:
        r = self.table.current()
        if r is None:
            self.error.show_message(_("Choose a staff member in the list first."))
        return r

    def add_training(self) -> None:
        r = self._staff()
        if r is None:
            return
        kind, course, title, on, org = (self.t_kind.currentData(), self.t_course.currentData(),
                                        self.t_title.text(), self.t_on.text(),
                                        self.t_org.text())
        self.attempt(lambda: self.desk.region.add_training(r["staff_id"], kind, on, course=course,
                                                    title=title, organiser=org),
                     _("The training was recorded."))

    def add_session(self) -> None:
        on, kind, topic = self.s_on.text(), self.s_kind.currentData(), self.s_topic.text()
        cases = [c for c in self.s_cases.text().replace("、", ",").split(",") if c.strip()]
        people = [r["staff_id"] for r in self.table.data_rows] if self.s_all.isChecked() \
            else [r["staff_id"] for r in [self.table.current()] if r]
        self.attempt(lambda: self.desk.region.add_ojt_session(on, kind, topic, case_numbers=cases,
                                                       participants=people),
                     _("The session was recorded."))

    def print_history(self) -> None:
        r = self._staff()
        if r is None:
            return
        path, _f = QFileDialog.getSaveFileName(self, _("Training history (PDF)…"),
                                               f"{r['login']}-training.pdf", "PDF (*.pdf)")
        if path:
            self.attempt(lambda: self.desk.region.print_training_history(r["staff_id"], path),
                         _("Written: {path}").format(path=path))


# ====================================================================== 苦情・事故
class RiskPanel(Panel):
    def __init__(self, view):
        super().__init__(view)
        self.complaints = Table([_("Received on"), _("Complainant"), _("Complaint"),
                                 _("Completed on"), _("Case")], [140, 80, 200, 140])
        self.incidents = Table([_("Occurred on"), _("Kind"), _("Severity"), _("What happened"),
                                _("Reviewed on")], [140, 80, 90, 200])
        lists = QTabWidget()
        lists.addTab(self.complaints, _("Complaints"))
        lists.addTab(self.incidents, _("Near misses and accidents"))
        self.complaints.itemSelectionChanged.connect(self.load_complaint)

        cbox = QGroupBox(_("Complaint"))
        self.c_on = DateField(_("Received on"), width=150)
        self.c_who = _combo(_enum_options(R.Complainant))
        self.c_content = _text(50)
        self.c_response = _text(40)
        self.c_result = _text(40)
        self.c_prevention = _text(40)
        self.c_done = DateField(_("Completed on"), width=150)
        self.c_case = QLineEdit()
        self.c_committee = QCheckBox(_("Referred to the operation appropriateness committee"))
        cform = QFormLayout(cbox)
        for label, w in ((_("Received on") + " *", self.c_on), (_("Complainant"), self.c_who),
                         (_("Complaint") + " *", self.c_content), (_("Response"), self.c_response),
                         (_("Result"), self.c_result),
                         (_("Prevention of recurrence"), self.c_prevention),
                         (_("Completed on"), self.c_done), (_("Case number"), self.c_case),
                         ("", self.c_committee)):
            cform.addRow(label, w)
        row = QHBoxLayout()
        b = QPushButton(_("Record as new"))
        b.clicked.connect(self.add_complaint)
        b2 = QPushButton(_("Save changes"))
        b2.clicked.connect(self.save_complaint)
        row.addWidget(b)
        row.addWidget(b2)
        cform.addRow(row)

        ibox = QGroupBox(_("Near miss or accident"))
        self.i_on = DateField(_("Occurred on"), width=150)
        self.i_kind = _combo(_enum_options(R.IncidentKind))
        self.i_sev = _combo(_enum_options(R.Severity))
        self.i_what = _text(50)
        self.i_cause = _text(40)
        self.i_prev = _text(40)
        self.i_audit = QLineEdit()
        self.i_audit.setPlaceholderText(_("audit entry numbers, e.g. 120, 121"))
        self.i_case = QLineEdit()
        self.i_reviewed_at = QLineEdit()
        self.i_reviewed_on = DateField(_("Reviewed on"), width=150)
        self.i_linked = QLabel()
        self.i_linked.setWordWrap(True)
        self.i_linked.setStyleSheet("color: #445;")
        iform = QFormLayout(ibox)
        for label, w in ((_("Occurred on") + " *", self.i_on), (_("Kind"), self.i_kind),
                         (_("Severity"), self.i_sev), (_("What happened") + " *", self.i_what),
                         (_("Cause"), self.i_cause), (_("Prevention of recurrence"), self.i_prev),
                         (_("Audit entries involved"), self.i_audit), ("", self.i_linked),
                         (_("Case number"), self.i_case),
                         (_("Reviewed at (staff meeting)"), self.i_reviewed_at),
                         (_("Reviewed on"), self.i_reviewed_on)):
            iform.addRow(label, w)
        row2 = QHBoxLayout()
        b3 = QPushButton(_("Report"))
        b3.clicked.connect(self.add_incident)
        b4 = QPushButton(_("Save changes"))
        b4.clicked.connect(self.save_incident)
        row2.addWidget(b3)
        row2.addWidget(b4)
        iform.addRow(row2)
        self.incidents.itemSelectionChanged.connect(self.load_incident)
        forms = QTabWidget()
        forms.addTab(cbox, _("Complaint"))
        forms.addTab(ibox, _("Near miss or accident"))
        lists.currentChanged.connect(forms.setCurrentIndex)     # the list and its form
        forms.currentChanged.connect(lists.setCurrentIndex)
        self.lists, self.forms = lists, forms
        note = QLabel(_("You see the records you wrote; the chief sees all. Every look at this "
                        "register is recorded in the audit log."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #667;")
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.split(lists, self.column(forms, self.error, self.message)), 1)
        self._loaded = False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override: read (and audit) on sight
        super().showEvent(event)
        if not self._loaded:
            self._loaded = True
            self.refresh()

    def refresh(self) -> None:
        cs = self.desk.region.complaints()
        self.complaints.fill([[_w(c["received_on"]), c["complainant"].label, c["content"],
                               _w(c["completed_on"]), c["case_no"] or ""] for c in cs], cs)
        ins = self.desk.region.incidents()
        self.incidents.fill([[_w(i["occurred_on"]), i["kind"].label, i["severity"].label,
                              i["what"], _w(i["reviewed_on"])] for i in ins], ins)

    def _complaint(self) -> R.ComplaintInput:
        return R.ComplaintInput(
            received_on=self.c_on.text(), complainant=self.c_who.currentData(),
            content=self.c_content.toPlainText(), response=self.c_response.toPlainText(),
            result=self.c_result.toPlainText(), prevention=self.c_prevention.toPlainText(),
            completed_on=self.c_done.text() or None, case_no=self.c_case.text(),
            committee=self.c_committee.isChecked())

    def load_complaint(self) -> None:
        c = self.complaints.current()
        if c is None:
            return
        self.c_on.set_date(c["received_on"])
        self.c_who.setCurrentIndex(max(0, self.c_who.findData(c["complainant"].value)))
        for w, k in ((self.c_content, "content"), (self.c_response, "response"),
                     (self.c_result, "result"), (self.c_prevention, "prevention")):
            w.setPlainText(c[k])
        self.c_done.set_date(c["completed_on"])
        self.c_case.setText(c["case_no"] or "")
        self.c_committee.setChecked(c["committee"])

    def add_complaint(self) -> None:
        data = self._complaint()
        self.attempt(lambda: self.desk.region.add_complaint(data), _("The complaint was recorded."))

    def save_complaint(self) -> None:
        c = self.complaints.current()
        if c is None:
            self.error.show_message(_("Choose a complaint in the list first."))
            return
        data = self._complaint()
        self.attempt(lambda: self.desk.region.edit_complaint(c["id"], data), _("Saved."))

    def _incident(self) -> R.IncidentInput:
        refs = [x for x in self.i_audit.text().replace("、", ",").split(",") if x.strip()]
        return R.IncidentInput(
            occurred_on=self.i_on.text(), kind=self.i_kind.currentData(),
            severity=self.i_sev.currentData(), what=self.i_what.toPlainText(),
            cause=self.i_cause.toPlainText(), prevention=self.i_prev.toPlainText(),
            audit_refs=refs, case_no=self.i_case.text(),
            reviewed_at=self.i_reviewed_at.text(),
            reviewed_on=self.i_reviewed_on.text() or None)

    def load_incident(self) -> None:
        i = self.incidents.current()
        if i is None:
            return
        self.i_on.set_date(i["occurred_on"])
        self.i_kind.setCurrentIndex(max(0, self.i_kind.findData(i["kind"].value)))
        self.i_sev.setCurrentIndex(max(0, self.i_sev.findData(i["severity"].value)))
        for w, k in ((self.i_what, "what"), (self.i_cause, "cause"),
                     (self.i_prev, "prevention")):
            w.setPlainText(i[k])
        self.i_audit.setText(", ".join(str(x) for x in i["audit_refs"]))
        self.i_case.setText(i["case_no"] or "")
        self.i_reviewed_at.setText(i["reviewed_at"])
        self.i_reviewed_on.set_date(i["reviewed_on"])
        self.i_linked.setText("\n".join(
            f"{e['seq']}　{e['at'][:16].replace('T', ' ')}　{e['login']}　{e['action']}　"
            f"{e['case_no'] or ''}" for e in i.get("audit_entries", [])))

    def add_incident(self) -> None:
        data = self._incident()
        self.attempt(lambda: self.desk.region.add_incident(data), _("The report was recorded."))

    def save_incident(self) -> None:
        i = self.incidents.current()
        if i is None:
            self.error.show_message(_("Choose a report in the list first."))
            return
        data = self._incident()
        self.attempt(lambda: self.desk.region.edit_incident(i["id"], data), _("Saved."))


# ====================================================================== 年間計画・事業報告
class AnnualPanel(Panel):
    def __init__(self, view):
        super().__init__(view)
        today = self.desk.today()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(text_ja.fiscal_year(today))
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.goals = {k: _text(54) for k in ("structure", "support", "region")}
        self.targets = {k: QLineEdit() for k in R_TARGET_KEYS}
        box = QGroupBox(_("The year's plan"))
        form = QFormLayout(box)
        form.addRow(_("Fiscal year (April to March)"), self.year)
        form.addRow(_("Goals: organisation and operation"), self.goals["structure"])
        form.addRow(_("Goals: consultation support"), self.goals["support"])
        form.addRow(_("Goals: community building and partnership"), self.goals["region"])
        from app.reports.annual import key_label
        for k, w in self.targets.items():
            w.setMaximumWidth(120)
            form.addRow(_("Target: {item}").format(item=key_label("target", k)), w)
        self.save_button = QPushButton(_("Save the yearly plan"))
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(_may(self.desk, Permission.MANAGE_DESK))
        form.addRow(self.save_button)
        self.report = QTextBrowser()
        export = QHBoxLayout()
        for fmt, label in (("pdf", _("Annual report (PDF)…")), ("xlsx", _("Excel (xlsx)…")),
                           ("json", _("JSON…"))):
            b = QPushButton(label)
            b.clicked.connect(lambda _c=False, f=fmt: self.export(f))
            export.addWidget(b)
        export.addStretch(1)
        self.status = QLabel()
        self.status.setStyleSheet("color: #667;")
        right = self.column(export, self.status, self.report, stretch_last=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.split(self.column(box, self.error, self.message), right))
        self._loading = 0
        self._shown_year: int | None = None

    def busy(self) -> bool:
        return self._loading > 0

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override: computed when looked at
        super().showEvent(event)
        if self._shown_year != self.year.value():
            self.refresh()

    def refresh(self) -> None:
        """The plan's fields at once; the report (which reads the whole year) in the
        background."""
        from ui.background import run_in_background
        fy = self.year.value()
        plan = self.desk.region.annual_plan(fy)
        for k, w in self.goals.items():
            w.setPlainText(plan["goals"][k])
        for k, w in self.targets.items():
            v = plan["targets"][k]
            w.setText("" if v is None else str(v))
            w.setPlaceholderText(_("none"))
        self._shown_year = fy
        self._loading += 1
        self.status.setText(_("Computing the figures of the year…"))
        desk = self.desk

        def done(report) -> None:
            self._loading -= 1
            self.status.setText("")
            if report["fiscal_year"] == self.year.value():
                self.show_report(report)

        def failed(error: BaseException) -> None:
            self._loading -= 1
            self.status.setText("")
            self.error.show_message(error_text(error))

        run_in_background(self, lambda: desk.region.annual_report(fy), done, failed)

    def show_report(self, report: dict) -> None:
        from app.reports.annual import sections
        parts = [f"<h3>{escape(_('Fiscal year {year}').format(year=report['fiscal_year']))}"
                 "</h3>"]
        for title, header, rows in sections(report):
            parts.append(f"<h4>{escape(title)}</h4><table border='1' cellspacing='0' "
                         "cellpadding='3'><tr>"
                         + "".join(f"<th>{escape(str(h))}</th>" for h in header) + "</tr>")
            for r in rows:
                parts.append("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in r)
                             + "</tr>")
            parts.append("</table>")
        self.report.setHtml("".join(parts))

    def save(self) -> None:
        fy = self.year.value()
        goals = {f"goals_{k}": w.toPlainText() for k, w in self.goals.items()}
        targets = {k: w.text() for k, w in self.targets.items()}
        self.attempt(lambda: self.desk.region.save_annual_plan(fy, **goals, targets=targets),
                     _("The plan was saved."))

    def export(self, fmt: str, path: str | None = None) -> None:
        fy = self.year.value()
        if path is None:
            path, _f = QFileDialog.getSaveFileName(self, _("Annual report"),
                                                   f"annual-report-{fy}.{fmt}", f"*.{fmt}")
        if path:
            self.attempt(lambda: self.desk.region.export_annual_report(fy, path, fmt),
                         _("Written: {path}").format(path=path))


# ====================================================================== the area
class PanelTabs(QTabWidget):
    """The area's tabs, each panel in a scroll area of its own: 苦情・ヒヤリハット and 事業計画
    need more height than 1280×720 leaves, so they scroll there instead of making the main
    window taller (issue 14's small screens); the others show as before. Panels are still
    what ``currentWidget``/``setCurrentWidget``/``indexOf`` take and give."""

    def addTab(self, panel: QWidget, label: str) -> int:  # noqa: N802 - Qt name
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(panel)
        return super().addTab(scroll, label)

    def _page(self, panel: QWidget | None) -> QWidget | None:
        for i in range(self.count()):
            page = super().widget(i)
            if page is panel or (isinstance(page, QScrollArea) and page.widget() is panel):
                return page
        return panel

    def widget(self, index: int) -> QWidget | None:
        page = super().widget(index)
        return page.widget() if isinstance(page, QScrollArea) else page

    def currentWidget(self) -> QWidget | None:  # noqa: N802 - Qt name
        return self.widget(self.currentIndex())

    def setCurrentWidget(self, panel: QWidget) -> None:  # noqa: N802 - Qt name
        super().setCurrentWidget(self._page(panel))

    def indexOf(self, panel: QWidget) -> int:  # noqa: N802 - Qt name
        return super().indexOf(self._page(panel))


class RegionView(QWidget):
    def __init__(self, desk, parent: QWidget | None = None, *, window=None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.window_ = window
        self.tabs = PanelTabs()
        self.panels: dict[str, Panel] = {}
        d = self.desk
        tabs = [("resources", _("Social resources"), ResourcesPanel, True),
                ("issues", _("Regional issues"), IssuesPanel, True),
                ("activities", _("Activities with the region"), ActivitiesPanel, True),
                ("training", _("Staff development"), TrainingPanel,
                 _may(d, Permission.EDIT_CASES, Permission.MANAGE_DESK)),
                ("risk", _("Complaints and incidents"), RiskPanel,
                 _may(d, Permission.EDIT_CASES, Permission.RISK_REGISTER)),
                ("annual", _("Yearly plan and report"), AnnualPanel,
                 _may(d, Permission.VIEW_STATISTICS))]
        for key, label, cls, shown in tabs:
            if shown:
                panel = cls(self)
                self.panels[key] = panel
                self.tabs.addTab(panel, label)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Community building and running the desk")))
        layout.addWidget(self.tabs)


# ====================================================================== from a case
class MissingResourceDialog(FormDialog):
    """「不足している社会資源」 seen in a case (assessment, plan, evaluation): recorded as
    a 地域課題 with the case behind it (the case number only reaches the register)."""

    def __init__(self, desk, case_no: str, parent: QWidget | None = None):
        super().__init__(_("A resource that is missing"), parent, intro=_(
            "What this person needed and the region does not offer becomes a regional "
            "issue with this case behind it. The chief follows it up."),
            ok_text=_("Raise"))
        self.desk, self.case_no = desk, case_no
        self.title = QLineEdit()
        self.details = _text(70)
        self.existing = QComboBox()
        self.existing.addItem(_("(a new regional issue)"), "")
        try:
            for i in desk.region.regional_issues():
                if i.status.value not in R.ISSUE_FINAL:
                    self.existing.addItem(i.title, i.id)
        except Exception:  # noqa: BLE001 - shown as an error on submit
            pass
        self.form.addRow(_("Same as an open issue"), self.existing)
        self.form.addRow(_("Missing resource") + " *", self.title)
        self.form.addRow(_("Details"), self.details)
        self.finish_layout()

    def submit(self) -> bool:
        issue_id = self.existing.currentData()
        if issue_id:
            return self.attempt(self.desk.region.link_issue_case, issue_id, self.case_no)
        return self.attempt(self.desk.region.raise_regional_issue, self.title.text(),
                            self.details.toPlainText(), source=R.IssueSource.CASE.value,
                            case_no=self.case_no)


def case_issue_button(case_view) -> QPushButton:
    """The case screen's 「不足している社会資源を地域課題に」 button."""
    button = QPushButton(_("Missing resource → regional issue…"))
    button.setStyleSheet("text-align: left; padding: 4px 10px;")
    button.setMinimumHeight(30)
    button.setEnabled(_may(case_view.desk, Permission.EDIT_CASES))

    def open_dialog() -> None:
        from ui.dialogs import dialogs_for
        detail = getattr(case_view, "detail", None)
        if detail is None:
            return
        dialog = MissingResourceDialog(case_view.desk, detail.case.case_no, case_view)
        dialogs_for(case_view).run(dialog)

    button.clicked.connect(open_dialog)
    return button


# ====================================================================== the dashboard
class DeskWarnings(QLabel):
    """The 主任's lines on the dashboard: national training missing, 地域課題 open, complaints
    and incidents this month and last. Hidden for other roles."""

    def __init__(self, desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setStyleSheet("background: #fff8e6; border: 1px solid #e0c27a; padding: 6px;")
        self.open_area: Callable[[], Any] | None = None   # set by the main window
        self.linkActivated.connect(lambda _link: self.open_area and self.open_area())
        self.hide()

    def refresh(self) -> None:
        try:
            w = self.desk.region.desk_warnings()
        except Exception:  # noqa: BLE001 - a role without it
            w = {}
        text = warnings_html(w)
        if text and self.open_area is not None:
            text += "<br><a href='region'>" + escape(_("Open community and desk")) + "</a>"
        self.setText(text)
        self.setVisible(bool(w))


def warnings_html(w: dict[str, Any]) -> str:
    if not w:
        return ""
    lines = []
    missing = w.get("missing_training", [])
    if missing:
        names = "、".join(escape(m["name"]) for m in missing)
        lines.append("<span style='color:#b42318'>" + escape(_(
            "National training not recorded for {n} staff:").format(n=len(missing)))
            + f" {names}</span>")
    issues = w.get("issues", {})
    open_n = sum(v for k, v in issues.items() if k not in R.ISSUE_FINAL)
    lines.append(escape(_("Regional issues open: {n} ({cases} cases behind them)").format(
        n=open_n, cases=w.get("issue_cases", 0))))
    if "risk" in w:
        months = escape(_("Complaints and incidents by month:")) + " " + "　".join(
            escape(_("{month}: complaints {c}, incidents {i} (personal data {p})")
                                 .format(month=m["month"], c=m["complaints"], i=m["incidents"],
                                         p=m["personal_data"])) for m in w["risk"])
        lines.append(months)
        lines.append(escape(_("Complaints not completed: {c}; incidents not reviewed: {i}")
                            .format(c=w.get("open_complaints", 0),
                                    i=w.get("unreviewed_incidents", 0))))
    return "<br>".join(lines)


def _visible(desk) -> bool:
    return _may(desk, Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                Permission.MANAGE_SETTINGS)


register(Area("region", "Community and desk", lambda window: RegionView(window.desk,
                                                                         window=window),
              _visible))
