"""The main window: toolbar with the areas that work now, tabs (case list + opened cases),
status bar with the agency and the user."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel, QMainWindow, QMenu, QMessageBox, QTabWidget, QToolBar, QToolButton, QWidget,
)

from app.errors import TsunaguError
from app.i18n import _
from app.security.roles import Role
from forms.sheets import render
from ui import background, printing
from ui.background import read_in_background, run_in_background, serialized, wait_idle
from ui.wizards.intake import IntakeWizard
from ui.views.case_list import CaseListView
from ui.views.case_view import CaseView


class MainWindow(QMainWindow):
    """Holds the desk; closes it when the window closes (after background work ends).

    ``damaged(message)``: the database was found damaged after login (the desk is closed;
    show the recovery screen). ``session_ended(notice)``: the desk was closed for a
    restore; log in again. Automatic backups: ui/views/backup.py (AutoBackup)."""

    damaged = Signal(str)
    session_ended = Signal(str)

    def __init__(self, desk, parent: QWidget | None = None, *,
                 opener: printing.Opener | None = None,
                 show_error: Callable[[str], None] | None = None,
                 wizard_options: dict | None = None,
                 close_desk_on_exit: bool = True, auto_backup_options: dict | None = None,
                 lock_options: dict | None = None, dialogs=None):
        super().__init__(parent)
        self.desk = serialized(desk)
        # the dashboard's read first (issue 17): it runs on the reading connection while the
        # window is built, and the dashboard start() shows takes its answer
        from ui.views.dashboard import first_read
        self.dashboard_first_read = first_read(self)
        self.opener = opener or printing.open_with_system_viewer
        self.show_error = show_error or (lambda text: QMessageBox.warning(self, _("Error"), text))
        self.wizard_options = wizard_options or {}
        # the step wizards of a case (ui/wizards) take the same injected draft/error dialogs
        self.step_wizard_options = {k: v for k, v in self.wizard_options.items()
                                    if k in ("ask_restore_draft", "ask_keep_draft", "show_error",
                                             "ask_close")}
        self.close_desk_on_exit = close_desk_on_exit
        self.wizard: IntakeWizard | None = None
        agency = self.desk.agency
        self.setWindowTitle(_("Tsunagu — {agency}").format(agency=agency.name))

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.case_list = CaseListView(self.desk, read_when_shown=True)
        self.case_list.open_case.connect(self.open_case)
        self.tabs.addTab(self.case_list, _("Case list"))
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.setCentralWidget(self.tabs)

        toolbar = QToolBar(_("Main"))
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setStyleSheet("QToolBar { spacing: 6px; padding: 4px; }"
                              "QToolButton { padding: 5px 12px; }")
        self.list_action = QAction(_("Case list"), self)
        self.list_action.triggered.connect(lambda: self.tabs.setCurrentWidget(self.case_list))
        self.new_intake_action = QAction(_("New intake"), self)
        self.new_intake_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_intake_action.triggered.connect(self.new_intake)
        self.blank_action = QAction(_("Blank intake form"), self)
        self.blank_action.triggered.connect(self.print_blank)
        self.visit_kit_action = QAction(_("Home-visit kit (new person)"), self)
        self.visit_kit_action.setToolTip(_("Blank sheets to take on a home visit to someone "
                                           "not registered yet (intake, assessment, consent, "
                                           "records). For registered cases: choose them in "
                                           "the case list."))
        self.visit_kit_action.triggered.connect(self.print_blank_visit_kit)
        for action in (self.list_action, self.new_intake_action, self.blank_action):
            toolbar.addAction(action)
        # the blank sheets without a case: the intake form (one click), the visit kit (▾)
        blank_menu = QMenu(self)
        blank_menu.addAction(_("Blank intake form"), self.print_blank)
        blank_menu.addAction(self.visit_kit_action)
        self.blank_action.setMenu(blank_menu)
        blank_button = toolbar.widgetForAction(self.blank_action)
        if isinstance(blank_button, QToolButton):
            blank_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        # Areas (ダッシュボード, 支援調整会議, 統計・報告, 同期, 管理 …): each registered in
        # ui/areas.py with a label, a factory and who may see it; opened as a fixed tab.
        self.area_actions: dict[str, QAction] = {}
        self.area_views: dict[str, QWidget] = {}
        from ui.areas import load_areas
        toolbar.addSeparator()
        # keyboard (issue 14): Ctrl+1 the case list, Ctrl+2 … Ctrl+9 the areas in order
        self.list_action.setShortcut(QKeySequence("Ctrl+1"))
        self.list_action.setToolTip(_("Case list") + " (Ctrl+1)")
        for area in load_areas():
            if not area.visible(self.desk):
                continue
            action = QAction(area.label(), self)
            action.triggered.connect(lambda _checked=False, key=area.key: self.open_area(key))
            number = len(self.area_actions) + 2
            if number <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+{number}"))
                action.setToolTip(f"{area.label()} (Ctrl+{number})")
            toolbar.addAction(action)
            self.area_actions[area.key] = action
        button = toolbar.widgetForAction(self.new_intake_action)
        if button is not None:
            button.setStyleSheet("background: #1f5f99; color: white; font-weight: bold;"
                                 "border-radius: 4px; padding: 5px 14px;")

        user = self.desk.user
        try:
            role = Role(user.role).label
        except ValueError:
            role = user.role
        self.agency_label = QLabel(f"{agency.name}（{agency.municipality}）")
        self.user_label = QLabel(_("User: {name} ({role})").format(name=user.display_name,
                                                                  role=role))
        self.statusBar().addWidget(self.agency_label)
        self.statusBar().addPermanentWidget(self.user_label)
        from ui.fit import fit_to_screen
        fit_to_screen(self, 1280, 800)   # a 1280×720 laptop: never below the screen
        from ui.views.backup import AutoBackup
        self.auto_backup = AutoBackup(self, **(auto_backup_options or {}))
        from ui.views.sync import start_folder_sync
        start_folder_sync(self)  # import/write the sync folder's files, in the background
        # 画面ロック (idle time or Ctrl+L) and the security questions (ui/lock.py, ui/dialogs)
        from ui.dialogs import Dialogs
        from ui.lock import ScreenLock
        self.dialogs = dialogs or Dialogs()
        self.screen_lock = ScreenLock(self, **(lock_options or {}))
        from ui.help import install_help   # ヘルプ menu, F1, shortcuts, 設定 (issue 18)
        install_help(self)
        from ui.dialogs.about import add_help_menu
        add_help_menu(self)  # ヘルプ → バージョン情報
        # what each operation changed, as the core says (ui/background.py): every view hears
        background.operation_did_execute().connect(self._operation_announced)
        self._hearing = True

    def start(self) -> None:
        """Show the window, then (on the next turn of the event loop, so that the window
        appears at once and the work is cut in two) the dashboard: what is due today (its
        read started when the window was made; the case list, not shown, is read when first
        shown — issue 17)."""
        if "dashboard" in self.area_actions:
            from PySide6.QtCore import QTimer
            self.case_list.dashboard_coming = True   # not read now: the dashboard comes in front
            # a timer, not a queued call: the event loop turns (and paints) in between
            QTimer.singleShot(1, self, self._open_dashboard)
        self.show()

    def _open_dashboard(self) -> None:
        self.open_area("dashboard")
        self.case_list.dashboard_coming = False

    def operation_did_execute(self, changes, source: object = None) -> None:
        """An operation changed ``changes`` (ui/changes.py): every open view hears of it
        and reads again now if shown, or when next shown. ``source``: the tab whose
        operation it was (it has shown its result itself), or what else started it."""
        if changes.any_case or changes.meetings:
            self.dashboard_first_read = None   # read before the change: the dashboard asks again
        for i in range(self.tabs.count()):
            hear = getattr(self.tabs.widget(i), "on_operation_did_execute", None)
            if callable(hear):
                hear(changes, source)

    def _operation_announced(self, changes, source: object) -> None:
        """(ui/background.py) An operation ended: its changes, from the core, go to every
        view; one started in a tab's wizard or dialog counts as that tab's."""
        if getattr(self.desk, "closed", False):
            return
        self.operation_did_execute(changes, self._tab_of(source))

    def _tab_of(self, source: object) -> object:
        """The tab ``source`` belongs to (itself, or a wizard or dialog it opened), else
        ``source``."""
        tabs = [self.tabs.widget(i) for i in range(self.tabs.count())]
        obj = source
        try:
            while isinstance(obj, QObject):
                if any(obj is tab for tab in tabs):
                    return obj
                obj = obj.parent()
        except RuntimeError:   # already deleted
            pass
        return source

    def refresh_views(self) -> None:
        """Read every open tab again (after unlocking: reads under way were stopped)."""
        for i in range(self.tabs.count()):
            refresh = getattr(self.tabs.widget(i), "refresh", None)
            if callable(refresh):
                refresh()

    # ---------------------------------------------------------------- actions
    def new_intake(self) -> IntakeWizard:
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()
            return self.wizard
        self.wizard = IntakeWizard(self.desk, self, **self.wizard_options)
        self.wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard.registered.connect(self._intake_registered)
        self.wizard.destroyed.connect(lambda *_a: setattr(self, "wizard", None))
        self.wizard.show()
        return self.wizard

    def _intake_registered(self, case_id: str) -> None:
        self.open_case(case_id)   # the views hear of the new case from the core

    def open_case(self, case_id: str) -> None:
        for i in range(1, self.tabs.count()):
            view = self.tabs.widget(i)
            if isinstance(view, CaseView) and view.detail.case.id == case_id:
                self.tabs.setCurrentIndex(i)
                return
        desk = self.desk

        def show(overview) -> None:
            detail = overview.detail
            view = CaseView(desk, overview, opener=self.opener,
                            wizard_options=self.step_wizard_options)
            view.new_intake_requested.connect(lambda _person_id: self.new_intake())
            # the list's 閲覧制限 marker follows a restriction set or lifted in the view
            view.privacy.restriction_changed.connect(lambda _flag: self.case_list.refresh())
            index = self.tabs.addTab(view, f"{detail.person.name}（{detail.case.case_no}）")
            self.tabs.setCurrentIndex(index)

        # the one read of the case view (Desk.case_overview): it opens showing everything
        read_in_background(self, desk, lambda reader: reader.case_overview(case_id), show,
                           self._failed)

    def open_area(self, key: str) -> QWidget:
        """Show the area ``key`` (created on first use), as a tab that stays open."""
        from ui.areas import area_by_key
        view = self.area_views.get(key)
        if view is None or self.tabs.indexOf(view) < 0:
            area = area_by_key(key)
            view = area.factory(self)
            self.area_views[key] = view
            self.tabs.addTab(view, area.label())
        self.tabs.setCurrentWidget(view)
        return view

    def print_blank(self) -> None:
        path = printing.new_pdf_path("intake-blank")
        desk = self.desk

        def done(warnings) -> None:
            printing.open_pdf(path, self.opener)
            if warnings:
                self.show_error("\n".join(warnings))

        run_in_background(self, lambda: desk.paper.print_intake(None, path, blank=True,
                                                                render=render), done,
                          self._failed)

    def print_blank_visit_kit(self) -> None:
        """訪問用セット for a new person: the blank visit sheets (ui/print_menu)."""
        from ui.print_menu import SheetPrinter
        printer = getattr(self, "kit_printer", None)
        if printer is None:
            self.kit_printer = printer = SheetPrinter(self, self.desk)
        printer.print_visit_kit(None)

    def _failed(self, error: BaseException) -> None:
        self.show_error(str(error) if isinstance(error, TsunaguError) else repr(error))

    def _close_tab(self, index: int) -> None:
        if index == 0:
            return
        widget = self.tabs.widget(index)
        self.tabs.removeTab(index)
        for key, view in list(self.area_views.items()):
            if view is widget:
                del self.area_views[key]
        widget.deleteLater()

    def current_case_view(self) -> CaseView | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, CaseView) else None

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.wizard is not None:
            self.wizard.close()
        if not self.auto_backup.on_close(event):
            return  # backing up in the background first; closes when done
        wait_idle()
        if self._hearing:
            self._hearing = False
            background.operation_did_execute().disconnect(self._operation_announced)
        if self.close_desk_on_exit:
            self.desk.close()  # while locked: gives the kept one-writer lock back
        printing.remove_print_folder()
        super().closeEvent(event)
