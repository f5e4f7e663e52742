"""Case list (search typed in Japanese, sorting by the core, opening) and the case view
(stage bar, printing through an injected opener)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from app.domain import Stage
from tests.ui.conftest import type_text
from ui.main_window import MainWindow
from ui.views.case_list import CaseListView
from ui.views.case_view import CaseView


def _names(view: CaseListView) -> list[str]:
    return [row.name for row in view.model.rows]


def test_case_list_shows_cases_and_finds_takahashi_by_reading(qtbot, desk_with_cases):
    view = CaseListView(desk_with_cases)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: len(view.model.rows) == 3, timeout=5000)
    assert "ケース 3件" in view.count_label.text()
    assert view.search.placeholderText() == "氏名・ふりがな・ケース番号で検索（例: たかはし、2026-0070）"
    headers = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers == ["ケース番号", "氏名", "ふりがな", "年齢", "受付日", "段階", "担当"]
    type_text(view.search, "たかはし")
    assert view.search.text() == "たかはし"
    qtbot.waitUntil(lambda: _names(view) == ["髙橋 𠮷子"], timeout=5000)
    assert "1件" in view.count_label.text()
    index = view.model.index(0, 4)
    assert view.model.data(index).startswith("令和8年")
    assert view.model.data(view.model.index(0, 5)) == "受付"


def test_case_list_sorts_through_the_core(qtbot, desk_with_cases, qtmodeltester):
    view = CaseListView(desk_with_cases)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: len(view.model.rows) == 3, timeout=5000)
    qtmodeltester.check(view.model)
    view.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # ふりがな
    qtbot.waitUntil(lambda: view.model.sort_key == "kana" and not view.model.descending
                    and _names(view)[0] == "佐藤 太郎", timeout=5000)
    assert _names(view) == ["佐藤 太郎", "髙橋 𠮷子", "山田 花子"]
    view.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: _names(view) == ["山田 花子", "髙橋 𠮷子", "佐藤 太郎"], timeout=5000)


def test_enter_opens_the_case_in_the_main_window(qtbot, desk_with_cases):
    window = MainWindow(desk_with_cases, opener=lambda url: None, close_desk_on_exit=False)
    qtbot.addWidget(window)
    window.show()
    assert "つなぐ町自立相談支援センター" in window.agency_label.text()
    assert "管理 花子" in window.user_label.text()
    view = window.case_list
    qtbot.waitUntil(lambda: len(view.model.rows) == 3, timeout=5000)
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 1))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_case_view() is not None, timeout=5000)
    case_view = window.current_case_view()
    assert case_view.detail.case.id == view.model.rows[0].id
    # opening it again switches to the same tab
    window.open_case(case_view.detail.case.id)
    assert window.tabs.count() == 2


def _case(desk, name: str):
    found = desk.list_cases(name)
    return desk.get_case(found[0].id)


def test_case_view_shows_the_stage_bar_and_the_intake(qtbot, desk_with_cases):
    detail = _case(desk_with_cases, "髙橋")
    view = CaseView(desk_with_cases, detail, opener=lambda url: None)
    qtbot.addWidget(view)
    bar = view.stage_bar
    assert [label.text() for label in bar.labels.values()] == [
        "受付", "アセスメント", "プラン", "会議", "決定", "支援", "モニタリング", "評価", "終結"]
    assert bar.labels[Stage.INTAKE].property("current") is True
    assert not bar.flag.text()
    html = view.contents.text()
    assert "◎ 債務について" in html and "○ 住まいについて" in html
    assert "本人等（電話・来所）" in html and "継続支援" in html
    assert "同意あり" in html


def test_case_view_marks_a_referral_clearly(qtbot, desk_with_cases):
    detail = _case(desk_with_cases, "山田")
    view = CaseView(desk_with_cases, detail, opener=lambda url: None)
    qtbot.addWidget(view)
    assert view.stage_bar.flag.text() == "他機関へつなぎ（受付で終了）"
    assert "法テラス" in view.contents.text()


def test_case_view_prints_through_the_injected_opener(qtbot, desk_with_cases):
    detail = _case(desk_with_cases, "髙橋")
    opened = []
    warnings = []
    view = CaseView(desk_with_cases, detail, opener=opened.append, warn=warnings.append)
    qtbot.addWidget(view)
    for n, kind in enumerate(("filled", "no_consent", "blank"), start=1):
        view.print_actions[kind].trigger()
        qtbot.waitUntil(lambda n=n: len(opened) == n, timeout=15000)
        path = Path(opened[-1].toLocalFile())
        assert path.exists() and path.stat().st_size > 1000
        assert path.read_bytes().startswith(b"%PDF")
        assert path.parent.name.startswith("run-")  # the per-user print folder of this run
    assert view.print_button.isEnabled()


def test_case_list_reads_pages_as_they_come_into_view(qtbot, desk, monkeypatch,
                                                      qtmodeltester):
    """The list counts every case found but reads only the pages shown: Ctrl+End on a long
    list reads the last page (one query), the rows between stay unread until scrolled to;
    the visit kit takes the chosen rows' cases."""
    from PySide6.QtTest import QTest

    from tests.conftest import make_intake
    from ui import background
    from ui.views import case_list
    monkeypatch.setattr(case_list, "PAGE_SIZE", 10)
    import datetime
    for i in range(47):   # 47 people (one open case each): different birth dates
        desk.register_intake(make_intake(name=f"山田 太郎{i:02d}", kana="やまだ たろう",
                                         birth=datetime.date(1950, 1, 1)
                                         + datetime.timedelta(days=i)))
    asked: list[int] = []
    from app.desk import Desk
    real = Desk.list_cases   # the list reads on a reading Desk of its own: patch the class

    def counting(self, *args, **kwargs):
        asked.append((kwargs.get("offset", 0), kwargs.get("descending", False)))
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Desk, "list_cases", counting)
    view = CaseListView(desk)
    qtbot.addWidget(view)
    view.resize(900, 220)   # fewer rows on screen than a page
    view.show()
    qtbot.waitUntil(lambda: view.model.total == 47 and not background.busy(), timeout=5000)
    assert view.model.rowCount() == 47 and len(view.model.rows) == 10
    assert "ケース 47件" in view.count_label.text()
    qtmodeltester.check(view.model)
    asked.clear()
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.model.row_at(46) is not None and not background.busy(),
                    timeout=5000)
    assert view.table.currentIndex().row() == 46
    # the last page is read from the other end (oldest first, from the start); the middle
    # is not read
    assert asked == [(0, False)]
    oldest = desk.list_cases(sort="case_no", descending=False, limit=1)[0]
    assert view.model.data(view.model.index(46, 0)) == oldest.case_no
    assert view.model.row_at(25) is None
    QTest.keyClick(view.table, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)  # choose it
    assert view.selected_case_ids() == [oldest.id]
    view.table.scrollTo(view.model.index(25, 0))
    view.table.viewport().repaint()
    qtbot.waitUntil(lambda: view.model.row_at(25) is not None, timeout=5000)
    assert (20, True) in asked


def test_a_search_typed_on_is_answered_for_the_last_word_only(qtbot, desk_with_cases,
                                                              monkeypatch):
    """Reads wait their turn on one connection: while one runs, the searches for た, たか,
    たかは asked meanwhile are skipped when their turn comes, and たかはし is read next —
    not after a slow one-character search for each key typed (0.5–1.4 s at 100,000 cases)."""
    import threading

    from app.desk import Desk
    from ui import background
    view = CaseListView(desk_with_cases)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: len(view.model.rows) == 3 and not background.busy(), timeout=5000)
    searched: list[str] = []
    real = Desk.list_cases

    def recording(self, query="", *args, **kwargs):
        searched.append(query)
        return real(self, query, *args, **kwargs)
    monkeypatch.setattr(Desk, "list_cases", recording)
    gate, started = threading.Event(), threading.Event()

    def slow(_reader):   # another screen's read, running while the user types
        started.set()
        gate.wait(10)
    background.read_in_background(view, view.desk, slow)
    assert started.wait(10)
    for text in ("た", "たか", "たかは", "たかはし"):
        view.model.set_search(text)
    gate.set()
    qtbot.waitUntil(lambda: not background.busy(), timeout=5000)
    assert searched == ["たかはし"]
    assert _names(view) == ["髙橋 𠮷子"]
