"""支援経過記録シート — the support records of a case as a chronological list.

One row per entry (日時, 方法, 対応者 / 相手, 内容 and 次回の対応), oldest first; a row is
never cut in half by a page break (very long entries continue between whole lines). A
corrected entry stays on the sheet in grey, marked 「訂正前」 with the reason, next to the
entry that corrects it. The blank sheet has ruled rows to write in.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.i18n import N_, _
from app.domain.record import SupportRecord
from forms import kit, page
from app.domain.paper import CaseData
from forms.kit import Cell, flow_table, para, wareki
from forms.layout import CONTENT_WIDTH
from forms.output import PrintResult
from forms.page import Furniture

TITLE = N_("Support record sheet")
COLS = [10 * mm, 27 * mm, 22 * mm, 30 * mm, CONTENT_WIDTH - 89 * mm]


def render_records(out_path: str | Path, agency, data: CaseData, *, blank: bool = False,
                   strict: bool = False) -> PrintResult:
    records = [] if blank else data.records
    story = story_records(data, records)
    furniture = Furniture(agency_name=agency.name, case_no=data.case_no, sheet_title=_(TITLE))
    texts = [agency.name, data.case_no]
    if data.person:
        texts += [data.person.name, data.person.kana]
    for r in records:
        texts += [r.staff, r.contact_person, r.content, r.next_action, r.correction_reason]
    return page.render(out_path, story, furniture, texts, strict=strict)


def _when(r: SupportRecord) -> str:
    at = r.occurred_at
    time = f"{at:%H:%M}" if (at.hour or at.minute) else ""
    return wareki(at.date()) + ("\n" + time if time else "")


def story_records(data: CaseData, records: list[SupportRecord]) -> list[Flowable]:
    story: list[Flowable] = [kit.title(_(TITLE))]
    story.append(kit.person_grid(data.case_no, data.person, address=False))
    story.append(kit.gap(3))
    header = ["No.", _("Date and time"), _("Method"), _("Staff / contacted person"),
              _("Content / next action")]
    number = {r.id: i + 1 for i, r in enumerate(records)}
    rows: list[list[Cell]] = []
    heights: list[float | None] = []
    muted: list[int] = []
    for i, r in enumerate(records):
        content = r.content
        if r.next_action:
            content += "\n" + _("Next: {action}").format(action=r.next_action)
        if r.superseded_by:
            content = _("[Before correction] corrected by entry No. {n}").format(
                n=number.get(r.superseded_by, "?")) + "\n" + content
            muted.append(i)
        elif r.supersedes:
            content = _("[Correction of entry No. {n}] Reason: {reason}").format(
                n=number.get(r.supersedes, "?"), reason=r.correction_reason) + "\n" + content
        who = r.staff + ("\n" + _("with {person}").format(person=r.contact_person)
                         if r.contact_person else "")
        rows.append([str(i + 1), _when(r), r.method.label, who, content])
        heights.append(None)
    if not records:
        note = para(_("Method: office / phone / home visit / accompanying / e-mail, letter / "
                      "related agency / case conference"), "note")
        story.insert(2, note)
        for i in range(12):
            rows.append([str(i + 1), "", "", "", ""])
            heights.append(17 * mm)
    story.append(flow_table(rows, COLS, header=header, row_heights=heights, muted_rows=muted,
                            max_lines=5))
    return story


__all__ = ["render_records", "story_records"]
