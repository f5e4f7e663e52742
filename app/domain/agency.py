"""The agency (自立相談支援機関), its staff and its master data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Agency:
    name: str              # 機関名
    municipality: str      # 自治体名
    population: int        # 人口 (for the per-100,000 indicators)
    agency_id: str = ""    # uuid, identifies the agency's bundles
    device_id: str = ""    # this installation
    device_name: str = ""


@dataclass
class Staff:
    id: str
    login: str
    display_name: str
    role: str
    active: bool = True


@dataclass
class ReferralSource:
    """紹介元: a body that refers people to the desk (master data, editable)."""

    id: str
    route: str        # Route value: municipal / agency
    group: str        # 庁内 / 関係機関
    name: str
    active: bool = True
    sort: int = 0
