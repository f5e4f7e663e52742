"""支援経過記録 (support record): what happened, by which method, append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.common import LabelledEnum
from app.i18n import N_


class RecordMethod(LabelledEnum):
    """Method of a 支援経過記録 entry."""

    OFFICE = "office", N_("Visit to the office")                     # 来所
    PHONE = "phone", N_("Phone")                                     # 電話
    HOME_VISIT = "home_visit", N_("Home visit")                      # 訪問
    ACCOMPANY = "accompany", N_("Accompanying")                      # 同行
    MAIL = "mail", N_("E-mail / letter")                             # メール・文書
    AGENCY = "agency", N_("Contact with a related agency")           # 関係機関連絡
    CASE_CONFERENCE = "case_conference", N_("Case conference")       # ケース会議


@dataclass
class SupportRecord:
    """支援経過記録 — append-only; a correction is a new row superseding the old one."""

    id: str
    case_id: str
    occurred_at: datetime
    method: RecordMethod
    staff: str
    contact_person: str
    content: str
    next_action: str = ""
    supersedes: str | None = None
    superseded_by: str | None = None
    correction_reason: str = ""
