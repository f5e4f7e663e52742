"""管理 › マスターデータ: a referral source added in the tab is offered in the intake wizard;
a service deactivated there is gone from the plan wizard's choices; the core's messages are
shown; no modal dialog is ever exec()'d (dialogs injected)."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.assessment import AssessmentInput, ScreeningResult
from app.operations.master import MasterKind
from tests.conftest import make_intake
from tests.ui.conftest import type_text
from tests.ui.helpers_security import accept, collect_garbage_here, fake_dialogs
from ui import background
from ui.wizards.intake import IntakeWizard
from ui.views.admin import AdminView
from ui.wizards import PlanWizard

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qtbot):
    yield
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    collect_garbage_here()


def _fail(text: str) -> None:
    raise AssertionError(text)


def admin_view(qtbot, desk, dialogs) -> AdminView:
    view = AdminView(desk, dialogs=dialogs)
    qtbot.addWidget(view)
    view.resize(1200, 720)
    view.show()
    view.tabs.setCurrentWidget(view.master)
    assert view.tabs.tabText(view.tabs.currentIndex()) == "マスターデータ"
    settle(qtbot)
    return view


def settle(qtbot) -> None:
    """The lists are read in the background (their use counts read every record)."""
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)


def save_png(folder, widget, name: str) -> None:
    widget.grab().save(str(folder / f"{name}.png"))


def test_added_referral_source_is_offered_in_the_intake_wizard(qtbot, desk, shots):
    def empty_then_duplicate_then_good(d):
        assert d.windowTitle() == "追加：紹介元"
        d.route.setCurrentIndex(d.route.findData("agency"))
        assert accept(d) is False                       # no name: the core's message
        assert "紹介元の名称" in d.error.text() and "入力" in d.error.text()
        type_text(d.name, "ハローワーク")
        assert accept(d) is False                       # already in the list
        assert "既に" in d.error.text()
        d.name.clear()
        type_text(d.name, "フードバンクつなぐ")
        save_png(shots, d, "add_dialog")
        return accept(d)

    dialogs = fake_dialogs(empty_then_duplicate_then_good)
    view = admin_view(qtbot, desk, dialogs)
    panel = view.master.lists[MasterKind.REFERRAL_SOURCE]
    panel.add_button.click()
    settle(qtbot)
    assert "フードバンクつなぐ" in panel.message.text()
    assert panel.selected().name == "フードバンクつなぐ"
    panel.up_button.click()                             # above 「その他の関係機関」
    settle(qtbot)
    names = [panel.table.topLevelItem(i).text(0) for i in range(panel.table.topLevelItemCount())]
    assert names[-2:] == ["フードバンクつなぐ", "その他の関係機関"]
    save_png(shots, view, "referral_sources")

    wizard = IntakeWizard(desk, ask_restore_draft=lambda: False, ask_keep_draft=lambda: False,
                          ask_same_person=lambda persons: None, show_error=_fail)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.consultation
    page.route["agency"].setChecked(True)
    offered = [page.source.itemText(i) for i in range(page.source.count())]
    assert "フードバンクつなぐ" in offered
    assert offered.index("フードバンクつなぐ") == offered.index("その他の関係機関") - 1
    page.route["municipal"].setChecked(True)
    assert "フードバンクつなぐ" not in [page.source.itemText(i)
                                      for i in range(page.source.count())]
    wizard.close()


def plan_case(desk) -> str:
    cid = desk.register_intake(make_intake(received=date(2026, 11, 2))).case.id
    desk.process.save_assessment(cid, AssessmentInput(date(2026, 11, 4), problems=["job_search"],
                                                analysis="離職後の孤立"))
    desk.process.screen(cid, ScreeningResult.CONTINUE, date(2026, 11, 4))
    return cid


def test_deactivated_service_is_gone_from_the_plan_wizard(qtbot, desk, shots):
    desk._today = lambda: TODAY
    cid = plan_case(desk)
    dialogs = fake_dialogs()
    view = admin_view(qtbot, desk, dialogs)
    view.master.tabs.setCurrentWidget(view.master.lists[MasterKind.SERVICE])
    settle(qtbot)
    panel = view.master.lists[MasterKind.SERVICE]
    panel.select("ハローワーク等との連携")
    assert panel.delete_button.isEnabled()               # no record uses it yet
    panel.deactivate_button.click()
    settle(qtbot)
    assert dialogs.confirmed and "ハローワーク等との連携" in dialogs.confirmed[-1]
    assert "選択肢に出なくなりました" in panel.message.text()
    e = panel.selected()
    assert e.name == "ハローワーク等との連携" and not e.active
    assert panel.table.currentItem().text(5) == "無効（選択肢に出さない）"
    assert panel.reactivate_button.isEnabled() and not panel.deactivate_button.isEnabled()
    save_png(shots, view, "services")

    wizard = PlanWizard(desk, cid, ask_restore_draft=lambda: True, ask_keep_draft=lambda: True,
                        show_error=_fail)
    qtbot.addWidget(wizard)
    wizard.show()
    combo = wizard.page_named("items").inputs["items"].cell(0, "service_key")
    keys = [combo.itemData(i) for i in range(combo.count())]
    assert "hello_work" not in keys and "work_preparation" in keys
    wizard.close()


def test_a_used_entry_cannot_be_deleted_and_the_core_says_why(qtbot, desk, shots):
    desk.register_intake(make_intake(route="municipal", referral_source="税務課"))
    dialogs = fake_dialogs()
    view = admin_view(qtbot, desk, dialogs)
    panel = view.master.lists[MasterKind.REFERRAL_SOURCE]
    panel.select("税務課")
    assert not panel.delete_button.isEnabled()
    assert panel.table.currentItem().text(3) == "1"     # used by one record
    panel.delete()                                      # even if called: the core refuses
    settle(qtbot)
    assert panel.error.isVisible() and "削除できません" in panel.error.text()
    # the assessment lists are there too, in Japanese
    view.master.tabs.setCurrentWidget(view.master.lists[MasterKind.PROBLEM])
    assert view.master.tabs.tabText(view.master.tabs.currentIndex()) == "課題チェックリスト"
    save_png(shots, view, "problems")
