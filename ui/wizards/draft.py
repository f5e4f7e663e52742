"""A wizard's draft, kept without making the caseworker wait (issue 21 point 5).

A keystroke only marks the draft as changed and (re)starts a timer; when typing pauses for
``DELAY_MS`` (and at once on 次へ/戻る, closing, and the screen lock, which hides every
window) the form is read on the GUI thread — cheap, the widgets' text — and written by the
draft worker of ``ui/background.py`` on a connection of its own: never a commit on the GUI
thread per keystroke, never a keystroke waiting behind a long background operation.

Nothing typed is lost: hiding the wizard writes what is pending, the lock and closing the
desk wait for the draft worker (``wait_idle``), and a draft asked for but not yet written is
what ``load()`` answers — a wizard reopened at once finds every character. Saves and
discards of one desk run on one worker in the order they were asked for. What a crash can
lose is the typing of the last ``DELAY_MS`` (tests/ui/test_wizard_kill.py).
"""

from __future__ import annotations

import copy
import threading
import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ui.background import SerializedDesk, serialized, write_in_background

DELAY_MS = 1000

# drafts asked for and not yet written, by desk and key: (token, payload or None = discard)
_unwritten: "weakref.WeakKeyDictionary[SerializedDesk, dict[str, tuple[object, Any]]]" = \
    weakref.WeakKeyDictionary()
_unwritten_lock = threading.Lock()


def _remember(shared: SerializedDesk, key: str, payload: Any) -> object:
    token = object()
    with _unwritten_lock:
        _unwritten.setdefault(shared, {})[key] = (token, payload)
    return token


def _written(shared: SerializedDesk, key: str, token: object) -> None:
    with _unwritten_lock:
        mine = _unwritten.get(shared, {})
        if key in mine and mine[key][0] is token:
            del mine[key]


class DraftSaver(QObject):
    """The draft of one wizard, stored under ``key`` for the logged-in user."""

    failed = Signal(str)          # a save or discard could not be written (shown once)
    saved = Signal()              # a save reached the database

    def __init__(self, parent: QObject, desk, key: str, payload: Callable[[], dict[str, Any]],
                 *, delay_ms: int | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.key = key
        # weakly: the wizard's wrapper goes with the wizard (a test "kills" it mid-typing)
        self._payload = weakref.WeakMethod(payload) if hasattr(payload, "__self__") \
            else (lambda: payload)
        self.pending = False      # changed since the last write was asked for
        self.exists = False       # a draft is stored, or asked to be
        self.in_flight = 0        # writes asked for and not yet answered
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS if delay_ms is None else delay_ms)
        self._timer.timeout.connect(self.flush)

    # ------------------------------------------------------------------ what the wizard says
    def load(self) -> dict[str, Any] | None:
        """The stored draft — or the one asked for and not yet written."""
        with _unwritten_lock:
            waiting = _unwritten.get(self.desk, {}).get(self.key)
        if waiting is not None:
            return copy.deepcopy(waiting[1])
        desk = self.desk
        return desk.load_draft(self.key)

    def changed(self) -> None:
        """A field changed: written when typing pauses."""
        self.pending = True
        self._timer.start()

    def restored(self) -> None:
        """The wizard was filled from the stored draft: it exists (closing asks about it)."""
        self.exists = True

    def flush(self) -> None:
        """Write what is pending now (on the draft worker). While the desk is locked it
        stays pending, written at the next change or flush."""
        self._timer.stop()
        if not self.pending or self.desk.closed:
            return
        self.pending = False
        self.exists = True
        read = self._payload()
        if read is None:
            return
        payload = read()                # read here, on the GUI thread, from the widgets
        self._send(payload, lambda _r: self.saved.emit())

    def discard(self) -> None:
        """Remove the draft (after 登録, or 破棄); anything pending is dropped."""
        self._timer.stop()
        self.pending = False
        self.exists = False
        self._send(None, lambda _r: None)

    def has_draft(self) -> bool:
        return self.exists or self.pending

    def idle(self) -> bool:
        """Nothing pending and nothing on its way (tests wait on it)."""
        return not self.pending and not self.in_flight

    # ------------------------------------------------------------------ the worker
    def _send(self, payload: dict[str, Any] | None, on_done: Callable[[Any], None]) -> None:
        """Save ``payload`` (None: discard the draft) on the draft worker; until written,
        ``load()`` answers it."""
        key, shared = self.key, self.desk
        token = _remember(shared, key, payload)

        def write(desk) -> None:   # (draft worker) holds nothing of the wizard
            try:
                if payload is None:
                    desk.discard_draft(key)
                else:
                    desk.save_draft(key, payload)
            finally:
                _written(shared, key, token)
        self._queue(write, on_done)

    def _queue(self, write: Callable[[Any], None], on_done: Callable[[Any], None]) -> None:
        self.in_flight += 1

        def done(result: Any) -> None:
            self.in_flight -= 1
            on_done(result)

        def failed(error: BaseException) -> None:
            self.in_flight -= 1
            self.failed.emit(str(error))

        write_in_background(self, self.desk, write, done, failed)


class NoDrafts(QObject):
    """The draft of a wizard that keeps nothing typed (the first set-up: a password)."""

    failed = Signal(str)
    saved = Signal()

    def load(self) -> None:
        return None

    def changed(self) -> None:
        pass

    def restored(self) -> None:
        pass

    def flush(self) -> None:
        pass

    def discard(self) -> None:
        pass

    def has_draft(self) -> bool:
        return False
