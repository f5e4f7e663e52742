"""Wizards of the plan: プラン作成 (also 再プラン, プランの修正 and editing a draft sent back by
再検討), submitting it to the 支援調整会議, 支援決定 and サービス開始."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QLineEdit

from app.domain.decision import DecisionResult, decision_need
from app.domain.plan import Goal, Plan, PlanInput, PlanItem, PlanStatus
from app.domain.service import Service
from app import process as P
from app.errors import ValidationError, ValidationErrors
from app.i18n import _
from app.process import Step
from ui.wizards.unmet import add_unmet_needs_row, needs_of, with_unmet_needs
from ui.resource_chooser import attach_resource_completer, resource_names
from ui.wizards.base import StepWizard, meeting_options
from ui.wizards.inputs import (
    Choice, Column, RowsEditor, combo, date_field, note_label, text_edit, wareki,
)
from ui.wizards.pages import FormPage


def service_label(s: Service) -> str:
    """The service's name with its flags (法定 / 就労 / 支援決定), as the plan shows them."""
    flags = []
    if s.statutory:
        flags.append(_("statutory"))
    if s.employment:
        flags.append(_("employment"))
    if s.needs_decision:
        flags.append(_("support decision"))
    return s.name + (f"〔{'・'.join(flags)}〕" if flags else "")


def decision_status(item: PlanItem) -> str:
    return {"required": _("Waiting for the support decision"),
            "decided": _("Support decision made"),
            "refused": _("Not granted"),
            "reported": _("Reported only")}.get(item.decision, "")


class PlanWizard(StepWizard):
    """プラン兼事業等利用申込書, drafted with the person.

    ``mode``: "plan" (first plan), "replan" (再プラン after an approved プラン評価), "edit" (a
    draft, e.g. sent back by 再検討) or "amend" (プランの修正 of the plan in effect, with a
    reason)."""

    graph = Step.PLAN

    def __init__(self, desk, case_id, parent=None, *, mode: str = "plan", **options):
        self.mode = mode
        self.step = {"plan": Step.PLAN, "replan": Step.REPLAN, "edit": Step.PLAN,
                     "amend": Step.AMEND_PLAN}[mode]
        self.title_text = {"edit": _("Editing the draft plan")}.get(mode, "")
        self.finish_text = _("Amend the plan") if mode == "amend" else _("Save the plan")
        super().__init__(desk, case_id, parent, **options)
        self.resize(1220, 720)   # the items table needs the width (screens are 1280 wide)

    def load(self) -> None:
        self.services = self.desk.process.services()   # the choices: active services only
        self.by_key = {s.key: s for s in self.desk.process.services(include_inactive=True)}
        self.base: Plan | None = None
        if self.mode in ("amend", "replan"):
            self.base = self.desk.process.current_plan(self.case_id)
        elif self.mode == "edit":
            plans = self.desk.process.plans(self.case_id)
            self.base = next((p for p in reversed(plans)
                              if p.status is PlanStatus.DRAFT), None)
        versions = self.desk.process.assessments(self.case_id)
        self.assessment = versions[-1] if versions else None
        self.meetings = meeting_options(self.desk) if self.mode != "amend" else []

    def build(self) -> list[FormPage]:
        aim = FormPage(self, "aim", _("The person's aim"),
                       _("Drafted together with the person: the life the person aims for."))
        if self.assessment is not None and (self.assessment.wishes or self.assessment.strengths):
            aim.add(note_label(_("From the assessment — wishes: {wishes} / strengths: "
                                 "{strengths}").format(wishes=self.assessment.wishes or "—",
                                                       strengths=self.assessment.strengths
                                                       or "—")))
        aim.row(_("The person's aim"), "aim", text_edit(110), required=True)
        aim.finish()

        goals = FormPage(self, "goals", _("Short-term goals"),
                         _("Each goal with its target date."))
        self.goals = RowsEditor([Column("text", _("Short-term goal")),
                                 Column("target_on", _("Target date"), "date", 200)],
                                add_label=_("Add a goal"), min_rows=2)
        self.goals.setMinimumHeight(220)
        goals.form.addRow(goals.field_box("goals", self.goals))
        goals.finish()

        items = FormPage(self, "items", _("Support items"),
                         _("Per problem: what, who (empty: this agency), period and frequency, "
                           "and the service from the master data."))
        self.items = RowsEditor([
            Column("what", _("Support content")), Column("problem", _("Problem"), width=120),
            Column("service_key", _("Service"), "combo", 300,
                   [(s.key, service_label(s)) for s in self.services]),
            Column("provider", _("Provider"), width=130,  # from the 社会資源 directory
                   complete=lambda w, names=resource_names(self.desk):
                   attach_resource_completer(w, self.desk, names=names)),
            Column("period_from", _("From"), width=95, kind="date"),
            Column("period_to", _("To"), width=95, kind="date"),
            Column("frequency", _("Frequency"), width=75)],
            add_label=_("Add an item"), min_rows=2)
        self.items.setMinimumHeight(240)
        items.form.addRow(items.field_box("items", self.items))
        items.add(note_label(_("〔statutory〕 statutory service　〔employment〕 employment "
                               "support　〔support decision〕 the municipality's support decision "
                               "is needed before it starts")))
        if self.mode != "amend":
            add_unmet_needs_row(items, text_edit)    # → 地域課題 (issue 15)
        items.finish()

        services = FormPage(self, "services", _("Statutory services applied for"),
                            _("The plan doubles as the application for these services "
                              "(plan and application for services)."))
        self.services_text = note_label("")
        services.add(self.services_text)
        services.finish()

        schedule = FormPage(self, "schedule", _("Plan period and monitoring"),
                            _("The period of the plan and the date of the next monitoring."))
        schedule.row(_("Start of the plan period"), "period_from",
                     date_field(_("Start of the plan period")))
        schedule.row(_("End of the plan period"), "period_to",
                     date_field(_("End of the plan period")))
        schedule.row(_("Next monitoring"), "next_monitoring_on", date_field(_("Next monitoring")))
        schedule.finish()

        sign = FormPage(self, "signature", _("Amendment") if self.mode == "amend" else
                        _("Signature"),
                        _("A minor change of the plan in effect; before and after are kept.")
                        if self.mode == "amend" else
                        _("The person signs the plan (it is also the application)."))
        if self.mode == "amend":
            sign.add(note_label(_(
                "A minor amendment may change the wording, frequency and provider of a "
                "support item, and move a period or a target date by up to {n} days (desk "
                "setting). A new goal, a statutory service or employment support is a re-plan "
                "for the support coordination meeting.").format(
                    n=self.desk.process.process_settings().amendment_days)))
            sign.row(_("Reason for the amendment"), "reason", text_edit(90), required=True)
            self.amended_on = sign.row(_("Date"), "amended_on", date_field(_("Date")))
        sign.row(_("Date of the person's signature"), "signed_on",
                 date_field(_("Date of the person's signature")))
        sign.row(_("Author"), "author", QLineEdit())
        if self.mode != "amend":
            sign.row("", "submit_now", QCheckBox(
                _("Submit it to the support coordination meeting now")))
            sign.row(_("Meeting"), "meeting", combo(self.meetings))
        sign.finish()
        return [aim, goals, items, services, schedule, sign]

    def initializePage(self, page_id: int) -> None:  # noqa: N802 - Qt override
        super().initializePage(page_id)
        if self.currentPage() is self.page_named("services"):
            self._describe_services()

    def _describe_services(self) -> None:
        keys = [r["service_key"] for r in self.items.value() if r.get("service_key")]
        statutory = [self.by_key[k] for k in keys if k in self.by_key and self.by_key[k].statutory]
        need = decision_need([self.by_key[k].needs_decision for k in keys if k in self.by_key])
        lines = [f"・{service_label(s)}" for s in statutory]
        lines += ["", need.label]
        if any(s.key in ("housing_benefit", "temporary_living") for s in statutory):
            lines.append(_("Housing security benefit and temporary living support have their "
                           "own application procedure."))
        self.services_text.setText("\n".join(lines))

    def prefill(self) -> None:
        sign = self.page_named("signature")
        sign.inputs["author"].setText(self.desk.user.display_name)
        if self.mode == "amend":
            self.amended_on.set_date(self.desk.today())
        base = self.base
        if base is None:
            return
        if self.mode == "replan":
            self.page_named("aim").restore({"aim": base.aim})
            return
        values = {
            "aim": base.aim,
            "goals": [{"text": g.text, "target_on": g.target_on} for g in base.goals],
            "items": [{"id": i.id, "what": i.what, "problem": i.problem,
                       "service_key": i.service_key, "provider": i.provider,
                       "period_from": i.period_from, "period_to": i.period_to,
                       "frequency": i.frequency} for i in base.items],
            "period_from": wareki(base.period_from), "period_to": wareki(base.period_to),
            "next_monitoring_on": wareki(base.next_monitoring_on),
            "signed_on": wareki(base.signed_on), "author": base.author}
        for page in self.pages:
            page.restore(values)

    def derived(self, a):
        return {"has_statutory": any(self.by_key[r["service_key"]].statutory
                                     for r in a.get("items", [])
                                     if r.get("service_key") in self.by_key)}

    def input(self, a: dict[str, Any]) -> PlanInput:
        goals = [Goal(r["text"], self.row_date(r["target_on"], f"goals.{i}.target_on",
                                               _("Target date")))
                 for i, r in enumerate(a["goals"])]
        items = [PlanItem(
            what=r["what"], service_key=r["service_key"], provider=r["provider"],
            problem=r["problem"], frequency=r["frequency"], id=r.get("id", ""),
            period_from=self.row_date(r["period_from"], f"items.{i}.period_from", _("From")),
            period_to=self.row_date(r["period_to"], f"items.{i}.period_to", _("To")))
            for i, r in enumerate(a["items"])]
        return PlanInput(aim=a["aim"], goals=goals, items=items,
                         period_from=self.date("period_from"), period_to=self.date("period_to"),
                         next_monitoring_on=self.date("next_monitoring_on"),
                         signed_on=self.date("signed_on"), author=a["author"])

    def operation(self, a):
        data = self.input(a)
        desk, case_id, mode = self.desk, self.case_id, self.mode
        base_id = self.base.id if self.base else ""
        if mode == "amend":
            amended_on = self.date("amended_on")
            return lambda: desk.process.amend_plan(base_id, data, a["reason"], amended_on)
        submit, meeting = bool(a.get("submit_now")), a.get("meeting") or None
        # The core refuses to submit an unsigned plan; say so before anything is written.
        refuse = submit and data.signed_on is None

        def op():
            if refuse:
                raise ValidationErrors([ValidationError("signed_on", _(
                    "Record the date of the person's signature on the plan first."))])
            plan = (desk.process.update_plan(base_id, data) if mode == "edit"
                    else desk.process.draft_plan(case_id, data))
            if submit:
                plan = desk.process.submit_plan(plan.id, meeting)
            return plan
        return with_unmet_needs(desk, case_id, needs_of(a), _("plan"), op)

    def summary_rows(self, a):
        goals = "\n".join(f"・{r['text']}（{r['target_on'] or '—'}）" for r in a["goals"])
        items = "\n".join(
            f"・{r['what']}　{service_label(self.by_key[r['service_key']]) if r['service_key'] in self.by_key else '—'}"
            f"　{r['provider'] or _('This agency')}　{r['frequency']}" for r in a["items"])
        rows = [(_("The person's aim"), a["aim"]), (_("Short-term goals"), goals),
                (_("Support items"), items),
                (_("Plan period"), f"{a['period_from']} 〜 {a['period_to']}"),
                (_("Next monitoring"), a["next_monitoring_on"]),
                (_("Date of the person's signature"), a["signed_on"])]
        if self.mode == "amend":
            rows.append((_("Reason for the amendment"), a["reason"]))
        elif a.get("submit_now"):
            meeting = dict(self.meetings).get(a.get("meeting", ""), "")
            rows.append((_("Support coordination meeting"), meeting))
        return rows


class SubmitPlanWizard(StepWizard):
    """Put the signed draft before the 支援調整会議."""

    step = Step.SUBMIT_PLAN
    finish_text = ""

    def load(self) -> None:
        plans = self.desk.process.plans(self.case_id)
        self.plan = next((p for p in reversed(plans) if p.status is PlanStatus.DRAFT), None)
        self.meetings = meeting_options(self.desk)

    def build(self) -> list[FormPage]:
        page = FormPage(self, "meeting", _("Submitting the plan to the support coordination "
                                           "meeting"),
                        _("Every plan takes effect only with the approval of the support "
                          "coordination meeting."))
        if self.plan is not None:
            page.add(note_label(_("Plan No. {n}: {aim}").format(n=self.plan.number,
                                                                aim=self.plan.aim)))
        page.row(_("Meeting"), "meeting", combo(self.meetings))
        page.finish()
        return [page]

    def operation(self, a):
        desk, plan_id, meeting = self.desk, self.plan.id if self.plan else "", a["meeting"] or None
        return lambda: desk.process.submit_plan(plan_id, meeting)

    def summary_rows(self, a):
        return [(_("Plan"), self.plan.aim if self.plan else "—"),
                (_("Meeting"), dict(self.meetings).get(a["meeting"], ""))]


class DecisionWizard(StepWizard):
    """支援決定 by the municipality, one statutory service of the approved plan at a time."""

    step = Step.DECISION

    def load(self) -> None:
        self.plan = self.desk.process.current_plan(self.case_id)
        names = {s.key: s.name for s in self.desk.process.services(include_inactive=True)}
        self.pending = [(i.service_key, names.get(i.service_key, i.service_key))
                        for i in (self.plan.items if self.plan else [])
                        if i.decision == "required"]

    def build(self) -> list[FormPage]:
        page = FormPage(self, "decision", _("Support decision"),
                        _("The municipality decides on each statutory service of the approved "
                          "plan; a statutory service may not start before it."))
        page.row(_("Service"), "service_key", combo(self.pending), required=True)
        page.row(_("Result"), "result", Choice([(r.value, r.label) for r in DecisionResult],
                                               columns=2), required=True)
        self.decided_on = page.row(_("Date of the support decision"), "decided_on",
                                   date_field(_("Date of the support decision")), required=True)
        page.row(_("Municipal officer"), "officer", QLineEdit(), required=True)
        page.row(_("Note"), "note", text_edit(70))
        page.finish()
        return [page]

    def prefill(self) -> None:
        self.page_named("decision").inputs["result"].set_value(DecisionResult.APPROVED.value)
        self.decided_on.set_date(self.desk.today())

    def operation(self, a):
        on = self.date("decided_on")
        desk, plan_id = self.desk, self.plan.id if self.plan else ""
        return lambda: desk.process.record_decision(plan_id, a["service_key"], on, a["officer"],
                                            a["result"], a["note"])

    def summary_rows(self, a):
        return [(_("Service"), dict(self.pending).get(a["service_key"], "")),
                (_("Result"), DecisionResult(a["result"]).label if a["result"] else "—"),
                (_("Date of the support decision"), a["decided_on"]),
                (_("Municipal officer"), a["officer"]), (_("Note"), a["note"])]


class ServiceStartWizard(StepWizard):
    """サービス開始 of items of the plan in effect (statutory ones only after 支援決定)."""

    step = Step.SERVICE_START

    def load(self) -> None:
        self.plan = self.desk.process.current_plan(self.case_id)
        self.state = self.desk.process.case_state(self.case_id)
        self.names = {s.key: s.name for s in self.desk.process.services(include_inactive=True)}

    def build(self) -> list[FormPage]:
        page = FormPage(self, "start", _("Start of services"),
                        _("Tick the services that start. The first start schedules the first "
                          "monitoring within two weeks."))
        self.items = RowsEditor([
            Column("start", _("Starts"), "check", 70), Column("what", _("Support content"), "fixed"),
            Column("service", _("Service"), "fixed", 260),
            Column("status", _("Status"), "fixed", 330)], fixed_rows=True, min_rows=0)
        rows = []
        blocked = []
        for i, item in enumerate(i for i in (self.plan.items if self.plan else [])
                                 if not i.started_on):
            reason = P.can_start_item(self.state, item.id)
            rows.append({"id": item.id, "start": False, "what": item.what,
                         "service": self.names.get(item.service_key, item.service_key),
                         "status": reason or decision_status(item)})
            if reason:
                blocked.append(i)
        self.items.set_value(rows)
        for r in blocked:
            self.items.cell(r, "start").setEnabled(False)
            self.items.cell(r, "status").setStyleSheet("color: #8a1c1c;")
        page.form.addRow(page.field_box("items", self.items))
        self.started_on = page.row(_("Start date"), "started_on", date_field(_("Start date")),
                                   required=True)
        page.finish()
        return [page]

    def prefill(self) -> None:
        self.started_on.set_date(self.desk.today())

    def operation(self, a):
        on = self.date("started_on")
        chosen = [r["id"] for r in a["items"] if r.get("start")]
        desk = self.desk

        def op():
            if not chosen:
                raise ValidationErrors([ValidationError("items", _(
                    "Tick at least one service that starts."))])
            return [desk.process.start_service(item_id, on) for item_id in chosen]
        return op

    def summary_rows(self, a):
        return [(_("Services"), "\n".join(f"・{r['what']}（{r['service']}）" for r in a["items"]
                                           if r.get("start"))),
                (_("Start date"), a["started_on"])]


class ReportWizard(StepWizard):
    """報告: a plan without statutory services is reported to the municipality (no 支援決定):
    the date and to whom (issue 19)."""

    step = Step.REPORT

    def load(self) -> None:
        self.plan = self.desk.process.current_plan(self.case_id)

    def build(self) -> list[FormPage]:
        page = FormPage(self, "report", _("Report to the municipality"),
                        _("A plan with no statutory service needs no support decision; it is "
                          "reported to the municipality."))
        self.reported_on = page.row(_("Date of the report"), "reported_on",
                                    date_field(_("Date of the report")), required=True)
        self.reported_to = page.row(_("Reported to"), "reported_to", QLineEdit(),
                                    required=True)
        page.finish()
        return [page]

    def prefill(self) -> None:
        self.reported_on.set_date(self.desk.today())

    def operation(self, a):
        on = self.date("reported_on")
        desk, plan_id = self.desk, self.plan.id if self.plan else ""
        return lambda: desk.process.report_plan(plan_id, on, a["reported_to"])

    def summary_rows(self, a):
        return [(_("Date of the report"), a["reported_on"]), (_("Reported to"), a["reported_to"])]
