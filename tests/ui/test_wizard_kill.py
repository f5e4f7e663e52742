"""A kill during the intake wizard (issue 8 point 3): a separate process runs the wizard
offscreen, types Japanese into its fields through input-method events, says "typed" after
the last change and is SIGKILLed — no Cancel, no close, no chance to flush anything.

What it proves: the draft is written when typing pauses (ui/wizards/draft.py: a second
after the last change, by the draft worker — never a commit on the GUI thread per
keystroke), so a process killed after that pause, with the wizard still open, loses nothing:
a new process opening the wizard on the same desk gets every typed value back (𠮷, 﨑, an
unreadable date as typed, radio buttons, check boxes, multi-line text), and the desk is
intact. (What a kill can lose is the typing of that last second.)
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.desk import Desk
from tests.conftest import LOGIN, PASSWORD
from ui.wizards.intake import DRAFT_KEY, IntakeWizard

ROOT = Path(__file__).resolve().parents[2]

TYPED = {
    "name": "𠮷田 花子",
    "kana": "よしだ はなこ",
    "birth": "令和2年2月30日",            # unreadable: kept exactly as typed
    "address": "つなぐ町本町1-2-3 山﨑荘101",
    "phone_mobile": "090-1111-2222",
    "consultation": "所持金が数百円しかない。\n家賃も２か月滞納している。",
    "hopes": "食べ物がほしい。仕事を探したい。",
    "topic_other": "ｶﾞｽが止まりそう",     # half-width kana kept as typed
}

CHILD = r"""
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from app.desk import Desk
from ui.wizards.intake import IntakeWizard
from ui.startup import prepare_application

path, login, password, typed = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
app = QApplication([])
prepare_application(app, "ja")
desk = Desk.open(path, login, password)
wizard = IntakeWizard(desk, ask_restore_draft=lambda: True, ask_keep_draft=lambda: True,
                      ask_same_person=lambda persons: None,
                      show_error=lambda text: print("error", text, flush=True))
wizard.show()
app.processEvents()

def type_text(widget, text):
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
    app.processEvents()

p, c = wizard.person, wizard.consultation
type_text(p.name, typed["name"])
type_text(p.kana, typed["kana"])
type_text(p.birth.edit, typed["birth"])
p.sex["female"].setChecked(True)
type_text(p.address, typed["address"])
type_text(p.phone_mobile, typed["phone_mobile"])
c.route["self"].setChecked(True)
c.topics["no_food"].setChecked(True)
c.topics["housing"].setChecked(True)
c.main_topic.setCurrentIndex(c.main_topic.findData("housing"))
type_text(c.consultation, typed["consultation"])
type_text(c.hopes, typed["hopes"])
type_text(c.topic_other, typed["topic_other"])   # the last field change
while not wizard.drafts.idle():                   # the pause: the draft is written
    app.processEvents()
    time.sleep(0.01)
print("typed", flush=True)
while True:                                       # the user is still there when it dies
    app.processEvents()
    time.sleep(0.01)
"""


def _wait_for_line(proc: subprocess.Popen, timeout: float) -> str:
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout):
        return ""
    return proc.stdout.readline().strip()


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and the fork of a Qt process are POSIX")
def test_wizard_killed_after_typing_restores_every_value(qtbot, desk_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(desk_path), LOGIN, PASSWORD, json.dumps(TYPED)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"})
    try:
        line = _wait_for_line(proc, 60)
        assert line == "typed", f"child said {line!r}: {proc.stderr.read() if proc.poll() is not None else ''}"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        _out, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, err[-3000:]

    desk = Desk.open(desk_path, LOGIN, PASSWORD)
    try:
        desk.maintenance.check_integrity()
        assert desk.security.audit_verify() is None
        assert desk.load_draft(DRAFT_KEY) is not None
        asked = []
        wizard = IntakeWizard(desk, ask_restore_draft=lambda: asked.append(1) or True,
                              ask_keep_draft=lambda: True, ask_same_person=lambda ps: None,
                              show_error=lambda text: pytest.fail(text))
        qtbot.addWidget(wizard)
        wizard.show()
        assert asked == [1]
        p, c = wizard.person, wizard.consultation
        assert p.name.text() == TYPED["name"]
        assert p.kana.text() == TYPED["kana"]
        assert p.birth.text() == TYPED["birth"]
        assert p.sex["female"].isChecked()
        assert p.address.text() == TYPED["address"]
        assert p.phone_mobile.text() == TYPED["phone_mobile"]
        assert c.route["self"].isChecked()
        assert c.topics["no_food"].isChecked() and c.topics["housing"].isChecked()
        assert c.main_topic.currentData() == "housing"
        assert c.consultation.toPlainText() == TYPED["consultation"]
        assert c.hopes.toPlainText() == TYPED["hopes"]
        assert c.topic_other.text() == TYPED["topic_other"]
        assert desk.count_cases() == 0   # a draft only: nothing was registered
        wizard.hide()
        wizard.deleteLater()
    finally:
        desk.close()
