"""A sync conflict as a person sees and settles it (同期の競合): the two sides of a field, a
deletion or a process rule that two devices wrote apart, and whether it is still open. Read
by ``desk.sync.conflicts`` (app/sync/conflicts.py decodes the rows); the 同期 screen's
read ``desk.sync_folder.conflicts_for_screen`` adds the names a person decides by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConflictSide:
    """One side of a conflict: the value written, by whom, on which device and when."""

    entry: str                   # the journal entry
    value: Any                   # decoded (None: the record deleted, or no value)
    user: str                    # login or staff id as journalled
    device: str                  # device id
    hlc: str
    user_name: str = ""          # for the screen (conflicts_for_screen)
    device_name: str = ""
    time: str | None = None      # local ISO time (conflicts_for_screen)


@dataclass(frozen=True)
class SyncConflict:
    """A conflict: ``kind`` "field" (two values of ``field``), "delete" (an edit against a
    deletion) or "rule" (``field`` names the process rule two devices broke together);
    ``winner`` is the side applied by the merge, ``loser`` the other. ``open`` until a later
    change saw both sides; ``applied_value`` the field's value now.

    The screen's fields (``case_nos``, ``typeable``, ``record``, ``kept_record`` and the
    sides' names and times) are filled by ``conflicts_for_screen`` only."""

    id: str
    kind: str
    tbl: str
    row_id: str
    field: str
    case_id: str | None
    winner: ConflictSide
    loser: ConflictSide
    detail: str = ""
    open: bool = True
    applied_value: Any = None
    case_nos: tuple[str, ...] = ()
    typeable: bool = False
    record: str = ""             # the name of a master-data record
    kept_record: str = ""        # rule conflicts: the record kept

    def side(self, which: str) -> ConflictSide:
        """``winner`` or ``loser``."""
        if which == "winner":
            return self.winner
        if which == "loser":
            return self.loser
        raise ValueError(which)

    @property
    def winner_value(self) -> Any:
        return self.winner.value

    @property
    def loser_value(self) -> Any:
        return self.loser.value


@dataclass(frozen=True)
class ImportCounts:
    """What importing one transfer file did: entries applied, already here (skipped),
    conflicts raised, and rows of authority refused from a field laptop."""

    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    refused: int = 0


@dataclass(frozen=True)
class ImportedFile:
    """A file of the sync folder imported, from which device, with its counts."""

    file: str
    device: str
    counts: ImportCounts


@dataclass(frozen=True)
class RefusedFile:
    """A file of the sync folder refused whole, with the reason in words."""

    file: str
    message: str


@dataclass(frozen=True)
class WrittenFile:
    """A transfer file written into the sync folder for a peer."""

    file: str
    device: str
    entries: int


@dataclass(frozen=True)
class FolderSync:
    """One run of the sync folder (``desk.sync_folder.sync_with_folder``): the files
    imported and refused, how many were read before (``unchanged``), the files written and
    the peers whose file needed no rewrite (``up_to_date``)."""

    folder: str
    imported: tuple[ImportedFile, ...] = ()
    refused: tuple[RefusedFile, ...] = ()
    unchanged: int = 0
    written: tuple[WrittenFile, ...] = ()
    up_to_date: int = 0

__all__ = ["ConflictSide", "FolderSync", "ImportCounts", "ImportedFile", "RefusedFile",
           "SyncConflict", "WrittenFile"]
