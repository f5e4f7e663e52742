"""Monthly and fiscal-year statistics (STATISTICS.md): hand-computed figures for the small
ledger of tests/test_ledger.py, the same figures when the cases go through the Desk, the
cases behind a figure, targets, and the CSV / xlsx / PDF exports read back."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from app.domain.assessment import AssessmentInput, ScreeningResult
from app.domain.evaluation import Attainment, EvaluationDecision, EvaluationInput
from app.domain.meeting import MeetingResult, Participant
from app.domain.plan import Goal, PlanInput, PlanItem
from app.cli import main as cli_main
from app.domain import Route, Triage
from app.errors import PermissionDenied, ValidationError, ValidationErrors
from app.reports import statistics as S
from app.reports.export import ExportError
from tests.conftest import LOGIN, PASSWORD, make_intake
from tests.test_ledger import LEDGER, TODAY, write_csv
from forms.sheets import render

# month -> the counts that are not 0 (hand-computed from the ledger's rows, see comments there)
EXPECTED = {
    "2019-04": {"new_consultations": 1, "information_only": 1},
    "2019-05": {"new_consultations": 1, "active_at_month_end": 1},
    "2019-06": {"closed": 1, "closed_by_pattern": {"2": 1}},
    "2026-03": {"new_consultations": 1, "plans_created": 1, "first_plans": 1,
                "employment_support_targets": 1, "active_at_month_end": 1},
    "2026-04": {"new_consultations": 3, "plans_created": 1, "replans": 1,
                "employment_support_targets": 1, "referred_out": 2, "active_at_month_end": 2},
    "2026-05": {"new_consultations": 2, "plans_created": 2, "first_plans": 2, "employed": 1,
                "employed_among_targets": 1, "information_only": 1, "active_at_month_end": 3},
    "2026-06": {"new_consultations": 1, "plans_created": 1, "first_plans": 1,
                "employment_support_targets": 1, "employed": 1, "income_increased": 1,
                "active_at_month_end": 4},
    "2026-07": {"plans_created": 1, "replans": 1, "employment_support_targets": 1,
                "employed": 1, "employed_among_targets": 1, "suspended": 1,
                "active_at_month_end": 4},
    "2026-08": {"plans_created": 1, "replans": 1, "employment_support_targets": 1,
                "active_at_month_end": 4},
    "2026-09": {"closed": 1, "closed_by_pattern": {"3": 1}, "active_at_month_end": 3},
    "2026-10": {"plans_created": 1, "replans": 1, "employment_support_targets": 1,
                "closed": 1, "closed_by_pattern": {"1": 1}, "active_at_month_end": 2},
    "2026-11": {"active_at_month_end": 2},
    "2026-12": {"active_at_month_end": 2},
}


def expected_counts(month: str) -> dict:
    counts = {k: 0 for k in S.COUNT_KEYS}
    counts["closed_by_pattern"] = {"1": 0, "2": 0, "3": 0}
    for k, v in EXPECTED.get(month, {}).items():
        if k == "closed_by_pattern":
            counts[k].update(v)
        else:
            counts[k] = v
    return counts


@pytest.fixture
def d(desk):
    desk._today = lambda: TODAY
    return desk


@pytest.fixture
def ledger_desk(d, tmp_path):
    report = d.ledger.import_ledger(write_csv(tmp_path / "ledger.csv", LEDGER))
    assert report.ok, report.lines()
    return d


def test_monthly_json_is_exactly_the_spec(ledger_desk):
    rep = ledger_desk.reports.monthly_report("2026-04")
    assert list(rep) == ["month", "fiscal_year", "population", "counts", "per_100k",
                         "targets_per_100k", "referral_routes", "referral_sources",
                         "statutory_services"]
    assert list(rep["counts"]) == list(S.COUNT_KEYS)
    assert rep["month"] == "2026-04" and rep["fiscal_year"] == 2026 and rep["population"] == 8200
    assert rep["counts"] == expected_counts("2026-04")
    assert rep["per_100k"] == {"new_consultations": 36.6, "plans_created": 12.2,
                               "employment_support_targets": 12.2}
    assert rep["targets_per_100k"] == {"new_consultations": 24, "plans_created": 12,
                                       "employment_support_targets": 7}
    assert rep["referral_routes"] == {"庁内": 1, "関係機関": 1, "アウトリーチ": 0, "本人等": 1}
    assert rep["referral_sources"] == {"ハローワーク": 1, "税務課": 1}
    assert rep["statutory_services"] == {"就労準備支援事業": 1}
    assert S.monthly(ledger_desk.store, "2026-07")["statutory_services"] == {
        "就労訓練事業（認定就労訓練）": 1}
    json.dumps(rep, ensure_ascii=False)


@pytest.mark.parametrize("month", sorted(EXPECTED) + ["2026-02", "2025-12"])
def test_every_counting_rule_month_by_month(ledger_desk, month):
    assert ledger_desk.reports.monthly_report(month)["counts"] == expected_counts(month)


def test_fiscal_year_sums_and_rates(ledger_desk):
    fy = ledger_desk.reports.fiscal_year_report(2026)
    assert [m["month"] for m in fy["months"]] == S.fiscal_months(2026)
    assert fy["months"][0] == ledger_desk.reports.monthly_report("2026-04")
    t = fy["totals"]
    assert (t["new_consultations"], t["plans_created"], t["first_plans"], t["replans"]) \
        == (6, 7, 3, 4)
    assert (t["employment_support_targets"], t["employed"], t["employed_among_targets"],
            t["income_increased"], t["income_increased_among_targets"]) == (5, 3, 2, 1, 0)
    assert (t["referred_out"], t["information_only"], t["suspended"], t["closed"]) == (2, 1, 1, 2)
    assert t["closed_by_pattern"] == {"1": 1, "2": 0, "3": 1}
    assert t["active_at_month_end"] == 2                 # at the end of March 2027
    assert fy["plan_rate"] == round(7 / 6, 4)
    assert fy["employment_target_rate"] == round(5 / 7, 4)
    assert fy["employment_income_rate"] == 0.4
    # the fiscal-year boundary: March 2026 belongs to FY2025
    prev = ledger_desk.reports.fiscal_year_report(2025)
    assert (prev["totals"]["new_consultations"], prev["totals"]["plans_created"]) == (1, 1)
    empty = ledger_desk.reports.fiscal_year_report(2030)
    assert empty["plan_rate"] is None and empty["employment_target_rate"] is None \
        and empty["employment_income_rate"] is None


def test_cases_behind_a_figure(ledger_desk):
    d = ledger_desk
    nos = lambda period, key: [r.case_no for r in d.reports.cases_behind(period, key)]  # noqa: E731
    assert nos("2026-04", "referred_out") == ["L-002", "L-008"]
    assert nos("2026-04", "active_at_month_end") == ["L-001", "L-003"] or \
        sorted(nos("2026-04", "active_at_month_end")) == ["L-001", "L-003"]
    assert nos("2026-10", "closed_by_pattern.1") == ["L-007"]
    assert nos("2026-06", "employed") == ["L-009"]
    assert nos("2026-06", "employed_among_targets") == []
    assert sorted(nos("FY2026", "employed_among_targets")) == ["L-001", "L-007"]
    with pytest.raises(ValidationError):
        d.reports.cases_behind("2026-04", "nonsense")
    with pytest.raises(ValidationError):
        d.reports.monthly_report("2026-13")


def test_targets_per_fiscal_year(d):
    assert d.reports.targets(2026) == S.DEFAULT_TARGETS
    d.reports.set_targets(2026, new_consultations=30, plans_created=15)
    assert d.reports.targets(2026) == {"new_consultations": 30, "plans_created": 15,
                               "employment_support_targets": 7}
    assert d.reports.targets(2027)["new_consultations"] == 30      # later years follow
    assert d.reports.targets(2025) == S.DEFAULT_TARGETS
    assert d.reports.monthly_report("2026-05")["targets_per_100k"]["plans_created"] == 15
    with pytest.raises(ValidationErrors):
        d.reports.set_targets(2026, plans_created=-1)


def test_viewer_sees_figures_but_not_cases(d):
    from app.security.roles import Permission, Role, allows
    d.user = type(d.user)(d.user.id, d.user.login, d.user.display_name, Role.VIEWER.value, True)
    assert allows(d.user.role, Permission.VIEW_STATISTICS)
    d.reports.monthly_report("2026-04")
    with pytest.raises(PermissionDenied):
        d.reports.cases_behind("2026-04", "new_consultations")
    with pytest.raises(PermissionDenied):
        d.reports.set_targets(2026, plans_created=1)


# ---------------------------------------------------------------------------- the Desk way
def _meeting_ok(d, on, submit=None):
    m = d.process.plan_meeting(on, "regular", participants=[Participant("町 一郎", "福祉課")]).id
    if submit:
        submit(m)
    items = d.process.pending_agenda(m)
    d.process.record_meeting_results(m, {i.id: (MeetingResult.APPROVED, "") for i in items})


def test_same_figures_through_the_desk_process(desk, desk_template, tmp_path):
    """Rows 2, 3 and 9 of the ledger built step by step through the Desk, against the same
    rows imported into another desk."""
    from app.desk import Desk
    from tests.conftest import copy_desk
    d = desk
    d._today = lambda: TODAY
    # row 2: referred out at intake
    d.register_intake(make_intake(name="佐藤 花子", birth=date(1990, 1, 2),
                                  received=date(2026, 4, 1), triage=Triage.REFER,
                                  route=Route.AGENCY, referral_source="ハローワーク"))
    # row 3: continued at intake, information only at screening on 5/1
    c3 = d.register_intake(make_intake(name="鈴木 一郎", birth=date(1970, 1, 1),
                                       received=date(2026, 4, 30))).case.id
    d.process.save_assessment(c3, AssessmentInput(assessed_on=date(2026, 5, 1), analysis="相談のみ"))
    d.process.screen(c3, ScreeningResult.INFO_ONLY, date(2026, 5, 1))
    # row 9: first plan 5/25, employed 6/1, re-plan with 就労訓練事業 7/1, decided 7/3
    c9 = d.register_intake(make_intake(name="渡辺 五郎", birth=date(1975, 7, 7),
                                       received=date(2026, 5, 7))).case.id
    d.process.save_assessment(c9, AssessmentInput(assessed_on=date(2026, 5, 7), analysis="離職"))
    d.process.screen(c9, ScreeningResult.CONTINUE, date(2026, 5, 7))
    first = d.process.draft_plan(c9, PlanInput(aim="働く", goals=[Goal("面談")],
                                       items=[PlanItem("面談", "self_reliance")],
                                       signed_on=date(2026, 5, 20)))
    _meeting_ok(d, date(2026, 5, 25), lambda m: d.process.submit_plan(first.id, m))
    _meeting_ok(d, date(2026, 7, 1), lambda m: d.process.evaluate(c9, EvaluationInput(
        date(2026, 7, 1), [("面談", Attainment.MET)], EvaluationDecision.REPLAN,
        employed_on=date(2026, 6, 1)), m))
    second = d.process.draft_plan(c9, PlanInput(aim="働き続ける", goals=[Goal("訓練")],
                                        items=[PlanItem("就労訓練", "work_training")],
                                        signed_on=date(2026, 7, 1)))
    _meeting_ok(d, date(2026, 7, 1), lambda m: d.process.submit_plan(second.id, m))
    d.process.record_decision(second.id, "work_training", date(2026, 7, 3), "町 一郎")

    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = Desk.open(copy_desk(desk_template, other_dir), LOGIN, PASSWORD)
    other._today = lambda: TODAY
    try:
        rows = [LEDGER[1], LEDGER[2], LEDGER[8]]
        assert other.ledger.import_ledger(write_csv(tmp_path / "three.csv", rows)).ok
        for month in ("2026-04", "2026-05", "2026-06", "2026-07", "2026-08"):
            mine, theirs = d.reports.monthly_report(month), other.reports.monthly_report(month)
            assert mine["counts"] == theirs["counts"], month
            assert mine["statutory_services"] == theirs["statutory_services"], month
            assert mine["referral_routes"] == theirs["referral_routes"], month
        july = d.reports.monthly_report("2026-07")["counts"]
        assert (july["replans"], july["employment_support_targets"]) == (1, 1)
        assert d.reports.monthly_report("2026-06")["counts"]["employed_among_targets"] == 0
    finally:
        other.close()


# ---------------------------------------------------------------------------- exports
def test_csv_exports_utf8_bom_and_cp932(ledger_desk, tmp_path):
    out = ledger_desk.reports.export_monthly("2026-04", tmp_path / "m.csv", "csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["区分", "項目", "件数", "人口10万人あたり", "目安値（人口10万人あたり）"]
    by_item = {r[1]: r for r in rows[1:]}
    assert by_item["新規相談受付件数"][2:] == ["3", "36.6", "24"]
    assert by_item["他機関へのつなぎ"][2] == "2"
    sj = ledger_desk.reports.export_monthly("2026-04", tmp_path / "m-sj.csv", "csv", encoding="cp932")
    assert "新規相談受付件数" in sj.read_bytes().decode("cp932")
    fy = ledger_desk.reports.export_fiscal_year(2026, tmp_path / "fy.csv", "csv")
    fy_rows = list(csv.reader(io.StringIO(fy.read_text(encoding="utf-8-sig"))))
    assert fy_rows[0][0] == "項目" and fy_rows[0][1] == "4月" and fy_rows[0][-1] == "年度計"
    plans = next(r for r in fy_rows if r[0] == "プラン作成件数")
    assert plans[1:] == ["1", "2", "1", "1", "1", "0", "1", "0", "0", "0", "0", "0", "7"]


def test_cp932_refuses_what_it_cannot_hold(d, tmp_path):
    d.register_intake(make_intake(received=date(2026, 4, 1)))       # 髙橋 𠮷子
    target = tmp_path / "caseload.csv"
    with pytest.raises(ExportError) as e:
        d.reports.export_caseload(target, "csv", encoding="cp932")
    assert "𠮷" in str(e.value) and "cp932" in str(e.value)
    assert not target.exists()
    d.reports.export_caseload(target, "csv")
    assert "髙橋 𠮷子" in target.read_text(encoding="utf-8-sig")


def test_xlsx_and_pdf_hold_the_figures(ledger_desk, tmp_path):
    from openpyxl import load_workbook
    import pypdfium2
    x = ledger_desk.reports.export_monthly("2026-04", tmp_path / "m.xlsx", "xlsx")
    ws = load_workbook(x).worksheets[0]
    values = {r[1]: r[2] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert values["新規相談受付件数"] == 3 and values["プラン作成件数"] == 1
    assert ws.column_dimensions["B"].width >= 20
    fx = ledger_desk.reports.export_fiscal_year(2026, tmp_path / "fy.xlsx", "xlsx")
    wb = load_workbook(fx)
    assert wb.sheetnames[0] == "2026年度" and len(wb.sheetnames) == 13
    for name, fn in (("m.pdf", lambda p: ledger_desk.reports.export_monthly("2026-04", p, "pdf",
                                                                            render=render)),
                     ("fy.pdf", lambda p: ledger_desk.reports.export_fiscal_year(2026, p, "pdf",
                                                                                 render=render))):
        path = fn(tmp_path / name)
        pdf = pypdfium2.PdfDocument(str(path))
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        assert "新規相談受付件数" in text and "国の目安値" in text
        assert "36.6" in text or "6" in text
        pdf.close()
    cl = ledger_desk.reports.export_caseload(tmp_path / "c.pdf", "pdf", render=render)
    pdf = pypdfium2.PdfDocument(str(cl))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "L-001" in text and "支援ケース一覧" in text
    pdf.close()
    rows = ledger_desk.reports.caseload()
    assert [r.case_no for r in rows] == ["L-001", "L-009"]


def test_cli_report(desk_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TSUNAGU_PASSWORD", PASSWORD)
    base = ["--db", str(desk_path), "--user", LOGIN]
    assert cli_main(["import-ledger", str(write_csv(tmp_path / "l.csv", LEDGER)), *base]) == 0
    capsys.readouterr()
    assert cli_main(["report", "monthly", "--month", "2026-04", "--format", "json", *base]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["new_consultations"] == 3
    assert cli_main(["report", "fiscal-year", "--year", "2026", "--format", "xlsx",
                     "--out", str(tmp_path / "fy.xlsx"), *base]) == 0
    assert (tmp_path / "fy.xlsx").exists()
    assert cli_main(["report", "caseload", "--format", "csv", "--out", str(tmp_path / "c.csv"),
                     "--encoding", "cp932", *base]) == 0
    assert "L-001" in (tmp_path / "c.csv").read_bytes().decode("cp932")
