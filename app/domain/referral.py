"""つなぎ (referral to another agency), checked later and maybe taken back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.common import LabelledEnum
from app.i18n import N_


class ReferralOrigin(LabelledEnum):
    INTAKE = "intake", N_("At intake")                               # 受付時
    SCREENING = "screening", N_("At screening")                      # スクリーニング時
    CLOSURE = "closure", N_("On closure")                            # 終結時


@dataclass
class Referral:
    """つなぎ: referral to another agency, checked later (後日確認), maybe taken back."""

    id: str
    case_id: str
    origin: ReferralOrigin
    referred_on: date
    referred_to: str
    accompanied: bool = False
    check_on: date | None = None
    checked_on: date | None = None
    arrived: bool | None = None
    check_note: str = ""
    taken_back_on: date | None = None
