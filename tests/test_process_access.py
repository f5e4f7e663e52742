"""The process steps check access per case, not only by role (issue 5 × issue 3)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.errors import PermissionDenied
from app.domain.worklist import DASHBOARD_LISTS, WorkItem
from tests.test_security import agency, as_user  # noqa: F401  (fixture)


def test_other_teams_case_is_refused_in_every_process_read_and_write(agency):  # noqa: F811
    with as_user(agency["path"], "con_a") as d:
        own = agency["a"]
        assert d.process.timeline(own) is not None
        d.process.add_record(own, datetime(2026, 4, 2, 10, 0), "home_visit", "自宅を訪問した。")
        for call in (lambda: d.process.timeline(agency["b"]), lambda: d.process.plans(agency["b"]),
                     lambda: d.process.case_steps(agency["b"]), lambda: d.process.support_records(agency["b"]),
                     lambda: d.process.add_record(agency["b"], datetime(2026, 4, 2, 10, 0), "home_visit",
                                          "他班のケースに書き込む")):
            with pytest.raises(PermissionDenied):
                call()
        assert d.process.timeline(own)  # own case still fine


def test_dashboard_lists_only_visible_cases(agency):  # noqa: F811
    with as_user(agency["path"], "chief") as d:
        for case_id in (agency["a"], agency["b"]):
            d.process.add_contact_attempt(case_id, date(2026, 4, 3), "phone")
    with as_user(agency["path"], "con_b") as d:
        board = d.process.dashboard()
        shown = {r.case_id for key in DASHBOARD_LISTS for r in board.rows(key)
                 if isinstance(r, WorkItem)}
        assert agency["a"] not in shown


def test_meetings_are_run_by_the_chief_not_by_consultants(agency):  # noqa: F811
    with as_user(agency["path"], "con_a") as d:
        with pytest.raises(PermissionDenied):
            d.process.plan_meeting(date(2026, 4, 20))
    with as_user(agency["path"], "chief") as d:
        meeting = d.process.plan_meeting(date(2026, 4, 20), place="会議室")
        assert meeting.place == "会議室"
    with as_user(agency["path"], "view") as d:
        with pytest.raises(PermissionDenied):
            d.process.meeting(meeting.id)


def test_dashboard_filters_counts_and_caps_in_sql(agency):  # noqa: F811
    """Only the user's cases, filtered in SQL; each list capped at ``limit`` rows while
    ``counts`` stays whole; ``limit=None`` lists everything; ``lists`` picks lists."""
    from app.domain import Triage
    from tests.conftest import make_intake
    names = {"a": ["安藤 一", "安藤 二", "安藤 三"], "b": ["馬場 一", "馬場 二"]}
    with as_user(agency["path"], "chief") as d:
        for team, people in names.items():
            for n, name in enumerate(people):
                case = d.register_intake(make_intake(
                    name=name, kana="てすと", birth=date(1970 + n, 1, 1), triage=Triage.REFER,
                    received=date(2026, 4, 10 + n))).case.id
                d.security.assign_case(case, f"con_{team}")
        everything = d.process.dashboard(limit=None)
        assert everything.counts["referrals_to_check"] == 5
    with as_user(agency["path"], "con_b") as d:
        full = d.process.dashboard(limit=None)
        rows = full.referrals_to_check
        assert sorted(r.person_name for r in rows) == sorted(names["b"])
        assert full.counts["referrals_to_check"] == 2
        capped = d.process.dashboard(limit=1)
        assert capped.referrals_to_check == rows[:1]
        assert capped.counts == full.counts
        assert d.process.dashboard().counts == full.counts
        one = d.process.dashboard(limit=None, lists=["referrals_to_check"])
        assert set(one.counts) == {"referrals_to_check"} and one.monitoring_today == ()
        assert one.referrals_to_check == rows and one.counts == {"referrals_to_check": 2}
    with as_user(agency["path"], "chief") as d:
        capped = d.process.dashboard(limit=2)
        assert capped.referrals_to_check == everything.referrals_to_check[:2]
        assert capped.counts == everything.counts
