"""The person who consults (本人): identity and contact details, entered once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.common import Sex


# The fields of a person that may be corrected after the intake (Desk.update_person).
PERSON_FIELDS = ("name", "kana", "birth_date", "sex", "postal_code", "address",
                 "phone_home", "phone_mobile", "email")


@dataclass
class PersonInput:
    """What a worker types about the person. Names are kept exactly as written (髙, 﨑, 𠮷)."""

    name: str = ""                       # 氏名
    kana: str = ""                       # ふりがな
    birth_date: date | None = None       # 生年月日
    sex: Sex = Sex.UNKNOWN               # 性別
    postal_code: str = ""                # 〒 (7 digits, stored as 123-4567)
    address: str = ""                    # 住所
    phone_home: str = ""                 # 電話 (自宅)
    phone_mobile: str = ""               # 電話 (携帯)
    email: str = ""                      # E-mail


@dataclass
class Person(PersonInput):
    id: str = ""
    rev: int = 0
    sensitive: bool = False             # DV・ストーカー・閲覧制限: mask whereabouts
    case_ids: list[str] = field(default_factory=list)


@dataclass
class PersonMatch(Person):
    """The duplicate check at intake: a registered person with the same name and birth
    date, given to any worker who takes an intake — only 氏名, 生年月日 and each case's
    number and 担当, never where the person lives or how to reach them (the other fields
    stay empty)."""

    cases: list[tuple[str, str]] = field(default_factory=list)  # (case number, 担当)
