"""Reads return typed records, not dicts (issue 21 point 3): no public method of the Desk or
of one of its parts (desk.process, desk.sync …) is annotated to return a dict, a list of
dicts or anything else built of dicts — except the tables of figures and the few plain
mappings named below, each with the reason it stays a mapping."""

from __future__ import annotations

import inspect
import re

from app.desk import Desk
from app.security import authorization as authz

OWNERS: list[tuple[str, type]] = [("", Desk), *Desk.PARTS.items()]

# (part, method) -> why it returns a mapping. Keep this list short: a new read returns a
# record (app/domain/<subject>.py), and a figure table says so here.
MAPPINGS: dict[tuple[str, str], str] = {
    ("reports", "monthly_report"):
        "figures by key (STATISTICS.md), exported as they are to json/csv/xlsx/pdf",
    ("reports", "fiscal_year_report"): "twelve monthly figure tables, sums and rates by key",
    ("reports", "targets"): "the national targets by key (per 100,000 per month)",
    ("reports", "set_targets"): "the targets saved, as ``targets`` returns them",
    ("region", "annual_report"):
        "the yearly evaluation: figure sections by key (app/reports/annual.py), exported whole",
    ("region", "annual_plan"):
        "the annual report's plan section (goals and targets by key, the defaults beside "
        "them) as app/reports/annual.py builds and exports it",
    ("region", "save_annual_plan"): "the plan saved, as ``annual_plan`` returns it",
    ("region", "risk_open_counts"): "two counts by key (open complaints, unreviewed incidents)",
    ("sync", "read_bundle_header"):
        "the transfer file's own JSON header as written in the file (not yet authenticated)",
    ("sync", "export_bundle"): "the header written into the transfer file (as read_bundle_header)",
    ("sync_folder", "device_exchanges"):
        "device id -> when we last imported from / wrote for it (ISO times)",
    ("security", "intake_counts_by_month"): "figures: intakes per month (YYYY-MM)",
    ("process", "agenda_people"):
        "a lookup for the meeting screen: case id -> (name, kana) of the visible cases",
    ("", "load_draft"):
        "a wizard's draft: the pages' values as the screen saved them (JSON), handed back",
}

_DICTISH = re.compile(r"\b(dict|Dict|Mapping|MutableMapping)\b")


def _return_annotation(cls: type, name: str) -> str:
    attr = inspect.getattr_static(cls, name)
    if isinstance(attr, property):
        fn = attr.fget
    elif isinstance(attr, (staticmethod, classmethod)):
        fn = attr.__func__
    else:
        fn = attr
    fn = inspect.unwrap(fn)
    annotation = getattr(fn, "__annotations__", {}).get("return", "")
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _dict_reads() -> dict[tuple[str, str], str]:
    found = {}
    for part, cls in OWNERS:
        for name in authz.public_names(cls):
            annotation = _return_annotation(cls, name)
            if _DICTISH.search(annotation):
                found[(part, name)] = annotation
    return found


def test_public_reads_return_records_not_dicts():
    found = _dict_reads()
    unexplained = {k: v for k, v in found.items() if k not in MAPPINGS}
    assert not unexplained, (
        "these public methods return dicts: return a record (app/domain/<subject>.py), or "
        f"name a table of figures in MAPPINGS with the reason: {unexplained}")


def test_the_allowed_mappings_still_exist():
    found = _dict_reads()
    stale = sorted(set(MAPPINGS) - set(found))
    assert not stale, f"MAPPINGS names methods that no longer return a mapping: {stale}"
    assert all(why.strip() for why in MAPPINGS.values())


def test_the_check_sees_the_parts_and_a_dict_return():
    assert len(OWNERS) > 5
    parts = dict(OWNERS)
    # the gate installed on each operation keeps the method's annotations visible
    assert _return_annotation(parts["process"], "dashboard") == "DashboardBoard"
    assert _return_annotation(parts["sync"], "conflicts") == "list[SyncConflict]"
    assert _return_annotation(parts["reports"], "monthly_report") == "dict[str, Any]"
    assert _DICTISH.search("list[dict[str, Any]]") and _DICTISH.search("dict")
    assert _DICTISH.search("tuple[list[dict[str, Any]], int]")
    assert not _DICTISH.search("list[SyncConflict]") and not _DICTISH.search("DashboardBoard")
