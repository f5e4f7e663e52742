"""地域課題 and the activities with the region (desk.region, app/operations/region.py: who
may do what is stated there, the rules in ``RegionOperations.RULES``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.domain.region import (
    ISSUE_FINAL, ISSUE_ORDER, ActivityKind, IssueSource, IssueStatus, LinkedCase,
    MeetingIssue, RegionActivity, RegionalIssue,
)
from app.errors import NotFound, ValidationError
from app.i18n import _
from app.operations.region_base import RegionBase, _Check, _count, _d, _linked
from app.security.roles import Permission
from app.store.sync_merge import natural_id


class IssueOperations(RegionBase):
    """The 地域課題 register (raised, linked to cases, moved forward, fed by the 支援調整会議)
    and the activities with the region."""

    def _issue(self, r: dict[str, Any], *, with_cases: bool = False) -> RegionalIssue:
        cases: tuple[LinkedCase, ...] = ()
        if with_cases:
            ids = self._region.issue_case_ids(r["id"])
            access = self._ctx.case_access() if self._ctx.allows(Permission.VIEW_CASES) else None
            if access is not None:
                cases = tuple(_linked(c) for c in self._region.cases_seen(ids, access))
        return RegionalIssue(
            id=r["id"], title=r["title"], description=r["description"],
            source=IssueSource(r["source"]), raised_on=date.fromisoformat(r["raised_on"]),
            status=IssueStatus(r["status"]), status_on=date.fromisoformat(r["status_on"]),
            resource_id=r["resource_id"], note=r["note"],
            case_count=int(r.get("case_count") or len(self._region.issue_case_ids(r["id"]))),
            cases=cases)

    def regional_issues(self, status: str = "") -> list[RegionalIssue]:
        """The 地域課題 register, newest first, with the number of cases behind each."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        status = getattr(status, "value", status) or ""
        return [self._issue(r) for r in self._region.issues(status)]

    def regional_issue(self, issue_id: str) -> RegionalIssue:
        """One issue with the linked cases the reader may see (case_no, name, stage)."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        r = self._region.row("regional_issue", issue_id)
        if r is None:
            raise NotFound(_("The regional issue was not found."))
        r["case_count"] = len(self._region.issue_case_ids(issue_id))
        return self._issue(r, with_cases=True)

    def raise_regional_issue(self, title: str, description: str = "", *,
                             source: str = IssueSource.STAFF.value, case_no: str = "",
                             raised_on: Any = None) -> RegionalIssue:
        """Record an unmet need (不足している社会資源). ``case_no``: the case it was seen in
        (source 'case'; the user must see that case)."""
        self._require_any(Permission.EDIT_CASES, Permission.MEETINGS)
        c = _Check()
        title = c.text(title, "title", _("Regional issue"), required=True, max_len=200,
                       multiline=False)
        description = c.text(description, "description", _("Details"), max_len=4000)
        src = c.choice(IssueSource, source, "source", _("Raised from"))
        on = c.date(raised_on or self._ctx.today(), "raised_on", _("Raised on"),
                    today=self._ctx.today())
        case_id = self._case_of_number(c, case_no)
        if src is IssueSource.CASE and not case_no:
            c.add("case_no", _("Enter the case number the need was seen in."))
        c.done()
        assert on is not None           # today when not given: c.done() raised otherwise
        if case_id:
            self._ctx.require_case(case_id, Permission.EDIT_CASES)
        with self._store.transaction() as w:
            issue_id = self._region.insert(w, "regional_issue", {
                "title": title, "description": description, "source": src.value,
                "raised_on": on.isoformat(), "raised_by": self._ctx.user.login,
                "status": IssueStatus.NOTED.value, "status_on": on.isoformat()})
            if case_id:
                self._link_case(w, issue_id, case_id)
            self._audit_region("regional_issue_add", title, case_id)
        return self.regional_issue(issue_id)

    def _link_case(self, w, issue_id: str, case_id: str) -> None:
        row_id = natural_id("regional_issue_case", f"{issue_id}:{case_id}")
        if self._region.row("regional_issue_case", row_id) is None and \
                not self._region.exists_ever("regional_issue_case", row_id):
            self._region.insert(w, "regional_issue_case", {
                "issue_id": issue_id, "case_id": case_id,
                "linked_on": self._ctx.today().isoformat()}, row_id=row_id)

    def link_issue_case(self, issue_id: str, case_no: str) -> RegionalIssue:
        """One more case behind an issue (once per case)."""
        self._ctx.require(Permission.EDIT_CASES)
        if self._region.row("regional_issue", issue_id) is None:
            raise NotFound(_("The regional issue was not found."))
        c = _Check()
        case_id = self._case_of_number(c, case_no)
        if not case_id and not c.errors:
            c.add("case_no", _("Enter the case number the need was seen in."))
        c.done()
        assert case_id is not None      # found: c.done() raised otherwise
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        with self._store.transaction() as w:
            self._link_case(w, issue_id, case_id)
            self._audit_region("regional_issue_link", issue_id, case_id)
        return self.regional_issue(issue_id)

    def set_issue_status(self, issue_id: str, status: str, *, note: str = "",
                         resource_id: str | None = None, on: Any = None) -> RegionalIssue:
        """Move an issue forward (主任). 資源を創出 names the new directory entry."""
        self._ctx.require(Permission.MANAGE_DESK)
        r = self._region.row("regional_issue", issue_id)
        if r is None:
            raise NotFound(_("The regional issue was not found."))
        c = _Check()
        new = c.choice(IssueStatus, status, "status", _("Status"))
        note = c.text(note, "note", _("Notes"), max_len=4000)
        when = c.date(on or self._ctx.today(), "status_on", _("Date"),
                      today=self._ctx.today())
        c.done()
        assert new is not None and when is not None
        if r["status"] in ISSUE_FINAL:
            raise ValidationError("status", _("This issue is already {status}; raise a new "
                                              "issue if the need returns.").format(
                                                  status=IssueStatus(r["status"]).label))
        if ISSUE_ORDER.index(new.value) <= ISSUE_ORDER.index(r["status"]):
            raise ValidationError("status", _("The status moves forward only: 把握 → 検討中 → "
                                              "対応中 → 解決 / 資源を創出."))
        changes: dict[str, Any] = {"status": new.value, "status_on": when.isoformat()}
        if note:
            changes["note"] = (r["note"] + "\n" if r["note"] else "") + note
        created: str | None = None      # the directory entry 資源を創出 names
        if new is IssueStatus.CREATED:
            res = self._region.row("social_resource", resource_id or "")
            if res is None:
                raise ValidationError("resource_id", _(
                    "Choose the new entry of the social resource directory (add it first)."))
            created = changes["resource_id"] = res["id"]
        with self._store.transaction() as w:
            self._region.update(w, "regional_issue", issue_id, changes)
            if created is not None:
                self._region.update(w, "social_resource", created, {"issue_id": issue_id})
            self._audit_region("regional_issue_status", f"{r['title']}: {new.value}")
        return self.regional_issue(issue_id)

    def meeting_issues_to_register(self) -> list[MeetingIssue]:
        """地域課題 written on meetings (the box on the meeting screen) not yet in the
        register (``id``: the agenda item)."""
        self._require_any(Permission.EDIT_CASES, Permission.MEETINGS)
        return [MeetingIssue(r["id"], r["meeting_id"], r["summary"] or "", _d(r["held_on"]))
                for r in self._region.meeting_items_not_in_register()]

    def register_meeting_issue(self, agenda_item_id: str) -> RegionalIssue:
        """Take a meeting's 地域課題 into the register (once per agenda item)."""
        self._require_any(Permission.EDIT_CASES, Permission.MEETINGS)
        item = self._region.agenda_item(agenda_item_id)
        if item is None or item["kind"] != "regional_issue":
            raise NotFound(_("The regional issue was not found."))
        found = self._region.issue_for_agenda_item(agenda_item_id)
        if found is None:
            with self._store.transaction() as w:
                feed_meeting_issue(self, w, item)
            found = self._region.issue_for_agenda_item(agenda_item_id)
            assert found is not None    # just written
        return self.regional_issue(found["id"])

    # ================================================================== activities
    def region_activities(self, start: Any = None, end: Any = None) -> list[RegionActivity]:
        """研修会・出前講座・連絡会・就労先の開拓 … newest first (kind as ActivityKind)."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        return [RegionActivity(
            id=r["id"], held_on=date.fromisoformat(r["held_on"]), kind=ActivityKind(r["kind"]),
            title=r["title"], partners=r["partners"], participants=int(r["participants"] or 0),
            note=r["note"]) for r in self._region.activities(start, end)]

    def add_region_activity(self, held_on: Any, kind: str, title: str, *, partners: str = "",
                            participants: Any = 0, note: str = "") -> str:
        self._require_any(Permission.EDIT_CASES, Permission.MANAGE_DESK)
        c = _Check()
        on = c.date(held_on, "held_on", _("Date"), required=True)
        k = c.choice(ActivityKind, kind, "kind", _("Kind of activity"))
        title = c.text(title, "title", _("Title"), required=True, max_len=200, multiline=False)
        partners = c.text(partners, "partners", _("Partners"), max_len=1000)
        note = c.text(note, "note", _("Notes"), max_len=4000)
        n = _count(c, participants, "participants", _("Number of participants"))
        c.done()
        assert on is not None           # required: c.done() raised without it
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "region_activity", {
                "held_on": on.isoformat(), "kind": k.value, "title": title,
                "partners": partners, "participants": n, "note": note})
            self._audit_region("activity_add", f"{on.isoformat()} {title}")
        return row_id


def feed_meeting_issue(region: RegionBase, w: Any, item: dict[str, Any]) -> str:
    """Write a meeting's 地域課題 item into the register (inside the caller's transaction):
    status 把握, source 支援調整会議, title the first line of the summary. Named by the agenda
    item, so two devices taking the same item in make one issue."""
    repo = region._region
    summary = (item.get("summary") or "").strip()
    title = summary.splitlines()[0][:200] if summary else _("Regional issue")
    on = item.get("held_on") or region._ctx.today().isoformat()
    row_id = natural_id("regional_issue", f"agenda:{item['id']}")
    if repo.row("regional_issue", row_id) is None and \
            not repo.exists_ever("regional_issue", row_id):
        repo.insert(w, "regional_issue", {
            "title": title, "description": summary, "source": IssueSource.MEETING.value,
            "meeting_id": item.get("meeting_id"), "agenda_item_id": item["id"],
            "raised_on": on, "raised_by": region._ctx.user.login,
            "status": IssueStatus.NOTED.value,
            "status_on": on}, row_id=row_id)
        region._store.audit(region._ctx.user.login, "regional_issue_add", detail=title)
    return row_id
