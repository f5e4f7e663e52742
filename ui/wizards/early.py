"""Wizards of the steps before the plan: 緊急的な支援, アセスメント, スクリーニング,
つなぎ先の確認 and ケースの引き戻し."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QLineEdit, QWidget

from app.domain.assessment import AssessmentInput, ScreeningResult
from app.domain.meeting import Participant
from app.domain.referral import Referral
from app.domain import EmergencyAction
from app.errors import ValidationError, ValidationErrors
from app.i18n import _
from app.process import Step
from ui.resource_chooser import attach_resource_completer
from ui.wizards.unmet import add_unmet_needs_row, needs_of, with_unmet_needs
from ui.wizards.base import StepWizard
from ui.wizards.inputs import (
    CheckList, Choice, Column, RowsEditor, combo, date_field, note_label, text_edit, wareki,
)
from ui.wizards.pages import FormPage


def _emergency_label(action: EmergencyAction) -> str:
    text = action.label
    if action.statutory:
        text += _("(pending municipal procedure)")
    return text


# ---------------------------------------------------------------------- 緊急的な支援
class EmergencyWizard(StepWizard):
    """緊急的な支援: what was done; statutory ones wait for the municipal procedure."""

    step = Step.EMERGENCY
    graph = Step.EMERGENCY

    def load(self) -> None:
        self.rows = self.desk.process.emergency_support(self.case_id)
        self.pending = [r for r in self.rows if r.procedure == "pending"]

    def build(self) -> list[FormPage]:
        action = FormPage(self, "action", _("Urgent support"),
                          _("Record the urgent support that was done. Statutory support needs "
                            "a municipal procedure and is shown as pending until it is done."))
        if self.pending:   # issue 14: completing a procedure was hidden on page 2
            action.add(note_label(_(
                "Municipal procedures pending: {what}. To record that one is done, leave "
                "this page empty and press Next (page “Municipal procedures”).").format(
                    what="、".join(r.action.label for r in self.pending))))
        self.action = action.row(_("Urgent support"), "action", Choice(
            [(a.value, _emergency_label(a)) for a in EmergencyAction], columns=2))
        self.done_on = action.row(_("Date"), "done_on", date_field(_("Date")))
        self.note = action.row(_("What was done"), "note", text_edit(90))
        action.finish()

        proc = FormPage(self, "procedure", _("Municipal procedures"),
                        _("Tick a statutory support whose municipal procedure is done."))
        if self.pending:
            self.procedures = RowsEditor([
                Column("label", _("Urgent support"), "fixed"),
                Column("done_on", _("Date"), "fixed", 170),
                Column("complete", _("Procedure done"), "check", 110),
                Column("procedure_done_on", _("Date the procedure was done"), "date", 200),
            ], fixed_rows=True, min_rows=0)
            self.procedures.set_value([{
                "id": r.id, "label": _emergency_label(r.action),
                "done_on": wareki(r.done_on), "complete": False,
                "procedure_done_on": ""} for r in self.pending])
            proc.form.addRow(proc.field_box("procedures", self.procedures,
                                            aliases=("procedure_done_on",)))
        else:
            proc.add(note_label(_("No municipal procedure is pending for this case.")))
        proc.finish()
        return [action, proc]

    def prefill(self) -> None:
        self.done_on.set_date(self.desk.today())

    def operation(self, a: dict[str, Any]) -> Callable[[], Any]:
        done_on = self.date("done_on")
        completes = []
        for i, row in enumerate(a.get("procedures", [])):
            if row.get("complete"):
                on = self.row_date(row.get("procedure_done_on", ""),
                                   f"procedures.{i}.procedure_done_on", _("Date"))
                completes.append((row["id"], on))
        desk, case_id = self.desk, self.case_id
        action, note = a["action"], a["note"]

        # with procedures pending, the first page may stay empty (one is completed on the
        # next page); its 次へ check must not ask for an urgent support then
        pending = bool(self.pending)
        checking = self.currentPage() is not None and self.currentPage() is not self.confirm

        def op():
            made = None
            if action or not (completes or (pending and checking)):
                made = desk.process.record_emergency(case_id, action, done_on, note)
            for row_id, on in completes:
                desk.process.complete_emergency_procedure(row_id, on)
            return made
        return op

    def summary_rows(self, a):
        rows = [(_("Urgent support"), _emergency_label(EmergencyAction(a["action"]))
                 if a["action"] else "—"),
                (_("Date"), a["done_on"]), (_("What was done"), a["note"])]
        done = [r["label"] for r in a.get("procedures", []) if r.get("complete")]
        if done:
            rows.append((_("Procedure done"), "、".join(done)))
        return rows


# ---------------------------------------------------------------------- アセスメント
def _household_columns() -> list[Column]:
    return [Column("name", _("Name")), Column("relation", _("Relationship"), width=110),
            Column("age", _("Age"), width=60), Column("together", _("Living together"), "check", 90),
            Column("working", _("Working"), "check", 70), Column("note", _("Note"))]


class AssessmentWizard(StepWizard):
    """アセスメント (and 再アセスメント, which starts from the previous version's answers)."""

    step = Step.ASSESSMENT
    graph = Step.ASSESSMENT

    def load(self) -> None:
        self.domain_list = self.desk.process.assessment_domains()
        self.problem_list = self.desk.process.assessment_problems()
        versions = self.desk.process.assessments(self.case_id)
        self.previous = versions[-1] if versions else None

    def build(self) -> list[FormPage]:
        prev = self.previous
        basics = FormPage(self, "basics", _("Assessment") if prev is None else
                          _("Re-assessment (version {n})").format(n=prev.version + 1),
                          _("Together with the person: their situation, problems and strengths."))
        if prev is not None:
            basics.add(note_label(_(
                "This re-assessment starts from the answers of version {n} ({date}). The old "
                "version stays as it is.").format(n=prev.version, date=wareki(prev.assessed_on))))
        self.assessed_on = basics.row(_("Date of assessment"), "assessed_on",
                                      date_field(_("Date of assessment")), required=True)
        if prev is not None:
            basics.row(_("Reason for the re-assessment"), "reason", QLineEdit())
        basics.row(_("Consultation history"), "consultation_history", text_edit(60))
        basics.row(_("Life and work history"), "life_history", text_edit(90))
        basics.finish()

        household = FormPage(self, "household", _("Household"),
                             _("Members of the household: relationship, age, living together, "
                               "working."))
        editor = RowsEditor(_household_columns(), add_label=_("Add a member"), min_rows=2)
        editor.setMinimumHeight(260)
        household.form.addRow(household.field_box("household", editor))
        household.finish()

        domains = FormPage(self, "domains", _("Situation by domain"),
                           _("Write what you learned in each domain; leave a domain empty if "
                             "it does not apply."))
        grid = QGridLayout()
        for i, (key, name) in enumerate(self.domain_list):
            box = QWidget()
            col = QGridLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(QLabel(name), 0, 0)
            edit = text_edit(54)
            col.addWidget(domains.field_box(f"domains.{key}", edit), 1, 0)
            grid.addWidget(box, i // 2, i % 2)
        domains.layout_.addLayout(grid)
        domains.finish()

        problems = FormPage(self, "problems", _("Problems the person faces"),
                            _("Tick every problem that applies."))
        self.problems = CheckList(self.problem_list, columns=3)
        problems.form.addRow(problems.field_box("problems", self.problems))
        problems.row(_("Other (details)"), "problem_other", QLineEdit())
        problems.finish()

        analysis = FormPage(self, "analysis", _("Problems and their background"),
                            _("The analysis, the person's strengths and what the person wishes."))
        analysis.row(_("Problems and their background"), "analysis", text_edit(120))
        analysis.row(_("Strengths of the person"), "strengths", text_edit(80))
        analysis.row(_("What the person wishes"), "wishes", text_edit(80))
        add_unmet_needs_row(analysis, text_edit)     # → 地域課題 (issue 15)
        analysis.finish()

        team = FormPage(self, "team", _("Team and expert assessment"),
                        _("Staff who assessed together, and opinions of experts (medical, "
                          "legal …)."))
        members = RowsEditor([Column("name", _("Name")), Column("organisation", _("Organisation"))],
                             add_label=_("Add a member"), min_rows=1)
        members.setMinimumHeight(150)
        experts = RowsEditor([Column("expert", _("Expert (field, agency)"), width=280),
                              Column("opinion", _("Opinion"))],
                             add_label=_("Add an opinion"), min_rows=1)
        experts.setMinimumHeight(150)
        team.form.addRow(_("Team members"), team.field_box("team", members))
        team.form.addRow(_("Expert opinions"), team.field_box("expert_opinions", experts))
        team.finish()
        return [basics, household, domains, problems, analysis, team]

    def prefill(self) -> None:
        self.assessed_on.set_date(self.desk.today())
        prev = self.previous
        if prev is None:
            return
        values: dict[str, Any] = {
            "household": prev.household, "consultation_history": prev.consultation_history,
            "life_history": prev.life_history, "problems": prev.problems,
            "problem_other": prev.problem_other, "analysis": prev.analysis,
            "strengths": prev.strengths, "wishes": prev.wishes,
            "team": [{"name": t.name, "organisation": t.organisation} for t in prev.team],
            "expert_opinions": prev.expert_opinions}
        values.update({f"domains.{k}": v for k, v in prev.domains.items()})
        for page in self.pages:
            page.restore(values)

    def input(self, a: dict[str, Any]) -> AssessmentInput:
        household = []
        for row in a["household"]:
            member = {k: row.get(k) for k in ("name", "relation", "together", "working", "note")}
            age = str(row.get("age") or "").strip()
            member["age"] = int(age) if age.isdigit() else (age or None)
            household.append(member)
        return AssessmentInput(
            assessed_on=self.date("assessed_on"),  # type: ignore[arg-type]
            domains={k.split(".", 1)[1]: v for k, v in a.items()
                     if k.startswith("domains.") and v.strip()},
            problems=a["problems"], problem_other=a["problem_other"], analysis=a["analysis"],
            strengths=a["strengths"], wishes=a["wishes"], household=household,
            consultation_history=a["consultation_history"], life_history=a["life_history"],
            team=[Participant(r["name"], r["organisation"]) for r in a["team"]],
            expert_opinions=[{"expert": r["expert"], "opinion": r["opinion"]}
                             for r in a["expert_opinions"]],
            reason=a.get("reason", ""))

    def operation(self, a):
        data = self.input(a)
        desk, case_id = self.desk, self.case_id
        return with_unmet_needs(desk, case_id, needs_of(a), _("assessment"),
                                lambda: desk.process.save_assessment(case_id, data))

    def summary_rows(self, a):
        names = dict(self.problem_list)
        domains = dict(self.domain_list)
        rows = [(_("Date of assessment"), a["assessed_on"])]
        if self.previous is not None:
            rows.append((_("Reason for the re-assessment"), a.get("reason", "")))
        rows += [(domains[k.split(".", 1)[1]], v) for k, v in a.items()
                 if k.startswith("domains.") and v.strip()]
        rows += [(_("Problems the person faces"), "、".join(names[k] for k in a["problems"])),
                 (_("Problems and their background"), a["analysis"]),
                 (_("Strengths of the person"), a["strengths"]),
                 (_("What the person wishes"), a["wishes"]),
                 (_("Household"), "、".join(f"{r['name']}（{r['relation']}）"
                                            for r in a["household"])),
                 (_("Team members"), "、".join(r["name"] for r in a["team"]))]
        return rows


# ---------------------------------------------------------------------- スクリーニング
class ScreeningWizard(StepWizard):
    """スクリーニング: 継続支援 / 他機関へつなぐ (同行, 後日確認) / 情報提供で終了."""

    step = Step.SCREENING
    graph = Step.SCREENING

    def build(self) -> list[FormPage]:
        result = FormPage(self, "result", _("Screening"),
                          _("Decide again, before drafting a plan, who supports the person."))
        self.result = result.row(_("Result of screening"), "result", Choice(
            [(r.value, r.label) for r in ScreeningResult], columns=3), required=True)
        self.screened_on = result.row(_("Date of screening"), "screened_on",
                                      date_field(_("Date of screening")), required=True)
        result.row(_("Note"), "note", text_edit(80))
        result.finish()

        referral = FormPage(self, "referral", _("Referral to another agency"),
                            _("A referral is never just a phone number: record whether you "
                              "accompanied the person and when you will check they arrived."))
        self.referral_to = referral.row(_("Referred to"), "referral_to", QLineEdit(),
                                        required=True)
        attach_resource_completer(self.referral_to, self.desk)  # the 社会資源 directory
        referral.row(_("Accompanied"), "accompanied",
                     QCheckBox(_("The worker accompanied the person")))
        self.check_on = referral.row(_("Date to check the referral"), "check_on",
                                     date_field(_("Date to check the referral")), required=True)
        referral.finish()

        report = FormPage(self, "report", _("Report to the municipality"),
                          _("Cases in continued support are reported to the municipality."))
        self.reported_on = report.row(_("Reported to the municipality"), "reported_on",
                                      date_field(_("Reported to the municipality")))
        report.finish()
        return [result, referral, report]

    def prefill(self) -> None:
        self.screened_on.set_date(self.desk.today())

    def operation(self, a):
        refer = a["result"] == ScreeningResult.REFER.value
        keep = a["result"] == ScreeningResult.CONTINUE.value
        screened_on = self.date("screened_on")
        check_on = self.date("check_on") if refer else None
        reported_on = self.date("reported_on") if keep else None
        desk, case_id = self.desk, self.case_id
        return lambda: desk.process.screen(
            case_id, a["result"], screened_on, note=a["note"],
            referral_to=a["referral_to"] if refer else "",
            accompanied=bool(a["accompanied"]) if refer else False, check_on=check_on,
            reported_on=reported_on)

    def summary_rows(self, a):
        rows = [(_("Result of screening"), ScreeningResult(a["result"]).label
                 if a["result"] else "—"),
                (_("Date of screening"), a["screened_on"]), (_("Note"), a["note"])]
        if a["result"] == ScreeningResult.REFER.value:
            rows += [(_("Referred to"), a["referral_to"]),
                     (_("Accompanied"), _("Yes") if a["accompanied"] else _("No")),
                     (_("Date to check the referral"), a["check_on"])]
        if a["result"] == ScreeningResult.CONTINUE.value:
            rows.append((_("Reported to the municipality"), a["reported_on"]))
        return rows


# ---------------------------------------------------------------------- つなぎ先の確認
def _referral_label(r: Referral) -> str:
    text = f"{r.referred_to}（{r.origin.label}　{wareki(r.referred_on)}）"
    if r.accompanied:
        text += "　" + _("Accompanied")
    if r.check_on:
        text += "　" + _("Check on: {date}").format(date=wareki(r.check_on))
    return text


class ReferralCheckWizard(StepWizard):
    """つなぎ先の確認 (後日確認); if the person did not arrive, the case can be taken back."""

    step = Step.REFERRAL_CHECK
    graph = Step.REFERRAL_CHECK

    def load(self) -> None:
        self.refs = [r for r in self.desk.process.referrals(self.case_id) if r.checked_on is None]

    def build(self) -> list[FormPage]:
        result = FormPage(self, "result", _("Checking the referral"),
                          _("Did the person reach the agency they were referred to?"))
        result.row(_("Referral"), "referral",
                   combo([(r.id, _referral_label(r)) for r in self.refs]))
        self.checked_on = result.row(_("Date of the check"), "checked_on",
                                     date_field(_("Date of the check")), required=True)
        result.row(_("Reached the agency"), "arrived", Choice(
            [("yes", _("Reached the agency")), ("no", _("Did not reach the agency"))],
            columns=2), required=True)
        result.row(_("Note"), "check_note", text_edit(80))
        result.finish()

        back = FormPage(self, "take_back", _("Taking the case back"),
                        _("The referral failed: take the case back into continued support so "
                          "that nobody falls between systems."))
        back.row("", "take_back", QCheckBox(_("Take the case back now")))
        self.taken_back_on = back.row(_("Date"), "taken_back_on", date_field(_("Date")),
                                      aliases=("taken_back_on",))
        back.row(_("Note"), "take_back_note", text_edit(70), aliases=("note",))
        back.finish()
        return [result, back]

    def prefill(self) -> None:
        self.checked_on.set_date(self.desk.today())
        self.taken_back_on.set_date(self.desk.today())
        self.page_named("take_back").inputs["take_back"].setChecked(True)

    def derived(self, a):
        return {"arrived": {"yes": True, "no": False}.get(a.get("arrived", ""))}

    def operation(self, a):
        checked_on = self.date("checked_on")
        taken_on = self.date("taken_back_on")
        desk, ref_id = self.desk, a["referral"]
        arrived = a["arrived"]
        take = arrived is False and a["take_back"]

        def op():
            if not ref_id:
                raise ValidationErrors([ValidationError("referral", _(
                    "No referral is waiting for its check."))])
            desk.process.check_referral(ref_id, checked_on, arrived, a["check_note"])
            if take:
                desk.process.take_back(ref_id, taken_on, a["take_back_note"])
        return op

    def summary_rows(self, a):
        ref = next((r for r in self.refs if r.id == a["referral"]), None)
        rows = [(_("Referral"), _referral_label(ref) if ref else "—"),
                (_("Date of the check"), a["checked_on"]),
                (_("Reached the agency"), {True: _("Reached the agency"),
                                           False: _("Did not reach the agency")}.get(
                                               a["arrived"], "—")),
                (_("Note"), a["check_note"])]
        if a["arrived"] is False:
            rows.append((_("Taking the case back"), a["taken_back_on"] if a["take_back"]
                         else _("Not now")))
        return rows


class TakeBackWizard(StepWizard):
    """ケースの引き戻し of a referral checked as not arrived."""

    step = Step.TAKE_BACK

    def load(self) -> None:
        self.refs = [r for r in self.desk.process.referrals(self.case_id)
                     if r.checked_on and r.arrived is False and r.taken_back_on is None]

    def build(self) -> list[FormPage]:
        page = FormPage(self, "take_back", _("Taking the case back"),
                        _("The person did not reach the agency: the case comes back into "
                          "continued support."))
        page.row(_("Referral"), "referral",
                 combo([(r.id, _referral_label(r)) for r in self.refs]))
        self.taken_back_on = page.row(_("Date"), "taken_back_on", date_field(_("Date")),
                                      required=True)
        page.row(_("Note"), "note", text_edit(80))
        page.finish()
        return [page]

    def prefill(self) -> None:
        self.taken_back_on.set_date(self.desk.today())

    def operation(self, a):
        on = self.date("taken_back_on")
        desk, ref_id = self.desk, a["referral"]
        return lambda: desk.process.take_back(ref_id, on, a["note"])

    def summary_rows(self, a):
        ref = next((r for r in self.refs if r.id == a["referral"]), None)
        return [(_("Referral"), _referral_label(ref) if ref else "—"),
                (_("Date"), a["taken_back_on"]), (_("Note"), a["note"])]


__all__ = ["EmergencyWizard", "AssessmentWizard", "ScreeningWizard", "ReferralCheckWizard",
           "TakeBackWizard"]
