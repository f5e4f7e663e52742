"""相談受付 (intake): how the person came, what they consult about, triage and consent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.common import LabelledEnum
from app.domain.person import PersonInput
from app.i18n import N_


class Route(LabelledEnum):
    """相談経路 — the four routes of PROCESS.md §1.1."""

    MUNICIPAL = "municipal", N_("Referral from a municipal department")      # 庁内
    AGENCY = "agency", N_("Referral from a related agency")                  # 関係機関
    OUTREACH = "outreach", N_("The agency's own outreach")                  # アウトリーチ
    SELF = "self", N_("The person or family (phone or visit)")              # 本人等

    @property
    def short_label(self) -> str:
        """The route's name in the statistics (庁内 / 関係機関 / アウトリーチ / 本人等)."""
        from app.i18n import _
        return _(_ROUTE_SHORT[self.value])


_ROUTE_SHORT = {"municipal": N_("Municipal"), "agency": N_("Related agency"),
                "outreach": N_("Outreach"), "self": N_("Person/family")}


class Triage(LabelledEnum):
    """振り分け at intake."""

    CONTINUE = "continue", N_("Continued support")            # 継続支援
    REFER = "refer", N_("Referred to another agency")          # 他機関へつなぎ
    INFO_ONLY = "info_only", N_("Information only")            # 情報提供のみ


class EmergencyAction(LabelledEnum):
    """緊急的な支援 decided at intake (PROCESS.md §1.3)."""

    WELFARE = "welfare", N_("Referral to the welfare office (public assistance)")  # 生活保護
    EMERGENCY_LOAN = "emergency_loan", N_("Emergency small-sum loan (Council of Social Welfare)")  # 緊急小口資金
    FOOD = "food", N_("Food support")                                            # 食料支援
    TEMPORARY_LIVING = "temporary_living", N_("Temporary living support (statutory)")  # 一時生活支援事業
    HOUSING_BENEFIT = "housing_benefit", N_("Housing security benefit (statutory)")    # 住居確保給付金
    OTHER = "other", N_("Other")

    @property
    def statutory(self) -> bool:
        """Needs a municipal procedure: shown as pending until decided."""
        return self in (EmergencyAction.TEMPORARY_LIVING, EmergencyAction.HOUSING_BENEFIT)


# ご相談の内容: the 16 items of the national intake form, in the form's order.
# (key, label). The label is translated; the Japanese is the form's own wording.
CONSULTATION_TOPICS: list[tuple[str, str]] = [
    ("health", N_("Illness, health or disability")),                 # 病気や健康、障害のこと
    ("housing", N_("Housing")),                                      # 住まいについて
    ("income", N_("Income and living costs")),                       # 収入・生活費のこと
    ("rent_loan", N_("Paying rent or loans")),                       # 家賃やローンの支払いのこと
    ("tax_utilities", N_("Paying taxes or utility bills")),          # 税金や公共料金等の支払いについて
    ("debt", N_("Debt")),                                            # 債務について
    ("job_search", N_("Finding work")),                              # 仕事探し、就職について
    ("work_trouble", N_("Worries or trouble at work")),              # 仕事上の不安やトラブル
    ("community", N_("Relations with the community")),               # 地域との関係について
    ("family", N_("Relations with family")),                         # 家族との関係について
    ("childcare", N_("Raising children")),                           # 子育てのこと
    ("care", N_("Caring for someone")),                              # 介護のこと
    ("withdrawal", N_("Social withdrawal / school refusal")),         # ひきこもり・不登校
    ("violence", N_("Domestic violence / abuse")),                   # DV・虐待
    ("no_food", N_("Nothing to eat")),                               # 食べるものがない
    ("other", N_("Other")),                                          # その他
]
TOPIC_KEYS = [k for k, _label in CONSULTATION_TOPICS]

# Second part of the intake sheet (staff, by interview).
WORK_STATUSES = [
    ("regular", N_("Regular employee / civil servant")),   # 正社員・公務員
    ("part_time", N_("Part-time / temporary / dispatched")),  # パート・アルバイト・派遣
    ("self_employed", N_("Self-employed / family business")),  # 自営・家族従業
    ("pension", N_("Living on a pension")),                 # 年金生活
    ("unemployed", N_("Unemployed / on leave")),            # 失業・休職中
    ("other", N_("Other")),
]
HOUSING_STATUSES = [
    ("owned", N_("Own home")),                   # 持家
    ("rented", N_("Rented")),                    # 借家
    ("public", N_("Public housing")),            # 公営住宅
    ("company", N_("Company dormitory / leased")),  # 会社寮・借上げ
    ("homeless", N_("Sleeping rough")),          # 野宿
    ("other", N_("Other")),
]


@dataclass
class Visitor:
    """来談者 when not the person: name, phone, relationship."""

    name: str = ""
    phone: str = ""
    relation: str = ""        # "family" or "other"
    relation_detail: str = "" # 続柄 or free text


@dataclass
class IntakeInput:
    """Everything the intake wizard collects. The core validates it whole."""

    person: PersonInput = field(default_factory=PersonInput)
    existing_person_id: str | None = None    # attach to a known person instead of creating one
    received_on: date | None = None          # 受付日
    received_by: str = ""                    # 受付者 (staff display name)
    route: Route | None = None               # 相談経路
    referral_source: str = ""                # 紹介元 (name from master data or free text)
    topics: list[str] = field(default_factory=list)   # ○ items (TOPIC_KEYS)
    main_topic: str = ""                     # ◎ item, must be among topics
    topic_other: str = ""                    # その他 ( … )
    consultation: str = ""                   # what the person wants to consult about
    hopes: str = ""                          # what help they hope for
    visitor: Visitor | None = None           # 来談者 if not the person
    work_status: str = ""                    # 仕事
    housing_status: str = ""                 # 住居
    health_insurance: str = ""               # 健康保険
    pension: str = ""                        # 年金
    triage: Triage | None = None             # 振り分け
    referral_to: str = ""                    # つなぎ先 (when REFER)
    accompanied: bool = False                # 同行
    check_on: date | None = None             # 後日確認日 (when REFER)
    emergency_needed: bool = False           # 緊急支援の必要
    emergency_actions: list[str] = field(default_factory=list)  # EmergencyAction values
    emergency_note: str = ""                 # what was done
    consent: bool | None = None              # 情報共有への同意 有/無
    consent_on: date | None = None           # 同意日


@dataclass
class Intake(IntakeInput):
    id: str = ""
    case_id: str = ""
    rev: int = 0


@dataclass(frozen=True)
class EmergencySupport:
    """緊急的な支援 recorded on a case, at intake or later (read-only: a row of the store)."""

    id: str
    case_id: str
    action: EmergencyAction
    done_on: date
    note: str = ""
    procedure: str = "none"            # none / pending (statutory: the municipality's procedure
    procedure_done_on: date | None = None   # is still to be done) / done, on this date
    intake_id: str | None = None       # decided at this intake
    hlc: str = ""                      # when it was written: a stable order within a day
