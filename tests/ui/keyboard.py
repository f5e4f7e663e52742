"""Keyboard-only driving for the journey test (issue 14, point 6): real key events through
QTest to whatever has focus; Japanese as an input method commits it (QInputMethodEvent —
qtbot.keyClicks with Japanese aborts pytest). Nothing sets a widget's value directly: a
field is reached with Tab, a choice made with Space and the arrow keys."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QWidget


def focused() -> QWidget | None:
    return QApplication.focusWidget()


class Keyboard:
    def __init__(self, qtbot):
        self.qtbot = qtbot

    # ---- keys
    def key(self, key, modifier=Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
        for _i in range(times):
            target = focused() or QApplication.activeWindow()
            assert target is not None, "no widget has focus"
            QTest.keyClick(target, key, modifier)
            QApplication.processEvents()

    def tab(self, times: int = 1) -> None:
        self.key(Qt.Key.Key_Tab, times=times)

    def type(self, text: str) -> None:
        """ASCII as key clicks; anything else as an input method commits it."""
        target = focused()
        assert target is not None, "no widget has focus"
        if text.isascii():
            QTest.keyClicks(target, text)
        else:
            event = QInputMethodEvent()
            event.setCommitString(text)
            QApplication.sendEvent(target, event)
        QApplication.processEvents()

    def replace(self, text: str) -> None:
        """Select what the field holds (Ctrl+A) and type over it."""
        self.key(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        self.key(Qt.Key.Key_Delete)
        self.type(text)

    # ---- moving
    def tab_to(self, widget: QWidget, limit: int = 120, backwards: bool = False) -> None:
        """Press Tab (Shift+Tab) until ``widget`` has focus; fails if Tab never gets there."""
        seen = []
        for _i in range(limit):
            now = focused()
            if now is widget or (now is not None and widget.isAncestorOf(now)):
                return
            seen.append(type(now).__name__ if now is not None else None)
            self.key(Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab)
        raise AssertionError(f"Tab never reached {widget!r} ({widget.__class__.__name__}); "
                             f"last stops: {seen[-8:]}")

    def press(self, button: QAbstractButton) -> None:
        """Tab to a button and press Space."""
        self.tab_to(button)
        self.key(Qt.Key.Key_Space)

    def choose(self, combo: QComboBox, data, limit: int = 60) -> None:
        """Tab to a drop-down and move with ↓ / ↑ until its value is ``data``."""
        self.tab_to(combo)
        if combo.currentData() == data:
            return
        self.key(Qt.Key.Key_Home)
        for _i in range(limit):
            if combo.currentData() == data:
                return
            self.key(Qt.Key.Key_Down)
        raise AssertionError(f"{data!r} is not in the list")

    def pick_radio(self, buttons: dict, value) -> None:
        """Tab into a group of radio buttons, then arrows until ``value`` is chosen."""
        group = list(buttons.values())
        seen = []
        for _i in range(120):
            if focused() in group:
                break
            seen.append(f"{type(focused()).__name__}:{getattr(focused(), 'text', str)()}")
            self.tab()
        else:
            raise AssertionError(f"Tab never reached the choices; stops: {seen[:40]}")
        target = buttons[value]
        forward = group.index(target) > group.index(focused()) if focused() in group else True
        for _i in range(len(group) * 3):
            if focused() is target:
                break
            before = focused()
            for key in ((Qt.Key.Key_Right, Qt.Key.Key_Down) if forward
                        else (Qt.Key.Key_Left, Qt.Key.Key_Up)):
                self.key(key)
                if focused() is not before:
                    break
            else:
                forward = not forward
        assert focused() is target, f"arrows never reached {target.text()}"
        if not target.isChecked():
            self.key(Qt.Key.Key_Space)
        assert target.isChecked()

    def check(self, box: QAbstractButton) -> None:
        self.tab_to(box)
        if not box.isChecked():
            self.key(Qt.Key.Key_Space)
        assert box.isChecked()

    # ---- menus opened by a key (they block until closed: driven from a timer)
    def menu(self, opener: QWidget, keys: list) -> None:
        """Open a popup menu with Space on ``opener`` and press ``keys`` in it (Down, Right
        into a submenu, Return …), each to the popup active at that moment."""
        self.driven = []

        def drive():
            for k in keys:
                popup = QApplication.activePopupWidget()
                self.driven.append((k, type(popup).__name__ if popup else None,
                                    popup.activeAction().text() if popup is not None
                                    and popup.activeAction() else ""))
                if popup is None:
                    return
                QTest.keyClick(popup, k)
                QApplication.processEvents()
        self.tab_to(opener)
        QTimer.singleShot(0, drive)
        target = focused()
        QTest.keyClick(target, Qt.Key.Key_Space)   # blocks while the menu is open
        QApplication.processEvents()
