"""Report sheets: the monthly statistics (月次報告), the fiscal-year summary (年度集計) with
the indicator chart against the national targets, and the 支援ケース一覧 (caseload list).

Built with the layout kit (forms/kit.py), so they share its header, footer, fonts and the
atomic write. The chart is a reportlab.graphics bar chart whose Japanese labels use the
kit's registered fonts.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from app.i18n import _
from app.domain.paper import ReportPaper, rate_text
from app.text_ja import format_wareki_year
from forms import kit, page
from forms.fonts import GOTHIC
from forms.kit import flow_table, gap, para, section_heading, title
from forms.layout import CONTENT_WIDTH
from forms.page import Furniture

ACTUAL_COLOUR = colors.Color(0.25, 0.25, 0.25)
TARGET_COLOUR = colors.Color(0.75, 0.75, 0.75)


def indicator_chart(per_100k: dict[str, float], targets: dict[str, float], *,
                    indicators: Sequence[tuple[str, str]], actual_label: str,
                    width: float = CONTENT_WIDTH, height: float = 62 * mm) -> Drawing:
    """Bars of the national indicators (``indicators``: key, printed name) per 100,000
    population beside their targets."""
    kit.styles()  # registers the fonts
    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 18 * mm, 14 * mm
    chart.width, chart.height = width - 70 * mm, height - 22 * mm
    actual = [float(per_100k.get(k, 0) or 0) for k, _n in indicators]
    target = [float(targets.get(k, 0) or 0) for k, _n in indicators]
    chart.data = [actual, target]
    chart.bars[0].fillColor = ACTUAL_COLOUR
    chart.bars[1].fillColor = TARGET_COLOUR
    chart.barSpacing = 2
    chart.groupSpacing = 14
    chart.categoryAxis.categoryNames = [name for _k, name in indicators]
    chart.categoryAxis.labels.fontName = GOTHIC
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.dy = -3
    chart.valueAxis.labels.fontName = GOTHIC
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    top = max(actual + target + [1.0])
    chart.valueAxis.valueMax = top * 1.15
    chart.barLabels.fontName = GOTHIC
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.barLabelFormat = "%.1f"
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 48 * mm, height - 12 * mm
    legend.fontName = GOTHIC
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = [(ACTUAL_COLOUR, actual_label),
                             (TARGET_COLOUR, _("National target"))]
    d.add(legend)
    d.add(String(0, height - 8, _("Per 100,000 population"), fontName=GOTHIC, fontSize=8))
    return d


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]],
           widths: Sequence[float]) -> Any:
    return flow_table([[("" if v is None else str(v)) for v in r] for r in rows], widths,
                      header=list(header), max_lines=4)


def _furniture(agency, sheet_title: str, *, confidential: bool = False) -> Furniture:
    f = Furniture(agency_name=agency.name, sheet_title=sheet_title, show_case_no=False)
    if not confidential:
        f.footer = _("Statistics: no personal information")
    return f


def render_report(path, paper: ReportPaper):
    """A statistics PDF of app/domain/paper.py: monthly, fiscal_year or caseload."""
    if paper.kind == "monthly":
        return render_monthly(path, paper)
    if paper.kind == "fiscal_year":
        return render_fiscal_year(path, paper)
    assert paper.on is not None
    return render_caseload(path, paper.agency, (paper.header, paper.rows), paper.on)


def _indicators(paper: ReportPaper) -> list[tuple[str, str]]:
    return [(k, paper.labels.get(k, k)) for k in paper.indicators]


def render_monthly(path, paper: ReportPaper):
    """月次報告: figures, the indicator chart, and the breakdowns."""
    agency, report = paper.agency, paper.report
    y, m = int(report["month"][:4]), int(report["month"][5:])
    heading = _("Monthly report of the self-reliance consultation support, {month}").format(
        month=_("{year} month {month}").format(year=format_wareki_year(date(y, m, 1)), month=m))
    header, rows = paper.header, paper.rows
    story = [title(heading),
             para(_("{municipality}, population {population}, fiscal year {fy}").format(
                 municipality=agency.municipality, population=f"{report['population']:,}",
                 fy=report["fiscal_year"])),
             gap(2), section_heading(_("Indicators against the national targets")),
             indicator_chart(report["per_100k"], report["targets_per_100k"],
                             indicators=_indicators(paper), actual_label=_("This month")),
             section_heading(_("Figures")),
             _table(header, rows, [30 * mm, 70 * mm, 22 * mm, 29 * mm, 29 * mm])]
    texts = [heading, agency.name] + [str(c) for r in rows for c in r]
    return page.render(path, story, _furniture(agency, _("Monthly report")), texts,
                      title=heading)


def render_fiscal_year(path, paper: ReportPaper):
    """年度集計: the chart (monthly average per 100,000) and the twelve months."""
    agency, fy = paper.agency, paper.report
    heading = _("Fiscal year {year} summary of the self-reliance consultation support").format(
        year=fy["fiscal_year"])
    header, rows = paper.header, paper.rows
    first = 44 * mm
    rest = (CONTENT_WIDTH - first) / (len(header) - 1)
    rates = [[paper.labels.get(k, k), rate_text(fy[k])] for k in paper.rates]
    story = [title(heading),
             para(_("{municipality}, population {population}").format(
                 municipality=agency.municipality, population=f"{fy['population']:,}")),
             gap(2), section_heading(_("Indicators against the national targets"),
                                     _("monthly average of the fiscal year")),
             indicator_chart(fy["per_100k_monthly_average"], fy["targets_per_100k"],
                             indicators=_indicators(paper), actual_label=_("Monthly average")),
             section_heading(_("Rates")),
             _table([_("Item"), _("Rate")], rates, [120 * mm, 40 * mm]),
             section_heading(_("Figures by month")),
             flow_table([[str(v) for v in r] for r in rows], [first] + [rest] * (len(header) - 1),
                        header=header, max_lines=4, value_style="small")]
    texts = [heading, agency.name] + [str(c) for r in rows for c in r]
    return page.render(path, story, _furniture(agency, _("Fiscal year summary")), texts,
                      title=heading)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _caseload_cell(value: Any, one_line: bool) -> Any:
    """A caseload cell: ISO dates in 和暦; dates and case numbers on one line (they shrink
    to fit their column rather than wrap)."""
    text = "" if value is None else str(value)
    if _ISO_DATE.match(text):
        try:
            text = kit.wareki(date.fromisoformat(text))
        except ValueError:
            pass
        one_line = True
    if one_line and text:
        return para(text, "small", fit_min=5)
    return text


def render_caseload(path, agency, table, on: date):
    """支援ケース一覧: the cases in support on ``on`` (personal information)."""
    header, rows = table
    heading = _("Caseload list (cases in support) as of {date}").format(date=kit.wareki(on))
    # dates (和暦: 令和8年12月31日 fits its column at 6.5 pt) and the case number never wrap
    widths = [16, 21, 18, 6.5, 20.5, 12, 12.5, 12, 20.5, 20.5, 20.5]
    scale = CONTENT_WIDTH / (sum(widths) * mm)
    one_line = {0, 3}
    story = [title(heading),
             para(_("{n} cases").format(n=len(rows))), gap(2),
             flow_table([[_caseload_cell(v, c in one_line) for c, v in enumerate(r)]
                         for r in rows],
                        [w * mm * scale for w in widths], header=header, max_lines=3,
                        value_style="small")]
    texts = [heading, agency.name] + [str(c) for r in rows for c in r
                                      if not (isinstance(c, str) and _ISO_DATE.match(c))]
    return page.render(Path(path), story,
                      _furniture(agency, _("Caseload list"), confidential=True), texts,
                      title=heading)
