"""インテーク・アセスメントシート — the assessment sheet (about five pages), filled or blank.

Basic data, 相談経路, 世帯構成, 相談歴, 生活歴・職歴, the situation by domain (master data),
the problem checklist (master data, check boxes drawn as shapes), 課題と背景要因, ストレングス,
本人の希望, team and expert assessment, スクリーニング結果. Prints the newest assessment
version; long text flows onto further pages between whole lines.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable

from app.domain import Route, Sex
from app.i18n import N_, _
from app.domain.assessment import Assessment, Screening, ScreeningResult
from forms import kit, page
from app.domain.paper import CaseData
from forms.kit import (Label, choice_row, date_or_blank, flow_table, grid, keep, section_heading,
                       text_box)
from forms.layout import CONTENT_WIDTH
from forms.marks import Choice, Choices
from forms.output import PrintResult
from forms.page import Furniture

TITLE = N_("Intake and assessment sheet")


def render_assessment(out_path: str | Path, agency, data: CaseData, *, blank: bool = False,
                      strict: bool = False) -> PrintResult:
    """Write the インテーク・アセスメントシート (the newest version, or blank)."""
    a = None if blank else data.assessment
    story = story_assessment(data, a)
    furniture = Furniture(agency_name=agency.name, case_no=data.case_no, sheet_title=_(TITLE))
    return page.render(out_path, story, furniture, texts(agency, data, a), strict=strict)


def texts(agency, data: CaseData, a: Assessment | None) -> list[str]:
    p = data.person
    out = [agency.name, data.case_no]
    if p:
        out += [p.name, p.kana, p.address, p.postal_code, p.phone_home, p.phone_mobile]
    if a:
        out += [a.author, a.reason, a.problem_other, a.analysis, a.strengths, a.wishes,
                a.consultation_history, a.life_history, *a.domains.values()]
        out += [str(v) for m in a.household for v in m.values()]
        out += [x for t in a.team for x in (t.name, t.organisation)]
        out += [str(v) for e in a.expert_opinions for v in e.values()]
    for s in data.screenings:
        out += [s.note]
    return out


def story_assessment(data: CaseData, a: Assessment | None) -> list[Flowable]:
    blank = a is None
    intake = data.intake
    person = data.person
    story: list[Flowable] = [kit.title(_(TITLE))]
    version = (_("No. {n}").format(n=a.version) if a else "")
    story.append(grid([[Label(_("Date of assessment")), date_or_blank(a.assessed_on if a else None),
                        Label(_("Written by")), a.author if a else "",
                        Label(_("Version")), version]],
                      [26 * mm, 56 * mm, 18 * mm, 40 * mm, 12 * mm, 28 * mm],
                      value_style="body", row_heights=[9 * mm]))
    if a and a.reason:
        story.append(grid([[Label(_("Reason for re-assessment")), a.reason]],
                          [34 * mm, CONTENT_WIDTH - 34 * mm], value_style="body"))

    # 基本情報
    story.append(section_heading(_("Basic information")))
    p = person
    sex = Choices([Choice(s.label, "check" if p is not None and getattr(p, "sex", None) == s
                          else "") for s in Sex], item_gap=9)
    phone = " / ".join(x for x in ((p.phone_home, p.phone_mobile) if p else ()) if x)
    on = a.assessed_on if a else None
    rows = kit.person_rows(data.case_no, p, on=on)
    rows.append([Label(_("Sex")), sex, Label(_("Phone")), phone])
    spans = [((1, 2), (3, 2))]
    empty = not (p and p.name)
    heights = [8 * mm, 11 * mm, 9 * mm, 8 * mm] if empty else [None, 10 * mm, None, None]
    story.append(grid(rows, kit.PERSON_COLS, spans=spans, row_heights=heights))

    # 相談経路
    story.append(section_heading(_("How the person reached the agency")))
    route = intake.route if (intake and not blank) else None
    routes = Choices([Choice(r.label, "check" if route == r else "") for r in Route],
                     columns=2, item_gap=4)
    source = intake.referral_source if (intake and not blank) else ""
    received = intake.received_on if (intake and not blank) else None
    story.append(grid([[Label(_("Route")), routes],
                       [Label(_("Referred by")), source],
                       [Label(_("Received on")), date_or_blank(received)]],
                      [30 * mm, CONTENT_WIDTH - 30 * mm],
                      row_heights=[None, 8 * mm, 8 * mm]))

    # 世帯構成
    story.append(CondPageBreak(40 * mm))
    story.append(section_heading(_("Household"), _("including the person")))
    story.append(_household(a))

    story.append(kit.gap(2))
    story.append(text_box(_("Consultation history"), a.consultation_history if a else "",
                          min_height=28 * mm if blank else 18 * mm,
                          note=_("(other agencies consulted so far, benefits received)")))
    story.append(kit.gap(2))
    story.append(text_box(_("Life history and work history"), a.life_history if a else "",
                          min_height=45 * mm if blank else 30 * mm))

    # 状況 by domain
    story.append(CondPageBreak(50 * mm))
    story.append(section_heading(_("The person's situation by domain")))
    domain_rows = []
    heights = []
    for key, name in data.domains:
        text = a.domains.get(key, "") if a else ""
        domain_rows.append([Label(name), text])
        heights.append(None if text else (20 * mm if blank else 9 * mm))
    story.append(flow_table(domain_rows, [40 * mm, CONTENT_WIDTH - 40 * mm],
                            value_style="value", row_heights=heights, label_cols=(0,),
                            max_lines=5))

    # 課題チェックリスト
    heading = section_heading(_("Problems the person faces"),
                              _("Tick every problem that applies."))
    chosen = set(a.problems) if a else set()
    items = []
    for key, name in data.problems:
        label = name
        if key == "other":
            other = a.problem_other if a and a.problem_other else "　" * 10
            label = _("Other ({detail})").format(detail=other)
        items.append(Choice(label, "check" if key in chosen else "", fill=key == "other"))
    story.append(keep(heading, grid([[Choices(items, columns=3, item_gap=4, leading=15)]],
                                    [CONTENT_WIDTH],
                                    extra=[("LEFTPADDING", (0, 0), (-1, -1), 5)])))

    story.append(kit.gap(2))
    story.append(text_box(_("Problems and their background"), a.analysis if a else "",
                          min_height=60 * mm if blank else 40 * mm))
    story.append(kit.gap(2))
    story.append(text_box(_("Strengths of the person"), a.strengths if a else "",
                          min_height=35 * mm if blank else 25 * mm))
    story.append(kit.gap(2))
    story.append(text_box(_("What the person wishes"), a.wishes if a else "",
                          min_height=35 * mm if blank else 25 * mm))

    # チーム・専門的アセスメント
    story.append(CondPageBreak(45 * mm))
    story.append(section_heading(_("Team assessment and expert opinions")))
    team = a.team if a else []
    team_rows = [[t.name, t.organisation] for t in team] or [["", ""] for _i in range(3)]
    story.append(flow_table(team_rows, [60 * mm, CONTENT_WIDTH - 60 * mm],
                            header=[_("Name"), _("Organisation")],
                            row_heights=[None if team else 8 * mm] * len(team_rows)))
    story.append(kit.gap(2))
    experts = a.expert_opinions if a else []
    expert_rows = [[_expert_who(e), str(e.get("opinion") or e.get("text") or "")]
                   for e in experts] or [["", ""] for _i in range(3)]
    story.append(flow_table(expert_rows, [50 * mm, CONTENT_WIDTH - 50 * mm],
                            header=[_("Expert (field, agency)"), _("Opinion")],
                            row_heights=[None if experts else 14 * mm] * len(expert_rows)))

    # スクリーニング
    story.append(CondPageBreak(40 * mm))
    story.append(section_heading(_("Screening result")))
    screening = _screening_for(data, a)
    result = screening.result if screening else None
    results = choice_row([(r.label, result == r.value) for r in ScreeningResult], item_gap=20)
    story.append(grid([
        [Label(_("Result")), results],
        [Label(_("Date of screening")),
         date_or_blank(screening.screened_on if screening else None)],
        [Label(_("Reported to the municipality")),
         date_or_blank(screening.reported_on if screening else None)],
        [Label(_("Note")), screening.note if screening else ""],
    ], [34 * mm, CONTENT_WIDTH - 34 * mm], row_heights=[None, 8 * mm, 8 * mm,
                                                         None if screening else 14 * mm]))
    return story


def _expert_who(e: dict) -> str:
    return str(e.get("expert") or e.get("who") or e.get("field") or e.get("name") or "")


def _screening_for(data: CaseData, a: Assessment | None) -> Screening | None:
    if a is None:
        return None
    mine = [s for s in data.screenings if s.assessment_version == a.version]
    return mine[-1] if mine else None


def _household(a: Assessment | None) -> Flowable:
    members = a.household if a else []
    header = [_("Name"), _("Relationship"), _("Age"), _("Living together"), _("Working"),
              _("Note")]
    widths = [42 * mm, 24 * mm, 16 * mm, 20 * mm, 20 * mm, CONTENT_WIDTH - 122 * mm]

    def yes_no(v) -> str:
        if v is None or v == "":
            return ""
        if isinstance(v, bool):
            return _("Yes") if v else _("No")
        return str(v)

    rows = [[str(m.get("name", "")), str(m.get("relation", "")),
             str(m.get("age", "") if m.get("age") is not None else ""),
             yes_no(m.get("together")), yes_no(m.get("working")), str(m.get("note", ""))]
            for m in members]
    heights: list[float | None] = [None] * len(rows)
    while len(rows) < (6 if not members else len(rows)):
        rows.append([""] * 6)
        heights.append(8 * mm)
    return flow_table(rows, widths, header=header, row_heights=heights)


__all__ = ["render_assessment", "story_assessment"]

