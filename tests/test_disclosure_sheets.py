"""Sheets printed for another agency (desk.paper.print_sheet with ``for_recipient``): a disclosure
checked against the person's consent, or recorded on another basis with its reason; refused
without either (no file written); a withdrawn consent honoured from its date; the person's
whereabouts (address, postal code, phones) never on the sheet; every print audited."""

from __future__ import annotations

from datetime import date

import pytest

from app.desk import Desk
from app.errors import ValidationError, ValidationErrors
from tests.conftest import LOGIN, PASSWORD, copy_desk
from tests.sheet_cases import NAME, TODAY, full_case
from tests.test_forms_intake import flat, page_texts
from forms.sheets import render

SHEETS = ("assessment", "plan", "records")
ADDRESS = "本町1-2-3"
PHONE = "090-1234-5678"
POSTAL = "123-4567"
RECIPIENT = "ハローワークつなぐ"


@pytest.fixture(scope="module")
def walked(desk_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("disclosure")
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
    mine = copy_desk(path, tmp_path / "desk")  # each test gets its own disclosures
    desk = Desk.open(mine, LOGIN, PASSWORD)
    desk._today = lambda: TODAY
    yield desk, info
    desk.close()


def withdraw_all(desk, case_id: str, on: date) -> None:
    for c in desk.security.consents(case_id):
        if c.withdrawn_on is None:
            desk.security.withdraw_consent(c.id, on, "本人の申し出")


def assert_no_whereabouts(pdf) -> str:
    text = flat("".join(page_texts(pdf)))
    for secret in (ADDRESS, PHONE, POSTAL, "つなぐ町本町"):
        assert flat(secret) not in text, secret
    return text


@pytest.mark.parametrize("sheet", SHEETS)
def test_with_a_valid_consent_the_disclosure_is_recorded(d, tmp_path, sheet):
    desk, info = d
    cid = info["case_id"]
    assert desk.security.check_disclosure(cid, RECIPIENT) is not None  # the intake's 関係機関 consent
    out = tmp_path / f"{sheet}.pdf"
    desk.paper.print_sheet(cid, sheet, out, for_recipient=RECIPIENT, render=render)
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    text = assert_no_whereabouts(out)
    assert flat(NAME) in text  # the sheet itself is filled in
    if sheet == "assessment":  # the one that prints them says they are left out
        assert "他機関への提供のため記載しません" in text
    found = desk.security.disclosures(cid)
    assert len(found) == 1
    assert found[0].recipient == RECIPIENT and found[0].basis.value == "consent"
    assert found[0].consent_id and found[0].disclosed_on == TODAY
    assert found[0].scope in ("インテーク・アセスメントシート", "プラン兼事業等利用申込書",
                              "支援経過記録シート")
    audit = desk.security.audit_search(action="print", limit=1)
    assert audit and audit[0].detail == f"{sheet} → {RECIPIENT}"
    assert desk.security.audit_search(action="disclose", limit=1)


@pytest.mark.parametrize("sheet", SHEETS)
def test_without_consent_or_basis_it_is_refused_and_nothing_is_written(d, tmp_path, sheet):
    desk, info = d
    cid = info["case_id"]
    withdraw_all(desk, cid, TODAY)
    out = tmp_path / f"{sheet}.pdf"
    with pytest.raises((ValidationError, ValidationErrors)) as refused:
        desk.paper.print_sheet(cid, sheet, out, for_recipient=RECIPIENT, render=render)
    message = str(refused.value) if isinstance(refused.value, ValidationError) else \
        "\n".join(e.message for e in refused.value.errors)
    assert RECIPIENT in message and "同意" in message and "支援会議" in message
    assert not out.exists() and not list(tmp_path.glob("*.part"))
    assert desk.security.disclosures(cid) == []
    # a basis other than consent needs its reason
    with pytest.raises(ValidationErrors) as no_reason:
        desk.paper.print_sheet(cid, sheet, out, for_recipient=RECIPIENT, basis="meeting",
                               render=render)
    assert any(e.field == "reason" for e in no_reason.value.errors)
    assert not out.exists() and desk.security.disclosures(cid) == []


@pytest.mark.parametrize("sheet", SHEETS)
def test_support_meeting_basis_is_recorded_with_its_reason(d, tmp_path, sheet):
    desk, info = d
    cid = info["case_id"]
    withdraw_all(desk, cid, TODAY)
    out = tmp_path / f"{sheet}.pdf"
    desk.paper.print_sheet(cid, sheet, out, for_recipient=RECIPIENT, basis="meeting",
                     reason="令和8年11月12日の支援会議で共有を決定", render=render)
    assert_no_whereabouts(out)
    found = desk.security.disclosures(cid)
    assert len(found) == 1 and found[0].basis.value == "meeting"
    assert "支援会議" in found[0].reason and found[0].consent_id is None
    audit = desk.security.audit_search(action="disclose", limit=1)
    assert audit and audit[0].reason == "令和8年11月12日の支援会議で共有を決定"


def test_withdrawn_consent_is_honoured_from_its_date(d, tmp_path):
    desk, info = d
    cid = info["case_id"]
    desk._today = lambda: date(2026, 11, 10)
    desk.paper.print_sheet(cid, "plan", tmp_path / "before.pdf", for_recipient=RECIPIENT,
                           render=render)
    desk._today = lambda: date(2026, 11, 16)  # recorded on the 16th, honoured from the 15th
    withdraw_all(desk, cid, date(2026, 11, 15))
    desk._today = lambda: date(2026, 11, 15)
    with pytest.raises(ValidationError):
        desk.paper.print_sheet(cid, "plan", tmp_path / "after.pdf", for_recipient=RECIPIENT,
                               render=render)
    assert not (tmp_path / "after.pdf").exists()
    # not retroactive: the day before, the consent still covered the recipient
    assert desk.security.check_disclosure(cid, RECIPIENT, date(2026, 11, 14)) is not None
    assert desk.security.check_disclosure(cid, RECIPIENT, date(2026, 11, 15)) is None
    found = desk.security.disclosures(cid)
    assert len(found) == 1 and found[0].disclosed_on == date(2026, 11, 10)


def test_a_consent_naming_other_agencies_does_not_cover_this_one(d, tmp_path):
    desk, info = d
    cid = info["case_id"]
    withdraw_all(desk, cid, TODAY)
    desk.security.record_consent(cid, TODAY, recipients=["社会福祉協議会"], scope="プラン")
    with pytest.raises(ValidationError):
        desk.paper.print_sheet(cid, "plan", tmp_path / "x.pdf", for_recipient=RECIPIENT,
                               render=render)
    desk.paper.print_sheet(cid, "plan", tmp_path / "y.pdf", for_recipient="社会福祉協議会", render=render)
    assert [x.recipient for x in desk.security.disclosures(cid)] == ["社会福祉協議会"]


def test_sensitive_person_for_another_agency_and_revealed_for_the_desk(d, tmp_path):
    desk, info = d
    cid = info["case_id"]
    desk.security.set_sensitive(cid, True, "DV 被害の相談があったため")
    # for another agency: whereabouts left out, the restriction itself not named
    out = tmp_path / "agency.pdf"
    desk.paper.print_sheet(cid, "assessment", out, for_recipient=RECIPIENT, render=render)
    text = assert_no_whereabouts(out)
    assert "閲覧制限" not in text
    # for the desk: masked, unless revealed with a reason (audited)
    masked = tmp_path / "masked.pdf"
    desk.paper.print_sheet(cid, "assessment", masked, render=render)
    assert_no_whereabouts(masked)
    shown = tmp_path / "shown.pdf"
    desk.paper.print_sheet(cid, "assessment", shown, reveal_reason="家庭訪問の準備のため", render=render)
    assert flat(PHONE) in flat("".join(page_texts(shown)))
    audit = desk.security.audit_search(action="print", limit=1)
    assert audit[0].detail == "assessment-revealed" and audit[0].reason == "家庭訪問の準備のため"


def test_blank_or_caseless_sheets_are_not_disclosures(d, tmp_path):
    desk, info = d
    with pytest.raises(ValidationErrors):
        desk.paper.print_sheet(None, "plan", tmp_path / "a.pdf", blank=True,
                               for_recipient=RECIPIENT, render=render)
    with pytest.raises(ValidationErrors):
        desk.paper.print_sheet(info["case_id"], "plan", tmp_path / "b.pdf", blank=True,
                         for_recipient=RECIPIENT, render=render)
    assert desk.security.disclosures(info["case_id"]) == []


def test_intake_for_another_agency_goes_through_print_sheet(d, tmp_path):
    desk, info = d
    cid = info["case_id"]
    desk.paper.print_sheet(cid, "intake", tmp_path / "i.pdf", for_recipient=RECIPIENT,
                           render=render)
    found = desk.security.disclosures(cid)
    assert len(found) == 1 and found[0].basis.value == "consent"


@pytest.mark.parametrize("sheet", ("intake", "intake-noconsent"))
@pytest.mark.parametrize("sensitive", (False, True))
def test_intake_for_another_agency_never_shows_whereabouts(d, tmp_path, sheet, sensitive):
    """The 相談受付・申込票 like every other sheet: for another agency the whereabouts are
    left out for every person, and a restriction is not named."""
    desk, info = d
    cid = info["case_id"]
    if sensitive:
        desk.security.set_sensitive(cid, True, "DV 被害の相談があったため")
    out = tmp_path / f"{sheet}.pdf"
    desk.paper.print_sheet(cid, sheet, out, for_recipient=RECIPIENT, render=render)
    text = assert_no_whereabouts(out)
    assert flat(NAME) in text
    assert "他機関への提供のため記載しません" in text
    assert "閲覧制限" not in text and "＊＊＊" not in text
    found = desk.security.disclosures(cid)
    assert len(found) == 1 and found[0].scope == "相談受付・申込票"
    audit = desk.security.audit_search(action="print", limit=1)
    assert audit[0].detail == f"{sheet} → {RECIPIENT}" and audit[0].reason == ""


def test_intake_for_the_desk_still_shows_whereabouts_unless_restricted(d, tmp_path):
    desk, info = d
    cid = info["case_id"]
    desk.paper.print_intake(cid, tmp_path / "desk.pdf", render=render)
    assert flat(ADDRESS) in flat("".join(page_texts(tmp_path / "desk.pdf")))
    desk.security.set_sensitive(cid, True, "DV 被害の相談があったため")
    desk.paper.print_intake(cid, tmp_path / "masked.pdf", render=render)
    text = assert_no_whereabouts(tmp_path / "masked.pdf")
    assert "閲覧制限" in text  # for the desk's own staff the marker is shown
    desk.paper.print_intake(cid, tmp_path / "shown.pdf", reveal_reason="家庭訪問の準備のため", render=render)
    assert flat(PHONE) in flat("".join(page_texts(tmp_path / "shown.pdf")))
    audit = desk.security.audit_search(action="print", limit=1)
    assert audit[0].detail == "intake-revealed" and audit[0].reason == "家庭訪問の準備のため"


def test_intake_for_another_agency_refused_writes_nothing(d, tmp_path):
    desk, info = d
    cid = info["case_id"]
    withdraw_all(desk, cid, TODAY)
    out = tmp_path / "intake.pdf"
    with pytest.raises(ValidationError) as refused:
        desk.paper.print_intake(cid, out, for_recipient=RECIPIENT, render=render)
    assert RECIPIENT in str(refused.value)
    assert not out.exists() and not list(tmp_path.glob("*.part"))
    assert desk.security.disclosures(cid) == []
    with pytest.raises(ValidationErrors):  # a blank sheet is no disclosure
        desk.paper.print_intake(cid, out, blank=True, for_recipient=RECIPIENT, render=render)
    # the reveal reason of the desk's own sheet has no effect on a sheet for an agency
    desk.security.set_sensitive(cid, True, "DV 被害の相談があったため")
    desk.paper.print_intake(cid, out, for_recipient=RECIPIENT, basis="statute",
                      reason="生活困窮者自立支援法に基づく照会", reveal_reason="見せたい", render=render)
    assert_no_whereabouts(out)
    assert desk.security.disclosures(cid)[0].basis.value == "statute"
