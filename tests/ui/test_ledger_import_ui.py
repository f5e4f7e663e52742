"""台帳の取り込み under 管理: a broken file shows each row's problem (行 N 列「名前」: …) and the
import button stays disabled, nothing written; a good file is checked first (a dry run, the
counts of the preview), then imported, and its cases appear in the case list; importing the
same file again writes nothing. The file dialog is injected."""

from __future__ import annotations

import gc
from datetime import date

import pytest

from tests.test_ledger import BROKEN, LEDGER, write_csv, write_xlsx
from ui.main_window import MainWindow
from ui.views.admin import AdminView
from ui.views.ledger_import import PROBLEM, LedgerImportView

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not __import__("ui.background").background.busy(), timeout=10000)
    gc.collect()


@pytest.fixture
def admin_desk(desk):
    desk._today = lambda: TODAY
    return desk


def journal_rows(desk) -> int:
    return desk.store.conn.execute("SELECT count(*) FROM journal").fetchone()[0]


def counts(view: LedgerImportView) -> dict[str, str]:
    return {k: label.text() for k, label in view.counts.items()}


def lines(view: LedgerImportView) -> list[str]:
    return [view.lines.item(i).text() for i in range(view.lines.count())]


def test_a_broken_file_shows_its_row_problems_and_cannot_be_imported(qtbot, admin_desk,
                                                                      tmp_path, shots):
    path = write_csv(tmp_path / "broken.csv", BROKEN, "cp932")
    view = LedgerImportView(admin_desk, ask_path=lambda *_a: str(path))
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    assert not view.import_button.isEnabled()
    before = journal_rows(admin_desk)
    with qtbot.waitSignal(view.checked, timeout=10000):
        view.choose_button.click()
    expected = admin_desk.ledger.import_ledger(path, dry_run=True)
    assert not expected.ok
    shown = lines(view)
    for problem in expected.problems:
        assert problem.text() in shown
    assert any(line.startswith("行 2 列「受付日」: ") and "平成31年5月1日" in line for line in shown)
    assert any(line.startswith("行 5 列「プラン了承日」: ") for line in shown)
    red = [view.lines.item(i) for i in range(view.lines.count())
           if view.lines.item(i).foreground().color() == PROBLEM]
    assert len(red) == len(expected.problems) + 1          # and their heading
    assert red[0].text().startswith("エラー（") and red[0].font().bold()
    assert counts(view)["problems"] == str(len(expected.problems))
    assert not view.import_button.isEnabled()
    view.run_import()                    # even asked directly: refused while there are errors
    assert not view.busy()
    assert "取り込めません" in view.status.text()
    assert journal_rows(admin_desk) == before and admin_desk.count_cases() == 0
    view.grab().save(str(shots / "test_import_broken.png"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_good_file_previews_imports_and_shows_its_cases_and_a_second_import_writes_nothing(
        qtbot, admin_desk, tmp_path, fmt, shots):
    path = (write_xlsx(tmp_path / "ledger.xlsx", LEDGER) if fmt == "xlsx"
            else write_csv(tmp_path / "ledger.csv", LEDGER))
    window = MainWindow(admin_desk, opener=lambda url: None, close_desk_on_exit=False,
                        lock_options=dict(start_timer=False))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    admin = window.open_area("admin")
    assert isinstance(admin, AdminView)
    view = admin.ledger_import
    assert admin.tabs.tabText(admin.tabs.indexOf(view)) == "台帳の取り込み"
    admin.tabs.setCurrentWidget(view)
    view.ask_path = lambda *_a: str(path)
    with qtbot.waitSignal(view.checked, timeout=10000):
        view.choose_button.click()
    # the preview: nothing written yet
    assert admin_desk.count_cases() == 0
    assert counts(view) == {"rows": "9", "to_import": "9", "already": "0", "duplicates": "2",
                            "staff": "1", "problems": "0", "warnings": "0"}
    assert any("書き込んでいません" in line for line in lines(view))
    assert any("不明な列「メモ」" in line for line in lines(view))
    assert view.import_button.isEnabled()
    assert "9" in view.status.text()
    view.grab().save(str(shots / f"test_import_preview_{fmt}.png"))

    with qtbot.waitSignal(view.imported, timeout=10000) as signal:
        view.import_button.click()
    report = signal.args[0]
    assert report.ok and report.written == 9
    assert admin_desk.count_cases() == 9
    assert not view.import_button.isEnabled()
    assert "9 件の相談を取り込みました" in view.status.text()
    assert view.summary.title() == "取り込みの結果"
    # the case list is refreshed with the imported cases
    listed = window.case_list.model
    qtbot.waitUntil(lambda: listed.total == 9, timeout=10000)
    assert {c.case_no for c in listed.rows} >= {"L-001", "L-002", "L-009"}

    # the same file again: checked, everything already imported, nothing to import
    before = journal_rows(admin_desk)
    with qtbot.waitSignal(view.checked, timeout=10000):
        view.check_button.click()
    assert counts(view)["already"] == "9" and counts(view)["to_import"] == "0"
    assert any("取り込み済み" in line for line in lines(view))
    assert not view.import_button.isEnabled()
    view.run_import()
    assert not view.busy()
    assert journal_rows(admin_desk) == before and admin_desk.count_cases() == 9
    window.grab().save(str(shots / f"test_import_admin_{fmt}.png"))


def test_an_unreadable_file_is_named_not_crashed_on(qtbot, admin_desk, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    view = LedgerImportView(admin_desk)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.checked, timeout=10000):
        view.set_file(path)
    assert not view.import_button.isEnabled()
    assert (view.report is not None and view.report.problems) or view.error.text()
    # cancelling the file dialog changes nothing
    view.ask_path = lambda *_a: None
    view.choose_button.click()
    assert view.path == path
