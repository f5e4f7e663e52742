"""No plaintext left behind (issue 13 point 6): printed PDFs go to a per-user folder swept
of a crashed run's leftovers at start-up and at exit; the recovery-key sheet says where it
was written and leaves with its dialog; when no PDF viewer opens, the user is told and
offered 「名前を付けて保存」."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ui import printing
from ui.print_menu import SheetPrinter

ROOT = Path(__file__).resolve().parents[2]


def test_a_crashed_runs_prints_are_swept_and_a_running_ones_are_kept(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setattr(printing, "prints_root", lambda: home / "prints")
    code = ("import os\nfrom ui import printing\n"
            "p = printing.new_pdf_path('intake-2026-0001')\n"
            "p.write_bytes(b'%PDF-1.4 plain text of a person')\n"
            "print(p)\nos._exit(0)\n")   # a crash: no atexit, no clean-up
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120,
                         env={**os.environ, "TSUNAGU_HOME": str(home),
                              "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"})
    left = Path(out.stdout.strip())
    assert out.returncode == 0 and left.exists() and left.is_relative_to(home / "prints"), \
        out.stderr
    removed = printing.sweep_leftovers()             # as at start-up
    assert left.parent in removed and not left.exists() and not left.parent.exists()
    mine = printing.new_pdf_path("mine")            # this running program's folder
    mine.write_bytes(b"%PDF-1.4 open in a viewer")
    assert printing.sweep_leftovers() == [] and mine.exists()   # still running: kept
    if os.name == "posix":
        assert (home / "prints").stat().st_mode & 0o077 == 0   # only this user
    printing.remove_print_folder()                   # at exit: its own folder goes too
    assert not mine.exists() and not mine.parent.exists()


def test_no_viewer_offers_save_as(qtbot, tmp_path, monkeypatch):
    pdf = printing.new_pdf_path("intake-blank")
    pdf.write_bytes(b"%PDF-1.4 x")
    target = tmp_path / "保存先.pdf"
    monkeypatch.setattr(printing.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    owner = QWidget()
    qtbot.addWidget(owner)
    assert printing.open_pdf(pdf, lambda url: False, owner) is False
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes, "the user is told"
    box = boxes[-1]
    assert "PDF" in box.text() and "名前を付けて保存" in box.text()
    save = next(b for b in box.buttons() if "名前を付けて保存" in b.text())
    save.click()
    assert target.read_bytes() == b"%PDF-1.4 x"
    box.close()


def test_a_viewer_that_opens_is_not_second_guessed(qtbot, monkeypatch):
    told: list = []
    monkeypatch.setattr(printing, "no_viewer", lambda parent, path: told.append(path))
    pdf = printing.new_pdf_path("records")
    pdf.write_bytes(b"%PDF")
    assert printing.open_pdf(pdf, lambda url: True) is True
    assert printing.open_pdf(pdf, lambda url: None) is True   # injected openers in tests
    assert told == []


def test_the_print_menu_tells_when_no_viewer_opens(qtbot, desk, monkeypatch):
    told: list = []
    monkeypatch.setattr(printing, "no_viewer", lambda parent, path: told.append(path))
    owner = QWidget()
    qtbot.addWidget(owner)
    printer = SheetPrinter(owner, desk, None, opener=lambda url: False, warn=told.append)
    printer.print_sheet("intake", blank=True)
    qtbot.waitUntil(lambda: bool(told), timeout=20000)
    assert isinstance(told[0], Path) and told[0].exists() and told[0].suffix == ".pdf"


def test_the_recovery_sheet_says_where_it_is_and_leaves_with_its_dialog(qtbot, desk,
                                                                          monkeypatch):
    from ui.dialogs.recovery_key import RecoveryKeyDialog
    said: list = []
    monkeypatch.setattr(printing, "notice", lambda parent, text: said.append(text))
    dialog = RecoveryKeyDialog("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789", desk.agency,
                               lambda url: True)
    qtbot.addWidget(dialog)
    dialog.print_key()
    qtbot.waitUntil(lambda: bool(dialog.printed) and bool(said), timeout=20000)
    sheet = dialog.printed[0]
    assert sheet.exists() and str(sheet) in said[0] and "一時ファイル" in said[0]
    dialog.kept.setChecked(True)
    dialog.accept()
    assert not sheet.exists()


def test_the_no_viewer_message_shows_without_a_parent_too(qtbot):
    """case view, meetings and the toolbar call open_pdf without a parent: the message must
    not be collected before the user sees it."""
    pdf = printing.new_pdf_path("meeting-agenda")
    pdf.write_bytes(b"%PDF")
    printing.open_pdf(pdf, lambda url: False)
    QApplication.processEvents()
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible() and "meeting-agenda" in w.text()]
    assert boxes
    boxes[0].close()
