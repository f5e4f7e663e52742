"""Master data the administrator edits (PROCESS.md §1.1, §1.8; FORMS.md): referral sources
(紹介元), the services a plan can contain, the assessment domains and the problem checklist.
``desk.master`` (an operations object of the composed Desk); the SQL is in
app/store/master_repo.py.

Rules (for the administrator's manual):

* Every change needs ``MANAGE_SETTINGS`` (the administrator); a refusal is audited.
  Listing every entry (inactive included) needs it too; the choices offered in new input
  (``Desk.referral_sources()``, ``services()``, ``assessment_domains()`` …) are for all.
* Names are required and unique within their list (compared after NFKC and case folding,
  spaces ignored); referral sources are unique across both routes, since an intake keeps the
  source's name.
* Nothing that records refer to is ever deleted. **Deactivating** an entry removes it from
  the choices of new input; old records keep showing its name. An entry no record uses may
  be deleted.
* Renaming: intakes keep the referral source's name as it was written (the old name stays
  on old intakes and in past statistics). A renamed service, domain or checklist entry shows
  its new name on old plans and assessments — except in the statistics, which use the name
  the service had when the plan was approved.
* Changing a service's flags (法定 statutory / 支援決定 needs decision / 就労 employment)
  applies to plans approved from then on: each item of an approved plan keeps the service
  as it was at approval (plan_item.service_at_approval, migration 0007), so plans in effect
  keep their decision requirement and past months' statistics never change.
* Every change is written through the Writer (journalled, synced) and audited
  (``master_add`` / ``master_edit`` / ``master_move`` / ``master_deactivate`` /
  ``master_reactivate`` / ``master_delete``, detail ``<kind>:<name>``).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from app import validation
from app.domain import Route
from app.domain.common import LabelledEnum
from app.errors import NotFound, ValidationError, ValidationErrors
from app.i18n import N_, _
from app.operations.context import Operations
from app.security.authorization import Rule, install, need
from app.security.roles import Permission
from app.store.master_repo import TABLES, MasterRepo
from app.store.sync_merge import natural_id
from app.sync.merge import RuleIssue, register_post_merge_check


class MasterKind(LabelledEnum):
    REFERRAL_SOURCE = "referral_source", N_("Referral sources")
    SERVICE = "service", N_("Services")
    DOMAIN = "domain", N_("Assessment domains")
    PROBLEM = "problem", N_("Problem checklist")


# 紹介元 routes and the group name stored with them (as in resources/master).
SOURCE_ROUTES = {Route.MUNICIPAL.value: "庁内", Route.AGENCY.value: "関係機関"}
MAX_NAME = 60
MAX_MONTHS = 60


@dataclass(frozen=True)
class MasterEntry:
    """One entry of a master list, as the administrator sees it."""

    kind: MasterKind
    id: str
    name: str
    active: bool
    sort: int
    key: str = ""                   # services, domains, checklist: what records store
    route: str = ""                 # referral sources: municipal / agency
    group: str = ""                 # referral sources: 庁内 / 関係機関
    statutory: bool = False         # services
    employment: bool = False
    needs_decision: bool = False
    usual_months: int | None = None
    uses: int = 0                   # records referring to it (0: may be deleted)

    @property
    def deletable(self) -> bool:
        return self.uses == 0


@dataclass
class MasterInput:
    """What the administrator types for an entry (fields not of the kind are ignored)."""

    name: str = ""
    route: str = ""
    statutory: bool = False
    employment: bool = False
    needs_decision: bool = False
    usual_months: int | str | None = None


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    return "".join(text.split())


_ADMIN = need(Permission.MANAGE_SETTINGS)


class MasterOperations(Operations):
    """``desk.master``: list and edit the master lists (administrator only)."""

    RULES: dict[str, Rule] = {
        "master_entries": _ADMIN,
        "master_entry": _ADMIN,
        "add_master_entry": _ADMIN,
        "edit_master_entry": _ADMIN,
        "move_master_entry": _ADMIN,
        "set_master_entry_active": _ADMIN,
        "delete_master_entry": _ADMIN,
        # called by desk.sync's conflict screen, whose own rule checked the user
        "checked_typed_name": need(Permission.MANAGE_SETTINGS),
    }

    @property
    def _master(self) -> MasterRepo:
        return self._ctx.repo(MasterRepo)

    # ------------------------------------------------------------------ reads
    def master_entries(self, kind: MasterKind | str) -> list[MasterEntry]:
        """Every entry of the list, inactive ones included, in display order (referral
        sources: 庁内 first, then 関係機関)."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        k = MasterKind(kind)
        entries = [self._entry(k, r) for r in self._master.rows(k.value)]
        if k is MasterKind.REFERRAL_SOURCE:
            order = list(SOURCE_ROUTES)
            entries.sort(key=lambda e: (order.index(e.route) if e.route in order else 9,
                                        e.sort, e.name))
        return entries

    def master_entry(self, kind: MasterKind | str, entry_id: str) -> MasterEntry:
        self._ctx.require(Permission.MANAGE_SETTINGS)
        return self._entry_or_404(MasterKind(kind), entry_id)

    def checked_typed_name(self, table: str, row_id: str, text: str) -> str:
        """A name typed for the entry ``row_id`` of ``table`` (a conflict resolved by
        typing, app/operations/sync.py), checked as an edit of that entry would be."""
        table_kinds = {"referral_source": ["referral_source"], "service": ["service"],
                       "assessment_master": ["domain", "problem"]}[table]
        for k in table_kinds:
            if self._master.row(k, row_id) is not None:
                mk = MasterKind(k)
                e = self._entry_or_404(mk, row_id)
                return self._check_master(mk, MasterInput(
                    name=text, route=e.route, statutory=e.statutory,
                    employment=e.employment, needs_decision=e.needs_decision,
                    usual_months=e.usual_months), row_id)["name"]
        raise NotFound(_("The entry was not found (deleted on another device?)"))

    def _entry_or_404(self, k: MasterKind, entry_id: str) -> MasterEntry:
        r = self._master.row(k.value, entry_id)
        if r is None:
            raise NotFound(_("{list}: the entry was not found (deleted on another device?)")
                           .format(list=k.label))
        return self._entry(k, r)

    def _entry(self, k: MasterKind, r: dict[str, Any]) -> MasterEntry:
        extra: dict[str, Any] = {}
        if k is MasterKind.REFERRAL_SOURCE:
            extra = {"route": r["route"], "group": r["grp"]}
        elif k is MasterKind.SERVICE:
            extra = {"statutory": bool(r["statutory"]), "employment": bool(r["employment"]),
                     "needs_decision": bool(r["needs_decision"]),
                     "usual_months": r["usual_months"]}
        return MasterEntry(kind=k, id=r["id"], name=r["name"], active=bool(r["active"]),
                           sort=int(r["sort"]), key=r["key"] or "",
                           uses=self._master.use_count(k.value, r["id"]), **extra)

    # ------------------------------------------------------------------ validation
    def _check_master(self, k: MasterKind, data: MasterInput,
                      entry_id: str | None) -> dict[str, Any]:
        errors: list[ValidationError] = []
        label = {MasterKind.REFERRAL_SOURCE: _("Name of the referral source"),
                 MasterKind.SERVICE: _("Name of the service"),
                 MasterKind.DOMAIN: _("Name of the assessment domain"),
                 MasterKind.PROBLEM: _("Name of the checklist item")}[k]
        name = ""
        try:
            name = validation.clean_text(data.name, "name", label, required=True,
                                         max_len=MAX_NAME)
        except ValidationError as e:
            errors.append(e)
        if name:
            folded = _fold(name)
            for r in self._master.rows(k.value):
                if r["id"] != entry_id and _fold(r["name"]) == folded:
                    state = "" if r["active"] else _(" (inactive)")
                    errors.append(ValidationError("name", _(
                        "{label}: 「{name}」 is already in the list{state}. Use another name, "
                        "or reactivate the existing entry.").format(
                            label=label, name=r["name"], state=state)))
                    break
        fields: dict[str, Any] = {"name": name}
        if k is MasterKind.REFERRAL_SOURCE:
            route = getattr(data.route, "value", data.route) or ""
            if route not in SOURCE_ROUTES:
                errors.append(ValidationError("route", _(
                    "Route: choose 庁内 (municipal department) or 関係機関 (related agency).")))
            else:
                fields.update(route=route, group=SOURCE_ROUTES[route])
        elif k is MasterKind.SERVICE:
            typed = data.usual_months   # a number, or the text typed into the form
            if isinstance(typed, str):
                typed = unicodedata.normalize("NFKC", typed.strip())
            months: int | None = None
            if typed is not None and typed != "":
                try:
                    months = int(typed)
                    if not 1 <= months <= MAX_MONTHS:
                        raise ValueError
                except (TypeError, ValueError):
                    errors.append(ValidationError("usual_months", _(
                        "Usual duration: enter a number of months from 1 to {max}, or leave "
                        "it empty.").format(max=MAX_MONTHS)))
                    months = None
            if data.needs_decision and not data.statutory:
                errors.append(ValidationError("needs_decision", _(
                    "Needs a support decision: only a statutory service needs the "
                    "municipality's decision. Tick 法定サービス too, or untick this.")))
            fields.update(statutory=int(bool(data.statutory)),
                          employment=int(bool(data.employment)),
                          needs_decision=int(bool(data.needs_decision)), usual_months=months)
        if errors:
            raise ValidationErrors(errors)
        return fields

    def _audit_master(self, action: str, k: MasterKind, name: str) -> None:
        self._store.audit(self._ctx.user.login, action, detail=f"{k.value}:{name}")

    # ------------------------------------------------------------------ writes
    def add_master_entry(self, kind: MasterKind | str, data: MasterInput) -> MasterEntry:
        """A new entry at the end of its list (of its route, for a referral source)."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        k = MasterKind(kind)
        fields = self._check_master(k, data, None)
        with self._store.transaction() as w:
            fields.update(active=1, sort=self._master.next_sort(k.value))
            # Named by its list and folded name, the same on every device: an entry added
            # under the same name on two devices offline is one entry (its other fields
            # merge, differences are flagged), never a silent duplicate. A name whose entry
            # was deleted before gets a fresh id (reviving the old row would be taken for
            # an edit against that deletion).
            folded = _fold(fields["name"])
            natural = natural_id(f"master:{k.value}", folded)
            entry_id: str | None = (None if self._master.ever_written(k.value, natural)
                                    else natural)
            if k is not MasterKind.REFERRAL_SOURCE:
                key = "custom_" + (hashlib.sha256(folded.encode("utf-8")).hexdigest()[:12]
                                   if entry_id else uuid.uuid4().hex[:12])
                while self._master.key_exists(k.value, key):
                    key = "custom_" + uuid.uuid4().hex[:12]
                fields["key"] = key
            entry_id = self._master.insert(w, k.value, fields, row_id=entry_id)
            self._audit_master("master_add", k, fields["name"])
        return self._entry_or_404(k, entry_id)

    def edit_master_entry(self, kind: MasterKind | str, entry_id: str,
                          data: MasterInput) -> MasterEntry:
        """Rename (and, for a service, change its flags and usual duration; for a referral
        source, its route). Past records and statistics keep what they had (module doc)."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        k = MasterKind(kind)
        old = self._entry_or_404(k, entry_id)
        fields = self._check_master(k, data, entry_id)
        with self._store.transaction() as w:
            self._master.update(w, k.value, entry_id, fields)
            detail = old.name if old.name == fields["name"] else f"{old.name} → {fields['name']}"
            self._audit_master("master_edit", k, detail)
        return self._entry_or_404(k, entry_id)

    def move_master_entry(self, kind: MasterKind | str, entry_id: str,
                          step: int) -> list[MasterEntry]:
        """Move an entry up (step -1) or down (+1) in its list (referral sources within their
        route). Returns the list in its new order."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        k = MasterKind(kind)
        entry = self._entry_or_404(k, entry_id)
        entries = self.master_entries(k)
        if k is MasterKind.REFERRAL_SOURCE:
            entries = [e for e in entries if e.route == entry.route]
        ids = [e.id for e in entries]
        i = ids.index(entry_id)
        j = i + (1 if step > 0 else -1)
        if step == 0 or not 0 <= j < len(ids):
            return self.master_entries(k)
        ids[i], ids[j] = ids[j], ids[i]
        # sort values of the moved part, renumbered in the new order (gaps kept as they were)
        slots = sorted(e.sort for e in entries)
        if len(set(slots)) != len(slots):
            base = min(slots)
            slots = list(range(base, base + len(slots)))
        with self._store.transaction() as w:
            for row_id, sort in zip(ids, slots):
                self._master.update(w, k.value, row_id, {"sort": sort})
            self._audit_master("master_move", k, entry.name)
        return self.master_entries(k)

    def set_master_entry_active(self, kind: MasterKind | str, entry_id: str,
                                active: bool) -> MasterEntry:
        """Deactivate (gone from the choices of new input; old records keep its name) or
        reactivate an entry."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        k = MasterKind(kind)
        entry = self._entry_or_404(k, entry_id)
        if active and not entry.active:
            self._check_master(k, MasterInput(
                name=entry.name, route=entry.route, statutory=entry.statutory,
                employment=entry.employment, needs_decision=entry.needs_decision,
                usual_months=entry.usual_months), entry_id)
        with self._store.transaction() as w:
            self._master.update(w, k.value, entry_id, {"active": int(bool(active))})
            self._audit_master("master_reactivate" if active else "master_deactivate", k,
                               entry.name)
        return self._entry_or_404(k, entry_id)

    def delete_master_entry(self, kind: MasterKind | str, entry_id: str) -> None:
        """Delete an entry no record refers to; one in use can only be deactivated."""
        self._ctx.require(Permission.MANAGE_SETTINGS)
        k = MasterKind(kind)
        entry = self._entry_or_404(k, entry_id)
        if entry.uses:
            raise ValidationError("name", _(
                "{list}: 「{name}」 is used by {n} record(s) and cannot be deleted: past records "
                "keep showing it. Deactivate it instead (it then disappears from the choices)."
            ).format(list=k.label, name=entry.name, n=entry.uses))
        with self._store.transaction() as w:
            self._master.delete(w, k.value, entry_id)
            self._audit_master("master_delete", k, entry.name)


# ---------------------------------------------------------------------- after a merge
def duplicate_master_names(conn, _case_ids) -> list[RuleIssue]:
    """Two active entries of one list under the same name after a merge (one renamed, or
    re-added after a deletion, on two devices offline — entries added under the same name
    are one entry already, see add_master_entry): flagged as a ``duplicate_name`` conflict,
    the entry made first named as the one to keep, until one is deactivated or renamed."""
    repo = MasterRepo(conn)
    issues = []
    for k in MasterKind:
        groups: dict[str, list[str]] = {}
        for r in repo.rows(k.value):
            if r["active"]:
                groups.setdefault(_fold(r["name"]), []).append(r["id"])
        for ids in groups.values():
            if len(ids) > 1:
                ordered = sorted(ids, key=lambda i: repo.created(k.value, i))
                table = TABLES[k.value][0]
                issues.append(RuleIssue("duplicate_name", None,
                                        [(table, i) for i in ordered]))
    return issues


def _names_still_duplicate(conn, conflict: dict) -> bool:
    repo = MasterRepo(conn)
    names = [repo.active_name(conflict["tbl"], i)
             for i in (conflict["row_id"], *json.loads(conflict["detail"] or "[]"))]
    return all(names) and len({_fold(n) for n in names if n}) == 1


register_post_merge_check(duplicate_master_names, "duplicate_name", _names_still_duplicate)

install(MasterOperations)   # every public operation checked against its rule
