"""One helper for work off the GUI thread (Anki's CollectionOp): database, PDF, queries.

``run_in_background(parent, op, on_done, on_error)`` runs ``op()`` on a worker thread of a
single-thread pool (operations run one after another, in the order they were started) and
calls ``on_done(result)`` or ``on_error(exception)`` back on the GUI thread.

What the worker may NOT touch: any widget, model or other QObject living on the GUI thread,
and QPixmap/QFont rendering. ``op`` should only call the Desk (or other Qt-free core code)
and return plain data; everything visible happens in ``on_done`` / ``on_error``.

The Desk's single SQLite connection is shared with the GUI thread (small reads), so the GUI
holds the desk through ``SerializedDesk``: every call takes one lock, and a background
operation and a GUI-thread call never interleave inside a transaction.

Two more workers, each with a connection of its own: ``read_in_background`` (the screens'
reads) and ``write_in_background`` (small local writes that must neither wait on the GUI
thread nor queue behind a long operation of the writer worker: the wizards' drafts).

What an operation changed comes from the core (``Changes``: the store notes every row a
transaction writes, app/store/changes.py), never from the screen: ``run_in_background`` and
``write_in_background`` collect the changes of the transactions ``op`` committed and, after
``on_done`` (or ``on_error``: what was committed before the error changed too), announce them
with the object that started the operation (``parent``/``owner``) through
``operation_did_execute()`` — the one signal the main window hands to every view (Anki's
``operation_did_execute``). A call on the GUI thread outside such an operation (a small
dialog's save) announces its own changes the same way, as the modal dialog's in front
(``SerializedDesk``).
"""

from __future__ import annotations

import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import (
    QCoreApplication, QObject, QRunnable, QThread, QThreadPool, QTimer, Signal, Slot,
)

from app.domain.changes import Changes
from app.errors import Cancelled
from app.operations.context import Operations
from app.store.changes import collecting, collecting_now

_pool: QThreadPool | None = None
_aside_pool: QThreadPool | None = None
_read_pool: QThreadPool | None = None
_draft_pool: QThreadPool | None = None
_running: set["_Callbacks"] = set()
_aside: set["_Callbacks"] = set()    # those of them on the second worker


def pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
    return _pool


def aside_pool() -> QThreadPool:
    """A second worker for long checks that use a connection of their own (the integrity
    check after login): the screens' reads do not queue behind them."""
    global _aside_pool
    if _aside_pool is None:
        _aside_pool = QThreadPool()
        _aside_pool.setMaxThreadCount(1)
    return _aside_pool


def read_pool() -> QThreadPool:
    """The worker of ``read_in_background``: reads on the desk's reading connection, one
    after another, beside the writer worker (a long report does not hold up a save)."""
    global _read_pool
    if _read_pool is None:
        _read_pool = QThreadPool()
        _read_pool.setMaxThreadCount(1)
    return _read_pool


def draft_pool() -> QThreadPool:
    """The worker of ``write_in_background``: the drafts, one after another in the order
    they were asked for (a discard after a save is never overtaken by it)."""
    global _draft_pool
    if _draft_pool is None:
        _draft_pool = QThreadPool()
        _draft_pool.setMaxThreadCount(1)
    return _draft_pool


def busy(*, aside: bool = True) -> bool:
    """True while any background operation has not yet reported back, or a screen is still
    building what one brought in slices (``in_slices``; tests wait on it); ``aside=False``:
    not counting the long checks on the second worker."""
    return bool(_running if aside else _running - _aside) or _slicing[0] > 0


_slicing = [0]   # screens still building in slices (in_slices)


def release_freed_memory() -> None:
    """Hand the memory freed by a short-lived thread back to the system. glibc keeps what a
    thread freed in that thread's own arena, which later threads need not reuse: the
    dashboard's reader beside the reading connection left ~16 MB of freed page cache in the
    program's memory at 100,000 cases (peak 337 → 353 MB). Elsewhere (Windows' heap,
    macOS) nothing is needed and nothing is done."""
    try:
        import ctypes
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):   # not glibc (Windows: no CDLL(None))
        return
    trim(0)


def in_slices(owner: QObject, items: list, size: int, step: Callable[[list], None],
              done: Callable[[], None] = lambda: None) -> None:
    """``step(chunk)`` for each ``size`` items of ``items``, one chunk per turn of the event
    loop (so that filling a long list never holds the screen), then ``done()``; nothing more
    once ``owner`` is gone. ``busy()`` holds until the last chunk."""
    chunks = [items[i:i + size] for i in range(0, len(items), size)] or [[]]
    _slicing[0] += 1
    alive = [True]
    finished = [False]

    def finish() -> None:
        if not finished[0]:
            finished[0] = True
            _slicing[0] -= 1

    def gone(*_a) -> None:
        alive[0] = False
        finish()

    owner.destroyed.connect(gone)

    def next_chunk(i: int = 0) -> None:
        if not alive[0]:
            return
        try:
            step(chunks[i])
            if i + 1 < len(chunks):
                QTimer.singleShot(0, owner, lambda: next_chunk(i + 1))
                return
            done()
        except BaseException:
            finish()
            raise
        finish()

    QTimer.singleShot(0, owner, next_chunk)


def wait_idle(msecs: int = 30000, *, aside_msecs: int | None = None) -> bool:
    """Block until the workers are idle (used at shutdown, before closing the desk).
    ``aside_msecs``: how long to wait for the second worker, whose work uses connections
    of its own and never the desk's (the screen lock: after ``stop_aside`` a backup's copy
    ends within milliseconds, but SQLCipher's page check of a large file cannot be
    interrupted — 20 s at 100,000 cases — and the lock must not freeze the window)."""
    done = pool().waitForDone(msecs)
    done = (_read_pool is None or _read_pool.waitForDone(msecs)) and done
    done = (_draft_pool is None or _draft_pool.waitForDone(msecs)) and done
    aside = msecs if aside_msecs is None else aside_msecs
    return (_aside_pool is None or _aside_pool.waitForDone(aside)) and done


class _Announcer(QObject):
    """(GUI thread) What an operation changed, and the object that started it."""

    did_execute = Signal(object, object)   # Changes, source (or None)


_announcer: _Announcer | None = None


def operation_did_execute() -> Any:
    """The signal ``(changes, source)`` every operation's changes go through (connect it on
    the GUI thread, before the first operation: the main window does)."""
    global _announcer
    if _announcer is None:
        _announcer = _Announcer()
    return _announcer.did_execute


def announce(changes: Changes, source: object = None) -> None:
    """Tell every listener (queued to the GUI thread when called from a worker)."""
    if _announcer is not None and not changes.empty:
        _announcer.did_execute.emit(changes, source)


_answered: set = set()   # callbacks that answered, until Qt has deleted them


class _Callbacks(QObject):
    """Lives on the GUI thread; the worker's signals are queued to it. ``owner``: what
    started the operation — its answer is dropped once ``owner`` is deleted — and the
    source announced with the changes ``changed_done``/``changed_failed`` carry (those of
    a background operation; a read has none). Never a child of ``owner``: a worker emits
    on it at any moment, and a child deleted with its parent on the GUI thread while the
    worker emits is a use after free (a segmentation fault in a test run, a wizard closed
    as its save ended). It deletes itself once it has answered."""

    done = Signal(object)
    failed = Signal(object)
    changed_done = Signal(object, object)     # result, Changes
    changed_failed = Signal(object, object)   # error, Changes

    def __init__(self, owner: QObject | None, on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None] | None):
        super().__init__(None)
        self._on_done = on_done
        self._on_error = on_error
        self.source = owner
        self.alive = True
        if owner is not None:
            owner.destroyed.connect(self._owner_gone)
        self.done.connect(self._deliver_done)
        self.failed.connect(self._deliver_error)
        self.changed_done.connect(self._deliver_changed_done)
        self.changed_failed.connect(self._deliver_changed_error)

    @Slot()
    def _owner_gone(self, *_a) -> None:
        self.alive = False
        self.source = None

    def _answered(self) -> None:
        _running.discard(self)
        _aside.discard(self)
        # Python owns a parentless QObject: its wrapper is kept until Qt has deleted it
        # (dropping the last reference inside its own slot deletes it mid-dispatch)
        _answered.add(self)
        self.destroyed.connect(lambda *_a, c=self: _answered.discard(c))
        self.deleteLater()

    @Slot(object)
    def _deliver_done(self, result: Any) -> None:
        self._answered()
        if self.alive:
            self._on_done(result)

    @Slot(object)
    def _deliver_error(self, error: BaseException) -> None:
        self._answered()
        if not self.alive:
            return
        if self._on_error is not None:
            self._on_error(error)
        else:
            traceback.print_exception(error)

    @Slot(object, object)
    def _deliver_changed_done(self, result: Any, changes: Changes) -> None:
        """The screen's answer first, then every view hears what changed (as Anki does)."""
        try:
            self._deliver_done(result)
        finally:
            announce(changes, self.source)

    @Slot(object, object)
    def _deliver_changed_error(self, error: BaseException, changes: Changes) -> None:
        try:
            self._deliver_error(error)
        finally:
            announce(changes, self.source)


class _Job(QRunnable):
    """``op()`` on a worker, the changes of what it committed collected (app/store/changes.py)
    and delivered with its answer."""

    def __init__(self, op: Callable[[], Any], callbacks: _Callbacks):
        super().__init__()
        self._op = op
        self._callbacks = callbacks

    def run(self) -> None:  # worker thread: no widgets here
        with collecting() as box:
            try:
                result = self._op()
            except BaseException as error:  # noqa: BLE001 - reported on the GUI thread
                failed, value = True, error
            else:
                failed, value = False, result
        callbacks = self._callbacks
        self._emit(callbacks.changed_failed if failed else callbacks.changed_done, value,
                   box.changes)

    def _emit(self, signal, value, changes: Changes) -> None:
        signal.emit(value, changes)   # (the callbacks live until they have answered)


def run_in_background(parent: QObject | None, op: Callable[[], Any],
                      on_done: Callable[[Any], None] = lambda _result: None,
                      on_error: Callable[[BaseException], None] | None = None, *,
                      aside: bool = False) -> None:
    """Run ``op()`` off the GUI thread; ``on_done``/``on_error`` run on the GUI thread.

    If ``parent`` is deleted before the operation ends, neither callback runs. ``aside``:
    on the second worker (long work on a connection of its own, see ``aside_pool``)."""
    callbacks = _Callbacks(parent, on_done, on_error)
    _running.add(callbacks)
    if aside:
        _aside.add(callbacks)
    (aside_pool() if aside else pool()).start(_Job(op, callbacks))


_DROPPED = object()   # a read whose answer nobody may see any more (screen closed, locked)


_aside_stops: set[threading.Event] = set()   # the stop of each long work on the second worker


def run_aside(parent: QObject | None, op: Callable[[threading.Event], Any],
              on_done: Callable[[Any], None] = lambda _result: None,
              on_error: Callable[[BaseException], None] | None = None) -> None:
    """Long work on a connection of its own (a backup's copy, the integrity check) on the
    second worker: ``op(stop)`` ends early, with app.errors.Cancelled, once ``stop`` is
    set — by ``stop_aside`` when the desk is about to lock or close, so that neither waits
    for a minute-long copy, and no connection holding the key stays open behind the lock
    screen."""
    stop = threading.Event()
    _aside_stops.add(stop)

    def work() -> Any:
        try:
            return op(stop)
        finally:
            _aside_stops.discard(stop)
    run_in_background(parent, work, on_done, on_error, aside=True)


def stop_aside() -> None:
    """(GUI thread) Stop every ``run_aside`` work under way; its on_error gets Cancelled."""
    for stop in list(_aside_stops):
        stop.set()


class ReadCancelled(Cancelled):
    """A read dropped because the desk locked, unlocked or closed meanwhile."""


def _cancelled() -> BaseException:
    from app.i18n import _
    return ReadCancelled(_("Reading was stopped because the screen was locked. It is read "
                           "again after unlocking (or press F5)."))


class _Call(QRunnable):
    """``fn()`` on a pool thread. (Not ``QRunnable.create``: Qt deletes that plain
    QRunnable after it ran without telling PySide, whose stale wrapper was then handed
    out for the next object at the same address — a QAction came back as a QRunnable.)"""

    def __init__(self, fn: Callable[[], Any]):
        super().__init__()
        self._fn = fn

    def run(self) -> None:
        try:
            self._fn()
        except Exception:  # noqa: BLE001 - nobody waits for this answer
            traceback.print_exc()


class _ReadTicket:
    """What the GUI side keeps of a read: whether its screen went, whether it runs. (Not the
    QRunnable itself: Qt deletes that after ``run`` returns; a Python reference dropped
    on the GUI thread while ``run`` was still returning deleted it under the worker.)"""

    __slots__ = ("cancelled", "running", "shared")

    def __init__(self, shared: "SerializedDesk"):
        self.cancelled = False
        self.running = False
        self.shared = shared

    def cancel(self) -> None:
        """The screen is gone (GUI thread): stop the query if it runs."""
        self.cancelled = True
        if self.running:
            self.shared.interrupt_reader()


class _ReadJob(QRunnable):
    """One read on the reading connection; skipped, or its answer dropped, when its screen
    was closed or the desk locked since it was asked for."""

    def __init__(self, ticket: _ReadTicket, generation: int, fn: Callable[[Any], Any],
                 callbacks: _Callbacks):
        super().__init__()
        self._ticket = ticket
        self._generation = generation
        self._fn = fn
        self._callbacks = callbacks

    def run(self) -> None:  # reader thread: no widgets here
        ticket, shared = self._ticket, self._ticket.shared
        if ticket.cancelled or shared.generation != self._generation:
            self._emit(self._callbacks.done, _DROPPED)
            return
        try:
            ticket.running = True
            reader = shared.reading_desk(self._generation)
            if reader is None:
                result: Any = _DROPPED
            else:
                result = self._fn(reader)
        except BaseException as error:  # noqa: BLE001 - reported on the GUI thread
            ticket.running = False
            stale = ticket.cancelled or shared.generation != self._generation
            self._emit(self._callbacks.done if stale else self._callbacks.failed,
                       _DROPPED if stale else error)
        else:
            ticket.running = False
            self._emit(self._callbacks.done, result)

    def _emit(self, signal, value) -> None:
        signal.emit(value)   # (the callbacks live until they have answered)


def read_in_background(owner: QObject, desk, fn: Callable[[Any], Any],
                       on_done: Callable[[Any], None] = lambda _result: None,
                       on_error: Callable[[BaseException], None] | None = None) -> None:
    """The one way screens read: ``fn(reader)`` runs on the read worker with a Desk on a
    connection of its own (``Desk.reader``: same user, same checks and audit), so the GUI
    thread never waits behind it; ``on_done``/``on_error`` run on the GUI thread, by a
    queued signal. The answer is dropped — never delivered — when ``owner`` was deleted or
    the desk locked, unlocked or closed meanwhile (``SerializedDesk.generation``); a query
    still running when ``owner`` goes is interrupted. ``fn`` must only call the desk and
    return plain data."""
    shared = serialized(desk)
    generation = shared.generation
    alive = [True]

    def deliver(result: Any) -> None:
        if result is not _DROPPED and generation == shared.generation:
            if alive[0]:
                on_done(result)
            return
        failed(_cancelled())   # the screen is still there: it stops waiting for the answer

    def failed(error: BaseException) -> None:
        if not alive[0]:
            return
        if generation != shared.generation:
            error = _cancelled()
        if on_error is not None:
            on_error(error)
        elif not isinstance(error, ReadCancelled):   # (a read nobody waits for any more)
            traceback.print_exception(error)

    # not a child of ``owner``: it must live until the worker has answered, even when the
    # screen is gone (the answer is then dropped here, on the GUI thread)
    callbacks = _Callbacks(None, deliver, failed)
    _running.add(callbacks)
    ticket = _ReadTicket(shared)
    if owner is not None:
        def gone(*_a) -> None:
            alive[0] = False
            ticket.cancel()
        owner.destroyed.connect(gone)
    read_pool().start(_ReadJob(ticket, generation, fn, callbacks))   # Qt deletes it after


def write_in_background(owner: QObject | None, desk, fn: Callable[[Any], Any],
                        on_done: Callable[[Any], None] = lambda _result: None,
                        on_error: Callable[[BaseException], None] | None = None) -> None:
    """``fn(writer)`` on the draft worker with a Desk on a connection of its own (the same
    user), so neither the GUI thread nor a long operation of the writer worker is waited
    for; ``on_done``/``on_error`` come back on the GUI thread by a queued signal, and are
    dropped when ``owner`` was deleted. Unlike a read, the write itself is never cancelled:
    the screen lock and closing the desk wait for it (``wait_idle``), and its connection is
    closed after the writes asked for before (``SerializedDesk.drop_reader``). ``fn`` must
    only call the desk: a few statements, no long work."""
    shared = serialized(desk)
    callbacks = _Callbacks(owner, on_done, on_error)
    _running.add(callbacks)
    # the job of run_in_background, on the draft worker, with the drafting desk (never
    # skipped: what was typed is written even when its screen has gone; only the answer
    # is then dropped, as the callbacks' parent was deleted)
    draft_pool().start(_Job(lambda: fn(shared.drafting_desk()), callbacks))


class SerializedDesk:
    """The Desk as the GUI holds it: each attribute read or call takes one shared lock."""

    def __init__(self, desk):
        self._desk = desk
        self._lock = threading.RLock()
        self.generation = 0                  # + 1 at each rebind: older reads are dropped
        self._reader = None                  # (desk it reads, its reading Desk)
        self._reader_lock = threading.Lock()
        self._drafter = None                 # (desk it writes to, its drafting Desk or None)

    # ---------------------------------------------------------------- the reading desk
    def reading_desk(self, generation: int):
        """(read worker) The reading Desk of the current desk, opened on first use; None
        if the desk changed since ``generation``."""
        with self._reader_lock:
            if generation != self.generation:
                return None
            desk = self._desk
            if self._reader is not None and self._reader[0] is desk:
                return self._reader[1]
        # opened outside the reader lock (the GUI thread's drop_reader never waits for it)
        # and under the desk's lock: opening one runs a statement on the desk's connection
        with self._lock:
            reader = desk.reader()
        with self._reader_lock:
            if generation != self.generation or self._desk is not desk:
                stale = reader
            else:
                stale, self._reader = (self._reader[1] if self._reader else None), (desk, reader)
        if stale is not None:
            stale.close()
        return None if stale is reader else reader

    # ---------------------------------------------------------------- the drafting desk
    def drafting_desk(self):
        """(draft worker) A Desk on a connection of its own for the drafts of the current
        desk, opened on first use; the shared desk itself (under its lock) if it cannot
        open one. Fails while the desk is locked or closed."""
        with self._reader_lock:
            desk = self._desk
            if getattr(desk, "closed", False):
                from app.errors import StoreError
                from app.i18n import _
                raise StoreError(_("The database is closed."))
            if self._drafter is not None and self._drafter[0] is desk:
                return self._drafter[1] or self
        # only this worker opens, uses and closes it: no race on ``_drafter`` but the
        # desk's own connection, which opening one uses (under the desk's lock)
        opener = getattr(desk, "reader", None)
        with self._lock:
            drafter = opener() if callable(opener) else None
        with self._reader_lock:
            self._drafter = (desk, drafter)
        return drafter or self

    def _close_drafter(self) -> None:
        """(draft worker, after the writes asked for before) Close the drafting connection."""
        with self._reader_lock:
            drafter, self._drafter = self._drafter, None
        if drafter is not None and drafter[1] is not None:
            drafter[1].close()

    def interrupt_reader(self) -> None:
        reader = self._reader
        if reader is not None:
            try:
                reader[1].interrupt()
            except Exception:  # noqa: BLE001 - closing anyway
                pass

    def drop_reader(self) -> None:
        """(GUI thread) The desk is about to lock, unlock or close: every read asked for
        until now is dropped, the running one interrupted, the reading connection closed
        on the read worker after it; the drafting connection is closed once the drafts
        asked for until now are written (``wait_idle`` waits for both)."""
        stop_aside()   # long work beside the screens (a backup's copy) ends early too
        with self._reader_lock:
            self.generation += 1
            reader, self._reader = self._reader, None
        if _draft_pool is not None:   # after the drafts queued (one may open it yet)
            _draft_pool.start(_Call(self._close_drafter))
        if reader is None:
            return
        try:
            reader[1].interrupt()
        except Exception:  # noqa: BLE001
            pass
        read_pool().start(_Call(reader[1].close))

    def close(self) -> None:
        """Close the reading connection (after the read running now) and the drafting one
        (after the drafts asked for), then the desk."""
        self.drop_reader()
        read_pool().waitForDone(30000)
        if _draft_pool is not None:
            _draft_pool.waitForDone(30000)
        with self._lock:
            self._desk.close()

    @property
    def raw(self):
        return self._desk

    def rebind(self, desk) -> None:
        """Point this wrapper (and so every view holding it) at ``desk`` — the screen lock
        swaps in a stand-in while locked and the newly opened desk at unlock. Waits for a
        call in progress on the old desk to end."""
        if isinstance(desk, SerializedDesk):
            desk = desk.raw
        self.drop_reader()
        with self._lock:
            self._desk = desk

    # properties that only hand back what the desk holds: read without waiting
    LOCK_FREE = frozenset({"closed", "path", "user"})
    # methods that touch no connection (the date; the intake's per-page check, pure):
    # called without waiting for a background operation (a wizard's 次へ never stalls)
    PURE_CALLS = frozenset({"today", "check_intake"})

    def __getattr__(self, name: str):
        desk = self._desk
        declared = getattr(type(desk), name, None)
        if isinstance(declared, property) and name not in self.LOCK_FREE:
            with self._lock:           # a property that reads the database (agency)
                value = getattr(desk, name)
        else:
            # a method (bound here, called under the lock below) or a plain attribute
            # (desk.user): no need to wait for a background operation to end — a GUI
            # thread waiting here is a frozen window
            value = getattr(desk, name)
        if isinstance(value, Operations):   # desk.reports, desk.master …: its calls too
            return SerializedPart(value, self._lock)
        if name in self.PURE_CALLS:
            return value
        return _locked(value, self._lock, name)


def _acting_window() -> QObject | None:
    """Who made a desk call on the GUI thread: the modal dialog in front, if one is (a
    person's correction, the choice of a meeting — nothing else can be acted on meanwhile);
    else nobody known."""
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() != app.thread():
        return None
    from PySide6.QtWidgets import QApplication
    return QApplication.activeModalWidget() if isinstance(app, QApplication) else None


def _locked(value, lock, name: str):
    """``value`` itself, or for a callable, the call taken under ``lock``. A call outside
    a background operation (on the GUI thread) announces what it changed itself."""
    if not callable(value):
        return value

    def locked(*args, **kwargs):
        if collecting_now():   # inside run_in_background: announced with its answer
            with lock:
                return value(*args, **kwargs)
        try:
            with collecting() as box:
                with lock:
                    return value(*args, **kwargs)
        finally:
            if not box.changes.empty:   # after the collector closed: the views may read
                announce(box.changes, _acting_window())

    locked.__name__ = name
    return locked


class SerializedPart:
    """One part of the desk (``desk.reports`` …) as the GUI holds it: each call takes the
    desk's lock."""

    def __init__(self, part: Operations, lock):
        self._part = part
        self._lock = lock

    def __getattr__(self, name: str):
        return _locked(getattr(self._part, name), self._lock, name)


def serialized(desk) -> SerializedDesk:
    return desk if isinstance(desk, SerializedDesk) else SerializedDesk(desk)


class GuiThreadGarbageCollector(QObject):
    """Python's garbage collector may run on whichever thread allocates; collecting Qt
    wrappers on the worker thread deletes GUI objects off the GUI thread and can crash.
    As Anki does, automatic collection is switched off and the GUI thread collects on a
    timer instead (cheap: generation thresholds are still respected)."""

    def __init__(self, app, interval_ms: int = 500):
        super().__init__(app)
        import gc
        self._gc = gc
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        gc = self._gc
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                break

    def collect_now(self) -> None:
        self._gc.collect()


_collector: GuiThreadGarbageCollector | None = None


def collect_garbage_on_gui_thread(app) -> GuiThreadGarbageCollector:
    global _collector
    if _collector is None:
        _collector = GuiThreadGarbageCollector(app)
    return _collector
