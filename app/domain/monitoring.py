"""モニタリング: how the person and the plan are doing while support runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.common import LabelledEnum
from app.i18n import N_


class MonitoringKind(LabelledEnum):
    AFTER_START = "after_start", N_("Right after support starts")    # 支援開始直後
    REGULAR = "regular", N_("Regular (e.g. monthly)")                # 定期
    AD_HOC = "ad_hoc", N_("Ad hoc")                                  # 随時


@dataclass
class MonitoringInput:
    monitored_on: date
    kind: MonitoringKind = MonitoringKind.REGULAR
    method: str = ""
    change: str = ""                    # 本人の変化
    progress: list[dict[str, str]] = field(default_factory=list)   # [{goal, progress}]
    satisfaction: str = ""
    amendment_needed: bool = False
    next_on: date | None = None         # None: scheduled monthly


@dataclass(frozen=True)
class Monitoring:
    """A recorded モニタリング (read-only: a row of the store)."""

    id: str
    case_id: str
    plan_id: str                        # the plan it monitored
    monitored_on: date
    kind: MonitoringKind = MonitoringKind.REGULAR
    method: str = ""
    change: str = ""                    # 本人の変化
    progress: tuple[dict[str, str], ...] = ()   # ({goal, progress}, …) as recorded
    satisfaction: str = ""
    amendment_needed: bool = False
    next_on: date | None = None
    hlc: str = ""                       # when it was written: a stable order within a day
