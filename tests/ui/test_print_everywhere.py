"""印刷 everywhere (ui/print_menu.py): every step wizard prints its own sheet (filled from
what is saved, blank, or for another agency) through the injected opener; the case view's
menu prints every sheet filled and blank; the home-visit kit from the case list (several
chosen cases) and from the toolbar (a new person); a sheet for another agency without
consent asks for the basis (injected dialog) and records the disclosure. No modal dialog:
the dialogs are injected, menus are triggered through their actions."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QWizard

from app.desk import Desk
from app.process import Step
from tests.conftest import LOGIN, PASSWORD, copy_desk
from tests.sheet_cases import NAME, TODAY, full_case
from tests.ui.helpers_security import accept, collect_garbage_here, fake_dialogs
from ui import background
from ui.main_window import MainWindow
from ui.print_menu import SHEET_ORDER, STEP_SHEETS, sheet_title
from ui.views.case_view import CaseView
from ui.wizards import WIZARDS, PlanWizard, RecordCorrectionWizard, open_step_wizard

OPTIONS = dict(ask_restore_draft=lambda: True, ask_keep_draft=lambda: True)
ADDRESS = "本町1-2-3"
PHONE = "090-1234-5678"

# the sheet each wizard prints, as the brief names them (Japanese titles on the sheet)
OWN = {Step.ASSESSMENT: "インテーク・アセスメントシート", Step.PLAN: "プラン兼事業等利用申込書",
       Step.REPLAN: "プラン兼事業等利用申込書", Step.AMEND_PLAN: "プラン兼事業等利用申込書",
       Step.MONITORING: "モニタリングシート", Step.EVALUATION: "評価シート",
       Step.CLOSURE: "終結・フォローアップ記録", Step.RECORD: "支援経過記録シート"}


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not background.busy(), timeout=15000)
    collect_garbage_here()


@pytest.fixture(scope="module")
def walked(desk_template, tmp_path_factory):
    """A desk with one case taken through every step (tests/sheet_cases.py)."""
    folder = tmp_path_factory.mktemp("print_everywhere")
    path = copy_desk(desk_template, folder)
    desk = Desk.open(path, LOGIN, PASSWORD)
    try:
        info = full_case(desk)
    finally:
        desk.close()
    return path, info


@pytest.fixture
def d(walked, tmp_path):
    path, info = walked
    (tmp_path / "desk").mkdir()
    desk = Desk.open(copy_desk(path, tmp_path / "desk"), LOGIN, PASSWORD)
    desk._today = lambda: TODAY
    yield desk, info
    background.wait_idle()
    if not desk.closed:
        desk.close()


def text_of(url_or_path) -> str:
    path = url_or_path.toLocalFile() if hasattr(url_or_path, "toLocalFile") else url_or_path
    pdf = pdfium.PdfDocument(str(path))
    try:
        return re.sub(r"\s+", "", "".join(p.get_textpage().get_text_range() for p in pdf))
    finally:
        pdf.close()


def assert_pdf(url) -> Path:
    path = Path(url.toLocalFile())
    assert path.exists() and path.stat().st_size > 1000
    assert path.read_bytes().startswith(b"%PDF")
    assert path.parent.name.startswith("run-")  # the per-user print folder of this run
    return path


def wait_opened(qtbot, opened, n):
    qtbot.waitUntil(lambda: len(opened) >= n, timeout=20000)
    qtbot.waitUntil(lambda: not background.busy(), timeout=20000)


# ---------------------------------------------------------------------------- wizards
def all_wizards(desk, info, **kw):
    for step in WIZARDS:
        yield step, open_step_wizard(step, desk, info["case_id"], **OPTIONS, **kw)
    yield "edit", PlanWizard(desk, info["case_id"], mode="edit", **OPTIONS, **kw)
    record = next(r for r in desk.process.support_records(info["case_id"]) if r.supersedes is None)
    yield "correction", RecordCorrectionWizard(desk, info["case_id"], record_id=record.id,
                                               **OPTIONS, **kw)


def test_every_wizard_prints_its_own_sheet(qtbot, d, shots):
    desk, info = d
    opened, warnings = [], []
    n = 0
    for step, w in all_wizards(desk, info, opener=opened.append, warn=warnings.append):
        qtbot.addWidget(w)
        w.show()
        button = w.button(QWizard.WizardButton.CustomButton1)
        assert button.isVisible() and button.text().startswith("印刷")
        own = w.print_menu.own
        assert own == STEP_SHEETS[w.step]
        if step in OWN:
            assert sheet_title(own) == OWN[step]
        kinds = ("filled", "blank") if step in (Step.PLAN, Step.RECORD) else ("filled",)
        for kind in kinds:
            w.print_menu.action(own, kind).trigger()
            n += 1
            wait_opened(qtbot, opened, n)
            text = text_of(assert_pdf(opened[-1]))
            assert re.sub(r"\s", "", sheet_title(own)) in text, (step, own)
            assert info["case_no"] in text
        if step == Step.PLAN:
            button.click()  # the menu pops up above the button (not modal)
            qtbot.waitUntil(lambda w=w: w.print_menu.isVisible(), timeout=5000)
            w.grab().save(str(shots / "wizard_plan.png"))
            w.print_menu.grab().save(str(shots / "wizard_plan_menu.png"))
            w.print_menu.hide()
        w.close()
    assert not warnings, warnings


def test_wizard_for_another_agency_without_consent_asks_for_the_basis(qtbot, d):
    desk, info = d
    cid = info["case_id"]
    for c in desk.security.consents(cid):
        if c.withdrawn_on is None:
            desk.security.withdraw_consent(c.id, TODAY, "本人の申し出")

    def recipient(dialog):
        assert "プラン兼事業等利用申込書" in dialog.windowTitle()
        dialog.recipient.setText("ハローワークつなぐ")
        return accept(dialog)

    def basis(dialog):
        assert accept(dialog) is False  # nothing chosen: refused inside the dialog
        dialog.choices["meeting"].setChecked(True)
        dialog.reason_edit.setPlainText("令和8年11月12日の支援会議で共有を決定")
        return accept(dialog)

    dialogs = fake_dialogs(recipient, basis)
    opened = []
    w = open_step_wizard(Step.PLAN, desk, cid, opener=opened.append, dialogs=dialogs,
                         **OPTIONS)
    qtbot.addWidget(w)
    w.show()
    w.print_menu.action("plan", "agency").trigger()
    wait_opened(qtbot, opened, 1)
    assert not dialogs.queue  # both dialogs were asked
    found = desk.security.disclosures(cid)
    assert len(found) == 1 and found[0].basis.value == "meeting"
    assert found[0].recipient == "ハローワークつなぐ" and "支援会議" in found[0].reason
    text = text_of(opened[0])
    assert ADDRESS not in text and PHONE not in text
    audit = desk.security.audit_search(action="print", limit=1)
    assert audit and audit[0].detail == "plan → ハローワークつなぐ"


def test_for_another_agency_cancelled_records_nothing(qtbot, d):
    desk, info = d
    dialogs = fake_dialogs(lambda dialog: False)
    opened = []
    w = open_step_wizard(Step.RECORD, desk, info["case_id"], opener=opened.append,
                         dialogs=dialogs, **OPTIONS)
    qtbot.addWidget(w)
    w.print_menu.action("records", "agency").trigger()
    qtbot.wait(50)
    assert not opened and desk.security.disclosures(info["case_id"]) == []


# ---------------------------------------------------------------------------- case view
def test_case_view_menu_prints_every_sheet_filled_and_blank(qtbot, d, shots):
    desk, info = d
    opened, warnings = [], []
    view = CaseView(desk, desk.get_case(info["case_id"]), opener=opened.append,
                    warn=warnings.append)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    menu = view.print_menu
    titles = [a.text() for a in menu.actions() if a.menu() is not None]
    assert titles == [sheet_title(s) for s in SHEET_ORDER]
    assert "インテーク・アセスメントシート" in titles and "情報提供に関する同意書" in titles
    assert not [a for a in menu.actions() if a.menu() is None and a.text()]  # no strays
    n = 0
    for sheet in SHEET_ORDER:
        for kind in ("filled", "blank"):
            menu.action(sheet, kind).trigger()
            n += 1
            wait_opened(qtbot, opened, n)
            text = text_of(assert_pdf(opened[-1]))
            assert re.sub(r"\s", "", sheet_title(sheet))[:8] in text, (sheet, kind)
            if not (kind == "blank" and sheet.startswith("intake")):  # a new intake: empty
                assert info["case_no"] in text, (sheet, kind)
    assert view.print_button.isEnabled()
    menu.popup(view.mapToGlobal(view.rect().center()))
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    sub = menu.actions()[2].menu()
    sub.popup(menu.mapToGlobal(menu.actionGeometry(menu.actions()[2]).topRight()))
    qtbot.waitUntil(sub.isVisible, timeout=5000)
    menu.grab().save(str(shots / "case_view_menu.png"))
    sub.grab().save(str(shots / "case_view_submenu.png"))
    sub.hide()
    menu.hide()
    assert not warnings, warnings


def test_case_view_for_another_agency_with_consent(qtbot, d):
    desk, info = d
    dialogs = fake_dialogs(lambda dlg: (dlg.recipient.setText("社会福祉協議会"), accept(dlg))[1])
    opened = []
    view = CaseView(desk, desk.get_case(info["case_id"]), opener=opened.append,
                    warn=lambda t: None)
    view.dialogs = dialogs
    qtbot.addWidget(view)
    view.print_menu.action("assessment", "agency").trigger()
    wait_opened(qtbot, opened, 1)
    found = desk.security.disclosures(info["case_id"])
    assert len(found) == 1 and found[0].basis.value == "consent"
    assert found[0].scope == "インテーク・アセスメントシート"
    text = text_of(opened[0])
    assert ADDRESS not in text and PHONE not in text and "他機関への提供のため記載しません" in text


# ---------------------------------------------------------------------------- visit kit
def test_visit_kit_for_two_cases_chosen_in_the_case_list(qtbot, desk_with_cases, shots):
    desk = desk_with_cases
    opened = []
    window = MainWindow(desk, opener=opened.append, close_desk_on_exit=False,
                        show_error=lambda text: None, lock_options=dict(start_timer=False))
    qtbot.addWidget(window)
    window.show()
    cases = window.case_list
    qtbot.waitUntil(lambda: cases.model.rowCount() == 3, timeout=10000)
    assert not cases.visit_kit_button.isEnabled()
    rows = {r.name: i for i, r in enumerate(cases.model.rows)}
    chosen = ["佐藤 太郎", "山田 花子"]
    sel = cases.table.selectionModel()
    for name in chosen:
        sel.select(cases.model.index(rows[name], 0),
                   QItemSelectionModel.SelectionFlag.Select
                   | QItemSelectionModel.SelectionFlag.Rows)
    assert cases.visit_kit_button.isEnabled() and "2件" in cases.visit_kit_button.text()
    qtbot.wait(100)  # the bar is laid out again for the longer text
    window.grab().save(str(shots / "case_list_visit_kit.png"))
    cases.visit_kit_button.click()
    wait_opened(qtbot, opened, 1)
    path = assert_pdf(opened[0])
    text = text_of(path)
    for name in chosen:
        row = cases.model.rows[rows[name]]
        assert name.replace(" ", "") in text and row.case_no in text
    assert "髙橋" not in text
    pdf = pdfium.PdfDocument(str(path))
    try:
        for i in range(min(3, len(pdf))):
            pdf[i].render(scale=1.4).to_pil().save(str(shots / f"visit_kit_p{i + 1}.png"))
    finally:
        pdf.close()
    assert [r.case_id for r in desk.security.audit_search(action="print", limit=2)]


def test_blank_visit_kit_from_the_toolbar(qtbot, desk_with_cases):
    opened = []
    window = MainWindow(desk_with_cases, opener=opened.append, close_desk_on_exit=False,
                        show_error=lambda text: None, lock_options=dict(start_timer=False))
    qtbot.addWidget(window)
    assert window.visit_kit_action.text() == "訪問用セット（新規の方）"
    # on the toolbar: the ▾ of 白紙の申込票 (the intake form stays one click)
    assert window.visit_kit_action in window.blank_action.menu().actions()
    window.visit_kit_action.trigger()
    wait_opened(qtbot, opened, 1)
    text = text_of(assert_pdf(opened[0]))
    assert "相談受付・申込票" in text and "髙橋" not in text and "佐藤" not in text


def test_consent_dialog_prints_the_consent_form(qtbot, desk_with_cases):
    desk = desk_with_cases
    target = next(c for c in desk.list_cases() if c.name.startswith("佐藤"))
    opened = []
    from ui.dialogs.consent import ConsentDialog
    dialog = ConsentDialog(desk, target.id, fake_dialogs())
    dialog.printer.opener = opened.append
    qtbot.addWidget(dialog)
    assert dialog.print_button.print_menu.own == "consent"
    dialog.print_button.print_menu.action("consent", "filled").trigger()
    wait_opened(qtbot, opened, 1)
    assert "情報提供に関する同意書" in text_of(assert_pdf(opened[0]))
    assert NAME  # noqa: B018 - the walked case's name is used in the other tests
    assert Qt  # noqa: B018
