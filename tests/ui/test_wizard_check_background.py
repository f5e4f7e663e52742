"""Issue 21 point 5: a wizard's check at 次へ never waits on the GUI thread. A process step's
check (desk.process.check_only: the operation run and rolled back) reads and writes the
database, so it runs on the background reading path: while the writer holds the database,
次へ is greyed, the window answers and typing goes on; the check then answers and the
wizard goes on (or, the answers having changed meanwhile, waits for 次へ again). The
intake's per-page check is pure: it reads no database and answers at once; its search for
a person already registered (after 本人情報) reads, and runs in the background too."""

from __future__ import annotations

import threading
import time
from datetime import date

from PySide6.QtWidgets import QWizard

from app.operations.process import ProcessOperations
from app.process import Step
from tests.conftest import make_intake
from tests.ui.conftest import next_page, type_text
from tests.ui.test_intake_wizard import make_wizard
from tests.ui.test_process_wizards import OPTIONS, TODAY, assessed
from ui import background
from ui.wizards import open_step_wizard


def _plan_wizard(qtbot, desk):
    desk._today = lambda: TODAY
    cid = assessed(desk)
    w = open_step_wizard(Step.PLAN, desk, cid, **OPTIONS)
    qtbot.addWidget(w)
    w.show()
    return w, cid


def test_a_steps_check_waits_for_the_writer_off_the_gui_thread(qtbot, desk, monkeypatch):
    w, cid = _plan_wizard(qtbot, desk)
    aim = w.page_named("aim")
    next_button = w.button(QWizard.WizardButton.NextButton)
    threads: list[int] = []
    original = ProcessOperations.check_only

    def check_only(self, fn):
        threads.append(threading.get_ident())
        return original(self, fn)

    monkeypatch.setattr(ProcessOperations, "check_only", check_only)
    type_text(aim.inputs["aim"], "自分の収入で暮らす")
    conn = desk.store.conn
    conn.execute("BEGIN IMMEDIATE")               # the writer is busy (a long save)
    try:
        started = time.perf_counter()
        w.next()
        assert time.perf_counter() - started < 0.5   # 次へ returned: no wait on the lock
        assert w.checking and not next_button.isEnabled()
        assert w.currentPage() is aim
        qtbot.wait(150)                            # still waiting for the writer …
        assert w.checking and w.currentPage() is aim
    finally:
        conn.execute("COMMIT")
    qtbot.waitUntil(lambda: not w.checking, timeout=10000)
    assert w.currentPage().name == "goals"         # it passed: the wizard went on
    assert threads and threading.get_ident() not in threads   # checked on the worker
    assert desk.process.plans(cid) == []           # and nothing written


def test_typing_during_the_check_is_kept_and_a_stale_answer_moves_nothing(qtbot, desk):
    w, _cid = _plan_wizard(qtbot, desk)
    aim = w.page_named("aim")
    field = aim.inputs["aim"]
    conn = desk.store.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        w.next()                                   # no aim yet: the core will refuse it …
        assert w.checking
        type_text(field, "自分の収入で暮らす")       # … but the person types on meanwhile
    finally:
        conn.execute("COMMIT")
    qtbot.waitUntil(lambda: not w.checking, timeout=10000)
    # the answer was about the empty aim: not shown, nothing moved, nothing typed lost
    assert w.currentPage() is aim and field.toPlainText() == "自分の収入で暮らす"
    assert aim.error_labels["aim"].text() == ""
    assert w.button(QWizard.WizardButton.NextButton).isEnabled()
    next_page(w)                                   # 次へ again: checked, and on
    assert w.currentPage().name == "goals"


def test_a_refused_page_shows_the_message_once_the_check_answers(qtbot, desk):
    w, _cid = _plan_wizard(qtbot, desk)
    aim = w.page_named("aim")
    next_page(w)
    assert w.currentPage() is aim and aim.error_labels["aim"].text()
    assert w.button(QWizard.WizardButton.NextButton).isEnabled()
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)


def test_the_intake_check_is_pure_and_answers_at_once(qtbot, desk):
    statements: list[str] = []
    desk.store.conn.set_trace_callback(statements.append)
    try:
        problems = desk.check_intake(make_intake(received=date(2026, 4, 1)))
        assert problems == [] and statements == []      # no database read
        bad = make_intake(received=date(2026, 4, 1))
        bad.person.name = ""
        assert [e.field for e in desk.check_intake(bad, {"person"})] == ["person.name"]
        assert statements == []
    finally:
        desk.store.conn.set_trace_callback(None)
    w = make_wizard(qtbot, desk)
    w.next()                                            # nothing typed: refused at once
    assert not w.checking and w.currentPage() is w.person
    assert w.person.error_labels["person.name"].text()
    # … and does not wait for a background operation holding the desk (a print)
    shared = background.serialized(desk)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with shared._lock:
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(5)
        started = time.perf_counter()
        assert shared.check_intake(make_intake(received=date(2026, 4, 1)), {"person"}) == []
        assert shared.today() == desk.today()
        assert time.perf_counter() - started < 0.5
    finally:
        release.set()
        holder.join()


def test_the_intakes_same_person_search_runs_in_the_background(qtbot, desk):
    """After 本人情報 the intake looks for a person already registered (a read, audited):
    on the reading path, 次へ greyed meanwhile; the question comes when it answers."""
    desk.register_intake(make_intake())
    asked: list = []
    w = make_wizard(qtbot, desk, ask_same_person=lambda persons: asked.append(persons) or None)
    p = w.person
    type_text(p.name, "髙橋 𠮷子")
    type_text(p.kana, "たかはし よしこ")
    type_text(p.birth.edit, "1980/5/6")
    conn = desk.store.conn
    conn.execute("BEGIN IMMEDIATE")                    # the writer is busy
    try:
        started = time.perf_counter()
        w.next()
        assert time.perf_counter() - started < 0.5
        assert w.checking and not w.button(QWizard.WizardButton.NextButton).isEnabled()
        assert asked == [] and w.currentPage() is p
    finally:
        conn.execute("COMMIT")
    qtbot.waitUntil(lambda: not w.checking, timeout=10000)
    assert len(asked) == 1 and asked[0][0].name == "髙橋 𠮷子"
    assert w.currentPage() is w.consultation           # 別の方として登録する: on
    w.back()
    next_page(w)                                       # the same identity: not asked again
    assert len(asked) == 1 and w.currentPage() is w.consultation
