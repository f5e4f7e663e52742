"""Wizards while support runs and after: 支援経過記録 (and its correction), モニタリング,
プラン評価, 連絡の試み, 中断, 再開, 終結 and フォローアップ."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit

from app.domain.closure import ClosureGrounds, ClosureInput, ClosurePattern
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.monitoring import MonitoringInput, MonitoringKind
from app.domain.record import RecordMethod
from app.domain.suspension import ContactMethod, ContactOutcome
from app import process as P
from app.errors import ValidationError
from app.i18n import _
from app.process import Step
from ui.wizards.unmet import add_unmet_needs_row, needs_of, with_unmet_needs
from ui.resource_chooser import attach_resource_completer, resource_names
from ui.wizards.base import StepWizard, meeting_options
from ui.wizards.inputs import (
    CheckList, Choice, Column, RowsEditor, combo, date_field, note_label, text_edit, wareki,
)
from ui.wizards.pages import REFUSAL_STYLE, FormPage

TIME = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*$")


def editable_combo(options: list[str]) -> QComboBox:
    box = QComboBox()
    box.setEditable(True)
    box.addItems(options)
    box.setCurrentIndex(-1)
    return box


# ---------------------------------------------------------------------- 支援経過記録
class RecordWizard(StepWizard):
    """支援経過記録: one contact — when, how, with whom, what, what next."""

    step = Step.RECORD

    def build(self) -> list[FormPage]:
        page = FormPage(self, "record", _("Support record"),
                        _("One entry per contact. Entries are never overwritten: a correction "
                          "keeps the old text."))
        page.row(_("Method"), "method", Choice([(m.value, m.label) for m in RecordMethod],
                                               columns=4), required=True)
        self.occurred_on = page.row(_("Date"), "occurred_on", date_field(_("Date")),
                                    required=True, aliases=("occurred_at",))
        self.time = page.row(_("Time"), "occurred_time", QLineEdit())
        self.time.setPlaceholderText(_("e.g. 14:30"))
        self.time.setMaximumWidth(120)
        page.row(_("Contacted person"), "contact_person", QLineEdit())
        page.row(_("Content"), "content", text_edit(140), required=True)
        page.row(_("Next action"), "next_action", text_edit(60))
        page.row(_("Staff"), "staff", QLineEdit())
        page.finish()
        return [page]

    def prefill(self) -> None:
        self.occurred_on.set_date(self.desk.today())
        self.time.setText(datetime.now().strftime("%H:%M"))
        self.page_named("record").inputs["staff"].setText(self.desk.user.display_name)

    def occurred_at(self, a: dict[str, Any]) -> datetime | None:
        day = self.date("occurred_on")
        text = a["occurred_time"].strip()
        at = time(0, 0)
        if text:
            m = TIME.match(text)
            if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                self._parse.setdefault("record", []).append(ValidationError(
                    "occurred_time", _("Enter the time as hours:minutes, e.g. 14:30.")))
            else:
                at = time(int(m.group(1)), int(m.group(2)))
        return datetime.combine(day, at) if day else None

    def operation(self, a):
        at = self.occurred_at(a)
        desk, case_id = self.desk, self.case_id
        return lambda: desk.process.add_record(case_id, at, a["method"], a["content"],
                                       contact_person=a["contact_person"],
                                       next_action=a["next_action"], staff=a["staff"])

    def summary_rows(self, a):
        return [(_("Method"), RecordMethod(a["method"]).label if a["method"] else "—"),
                (_("Date and time"), f"{a['occurred_on']}　{a['occurred_time']}"),
                (_("Contacted person"), a["contact_person"]), (_("Content"), a["content"]),
                (_("Next action"), a["next_action"]), (_("Staff"), a["staff"])]


class RecordCorrectionWizard(StepWizard):
    """Correction of a 支援経過記録: a new entry supersedes the old one, which stays readable."""

    step = Step.RECORD
    title_text = ""

    def __init__(self, desk, case_id, parent=None, *, record_id: str, **options):
        self.record_id = record_id
        self.title_text = _("Correcting a support record")
        self.finish_text = _("Record the correction")
        super().__init__(desk, case_id, parent, **options)

    @property
    def draft_key(self) -> str:
        return f"record_correction:{self.record_id}"

    def load(self) -> None:
        self.old = next(r for r in self.desk.process.support_records(self.case_id, True)
                        if r.id == self.record_id)

    def build(self) -> list[FormPage]:
        old = self.old
        page = FormPage(self, "correction", _("Correcting a support record"),
                        _("The old text stays readable; the correction is a new entry."))
        before = QPlainTextEdit(old.content)
        before.setReadOnly(True)
        before.setMaximumHeight(90)
        before.setStyleSheet("background: #f3f3f3; color: #555;")
        page.form.addRow(_("Old text"), before)
        page.form.addRow(_("Recorded"), QLabel(
            f"{wareki(old.occurred_at.date())} {old.occurred_at:%H:%M}　{old.method.label}　"
            f"{old.contact_person}　{old.staff}"))
        page.row(_("Corrected content"), "content", text_edit(120), required=True)
        page.row(_("Contacted person"), "contact_person", QLineEdit())
        page.row(_("Next action"), "next_action", text_edit(50))
        page.row(_("Reason for the correction"), "correction_reason", QLineEdit(),
                 required=True)
        page.finish()
        return [page]

    def prefill(self) -> None:
        self.page_named("correction").restore({
            "content": self.old.content, "contact_person": self.old.contact_person,
            "next_action": self.old.next_action})

    def operation(self, a):
        desk, record_id = self.desk, self.record_id
        return lambda: desk.process.correct_record(record_id, a["content"], a["correction_reason"],
                                           contact_person=a["contact_person"],
                                           next_action=a["next_action"])

    def summary_rows(self, a):
        return [(_("Old text"), self.old.content), (_("Corrected content"), a["content"]),
                (_("Reason for the correction"), a["correction_reason"])]


# ---------------------------------------------------------------------- モニタリング
MONITORING_METHODS = ["面談（来所）", "訪問", "電話", "同行", "支援機関からの情報"]


class MonitoringWizard(StepWizard):
    """モニタリング of the plan in effect: the person's change, progress, satisfaction."""

    step = Step.MONITORING
    graph = Step.MONITORING

    def load(self) -> None:
        self.plan = self.desk.process.current_plan(self.case_id)
        self.follow_up_step: Step | None = None

    def build(self) -> list[FormPage]:
        basics = FormPage(self, "basics", _("Monitoring"),
                          _("Right after support starts, regularly (e.g. monthly, face to "
                            "face) or ad hoc."))
        self.monitored_on = basics.row(_("Date of monitoring"), "monitored_on",
                                       date_field(_("Date of monitoring")), required=True)
        basics.row(_("Kind of monitoring"), "kind",
                   Choice([(k.value, k.label) for k in MonitoringKind], columns=3), required=True)
        basics.row(_("Method"), "method", editable_combo(MONITORING_METHODS))
        basics.finish()

        progress = FormPage(self, "progress", _("Change and progress"),
                            _("The person's change, the progress of each goal and service, "
                              "satisfaction."))
        progress.row(_("The person's change"), "change", text_edit(80))
        self.progress = RowsEditor([Column("goal", _("Goal or service"), "fixed", 330),
                                    Column("progress", _("Progress"))],
                                   fixed_rows=True, min_rows=0)
        rows = []
        if self.plan is not None:
            rows += [{"goal": g.text, "progress": ""} for g in self.plan.goals]
            rows += [{"goal": _("Service: {what}").format(what=i.what), "progress": ""}
                     for i in self.plan.items]
        self.progress.set_value(rows)
        progress.row(_("Progress"), "progress", self.progress)
        progress.row(_("Satisfaction"), "satisfaction", QLineEdit())
        progress.row("", "amendment_needed", QCheckBox(_("The plan needs an amendment")))
        progress.finish()

        amendment = FormPage(self, "amendment", _("Plan amendment"),
                             _("A minor change is a plan amendment (the same plan); a major one "
                               "leads to plan evaluation and a re-plan."))
        amendment.row("", "open_amendment",
                      QCheckBox(_("Open the plan amendment after recording")))
        amendment.finish()

        nxt = FormPage(self, "next", _("Next monitoring"),
                       _("Leave it empty to schedule it about one month later, on a business "
                         "day."))
        self.next_on = nxt.row(_("Next monitoring"), "next_on", date_field(_("Next monitoring")))
        nxt.finish()
        return [basics, progress, amendment, nxt]

    def prefill(self) -> None:
        self.monitored_on.set_date(self.desk.today())
        self.page_named("amendment").inputs["open_amendment"].setChecked(True)

    def operation(self, a):
        data = MonitoringInput(
            monitored_on=self.date("monitored_on"),  # type: ignore[arg-type]
            kind=a["kind"] or None,  # type: ignore[arg-type]
            method=a["method"], change=a["change"],
            progress=[{"goal": r["goal"], "progress": r["progress"]} for r in a["progress"]],
            satisfaction=a["satisfaction"], amendment_needed=bool(a["amendment_needed"]),
            next_on=self.date("next_on"))
        self.follow_up_step = (Step.AMEND_PLAN if a["amendment_needed"] and a["open_amendment"]
                               else None)
        desk, case_id = self.desk, self.case_id
        return lambda: desk.process.add_monitoring(case_id, data)

    def summary_rows(self, a):
        kind = MonitoringKind(a["kind"]).label if a["kind"] else "—"
        return [(_("Date of monitoring"), a["monitored_on"]), (_("Kind of monitoring"), kind),
                (_("Method"), a["method"]), (_("The person's change"), a["change"]),
                (_("Progress"), "\n".join(f"・{r['goal']}: {r['progress']}"
                                          for r in a["progress"] if r["progress"])),
                (_("Satisfaction"), a["satisfaction"]),
                (_("The plan needs an amendment"), _("Yes") if a["amendment_needed"] else _("No")),
                (_("Next monitoring"), a["next_on"] or _("About one month later"))]


# ---------------------------------------------------------------------- プラン評価
class EvaluationWizard(StepWizard):
    """プラン評価, proposed to the 支援調整会議: attainment, outcomes, decision."""

    step = Step.EVALUATION
    graph = Step.EVALUATION

    def load(self) -> None:
        self.plan = self.desk.process.current_plan(self.case_id)
        self.meetings = meeting_options(self.desk)

    def build(self) -> list[FormPage]:
        goals = FormPage(self, "goals", _("Attainment of the goals"),
                         _("For each short-term goal: achieved, partly achieved or not "
                           "achieved."))
        self.attainment = RowsEditor([
            Column("goal", _("Short-term goal"), "fixed"),
            Column("attainment", _("Attainment"), "combo", 200,
                   [(x.value, x.label) for x in Attainment])], fixed_rows=True, min_rows=0)
        self.attainment.set_value([{"goal": g.text, "attainment": ""}
                                   for g in (self.plan.goals if self.plan else [])])
        goals.row(_("Attainment"), "attainment", self.attainment)
        self.evaluated_on = goals.row(_("Date of evaluation"), "evaluated_on",
                                      date_field(_("Date of evaluation")), required=True)
        goals.row(_("Support delivered"), "support_delivered", text_edit(80))
        goals.finish()

        outcomes = FormPage(self, "outcomes", _("Outcomes"),
                            _("Outcomes counted in the statistics."))
        outcomes.row(_("Date of employment"), "employed_on", date_field(_("Date of employment")))
        outcomes.row(_("Date of increased income"), "income_increased_on",
                     date_field(_("Date of increased income")))
        outcomes.row(_("Improved"), "improved", CheckList([
            ("motivation", _("Motivation")), ("relationships", _("Relationships")),
            ("participation", _("Participation")),
            ("hardship", _("Economic hardship"))], columns=4))
        outcomes.finish()

        decision = FormPage(self, "decision", _("Decision"),
                            _("What the evaluation proposes to the support coordination "
                              "meeting."))
        decision.row(_("Decision"), "decision", Choice(
            [(d.value, d.label) for d in EvaluationDecision], columns=4), required=True)
        decision.row(_("Note"), "note", text_edit(70))
        add_unmet_needs_row(decision, text_edit)     # → 地域課題 (issue 15)
        decision.finish()

        next_goal = FormPage(self, "next_goal", _("Next goal"),
                             _("Goals met: the re-plan sets the next goal."))
        next_goal.row(_("Next goal"), "next_goal", text_edit(80))
        next_goal.finish()
        reassess = FormPage(self, "reassessment", _("Re-assessment"),
                            _("Goals not met: the assessment is done again before the re-plan."))
        reassess.row(_("Why the goals were not met"), "reassessment_reason", text_edit(80))
        reassess.finish()
        intent = FormPage(self, "closure_intent", _("Closure"),
                          _("Confirm the person's wishes before proposing closure."))
        intent.row(_("The person's intention"), "closure_intent", text_edit(80))
        intent.finish()

        meeting = FormPage(self, "meeting", _("Support coordination meeting"),
                           _("The evaluation takes effect with the meeting's approval."))
        meeting.row(_("Meeting"), "meeting", combo(self.meetings))
        meeting.finish()
        return [goals, outcomes, decision, next_goal, reassess, intent, meeting]

    def prefill(self) -> None:
        self.evaluated_on.set_date(self.desk.today())

    def operation(self, a):
        extra = {EvaluationDecision.REPLAN.value: (_("Next goal"), a["next_goal"]),
                 EvaluationDecision.REASSESS.value: (_("Why the goals were not met"),
                                                     a["reassessment_reason"]),
                 EvaluationDecision.CLOSE.value: (_("The person's intention"),
                                                  a["closure_intent"])}.get(a["decision"])
        note = a["note"]
        if extra and extra[1].strip():
            note = (f"{extra[0]}: {extra[1].strip()}\n{note}").strip()
        improved = set(a["improved"])
        data = EvaluationInput(
            evaluated_on=self.date("evaluated_on"),  # type: ignore[arg-type]
            attainment=[(r["goal"], r["attainment"]) for r in a["attainment"]],  # type: ignore[misc]
            decision=a["decision"] or None,  # type: ignore[arg-type]
            support_delivered=a["support_delivered"], employed_on=self.date("employed_on"),
            income_increased_on=self.date("income_increased_on"),
            motivation="motivation" in improved, relationships="relationships" in improved,
            participation="participation" in improved, hardship="hardship" in improved,
            note=note)
        desk, case_id, meeting = self.desk, self.case_id, a["meeting"] or None
        return with_unmet_needs(desk, case_id, needs_of(a), _("plan evaluation"),
                                lambda: desk.process.evaluate(case_id, data, meeting))

    def summary_rows(self, a):
        att = "\n".join(f"・{r['goal']}: {Attainment(r['attainment']).label if r['attainment'] else '—'}"
                        for r in a["attainment"])
        labels = {"motivation": _("Motivation"), "relationships": _("Relationships"),
                  "participation": _("Participation"), "hardship": _("Economic hardship")}
        return [(_("Date of evaluation"), a["evaluated_on"]), (_("Attainment"), att),
                (_("Date of employment"), a["employed_on"]),
                (_("Date of increased income"), a["income_increased_on"]),
                (_("Improved"), "、".join(labels[k] for k in a["improved"])),
                (_("Decision"), EvaluationDecision(a["decision"]).label if a["decision"] else "—"),
                (_("Meeting"), dict(self.meetings).get(a["meeting"], ""))]


# ---------------------------------------------------------------------- 中断, 再開
class ContactAttemptWizard(StepWizard):
    """連絡の試み: required before 中断 (a note left at home, acquaintances …)."""

    step = Step.CONTACT_ATTEMPT

    def build(self) -> list[FormPage]:
        page = FormPage(self, "attempt", _("Attempt to make contact"),
                        _("Before suspending support, try every way to reach the person."))
        self.on = page.row(_("Date"), "attempted_on", date_field(_("Date")), required=True)
        page.row(_("Method"), "method", Choice([(m.value, m.label) for m in ContactMethod],
                                               columns=3), required=True)
        page.row(_("Outcome"), "outcome", Choice([(o.value, o.label) for o in ContactOutcome],
                                                 columns=3), required=True)
        page.row(_("Note"), "note", text_edit(80))
        page.finish()
        return [page]

    def prefill(self) -> None:
        self.on.set_date(self.desk.today())
        self.page_named("attempt").inputs["outcome"].set_value(ContactOutcome.NO_RESPONSE.value)

    def operation(self, a):
        on = self.date("attempted_on")
        desk, case_id = self.desk, self.case_id
        return lambda: desk.process.add_contact_attempt(case_id, on, a["method"], a["outcome"], a["note"])

    def summary_rows(self, a):
        return [(_("Date"), a["attempted_on"]),
                (_("Method"), ContactMethod(a["method"]).label if a["method"] else "—"),
                (_("Outcome"), ContactOutcome(a["outcome"]).label if a["outcome"] else "—"),
                (_("Note"), a["note"])]


class SuspensionWizard(StepWizard):
    """中断: after the recorded attempts; reported to the 支援調整会議."""

    step = Step.SUSPENSION
    graph = Step.SUSPENSION

    def load(self) -> None:
        self.attempts = self.desk.process.timeline(self.case_id, kinds=["contact_attempt"])
        self.meetings = meeting_options(self.desk)

    def build(self) -> list[FormPage]:
        attempts = FormPage(self, "attempts", _("Attempts to make contact"),
                            _("Suspension is only for a case where contact is completely lost. "
                              "These attempts were recorded:"))
        lines = []
        for e in self.attempts:
            try:
                method = ContactMethod(e.title).label
            except ValueError:
                method = e.title
            lines.append(f"・{wareki(e.on)}　{method}　{e.text}")
        attempts.add(note_label("\n".join(lines) or _("No attempt is recorded yet.")))
        rules = self.desk.process.process_settings()
        attempts.add(note_label(_(
            "The guide asks for efforts to keep supporting the person first: attempts by at "
            "least {n} different means over at least {days} days (desk settings).").format(
                n=rules.suspension_means, days=rules.suspension_days)))
        attempts.finish()

        proposal = FormPage(self, "proposal", _("Suspension"),
                            _("Every record is kept for a later resumption."))
        self.proposed_on = proposal.row(_("Date"), "proposed_on", date_field(_("Date")),
                                        required=True)
        proposal.row(_("Reason for the suspension"), "reason", text_edit(90), required=True)
        proposal.finish()

        meeting = FormPage(self, "meeting", _("Support coordination meeting"),
                           _("The suspension takes effect when the meeting confirms it."))
        meeting.row(_("Meeting"), "meeting", combo(self.meetings))
        meeting.finish()
        return [attempts, proposal, meeting]

    def prefill(self) -> None:
        self.proposed_on.set_date(self.desk.today())

    def operation(self, a):
        on = self.date("proposed_on")
        desk, case_id, meeting = self.desk, self.case_id, a["meeting"] or None
        return lambda: desk.process.propose_suspension(case_id, on, a["reason"], meeting)

    def summary_rows(self, a):
        return [(_("Date"), a["proposed_on"]), (_("Reason for the suspension"), a["reason"]),
                (_("Meeting"), dict(self.meetings).get(a["meeting"], ""))]


class ResumeWizard(StepWizard):
    """再開 of a suspended case: everything recorded before stays; monitoring restarts."""

    step = Step.RESUME

    def build(self) -> list[FormPage]:
        page = FormPage(self, "resume", _("Resumption"),
                        _("Everything recorded before the suspension stays; monitoring "
                          "restarts."))
        self.on = page.row(_("Date"), "resumed_on", date_field(_("Date")), required=True)
        page.row(_("Note"), "note", text_edit(80))
        page.finish()
        return [page]

    def prefill(self) -> None:
        self.on.set_date(self.desk.today())

    def operation(self, a):
        on = self.date("resumed_on")
        desk, case_id = self.desk, self.case_id
        return lambda: desk.process.resume(case_id, on, a["note"])

    def summary_rows(self, a):
        return [(_("Date"), a["resumed_on"]), (_("Note"), a["note"])]


# ---------------------------------------------------------------------- 終結, フォローアップ
class ClosureWizard(StepWizard):
    """終結 (1)(2)(3), proposed to the 支援調整会議. The core refuses (3) for silence alone."""

    step = Step.CLOSURE
    graph = Step.CLOSURE

    def load(self) -> None:
        self.state = self.desk.process.case_state(self.case_id)
        self.meetings = meeting_options(self.desk)

    def build(self) -> list[FormPage]:
        pattern = FormPage(self, "pattern", _("Closure"),
                           _("Confirm the person's wishes and take the closure to the support "
                             "coordination meeting."))
        self.proposed_on = pattern.row(_("Date"), "proposed_on", date_field(_("Date")),
                                       required=True)
        self.pattern = pattern.row(_("Closure pattern"), "pattern", Choice(
            [(p.value, p.label) for p in ClosurePattern], columns=1), required=True)
        self.pattern_refusal = QLabel()
        self.pattern_refusal.setWordWrap(True)
        self.pattern_refusal.setStyleSheet(REFUSAL_STYLE)
        self.pattern_refusal.hide()
        pattern.form.addRow("", self.pattern_refusal)
        pattern.row(_("Reason for closure"), "reason", text_edit(80), required=True)
        rules = self.desk.process.process_settings()
        pattern.add(note_label(_(
            "(1)(2) follow a plan evaluation that decided on closure (decided with it, no "
            "second agenda item); otherwise record why. (3) only after {days} days of "
            "suspension (desk setting) or a recorded move-away.").format(
                days=rules.closure3_days)))
        self.no_evaluation = pattern.row(_("Why the case closes without a plan evaluation"),
                                         "no_evaluation_reason", text_edit(60))
        pattern.finish()
        self.pattern.changed.connect(self._pattern_changed)

        grounds = FormPage(self, "grounds", _("Grounds"),
                           _("Pattern (3) needs a confirmed suspension or a recorded move-away. "
                             "Absence of contact alone is never a reason to close."))
        self.grounds = grounds.row(_("Grounds"), "grounds", Choice(
            [(g.value, g.label) for g in ClosureGrounds], columns=1))
        grounds.finish()
        self.grounds.changed.connect(self._pattern_changed)

        intention = FormPage(self, "intention", _("The person's intention"),
                             _("How and when the person's wishes were confirmed."))
        intention.row(_("The person's intention"), "intention", text_edit(80), required=True)
        intention.row(_("How the intention was confirmed"), "intention_how", QLineEdit(),
                      required=True)
        intention.row(_("When the intention was confirmed"), "intention_on",
                      date_field(_("When the intention was confirmed")), required=True)
        intention.finish()

        referrals = FormPage(self, "referrals", _("Referrals on closure"),
                             _("Agencies the person is connected to on closure."))
        editor = RowsEditor([Column("to", _("Referred to"),  # from the 社会資源 directory
                                    complete=lambda w, names=resource_names(self.desk):
                                    attach_resource_completer(w, self.desk, names=names))],
                            add_label=_("Add an agency"), min_rows=2)
        editor.setMinimumHeight(160)
        referrals.row(_("Referred to"), "referrals", editor)
        referrals.finish()

        followup = FormPage(self, "followup", _("Follow-up plan"),
                            _("Who checks the person's situation after closure, when and how."))
        followup.row(_("Follow-up plan"), "followup_plan", text_edit(90))
        followup.finish()

        meeting = FormPage(self, "meeting", _("Support coordination meeting"),
                           _("The closure takes effect when the meeting confirms it."))
        meeting.row(_("Meeting"), "meeting", combo(self.meetings))
        meeting.finish()
        return [pattern, grounds, intention, referrals, followup, meeting]

    def prefill(self) -> None:
        self.proposed_on.set_date(self.desk.today())
        # 本人の意向 typed in the プラン評価 that proposed the closure comes along (issue 14:
        # it was typed again), with the date of that evaluation
        try:
            evaluations = self.desk.process.evaluations(self.case_id)
        except Exception:  # noqa: BLE001 - nothing to carry over
            evaluations = []
        prefix = _("The person's intention") + ": "
        for row in reversed(evaluations):
            if row.decision is not EvaluationDecision.CLOSE:
                continue
            lines = row.note.splitlines()
            said = [ln[len(prefix):] for ln in lines if ln.startswith(prefix)]
            if said:
                page = self.page_named("intention")
                page.inputs["intention"].setPlainText(said[0])
                page.inputs["intention_on"].set_date(row.evaluated_on)
                page.inputs["intention_how"].setText(_("At the plan evaluation"))
            break

    def _pattern_changed(self) -> None:
        """Say at once, in the core's words, why a pattern cannot be proposed now."""
        value = self.pattern.value()
        reason = P.can_close(self.state, value, self.grounds.value() or None,
                             without_evaluation_reason="-") if value else ""
        self.pattern_refusal.setText(reason)
        self.pattern_refusal.setVisible(bool(reason))

    def operation(self, a):
        lost = a["pattern"] == ClosurePattern.CONTACT_LOST.value
        data = ClosureInput(
            proposed_on=self.date("proposed_on"),  # type: ignore[arg-type]
            pattern=a["pattern"] or None,  # type: ignore[arg-type]
            reason=a["reason"], grounds=(a["grounds"] or None) if lost else None,  # type: ignore[arg-type]
            intention="" if lost else a["intention"],
            intention_how="" if lost else a["intention_how"],
            intention_on=None if lost else self.date("intention_on"),
            referrals=[r["to"] for r in a["referrals"]], followup_plan=a["followup_plan"],
            no_evaluation_reason="" if lost else a.get("no_evaluation_reason", ""))
        desk, case_id, meeting = self.desk, self.case_id, a["meeting"] or None
        return lambda: desk.process.propose_closure(case_id, data, meeting)

    def summary_rows(self, a):
        rows = [(_("Date"), a["proposed_on"]),
                (_("Closure pattern"), ClosurePattern(a["pattern"]).label if a["pattern"] else "—"),
                (_("Reason for closure"), a["reason"])]
        if a["pattern"] == ClosurePattern.CONTACT_LOST.value:
            rows.append((_("Grounds"), ClosureGrounds(a["grounds"]).label if a["grounds"]
                         else "—"))
        else:
            rows += [(_("The person's intention"), a["intention"]),
                     (_("How the intention was confirmed"), a["intention_how"]),
                     (_("When the intention was confirmed"), a["intention_on"])]
        rows += [(_("Referred to"), "、".join(r["to"] for r in a["referrals"])),
                 (_("Follow-up plan"), a["followup_plan"]),
                 (_("Meeting"), dict(self.meetings).get(a["meeting"], ""))]
        return rows


FOLLOWUP_METHODS = ["電話", "訪問", "来所", "関係機関への確認"]


class FollowupWizard(StepWizard):
    """フォローアップ after a confirmed 終結: the person's situation, and the agencies'."""

    step = Step.FOLLOWUP

    def build(self) -> list[FormPage]:
        page = FormPage(self, "followup", _("Follow-up"),
                        _("Check whether the life the person aimed for continues."))
        self.on = page.row(_("Date"), "contacted_on", date_field(_("Date")), required=True)
        page.row(_("Method"), "method", editable_combo(FOLLOWUP_METHODS))
        page.row(_("Contacted person"), "contact_person", QLineEdit())
        page.row(_("Content"), "content", text_edit(120), required=True)
        page.finish()
        return [page]

    def prefill(self) -> None:
        self.on.set_date(self.desk.today())

    def operation(self, a):
        on = self.date("contacted_on")
        desk, case_id = self.desk, self.case_id
        return lambda: desk.process.add_followup(case_id, on, a["content"], method=a["method"],
                                         contact_person=a["contact_person"])

    def summary_rows(self, a):
        return [(_("Date"), a["contacted_on"]), (_("Method"), a["method"]),
                (_("Contacted person"), a["contact_person"]), (_("Content"), a["content"])]


__all__ = ["RecordWizard", "RecordCorrectionWizard", "MonitoringWizard", "EvaluationWizard",
           "ContactAttemptWizard", "SuspensionWizard", "ResumeWizard", "ClosureWizard",
           "FollowupWizard"]
