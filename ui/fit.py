"""Made for a small laptop (issue 14): every window and wizard fits 1280×720 and 1366×768
with its buttons visible.

``fit_to_screen`` sizes a top-level window to what it prefers, never more than the screen
it opens on leaves (minus the title bar); ``make_scrollable`` puts the contents of a wizard
page (or any widget with a layout) into a scroll area, so a long page scrolls instead of
pushing the wizard's 次へ / キャンセル row below the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

# the laptop screens the application is made for (width, height)
SMALL_SCREENS = ((1280, 720), (1366, 768))
# what the task bar (about 40 px) and a window's title bar (about 32 px) take of a screen
TASKBAR = 40
TITLE_BAR = 32


def available(widget: QWidget | None = None) -> QSize:
    """The room a window has on its screen: the available geometry (the task bar already
    left out), less the title bar."""
    screen = (widget.screen() if widget is not None else None) or \
        QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(1280, 720 - TASKBAR - TITLE_BAR)
    geometry = screen.availableGeometry()
    return QSize(geometry.width(), geometry.height() - TITLE_BAR)


def room_on(width: int, height: int) -> QSize:
    """The room a window has on a screen of ``width`` × ``height`` with a task bar."""
    return QSize(width, height - TASKBAR - TITLE_BAR)


def fit_to_screen(window: QWidget, width: int, height: int, room: QSize | None = None) -> None:
    """Resize ``window`` to ``width`` × ``height`` or less: never larger than ``room`` (the
    screen's available room by default)."""
    room = room or available(window)
    window.resize(min(width, room.width()), min(height, room.height()))


def make_scrollable(page: QWidget) -> QScrollArea:
    """Move the contents (the layout) of ``page`` into a scroll area that fills the page.
    The layout and its widgets keep working as before (fields, focus, Tab order)."""
    layout = page.layout()
    inner = QWidget()
    if layout is not None:
        inner.setLayout(layout)   # takes the layout and its widgets off the page
    scroll = QScrollArea(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    scroll.setWidget(inner)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
    page.scroll_area = scroll  # type: ignore[attr-defined]
    return scroll


__all__ = ["SMALL_SCREENS", "available", "fit_to_screen", "make_scrollable", "room_on"]
