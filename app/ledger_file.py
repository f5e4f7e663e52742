"""Reading a ledger file as desks really keep it, with limits (LEDGER.md, issues 13 and 16).

* ``.xlsx`` is streamed (openpyxl read-only): rows are read one at a time, never the whole
  sheet. CSV is UTF-8 (with or without BOM) or cp932, detected by a first streaming pass
  over the bytes, then read row by row.
* Limits: at most ``MAX_ROWS`` data rows, ``MAX_COLUMNS`` columns and ``MAX_CELL`` characters
  per cell. Beyond any of them the file is refused with a Japanese message naming the row
  (a 5 KB xlsx with one cell at XFD1048576 is refused at that row, without building it).
* The header row is found in the first ``HEADER_SEARCH`` rows (title rows above it are
  skipped and said in the report); the sheet is the one asked for, or the first whose first
  rows hold the expected header; merged cells read as the value of their top-left cell.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from app.errors import TsunaguError
from app.i18n import _

MAX_ROWS = 100_000        # data rows in one sheet or file
MAX_COLUMNS = 200
MAX_CELL = 64 * 1024      # characters in one cell
MAX_MERGED = 100_000      # merged ranges in one sheet
HEADER_SEARCH = 10        # the header row is looked for in the first rows

COLUMNS = ("受付番号", "受付日", "氏名", "ふりがな", "生年月日", "性別", "郵便番号", "住所", "電話番号",
           "相談経路", "紹介元", "主な相談内容", "相談内容", "振り分け", "つなぎ先", "引き戻し日", "緊急支援", "同意",
           "アセスメント日", "スクリーニング結果", "プラン了承日", "再プラン了承日", "法定サービス",
           "支援決定日", "就労支援対象", "就労日", "増収日", "中断日", "終結日", "終結区分", "担当者",
           "備考")
REQUIRED = ("受付日", "氏名", "相談経路", "振り分け")

# Other names desks give the columns (compared after NFKC, without spaces and marks).
HEADER_ALIASES = {
    "番号": "受付番号", "受付no": "受付番号", "受付no.": "受付番号", "ケース番号": "受付番号",
    "相談番号": "受付番号",
    "相談受付日": "受付日", "受付年月日": "受付日", "相談日": "受付日", "初回相談日": "受付日",
    "名前": "氏名", "相談者氏名": "氏名", "相談者名": "氏名", "本人氏名": "氏名",
    "フリガナ": "ふりがな", "よみがな": "ふりがな", "ヨミガナ": "ふりがな", "カナ": "ふりがな",
    "氏名カナ": "ふりがな", "氏名ふりがな": "ふりがな",
    "生年月日(西暦)": "生年月日", "誕生日": "生年月日",
    "〒": "郵便番号", "郵便": "郵便番号",
    "電話": "電話番号", "tel": "電話番号", "連絡先": "電話番号",
    "経路": "相談経路", "相談の経路": "相談経路", "把握経路": "相談経路",
    "紹介機関": "紹介元",
    "主訴": "主な相談内容", "相談の概要": "相談内容", "内容": "相談内容",
    "振分け": "振り分け", "振分": "振り分け", "初回振り分け": "振り分け", "受付時の振り分け": "振り分け",
    "つなぎ先機関": "つなぎ先", "つなぎ先の機関": "つなぎ先", "引き戻し": "引き戻し日",
    "情報共有の同意": "同意", "同意の有無": "同意",
    "スクリーニング": "スクリーニング結果",
    "プラン承認日": "プラン了承日", "再プラン承認日": "再プラン了承日",
    "法定サービス等": "法定サービス", "支援決定": "支援決定日",
    "就労支援": "就労支援対象", "就労": "就労日", "増収": "増収日",
    "中断": "中断日", "終結": "終結日", "終結のパターン": "終結区分",
    "担当": "担当者", "担当相談員": "担当者", "担当支援員": "担当者", "相談支援員": "担当者",
    "メモ欄": "備考",
}


class LedgerFileError(TsunaguError):
    """The file itself cannot be read (format, encoding, limits, no header)."""


def cell_text(value: Any) -> str:
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


_MARKS = re.compile(r"[\s*＊※★◎]|[(（]必須[)）]")


def _norm(text: str) -> str:
    return _MARKS.sub("", unicodedata.normalize("NFKC", text)).lower()


_ALIASES = {_norm(k): v for k, v in HEADER_ALIASES.items()} | {_norm(c): c for c in COLUMNS}


def header_name(value: Any) -> str:
    """The column a header cell names (an alias mapped), or the cell's own text cleaned."""
    text = cell_text(value)
    key = _norm(text)
    return _ALIASES.get(key, re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


@dataclass
class Header:
    row: int                                   # spreadsheet row number of the header
    columns: dict[int, str]                    # cell index -> column name
    unknown: list[str] = field(default_factory=list)
    twice: list[str] = field(default_factory=list)
    titles: list[int] = field(default_factory=list)   # non-empty rows above the header

    @property
    def missing(self) -> list[str]:
        seen = set(self.columns.values())
        return [c for c in REQUIRED if c not in seen]


def read_header(cells: list[Any], row: int, merged_from: set[int] | None = None) -> Header:
    h = Header(row, {})
    seen: set[str] = set()
    for i, raw in enumerate(cells):
        name = header_name(raw)
        if not name or (merged_from and i in merged_from):
            continue
        if name not in COLUMNS:
            if name not in h.unknown:
                h.unknown.append(name)
            continue
        if name in seen:
            h.twice.append(name)
            continue
        seen.add(name)
        h.columns[i] = name
    return h


def _known(cells: list[Any]) -> int:
    return len({header_name(v) for v in cells} & set(COLUMNS))


def find_header(head: list[tuple[int, list[Any], set[int]]]) -> Header | None:
    """The header among the first rows: the first holding every required column, else the
    one naming the most columns (at least two), else None."""
    best: tuple[int, int] | None = None
    for i, (_n, cells, _m) in enumerate(head):
        known = _known(cells)
        if known >= 2 and all(c in {header_name(v) for v in cells} for c in REQUIRED):
            best = (10**6, i)
            break
        if known >= 2 and (best is None or known > best[0]):
            best = (known, i)
    if best is None:
        return None
    n, cells, merged = head[best[1]]
    header = read_header(cells, n, merged)
    header.titles = [m for m, c, _x in head[:best[1]] if any(cell_text(v) for v in c)]
    return header


# ---------------------------------------------------------------------- the source
def _too_many_rows() -> LedgerFileError:
    return LedgerFileError(_(
        "The ledger has more than {n} rows: split it into several files (for example one per "
        "fiscal year) and import them one after the other.").format(n=f"{MAX_ROWS:,}"))


def _check_row(n: int, cells: list[Any]) -> list[Any]:
    """Refuse a row beyond the limits; trailing empty cells are dropped."""
    if len(cells) > MAX_COLUMNS:
        extra = next((i for i in range(len(cells) - 1, MAX_COLUMNS - 1, -1)
                      if cell_text(cells[i])), None)
        if extra is not None:
            raise LedgerFileError(_(
                "Row {row} has a value in column {column}: a ledger may have at most {n} "
                "columns. Delete what is beyond them and import again.").format(
                row=f"{n:,}", column=_column_letter(extra + 1), n=MAX_COLUMNS))
        cells = cells[:MAX_COLUMNS]
    for i, v in enumerate(cells):
        if isinstance(v, str) and len(v) > MAX_CELL:
            raise LedgerFileError(_(
                "Row {row} column {column} holds {size} characters: a cell may hold at most "
                "{n}.").format(row=f"{n:,}", column=_column_letter(i + 1), size=f"{len(v):,}",
                               n=f"{MAX_CELL:,}"))
    return cells


def _column_letter(index: int) -> str:
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class LedgerSource:
    """One opened ledger: its sheets (xlsx) and a stream of the chosen sheet's rows."""

    def __init__(self, path: Path):
        self.path = path
        self.kind = ""
        self._wb: Any | None = None           # openpyxl's workbook (xlsx), untyped
        self.encoding = ""
        self.lines = 0                        # line breaks in a CSV
        self.sheet = ""                       # the sheet read (xlsx)
        try:
            with open(path, "rb") as fh:
                magic = fh.read(8)
        except OSError as e:
            raise LedgerFileError(_("The file cannot be read: {reason}").format(
                reason=e.strerror or str(e))) from None
        if magic[:4] == b"PK\x03\x04":
            self.kind = "xlsx"
            self._open_xlsx()
        elif magic == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise LedgerFileError(_("Old Excel files (.xls) cannot be read: save the ledger "
                                    "as .xlsx or CSV and import that."))
        else:
            self.kind = "csv"
            self.encoding, self.lines = _csv_encoding(path)

    def close(self) -> None:
        if self._wb is not None:
            self._wb.close()
            self._wb = None

    def __enter__(self) -> "LedgerSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- sheets -----------------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames) if self._wb is not None else []

    def _open_xlsx(self) -> None:
        from openpyxl import load_workbook
        try:
            self._wb = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise LedgerFileError(_("The Excel file cannot be read: {reason}").format(
                reason=str(e) or type(e).__name__)) from None

    # -- rows -------------------------------------------------------------------------
    def choose(self, sheet: str | None = None) -> tuple[Header | None, Iterator]:
        """The header and an iterator over the data rows below it, (number, cells)."""
        if self.kind == "csv":
            if self.lines > MAX_ROWS + 1 and \
                    sum(1 for _n, c, _m in self._csv_rows() if any(c)) > MAX_ROWS + HEADER_SEARCH:
                raise _too_many_rows()    # said at once, before any row is checked
            return self._split(self._csv_rows())
        names = self.sheet_names()
        if not names:
            raise LedgerFileError(_("The workbook has no sheet."))
        if sheet is not None:
            if sheet not in names:
                raise LedgerFileError(_("The workbook has no sheet “{sheet}”. Its sheets: "
                                        "{names}.").format(sheet=sheet, names="、".join(names)))
            self.sheet = sheet
            return self._split(self._xlsx_rows(sheet))
        fallback = None
        for name in names:
            header, rows = self._split(self._xlsx_rows(name))
            if header is not None and not header.missing:
                self.sheet = name
                return header, rows
            if header is not None and fallback is None:
                fallback = name
        self.sheet = fallback or names[0]
        return self._split(self._xlsx_rows(self.sheet))

    def _split(self, rows: Iterator) -> tuple[Header | None, Iterator]:
        head = []
        for item in rows:
            head.append(item)
            if len(head) >= HEADER_SEARCH:
                break
        header = find_header(head)
        if header is None:
            return None, iter(())
        rest = [(n, c) for n, c, _m in head if n > header.row]

        def data() -> Iterator[tuple[int, list[Any]]]:
            count = 0
            for n, cells in itertools.chain(rest, ((n, c) for n, c, _m in rows)):
                if any(v is not None and v != "" for v in cells):
                    count += 1
                    if count > MAX_ROWS:
                        raise _too_many_rows()
                yield n, cells
        return header, data()

    def _csv_rows(self) -> Iterator[tuple[int, list[Any], set[int]]]:
        try:
            fh = open(self.path, encoding=self.encoding, newline="")
        except OSError as e:
            raise LedgerFileError(_("The file cannot be read: {reason}").format(
                reason=e.strerror or str(e))) from None
        reader = csv.reader(fh)
        n = 0
        try:
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:
                    if "field larger" in str(e):
                        raise LedgerFileError(_(
                            "Row {row} holds a cell of more than {n} characters (or a quote "
                            "that is never closed).").format(row=f"{reader.line_num:,}",
                                                             n=f"{MAX_CELL:,}")) from None
                    raise LedgerFileError(_("Row {row} cannot be read as CSV: {reason}")
                                          .format(row=f"{reader.line_num:,}", reason=e)) from None
                n += 1
                yield n, _check_row(n, cells), set()
        finally:
            fh.close()

    def _xlsx_rows(self, name: str) -> Iterator[tuple[int, list[Any], set[int]]]:
        assert self._wb is not None, "an xlsx source opens its workbook at once"
        ws = self._wb[name]
        merges = _merged_ranges(ws)
        # the stored size of a sheet may be wrong (or hostile: XFD1048576): read what is there
        ws.reset_dimensions()
        by_start: dict[int, list[list]] = {}
        for r in merges:                      # [min_row, min_col, max_row, max_col, value]
            by_start.setdefault(r[0], []).append(r)
        active: list[list] = []
        try:
            for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = _check_row(n, list(values))
                merged_from: set[int] = set()
                if by_start or active:
                    for r in by_start.pop(n, ()):
                        r[4] = cells[r[1] - 1] if r[1] - 1 < len(cells) else None
                        active.append(r)
                    if active:
                        active = [r for r in active if r[2] >= n]
                        for r in active:
                            last = min(r[3], MAX_COLUMNS)
                            if len(cells) < last:
                                cells.extend([None] * (last - len(cells)))
                            for c in range(r[1], last + 1):
                                if (n, c) != (r[0], r[1]):
                                    cells[c - 1] = r[4]
                                    if n == r[0]:
                                        merged_from.add(c - 1)
                yield n, cells, merged_from
        except LedgerFileError:
            raise
        except Exception as e:  # noqa: BLE001 - ParseError, ValueError, KeyError, …
            raise LedgerFileError(_("The Excel file cannot be read: {reason}").format(
                reason=str(e) or type(e).__name__)) from None


_RANGE = re.compile(r"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _merged_ranges(ws) -> list[list]:
    """The merged ranges of a read-only sheet, from a streaming pass over its XML (read-only
    sheets do not keep them); each [min_row, min_col, max_row, max_col, None]."""
    from xml.etree.ElementTree import iterparse
    out: list[list] = []
    try:
        with ws.parent._archive.open(ws._worksheet_path) as src:  # noqa: SLF001
            for _event, el in iterparse(src, events=("end",)):
                tag = el.tag.rsplit("}", 1)[-1]
                if tag == "mergeCell":
                    m = _RANGE.fullmatch(el.get("ref", ""))
                    if m:
                        r1, r2 = int(m[2]), int(m[4])
                        c1, c2 = _col_number(m[1]), _col_number(m[3])
                        if c1 <= MAX_COLUMNS and r1 <= r2 and c1 <= c2:
                            out.append([r1, c1, r2, c2, None])
                            if len(out) > MAX_MERGED:
                                raise LedgerFileError(_(
                                    "The sheet has more than {n} merged cell ranges.").format(
                                    n=f"{MAX_MERGED:,}"))
                if tag in ("row", "c", "v", "is", "t", "f"):
                    el.clear()
    except LedgerFileError:
        raise
    except Exception as e:  # noqa: BLE001 - a broken sheet: the row reading says it again
        raise LedgerFileError(_("The Excel file cannot be read: {reason}").format(
            reason=str(e) or type(e).__name__)) from None
    return out


def _csv_encoding(path: Path) -> tuple[str, int]:
    """utf-8-sig, utf-8 or cp932, and the number of line breaks, from a streaming pass."""
    with open(path, "rb") as fh:
        bom = fh.read(3) == b"\xef\xbb\xbf"
        candidates = ("utf-8",) if bom else ("utf-8", "cp932")
        for encoding in candidates:
            fh.seek(3 if bom else 0)
            decoder = codecs.getincrementaldecoder(encoding)()
            lines = 0
            try:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                    lines += chunk.count(b"\n")
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return ("utf-8-sig" if bom else encoding), lines
    raise LedgerFileError(_("The file is neither UTF-8 nor Shift_JIS (cp932) text, nor an "
                            "Excel workbook (.xlsx)."))


def sheet_names(path: str | Path) -> list[str]:
    """The sheets of an .xlsx ledger ([] for CSV), for the sheet chooser."""
    with LedgerSource(Path(path)) as src:
        return src.sheet_names()
