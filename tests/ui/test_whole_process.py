"""ONE case through the whole process in the GUI, wizard by wizard, in the main window:
相談受付 → アセスメント → スクリーニング → プラン → 支援調整会議 → 支援決定 → サービス開始 →
支援経過記録 → モニタリング → プラン評価 (→ 会議) → 終結 (→ 会議) → フォローアップ.

The 支援調整会議 results are recorded on the meeting screen (ui/views/meetings.py). Meetings
are scheduled through the Desk (``plan_meeting``): scheduling is that screen's own test."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QWizard

from app.domain import Stage
from app.domain.closure import ClosurePattern
from app.domain.meeting import MeetingResult, Participant
from app.domain.plan import PlanStatus
from app import process as P
from app.i18n import _
from app.process import Step
from tests.ui.conftest import next_page, type_text
from tests.ui.test_process_wizards import finish
from ui import background
from ui.main_window import MainWindow
from ui.views.meetings import COL_RESULT


def _fail(text: str) -> None:
    raise AssertionError(text)


OPTIONS = dict(ask_restore_draft=lambda: True, ask_keep_draft=lambda: True, show_error=_fail,
               ask_same_person=lambda persons: None)


def test_one_case_through_the_whole_process(qtbot, desk):
    clock = {"today": date(2026, 4, 1)}
    desk._today = lambda: clock["today"]
    window = MainWindow(desk, opener=lambda url: None, close_desk_on_exit=False,
                        wizard_options=OPTIONS)
    qtbot.addWidget(window)
    window.show()
    # the window's desk takes the lock the background worker takes: the test calls it too

    def step(s: Step):
        view = window.current_case_view()
        qtbot.waitUntil(lambda: s in view.step_buttons and view.step_buttons[s].isEnabled()
                        and not background.busy(), timeout=10000)
        view.step_buttons[s].click()
        return view.wizard

    def meeting_approves(meeting_id: str) -> None:
        case_tab = window.tabs.currentIndex()
        meetings = window.open_area("meetings")
        qtbot.waitUntil(lambda: not meetings.busy(), timeout=10000)
        meetings.select_meeting(meeting_id)
        qtbot.waitUntil(lambda: meetings.meeting is not None and meetings.meeting.id == meeting_id
                        and meetings.agenda_model.rowCount() > 0 and not meetings.busy(),
                        timeout=10000)
        for row in range(meetings.agenda_model.rowCount()):
            combo = meetings.editor(row, COL_RESULT)
            combo.setCurrentIndex(combo.findData(MeetingResult.APPROVED.value))
        meetings.save_button.click()
        qtbot.waitUntil(lambda: meetings.meeting.held and not meetings.busy(), timeout=10000)
        window.tabs.setCurrentIndex(case_tab)       # the case view reads the case again

    # ---- 相談受付 (the intake wizard)
    intake = window.new_intake()
    p = intake.person
    type_text(p.name, "髙橋 𠮷子")
    type_text(p.kana, "たかはし よしこ")
    type_text(p.birth.edit, "S55.5.6")
    p.sex["female"].setChecked(True)
    next_page(intake)
    c = intake.consultation
    c.route["self"].setChecked(True)
    c.topics["job_search"].setChecked(True)
    type_text(c.consultation, "仕事が見つからず、家賃が払えない。")
    next_page(intake)
    intake.triage.triage["continue"].setChecked(True)
    next_page(intake)
    intake.consent.consent["yes"].setChecked(True)
    next_page(intake)
    assert intake.currentPage() is intake.confirm
    intake.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: window.current_case_view() is not None, timeout=10000)
    view = window.current_case_view()
    cid = view.detail.case.id

    # ---- アセスメント
    clock["today"] = date(2026, 4, 8)
    w = step(Step.ASSESSMENT)
    type_text(w.page_named("domains").inputs["domains.work"], "長期離職。生活リズムが乱れている。")
    w.page_named("problems").inputs["problems"].boxes["job_search"].setChecked(True)
    analysis = w.page_named("analysis")
    type_text(analysis.inputs["analysis"], "離職後の孤立と生活習慣の乱れ")
    type_text(analysis.inputs["strengths"], "まじめで約束を守る")
    type_text(analysis.inputs["wishes"], "働きたい")
    finish(qtbot, w)
    assert w.recorded

    # ---- スクリーニング (継続支援, reported to the municipality)
    w = step(Step.SCREENING)
    w.page_named("result").inputs["result"].set_value("continue")
    type_text(w.page_named("report").inputs["reported_on"].edit, "R8.4.8")
    finish(qtbot, w)
    assert w.recorded

    # ---- プラン (a statutory service and the agency's own support), submitted to a meeting
    first_meeting = window.desk.process.plan_meeting(date(2026, 4, 22), participants=[
        Participant("町 一郎", "つなぐ町福祉課")]).id
    clock["today"] = date(2026, 4, 15)
    w = step(Step.PLAN)
    type_text(w.page_named("aim").inputs["aim"], "自分の収入で暮らす")
    goals = w.page_named("goals").inputs["goals"]
    type_text(goals.cell(0, "text"), "生活リズムを整える")
    type_text(goals.cell(0, "target_on"), "R8.9.30")
    items = w.page_named("items").inputs["items"]
    type_text(items.cell(0, "what"), "就労準備支援事業で生活リズムを整える")
    items.cell(0, "service_key").setCurrentIndex(
        items.cell(0, "service_key").findData("work_preparation"))
    type_text(items.cell(0, "provider"), "つなぐ町社協")
    type_text(items.cell(1, "what"), "月2回の面談")
    items.cell(1, "service_key").setCurrentIndex(
        items.cell(1, "service_key").findData("self_reliance"))
    schedule = w.page_named("schedule")
    type_text(schedule.inputs["period_from"].edit, "R8.4.22")
    type_text(schedule.inputs["period_to"].edit, "R8.9.30")
    sign = w.page_named("signature")
    type_text(sign.inputs["signed_on"].edit, "R8.4.15")
    sign.inputs["submit_now"].setChecked(True)
    sign.inputs["meeting"].setCurrentIndex(sign.inputs["meeting"].findData(first_meeting))
    finish(qtbot, w)
    assert w.recorded
    qtbot.waitUntil(lambda: view.stage_bar.labels[Stage.MEETING].property("current") is True,
                    timeout=10000)
    assert view.step_reasons[Step.DECISION].text() == "支援調整会議の了承が必要です"

    # ---- 支援調整会議: 了承
    clock["today"] = date(2026, 4, 22)
    meeting_approves(first_meeting)
    qtbot.waitUntil(lambda: view.stage_bar.labels[Stage.DECISION].property("current") is True,
                    timeout=10000)
    assert window.desk.process.current_plan(cid).status is PlanStatus.APPROVED

    # ---- 支援決定 (the statutory 就労準備支援事業)
    clock["today"] = date(2026, 4, 24)
    w = step(Step.DECISION)
    page = w.page_named("decision")
    assert page.inputs["service_key"].currentText() == "就労準備支援事業"
    type_text(page.inputs["officer"], "町 一郎")
    finish(qtbot, w)
    assert w.recorded

    # ---- サービス開始 (both items)
    clock["today"] = date(2026, 5, 1)
    w = step(Step.SERVICE_START)
    rows = w.page_named("start").inputs["items"]
    for r in range(rows.table.rowCount()):
        rows.cell(r, "start").setChecked(True)
    finish(qtbot, w)
    assert w.recorded
    qtbot.waitUntil(lambda: view.stage_bar.labels[Stage.SUPPORT].property("current") is True,
                    timeout=10000)
    assert "開始" in view.plan_label.text() and "支援決定済み" in view.plan_label.text()

    # ---- 支援経過記録
    w = step(Step.RECORD)
    page = w.page_named("record")
    page.inputs["method"].set_value("office")
    type_text(page.inputs["content"], "面談。求人票を一緒に見た。")
    type_text(page.inputs["contact_person"], "本人")
    finish(qtbot, w)
    assert w.recorded

    # ---- モニタリング (支援開始直後)
    clock["today"] = date(2026, 5, 14)
    w = step(Step.MONITORING)
    w.page_named("basics").inputs["kind"].set_value("after_start")
    progress = w.page_named("progress")
    type_text(progress.inputs["change"], "朝起きられるようになった")
    type_text(progress.inputs["progress"].cell(0, "progress"), "週3回通所できている")
    finish(qtbot, w)
    assert w.recorded
    qtbot.waitUntil(lambda: view.stage_bar.labels[Stage.MONITORING].property("current") is True,
                    timeout=10000)

    # ---- プラン評価 → 終結, at the 支援調整会議
    second_meeting = window.desk.process.plan_meeting(date(2026, 10, 7), participants=[
        Participant("町 一郎", "つなぐ町福祉課")]).id
    clock["today"] = date(2026, 9, 30)
    w = step(Step.EVALUATION)
    att = w.page_named("goals").inputs["attainment"]
    att.cell(0, "attainment").setCurrentIndex(att.cell(0, "attainment").findData("met"))
    w.page_named("outcomes").inputs["improved"].boxes["motivation"].setChecked(True)
    type_text(w.page_named("outcomes").inputs["employed_on"].edit, "R8.9.1")
    w.page_named("decision").inputs["decision"].set_value("close")
    assert w.path() == ["goals", "outcomes", "decision", "closure_intent", "meeting", "confirm"]
    type_text(w.page_named("closure_intent").inputs["closure_intent"], "もう大丈夫です")
    meeting = w.page_named("meeting").inputs["meeting"]
    meeting.setCurrentIndex(meeting.findData(second_meeting))
    finish(qtbot, w)
    assert w.recorded
    clock["today"] = date(2026, 10, 7)
    meeting_approves(second_meeting)

    # ---- 終結 (1): the meeting decided it with the プラン評価 (no second agenda item)
    clock["today"] = date(2026, 10, 14)
    w = step(Step.CLOSURE)
    page = w.page_named("pattern")
    page.inputs["pattern"].set_value("1")
    type_text(page.inputs["reason"], "就職し、生活が安定した")
    intention = w.page_named("intention")
    # issue 14: the intention typed in the evaluation comes along, not typed again
    assert intention.inputs["intention"].toPlainText() == "もう大丈夫です"
    intention.inputs["intention_how"].setText("")
    type_text(intention.inputs["intention_how"], "面談")
    intention.inputs["intention_on"].setText("")
    type_text(intention.inputs["intention_on"].edit, "R8.10.14")
    type_text(w.page_named("followup").inputs["followup_plan"], "3か月後に担当が電話で確認")
    finish(qtbot, w)
    assert w.recorded
    qtbot.waitUntil(lambda: view.stage_bar.labels[Stage.CLOSED].property("current") is True,
                    timeout=10000)

    # ---- フォローアップ
    clock["today"] = date(2027, 1, 20)
    w = step(Step.FOLLOWUP)
    page = w.page_named("followup")
    page.inputs["method"].setEditText("電話")
    type_text(page.inputs["content"], "仕事を続けている")
    finish(qtbot, w)
    assert w.recorded

    # ---- the end: the stage bar and the timeline
    qtbot.waitUntil(lambda: view.timeline.topLevelItemCount() > 0 and view.timeline
                    .topLevelItem(0).text(1) == "フォローアップ" and not background.busy(),
                    timeout=10000)
    bar = view.stage_bar
    assert bar.labels[Stage.CLOSED].property("current") is True
    assert not bar.flag.text()
    kinds = [view.timeline.topLevelItem(i).text(1) for i in range(view.timeline.topLevelItemCount())]
    for kind in ("受付", "アセスメント", "スクリーニング", "プラン", "支援調整会議", "支援決定",
                 "サービス開始", "支援経過記録", "モニタリング", "プラン評価", "終結",
                 "フォローアップ"):
        assert kind in kinds, kind
    assert kinds[0] == "フォローアップ" and kinds[-1] == "受付"
    texts = [view.timeline.topLevelItem(i).text(2) for i in range(view.timeline.topLevelItemCount())]
    assert any(t.startswith("新規プラン") and "了承" in t for t in texts)
    assert any(t.startswith(ClosurePattern.RESOLVED.label) for t in texts)
    assert not any(t.startswith(("approved", "close", "office", "work_preparation"))
                   for t in texts)           # labels, never raw keys
    # the closed case allows only what comes after closure
    assert view.step_buttons[Step.FOLLOWUP].isEnabled()
    assert not view.step_buttons[Step.MONITORING].isEnabled()
    assert view.step_reasons[Step.ASSESSMENT].text() == _(P.CLOSED)
    assert "相談受付" in _(P.CLOSED)
