"""支援調整会議: meetings, their agenda (put on, moved, withdrawn) and their results,
which make plans, evaluations, 中断 and 終結 take effect — a part of
``desk.process`` (app/operations/process.py)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any, Iterable

from app.domain.plan import PlanStatus
from app.domain.meeting import (
    AgendaItem, AgendaKind, Meeting, MeetingKind, MeetingResult, MeetingSummary,
    MeetingWait, Participant, ProposalStatus, municipality_attended,
)
from app import process as P, text_ja
from app.domain import rules as R, step_dates
from app.i18n import _
from app.operations.region import RegionOperations, feed_meeting_issue
from app.security.roles import Permission
from app.operations.context import DeskContext
from app.operations.process_part import ProcessPart, _Check


class MeetingSteps(ProcessPart):
    """The 支援調整会議 and what waits for it."""

    def __init__(self, ctx: DeskContext, region: RegionOperations):
        super().__init__(ctx)
        self._region_ops = region   # a meeting's 地域課題 go into the register

    # ------------------------------------------------------------------ 支援調整会議
    def plan_meeting(self, held_on: date, kind: MeetingKind | str = MeetingKind.REGULAR, *,
                     place: str = "", participants: Iterable[Participant] = (),
                     next_meeting_on: date | None = None) -> Meeting:
        """Schedule a 支援調整会議 (定例 or 随時)."""
        self._require_meetings()
        c = _Check()
        held_on = c.date(held_on, "held_on", _("Date of the meeting"), required=True)
        k = c.choice(MeetingKind, kind, "kind", _("Kind of meeting"))
        place = c.text(place, "place", _("Place"), max_len=100, multiline=False)
        people = _check_participants(c, participants)
        next_on = c.date(next_meeting_on, "next_meeting_on", _("Next meeting"))
        if held_on and next_on and next_on <= held_on:
            c.add("next_meeting_on", _("The next meeting must be after this one."))
        c.done()
        with self._store.transaction() as w:
            meeting_id = self._repo.insert_meeting(w, held_on, k.value, place, people, next_on)
            self._audit("meeting_plan", None, held_on.isoformat())
        return self._meeting_or_404(meeting_id)

    def add_agenda_item(self, meeting_id: str, kind: AgendaKind | str, case_id: str | None = None,
                        subject_id: str | None = None, summary: str = "") -> AgendaItem:
        """Put a case (its plan, evaluation, 中断 or 終結) or a 地域課題 on the agenda."""
        self._require_meetings()
        if case_id is not None:
            self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._add_agenda_item(meeting_id, kind, case_id, subject_id, summary)

    def _add_agenda_item(self, meeting_id: str, kind: AgendaKind | str,
                         case_id: str | None = None, subject_id: str | None = None,
                         summary: str = "") -> AgendaItem:
        meeting = self._meeting_or_404(meeting_id)
        c = _Check()
        k = c.choice(AgendaKind, kind, "kind", _("Item type"))
        summary = c.text(summary, "summary", _("Summary"), max_len=2000)
        if k is AgendaKind.REGIONAL_ISSUE and not summary:
            c.add("summary", _("Describe the regional issue."))
        if k is not None and k is not AgendaKind.REGIONAL_ISSUE and not subject_id:
            c.add("subject_id", _("Choose what the meeting is to approve."))
        c.done()
        assert k is not None
        blockers, row = self._subject_blockers(k, case_id, subject_id)
        self._enforce(P.meeting_blockers(meeting) + blockers)
        if row is not None:
            case_id = row["case_id"]
            self._meeting_after(meeting, *_subject_date(self._repo.subject_table(k), row))
        with self._store.transaction() as w:
            item_id = self._repo.insert_agenda_item(w, meeting_id, case_id, k.value, subject_id,
                                                    summary)
            self._audit("agenda_add", case_id, k.value)
            if k is AgendaKind.REGIONAL_ISSUE:  # issue 15: the box feeds the 地域課題 register
                feed_meeting_issue(self._region_ops, w, {"id": item_id, "meeting_id": meeting_id,
                                             "summary": summary,
                                             "held_on": meeting.held_on.isoformat()})
        return self._written(self._repo.agenda_item(item_id))

    def record_meeting_results(self, meeting_id: str,
                               results: dict[str, tuple[MeetingResult | str, str]],
                               minutes: str = "", *,
                               participants: Iterable[Participant] | None = None,
                               next_meeting_on: date | None = None,
                               municipality_absence: str = "") -> Meeting:
        """The 支援調整会議 decided: 了承 / 修正のうえ了承 (conditions) / 再検討 per item.

        Only 了承 and 修正のうえ了承 make a plan, evaluation, 中断 or 終結 take effect;
        再検討 sends a plan back to draft and a proposal back to the worker.

        A meeting is a 合議体: no result without at least one participant. The municipality
        takes part in principle: without a participant of it, ``municipality_absence`` (the
        confirmation why it went ahead without) is required and goes into the minutes."""
        self._require_meetings()
        meeting = self._meeting_or_404(meeting_id)
        items = {i.id: i for i in meeting.items}
        c = _Check()
        if meeting.held_on > self._ctx.today():
            c.add("held_on", _("The meeting has not been held yet."))
        minutes = c.text(minutes, "minutes", _("Minutes"), max_len=20000)
        people = _check_participants(c, participants) if participants is not None else None
        present = people if people is not None else meeting.participants
        if not present:
            c.add("participants", _("Record who took part: a meeting without participants "
                                    "cannot decide."))
        municipal = municipality_attended(present, self._store.agency().municipality)
        absence = c.text(municipality_absence, "municipality_absence",
                         _("Why the meeting went ahead without the municipality"),
                         max_len=1000)
        if present and not municipal and not absence:
            c.add("municipality_absence", _(
                "No one from the municipality took part. Confirm that the meeting goes ahead "
                "without it and why (recorded in the minutes)."))
        decided: dict[str, tuple[MeetingResult, str]] = {}
        for item_id, pair in results.items():
            if item_id not in items:
                c.add(f"results.{item_id}", _("This item is not on the meeting's agenda."))
                continue
            result, conditions = pair
            r = c.choice(MeetingResult, result, f"results.{item_id}.result", _("Result"))
            cond = c.text(conditions, f"results.{item_id}.conditions", _("Conditions"))
            if r is MeetingResult.APPROVED_WITH_CHANGES and not cond:
                c.add(f"results.{item_id}.conditions", _(
                    "Approved with changes: enter the changes (conditions)."))
            for b in P.agenda_item_blockers(items[item_id]):
                c.add(f"results.{item_id}", b.message)
            if r is not None:
                decided[item_id] = (r, cond)
            item = items[item_id]
            if item.case_id and item.subject_id and item.kind is not AgendaKind.REGIONAL_ISSUE:
                table = self._repo.subject_table(item.kind)
                row = self._repo.row(table, item.subject_id)
                key, on = _subject_date(table, row) if row else ("", None)
                if on is not None and meeting.held_on < on:
                    c.add(f"results.{item_id}", step_dates.OrderProblem(
                        "meeting", meeting.held_on, key, on).message())
        c.done()
        if not municipal:
            note = _("The municipality did not take part. Confirmed: {why}").format(
                why=absence)
            minutes = (minutes + "\n" + note).strip() if note not in minutes else minutes
        touched: set[str] = set()
        with self._store.transaction() as w:
            for item_id, (result, cond) in decided.items():
                item = items[item_id]
                self._repo.set_agenda_result(w, item_id, result.value, cond)
                if item.case_id:
                    self._apply_result(w, item, result, cond, meeting.held_on)
                    touched.add(item.case_id)
            # held (recorded) once no item waits any more: results may be recorded item by
            # item on the day, the others stay open (or are moved or withdrawn)
            still = [i for i in meeting.items if i.pending and i.id not in decided]
            changes: dict[str, Any] = {"held": 0 if still else 1, "minutes": minutes,
                                       "municipality_attended": int(municipal),
                                       "municipality_absence": absence}
            if people is not None:
                changes["participants"] = _participants_json(people)
            if next_meeting_on is not None:
                changes["next_meeting_on"] = next_meeting_on
            self._repo.set_meeting(w, meeting_id, **changes)
            for case_id in sorted(touched):
                self._restage(w, case_id)
                self._audit("meeting_result", case_id, meeting.held_on.isoformat())
            if not still:
                self._audit("meeting_held", None, meeting.held_on.isoformat())
        return self._meeting_or_404(meeting_id)

    # ------------------------------------------------------------------ 議題の移動・取り下げ
    def _pending_item(self, item_id: str) -> tuple[AgendaItem, Meeting]:
        """The agenda item (still waiting for its result) and its meeting, after checking
        that this user may change it: the worker of the case (edit rights on the case) or
        the 主任 (a 地域課題 has no case: only who runs the meetings)."""
        item = self._agenda_item_or_404(item_id)
        if item.case_id:
            self._ctx.require_case(item.case_id, Permission.EDIT_CASES)
        else:
            self._require_meetings()
        self._enforce(P.agenda_item_blockers(item))
        return item, self._meeting_or_404(item.meeting_id)

    def open_meetings(self) -> list[MeetingSummary]:
        """Meetings an agenda item can go to: not yet recorded, dated today or later, the
        nearest first (no case data: for every user who edits cases)."""
        self._ctx.require(Permission.EDIT_CASES)
        today = self._ctx.today()
        rows, _total = self._repo.meetings(None, open_from=today)   # (only those, in SQL)
        return sorted((m for m in rows if not m.held and m.held_on >= today),
                      key=lambda m: (m.held_on, m.kind.value != "ad_hoc", m.place))

    def withdraw_agenda_item(self, item_id: str, reason: str) -> AgendaItem:
        """Take an item off a meeting's agenda, with the reason. What it was to approve
        still waits (次にすること shows it; it can be put on another meeting)."""
        item, _meeting = self._pending_item(item_id)
        c = _Check()
        reason = c.text(reason, "reason", _("Reason for withdrawing"), required=True,
                        max_len=500)
        c.done()
        with self._store.transaction() as w:
            self._repo.withdraw_agenda_item(w, item_id, self._ctx.today(), reason)
            if item.case_id:
                self._restage(w, item.case_id)
            self._audit("agenda_withdraw", item.case_id, item.kind.value)
        return self._written(self._repo.agenda_item(item_id))

    def move_agenda_item(self, item_id: str, meeting_id: str, reason: str = ""
                         ) -> AgendaItem:
        """Move an item waiting for its result to another meeting not yet recorded (a
        随時 meeting today instead of the 定例 one two weeks ahead). The old item stays on
        its meeting as withdrawn (moved_to); returns the new item."""
        item, meeting = self._pending_item(item_id)
        target = self._meeting_or_404(meeting_id)
        c = _Check()
        reason = c.text(reason, "reason", _("Reason for moving"), max_len=500)
        c.done()
        self._enforce(P.meeting_blockers(target, today=self._ctx.today(), current=meeting))
        note = reason or _("Moved to the meeting of {date}").format(
            date=text_ja.format_wareki(target.held_on, "long"))
        with self._store.transaction() as w:
            self._repo.withdraw_agenda_item(w, item_id, self._ctx.today(), note, moved_to=target.id)
            new_id = self._repo.insert_agenda_item(w, target.id, item.case_id, item.kind.value,
                                                   item.subject_id, item.summary)
            if item.case_id:
                self._restage(w, item.case_id)
            self._audit("agenda_move", item.case_id, f"{meeting.held_on.isoformat()}->"
                        f"{target.held_on.isoformat()}")
        return self._written(self._repo.agenda_item(new_id))

    def waiting_for_meeting(self, case_id: str) -> list[MeetingWait]:
        """What of the case waits for the 支援調整会議 — a submitted plan, a proposed プラン
        評価, 中断 or 終結 — each with the meeting whose agenda it is on (None: on none)."""
        self._ctx.require_case(case_id, Permission.VIEW_CASES)
        return self._meeting_waits(case_id)

    def _meeting_waits(self, case_id: str) -> list[MeetingWait]:
        """``waiting_for_meeting``, unchecked (why_not, the case overview)."""
        out = []
        for r in self._repo.waiting_subjects(case_id):
            item = self._repo.pending_item_for(r["id"])
            meeting = self._repo.meeting(item.meeting_id) if item else None
            out.append(MeetingWait(
                kind=AgendaKind(r["kind"]), case_id=case_id, subject_id=r["id"],
                summary=r["summary"] or "", item_id=item.id if item else None,
                meeting_id=meeting.id if meeting else None,
                meeting_on=meeting.held_on if meeting else None,
                meeting_kind=meeting.kind if meeting else None))
        return out

    def put_on_meeting(self, case_id: str, subject_id: str, meeting_id: str,
                       reason: str = "") -> AgendaItem:
        """Put what waits (``subject_id``) on the agenda of ``meeting_id``: added if it is on
        no agenda, moved if it is on another one."""
        self._ctx.require_case(case_id, Permission.EDIT_CASES)
        wait = next((x for x in self.waiting_for_meeting(case_id)
                     if x.subject_id == subject_id), None)
        if wait is None:
            self._enforce([R.NOT_WAITING.blocks()])
        assert wait is not None
        if wait.item_id is not None:
            return self.move_agenda_item(wait.item_id, meeting_id, reason)
        self._enforce(P.meeting_blockers(self._meeting_or_404(meeting_id),
                                         today=self._ctx.today()))
        return self._add_agenda_item(meeting_id, wait.kind, case_id, subject_id, wait.summary)

    def _apply_result(self, w, item: AgendaItem, result: MeetingResult, conditions: str,
                      held_on: date) -> None:
        repo, case_id = self._repo, item.case_id
        ok = result.takes_effect
        if item.kind in (AgendaKind.NEW_PLAN, AgendaKind.REPLAN):
            plan_id = item.subject_id
            assert plan_id is not None and case_id is not None   # a plan's item names both
            if not ok:
                repo.set_plan(w, plan_id, status=PlanStatus.DRAFT.value,
                              meeting_result=result.value, conditions=conditions)
                return
            # The newer plan supersedes the one in effect: never two approved plans.
            for other in repo.plans(case_id):
                if other.status is PlanStatus.APPROVED and other.id != plan_id:
                    repo.set_plan(w, other.id, status=PlanStatus.SUPERSEDED.value,
                                  superseded_by=plan_id, ended_on=held_on)
            repo.set_plan(w, plan_id, status=PlanStatus.APPROVED.value,
                          approved_on=held_on, meeting_result=result.value,
                          conditions=conditions)
            return
        status = ProposalStatus.CONFIRMED.value if ok else ProposalStatus.RECONSIDER.value
        subject_id = item.subject_id
        assert subject_id is not None and case_id is not None   # a proposal's item names both
        if item.kind is AgendaKind.EVALUATION:
            repo.set_status(w, "evaluation", subject_id, status=status,
                            confirmed_on=held_on if ok else None)
            # a 終結 proposed with this evaluation (its decision 終結) is decided with it
            for x in repo.closures(case_id):
                if x.evaluation_id == subject_id and x.status is ProposalStatus.PROPOSED:
                    self._close(w, case_id, x.id, ok, held_on)
        elif item.kind is AgendaKind.SUSPENSION:
            repo.set_status(w, "suspension", subject_id, status=status,
                            confirmed_on=held_on if ok else None)
            if not ok:   # the attempts count again for a later proposal
                for a in repo.contact_attempts(case_id):
                    if a["suspension_id"] == subject_id:
                        repo.set_status(w, "contact_attempt", a["id"], suspension_id=None)
        elif item.kind is AgendaKind.CLOSURE:
            self._close(w, case_id, subject_id, ok, held_on)


_SUBJECT_DATES = {"plan": ("plan_signed", "signed_on"), "evaluation": ("evaluation",
                                                                        "evaluated_on"),
                  "suspension": ("suspension", "proposed_on"),
                  "closure": ("closure", "proposed_on")}


def _subject_date(table: str, row: dict[str, Any]) -> tuple[str, date | None]:
    """(step, date) of what an agenda item asks the meeting to approve."""
    key, col = _SUBJECT_DATES[table]
    return key, date.fromisoformat(row[col]) if row.get(col) else None


def _check_participants(c: _Check, participants: Iterable[Participant] | None
                        ) -> list[Participant]:
    people = []
    for i, p in enumerate(participants or ()):
        name = c.text(p.name, f"participants.{i}.name", _("Name"), required=True, max_len=50,
                      multiline=False)
        org = c.text(p.organisation, f"participants.{i}.organisation", _("Organisation"),
                     max_len=100, multiline=False)
        people.append(Participant(name, org, municipal=bool(getattr(p, "municipal", False))))
    return people


def _participants_json(people: list[Participant]) -> str:
    import json
    return json.dumps([asdict(p) for p in people], ensure_ascii=False)
