"""Running the desk (issue 15): the 社会資源 directory, 地域課題, activities, 人材育成 and
リスクマネジメント — their rules, who may do what, what is audited, and how the new data
syncs between devices."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.domain.meeting import AgendaKind
from app.cli import main as cli_main
from app.domain import Triage
from app.errors import NotFound, PermissionDenied, ValidationError, ValidationErrors
from app.domain.region import (
    ComplaintInput, IncidentInput, ResourceInput, RiskMonth, UnlistedName,
)
from tests.conftest import LOGIN, PASSWORD, make_intake
from tests.test_security import agency, as_user  # noqa: F401  (fixture)
from forms.sheets import render

TODAY = date(2026, 11, 20)


def actions(d, action: str) -> list:
    return [e for e in d.store.audit_entries() if e.action == action]


@pytest.fixture
def d(desk):
    desk._today = lambda: TODAY
    return desk


# ---------------------------------------------------------------------- 社会資源
def test_directory_search_folds_like_names(d):
    d.region.add_resource(ResourceInput(name="ハローワーク髙崎", kind="public", field="就労"))
    d.region.add_resource(ResourceInput(name="ﾌｰﾄﾞﾊﾞﾝｸ 𠮷田", kind="informal"))
    names = lambda q: [r.name for r in d.region.resources(q)]  # noqa: E731
    for q in ("ﾊﾛｰﾜｰｸ", "はろーわーく", "ハローワーク", "高崎", "髙崎", "崎"):
        assert names(q) == ["ハローワーク髙崎"], q
    assert names("ふーどばんく") == ["フードバンク 𠮷田"]     # stored width-normalised
    assert names("吉田") == ["フードバンク 𠮷田"]
    assert names("") and len(names("")) == 2
    assert [r.name for r in d.region.resources(kind="informal")] == ["フードバンク 𠮷田"]
    assert d.region.find_resource("ﾊﾛｰﾜｰｸ 高崎").name == "ハローワーク髙崎"
    assert d.region.find_resource("町立図書館") is None
    assert sorted(e.detail for e in actions(d, "resource_add")) == ["ハローワーク髙崎",
                                                                    "フードバンク 𠮷田"]


@pytest.mark.parametrize("data, field", [
    (ResourceInput(name="", kind="public"), "name"),
    (ResourceInput(name="x" * 101, kind="public"), "name"),
    (ResourceInput(name="社協", kind="nonsense"), "kind"),
    (ResourceInput(name="社協", kind="agency", checked_on="2026年2月30日"), "checked_on"),
    (ResourceInput(name="社協", kind="agency", checked_on="H31.5.1"), "checked_on"),
    (ResourceInput(name="社協", kind="agency", checked_on=date(2027, 1, 1)), "checked_on"),
])
def test_bad_entries_are_refused_with_their_field(d, data, field):
    with pytest.raises(ValidationErrors) as e:
        d.region.add_resource(data)
    assert field in {x.field for x in e.value.errors}
    assert d.region.resources() == []


def test_same_name_folded_is_one_entry(d):
    d.region.add_resource(ResourceInput(name="つなぐ町社会福祉協議会", kind="agency"))
    with pytest.raises(ValidationErrors) as e:
        d.region.add_resource(ResourceInput(name="ツナグ町 社会福祉協議会", kind="agency"))
    assert "すでに" in str(e.value.errors[0].message)
    r = d.region.add_resource(ResourceInput(name="居場所カフェ", kind="private"))
    d.region.set_resource_active(r.id, False)
    assert [x.name for x in d.region.resources()] == ["つなぐ町社会福祉協議会"]   # gone from choices
    assert d.region.resource_names() == ["つなぐ町社会福祉協議会"]
    assert len(d.region.resources(include_inactive=True)) == 2
    edited = d.region.edit_resource(r.id, ResourceInput(name="居場所カフェ ひだまり", kind="private",
                                                 contact="0270-11-2222"))
    assert edited.contact == "0270-11-2222" and not edited.active
    with pytest.raises(NotFound):
        d.region.resource("no-such-id")


def test_uses_and_open_cases_only_for_those_who_see_them(agency):  # noqa: F811
    path = agency["path"]
    with as_user(path, "chief") as c:
        c._today = lambda: TODAY
        hw = c.region.add_resource(ResourceInput(name="ハローワーク髙崎", kind="public"))
        c.register_intake(make_intake(name="別所 秋子", kana="べっしょ あきこ",
                                      triage=Triage.REFER, referral_to="ﾊﾛｰﾜｰｸ髙崎"))
        bcase = c.list_cases("べっしょ")[0].id
        c.security.assign_case(bcase, "con_b")
        assert c.region.resource(hw.id).uses == 1       # half-width typing folds to the entry
        c.register_intake(make_intake(name="青山 冬子", kana="あおやま ふゆこ",
                                      triage=Triage.REFER, referral_to="ハローワーク髙崎"))
        c.security.assign_case(c.list_cases("あおやま")[0].id, "con_a")
        entry = c.region.resource(hw.id)
        assert entry.uses == 2
        assert sorted(x.name for x in entry.open_cases) == ["別所 秋子", "青山 冬子"]
        assert [e.uses for e in c.region.resources(with_uses=True)] == [2]
        assert c.region.unlisted_resource_names() == []     # both spellings are the entry
    with as_user(path, "con_b") as b:        # team B: the count, and only B's case
        entry = b.region.resource(hw.id)
        assert entry.uses == 2 and [x.name for x in entry.open_cases] == ["別所 秋子"]
    with as_user(path, "con_a") as a:
        assert [x.name for x in a.region.resource(hw.id).open_cases] == ["青山 冬子"]
    with as_user(path, "view") as v:          # 閲覧: the directory, never a case
        assert v.region.resource(hw.id).open_cases == ()
        with pytest.raises(PermissionDenied):
            v.region.add_resource(ResourceInput(name="新しい窓口", kind="agency"))
    with as_user(path, "con_a") as a:
        with pytest.raises(PermissionDenied):
            a.region.set_resource_active(hw.id, False)
    with as_user(path, LOGIN, PASSWORD) as adm:
        assert any(e.login == "view" for e in actions(adm, "refused"))


def test_unlisted_names_are_offered(d):
    d.register_intake(make_intake(triage=Triage.REFER, referral_to="町立図書館"))
    d.register_intake(make_intake(name="佐藤 太郎", kana="さとう たろう", triage=Triage.REFER,
                                  referral_to="町立図書館"))
    assert d.region.unlisted_resource_names() == [UnlistedName("町立図書館", 2)]
    d.region.add_resource(ResourceInput(name="町立図書館", kind="public"))
    assert d.region.unlisted_resource_names() == []


def test_cli_resources(desk_path, monkeypatch, capsys):
    monkeypatch.setenv("TSUNAGU_PASSWORD", PASSWORD)
    base = ["--db", str(desk_path), "--user", LOGIN]
    assert cli_main(["resources", "add", *base, "--name", "ﾌｰﾄﾞﾊﾞﾝｸつなぐ", "--kind",
                     "informal", "--field", "食料"]) == 0
    capsys.readouterr()
    assert cli_main(["resources", "list", *base, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["kind"], r["field"], r["uses"]) for r in rows] == [
        ("フードバンクつなぐ", "informal", "食料", 0)]
    capsys.readouterr()
    assert cli_main(["resources", "add", *base, "--name", "町立図書館", "--kind",
                     "公的制度・サービス"]) == 0                    # the Japanese kind works too
    assert cli_main(["resources", "add", *base, "--name", "x", "--kind", "bogus"]) != 0
    assert "種別" in capsys.readouterr().err
    assert cli_main(["resources", "list", *base, "--search", "ふーど"]) == 0
    assert "フードバンクつなぐ" in capsys.readouterr().out


# ---------------------------------------------------------------------- 地域課題
def test_issue_rules_and_meeting_feed(d):
    case = d.register_intake(make_intake())
    no = case.case.case_no
    i = d.region.raise_regional_issue("夜間の居場所がない", source="case", case_no=no)
    assert (i.status.value, i.case_count, i.source.value) == ("noted", 1, "case")
    assert d.region.link_issue_case(i.id, no).case_count == 1            # once per case
    with pytest.raises(ValidationErrors):
        d.region.raise_regional_issue("x", source="case")                  # which case?
    with pytest.raises(ValidationErrors):
        d.region.raise_regional_issue("x", case_no="2099-9999")
    with pytest.raises(ValidationErrors):
        d.region.raise_regional_issue("")
    d.region.set_issue_status(i.id, "acting", note="社協と協議")
    with pytest.raises(ValidationError):
        d.region.set_issue_status(i.id, "discussing")                      # forward only
    with pytest.raises(ValidationError):
        d.region.set_issue_status(i.id, "created")                         # which resource?
    r = d.region.add_resource(ResourceInput(name="夜の居場所サロン", kind="informal"))
    done = d.region.set_issue_status(i.id, "created", resource_id=r.id)
    assert done.resource_id == r.id and d.region.resource(r.id).issue_id == i.id
    with pytest.raises(ValidationError):
        d.region.set_issue_status(i.id, "solved")                          # final
    # the meeting screen's box feeds the register (and an older item can be taken in)
    m = d.process.plan_meeting(date(2026, 11, 4), "regular", place="役場")
    d.process.add_agenda_item(m.id, AgendaKind.REGIONAL_ISSUE, summary="移動手段がない\n北地区")
    fed = [x for x in d.region.regional_issues() if x.source.value == "meeting"]
    assert [(x.title, x.description, x.raised_on) for x in fed] == [
        ("移動手段がない", "移動手段がない\n北地区", date(2026, 11, 4))]
    assert d.region.meeting_issues_to_register() == []
    assert {e.action for e in d.store.audit_entries()} >= {"regional_issue_add",
                                                           "regional_issue_status"}


def test_issue_access(agency):  # noqa: F811
    path = agency["path"]
    with as_user(path, "chief") as c:
        c._today = lambda: TODAY
        b_no = c.get_case(agency["b"]).case.case_no
        a_no = c.get_case(agency["a"]).case.case_no
        issue = c.region.raise_regional_issue("若者の就労体験先が少ない", case_no=a_no)
        c.region.link_issue_case(issue.id, b_no)
    with as_user(path, "con_a") as a:
        a._today = lambda: TODAY
        seen = a.region.regional_issue(issue.id)
        assert seen.case_count == 2 and [x.case_no for x in seen.cases] == [a_no]
        with pytest.raises(PermissionDenied):
            a.region.link_issue_case(issue.id, b_no)                       # not A's case
        with pytest.raises(PermissionDenied):
            a.region.set_issue_status(issue.id, "discussing")              # the 主任's
        with pytest.raises(PermissionDenied):
            a.region.raise_regional_issue("他班のケースから", case_no=b_no)
    with as_user(path, "view") as v:
        assert v.region.regional_issue(issue.id).cases == ()
        with pytest.raises(PermissionDenied):
            v.region.raise_regional_issue("閲覧者から")


# ---------------------------------------------------------------------- activities
def test_activities(d):
    d.region.add_region_activity(date(2026, 6, 1), "outreach_talk", "民生委員への出前講座",
                          partners="民児協", participants="２５")
    rows = d.region.region_activities()
    assert [(r.kind.value, r.participants) for r in rows] == [("outreach_talk", 25)]
    with pytest.raises(ValidationErrors) as e:
        d.region.add_region_activity("2026年2月30日", "visit", "", participants="-3")
    assert {x.field for x in e.value.errors} == {"held_on", "kind", "title", "participants"}


# ---------------------------------------------------------------------- 人材育成
def test_training_rules_warning_and_pdf(agency, tmp_path):  # noqa: F811
    path = agency["path"]
    with as_user(path, "chief") as c:
        c._today = lambda: TODAY
        staff = {s.login: s.id for s in c.staff()}
        missing = {r.login for r in c.region.missing_national_training()}
        assert missing == {"chief", "con_a", "con_a2", "con_b", "emp_b"}
        c.region.add_training(staff["chief"], "national", date(2026, 5, 20), course="chief")
        c.region.add_training(staff["emp_b"], "national", date(2026, 6, 1), course="consultant")
        assert "emp_b" in {r.login for r in c.region.missing_national_training()}  # wrong course
        assert c.region.desk_warnings().missing_training
        with pytest.raises(ValidationErrors):
            c.region.add_training(staff["con_a"], "national", date(2026, 5, 1), course="")
        with pytest.raises(ValidationErrors):
            c.region.add_training(staff["con_a"], "off_jt", date(2027, 1, 1), title="未来の研修")
        with pytest.raises(ValidationErrors):
            c.region.add_ojt_session(date(2026, 9, 1), "case_review", "事例", case_numbers=["X-1"])
        a_no = c.get_case(agency["a"]).case.case_no
        c.region.add_ojt_session(date(2026, 9, 1), "case_review", "長期離職の事例",
                          case_numbers=[a_no], participants=[staff["con_a"]])
        session = c.region.ojt_sessions()[0]
        assert session.case_numbers == (a_no,)
        stored = c.store.conn.execute("SELECT * FROM ojt_session").fetchone()
        assert "青木" not in json.dumps(list(stored), ensure_ascii=False)  # numbers only
    with as_user(path, "con_a") as a:
        a._today = lambda: TODAY
        me = a.user.id
        a.region.add_training(me, "off_jt", date(2026, 8, 2), title="県・アセスメント研修", hours="3")
        assert [r.login for r in a.region.training_overview()] == ["con_a"]
        assert a.region.desk_warnings() is None                      # not the 主任's dashboard
        with pytest.raises(PermissionDenied):
            a.region.add_training(staff["con_b"], "off_jt", date(2026, 8, 2), title="他人の研修")
        with pytest.raises(PermissionDenied):
            a.region.trainings(staff["chief"])
        with pytest.raises(PermissionDenied):
            a.region.missing_national_training()
        pdf = a.region.print_training_history(me, tmp_path / "t.pdf", render=render)
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(pdf))
    text = doc[0].get_textpage().get_text_range()
    assert "研修受講履歴" in text and "県・アセスメント研修" in text and "未修了" in text
    assert a_no in text
    doc.close()


# ---------------------------------------------------------------------- リスクマネジメント
def test_complaints_access_and_audit(agency):  # noqa: F811
    path = agency["path"]
    with as_user(path, "con_a") as a:
        a._today = lambda: TODAY
        a_no = a.get_case(agency["a"]).case.case_no
        own = a.region.add_complaint(ComplaintInput(received_on=date(2026, 11, 2),
                                             complainant="person", content="折り返しが遅い",
                                             case_no=a_no))
        with pytest.raises(PermissionDenied):   # completing is the 主任's
            a.region.edit_complaint(own.id, ComplaintInput(
                received_on=date(2026, 11, 2), content="折り返しが遅い", response="謝罪",
                completed_on=date(2026, 11, 5), case_no=a_no))
        with pytest.raises(ValidationErrors):
            a.region.add_complaint(ComplaintInput(received_on=date(2026, 11, 2), content="",
                                           complainant="alien"))
        with pytest.raises(ValidationErrors):
            a.region.add_complaint(ComplaintInput(received_on=date(2026, 11, 2), content="x",
                                           completed_on=date(2026, 11, 1), response="y"))
    with as_user(path, "con_b") as b:
        b._today = lambda: TODAY
        b.region.add_complaint(ComplaintInput(received_on=date(2026, 11, 3), content="説明不足"))
        assert [c.content for c in b.region.complaints()] == ["説明不足"]   # own only
        with pytest.raises(PermissionDenied):
            b.region.add_complaint(ComplaintInput(received_on=date(2026, 11, 3), content="x",
                                           case_no=a_no))            # A's case
    with as_user(path, "chief") as c:
        c._today = lambda: TODAY
        assert [x.content for x in c.region.complaints()] == ["説明不足", "折り返しが遅い"]
        done = c.region.edit_complaint(own.id, ComplaintInput(
            received_on=date(2026, 11, 2), content="折り返しが遅い", response="謝罪し担当を明確化",
            result="了承", prevention="当日中に折り返す", completed_on=date(2026, 11, 5),
            case_no=a_no, committee=True))
        assert done.completed_on == date(2026, 11, 5) and done.committee
        assert c.region.risk_open_counts()["open_complaints"] == 1
    with as_user(path, "con_a") as a:                  # a completed one is the 主任's
        a._today = lambda: TODAY
        with pytest.raises(PermissionDenied):
            a.region.edit_complaint(own.id, ComplaintInput(
                received_on=date(2026, 11, 2), content="折り返しが遅い", case_no=a_no))
    with as_user(path, "view") as v:
        with pytest.raises(PermissionDenied):
            v.region.complaints()
    with as_user(path, LOGIN, PASSWORD) as adm:
        views = actions(adm, "risk_view")
        assert {e.login for e in views} >= {"con_b", "chief"}
        adds = actions(adm, "complaint_add")
        assert sorted(e.login for e in adds) == ["con_a", "con_b"]   # newest first
        assert next(e for e in adds if e.login == "con_a").case_id == agency["a"]
        assert any(e.login == "view" for e in actions(adm, "refused"))


def test_incidents_link_audit_entries(agency):  # noqa: F811
    path = agency["path"]
    with as_user(path, "chief") as c:
        c._today = lambda: TODAY
        # the 主任 (no audit permission) reports; linking audit entries needs that permission
        with pytest.raises(PermissionDenied):
            c.region.add_incident(IncidentInput(occurred_on=date(2026, 11, 5), kind="personal_data",
                                         what="FAX誤送信", audit_refs=[1]))
        c.region.add_incident(IncidentInput(occurred_on=date(2026, 11, 6), kind="safety",
                                     severity="minor", what="来所者が段差で転倒"))
    with as_user(path, LOGIN, PASSWORD) as adm:
        adm._today = lambda: TODAY
        seq = adm.store.audit_entries()[0].seq
        with pytest.raises(ValidationErrors):        # only for personal-data incidents
            adm.region.add_incident(IncidentInput(occurred_on=date(2026, 11, 5), kind="safety",
                                           what="x", audit_refs=[seq]))
        with pytest.raises(ValidationErrors):
            adm.region.add_incident(IncidentInput(occurred_on=date(2026, 11, 5), kind="personal_data",
                                           what="x", audit_refs=[99999999]))
        inc = adm.region.add_incident(IncidentInput(occurred_on=date(2026, 11, 5),
                                             kind="personal_data", what="FAX誤送信",
                                             cause="番号の手入力", audit_refs=[str(seq)]))
        assert inc.audit_refs == (seq,)
        listed = {i.what: i for i in adm.region.incidents()}
        assert [e.seq for e in listed["FAX誤送信"].audit_entries] == [seq]
        assert listed["来所者が段差で転倒"].audit_entries == ()
    with as_user(path, "chief") as c:
        c._today = lambda: TODAY
        counts = {m.month: m for m in c.region.risk_monthly_counts(2)}
        assert counts["2026-11"] == RiskMonth("2026-11", complaints=0, incidents=2,
                                              personal_data=1)
        assert counts["2026-10"].incidents == 0
        fax = listed["FAX誤送信"]                  # its audit links kept without the permission
        kept = c.region.edit_incident(fax.id, IncidentInput(
            occurred_on=date(2026, 11, 5), kind="personal_data", what="FAX誤送信",
            prevention="短縮ダイヤルを使う", audit_refs=fax.audit_refs))
        assert kept.audit_refs == fax.audit_refs and kept.prevention
        with pytest.raises(PermissionDenied):     # … but not changed
            c.region.edit_incident(fax.id, IncidentInput(
                occurred_on=date(2026, 11, 5), kind="personal_data", what="FAX誤送信",
                audit_refs=[*fax.audit_refs, fax.audit_refs[0] + 1]))
        reviewed = c.region.edit_incident(listed["来所者が段差で転倒"].id, IncidentInput(
            occurred_on=date(2026, 11, 6), kind="safety", severity="minor",
            what="来所者が段差で転倒", prevention="段差にスロープ", reviewed_at="11月職員会議",
            reviewed_on=date(2026, 11, 18)))
        assert reviewed.reviewed_on == date(2026, 11, 18)
        w = c.region.desk_warnings()
        assert w.unreviewed_incidents == 1 and w.risk[-1].incidents == 2
    with as_user(path, "con_a") as a:
        assert a.region.incidents() == []                  # reported by others
        with pytest.raises(PermissionDenied):
            a.region.risk_monthly_counts()


# ---------------------------------------------------------------------- sync
def test_new_data_syncs_between_devices(tmp_path):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from sync_helpers import build_devices, open_dev
    root = tmp_path / "devs"
    ids = build_devices(root, field_cases=1)
    a, b, lap = open_dev(root, "a"), open_dev(root, "b"), open_dev(root, "c")
    try:
        for x in (a, b, lap):
            x._today = lambda: TODAY
        on_lap = a.get_case(ids["cases"][0]).case.case_no
        other = a.get_case(ids["cases"][1]).case.case_no
        a.region.add_resource(ResourceInput(name="ハローワーク髙崎", kind="public"))
        issue = a.region.raise_regional_issue("夜間の居場所がない", case_no=other)
        a.region.add_region_activity(date(2026, 6, 1), "seminar", "研修会", participants=10)
        a.region.add_training(a.user.id, "off_jt", date(2026, 8, 2), title="県研修")
        a.region.add_complaint(ComplaintInput(received_on=date(2026, 11, 2), content="待ち時間",
                                       case_no=other))
        a.region.add_complaint(ComplaintInput(received_on=date(2026, 11, 3), content="電話対応",
                                       case_no=on_lap))
        a.region.save_annual_plan(2026, goals_region="就労体験先を開拓")
        # the same resource added on the second desk while apart: one entry after the merge
        b.region.add_resource(ResourceInput(name="ﾊﾛｰﾜｰｸ髙崎", kind="public", contact="0270-1"))
        def sync(src, dst):
            path = tmp_path / "x.tsb"
            src.sync.export_bundle(path, for_device=dst.agency.device_id)
            dst.sync.import_bundle(path)

        for src, dst in ((a, b), (b, a), (a, lap)):
            sync(src, dst)
        for x in (a, b):
            assert [r.name for r in x.region.resources()] == ["ハローワーク髙崎"]
            assert x.region.regional_issue(issue.id).case_count == 1
            assert len(x.region.region_activities()) == 1
            assert len(x.region.complaints()) == 2
            assert x.region.annual_plan(2026)["goals"]["region"] == "就労体験先を開拓"
        # the field laptop: master data, and only the complaint about its own case
        assert [r.name for r in lap.region.resources()] == ["ハローワーク髙崎"]
        assert lap.region.annual_plan(2026)["goals"]["region"] == "就労体験先を開拓"
        assert [c.content for c in lap.region.complaints()] == ["電話対応"]
        assert lap.region.regional_issue(issue.id).case_count == 0     # B's link stays on desks
        # renamed into a name added on the other desk while apart: flagged, then settled
        cafe = a.region.add_resource(ResourceInput(name="居場所カフェ", kind="private"))
        sync(a, b)
        b.region.add_resource(ResourceInput(name="ひだまりサロン", kind="informal"))
        a.region.edit_resource(cafe.id, ResourceInput(name="ひだまりサロン", kind="private"))
        sync(a, b)
        sync(b, a)
        for x in (a, b):
            [rule] = [c for c in x.sync.conflicts() if c.kind == "rule"]
            assert rule.field == "duplicate_resource" and rule.tbl == "social_resource"
        newer = [r for r in a.region.resources("ひだまり") if r.id != cafe.id][0]
        a.region.set_resource_active(newer.id, False)
        assert [c for c in a.sync.conflicts() if c.kind == "rule"] == []
        # what stays: the contact typed differently on the two desks for one entry, for a
        # person to settle (as for master data), never silently lost
        assert [(c.tbl, c.field) for c in a.sync.conflicts()] == [("social_resource",
                                                                    "contact")]
    finally:
        for x in (a, b, lap):
            x.close()


def test_plan_providers_count_as_uses(d):
    from tests.test_process_walk import approved_plan, open_case, plan_input
    from app.domain.plan import PlanItem
    hw = d.region.add_resource(ResourceInput(name="ハローワーク髙崎", kind="public"))
    cid = open_case(d)
    approved_plan(d, cid, plan_input(PlanItem("求職活動", "hello_work", "ﾊﾛｰﾜｰｸ高崎"),
                                     PlanItem("面談", "self_reliance")), date(2026, 4, 22))
    entry = d.region.resource(hw.id)
    assert entry.uses == 1 and [c.case_id for c in entry.open_cases] == [cid]
    assert d.region.unlisted_resource_names() == []
