"""The data steps of the migration ladder: what upgrading an old desk must add that a SQL
migration cannot write — synced rows need their journal entries (ids, hybrid-clock
stamps), device keys need cryptography.

Each step belongs to the schema version that made it necessary. Upgrading a database
from below that version runs it once, inside the transaction of the upgrade's last schema
step (``db.migrate`` through ``Store.open``), on the newest schema — so it commits with the
upgrade or not at all, and later opens never run it again. A new database needs none (it
is made with everything). What SQL can write goes in the migration file itself (e.g. 0007
keeps the services of approved plans).
"""

from __future__ import annotations

from typing import Any, Callable

from app.store.journal import Writer


def _process_data(store: Any, w: Writer) -> None:
    """Schema 2 (the process after intake): the master data of services and assessment
    lists, and the referral (つなぎ) and emergency rows that intakes of schema 1 imply."""
    from app.store.process_repo import ProcessRepo
    repo = ProcessRepo(store.conn)
    repo.load_master(w)
    repo.from_intakes(w)


def _device_keys(store: Any, w: Writer) -> None:
    """Schema 10 (device keys): this installation's key pairs, self-certified."""
    from app.sync.devices import ensure_device_keys
    ensure_device_keys(store, w)


def _support_spans(store: Any, w: Writer) -> None:
    """Schema 20 (支援中 from an index): when each case is 支援中, from its records."""
    from app.store.derived_repo import fill_support_spans
    fill_support_spans(store.conn)


DATA_STEPS: dict[int, Callable[[Any, Writer], None]] = {
    2: _process_data,
    10: _device_keys,
    20: _support_spans,
}
