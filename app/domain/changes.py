"""What a write changed (Anki's ``OpChanges``): the cases, the meetings, the master data.

The store fills it — never a screen: every row written in a transaction is noted (the
journalled write, app/store/journal.py ``Writer``; the merge's and the purge's own
statements) and mapped to its case(s) at commit (app/store/changes.py). An operation's
changes are those of the transactions it committed; a screen hands them to every view
(ui/changes.py, ``MainWindow.operation_did_execute``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    """What changed. ``all_cases``: cases changed that cannot be named one by one (an
    import, a sync, a purge); ``meetings``: 支援調整会議 or their agendas; ``master``: data
    every device holds (services, referral sources, staff, settings, the region's
    records); ``tables``: every table written."""

    case_ids: frozenset[str] = field(default_factory=frozenset)
    all_cases: bool = False
    meetings: bool = False
    master: bool = False
    tables: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of_case(cls, case_id: str, *, meetings: bool = False) -> "Changes":
        return cls(case_ids=frozenset({case_id}), meetings=meetings)

    @classmethod
    def everything(cls) -> "Changes":
        return cls(all_cases=True, meetings=True, master=True)

    def touches_case(self, case_id: str) -> bool:
        return self.all_cases or case_id in self.case_ids

    @property
    def any_case(self) -> bool:
        return self.all_cases or bool(self.case_ids)

    @property
    def empty(self) -> bool:
        return not (self.any_case or self.meetings or self.master or self.tables)

    def __or__(self, other: "Changes") -> "Changes":
        """Both together (an operation that committed more than one transaction)."""
        return Changes(case_ids=self.case_ids | other.case_ids,
                       all_cases=self.all_cases or other.all_cases,
                       meetings=self.meetings or other.meetings,
                       master=self.master or other.master,
                       tables=self.tables | other.tables)
