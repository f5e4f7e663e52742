"""Issue 18, point 1: offline help in Japanese. Every screen of the main window and every page
of every wizard has its help page (and its anchor in it); F1 and the ヘルプ menu open the
page of what is on the screen; a search goes over all pages."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWizard

from tests.ui.test_small_screens import all_wizards, case_with_plan  # noqa: F401 - fixture
from ui import background, help as H
from ui.areas import load_areas
from ui.main_window import MainWindow


def has_page(help_id: str) -> bool:
    path = H.page_path(help_id)
    if not path.exists():
        return False
    if "#" in help_id:
        anchor = help_id.split("#", 1)[1]
        return f'name="{anchor}"' in path.read_text(encoding="utf-8")
    return True


def test_every_wizard_page_has_its_help_page(qtbot, case_with_plan):
    desk, cid = case_with_plan
    missing = []
    count = 0
    for name, w in all_wizards(qtbot, desk, cid):
        for page_id in w.pageIds():
            page = w.page(page_id)
            hid = H.page_help_id(page)
            count += 1
            if not hid or not has_page(hid):
                missing.append((name, type(page).__name__, page.title(), hid))
    assert count > 60
    assert missing == [], missing


def test_every_area_and_tab_has_its_help_page(qtbot, case_with_plan):
    desk, cid = case_with_plan
    window = MainWindow(desk, close_desk_on_exit=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    assert H.help_id_of(window) == "case-list" and has_page("case-list")
    assert {a.key for a in load_areas()} >= set(window.area_actions)
    for area in load_areas():
        assert has_page(f"area-{area.key}"), area.key
    for key in window.area_actions:
        window.open_area(key)
        qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
        assert H.help_id_of(window.tabs.currentWidget()) == f"area-{key}"
    window.open_case(cid)
    qtbot.waitUntil(lambda: window.current_case_view() is not None, timeout=10000)
    assert H.help_id_of(window.current_case_view()) == "case-view" and has_page("case-view")
    for hid in [*H.PAGE_HELP.values(), *H.WINDOW_HELP.values()]:
        assert has_page(hid), hid


def test_f1_opens_the_page_of_the_wizard_page_shown(qtbot, case_with_plan):
    desk, cid = case_with_plan
    wizards = dict(all_wizards(qtbot, desk, cid))
    w = wizards["closure"]
    w.show()
    w.setStartId(next(i for i in w.pageIds() if getattr(w.page(i), "name", "") == "grounds"))
    w.restart()
    assert w.currentPage().name == "grounds"
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    QTest.keyClick(w.currentPage(), Qt.Key.Key_F1)
    browser = H._browser
    assert browser is not None and browser.isVisible()
    assert browser.current_id() == "step-closure#grounds"
    assert "終結" in browser.browser.toPlainText()
    assert "手引き" in browser.browser.toPlainText()
    # the ヘルプ button of the wizard does the same
    w.button(QWizard.WizardButton.HelpButton).click()
    assert browser.current_id() == "step-closure#grounds"
    browser.close()


def test_the_help_menu_and_f1_in_the_main_window(qtbot, case_with_plan):
    desk, _cid = case_with_plan
    window = MainWindow(desk, close_desk_on_exit=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    menu = H.help_menu(window)
    texts = [a.text().replace("&", "") for a in menu.actions()]
    assert any("はじめての方へ" in t for t in texts), texts
    assert any("ショートカット" in t for t in texts), texts
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    QTest.keyClick(window.case_list.search, Qt.Key.Key_F1)
    assert H._browser.isVisible() and H._browser.current_id() == "case-list"
    next(a for a in menu.actions() if "はじめての方へ" in a.text()).trigger()
    assert H._browser.current_id() == H.TOUR
    text = H._browser.browser.toPlainText()
    for word in ("新規相談受付", "アセスメント", "支援経過記録", "ロック"):
        assert word in text
    next(a for a in menu.actions() if "ショートカット" in a.text()).trigger()
    text = H._browser.browser.toPlainText()
    for key in ("Ctrl+N", "Ctrl+F", "Ctrl+R", "Ctrl+P", "Ctrl+L"):
        assert key in text
    H._browser.close()


def test_search_goes_over_all_pages():
    hits = [pid for pid, _t, _s in H.search("支援決定")]
    assert "step-decision" in hits and hits.index("step-decision") < 3
    assert H.search("スクリーニング 他機関")  # every word, anywhere on a page
    # width folded: half-width kana and full-width latin find the same pages
    assert [h[0] for h in H.search("ｽｸﾘｰﾆﾝｸﾞ")] == [h[0] for h in H.search("スクリーニング")]
    assert H.search("Ｃｔｒｌ＋Ｒ") and H.search("ctrl+r")
    assert H.search("存在しない言葉ぴよ") == [] and H.search("   ") == []


def test_the_search_in_the_browser(qtbot):
    browser = H.HelpBrowser()
    qtbot.addWidget(browser)
    browser.search_field.setText("中断")
    first = browser.results.item(0)
    assert first is not None and first.data(Qt.ItemDataRole.UserRole)
    browser._chosen(first)
    assert "中断" in browser.browser.toPlainText()
    browser.search_field.setText("ぴよぴよ存在しない")
    assert browser.results.count() == 1
    assert browser.results.item(0).data(Qt.ItemDataRole.UserRole) is None


def test_every_link_between_pages_leads_to_a_page():
    broken = []
    for path in H.help_dir().glob("*.html"):
        for target in re.findall(r'href="([^"#:]+\.html)', path.read_text(encoding="utf-8")):
            if not (H.help_dir() / target).exists():
                broken.append((path.name, target))
    assert broken == []
    pages = {pid for pid, _t, _x in H.all_pages()}
    assert {H.INDEX, H.TOUR, H.SHORTCUTS} <= pages


@pytest.mark.parametrize("help_id", ["step-closure", "step-screening", "intake"])
def test_a_step_page_says_what_the_guide_says(help_id):
    text = H.page_path(help_id).read_text(encoding="utf-8")
    for heading in ("手引き", "支援プロセスの中での位置", "入力すること", "このあと", "よくある間違い"):
        assert heading in text, (help_id, heading)
