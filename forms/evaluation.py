"""評価シート — プラン評価: per goal 達成 / 一部達成 / 未達成, support delivered, outcomes,
the decision (終結 / 再プラン / 再アセスメント / 継続) and the 支援調整会議 that confirmed it.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from app.i18n import N_, _
from app.domain.evaluation import Attainment, Evaluation, EvaluationDecision
from app.domain.meeting import MeetingResult
from forms import kit, page
from app.domain.paper import CaseData
from forms.kit import (Label, choice_row, date_or_blank, flow_table, grid, keep, section_heading,
                       text_box, wareki)
from forms.layout import CONTENT_WIDTH
from forms.marks import Choice, Choices
from forms.output import PrintResult
from forms.page import Furniture

TITLE = N_("Plan evaluation sheet")


def render_evaluation(out_path: str | Path, agency, data: CaseData, *, blank: bool = False,
                      strict: bool = False) -> PrintResult:
    rows = [] if blank else data.evaluations
    story = story_evaluation(data, rows)
    furniture = Furniture(agency_name=agency.name, case_no=data.case_no, sheet_title=_(TITLE))
    texts = [agency.name, data.case_no]
    if data.person:
        texts += [data.person.name, data.person.kana]
    for e in rows:
        texts += [e.support_delivered, e.note]
        texts += [goal for goal, _att in e.attainment]
    return page.render(out_path, story, furniture, texts, strict=strict)


def story_evaluation(data: CaseData, evaluations: list[Evaluation]) -> list[Flowable]:
    story: list[Flowable] = [kit.title(_(TITLE))]
    story.append(kit.person_grid(data.case_no, data.person, address=False))
    shown: list[Evaluation | None] = list(evaluations) or [None]   # none yet: one blank sheet
    for n, e in enumerate(shown):
        if n:
            story.append(PageBreak())
        story += _one(data, e)
    return story


def _one(data: CaseData, e: Evaluation | None) -> list[Flowable]:
    plan = next((p for p in data.plans if e and p.id == e.plan_id), None)
    if e is None:
        plan = data.plan
    period = ""
    if plan and (plan.period_from or plan.period_to):
        period = _("{start} to {end}").format(start=wareki(plan.period_from),
                                              end=wareki(plan.period_to))
    out: list[Flowable] = [kit.gap(2), grid([
        [Label(_("Date of evaluation")),
         date_or_blank(e.evaluated_on if e else None),
         Label(_("Plan")), _("Plan No. {n}").format(n=plan.number) if plan else ""],
        [Label(_("Plan period")), period or (_("{start} to {end}").format(
            start=kit.blank_date(), end=kit.blank_date()) if e is None else ""), None, None],
    ], [26 * mm, 60 * mm, 16 * mm, CONTENT_WIDTH - 102 * mm], spans=[((1, 1), (3, 1))],
        row_heights=[9 * mm, 9 * mm])]

    # goals
    out.append(section_heading(_("Attainment of each goal")))
    if e is not None:
        pairs: list[tuple[str, str | None]] = [(goal, att.value)
                                               for goal, att in e.attainment]
    else:
        pairs = [(g.text, None) for g in (plan.goals if plan else [])]
        while len(pairs) < 3:
            pairs.append(("", None))
    rows = []
    for goal, att in pairs:
        rows.append([goal, choice_row([(a.label, att == a.value) for a in Attainment],
                                      item_gap=10)])
    out.append(flow_table(rows, [CONTENT_WIDTH - 82 * mm, 82 * mm],
                          header=[_("Short-term goal"), _("Attainment")],
                          row_heights=[None if e else 14 * mm] * len(rows), valign="MIDDLE"))
    out.append(kit.gap(2))
    out.append(text_box(_("Support delivered"), e.support_delivered if e else "",
                        min_height=14 * mm if e else 28 * mm))

    # outcomes
    out.append(section_heading(_("Outcomes")))
    employed = e.employed_on if e else None
    income = e.income_increased_on if e else None
    first = Choices([
        Choice(_("Employment (from {date})").format(
            date=wareki(employed) if employed else "　" * 10), "check" if employed else ""),
        Choice(_("Increased income (from {date})").format(
            date=wareki(income) if income else "　" * 10), "check" if income else ""),
    ], item_gap=18)
    improved = choice_row([(_("Motivation"), bool(e and e.motivation)),
                           (_("Relationships"), bool(e and e.relationships)),
                           (_("Participation"), bool(e and e.participation)),
                           (_("Economic hardship"), bool(e and e.hardship))],
                          item_gap=16)
    out.append(grid([[Label(_("Employment and income")), first],
                     [Label(_("Improved")), improved]],
                    [34 * mm, CONTENT_WIDTH - 34 * mm], row_heights=[9 * mm, 9 * mm]))

    # decision and meeting
    decision = e.decision if e else None
    decisions = choice_row([(d.label, decision == d.value) for d in EvaluationDecision],
                           item_gap=16)
    found = data.meeting_of(e.id) if e else None
    result = found[0].result if found else None
    results = choice_row([(r.label, result == r) for r in MeetingResult], item_gap=14)
    out.append(keep(section_heading(_("Decision")), grid([
        [Label(_("Decision")), decisions, None, None],
        [Label(_("Date of the meeting")), date_or_blank(found[1] if found else None),
         Label(_("Result")), results],
        [Label(_("Note")), e.note if e else "", None, None],
    ], [26 * mm, 46 * mm, 14 * mm, CONTENT_WIDTH - 86 * mm],
        spans=[((1, 0), (3, 0)), ((1, 2), (3, 2))],
        row_heights=[9 * mm, 10 * mm, None if e else 18 * mm])))
    return out


__all__ = ["render_evaluation", "story_evaluation"]
