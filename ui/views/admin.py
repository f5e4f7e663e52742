"""管理 (administrators): 利用者, 監査ログ, 保存期間 and 設定 (administrator's case access with
a reason, the auto-lock time, 「回復キーを再発行」). Everything goes through the core; its
messages are shown. Dialogs come from the main window's ``dialogs`` (ui/dialogs)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QTabWidget, QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.security.roles import Permission
from ui.areas import Area, register
from ui.dialogs import Dialogs, dialogs_for
from ui.dialogs.base import ReasonDialog, error_text
from ui.dialogs.recovery_key import RecoveryKeyDialog
from ui.views.admin_audit import AuditPanel, RetentionPanel
from ui.views.admin_users import UsersPanel
from ui.widgets import ErrorLabel


class SettingsPanel(QWidget):
    def __init__(self, admin):
        super().__init__()
        self.admin = admin
        access = QGroupBox(_("Administrator's access to cases"))
        self.case_access = QCheckBox(_("Administrators may read and write cases"))
        note = QLabel(_("On a small desk the administrator is also the chief worker. With a "
                        "separate chief, switch this off: administrators then see no case, "
                        "not even in lists. Every change is recorded with its reason."))
        note.setWordWrap(True)
        self.case_access.toggled.connect(self.toggle_case_access)
        column = QVBoxLayout(access)
        column.addWidget(self.case_access)
        column.addWidget(note)

        lock = QGroupBox(_("Screen lock"))
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 60)
        self.minutes.setSuffix(_(" minutes"))
        self.save_minutes = QPushButton(_("Save"))
        self.save_minutes.clicked.connect(self.set_minutes)
        row = QHBoxLayout(lock)
        row.addWidget(QLabel(_("Lock the screen after")))
        row.addWidget(self.minutes)
        row.addWidget(QLabel(_("without input")))
        row.addWidget(self.save_minutes)
        row.addStretch(1)

        key = QGroupBox(_("Recovery key"))
        self.recovery_button = QPushButton(_("Issue a new recovery key…"))
        self.recovery_button.clicked.connect(self.regenerate_key)
        key_note = QLabel(_("Issue a new key when the sheet is lost or someone who should not "
                            "have it may have seen it. The old key stops working at once."))
        key_note.setWordWrap(True)
        kc = QVBoxLayout(key)
        kc.addWidget(key_note)
        kc.addWidget(self.recovery_button, 0, Qt.AlignmentFlag.AlignLeft)

        rules = self._build_process_settings()

        self.message = QLabel()
        self.message.setStyleSheet("color: #1d6b2f;")
        self.error = ErrorLabel()
        layout = QVBoxLayout(self)
        for w in (access, lock, rules, key, self.message, self.error):
            layout.addWidget(w)
        layout.addStretch(1)
        self.refresh()

    # the figures the guide leaves to the desk (issue 19): 一定期間, 軽微な修正
    PROCESS_FIELDS = (
        ("suspension_means", N_("中断: contact attempts by at least"), N_(" means")),
        ("suspension_days", N_("中断: the attempts spread over at least"), N_(" days")),
        ("closure3_days", N_("終結(3): only after 中断 of at least"), N_(" days")),
        ("amendment_days", N_("軽微な修正: a period moves by at most"), N_(" days")),
        ("evaluation_notice_days", N_("プラン評価: listed before the plan ends"), N_(" days")),
    )

    def _build_process_settings(self) -> QGroupBox:
        from PySide6.QtWidgets import QFormLayout
        from app.operations.guide_rules import SETTING_RANGES
        box = QGroupBox(_("The guide's periods on this desk"))
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        note = QLabel(_("The guide leaves these figures to the desk (一定期間, 軽微な修正). The "
                        "step screens state them; a change applies to steps recorded after it."))
        note.setWordWrap(True)
        form.addRow(note)
        self.process_spins: dict[str, QSpinBox] = {}
        for key, label, suffix in self.PROCESS_FIELDS:
            spin = QSpinBox()
            spin.setRange(*SETTING_RANGES[key])
            spin.setSuffix(_(suffix))
            spin.setAccessibleName(_(label))
            spin.setMinimumWidth(110)
            self.process_spins[key] = spin
            form.addRow(_(label), spin)
        self.save_process = QPushButton(_("Save"))
        self.save_process.clicked.connect(self.set_process_settings)
        form.addRow("", self.save_process)
        return box

    def set_process_settings(self) -> None:
        values = {k: spin.value() for k, spin in self.process_spins.items()}
        try:
            self.desk.process.set_process_settings(**values)
        except Exception as error:  # noqa: BLE001 - the core's message
            self.error.show_message(error_text(error))
            return
        self._say(_("The guide's periods are saved; they apply to steps recorded from now on."))
        self.refresh()

    @property
    def desk(self):
        return self.admin.desk

    def refresh(self) -> None:
        self.case_access.blockSignals(True)
        self.case_access.setChecked(self.desk.security.admin_case_access())
        self.case_access.blockSignals(False)
        self.minutes.setValue(self.desk.security.auto_lock_minutes())
        current = self.desk.process.process_settings()
        for key, spin in self.process_spins.items():
            spin.setValue(getattr(current, key))

    def _say(self, text: str) -> None:
        self.error.clear_message()
        self.message.setText(text)

    def toggle_case_access(self, allowed: bool) -> None:
        dialog = ReasonDialog(_("Administrator's access to cases"), _(
            "Allow administrators to read and write cases?") if allowed else _(
            "Stop administrators from reading and writing cases?"), self,
            placeholder=_("e.g. a separate chief worker was appointed"))
        ok = self.admin.dialogs.run(dialog)
        if ok:
            try:
                self.desk.security.set_admin_case_access(allowed, dialog.reason())
            except Exception as error:  # noqa: BLE001 - the core's message
                self.error.show_message(error_text(error))
                ok = False
        if ok:
            self._say(_("Administrators may now read and write cases.") if allowed else
                      _("Administrators no longer see cases."))
        self.refresh()

    def set_minutes(self) -> None:
        try:
            self.desk.security.set_auto_lock_minutes(self.minutes.value())
        except Exception as error:  # noqa: BLE001 - the core's message
            self.error.show_message(error_text(error))
            return
        lock = getattr(self.admin.window_, "screen_lock", None)
        if lock is not None:
            lock.set_minutes(self.minutes.value())
        self._say(_("The screen now locks after {n} minutes without input.").format(
            n=self.minutes.value()))

    def regenerate_key(self) -> None:
        dialogs = self.admin.dialogs
        if not dialogs.confirm(self, _("Issue a new recovery key"), _(
                "Issue a new recovery key? The old key stops working at once; print the new "
                "one and keep it in a safe.")):
            return
        try:
            key = self.desk.security.regenerate_recovery_key()
            agency = self.desk.agency
        except Exception as error:  # noqa: BLE001 - the core's message
            self.error.show_message(error_text(error))
            return
        opener = getattr(self.admin.window_, "opener", None)
        if opener is None:
            from ui.printing import open_with_system_viewer as opener
        dialog = RecoveryKeyDialog(key, agency, opener, self, today=self.desk.today())
        del key
        dialogs.run(dialog)
        self._say(_("A new recovery key was issued; the old one no longer works."))


class AdminView(QWidget):
    """The administration tabs. Only the first (利用者) is built at once; the others are
    built the first time they are shown or asked for (``view.audit`` …), so opening 管理
    does not build and read six panels to show one."""

    def __init__(self, desk, parent: QWidget | None = None, *, window=None,
                 dialogs: Dialogs | None = None):
        super().__init__(parent)
        self.desk = desk
        self.window_ = window
        self._dialogs = dialogs
        self.tabs = QTabWidget()
        self._panels: dict[str, QWidget] = {}
        self._placeholders: dict[str, QWidget] = {}
        for name, title in self.TABS:
            placeholder = QWidget()
            self._placeholders[name] = placeholder
            self.tabs.addTab(placeholder, _(title))
        self.tabs.currentChanged.connect(self._build_current)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self._build_current(self.tabs.currentIndex())

    TABS = (("users", N_("Users")), ("audit", N_("Audit log")),
            ("retention", N_("Retention")), ("settings", N_("Settings")),
            ("master", N_("Master data")), ("ledger_import", N_("Import a ledger")))

    def _make(self, name: str) -> QWidget:
        if name == "users":
            return UsersPanel(self)
        if name == "audit":
            return AuditPanel(self)
        if name == "retention":
            return RetentionPanel(self)
        if name == "settings":
            return SettingsPanel(self)
        if name == "master":
            from ui.views.admin_master import MasterDataPanel  # マスターデータ (its own module)
            return MasterDataPanel(self)
        from ui.views.ledger_import import LedgerImportView  # 台帳の取り込み (its own module)
        return LedgerImportView(self.desk)

    def panel(self, name: str) -> QWidget:
        """The panel of tab ``name`` (see TABS), built in place of its placeholder the first
        time it is needed."""
        built = self._panels.get(name)
        if built is not None:
            return built
        panel = self._make(name)
        self._panels[name] = panel
        placeholder = self._placeholders.pop(name)
        index = self.tabs.indexOf(placeholder)
        current = self.tabs.currentIndex()
        blocked = self.tabs.blockSignals(True)
        try:
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, panel, _(dict(self.TABS)[name]))
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(blocked)
        placeholder.deleteLater()
        from ui.help import on_shown   # named for screen readers, at the chosen text size
        on_shown(panel)
        return panel

    def _build_current(self, index: int) -> None:
        widget = self.tabs.widget(index)
        for name, placeholder in list(self._placeholders.items()):
            if placeholder is widget:
                self.panel(name)

    @property
    def users(self) -> UsersPanel:
        return self.panel("users")  # type: ignore[return-value]

    @property
    def audit(self) -> AuditPanel:
        return self.panel("audit")  # type: ignore[return-value]

    @property
    def retention(self) -> RetentionPanel:
        return self.panel("retention")  # type: ignore[return-value]

    @property
    def settings(self) -> SettingsPanel:
        return self.panel("settings")  # type: ignore[return-value]

    @property
    def master(self):
        return self.panel("master")

    @property
    def ledger_import(self):
        return self.panel("ledger_import")

    @property
    def dialogs(self) -> Dialogs:
        if self._dialogs is not None:
            return self._dialogs
        return dialogs_for(self.window_ if self.window_ is not None else self.parentWidget())

    @dialogs.setter
    def dialogs(self, value: Dialogs) -> None:
        self._dialogs = value


def _visible(desk) -> bool:
    try:
        return bool(desk.security.allowed(Permission.MANAGE_USERS))
    except Exception:  # noqa: BLE001 - a desk without the security core
        return False


register(Area("admin", "Administration", lambda window: AdminView(window.desk, window=window),
              _visible))
