"""The home-visit kit: ONE PDF with the blank sheets a visit needs, per person.

For each chosen case (or one new person): 相談受付・申込票, インテーク・アセスメントシート,
情報提供に関する同意書 and 支援経過記録シート — blank for handwriting, but pre-filled with what is
already known (name, reading, address, case number). Each sheet keeps its own header and
「x / y」 page numbers.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import Flowable

from app.i18n import _
from forms import assessment, consent, intake, page, records
from app.domain.paper import CaseData
from forms.output import PrintResult, check_texts, write_pdf_atomic
from forms.page import Furniture

KIT_SHEETS = ("intake", "assessment", "consent", "records")


def kit_parts(agency, data: CaseData) -> list[tuple[list[Flowable], Furniture]]:
    """The (story, furniture) of each sheet of the kit for one person."""
    no = data.case_no
    person = data.person

    def furniture(title: str) -> Furniture:
        return Furniture(agency_name=agency.name, case_no=no, sheet_title=title)

    return [
        (intake._story(agency, no, person, None, blank=True, consent=True),
         furniture(_("Intake and application form"))),
        (assessment.story_assessment(data, None), furniture(_(assessment.TITLE))),
        (consent.story_consent(agency, data, None), furniture(_(consent.TITLE))),
        (records.story_records(data, []), furniture(_(records.TITLE))),
    ]


def render_visit_kit(out_path: str | Path, agency, people: list[CaseData], *,
                     strict: bool = False) -> PrintResult:
    """Write the kit for ``people`` (one CaseData each; ``[CaseData()]`` for a new person)."""
    people = people or [CaseData()]
    parts: list[tuple[list[Flowable], Furniture]] = []
    texts = [agency.name]
    for data in people:
        parts += kit_parts(agency, data)
        p = data.person
        if p is not None:
            texts += [data.case_no, p.name, p.kana, p.address, p.postal_code]
    chars, warnings = check_texts([t for t in texts if t], strict=strict)
    pages = write_pdf_atomic(
        lambda tmp: page.build_bundle(tmp, parts, title=_("Home-visit kit")), out_path)
    return PrintResult(Path(out_path), pages, warnings, chars)


__all__ = ["KIT_SHEETS", "kit_parts", "render_visit_kit"]
