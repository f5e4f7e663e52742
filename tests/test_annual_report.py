"""The yearly report (app/reports/annual.py) on a small desk built by hand through the Desk:
every figure below is computed by hand from the steps written here (see the comments), not
read back from the code. Also the json / xlsx / pdf outputs and the CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.domain.assessment import AssessmentInput, ScreeningResult
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import AgendaKind, MeetingResult, Participant
from app.domain.monitoring import MonitoringInput, MonitoringKind
from app.domain.plan import Goal, Plan, PlanInput, PlanItem
from app.cli import main as cli_main
from app.domain import Route, Triage
from app.errors import PermissionDenied, ValidationError, ValidationErrors
from app.domain.region import ComplaintInput, IncidentInput, ResourceInput
from app.reports.annual import median, p90
from app.security.roles import Role
from tests.conftest import LOGIN, PASSWORD, make_intake
from forms.sheets import render

TODAY = date(2026, 12, 1)
PW = "password-5678"


def meeting(d, on: date) -> str:
    return d.process.plan_meeting(on, "regular", place="役場", participants=[
        Participant("町 一郎", "つなぐ町福祉課")]).id


def decide(d, meeting_id: str) -> None:
    items = d.process.pending_agenda(meeting_id)
    d.process.record_meeting_results(meeting_id, {i.id: (MeetingResult.APPROVED, "") for i in items})


def assess_and_screen(d, cid: str, on: date) -> None:
    d.process.save_assessment(cid, AssessmentInput(assessed_on=on, domains={"work": "離職中"},
                                             problems=["job_search"], analysis="孤立"))
    d.process.screen(cid, ScreeningResult.CONTINUE, on, reported_on=on)


def plan_approved(d, cid: str, on: date, first_monitoring: date) -> Plan:
    plan = d.process.draft_plan(cid, PlanInput(
        aim="自分の収入で暮らす", goals=[Goal("生活リズムを整える", date(2027, 3, 31))],
        items=[PlanItem("面談", "self_reliance", frequency="月1回")],
        period_from=on, period_to=date(2027, 3, 31), next_monitoring_on=first_monitoring,
        signed_on=on))
    m = meeting(d, on)
    d.process.submit_plan(plan.id, m)
    decide(d, m)
    return d.process.plan(plan.id)


@pytest.fixture(scope="module")
def built(tmp_path_factory, desk_template):
    """The hand-built desk (FY2026 = 2026-04-01 … 2027-03-31, figures as of 2026-12-01)."""
    from tests.conftest import copy_desk
    from app.desk import Desk
    path = copy_desk(desk_template, tmp_path_factory.mktemp("annual"))
    d = Desk.open(path, LOGIN, PASSWORD)
    d._today = lambda: TODAY
    d.security.add_user("chief", "主任 一郎", Role.CHIEF, PW)
    d.security.add_user("con", "相談 花子", Role.CONSULTANT, PW)
    d.security.add_user("view", "閲覧 太郎", Role.VIEWER, PW)
    staff = {s.login: s.id for s in d.staff()}
    # A: self, 45 at intake (40-49), main topic debt, continue.
    a = d.register_intake(make_intake(received=date(2026, 4, 1))).case.id
    assess_and_screen(d, a, date(2026, 4, 8))                      # 7 days to assessment
    pa = plan_approved(d, a, date(2026, 4, 22), date(2026, 5, 15))  # 21 days to approval
    d.process.start_service(pa.items[0].id, date(2026, 5, 1))
    d.process.add_monitoring(a, MonitoringInput(date(2026, 5, 14), MonitoringKind.AFTER_START,
                                        next_on=date(2026, 6, 14)))  # due 5/15: on time
    d.process.add_monitoring(a, MonitoringInput(date(2026, 6, 25), next_on=date(2026, 7, 25)))
    # due 6/14: next monitoring 6/25 > 6/21 (7 days' grace): late; due 7/25: none: late
    m = meeting(d, date(2026, 10, 7))
    d.process.evaluate(a, EvaluationInput(date(2026, 9, 30), [("生活リズムを整える", Attainment.PARTLY)],
                                  EvaluationDecision.CONTINUE, motivation=True,
                                  participation=True), m)
    decide(d, m)
    # B: municipal (税務課), 25 at intake (20-29), main topic job_search, continue.
    b = d.register_intake(make_intake(
        name="山田 太郎", kana="やまだ たろう", birth=date(2001, 1, 1),
        received=date(2026, 5, 10), route=Route.MUNICIPAL, referral_source="税務課",
        topics=["job_search"], main_topic="job_search")).case.id
    assess_and_screen(d, b, date(2026, 5, 20))                     # 10 days
    pb = plan_approved(d, b, date(2026, 6, 10), date(2026, 6, 20))  # 31 days
    d.process.start_service(pb.items[0].id, date(2026, 6, 12))
    d.process.add_monitoring(b, MonitoringInput(date(2026, 6, 18), MonitoringKind.AFTER_START,
                                        next_on=date(2026, 7, 18)))  # due 6/20: on time
    d.process.add_monitoring(b, MonitoringInput(date(2026, 7, 20), next_on=date(2027, 1, 20)))
    # due 7/18: 7/20 ≤ 7/25: on time; due 2027-01-20 is after the report's day: not yet
    d.process.add_contact_attempt(b, date(2026, 8, 6), "phone", note="電話に出ない")
    d.process.add_contact_attempt(b, date(2026, 8, 20), "note_at_home", note="連絡票")  # 2 means, 14 days
    m = meeting(d, date(2026, 9, 2))
    d.process.propose_suspension(b, date(2026, 9, 1), "連絡が取れない", m)
    decide(d, m)                                                   # 中断 confirmed 9/2
    # C: outreach, no birth date (unknown age), information only.
    from app.domain import PersonInput, Sex
    c_in = make_intake(name="佐藤 花子", kana="さとう はなこ", received=date(2026, 6, 1),
                       triage=Triage.INFO_ONLY, route=Route.OUTREACH)
    c_in.person = PersonInput(name="佐藤 花子", kana="さとう はなこ", birth_date=None,
                              sex=Sex.FEMALE)
    d.register_intake(c_in)
    # D: intake in FY2025, first assessment in FY2026 (14 days), no plan.
    dd = d.register_intake(make_intake(name="鈴木 一郎", kana="すずき いちろう",
                                       received=date(2026, 3, 20))).case.id
    assess_and_screen(d, dd, date(2026, 4, 3))
    # E: 76 at intake (70-), referred to a resource of the directory.
    d.region.add_resource(ResourceInput(name="ハローワーク髙崎", kind="public", field="就労"))
    d.register_intake(make_intake(name="田中 進", kana="たなか すすむ", birth=date(1950, 1, 1),
                                  received=date(2026, 7, 1), triage=Triage.REFER,
                                  referral_to="ﾊﾛｰﾜｰｸ高崎"))
    # region: 3 issues raised today (FY2026); one becomes a resource, one has case B behind
    food = d.region.raise_regional_issue("夜間の食料支援がない", source="case", case_no=d.get_case(a)
                                  .case.case_no)
    d.region.set_issue_status(food.id, "discussing")
    new = d.region.add_resource(ResourceInput(name="夜間フードパントリー", kind="informal"))
    d.region.set_issue_status(food.id, "created", resource_id=new.id)
    jobs = d.region.raise_regional_issue("若者の就労体験先が少ない")
    d.region.link_issue_case(jobs.id, d.get_case(b).case.case_no)
    m = meeting(d, date(2026, 11, 4))
    d.process.add_agenda_item(m, AgendaKind.REGIONAL_ISSUE, summary="移動手段がない地区がある")
    for on, kind, n in ((date(2026, 6, 1), "seminar", 25), (date(2026, 7, 10),
                        "job_development", 2), (date(2026, 3, 1), "liaison", 9)):
        d.region.add_region_activity(on, kind, "活動", participants=n)
    # staff: chief has the chief course; the consultant only another course and an Off-JT
    d.region.add_training(staff["chief"], "national", date(2026, 5, 20), course="chief")
    d.region.add_training(staff["con"], "national", date(2025, 11, 1), course="employment")
    d.region.add_training(staff["con"], "off_jt", date(2026, 8, 2), title="県研修")
    d.region.add_ojt_session(date(2026, 9, 1), "case_review", "長期離職", case_numbers=[
        d.get_case(a).case.case_no], participants=[staff["chief"], staff["con"]])
    d.region.add_complaint(ComplaintInput(received_on=date(2026, 10, 2), content="待ち時間が長い"))
    d.region.add_incident(IncidentInput(occurred_on=date(2026, 11, 5), kind="personal_data",
                                 what="FAX誤送信", audit_refs=[1]))
    d.region.add_incident(IncidentInput(occurred_on=date(2026, 11, 6), kind="safety",
                                 severity="minor", what="来所者が転倒"))
    d.region.save_annual_plan(2026, goals_support="受付から2週間以内にアセスメント",
                       targets={"new_consultations": 30, "activities": 4})
    d.close()
    return path


@pytest.fixture
def report(built):
    from app.desk import Desk
    d = Desk.open(built, LOGIN, PASSWORD)
    d._today = lambda: TODAY
    yield d.region.annual_report(2026), d
    d.close()


def test_median_and_p90_by_hand():
    assert median([7, 10, 14]) == 10 and p90([7, 10, 14]) == 14
    assert median([21, 31]) == 26 and p90([21, 31]) == 31
    assert median([]) is None and p90([]) is None
    assert p90(list(range(1, 11))) == 9   # nearest rank: the 9th of 10


def test_process_figures(report):
    r, _d = report
    pr = r["process"]
    assert pr["intake_to_assessment_days"] == {"cases": 3, "median": 10.0, "p90": 14.0}
    assert pr["intake_to_plan_approval_days"] == {"cases": 2, "median": 26.0, "p90": 31.0}
    assert pr["monitoring"] == {"due": 5, "on_time": 3, "rate": 0.6, "grace_days": 7}
    assert pr["meetings_held"] == 4          # 4/22, 6/10, 9/2, 10/7 (11/4 not yet held)
    assert pr["suspension"] == {"suspended_cases": 1, "cases_with_plan": 2, "rate": 0.5}


def test_plan_structure_outcome(report):
    r, _d = report
    rows = {x["key"]: x for x in r["plan"]["rows"]}
    assert rows["new_consultations"] == {"key": "new_consultations", "target": 30,
                                         "actual": 4, "attainment": round(4 / 30, 4)}
    # default: 12 per 100,000 per month × 8,200 × 12 = 11.8 → 12
    assert rows["plans_created"]["target"] == 12 and rows["plans_created"]["actual"] == 2
    assert rows["employment_support_targets"]["target"] == 7   # 6.888 → 7
    assert rows["activities"] == {"key": "activities", "target": 4, "actual": 2,
                                  "attainment": 0.5}
    assert rows["employed"]["target"] is None and rows["employed"]["attainment"] is None
    assert r["plan"]["goals"]["support"] == "受付から2週間以内にアセスメント"
    st = r["structure"]
    assert st["staff_by_role"] == {"admin": 1, "chief": 1, "consultant": 1, "viewer": 1}
    assert st["national_training"] == {"required": 2, "completed": 1, "rate": 0.5}
    assert st["trainings_in_year"] == {"national": 1, "off_jt": 1}   # 2025-11 is FY2025
    assert (st["ojt_sessions"], st["case_reviews"]) == (0, 1)
    assert st["resources"] == {"active": 2, "by_kind": {"public": 1, "informal": 1},
                               "added_in_year": 2}
    oc = r["outcome"]
    assert oc["evaluations"] == 1
    assert oc["improved"] == {"motivation": 1, "relationships": 0, "participation": 1,
                              "hardship": 0}
    assert oc["closed"] == 0 and oc["closed_by_pattern"] == {"1": 0, "2": 0, "3": 0}


def test_reach_shows_who_gets_a_plan(report):
    r, _d = report
    rc = r["reach"]
    assert (rc["new_consultations"], rc["with_plan"], rc["plan_rate"]) == (4, 2, 0.5)
    by = lambda key: {g["key"]: (g["consultations"], g["with_plan"]) for g in rc[key]}  # noqa
    assert by("by_route") == {"self": (2, 1), "municipal": (1, 1), "outreach": (1, 0)}
    assert [g["key"] for g in rc["by_age_band"]] == ["20-29", "40-49", "70-", "unknown"]
    assert by("by_age_band") == {"20-29": (1, 1), "40-49": (1, 1), "70-": (1, 0),
                                 "unknown": (1, 0)}
    assert by("by_triage") == {"continue": (2, 2), "info_only": (1, 0), "refer": (1, 0)}
    assert by("by_main_topic") == {"debt": (3, 1), "job_search": (1, 1)}


def test_region_and_risk(report):
    r, _d = report
    rg = r["region"]
    assert rg["issues_by_status"] == {"created": 1, "noted": 2}
    assert rg["issues_raised_in_year"] == 3 and rg["resources_created"] == 1
    assert rg["cases_behind_open_issues"] == 1       # B behind the 就労体験 issue
    assert [(i["title"], i["status"], i["cases"]) for i in rg["issues"]] == [
        ("移動手段がない地区がある", "noted", 0), ("夜間の食料支援がない", "created", 1),
        ("若者の就労体験先が少ない", "noted", 1)]
    assert rg["activities"] == {"count": 2, "participants": 27, "by_kind": {
        "seminar": {"count": 1, "participants": 25},
        "job_development": {"count": 1, "participants": 2}}}
    rk = r["risk"]
    assert (rk["complaints"], rk["complaints_completed"], rk["incidents"]) == (1, 0, 2)
    assert rk["incidents_by_kind"] == {"personal_data": 1, "safety": 1}


def test_report_has_no_names_and_is_audited(report):
    r, d = report
    text = json.dumps(r, ensure_ascii=False)
    for name in ("髙橋", "山田", "佐藤", "鈴木", "田中", "相談 花子"):
        assert name not in text
    assert any(e.action == "view_statistics" and "annual FY2026" in e.detail
               for e in d.store.audit_entries())


def test_outputs_and_cli(report, built, tmp_path, monkeypatch, capsys):
    r, d = report
    pdf = d.region.export_annual_report(2026, tmp_path / "a.pdf", "pdf", render=render)
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(pdf))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert len(doc) >= 2
    assert "令和8年度" in text and "事業報告" in text and "支援が届いた人" in text
    doc.close()
    xlsx = d.region.export_annual_report(2026, tmp_path / "a.xlsx", "xlsx")
    from openpyxl import load_workbook
    wb = load_workbook(xlsx)
    assert len(wb.sheetnames) == 8
    first = wb[wb.sheetnames[0]]
    assert [c.value for c in first[2]][:3] == ["新規相談受付件数", "30", "4"]
    with pytest.raises(ValidationError):
        d.region.export_annual_report(2026, tmp_path / "a.csv", "csv")
    d.close()
    monkeypatch.setenv("TSUNAGU_PASSWORD", PASSWORD)
    base = ["--db", str(built), "--user", LOGIN]
    assert cli_main(["report", "annual", *base, "--year", "2026"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fiscal_year"] == 2026 and out["reach"]["new_consultations"] == 4
    assert cli_main(["report", "annual", *base, "--year", "2026", "--format", "xlsx",
                     "--out", str(tmp_path / "c.xlsx")]) == 0
    assert (tmp_path / "c.xlsx").stat().st_size > 0


def test_annual_access(built, tmp_path):
    from app.desk import Desk
    from tests.conftest import copy_desk
    built = copy_desk(built, tmp_path)          # the shared desk stays as built
    with Desk.open(built, "view", PW) as v:      # 閲覧: statistics only
        v._today = lambda: TODAY
        assert v.region.annual_report(2026)["fiscal_year"] == 2026
        with pytest.raises(PermissionDenied):
            v.region.save_annual_plan(2026, goals_region="x")
    with Desk.open(built, "con", PW) as c:
        with pytest.raises(PermissionDenied):
            c.region.save_annual_plan(2026, goals_region="x")
    with Desk.open(built, "chief", PW) as ch:
        ch._today = lambda: TODAY
        with pytest.raises(ValidationErrors):
            ch.region.save_annual_plan(2026, targets={"plans_created": "-1"})
        with pytest.raises(ValidationErrors):
            ch.region.save_annual_plan(2026, targets={"nonsense": 1})
        with pytest.raises(ValidationError):
            ch.region.annual_report(26)
        plan = ch.region.save_annual_plan(2026, targets={"plans_created": "１５"})  # full-width
        assert plan["targets"]["plans_created"] == 15
        assert plan["targets"]["new_consultations"] == 24   # not given now: the default again
