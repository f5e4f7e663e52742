"""Process steps after intake (assessment … closure): Desk operations. See app/process.py."""

from __future__ import annotations


class ProcessOperations:
    """Mixin of Desk for the consultation process (filled in by the process work)."""
