"""画面ロック: after an idle time (the agency's setting, default 5 minutes) or on request
(「ロック」, Ctrl+L) every window is hidden, the clipboard is emptied if it holds text the app
put there, the database is closed (the key dropped) and a lock screen asks for the password.

Unlocking opens the database again through ``Desk.open`` (the login back-off and audit
apply), rebinds the desk every view and wizard holds — they share one ``SerializedDesk`` —
and shows the same windows again: same tabs, same case, open wizards with their input.

The one-writer lock (app/store/lock.py) stays held while locked: the locked program is
still open, with unsaved input in its windows, so a second program is refused (naming the
user and computer, and saying the screen there is locked). It is given back only when the
program quits (「終了」 on the lock screen, or closing the main window).

Why hide rather than cover: a covered window still answers screen readers, the taskbar
preview and ``grab()``; a hidden one shows nothing. A modal question open at the moment of
locking is answered 「キャンセル」 (Qt ends a hidden dialog's loop) — the safe answer.

A demo desk (``tsunagu --demo``) has a generated password the user never typed: its lock
screen says the password and has it filled in, so locking a demo (by hand or when idle) never
leaves only 「終了」, which would throw away what was typed. A password changed in the demo
through the user menu is the one shown from then on.

``clock`` (seconds, monotonic) and the check timer are injected in tests; ``IdleWatch.check``
can be called directly.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QClipboard, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QHBoxLayout, QLabel, QLineEdit, QMenu, QPushButton, QToolButton,
    QVBoxLayout, QWidget,
)

from app.errors import TsunaguError
from app.i18n import _
from ui.background import SerializedDesk, run_in_background, wait_idle
from ui.widgets import ErrorLabel

CHECK_EVERY_MS = 10_000
COPY_WINDOW_S = 3.0   # a clipboard change this soon after input in the app is the app's copy

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.InputMethod,
    QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


class DeskLocked(TsunaguError):
    """A call reached the desk while the screen is locked (the database is closed)."""


class LockedDesk:
    """Stands in for the desk while locked: ``closed``, and every other call refused.
    Holds the one-writer lock kept by ``Desk.suspend``; ``close`` (the program quits)
    gives it back."""

    closed = True

    def __init__(self, user, path: Path, lock=None):
        self.user = user
        self.path = path
        self.lock = lock

    def close(self) -> None:
        lock, self.lock = self.lock, None
        if lock is not None:
            lock.release()

    def __getattr__(self, name: str):
        raise DeskLocked(_("The screen is locked. Unlock it with your password to go on."))


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class IdleWatch(QObject):
    """Notes the time of the last user input anywhere in the application; ``idle`` fires
    when ``minutes`` pass without any (checked by a timer, or by calling ``check``)."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 check_every_ms: int = CHECK_EVERY_MS, start_timer: bool = True):
        super().__init__(parent)
        self.minutes = minutes
        self.clock = clock
        self.enabled = True
        self.last_input = clock()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(check_every_ms)
        self.timer.timeout.connect(self.check)
        if start_timer:
            self.timer.start()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if event.type() in INPUT_EVENTS:
            self.last_input = self.clock()
        return False

    def reset(self) -> None:
        self.last_input = self.clock()

    def idle_seconds(self) -> float:
        return self.clock() - self.last_input

    def check(self) -> bool:
        if self.enabled and self.minutes > 0 and self.idle_seconds() >= self.minutes * 60:
            self.idle.emit()
            return True
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class ClipboardGuard(QObject):
    """Remembers (as hashes, never the text) what the app put on the clipboard: a change
    the app owns, or one right after input in the app (Ctrl+C, 「コピー」 in a context menu).
    ``clear_ours`` empties the clipboard only when it still holds such text."""

    def __init__(self, idle: IdleWatch, parent: QObject | None = None):
        super().__init__(parent)
        self.idle = idle
        self._ours: set[str] = set()
        self.clipboard = QGuiApplication.clipboard()
        self.clipboard.dataChanged.connect(self._changed)
        if self.clipboard.supportsSelection():
            self.clipboard.selectionChanged.connect(
                lambda: self._changed(QClipboard.Mode.Selection))

    def _changed(self, mode: QClipboard.Mode = QClipboard.Mode.Clipboard) -> None:
        text = self.clipboard.text(mode)
        if not text:
            return
        if self.clipboard.ownsClipboard() or self.idle.idle_seconds() <= COPY_WINDOW_S:
            self._ours.add(_text_hash(text))

    def note_copied(self, text: str) -> None:
        """For code that copies on purpose (a 「コピー」 button)."""
        if text:
            self._ours.add(_text_hash(text))

    def clear_ours(self) -> bool:
        cleared = False
        modes = [QClipboard.Mode.Clipboard]
        if self.clipboard.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        for mode in modes:
            text = self.clipboard.text(mode)
            if text and _text_hash(text) in self._ours:
                self.clipboard.clear(mode)
                cleared = True
        self._ours.clear()
        return cleared


class LockScreen(QWidget):
    """What shows while locked: the program, the user and a password field. No case data."""

    unlock_requested = Signal(str)
    quit_requested = Signal()

    def __init__(self, agency: str, user_name: str, login: str, *,
                 demo_password: str | None = None):
        super().__init__(None, Qt.WindowType.Window)
        self.demo_password = demo_password
        self.setWindowTitle(_("Tsunagu — locked"))
        self.setObjectName("lockScreen")
        self.setStyleSheet("#lockScreen { background: #1d3d5c; }"
                           "QLabel { color: white; }")
        title = QLabel(_("Tsunagu"))
        title.setStyleSheet("font-size: 26pt; font-weight: bold;")
        state = QLabel(_("The screen is locked"))
        state.setStyleSheet("font-size: 15pt;")
        where = QLabel(agency)
        where.setStyleSheet("color: #d6e4f0;")
        self.who = QLabel(_("User: {name} ({login})").format(name=user_name, login=login))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(_("Password"))
        self.password.setAccessibleName(_("Password"))   # a placeholder is no name (issue 18)
        self.password.setMinimumWidth(320)
        self.password.setStyleSheet("padding: 6px; font-size: 12pt;")
        self.password.returnPressed.connect(self._unlock)
        self.unlock_button = QPushButton(_("Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.setMinimumHeight(34)
        self.unlock_button.setStyleSheet("padding: 4px 18px; font-weight: bold;")
        self.unlock_button.clicked.connect(self._unlock)
        self.demo_hint: QLabel | None = None
        if demo_password:
            self.demo_hint = QLabel(_(
                "Demo mode: the password is {password} (already filled in: press "
                "Unlock).").format(password=demo_password))
            self.demo_hint.setWordWrap(True)
            self.demo_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.demo_hint.setStyleSheet("background: #fff3c4; color: #3b2f00; padding: 8px;"
                                         "border-radius: 4px; font-size: 11pt;")
            self.password.setText(demo_password)
        self.error = ErrorLabel()
        self.error.setStyleSheet("color: #ffd0d0; font-weight: bold;")
        self.status = QLabel()
        self.quit_button = QPushButton(_("Quit Tsunagu"))
        self.quit_button.setFlat(True)
        self.quit_button.setStyleSheet("color: #d6e4f0; text-decoration: underline;")
        self.quit_button.clicked.connect(self.quit_requested)
        note = QLabel(_("The records are closed while the screen is locked. Unsaved input in "
                        "open forms is kept and comes back after unlocking."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #d6e4f0;")

        box = QWidget()
        box.setMaximumWidth(460)
        column = QVBoxLayout(box)
        column.addWidget(title)
        column.addWidget(state)
        column.addWidget(where)
        column.addSpacing(16)
        column.addWidget(self.who)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)
        column.addLayout(row)
        if self.demo_hint is not None:
            column.addWidget(self.demo_hint)
        column.addWidget(self.error)
        column.addWidget(self.status)
        column.addSpacing(12)
        column.addWidget(note)
        column.addWidget(self.quit_button, 0, Qt.AlignmentFlag.AlignLeft)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(box)
        middle.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)
        self.password.setFocus()

    def _unlock(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        self.error.clear_message()
        self.unlock_button.setEnabled(False)
        self.status.setText(_("Opening…"))
        self.unlock_requested.emit(self.password.text())

    def failed(self, message: str) -> None:
        self.status.setText("")
        self.unlock_button.setEnabled(True)
        self.password.clear()
        if self.demo_password:
            self.password.setText(self.demo_password)
        self.password.setFocus()
        self.error.show_message(message)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if getattr(self, "allow_close", False):
            super().closeEvent(event)
        else:
            event.ignore()  # only unlocking or 「終了」 ends the lock


class ScreenLock(QObject):
    """The lock of one main window. ``lock(kind)`` / ``unlock(password)``; ``locked``.

    Options (tests): ``clock``, ``check_every_ms``, ``start_timer``, ``open_desk`` (the
    unlock; default ``Desk.open``), ``quit`` (「終了」 on the lock screen).
    ``demo_password``: the password of a demo desk, shown on the lock screen."""

    locked_changed = Signal(bool)

    def __init__(self, window, *, clock: Callable[[], float] = time.monotonic,
                 check_every_ms: int = CHECK_EVERY_MS, start_timer: bool = True,
                 open_desk: Callable[..., object] | None = None,
                 quit: Callable[[], None] | None = None,
                 demo_password: str | None = None):
        super().__init__(window)
        self.demo_password = demo_password
        self.window = window
        desk = window.desk
        self.path = Path(desk.path)
        self.login = desk.user.login
        self.user_name = desk.user.display_name
        self.agency_name = desk.agency.name
        try:
            minutes = int(desk.security.auto_lock_minutes())
        except (AttributeError, TsunaguError):
            minutes = 5
        if open_desk is None:
            from app.desk import Desk
            open_desk = Desk.open
        self.open_desk = open_desk  # (path, login, password, *, lock) -> Desk
        self.quit = quit or QApplication.quit
        self.locked = False
        self.held_lock = None  # the one-writer lock, kept while locked
        self.screen: LockScreen | None = None
        self.hidden: list[QWidget] = []
        self.focus: QWidget | None = None
        self._today = None
        self.idle = IdleWatch(minutes, self, clock=clock, check_every_ms=check_every_ms,
                              start_timer=start_timer)
        self.idle.idle.connect(lambda: self.lock("auto_lock"))
        self.clipboard = ClipboardGuard(self.idle, self)

        self.action = QAction(_("Lock"), window)
        self.action.setShortcut(QKeySequence("Ctrl+L"))
        self.action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.action.setToolTip(_("Lock the screen (Ctrl+L)"))
        self.action.triggered.connect(lambda: self.lock("lock"))
        self.password_action = QAction(_("Change password…"), window)
        self.password_action.triggered.connect(self.change_password)
        toolbar = getattr(window, "toolbar", None)
        if toolbar is not None:
            spacer = QWidget()
            from PySide6.QtWidgets import QSizePolicy
            spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            toolbar.addWidget(spacer)
            self.user_button = QToolButton()
            self.user_button.setText(self.user_name + " ▾")
            self.user_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            menu = QMenu(self.user_button)
            menu.addAction(self.password_action)
            menu.addAction(self.action)
            self.user_button.setMenu(menu)
            toolbar.addWidget(self.user_button)
            toolbar.addAction(self.action)
        else:
            window.addAction(self.action)

    # ---------------------------------------------------------------- settings
    def set_minutes(self, minutes: int) -> None:
        self.idle.minutes = minutes
        self.idle.reset()

    def change_password(self) -> None:
        from ui.dialogs import dialogs_for
        from ui.dialogs.password import change_password_dialog
        dialogs = dialogs_for(self.window)
        dialog = change_password_dialog(self.window.desk, self.window)
        if self.demo_password:
            dialog.current.setText(self.demo_password)  # a demo's password was never typed
        if dialogs.run(dialog):
            if self.demo_password:
                self.demo_password = dialog.new.text() or self.demo_password
            dialogs.info(self.window, _("Change password"), _("The password was changed."))

    # ---------------------------------------------------------------- lock
    def lock(self, kind: str = "lock") -> None:
        if self.locked:
            return
        self.locked = True
        self.idle.enabled = False
        app = QApplication.instance()
        self.focus = app.focusWidget() if app is not None else None
        geometry, maximized = self.window.geometry(), self.window.isMaximized()
        # Revealed whereabouts are for one view: masked again before anything else.
        from ui.dialogs.case_privacy import CasePrivacyBar
        for bar in self.window.findChildren(CasePrivacyBar):
            bar.conceal()
        self.hidden = [w for w in QApplication.topLevelWidgets()
                       if w.isVisible() and not isinstance(w, LockScreen)]
        for w in sorted(self.hidden, key=lambda w: w is self.window):
            w.hide()  # dialogs and wizards first, the main window last
        self.clipboard.clear_ours()
        self.window.desk.drop_reader()   # reads under way are dropped, their query stopped
        # no background operation may still hold the desk; the second worker's work (a
        # backup's copy, the page check: connections of their own) was told to stop by
        # drop_reader and is waited for 0.3 s only — never the minute-long page check
        wait_idle(aside_msecs=300)
        shared = self.window.desk
        raw = shared.raw
        if not raw.closed:
            try:
                raw.security.lock_event(kind)
            except TsunaguError:
                pass  # the lock goes on even if the entry cannot be written
            self._today = getattr(raw, "_today", None)
            self.user = raw.user
            suspend = getattr(raw, "suspend", None)
            if callable(suspend):  # the database closed, the key dropped, the lock kept
                self.held_lock = suspend()
            else:
                raw.close()
            self.old_desk = raw
        shared.rebind(LockedDesk(getattr(self, "user", raw.user), self.path, self.held_lock))
        self.screen = LockScreen(self.agency_name, self.user_name, self.login,
                                 demo_password=self.demo_password)
        self.screen.unlock_requested.connect(self.unlock)
        self.screen.quit_requested.connect(self._quit)
        self.screen.setGeometry(geometry)
        if maximized:
            self.screen.showMaximized()
        else:
            self.screen.show()
        self.screen.raise_()
        self.screen.activateWindow()
        self.screen.password.setFocus()
        self.locked_changed.emit(True)

    # ---------------------------------------------------------------- unlock
    def unlock(self, password: str) -> None:
        """Open the database again with the password (off the GUI thread, as at login)."""
        path, login, open_desk, held = self.path, self.login, self.open_desk, self.held_lock
        run_in_background(self, lambda: open_desk(path, login, password, lock=held),
                          self._opened, self._failed)

    def _failed(self, error: BaseException) -> None:
        message = str(error) if isinstance(error, TsunaguError) else \
            _("The database could not be opened: {error}").format(error=error)
        if self.screen is not None:
            self.screen.failed(message)

    def _opened(self, desk) -> None:
        if self._today is not None:
            desk._today = self._today  # noqa: SLF001 - keep an injected clock
        old = getattr(self, "old_desk", None)
        shared = self.window.desk
        self.held_lock = None  # the new desk holds it now, and gives it back on close
        shared.rebind(desk)
        self._rebind_strays(old, shared)
        try:
            desk.security.lock_event("unlock")
        except TsunaguError:
            pass
        self.old_desk = None
        screen, self.screen = self.screen, None
        for w in self.hidden:
            w.show()
        self.window.raise_()
        self.window.activateWindow()
        for w in self.hidden:
            if w is not self.window:
                w.raise_()
        if self.focus is not None:
            try:
                self.focus.setFocus()
            except RuntimeError:
                pass
        self.hidden = []
        if screen is not None:
            screen.allow_close = True
            screen.close()
            screen.deleteLater()
        self.locked = False
        self.idle.enabled = True
        self.idle.reset()
        refresh = getattr(self.window, "refresh_views", None)
        if callable(refresh):   # reads stopped by the lock: every open tab reads again
            refresh()
        self.locked_changed.emit(False)

    def _rebind_strays(self, old, shared: SerializedDesk) -> None:
        """A widget that kept the old desk object itself (or its own wrapper of it) gets
        the shared wrapper, now pointing at the new desk."""
        if old is None:
            return
        objects: list[QObject] = []
        for top in QApplication.topLevelWidgets():
            objects.append(top)
            objects.extend(top.findChildren(QObject))
        for obj in objects:
            for name in ("desk", "_desk"):
                try:
                    value = obj.__dict__.get(name)
                except (AttributeError, RuntimeError):
                    continue
                if value is old:
                    setattr(obj, name, shared)
                elif isinstance(value, SerializedDesk) and value is not shared \
                        and value.raw is old:
                    value.rebind(shared.raw)

    def _quit(self) -> None:
        """「終了」 while locked: drafts were saved as typed; nothing touches the desk."""
        if getattr(self.window, "wizard", None) is not None:
            self.window.wizard = None  # its draft stays for the next start
        # The program ends: give the one-writer lock back (the database is closed already).
        self.window.desk.close()
        self.held_lock = None
        if self.screen is not None:
            self.screen.allow_close = True
            self.screen.close()
        self.quit()
