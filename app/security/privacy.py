"""Plain objects of accounts, consent, disclosure and retention, and whereabouts masking.

A person marked sensitive (DV, ストーカー, 住民票の閲覧制限) has their whereabouts — postal
code, address, phones, e-mail, and the phone of whoever came with them — replaced by
「＊＊＊（閲覧制限）」 everywhere the core hands them out, unless a worker reveals them for
one view with a recorded reason. A sheet for another agency never shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from app.domain.common import LabelledEnum
from app.i18n import N_, _

# The consent recipient meaning "every agency involved in the support" (the unified
# consent form and the intake sheet's clause). Stored as data, so in Japanese.
ANY_AGENCY = "関係機関"


def whereabouts_mask() -> str:
    return _("*** (restricted)")


def mask_person(person):
    """A copy of a Person/PersonInput with its whereabouts masked (empty fields stay empty)."""
    if person is None:
        return None
    m = whereabouts_mask()
    return replace(person, **{f: (m if getattr(person, f) else "") for f in
                              ("postal_code", "address", "phone_home", "phone_mobile", "email")})


def mask_detail(detail):
    """A copy of a CaseDetail whose person (and visitors' phones) are masked."""
    if detail is None:
        return None
    intakes = []
    for i in detail.intakes:
        if i.visitor is not None and i.visitor.phone:
            i = replace(i, visitor=replace(i.visitor, phone=whereabouts_mask()))
        intakes.append(i)
    return replace(detail, person=mask_person(detail.person), intakes=intakes)


class DisclosureBasis(LabelledEnum):
    CONSENT = "consent", N_("Consent of the person")
    MEETING = "meeting", N_("Support meeting (Article 9 of the Act)")
    STATUTE = "statute", N_("Laws and regulations")


class ConsentForm(LabelledEnum):
    WRITTEN = "written", N_("Written")
    ORAL = "oral", N_("Oral")


@dataclass
class UserInfo:
    id: str
    login: str
    display_name: str
    role: str
    team: str
    active: bool
    has_key: bool = False          # a key slot exists (it can unlock the database)

    @property
    def role_label(self) -> str:
        from app.security.roles import Role
        return Role(self.role).label


@dataclass
class Consent:
    id: str                        # "intake:<intake id>" for an intake's consent not withdrawn
    case_id: str
    given_on: date
    scope: str
    recipients: list[str]
    purpose: str
    form: ConsentForm
    withdrawn_on: date | None = None
    withdrawal_note: str = ""
    from_intake: bool = False

    def covers(self, recipient: str, on: date) -> bool:
        """Valid on ``on`` (given, not yet withdrawn) and naming the recipient."""
        from app.text_ja import fold_for_search
        if on < self.given_on or (self.withdrawn_on is not None and on >= self.withdrawn_on):
            return False
        wanted = fold_for_search(recipient)
        return any(r == ANY_AGENCY or fold_for_search(r) == wanted for r in self.recipients)


@dataclass
class Disclosure:
    id: str
    case_id: str
    disclosed_on: date
    recipient: str
    scope: str
    basis: DisclosureBasis
    reason: str
    consent_id: str | None
    by: str = ""


@dataclass
class RetentionItem:
    """A closed case past the retention period (no personal data: for the administrator)."""

    case_id: str
    case_no: str
    closed_on: date
    due_on: date


@dataclass
class AuditRow:
    seq: int
    at: str
    login: str
    action: str
    case_no: str
    detail: str
    reason: str
    device_id: str
    case_id: str | None = None


@dataclass
class AuditBreak:
    """Where the hash chain of the audit log first breaks."""

    seq: int
    at: str                        # time of that entry, or of the one before if it is gone
    deleted: bool = False
    # issue 13: the entry an anchor kept outside the database names is gone (or differs):
    # entries were removed since ``at`` (the newest entry still there)
    anchored_by: str = ""          # the backup (or device) that holds the anchor
    anchored_seq: int = 0
    anchored_at: str = ""


@dataclass
class PurgeResult:
    purged: list[str] = field(default_factory=list)      # case numbers
    rows: dict[str, int] = field(default_factory=dict)   # table: rows deleted
