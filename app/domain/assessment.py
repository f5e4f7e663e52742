"""アセスメント (the intake-assessment sheet) and the スクリーニング that reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain.common import LabelledEnum
from app.domain.meeting import Participant
from app.i18n import N_


class ScreeningResult(LabelledEnum):
    """スクリーニングの結果."""

    CONTINUE = "continue", N_("Continued support")                   # 継続支援
    REFER = "refer", N_("Refer to another agency")                   # 他機関へつなぐ
    INFO_ONLY = "info_only", N_("End with information")              # 情報提供で終了


@dataclass
class AssessmentInput:
    """インテーク・アセスメントシート; domains by master key, problems as checklist keys."""

    assessed_on: date
    domains: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    problem_other: str = ""
    analysis: str = ""                  # 課題と背景要因
    strengths: str = ""                 # 本人の強み (ストレングス)
    wishes: str = ""                    # 本人の希望
    household: list[dict[str, Any]] = field(default_factory=list)
    consultation_history: str = ""      # 相談歴
    life_history: str = ""              # 生活歴・職歴
    team: list[Participant] = field(default_factory=list)          # チームアセスメント
    expert_opinions: list[dict[str, str]] = field(default_factory=list)  # 専門的アセスメント
    author: str = ""
    reason: str = ""                    # why re-assessed


@dataclass
class Assessment(AssessmentInput):
    id: str = ""
    case_id: str = ""
    version: int = 1


@dataclass(frozen=True)
class Screening:
    """A recorded スクリーニング of one assessment version (read-only: a row of the store)."""

    id: str
    case_id: str
    screened_on: date
    result: ScreeningResult
    assessment_version: int             # the assessment it read
    note: str = ""
    reported_on: date | None = None     # continued support: reported to the municipality
    hlc: str = ""                       # when it was written: a stable order within a day
