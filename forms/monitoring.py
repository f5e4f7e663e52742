"""モニタリングシート — every monitoring of the case (or a blank one for the next visit).

Date, kind (支援開始直後 / 定期 / 随時), method, the person's change, progress of each goal and
service, satisfaction, whether the plan needs amending, next monitoring date. The blank sheet
lists the goals of the plan in effect so the worker only writes the progress.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from app.i18n import N_, _
from app.process import MonitoringKind
from forms import kit
from forms.data import CaseData
from forms.kit import (CONTENT_WIDTH, Furniture, Label, choice_row, date_or_blank, flow_table,
                       grid, keep, section_heading, text_box)
from forms.output import PrintResult

TITLE = N_("Monitoring sheet")


def render_monitoring(out_path: str | Path, agency, data: CaseData, *, blank: bool = False,
                      strict: bool = False) -> PrintResult:
    rows = [] if blank else data.monitorings
    story = story_monitoring(data, rows)
    furniture = Furniture(agency_name=agency.name, case_no=data.case_no, sheet_title=_(TITLE))
    texts = [agency.name, data.case_no]
    if data.person:
        texts += [data.person.name, data.person.kana]
    for m in rows:
        texts += [m.get("method", ""), m.get("change", ""), m.get("satisfaction", "")]
        texts += [str(v) for p in _progress(m) for v in p.values()]
    return kit.render(out_path, story, furniture, texts, strict=strict)


def _progress(m: dict) -> list[dict]:
    import json
    value = m.get("progress") or []
    return json.loads(value) if isinstance(value, str) else list(value)


def _d(value) -> date | None:
    return date.fromisoformat(value) if value else None


def story_monitoring(data: CaseData, monitorings: list[dict]) -> list[Flowable]:
    story: list[Flowable] = [kit.title(_(TITLE))]
    story.append(kit.person_grid(data.case_no, data.person, address=False))
    plan = data.plan
    plan_line = ""
    if plan:
        plan_line = _("Plan No. {n}: {aim}").format(n=plan.number, aim=plan.aim)
    story.append(grid([[Label(_("Plan")), plan_line]], [24 * mm, CONTENT_WIDTH - 24 * mm],
                      row_heights=[None if plan_line else 9 * mm]))
    entries = monitorings or [None]
    for n, m in enumerate(entries):
        if n:
            story.append(PageBreak())
        story += _one(data, m, n + 1)
    return story


def _one(data: CaseData, m: dict | None, n: int) -> list[Flowable]:
    blank = m is None
    kind = m.get("kind") if m else None
    kinds = choice_row([(k.label, kind == k.value) for k in MonitoringKind], item_gap=14)
    head = grid([
        [Label(_("Date of monitoring")), date_or_blank(_d(m["monitored_on"]) if m else None),
         Label(_("Method")), m.get("method", "") if m else ""],
        [Label(_("Kind")), kinds, None, None],
    ], [26 * mm, 56 * mm, 18 * mm, CONTENT_WIDTH - 100 * mm], spans=[((1, 1), (3, 1))],
        row_heights=[9 * mm, None])
    out: list[Flowable] = [section_heading(_("Monitoring {n}").format(n=n) if not blank
                                           else _("Monitoring")), head, kit.gap(2)]
    out.append(text_box(_("The person's change"), m.get("change", "") if m else "",
                        min_height=30 * mm if blank else 12 * mm))
    out.append(section_heading(_("Progress of each goal and service")))
    progress = _progress(m) if m else []
    rows = [[str(p.get("goal", "")), str(p.get("progress", ""))] for p in progress]
    heights: list[float | None] = [None] * len(rows)
    if blank:
        plan = data.plan
        goals = [g.text for g in plan.goals] + [i.what for i in plan.items] if plan else []
        rows = [[g, ""] for g in goals]
        heights = [16 * mm] * len(rows)
        while len(rows) < 4:
            rows.append(["", ""])
            heights.append(16 * mm)
    elif not rows:
        rows, heights = [["", ""]], [10 * mm]
    out.append(flow_table(rows, [70 * mm, CONTENT_WIDTH - 70 * mm],
                          header=[_("Goal / service"), _("Progress")], row_heights=heights))
    out.append(kit.gap(2))
    amend = m.get("amendment_needed") if m else None
    amendment = choice_row([(_("Needed"), amend == 1 or amend is True),
                            (_("Not needed"), amend == 0 or amend is False)]
                           if m else [(_("Needed"), False), (_("Not needed"), False)])
    out.append(keep(grid([
        [Label(_("Satisfaction")), m.get("satisfaction", "") if m else ""],
        [Label(_("Plan amendment")), amendment],
        [Label(_("Next monitoring")), date_or_blank(_d(m.get("next_on")) if m else None)],
    ], [38 * mm, CONTENT_WIDTH - 38 * mm], row_heights=[None if m else 16 * mm, 9 * mm,
                                                        9 * mm])))
    if blank:
        out.append(kit.gap(2))
        out.append(grid([[Label(_("Written by")), "", Label(_("Date")), kit.blank_date()]],
                        [24 * mm, 60 * mm, 18 * mm, CONTENT_WIDTH - 102 * mm],
                        row_heights=[10 * mm]))
    return out


__all__ = ["render_monitoring", "story_monitoring"]
