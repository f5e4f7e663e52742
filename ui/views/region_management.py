"""The 運営 tabs of ui/views/region.py: 人材育成, 苦情・事故 (リスクマネジメント) and
年間計画・事業報告."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QSpinBox, QTabWidget, QTextBrowser, QVBoxLayout,
)

from app import text_ja
from app.i18n import _
from app.domain import region as R
from app.reports.annual import TARGET_KEYS as R_TARGET_KEYS
from app.security.roles import Permission
from forms.sheets import render
from ui.dialogs.base import error_text
from ui.views.region_base import Panel, Table, _combo, _enum_options, _may, _text, _w
from ui.widgets import DateField, heading


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
        self.table.fill([[r.name, role(r.role),
                          R.NationalCourse(r.required_course).label
                          if r.required_course else _("(none needed)"),
                          _w(r.national_done_on) or (_("NOT YET COMPLETED") if r.missing
                                                     else ""),
                          r.off_jt, r.sessions] for r in rows], rows)
        for i, r in enumerate(rows):
            if r.missing:
                item = self.table.item(i, 3)
                item.setForeground(Qt.GlobalColor.red)
        s = self.desk.region.ojt_sessions()
        self.sessions.fill([[_w(x.held_on), x.kind.label, x.topic,
                             "、".join(x.case_numbers)] for x in s], s)

    def _staff(self) -> R.TrainingStatus | None:
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
        self.attempt(lambda: self.desk.region.add_training(r.staff_id, kind, on, course=course,
                                                    title=title, organiser=org),
                     _("The training was recorded."))

    def add_session(self) -> None:
        on, kind, topic = self.s_on.text(), self.s_kind.currentData(), self.s_topic.text()
        cases = [c for c in self.s_cases.text().replace("、", ",").split(",") if c.strip()]
        people = [r.staff_id for r in self.table.data_rows] if self.s_all.isChecked() \
            else [r.staff_id for r in [self.table.current()] if r]
        self.attempt(lambda: self.desk.region.add_ojt_session(on, kind, topic, case_numbers=cases,
                                                       participants=people),
                     _("The session was recorded."))

    def print_history(self) -> None:
        r = self._staff()
        if r is None:
            return
        path, _f = QFileDialog.getSaveFileName(self, _("Training history (PDF)…"),
                                               f"{r.login}-training.pdf", "PDF (*.pdf)")
        if path:
            self.attempt(lambda: self.desk.region.print_training_history(
                r["staff_id"], path, render=render),
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
        self.complaints.fill([[_w(c.received_on), c.complainant.label, c.content,
                               _w(c.completed_on), c.case_no or ""] for c in cs], cs)
        ins = self.desk.region.incidents()
        self.incidents.fill([[_w(i.occurred_on), i.kind.label, i.severity.label,
                              i.what, _w(i.reviewed_on)] for i in ins], ins)

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
        self.c_on.set_date(c.received_on)
        self.c_who.setCurrentIndex(max(0, self.c_who.findData(c.complainant.value)))
        for w, text in ((self.c_content, c.content), (self.c_response, c.response),
                        (self.c_result, c.result), (self.c_prevention, c.prevention)):
            w.setPlainText(text)
        self.c_done.set_date(c.completed_on)
        self.c_case.setText(c.case_no or "")
        self.c_committee.setChecked(c.committee)

    def add_complaint(self) -> None:
        data = self._complaint()
        self.attempt(lambda: self.desk.region.add_complaint(data), _("The complaint was recorded."))

    def save_complaint(self) -> None:
        c = self.complaints.current()
        if c is None:
            self.error.show_message(_("Choose a complaint in the list first."))
            return
        data = self._complaint()
        self.attempt(lambda: self.desk.region.edit_complaint(c.id, data), _("Saved."))

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
        self.i_on.set_date(i.occurred_on)
        self.i_kind.setCurrentIndex(max(0, self.i_kind.findData(i.kind.value)))
        self.i_sev.setCurrentIndex(max(0, self.i_sev.findData(i.severity.value)))
        for w, text in ((self.i_what, i.what), (self.i_cause, i.cause),
                        (self.i_prev, i.prevention)):
            w.setPlainText(text)
        self.i_audit.setText(", ".join(str(x) for x in i.audit_refs))
        self.i_case.setText(i.case_no or "")
        self.i_reviewed_at.setText(i.reviewed_at)
        self.i_reviewed_on.set_date(i.reviewed_on)
        self.i_linked.setText("\n".join(
            f"{e.seq}　{e.at[:16].replace('T', ' ')}　{e.login}　{e.action}　"
            f"{e.case_no or ''}" for e in i.audit_entries))

    def add_incident(self) -> None:
        data = self._incident()
        self.attempt(lambda: self.desk.region.add_incident(data), _("The report was recorded."))

    def save_incident(self) -> None:
        i = self.incidents.current()
        if i is None:
            self.error.show_message(_("Choose a report in the list first."))
            return
        data = self._incident()
        self.attempt(lambda: self.desk.region.edit_incident(i.id, data), _("Saved."))


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
            self.attempt(lambda: self.desk.region.export_annual_report(fy, path, fmt,
                                                                       render=render),
                         _("Written: {path}").format(path=path))
