"""Persons and the intake's writes that the desk and its parts share (issue 21: here rather
than in app/operations/sync.py, which only used them): a person's corrected fields checked
like the intake (``person_values`` — ``Desk.update_person`` and a person conflict settled
with a value typed in), and a case opened on a field laptop held there (``hold_new_case`` —
``Desk.register_intake``). The fields a person may correct are
``app.domain.person.PERSON_FIELDS``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from app import text_ja, validation
from app.domain import IntakeInput, PersonInput
from app.domain.person import PERSON_FIELDS
from app.errors import ValidationErrors
from app.i18n import _
from app.operations.checks import check_intake, clean_intake
from app.store.store import Store


def person_values(store: Store, today: date, person, fields: dict[str, Any], *,
                  only: str | None = None) -> dict[str, Any]:
    """Every column of the person with ``fields`` changed, validated like the intake
    (``only``: report problems of that field only). Raises ValidationErrors."""
    base = PersonInput(name=person.name, kana=person.kana, birth_date=person.birth_date,
                       sex=person.sex, postal_code=person.postal_code,
                       address=person.address, phone_home=person.phone_home,
                       phone_mobile=person.phone_mobile, email=person.email)
    fields = dict(fields)
    if isinstance(fields.get("birth_date"), str):
        fields["birth_date"] = validation.clean_date(fields["birth_date"],
                                                     "person.birth_date", _("Date of birth"))
    p = replace(base, **fields)
    probe = IntakeInput(person=p, received_on=today)
    errors = check_intake(probe, {"person"}, today=today)
    if only is not None:
        errors = [e for e in errors if e.field == f"person.{only}"]
    if errors:
        raise ValidationErrors(errors)
    p = clean_intake(probe).person
    return store.person_fields(p, text_ja.fold_for_search(p.name),
                               text_ja.fold_for_search(p.kana))


def hold_new_case(store: Store, w: Any, case_id: str, today: date) -> None:
    """Inside the intake's transaction: a case opened on a field laptop is checked out to it
    (held until returned)."""
    if (store.local("device_kind") or "desk") == "field":
        w.insert("checkout", {"case_id": case_id, "target_device": store.device_id,
                              "out_on": today.isoformat()})


__all__ = ["PERSON_FIELDS", "hold_new_case", "person_values"]
