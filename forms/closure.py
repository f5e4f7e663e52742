"""終結・フォローアップ記録 — the closure (pattern (1)(2)(3) with its reason, the person's
intention and how it was confirmed, the 支援調整会議, referrals, the follow-up plan) and the
follow-up contacts after it.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.i18n import N_, _
from app.domain.closure import Closure, ClosureGrounds, ClosurePattern, Followup
from app.domain.meeting import MeetingResult, ProposalStatus
from forms import kit, page
from app.domain.paper import CaseData
from forms.kit import (Label, choice_row, date_or_blank, flow_table, grid, section_heading,
                       text_box, wareki)
from forms.layout import CONTENT_WIDTH
from forms.output import PrintResult
from forms.page import Furniture

TITLE = N_("Closure and follow-up record")


def render_closure(out_path: str | Path, agency, data: CaseData, *, blank: bool = False,
                   strict: bool = False) -> PrintResult:
    closure = None if blank or not data.closures else data.closures[-1]
    followups = [] if blank else data.followups
    story = story_closure(data, closure, followups)
    furniture = Furniture(agency_name=agency.name, case_no=data.case_no, sheet_title=_(TITLE))
    texts = [agency.name, data.case_no]
    if data.person:
        texts += [data.person.name, data.person.kana]
    if closure:
        texts += [closure.reason, closure.intention, closure.intention_how,
                  closure.followup_plan]
        texts += list(closure.referrals)
    for f in followups:
        texts += [f.method, f.contact_person, f.content]
    return page.render(out_path, story, furniture, texts, strict=strict)


def story_closure(data: CaseData, c: Closure | None, followups: list[Followup]
                  ) -> list[Flowable]:
    story: list[Flowable] = [kit.title(_(TITLE))]
    story.append(kit.person_grid(data.case_no, data.person, address=False))
    blank = c is None
    pattern = c.pattern if c else None
    grounds = c.grounds if c else None
    patterns = choice_row([(p.label, pattern == p.value) for p in ClosurePattern],
                          columns=1)
    ground_boxes = choice_row([(g.label, grounds == g.value) for g in ClosureGrounds],
                              item_gap=14)
    story.append(section_heading(_("Closure")))
    story.append(grid([
        [Label(_("Date proposed")), date_or_blank(c.proposed_on if c else None)],
        [Label(_("Closure pattern")), patterns],
        [Label(_("Grounds (pattern 3)")), ground_boxes],
    ], [34 * mm, CONTENT_WIDTH - 34 * mm], row_heights=[9 * mm, None, 9 * mm]))
    story.append(kit.gap(2))
    story.append(text_box(_("Reason for closure"), c.reason if c else "",
                          min_height=12 * mm if c else 25 * mm))

    story.append(section_heading(_("The person's intention")))
    story.append(grid([
        [Label(_("The person's intention")), c.intention if c else "", None, None],
        [Label(_("How confirmed")), c.intention_how if c else "",
         Label(_("When confirmed")),
         date_or_blank(c.intention_on if c else None)],
    ], [30 * mm, 56 * mm, 22 * mm, CONTENT_WIDTH - 108 * mm], spans=[((1, 0), (3, 0))],
        row_heights=[None if c else 16 * mm, 9 * mm]))

    found = data.meeting_of(c.id) if c else None
    if found is None and c and c.evaluation_id:   # decided with its プラン評価
        found = data.meeting_of(c.evaluation_id)
    result = found[0].result if found else None
    results = choice_row([(r.label, result == r) for r in MeetingResult], item_gap=14)
    story.append(section_heading(_("Support coordination meeting")))
    story.append(grid([[Label(_("Date of the meeting")), date_or_blank(found[1] if found else None),
                        Label(_("Result")), results],
                       [Label(_("Conditions")), found[0].conditions if found else "", None, None]],
                      [26 * mm, 46 * mm, 14 * mm, CONTENT_WIDTH - 86 * mm],
                      spans=[((1, 1), (3, 1))], row_heights=[10 * mm, None if found else 10 * mm]))

    referrals = "、".join(c.referrals) if c else ""
    story.append(section_heading(_("Referrals on closure and follow-up plan")))
    story.append(grid([[Label(_("Referred to")), referrals],
                       [Label(_("Follow-up plan")), c.followup_plan if c else ""]],
                      [44 * mm, CONTENT_WIDTH - 44 * mm],
                      row_heights=[None if referrals else 10 * mm,
                                   None if c and c.followup_plan else 16 * mm]))
    if c and c.status is ProposalStatus.CONFIRMED and c.confirmed_on:
        story.append(kit.para(_("Closure confirmed on {date}.").format(
            date=wareki(c.confirmed_on)), "note"))

    story.append(section_heading(_("Follow-up contacts")))
    rows = [[wareki(f.contacted_on), f.method, f.contact_person, f.content] for f in followups]
    heights: list[float | None] = [None] * len(rows)
    for _i in range(len(rows), 5 if blank or not rows else len(rows)):
        rows.append(["", "", "", ""])
        heights.append(14 * mm)
    story.append(flow_table(rows, [32 * mm, 20 * mm, 30 * mm, CONTENT_WIDTH - 82 * mm],
                            header=[_("Date"), _("Method"), _("Contacted person"), _("Content")],
                            row_heights=heights))
    return story


__all__ = ["render_closure", "story_closure"]
