"""One case: header (number, name, reading, age), the stage bar, the steps the core allows now
(one button per step, the reason shown when it is blocked), next actions, the timeline of
everything that happened, the current plan, the intake as recorded, 印刷.

Every step opens its wizard (ui/wizards); when one finishes the view reads the case again in
the background and tells the other views what changed (ui/changes.py); it reads again on
being shown only when another screen's operation touched the case. Labels come from the
process enums and master data, never raw keys."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QMenu, QMessageBox,
    QPushButton, QScrollArea, QSplitter, QTabWidget, QToolButton, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from app import process as P
from app import text_ja
from app.domain import CONSULTATION_TOPICS, CaseDetail, EmergencyAction, Stage, Triage
from app.domain.case import TimelineEntry
from app.domain.case_overview import CaseOverview
from app.domain.intake import HOUSING_STATUSES, WORK_STATUSES
from app.domain.meeting import MeetingResult, MeetingWait
from app.domain.plan import Plan, PlanStatus
from app.domain.service import Service
from app.errors import TsunaguError
from app.i18n import _
from app.process import Step
from forms.sheets import render
from ui import printing
from ui.background import in_slices, read_in_background, run_in_background, serialized
from ui.changes import Changes, StaleFlag
from ui.views.timeline_texts import TIMELINE_KINDS, decision_status_text, timeline_texts

OFF_PATH = {  # stages that leave the bar, and how to say so plainly
    Stage.REFERRED: "#b35c00", Stage.INFO_ONLY: "#5a6b00", Stage.SUSPENDED: "#8a1c1c",
}


def _wareki(d: date | None) -> str:
    return text_ja.format_wareki(d, "long") if d else ""


class StageBar(QWidget):
    """受付 → アセスメント → … → 終結, the current stage highlighted; off-path stages flagged."""

    def __init__(self, stage: Stage, parent: QWidget | None = None):
        super().__init__(parent)
        self.stage = Stage(stage)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        bar = Stage.bar()
        # An off-path case stopped at intake: intake is where it stands.
        current = self.stage if self.stage in bar else Stage.INTAKE
        index = bar.index(current)
        self.labels: dict[Stage, QLabel] = {}
        for i, step in enumerate(bar):
            label = QLabel(step.label)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumHeight(30)
            if step is current:
                style = ("background: #1f5f99; color: white; font-weight: bold;"
                         "border: 3px double #000000; text-decoration: underline;"
                         "border-radius: 4px; padding: 4px 10px;")
                label.setProperty("current", True)
                label.setAccessibleName(_("Current stage") + "：" + step.label)   # issue 18
            elif i < index:
                style = ("background: #d6e4f0; color: #1f3f5f; border-radius: 4px;"
                         "padding: 4px 10px;")
            else:
                style = ("background: white; color: #5f6b78; border: 1px solid #c8d0d8;"
                         "border-radius: 4px; padding: 4px 10px;")
            label.setStyleSheet(style)
            self.labels[step] = label
            row.addWidget(label)
            if i < len(bar) - 1:
                arrow = QLabel("→")
                arrow.setStyleSheet("color: #5f6b78;")
                row.addWidget(arrow)
        self.flag = QLabel()
        if self.stage in OFF_PATH:
            self.flag.setText(_("{stage} (ended at intake)").format(stage=self.stage.label)
                              if self.stage is not Stage.SUSPENDED else self.stage.label)
            self.flag.setStyleSheet(f"background: {OFF_PATH[self.stage]}; color: white;"
                                    "font-weight: bold; border-radius: 4px; padding: 4px 10px;")
            row.addSpacing(12)
            row.addWidget(self.flag)
        row.addStretch(1)


class CaseView(QWidget):
    """A case opened from the list. Printing goes to a private temporary folder and the PDF
    is handed to ``opener`` (injected; default: the system viewer)."""

    printed = Signal(str)  # path of the PDF
    refreshed = Signal()   # the steps, timeline and plan were read again
    new_intake_requested = Signal(str)  # person id: a closed case is reopened by a new intake

    def __init__(self, desk, detail: CaseDetail | CaseOverview, parent: QWidget | None = None,
                 *, opener: printing.Opener | None = None,
                 warn: Callable[[str], None] | None = None,
                 wizard_options: dict | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        # opened with the overview already read (the main window): shown as it is; with
        # the case only, the overview is read at once (one call: Desk.case_overview)
        overview = detail if isinstance(detail, CaseOverview) else None
        if isinstance(detail, CaseOverview):
            detail = detail.detail
        self.detail = detail
        self.may_edit = overview.may_edit if overview is not None else False
        self.wizard_options = wizard_options or {}
        self.wizard = None
        self.dialog_shown: Callable | None = None   # how a small dialog is shown (tests)
        self.steps: list[P.StepStatus] = []
        self.step_buttons: dict[Step, QPushButton] = {}
        self.step_reasons: dict[Step, QLabel] = {}
        self.timeline_entries: list[TimelineEntry] = []
        self.service_names: dict[str, str] = {}
        self.services: dict[str, Service] = {}
        self._stale = StaleFlag()   # another screen's operation touched the case
        self.opener = opener or printing.open_with_system_viewer
        self.warn = warn or (lambda text: QMessageBox.warning(self, _("Printing"), text))
        case, person = detail.case, detail.person
        intake = detail.intakes[-1] if detail.intakes else None

        number = QLabel(_("Case No. {case_no}").format(case_no=case.case_no))
        number.setStyleSheet("color: #445; font-size: 11pt;")
        name = QLabel()
        name.setStyleSheet("font-size: 20pt; font-weight: bold;")
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        kana = QLabel()
        kana.setStyleSheet("font-size: 11pt; color: #333;")
        self.name_label, self.facts_label = name, kana
        self._show_person(person, overview.today if overview is not None else None)

        # 印刷: every sheet of the case, filled in / blank / for another agency (ui/print_menu)
        from ui.print_menu import PrintButton, SheetPrinter
        self.printer = SheetPrinter(self, self.desk, case.id, case_no=case.case_no)
        self.printer.printed.connect(self.printed)
        self.print_button = PrintButton(self.printer)
        self.print_menu = self.print_button.print_menu
        self.print_actions = {   # the intake's entries, by their former names
            "filled": self.print_menu.action("intake", "filled"),
            "no_consent": self.print_menu.action("intake-noconsent", "filled"),
            "blank": self.print_menu.action("intake", "blank"),
        }
        self.print_status = QLabel()
        self.printer.status.connect(self.print_status.setText)

        head = QVBoxLayout()
        head.addWidget(number)
        head.addWidget(name)
        head.addWidget(kana)
        top = QHBoxLayout()
        top.addLayout(head, 1)
        side = QVBoxLayout()
        side.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignRight)
        side.addWidget(self.print_status, 0, Qt.AlignmentFlag.AlignRight)
        self.edit_person_button = QPushButton(_("Correct the person's details…"))
        self.edit_person_button.clicked.connect(self.edit_person)
        self.edit_person_button.setVisible(self.may_edit)   # 閲覧, 自治体担当: nothing to correct
        side.addWidget(self.edit_person_button, 0, Qt.AlignmentFlag.AlignRight)
        from ui.dialogs.case_privacy import CasePrivacyBar  # 閲覧制限, reveal, consent
        kept = list(self.print_menu.actions())
        self.privacy = CasePrivacyBar(self)
        for extra in [a for a in self.print_menu.actions() if a not in kept]:
            self.print_menu.removeAction(extra)  # the print menu has every sheet for agencies
        self.privacy.agency_print = self.print_menu.action("intake", "agency")
        side.addWidget(self.privacy, 0, Qt.AlignmentFlag.AlignRight)
        side.addStretch(1)
        top.addLayout(side)

        self.stage_bar = StageBar(case.stage)
        self.contents = QLabel(self._intake_html(intake))
        self.contents.setTextFormat(Qt.TextFormat.RichText)
        self.contents.setWordWrap(True)
        self.contents.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.contents.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.contents.setContentsMargins(8, 8, 8, 8)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setWidget(self.contents)

        # left: what can be done now; right: timeline, plan, intake
        self.next_label = QLabel()
        self.next_label.setWordWrap(True)
        self.next_label.setTextFormat(Qt.TextFormat.RichText)
        self.next_label.setStyleSheet("background: #fff8e1; border: 1px solid #e6d28a;"
                                      "border-radius: 4px; padding: 6px;")
        self.actions_panel = QWidget()
        self.actions_layout = QVBoxLayout(self.actions_panel)
        self.actions_layout.setContentsMargins(4, 4, 4, 4)
        self.actions_layout.setSpacing(2)
        actions_scroll = QScrollArea()
        actions_scroll.setWidgetResizable(True)
        actions_scroll.setFrameShape(QFrame.Shape.NoFrame)
        actions_scroll.setWidget(self.actions_panel)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 6, 0)
        next_title = QLabel(_("Next actions"))
        next_title.setStyleSheet("font-weight: bold; color: #1d3d5c;")
        left_column.addWidget(next_title)
        left_column.addWidget(self.next_label)
        # what waits for the 支援調整会議, each with a button that puts it on a meeting
        self.waiting_panel = QWidget()
        self.waiting_layout = QVBoxLayout(self.waiting_panel)
        self.waiting_layout.setContentsMargins(0, 2, 0, 2)
        self.waiting_layout.setSpacing(2)
        self.waiting_buttons: list[QPushButton] = []
        self.waits: list[MeetingWait] = []
        left_column.addWidget(self.waiting_panel)
        steps_title = QLabel(_("Steps"))
        steps_title.setStyleSheet("font-weight: bold; color: #1d3d5c; margin-top: 6px;")
        left_column.addWidget(steps_title)
        left_column.addWidget(actions_scroll, 1)
        em = left.fontMetrics().horizontalAdvance("支")   # grows with 文字の大きさ (issue 18)
        left.setMinimumWidth(max(300, em * 19))
        left.setMaximumWidth(max(380, em * 26))

        self.timeline_filter = QComboBox()
        self.timeline_filter.addItem(_("Everything"), "")
        for kind, label in TIMELINE_KINDS:
            self.timeline_filter.addItem(_(label), kind)
        self.timeline_filter.currentIndexChanged.connect(lambda _i: self.refresh_timeline())
        self.timeline = QTreeWidget()
        self.timeline.setColumnCount(3)
        self.timeline.setHeaderLabels([_("Date"), _("Kind"), _("Contents")])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setAlternatingRowColors(True)
        # One line per entry, of one height, in columns of a set width: a case with 1,000
        # records lays out only the rows on screen (word wrap and columns sized to their
        # contents measured every row: 0.1-0.2 s each time). The whole text of the chosen
        # entry shows below the list (and as the tooltip).
        self.timeline.setUniformRowHeights(True)
        self.timeline.setWordWrap(False)
        self.timeline.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.timeline.setStyleSheet("QTreeWidget::item { padding: 5px 2px; }")  # not tight
        header = self.timeline.header()
        header.setStretchLastSection(True)
        metrics = self.timeline.fontMetrics()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.timeline.setColumnWidth(0, metrics.horizontalAdvance("令和88年88月88日") + 24)
        self.timeline.setColumnWidth(1, metrics.horizontalAdvance(
            max((_(label) for _k, label in TIMELINE_KINDS), key=len) + "（訂正済み）") + 24)
        self.timeline.currentItemChanged.connect(lambda *_a: self._selection_changed())
        self.timeline_detail = QLabel()
        self.timeline_detail.setWordWrap(True)
        self.timeline_detail.setTextFormat(Qt.TextFormat.PlainText)
        self.timeline_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timeline_detail.setAccessibleName(_("The chosen entry in full"))
        self.timeline_detail.setStyleSheet("padding: 6px; background: palette(base); "
                                           "border: 1px solid palette(mid);")
        self.timeline_detail.setMaximumHeight(metrics.lineSpacing() * 6 + 16)
        self.timeline_detail.hide()
        self.correct_button = QPushButton(_("Correct this support record"))
        self.correct_button.setEnabled(False)
        self.correct_button.clicked.connect(self.correct_selected_record)
        timeline_tab = QWidget()
        tl = QVBoxLayout(timeline_tab)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Show")))
        bar.addWidget(self.timeline_filter)
        bar.addStretch(1)
        bar.addWidget(self.correct_button)
        tl.addLayout(bar)
        tl.addWidget(self.timeline, 1)
        tl.addWidget(self.timeline_detail)

        self.plan_label = QLabel(_("Loading…"))
        self.plan_label.setTextFormat(Qt.TextFormat.RichText)
        self.plan_label.setWordWrap(True)
        self.plan_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plan_label.setContentsMargins(8, 8, 8, 8)
        self.edit_draft_button = QPushButton(_("Edit the draft plan"))
        self.edit_draft_button.hide()
        self.edit_draft_button.clicked.connect(lambda: self.open_plan_wizard("edit"))
        plan_tab = QWidget()
        pl = QVBoxLayout(plan_tab)
        plan_scroll = QScrollArea()
        plan_scroll.setWidgetResizable(True)
        plan_scroll.setFrameShape(QFrame.Shape.StyledPanel)
        plan_scroll.setWidget(self.plan_label)
        pl.addWidget(plan_scroll, 1)
        pl.addWidget(self.edit_draft_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.tabs = QTabWidget()
        self.tabs.addTab(timeline_tab, _("Timeline"))
        self.tabs.addTab(plan_tab, _("Current plan"))
        self.tabs.addTab(scroll, _("Intake"))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stage_bar)
        layout.addWidget(splitter, 1)
        self._layout = layout
        if overview is not None:
            self._reading = 0
            # the 経過 (up to thousands of rows) is filled a turn later, after the tab is
            # shown: building the view and filling it in one go held the screen >100 ms
            self._apply(overview, timeline_later=True)
        else:
            self.refresh()

    # ---------------------------------------------------------------- reading the case
    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Coming back to the tab reads the case again only if an operation elsewhere (the
        支援調整会議 screen, an import) touched it meanwhile."""
        super().showEvent(event)
        self._stale.shown(self.refresh)

    def on_operation_did_execute(self, changes: Changes, source: object) -> None:
        if source is not self and changes.touches_case(self.detail.case.id):
            self._stale.changed(self.isVisible(), self.refresh)

    def did_change(self, *, meetings: bool = False) -> None:
        """An operation here changed the case: read it again (the other views hear of it
        from the core: ui/background.py)."""
        self.refresh()

    def refresh(self) -> None:
        """Read the case again off the GUI thread: stage, steps, hints, timeline, plan."""
        desk, case_id = self.desk, self.detail.case.id
        kind = self.timeline_filter.currentData() or None

        def work(desk) -> CaseOverview:
            return desk.case_overview(case_id, [kind] if kind else None)

        # only the newest reading is shown: an older one still under way (e.g. the first,
        # started before the person was corrected) would put the old data back
        self._reading = getattr(self, "_reading", 0) + 1
        reading = self._reading
        read_in_background(self, self.desk, work,
                           lambda data: self._apply(data) if reading == self._reading else None,
                           self._read_failed)

    def refresh_timeline(self) -> None:
        desk, case_id = self.desk, self.detail.case.id
        kind = self.timeline_filter.currentData() or None
        read_in_background(self, self.desk,
                           lambda desk: desk.process.timeline(case_id, [kind] if kind else None),
                           self._fill_timeline, self._read_failed)

    def _read_failed(self, error: BaseException) -> None:
        self.next_label.setText(escape(str(error)))

    def _apply(self, overview: CaseOverview, *, timeline_later: bool = False) -> None:
        self.detail = overview.detail
        self.may_edit = overview.may_edit
        self.edit_person_button.setVisible(self.may_edit)
        self._show_person(self.detail.person, overview.today)
        self.emergency_rows = list(overview.emergency)
        if self.detail.intakes:
            self.contents.setText(self._intake_html(self.detail.intakes[-1]))
        self.service_names = {s.key: s.name for s in overview.services}
        self.services = {s.key: s for s in overview.services}
        new_bar = StageBar(self.detail.case.stage)
        self._layout.replaceWidget(self.stage_bar, new_bar)
        self.stage_bar.deleteLater()
        self.stage_bar = new_bar
        self.steps = list(overview.steps)
        self._build_actions()
        hints = list(overview.next_actions)
        self._fill_waiting(list(overview.waiting))
        if not hints and self.waits:
            hints = [_("Waiting for the support coordination meeting (below).")]
        self.next_label.setText("<br>".join(f"・{escape(h)}" for h in hints)
                                or escape(_("Nothing is due.")))
        self._fill_plan(list(overview.plans))
        if timeline_later:
            reading = self._reading   # (a newer read meanwhile fills its own)
            QTimer.singleShot(0, self, lambda: self._timeline_read(list(overview.timeline))
                              if reading == self._reading else None)
            return
        self._fill_timeline(list(overview.timeline))
        self.refreshed.emit()

    def _timeline_read(self, entries: list[TimelineEntry]) -> None:
        """The 経過 filled 250 rows a turn (1,000 rows at once held the screen ~60 ms)."""
        self.timeline_entries = entries
        self.timeline.clear()

        def finished() -> None:
            self._selection_changed()
            self.refreshed.emit()
        in_slices(self, entries, 250, self._add_timeline_rows, finished)

    def _show_person(self, person, today: date | None) -> None:
        """The header: name, reading, birth date with the age on the desk's ``today`` (not
        yet known before the first read), sex."""
        self.name_label.setText(person.name)
        facts = [person.kana] if person.kana else []
        if person.birth_date:
            facts.append(_("{date} (age {age})").format(
                date=_wareki(person.birth_date), age=text_ja.age_on(person.birth_date, today))
                if today is not None else _wareki(person.birth_date))
        facts.append(person.sex.label if hasattr(person.sex, "label") else str(person.sex))
        self.facts_label.setText("　".join(facts))

    def _fill_waiting(self, waits: list[MeetingWait]) -> None:
        while self.waiting_layout.count():
            item = self.waiting_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.waiting_buttons = []
        self.waits = list(waits)
        can_edit = self.may_edit
        for wait in self.waits:
            if wait.meeting_on is not None:
                where = _("on the agenda of the meeting of {date} ({kind})").format(
                    date=_wareki(wait.meeting_on), kind=wait.meeting_kind.label
                    if wait.meeting_kind else "")
            else:
                where = _("on no meeting's agenda yet")
            label = QLabel(_("{what}: waiting for the support coordination meeting, {where}")
                           .format(what=wait.kind.label, where=where))
            label.setWordWrap(True)
            label.setStyleSheet("color: #5a3d00;")
            button = QPushButton(_("Move to another meeting…") if wait.item_id
                                 else _("Put on a meeting…"))
            button.setStyleSheet("text-align: left; padding: 3px 10px;")
            button.setEnabled(can_edit)
            button.clicked.connect(lambda _c=False, w=wait: self.put_on_meeting(w))
            self.waiting_layout.addWidget(label)
            self.waiting_layout.addWidget(button)
            self.waiting_buttons.append(button)
        self.waiting_panel.setVisible(bool(self.waits))

    def put_on_meeting(self, wait: MeetingWait):
        """The dialog choosing the meeting for what waits (moved if already on one)."""
        from ui.dialogs.agenda import PutOnMeetingDialog
        dialog = PutOnMeetingDialog(
            self.desk, case_id=wait.case_id, subject_id=wait.subject_id, item_id=wait.item_id,
            current_meeting=wait.meeting_id, what=wait.kind.label, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.did_change(meetings=True))
        (self.dialog_shown or (lambda d: d.open()))(dialog)
        self.agenda_dialog = dialog
        return dialog

    def _build_actions(self) -> None:
        """Every step in the order of the process, always in the same place (issue 14: the
        buttons moved as the case advanced, so a click landed on another step); a step not
        possible now is greyed with its reason, said once for steps in a row that share it."""
        while self.actions_layout.count():
            item = self.actions_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        from ui.guide_tips import step_tip   # issue 18: tooltips speak the guide
        self.step_buttons.clear()
        self.step_reasons.clear()
        run: list[Step] = []          # blocked steps in a row with the same reason
        run_reason = ""

        def close_run() -> None:
            if not run:
                return
            reason = QLabel(run_reason)
            reason.setWordWrap(True)
            reason.setStyleSheet("color: #7a4a00;")
            # margins as contents margins, not style-sheet ones: QLabel counts these when it
            # measures its wrapped height (with the style sheet's, the last line was cut)
            reason.setContentsMargins(10, 0, 0, 4)
            small = reason.font()   # smaller than the text, and growing with it (issue 18)
            small.setPointSizeF(small.pointSizeF() * 0.86)
            reason.setFont(small)
            self.actions_layout.addWidget(reason)
            for step in run:
                self.step_reasons[step] = reason
            run.clear()

        for status in self.steps:
            if status.allowed or status.reason != run_reason:
                close_run()
            button = QPushButton(status.label)
            button.setEnabled(status.allowed)
            button.setToolTip(step_tip(status.step, status.reason))  # the guide's words
            button.setMinimumHeight(30)
            if status.allowed:
                button.setStyleSheet("text-align: left; padding: 4px 10px;"
                                     "font-weight: bold; color: #1f3f5f;")
                button.clicked.connect(lambda _c=False, st=status.step: self.open_step(st))
            else:
                button.setStyleSheet("text-align: left; padding: 4px 10px;")
                run.append(status.step)
                run_reason = status.reason
            self.actions_layout.addWidget(button)
            self.step_buttons[status.step] = button
        close_run()
        from ui.views.region import case_issue_button  # issue 15: 不足している社会資源
        self.actions_layout.addWidget(case_issue_button(self, may_edit=self.may_edit))
        self.actions_layout.addStretch(1)

    def _fill_timeline(self, entries: list[TimelineEntry]) -> None:
        self.timeline_entries = entries
        self.timeline.clear()
        self._add_timeline_rows(entries)
        self._selection_changed()

    def _add_timeline_rows(self, entries: list[TimelineEntry]) -> None:
        grey = QBrush(QColor("#8a96a3"))
        items = []
        for e in entries:
            kind, text = timeline_texts(e, self.service_names)
            item = QTreeWidgetItem([_wareki(e.on), kind, text])
            item.setData(0, Qt.ItemDataRole.UserRole, e)
            item.setToolTip(2, text)
            if e.superseded:
                for col in range(3):
                    item.setForeground(col, grey)
            items.append(item)
        self.timeline.addTopLevelItems(items)   # one insertion, not one per row

    def _selected_entry(self) -> TimelineEntry | None:
        item = self.timeline.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _selection_changed(self) -> None:
        e = self._selected_entry()
        item = self.timeline.currentItem()
        if item is not None:
            self.timeline_detail.setText(f"{item.text(0)}　{item.text(1)}\n{item.text(2)}")
        self.timeline_detail.setVisible(item is not None)
        record_ok = any(s.step is Step.RECORD and s.allowed for s in self.steps)
        self.correct_button.setEnabled(bool(e and e.kind == "support_record"
                                            and not e.superseded and record_ok))

    def _fill_plan(self, plans: list[Plan]) -> None:
        current = next((p for p in reversed(plans) if p.status is PlanStatus.APPROVED), None)
        open_plan = next((p for p in reversed(plans) if p.status in (
            PlanStatus.DRAFT, PlanStatus.SUBMITTED)), None)
        parts = []
        if current is not None:
            parts.append(self._plan_html(current))
        if open_plan is not None:
            parts.append(self._plan_html(open_plan))
        if not parts and plans:   # a closed case: its last plan, marked 終了 (not "no plan yet")
            parts.append(self._plan_html(plans[-1]))
        if not parts:
            parts.append(escape(_("There is no plan yet.")))
        self.plan_label.setText("<hr>".join(parts))
        editable = open_plan is not None and open_plan.status is PlanStatus.DRAFT
        self.edit_draft_button.setVisible(editable)

    def _plan_html(self, plan: Plan) -> str:
        title = _("Plan No. {n}").format(n=plan.number) + f"（{plan.kind.label}・{plan.status.label}）"
        head = [(_("The person's aim"), plan.aim),
                (_("Plan period"), f"{_wareki(plan.period_from)} 〜 {_wareki(plan.period_to)}"),
                (_("Next monitoring"), _wareki(plan.next_monitoring_on)),
                (_("Date of the person's signature"), _wareki(plan.signed_on))]
        if plan.approved_on:
            result = plan.meeting_result
            try:
                result = MeetingResult(result).label
            except ValueError:
                pass
            head.append((_("Support coordination meeting"),
                         f"{_wareki(plan.approved_on)}　{result}"))
        elif plan.meeting_result:
            head.append((_("Support coordination meeting"),
                         MeetingResult(plan.meeting_result).label))
        if plan.conditions:
            head.append((_("Conditions"), plan.conditions))
        head.append((_("Support decision"), plan.decision_need.label))
        goals = "".join(f"<li>{escape(g.text)}"
                        + (f"（{escape(_wareki(g.target_on))}）" if g.target_on else "") + "</li>"
                        for g in plan.goals)
        head.append((_("Short-term goals"), ("html", f"<ul style='margin:0'>{goals}</ul>")))
        rows = ["<tr style='background:#e8eef4;'>" + "".join(
            f"<th align='left' style='padding:3px 8px;'>{escape(h)}</th>" for h in (
                _("Support content"), _("Service"), _("Provider"), _("Frequency"),
                _("Support decision"), _("Start of services")))
            + "</tr>"]
        for item in plan.items:
            service = self.services.get(item.service_key)
            name = escape(self.service_names.get(item.service_key, item.service_key))
            if service is not None and service.statutory:
                name += (" <span style='color:#b35c00; font-weight:bold;'>"
                         + escape(_("statutory")) + "</span>")
            started = (_("Started on {date}").format(date=_wareki(item.started_on))
                       if item.started_on else _("Not started"))
            status = decision_status_text(item.decision)
            colour = "#8a1c1c" if item.decision == "required" else "#223"
            rows.append("<tr>" + "".join(f"<td style='padding:3px 8px;'>{c}</td>" for c in (
                escape(item.what), name, escape(item.provider or _("This agency")),
                escape(item.frequency), f"<span style='color:{colour}'>{escape(status)}</span>",
                escape(started))) + "</tr>")
        table = "<table cellspacing='0' style='margin-top:6px;'>" + "".join(rows) + "</table>"
        return (f"<h3 style='color:#1d3d5c; margin:4px 0;'>{escape(title)}</h3>"
                + _sections_html([("", head)]).replace("<h3 style='color:#1d3d5c; margin:10px 0 "
                                                       "4px 0;'></h3>", "")
                + table)

    # ---------------------------------------------------------------- steps
    def open_step(self, step: Step):
        """Open the wizard of ``step``; the view reloads when it records something."""
        if step is Step.NEW_INTAKE:
            self.new_intake_requested.emit(self.detail.person.id)
            return None
        from ui.wizards import open_step_wizard
        return self._show_wizard(open_step_wizard(step, self.desk, self.detail.case.id, self,
                                                  **self.wizard_options))

    def open_plan_wizard(self, mode: str):
        from ui.wizards import PlanWizard
        return self._show_wizard(PlanWizard(self.desk, self.detail.case.id, self, mode=mode,
                                            **self.wizard_options))

    def correct_selected_record(self):
        e = self._selected_entry()
        if e is None or e.kind != "support_record":
            return None
        from ui.wizards import RecordCorrectionWizard
        return self._show_wizard(RecordCorrectionWizard(
            self.desk, self.detail.case.id, self, record_id=e.id, **self.wizard_options))

    def _show_wizard(self, wizard):
        if self.wizard is not None:
            try:
                self.wizard.close()
            except RuntimeError:
                pass
        self.wizard = wizard
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.setWindowModality(Qt.WindowModality.WindowModal)
        wizard.completed.connect(lambda _step, w=wizard: self._wizard_done(w))
        wizard.destroyed.connect(lambda *_a, w=wizard: self._forget(w))
        wizard.show()
        return wizard

    def edit_person(self):
        """本人情報の修正 (郵便番号 → 住所, ふりがな, 異体字 as at intake); the header and the
        intake text show the saved person."""
        from ui.dialogs.person_edit import PersonEditDialog
        dialog = PersonEditDialog(self.desk, self.detail.person, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self._person_saved(dialog))
        dialog.show()
        return dialog

    def _person_saved(self, dialog) -> None:
        if dialog.saved_person is None:
            return
        self.did_change()   # the header and the intake text come with the overview read

    def _forget(self, wizard) -> None:
        if self.wizard is wizard:
            self.wizard = None

    def _wizard_done(self, wizard) -> None:
        self.did_change(meetings=True)   # a step may put the case on a meeting's agenda
        follow = getattr(wizard, "follow_up_step", None)
        if follow is Step.AMEND_PLAN:
            self.open_plan_wizard("amend")

    # ---------------------------------------------------------------- contents
    def _intake_html(self, intake) -> str:
        person = self.detail.person
        sections: list[tuple[str, list[tuple[str, str]]]] = []
        contact = [(_("Address"), " ".join(x for x in (
            _("Postal code {code}").format(code=person.postal_code) if person.postal_code else "",
            person.address) if x)),
            (_("Phone (home)"), person.phone_home), (_("Phone (mobile)"), person.phone_mobile),
            (_("E-mail"), person.email)]
        if intake is None:
            sections.append((_("Basic information"), contact))
            return _sections_html(sections)
        labels = dict(CONSULTATION_TOPICS)
        main = [f"◎ {escape(_(labels[k]))}" for k in intake.topics if k == intake.main_topic]
        others = [f"○ {escape(_(labels[k]))}" for k in intake.topics if k != intake.main_topic]
        topics_html = "<br>".join(main + others)
        if intake.topic_other:
            topics_html += "<br>" + escape(_("Other ({detail})").format(detail=intake.topic_other))
        sections.append((_("Intake"), [
            (_("Received on"), _wareki(intake.received_on)),
            (_("Received by"), intake.received_by),
            (_("Route"), intake.route.label if intake.route else ""),
            (_("Referral source"), intake.referral_source),
        ]))
        if intake.visitor and intake.visitor.name:
            v = intake.visitor
            relation = (_("Family (relationship: {relation})").format(relation=v.relation_detail)
                        if v.relation == "family" else
                        _("Other ({detail})").format(detail=v.relation_detail))
            contact.append((_("Visitor"), f"{v.name}　{relation}　{v.phone}"))
        sections.append((_("Basic information"), contact))
        sections.append((_("What the consultation is about"), [
            (_("Items"), ("html", topics_html)),
            (_("What the person wants to consult about"), intake.consultation),
            (_("Help the person hopes for"), intake.hopes),
            (_("Work status"), _choice(WORK_STATUSES, intake.work_status)),
            (_("Housing situation"), _choice(HOUSING_STATUSES, intake.housing_status)),
            (_("Health insurance"), intake.health_insurance),
            (_("Pension"), intake.pension),
        ]))
        triage = [(_("Triage"), intake.triage.label if intake.triage else "")]
        if intake.triage is Triage.REFER:
            triage += [(_("Referred to"), intake.referral_to),
                       (_("Accompanied"), _("Yes") if intake.accompanied else _("No")),
                       (_("Follow-up date"), _wareki(intake.check_on))]
        if intake.emergency_needed:
            actions = []
            for value in intake.emergency_actions:
                action = EmergencyAction(value)
                text = escape(action.label)
                if action.statutory:
                    done = [r for r in getattr(self, "emergency_rows", [])
                            if r.action == value and r.procedure == "done"]
                    if done:   # issue 14: it said 手続き待ち after the procedure was done
                        on = done[-1].procedure_done_on
                        text += (" <span style='color:#2d6a2d;'>" + escape(
                            _("(municipal procedure done {date})").format(
                                date=_wareki(on) if on else ""))
                            + "</span>")
                    else:
                        text += (" <span style='color:#b35c00; font-weight:bold;'>"
                                 + escape(_("(pending municipal procedure)")) + "</span>")
                actions.append(text)
            triage.append((_("Emergency support"), ("html", "<br>".join(actions) or "—")))
            triage.append((_("What was done"), intake.emergency_note))
        else:
            triage.append((_("Emergency support"), _("Not needed")))
        sections.append((_("Triage and emergency support"), triage))
        consent = (_("Agreed (on {date})").format(date=_wareki(intake.consent_on))
                   if intake.consent else _("Not agreed") if intake.consent is False else "")
        sections.append((_("Consent"), [(_("Consent to share information"), consent)]))
        return _sections_html(sections)

    # ---------------------------------------------------------------- printing
    def print_intake(self, kind: str) -> None:
        """Write the PDF off the GUI thread, then hand it to the opener; show font warnings."""
        case = self.detail.case
        blank = kind == "blank"
        consent = kind != "no_consent"
        path = printing.new_pdf_path(f"intake-{'blank' if blank else case.case_no}")
        desk = self.desk
        self.print_button.setEnabled(False)
        self.print_status.setText(_("Preparing the PDF…"))

        def work():
            return desk.paper.print_intake(None if blank else case.id, path, blank=blank,
                                           consent=consent, render=render)

        def done(warnings: list[str]) -> None:
            self.print_button.setEnabled(True)
            self.print_status.setText("")
            printing.open_pdf(path, self.opener)
            self.printed.emit(str(path))
            if warnings:
                self.warn("\n".join(warnings))

        def failed(error: BaseException) -> None:
            self.print_button.setEnabled(True)
            self.print_status.setText("")
            self.warn(str(error) if isinstance(error, TsunaguError) else
                      _("The PDF could not be written: {error}").format(error=error))

        run_in_background(self, work, done, failed)


def _choice(options: list[tuple[str, str]], key: str) -> str:
    return _(dict(options)[key]) if key in dict(options) else ""


def _sections_html(sections) -> str:
    parts = []
    for title, rows in sections:
        parts.append(f"<h3 style='color:#1d3d5c; margin:10px 0 4px 0;'>{escape(title)}</h3>"
                     "<table cellspacing='0' cellpadding='3'>")
        for label, value in rows:
            if isinstance(value, tuple):
                shown = value[1]
            else:
                shown = escape(value or "—").replace("\n", "<br>")
            parts.append(f"<tr><td style='color:#556; padding-right:18px;' valign='top' "
                         f"width='180'>{escape(label)}</td><td valign='top'>{shown}</td></tr>")
        parts.append("</table>")
    return "".join(parts)
