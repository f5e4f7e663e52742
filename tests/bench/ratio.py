"""Encrypted ÷ plain, interleaved (issue 17 point 5): what the encryption costs per read.

    python tests/bench/ratio.py --cases 100000 [--rounds 9] [--json]
    python tests/bench/ratio.py --cases 100000 --cache-mib 192        # a setting tried
    python tests/bench/ratio.py --cases 100000 --memory-security on
    python tests/bench/ratio.py --cases 100000 --compact    # and an encrypted fresh copy

``run.py`` times every operation on the encrypted desk first and on the plain copy
afterwards; on a shared machine the load moves between the two halves and the ratio with
it (the fiscal-year report was seen at 1.00–1.41). Here both desks are open at once and
each round times an operation on one and then on the other, the order swapped every round;
the ratio reported is the median of the per-round ratios (and, beside it, the ratio of the
medians). Both connections get the same page cache (``--cache-mib``) and the same pragmas,
so what is left is decrypting pages (and checking their HMAC) as they enter the cache.

The plain copy is written in one go (sqlcipher_export): full pages in key order, where the
desk has the layout years of inserts left (index pages part-filled by random keys, pages of
one table scattered). ``--compact`` times a third database in the same rounds — an
encrypted copy written the same way — so the two are told apart: compact ÷ plain is what
the encryption costs, encrypted ÷ compact what the used file's layout costs.

The desk and its copies are the cached benchmark ones of ``run.py`` (built if missing).
Only reads are timed: a write changes the two databases differently.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as core  # noqa: E402  (tests/bench/run.py)

from app.desk import Desk  # noqa: E402
from app.security.keyslots import KeySlots  # noqa: E402
from app.store import db  # noqa: E402
from app.store.store import Store  # noqa: E402

RATIO_TARGET = 1.15


def operations(desk: Desk, info: dict) -> dict[str, Callable[[], object]]:
    """The reads ``run.py`` times (the screens' queries), as callables on ``desk``."""
    return {**core.store_reads(desk.store), **core.desk_reads(desk, info)}


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--cache-mib", type=int, default=db.CACHE_KIB // 1024,
                    help="page cache of both connections (default: the app's)")
    ap.add_argument("--memory-security", choices=("default", "on", "off"), default="default",
                    help="PRAGMA cipher_memory_security on the encrypted connection")
    ap.add_argument("--only", default="", help="comma-separated operation names")
    ap.add_argument("--compact", action="store_true",
                    help="also time an encrypted copy written in one go, like the plain one")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    db.CACHE_KIB = args.cache_mib * 1024
    path, login, password = core.build(args.cases)
    info = core.prepare(path, login, password)
    raw_key = KeySlots.load(path).unlock(login, password)
    plain_path = core.plain_copy(path, raw_key)

    desk = Desk.open(path, login, password)
    conn = desk.store.conn
    if args.memory_security != "default":
        conn.execute(f"PRAGMA cipher_memory_security = {args.memory_security.upper()}")
    settings = {
        "cache_mib": args.cache_mib,
        "cipher_memory_security": conn.execute("PRAGMA cipher_memory_security").fetchone()[0],
        "cipher_page_size": conn.execute("PRAGMA cipher_page_size").fetchone()[0],
        "cipher_version": conn.execute("PRAGMA cipher_version").fetchone()[0],
        "cipher_provider": conn.execute("PRAGMA cipher_provider").fetchone()[0],
        "page_size": conn.execute("PRAGMA page_size").fetchone()[0],
    }
    conn.execute(f"PRAGMA cache_size = -{db.CACHE_KIB}")   # Desk.open may have shrunk it
    plain_store = Store(db.connect(plain_path, None), plain_path, b"")
    plain = Desk(plain_store, desk.user)
    compact_store = None
    if args.compact:
        compact_path = core.compact_copy(path, raw_key)
        compact_store = Store(db.connect(compact_path, raw_key), compact_path, raw_key)
        compact_store.conn.execute(f"PRAGMA cache_size = -{db.CACHE_KIB}")
        if args.memory_security != "default":
            compact_store.conn.execute(
                f"PRAGMA cipher_memory_security = {args.memory_security.upper()}")

    enc_ops, plain_ops = operations(desk, info), operations(plain, info)
    compact_ops = operations(Desk(compact_store, desk.user), info) if compact_store else None
    names = [n for n in enc_ops if not args.only or n in args.only.split(",")]
    results: dict[str, dict] = {}
    try:
        for name in names:
            timed_ops = {"encrypted": enc_ops[name], "plain": plain_ops[name]}
            if compact_ops is not None:
                timed_ops["compact"] = compact_ops[name]
            for op in timed_ops.values():
                op()                 # each connection reads its pages once before timing
            order = list(timed_ops)
            times: dict[str, list[float]] = {k: [] for k in timed_ops}
            for r in range(args.rounds):
                for k in order[r % len(order):] + order[:r % len(order)]:   # rotated
                    times[k].append(timed(timed_ops[k]))
            ratios = [e / p if p > 0 else float("nan")
                      for e, p in zip(times["encrypted"], times["plain"])]
            medians = {k: statistics.median(v) for k, v in times.items()}
            results[name] = {
                **medians, "ratio": statistics.median(ratios),
                "ratio_of_medians": medians["encrypted"] / medians["plain"],
                "ratio_min": min(ratios), "ratio_max": max(ratios)}
            if "compact" in times:
                results[name]["compact_ratio"] = statistics.median(
                    c / p if p > 0 else float("nan")
                    for c, p in zip(times["compact"], times["plain"]))
    finally:
        plain_store.conn.close()
        if compact_store is not None:
            compact_store.conn.close()
        desk.close()
    summary = {"cases": args.cases, "date": date.today().isoformat(),
               "machine": core.machine(),
               "rounds": args.rounds, "settings": settings,
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
               "results": results}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return 0
    print(f"# encrypted ÷ plain, {args.cases} cases, {summary['machine']}, {summary['date']}, "
          f"{args.rounds} interleaved rounds")
    print("# " + ", ".join(f"{k}={v}" for k, v in settings.items()))
    extra = f" {'compact ms':>11} {'compact÷plain':>14}" if args.compact else ""
    print(f"{'operation':26} {'encrypted ms':>13} {'plain ms':>9} {'ratio':>6} "
          f"{'(min–max)':>12} {'of medians':>11}{extra}")
    for name, r in results.items():
        extra = (f" {r['compact'] * 1000:11.1f} {r['compact_ratio']:14.2f}"
                 if args.compact else "")
        print(f"{name:26} {r['encrypted'] * 1000:13.1f} {r['plain'] * 1000:9.1f} "
              f"{r['ratio']:6.2f} {r['ratio_min']:5.2f}–{r['ratio_max']:<5.2f} "
              f"{r['ratio_of_medians']:11.2f}{extra}")
    worst = max((r["ratio"] for r in results.values()), default=float("nan"))
    print(f"worst ratio {worst:.2f} (target ≤ {RATIO_TARGET}); peak RSS "
          f"{summary['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
