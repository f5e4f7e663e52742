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


@dataclass
class AgencySetup:
    """The first set-up (はじめの設定): the agency, its administrator and the password rule
    (checked page by page by app/operations/checks.py ``check_setup``). ``password_again``:
    the password typed a second time, when the screen asks for it."""

    agency_name: str = ""
    municipality: str = ""
    population: int = 0
    admin_login: str = ""
    admin_name: str = ""
    password: str = ""
    min_password_length: int = 8       # MIN_PASSWORD_DEFAULT (app/operations/security.py)
    password_again: str | None = None
