"""Running the desk (issue 15; the guide's chapters 2–5): the 社会資源 directory, 地域課題,
activities with the region, 人材育成, リスクマネジメント (苦情, ヒヤリハット・事故) and the
yearly plan: ``desk.region``, one part of the composed Desk. Its subjects are in their own
files — region_resources.py, region_issues.py, region_risk.py, on region_base.py — and
人材育成, the yearly plan and the dashboard here; the records and lists in
app/domain/region.py, the SQL in app/store/region_repo.py, the annual report in
app/reports/annual.py.

Who may do what (each public method starts with its check; refusals are audited):

* 社会資源: everyone who works with cases or statistics reads the directory
  (``_require_any(VIEW_CASES, VIEW_STATISTICS, MANAGE_SETTINGS)``); staff who record cases
  add and edit entries (``EDIT_CASES`` or ``MANAGE_DESK`` or ``MANAGE_SETTINGS``) — a name
  typed as つなぎ先 that is not in the directory is offered to add; deactivating needs
  ``MANAGE_DESK`` or ``MANAGE_SETTINGS``. The open cases behind an entry are listed only
  when the reader may see them (case visibility in SQL); the use count counts all.
* 地域課題: read by the same readers; raised by staff (``EDIT_CASES``) or by the 支援調整会議
  (``MEETINGS``); a case linked needs that case's visibility; its status is moved by the
  主任 (``MANAGE_DESK``). Status 把握 → 検討中 → 対応中 → 解決 / 資源を創出; forward only,
  the last two are final, 資源を創出 names the new directory entry.
* 地域との活動 and OJT・事例検討: recorded by staff (``EDIT_CASES``) or ``MANAGE_DESK``; cases
  of a 事例検討 are kept by case number only.
* 研修: a staff member records and reads their own; the 主任 (``MANAGE_DESK``) everyone's.
* 苦情 and ヒヤリハット・事故: anyone with ``EDIT_CASES`` records one and sees their own; the
  主任 (``RISK_REGISTER``) sees and completes all. A record about a case is shown only to
  those who see the case. Every read of the registers and every write is audited
  (``risk_view`` / ``complaint_add`` / ``incident_add`` / …), as for cases.
* The yearly plan: ``MANAGE_DESK`` writes it, ``VIEW_STATISTICS`` reads it.

Every table is synced by the journal (migration 0017): the directory, 地域課題, activities,
training and the plan are master data held by every device; regional_issue_case, complaint
and incident rows with a case follow the case.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from app import text_ja
from app.domain.paper import Render
from app.errors import NotFound
from app.i18n import _
from app.domain.region import (
    ISSUE_FINAL, DeskWarnings, IssueStatus, NationalCourse, OjtSession, SessionKind, Training,
    TrainingKind, TrainingStatus,
)
from app.operations.region_base import _Check, _d
from app.operations.region_issues import IssueOperations
from app.operations.region_issues import feed_meeting_issue  # noqa: F401 - for the meetings
from app.operations.region_resources import ResourceOperations
from app.operations.region_risk import RiskOperations
from app.security.authorization import (
    EDIT, VIEW, AnyOf, CaseNo, P, Refs, Row, Rule, install, need, write,
)
from app.security.roles import Permission, Role
from app.store.region_repo import RegionRepo
from app.store.sync_merge import natural_id
from app.sync.merge import register_post_merge_check

# The national course each role needs (the guide: 各支援員は国研修を受講する必要がある).
REQUIRED_COURSE = {Role.CHIEF.value: NationalCourse.CHIEF.value,
                   Role.CONSULTANT.value: NationalCourse.CONSULTANT.value,
                   Role.EMPLOYMENT.value: NationalCourse.EMPLOYMENT.value}


class RegionOperations(ResourceOperations, IssueOperations, RiskOperations):
    """``desk.region``: 地域づくり, 人材育成, リスクマネジメント and the yearly plan.

    One part for the screens, its subjects in their own files (the classes it combines, all
    on ``RegionBase``): 社会資源 in region_resources.py, 地域課題 and activities in
    region_issues.py, 苦情 and ヒヤリハット in region_risk.py; 人材育成, the yearly plan and
    the dashboard here. The rules of every operation are this table."""

    RULES: dict[str, Rule] = {
        "resources": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "resource": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "resource_names": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "find_resource": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "add_resource": need(AnyOf(EDIT, P.MANAGE_DESK, P.MANAGE_SETTINGS)),
        "edit_resource": need(AnyOf(EDIT, P.MANAGE_DESK, P.MANAGE_SETTINGS)),
        "unlisted_resource_names": need(AnyOf(EDIT, P.MANAGE_DESK, P.MANAGE_SETTINGS)),
        "set_resource_active": need(AnyOf(P.MANAGE_DESK, P.MANAGE_SETTINGS)),
        "regional_issues": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "regional_issue": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "raise_regional_issue": need(AnyOf(EDIT, P.MEETINGS),
                                     case=CaseNo("case_no", optional=True, unknown_to_body=True),
                                     case_permission=EDIT),
        "meeting_issues_to_register": need(AnyOf(EDIT, P.MEETINGS)),
        "register_meeting_issue": need(AnyOf(EDIT, P.MEETINGS),
                                       case=Row("agenda_item", "agenda_item_id", optional=True),
                                       case_permission=VIEW),
        "link_issue_case": write(CaseNo("case_no", unknown_to_body=True)),
        "set_issue_status": need(P.MANAGE_DESK),
        "region_activities": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "add_region_activity": need(AnyOf(EDIT, P.MANAGE_DESK)),
        "desk_warnings": need(AnyOf(VIEW, P.VIEW_STATISTICS, P.MANAGE_SETTINGS)),
        "training_overview": need(AnyOf(P.MANAGE_DESK, EDIT)),
        "trainings": need(AnyOf(P.MANAGE_DESK, EDIT)),
        "add_training": need(AnyOf(P.MANAGE_DESK, EDIT)),
        "ojt_sessions": need(AnyOf(P.MANAGE_DESK, EDIT)),
        "add_ojt_session": need(AnyOf(P.MANAGE_DESK, EDIT),
                                case=Refs("case_numbers", optional=True, unknown_to_body=True),
                                case_permission=VIEW),
        "print_training_history": need(AnyOf(P.MANAGE_DESK, EDIT)),
        "missing_national_training": need(P.MANAGE_DESK),
        "complaints": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "incidents": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "add_complaint": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "add_incident": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "edit_complaint": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "edit_incident": need(AnyOf(P.RISK_REGISTER, EDIT)),
        "risk_monthly_counts": need(P.RISK_REGISTER),
        "risk_open_counts": need(P.RISK_REGISTER),
        "annual_plan": need(AnyOf(P.VIEW_STATISTICS, P.MANAGE_DESK)),
        "save_annual_plan": need(P.MANAGE_DESK),
        "annual_report": need(P.VIEW_STATISTICS),
        "export_annual_report": need(P.VIEW_STATISTICS),
    }

    # ================================================================== 人材育成
    def _may_see_training_of(self, staff_id: str) -> None:
        if staff_id != self._ctx.user.id:
            self._ctx.require(Permission.MANAGE_DESK)

    def training_overview(self) -> list[TrainingStatus]:
        """Per active staff member (the 主任 sees all, others themselves): role, the national
        course the role needs, whether it is done, and the counts of Off-JT and sessions."""
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        everyone = self._ctx.allows(Permission.MANAGE_DESK)
        trainings = self._region.trainings()
        sessions = self._region.ojt_sessions()
        out = []
        for s in self._region.staff_rows():
            if not everyone and s["id"] != self._ctx.user.id:
                continue
            own = [t for t in trainings if t["staff_id"] == s["id"]]
            need = REQUIRED_COURSE.get(s["role"])
            done = [t for t in own if t["kind"] == "national" and t["course"] == need]
            out.append(TrainingStatus(
                staff_id=s["id"], name=s["display_name"], login=s["login"],
                role=s["role"], required_course=need,
                national_done_on=_d(done[0]["completed_on"]) if done else None,
                missing=bool(need and not done),
                off_jt=sum(1 for t in own if t["kind"] == "off_jt"),
                sessions=sum(1 for x in sessions
                             if s["id"] in json.loads(x["participants"] or "[]")),
            ))
        return out

    def missing_national_training(self) -> list[TrainingStatus]:
        """Staff whose role's national course is not recorded (the 主任's dashboard)."""
        self._ctx.require(Permission.MANAGE_DESK)
        return [r for r in self.training_overview() if r.missing]

    def trainings(self, staff_id: str) -> list[Training]:
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        self._may_see_training_of(staff_id)
        return [_training(t) for t in self._region.trainings(staff_id)]

    def add_training(self, staff_id: str, kind: str, completed_on: Any, *, course: str = "",
                     title: str = "", organiser: str = "", hours: Any = None,
                     note: str = "") -> str:
        """国研修 (``course`` chief / consultant / employment) or an Off-JT attended."""
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        self._may_see_training_of(staff_id)
        if self._region.staff_row(staff_id) is None:
            raise NotFound(_("The staff member was not found."))
        c = _Check()
        k = c.choice(TrainingKind, kind, "kind", _("Kind of training"))
        on = c.date(completed_on, "completed_on", _("Completed on"), required=True,
                    today=self._ctx.today())
        if k is TrainingKind.NATIONAL:
            crs = c.choice(NationalCourse, course, "course", _("Course"))
            course = crs.value if crs else ""
            title = c.text(title, "title", _("Title"), max_len=200, multiline=False) or \
                (crs.label if crs else "")
        else:
            course = ""
            title = c.text(title, "title", _("Title"), required=True, max_len=200,
                           multiline=False)
        organiser = c.text(organiser, "organiser", _("Organiser"), max_len=200,
                           multiline=False)
        note = c.text(note, "note", _("Notes"), max_len=2000)
        h = None
        if hours not in (None, ""):
            try:
                h = float(text_ja.nfkc(str(hours)))
                if not 0 < h <= 500:
                    raise ValueError
            except ValueError:
                c.add("hours", _("Hours: enter a number from 0.5 to 500."))
        c.done()
        assert on is not None and k is not None   # required: c.done() raised without them
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "staff_training", {
                "staff_id": staff_id, "kind": k.value, "course": course, "title": title,
                "organiser": organiser, "completed_on": on.isoformat(), "hours": h,
                "note": note})
            self._audit_region("training_add", f"{staff_id} {k.value} {title}")
        return row_id

    def ojt_sessions(self) -> list[OjtSession]:
        """OJT and 事例検討 sessions, newest first (cases by number only)."""
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        return [OjtSession(
            id=r["id"], held_on=date.fromisoformat(r["held_on"]), kind=SessionKind(r["kind"]),
            topic=r["topic"], case_numbers=tuple(json.loads(r["case_numbers"] or "[]")),
            participants=tuple(json.loads(r["participants"] or "[]")), leader=r["leader"],
            note=r["note"]) for r in self._region.ojt_sessions()]

    def add_ojt_session(self, held_on: Any, kind: str, topic: str, *,
                        case_numbers: Iterable[str] = (), participants: Iterable[str] = (),
                        leader: str = "", note: str = "") -> str:
        """An OJT or 事例検討 session. Cases by number only (no names are written);
        participants are staff ids."""
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        c = _Check()
        on = c.date(held_on, "held_on", _("Date"), required=True, today=self._ctx.today())
        k = c.choice(SessionKind, kind, "kind", _("Kind of session"))
        topic = c.text(topic, "topic", _("Topic"), required=True, max_len=200, multiline=False)
        leader = c.text(leader, "leader", _("Led by"), max_len=100, multiline=False)
        note = c.text(note, "note", _("Notes"), max_len=4000)
        numbers = sorted({text_ja.nfkc(n).strip() for n in case_numbers if str(n).strip()})
        found = self._region.case_ids_of_numbers(numbers)
        for n in numbers:
            if n not in found:
                c.add("case_numbers", _("Case number {case_no} was not found.").format(case_no=n))
        people = list(dict.fromkeys(participants))
        for p in people:
            if self._region.staff_row(p) is None:
                c.add("participants", _("The staff member was not found."))
                break
        c.done()
        assert on is not None           # required: c.done() raised without it
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "ojt_session", {
                "held_on": on.isoformat(), "kind": k.value, "topic": topic,
                "case_numbers": json.dumps(numbers), "participants": json.dumps(people),
                "leader": leader, "note": note})
            self._audit_region("ojt_add", f"{on.isoformat()} {topic} {','.join(numbers)}")
        return row_id

    def print_training_history(self, staff_id: str, out: str | os.PathLike[str], *,
                               render: Render) -> Path:
        """The staff training history PDF (研修受講履歴) of one staff member."""
        self._require_any(Permission.MANAGE_DESK, Permission.EDIT_CASES)
        self._may_see_training_of(staff_id)
        s = self._region.staff_row(staff_id)
        if s is None:
            raise NotFound(_("The staff member was not found."))
        from app.operations.paper import training_history
        sessions = [x for x in self.ojt_sessions() if staff_id in x.participants]
        overview = next((r for r in self.training_overview() if r.staff_id == staff_id),
                        None) if s["active"] else None
        trainings = [_training(t) for t in self._region.trainings(staff_id)]
        render(training_history(self._store.agency(), s, trainings, sessions, overview,
                                today=self._ctx.today()), Path(out))
        path = Path(out)
        with self._store.transaction():
            self._audit_region("print", f"training_history {s['login']}")
        return path

    # ================================================================== the yearly plan
    def annual_plan(self, fiscal_year: int) -> dict[str, Any]:
        """The year's plan: goals in the three areas and yearly numeric targets (defaults:
        the 目安値 per 100,000 per month × population × 12; see app/reports/annual.py)."""
        self._require_any(Permission.VIEW_STATISTICS, Permission.MANAGE_DESK)
        from app.reports.annual import plan_of
        return plan_of(self._store, self._region, fiscal_year)

    def save_annual_plan(self, fiscal_year: int, *, goals_structure: str = "",
                         goals_support: str = "", goals_region: str = "",
                         targets: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record the year's plan (主任). Targets not given keep the defaults."""
        self._ctx.require(Permission.MANAGE_DESK)
        from app.reports.annual import TARGET_KEYS, check_year
        fy = check_year(fiscal_year)
        c = _Check()
        goals = {k: c.text(v, k, label, max_len=4000) for k, v, label in (
            ("goals_structure", goals_structure, _("Goals: organisation and operation")),
            ("goals_support", goals_support, _("Goals: consultation support")),
            ("goals_region", goals_region, _("Goals: community building and partnership")))}
        clean: dict[str, int] = {}
        for k, v in (targets or {}).items():
            if k not in TARGET_KEYS:
                c.add(f"targets.{k}", _("Unknown target {key}.").format(key=k))
                continue
            if v in (None, ""):
                continue
            try:
                n = int(text_ja.nfkc(str(v)).strip())
                if not 0 <= n <= 1_000_000:
                    raise ValueError
                clean[k] = n
            except ValueError:
                c.add(f"targets.{k}", _("Targets: enter whole numbers of 0 or more."))
        c.done()
        row_id = natural_id("annual_plan", str(fy))
        with self._store.transaction() as w:
            values = {**goals, "targets": json.dumps(clean, sort_keys=True)}
            if self._region.row("annual_plan", row_id) is None:
                self._region.insert(w, "annual_plan", {"fiscal_year": fy, **values},
                                    row_id=row_id)
            else:
                self._region.update(w, "annual_plan", row_id, values)
            self._audit_region("annual_plan", f"FY{fy}")
        return self.annual_plan(fy)

    def annual_report(self, fiscal_year: int) -> dict[str, Any]:
        """The yearly evaluation (plan, structure, process, outcome, reach, region, risk):
        figures only, no names (app/reports/annual.py)."""
        self._ctx.require(Permission.VIEW_STATISTICS)
        from app.reports.annual import annual
        report = annual(self._store, self._region, fiscal_year,
                        today=self._ctx.today())
        with self._store.transaction():
            self._audit_region("view_statistics", f"annual FY{report['fiscal_year']}")
        return report

    def export_annual_report(self, fiscal_year: int, out: str | os.PathLike[str],
                             fmt: str = "pdf", *, render: Render | None = None) -> Path:
        """The annual report as json, xlsx or pdf (the desk's 事業報告)."""
        self._ctx.require(Permission.VIEW_STATISTICS)
        from app.reports.annual import export
        report = self.annual_report(fiscal_year)
        path = export(report, self._store.agency(), Path(out), fmt, render)
        with self._store.transaction():
            self._audit_region("export", f"annual FY{report['fiscal_year']} {fmt}")
        return path

    # ================================================================== dashboard
    def desk_warnings(self) -> DeskWarnings | None:
        """For the 主任's dashboard: staff without their national course, open 地域課題 by
        status, this and last month's complaints/incidents. None for other roles."""
        self._require_any(Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                          Permission.MANAGE_SETTINGS)
        if not self._ctx.allows(Permission.MANAGE_DESK):
            return None
        missing = tuple(self.missing_national_training())
        by_status: dict[str, int] = {s.value: 0 for s in IssueStatus}
        cases_behind = 0
        for i in self._region.issues():
            by_status[i["status"]] += 1
            if i["status"] not in ISSUE_FINAL:
                cases_behind += int(i["case_count"])
        if not self._ctx.allows(Permission.RISK_REGISTER):
            return DeskWarnings(missing, by_status, cases_behind)
        still = self.risk_open_counts()
        return DeskWarnings(missing, by_status, cases_behind,
                            tuple(self.risk_monthly_counts(2)),
                            open_complaints=still["open_complaints"],
                            unreviewed_incidents=still["unreviewed_incidents"])


def _training(t: dict[str, Any]) -> Training:
    return Training(
        id=t["id"], staff_id=t["staff_id"], kind=TrainingKind(t["kind"]), course=t["course"],
        title=t["title"], organiser=t["organiser"],
        completed_on=date.fromisoformat(t["completed_on"]),
        hours=None if t["hours"] is None else float(t["hours"]), note=t["note"])


# ---------------------------------------------------------------------- after a merge
def duplicate_resources(conn, _case_ids) -> list:
    """Two active directory entries under one folded name after a merge (renamed, or
    re-added after a deletion, on two devices offline; the same name added on two devices
    is one entry already — add_resource): flagged, the entry made first named as the one
    to keep, until one is deactivated or renamed."""
    from app.sync.merge import RuleIssue
    repo = RegionRepo(conn)
    groups: dict[str, list[str]] = {}
    for r in repo.resources(include_inactive=False):
        groups.setdefault(r["name_fold"], []).append(r["id"])
    issues = []
    for ids in groups.values():
        if len(ids) > 1:
            ordered = sorted(ids, key=lambda i: (repo.first_hlc("social_resource", i), i))
            issues.append(RuleIssue("duplicate_resource", None,
                                    [("social_resource", i) for i in ordered]))
    return issues


def _resources_still_duplicate(conn, conflict: dict) -> bool:
    repo = RegionRepo(conn)
    ids = [conflict["row_id"], *json.loads(conflict["detail"] or "[]")]
    rows = [repo.row("social_resource", i) for i in ids]
    return all(r and r["active"] for r in rows) and \
        len({r["name_fold"] for r in rows if r}) == 1


register_post_merge_check(duplicate_resources, "duplicate_resource",
                          _resources_still_duplicate)



install(RegionOperations)   # every public operation checked against its rule
