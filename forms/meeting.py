"""支援調整会議 — the agenda (資料) and the record (記録) of one meeting.

Agenda: date, kind, place, participants (name, organisation), and per item the case number,
the person as INITIALS (the full name only when the person's recorded consent covers every
participating organisation on the meeting day), the item type and the proposed plan's summary.
Record: the result of each item (了承 / 修正のうえ了承 / 再検討) with its conditions, the
地域課題 noted, the minutes and the next meeting.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.i18n import _
from app.domain.meeting import AgendaKind, Meeting, MeetingResult, municipality_attended
from app.domain.paper import MEETING_SHEETS, MeetingData
from forms import kit, page
from forms.kit import (Label, choice_row, date_or_blank, flow_table, grid, para, section_heading,
                       text_box, wareki)
from forms.layout import CONTENT_WIDTH
from forms.output import PrintResult
from forms.page import Furniture


def _header(m: Meeting, title: str) -> list[Flowable]:
    kind = choice_row([(_("Regular"), m.kind.value == "regular"),
                       (_("Ad hoc"), m.kind.value == "ad_hoc")], item_gap=14)
    return [kit.title(title), grid([
        [Label(_("Date of the meeting")), wareki(m.held_on), Label(_("Kind")), kind],
        [Label(_("Place")), m.place, None, None],
    ], [24 * mm, 60 * mm, 16 * mm, CONTENT_WIDTH - 100 * mm], spans=[((1, 1), (3, 1))],
        row_heights=[9 * mm, 9 * mm])]


def _participants(m: Meeting, blank_rows: int = 0) -> list[Flowable]:
    rows = [[p.name, p.organisation] for p in m.participants]
    heights: list[float | None] = [None] * len(rows)
    for _i in range(blank_rows):
        rows.append(["", ""])
        heights.append(8 * mm)
    if not rows:
        rows, heights = [["", ""]], [8 * mm]
    attended = getattr(m, "municipality_attended", None)
    if attended is None:
        attended = municipality_attended(list(m.participants))
    absence = getattr(m, "municipality_absence", "")
    line = (_("Municipality: attends") if attended else
            _("Municipality: does not attend") + (f"（{absence}）" if absence else ""))
    return [section_heading(_("Participants")),
            flow_table(rows, [60 * mm, CONTENT_WIDTH - 60 * mm],
                       header=[_("Name"), _("Organisation")], row_heights=heights),
            para(line)]


def _texts(agency, data: MeetingData, *, minutes: bool = False) -> list[str]:
    """What the sheet prints from the data: the agenda the summaries, the record the
    results' conditions, the regional issues and the minutes."""
    m = data.meeting
    out = [agency.name, m.place, getattr(m, "municipality_absence", "")] + ([m.minutes] if minutes else [])
    out += [x for p in m.participants for x in (p.name, p.organisation)]
    for r in data.rows:
        out += [r.who, r.case_no]
        if not minutes or r.kind is AgendaKind.REGIONAL_ISSUE:
            out.append(r.summary)
        if minutes:
            out.append(r.conditions)
    return out


def _furniture(agency, title: str) -> Furniture:
    return Furniture(agency_name=agency.name, sheet_title=title, show_case_no=False)


def render_agenda(out_path: str | Path, agency, data: MeetingData, *,
                  strict: bool = False) -> PrintResult:
    title = _("Support coordination meeting: agenda")
    m = data.meeting
    story = _header(m, title) + _participants(m)
    story.append(section_heading(_("Agenda"), _("Persons are shown by initials unless their consent covers the participants.")))
    rows = [[str(i + 1), r.case_no, r.who, r.kind.label, r.summary]
            for i, r in enumerate(data.rows)]
    if not rows:
        rows = [["", "", "", "", ""]]
    story.append(flow_table(rows, [9 * mm, 22 * mm, 24 * mm, 22 * mm, CONTENT_WIDTH - 77 * mm],
                            header=["No.", _("Case No."), _("Person (initials)"), _("Item type"),
                                    _("Summary (proposed plan)")]))
    story.append(kit.gap(3))
    story.append(para(_("This material contains personal information: it is collected at the "
                        "end of the meeting. Participants are bound to confidentiality."),
                      "note"))
    return page.render(out_path, story, _furniture(agency, title), _texts(agency, data),
                      strict=strict)


def render_minutes(out_path: str | Path, agency, data: MeetingData, *,
                   strict: bool = False) -> PrintResult:
    title = _("Support coordination meeting: record")
    m = data.meeting
    story = _header(m, title) + _participants(m)
    story.append(section_heading(_("Results")))
    rows = []
    case_rows = [r for r in data.rows if r.kind is not AgendaKind.REGIONAL_ISSUE]
    for i, r in enumerate(case_rows):
        results = choice_row([(x.label, r.result == x) for x in MeetingResult], columns=1)
        rows.append([str(i + 1), r.case_no, r.who, r.kind.label, results, r.conditions])
    if not rows:
        rows = [["", "", "", "", "", ""]]
    story.append(flow_table(rows, [9 * mm, 22 * mm, 24 * mm, 22 * mm, 38 * mm,
                                   CONTENT_WIDTH - 115 * mm],
                            header=["No.", _("Case No."), _("Person (initials)"), _("Item type"),
                                    _("Result"), _("Conditions / changes")]))
    issues = [r for r in data.rows if r.kind is AgendaKind.REGIONAL_ISSUE]
    story.append(section_heading(_("Regional issues")))
    issue_rows = [[r.summary, r.conditions] for r in issues] or [["", ""]]
    story.append(flow_table(issue_rows, [CONTENT_WIDTH / 2, CONTENT_WIDTH / 2],
                            header=[_("Issue"), _("Discussion")],
                            row_heights=[None if issues else 14 * mm] * len(issue_rows)))
    story.append(kit.gap(2))
    story.append(text_box(_("Minutes"), m.minutes, min_height=30 * mm))
    story.append(kit.gap(2))
    story.append(grid([[Label(_("Next meeting")), date_or_blank(m.next_meeting_on)]],
                      [30 * mm, CONTENT_WIDTH - 30 * mm], row_heights=[9 * mm]))
    return page.render(out_path, story, _furniture(agency, title),
                      _texts(agency, data, minutes=True), strict=strict)


__all__ = ["MEETING_SHEETS", "render_agenda", "render_minutes"]
