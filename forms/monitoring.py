"""モニタリングシート — every monitoring of the case (or a blank one for the next visit).

Date, kind (支援開始直後 / 定期 / 随時), method, the person's change, progress of each goal and
service, satisfaction, whether the plan needs amending, next monitoring date. The blank sheet
lists the goals of the plan in effect so the worker only writes the progress.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.i18n import N_, _
from app.domain.monitoring import Monitoring, MonitoringKind
from app.domain.plan import Plan
from forms import kit, page
from app.domain.paper import CaseData
from forms.kit import (Label, choice_row, date_or_blank, flow_table, grid, keep, section_heading,
                       text_box)
from forms.layout import CONTENT_WIDTH
from forms.output import PrintResult
from forms.page import Furniture

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
        texts += [m.method, m.change, m.satisfaction]
        texts += [str(v) for p in _progress(m) for v in p.values()]
    return page.render(out_path, story, furniture, texts, strict=strict)


def _progress(m: Monitoring) -> list[dict]:
    """Each goal's progress as recorded (older and imported rows name the keys differently)."""
    out = []
    for p in m.progress:
        if isinstance(p, dict):
            goal = p.get("goal") or p.get("target") or p.get("item") or ""
            text = p.get("progress") or p.get("text") or p.get("note") or p.get("status") or ""
            out.append({"goal": str(goal), "progress": str(text)})
        elif p:
            out.append({"goal": "", "progress": str(p)})
    return out


def by_plan(data: CaseData, monitorings: list[Monitoring]
            ) -> list[tuple[Plan | None, list[Monitoring]]]:
    """The monitorings grouped under the plan they monitored (oldest plan first), each group
    oldest first. Monitorings of a plan the sheet does not know come last, under no plan."""
    plans = list(data.plans)
    order = {p.id: i for i, p in enumerate(plans)}
    groups: dict[str | None, list[Monitoring]] = {}
    for m in sorted(monitorings, key=lambda m: (m.monitored_on, m.hlc)):
        pid = m.plan_id
        groups.setdefault(pid if pid in order else None, []).append(m)
    known = sorted((k for k in groups if k is not None), key=lambda k: order[k])
    out: list[tuple[Plan | None, list[Monitoring]]] = [
        (plans[order[pid]], groups[pid]) for pid in known]
    if None in groups:
        out.append((None, groups[None]))
    return out


def _plan_row(plan) -> Flowable:
    plan_line = ""
    if plan:
        plan_line = _("Plan No. {n}: {aim}").format(n=plan.number, aim=plan.aim)
    return grid([[Label(_("Plan")), plan_line]], [24 * mm, CONTENT_WIDTH - 24 * mm],
                row_heights=[None if plan_line else 9 * mm])


def story_monitoring(data: CaseData, monitorings: list[Monitoring]) -> list[Flowable]:
    """Title and person, then per plan its monitorings one after another (a new monitoring
    starts on a new page only when it does not fit), each with its per-goal progress."""
    story: list[Flowable] = [kit.title(_(TITLE))]
    story.append(kit.person_grid(data.case_no, data.person, address=False))
    if not monitorings:
        story.append(_plan_row(data.plan))
        story += _one(data, None, 1)
        return story
    n = 0
    for plan, group in by_plan(data, monitorings):
        story.append(kit.gap(2))
        story.append(_plan_row(plan))
        for m in group:
            n += 1
            story += _one(data, m, n, plan)
    return story


def _one(data: CaseData, m: Monitoring | None, n: int, plan=None) -> list[Flowable]:
    blank = m is None
    kind = m.kind if m else None
    kinds = choice_row([(k.label, kind == k.value) for k in MonitoringKind], item_gap=14)
    head = grid([
        [Label(_("Date of monitoring")), date_or_blank(m.monitored_on if m else None),
         Label(_("Method")), m.method if m else ""],
        [Label(_("Kind")), kinds, None, None],
    ], [26 * mm, 56 * mm, 18 * mm, CONTENT_WIDTH - 100 * mm], spans=[((1, 1), (3, 1))],
        row_heights=[9 * mm, None])
    out: list[Flowable] = [section_heading(_("Monitoring {n}").format(n=n) if not blank
                                           else _("Monitoring")), head, kit.gap(2)]
    out.append(text_box(_("The person's change"), m.change if m else "",
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
        goals = [g.text for g in plan.goals] if plan else []
        rows = [[g, ""] for g in goals] or [["", ""]]
        heights = [10 * mm] * len(rows)
    out.append(flow_table(rows, [70 * mm, CONTENT_WIDTH - 70 * mm],
                          header=[_("Goal / service"), _("Progress")], row_heights=heights))
    out.append(kit.gap(2))
    amendment = choice_row([(_("Needed"), m.amendment_needed),
                            (_("Not needed"), not m.amendment_needed)]
                           if m else [(_("Needed"), False), (_("Not needed"), False)])
    out.append(keep(grid([
        [Label(_("Satisfaction")), m.satisfaction if m else ""],
        [Label(_("Plan amendment")), amendment],
        [Label(_("Next monitoring")), date_or_blank(m.next_on if m else None)],
    ], [38 * mm, CONTENT_WIDTH - 38 * mm], row_heights=[None if m else 16 * mm, 9 * mm,
                                                        9 * mm])))
    if blank:
        out.append(kit.gap(2))
        out.append(grid([[Label(_("Written by")), "", Label(_("Date")), kit.blank_date()]],
                        [24 * mm, 60 * mm, 18 * mm, CONTENT_WIDTH - 102 * mm],
                        row_heights=[10 * mm]))
    return out


__all__ = ["render_monitoring", "story_monitoring"]
