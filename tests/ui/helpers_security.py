"""Injected dialogs for the security screens: each ``run`` takes the next handler, which
fills the real dialog and accepts (or rejects) it — no modal exec() in a test."""

from __future__ import annotations

from ui.dialogs import Dialogs


def fake_dialogs(*handlers, confirm: bool = True, save_path=None) -> Dialogs:
    queue = list(handlers)
    d = Dialogs()
    d.confirmed = []
    d.infos = []

    def run(dialog) -> bool:
        d.opened.append(dialog)
        if not queue:
            raise AssertionError(f"unexpected dialog {type(dialog).__name__}")
        return bool(queue.pop(0)(dialog))

    def ask(_parent, _title, text) -> bool:
        d.confirmed.append(text)
        return confirm

    d.run = run
    d.confirm = ask
    d.info = lambda _p, _t, text: d.infos.append(text)
    d.save_path = lambda _p, _t, _s: save_path
    d.queue = queue
    return d


def accept(dialog) -> bool:
    dialog.accept()
    return dialog.result() == 1


def collect_garbage_here():
    """Cycles holding Qt wrappers are collected on the GUI thread after each test, never
    later inside a worker thread (a collection there deletes widgets off their thread)."""
    import gc
    gc.collect()
