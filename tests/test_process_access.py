"""The process steps check access per case, not only by role (issue 5 × issue 3)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.errors import PermissionDenied
from tests.test_security import agency, as_user  # noqa: F401  (fixture)


def test_other_teams_case_is_refused_in_every_process_read_and_write(agency):  # noqa: F811
    with as_user(agency["path"], "con_a") as d:
        own = agency["a"]
        assert d.timeline(own) is not None
        d.add_record(own, datetime(2026, 4, 2, 10, 0), "home_visit", "自宅を訪問した。")
        for call in (lambda: d.timeline(agency["b"]), lambda: d.plans(agency["b"]),
                     lambda: d.case_steps(agency["b"]), lambda: d.support_records(agency["b"]),
                     lambda: d.add_record(agency["b"], datetime(2026, 4, 2, 10, 0), "home_visit",
                                          "他班のケースに書き込む")):
            with pytest.raises(PermissionDenied):
                call()
        assert d.timeline(own)  # own case still fine


def test_dashboard_lists_only_visible_cases(agency):  # noqa: F811
    with as_user(agency["path"], "chief") as d:
        for case_id in (agency["a"], agency["b"]):
            d.add_contact_attempt(case_id, date(2026, 4, 3), "phone")
    with as_user(agency["path"], "con_b") as d:
        board = d.dashboard()
        shown = {r.get("case_id") for rows in board.values() if isinstance(rows, list)
                 for r in rows}
        assert agency["a"] not in shown


def test_meetings_are_run_by_the_chief_not_by_consultants(agency):  # noqa: F811
    with as_user(agency["path"], "con_a") as d:
        with pytest.raises(PermissionDenied):
            d.plan_meeting(date(2026, 4, 20))
    with as_user(agency["path"], "chief") as d:
        meeting = d.plan_meeting(date(2026, 4, 20), place="会議室")
        assert meeting.place == "会議室"
    with as_user(agency["path"], "view") as d:
        with pytest.raises(PermissionDenied):
            d.meeting(meeting.id)
