"""管理 › 監査ログ (filter, table, CSV export, 改ざん検査) and 管理 › 保存期間 (years, closed
cases past retention, purge with a typed reason and a confirmation naming how many)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit,
    QPushButton, QSpinBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from app import text_ja
from app.errors import ValidationError
from app.i18n import N_, _
from ui.background import read_in_background, run_in_background
from ui.dialogs.base import error_text
from ui.widgets import DateField, ErrorLabel, heading

ACTIONS: dict[str, str] = {
    "login": N_("Log in"), "login_failed": N_("Failed log-in"),
    "login_recovery_key": N_("Opened with the recovery key"),
    "lock": N_("Screen locked"), "auto_lock": N_("Screen locked (idle)"),
    "unlock": N_("Screen unlocked"), "unlock_failed": N_("Failed unlock"),
    "view_case": N_("Viewed a case"), "reveal": N_("Showed restricted whereabouts"),
    "intake": N_("Intake"), "print": N_("Printed"), "export": N_("Exported"),
    "disclose": N_("Information given"), "consent": N_("Consent recorded"),
    "consent_withdraw": N_("Consent withdrawn"), "sensitive_on": N_("Access restricted"),
    "sensitive_off": N_("Restriction lifted"), "refused": N_("Refused"),
    "user_add": N_("User added"), "user_disable": N_("User disabled"),
    "user_enable": N_("User enabled"), "user_role": N_("Role changed"),
    "user_team": N_("Team changed"), "password_change": N_("Password changed"),
    "password_change_failed": N_("Password change failed"),
    "password_reset": N_("Password reset"), "recovery_key_new": N_("New recovery key"),
    "admin_case_access": N_("Administrator's case access"), "setting": N_("Setting"),
    "purge": N_("Deleted for good (retention)"), "backup": N_("Backup"),
    "assign": N_("Assigned"), "hand_over": N_("Handed over"),
    "coworker_add": N_("Co-worker added"), "create": N_("Database created"),
    "master_add": N_("Master data: added"), "master_edit": N_("Master data: edited"),
    "master_move": N_("Master data: order changed"),
    "master_deactivate": N_("Master data: deactivated"),
    "master_reactivate": N_("Master data: reactivated"),
    "master_delete": N_("Master data: deleted"),
    # the consultation process (app/operations/process.py) — issue 14: never a code
    "view_timeline": N_("Viewed the timeline"), "emergency": N_("Emergency support"),
    "emergency_procedure": N_("Emergency support: municipal procedure done"),
    "assessment": N_("Assessment"), "screening": N_("Screening"),
    "referral_check": N_("Referral checked"), "take_back": N_("Taken back from referral"),
    "plan_draft": N_("Plan drafted"), "plan_edit": N_("Draft plan edited"),
    "plan_submit": N_("Plan submitted to the meeting"), "plan_amend": N_("Plan amended"),
    "meeting_plan": N_("Meeting planned"), "agenda_add": N_("Put on the agenda"),
    "agenda_move": N_("Agenda item moved"), "agenda_withdraw": N_("Agenda item withdrawn"),
    "meeting_result": N_("Meeting result"), "meeting_held": N_("Meeting recorded"),
    "decision": N_("Support decision"), "service_start": N_("Service started"),
    "record": N_("Support record"), "record_correct": N_("Support record corrected"),
    "monitoring": N_("Monitoring"), "evaluation": N_("Plan evaluation"),
    "contact_attempt": N_("Attempt to reach the person"),
    "suspension_propose": N_("Suspension proposed"), "resume": N_("Resumed"),
    "closure_propose": N_("Closure proposed"), "followup": N_("Follow-up"),
    "person_update": N_("Person's data changed"), "import_ledger": N_("Ledger imported"),
    "import": N_("Imported"), "bundle_export": N_("Sync: written for another device"),
    "bundle_import": N_("Sync: read from another device"),
    "check_out": N_("Taken out on a laptop"), "check_in": N_("Brought back from a laptop"),
    "device_add": N_("Device added"), "device_revoke": N_("Device revoked"),
    "device_key_pinned": N_("Device key recorded"),
    "resolve_conflict": N_("Sync conflict resolved"), "settings": N_("Settings"),
    # reading lists (app/security/authorization.py), guide rules, region, audit anchors, restore
    "view_list": N_("Viewed the case list"), "view_records": N_("Viewed support records"),
    "view_dashboard": N_("Viewed the dashboard"), "view_caseload": N_("Viewed the caseload list"),
    "view_statistics": N_("Viewed statistics"),
    "view_statistics_cases": N_("Viewed the cases behind a figure"),
    "same_person_check": N_("Checked for the same person"),
    "open_case_check": N_("Checked whether the person has an open case"),
    "plan_report": N_("Plan reported to the municipality"),
    "resource_add": N_("Social resource added"), "resource_edit": N_("Social resource edited"),
    "resource_deactivate": N_("Social resource deactivated"),
    "resource_reactivate": N_("Social resource reactivated"),
    "regional_issue_add": N_("Regional issue added"),
    "regional_issue_link": N_("Case linked to a regional issue"),
    "regional_issue_status": N_("Regional issue status changed"),
    "activity_add": N_("Activity with the region recorded"),
    "training_add": N_("Training recorded"), "ojt_add": N_("On-the-job training recorded"),
    "risk_view": N_("Viewed complaints or incidents"),
    "complaint_add": N_("Complaint recorded"), "complaint_edit": N_("Complaint edited"),
    "incident_add": N_("Incident recorded"), "incident_edit": N_("Incident edited"),
    "annual_plan": N_("Yearly plan saved"),
    "restore_start": N_("Restore from a backup started"),
    "restore": N_("Restored from a backup"),
    "bundle_refused_rows": N_("Sync: data refused from another device"),
    "device_audit_broken": N_("Audit log of another device: chain broken"),
    "device_audit_cut": N_("Audit log of another device: entries cut"),
    "audit_cut_detected": N_("Audit log: entries another device holds are missing here"),
}
# an entry copied from another device's log (app/operations/audit_anchors.py): "device:<action>"
DEVICE_PREFIX = "device:"


def action_label(action: str) -> str:
    if action.startswith(DEVICE_PREFIX):
        return _("Another device: {action}").format(
            action=action_label(action[len(DEVICE_PREFIX):]))
    return _(ACTIONS[action]) if action in ACTIONS else action


def _detail_words() -> dict[str, str]:
    """Codes the process writes as an entry's detail (kinds, results, methods …) → their
    Japanese labels, from the enums the screens use."""
    from app.domain.assessment import ScreeningResult
    from app.domain.closure import ClosurePattern
    from app.domain.decision import DecisionResult
    from app.domain.evaluation import EvaluationDecision
    from app.domain.meeting import AgendaKind, MeetingKind, MeetingResult
    from app.domain.monitoring import MonitoringKind
    from app.domain.plan import PlanKind
    from app.domain.record import RecordMethod
    from app.domain.suspension import ContactMethod, ContactOutcome
    from app.domain import EmergencyAction
    words: dict[str, str] = {}
    for enum in (ScreeningResult, PlanKind, MeetingKind, AgendaKind,
                 MeetingResult, DecisionResult, RecordMethod, MonitoringKind,
                 EvaluationDecision, ClosurePattern, ContactMethod, ContactOutcome,
                 EmergencyAction):
        for member in enum:
            words.setdefault(member.value, member.label)
    words.update({"arrived": _("arrived"), "not_arrived": _("not arrived"),
                  "first": _("New plan")})
    return words


def detail_label(detail: str, services: dict[str, str] | None = None) -> str:
    """An entry's detail as a person reads it: codes as words, ISO dates in 和暦
    (「self_reliance」→ the service's name, 「2026-10-21」→ 令和8年10月21日)."""
    if not detail:
        return ""
    words = _detail_words()
    if services:
        words.update(services)

    def one(part: str) -> str:
        if part in words:
            return words[part]
        try:
            return text_ja.format_wareki(date.fromisoformat(part), "long")
        except ValueError:
            return part

    out = []
    for chunk in detail.split("->"):
        out.append(":".join(one(p) for p in chunk.split(":")))
    return " → ".join(out).replace(":", "：")


def _when(at: str) -> str:
    """「2026-12-03T07:54:00…」→ 令和8年12月3日 07:54:00 (as stored, the device's time)."""
    try:
        day = date.fromisoformat(at[:10])
    except ValueError:
        return at
    return f"{text_ja.format_wareki(day, 'long')} {at[11:19]}"


def _wareki(d: date | None) -> str:
    return text_ja.format_wareki(d, "long") if d else ""


def _tree(headers: list[str]) -> QTreeWidget:
    t = QTreeWidget()
    t.setColumnCount(len(headers))
    t.setHeaderLabels(headers)
    t.setRootIsDecorated(False)
    t.setAlternatingRowColors(True)
    t.setUniformRowHeights(True)
    t.setStyleSheet("QTreeWidget::item { padding: 3px 8px; }")   # columns not run together
    t.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.header().setStretchLastSection(True)
    return t


class AuditPanel(QWidget):
    def __init__(self, admin):
        super().__init__()
        self.admin = admin
        self.user = QComboBox()
        self.user.addItem(_("Everyone"), "")
        self.user.setAccessibleName(_("User"))
        self.case_no = QLineEdit()
        self.case_no.setPlaceholderText(_("e.g. 2026-0001"))
        self.case_no.setMaximumWidth(160)
        self.action = QComboBox()
        self.action.addItem(_("Every action"), "")
        self.action.setAccessibleName(_("Action"))
        for key, label in ACTIONS.items():
            self.action.addItem(_(label), key)
        self.since = DateField(_("From"), width=150)
        self.until = DateField(_("To"), width=150)
        self.search_button = QPushButton(_("Search"))
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.export_button = QPushButton(_("Export to CSV…"))
        self.export_button.clicked.connect(self.export)
        self.check_button = QPushButton(_("Check for tampering"))
        self.check_button.clicked.connect(self.check)
        self.table = _tree([_("Time"), _("User"), _("Action"), _("Case No."), _("Details"),
                            _("Reason")])
        self.count = QLabel()
        self.check_result = QLabel()
        self.check_result.setWordWrap(True)
        self.error = ErrorLabel()
        filters = QFormLayout()
        row1 = QHBoxLayout()
        row1.addWidget(self.user)
        row1.addWidget(QLabel(_("Case No.")))
        row1.addWidget(self.case_no)
        row1.addWidget(QLabel(_("Action")))
        row1.addWidget(self.action)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        row2.addWidget(self.since)
        row2.addWidget(QLabel("〜"))
        row2.addWidget(self.until)
        row2.addStretch(1)
        filters.addRow(_("User"), row1)
        filters.addRow(_("Period"), row2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.check_result)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.rows: list = []
        self.loaded_users = False

    @property
    def desk(self):
        return self.admin.desk

    def _load_users(self) -> None:
        if self.loaded_users:
            return
        try:
            for u in self.desk.security.list_users():
                self.user.addItem(f"{u.display_name}（{u.login}）", u.login)
            self.loaded_users = True
        except Exception as error:  # noqa: BLE001 - shown
            self.error.show_message(error_text(error))

    def filters(self) -> dict | None:
        try:
            since = self.since.parsed("since")
            until = self.until.parsed("until")
        except ValidationError as e:
            self.error.show_message(e.message)
            return None
        return {"user": self.user.currentData() or None,
                "case_no": self.case_no.text().strip() or None,
                "action": self.action.currentData() or None, "since": since, "until": until}

    def search(self) -> None:
        self._load_users()
        filters = self.filters()
        if filters is None:
            return
        self.error.clear_message()
        desk = self.desk
        def load(desk):
            rows = desk.security.audit_search(**filters, limit=1000)
            try:
                self.service_names = {s.key: s.name for s in desk.process.services(
                    include_inactive=True)}
            except Exception:  # noqa: BLE001 - the codes stay readable without the names
                pass
            return rows

        read_in_background(self, self.desk, load, self._show,
                          lambda e: self.error.show_message(error_text(e)))

    def _show(self, rows) -> None:
        self.rows = rows
        self.table.clear()
        items = []
        names = getattr(self, "service_names", None)
        for r in rows:
            items.append(QTreeWidgetItem([_when(r.at), r.login,
                                          action_label(r.action), r.case_no or "",
                                          detail_label(r.detail or "", names),
                                          r.reason or ""]))
        self.table.addTopLevelItems(items)
        self.count.setText(_("{n} entries (newest first, up to 1,000 shown)").format(n=len(rows)))

    def export(self) -> None:
        filters = self.filters()
        if filters is None:
            return
        name = f"audit-{date.today().isoformat()}.csv"
        path = self.admin.dialogs.save_path(self, _("Export the audit log"), name)
        if not path:
            return
        desk = self.desk

        def done(n: int) -> None:
            self.admin.dialogs.info(self, _("Export the audit log"), _(
                "{n} entries were written to {path}.").format(n=n, path=path))

        run_in_background(self, lambda: desk.security.audit_export_csv(path, **filters), done,
                          lambda e: self.error.show_message(error_text(e)))

    def check(self) -> None:
        desk = self.desk

        def done(broken) -> None:
            if broken is None:
                self.check_result.setStyleSheet("color: #1d6b2f; font-weight: bold;")
                self.check_result.setText(_("No tampering found: every entry of the audit log "
                                            "is linked to the one before."))
            else:
                self.check_result.setStyleSheet("color: #b00020; font-weight: bold;")
                what = (_("Entry No. {seq} is missing (deleted)") if broken.deleted
                        else _("Entry No. {seq} was changed")).format(seq=broken.seq)
                self.check_result.setText(_(
                    "The audit log was tampered with: {what} (around {at}). Report this to "
                    "the person responsible for data protection.").format(
                        what=what, at=_when(broken.at)))

        run_in_background(self, desk.security.audit_check, done,
                          lambda e: self.error.show_message(error_text(e)))


class RetentionPanel(QWidget):
    def __init__(self, admin):
        super().__init__()
        self.admin = admin
        self.years = QSpinBox()
        self.years.setRange(1, 100)
        self.years.setSuffix(_(" years"))
        self.save_years = QPushButton(_("Save"))
        self.save_years.clicked.connect(self.set_years)
        self.table = _tree(["", _("Case No."), _("Closed on"), _("Retention ended on")])
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(60)
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(_("e.g. retention period under the agency's rules"))
        self.reason.textChanged.connect(lambda: self.error.clear_message())
        self.purge_button = QPushButton(_("Delete the checked cases for good…"))
        self.purge_button.setStyleSheet("color: #8a1c1c;")
        self.purge_button.clicked.connect(self.purge)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.error = ErrorLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Keep closed cases for")))
        top.addWidget(self.years)
        top.addWidget(self.save_years)
        top.addStretch(1)
        note = QLabel(_("Deleting removes the person's data from the database for good; only "
                        "anonymised counts stay for the statistics."))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(heading(_("Closed cases past the retention period")))
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        form = QFormLayout()
        form.addRow(_("Reason") + " *", self.reason)
        layout.addLayout(form)
        layout.addWidget(self.purge_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addWidget(self.error)
        self.items: list = []
        self.refresh()

    @property
    def desk(self):
        return self.admin.desk

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not getattr(self, "_loaded", False):   # read when first shown, not with 管理
            self._loaded = True
            self.refresh()

    def refresh(self) -> None:
        """The period and the closed cases past it, read in the background (every closed
        case is looked at: 0.16 s at 100,000 cases)."""
        self._loaded = True
        read_in_background(self, self.desk, lambda desk: (desk.security.retention_years(),
                                                          desk.security.retention_due()),
                           self._fill, lambda error: self.error.show_message(error_text(error)))

    def _fill(self, result) -> None:
        years, self.items = result
        self.years.setValue(years)
        self.table.clear()
        for i in self.items:
            item = QTreeWidgetItem(["", i.case_no, _wareki(i.closed_on), _wareki(i.due_on)])
            item.setCheckState(0, Qt.CheckState.Unchecked)
            item.setData(0, Qt.ItemDataRole.UserRole, i.case_id)
            self.table.addTopLevelItem(item)
        if not self.items:
            self.message.setText(_("No closed case is past the retention period."))

    def set_years(self) -> None:
        try:
            self.desk.security.set_retention_years(self.years.value())
        except Exception as error:  # noqa: BLE001 - the core's message
            self.error.show_message(error_text(error))
            return
        self.error.clear_message()
        self.message.setText(_("The retention period was saved."))
        self.refresh()

    def checked_ids(self) -> list[str]:
        out = []
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            if item.checkState(0) == Qt.CheckState.Checked:
                out.append(item.data(0, Qt.ItemDataRole.UserRole))
        return out

    def purge(self) -> None:
        ids, reason = self.checked_ids(), self.reason.toPlainText().strip()
        if not ids:
            self.error.show_message(_("Check the cases to delete."))
            return
        if not reason:
            self.error.show_message(_("Enter the reason."))
            return
        numbers = [i.case_no for i in self.items if i.case_id in ids]
        if not self.admin.dialogs.confirm(self, _("Delete for good"), _(
                "Delete the personal data of these {n} cases for good: {cases}? This cannot "
                "be undone; only anonymised counts stay for the statistics.")
                .format(n=len(ids), cases="、".join(numbers))):
            return
        desk = self.desk
        # one purge at a time: a second click would ask again for cases already gone
        self.purge_button.setEnabled(False)
        self.error.clear_message()
        self.message.setText(_("Deleting… (the database file is rewritten; this may take a "
                               "moment)"))

        def done(result) -> None:
            self.purge_button.setEnabled(True)
            self.error.clear_message()
            self.reason.clear()
            self.refresh()
            self.message.setText(_("Deleted for good: {cases}").format(
                cases="、".join(result.purged)))

        def failed(error: BaseException) -> None:
            self.purge_button.setEnabled(True)
            self.message.setText("")
            self.error.show_message(error_text(error))

        run_in_background(self, lambda: desk.security.purge(ids, reason), done, failed)
