from pathlib import Path
from PySide6.QtWidgets import QApplication
from tests.ui.test_small_screens import all_wizards, case_with_plan  # noqa
from ui import background, help as H
from ui.main_window import MainWindow
OUT = Path("/work/wt/scratch-i18")

def test_look(qtbot, case_with_plan, monkeypatch, tmp_path):
    monkeypatch.setenv("TSUNAGU_HOME", str(tmp_path))
    desk, cid = case_with_plan
    b = H.open_help("step-closure#grounds")
    b.resize(1280, 720); QApplication.processEvents()
    b.grab().save(str(OUT / "help_closure.png"))
    b.search_field.setText("支援決定"); QApplication.processEvents()
    b.grab().save(str(OUT / "help_search.png"))
    b.show_page("hajimete"); QApplication.processEvents()
    b.grab().save(str(OUT / "help_tour.png"))
    b.close()
    w = dict(all_wizards(qtbot, desk, cid))["closure"]
    w.resize(1280, 720); w.show(); QApplication.processEvents()
    w.grab().save(str(OUT / "wiz_closure.png"))
