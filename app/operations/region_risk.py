"""リスクマネジメント — the 苦情 register and ヒヤリハット・事故 reports (desk.region,
app/operations/region.py: who may do what is stated there, the rules in
``RegionOperations.RULES``)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from app import text_ja
from app.domain.region import (
    Complainant, Complaint, ComplaintInput, Incident, IncidentInput, IncidentKind,
    LinkedAuditEntry, RiskMonth, Severity,
)
from app.errors import NotFound
from app.i18n import _
from app.operations.region_base import RegionBase, _Check, _d, _iso
from app.security.roles import Permission


class RiskOperations(RegionBase):
    """苦情 and ヒヤリハット・事故: recorded by staff, seen and completed by the 主任."""

    def _risk_scope(self) -> tuple[Any, str | None]:
        """(case access, own staff id or None for everything) of the registers."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        access = self._ctx.case_access()
        mine = None if self._ctx.allows(Permission.RISK_REGISTER) else self._ctx.user.id
        return access, mine

    def complaints(self) -> list[Complaint]:
        """The 苦情 register: the 主任 sees all, others the ones they recorded; one about a
        case only if the reader sees the case. The reading is audited."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        access, mine = self._risk_scope()
        rows = self._region.complaints(access, mine=mine)
        with self._store.transaction():
            self._audit_region("risk_view", f"complaints ({len(rows)})")
        return [_complaint(r) for r in rows]

    def incidents(self) -> list[Incident]:
        """ヒヤリハット・事故 reports, as ``complaints``; personal-data ones carry the audit
        entries they name (``audit_entries``)."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        access, mine = self._risk_scope()
        rows = self._region.incidents(access, mine=mine)
        with self._store.transaction():
            self._audit_region("risk_view", f"incidents ({len(rows)})")
        out = []
        for r in rows:
            refs = json.loads(r["audit_refs"] or "[]")
            entries = self._region.audit_rows(refs) if refs else []
            out.append(_incident(r, tuple(LinkedAuditEntry(
                int(e["seq"]), e["at"], e["login"], e["action"], e["detail"] or "",
                e["case_no"]) for e in entries)))
        return out

    def _risk_row(self, table: str, row_id: str) -> dict[str, Any]:
        access, mine = self._risk_scope()
        r = self._region.row(table, row_id)
        if r is None:
            raise NotFound(_("The record was not found."))
        by = r["recorded_by"] if table == "complaint" else r["reported_by"]
        if mine is not None and by != mine:
            self._ctx.refuse(self._ctx.role_refused(), detail=f"{table}:{row_id}")
        if r["case_id"]:
            self._ctx.require_case(r["case_id"], Permission.VIEW_CASES)
        return r

    def _check_complaint(self, data: ComplaintInput) -> dict[str, Any]:
        c = _Check()
        today = self._ctx.today()
        received = c.date(data.received_on, "received_on", _("Received on"), required=True,
                          today=today)
        who = c.choice(Complainant, data.complainant, "complainant", _("Complainant"))
        content = c.text(data.content, "content", _("Complaint"), required=True, max_len=4000)
        fields = {k: c.text(getattr(data, k), k, label, max_len=4000) for k, label in (
            ("response", _("Response")), ("result", _("Result")),
            ("prevention", _("Prevention of recurrence")))}
        done = c.date(data.completed_on, "completed_on", _("Completed on"), today=today)
        committee_on = c.date(data.committee_on, "committee_on",
                              _("Referred to the operation appropriateness committee on"),
                              today=today)
        if received and done and done < received:
            c.add("completed_on", _("Completed on cannot be before the day it was received."))
        if done and not fields["response"]:
            c.add("response", _("Write the response before completing the complaint."))
        case_id = self._case_of_number(c, data.case_no)
        c.done()
        assert received is not None     # required: c.done() raised without it
        if case_id:
            self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return {"received_on": received.isoformat(), "complainant": who.value,
                "content": content, **fields, "completed_on": _iso(done), "case_id": case_id,
                "committee": int(bool(data.committee or committee_on)),
                "committee_on": _iso(committee_on)}

    def add_complaint(self, data: ComplaintInput) -> Complaint:
        """A new entry of the 苦情 register (anyone who records cases)."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        fields = self._check_complaint(data)
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "complaint", {**fields,
                                                          "recorded_by": self._ctx.user.id})
            self._audit_region("complaint_add", fields["received_on"], fields["case_id"])
        return _complaint(self._risk_row("complaint", row_id))

    def edit_complaint(self, complaint_id: str, data: ComplaintInput) -> Complaint:
        """対応・結果・再発防止策・完了 (the 主任, or who recorded it)."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        old = self._risk_row("complaint", complaint_id)
        fields = self._check_complaint(data)
        if fields["completed_on"] or old["completed_on"]:   # completing, or a completed one
            self._ctx.require(Permission.RISK_REGISTER)
        with self._store.transaction() as w:
            self._region.update(w, "complaint", complaint_id, fields)
            self._audit_region("complaint_edit", fields["received_on"], fields["case_id"])
        return _complaint(self._risk_row("complaint", complaint_id))

    def _check_incident(self, data: IncidentInput,
                        linked: list[int] | None = None) -> dict[str, Any]:
        """``linked``: the audit entries the report names already (keeping them needs no
        audit permission; linking others does)."""
        c = _Check()
        today = self._ctx.today()
        on = c.date(data.occurred_on, "occurred_on", _("Occurred on"), required=True,
                    today=today)
        kind = c.choice(IncidentKind, data.kind, "kind", _("Kind of incident"))
        severity = c.choice(Severity, data.severity, "severity", _("Severity"))
        what = c.text(data.what, "what", _("What happened"), required=True, max_len=4000)
        cause = c.text(data.cause, "cause", _("Cause"), max_len=4000)
        prevention = c.text(data.prevention, "prevention", _("Prevention of recurrence"),
                            max_len=4000)
        reviewed_at = c.text(data.reviewed_at, "reviewed_at", _("Reviewed at (staff meeting)"),
                             max_len=200, multiline=False)
        reviewed_on = c.date(data.reviewed_on, "reviewed_on", _("Reviewed on"), today=today)
        refs: list[int] = []
        for raw in data.audit_refs or []:
            try:
                seq = int(text_ja.nfkc(str(raw)).strip())
            except ValueError:
                c.add("audit_refs", _("Audit entries: give their numbers (連番)."))
                break
            if not self._region.audit_seq_exists(seq):
                c.add("audit_refs", _("Audit entry {seq} was not found.").format(seq=seq))
                break
            refs.append(seq)
        if refs and kind is not IncidentKind.PERSONAL_DATA:
            c.add("audit_refs", _("Audit entries are linked to personal-data incidents only."))
        if refs and sorted(set(refs)) != sorted(set(linked or [])):
            self._ctx.require(Permission.VIEW_AUDIT)
        case_id = self._case_of_number(c, data.case_no)
        c.done()
        assert on is not None           # required: c.done() raised without it
        if case_id:
            self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return {"occurred_on": on.isoformat(), "kind": kind.value,
                "severity": severity.value, "what": what, "cause": cause,
                "prevention": prevention, "reviewed_at": reviewed_at,
                "reviewed_on": _iso(reviewed_on), "audit_refs": json.dumps(sorted(set(refs))),
                "case_id": case_id}

    def add_incident(self, data: IncidentInput) -> Incident:
        """A ヒヤリハット・事故 report (anyone who records cases). A personal-data incident may
        name the audit entries involved (linking them needs the audit permission)."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        fields = self._check_incident(data)
        with self._store.transaction() as w:
            row_id = self._region.insert(w, "incident", {**fields, "reported_by": self._ctx.user.id})
            self._audit_region("incident_add", f"{fields['occurred_on']} {fields['kind']} "
                               f"audit={fields['audit_refs']}", fields["case_id"])
        return _incident(self._risk_row("incident", row_id))

    def edit_incident(self, incident_id: str, data: IncidentInput) -> Incident:
        """Cause, prevention and the staff meeting that reviewed it."""
        self._require_any(Permission.RISK_REGISTER, Permission.EDIT_CASES)
        old = self._risk_row("incident", incident_id)
        fields = self._check_incident(data, json.loads(old["audit_refs"] or "[]"))
        if fields["reviewed_on"] or old["reviewed_on"]:     # reviewing, or a reviewed one
            self._ctx.require(Permission.RISK_REGISTER)
        with self._store.transaction() as w:
            self._region.update(w, "incident", incident_id, fields)
            self._audit_region("incident_edit", fields["occurred_on"], fields["case_id"])
        return _incident(self._risk_row("incident", incident_id))

    def risk_monthly_counts(self, months: int = 6) -> list[RiskMonth]:
        """The last ``months`` months' counts of complaints, incidents and personal-data
        incidents (the 主任's dashboard), oldest first, plus open / unreviewed totals."""
        self._ctx.require(Permission.RISK_REGISTER)
        today = self._ctx.today()
        keys = []
        y, m = today.year, today.month
        for _i in range(max(1, months)):
            keys.append(f"{y:04d}-{m:02d}")
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        keys.reverse()
        start = date.fromisoformat(keys[0] + "-01")
        counts = self._region.monthly_risk_counts(start, today)
        out = []
        for k in keys:
            c = counts.get(k, {})
            out.append(RiskMonth(k, int(c.get("complaints", 0)), int(c.get("incidents", 0)),
                                 int(c.get("personal_data", 0))))
        return out

    def risk_open_counts(self) -> dict[str, int]:
        self._ctx.require(Permission.RISK_REGISTER)
        return {"open_complaints": self._region.open_complaints(),
                "unreviewed_incidents": self._region.unreviewed_incidents()}


def _complaint(r: dict[str, Any]) -> Complaint:
    return Complaint(
        id=r["id"], received_on=date.fromisoformat(r["received_on"]),
        complainant=Complainant(r["complainant"]), content=r["content"],
        response=r["response"], result=r["result"], prevention=r["prevention"],
        completed_on=_d(r["completed_on"]), case_id=r["case_id"], case_no=r.get("case_no"),
        committee=bool(r["committee"]), committee_on=_d(r["committee_on"]),
        recorded_by=r["recorded_by"])


def _incident(r: dict[str, Any], entries: tuple[LinkedAuditEntry, ...] = ()) -> Incident:
    return Incident(
        id=r["id"], occurred_on=date.fromisoformat(r["occurred_on"]),
        kind=IncidentKind(r["kind"]), severity=Severity(r["severity"]), what=r["what"],
        cause=r["cause"], prevention=r["prevention"], reviewed_at=r["reviewed_at"],
        reviewed_on=_d(r["reviewed_on"]),
        audit_refs=tuple(int(x) for x in json.loads(r["audit_refs"] or "[]")),
        case_id=r["case_id"], case_no=r.get("case_no"), reported_by=r["reported_by"],
        audit_entries=entries)
