"""Consent and disclosure (PROCESS.md §2 個人情報保護): every sharing has a basis; a consent
covers its recipients from its date until withdrawn; the intake's 同意 counts for 関係機関."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import NotFound, ValidationError, ValidationErrors
from app.security.privacy import ANY_AGENCY, ConsentForm, DisclosureBasis
from tests.conftest import make_intake


def test_intake_consent_covers_related_agencies_until_withdrawn(desk):
    case_id = desk.register_intake(make_intake(received=date(2026, 4, 1))).case.id
    [c] = desk.security.consents(case_id)
    assert c.from_intake and c.recipients == [ANY_AGENCY] and c.given_on == date(2026, 4, 1)
    assert desk.security.check_disclosure(case_id, "法テラス", date(2026, 4, 10)).id == c.id
    assert desk.security.check_disclosure(case_id, "法テラス", date(2026, 3, 31)) is None  # before it
    d = desk.security.record_disclosure(case_id, "法テラス", "相談内容・連絡先", "consent",
                               on=date(2026, 4, 10))
    assert d.basis is DisclosureBasis.CONSENT and d.consent_id == c.id

    desk.security.withdraw_consent(c.id, date(2026, 5, 1), "本人の申出")
    [w] = desk.security.consents(case_id)
    assert w.withdrawn_on == date(2026, 5, 1) and w.from_intake
    assert desk.security.check_disclosure(case_id, "法テラス", date(2026, 4, 30)) is not None
    assert desk.security.check_disclosure(case_id, "法テラス", date(2026, 5, 1)) is None
    with pytest.raises(ValidationError) as exc:
        desk.security.record_disclosure(case_id, "法テラス", "連絡先", "consent", on=date(2026, 5, 2))
    assert exc.value.field == "basis" and "法第9条" in str(exc.value)
    with pytest.raises(ValidationErrors):       # another basis needs its reason
        desk.security.record_disclosure(case_id, "市福祉課", "世帯状況", "meeting", on=date(2026, 5, 2))
    m = desk.security.record_disclosure(case_id, "市福祉課", "世帯状況", DisclosureBasis.MEETING,
                               "第3回支援会議で共有", on=date(2026, 5, 2))
    s = desk.security.record_disclosure(case_id, "警察署", "所在", "statute", "刑事訴訟法第197条第2項照会",
                               on=date(2026, 5, 3))
    assert [x.id for x in desk.security.disclosures(case_id)] == [d.id, m.id, s.id]
    kinds = [e.action for e in desk.security.audit_entries(case_id)]
    assert kinds.count("disclose") == 3 and "consent_withdraw" in kinds
    # the withdrawal is not before the consent, nor in the future
    with pytest.raises(ValidationError):
        desk.security.withdraw_consent(w.id, date(2026, 3, 1))
    with pytest.raises(NotFound):
        desk.security.withdraw_consent("intake:nope", date(2026, 5, 1))


def test_named_consent_covers_only_its_recipients(desk):
    case_id = desk.register_intake(make_intake(consent=False, consent_on=None)).case.id
    assert desk.security.consents(case_id) == []
    assert desk.security.check_disclosure(case_id, "ハローワーク", date(2026, 4, 5)) is None
    with pytest.raises(ValidationErrors):
        desk.security.record_consent(case_id, date(2026, 4, 5), recipients=[" "])
    c = desk.security.record_consent(case_id, date(2026, 4, 5), recipients=["ハローワーク"],
                            scope="職歴・希望職種", purpose="就労支援", form=ConsentForm.ORAL)
    assert c.form is ConsentForm.ORAL and not c.from_intake
    assert desk.security.check_disclosure(case_id, "ﾊﾛｰﾜｰｸ", date(2026, 4, 6)).id == c.id  # width folded
    assert desk.security.check_disclosure(case_id, "法テラス", date(2026, 4, 6)) is None
    with pytest.raises(ValidationError):
        desk.security.record_disclosure(case_id, "法テラス", "職歴", "consent", on=date(2026, 4, 6))
    desk.security.record_disclosure(case_id, "ハローワーク", "職歴", "consent", on=date(2026, 4, 6))
    desk.security.withdraw_consent(c.id, date(2026, 4, 20))
    assert desk.security.check_disclosure(case_id, "ハローワーク", date(2026, 4, 20)) is None
    assert desk.security.check_disclosure(case_id, "ハローワーク", date(2026, 4, 19)) is not None
