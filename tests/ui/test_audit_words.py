"""Issue 14, point 7: the audit log reads in Japanese — every action the core writes has a
Japanese label, the codes in an entry's detail become words, dates 和暦."""

from __future__ import annotations

import re
from pathlib import Path

from ui.views.admin_audit import ACTIONS, _when, action_label, detail_label

APP = Path(__file__).resolve().parents[2] / "app"
# self._audit("x", …), self._audit_region("x", …), store.audit(login, "x", …),
# self._store.audit(self.user.login, "x" …), need(…, audit="x") in the authorization table
CALLS = re.compile(r"""(?:_audit(?:_[a-z]+)?\(\s*|\.audit\(\s*[^,()]+,\s*|\baudit=)"""
                   r""""([a-z_]+)\"""")


def written_actions() -> set[str]:
    found = set()
    for path in APP.rglob("*.py"):
        found.update(CALLS.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_action_the_core_writes_reads_in_japanese():
    actions = written_actions()
    assert {"view_timeline", "closure_propose", "agenda_move", "record"} <= actions
    missing = sorted(a for a in actions if a not in ACTIONS)
    assert missing == []
    for a in actions:
        label = action_label(a)
        assert label != a and not re.search(r"[A-Za-z]{3,}", label), (a, label)
    # an entry copied from another device's log keeps its action after "device:"
    label = action_label("device:closure_propose")
    assert action_label("closure_propose") in label and "device" not in label


def test_details_and_times_read_as_words_and_wareki():
    assert detail_label("self_reliance", {"self_reliance": "自立相談支援事業"}) == "自立相談支援事業"
    assert detail_label("close") == "終結"
    assert detail_label("2026-10-21") == "令和8年10月21日"
    assert detail_label("2026-12-16->2026-12-03") == "令和8年12月16日 → 令和8年12月3日"
    assert detail_label("phone:no_response").count("：") == 1
    assert "phone" not in detail_label("phone:no_response")
    assert detail_label("2024-0001") == "2024-0001"       # a case number stays
    assert _when("2026-12-03T07:54:12.123+00:00") == "令和8年12月3日 07:54:12"
