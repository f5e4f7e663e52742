"""Date order between the steps of a case — one table for the Desk operations and the
ledger import (issue 19, point 2). Pure: no I/O.

Every dated step names the steps it depends on (``AFTER``). A step's date may not be before
the date of any step it depends on; when a step it depends on has no date on this case,
the steps *that* one depends on are checked instead (the nearest dated ancestors), so a plan
approved on a case without a recorded screening is still checked against its assessment and
intake. Nothing is after today (``not_after_today``), and every record of a case is on or
after its intake.

Keys (the guide's steps):
  intake 相談受付 ≤ assessment アセスメント ≤ screening スクリーニング ≤ plan_signed 本人署名
  ≤ approval 支援調整会議の了承 ≤ decision 支援決定 ≤ service_start サービス開始
  ≤ monitoring モニタリング …; evaluation プラン評価 after the approval; replan approvals after
  the approval and after each other; outcome (就労・増収) after the approval; suspension 中断,
  closure 終結 after what came before; followup フォローアップ after the confirmed 終結.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping, Sequence

from app.i18n import N_, _

# The step names as the guide says them (msgids English; Japanese in the catalog).
LABELS: dict[str, str] = {
    "intake": N_("Date of intake"),                              # 受付日
    "assessment": N_("Date of assessment"),                      # アセスメント日
    "screening": N_("Date of screening"),                        # スクリーニング日
    "plan_signed": N_("Date of the person's signature"),         # 本人署名日
    "approval": N_("Date the support coordination meeting approved the plan"),
    "replan": N_("Date the support coordination meeting approved the re-plan"),
    "decision": N_("Date of the support decision"),              # 支援決定日
    "report": N_("Date of the report to the municipality"),      # 自治体への報告日
    "service_start": N_("Start date"),                           # サービス開始日
    "monitoring": N_("Date of monitoring"),                      # モニタリング日
    "evaluation": N_("Date of evaluation"),                      # プラン評価日
    "outcome": N_("Date of the outcome (employment or increased income)"),
    "amendment": N_("Date of the plan amendment"),               # プランの修正日
    "record": N_("Date of the support record"),                  # 支援経過記録
    "contact_attempt": N_("Date of the attempt to make contact"),
    "suspension": N_("Date of the suspension"),                  # 中断日
    "suspension_confirmed": N_("Date the support coordination meeting confirmed the "
                               "suspension"),
    "resume": N_("Date of resumption"),                          # 再開日
    "closure": N_("Date of closure"),                            # 終結日
    "closure_confirmed": N_("Date the support coordination meeting confirmed the closure"),
    "followup": N_("Date of the follow-up"),                     # フォローアップ
    "meeting": N_("Date of the meeting"),                        # 支援調整会議の日
}

# later step -> the steps it depends on (its date is on or after theirs).
AFTER: dict[str, tuple[str, ...]] = {
    "assessment": ("intake",),
    "screening": ("assessment",),
    "plan_signed": ("screening",),
    "approval": ("plan_signed",),
    "replan": ("approval",),
    "decision": ("approval",),
    "report": ("approval",),
    "service_start": ("approval", "decision"),
    "monitoring": ("approval", "service_start"),
    "evaluation": ("approval",),
    "outcome": ("approval",),
    "amendment": ("approval",),
    "record": ("intake",),
    "contact_attempt": ("intake",),
    "suspension": ("approval", "contact_attempt"),
    "suspension_confirmed": ("suspension",),
    "resume": ("suspension_confirmed",),
    "closure": ("intake", "assessment", "approval", "replan", "decision", "outcome",
                "suspension_confirmed", "evaluation"),
    "closure_confirmed": ("closure",),
    "followup": ("closure_confirmed",),
    "meeting": ("intake",),
}

DateValue = date | Sequence[date] | None


@dataclass(frozen=True)
class OrderProblem:
    """``later`` (on ``later_on``) is before ``earlier`` (on ``earlier_on``)."""

    later: str
    later_on: date
    earlier: str
    earlier_on: date

    def message(self, labels: Mapping[str, str] | None = None) -> str:
        """Japanese, naming both steps and both dates."""
        from app.text_ja import format_date_ja
        names = labels or {}
        return _("{later} ({later_on}) cannot be before {earlier} ({earlier_on}).").format(
            later=names.get(self.later) or _(LABELS.get(self.later, self.later)),
            later_on=format_date_ja(self.later_on),
            earlier=names.get(self.earlier) or _(LABELS.get(self.earlier, self.earlier)),
            earlier_on=format_date_ja(self.earlier_on))


def _dates(value: DateValue) -> list[date]:
    if value is None:
        return []
    if isinstance(value, date):
        return [value]
    return [d for d in value if d is not None]


def _bound(key: str, dates: Mapping[str, DateValue], seen: frozenset[str] = frozenset()
           ) -> list[tuple[str, date]]:
    """(step, latest date) of each nearest dated step ``key`` depends on."""
    out: list[tuple[str, date]] = []
    for dep in AFTER.get(key, ()):
        if dep in seen:
            continue
        found = _dates(dates.get(dep))
        if found:
            out.append((dep, max(found)))
        else:
            out += _bound(dep, dates, seen | {key})
    return out


def problems(later: str, on: date | None, dates: Mapping[str, DateValue]
             ) -> list[OrderProblem]:
    """What is wrong with dating step ``later`` on ``on``, given the dates of the other steps
    of the case (``dates``: step → date, or several dates, or None when not done). At most
    one problem: against the latest date it must not precede."""
    if on is None:
        return []
    worst = None
    for dep, d in _bound(later, dates):
        if on < d and (worst is None or d > worst[1]):
            worst = (dep, d)
    return [OrderProblem(later, on, worst[0], worst[1])] if worst else []


def check(later: str, on: date | None, dates: Mapping[str, DateValue]) -> str:
    """The Japanese message of the first problem, or ''."""
    found = problems(later, on, dates)
    return found[0].message() if found else ""


def all_problems(dates: Mapping[str, DateValue]) -> list[OrderProblem]:
    """Every date-order problem among the dated steps of one case (each step checked against
    the latest date of the steps it depends on; ``replan`` dates also among themselves)."""
    out: list[OrderProblem] = []
    for key in AFTER:
        found = _dates(dates.get(key))
        if not found:
            continue
        if key == "replan":          # each re-plan after the plan, and after the one before
            base = _dates(dates.get("approval"))
            prev = ("approval", max(base)) if base else None
            for d in found:
                if prev is not None and d < prev[1]:
                    out.append(OrderProblem(key, d, prev[0], prev[1]))
                if prev is None or d >= prev[1]:
                    prev = (key, d)
            continue
        for d in found:
            out += problems(key, d, dates)
    return out


def after_today(key: str, on: date | None, today: date) -> str:
    """'' unless ``on`` is after ``today`` (nothing is recorded in the future)."""
    if on is None or on <= today:
        return ""
    from app.text_ja import format_date_ja
    return _("{later} ({later_on}) cannot be after today ({today}).").format(
        later=_(LABELS.get(key, key)), later_on=format_date_ja(on),
        today=format_date_ja(today))
