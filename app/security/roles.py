"""Roles and what each may do. Desk checks these on every operation."""

from __future__ import annotations

from enum import Enum

from app.domain.common import LabelledEnum
from app.i18n import N_


class Role(LabelledEnum):
    ADMIN = "admin", N_("Administrator")                       # 管理者
    CHIEF = "chief", N_("Chief consultation support worker")   # 主任相談支援員
    CONSULTANT = "consultant", N_("Consultation support worker")  # 相談支援員
    EMPLOYMENT = "employment", N_("Employment support worker")    # 就労支援員
    MUNICIPAL = "municipal", N_("Municipal officer")              # 自治体担当
    VIEWER = "viewer", N_("Viewer (statistics only)")              # 閲覧


class Permission(str, Enum):
    VIEW_CASES = "view_cases"
    EDIT_CASES = "edit_cases"
    PRINT = "print"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_STATISTICS = "view_statistics"


_ALL = set(Permission)
GRANTS: dict[Role, set[Permission]] = {
    Role.ADMIN: _ALL,
    Role.CHIEF: {Permission.VIEW_CASES, Permission.EDIT_CASES, Permission.PRINT,
                 Permission.VIEW_STATISTICS},
    Role.CONSULTANT: {Permission.VIEW_CASES, Permission.EDIT_CASES, Permission.PRINT,
                      Permission.VIEW_STATISTICS},
    Role.EMPLOYMENT: {Permission.VIEW_CASES, Permission.EDIT_CASES, Permission.PRINT,
                      Permission.VIEW_STATISTICS},
    Role.MUNICIPAL: {Permission.VIEW_STATISTICS},
    Role.VIEWER: {Permission.VIEW_STATISTICS},
}


def allows(role: str, permission: Permission) -> bool:
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False
