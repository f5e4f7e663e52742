"""Bundled fonts cover every character (𠮷 included), Qt's buttons are Japanese, and the
background helper reports back on the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QFont, QFontMetrics, QRawFont
from PySide6.QtWidgets import QApplication

from ui import background, startup
from ui.startup import FALLBACK_FAMILY, UI_FAMILY, register_fonts, ui_font


def test_bundled_fonts_are_the_application_font_with_a_fallback_for_rare_kanji(qapp):
    families = register_fonts()
    assert UI_FAMILY in families and FALLBACK_FAMILY in families
    font = QApplication.font()
    # the Gothic fallback first (𠮷 stays Gothic on screen as on paper), IPAmj Mincho last
    assert font.families()[:3] == [UI_FAMILY, startup.GOTHIC_FALLBACK_FAMILY, FALLBACK_FAMILY]
    assert QRawFont.fromFont(QFont(startup.GOTHIC_FALLBACK_FAMILY)).supportsCharacter(0x20BB7)
    assert QFontMetrics(ui_font()).inFontUcs4(ord("髙"))
    rare = QRawFont.fromFont(QFont(FALLBACK_FAMILY))
    assert rare.supportsCharacter(0x20BB7)  # 𠮷 (not in BIZ UD)


def test_qt_buttons_are_translated(qapp):
    assert QCoreApplication.translate("QWizard", "Cancel") == "キャンセル"


def test_background_results_come_back_on_the_gui_thread(qtbot):
    seen = {}
    owner = QObject()

    def work():
        seen["worker"] = threading.current_thread() is not threading.main_thread()
        return 42

    def done(value):
        seen["value"] = value
        seen["gui"] = threading.current_thread() is threading.main_thread()

    background.run_in_background(owner, work, done)
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen == {"worker": True, "value": 42, "gui": True}
    assert not background.busy()


def test_background_errors_go_to_the_error_callback(qtbot):
    errors = []
    background.run_in_background(None, lambda: 1 / 0, lambda _r: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ZeroDivisionError)


def test_no_callback_after_the_owner_is_gone(qtbot):
    called = []
    gate = threading.Event()
    owner = QObject()
    background.run_in_background(owner, gate.wait, called.append)
    owner.deleteLater()
    qtbot.wait(20)
    gate.set()
    qtbot.waitUntil(lambda: not background.busy(), timeout=5000)
    qtbot.wait(20)
    assert called == []


def test_serialized_desk_rebind_waits_for_a_call_in_progress(qtbot):
    """SerializedDesk.rebind (the screen lock swaps desks): later calls go to the new desk,
    and a call already running on the old one ends before the swap."""
    import time

    events: list[str] = []

    class Old:
        name = "old"

        def slow(self) -> str:
            events.append("slow start")
            time.sleep(0.2)
            events.append("slow end")
            return "old"

    class New:
        name = "new"

    shared = background.SerializedDesk(Old())
    worker = threading.Thread(target=shared.slow)
    worker.start()
    while "slow start" not in events:
        time.sleep(0.01)
    new = New()
    shared.rebind(background.SerializedDesk(new))  # a wrapper is unwrapped, not nested
    events.append("rebound")
    worker.join()
    assert events == ["slow start", "slow end", "rebound"]
    assert shared.raw is new and shared.name == "new"
