"""Errors the core raises. Each carries a message a user can act on (translated)."""

from __future__ import annotations


class TsunaguError(Exception):
    """Base of every error shown to a user. ``str(err)`` is the translated message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(TsunaguError):
    """Input refused by the core. ``field`` names the field (a stable key, e.g. ``person.name``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class ValidationErrors(TsunaguError):
    """Several fields refused at once; ``errors`` keeps each."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__("\n".join(e.message for e in errors))
        self.errors = errors


class StoreError(TsunaguError):
    """The database could not be opened or written."""


class WrongPassword(StoreError):
    pass


class DamagedDatabase(StoreError):
    """Not a Tsunagu database, or a damaged one (HMAC failure, bad header)."""


class TruncatedDatabase(StoreError):
    """A 0-byte or truncated file: never opened as an empty desk."""


class NewerDatabase(StoreError):
    """Written by a newer version of Tsunagu."""


class MissingKeySlots(StoreError):
    """The key-slot file beside the database is missing or unreadable."""


class AlreadyOpen(StoreError):
    """Another instance has the database open."""


class Cancelled(StoreError):
    """Long work on a connection of its own (a backup, the integrity check) stopped on
    request — the screen locked or the program closed — before it ended. Nothing was
    changed: a backup cut off leaves no file behind; it is done again later."""


class PermissionDenied(TsunaguError):
    pass


class NotFound(TsunaguError):
    pass


class ProcessError(TsunaguError):
    """A step the process does not allow now (the message says why; ``rule`` names the
    item-level rule of app/domain/rules.py, or "step" for the step graph's reason)."""

    def __init__(self, message: str, rule: str = ""):
        super().__init__(message)
        self.rule = rule
