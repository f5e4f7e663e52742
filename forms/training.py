"""研修受講履歴: one staff member's national training, Off-JT and OJT / 事例検討 sessions
(cases by number only)."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm

from app.domain.paper import TrainingHistory
from app.i18n import _
from forms import kit, page
from forms.kit import flow_table, gap, para, section_heading, title
from forms.layout import CONTENT_WIDTH
from forms.page import Furniture


def render_training_history(paper: TrainingHistory, out: Path):
    agency = paper.agency
    heading = _("Training history of {name}").format(name=paper.name)
    story: list = [title(heading),
                   para(_("{role}, as of {date}").format(role=paper.role,
                                                        date=kit.wareki(paper.today))),
                   gap(2)]
    if paper.required_course:
        state = (_("completed on {date}").format(date=kit.wareki(paper.national_done_on))
                 if paper.national_done_on else _("NOT YET COMPLETED"))
        story.append(para(_("National course the role needs: {course} — {state}").format(
            course=paper.required_course, state=state)))
    rows = []
    for t in paper.trainings:
        hours = "" if t.hours is None else f"{t.hours:g}"
        rows.append([kit.wareki(t.completed_on), t.kind, t.title, t.organiser, hours])
    story += [section_heading(_("National training and Off-JT")),
              flow_table(rows or [["", "", _("None recorded"), "", ""]],
                         [30 * mm, 26 * mm, 64 * mm, 40 * mm, CONTENT_WIDTH - 160 * mm],
                         header=[_("Date"), _("Kind"), _("Title"), _("Organiser"), _("Hours")],
                         max_lines=4)]
    srows = [[kit.wareki(s.held_on), s.kind, s.topic, "、".join(s.case_numbers), s.leader]
             for s in paper.sessions]
    story += [section_heading(_("OJT and case reviews")),
              flow_table(srows or [["", "", _("None recorded"), "", ""]],
                         [30 * mm, 24 * mm, 66 * mm, 40 * mm, CONTENT_WIDTH - 160 * mm],
                         header=[_("Date"), _("Kind"), _("Topic"), _("Case numbers"),
                                 _("Led by")], max_lines=4)]
    texts = [heading, agency.name, paper.name] + [str(c) for r in rows + srows
                                                               for c in r]
    f = Furniture(agency_name=agency.name, sheet_title=_("Training history"),
                  show_case_no=False)
    f.footer = _("Staff record")
    return page.render(Path(out), story, f, texts, title=heading)
