"""地域づくり・運営 (issue 15): the 社会資源 directory, 地域課題, 地域との活動, 人材育成,
苦情・事故 (リスクマネジメント) and 年間計画・事業報告, one tab each; and the 主任's warnings on
the dashboard (``DeskWarnings``). Everything goes through the core (app/operations/region.py);
its messages are shown under the form they are about. Tabs the role may not use are left out.
"""

from __future__ import annotations

from html import escape
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QLabel, QLineEdit, QPushButton, QScrollArea, QTabWidget, QVBoxLayout, QWidget,
)

from app.i18n import _
from app.domain import region as R
from app.security.roles import Permission
from ui.areas import Area, register
from ui.background import serialized
from ui.dialogs.base import FormDialog
from ui.views.region_base import Panel, _may, _text
from ui.views.region_community import ActivitiesPanel, IssuesPanel, ResourcesPanel
from ui.views.region_management import AnnualPanel, RiskPanel, TrainingPanel
from ui.widgets import heading


# ====================================================================== the area
class PanelTabs(QTabWidget):
    """The area's tabs, each panel in a scroll area of its own: 苦情・ヒヤリハット and 事業計画
    need more height than 1280×720 leaves, so they scroll there instead of making the main
    window taller (issue 14's small screens); the others show as before. Panels are still
    what ``currentWidget``/``setCurrentWidget``/``indexOf`` take and give."""

    def addTab(self, panel: QWidget, label: str) -> int:  # noqa: N802 - Qt name
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(panel)
        return super().addTab(scroll, label)

    def _page(self, panel: QWidget | None) -> QWidget | None:
        for i in range(self.count()):
            page = super().widget(i)
            if page is panel or (isinstance(page, QScrollArea) and page.widget() is panel):
                return page
        return panel

    def widget(self, index: int) -> QWidget | None:
        page = super().widget(index)
        return page.widget() if isinstance(page, QScrollArea) else page

    def currentWidget(self) -> QWidget | None:  # noqa: N802 - Qt name
        return self.widget(self.currentIndex())

    def setCurrentWidget(self, panel: QWidget) -> None:  # noqa: N802 - Qt name
        super().setCurrentWidget(self._page(panel))

    def indexOf(self, panel: QWidget) -> int:  # noqa: N802 - Qt name
        return super().indexOf(self._page(panel))


class RegionView(QWidget):
    def __init__(self, desk, parent: QWidget | None = None, *, window=None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.window_ = window
        self.tabs = PanelTabs()
        self.panels: dict[str, Panel] = {}
        d = self.desk
        tabs = [("resources", _("Social resources"), ResourcesPanel, True),
                ("issues", _("Regional issues"), IssuesPanel, True),
                ("activities", _("Activities with the region"), ActivitiesPanel, True),
                ("training", _("Staff development"), TrainingPanel,
                 _may(d, Permission.EDIT_CASES, Permission.MANAGE_DESK)),
                ("risk", _("Complaints and incidents"), RiskPanel,
                 _may(d, Permission.EDIT_CASES, Permission.RISK_REGISTER)),
                ("annual", _("Yearly plan and report"), AnnualPanel,
                 _may(d, Permission.VIEW_STATISTICS))]
        for key, label, cls, shown in tabs:
            if shown:
                panel = cls(self)
                self.panels[key] = panel
                self.tabs.addTab(panel, label)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Community building and running the desk")))
        layout.addWidget(self.tabs)


# ====================================================================== from a case
class MissingResourceDialog(FormDialog):
    """「不足している社会資源」 seen in a case (assessment, plan, evaluation): recorded as
    a 地域課題 with the case behind it (the case number only reaches the register)."""

    def __init__(self, desk, case_no: str, parent: QWidget | None = None):
        super().__init__(_("A resource that is missing"), parent, intro=_(
            "What this person needed and the region does not offer becomes a regional "
            "issue with this case behind it. The chief follows it up."),
            ok_text=_("Raise"))
        self.desk, self.case_no = desk, case_no
        self.title = QLineEdit()
        self.details = _text(70)
        self.existing = QComboBox()
        self.existing.addItem(_("(a new regional issue)"), "")
        try:
            for i in desk.region.regional_issues():
                if i.status.value not in R.ISSUE_FINAL:
                    self.existing.addItem(i.title, i.id)
        except Exception:  # noqa: BLE001 - shown as an error on submit
            pass
        self.form.addRow(_("Same as an open issue"), self.existing)
        self.form.addRow(_("Missing resource") + " *", self.title)
        self.form.addRow(_("Details"), self.details)
        self.finish_layout()

    def submit(self) -> bool:
        issue_id = self.existing.currentData()
        if issue_id:
            return self.attempt(self.desk.region.link_issue_case, issue_id, self.case_no)
        return self.attempt(self.desk.region.raise_regional_issue, self.title.text(),
                            self.details.toPlainText(), source=R.IssueSource.CASE.value,
                            case_no=self.case_no)


def case_issue_button(case_view, may_edit: bool | None = None) -> QPushButton:
    """The case screen's 「不足している社会資源を地域課題に」 button (``may_edit``: what the
    case overview said; asked of the desk when not given)."""
    button = QPushButton(_("Missing resource → regional issue…"))
    button.setStyleSheet("text-align: left; padding: 4px 10px;")
    button.setMinimumHeight(30)
    button.setEnabled(_may(case_view.desk, Permission.EDIT_CASES) if may_edit is None
                      else may_edit)

    def open_dialog() -> None:
        from ui.dialogs import dialogs_for
        detail = getattr(case_view, "detail", None)
        if detail is None:
            return
        dialog = MissingResourceDialog(case_view.desk, detail.case.case_no, case_view)
        dialogs_for(case_view).run(dialog)

    button.clicked.connect(open_dialog)
    return button


# ====================================================================== the dashboard
class DeskWarnings(QLabel):
    """The 主任's lines on the dashboard: national training missing, 地域課題 open, complaints
    and incidents this month and last. Hidden for other roles."""

    def __init__(self, desk, parent: QWidget | None = None):
        super().__init__(parent)
        self.desk = desk
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setStyleSheet("background: #fff8e6; border: 1px solid #e0c27a; padding: 6px;")
        self.open_area: Callable[[], Any] | None = None   # set by the main window
        self.linkActivated.connect(lambda _link: self.open_area and self.open_area())
        self.hide()

    def refresh(self) -> None:
        try:
            w = self.desk.region.desk_warnings()
        except Exception:  # noqa: BLE001 - a role without it
            w = None
        text = warnings_html(w)
        if text and self.open_area is not None:
            text += "<br><a href='region'>" + escape(_("Open community and desk")) + "</a>"
        self.setText(text)
        self.setVisible(w is not None)


def warnings_html(w: R.DeskWarnings | None) -> str:
    if w is None:
        return ""
    lines = []
    missing = w.missing_training
    if missing:
        names = "、".join(escape(m.name) for m in missing)
        lines.append("<span style='color:#b42318'>" + escape(_(
            "National training not recorded for {n} staff:").format(n=len(missing)))
            + f" {names}</span>")
    issues = w.issues
    open_n = sum(v for k, v in issues.items() if k not in R.ISSUE_FINAL)
    lines.append(escape(_("Regional issues open: {n} ({cases} cases behind them)").format(
        n=open_n, cases=w.issue_cases)))
    if w.risk is not None:
        months = escape(_("Complaints and incidents by month:")) + " " + "　".join(
            escape(_("{month}: complaints {c}, incidents {i} (personal data {p})")
                                 .format(month=m.month, c=m.complaints, i=m.incidents,
                                         p=m.personal_data)) for m in w.risk)
        lines.append(months)
        lines.append(escape(_("Complaints not completed: {c}; incidents not reviewed: {i}")
                            .format(c=w.open_complaints, i=w.unreviewed_incidents)))
    return "<br>".join(lines)


def _visible(desk) -> bool:
    return _may(desk, Permission.VIEW_CASES, Permission.VIEW_STATISTICS,
                Permission.MANAGE_SETTINGS)


register(Area("region", "Community and desk", lambda window: RegionView(window.desk,
                                                                         window=window),
              _visible))
