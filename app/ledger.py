"""Importing an existing case ledger (相談受付簿), exactly as LEDGER.md describes.

* File: .xlsx (first sheet) or CSV in UTF-8 (with or without BOM) or cp932, detected from
  the bytes. Row 1 holds the column names in any order; unknown columns are reported and
  ignored; empty rows are skipped; dates in every form ``text_ja.parse_date`` reads.
* **All or nothing**: the whole file is checked first; if any row is wrong nothing is
  written and each problem is reported as 「行 N 列「名前」: message」 (the header is row 1).
* **Idempotent**: a row whose 受付番号 already exists (same person, same 受付日) — or, without
  a 受付番号, an intake of the same person on the same day — is reported as already
  imported and written no second time.
* The history becomes real records, written with the same repositories (rows and journal)
  the Desk operations use, in ONE transaction: person, case, intake (with its referral and
  emergency rows), assessment, screening, plans approved at an imported 支援調整会議 (one
  per date, place 「台帳取り込み」), the evaluation before each re-plan, 支援決定, outcomes
  就労/増収 on evaluations, 中断 and 終結 confirmed at the meeting of their date.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app import process as P
from app import text_ja, validation
from app.domain import EmergencyAction, IntakeInput, PersonInput, Route, Sex, Stage, Triage
from app.domain import step_dates
from app.domain.intake import CONSULTATION_TOPICS
from app.errors import TsunaguError, ValidationError
from app.i18n import _

COLUMNS = ("受付番号", "受付日", "氏名", "ふりがな", "生年月日", "性別", "郵便番号", "住所", "電話番号",
           "相談経路", "紹介元", "主な相談内容", "相談内容", "振り分け", "つなぎ先", "緊急支援", "同意",
           "アセスメント日", "スクリーニング結果", "プラン了承日", "再プラン了承日", "法定サービス",
           "支援決定日", "就労支援対象", "就労日", "増収日", "中断日", "終結日", "終結区分", "担当者",
           "備考")
REQUIRED = ("受付日", "氏名", "相談経路", "振り分け")

ROUTES = {"庁内": Route.MUNICIPAL, "庁内紹介": Route.MUNICIPAL,
          "関係機関": Route.AGENCY, "関係機関紹介": Route.AGENCY,
          "アウトリーチ": Route.OUTREACH, "訪問": Route.OUTREACH, "出張相談": Route.OUTREACH,
          "本人等": Route.SELF, "来所": Route.SELF, "電話": Route.SELF, "家族": Route.SELF,
          "知人": Route.SELF, "本人": Route.SELF}
TRIAGES = {"継続支援": Triage.CONTINUE, "他機関へつなぎ": Triage.REFER,
           "他機関へつなぐ": Triage.REFER, "情報提供のみ": Triage.INFO_ONLY}
SCREENINGS = {"継続支援": P.ScreeningResult.CONTINUE, "他機関へつなぎ": P.ScreeningResult.REFER,
              "他機関へつなぐ": P.ScreeningResult.REFER,
              "情報提供で終了": P.ScreeningResult.INFO_ONLY,
              "情報提供のみ": P.ScreeningResult.INFO_ONLY}
SEXES = {"男": Sex.MALE, "男性": Sex.MALE, "女": Sex.FEMALE, "女性": Sex.FEMALE,
         "その他": Sex.OTHER, "不明": Sex.UNKNOWN}
YES = {"○", "〇", "◯", "はい", "1", "有", "あり", "true", "yes", "y", "済"}
NO = {"", "×", "✕", "いいえ", "0", "無", "なし", "false", "no", "n", "-", "ー", "－"}
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


class LedgerFileError(TsunaguError):
    """The file itself cannot be read (format, encoding, no header)."""


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def text(self) -> str:
        return _("Row {row} column “{column}”: {message}").format(
            row=self.row, column=self.column, message=self.message)


@dataclass
class LedgerReport:
    path: str
    dry_run: bool = False
    rows: int = 0                                   # data rows read (empty ones excluded)
    empty_rows: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    already: list[tuple[int, str]] = field(default_factory=list)    # (row, case number)
    imported: list[tuple[int, str]] = field(default_factory=list)   # (row, case number)
    duplicates: list[str] = field(default_factory=list)
    staff_created: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> int:
        return 0 if (self.dry_run or self.problems) else len(self.imported)

    def lines(self) -> list[str]:
        out = [_("Ledger {path}: {rows} rows").format(path=self.path, rows=self.rows)]
        if self.empty_rows:
            out.append(_("Empty rows skipped: {n}").format(n=self.empty_rows))
        for col in self.unknown_columns:
            out.append(_("Unknown column “{column}”: ignored.").format(column=col))
        for p in self.problems:
            out.append(p.text())
        if self.problems:
            out.append(_("Nothing was imported: {n} problems. Correct the file and import it "
                         "again.").format(n=len(self.problems)))
        for row, case_no in self.already:
            out.append(_("Row {row}: already imported ({case_no}), skipped.").format(
                row=row, case_no=case_no))
        out.extend(self.duplicates)
        if not self.problems:
            numbers = ", ".join(c for _r, c in self.imported)
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
    emergency: list[str] = field(default_factory=list)
    emergency_note: str = ""
    consent: bool | None = None
    assessed_on: date | None = None
    screening: P.ScreeningResult | None = None
    plan_on: date | None = None
    replans: list[date] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    decided_on: date | None = None
    employment: bool = False
    employed_on: date | None = None
    income_on: date | None = None
    suspended_on: date | None = None
    closed_on: date | None = None
    pattern: str = ""
    staff: str = ""
    note: str = ""


# ---------------------------------------------------------------------- reading the file
def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_table(path: Path) -> list[tuple[int, list[Any]]]:
    """(spreadsheet row number, cells) of every row, header included."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LedgerFileError(_("The file cannot be read: {reason}").format(reason=e.strerror
                                                                           or str(e))) from None
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise LedgerFileError(_("Old Excel files (.xls) cannot be read: save the ledger as "
                                ".xlsx or CSV and import that."))
    try:
        if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM, then bytes that are not UTF-8
            text = data[3:].decode("utf-8", errors="strict")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp932")
    except UnicodeDecodeError:
        raise LedgerFileError(_(
            "The file is neither UTF-8 nor Shift_JIS (cp932) text, nor an Excel "
            "workbook (.xlsx).")) from None
    rows = []
    for n, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        rows.append((n, list(cells)))
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise LedgerFileError(_("The Excel file cannot be read: {reason}").format(
            reason=str(e) or type(e).__name__)) from None
    try:
        if not wb.worksheets:
            return []
        ws = wb.worksheets[0]
        # read-only sheets are parsed while iterating: broken XML in a cell (e.g. a
        # character reference to a lone surrogate) surfaces here, not at load_workbook
        return [(n, list(cells)) for n, cells in enumerate(ws.iter_rows(values_only=True),
                                                           start=1)]
    except Exception as e:  # noqa: BLE001 - ParseError, ValueError, KeyError, …
        raise LedgerFileError(_("The Excel file cannot be read: {reason}").format(
            reason=str(e) or type(e).__name__)) from None
    finally:
        wb.close()


def _header_name(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _cell_text(value)))


# ---------------------------------------------------------------------- checking rows
class _RowCheck:
    def __init__(self, number: int, cells: dict[str, Any], problems: list[Problem],
                 today: date):
        self.n = number
        self.cells = cells
        self.problems = problems
        self.today = today

    def add(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.n, column, message))

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

    def date(self, column: str, *, required: bool = False, raw: Any = None) -> date | None:
        value = self.cells.get(column) if raw is None else raw
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(column, _("Enter a value: this column is required."))
            return None
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
            d = self.date(column)
            return [d] if d else []
        out = []
        for part in re.split(r"[;；\n]", str(value)):
            if part.strip():
                d = self.date(column, raw=part.strip())
                if d:
                    out.append(d)
        return out

    def choice(self, column: str, table: dict[str, Any], *, required: bool = False):
        raw = unicodedata.normalize("NFKC", _cell_text(self.cells.get(column))).strip()
        if not raw:
            if required:
                self.add(column, _("Enter a value: this column is required."))
            return None
        for key, value in table.items():
            if unicodedata.normalize("NFKC", key) == raw:
                return value
        self.add(column, _("Unknown value “{value}”: use one of {choices}.").format(
            value=raw, choices=" / ".join(dict.fromkeys(table))))
        return None

    def flag(self, column: str) -> bool | None:
        raw = unicodedata.normalize("NFKC", _cell_text(self.cells.get(column))).strip().lower()
        if raw in {unicodedata.normalize("NFKC", y).lower() for y in YES}:
            return True
        if raw in {unicodedata.normalize("NFKC", y).lower() for y in NO}:
            return False if raw else None
        self.add(column, _("Unknown value “{value}”: use one of {choices}.").format(
            value=raw, choices="○ / はい / 1"))
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


def _service_keys(services: list[P.Service]) -> dict[str, str]:
    names: dict[str, str] = {}
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
              service_names: dict[str, str]) -> Row:
    c = _RowCheck(number, cells, problems, today)
    r = Row(number)
    r.case_no = c.text("受付番号", max_len=30)
    r.received_on = c.date("受付日", required=True)
    r.name = c.text("氏名", required=True, max_len=100)
    r.name_fold = text_ja.fold_for_search(r.name) if r.name else ""
    kana = _cell_text(cells.get("ふりがな"))
    try:
        r.kana = validation.clean_kana(kana, "ふりがな", "ふりがな")
    except ValidationError as e:
        c.add("ふりがな", e.message)
    r.birth = c.date("生年月日")
    if r.birth and r.received_on and r.birth >= r.received_on:
        c.add("生年月日", _("{column} must be before {other} ({date}).").format(
            column="生年月日", other="受付日", date=_show(r.received_on)))
    r.sex = c.choice("性別", SEXES) or Sex.UNKNOWN
    try:
        r.postal_code = validation.clean_postal_code(cells.get("郵便番号"), "郵便番号")
    except ValidationError as e:
        c.add("郵便番号", e.message)
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
        c.add("電話番号", e.message)
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
    r.triage = c.choice("振り分け", TRIAGES, required=True)
    r.referral_to = c.text("つなぎ先", max_len=100)
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
    r.assessed_on = c.date("アセスメント日")
    r.screening = c.choice("スクリーニング結果", SCREENINGS)
    r.plan_on = c.date("プラン了承日")
    r.replans = c.dates("再プラン了承日")
    for part in re.split(r"[;；\n]", _cell_text(cells.get("法定サービス"))):
        if not part.strip():
            continue
        key = service_names.get(_fold(part))
        if key is None:
            c.add("法定サービス", _("Unknown service “{value}”.").format(value=part.strip()))
        elif key not in r.services:
            r.services.append(key)
    r.decided_on = c.date("支援決定日")
    r.employment = bool(c.flag("就労支援対象"))
    r.employed_on = c.date("就労日")
    r.income_on = c.date("増収日")
    r.suspended_on = c.date("中断日")
    r.closed_on = c.date("終結日")
    pattern = unicodedata.normalize("NFKC", _cell_text(cells.get("終結区分"))).strip()
    pattern = re.sub(r"[()（）\s]|^終結", "", pattern)
    if pattern and pattern not in ("1", "2", "3"):
        c.add("終結区分", _("Unknown value “{value}”: use one of {choices}.").format(
            value=pattern, choices="1 / 2 / 3"))
        pattern = ""
    r.pattern = pattern
    r.staff = c.text("担当者", max_len=50)
    r.note = c.text("備考", max_len=5000, multiline=True)

    # -- rules between columns -------------------------------------------------------
    def need(column: str, when: str) -> None:
        c.add(column, _("Enter this column when “{other}” is given.").format(other=when))

    refer_at_intake = r.triage is Triage.REFER
    if (refer_at_intake or r.screening is P.ScreeningResult.REFER) and not r.referral_to:
        need("つなぎ先", "他機関へつなぎ")
    if r.screening is not None and r.triage not in (None, Triage.CONTINUE):
        c.add("スクリーニング結果", _("Screening follows only an intake triaged “継続支援”."))
    if r.plan_on is not None:
        if r.triage not in (None, Triage.CONTINUE):
            c.add("プラン了承日", _("A plan needs the triage “継続支援” (the row says “{value}”).")
                  .format(value=_cell_text(cells.get("振り分け"))))
        if r.screening not in (None, P.ScreeningResult.CONTINUE):
            c.add("プラン了承日", _("A plan needs the screening result “継続支援” (the row says "
                                "“{value}”).").format(value=_cell_text(cells.get("スクリーニング結果"))))
    for col, value in (("再プラン了承日", r.replans), ("支援決定日", r.decided_on),
                       ("就労支援対象", r.employment), ("就労日", r.employed_on),
                       ("増収日", r.income_on), ("中断日", r.suspended_on)):
        if value and r.plan_on is None:
            c.add(col, _("This column needs “{other}” (the first plan).").format(
                other="プラン了承日"))
    if r.decided_on and not any(s for s in r.services):
        need("法定サービス", "支援決定日")
    if r.closed_on and not r.pattern:
        need("終結区分", "終結日")
    if r.pattern and not r.closed_on:
        need("終結日", "終結区分")
    # date order: the rules of the Desk operations (app/domain/step_dates.py)
    outcomes = [d for d in (r.employed_on, r.income_on) if d]
    dates = {"intake": r.received_on, "assessment": r.assessed_on, "approval": r.plan_on,
             "replan": r.replans, "decision": r.decided_on, "outcome": outcomes,
             "suspension": r.suspended_on}
    names = {"intake": "受付日", "assessment": "アセスメント日", "approval": "プラン了承日",
             "replan": "再プラン了承日", "decision": "支援決定日", "suspension": "中断日",
             "outcome": "就労日" if outcomes and r.employed_on == max(outcomes) else "増収日"}
    for col, key, d in (("アセスメント日", "assessment", r.assessed_on),
                        ("プラン了承日", "approval", r.plan_on),
                        ("支援決定日", "decision", r.decided_on),
                        ("就労日", "outcome", r.employed_on), ("増収日", "outcome", r.income_on),
                        ("中断日", "suspension", r.suspended_on),
                        ("終結日", "closure", r.closed_on)):
        for problem in step_dates.problems(key, d, dates):
            c.add(col, problem.message(names))
    for problem in step_dates.all_problems({"approval": r.plan_on, "replan": r.replans}):
        c.add("再プラン了承日", problem.message(names))
    return r


# ---------------------------------------------------------------------- the import
class _DryRun(Exception):
    """Raised inside the transaction of a dry run: everything is rolled back."""


def import_ledger(desk, path: Path, *, dry_run: bool = False) -> LedgerReport:
    """Check the whole ledger, then write it in one transaction (or nothing)."""
    from app.store.ledger_repo import LedgerRepo
    from app.store.process_repo import ProcessRepo
    store = desk.store
    report = LedgerReport(path=str(path), dry_run=dry_run)
    try:
        table = read_table(path)
    except LedgerFileError as e:
        report.problems.append(Problem(1, "-", e.message))
        return report
    if not table or not any(_cell_text(v) for v in table[0][1]):
        report.problems.append(Problem(1, "-", _("The file has no header row (row 1 holds the "
                                                 "column names).")))
        return report
    header_row = table[0][1]
    columns: dict[int, str] = {}
    seen: set[str] = set()
    for i, raw in enumerate(header_row):
        name = _header_name(raw)
        if not name:
            continue
        if name not in COLUMNS:
            report.unknown_columns.append(name)
            continue
        if name in seen:
            report.problems.append(Problem(1, name, _("This column appears twice.")))
            continue
        seen.add(name)
        columns[i] = name
    for name in REQUIRED:
        if name not in seen:
            report.problems.append(Problem(1, name, _("This required column is missing.")))
    if report.problems:
        return report

    repo, lrepo = ProcessRepo(store.conn), LedgerRepo(store.conn)
    service_names = _service_keys(repo.services(active_only=False))
    services = {s.key: s for s in repo.services(active_only=False)}
    today = desk.today()
    rows: list[Row] = []
    for number, cells in table[1:]:
        values = {name: cells[i] if i < len(cells) else None for i, name in columns.items()}
        if not any(_cell_text(v) for v in cells):
            report.empty_rows += 1
            continue
        report.rows += 1
        rows.append(check_row(number, values, report.problems, today, service_names))

    # -- numbers, idempotency, persons ------------------------------------------------
    numbers: dict[str, int] = {}
    new_rows: list[Row] = []
    for r in rows:
        if r.case_no:
            if r.case_no in numbers:
                report.problems.append(Problem(r.number, "受付番号", _(
                    "The number {case_no} is also on row {row}: numbers must be unique.")
                    .format(case_no=r.case_no, row=numbers[r.case_no])))
                continue
            numbers[r.case_no] = r.number
            existing = lrepo.case_by_no(r.case_no)
            if existing is not None:
                if existing["name_fold"] == r.name_fold and r.received_on and \
                        existing["received_on"] == r.received_on.isoformat():
                    report.already.append((r.number, r.case_no))
                else:
                    report.problems.append(Problem(r.number, "受付番号", _(
                        "The number {case_no} is already used by another case ({name}, "
                        "received {date}).").format(case_no=r.case_no, name=existing["name"],
                                                   date=existing["received_on"] or "-")))
                continue
        elif r.name_fold and r.received_on:
            found = lrepo.intake_exists(r.name_fold, r.birth.isoformat() if r.birth else None,
                                        r.received_on.isoformat())
            if found:
                report.already.append((r.number, found))
                continue
        new_rows.append(r)
    _likely_duplicates(rows, lrepo, report)
    if report.problems:
        report.imported = []
        return report

    new_rows.sort(key=lambda r: (r.received_on, r.number))
    try:
        with store.transaction() as w:
            writer = _Writer(desk, w, repo, lrepo, services, set(numbers), report)
            for r in new_rows:
                report.imported.append((r.number, writer.write(r)))
            store.audit(desk.user.login, "import_ledger",
                        detail=f"{path.name}: {len(new_rows)}")
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    report.imported.sort()
    return report


def _likely_duplicates(rows: list[Row], lrepo, report: LedgerReport) -> None:
    """Same folded name where a 生年月日 is missing: never merged, listed for a person."""
    by_name: dict[str, list[Row]] = {}
    for r in rows:
        if r.name_fold:
            by_name.setdefault(r.name_fold, []).append(r)
    for fold, group in by_name.items():
        for i, r in enumerate(group):
            if r.birth is not None:
                continue
            others = [_("row {row}").format(row=o.number) for o in group if o is not r
                      and (o.birth is None or o.number < r.number)]
            others += [p["case_no"] or p["name"] for p in lrepo.persons_by_name(fold)]
            if others:
                report.duplicates.append(_(
                    "Row {row}: {name} may be the same person as {others} (no date of birth: "
                    "not merged).").format(row=r.number, name=r.name,
                                           others="、".join(dict.fromkeys(others))))


class _Writer:
    """Writes one checked row as the records the Desk operations would have made."""

    def __init__(self, desk, w, repo, lrepo, services, file_numbers: set[str],
                 report: LedgerReport):
        self.desk, self.store, self.w = desk, desk.store, w
        self.repo, self.lrepo = repo, lrepo
        self.services = services
        self.file_numbers = file_numbers
        self.report = report
        self.persons: dict[tuple[str, str], str] = {}
        self.staff: dict[str, str] = {}
        self.meetings: dict[date, str] = {}
        self.mark = _("Imported from the ledger")

    # -- helpers --------------------------------------------------------------------------
    def _staff(self, name: str) -> str | None:
        if not name:
            return self.desk.user.id
        if name not in self.staff:
            found = self.lrepo.staff_by_name(name)
            if found is None:
                found = self.lrepo.insert_inactive_staff(self.w, name)
                self.report.staff_created.append(name)
            self.staff[name] = found
        return self.staff[name]

    def _case_no(self, r: Row, fy: int) -> str:
        if r.case_no:
            return r.case_no
        while True:
            number = self.store.next_case_no(fy)
            if number not in self.file_numbers:
                return number

    def _meeting(self, on: date) -> str:
        if on not in self.meetings:
            found = self.lrepo.imported_meeting(on.isoformat())
            if found is None:
                from app.store.ledger_repo import LEDGER_MEETING_PLACE
                found = self.repo.insert_meeting(self.w, on, P.MeetingKind.AD_HOC.value,
                                                 LEDGER_MEETING_PLACE, [], None)
                self.repo.set_meeting(self.w, found, held=1, minutes=self.mark)
            self.meetings[on] = found
        return self.meetings[on]

    def _approve(self, on: date, case_id: str, kind: P.AgendaKind, subject_id: str,
                 summary: str = "") -> None:
        item = self.repo.insert_agenda_item(self.w, self._meeting(on), case_id, kind.value,
                                            subject_id, summary or self.mark)
        self.repo.set_agenda_result(self.w, item, P.MeetingResult.APPROVED.value, "")

    def _person(self, r: Row) -> str:
        key = (r.name_fold, r.birth.isoformat()) if r.birth else None
        if key and key in self.persons:
            return self.persons[key]
        if key:
            known = self.store.persons_by_identity(r.name_fold, r.birth)
            if known:
                self.persons[key] = known[0].id
                return known[0].id
        p = PersonInput(name=r.name, kana=r.kana, birth_date=r.birth, sex=r.sex,
                        postal_code=r.postal_code, address=r.address, phone_home=r.phone_home,
                        phone_mobile=r.phone_mobile)
        fields = self.store.person_fields(p, r.name_fold, text_ja.fold_for_search(r.kana))
        person_id = self.w.insert("person", fields)
        if key:
            self.persons[key] = person_id
        return person_id

    # -- one row --------------------------------------------------------------------------
    def write(self, r: Row) -> str:
        store, repo, w = self.store, self.repo, self.w
        assert r.received_on is not None and r.route is not None and r.triage is not None
        person_id = self._person(r)
        fy = text_ja.fiscal_year(r.received_on)
        case_no = self._case_no(r, fy)
        assignee = self._staff(r.staff)
        case_id = store.insert_case(w, case_no=case_no, person_id=person_id, fiscal_year=fy,
                                    stage=Stage.INTAKE, opened_on=r.received_on,
                                    assignee_id=assignee)
        consultation = r.consultation
        if r.note:
            consultation = (consultation + "\n" if consultation else "") + \
                _("Note: {note}").format(note=r.note)
        intake = IntakeInput(
            received_on=r.received_on, received_by=r.staff or self.desk.user.display_name,
            route=r.route, referral_source=r.source,
            topics=[r.main_topic] if r.main_topic else [], main_topic=r.main_topic,
            consultation=consultation, triage=r.triage,
            referral_to=r.referral_to if r.triage is Triage.REFER else "",
            emergency_needed=bool(r.emergency_note), emergency_actions=r.emergency,
            emergency_note=r.emergency_note, consent=r.consent,
            consent_on=r.received_on if r.consent else None)
        store.insert_intake(w, case_id, intake)
        repo.from_intakes(w, case_id)            # referral (つなぎ) and emergency rows
        self.lrepo.set_emergency_done(w, case_id)
        version = 0
        if r.assessed_on:
            _id, version = repo.insert_assessment(w, case_id, P.AssessmentInput(
                assessed_on=r.assessed_on, analysis=self.mark, author=r.staff))
        if r.screening is not None:
            on = r.assessed_on or r.received_on
            sid = repo.insert_screening(w, case_id, on, r.screening.value, version, self.mark,
                                        None)
            if r.screening is P.ScreeningResult.REFER:
                repo.insert_referral(w, case_id, "screening", sid, on, r.referral_to, False,
                                     None)
        self._plans(r, case_id, version)
        from app.store import derived_repo
        repo.set_status(w, "case_file", case_id,   # stage & co. as the records give them
                        **derived_repo.case_fields(store.conn, case_id, repo))
        store.audit(self.desk.user.login, "import", case_id=case_id, detail=case_no)
        return case_no

    def _plans(self, r: Row, case_id: str, version: int) -> None:
        repo, w = self.repo, self.w
        approvals = ([r.plan_on] if r.plan_on else []) + list(r.replans)
        # the plan whose 支援決定 the row records carries the statutory services
        decided_index = 0
        if r.decided_on:
            decided_index = max(i for i, d in enumerate(approvals) if d <= r.decided_on)
        # outcomes go on the first evaluation dated on or after them
        evaluations: list[date] = list(r.replans) + ([r.closed_on] if r.closed_on and approvals
                                                      else [])
        outcome_at: dict[str, date | None] = {}
        for key, on in (("employed_on", r.employed_on), ("income_increased_on", r.income_on)):
            if on:
                outcome_at[key] = next((e for e in evaluations if e >= on), None)
        extra = sorted({on for key, on in (("employed_on", r.employed_on),
                                           ("income_increased_on", r.income_on))
                        if on and outcome_at.get(key) is None})
        extra_on = extra[-1] if extra else None

        def outcomes(at: date) -> dict[str, date | None]:
            got = {}
            for key, on in (("employed_on", r.employed_on), ("income_increased_on", r.income_on)):
                target = outcome_at.get(key)
                if on and (target == at if target else at == extra_on):
                    got[key] = on
            return got

        previous: str | None = None
        for i, on in enumerate(approvals):
            if previous is not None:
                self._evaluate(case_id, previous, on, P.EvaluationDecision.REPLAN, version,
                               outcomes(on))
            items = [P.PlanItem(_("Self-reliance consultation support"), BASE_SERVICE)]
            if i == decided_index:
                items += [P.PlanItem(self.services[k].name, k) for k in r.services
                          if k != BASE_SERVICE]
            if r.employment and not any(self.services[it.service_key].employment
                                        for it in items if it.service_key in self.services):
                items.append(P.PlanItem(self.services[EMPLOYMENT_SERVICE].name,
                                        EMPLOYMENT_SERVICE))
            kind = P.PlanKind.FIRST if i == 0 else P.PlanKind.REPLAN
            plan_id = repo.insert_plan(w, case_id, P.PlanInput(
                aim=self.mark, items=items, author=r.staff, created_on=on), kind, version, on)
            repo.set_plan(w, plan_id, status=P.PlanStatus.SUBMITTED.value)
            self._approve(on, case_id, P.AgendaKind.NEW_PLAN if i == 0 else P.AgendaKind.REPLAN,
                          plan_id)
            if previous is not None:
                repo.set_plan(w, previous, status=P.PlanStatus.SUPERSEDED.value,
                              superseded_by=plan_id, ended_on=on)
            repo.set_plan(w, plan_id, status=P.PlanStatus.APPROVED.value, approved_on=on,
                          meeting_result=P.MeetingResult.APPROVED.value, conditions="")
            if i == decided_index and r.decided_on:
                for key in r.services:
                    if self.services[key].needs_decision:
                        repo.insert_decision(w, case_id, plan_id, key, r.decided_on,
                                             _("(from the ledger)"), "approved", "")
            previous = plan_id
        if extra_on is not None and previous is not None and extra_on not in evaluations:
            self._evaluate(case_id, previous, extra_on, P.EvaluationDecision.CONTINUE, version,
                           outcomes(extra_on))
        if r.suspended_on:
            sid = repo.insert_suspension(w, case_id, r.suspended_on, self.mark,
                                         Stage.SUPPORT.value)
            self._approve(r.suspended_on, case_id, P.AgendaKind.SUSPENSION, sid)
            repo.set_status(w, "suspension", sid, status="confirmed",
                            confirmed_on=r.suspended_on)
        if r.closed_on:
            if previous is not None:
                self._evaluate(case_id, previous, r.closed_on, P.EvaluationDecision.CLOSE,
                               version, outcomes(r.closed_on))
            grounds = None
            if r.pattern == "3":
                grounds = (P.ClosureGrounds.SUSPENSION if r.suspended_on
                           else P.ClosureGrounds.MOVED_AWAY)
            cid = repo.insert_closure(w, case_id, P.ClosureInput(
                proposed_on=r.closed_on, pattern=P.ClosurePattern(r.pattern), reason=self.mark,
                grounds=grounds))
            self._approve(r.closed_on, case_id, P.AgendaKind.CLOSURE, cid)
            repo.set_status(w, "closure", cid, status="confirmed", confirmed_on=r.closed_on)
            for plan in repo.plans(case_id):
                if plan.status in (P.PlanStatus.APPROVED, P.PlanStatus.DRAFT,
                                   P.PlanStatus.SUBMITTED):
                    repo.set_plan(w, plan.id, status=P.PlanStatus.ENDED.value,
                                  ended_on=r.closed_on)
            repo.set_status(w, "case_file", case_id, closed_on=r.closed_on)

    def _evaluate(self, case_id: str, plan_id: str, on: date,
                  decision: P.EvaluationDecision, version: int,
                  outcomes: dict[str, date | None]) -> None:
        eid = self.repo.insert_evaluation(self.w, case_id, plan_id, P.EvaluationInput(
            evaluated_on=on, decision=decision, note=self.mark,
            employed_on=outcomes.get("employed_on"),
            income_increased_on=outcomes.get("income_increased_on")), version)
        self._approve(on, case_id, P.AgendaKind.EVALUATION, eid)
        self.repo.set_status(self.w, "evaluation", eid, status="confirmed", confirmed_on=on)
