"""What each peer is known to hold: version vectors.

A version vector maps an origin device to the newest hlc of its entries held *completely*
(every entry of that origin up to it, within the holder's scope: everything for a desk,
master data and its cases for a field laptop). This installation's own vector is kept in
``sync_peer`` under its own id; what peer P holds is P's vector as read from P's last
bundle (or set when P was created here). A bundle "for P" carries every entry in P's scope
newer than what P holds from its origin (app/sync/exchange.py).

Only complete knowledge is merged into the own vector: everything a desk held (its bundle
was built against what we held), but from a field laptop only its own entries (it holds
other devices' entries of its cases only). Case bundles (``cases=``) never move vectors.

The SQL is app/store/sync_peers.py.
"""

from __future__ import annotations

from app.store import sync_exchange as q
from app.store.sync_peers import load_vector, save_vector


def merge_vectors(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    out = dict(a)
    for k, v in b.items():
        if isinstance(k, str) and isinstance(v, str) and v > out.get(k, ""):
            out[k] = v
    return out


def own_vector(conn, me: str) -> dict[str, str]:
    """What this installation holds: its stored vector and its own newest entry."""
    vec = load_vector(conn, me)
    newest = q.newest_hlc_of(conn, me)
    if newest and newest > vec.get(me, ""):
        vec[me] = newest
    return vec


def learn_from_bundle(conn, me: str, sender: str, sender_kind: str, vector: dict[str, str],
                      *, scope: object, imported: str) -> None:
    """After a bundle from ``sender`` is applied: what the sender holds, and what this
    installation now holds completely (see the module docstring). Caller holds the
    transaction."""
    save_vector(conn, sender, merge_vectors(load_vector(conn, sender), vector),
                imported=imported)
    if scope != "cases":
        mine = own_vector(conn, me)
        if sender_kind == "desk":
            mine = merge_vectors(mine, vector)
        elif sender in vector:
            mine = merge_vectors(mine, {sender: vector[sender]})
        save_vector(conn, me, mine)
