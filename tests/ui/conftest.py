"""pytest-qt set-up for the GUI tests: offscreen Qt, bundled fonts, Japanese typed through
input-method events (qtbot.keyClicks with Japanese aborts the process), desks with cases."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything imports Qt

from datetime import date  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.desk import Desk  # noqa: E402
from app.domain import Triage  # noqa: E402
from tests.conftest import LOGIN, PASSWORD, make_intake  # noqa: E402
from ui import background  # noqa: E402
from ui.startup import prepare_application  # noqa: E402


# A 支援調整会議 decides nothing without a participant, and the municipality takes part in
# principle (issue 19): meetings the screens' tests plan have at least this one.
def meeting_people():
    from app.domain.meeting import Participant
    return [Participant("町 一郎", "つなぐ町福祉課", municipal=True)]


@pytest.fixture(scope="session", autouse=True)
def prepared_app(qapp):
    prepare_application(qapp, "ja")
    background.collect_garbage_on_gui_thread(qapp)  # as the app does: never GC on a worker
    return qapp


@pytest.fixture(autouse=True)
def prints_under_tmp(tmp_path_factory, monkeypatch):
    """Printed PDFs go to a per-user folder (ui/printing.py): here, under pytest's tmp."""
    from ui import printing
    root = tmp_path_factory.getbasetemp() / "prints"
    monkeypatch.setattr(printing, "prints_root", lambda: root)
    yield


@pytest.fixture(autouse=True)
def no_background_work_left(qtbot):
    """Every test ends with the worker idle, so no callback outlives its desk, and its
    garbage is collected here, on the GUI thread."""
    yield
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    background.collect_garbage_on_gui_thread(QApplication.instance()).collect_now()


def type_text(widget: QWidget, text: str) -> None:
    """Type like an input method commits text (works for Japanese, respects validators)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def desk_with_cases(desk_path):
    """A desk with a few intakes, among them 髙橋 𠮷子 (たかはし よしこ) and a referral."""
    desk = Desk.open(desk_path, LOGIN, PASSWORD)
    desk.register_intake(make_intake())
    desk.register_intake(make_intake(name="佐藤 太郎", kana="さとう たろう",
                                     birth=date(1970, 1, 2)))
    desk.register_intake(make_intake(name="山田 花子", kana="やまだ はなこ",
                                     birth=date(1990, 3, 4), triage=Triage.REFER))
    yield desk
    background.wait_idle()
    if not desk.closed:
        desk.close()


def next_page(wizard, timeout_ms: int = 10000) -> None:
    """次へ, then wait until the page's check has answered: a process step's check reads the
    database, so it runs in the background and the wizard goes on when it passes."""
    from PySide6.QtCore import QDeadlineTimer
    from PySide6.QtTest import QTest
    wizard.next()
    deadline = QDeadlineTimer(timeout_ms)
    while wizard.checking:
        assert not deadline.hasExpired(), "the page's check never answered"
        QTest.qWait(5)


__all__ = ["type_text", "next_page", "LOGIN", "PASSWORD"]
