"""統計・報告: the table shows the core's figures (month and fiscal year), a click on a figure
lists exactly the cases of ``cases_behind`` and a double-click opens one, the exports write
files (CSV with BOM or cp932, xlsx, PDF), the chart renders, the targets dialog saves through
``set_targets``, a statistics-only user sees figures and the core's refusal, and the 支援ケース
一覧 lists the core's caseload. Figures come from a small ledger import (tests/test_ledger.py)."""

from __future__ import annotations

import gc
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.desk import Desk
from app.domain.reports import CaseloadRow
from app.reports import statistics as S
from app.security.roles import Role
from tests.test_ledger import LEDGER, write_csv
from ui.main_window import MainWindow
from ui.views.case_view import CaseView
from ui.views.caseload import CaseloadView
from ui.views.chart import ACTUAL, IndicatorChart
from ui.views.statistics import FiguresView, StatisticsView

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not __import__("ui.background").background.busy(), timeout=10000)
    gc.collect()


@pytest.fixture
def stats_desk(desk, tmp_path):
    desk._today = lambda: TODAY
    report = desk.ledger.import_ledger(write_csv(tmp_path / "ledger.csv", LEDGER))
    assert report.ok, report.lines()
    return desk


def idle(qtbot, view) -> None:
    qtbot.waitUntil(lambda: not view.busy(), timeout=10000)


def figures(qtbot, desk, **kw) -> FiguresView:
    view = FiguresView(desk, today=TODAY, **kw)
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    idle(qtbot, view)
    return view


def cell(view: FiguresView, key: str, column: int) -> str:
    return view.model.data(view.model.index(view.model.find(key), column))


def section(view: FiguresView, title: str) -> dict[str, str]:
    """The rows of a breakdown section: name -> last column."""
    rows, inside = {}, False
    for r in view.model.rows:
        if r.section:
            inside = r.label == title
            continue
        if inside and r.cells:
            rows[r.label] = str(r.cells[-1])
    return rows


def click(qtbot, table, index) -> None:
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(index).center())


def double_click(qtbot, table, index) -> None:
    """A press picks the row, then the double-click event (as a real double-click)."""
    pos = table.visualRect(index).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_default_is_the_last_complete_month_and_the_table_shows_the_cores_figures(
        qtbot, stats_desk, qtmodeltester, shots):
    view = figures(qtbot, stats_desk)
    assert view.period() == "2026-10"
    view.set_month("2026-05")
    idle(qtbot, view)
    report = stats_desk.reports.monthly_report("2026-05")
    assert view.report == report
    assert view.model.header == ["項目", "件数", "人口10万人あたり", "目安値（人口10万人あたり）"]
    for key in S.COUNT_KEYS:
        if key == "closed_by_pattern":
            for p in S.PATTERNS:
                assert cell(view, f"closed_{p}", 1) == str(report["counts"][key][p])
            continue
        assert cell(view, key, 1) == str(report["counts"][key]), key
    for key in S.INDICATORS:
        assert cell(view, key, 2) == f"{report['per_100k'][key]:.1f}"
        assert cell(view, key, 3) == f"{float(report['targets_per_100k'][key]):.1f}"
    assert cell(view, "new_consultations", 0) == "新規相談受付件数"
    assert section(view, "相談経路") == {k: str(v) for k, v in report["referral_routes"].items()}
    assert section(view, "法定サービス（支援決定）") == {
        k: str(v) for k, v in report["statutory_services"].items()} or not \
        report["statutory_services"]
    # below the target: the per-100,000 cell in the warning colour
    row = view.model.find("employment_support_targets")
    if report["per_100k"]["employment_support_targets"] < 7:
        assert view.model.data(view.model.index(row, 2), Qt.ItemDataRole.ForegroundRole) \
            is not None
    qtmodeltester.check(view.model)
    view.grab().save(str(shots / "test_month.png"))


def test_fiscal_year_has_twelve_months_the_total_and_the_rates(qtbot, stats_desk,
                                                               qtmodeltester, shots):
    view = figures(qtbot, stats_desk)
    view.set_fiscal_year(2026)
    idle(qtbot, view)
    fy = stats_desk.reports.fiscal_year_report(2026)
    assert view.model.header[0] == "項目" and view.model.header[-1] == "年度計"
    assert view.model.header[1:13] == [f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    for key in ("new_consultations", "plans_created", "employment_support_targets", "closed"):
        row = view.model.find(key)
        assert [view.model.data(view.model.index(row, c)) for c in range(1, 13)] == [
            str(m["counts"][key]) for m in fy["months"]]
        assert cell(view, key, 13) == str(fy["totals"][key])
    rates = {r.label: r.cells[-1] for r in view.model.rows if r.cells and r.key is None
             and r.label in {S.label(k) for k in S.RATE_KEYS}}
    for key in S.RATE_KEYS:
        value = fy[key]
        assert rates[S.label(key)] == ("–" if value is None else f"{value * 100:.1f}%")
    qtmodeltester.check(view.model)
    view.grab().save(str(shots / "test_fiscal_year.png"))


@pytest.mark.parametrize("mode", ["month", "fiscal_year"])
def test_a_click_on_a_figure_lists_exactly_the_cases_behind_it(qtbot, stats_desk, mode,
                                                               qtmodeltester):
    view = figures(qtbot, stats_desk)
    if mode == "month":
        view.set_month("2026-05")
        checks = [(key, 1, "2026-05") for key in
                  ("closed_3", "new_consultations", "plans_created", "employed",
                   "active_at_month_end")]
    else:
        view.set_fiscal_year(2026)
        checks = [("employed", 4, "2026-07"), ("new_consultations", 1, "2026-04"),
                  ("closed", 13, "FY2026"), ("plans_created", 13, "FY2026")]
    idle(qtbot, view)
    for key, column, period in checks:
        index = view.model.index(view.model.find(key), column)
        with qtbot.waitSignal(view.cases_loaded, timeout=10000):
            click(qtbot, view.table, index)
        expected = [r.case_id for r in stats_desk.reports.cases_behind(period, key)]
        assert view.cases_model.case_ids() == expected, (key, period)
        assert f"{len(expected)}" in view.cases_title.text()
    assert view.cases_model.rowCount() > 0
    qtmodeltester.check(view.cases_model)
    # a label or a breakdown is not a figure with cases behind it: nothing happens
    assert view.model.behind(view.model.index(0, 0)) is None


def test_double_click_opens_the_case_from_the_main_window(qtbot, stats_desk):
    window = MainWindow(stats_desk, opener=lambda url: None, close_desk_on_exit=False,
                        lock_options=dict(start_timer=False))
    qtbot.addWidget(window)
    window.show()
    assert window.area_actions["statistics"].text() == "統計・報告"
    area = window.open_area("statistics")
    assert isinstance(area, StatisticsView)
    view = area.figures
    idle(qtbot, view)
    view.set_month("2026-05")
    idle(qtbot, view)
    with qtbot.waitSignal(view.cases_loaded, timeout=10000):
        click(qtbot, view.table, view.model.index(view.model.find("new_consultations"), 1))
    first = view.cases_model.index(0, 1)
    case_id = view.cases_model.data(first, Qt.ItemDataRole.UserRole)
    view.cases.scrollTo(first)
    double_click(qtbot, view.cases, first)
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), CaseView), timeout=10000)
    assert window.tabs.currentWidget().detail.case.id == case_id


def test_exports_write_the_cores_files(qtbot, stats_desk, tmp_path):
    asked = []

    def ask(_parent, _title, suggested, _filter):
        asked.append(suggested)
        return str(tmp_path / suggested.rsplit(".", 1)[0])   # the suffix is added

    view = figures(qtbot, stats_desk, ask_path=ask)
    view.set_month("2026-05")
    idle(qtbot, view)
    view.exports.csv_button.click()
    idle(qtbot, view)
    data = view.last_export.read_bytes()
    assert view.last_export.suffix == ".csv" and data.startswith(b"\xef\xbb\xbf")
    assert "新規相談受付件数" in data.decode("utf-8-sig")
    assert "保存しました" in view.message.text()
    view.exports.encoding.setCurrentIndex(view.exports.encoding.findData("cp932"))
    view.exports.csv_button.click()
    idle(qtbot, view)
    assert "新規相談受付件数" in view.last_export.read_bytes().decode("cp932")
    view.exports.xlsx_button.click()
    idle(qtbot, view)
    from openpyxl import load_workbook
    ws = load_workbook(view.last_export).worksheets[0]
    assert "新規相談受付件数" in [c.value for c in ws["B"]]
    view.exports.pdf_button.click()
    idle(qtbot, view)
    pdf = view.last_export.read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    view.set_fiscal_year(2026)
    idle(qtbot, view)
    view.exports.xlsx_button.click()
    idle(qtbot, view)
    assert len(load_workbook(view.last_export).worksheets) == 13
    assert asked[0] == "月次報告_2026-05.csv" and asked[-1] == "年度集計_2026年度.xlsx"
    # cancelled: nothing asked of the core
    view.ask_path = lambda *_a: None
    before = view.last_export
    view.exports.pdf_button.click()
    idle(qtbot, view)
    assert view.last_export == before


def test_the_chart_renders_the_indicators_against_the_targets(qtbot, stats_desk, shots):
    view = figures(qtbot, stats_desk)
    view.set_month("2026-05")
    idle(qtbot, view)
    report = view.report
    assert view.chart.actual == {k: float(report["per_100k"][k]) for k in S.INDICATORS}
    assert view.chart.targets == {k: float(report["targets_per_100k"][k]) for k in S.INDICATORS}
    image = view.chart.grab().toImage()
    assert not image.isNull() and image.width() > 300
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 3)
               for y in range(0, image.height(), 3)}
    assert ACTUAL.name() in colours           # a bar above the target is drawn in blue
    chart = IndicatorChart()
    qtbot.addWidget(chart)
    chart.resize(480, 320)
    chart.set_values({}, {})                  # nothing yet: still paints
    assert not chart.grab().isNull()
    view.chart.grab().save(str(shots / "test_chart.png"))


def test_targets_are_set_by_an_administrator_through_the_dialog(qtbot, stats_desk, shots):
    def fill(dialog) -> bool:
        assert dialog.fy == 2026
        dialog.fields["new_consultations"].setValue(30)
        dialog.fields["plans_created"].setValue(15.5)
        dialog.grab().save(str(shots / "targets_dialog.png"))
        return True

    view = figures(qtbot, stats_desk, run=fill)
    assert view.targets_button.isVisibleTo(view)
    view.set_month("2026-05")
    idle(qtbot, view)
    view.targets_button.click()
    idle(qtbot, view)
    assert stats_desk.reports.targets(2026) == {"new_consultations": 30, "plans_created": 15.5,
                                        "employment_support_targets": 7}
    assert cell(view, "new_consultations", 3) == "30.0"
    assert "2026" in view.message.text()


def test_a_statistics_only_user_sees_figures_and_the_cores_refusal(qtbot, stats_desk,
                                                                   desk_path):
    stats_desk.security.add_user("view", "閲覧 花子", Role.VIEWER, "viewer password 1")
    expected = stats_desk.reports.monthly_report("2026-05")["counts"]["new_consultations"]
    stats_desk.close()   # one program at a time on the file
    viewer = Desk.open(desk_path, "view", "viewer password 1")
    viewer._today = lambda: TODAY
    try:
        area = StatisticsView(viewer, today=TODAY)
        qtbot.addWidget(area)
        area.resize(1280, 760)
        area.show()
        view = area.figures
        idle(qtbot, view)
        assert not view.targets_button.isVisibleTo(view)
        view.set_month("2026-05")
        idle(qtbot, view)
        assert cell(view, "new_consultations", 1) == str(expected)
        with qtbot.waitSignal(view.cases_loaded, timeout=10000):
            click(qtbot, view.table, view.model.index(view.model.find("new_consultations"), 1))
        assert view.cases_model.rowCount() == 0
        assert "許可されていません" in view.cases_error.text() or \
            "できません" in view.cases_error.text(), view.cases_error.text()
        assert view.cases_error.isVisibleTo(view)
        area.tabs.setCurrentWidget(area.caseload)
        qtbot.waitUntil(lambda: area.caseload.error.text() != "", timeout=10000)
        assert area.caseload.model.rowCount() == 0
    finally:
        qtbot.waitUntil(lambda: not __import__("ui.background").background.busy(),
                        timeout=10000)
        viewer.close()


def test_caseload_lists_the_cores_cases_sorts_exports_and_opens(qtbot, stats_desk, tmp_path,
                                                                qtmodeltester, shots):
    paths = iter(str(tmp_path / f"caseload.{f}") for f in ("csv", "xlsx", "pdf"))
    view = CaseloadView(stats_desk, ask_path=lambda *_a: next(paths))
    qtbot.addWidget(view)
    view.resize(1280, 760)
    opened = []
    view.open_case.connect(opened.append)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show()
    rows = stats_desk.reports.caseload(TODAY)
    assert rows and sorted(view.model.data(view.model.index(i, 0))
                           for i in range(view.model.rowCount())) == sorted(
        r.case_no for r in rows)
    assert str(len(rows)) in view.count_label.text()
    qtmodeltester.check(view.model)
    # sortable by 次回モニタリング and by 受付番号, both ways
    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    numbers = [view.model.data(view.model.index(i, 0)) for i in range(view.model.rowCount())]
    assert numbers == sorted(numbers, reverse=True)
    view.table.sortByColumn(8, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(view.model)
    for fmt, check in (("csv", lambda b: b.startswith(b"\xef\xbb\xbf")),
                       ("xlsx", lambda b: b.startswith(b"PK")),
                       ("pdf", lambda b: b.startswith(b"%PDF"))):
        getattr(view.exports, f"{fmt}_button").click()
        idle(qtbot, view)
        assert view.last_export is not None and view.last_export.suffix == "." + fmt
        assert check(view.last_export.read_bytes()), fmt
    first = view.model.index(0, 1)
    double_click(qtbot, view.table, first)
    assert opened == [view.model.data(first, Qt.ItemDataRole.UserRole)]
    view.grab().save(str(shots / "test_caseload.png"))


def test_overdue_monitoring_is_marked(qtbot):
    from ui.views.caseload import WARNING, CaseloadModel
    model = CaseloadModel()
    model.set_rows([CaseloadRow(case_id="a", case_no="1", name="甲", kana="", birth_date=None,
                                stage="support", assignee="", received_on=date(2026, 4, 1),
                                plan_number=None, plan_period_to=None,
                                next_monitoring_on=date(2026, 11, 1)),
                    CaseloadRow(case_id="b", case_no="2", name="乙", kana="", birth_date=None,
                                stage="support", assignee="", received_on=date(2026, 4, 1),
                                plan_number=2, plan_kind="replan",
                                plan_period_to=date(2027, 3, 31), next_monitoring_on=None)],
                   TODAY)
    due = model.index(0, 8)
    assert model.data(due) == "令和8年11月1日"
    assert QColor(model.data(due, Qt.ItemDataRole.ForegroundRole)) == WARNING
    assert model.data(model.index(1, 6)) == "再プラン（2）"
    assert model.data(model.index(1, 8)) == ""
