"""A wizard's draft, kept without making the caseworker wait (issue 21 point 5).

A keystroke only marks the draft as changed and (re)starts a short timer; when typing pauses
for ``DELAY_MS`` the form is read on the GUI thread (cheap: the widgets' text) and written by
the writer worker of ``ui/background.py`` — never a database commit on the GUI thread per
keystroke, never a keystroke waiting behind a long background operation.

Nothing typed is lost when the wizard goes away: hiding it (closing, 登録, the screen lock
hiding every window, quitting) writes what is pending first, and the lock waits for the
writer worker (``wait_idle``) before it closes the database. Saves and the discard after
登録 run on the same single worker in the order they were asked for, so a late save can
never bring back a discarded draft. What a crash can lose is the typing of the last
``DELAY_MS`` (tests/ui/test_wizard_kill.py).
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ui.background import run_in_background

DELAY_MS = 500


class DraftSaver(QObject):
    """The draft of one wizard, stored under ``key`` for the logged-in user."""

    failed = Signal(str)          # a save or discard could not be written (shown by the wizard)
    saved = Signal()              # a save reached the database (tests, status)

    def __init__(self, parent: QObject, desk, key: str, payload: Callable[[], dict[str, Any]],
                 *, delay_ms: int = DELAY_MS):
        super().__init__(parent)
        self._desk = desk
        self.key = key
        self._payload = payload
        self.pending = False      # changed since the last save was queued
        self.exists = False       # a draft is stored, or queued to be
        self.in_flight = 0        # saves/discards queued and not yet reported back
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)

    # ------------------------------------------------------------------ what the wizard says
    def changed(self) -> None:
        """A field changed: write the draft when typing pauses."""
        self.pending = True
        self._timer.start()

    def restored(self) -> None:
        """The wizard was filled from the stored draft: it exists (closing asks about it)."""
        self.exists = True

    def flush(self) -> None:
        """Write what is pending now (queued on the writer worker)."""
        self._timer.stop()
        if not self.pending:
            return
        self.pending = False
        self.exists = True
        payload = self._payload()       # read here, on the GUI thread, from the widgets
        desk, key = self._desk, self.key
        self._queue(lambda: desk.save_draft(key, payload), self._saved)

    def discard(self) -> None:
        """Remove the draft (after 登録, or 破棄); anything pending is dropped first."""
        self._timer.stop()
        self.pending = False
        self.exists = False
        desk, key = self._desk, self.key
        self._queue(lambda: desk.discard_draft(key), lambda _r: None)

    def has_draft(self) -> bool:
        return self.exists or self.pending

    def idle(self) -> bool:
        """Nothing pending and nothing on its way (tests wait on it)."""
        return not self.pending and not self.in_flight

    # ------------------------------------------------------------------ the worker
    def _queue(self, op: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        if getattr(self._desk, "closed", False):
            return   # the desk went away under a wizard still on screen: nothing to write to
        self.in_flight += 1

        def done(result: Any) -> None:
            self.in_flight -= 1
            on_done(result)

        def failed(error: BaseException) -> None:
            self.in_flight -= 1
            self.failed.emit(str(error))

        run_in_background(self, op, done, failed)

    def _saved(self, _result: Any) -> None:
        self.saved.emit()
