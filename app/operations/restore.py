"""Restoring a backup (Desk.restore): only an administrator, audited before (in the database
being replaced) and after (in the restored one), never reviving an account disabled or
removed since the backup, never overwriting files an earlier restore set aside, and saying
in Japanese what was set aside, where, and which work is not in the restored desk.

Who may restore:
* the backup must be unlocked by an active administrator of the backup (password valid
  when the backup was made) or by its recovery key;
* when the database being replaced can still be read, the same person must be an active
  administrator there too (``live_password`` if their password changed since the backup;
  the recovery key of the current database with ``login=""``): a disabled user cannot bring
  their old key slot back by restoring an old backup. When it cannot be read (damaged,
  key file lost — the reason to restore) only the backup's check applies, and the report
  says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.errors import (
    DamagedDatabase, MissingKeySlots, NewerDatabase, PermissionDenied, StoreError,
    TruncatedDatabase, WrongPassword,
)
from app.i18n import _
from app.security.keyslots import KeySlots
from app.security.roles import Role
from app.store import db
from app.store.lock import DeskLock
from app.store.restore_diff import account_role, active_logins, journal_end, work_after
from app.sync.scope import CaseScope


@dataclass
class RestoreReport:
    """What a restore did. Behaves as the path of the set-aside database (``kept``), as
    Desk.restore returned before."""

    backup: Path
    live: Path
    kept: Path
    live_read: bool = True               # the replaced database could be read
    entries_after: int = 0               # journal entries saved after the backup
    first_after: str = ""
    last_after: str = ""
    new_cases: list[str] = field(default_factory=list)
    changed_cases: list[str] = field(default_factory=list)
    kept_disabled: list[str] = field(default_factory=list)   # accounts not revived

    def __fspath__(self) -> str:
        return str(self.kept)

    def __str__(self) -> str:
        return str(self.kept)

    @property
    def name(self) -> str:
        return self.kept.name

    @property
    def message(self) -> str:
        parts = [_("Restored the backup {backup}.").format(backup=self.backup.name),
                 _("The database it replaced was set aside (not deleted) as {kept} in the "
                   "folder {folder}, with its key file.").format(
                       kept=self.kept.name, folder=str(self.kept.parent))]
        if not self.live_read:
            parts.append(_("The replaced database could not be read, so the work saved after "
                           "the backup cannot be listed: check the paper records made since "
                           "the backup and enter them again."))
        elif self.entries_after:
            parts.append(_("Work saved after the backup is not in the restored desk: {n} "
                           "changes, from {first} to {last}.").format(
                               n=self.entries_after, first=_when(self.first_after),
                               last=_when(self.last_after)))
            if self.new_cases:
                parts.append(_("Cases registered after the backup (missing now): {cases}.")
                             .format(cases=_cases(self.new_cases)))
            if self.changed_cases:
                parts.append(_("Cases changed after the backup (those changes are missing "
                               "now): {cases}.").format(cases=_cases(self.changed_cases)))
            parts.append(_("Enter that work again; the set-aside file still holds it."))
        else:
            parts.append(_("Nothing was saved after the backup: no work is missing."))
        if self.kept_disabled:
            parts.append(_("These accounts were disabled or removed after the backup and stay "
                           "disabled (their key slots were not restored): {logins}.").format(
                               logins="、".join(self.kept_disabled)))
        return "\n".join(parts)


def _cases(numbers: list[str], limit: int = 30) -> str:
    shown = "、".join(numbers[:limit])
    if len(numbers) > limit:
        shown += _(" and {n} more").format(n=len(numbers) - limit)
    return shown


def _when(hlc: str) -> str:
    try:
        return datetime.fromtimestamp(int(hlc.split("-")[0]) / 1000).strftime("%Y-%m-%d %H:%M")
    except (ValueError, IndexError, OSError):
        return hlc


def _not_admin(login: str) -> PermissionDenied:
    return PermissionDenied(_(
        "Only an active administrator may restore a backup. {login} is not an active "
        "administrator of the current database (or the password is not theirs there). "
        "Nothing was changed.").format(login=login or _("recovery key")))


def restore(backup: str | os.PathLike[str], live: str | os.PathLike[str], login: str,
            password: str, *, live_password: str | None = None) -> RestoreReport:
    from app.store.store import Store
    backup, live = Path(backup), Path(live)
    if not backup.exists():
        raise StoreError(_("No backup was found at {path}.").format(path=str(backup)))
    slots = KeySlots.load(backup)
    raw_key = (slots.unlock(login, password) if login
               else slots.unlock_with_recovery_key(password))
    # the backup's own accounts: the person restoring must be an administrator in it
    conn = db.connect(backup, raw_key)
    try:
        db.check_pages(conn, thorough=False)
        backup_end = journal_end(conn)
        backup_accounts = active_logins(conn)
        backup_role = account_role(conn, login) if login else None
    finally:
        conn.close()
    lock = DeskLock(live)
    lock.acquire(login or "recovery")
    try:
        report = RestoreReport(backup=backup, live=live, kept=live)
        live_accounts: dict[str, bool] | None = None
        live_store = _open_live(live, login, live_password or password)
        if live_store is None:
            report.live_read = False
        else:
            try:
                user = None
                if login:
                    user = live_store.staff_by_login(login)
                    if user is None or not user.active or user.role != Role.ADMIN.value:
                        raise _not_admin(login)
                    live_store.user_id = user.id
                live_accounts = active_logins(live_store.conn)
                after = work_after(live_store.conn, backup_end,
                                   CaseScope(live_store.conn).cases_of)
                report.entries_after = after["entries"]
                report.first_after, report.last_after = after["first"], after["last"]
                report.new_cases, report.changed_cases = after["new_cases"], after["changed_cases"]
                with live_store.transaction():
                    live_store.audit(login, "restore_start",
                                     detail=f"{backup.name}: {after['entries']} entries after")
            finally:
                live_store.close()
        # the person restoring is an active administrator of the backup too
        restored_slots = KeySlots.load(backup)
        if login and backup_role != Role.ADMIN.value:
            raise PermissionDenied(_(
                "Only an active administrator may restore a backup. {login} was not an "
                "active administrator when the backup was made. Nothing was changed.")
                .format(login=login))
        # accounts disabled or removed since the backup stay so
        if live_accounts is not None:
            report.kept_disabled = sorted(
                x for x in restored_slots.logins()
                if not live_accounts.get(x, False) and backup_accounts.get(x, False))
            for x in report.kept_disabled:
                restored_slots.remove_user(x)
        from app.store.backup import restore as restore_files
        report.kept = restore_files(backup, raw_key, live, keys=restored_slots.to_bytes())
        store = Store.open(live, raw_key)
        try:
            me = store.staff_by_login(login) if login else None
            store.user_id = me.id if me else ""
            with store.transaction() as w:
                for x in report.kept_disabled:
                    account = store.staff_by_login(x)
                    if account is not None:
                        w.update("staff", account.id, {"active": 0})
                store.audit(login, "restore",
                            detail=f"{backup.name} → {report.kept.name}: "
                                   f"{report.entries_after} entries set aside"
                                   + (f"; kept disabled {' '.join(report.kept_disabled)}"
                                      if report.kept_disabled else "")
                                   + ("" if report.live_read else "; replaced file unreadable"))
        finally:
            store.close()
        return report
    finally:
        lock.release()


def _open_live(live: Path, login: str, secret: str):
    """The database being replaced, opened with the restorer's own credentials there; None
    when it cannot be read (missing, damaged, key file lost). PermissionDenied when it can
    be read but does not accept them."""
    from app.store.store import Store
    if not live.exists() or live.stat().st_size == 0:
        return None
    try:
        slots = KeySlots.load(live)
    except MissingKeySlots:
        return None
    try:
        key = slots.unlock(login, secret) if login else slots.unlock_with_recovery_key(secret)
    except WrongPassword:
        raise _not_admin(login) from None
    try:
        return Store.open(live, key)
    except (DamagedDatabase, TruncatedDatabase, NewerDatabase, db.DatabaseError):
        return None
