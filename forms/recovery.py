"""The recovery-key sheet (回復キー): printed once when a desk is set up, then kept in a safe.

It carries the agency, the date and the key — no case data.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from app.domain import Agency
from app.i18n import _
from app.text_ja import normalise_recovery_key
from forms import kit, page
from forms.fonts import GOTHIC, GOTHIC_BOLD, draw_string
from forms.kit import Label, grid, para, section_heading
from forms.layout import CONTENT_WIDTH
from forms.marks import SealBox
from forms.output import check_texts, write_pdf_atomic
from forms.page import Furniture

def key_groups(recovery_key: str) -> list[str]:
    """The key in its groups of four, normalised the way the unlock screen reads it."""
    return normalise_recovery_key(recovery_key).split("-")


class KeyGroups(Flowable):
    """The key drawn large: one box per group, numbered, four groups a line."""

    per_line = 4

    def __init__(self, groups: list[str], size: float = 22):
        super().__init__()
        self.groups = groups
        self.size = size
        self.box_h = size * 1.9
        self.number_h = 10
        lines = max(1, -(-len(groups) // self.per_line))
        self.height = lines * (self.box_h + self.number_h + 6)

    def wrap(self, avail_width, _avail_height):
        self.width = avail_width
        return self.width, self.height

    def draw(self):
        c = self.canv
        slot = self.width / self.per_line
        box_w = slot - 10 * mm
        row_h = self.box_h + self.number_h + 6
        for n, group in enumerate(self.groups):
            row, col = divmod(n, self.per_line)
            x = col * slot + (slot - box_w) / 2
            y = self.height - (row + 1) * row_h + self.number_h + 4
            c.saveState()
            c.setLineWidth(1)
            c.rect(x, y, box_w, self.box_h, stroke=1, fill=0)
            # spread the characters evenly so each one can be read off singly
            step = box_w / (len(group) + 1)
            for k, ch in enumerate(group):
                draw_string(c, x + step * (k + 1), y + (self.box_h - self.size * 0.7) / 2, ch,
                            GOTHIC_BOLD, self.size, anchor="middle")
            c.setFillColor(colors.Color(0.35, 0.35, 0.35))
            draw_string(c, x + box_w / 2, y - self.number_h, str(n + 1), GOTHIC, 7.5,
                        anchor="middle")
            if col < self.per_line - 1 and n < len(self.groups) - 1:
                c.setLineWidth(1.2)
                mid = y + self.box_h / 2
                c.line(x + box_w + 3 * mm, mid, x + box_w + 7 * mm, mid)
            c.restoreState()


def render_recovery_key(out_path: str | Path, agency: Agency, recovery_key: str,
                        created_on: date) -> list[str]:
    """Write the recovery-key sheet to ``out_path``; returns warnings (unprintable characters)."""
    _chars, warnings = check_texts([agency.name])
    groups = key_groups(recovery_key)
    st = kit.styles()

    info = grid([[Label(_("Agency")), agency.name, Label(_("Created on")), kit.wareki(created_on)]],
                [24 * mm, 86 * mm, 24 * mm, 46 * mm], row_heights=[9 * mm])
    key_box = Table([[KeyGroups(groups)]], colWidths=[CONTENT_WIDTH])
    key_box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 2, colors.black),
                                 ("TOPPADDING", (0, 0), (-1, -1), 14),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 6),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 6)]))
    instructions = [
        _("This key is the only way to open this desk's records when every password has been "
          "forgotten."),
        _("Anyone holding this key can read every record. Keep this sheet in a locked safe."),
        _("Do not copy, photograph or save this key on a computer or phone."),
        _("If this sheet is lost or may have been seen by someone else, make a new recovery key "
          "at once and shred this sheet."),
        _("When typing the key, the hyphens may be left out; upper and lower case are the same."),
    ]
    items = Table([[para(f"{n}.", "body"), para(text, "value")]
                   for n, text in enumerate(instructions, start=1)],
                  colWidths=[8 * mm, CONTENT_WIDTH - 8 * mm])
    items.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), kit.PAD_RIGHT),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    custody = grid([[Label(_("Kept at")), "", Label(_("Kept by")), "", SealBox(13 * mm)]],
                   [24 * mm, 64 * mm, 24 * mm, 46 * mm, 22 * mm], row_heights=[17 * mm],
                   extra=[("ALIGN", (4, 0), (4, 0), "CENTER"),
                          ("LEFTPADDING", (4, 0), (4, 0), 0), ("RIGHTPADDING", (4, 0), (4, 0), 0)])
    story = [
        kit.title(_("Recovery key")),
        para(_("Keep strictly confidential"), st["center"]),
        kit.gap(4),
        info,
        section_heading(_("Recovery key")),
        key_box,
        section_heading(_("Please read")),
        items,
        section_heading(_("Record of safekeeping")),
        custody,
    ]
    furniture = Furniture(agency_name=agency.name, show_case_no=False,
                          sheet_title=_("Recovery key"),
                          footer=_("Strictly confidential (recovery key)"))
    write_pdf_atomic(lambda tmp: page.build_sheet(tmp, story, furniture,
                                                  title=_("Recovery key")), out_path)
    return warnings
