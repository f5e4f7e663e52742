"""ヘルプ (issue 18): offline help pages in Japanese, opened at the page of what is on the screen.

The pages are HTML files under resources/help/ (no network). Which page belongs to which screen
is declared here, in one place:

* a main-window tab: the case list ``case-list``, a case ``case-view``, an area ``area-<key>``
  (ui/areas.py);
* a page of ui/wizards: ``step-<step>#<page name>``, ``intake#<page name>``;
* the set-up wizard's pages: ``PAGE_HELP`` by class.

``help_id_of(widget)`` finds the id for a widget (the focused one, or a window); F1 anywhere and
the ヘルプ menu open ``HelpBrowser`` there. tests/ui/test_help.py fails when a screen or a wizard
page has no page (or no anchor in its page).
"""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication, QDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QMainWindow, QMenu, QPushButton, QSplitter, QTextBrowser, QVBoxLayout, QWidget, QWizard,
)

from app.i18n import _
from app.paths import resources_dir

INDEX = "index"
TOUR = "hajimete"
SHORTCUTS = "shortcuts"

# the set-up wizard's pages (the pages of ui/wizards are named: see page_help_id)
PAGE_HELP = {
    "ui.setup_wizard.RecoveryKeyPage": "setup#recovery",   # its other pages: FormPage keys
}

# windows that are not a wizard or a tab of the main window
WINDOW_HELP = {
    "ui.login.LoginDialog": "login",
    "ui.lock.LockScreen": "lock",
}


def help_dir() -> Path:
    return resources_dir() / "help"


def page_path(help_id: str) -> Path:
    return help_dir() / (help_id.split("#", 1)[0] + ".html")


def _qualname(obj) -> str:
    return f"{type(obj).__module__}.{type(obj).__name__}"


def page_help_id(page) -> str:
    """The help id of a wizard page (``''`` for an unknown one)."""
    from ui.wizards.pages import FormPage
    if isinstance(page, FormPage) and page.w.help_page:
        return f"{page.w.help_page}#{page.key}"
    return PAGE_HELP.get(_qualname(page), "")


def tab_help_id(window, widget) -> str:
    """The help id of a tab of the main window."""
    from ui.views.case_list import CaseListView
    from ui.views.case_view import CaseView
    if isinstance(widget, CaseListView):
        return "case-list"
    if isinstance(widget, CaseView):
        return "case-view"
    for key, view in getattr(window, "area_views", {}).items():
        if view is widget:
            return f"area-{key}"
    return ""


def help_id_of(widget: QWidget | None) -> str:
    """The page for ``widget``: its wizard's current page, its main-window tab, its window."""
    w = widget
    while w is not None:
        if isinstance(w, QWizard):
            found = page_help_id(w.currentPage())
            if found:
                return found
        if isinstance(w, QMainWindow) and hasattr(w, "tabs"):
            found = tab_help_id(w, w.tabs.currentWidget())
            if found:
                return found
        found = WINDOW_HELP.get(_qualname(w), "")
        if found:
            return found
        w = w.parentWidget()
    return INDEX


# ---------------------------------------------------------------------- the pages
def _plain(text: str) -> str:
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S | re.I)
    # the process line every step page shows is not what a page is about
    text = re.sub(r"<p class=.flow.>.*?</p>", " ", text, flags=re.S)
    text = re.sub(r"<hr>.*$", " ", text, flags=re.S)   # the links at the foot
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def all_pages() -> list[tuple[str, str, str]]:
    """(id, title, plain text) of every page, the index and the tour first."""
    out = []
    for path in sorted(help_dir().glob("*.html")):
        text = path.read_text(encoding="utf-8")
        m = re.search(r"<title>(.*?)</title>", text, flags=re.S)
        title = html.unescape(m.group(1)).strip() if m else path.stem
        out.append((path.stem, title, _plain(text)))
    # the order of the table of contents (the index page's links): screens, then the process
    order = [INDEX]
    index = help_dir() / f"{INDEX}.html"
    if index.exists():
        for target in re.findall(r'href="([^"#]+)\.html"', index.read_text(encoding="utf-8")):
            if target not in order:
                order.append(target)
    out.sort(key=lambda p: (order.index(p[0]) if p[0] in order else len(order), p[0]))
    return out


def search(query: str, pages: list[tuple[str, str, str]] | None = None
           ) -> list[tuple[str, str, str]]:
    """Pages holding every word of ``query`` (width and case folded): (id, title, snippet)."""
    words = [_fold(w) for w in re.split(r"[\s　]+", query.strip()) if w]
    if not words:
        return []
    hits = []
    for pid, title, text in pages if pages is not None else all_pages():
        folded = _fold(title + " " + text)
        if all(w in folded for w in words):
            at = _fold(text).find(words[0])
            start = max(0, at - 20)
            snippet = ("…" if start else "") + text[start:start + 40] + "…"
            score = sum(folded.count(w) for w in words) + (50 if words[0] in _fold(title) else 0)
            hits.append((score, pid, title, snippet))
    hits.sort(key=lambda h: -h[0])
    return [(pid, title, snippet) for _s, pid, title, snippet in hits]


# ---------------------------------------------------------------------- the browser
class HelpBrowser(QDialog):
    """目次 and 検索 on the left, the page on the right; 戻る / 進む / はじめての方へ."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Help"))
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.pages = all_pages()
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText(_("Search the help (e.g. 支援決定)"))
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName(_("Search the help"))
        self.search_field.textChanged.connect(self._search)
        search_label = QLabel(_("&Search:"))
        search_label.setBuddy(self.search_field)
        self.results = QListWidget()
        self.results.setAccessibleName(_("Help pages"))
        self.results.itemActivated.connect(self._chosen)
        self.results.itemClicked.connect(self._chosen)
        self.results.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)
        self.browser.setAccessibleName(_("Help page"))
        self.browser.setSearchPaths([str(help_dir())])
        self.browser.sourceChanged.connect(self._source_changed)
        self.back_button = QPushButton(_("◀ Back"))
        self.back_button.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.forward_button = QPushButton(_("Forward ▶"))
        self.forward_button.clicked.connect(self.browser.forward)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.contents_button = QPushButton(_("Contents"))
        self.contents_button.clicked.connect(lambda: self.show_page(INDEX))
        self.tour_button = QPushButton(_("First time here"))
        self.tour_button.clicked.connect(lambda: self.show_page(TOUR))
        self.keys_button = QPushButton(_("Shortcuts"))
        self.keys_button.clicked.connect(lambda: self.show_page(SHORTCUTS))
        for b in (self.back_button, self.forward_button):
            b.setEnabled(False)

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(search_label)
        row.addWidget(self.search_field, 1)
        column.addLayout(row)
        column.addWidget(self.results, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([260, 740])
        buttons = QHBoxLayout()
        for b in (self.back_button, self.forward_button, self.contents_button,
                  self.tour_button, self.keys_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self._list_contents()
        from ui.fit import fit_to_screen
        fit_to_screen(self, 1040, 720)

    def _list_contents(self) -> None:
        self.results.clear()
        for pid, title, _text in self.pages:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, pid)
            self.results.addItem(item)

    def _search(self, text: str) -> None:
        if not text.strip():
            self._list_contents()
            return
        self.results.clear()
        hits = search(text, self.pages)
        for pid, title, snippet in hits:
            item = QListWidgetItem(f"{title}　— {snippet}")
            item.setData(Qt.ItemDataRole.UserRole, pid)
            item.setToolTip(snippet)
            self.results.addItem(item)
        if not hits:
            item = QListWidgetItem(_("No page contains “{text}”.").format(text=text.strip()))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)

    def _chosen(self, item: QListWidgetItem) -> None:
        pid = item.data(Qt.ItemDataRole.UserRole)
        if pid:
            self.show_page(pid)
            words = self.search_field.text().split()
            if words:
                self.browser.find(words[0])

    def _source_changed(self, url: QUrl) -> None:
        self.setWindowTitle(_("Help") + " — " + self.browser.documentTitle())

    def current_id(self) -> str:
        url = self.browser.source()
        stem = Path(url.path()).stem
        return stem + (f"#{url.fragment()}" if url.fragment() else "")

    def show_page(self, help_id: str) -> None:
        path = page_path(help_id)
        if not path.exists():
            path = page_path(INDEX)
            help_id = INDEX
        url = QUrl.fromLocalFile(str(path))
        if "#" in help_id:
            url.setFragment(help_id.split("#", 1)[1])
        self.browser.setSource(url)
        if url.fragment():   # once the page is laid out, the section at the top
            from PySide6.QtCore import QTimer
            self.browser.scrollToAnchor(url.fragment())
            QTimer.singleShot(0, self.browser, lambda a=url.fragment(): self.browser.scrollToAnchor(a))


_browser: HelpBrowser | None = None


def open_help(help_id: str = INDEX, parent: QWidget | None = None) -> HelpBrowser:
    """Show the help window at ``help_id`` (one window, reused; not modal, so it can stay
    open beside a wizard)."""
    global _browser
    try:
        if _browser is not None:
            _browser.isVisible()   # raises when Qt deleted it
    except RuntimeError:
        _browser = None
    if _browser is None:
        _browser = HelpBrowser(None)
        _browser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    _browser.show_page(help_id)
    _browser.show()
    _browser.raise_()
    _browser.activateWindow()
    return _browser


def help_for(widget: QWidget | None = None) -> HelpBrowser:
    """F1: the page for ``widget`` (or the focused one)."""
    target = widget or QApplication.focusWidget() or QApplication.activeWindow()
    return open_help(help_id_of(target))


def on_shown(root: QWidget) -> None:
    """A screen or a wizard page comes up: its inputs named for screen readers, the sizes in
    its style sheets at the chosen text size."""
    from ui.accessibility import name_fields
    from ui.display import rescale_stylesheets
    name_fields(root)
    rescale_stylesheets(root)


def on_tab_shown(window: QMainWindow) -> None:
    """A main-window tab comes up. A screen that needs more height than the window has (larger
    text, a small screen) gets its contents scrolled (ui/fit.make_scrollable), as the wizards'
    pages do."""
    tab = window.tabs.currentWidget()
    if tab is None:
        return
    on_shown(tab)
    room = window.tabs.height() - window.tabs.tabBar().sizeHint().height() - 8
    if getattr(tab, "scroll_area", None) is None and tab.minimumSizeHint().height() > room:
        from ui.fit import make_scrollable
        make_scrollable(tab)


def install_wizard_help(wizard: QWizard) -> None:
    """A ヘルプ button on a wizard, opening the page of the page shown."""
    wizard.setOption(QWizard.WizardOption.HaveHelpButton, True)
    wizard.setButtonText(QWizard.WizardButton.HelpButton, _("Help (F1)"))
    wizard.button(QWizard.WizardButton.HelpButton).setToolTip(
        _("What this page is for and what to fill in"))
    wizard.helpRequested.connect(lambda: open_help(page_help_id(wizard.currentPage())))
    f1 = QShortcut(QKeySequence(Qt.Key.Key_F1), wizard)   # F1 on any page of the wizard
    f1.setContext(Qt.ShortcutContext.WindowShortcut)
    f1.activated.connect(lambda: open_help(page_help_id(wizard.currentPage())))
    # (the page, never the whole wizard: QWizard rebuilds its own layouts meanwhile)
    wizard.currentIdChanged.connect(
        lambda _id: on_shown(wizard.currentPage()) if wizard.currentPage() else None)
    from ui import guide_tips   # tooltips that speak the guide
    if hasattr(wizard, "step") and hasattr(wizard, "pages"):
        guide_tips.apply_to_wizard(wizard)
    else:   # the intake's pages are added after this: when one is shown
        wizard.currentIdChanged.connect(lambda _id: guide_tips.apply_to_intake(wizard))


# ---------------------------------------------------------------------- the menu
def help_menu(window: QMainWindow) -> QMenu:
    """The ヘルプ menu of ``window`` (found by its object name, created once)."""
    menu = window.menuBar().findChild(QMenu, "helpMenu")
    if menu is None:
        menu = window.menuBar().addMenu(_("&Help"))
        menu.setObjectName("helpMenu")
    return menu


def install_help(window: QMainWindow) -> QMenu:
    """ヘルプ: この画面のヘルプ (F1), はじめての方へ, 目次と検索, ショートカット."""
    menu = help_menu(window)
    here = QAction(_("Help for this screen"), window)
    here.setShortcut(QKeySequence(Qt.Key.Key_F1))
    here.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    here.triggered.connect(lambda: help_for(window))
    window.addAction(here)
    window.tabs.currentChanged.connect(lambda _i: on_tab_shown(window))
    on_shown(window)
    menu.addAction(here)
    menu.addAction(_("First time here (a day at the desk)"), lambda: open_help(TOUR))
    menu.addAction(_("Contents and search"), lambda: open_help(INDEX))
    menu.addAction(_("Keyboard shortcuts"), lambda: open_help(SHORTCUTS))
    window.help_actions = menu.actions()
    install_shortcuts(window)
    from ui.display import install_display_settings
    user = getattr(window.desk.user, "login", "") or getattr(window.desk.user, "id", "")
    install_display_settings(window, str(user))
    bar = window.menuBar()          # ヘルプ stays the last menu, as in every program
    bar.removeAction(menu.menuAction())
    bar.addAction(menu.menuAction())
    return menu


def install_shortcuts(window: QMainWindow) -> None:
    """The frequent actions by key (listed in ヘルプ → ショートカット): 検索 Ctrl+F, 支援経過記録
    Ctrl+R and 印刷 Ctrl+P on the open case (新規相談受付 Ctrl+N and ロック Ctrl+L are the
    main window's and the lock's own)."""
    from app.process import Step

    def search() -> None:
        window.tabs.setCurrentWidget(window.case_list)
        window.case_list.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        window.case_list.search.selectAll()

    def record() -> None:
        view = window.current_case_view()
        button = view.step_buttons.get(Step.RECORD) if view is not None else None
        if button is None:
            window.statusBar().showMessage(_("Open a case first (Ctrl+F to search)."), 6000)
        elif not button.isEnabled():
            window.statusBar().showMessage(button.toolTip(), 8000)
        else:
            view.open_step(Step.RECORD)

    def print_() -> None:
        view = window.current_case_view()
        if view is None:
            window.statusBar().showMessage(_("Open a case first (Ctrl+F to search)."), 6000)
        elif view.print_button.isEnabled():
            view.print_button.showMenu()

    window.shortcut_actions = {}
    for key, name, slot in (("Ctrl+F", _("Search cases"), search),
                            ("Ctrl+R", _("Support record"), record),
                            ("Ctrl+P", _("Print"), print_)):
        action = QAction(name, window)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        window.addAction(action)
        window.shortcut_actions[key] = action
    window.new_intake_action.setToolTip(_("New intake") + " (Ctrl+N)")
