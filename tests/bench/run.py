"""Benchmarks at scale (a command that prints figures; not part of the test run).

    python tests/bench/run.py --cases 100000 [--json] [--rounds 7]

Builds (or reuses) a desk of N synthetic cases through the same Desk operations as real
input, then prints medians for each operation on the encrypted database and on a plain
SQLite copy of the same data (ratio = encrypted / plain), and the peak memory (RSS).
Operations that later issues add (records, reports, bundles) are listed as "n/a" until
they exist. Desks are cached in $TSUNAGU_BENCH_DIR (default: the system temp folder).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from app.demo import create_demo, demo_intake  # noqa: E402
from app.desk import Desk  # noqa: E402
from app.security.keyslots import KeySlots  # noqa: E402
from app.store import db  # noqa: E402
from app.store.store import Store  # noqa: E402

TARGETS = {  # seconds, issue 8 at N = 100,000
    "startup_to_login": 1.5, "unlock": None, "search_kana": 0.05, "search_kanji_1char": 0.05,
    "search_3chars": 0.05, "case_list_first_screen": 0.05, "open_case": 0.1,
    "save_intake": 0.03, "pdf_5_pages": 0.3, "monthly_report": 1.0, "fiscal_year_report": 2.0,
}


def median_time(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def build(cases: int) -> tuple[Path, str, str]:
    folder = Path(os.environ.get("TSUNAGU_BENCH_DIR", tempfile.gettempdir())) / "tsunagu-bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"desk-{cases}.db"
    meta = folder / f"desk-{cases}.json"
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text())
        return path, info["login"], info["password"]
    for p in folder.glob(f"desk-{cases}.db*"):
        p.unlink()
    t = time.perf_counter()
    login, password = create_demo(path, cases, progress=lambda d, n: print(
        f"\rbuilding {d}/{n}", end="", file=sys.stderr))
    print(f"\rbuilt {cases} cases in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    meta.write_text(json.dumps({"login": login, "password": password}))
    return path, login, password


def plain_copy(path: Path, raw_key: bytes) -> Path:
    plain = path.with_name(path.stem + "-plain.db")
    if not plain.exists():
        conn = db.connect(path, raw_key)
        db.export_copy(conn, plain, None)
        conn.close()
    return plain


def startup_seconds() -> float | None:
    """A fresh process to the login window, offscreen (the GUI's --bench-startup flag)."""
    if not (ROOT / "ui" / "main.py").exists():
        return None
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    code = ("import time; t=time.perf_counter(); import sys; sys.argv=['tsunagu','--bench-startup'];"
            "from ui.main import main; main(); print(time.perf_counter()-t)")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            return None
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure_store(store: Store, rounds: int) -> dict[str, float]:
    from app.text_ja import fold_for_search
    r = {}
    r["search_kana"] = median_time(lambda: store.list_cases(
        folded_query=fold_for_search("たかはし"), limit=200), rounds)
    r["search_kanji_1char"] = median_time(lambda: store.list_cases(
        folded_query=fold_for_search("髙"), limit=200), rounds)
    r["search_3chars"] = median_time(lambda: store.list_cases(
        folded_query=fold_for_search("やまだ"), limit=200), rounds)
    r["case_list_first_screen"] = median_time(lambda: (
        store.list_cases(limit=200, sort="case_no", descending=True), store.count_cases()), rounds)
    some = store.list_cases(limit=1, offset=100)[0].id
    r["open_case"] = median_time(lambda: store.case_detail(some), rounds)
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    path, login, password = build(args.cases)
    results: dict[str, dict] = {}

    t = time.perf_counter()
    desk = Desk.open(path, login, password)
    unlock = time.perf_counter() - t
    results["unlock"] = {"encrypted": unlock}
    enc = measure_store(desk.store, args.rounds)

    import random
    rng = random.Random(1)
    def save():
        desk.register_intake(demo_intake(rng, desk, date.today()))
    results["save_intake"] = {"encrypted": median_time(save, args.rounds)}
    # issue 7: figures counted from the records (the month and fiscal year of today)
    month = date.today().strftime("%Y-%m")
    fy = date.today().year if date.today().month >= 4 else date.today().year - 1
    results["monthly_report"] = {"encrypted": median_time(
        lambda: desk.monthly_report(month), args.rounds)}
    results["fiscal_year_report"] = {"encrypted": median_time(
        lambda: desk.fiscal_year_report(fy), args.rounds)}
    raw_key = KeySlots.load(path).unlock(login, password)
    desk.close()

    plain = Store(db.connect(plain_copy(path, raw_key), None), path, b"")
    pl = measure_store(plain, args.rounds)
    plain.conn.close()
    for k, v in enc.items():
        results[k] = {"encrypted": v, "plain": pl[k], "ratio": v / pl[k] if pl[k] else None}

    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from bench_pdf import five_page_story_seconds  # type: ignore
    results["pdf_5_pages"] = {"encrypted": five_page_story_seconds(args.rounds)}
    startup = startup_seconds()
    results["startup_to_login"] = {"encrypted": startup}
    for name in ("open_case_1000_records", "save_support_record", "bundle_200_cases"):
        results[name] = {"encrypted": None, "note": "n/a: not built yet"}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = {"cases": args.cases, "machine": f"{platform.machine()} {os.cpu_count()} cores, "
               f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
               "date": date.today().isoformat(), "db_mb": round(path.stat().st_size / 2**20, 1),
               "peak_rss_mb": round(peak_mb, 1), "results": results}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return 0
    print(f"# {args.cases} cases, {summary['db_mb']} MB, {summary['machine']}, {summary['date']}")
    print(f"{'operation':28} {'encrypted ms':>13} {'plain ms':>9} {'ratio':>6} {'target ms':>10}")
    for name, r in results.items():
        def ms(v):
            return f"{v * 1000:.1f}" if isinstance(v, float) else "n/a"
        target = TARGETS.get(name)
        print(f"{name:28} {ms(r.get('encrypted')):>13} {ms(r.get('plain')):>9} "
              f"{(format(r['ratio'], '.2f') if r.get('ratio') else '-'):>6} "
              f"{(format(target * 1000, '.0f') if target else '-'):>10}")
    print(f"peak RSS: {summary['peak_rss_mb']} MB (target < 400 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
