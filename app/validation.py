"""Field validators for user input: each cleans one value or raises ValidationError.

Every message is translated (Japanese by default) and names the field by the label the
caller passes (e.g. 氏名, 生年月日), so it can be shown next to the field or in an import
report as is. Text is kept exactly as written (髙, 﨑, 𠮷, combining marks and variation
selectors survive); only surrounding whitespace is removed.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from datetime import date

from app.errors import ValidationError, ValidationErrors
from app.i18n import _
from app.text_ja import ERAS, coerce_date, format_seireki, format_wareki, is_kana, normalize_kana

__all__ = [
    "clean_date",
    "clean_email",
    "clean_kana",
    "clean_phone",
    "clean_postal_code",
    "clean_text",
]

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls, DEL and C1 controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # \t and \n allowed
# Hyphen-like characters people type in numbers (after NFKC): ‐ ‑ ‒ – — ― − ー ｰ ─ ━ ˗ ⁃ ﹣
_HYPHENS = re.compile("[\u2010-\u2015\u2212\u30fc\uff70\u2500\u2501\u02d7\u2043\ufe63]")


def collect(errors: list[ValidationError], fn, *args, **kwargs):
    """``fn(*args, **kwargs)``; a ValidationError goes into ``errors`` (None is returned), so
    that a form reports every field at once."""
    try:
        return fn(*args, **kwargs)
    except ValidationError as e:
        errors.append(e)
        return None


class Check:
    """Collects the validation errors of one operation so that a form reports every field at
    once; ``done()`` raises them all (ValidationErrors). Used by the parts of the desk."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def __call__(self, fn, *args, **kwargs):
        return collect(self.errors, fn, *args, **kwargs)

    def add(self, field: str, message: str) -> None:
        self.errors.append(ValidationError(field, message))

    def text(self, value, field: str, label: str, *, required: bool = False,
             max_len: int = 2000, multiline: bool = True) -> str:
        return self(clean_text, value, field, label, required=required,
                    max_len=max_len, multiline=multiline) or ""

    def date(self, value, field: str, label: str, *, required: bool = False,
             today: date | None = None, not_before: tuple[date, str] | None = None):
        """The date (None when empty or wrong: the error is collected, and ``done()`` raises
        before a required one is used)."""
        return self(clean_date, value, field, label, required=required,
                    not_after=(today, _("Today")) if today else None, not_before=not_before)

    def choice(self, enum, value, field: str, label: str):
        """A member of ``enum`` from a member or its value; an empty or unknown one is an
        error of ``field``."""
        value = getattr(value, "value", value)
        if value is None or value == "":
            self.add(field, _("Please enter {label}").format(label=label))
            return None
        try:
            return enum(value)
        except ValueError:
            self.add(field, _("{label}: unknown value {value}").format(label=label,
                                                                      value=str(value)))
            return None

    def done(self) -> None:
        if self.errors:
            raise ValidationErrors(self.errors)


def _as_text(value: object) -> str:
    """A cell or widget value as text: None → '', 12 / 12.0 → '12'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("a bool is not text")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    raise TypeError(f"cannot read {type(value).__name__} as text")


def _required(field: str, label: str) -> ValidationError:
    return ValidationError(field, _("Please enter {label}").format(label=label))


def clean_text(
    value: object,
    field: str,
    label: str,
    *,
    required: bool = False,
    max_len: int = 200,
    multiline: bool = False,
) -> str:
    """Text as typed, stripped of surrounding whitespace.

    Refused: broken characters (lone surrogates), control characters (tab and newline are
    allowed when ``multiline``; CR LF and CR then become LF), more than ``max_len``
    characters (code points: 𠮷 counts one), and nothing at all when ``required``.
    """
    text = _as_text(value)
    if m := _SURROGATE.search(text):
        raise ValidationError(
            field,
            _("{label} contains a broken character (position {position})").format(
                label=label, position=m.start() + 1
            ),
        )
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL
    if m := pattern.search(text):
        raise ValidationError(
            field,
            _("{label} contains a control character that cannot be used (position {position})")
            .format(label=label, position=m.start() + 1),
        )
    if not text:
        if required:
            raise _required(field, label)
        return ""
    if len(text) > max_len:
        raise ValidationError(
            field,
            _("{label} must be at most {max} characters (now {count})").format(
                label=label, max=max_len, count=len(text)
            ),
        )
    return text


def clean_kana(
    value: object, field: str, label: str, required: bool = False, *, max_len: int = 100
) -> str:
    """A ふりがな: hiragana or katakana (full or half width), stored as full-width hiragana
    with single spaces (see ``normalize_kana``)."""
    # Length is checked on the normalised kana (ｶﾞ is one character there, two here).
    text = clean_text(value, field, label, required=required, max_len=sys.maxsize)
    if not text:
        return ""
    kana = normalize_kana(text)
    if not is_kana(kana):
        raise ValidationError(
            field, _("Please write {label} in hiragana or katakana").format(label=label)
        )
    if len(kana) > max_len:
        raise ValidationError(
            field,
            _("{label} must be at most {max} characters (now {count})").format(
                label=label, max=max_len, count=len(kana)
            ),
        )
    return kana


def _compact_number(value: object) -> str:
    text = unicodedata.normalize("NFKC", _as_text(value)).strip()
    return _HYPHENS.sub("-", text)


def clean_postal_code(
    value: object,
    field: str = "person.postal_code",
    label: str | None = None,
    *,
    required: bool = False,
) -> str:
    """A postal code as 123-4567. Accepts 1234567, 123-4567, full width, a 〒 prefix and an
    Excel number that lost its leading zero (600001 → 060-0001). Empty gives ''."""
    label = label if label is not None else _("Postal code")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9999999:
        value = f"{value:07d}"
    text = _compact_number(value)
    text = re.sub(r"^(〒|〶)\s*", "", text)
    text = re.sub(r"\s+", "", text)
    if not text:
        if required:
            raise _required(field, label)
        return ""
    m = re.fullmatch(r"([0-9]{3})-?([0-9]{4})", text, re.ASCII)
    if not m:
        raise ValidationError(
            field,
            _("{label} must be 7 digits, like 123-4567").format(label=label),
        )
    return f"{m[1]}-{m[2]}"


def clean_phone(value: object, field: str, label: str, *, required: bool = False) -> str:
    """A Japanese phone number: 10 or 11 digits starting with 0 (0120, 0570, 090 … included).

    Full-width digits and hyphen-like characters become half-width; hyphens are kept where
    typed; spaces and parentheses (03(1234)5678) become hyphens. An Excel number that lost
    its leading 0 gets it back.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value:
        value = f"0{value}"
    text = _compact_number(value)
    if not text:
        if required:
            raise _required(field, label)
        return ""
    if not re.fullmatch(r"[0-9\-\s()]+", text, re.ASCII):
        raise ValidationError(
            field, _("{label} may contain only digits and hyphens").format(label=label)
        )
    text = re.sub(r"[\s()\-]+", "-", text).strip("-")
    digits = text.replace("-", "")
    if not digits.startswith("0") or not 10 <= len(digits) <= 11:
        raise ValidationError(
            field,
            _("{label} must be a number of 10 or 11 digits starting with 0 (now {count} digits)")
            .format(label=label, count=len(digits)),
        )
    return text


_EMAIL = re.compile(
    r"[^@\s]+@(?!-)[^@\s.]+(?:\.[^@\s.]+)+",
)


def clean_email(
    value: object, field: str, label: str | None = None, *, required: bool = False
) -> str:
    """An e-mail address (NFKC'd, so full-width input works): one @, a dot in the domain,
    no spaces. Empty gives ''."""
    label = label if label is not None else _("Email address")
    text = unicodedata.normalize("NFKC", _as_text(value)).strip()
    if not text:
        if required:
            raise _required(field, label)
        return ""
    local = text.rpartition("@")[0]
    if (
        len(text) > 254
        or len(local) > 64
        or not _EMAIL.fullmatch(text)
        or _CONTROL.search(text)
        or _SURROGATE.search(text)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
    ):
        raise ValidationError(
            field,
            _("{label} is not a valid address (example: name@example.jp)").format(label=label),
        )
    return text


def _show_date(d: date) -> str:
    if d >= ERAS[0].start:
        return format_wareki(d)
    return format_seireki(d)


def clean_date(
    value: object,
    field: str,
    label: str,
    *,
    required: bool = False,
    not_after: tuple[date, str] | None = None,
    not_before: tuple[date, str] | None = None,
    before: tuple[date, str] | None = None,
    after: tuple[date, str] | None = None,
) -> date | None:
    """A date in any accepted form (see ``text_ja.parse_date``); None when empty.

    Bounds are ``(date, label)`` pairs, e.g. ``before=(intake_date, "受付日")``:
    ``not_after``/``not_before`` allow the bound itself, ``before``/``after`` do not.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _required(field, label)
        return None
    try:
        d = coerce_date(value, field)
    except ValidationError as exc:
        raise ValidationError(
            field, _("{label}: {message}").format(label=label, message=exc.message)
        ) from None
    if not_after is not None and d > not_after[0]:
        bound, bound_label = not_after
        raise ValidationError(
            field,
            _("{label} cannot be after {bound_label} ({bound})").format(
                label=label, bound_label=bound_label, bound=_show_date(bound)
            ),
        )
    if not_before is not None and d < not_before[0]:
        bound, bound_label = not_before
        raise ValidationError(
            field,
            _("{label} cannot be before {bound_label} ({bound})").format(
                label=label, bound_label=bound_label, bound=_show_date(bound)
            ),
        )
    if before is not None and d >= before[0]:
        bound, bound_label = before
        raise ValidationError(
            field,
            _("{label} must be before {bound_label} ({bound})").format(
                label=label, bound_label=bound_label, bound=_show_date(bound)
            ),
        )
    if after is not None and d <= after[0]:
        bound, bound_label = after
        raise ValidationError(
            field,
            _("{label} must be after {bound_label} ({bound})").format(
                label=label, bound_label=bound_label, bound=_show_date(bound)
            ),
        )
    return d
