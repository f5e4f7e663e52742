"""What an operation changed, told to every open view (Anki's ``operation_did_execute``).

A screen that changed something (a step recorded, an intake registered, a meeting decided, a
bundle imported) emits ``Changes`` through its ``operation_did_execute`` signal; the main
window hands them to every tab (``MainWindow.operation_did_execute``). A view whose subject
was touched reads again now if it is shown, or marks itself stale and reads when it is next
shown (``StaleFlag``) — views no longer read everything again each time they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    """What changed. ``all_cases``: cases changed that cannot be named (a 支援調整会議's
    decisions, an import, a sync)."""

    case_ids: frozenset[str] = field(default_factory=frozenset)
    all_cases: bool = False
    meetings: bool = False      # meetings or their agendas
    master: bool = False        # master data (services, sources, staff)

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


class StaleFlag:
    """Read now if shown, else when next shown: ``changed(view, refresh)`` after an
    operation touched the view's subject, ``shown(refresh)`` from its ``showEvent``."""

    def __init__(self) -> None:
        self.stale = False

    def changed(self, visible: bool, refresh) -> None:
        if visible:
            self.stale = False
            refresh()
        else:
            self.stale = True

    def shown(self, refresh) -> None:
        if self.stale:
            self.stale = False
            refresh()
