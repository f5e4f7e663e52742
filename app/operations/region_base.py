"""What the subjects of ``desk.region`` share (app/operations/region.py): the repository,
the role checks and audit entries, case numbers typed by a person, and the collector of
validation errors. ``RegionBase`` is the base of each subject's class (region_resources.py,
region_issues.py, region_risk.py) and so of ``RegionOperations``, which combines them
into the one part the screens use."""

from __future__ import annotations

from datetime import date
from typing import Any

from app import text_ja, validation
from app.i18n import _
from app.domain.region import LinkedCase
from app.operations.context import Operations
from app.security.roles import Permission
from app.store.region_repo import RegionRepo


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


_Check = validation.Check   # one form-error collector for every part (app/validation.py)


def _count(c: _Check, value: Any, field_: str, label: str) -> int:
    if value in (None, ""):
        return 0
    try:
        n = int(text_ja.nfkc(str(value)).strip())
        if not 0 <= n <= 100_000:
            raise ValueError
        return n
    except ValueError:
        c.add(field_, _("{label}: enter a whole number of 0 or more.").format(label=label))
        return 0


class RegionBase(Operations):
    """The plumbing of ``desk.region``'s subjects (one session context, one repository)."""

    # ------------------------------------------------------------------ plumbing
    @property
    def _region(self) -> RegionRepo:
        return self._ctx.repo(RegionRepo)

    def _require_any(self, *permissions: Permission) -> None:
        """The role must hold one of ``permissions``; a refusal is audited."""
        if not any(self._ctx.allows(p) for p in permissions):
            self._ctx.refuse(self._ctx.role_refused(),
                         detail="|".join(p.value for p in permissions))

    def _audit_region(self, action: str, detail: str = "", case_id: str | None = None) -> None:
        self._store.audit(self._ctx.user.login, action, case_id=case_id, detail=detail)

    def _case_of_number(self, c: _Check, case_no: str, field_: str = "case_no") -> str | None:
        case_no = text_ja.nfkc(case_no or "").strip()
        if not case_no:
            return None
        found = self._region.case_ids_of_numbers([case_no]).get(case_no)
        if found is None:
            c.add(field_, _("Case number {case_no} was not found.").format(case_no=case_no))
        return found

    def _visible_case_rows(self, case_ids: list[str]) -> list[LinkedCase]:
        access = self._ctx.case_access() if self._ctx.allows(Permission.VIEW_CASES) \
            else None
        if access is None:
            return []
        return [_linked(r) for r in self._region.open_cases(case_ids, access)]


def _linked(r: dict[str, Any]) -> LinkedCase:
    """A case row of the region repository (case_id, case_no, name, stage, closed_on)."""
    return LinkedCase(r["case_id"], r["case_no"], r["name"], r["stage"],
                      _d(r.get("closed_on")))
