"""The input checks the desk and its parts share (issue 21: here rather than in app/desk.py,
so that the parts do not import the desk): a login name, a password against the agency's
rule, and the intake — per wizard page (``check_intake``) and cleaned for storage
(``clean_intake``)."""

from __future__ import annotations

from datetime import date

from app import validation
from app.domain import EmergencyAction, IntakeInput, Route, Triage
from app.domain.agency import AgencySetup
from app.domain.intake import HOUSING_STATUSES, TOPIC_KEYS, WORK_STATUSES
from app.errors import ValidationError
from app.i18n import _

# Pages of the intake wizard, in order; each validates its own fields.
INTAKE_PAGES = ("person", "consultation", "triage", "consent")
# Pages of the first set-up, in order (ui/setup_wizard.py; Desk.create checks them all).
SETUP_PAGES = ("agency", "admin", "password")


def check_login(login: str) -> str:
    login = (login or "").strip()
    if not login:
        raise ValidationError("admin.login", _("Enter a user name."))
    if len(login) > 32 or not all(c.isalnum() or c in "._-" for c in login) or not login.isascii():
        raise ValidationError("admin.login", _(
            "A user name may use half-width letters, digits and . _ - (up to 32 characters)."))
    return login


def check_password(password: str, min_length: int) -> str:
    if len(password or "") < min_length:
        raise ValidationError("password", _(
            "The password must have at least {n} characters.").format(n=min_length))
    if len(password) > 256:
        raise ValidationError("password", _("The password is too long (256 characters at most)."))
    return password


def check_setup(data: AgencySetup, pages: set[str] | None = None) -> list[ValidationError]:
    """Validate the first set-up (only the given pages of SETUP_PAGES); reads nothing."""
    pages = set(SETUP_PAGES) if pages is None else set(pages)
    errors: list[ValidationError] = []
    c = lambda fn, *a, **k: validation.collect(errors, fn, *a, **k)  # noqa: E731
    if "agency" in pages:
        c(validation.clean_text, data.agency_name, "agency.name", _("Agency name"),
          required=True, max_len=100)
        c(validation.clean_text, data.municipality, "agency.municipality", _("Municipality"),
          required=True, max_len=100)
        population = data.population
        if not isinstance(population, int) or isinstance(population, bool) or population <= 0 \
                or population > 50_000_000:
            errors.append(ValidationError("agency.population", _(
                "Enter the population as a whole number greater than 0.")))
    if "admin" in pages:
        c(check_login, data.admin_login)
        c(validation.clean_text, data.admin_name, "admin.name", _("Name"), required=True,
          max_len=50)
    if "password" in pages:
        if not 4 <= int(data.min_password_length) <= 64:
            errors.append(ValidationError("password.rule", _(
                "The minimum password length must be between 4 and 64 characters.")))
        elif c(check_password, data.password, int(data.min_password_length)) is not None \
                and data.password_again is not None and data.password != data.password_again:
            errors.append(ValidationError("password.confirm", _("The two passwords differ.")))
    return errors


def clean_setup(data: AgencySetup) -> AgencySetup:
    """The stored form of an already-checked set-up (texts trimmed)."""
    from dataclasses import replace as dc_replace
    return dc_replace(
        data, agency_name=validation.clean_text(data.agency_name, "agency.name", "",
                                                max_len=100),
        municipality=validation.clean_text(data.municipality, "agency.municipality", "",
                                           max_len=100),
        admin_login=check_login(data.admin_login),
        admin_name=validation.clean_text(data.admin_name, "admin.name", "", max_len=50),
        min_password_length=int(data.min_password_length), password_again=None)


def check_intake(data: IntakeInput, pages: set[str] | None, *, today: date) -> list[ValidationError]:
    """Validate the pages of an intake; the core refuses what the wizard lets through."""
    pages = set(INTAKE_PAGES) if pages is None else set(pages)
    errors: list[ValidationError] = []
    c = lambda fn, *a, **k: validation.collect(errors, fn, *a, **k)  # noqa: E731
    p = data.person
    if "person" in pages:
        c(validation.clean_text, p.name, "person.name", _("Name"), required=True, max_len=100)
        c(validation.clean_kana, p.kana, "person.kana", _("Furigana"))
        if data.received_on is not None:
            c(validation.clean_date, p.birth_date, "person.birth_date", _("Date of birth"),
              not_after=(data.received_on, _("Date of intake")))
        c(validation.clean_postal_code, p.postal_code, "person.postal_code")
        c(validation.clean_text, p.address, "person.address", _("Address"), max_len=200)
        c(validation.clean_phone, p.phone_home, "person.phone_home", _("Phone (home)"))
        c(validation.clean_phone, p.phone_mobile, "person.phone_mobile", _("Phone (mobile)"))
        c(validation.clean_email, p.email, "person.email")
        if data.visitor is not None:
            c(validation.clean_text, data.visitor.name, "visitor.name", _("Visitor's name"),
              max_len=100)
            c(validation.clean_phone, data.visitor.phone, "visitor.phone", _("Visitor's phone"))
            c(validation.clean_text, data.visitor.relation_detail, "visitor.relation_detail",
              _("Relationship"), max_len=50)
    if "consultation" in pages:
        c(validation.clean_date, data.received_on, "received_on", _("Date of intake"),
          required=True, not_after=(today, _("Today")))
        if data.route is None:
            errors.append(ValidationError("route", _("Choose how the person came to the desk "
                                                    "(consultation route).")))
        elif Route(data.route) in (Route.MUNICIPAL, Route.AGENCY) and not data.referral_source.strip():
            errors.append(ValidationError("referral_source", _(
                "Choose who referred the person (referral source).")))
        c(validation.clean_text, data.referral_source, "referral_source", _("Referral source"),
          max_len=100)
        unknown = [t for t in data.topics if t not in TOPIC_KEYS]
        if unknown:
            errors.append(ValidationError("topics", _("Unknown consultation topic: {topic}")
                                          .format(topic=", ".join(unknown))))
        if not data.topics:
            errors.append(ValidationError("topics", _(
                "Mark at least one item of the consultation (○).")))
        elif data.main_topic not in data.topics:
            errors.append(ValidationError("main_topic", _(
                "Choose the main item of the consultation (◎) among the marked ones.")))
        c(validation.clean_text, data.topic_other, "topic_other", _("Other (details)"),
          max_len=200)
        c(validation.clean_text, data.consultation, "consultation",
          _("What the person wants to consult about"), max_len=5000, multiline=True)
        c(validation.clean_text, data.hopes, "hopes", _("Help the person hopes for"),
          max_len=5000, multiline=True)
        if data.work_status and data.work_status not in dict(WORK_STATUSES):
            errors.append(ValidationError("work_status", _("Unknown work status.")))
        if data.housing_status and data.housing_status not in dict(HOUSING_STATUSES):
            errors.append(ValidationError("housing_status", _("Unknown housing status.")))
        c(validation.clean_text, data.health_insurance, "health_insurance",
          _("Health insurance"), max_len=100)
        c(validation.clean_text, data.pension, "pension", _("Pension"), max_len=100)
    if "triage" in pages:
        if data.triage is None:
            errors.append(ValidationError("triage", _(
                "Choose the result of triage (continued support, referral or information only).")))
        elif Triage(data.triage) is Triage.REFER:
            if not data.referral_to.strip():
                errors.append(ValidationError("referral_to", _(
                    "Enter the agency the person is referred to.")))
            if data.check_on is None:
                errors.append(ValidationError("check_on", _(
                    "Enter the date to check that the person reached the agency (a referral "
                    "is never just a phone number).")))
            elif data.received_on and data.check_on < data.received_on:
                errors.append(ValidationError("check_on", _(
                    "The check date must be on or after the date of intake.")))
        c(validation.clean_text, data.referral_to, "referral_to", _("Referred to"), max_len=100)
        bad = [a for a in data.emergency_actions if a not in {e.value for e in EmergencyAction}]
        if bad:
            errors.append(ValidationError("emergency_actions", _("Unknown emergency action.")))
        if data.emergency_needed and not data.emergency_actions and not data.emergency_note.strip():
            errors.append(ValidationError("emergency_actions", _(
                "Emergency support is needed: record what was done.")))
        c(validation.clean_text, data.emergency_note, "emergency_note",
          _("Emergency support done"), max_len=2000, multiline=True)
    if "consent" in pages:
        if data.consent is None:
            errors.append(ValidationError("consent", _(
                "Record whether the person consented to information sharing (yes or no).")))
        elif data.consent:
            c(validation.clean_date, data.consent_on, "consent_on", _("Date of consent"),
              required=True, not_after=(today, _("Today")))
            if data.consent_on and data.received_on and data.consent_on < data.received_on:
                errors.append(ValidationError("consent_on", _(
                    "The date of consent cannot be before the date of intake.")))
    return errors


def clean_intake(data: IntakeInput) -> IntakeInput:
    """The normalised form of already-validated input (kana, postal code, phones)."""
    from dataclasses import replace as dc_replace
    p = data.person
    person = dc_replace(
        p,
        name=validation.clean_text(p.name, "person.name", "", required=True, max_len=100),
        kana=validation.clean_kana(p.kana, "person.kana", ""),
        postal_code=validation.clean_postal_code(p.postal_code, "person.postal_code"),
        address=validation.clean_text(p.address, "person.address", "", max_len=200),
        phone_home=validation.clean_phone(p.phone_home, "person.phone_home", ""),
        phone_mobile=validation.clean_phone(p.phone_mobile, "person.phone_mobile", ""),
        email=validation.clean_email(p.email, "person.email"),
    )
    return dc_replace(
        data, person=person,
        referral_source=data.referral_source.strip(), referral_to=data.referral_to.strip(),
        consultation=data.consultation.strip(), hopes=data.hopes.strip(),
        topics=[t for t in TOPIC_KEYS if t in data.topics],
        consent_on=data.consent_on if data.consent else None,
    )
