"""研修受講履歴: one staff member's national training, Off-JT and OJT / 事例検討 sessions
(cases by number only)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm

from app.i18n import _
from forms import kit, page
from forms.kit import flow_table, gap, para, section_heading, title
from forms.layout import CONTENT_WIDTH
from forms.page import Furniture


def render_training_history(agency, staff: dict[str, Any], trainings: list[dict[str, Any]],
                            sessions: list[dict[str, Any]], overview: dict[str, Any] | None,
                            out: Path, *, today: date):
    from app.operations.region import NationalCourse, TrainingKind
    from app.security.roles import Role
    heading = _("Training history of {name}").format(name=staff["display_name"])
    role = Role(staff["role"]).label if staff["role"] in {r.value for r in Role} else ""
    story: list = [title(heading),
                   para(_("{role}, as of {date}").format(role=role, date=kit.wareki(today))),
                   gap(2)]
    if overview and overview["required_course"]:
        need = NationalCourse(overview["required_course"]).label
        state = (_("completed on {date}").format(date=kit.wareki(overview["national_done_on"]))
                 if overview["national_done_on"] else _("NOT YET COMPLETED"))
        story.append(para(_("National course the role needs: {course} — {state}").format(
            course=need, state=state)))
    rows = []
    for t in trainings:
        kind = TrainingKind(t["kind"]).label
        title_ = t["title"] or (NationalCourse(t["course"]).label if t["course"] else "")
        hours = "" if t["hours"] is None else f"{t['hours']:g}"
        rows.append([kit.wareki(date.fromisoformat(t["completed_on"])), kind, title_,
                     t["organiser"], hours])
    story += [section_heading(_("National training and Off-JT")),
              flow_table(rows or [["", "", _("None recorded"), "", ""]],
                         [30 * mm, 26 * mm, 64 * mm, 40 * mm, CONTENT_WIDTH - 160 * mm],
                         header=[_("Date"), _("Kind"), _("Title"), _("Organiser"), _("Hours")],
                         max_lines=4)]
    srows = [[kit.wareki(s["held_on"] if isinstance(s["held_on"], date)
                         else date.fromisoformat(s["held_on"])),
              getattr(s["kind"], "label", s["kind"]), s["topic"],
              "、".join(s["case_numbers"]), s["leader"]] for s in sessions]
    story += [section_heading(_("OJT and case reviews")),
              flow_table(srows or [["", "", _("None recorded"), "", ""]],
                         [30 * mm, 24 * mm, 66 * mm, 40 * mm, CONTENT_WIDTH - 160 * mm],
                         header=[_("Date"), _("Kind"), _("Topic"), _("Case numbers"),
                                 _("Led by")], max_lines=4)]
    texts = [heading, agency.name, staff["display_name"]] + [str(c) for r in rows + srows
                                                               for c in r]
    f = Furniture(agency_name=agency.name, sheet_title=_("Training history"),
                  show_case_no=False)
    f.footer = _("Staff record")
    return page.render(Path(out), story, f, texts, title=heading)
