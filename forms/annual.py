"""The desk's yearly report (事業報告) of app/reports/annual.py: a short narrative of each
part (計画と実績, 体制, 相談支援の経過, 成果, 支援が届いた人, 地域づくり, リスクマネジメント)
with its charts and tables. Figures only, no personal information.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from app.i18n import _
from app.domain.paper import AnnualPaper, number_text as _num, rate_text as _pct
from app.text_ja import format_wareki_year
from forms import kit, page
from forms.fonts import GOTHIC
from forms.kit import flow_table, gap, para, section_heading, title
from forms.layout import CONTENT_WIDTH
from forms.page import Furniture

DARK = colors.Color(0.25, 0.25, 0.25)
LIGHT = colors.Color(0.72, 0.72, 0.72)


def _axis_fonts(chart) -> None:
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = GOTHIC
        axis.labels.fontSize = 7.5


def paired_bars(names: Sequence[str], first: Sequence[float], second: Sequence[float], *,
                first_label: str, second_label: str, caption: str,
                height: float = 60 * mm, fmt: str = "%d", single: bool = False) -> Drawing:
    """Vertical bars of two series side by side (e.g. target and result); ``single``: the
    second series only."""
    kit.styles()
    d = Drawing(CONTENT_WIDTH, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 16 * mm, 14 * mm
    chart.width, chart.height = CONTENT_WIDTH - 62 * mm, height - 24 * mm
    chart.data = [list(second)] if single else [list(first), list(second)]
    chart.bars[0].fillColor = DARK if single else LIGHT
    if not single:
        chart.bars[1].fillColor = DARK
    chart.barSpacing = 2
    chart.groupSpacing = 10
    chart.categoryAxis.categoryNames = list(names)
    _axis_fonts(chart)
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.dy = -3
    chart.valueAxis.valueMin = 0
    top = max(list(first) + list(second) + [1])
    chart.valueAxis.valueMax = top * 1.2
    chart.valueAxis.valueStep = max(1, math.ceil(top * 1.2 / 5))   # counts: whole steps
    chart.barLabels.fontName = GOTHIC
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 5
    chart.barLabelFormat = fmt
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = CONTENT_WIDTH - 40 * mm, height - 14 * mm
    legend.fontName = GOTHIC
    legend.fontSize = 7.5
    legend.colorNamePairs = [(DARK, second_label)] if single else \
        [(LIGHT, first_label), (DARK, second_label)]
    d.add(legend)
    d.add(String(0, height - 8, caption, fontName=GOTHIC, fontSize=8))
    return d


def rate_bars(names: Sequence[str], rates: Sequence[float | None], counts: Sequence[str], *,
              caption: str) -> Drawing:
    """Horizontal bars of rates (0–100 %) with the counts beside each name."""
    kit.styles()
    rows = max(1, len(names))
    height = 16 * mm + rows * 6 * mm
    d = Drawing(CONTENT_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 62 * mm, 6 * mm
    chart.width, chart.height = CONTENT_WIDTH - 80 * mm, rows * 6 * mm
    chart.data = [[(r or 0) * 100 for r in reversed(rates)]] if names else [[0]]
    chart.bars[0].fillColor = DARK
    chart.categoryAxis.categoryNames = [f"{n}（{c}）" for n, c in
                                        zip(reversed(names), reversed(counts))] or [""]
    _axis_fonts(chart)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 25
    chart.barLabels.fontName = GOTHIC
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 8
    chart.barLabelFormat = "%.0f%%"
    d.add(chart)
    d.add(String(0, height - 8, caption, fontName=GOTHIC, fontSize=8))
    return d


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]],
           widths: Sequence[float]) -> Any:
    return flow_table([[("" if v is None else str(v)) for v in r] for r in rows], widths,
                      header=list(header), max_lines=4)


def _narrative(report: dict[str, Any]) -> dict[str, str]:
    p, st, pr = report["plan"], report["structure"], report["process"]
    oc, rc, rg, rk = report["outcome"], report["reach"], report["region"], report["risk"]
    rows = {r["key"]: r for r in p["rows"]}
    nc, pc = rows["new_consultations"], rows["plans_created"]
    return {
        "plan": _("New consultations were {nc} against a target of {nct} ({nca}); plans "
                  "created were {pc} against {pct} ({pca}).").format(
                      nc=nc["actual"], nct=_num(nc["target"]), nca=_pct(nc["attainment"]),
                      pc=pc["actual"], pct=_num(pc["target"]), pca=_pct(pc["attainment"])),
        "structure": _("{staff} staff; {done} of the {need} whose role needs a national course "
                       "have completed it. {res} social resources are in the directory "
                       "({added} added this year).").format(
                           staff=st["staff_total"], done=st["national_training"]["completed"],
                           need=st["national_training"]["required"],
                           res=st["resources"]["active"],
                           added=st["resources"]["added_in_year"]),
        "process": _("No assessment or plan approval was recorded in the year yet; "
                     "{meet} support coordination meetings were held.").format(
                         meet=pr["meetings_held"])
        if not (pr["intake_to_assessment_days"]["cases"]
                or pr["intake_to_plan_approval_days"]["cases"]) else
        _("Half of the assessments were done within {a} days of intake and half "
                     "of the first plans approved within {b} days; {m} of monitorings were "
                     "on time; {meet} support coordination meetings were held.").format(
                         a=_num(pr["intake_to_assessment_days"]["median"]),
                         b=_num(pr["intake_to_plan_approval_days"]["median"]),
                         m=_pct(pr["monitoring"]["rate"]), meet=pr["meetings_held"]),
        "outcome": _("{e} persons found work and {i} increased their income; {c} cases were "
                     "closed.").format(e=oc["employed"], i=oc["income_increased"],
                                       c=oc["closed"]),
        "reach": _("Of {n} new consultations, {p} ({r}) have a plan. The breakdowns below "
                   "show whether support reaches people of every route, age and situation, "
                   "not only those for whom results come easily.").format(
                       n=rc["new_consultations"], p=rc["with_plan"], r=_pct(rc["plan_rate"])),
        "region": _("{raised} regional issues were raised this year and {created} resources "
                    "created; {acts} activities with the region reached {people} "
                    "participants.").format(
                        raised=rg["issues_raised_in_year"], created=rg["resources_created"],
                        acts=rg["activities"]["count"],
                        people=rg["activities"]["participants"]),
        "risk": _("{c} complaints ({done} completed) and {i} near misses or accidents were "
                  "recorded and reviewed as the guide asks (learning from near misses).").format(
                      c=rk["complaints"], done=rk["complaints_completed"], i=rk["incidents"]),
    }


def render_annual(path, paper: AnnualPaper):
    agency, report = paper.agency, paper.report

    def key_label(group: str, key: str) -> str:
        return paper.labels.get((group, key), key)

    fy = report["fiscal_year"]
    era = format_wareki_year(date(fy, 4, 1))
    heading = _("{era} fiscal year report of the self-reliance consultation support").format(
        era=era)
    text = _narrative(report)
    tables = paper.sections
    item_w = [110 * mm, CONTENT_WIDTH - 110 * mm]
    p = report["plan"]
    story: list = [
        title(heading),
        para(_("{agency} ({municipality}, population {population}); period {start} to {end}, "
               "figures as of {as_of}.").format(
                   agency=agency.name, municipality=report["municipality"],
                   population=f"{report['population']:,}",
                   start=kit.wareki(date.fromisoformat(report["from"])),
                   end=kit.wareki(date.fromisoformat(report["to"])),
                   as_of=kit.wareki(date.fromisoformat(report["as_of"])))),
        gap(2)]
    # 1 plan
    story += [section_heading(_("1. The year's plan and results")), para(text["plan"])]
    for key, label in (("structure", _("Organisation and operation")),
                       ("support", _("Consultation support")),
                       ("region", _("Community building and partnership"))):
        if p["goals"][key]:
            story.append(para(f"{label}：{p['goals'][key]}"))
    plan_rows = [r for r in p["rows"] if r["target"] is not None]
    story += [paired_bars([key_label("target", r["key"]) for r in plan_rows],
                          [r["target"] for r in plan_rows], [r["actual"] for r in plan_rows],
                          first_label=_("Target"), second_label=_("Result"),
                          caption=_("Targets and results of the year")),
              _table(*tables[0][1:], [70 * mm, 30 * mm, 30 * mm,
                                      CONTENT_WIDTH - 130 * mm])]
    from forms.report import indicator_chart   # the national indicators (STATISTICS.md)
    story += [gap(2), KeepTogether([
        para(_("Against the national guide values (per 100,000 population, monthly average "
               "of the year):"), "note"),
        indicator_chart(p["per_100k_monthly_average"], p["targets_per_100k"],
                        indicators=[(k, key_label("indicator", k)) for k in paper.indicators],
                        actual_label=_("Monthly average"))])]
    # 2 structure
    story += [section_heading(_("2. Structure (organisation and staff)")),
              para(text["structure"]), _table(*tables[1][1:], item_w)]
    # 3 process
    pr = report["process"]
    story += [KeepTogether([section_heading(_("3. Process of consultation support")),
                            para(text["process"]), _table(*tables[2][1:], item_w)])]
    del pr
    # 4 outcome
    oc = report["outcome"]
    improved = list(oc["improved"].items())
    names = {"motivation": _("Motivation"), "relationships": _("Relationships"),
             "participation": _("Participation"), "hardship": _("Financial hardship")}
    story += [section_heading(_("4. Outcome")), para(text["outcome"])]
    if oc["evaluations"]:
        story.append(rate_bars([names[k] for k, _v in improved],
                               [v / oc["evaluations"] for _k, v in improved],
                               [f"{v}/{oc['evaluations']}" for _k, v in improved],
                               caption=_("Change of condition in the plan evaluations")))
    story.append(_table(*tables[3][1:], item_w))
    # 5 reach
    rc = report["reach"]
    story += [section_heading(_("5. Who the support reached")), para(text["reach"])]
    for group, key, caption in (("route", "by_route", _("Plan rate by route")),
                                ("age", "by_age_band", _("Plan rate by age band")),
                                ("triage", "by_triage", _("Plan rate by triage"))):
        gs = rc[key]
        if gs:
            story.append(rate_bars([key_label(group, g["key"]) for g in gs],
                                   [g["plan_rate"] for g in gs],
                                   [f"{g['with_plan']}/{g['consultations']}" for g in gs],
                                   caption=caption))
    story.append(_table(*tables[4][1:], [30 * mm, 62 * mm, 28 * mm, 28 * mm,
                                         CONTENT_WIDTH - 148 * mm]))
    # 6 region
    rg = report["region"]
    story += [section_heading(_("6. Community building")), para(text["region"])]
    kinds = sorted(rg["activities"]["by_kind"].items())
    if kinds:
        story.append(paired_bars([key_label("activity", k) for k, _v in kinds],
                                 [0 for _k in kinds], [v["count"] for _k, v in kinds],
                                 first_label="", second_label=_("Times held"),
                                 caption=_("Activities with the region (times held)"),
                                 single=True))
    story.append(_table(*tables[5][1:], item_w))
    if rg["issues"]:
        story.append(gap(2))
        story.append(_table(tables[6][1], [[kit.wareki(date.fromisoformat(r[0])), *r[1:]]
                                           for r in tables[6][2]],
                            [32 * mm, 100 * mm, 30 * mm, CONTENT_WIDTH - 162 * mm]))
    # 7 risk
    story += [KeepTogether([section_heading(_("7. Risk management")), para(text["risk"]),
                            _table(*tables[7][1:], item_w)])]
    texts = [heading, agency.name] + [str(c) for _t, _h, rows in tables for r in rows
                                      for c in r] + list(p["goals"].values())
    f = Furniture(agency_name=agency.name, sheet_title=_("Annual report"), show_case_no=False)
    f.footer = _("Statistics: no personal information")
    return page.render(Path(path), story, f, texts, title=heading)
