"""相談受付・申込票 — the intake and application sheet, filled in or blank for handwriting.

Layout per FORMS.md "verified layout": header (ID, 受付日, 受付者); 基本情報; 来談者; ご相談の内容
(○ for each item, ◎ for the main one); the person's own words; 相談申込み欄 with or without the
consent clause, date, 本人署名 and 印; then, on a new page, the part the staff fills in by
interview (仕事, 住居, 健康保険, 年金, 相談経路・紹介元, 振り分け, 緊急支援).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from app.domain import CONSULTATION_TOPICS, Agency, CaseDetail, EmergencyAction, Route, Sex, Triage
from app.domain.intake import HOUSING_STATUSES, WORK_STATUSES, Intake, Visitor
from app.domain.person import PersonInput
from app.i18n import _
from forms import kit, page
from forms.kit import (Cell, Label, birth_with_age, blank_birth_date, blank_date, grid, keep, para,
                       section_heading, text_box, wareki)
from forms.layout import CONTENT_WIDTH
from forms.marks import Choice, Choices, SealBox, WritingSpace
from forms.output import PrintResult, check_texts, write_pdf_atomic
from forms.page import Furniture

# Column widths of the person grids: label | value | label | value (mm)
_PERSON_COLS = [24 * mm, 82 * mm, 24 * mm, 50 * mm]


def _mark(on: bool) -> str:
    return "check" if on else ""


def render_intake(out_path: str | Path, agency: Agency, detail: CaseDetail | None, *,
                  blank: bool = False, consent: bool = True,
                  prefill: PersonInput | None = None, strict: bool = False,
                  consents=None) -> list[str]:
    """Write the 相談受付・申込票 to ``out_path`` and return warnings for the user.

    ``blank``: the same layout with writing space (for a home visit); only the person fields
    are filled, from ``prefill`` (the case number comes from ``detail`` if one is given).
    ``consent=False`` leaves out the information-sharing clause. Characters that no font can
    print are listed in the warnings (or raise :class:`forms.output.UnprintableText` when
    ``strict``) — check the warnings before handing the sheet over.
    A 閲覧制限 person's whereabouts come masked in ``detail`` (desk.paper decides when).
    A filled sheet follows the data: the consent clause only when the person gave consent
    at intake and has not withdrawn it (``consents``: the case's consent records, if known);
    otherwise the wording of the sheet without consent.
    """
    return render_intake_result(out_path, agency, detail, blank=blank, consent=consent,
                                prefill=prefill, strict=strict, consents=consents).warnings


def consent_stands(intake: Intake | None, consents=None, on=None) -> bool:
    """Whether the person's consent to share information, given at intake, still stands."""
    if intake is None or intake.consent is not True:
        return False
    for c in consents or []:
        withdrawn = getattr(c, "withdrawn_on", None)
        from_intake = getattr(c, "from_intake", False) or str(
            getattr(c, "id", "")).startswith("intake:")
        if from_intake and withdrawn is not None and (on is None or withdrawn <= on):
            return False
    return True


def render_intake_result(out_path: str | Path, agency: Agency, detail: CaseDetail | None, *,
                         blank: bool = False, consent: bool = True,
                         prefill: PersonInput | None = None,
                         strict: bool = False, consents=None) -> PrintResult:
    """:func:`render_intake`, returning the full :class:`PrintResult` (pages, characters)."""
    intake: Intake | None = None
    if blank or detail is None:
        person = prefill                  # a sheet to fill in by hand
    else:
        person = detail.person
        intake = detail.intakes[-1] if detail.intakes else None
    case_no = detail.case.case_no if detail else ""
    if intake is not None:
        consent = consent and consent_stands(intake, consents)

    chars, warnings = check_texts(_texts(agency, case_no, person, intake), strict=strict)
    story = _story(agency, case_no, person, intake, blank=blank or intake is None,
                   consent=consent)
    furniture = Furniture(agency_name=agency.name, case_no=case_no,
                          sheet_title=_("Intake and application form"))
    pages = write_pdf_atomic(
        lambda tmp: page.build_sheet(tmp, story, furniture,
                                     title=_("Intake and application form")), out_path)
    return PrintResult(Path(out_path), pages, warnings, chars)


def _texts(agency: Agency, case_no: str, person: PersonInput | None,
           intake: Intake | None) -> list[str]:
    texts = [agency.name, case_no]
    if person:
        texts += [person.name, person.kana, person.postal_code, person.address,
                  person.phone_home, person.phone_mobile, person.email]
    if intake:
        texts += [intake.received_by, intake.referral_source, intake.topic_other,
                  intake.consultation, intake.hopes, intake.health_insurance, intake.pension,
                  intake.referral_to, intake.emergency_note]
        if intake.visitor:
            v = intake.visitor
            texts += [v.name, v.phone, v.relation_detail]
    return texts


def _story(agency: Agency, case_no: str, person: PersonInput | None, intake: Intake | None,
           *, blank: bool, consent: bool) -> list[Flowable]:
    story: list[Flowable] = [kit.title(_("Intake and application form"))]
    story.append(_header(case_no, intake))
    story += _basic(person, intake)
    story += _visitor(intake.visitor if intake else None, blank=intake is None)
    story += _topics(intake)
    story.append(kit.gap(1.5))
    story.append(text_box(_("What would you like to consult about?"),
                          intake.consultation if intake else "", min_height=25 * mm))
    story.append(kit.gap(1.5))
    story.append(text_box(_("What kind of support do you hope for?"),
                          intake.hopes if intake else "", min_height=16 * mm))
    story.append(_application(agency, intake, consent=consent))
    story.append(PageBreak())
    story += _staff_part(intake)
    return story


def _header(case_no: str, intake: Intake | None) -> Flowable:
    received = wareki(intake.received_on) if intake and intake.received_on else blank_date()
    by = intake.received_by if intake else ""
    cols = [14 * mm, 40 * mm, 17 * mm, 52 * mm, 17 * mm, 40 * mm]
    return grid([[Label(_("ID")), case_no, Label(_("Received on")), received,
                  Label(_("Received by")), by]], cols, value_style="body",
                row_heights=[9 * mm])


def _basic(person: PersonInput | None, intake: Intake | None) -> list[Flowable]:
    p = person or PersonInput()
    empty = person is None
    on = intake.received_on if intake else None
    sex = Choices([Choice(Sex.MALE.label, _mark(p.sex == Sex.MALE)),
                   Choice(Sex.FEMALE.label, _mark(p.sex == Sex.FEMALE)),
                   Choice(Sex.OTHER.label, _mark(p.sex == Sex.OTHER))], item_gap=9)
    birth = birth_with_age(p.birth_date, on) if p.birth_date else blank_birth_date()
    postal = _("Postal code {code}").format(code=p.postal_code) if p.postal_code else _(
        "Postal code ____-______")
    # An address without a postal code (or the note that it is left out for another
    # agency) gets no blank 〒 line to write into.
    address = ([para(postal, "body")] if p.postal_code or not p.address else []) + (
        [para(p.address, "value")] if p.address else [])
    rows: list[list[Cell]] = [
        [Label(_("Furigana")), p.kana, Label(_("Sex")), sex],
        [Label(_("Name")), kit.para(p.name, "large", fit_min=10) if p.name else "", None, None],
        [Label(_("Date of birth")), birth, None, None],
        [Label(_("Address")), address, None, None],
        [Label(_("Phone (home)")), p.phone_home, Label(_("Phone (mobile)")), p.phone_mobile],
        [Label(_("E-mail")), p.email, None, None],
    ]
    spans = [((2, 0), (2, 1)), ((3, 0), (3, 1)), ((1, 2), (3, 2)), ((1, 3), (3, 3)),
             ((1, 5), (3, 5))]
    heights = ([7 * mm, 11 * mm, 8 * mm, 14 * mm, 8 * mm, 7 * mm] if empty
               else [None, 11 * mm, None, 14 * mm, None, None])
    extra = [("VALIGN", (1, 3), (1, 3), "TOP")]
    return [section_heading(_("Basic information"), _("Please fill in as much as you can.")),
            grid(rows, _PERSON_COLS, spans=spans, row_heights=heights, extra=extra)]


def _visitor(visitor: Visitor | None, *, blank: bool) -> list[Flowable]:
    v = visitor or Visitor()
    family = _("Family (relationship: {relation})").format(
        relation=v.relation_detail if v.relation == "family" else "　" * 6)
    other = _("Other ({detail})").format(
        detail=v.relation_detail if v.relation == "other" else "　" * 8)
    relation = Choices([Choice(family, _mark(v.relation == "family")),
                        Choice(other, _mark(v.relation == "other"))], item_gap=18)
    rows: list[list[Cell]] = [[Label(_("Name")), v.name, Label(_("Phone")), v.phone],
            [Label(_("Relationship")), relation, None, None]]
    heights = [8 * mm, 8 * mm] if blank or visitor is None else None
    return [section_heading(_("Visitor"), _("If someone other than the person came")),
            grid(rows, _PERSON_COLS, spans=[((1, 1), (3, 1))], row_heights=heights)]


def _topics(intake: Intake | None) -> list[Flowable]:
    chosen = set(intake.topics) if intake else set()
    main = intake.main_topic if intake else ""
    items = []
    for key, label in CONSULTATION_TOPICS:
        mark = "double" if key == main else ("circle" if key in chosen else "")
        text = _(label)
        if key == "other":
            detail = intake.topic_other if intake and intake.topic_other else "　" * 20
            text = _("Other ({detail})").format(detail=detail)
        items.append(Choice(text, mark, fill=key == "other"))
    box = Choices(items, columns=3, item_gap=4, leading=15)
    table = grid([[box]], [CONTENT_WIDTH], extra=[("LEFTPADDING", (0, 0), (-1, -1), 5),
                                                  ("RIGHTPADDING", (0, 0), (-1, -1), 4)])
    return [section_heading(_("What the consultation is about"),
                            _("Mark every item that applies with ○ and the main one with ◎.")),
            table]


def _application(agency: Agency, intake: Intake | None, *, consent: bool) -> Flowable:
    sentences = [_("I apply for consultation support from {agency}.").format(agency=agency.name),
                 _("I have been told about the rules on personal information "
                   "(Regulations on the management and handling of personal information).")]
    if consent:
        sentences.append(_("I agree that information may be shared with the related agencies "
                           "(persons) needed for consultation support."))
    body = [para(s, "formal") for s in sentences]
    # the application is made at intake; with the consent clause, the day consent was given
    applied_on = None
    if intake:
        applied_on = (intake.consent_on if consent and intake.consent and intake.consent_on
                      else intake.received_on)
    signed_on = wareki(applied_on) if applied_on else blank_date()
    cols = [20 * mm, 54 * mm, 20 * mm, 64 * mm, 22 * mm]
    table = grid([[body, None, None, None, None],
                  [Label(_("Date of application")), signed_on, Label(_("Signature of the person")), "", SealBox(14 * mm)]],
                 cols, spans=[((0, 0), (4, 0))], row_heights=[None, 17 * mm],
                 value_style="body",
                 extra=[("LEFTPADDING", (0, 0), (0, 0), 8), ("TOPPADDING", (0, 0), (0, 0), 6),
                        ("BOTTOMPADDING", (0, 0), (0, 0), 6),
                        ("ALIGN", (4, 1), (4, 1), "CENTER"),
                        ("LEFTPADDING", (4, 1), (4, 1), 0), ("RIGHTPADDING", (4, 1), (4, 1), 0)])
    return keep(section_heading(_("Application for consultation")), table)


def _staff_part(intake: Intake | None) -> list[Flowable]:
    i = intake
    blank = i is None
    work = Choices([Choice(_(label), _mark(i is not None and i.work_status == key))
                    for key, label in WORK_STATUSES], columns=3, item_gap=4)
    housing = Choices([Choice(_(label), _mark(i is not None and i.housing_status == key))
                       for key, label in HOUSING_STATUSES], columns=3, item_gap=4)
    routes = Choices([Choice(r.label, _mark(i is not None and i.route == r)) for r in Route],
                     columns=2, item_gap=4)
    referral_source = [para(_("Referred by: {source}").format(
        source=(i.referral_source if i and i.referral_source else "")), "body")]

    referred = i if i is not None and i.triage == Triage.REFER else None
    triage = Choices([Choice(t.label, _mark(i is not None and i.triage == t)) for t in Triage],
                     item_gap=18)
    check_on = wareki(referred.check_on) if referred and referred.check_on else blank_date()
    refer_detail = Choices([
        Choice(_("Referred to: {agency}").format(
            agency=referred.referral_to if referred and referred.referral_to else "　" * 12),
            box=False),
        Choice(_("Accompanied"), _mark(referred is not None and referred.accompanied)),
        Choice(_("Follow-up on: {date}").format(date=check_on), box=False),
    ], item_gap=14)
    refer_detail_note = para(_("When referred to another agency:"), "note")

    actions = set(i.emergency_actions) if i else set()
    emergency = Choices([Choice(_("Not needed"), _mark(i is not None and not i.emergency_needed)),
                         Choice(_("Needed"), _mark(i is not None and i.emergency_needed))],
                        item_gap=18)
    done = Choices([Choice(a.label, _mark(a.value in actions)) for a in EmergencyAction],
                   columns=2, item_gap=4)
    emergency_note = (i.emergency_note if i and i.emergency_note else "")
    emergency_cell: list[Flowable] = [emergency, para(_("Support given:"), "note"), done]
    if emergency_note:
        emergency_cell.append(para(emergency_note, "body"))
    elif blank:
        emergency_cell.append(WritingSpace(8 * mm, line_gap=None))

    consent_state = i.consent if i else None
    consent_row = Choices([
        Choice(_("Agreed (on {date})").format(
            date=wareki(i.consent_on) if i and i.consent and i.consent_on else "　" * 10),
            _mark(consent_state is True)),
        Choice(_("Not agreed"), _mark(consent_state is False))], item_gap=18)

    rows: list[list[Cell]] = [
        [Label(_("Work status")), work],
        [Label(_("Housing situation")), housing],
        [Label(_("Health insurance")), i.health_insurance if i else ""],
        [Label(_("Pension")), i.pension if i else ""],
        [Label(_("Route")), [routes, *referral_source]],
        [Label(_("Triage")), [triage, refer_detail_note, refer_detail]],
        [Label(_("Emergency support")), emergency_cell],
        [Label(_("Consent to share information")), consent_row],
    ]
    heights = [None, None, 10 * mm, 10 * mm, None, None, None, None] if blank else None
    cols = [30 * mm, CONTENT_WIDTH - 30 * mm]
    return [section_heading(_("To be filled in by the staff (from the interview)")),
            grid(rows, cols, row_heights=heights, value_style="value")]
