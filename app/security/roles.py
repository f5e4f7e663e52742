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
    # issue 5 (privacy and security); which cases a role sees is CASE_SCOPES below.
    ALL_CASES = "all_cases"              # every case, not only own and team cases
    ASSIGN_CASES = "assign_cases"        # 担当 and hand-over of any case
    VIEW_AGENDA_CASES = "view_agenda_cases"  # read cases on a meeting's agenda (自治体担当)
    VIEW_AUDIT = "view_audit"            # search and export the audit log
    BACKUP = "backup"
    PURGE = "purge"                      # retention: delete personal data for good
    MEETINGS = "meetings"                # plan 支援調整会議 and record their results (主任)
    DECISIONS = "decisions"              # record 支援決定 (municipality, or staff for it)
    # issue 15 (running the desk, app/operations/region.py)
    MANAGE_DESK = "manage_desk"          # yearly plan, 地域課題 status, everyone's training (主任)
    RISK_REGISTER = "risk_register"      # read and complete every 苦情・事故 record (主任)


_ALL = set(Permission) - {Permission.VIEW_AGENDA_CASES}
_WORKER = {Permission.VIEW_CASES, Permission.EDIT_CASES, Permission.PRINT,
           Permission.VIEW_STATISTICS, Permission.BACKUP, Permission.DECISIONS}
# Reading and writing case content. The administrator manages the system (users,
# settings, master data, backups, retention); it holds these only while the agency
# setting ``security.admin_case_access`` is on (see app/operations/security.py).
ADMIN_CASE_PERMISSIONS = frozenset({Permission.VIEW_CASES, Permission.EDIT_CASES,
                                    Permission.PRINT, Permission.ALL_CASES,
                                    Permission.ASSIGN_CASES, Permission.MEETINGS,
                                    Permission.DECISIONS, Permission.RISK_REGISTER})
GRANTS: dict[Role, set[Permission]] = {
    Role.ADMIN: _ALL,
    Role.CHIEF: _WORKER | {Permission.ALL_CASES, Permission.ASSIGN_CASES, Permission.MEETINGS,
                           Permission.MANAGE_DESK, Permission.RISK_REGISTER},
    Role.CONSULTANT: set(_WORKER),
    Role.EMPLOYMENT: set(_WORKER),
    Role.MUNICIPAL: {Permission.VIEW_AGENDA_CASES, Permission.VIEW_STATISTICS,
                     Permission.DECISIONS},
    Role.VIEWER: {Permission.VIEW_STATISTICS},
}
# Roles that can be 担当 or 協働 of a case.
CASE_WORKER_ROLES = frozenset({Role.CHIEF, Role.CONSULTANT, Role.EMPLOYMENT, Role.ADMIN})


def allows(role: str, permission: Permission, *, admin_case_access: bool = True) -> bool:
    try:
        r = Role(role)
    except ValueError:
        return False
    if r is Role.ADMIN and not admin_case_access and permission in ADMIN_CASE_PERMISSIONS:
        return False
    return permission in GRANTS[r]
