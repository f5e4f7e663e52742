"""Issue 14, point 7: a person reads dates in 和暦 on every screen. Every area of the main
window and every tab of a case in support are opened on a desk with a case through its
plan, and the text a person sees — labels, buttons, table and list cells, tab titles — is
searched for dates written the Western way (2026-04-01, 2026/4/1). File names are exempt:
a suggested file name may carry an ISO date, and a path is no date a person reads."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QApplication, QLabel, QTabWidget, QWidget,
)

from tests.ui.test_process_wizards import TODAY, with_plan
from ui import background
from ui.main_window import MainWindow

WESTERN = re.compile(r"(?<![\w./\\-])(?:19|20)\d{2}(?:-\d{1,2}-\d{1,2}|/\d{1,2}/\d{1,2})"
                     r"(?![\w/\\-])")


def _shape(model) -> tuple[int, int]:
    rows = model.rowCount(QModelIndex())
    try:
        cols = model.columnCount(QModelIndex())
    except TypeError:   # a list model keeps its columnCount private
        cols = 1
    return rows, cols


def _texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) of what a person sees under ``root``."""
    out: list[tuple[str, str]] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        name = type(w).__name__
        if isinstance(w, QLabel):
            out.append((name, w.text()))
        elif isinstance(w, QAbstractButton):
            out.append((name, w.text()))
        elif isinstance(w, QTabWidget):
            out += [(name, w.tabText(i)) for i in range(w.count())]
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            rows, cols = _shape(model)
            for r in range(min(rows, 200)):
                for c in range(cols):
                    value = model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole)
                    if value is not None:
                        out.append((f"{name}[{r},{c}]", str(value)))
            for c in range(cols):
                head = model.headerData(c, Qt.Orientation.Horizontal)
                if head is not None:
                    out.append((f"{name} header", str(head)))
    return out


WAREKI = re.compile(r"令和\d+年|令和元年|R\d+\.\d+\.\d+")
SEEN: list[str] = []


def _western(texts: list[tuple[str, str]], where: str) -> list[str]:
    SEEN.extend(t for _w, t in texts)
    found = []
    for widget, text in texts:
        plain = re.sub(r"<[^>]+>", " ", text)
        for m in WESTERN.finditer(plain):
            found.append(f"{where} / {widget}: …{plain[max(0, m.start() - 20):m.end() + 10]}…")
    return found


def test_the_pattern_finds_western_dates_and_leaves_file_names():
    assert _western([("x", "受付日 2026-04-01")], "t")
    assert _western([("x", "2026/4/1 に受付")], "t")
    assert not _western([("x", "令和8年4月1日")], "t")
    assert not _western([("x", "audit-2026-12-03.csv")], "t")
    assert not _western([("x", "prints/2026-12-03/a.pdf")], "t")


@pytest.fixture
def case_with_plan(desk):
    desk._today = lambda: TODAY
    cid, _plan = with_plan(desk)
    return desk, cid


def test_no_screen_shows_a_western_date(qtbot, case_with_plan):
    desk, cid = case_with_plan
    window = MainWindow(desk, close_desk_on_exit=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    found: list[str] = []
    for key in list(window.area_actions):
        window.open_area(key)
        qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
        QApplication.processEvents()
        for tabs in window.findChildren(QTabWidget):
            if not tabs.isVisible():
                continue
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
                QApplication.processEvents()
                found += _western(_texts(window), f"{key} tab {tabs.tabText(i)}")
        found += _western(_texts(window), key)
    window.open_case(cid)
    qtbot.waitUntil(lambda: window.current_case_view() is not None, timeout=10000)
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    view = window.current_case_view()
    for tabs in view.findChildren(QTabWidget):
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
            QApplication.processEvents()
            found += _western(_texts(window), f"case tab {tabs.tabText(i)}")
    assert not sorted(set(found)), "\n".join(sorted(set(found)))
    # the walk really read the screens: dates were there, written in 和暦
    assert sum(1 for t in SEEN if WAREKI.search(t)) >= 10, len(SEEN)
