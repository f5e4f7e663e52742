"""Master data the administrator edits (app/operations/master.py): referral sources, services,
assessment domains and the problem checklist — permissions, validation, deactivation (gone
from the choices, still shown on old records), no deletion of used entries, journal and
audit, and flags changed without touching past statistics."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.domain.assessment import AssessmentInput
from app.domain.plan import Goal, PlanInput, PlanItem, PlanKind, PlanStatus
from app.desk import Desk
from app.domain import Route
from app.errors import PermissionDenied, ValidationError, ValidationErrors
from app.operations.master import MasterInput, MasterKind
from app.reports import statistics as S
from app.security.roles import Role
from app.store.process_repo import ProcessRepo
from tests.conftest import LOGIN, PASSWORD, make_intake
from tests.test_ledger import LEDGER, TODAY, write_csv

PW = "user password 1"
KINDS = list(MasterKind)


def _messages(exc) -> str:
    errors = getattr(exc, "errors", None) or [exc]
    return "\n".join(e.message for e in errors)


def entry(desk, kind, name):
    return next(e for e in desk.master.master_entries(kind) if e.name == name)


def journal_rows(desk, table, row_id):
    return desk.store.conn.execute(
        "SELECT op, fields FROM journal WHERE tbl = ? AND row_id = ? ORDER BY hlc",
        (table, row_id)).fetchall()


# ------------------------------------------------------------------ permissions
def test_a_consultant_is_refused_and_the_refusal_is_audited(desk, desk_path):
    desk.security.add_user("con", "相談 一子", Role.CONSULTANT, PW)
    source = entry(desk, MasterKind.REFERRAL_SOURCE, "ハローワーク")
    desk.close()
    d = Desk.open(desk_path, "con", PW)
    try:
        attempts = [
            lambda: d.master.master_entries(MasterKind.SERVICE),
            lambda: d.master.add_master_entry(MasterKind.REFERRAL_SOURCE,
                                       MasterInput(name="フードバンク", route="agency")),
            lambda: d.master.edit_master_entry(MasterKind.REFERRAL_SOURCE, source.id,
                                        MasterInput(name="ハロワ", route="agency")),
            lambda: d.master.move_master_entry(MasterKind.REFERRAL_SOURCE, source.id, -1),
            lambda: d.master.set_master_entry_active(MasterKind.REFERRAL_SOURCE, source.id, False),
            lambda: d.master.delete_master_entry(MasterKind.REFERRAL_SOURCE, source.id),
        ]
        for attempt in attempts:
            with pytest.raises(PermissionDenied) as exc:
                attempt()
            assert "相談支援員" in str(exc.value)   # the message names the role, in Japanese
        refused = [e for e in d.store.audit_entries() if e.action == "refused"]
        assert len(refused) == len(attempts)
        # the permission, then the operation refused (the authorization table, issue 13)
        assert all(e.detail.split()[0] == "manage_settings" for e in refused)
        # nothing changed; the worker still gets the choices
        assert "ハローワーク" in [s.name for s in d.referral_sources(Route.AGENCY)]
        assert "フードバンク" not in [s.name for s in d.referral_sources()]
    finally:
        d.close()


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize("kind", KINDS)
def test_empty_and_duplicate_names_are_refused_naming_the_field(desk, kind):
    existing = desk.master.master_entries(kind)[0]
    route = existing.route or "municipal"
    with pytest.raises(ValidationErrors) as exc:
        desk.master.add_master_entry(kind, MasterInput(name="　 ", route=route))
    text = _messages(exc.value)
    assert "名" in text and "入力" in text, text       # 「…の名称を入力してください」
    assert exc.value.errors[0].field == "name"
    # duplicate, also written in another width / with spaces
    twin = existing.name.replace("・", "･") + " "
    with pytest.raises(ValidationErrors) as exc:
        desk.master.add_master_entry(kind, MasterInput(name=twin, route=route))
    text = _messages(exc.value)
    assert existing.name in text and "既に" in text, text
    before = len(desk.master.master_entries(kind))
    assert len(desk.master.master_entries(kind)) == before


def test_other_fields_are_validated(desk):
    with pytest.raises(ValidationErrors) as exc:
        desk.master.add_master_entry(MasterKind.REFERRAL_SOURCE, MasterInput(name="フードバンク"))
    assert [e.field for e in exc.value.errors] == ["route"]
    assert "経路" in _messages(exc.value)
    with pytest.raises(ValidationErrors) as exc:
        desk.master.add_master_entry(MasterKind.SERVICE, MasterInput(
            name="新しい事業", usual_months="百", needs_decision=True))
    assert sorted(e.field for e in exc.value.errors) == ["needs_decision", "usual_months"]
    assert "月数" in _messages(exc.value) and "法定サービス" in _messages(exc.value)
    # a rename onto another entry's name is refused too
    tax = entry(desk, MasterKind.REFERRAL_SOURCE, "税務課")
    with pytest.raises(ValidationErrors):
        desk.master.edit_master_entry(MasterKind.REFERRAL_SOURCE, tax.id,
                               MasterInput(name="上下水道", route="municipal"))


# ------------------------------------------------------------------ add, edit, order: journal and audit
def test_add_edit_move_are_journalled_and_audited(desk):
    food = desk.master.add_master_entry(MasterKind.REFERRAL_SOURCE,
                                 MasterInput(name="フードバンク", route=Route.AGENCY))
    assert (food.route, food.group, food.active, food.uses) == ("agency", "関係機関", True, 0)
    agency = [s.name for s in desk.referral_sources(Route.AGENCY)]
    assert agency[-1] == "フードバンク"                       # at the end of its route
    assert "フードバンク" not in [s.name for s in desk.referral_sources(Route.MUNICIPAL)]

    food = desk.master.edit_master_entry(MasterKind.REFERRAL_SOURCE, food.id,
                                  MasterInput(name="フードバンクつなぐ", route="agency"))
    desk.master.move_master_entry(MasterKind.REFERRAL_SOURCE, food.id, -1)
    agency = [s.name for s in desk.referral_sources(Route.AGENCY)]
    assert agency[-2:] == ["フードバンクつなぐ", "その他の関係機関"]
    # moving past the top of its route does nothing
    first = desk.master.master_entries(MasterKind.REFERRAL_SOURCE)[0]
    desk.master.move_master_entry(MasterKind.REFERRAL_SOURCE, first.id, -1)
    assert desk.master.master_entries(MasterKind.REFERRAL_SOURCE)[0].id == first.id

    ops = [op for op, _f in journal_rows(desk, "referral_source", food.id)]
    assert ops[0] == "insert" and ops.count("update") >= 2
    actions = [(e.action, e.detail) for e in desk.store.audit_entries()
               if e.action.startswith("master_")]
    assert ("master_add", "referral_source:フードバンク") in actions
    assert ("master_edit", "referral_source:フードバンク → フードバンクつなぐ") in actions
    assert ("master_move", "referral_source:フードバンクつなぐ") in actions

    service = desk.master.add_master_entry(MasterKind.SERVICE, MasterInput(
        name="就労体験（町独自）", employment=True, usual_months="６"))
    assert service.key.startswith("custom_") and service.usual_months == 6
    assert service.key in [s.key for s in desk.process.services()]
    problem = desk.master.add_master_entry(MasterKind.PROBLEM, MasterInput(name="ヤングケアラー"))
    assert ("" if False else problem.key) in [k for k, _n in desk.process.assessment_problems()]
    assert [n for _k, n in desk.process.assessment_problems()][-1] == "ヤングケアラー"
    # the assessment master keeps its kind
    assert problem.key not in [k for k, _n in desk.process.assessment_domains()]


# ------------------------------------------------------------------ deactivate: choices vs old records
def test_deactivated_source_leaves_the_choices_but_old_intakes_keep_its_name(desk):
    hw = entry(desk, MasterKind.REFERRAL_SOURCE, "ハローワーク")
    case = desk.register_intake(make_intake(route=Route.AGENCY, referral_source="ハローワーク"))
    assert entry(desk, MasterKind.REFERRAL_SOURCE, "ハローワーク").uses == 1
    off = desk.master.set_master_entry_active(MasterKind.REFERRAL_SOURCE, hw.id, False)
    assert off.active is False
    assert "ハローワーク" not in [s.name for s in desk.referral_sources(Route.AGENCY)]
    assert "ハローワーク" not in [s.name for s in desk.referral_sources()]
    # the old intake still shows it, and so does the list the administrator edits
    assert desk.get_case(case.case.id).intakes[0].referral_source == "ハローワーク"
    assert entry(desk, MasterKind.REFERRAL_SOURCE, "ハローワーク").active is False
    # renaming keeps the old name on the old intake (intakes keep what was written)
    desk.master.edit_master_entry(MasterKind.REFERRAL_SOURCE, hw.id,
                           MasterInput(name="公共職業安定所", route="agency"))
    assert desk.get_case(case.case.id).intakes[0].referral_source == "ハローワーク"
    # … and the renamed entry is still "used" (the journal remembers its old name)
    assert entry(desk, MasterKind.REFERRAL_SOURCE, "公共職業安定所").uses == 1
    back = desk.master.set_master_entry_active(MasterKind.REFERRAL_SOURCE, hw.id, True)
    assert back.active and "公共職業安定所" in [s.name for s in desk.referral_sources("agency")]
    assert {"master_deactivate", "master_reactivate"} <= {
        e.action for e in desk.store.audit_entries()}


def test_deactivated_service_and_problem_leave_the_choices_only(desk):
    svc = entry(desk, MasterKind.SERVICE, "ハローワーク等との連携")
    prob = entry(desk, MasterKind.PROBLEM, "刑余者")
    desk.master.set_master_entry_active(MasterKind.SERVICE, svc.id, False)
    desk.master.set_master_entry_active(MasterKind.PROBLEM, prob.id, False)
    assert svc.key not in [s.key for s in desk.process.services()]
    assert svc.key in [s.key for s in desk.process.services(include_inactive=True)]
    assert prob.key not in [k for k, _n in desk.process.assessment_problems()]
    assert (prob.key, "刑余者") in desk.process.assessment_problems(include_inactive=True)


# ------------------------------------------------------------------ delete
def test_a_used_entry_cannot_be_deleted_an_unused_one_can(desk):
    desk.register_intake(make_intake(route=Route.MUNICIPAL, referral_source="税務課"))
    tax = entry(desk, MasterKind.REFERRAL_SOURCE, "税務課")
    with pytest.raises(ValidationError) as exc:
        desk.master.delete_master_entry(MasterKind.REFERRAL_SOURCE, tax.id)
    assert "税務課" in exc.value.message and "無効" in exc.value.message
    assert entry(desk, MasterKind.REFERRAL_SOURCE, "税務課")          # still there

    new = desk.master.add_master_entry(MasterKind.REFERRAL_SOURCE,
                                MasterInput(name="子ども食堂", route="agency"))
    assert new.deletable
    desk.master.delete_master_entry(MasterKind.REFERRAL_SOURCE, new.id)
    assert "子ども食堂" not in [e.name for e in desk.master.master_entries(MasterKind.REFERRAL_SOURCE)]
    assert journal_rows(desk, "referral_source", new.id)[-1][0] == "delete"
    assert ("master_delete", "referral_source:子ども食堂") in [
        (e.action, e.detail) for e in desk.store.audit_entries()]


def test_used_services_and_assessment_entries_cannot_be_deleted(desk, tmp_path):
    desk._today = lambda: TODAY
    report = desk.ledger.import_ledger(write_csv(tmp_path / "ledger.csv", LEDGER))
    assert report.ok, report.lines()
    wp = entry(desk, MasterKind.SERVICE, "就労準備支援事業")
    assert wp.uses > 0
    with pytest.raises(ValidationError):
        desk.master.delete_master_entry(MasterKind.SERVICE, wp.id)
    # an assessment that used a domain and a checklist item
    case_id = desk.register_intake(make_intake(received=TODAY)).case.id
    desk.process.save_assessment(case_id, AssessmentInput(
        assessed_on=TODAY, domains={"housing": "家賃を3か月滞納"}, problems=["debt"]))
    for kind, name in ((MasterKind.DOMAIN, "住まい"), (MasterKind.PROBLEM, "多重・過重債務")):
        e = entry(desk, kind, name)
        assert e.uses >= 1
        with pytest.raises(ValidationError):
            desk.master.delete_master_entry(kind, e.id)
    unused = entry(desk, MasterKind.DOMAIN, "介護")
    if unused.uses == 0:
        desk.master.delete_master_entry(MasterKind.DOMAIN, unused.id)
        assert "care" not in [k for k, _n in desk.process.assessment_domains(include_inactive=True)]


# ------------------------------------------------------------------ flags and past statistics
MONTHS = ["2019-04", "2019-05", "2019-06"] + [f"2026-{m:02d}" for m in range(3, 13)]


def test_changing_service_flags_does_not_change_past_statistics(desk, tmp_path):
    desk._today = lambda: TODAY
    report = desk.ledger.import_ledger(write_csv(tmp_path / "ledger.csv", LEDGER))
    assert report.ok, report.lines()
    before = {m: S.monthly(desk, m) for m in MONTHS}
    assert any(r["counts"]["employment_support_targets"] for r in before.values())
    plan = desk.process.current_plan(desk.case_id("L-001"))
    decisions_before = [(i.service_key, i.decision) for i in plan.items]

    # the administrator turns every flag around and renames every service
    for e in desk.master.master_entries(MasterKind.SERVICE):
        desk.master.edit_master_entry(MasterKind.SERVICE, e.id, MasterInput(
            name=e.name + "（新）", statutory=not e.needs_decision and not e.statutory,
            employment=not e.employment, needs_decision=False,
            usual_months=e.usual_months))

    after = {m: S.monthly(desk, m) for m in MONTHS}
    assert after == before
    # the plan in effect keeps its decision requirements
    plan = desk.process.current_plan(desk.case_id("L-001"))
    assert [(i.service_key, i.decision) for i in plan.items] == decisions_before

    # a plan approved from now on takes the new flags
    repo = ProcessRepo(desk.store.conn)
    case_id = desk.case_id("L-002")
    with desk.store.transaction() as w:
        plan_id = repo.insert_plan(w, case_id, PlanInput(
            aim="自立", goals=[Goal("就職", None)],
            items=[PlanItem(what="就労準備", service_key="work_preparation")]),
            PlanKind.FIRST, 0, TODAY)
        repo.set_plan(w, plan_id, status=PlanStatus.APPROVED.value, approved_on=TODAY,
                      meeting_result="approved")
    row = desk.store.conn.execute(
        "SELECT service_at_approval FROM plan_item WHERE plan_id = ?", (plan_id,)).fetchone()
    kept = json.loads(row[0])
    assert kept["name"] == "就労準備支援事業（新）"
    assert (kept["employment"], kept["needs_decision"]) == (0, 0)
    assert [i.decision for i in repo.plan(plan_id).items] == ["reported"]
    # the snapshot is journalled (it syncs with the plan item)
    item_id = repo.plan(plan_id).items[0].id
    assert any("service_at_approval" in json.loads(f)
               for _op, f in journal_rows(desk, "plan_item", item_id))


def test_statistics_name_the_service_as_it_was(desk, tmp_path):
    desk._today = lambda: TODAY
    report = desk.ledger.import_ledger(write_csv(tmp_path / "ledger.csv", LEDGER))
    assert report.ok, report.lines()
    months = {m: S.monthly(desk, m)["statutory_services"] for m in MONTHS}
    if not any(months.values()):
        pytest.skip("the ledger has no 支援決定")
    for e in desk.master.master_entries(MasterKind.SERVICE):
        desk.master.edit_master_entry(MasterKind.SERVICE, e.id, MasterInput(
            name="改称" + e.name, statutory=e.statutory, employment=e.employment,
            needs_decision=e.needs_decision, usual_months=e.usual_months))
    assert {m: S.monthly(desk, m)["statutory_services"] for m in MONTHS} == months
