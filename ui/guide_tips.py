"""Tooltips that speak the guide (issue 18, point 6): each step button and each field whose
meaning is not obvious explains itself in one sentence from 「自立相談支援機関の設置・運営の
手引き」. Declared here, in one table per kind; ``apply_to_wizard`` puts them on a wizard's
fields and choices, ``step_tip`` on the case view's step buttons. The help pages (ヘルプ, F1)
say more.
"""

from __future__ import annotations

from app.i18n import N_, _
from app.process import Step

# the step buttons of a case (one sentence each, the guide's words)
STEP_TIPS: dict[Step, str] = {
    Step.EMERGENCY: N_("Urgent support: when the person needs help with daily life at once, "
                       "connect them quickly to the right support (guide 1-5)."),
    Step.ASSESSMENT: N_("Assessment: grasp the whole situation, find the problems to tackle "
                        "and analyse their background, together with the person (guide 1-6)."),
    Step.SCREENING: N_("Screening: decide from the assessment whether this desk makes a plan, "
                       "refers the person to another agency, or ends with information "
                       "(guide 1-6)."),
    Step.PLAN: N_("Plan: draft the support plan with the person from the assessment; every "
                  "plan goes to a support coordination meeting (guide 1-7)."),
    Step.SUBMIT_PLAN: N_("Put the plan before the support coordination meeting, which is "
                         "always held when a plan is drafted (guide 1-7)."),
    Step.AMEND_PLAN: N_("Plan amendment: a minor change of the support after monitoring; a "
                        "big review is a re-plan (guide 1-11)."),
    Step.REPLAN: N_("Re-plan: after the plan evaluation, a new plan for the next goal or "
                    "from a new assessment (guide 1-11)."),
    Step.DECISION: N_("Support decision: the municipality confirms that each statutory "
                      "service of the plan is appropriate (guide 1-8)."),
    Step.REPORT: N_("Report to the municipality: a plan without statutory services needs no "
                    "support decision but is reported (guide 1-8)."),
    Step.SERVICE_START: N_("Start of services: the desk and the agencies of the team start "
                           "the support of the plan (guide 1-9)."),
    Step.RECORD: N_("Support record: what was done, when and with whom, so the team shares "
                    "the information (guide 1-9)."),
    Step.MONITORING: N_("Monitoring: check how the person and the support are doing — right "
                        "after the start, regularly and when needed (guide 1-10)."),
    Step.EVALUATION: N_("Plan evaluation: at the end of the plan period, look at how far the "
                        "goals were met and decide on re-plan or closure (guide 1-11)."),
    Step.CONTACT_ATTEMPT: N_("Attempt to make contact: before a suspension, try to reach the "
                             "person (a note at home, people who know them) (guide 1-10)."),
    Step.SUSPENSION: N_("Suspension: contact is completely lost; the records are kept for a "
                        "resumption and the meeting is told (guide 1-10)."),
    Step.RESUME: N_("Resumption: support starts again after a suspension, from the kept "
                    "records (guide 1-10)."),
    Step.CLOSURE: N_("Closure: confirm the person's wishes and put the closure before the "
                     "support coordination meeting (guide 1-12)."),
    Step.FOLLOWUP: N_("Follow-up: after closure, check from time to time that the life the "
                      "person aimed at continues (guide 1-12)."),
    Step.REFERRAL_CHECK: N_("Checking the referral: make sure the other agency really took "
                            "the person on — no passing people around (guide 1-4)."),
    Step.TAKE_BACK: N_("Taking the case back: the referral did not work, so this desk "
                       "supports the person again (guide 1-4)."),
    Step.NEW_INTAKE: N_("A new consultation of the same person, received as a new intake "
                        "(guide 1-4)."),
}

# fields of a step wizard: (step, the core's field key) → one sentence
FIELD_TIPS: dict[tuple[str, str], str] = {
    ("screening", "result"): N_("Screening: as the problems are untangled, it may be right to "
                               "end with information or to refer the person to a specialised "
                               "agency (guide 1-6)."),
    ("decision", "service_key"): N_("Support decisions are needed for the statutory "
                                    "services: housing security benefit, employment "
                                    "preparation, work training, temporary living support and "
                                    "household finance support (guide 1-8)."),
    ("decision", "result"): N_("The support decision is made by the municipality, to confirm "
                               "that the statutory service is appropriate (guide 1-8)."),
    ("closure", "pattern"): N_("Closure pattern (1)(2)(3) of the guide (1-12): hardship "
                               "resolved, big problems solved, or contact lost."),
    ("closure", "grounds"): N_("Pattern (3) needs a suspension with no prospect of resuming, "
                               "or a move without notice (guide 1-12)."),
    ("closure", "intention"): N_("When deciding on closure, confirm the person's wishes "
                                 "(guide 1-12)."),
    ("monitoring", "kind"): N_("When to monitor: right after support starts, regularly "
                               "(e.g. once a month) and whenever needed (guide 1-10)."),
    ("evaluation", "decision"): N_("Goals met and a next goal: re-plan; goals not met: review "
                                   "from the assessment; or closure (guide 1-11)."),
    ("evaluation", "employed_on"): N_("Employment support target: the date the person started "
                                      "work counts in the employment figures of the report."),
    ("evaluation", "income_increased_on"): N_("Employment support target: the date the "
                                              "income rose counts in the report's figures."),
    ("plan", "items"): N_("〔就労〕 marks employment support: a plan with it makes the person "
                          "an employment support target (就労支援対象) in the statistics."),
    ("replan", "items"): N_("〔就労〕 marks employment support: a plan with it makes the person "
                            "an employment support target (就労支援対象) in the statistics."),
    ("amend_plan", "items"): N_("〔就労〕 marks employment support: a plan with it makes the "
                                "person an employment support target (就労支援対象) in the "
                                "statistics."),
    ("suspension", "reason"): N_("Suspension: when contact is completely lost; it is reported "
                                 "to the support coordination meeting (guide 1-10)."),
}

# single choices: (step, key, value) → one sentence
OPTION_TIPS: dict[tuple[str, str, str], str] = {
    ("closure", "pattern", "1"): N_("(1) The hardship is resolved and the self-reliance aimed "
                                    "at is in sight, e.g. the goals of the plan were met."),
    ("closure", "pattern", "2"): N_("(2) Not yet out of hardship, but the big problems are "
                                    "solved and the person can leave the desk's support."),
    ("closure", "pattern", "3"): N_("(3) Contact was lost: suspended, and after a while no "
                                    "prospect of resuming."),
    ("screening", "result", "continue"): N_("This desk drafts a plan and supports the person."),
    ("screening", "result", "refer"): N_("Another specialised agency is the right one: refer "
                                         "the person there, going with them if needed."),
    ("screening", "result", "info_only"): N_("The person can solve it with the information "
                                             "given: end here and report to the "
                                             "municipality."),
    ("evaluation", "decision", "replan"): N_("The goals were met: a re-plan for the next goal."),
    ("evaluation", "decision", "reassess"): N_("The goals were not met: review from the "
                                               "assessment, then re-plan."),
    ("evaluation", "decision", "close"): N_("Closure: confirm the person's wishes; the "
                                            "meeting decides."),
}

# the intake's 振り分け (guide 1-4: ①…④)
TRIAGE_TIP = N_("Triage (guide 1-4): is it about hardship, should another agency be "
                "introduced, can the person solve it with information, can they act on it "
                "themselves?")


def step_tip(step: Step, reason: str = "") -> str:
    """The step button's tooltip: why it is not possible now (first: that is what a greyed
    button's reader wants), then what the step is for."""
    tip = _(STEP_TIPS[step]) if step in STEP_TIPS else ""
    return "\n".join(t for t in (reason, tip) if t)


def apply_to_wizard(wizard) -> None:
    """Put the guide's sentences on the fields and choices of a step wizard."""
    from PySide6.QtWidgets import QWidget
    from ui.wizards.inputs import Choice
    from ui.wizards.pages import FormPage
    step = wizard.step.value
    for page in getattr(wizard, "pages", []):
        if not isinstance(page, FormPage):
            continue
        for key, widget in page.inputs.items():
            text = FIELD_TIPS.get((step, key))
            if text:
                widget.setToolTip(_(text))
                box = page.focus.get(key)
                label = _label_of(page, widget)
                if label is not None:
                    label.setToolTip(_(text))
                if isinstance(box, QWidget) and not box.toolTip():
                    box.setToolTip(_(text))
            if isinstance(widget, Choice):
                for value, button in widget.buttons.items():
                    option = OPTION_TIPS.get((step, key, value))
                    if option:
                        button.setToolTip(_(option))


def _label_of(page, widget):
    """The label of the form row holding ``widget`` (found from the widgets: see
    ui/accessibility._members for why not through itemAt)."""
    from PySide6.QtWidgets import QFormLayout
    form = page.form
    from ui.accessibility import _members
    members = _members(form)
    for _i, field in members:
        row, role = form.getWidgetPosition(field)
        if role == QFormLayout.ItemRole.FieldRole and field.isAncestorOf(widget):
            return next((w for _j, w in members if form.getWidgetPosition(w) ==
                         (row, QFormLayout.ItemRole.LabelRole)), None)
    return None


def apply_to_intake(wizard) -> None:
    page = next((wizard.page(i) for i in wizard.pageIds()
                 if type(wizard.page(i)).__name__ == "TriagePage"), None)
    if page is None:
        return
    for button in getattr(page, "triage", {}).values():
        button.setToolTip(_(TRIAGE_TIP))
