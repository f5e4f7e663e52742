"""中断 (suspension) and the attempts to reach the person that must come before it."""

from __future__ import annotations

from app.domain.common import LabelledEnum
from app.i18n import N_


class ContactMethod(LabelledEnum):
    """How the worker tried to reach the person before 中断."""

    NOTE_AT_HOME = "note_at_home", N_("Note left at home")           # 自宅に連絡票
    ACQUAINTANCE = "acquaintance", N_("Through acquaintances")       # 事情を知る知人等
    PHONE = "phone", N_("Phone")
    VISIT = "visit", N_("Home visit")
    LETTER = "letter", N_("E-mail / letter")
    AGENCY = "agency", N_("Contact with a related agency")


class ContactOutcome(LabelledEnum):
    NO_RESPONSE = "no_response", N_("No response")                   # 応答なし
    MOVED_AWAY = "moved_away", N_("Moved away, whereabouts unknown")  # 転居（行き先不明）
    REACHED = "reached", N_("Reached the person")                    # 連絡がついた
