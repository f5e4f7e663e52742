"""台帳の取り込み screen (issue 16): errors and warnings shown apart, the screen asks before
importing with warnings (no → nothing written; yes → imported, gaps recorded), and a workbook's
sheet is chosen on the screen."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from tests.test_ledger_real import REAL_ROWS, rec, real_workbook, write
from tests.test_ledger import TODAY
from ui.views.ledger_import import NOTICE, PROBLEM, LedgerImportView


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not __import__("ui.background").background.busy(), timeout=10000)
    gc.collect()


@pytest.fixture
def admin_desk(desk):
    desk._today = lambda: TODAY
    return desk


def items(view):
    return [view.lines.item(i) for i in range(view.lines.count())]


def make_view(qtbot, desk, path: Path, asked: list, answer: bool) -> LedgerImportView:
    def ask(_parent, report):
        asked.append(report.warning_count)
        return answer
    view = LedgerImportView(desk, ask_path=lambda *_a: str(path), ask_warnings=ask)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    with qtbot.waitSignal(view.checked, timeout=10000):
        view.choose_button.click()
    return view


def test_warnings_are_shown_apart_and_asked_about(qtbot, admin_desk, tmp_path):
    path = write(tmp_path / "w.csv", [
        rec(受付番号="W-1", 受付日="2026/4/1", 氏名="井上 一", 相談経路="本人等",
            振り分け="他機関へつなぎ"),
        rec(受付番号="W-2", 受付日="2026/4/2", 氏名="井上 二", 相談経路="本人等", 振り分け="継続支援",
            電話番号="不明")])
    asked: list[int] = []
    view = make_view(qtbot, admin_desk, path, asked, answer=False)
    assert view.counts["warnings"].text() == "2" and view.counts["problems"].text() == "0"
    orange = [i for i in items(view) if i.foreground().color() == NOTICE]
    assert orange[0].text().startswith("警告（2 件）") and orange[0].font().bold()
    assert any(i.text().startswith("行 2 列「つなぎ先」") and i.text().endswith("（取り込みました）")
               for i in orange)
    assert not [i for i in items(view) if i.foreground().color() == PROBLEM]
    assert "警告 2 件" in view.status.text() and view.import_button.isEnabled()
    tmp = Path(os.environ.get("TSUNAGU_SHOTS") or tmp_path / "shots")
    tmp.mkdir(exist_ok=True)
    view.grab().save(str(tmp / "warnings.png"))
    # asked; "do not import" writes nothing
    view.import_button.click()
    assert asked == [2] and not view.busy() and admin_desk.count_cases() == 0
    # asked again; yes imports with the gaps recorded
    view.ask_warnings = lambda _p, report: asked.append(report.warning_count) or True
    with qtbot.waitSignal(view.imported, timeout=10000) as signal:
        view.import_button.click()
    assert asked == [2, 2] and signal.args[0].written == 2
    assert admin_desk.get_case(admin_desk.case_id("W-1")).intakes[0].referral_to == "（記載なし）"


def test_no_question_without_warnings(qtbot, admin_desk, tmp_path):
    path = write(tmp_path / "ok.csv", [rec(受付番号="O-1", 受付日="2026/4/1", 氏名="問題 なし",
                                           相談経路="本人等", 振り分け="継続支援")])
    asked: list[int] = []
    view = make_view(qtbot, admin_desk, path, asked, answer=False)
    with qtbot.waitSignal(view.imported, timeout=10000):
        view.import_button.click()
    assert asked == [] and admin_desk.count_cases() == 1


def test_errors_and_warnings_together_block_the_import(qtbot, admin_desk, tmp_path):
    path = write(tmp_path / "both.csv", [
        rec(受付番号="B-1", 受付日="2026/4/1", 氏名="井上 一", 相談経路="本人等",
            振り分け="他機関へつなぎ"),
        rec(受付番号="B-2", 受付日="2026/2/30", 氏名="井上 二", 相談経路="本人等", 振り分け="継続支援")])
    view = make_view(qtbot, admin_desk, path, [], answer=True)
    texts = [i.text() for i in items(view)]
    e = next(k for k, t in enumerate(texts) if t.startswith("エラー（1 件）"))
    w = next(k for k, t in enumerate(texts) if t.startswith("警告（1 件）"))
    assert e < w and texts[e + 1].startswith("行 3 列「受付日」") \
        and texts[w + 1].startswith("行 2 列「つなぎ先」")
    assert not view.import_button.isEnabled()


def test_the_sheet_is_chosen_on_the_screen(qtbot, admin_desk, tmp_path):
    path = real_workbook(tmp_path / "book.xlsx", REAL_ROWS)
    view = make_view(qtbot, admin_desk, path, [], answer=True)
    assert not view.sheet_choice.isHidden()
    assert [view.sheet_choice.itemText(i) for i in range(view.sheet_choice.count())] == \
        ["記入上の注意", "受付簿", "集計"]
    assert view.sheet_choice.currentText() == "受付簿"       # the first with the header
    assert view.counts["to_import"].text() == "3"
    assert any("表題として読み飛ばしました" in i.text() for i in items(view))
    with qtbot.waitSignal(view.checked, timeout=10000):
        view.sheet_choice.activated.emit(2)               # 集計: no header there
    assert view.sheet == "集計" and view.report.sheet == "集計"
    assert not view.import_button.isEnabled()
    assert any("見出しの行が見つかりません" in i.text() for i in items(view))
    with qtbot.waitSignal(view.checked, timeout=10000):
        view.sheet_choice.activated.emit(1)
    with qtbot.waitSignal(view.imported, timeout=10000):
        view.import_button.click()
    assert admin_desk.count_cases() == 3
