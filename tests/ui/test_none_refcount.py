"""PySide6 6.12.0 drops a reference to None each time a Python model's data() returns None
to Qt; on Python 3.11 the program then dies with "Fatal Python error: none_dealloc" after a
few thousand cells — found by the GUI benchmark (tests/bench/gui.py) scrolling the case list.
The installed PySide6 must not do it, and a long scroll through a real view must not lose
references to None."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ui.startup import none_lost_per_call


def test_installed_pyside_keeps_references_to_none(qapp):
    assert none_lost_per_call() == 0, (
        "this PySide6 loses a reference to None per model data() call: pin another version")


def test_scrolling_a_long_table_keeps_none_alive(qtbot):
    from PySide6.QtCore import QAbstractTableModel, QModelIndex
    from PySide6.QtWidgets import QTableView

    class Model(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
            return 0 if parent.isValid() else 5000

        def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
            return 0 if parent.isValid() else 6

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{index.row()}-{index.column()}"
            return None   # every other role: what most cells answer

    view = QTableView()
    qtbot.addWidget(view)
    model = Model(view)
    view.setModel(model)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    before = sys.getrefcount(None)
    for _ in range(30):
        QTest.keyClick(view, Qt.Key.Key_PageDown)
        view.viewport().repaint()
    # a sound binding keeps the count about level (it may rise: None is held by new frames)
    assert sys.getrefcount(None) >= before - 50
