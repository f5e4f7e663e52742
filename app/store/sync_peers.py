"""When this installation last exchanged transfer files with each peer (table sync_peer)."""

from __future__ import annotations


def exchange_times(conn) -> dict[str, tuple[str | None, str | None]]:
    """{peer device id: (last import from it, last export to it)} as ISO timestamps (UTC)."""
    return {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT peer, last_import, last_export FROM sync_peer")}
