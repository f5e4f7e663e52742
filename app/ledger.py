"""Importing an existing case ledger (相談受付簿), exactly as LEDGER.md describes.

* File: .xlsx (first sheet) or CSV in UTF-8 (with or without BOM) or cp932, detected from
  the bytes. Row 1 holds the column names in any order; unknown columns are reported and
  ignored; empty rows are skipped; dates in every form ``text_ja.parse_date`` reads.
* **All or nothing**: the whole file is checked first; if any row has an **error** nothing is
  written and each problem is reported as 「行 N 列「名前」: message」 (rows as the spreadsheet
  shows them). Errors are only where the import would have to guess (a required column
  missing, an impossible or out-of-order date, a duplicate 受付番号, a value outside a closed
  list, 終結区分 missing with 終結日 …). A gap in optional detail is a **warning**: the row is
  imported, the gap recorded as 「（記載なし）」 (e.g. つなぎ先) or an unreadable 郵便番号 /
  電話番号 / ふりがな kept in the consultation text, listed as 「…（取り込みました）」.
  Reports list the first 200 errors and warnings and count the rest.
* Reading (app/ledger_file.py): streamed, with limits; the header found in the first 10
  rows, merged cells, the sheet by name or the first with the header, common spellings.
* Beyond one value a cell (what ``export-ledger`` writes so that a desk round-trips exactly):
  就労支援対象 may give the approval dates of the plans with employment support; 支援決定日
  one date per decided service (「;」, in 法定サービス's order); 就労日 / 増収日 several dates;
  引き戻し日 the date a つなぎ was taken back into continued support.
* **Idempotent**: a row whose 受付番号 already exists (same person, same 受付日) — or, without
  a 受付番号, an intake of the same person on the same day — is reported as already
  imported and written no second time.
* This module reads and checks the file and touches no database (``read_ledger``); the
  import itself is an operation of the desk, ``desk.ledger.import_ledger``
  (app/operations/ledger.py): it sorts out the rows already imported and writes the
  history as real records, with the repositories (rows and journal) the Desk operations
  use, in ONE transaction: person, case, intake (with its referral and emergency rows),
  assessment, screening, plans approved at an imported 支援調整会議 (one per date, place
  「台帳取り込み」), the evaluation before each re-plan, 支援決定, outcomes 就労/増収 on
  evaluations, 中断 and 終結 confirmed at the meeting of their date.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import islice
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Mapping

from app import text_ja, validation
from app.domain import EmergencyAction, Route, Sex, Triage
from app.domain import step_dates
from app.domain.assessment import ScreeningResult
from app.domain.intake import CONSULTATION_TOPICS
from app.domain.service import Service
from app.errors import ValidationError
from app.i18n import _

from app.ledger_file import (  # noqa: F401 - COLUMNS, REQUIRED are the ledger's own
    COLUMNS, HEADER_SEARCH, REQUIRED, LedgerFileError, LedgerSource, cell_text as _cell_text,
)

ROUTES = {"庁内": Route.MUNICIPAL, "庁内紹介": Route.MUNICIPAL,
          "関係機関": Route.AGENCY, "関係機関紹介": Route.AGENCY,
          "アウトリーチ": Route.OUTREACH, "訪問": Route.OUTREACH, "出張相談": Route.OUTREACH,
          "本人等": Route.SELF, "来所": Route.SELF, "電話": Route.SELF, "家族": Route.SELF,
          "知人": Route.SELF, "本人": Route.SELF, "窓口": Route.SELF, "来庁": Route.SELF,
          "電話相談": Route.SELF, "メール": Route.SELF, "本人来所": Route.SELF,
          "他課": Route.MUNICIPAL, "庁内連携": Route.MUNICIPAL, "他機関": Route.AGENCY,
          "関係機関から": Route.AGENCY, "訪問相談": Route.OUTREACH}
TRIAGES = {"継続支援": Triage.CONTINUE, "他機関へつなぎ": Triage.REFER,
           "情報提供のみ": Triage.INFO_ONLY, "継続": Triage.CONTINUE, "支援継続": Triage.CONTINUE,
           "他機関へつなぐ": Triage.REFER, "つなぎ": Triage.REFER, "他機関つなぎ": Triage.REFER,
           "他機関紹介": Triage.REFER, "情報提供": Triage.INFO_ONLY,
           "情報提供で終了": Triage.INFO_ONLY, "情報提供・相談のみ": Triage.INFO_ONLY,
           "相談のみ": Triage.INFO_ONLY}
SCREENINGS = {"継続支援": ScreeningResult.CONTINUE, "他機関へつなぎ": ScreeningResult.REFER,
              "情報提供で終了": ScreeningResult.INFO_ONLY, "継続": ScreeningResult.CONTINUE,
              "支援継続": ScreeningResult.CONTINUE,
              "他機関へつなぐ": ScreeningResult.REFER, "つなぎ": ScreeningResult.REFER,
              "他機関つなぎ": ScreeningResult.REFER, "他機関紹介": ScreeningResult.REFER,
              "情報提供": ScreeningResult.INFO_ONLY,
              "情報提供のみ": ScreeningResult.INFO_ONLY,
              "情報提供・相談のみで終了": ScreeningResult.INFO_ONLY}
SEXES = {"男": Sex.MALE, "女": Sex.FEMALE, "その他": Sex.OTHER, "不明": Sex.UNKNOWN,
         "男性": Sex.MALE, "女性": Sex.FEMALE, "M": Sex.MALE, "F": Sex.FEMALE,
         "未回答": Sex.UNKNOWN}
YES = {"○", "〇", "◯", "はい", "1", "有", "有り", "あり", "true", "yes", "y", "済", "同意あり",
       "レ", "✓", "✔"}
NO = {"", "×", "✕", "いいえ", "0", "無", "無し", "なし", "false", "no", "n", "-", "ー", "－",
      "同意なし", "未"}
FLAG_CHOICES = "○ / × / 有 / 無 / はい / いいえ / 1 / 0"
# the gap recorded where a value is needed and the ledger has none (a warning, not an error)
NOT_RECORDED = "（記載なし）"
REPORT_CAP = 200          # problems (and warnings) listed in a report; the rest are counted
EMERGENCY_WORDS = (("生活保護", EmergencyAction.WELFARE), ("福祉事務所", EmergencyAction.WELFARE),
                   ("小口", EmergencyAction.EMERGENCY_LOAN), ("食料", EmergencyAction.FOOD),
                   ("食糧", EmergencyAction.FOOD), ("フードバンク", EmergencyAction.FOOD),
                   ("一時生活", EmergencyAction.TEMPORARY_LIVING),
                   ("住居確保", EmergencyAction.HOUSING_BENEFIT))
SERVICE_ALIASES = {"家計相談支援事業": "household_budget", "居住支援事業": "temporary_living",
                   "認定就労訓練": "work_training", "就労支援": "employment_worker"}
EMPLOYMENT_SERVICE = "employment_worker"   # 就労支援員による支援: the 就労支援対象 flag
BASE_SERVICE = "self_reliance"             # 自立相談支援事業による支援: every imported plan

_PUNCT = re.compile(r"[\s・、,，。.()（）「」]")


def _fold(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or "")).lower()


@dataclass
class Problem:
    row: int
    column: str
    message: str
    warning: bool = False     # the row is imported anyway; the gap is recorded

    def text(self) -> str:
        message = (_("{message} (imported)").format(message=self.message) if self.warning
                   else self.message)
        if self.column == "-":            # the file itself (format, limits, no header)
            return message
        return _("Row {row} column “{column}”: {message}").format(
            row=self.row, column=self.column, message=message)


class Capped(list):
    """A report list keeping its first ``cap`` entries and counting the rest (``total``):
    100,000 bad rows make a report of 200 lines and a count, not 100,000 lines."""

    def __init__(self, cap: int = REPORT_CAP):
        super().__init__()
        self.cap = cap
        self.total = 0

    def append(self, item) -> None:
        self.total += 1
        if len(self) < self.cap:
            super().append(item)

    @property
    def more(self) -> int:
        return self.total - len(self)


@dataclass
class LedgerReport:
    path: str
    dry_run: bool = False
    rows: int = 0                                   # data rows read (empty ones excluded)
    empty_rows: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    problems: Capped = field(default_factory=Capped)     # errors: nothing is written
    warnings: Capped = field(default_factory=Capped)     # gaps: the rows are imported
    already: list[tuple[int, str]] = field(default_factory=list)    # (row, case number)
    imported: list[tuple[int, str]] = field(default_factory=list)   # (row, case number)
    duplicates: Capped = field(default_factory=Capped)
    staff_created: list[str] = field(default_factory=list)
    sheet: str = ""                                 # the sheet read (xlsx)
    sheets: list[str] = field(default_factory=list)  # every sheet of the workbook
    header_row: int = 1
    title_rows: list[int] = field(default_factory=list)   # rows above the header, skipped

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def error_count(self) -> int:
        return self.problems.total

    @property
    def warning_count(self) -> int:
        return self.warnings.total

    def header_lines(self) -> list[str]:
        """What was read: the file, the sheet, the header row and the rows skipped above."""
        out = [_("Ledger {path}: {rows} rows").format(path=self.path, rows=self.rows)]
        if self.sheet:
            out.append(_("Sheet read: “{sheet}” (of {n} sheets).").format(
                sheet=self.sheet, n=len(self.sheets)))
        if self.title_rows:
            out.append(_("Rows {rows} above the header (row {header}) were read as titles and "
                         "skipped.").format(rows="、".join(str(n) for n in self.title_rows),
                                            header=self.header_row))
        if self.empty_rows:
            out.append(_("Empty rows skipped: {n}").format(n=self.empty_rows))
        for col in self.unknown_columns:
            out.append(_("Unknown column “{column}”: ignored.").format(column=col))
        return out

    def error_lines(self) -> list[str]:
        out = [p.text() for p in self.problems]
        if self.problems.more:
            out.append(_("… and {n} more problems (the first {cap} are listed).").format(
                n=self.problems.more, cap=self.problems.cap))
        return out

    def warning_lines(self) -> list[str]:
        out = [p.text() for p in self.warnings]
        if self.warnings.more:
            out.append(_("… and {n} more warnings (the first {cap} are listed).").format(
                n=self.warnings.more, cap=self.warnings.cap))
        return out

    @property
    def written(self) -> int:
        return 0 if (self.dry_run or self.problems) else len(self.imported)

    def lines(self) -> list[str]:
        out = self.header_lines()
        if self.problems:
            out.append(_("Errors ({n}): nothing is imported while there is one.").format(
                n=self.error_count))
            out.extend(self.error_lines())
        if self.warnings:
            out.append(_("Warnings ({n}): these rows are imported, the gap recorded as "
                         "“{gap}”.").format(n=self.warning_count, gap=NOT_RECORDED))
            out.extend(self.warning_lines())
        return out + self.rest_lines()

    def rest_lines(self) -> list[str]:
        """After the errors and warnings: the outcome, rows already imported, duplicates."""
        out = []
        if self.problems:
            out.append(_("Nothing was imported: {n} problems. Correct the file and import it "
                         "again.").format(n=self.error_count))
        for row, case_no in self.already[:REPORT_CAP]:
            out.append(_("Row {row}: already imported ({case_no}), skipped.").format(
                row=row, case_no=case_no))
        if len(self.already) > REPORT_CAP:
            out.append(_("… and {n} more rows already imported.").format(
                n=len(self.already) - REPORT_CAP))
        out.extend(self.duplicates)
        if self.duplicates.more:
            out.append(_("… and {n} more likely duplicates.").format(n=self.duplicates.more))
        if not self.problems:
            numbers = ", ".join(c for _r, c in self.imported[:REPORT_CAP]) + (
                " …" if len(self.imported) > REPORT_CAP else "")
            if self.dry_run:
                out.append(_("Dry run: {n} consultations would be imported; nothing was "
                             "written.").format(n=len(self.imported)))
            else:
                out.append(_("Imported: {n} consultations.").format(n=len(self.imported))
                           + (f" ({numbers})" if numbers else ""))
            if self.staff_created:
                out.append(_("Staff created as inactive entries: {names}").format(
                    names="、".join(self.staff_created)))
        return out


@dataclass
class Row:
    number: int
    case_no: str = ""
    received_on: date | None = None
    name: str = ""
    name_fold: str = ""
    kana: str = ""
    birth: date | None = None
    sex: Sex = Sex.UNKNOWN
    postal_code: str = ""
    address: str = ""
    phone_home: str = ""
    phone_mobile: str = ""
    route: Route | None = None
    source: str = ""
    main_topic: str = ""
    consultation: str = ""
    triage: Triage | None = None
    referral_to: str = ""
    taken_back_on: date | None = None     # the last つなぎ taken back into continued support
    emergency: list[str] = field(default_factory=list)
    emergency_note: str = ""
    consent: bool | None = None
    assessed_on: date | None = None
    screening: ScreeningResult | None = None
    plan_on: date | None = None
    replans: list[date] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    decided_on: date | None = None                      # the first 支援決定日
    service_dates: dict[int, date] = field(default_factory=dict)  # services index -> 支援決定日
    employment: bool = False
    employment_dates: list[date] = field(default_factory=list)   # only the plans of these dates
    employed_on: date | None = None          # the first 就労日 (of employed_dates)
    income_on: date | None = None
    employed_dates: list[date] = field(default_factory=list)
    income_dates: list[date] = field(default_factory=list)
    suspended_on: date | None = None
    closed_on: date | None = None
    pattern: str = ""
    staff: str = ""
    note: str = ""


# ---------------------------------------------------------------------- checking rows
class _RowCheck:
    def __init__(self, number: int, cells: dict[str, Any], problems: list[Problem],
                 today: date, warnings: list[Problem] | None = None):
        self.n = number
        self.cells = cells
        self.problems = problems
        self.warnings = warnings if warnings is not None else problems
        self.today = today

    def add(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.n, column, message))

    def warn(self, column: str, message: str) -> None:
        """A gap in optional detail: the row is imported, the gap listed."""
        self.warnings.append(Problem(self.n, column, message,
                                     warning=self.warnings is not self.problems))

    def text(self, column: str, *, required: bool = False, max_len: int = 200,
             multiline: bool = False) -> str:
        raw = _cell_text(self.cells.get(column))
        if required and not raw:
            self.add(column, _("Enter a value: this column is required."))
            return ""
        try:
            return validation.clean_text(raw, column, column, max_len=max_len,
                                         multiline=multiline)
        except ValidationError as e:
            self.add(column, e.message)
            return ""

    def day(self, column: str, *, required: bool = False, raw: Any = None) -> date | None:
        value = self.cells.get(column) if raw is None else raw
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(column, _("Enter a value: this column is required."))
            return None
        if isinstance(value, str) and _SERIAL.fullmatch(value.strip()):
            value = float(value.strip())     # an Excel serial date saved into a CSV
        try:
            d = text_ja.coerce_date(value.strip() if isinstance(value, str) else value, column)
        except ValidationError as e:
            self.add(column, e.message)
            return None
        if d > self.today:
            self.add(column, _("{date} is after today.").format(date=_show(d)))
            return None
        return d

    def dates(self, column: str) -> list[date]:
        value = self.cells.get(column)
        if value is None or isinstance(value, (date, int, float)):
            d = self.day(column)
            return [d] if d else []
        out = []
        for part in re.split(r"[;；\n]", str(value)):
            if part.strip():
                d = self.day(column, raw=part.strip())
                if d:
                    out.append(d)
        return out

    def choice(self, column: str, table: dict[str, Any], *, required: bool = False,
               accepted: int | None = None):
        """A value of a closed list (its common spellings too); unmapped values name the
        accepted ones (the first ``accepted`` keys of the table, all when None)."""
        raw = unicodedata.normalize("NFKC", _cell_text(self.cells.get(column))).strip()
        if not raw:
            if required:
                self.add(column, _("Enter a value: this column is required."))
            return None
        folded = re.sub(r"\s+", "", raw).lower()
        for key, value in table.items():
            if re.sub(r"\s+", "", unicodedata.normalize("NFKC", key)).lower() == folded:
                return value
        names = list(dict.fromkeys(table))[:accepted]
        self.add(column, _("Unknown value “{value}”: use one of {choices}.").format(
            value=raw, choices=" / ".join(names)))
        return None

    def flag(self, column: str) -> bool | None:
        raw = unicodedata.normalize("NFKC", _cell_text(self.cells.get(column))).strip().lower()
        if raw in {unicodedata.normalize("NFKC", y).lower() for y in YES}:
            return True
        if raw in {unicodedata.normalize("NFKC", y).lower() for y in NO}:
            return False if raw else None
        self.add(column, _("Unknown value “{value}”: use one of {choices}.").format(
            value=raw, choices=FLAG_CHOICES))
        return None

    def order(self, later_col: str, later: date | None, earlier_col: str,
              earlier: date | None, *, strict: bool = False) -> None:
        if later is None or earlier is None:
            return
        if later < earlier or (strict and later == earlier):
            msg = (_("{column} must be after {other} ({date}).") if strict
                   else _("{column} cannot be before {other} ({date})."))
            self.add(later_col, msg.format(column=later_col, other=earlier_col,
                                           date=_show(earlier)))


_DATE_LIKE = re.compile(r"[0-9０-９]+\s*[/／.．年-]|^[RHSTＲＨＳＴrhst令平昭大]")
_SERIAL = re.compile(r"[1-9][0-9]{4}(\.[0-9]+)?")   # 10000..99999 (1927..2173): Excel serials


def _show(d: date) -> str:
    return text_ja.format_date_ja(d)


def _topic(value: str) -> str | None:
    folded = _fold(value)
    for key, label in CONSULTATION_TOPICS:
        for name in (_(label), label, key):
            f = _fold(name)
            if folded and (folded == f or (len(folded) >= 2 and folded in f)):
                return key
    return None


class ServiceNames(dict[str, str]):
    """The desk's services by every folded spelling of 法定サービス (key, name, name without
    and inside brackets, common aliases) → service key; with the names an unknown value is
    told to use and the keys that need a 支援決定."""

    def __init__(self, names: Mapping[str, str] = {}, *, accepted: str = "",
                 needs_decision: frozenset[str] = frozenset()):
        super().__init__(names)
        self.accepted = accepted
        self.needs_decision = needs_decision


def _decisions(c: "_RowCheck", r: Row, cells: dict[str, Any],
               service_names: ServiceNames) -> None:
    """支援決定日: one date for every service of 法定サービス that needs a decision, or (with
    「;」) one date per such service in their order — the services after the last date are
    not decided yet."""
    raw = cells.get("支援決定日")
    dates = c.dates("支援決定日")
    r.decided_on = min(dates) if dates else None
    if not dates:
        return
    needs = service_names.needs_decision
    indexes = [j for j, k in enumerate(r.services) if k in needs]
    if isinstance(raw, str) and re.search(r"[;；\n]", raw):
        if len(dates) > len(indexes):
            c.add("支援決定日", _("{n} dates for {m} services that need a decision (法定サービス): "
                              "give one date, or one per such service in their order.").format(
                n=len(dates), m=len(indexes)))
            return
        r.service_dates = dict(zip(indexes, dates))
    else:
        r.service_dates = {j: dates[0] for j in indexes}


def _service_keys(services: list[Service]) -> ServiceNames:
    names = ServiceNames(
        accepted=" / ".join(re.sub(r"[（(].*?[）)]", "", s.name) for s in services
                            if s.key != BASE_SERVICE),
        needs_decision=frozenset(s.key for s in services if s.needs_decision))
    for s in services:
        names[_fold(s.key)] = s.key
        names[_fold(s.name)] = s.key
        base = re.sub(r"[（(].*?[）)]", "", s.name)
        names[_fold(base)] = s.key
        for inner in re.findall(r"[（(](.*?)[）)]", s.name):
            names.setdefault(_fold(inner), s.key)
    for alias, key in SERVICE_ALIASES.items():
        names.setdefault(_fold(alias), key)
    return names


def check_row(number: int, cells: dict[str, Any], problems: list[Problem], today: date,
              service_names: Mapping[str, str], warnings: list[Problem] | None = None) -> Row:
    """One row checked: errors where the import would have to guess go to ``problems``;
    gaps in optional detail go to ``warnings`` (the row is imported; without a warnings
    list they count as problems). ``service_names``: ``ServiceNames`` (a plain mapping of
    spellings to keys knows no service that needs a decision)."""
    if not isinstance(service_names, ServiceNames):
        service_names = ServiceNames(service_names)
    c = _RowCheck(number, cells, problems, today, warnings)
    kept: list[str] = []       # unreadable optional details, kept in the consultation text
    r = Row(number)
    r.case_no = c.text("受付番号", max_len=30)
    r.received_on = c.day("受付日", required=True)
    r.name = c.text("氏名", required=True, max_len=100)
    r.name_fold = text_ja.fold_for_search(r.name) if r.name else ""
    kana = _cell_text(cells.get("ふりがな"))
    try:
        r.kana = validation.clean_kana(kana, "ふりがな", "ふりがな")
    except ValidationError as e:
        c.warn("ふりがな", _("{message} Kept in the consultation text.").format(
            message=e.message))
        kept.append(f"ふりがな: {kana}")
    r.birth = c.day("生年月日")
    if r.birth and r.received_on and r.birth >= r.received_on:
        c.add("生年月日", _("{column} must be before {other} ({date}).").format(
            column="生年月日", other="受付日", date=_show(r.received_on)))
    r.sex = c.choice("性別", SEXES, accepted=6) or Sex.UNKNOWN
    try:
        r.postal_code = validation.clean_postal_code(cells.get("郵便番号"), "郵便番号")
    except ValidationError as e:
        c.warn("郵便番号", _("{message} Kept in the consultation text.").format(
            message=e.message))
        kept.append(f"郵便番号: {_cell_text(cells.get('郵便番号'))}")
    r.address = c.text("住所", max_len=200)
    phone = _cell_text(cells.get("電話番号"))
    try:
        cleaned = validation.clean_phone(phone, "電話番号", "電話番号")
        digits = re.sub(r"\D", "", cleaned)
        if digits[:3] in ("070", "080", "090"):
            r.phone_mobile = cleaned
        else:
            r.phone_home = cleaned
    except ValidationError as e:
        c.warn("電話番号", _("{message} Kept in the consultation text.").format(
            message=e.message))
        kept.append(f"電話番号: {phone}")
    r.route = c.choice("相談経路", ROUTES, required=True)
    r.source = c.text("紹介元", max_len=100)
    topic = c.text("主な相談内容", max_len=100)
    if topic:
        key = _topic(topic)
        if key is None:
            c.add("主な相談内容", _("Unknown consultation item “{value}”: use an item of the "
                                "intake form ({choices}).").format(
                value=topic, choices="、".join(_(lab) for _k, lab in CONSULTATION_TOPICS)))
        else:
            r.main_topic = key
    r.consultation = c.text("相談内容", max_len=5000, multiline=True)
    r.triage = c.choice("振り分け", TRIAGES, required=True, accepted=3)
    r.referral_to = c.text("つなぎ先", max_len=100)
    r.taken_back_on = c.day("引き戻し日")
    emergency = c.text("緊急支援", max_len=2000)
    for part in re.split(r"[;；・\n]", emergency):
        part = part.strip()
        if not part:
            continue
        action = next((a for word, a in EMERGENCY_WORDS if word in part), None)
        if action is not None and action.value not in r.emergency:
            r.emergency.append(action.value)
    r.emergency_note = emergency
    r.consent = c.flag("同意")
    r.assessed_on = c.day("アセスメント日")
    r.screening = c.choice("スクリーニング結果", SCREENINGS, accepted=3)
    r.plan_on = c.day("プラン了承日")
    r.replans = c.dates("再プラン了承日")
    for part in re.split(r"[;；\n]", _cell_text(cells.get("法定サービス"))):
        if not part.strip():
            continue
        key = service_names.get(_fold(part))
        if key is None:
            c.add("法定サービス", _("Unknown service “{value}”: use one of {choices}.").format(
                value=part.strip(), choices=service_names.accepted))
        elif key not in r.services or key in service_names.needs_decision:
            r.services.append(key)        # a service decided twice (延長) may come twice
    _decisions(c, r, cells, service_names)
    if _DATE_LIKE.search(_cell_text(cells.get("就労支援対象"))) or \
            isinstance(cells.get("就労支援対象"), date):
        # the approval dates of the plans that include employment support (not every plan)
        r.employment_dates = c.dates("就労支援対象")
    else:
        r.employment = bool(c.flag("就労支援対象"))
    r.employed_dates = sorted(set(c.dates("就労日")))      # several: 「;」 between
    r.income_dates = sorted(set(c.dates("増収日")))
    r.employed_on = r.employed_dates[0] if r.employed_dates else None
    r.income_on = r.income_dates[0] if r.income_dates else None
    r.suspended_on = c.day("中断日")
    r.closed_on = c.day("終結日")
    pattern = unicodedata.normalize("NFKC", _cell_text(cells.get("終結区分"))).strip()
    pattern = re.sub(r"[()（）\s]|^終結", "", pattern)
    if pattern and pattern not in ("1", "2", "3"):
        c.add("終結区分", _("Unknown value “{value}”: use one of {choices}.").format(
            value=pattern, choices="1 / 2 / 3"))
        pattern = ""
    r.pattern = pattern
    r.staff = c.text("担当者", max_len=50)
    r.note = c.text("備考", max_len=5000, multiline=True)
    if kept:
        r.note = "\n".join(([r.note] if r.note else []) + kept)

    # -- rules between columns -------------------------------------------------------
    def need(column: str, when: str) -> None:
        c.add(column, _("Enter this column when “{other}” is given.").format(other=when))

    refer_at_intake = r.triage is Triage.REFER
    if (refer_at_intake or r.screening is ScreeningResult.REFER) and not r.referral_to:
        # a gap a desk cannot fill years later: imported, the agency recorded as not written
        c.warn("つなぎ先", _("No agency is given for “{other}”: recorded as “{gap}”.").format(
            other="他機関へつなぎ", gap=NOT_RECORDED))
        r.referral_to = NOT_RECORDED
    # a つなぎ taken back (引き戻し日) goes on in continued support
    back_at_intake = refer_at_intake and r.taken_back_on is not None
    back_at_screening = r.screening is ScreeningResult.REFER and r.taken_back_on is not None
    if r.taken_back_on is not None and not (refer_at_intake or
                                            r.screening is ScreeningResult.REFER):
        c.add("引き戻し日", _("This column needs a referral (“{other}”) to take back.").format(
            other="他機関へつなぎ"))
    if r.screening is not None and r.triage not in (None, Triage.CONTINUE) \
            and not back_at_intake:
        c.add("スクリーニング結果", _("Screening follows only an intake triaged “継続支援”."))
    if r.plan_on is not None:
        if r.triage not in (None, Triage.CONTINUE) and not back_at_intake:
            c.add("プラン了承日", _("A plan needs the triage “継続支援” (the row says “{value}”).")
                  .format(value=_cell_text(cells.get("振り分け"))))
        if r.screening not in (None, ScreeningResult.CONTINUE) and not back_at_screening:
            c.add("プラン了承日", _("A plan needs the screening result “継続支援” (the row says "
                                "“{value}”).").format(value=_cell_text(cells.get("スクリーニング結果"))))
    for col, value in (("再プラン了承日", r.replans), ("支援決定日", r.decided_on),
                       ("就労支援対象", r.employment or r.employment_dates),
                       ("就労日", r.employed_on),
                       ("増収日", r.income_on), ("中断日", r.suspended_on)):
        if value and r.plan_on is None:
            c.add(col, _("This column needs “{other}” (the first plan).").format(
                other="プラン了承日"))
    approvals = ([r.plan_on] if r.plan_on else []) + r.replans
    for approved in r.employment_dates:
        if r.plan_on is not None and approved not in approvals:
            c.add("就労支援対象", _("{date} is not the date of a plan of this row: give ○, or "
                                "the approval dates of the plans with employment support.")
                  .format(date=_show(approved)))
    if r.decided_on and not any(s for s in r.services):
        need("法定サービス", "支援決定日")
    if r.closed_on and not r.pattern:
        need("終結区分", "終結日")
    if r.pattern and not r.closed_on:
        need("終結日", "終結区分")
    # date order: the rules of the Desk operations (app/domain/step_dates.py)
    outcomes = [on for on in (r.employed_on, r.income_on) if on]
    dates = {"intake": r.received_on, "assessment": r.assessed_on, "approval": r.plan_on,
             "replan": r.replans, "decision": r.decided_on, "outcome": outcomes,
             "suspension": r.suspended_on}
    names = {"intake": "受付日", "assessment": "アセスメント日", "approval": "プラン了承日",
             "replan": "再プラン了承日", "decision": "支援決定日", "suspension": "中断日",
             "outcome": "就労日" if outcomes and r.employed_on == max(outcomes) else "増収日"}
    steps: list[tuple[str, str, date | None]] = [
        ("アセスメント日", "assessment", r.assessed_on), ("プラン了承日", "approval", r.plan_on),
        ("支援決定日", "decision", r.decided_on),
        *(("就労日", "outcome", on) for on in r.employed_dates),
        *(("増収日", "outcome", on) for on in r.income_dates),
        ("中断日", "suspension", r.suspended_on), ("終結日", "closure", r.closed_on)]
    for col, key, d in steps:
        for problem in step_dates.problems(key, d, dates):
            c.add(col, problem.message(names))
    for problem in step_dates.all_problems({"approval": r.plan_on, "replan": r.replans}):
        c.add("再プラン了承日", problem.message(names))
    # a つなぎ taken back (引き戻し日): after the referral it ends, before the plan it leads to
    c.order("引き戻し日", r.taken_back_on, "受付日", r.received_on)
    if back_at_screening:
        c.order("引き戻し日", r.taken_back_on, "アセスメント日" if r.assessed_on else "受付日",
                r.assessed_on or r.received_on)
    if back_at_intake or back_at_screening:
        c.order("プラン了承日", r.plan_on, "引き戻し日", r.taken_back_on)
    return r


# ---------------------------------------------------------------------- the file
def read_ledger(path: Path, today: date, services: list[Service], *,
                sheet: str | None = None) -> tuple[LedgerReport, list[Row]]:
    """Read and check the whole file (no database): the report (the file's problems and
    each row's, warnings, empty rows, the sheet and header read) and the checked rows.
    ``services``: every service of the desk (inactive ones too), for 法定サービス. Writing
    them is ``desk.ledger.import_ledger`` (app/operations/ledger.py)."""
    report = LedgerReport(path=str(path))
    service_names = _service_keys(services)
    rows: list[Row] = []
    try:
        with LedgerSource(path) as source:
            report.sheets = source.sheet_names()
            header, data = source.choose(sheet)
            report.sheet = source.sheet
            if header is None:
                report.problems.append(Problem(1, "-", _(
                    "No header row was found in the first {n} rows: one row must hold the "
                    "column names (受付日, 氏名, 相談経路, 振り分け …).").format(n=HEADER_SEARCH)))
                return report, []
            report.header_row = header.row
            report.title_rows = header.titles
            report.unknown_columns = header.unknown
            for name in header.twice:
                report.problems.append(Problem(header.row, name, _("This column appears twice.")))
            for name in header.missing:
                report.problems.append(Problem(header.row, name,
                                               _("This required column is missing.")))
            if report.problems:
                return report, []
            columns = header.columns
            for number, cells in data:
                if not any(_cell_text(v) for v in cells):
                    report.empty_rows += 1
                    continue
                report.rows += 1
                values = {name: cells[i] if i < len(cells) else None
                          for i, name in columns.items()}
                rows.append(check_row(number, values, report.problems, today, service_names,
                                      report.warnings))
    except LedgerFileError as e:
        report.problems.append(Problem(1, "-", e.message))
        return report, []
    return report, rows


def likely_duplicates(rows: list[Row], known: Callable[[str], list[str]],
                      report: LedgerReport) -> None:
    """Same folded name where a 生年月日 is missing: never merged, listed for a person.
    ``known(name_fold)``: the case numbers (or names) of persons of that name already in
    the database."""
    by_name: dict[str, list[Row]] = {}
    for r in rows:
        if r.name_fold:
            by_name.setdefault(r.name_fold, []).append(r)
    for fold, group in by_name.items():
        if all(r.birth is not None for r in group):
            continue
        in_db = known(fold)[:5]
        without = sum(1 for r in group if r.birth is None)
        births_before = 0
        for r in group:                   # in row order
            if r.birth is not None:
                births_before += 1
                continue
            total = without - 1 + births_before
            others = [_("row {row}").format(row=o.number) for o in islice(
                (o for o in group if o is not r and (o.birth is None or o.number < r.number)),
                5)]
            if total > 5:       # a name on thousands of rows: name a few, count the rest
                others.append(_("{n} more rows").format(n=total - 5))
            others += in_db
            if others:
                report.duplicates.append(_(
                    "Row {row}: {name} may be the same person as {others} (no date of birth: "
                    "not merged).").format(row=r.number, name=r.name,
                                           others="、".join(dict.fromkeys(others))))
