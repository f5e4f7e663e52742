"""社会資源 — the directory of social resources (desk.region, app/operations/region.py: who
may do what is stated there, the rules in ``RegionOperations.RULES``)."""

from __future__ import annotations

from typing import Any

from app import text_ja
from app.domain.region import (
    MAX_NAME, LinkedCase, Resource, ResourceInput, ResourceKind, UnlistedName,
)
from app.errors import NotFound
from app.i18n import _
from app.operations.region_base import RegionBase, _Check, _d, _iso
from app.security.roles import Permission
from app.store.sync_merge import natural_id


class ResourceOperations(RegionBase):
    """The 社会資源 directory: read, search, add, edit, deactivate."""

    def _record_names_by_fold(self) -> dict[str, tuple[int, set[str]]]:
        """Folded name -> (records, the spellings written) of every つなぎ先 / 支援を行う機関
        in the records: one grouped read for the whole directory."""
        out: dict[str, tuple[int, set[str]]] = {}
        for name, n in self._region.names_in_records().items():
            key = text_ja.fold_for_search(name)
            count, spellings = out.get(key, (0, set()))
            out[key] = (count + n, spellings | {name})
        return out

    def _resource(self, r: dict[str, Any], *, with_uses: bool = False,
                  with_cases: bool = False,
                  index: dict[str, tuple[int, set[str]]] | None = None) -> Resource:
        uses = 0
        open_cases: tuple[LinkedCase, ...] = ()
        if with_uses or with_cases:
            if index is None:
                index = self._record_names_by_fold()
            # every name the entry ever had, and every spelling of it in the records
            # (ﾊﾛｰﾜｰｸ, ハローワーク … fold alike)
            folds = {text_ja.fold_for_search(n)
                     for n in set(self._region.names_ever(r["id"])) | {r["name"]}}
            uses = sum(index.get(f, (0, set()))[0] for f in folds)
            if with_cases and uses:
                names = sorted(set().union(*(index.get(f, (0, set()))[1] for f in folds)))
                rows = self._region.uses(names)
                open_cases = tuple(self._visible_case_rows([u["case_id"] for u in rows]))
        return Resource(
            id=r["id"], name=r["name"], kind=ResourceKind(r["kind"]), field=r["field"],
            address=r["address"], contact=r["contact"], person=r["person"],
            conditions=r["conditions"], cost=r["cost"], checked_on=_d(r["checked_on"]),
            note=r["note"], active=bool(r["active"]), issue_id=r["issue_id"], uses=uses,
            open_cases=open_cases)

    def resources(self, search: str = "", *, kind: str = "", include_inactive: bool = False,
                  with_uses: bool = False) -> list[Resource]:
        """The 社会資源 directory, searched with the folding of names (kana, width,
        variant kanji: 「ﾊﾛｰﾜｰｸ」 finds ハローワーク, 「髙」 finds 高). ``with_uses``: how
        often each was used (one grouped read of the records; the cases behind an entry
        are in ``resource``)."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        fold = text_ja.fold_for_search(search or "")
        kind = getattr(kind, "value", kind) or ""
        index = self._record_names_by_fold() if with_uses else None
        return [self._resource(r, with_uses=with_uses, index=index)
                for r in self._region.resources(fold=fold, kind=kind,
                                                include_inactive=include_inactive)]

    def resource(self, resource_id: str) -> Resource:
        """One entry with how often it was used and the open cases behind it that the
        reader may see (the count covers every case)."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        r = self._region.row("social_resource", resource_id)
        if r is None:
            raise NotFound(_("The social resource was not found."))
        return self._resource(r, with_uses=True, with_cases=True)

    def resource_names(self) -> list[str]:
        """Names of the active entries, for the つなぎ先 / 支援を行う機関 choosers."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        return [r["name"] for r in self._region.resources()]

    def find_resource(self, name: str) -> Resource | None:
        """The entry whose folded name equals ``name``'s (None: free text not in the
        directory — the screens then offer to add it)."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        fold = text_ja.fold_for_search(name or "")
        if not fold:
            return None
        rows = self._region.resources_with_fold(fold)
        rows.sort(key=lambda r: (not r["active"], r["id"]))
        return self._resource(rows[0]) if rows else None

    def unlisted_resource_names(self) -> list[UnlistedName]:
        """Names typed as つなぎ先 / 支援を行う機関 (free text) that match no directory entry,
        most used first — the screen offers to add them."""
        self._require_any(Permission.EDIT_CASES, Permission.MANAGE_DESK,
                          Permission.MANAGE_SETTINGS)
        known = {r["name_fold"] for r in self._region.resources(include_inactive=True)}
        out: dict[str, dict[str, Any]] = {}
        for name, n in self._region.names_in_records().items():
            fold = text_ja.fold_for_search(name)
            if not fold or fold in known:
                continue
            slot = out.setdefault(fold, {"name": name, "uses": 0})
            slot["uses"] += n
        return [UnlistedName(r["name"], int(r["uses"]))
                for r in sorted(out.values(), key=lambda r: (-r["uses"], r["name"]))]

    def _check_resource(self, data: ResourceInput, resource_id: str | None) -> dict[str, Any]:
        c = _Check()
        name = c.text(data.name, "name", _("Name of the resource"), required=True,
                      max_len=MAX_NAME, multiline=False)
        given = text_ja.nfkc(str(getattr(data.kind, "value", data.kind) or "")).strip()
        given = next((k.value for k in ResourceKind if given in (k.label, k.value)), given)
        kind = c.choice(ResourceKind, given, "kind", _("Kind of resource"))  # key or 関係機関
        fields = {
            "field": c.text(data.field, "field", _("Field"), max_len=100, multiline=False),
            "address": c.text(data.address, "address", _("Address"), max_len=200),
            "contact": c.text(data.contact, "contact", _("Contact"), max_len=200),
            "person": c.text(data.person, "person", _("Person in charge"), max_len=100,
                             multiline=False),
            "conditions": c.text(data.conditions, "conditions",
                                 _("Who may use it and conditions"), max_len=2000),
            "cost": c.text(data.cost, "cost", _("Cost"), max_len=200),
            "note": c.text(data.note, "note", _("Notes"), max_len=4000),
        }
        checked = c.date(data.checked_on, "checked_on", _("Last checked on"),
                         today=self._ctx.today())
        if name:
            fold = text_ja.fold_for_search(name)
            for r in self._region.resources_with_fold(fold):
                if r["id"] != resource_id:
                    c.add("name", _("「{name}」 is already in the directory. Open that entry "
                                    "instead.").format(name=r["name"]))
                    break
        c.done()
        name = text_ja.nfkc(name) if name else name   # ﾊﾛｰﾜｰｸ → ハローワーク
        return {"name": name, "name_fold": text_ja.fold_for_search(name),
                "kind": kind.value, "checked_on": _iso(checked), **fields}

    def add_resource(self, data: ResourceInput) -> Resource:
        """A new directory entry. Named by its folded name, so the same resource added on
        two devices offline is one entry whose fields merge."""
        self._require_any(Permission.EDIT_CASES, Permission.MANAGE_DESK,
                          Permission.MANAGE_SETTINGS)
        fields = self._check_resource(data, None)
        named = natural_id("social_resource", fields["name_fold"])
        # an id the journal knows already (an entry renamed since) is not taken again
        row_id = None if self._region.exists_ever("social_resource", named) else named
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "social_resource", {
                **fields, "active": 1, "created_on": self._ctx.today().isoformat()},
                row_id=row_id)
            self._audit_region("resource_add", fields["name"])
        return self.resource(row_id)

    def edit_resource(self, resource_id: str, data: ResourceInput) -> Resource:
        self._require_any(Permission.EDIT_CASES, Permission.MANAGE_DESK,
                          Permission.MANAGE_SETTINGS)
        old = self.resource(resource_id)
        fields = self._check_resource(data, resource_id)
        with self._store.transaction() as w:
            self._region.update(w, "social_resource", resource_id, fields)
            detail = old.name if old.name == fields["name"] else \
                f"{old.name} → {fields['name']}"
            self._audit_region("resource_edit", detail)
        return self.resource(resource_id)

    def set_resource_active(self, resource_id: str, active: bool) -> Resource:
        """Deactivate (gone from the choosers; records keep the name) or reactivate."""
        self._require_any(Permission.MANAGE_DESK, Permission.MANAGE_SETTINGS)
        old = self.resource(resource_id)
        with self._store.transaction() as w:
            self._region.update(w, "social_resource", resource_id, {"active": int(active)})
            self._audit_region("resource_reactivate" if active else "resource_deactivate",
                               old.name)
        return self.resource(resource_id)
