"""What an operation changed, told to every open view (Anki's ``operation_did_execute``).

The core says what a write changed (``Changes``, app/domain/changes.py, filled by the store
at each commit: app/store/changes.py). The background helper collects the changes of the
operation it ran and hands them, with the screen that started it, to the main window
(ui/background.py ``operation_did_execute``), which tells every tab
(``MainWindow.operation_did_execute``). A view whose subject was touched reads again now
if it is shown, or marks itself stale and reads when it is next shown (``StaleFlag``) —
views no longer read everything again each time they are shown.
"""

from __future__ import annotations

from app.domain.changes import Changes

__all__ = ["Changes", "StaleFlag"]


class StaleFlag:
    """Read now if shown, else when next shown: ``changed(view, refresh)`` after an
    operation touched the view's subject, ``shown(refresh)`` from its ``showEvent``."""

    def __init__(self) -> None:
        self.stale = False

    def changed(self, visible: bool, refresh) -> None:
        if visible:
            self.stale = False
            refresh()
        else:
            self.stale = True

    def shown(self, refresh) -> None:
        if self.stale:
            self.stale = False
            refresh()
