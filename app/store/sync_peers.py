"""What this installation knows of each peer, the SQL (table ``sync_peer``): the version
vector read from the peer's last bundle (this installation's own under its own id) and when
transfer files were last exchanged with it. What a vector means and when it moves:
app/sync/peers.py."""

from __future__ import annotations

import json


def load_vector(conn, peer: str) -> dict[str, str]:
    r = conn.execute("SELECT vector FROM sync_peer WHERE peer = ?", (peer,)).fetchone()
    return json.loads(r[0]) if r else {}


def save_vector(conn, peer: str, vector: dict[str, str], *, imported: str | None = None,
                exported: str | None = None) -> None:
    conn.execute("INSERT INTO sync_peer (peer, vector) VALUES (?, '{}') ON CONFLICT (peer)"
                 " DO NOTHING", (peer,))
    conn.execute("UPDATE sync_peer SET vector = ? WHERE peer = ?",
                 (json.dumps(vector, sort_keys=True), peer))
    if imported:
        conn.execute("UPDATE sync_peer SET last_import = ? WHERE peer = ?", (imported, peer))
    if exported:
        conn.execute("UPDATE sync_peer SET last_export = ? WHERE peer = ?", (exported, peer))


def add_peer_vector(conn, peer: str, vector: dict[str, str]) -> None:
    """A new row (a new installation's first peers)."""
    conn.execute("INSERT INTO sync_peer (peer, vector) VALUES (?, ?)",
                 (peer, json.dumps(vector, sort_keys=True)))


def exchange_times(conn) -> dict[str, tuple[str | None, str | None]]:
    """{peer device id: (last import from it, last export to it)} as ISO timestamps (UTC)."""
    return {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT peer, last_import, last_export FROM sync_peer")}
