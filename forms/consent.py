"""情報提供に関する同意書 — the person's consent to share information with other agencies.

Filled from the security layer's consent records when the Desk has them (``desk.security.consents``:
recipients or 「関係機関」, scope, purpose, 書面 / 口頭, withdrawal), else from the consent
given on the intake sheet. Date, 本人署名 and 印 at the bottom; the blank sheet leaves the
recipients, scope and purpose to write in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from app.i18n import N_, _
from forms import kit, page
from app.domain.paper import CaseData
from forms.kit import Label, choice_row, grid, keep, para, section_heading, wareki
from forms.layout import CONTENT_WIDTH
from forms.output import PrintResult
from forms.page import Furniture

TITLE = N_("Consent to the provision of information")
ANY_AGENCY = "関係機関"   # the recipient meaning every agency involved (stored as data)


@dataclass
class ConsentView:
    given_on: date | None = None
    recipients: list[str] = field(default_factory=list)
    scope: str = ""
    purpose: str = ""
    form: str = ""                   # written / oral
    withdrawn_on: date | None = None
    withdrawal_note: str = ""


def consent_view(data: CaseData) -> ConsentView | None:
    """The newest consent of the case (security layer first, then the intake's)."""
    if data.consents:
        c = sorted(data.consents, key=lambda c: c.given_on)[-1]
        form = getattr(c.form, "value", c.form)
        return ConsentView(c.given_on, list(c.recipients), c.scope, c.purpose, str(form),
                           c.withdrawn_on, getattr(c, "withdrawal_note", ""))
    intake = data.intake
    if intake is not None and intake.consent:
        return ConsentView(intake.consent_on or intake.received_on, [ANY_AGENCY], "", "",
                           "written")
    return None


def render_consent(out_path: str | Path, agency, data: CaseData, *, blank: bool = False,
                   strict: bool = False) -> PrintResult:
    view = None if blank else consent_view(data)
    story = story_consent(agency, data, view)
    furniture = Furniture(agency_name=agency.name, case_no=data.case_no, sheet_title=_(TITLE))
    texts = [agency.name, data.case_no]
    if data.person:
        texts += [data.person.name, data.person.kana, data.person.address]
    if view:
        texts += [*view.recipients, view.scope, view.purpose, view.withdrawal_note]
    return page.render(out_path, story, furniture, texts, strict=strict)


def story_consent(agency, data: CaseData, view: ConsentView | None) -> list[Flowable]:
    story: list[Flowable] = [kit.title(_(TITLE))]
    story.append(para(_("To: {agency}").format(agency=agency.name), "formal"))
    story.append(kit.gap(3))
    body = [para(_("For the consultation support {agency} gives me for my self-reliance, I "
                   "agree that my personal information is provided to and shared with the "
                   "recipients below, within the scope and for the purpose below.")
                 .format(agency=agency.name), "formal"),
            kit.gap(1.5),
            para(_("I have been told that I can withdraw this consent at any time, and that "
                   "information will not be provided after the withdrawal."), "formal")]
    story.append(grid([[body]], [CONTENT_WIDTH],
                      extra=[("LEFTPADDING", (0, 0), (-1, -1), 8),
                             ("TOPPADDING", (0, 0), (-1, -1), 6),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    story.append(section_heading(_("Details of the consent")))
    v = view
    default_scope = _("Name, date of birth, address, contact details, and the content of the "
                      "consultation and support needed for the support")
    default_purpose = _("To consider, coordinate and provide support for the person's "
                        "self-reliance")
    any_agency = bool(v and ANY_AGENCY in v.recipients)
    recipient_cell = [choice_row([(_("Related agencies (the agencies needed for the support)"),
                                   any_agency)], item_gap=10)]
    named = [r for r in (v.recipients if v else []) if r != ANY_AGENCY]
    recipient_cell.append(choice_row([(_("Named agencies: {names}").format(
        names="、".join(named) if named else "　" * 24), bool(named))]))
    form = v.form if v else ""
    forms = choice_row([(_("Written"), form == "written"), (_("Oral"), form == "oral")],
                       item_gap=20)
    story.append(grid([
        [Label(_("Recipients")), recipient_cell],
        [Label(_("Scope of information")), (v.scope if v else "") or default_scope],
        [Label(_("Purpose")), (v.purpose if v else "") or default_purpose],
        [Label(_("Form of consent")), forms],
    ], [32 * mm, CONTENT_WIDTH - 32 * mm],
        row_heights=[None, None if v else 16 * mm, None if v else 12 * mm, 9 * mm],
        extra=[("VALIGN", (1, 1), (1, 2), "TOP")]))
    if v and v.withdrawn_on:
        story.append(kit.gap(2))
        story.append(grid([[Label(_("Withdrawn on")), wareki(v.withdrawn_on),
                            Label(_("Note")), v.withdrawal_note]],
                          [24 * mm, 50 * mm, 16 * mm, CONTENT_WIDTH - 90 * mm]))
    story.append(kit.gap(3))
    person = data.person
    story.append(keep(
        section_heading(_("Signature")),
        grid([[Label(_("Name")), para(person.name, "large", fit_min=10) if person and person.name else "",
               Label(_("Furigana")), person.kana if person else ""],
              [Label(_("Address")), person.address if person else "", None, None]],
             kit.PERSON_COLS, spans=[((1, 1), (3, 1))], row_heights=[12 * mm, 10 * mm]),
        kit.signature_block(_("Date"), v.given_on if v else None)))
    story.append(kit.gap(2))
    story.append(para(_("One copy is kept by the agency; the person receives a copy on request."),
                      "note"))
    return story


__all__ = ["ConsentView", "consent_view", "render_consent", "story_consent"]
