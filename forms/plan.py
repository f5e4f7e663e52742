"""プラン兼事業等利用申込書 — the support plan, which is also the application for services.

本人の目指す姿, 短期目標 (with target dates), per problem 支援内容 / 支援を行う機関 / 期間・頻度,
the statutory services applied for (check boxes from the services master data), プラン期間,
次回モニタリング予定日, the application sentence with 本人署名 and 印, 作成者, 作成日,
支援調整会議 (開催日, 結果) and 自治体の支援決定・確認 (日付, 担当).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable

from app.i18n import N_, _
from app.domain.decision import DecisionResult
from app.domain.meeting import MeetingResult
from app.domain.plan import Plan, PlanKind
from forms import kit, page
from app.domain.paper import CaseData
from forms.kit import (Label, choice_row, date_or_blank, flow_table, grid, keep, para,
                       section_heading, text_box, wareki)
from forms.layout import CONTENT_WIDTH
from forms.marks import Choice, Choices
from forms.output import PrintResult
from forms.page import Furniture

TITLE = N_("Support plan and application for services")


def render_plan(out_path: str | Path, agency, data: CaseData, *, blank: bool = False,
                strict: bool = False) -> PrintResult:
    """Write the プラン兼事業等利用申込書 (the plan in effect, else the newest draft)."""
    plan = None if blank else data.plan
    story = story_plan(agency, data, plan)
    furniture = Furniture(agency_name=agency.name, case_no=data.case_no, sheet_title=_(TITLE))
    texts = [agency.name, data.case_no]
    p = data.person
    if p:
        texts += [p.name, p.kana]          # the plan does not print the address
    if plan:
        texts += [plan.aim, plan.author, plan.conditions, *(g.text for g in plan.goals)]
        texts += [x for i in plan.items for x in (i.what, i.provider, i.problem, i.frequency)]
        texts += [d.officer for d in data.decisions]
    return page.render(out_path, story, furniture, texts, strict=strict)


def _period(start: date | None, end: date | None, blank: bool) -> str:
    if start or end:
        return _("{start} to {end}").format(start=wareki(start), end=wareki(end))
    return _("{start} to {end}").format(start=kit.blank_date(), end=kit.blank_date()) \
        if blank else ""


def story_plan(agency, data: CaseData, plan: Plan | None) -> list[Flowable]:
    blank = plan is None
    story: list[Flowable] = [kit.title(_(TITLE))]
    kind = Choices([Choice(_("First plan"), "check" if plan and plan.kind is PlanKind.FIRST
                           else ""),
                    Choice(_("Re-plan"), "check" if plan and plan.kind is PlanKind.REPLAN
                           else "")], item_gap=10)
    number = _("No. {n}").format(n=plan.number) if plan else _("No. ____")
    story.append(grid([[Label(_("Date of creation")),
                        date_or_blank(plan.created_on if plan else None),
                        Label(_("Author")), plan.author if plan else "",
                        Label(_("Plan")), [kind, para(number, "body")]]],
                      [20 * mm, 46 * mm, 16 * mm, 42 * mm, 14 * mm, CONTENT_WIDTH - 138 * mm],
                      value_style="body", row_heights=[None]))  # the kind: 3 lines
    story.append(kit.gap(1.5))
    story.append(kit.person_grid(data.case_no, data.person,
                                 on=plan.created_on if plan else None, address=False))

    story.append(kit.gap(2))
    story.append(text_box(_("The person's aim (long-term goal)"), plan.aim if plan else "",
                          min_height=14 * mm if plan else 22 * mm, lines_per_row=2))

    # 短期目標
    story.append(section_heading(_("Short-term goals")))
    goals = plan.goals if plan else []
    rows = [[str(i + 1), g.text, date_or_blank(g.target_on, blank=False)]
            for i, g in enumerate(goals)]
    heights: list[float | None] = [None] * len(rows)
    for i in range(len(rows), 3 if blank else len(rows)):
        rows.append([str(i + 1), "", kit.blank_date()])
        heights.append(12 * mm)
    story.append(flow_table(rows, [10 * mm, CONTENT_WIDTH - 58 * mm, 48 * mm],
                            header=["No.", _("Short-term goal"), _("Target date")],
                            value_style="value", row_heights=heights, valign="MIDDLE"))

    # 支援内容
    story.append(section_heading(_("Support content"),
                                 _("Provider: this agency, or the name of the provider")))
    items = plan.items if plan else []
    rows = []
    heights = []
    for item in items:
        provider = item.provider or _("This agency ({agency})").format(agency=agency.name)
        service = data.service_name(item.service_key)
        what = item.what if service in item.what else f"{item.what}\n（{service}）"
        period = (_("{start} to {end}").format(start=wareki(item.period_from) + "\n",
                                                end=wareki(item.period_to))
                  if item.period_from or item.period_to else "")
        rows.append([item.problem, what, provider,
                     "\n".join(x for x in (period, item.frequency) if x)])
        heights.append(None)
    for _i in range(len(rows), 4 if blank else len(rows)):
        rows.append(["", "", "", ""])
        heights.append(18 * mm)
    story.append(flow_table(rows, [34 * mm, 66 * mm, 40 * mm, CONTENT_WIDTH - 140 * mm],
                            header=[_("Problem"), _("Support content"),
                                    _("Provider"), _("Period and frequency")],
                            row_heights=heights))

    # 法定サービス
    story.append(CondPageBreak(40 * mm))
    story.append(section_heading(_("Services applied for"),
                                 _("Statutory services (the municipality decides on them)")))
    applied = {i.service_key for i in items}
    statutory = [s for s in data.services if s.statutory]
    boxes = Choices([Choice(s.name, "check" if s.key in applied else "") for s in statutory],
                    columns=2, item_gap=4, leading=15)
    story.append(grid([[boxes]], [CONTENT_WIDTH], extra=[("LEFTPADDING", (0, 0), (-1, -1), 5)]))

    story.append(kit.gap(2))
    story.append(grid([
        [Label(_("Plan period")), _period(plan.period_from if plan else None,
                                          plan.period_to if plan else None, True)],
        [Label(_("Next monitoring")), date_or_blank(plan.next_monitoring_on if plan else None)],
    ], [40 * mm, CONTENT_WIDTH - 40 * mm], row_heights=[9 * mm, 9 * mm]))

    # 申込 and 署名
    sentences = [para(_("I agree to this plan and apply for the services above."), "formal")]
    story.append(keep(
        section_heading(_("The person's agreement and application")),
        grid([[sentences]], [CONTENT_WIDTH],
             extra=[("LEFTPADDING", (0, 0), (-1, -1), 8), ("TOPPADDING", (0, 0), (-1, -1), 5)]),
        kit.signature_block(_("Date"), plan.signed_on if plan else None)))

    # 支援調整会議 and 支援決定
    story.append(CondPageBreak(50 * mm))
    story.append(section_heading(_("Support coordination meeting and support decision")))
    story.append(_meeting_grid(data, plan))
    story.append(kit.gap(1.5))
    story.append(_decision_table(data, plan))
    return story


def _meeting_grid(data: CaseData, plan: Plan | None) -> Flowable:
    found = data.meeting_of(plan.id) if plan else None
    held = found[1] if found else None
    result = found[0].result if found else None
    conditions = (found[0].conditions if found else "") or (plan.conditions if plan else "")
    results = choice_row([(r.label, result == r) for r in MeetingResult], item_gap=16)
    return grid([[Label(_("Date of the meeting")), date_or_blank(held), Label(_("Result")),
                  results],
                 [Label(_("Conditions")), conditions, None, None]],
                [24 * mm, 48 * mm, 16 * mm, CONTENT_WIDTH - 88 * mm],
                spans=[((1, 1), (3, 1))], row_heights=[10 * mm, None if conditions else 12 * mm])


def _decision_table(data: CaseData, plan: Plan | None) -> Flowable:
    header = [_("Service"), _("Support decision / confirmation"), _("Date"),
              _("Municipal officer")]
    rows = []
    heights: list[float | None] = []
    if plan is not None:
        decided = {d.service_key: d for d in data.decisions if d.plan_id == plan.id}
        for item in plan.items:
            name = data.service_name(item.service_key)
            d = decided.get(item.service_key)
            if item.decision == "reported":
                state = _("Reported (no decision needed)")
            elif d is None:
                state = _("Waiting for the decision")
            elif d.result is DecisionResult.APPROVED:
                state = _("Decided")
            else:
                state = _("Not granted")
            on = d.decided_on if d else None
            rows.append([name, state, wareki(on), d.officer if d else ""])
            heights.append(None)
    for _i in range(len(rows), 3 if plan is None else len(rows)):
        rows.append(["", choice_row([(_("Decided"), False), (_("Reported"), False)]),
                     kit.blank_date(), ""])
        heights.append(10 * mm)
    return flow_table(rows, [56 * mm, 44 * mm, 44 * mm, CONTENT_WIDTH - 144 * mm],
                      header=header, row_heights=heights, valign="MIDDLE")


__all__ = ["render_plan", "story_plan"]
