"""地域・運営 screens (issue 15): the directory's form adds and edits through the core and
shows its messages, the つなぎ先 fields offer directory names folded like names, the 主任's
warnings appear on the dashboard (and not for a consultant), the yearly report renders."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QLineEdit

from app.domain.region import ResourceInput
from app.security.roles import Role
from tests.conftest import LOGIN, PASSWORD
from tests.ui.conftest import type_text
from ui.resource_chooser import attach_resource_completer
from ui.views.region import RegionView, warnings_html

TODAY = date(2026, 11, 20)
PW = "password-5678"


@pytest.fixture
def chief_desk(desk_path):
    from app.desk import Desk
    with Desk.open(desk_path, LOGIN, PASSWORD) as admin:
        admin.security.add_user("chief", "主任 一郎", Role.CHIEF, PW)
        admin.security.add_user("con", "相談 花子", Role.CONSULTANT, PW)
        admin.region.add_resource(ResourceInput(name="ハローワーク髙崎", kind="public"))
    d = Desk.open(desk_path, "chief", PW)
    d._today = lambda: TODAY
    yield d
    if not d.closed:
        d.close()


def test_directory_form_adds_and_reports_errors(qtbot, chief_desk, tmp_path):
    view = RegionView(chief_desk)
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    panel = view.panels["resources"]
    assert panel.table.rowCount() == 1
    type_text(panel.name, "ﾌｰﾄﾞﾊﾞﾝｸ 𠮷田")
    panel.kind.setCurrentIndex(panel.kind.findData("informal"))
    type_text(panel.checked_on.edit, "R8.10.1")
    panel.add()
    assert panel.error.isHidden(), panel.error.text()
    assert "登録しました" in panel.message.text()
    names = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert "フードバンク 𠮷田" in names
    checked = {panel.table.item(r, 0).text(): panel.table.item(r, 4).text()
               for r in range(panel.table.rowCount())}
    assert checked["ハローワーク髙崎"] == "未確認"            # never checked: marked
    assert checked["フードバンク 𠮷田"] == "令和8年10月1日"
    # the same name again (folded): the core's message under the form, nothing added
    panel.add()
    assert not panel.error.isHidden() and "すでに" in panel.error.text()
    assert panel.table.rowCount() == 2
    type_text(panel.search, "ふーど")
    assert panel.table.rowCount() == 1
    view.grab().save(str(tmp_path / "resources.png"))
    # every tab builds for the 主任, the yearly report lists its sections
    assert set(view.panels) == {"resources", "issues", "activities", "training", "risk",
                                "annual"}
    annual = view.panels["annual"]
    view.tabs.setCurrentWidget(annual)                  # computed when looked at
    qtbot.waitUntil(lambda: not annual.busy() and "支援が届いた人"
                    in annual.report.toPlainText(), timeout=10000)


def test_consultant_sees_no_status_controls_and_no_dashboard_warnings(qtbot, desk_path):
    from app.desk import Desk
    with Desk.open(desk_path, LOGIN, PASSWORD) as admin:
        admin.security.add_user("con", "相談 花子", Role.CONSULTANT, PW)
    d = Desk.open(desk_path, "con", PW)
    try:
        view = RegionView(d)
        qtbot.addWidget(view)
        assert not view.panels["issues"].status_button.parentWidget().isEnabled()
        assert d.region.desk_warnings() is None
        assert warnings_html(None) == ""
    finally:
        d.close()


def test_chief_warnings_on_the_dashboard(qtbot, chief_desk):
    from ui.views.dashboard import DashboardView
    view = DashboardView(chief_desk)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: not view.busy(), timeout=10000)
    assert view.desk_warnings.isVisibleTo(view)
    text = view.desk_warnings.text()
    assert "国研修" in text and "主任 一郎" in text and "相談 花子" in text
    assert "苦情" in text


def test_referral_fields_complete_from_the_directory(qtbot, chief_desk):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    completer = attach_resource_completer(edit, chief_desk)
    assert completer.matches("ﾊﾛｰ") == ["ハローワーク髙崎"]
    assert completer.matches("高崎") == ["ハローワーク髙崎"]
    assert completer.matches("図書館") == []
    from ui.wizards.intake import IntakeWizard
    wizard = IntakeWizard(chief_desk, ask_restore_draft=lambda: False,
                          ask_keep_draft=lambda: False, ask_same_person=lambda p: None,
                          show_error=lambda t: None)
    qtbot.addWidget(wizard)
    c = wizard.triage.referral_to.completer()
    assert c is not None and c.matches("はろーわーく") == ["ハローワーク髙崎"]


def test_case_screen_raises_a_missing_resource(qtbot, desk_with_cases):
    from ui.dialogs import Dialogs
    from ui.views.case_view import CaseView
    from ui.views.region import MissingResourceDialog
    desk = desk_with_cases
    detail = desk.get_case(desk.list_cases("髙橋")[0].id)
    view = CaseView(desk, detail, opener=lambda url: None)
    qtbot.addWidget(view)
    shown = []

    def run(dialog) -> bool:
        shown.append(dialog)
        assert isinstance(dialog, MissingResourceDialog)
        dialog.accept()                       # empty: the core's message, stays open
        assert "入力" in dialog.error.text() and dialog.result() == 0
        type_text(dialog.title, "夜間に食料を受け取れる場所")
        dialog.accept()
        return dialog.result() == 1

    view.dialogs = Dialogs(run=run)
    from PySide6.QtWidgets import QPushButton
    qtbot.waitUntil(lambda: any(b.text() == "不足している社会資源を地域課題に…"
                                for b in view.findChildren(QPushButton)), timeout=5000)
    button = next(b for b in view.findChildren(QPushButton)
                  if b.text() == "不足している社会資源を地域課題に…")
    button.click()
    assert shown
    issues = desk.region.regional_issues()
    assert [(i.title, i.source.value, i.case_count) for i in issues] == [
        ("夜間に食料を受け取れる場所", "case", 1)]


def test_a_name_not_in_the_directory_is_offered_to_add(qtbot, chief_desk):
    from ui.dialogs import Dialogs
    from ui.resource_chooser import ADD_ROLE, AddResourceDialog
    holder = QLineEdit()
    qtbot.addWidget(holder)
    shown = []

    def run(dialog) -> bool:
        shown.append(dialog)
        assert isinstance(dialog, AddResourceDialog) and dialog.name.text() == "町立図書館"
        dialog.kind.setCurrentIndex(dialog.kind.findData("public"))
        dialog.accept()
        return dialog.result() == 1

    holder.dialogs = Dialogs(run=run)
    completer = attach_resource_completer(holder, chief_desk)
    type_text(holder, "町立図書館")
    completer.update_matches(holder.text())
    model = completer.model()
    rows = [model.index(r, 0) for r in range(model.rowCount())]
    assert [bool(i.data(ADD_ROLE)) for i in rows] == [True]     # only the offer
    assert "町立図書館" in rows[0].data()
    assert completer.pathFromIndex(rows[0]) == "町立図書館"       # the text stays
    completer.activated[type(rows[0])].emit(rows[0])
    assert shown and chief_desk.region.find_resource("町立図書館").kind.value == "public"
    completer.update_matches("図書")                   # now a directory name: no offer
    model = completer.model()                         # while part of a name is typed
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["町立図書館"]
    # a known name typed in full gets no offer; a role that cannot add gets none either
    completer.update_matches("ハローワーク髙崎")
    assert not any(completer.model().index(r, 0).data(ADD_ROLE)
                   for r in range(completer.model().rowCount()))


def test_risk_tab_reports_and_reviews_an_incident(qtbot, chief_desk):
    from app.domain.region import IncidentInput
    chief_desk.region.add_incident(IncidentInput(occurred_on=date(2026, 11, 6), kind="safety",
                                          severity="minor", what="来所者が段差で転倒"))
    view = RegionView(chief_desk)
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    panel = view.panels["risk"]
    view.tabs.setCurrentWidget(panel)                 # read (and audited) when looked at
    assert panel.incidents.rowCount() == 1
    panel.incidents.selectRow(0)
    assert panel.i_what.toPlainText() == "来所者が段差で転倒"
    type_text(panel.i_reviewed_at, "11月職員会議")
    type_text(panel.i_reviewed_on.edit, "R8.11.18")
    panel.save_incident()
    assert panel.error.isHidden(), panel.error.text()
    [saved] = chief_desk.region.incidents()
    assert saved.reviewed_at == "11月職員会議" and saved.reviewed_on == date(2026, 11, 18)
    # a bad date: the core's message, nothing changed
    panel.incidents.selectRow(0)
    panel.i_reviewed_on.setText("2026年2月30日")
    panel.save_incident()
    assert not panel.error.isHidden()
    assert chief_desk.region.incidents()[0].reviewed_on == date(2026, 11, 18)


def test_main_window_area_and_link_from_the_dashboard(qtbot, chief_desk):
    from ui.main_window import MainWindow
    window = MainWindow(chief_desk, opener=lambda url: None, close_desk_on_exit=False)
    qtbot.addWidget(window)
    window.show()
    assert window.area_actions["region"].text() == "地域・運営"
    board = window.open_area("dashboard")
    qtbot.waitUntil(lambda: not board.busy(), timeout=10000)
    assert "地域・運営を開く" in board.desk_warnings.text()
    board.desk_warnings.linkActivated.emit("region")
    assert isinstance(window.tabs.currentWidget(), RegionView)
