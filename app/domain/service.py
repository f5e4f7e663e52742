"""Services a plan item can use (master data, editable: names change with the law)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Service:
    """A service from the master data (名称は法改正で変わる)."""

    key: str
    name: str
    statutory: bool = False
    employment: bool = False
    needs_decision: bool = False      # 支援決定 required before it starts
    usual_months: int | None = None
    id: str = ""
