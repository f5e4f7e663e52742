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
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from app.demo import GENERATOR_VERSION, create_demo, demo_intake  # noqa: E402
from app.desk import Desk  # noqa: E402
from app.security.keyslots import KeySlots  # noqa: E402
from app.store import db  # noqa: E402
from app.store.store import Store  # noqa: E402

TARGETS = {  # seconds, issue 8 at N = 100,000
    "startup_to_login": 1.5, "unlock": None, "search_kana": 0.05, "search_kanji_1char": 0.05,
    "search_3chars": 0.05, "case_list_first_screen": 0.05, "open_case": 0.1,
    "save_intake": 0.03, "pdf_5_pages": 0.3, "monthly_report": 1.0, "fiscal_year_report": 2.0,
    "open_case_1000_records": 0.1, "save_support_record": 0.03, "unlock_to_dashboard": None,
    "week_bundle_export_30_cases": 0.3, "week_bundle_import": 1.0,   # issue 17
}
RATIO_TARGET = 1.3      # encrypted / plain
RSS_TARGET_MB = 400
BIG_CASE_RECORDS = 1000
BUNDLE_CASES = 200
SETUP_VERSION = 1       # what prepare() adds to a cached desk


def median_time(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def desk_files(cases: int, records: int = 10, share: float = 1.0) -> tuple[Path, Path]:
    """(database, metadata) of the cached desk; the name carries the generator version, so
    a desk made by an older generator is not reused."""
    folder = Path(os.environ.get("TSUNAGU_BENCH_DIR", tempfile.gettempdir())) / "tsunagu-bench"
    stem = f"desk-{cases}-g{GENERATOR_VERSION}-r{records}" + (f"-p{share:g}" if share < 1 else "")
    return folder / f"{stem}.db", folder / f"{stem}.json"


def build(cases: int, records: int = 10, share: float = 1.0) -> tuple[Path, str, str]:
    """The cached desk, built and prepared first if missing — in a child process
    (``--build-only``), so that the build's page cache does not count in the peak memory
    measured here."""
    path, meta = desk_files(cases, records, share)
    ready = path.exists() and meta.exists() and \
        json.loads(meta.read_text()).get("setup") == SETUP_VERSION
    if not ready:
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--build-only",
                        "--cases", str(cases), "--records-per-case", str(records),
                        "--process-share", repr(share)], check=True)
    info = json.loads(meta.read_text())
    return path, info["login"], info["password"]


def build_here(cases: int, records: int = 10, share: float = 1.0) -> None:
    """Build the desk in this process (app/demo.create_demo: every case through the Desk
    operations, under Store.bulk_load) unless it is cached."""
    path, meta = desk_files(cases, records, share)
    if path.exists() and meta.exists():
        print(f"{path.name} is already built", file=sys.stderr)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    for p in path.parent.glob(f"{path.stem}*"):
        if p.is_file():
            p.unlink()
    t, cpu = time.perf_counter(), time.process_time()

    def progress(done: int, total: int) -> None:
        print(f"building {done}/{total} cases ({time.perf_counter() - t:.0f} s, cpu "
              f"{time.process_time() - cpu:.0f} s)", file=sys.stderr, flush=True)
    login, password = create_demo(path, cases, records_per_case=records, process_share=share,
                                  progress=progress)
    built, cpu = time.perf_counter() - t, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"built {cases} cases in {built:.0f} s ({built / cases * 1000:.1f} ms/case, cpu "
          f"{cpu:.0f} s, peak RSS {peak:.0f} MB)", file=sys.stderr)
    meta.write_text(json.dumps({"login": login, "password": password,
                                "build_seconds": round(built), "build_cpu_seconds": round(cpu),
                                "build_peak_rss_mb": round(peak)}))


def prepare(path: Path, login: str, password: str) -> dict:
    """Once per cached desk: a desk device made with add_device, then 200 new cases (not on
    that device: the bundle to import) and one case with 1,000 support records."""
    meta_path = path.with_suffix(".json")
    info = json.loads(meta_path.read_text())
    if info.get("setup") == SETUP_VERSION:
        return info
    from app.demo import fill
    from app.domain.assessment import AssessmentInput, ScreeningResult
    from app.domain.meeting import MeetingResult, Participant
    from app.domain.monitoring import MonitoringInput
    from app.domain.plan import Goal, PlanInput, PlanItem
    from app.domain.record import RecordMethod
    from datetime import datetime, timedelta
    import random
    import shutil
    for p in path.parent.glob(path.stem + "-plain.db*"):
        p.unlink()
    device_dir = path.parent / (path.stem + "-device")
    shutil.rmtree(device_dir, ignore_errors=True)
    desk = Desk.open(path, login, password)
    try:
        t = time.perf_counter()
        desk.sync.add_device("desk", "ベンチ用の窓口PC", device_dir)
        print(f"device made in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        before = {r[0] for r in desk.store.conn.execute("SELECT id FROM case_file")}
        fill(desk, BUNDLE_CASES, seed=8, days=90)
        bundle = sorted({r[0] for r in desk.store.conn.execute("SELECT id FROM case_file")}
                        - before)
        rng = random.Random(3)
        today = desk.today()
        start = today - timedelta(days=3 * 365)
        from dataclasses import replace
        from app.domain import Triage
        with desk.batch():
            data = replace(demo_intake(rng, desk, start), triage=Triage.CONTINUE,
                           referral_to="", accompanied=False, check_on=None)
            cid = desk.register_intake(data).case.id
        with desk.batch():
            try:
                desk.process.save_assessment(cid, AssessmentInput(start + timedelta(days=7),
                                                          problems=["economic_hardship"],
                                                          analysis="長期の支援が必要"))
                desk.process.screen(cid, ScreeningResult.CONTINUE, start + timedelta(days=7))
                plan = desk.process.draft_plan(cid, PlanInput(
                    aim="自分の収入で暮らす", goals=[Goal("生活リズムを整える")],
                    items=[PlanItem("月1回の面談", "self_reliance")],
                    period_from=start + timedelta(days=30),
                    period_to=start + timedelta(days=3 * 365 - 30),
                    signed_on=start + timedelta(days=10)))
                m = desk.process.plan_meeting(start + timedelta(days=20), participants=[
                    Participant("町 一郎", "つなぐ町福祉課")])
                desk.process.submit_plan(plan.id, m.id)
                desk.process.record_meeting_results(m.id, {i.id: (MeetingResult.APPROVED, "")
                                                   for i in desk.process.pending_agenda(m.id)})
                desk.process.start_service(plan.items[0].id, start + timedelta(days=25))
                for k in range(30):
                    desk.process.add_monitoring(cid, MonitoringInput(start + timedelta(days=35 + 34 * k)))
            except Exception as e:  # noqa: BLE001 - the records matter, not the plan
                print(f"big case without a plan: {e}", file=sys.stderr)
        methods = list(RecordMethod)
        with desk.batch():
            for k in range(BIG_CASE_RECORDS):
                on = start + timedelta(days=int(k * 3 * 365 / BIG_CASE_RECORDS))
                desk.process.add_record(cid, datetime(on.year, on.month, on.day, 10, 0),
                                methods[k % len(methods)],
                                f"面談{k + 1}回目。生活の状況と求職活動の進み具合を確認した。" * 2,
                                contact_person="本人", next_action="次回の面談日を調整")
    finally:
        desk.close()
    info.update({"setup": SETUP_VERSION, "device": str(device_dir / "tsunagu.db"),
                 "bundle_cases": bundle, "big_case": cid})
    meta_path.write_text(json.dumps(info))
    return info


WEEK = {"cases": 30, "records": 200, "intakes": 5, "assessments": 3}


def week_of_work(laptop: Desk, cases: list[str], seed: int) -> None:
    """One outreach worker's week on the laptop: 200 支援経過記録 over the 30 cases,
    5 new intakes, 3 assessments of them."""
    import random
    from datetime import datetime, timedelta
    from app.domain.assessment import AssessmentInput
    from app.domain.record import RecordMethod
    rng = random.Random(seed)
    today = laptop.today()
    methods = list(RecordMethod)
    for k in range(WEEK["records"]):
        on = today - timedelta(days=rng.randint(0, 6))
        laptop.process.add_record(rng.choice(cases), datetime(on.year, on.month, on.day, 9 + k % 8, 0),
                          methods[k % len(methods)],
                          f"訪問{k + 1}。家計の状況と求職活動の進み具合を本人と確認した。",
                          contact_person="本人", next_action="次回の訪問日を調整")
    new = []
    for i in range(WEEK["intakes"]):
        data = demo_intake(rng, laptop, today - timedelta(days=rng.randint(0, 6)))
        from dataclasses import replace
        from app.domain import Triage
        data = replace(data, triage=Triage.CONTINUE, referral_to="", accompanied=False,
                       check_on=None)
        new.append(laptop.register_intake(data).case.id)
    for cid in new[:WEEK["assessments"]]:
        laptop.process.save_assessment(cid, AssessmentInput(today, problems=["economic_hardship"],
                                                    analysis="収入が途絶え家賃の滞納がある"))


def measure_week(desk: Desk, login: str, password: str, rounds: int) -> dict[str, float]:
    """Each round: a new field laptop (add_device) takes out 30 open cases, does a week's
    work (week_of_work); its bundle for the desk is timed as the laptop writes it and as
    the desk imports it; the cases are then checked in. (A copy of one laptop cannot be
    used twice: the desk has seen its entries' sequence numbers.)"""
    import shutil
    folder = Path(tempfile.mkdtemp(prefix="tsunagu-week-"))
    exports, imports, entries, size = [], [], 0, 0
    try:
        for i in range(max(1, min(rounds, 3))):
            taken = {r[0] for r in desk.store.conn.execute(
                "SELECT case_id FROM checkout WHERE returned_on IS NULL")}
            pool = [r[0] for r in desk.store.conn.execute(
                "SELECT id FROM case_file WHERE closed_on IS NULL AND stage NOT IN"
                " ('intake', 'referred', 'info_only', 'suspended') AND opened_on <= ?"
                " ORDER BY opened_on DESC LIMIT 500",
                ((date.today() - timedelta(days=14)).isoformat(),))]
            cases = [c for c in pool if c not in taken][:WEEK["cases"]]
            target = folder / f"laptop{i}"
            desk.sync.add_device("field", f"ベンチ用ノートPC {i + 1}", target, cases=cases)
            laptop = Desk.open(target / "tsunagu.db", login, password)
            try:
                with laptop.batch():
                    week_of_work(laptop, cases, seed=100 + i)
                out = folder / f"week{i}.tsb"
                t = time.perf_counter()
                laptop.sync.export_bundle(out, for_device=desk.store.device_id)
                exports.append(time.perf_counter() - t)
            finally:
                laptop.close()
            t = time.perf_counter()
            result = desk.sync.import_bundle(out)
            imports.append(time.perf_counter() - t)
            entries, size = result.applied, out.stat().st_size
            desk.sync.check_in(cases)
        return {"week_bundle_export_30_cases": statistics.median(exports),
                "week_bundle_import": statistics.median(imports),
                "week_entries": entries, "week_bytes": size}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def plain_copy(path: Path, raw_key: bytes) -> Path:
    """The plain copy, made again when the desk's schema moved on (new indexes)."""
    return _fresh_copy(path, raw_key, "-plain.db", None)


def compact_copy(path: Path, raw_key: bytes) -> Path:
    """An encrypted copy written in one go (sqlcipher_export, like the plain copy): the same
    layout as the plain copy — full pages in key order — where the desk itself has the
    layout of years of inserts (``ratio.py --compact``)."""
    return _fresh_copy(path, raw_key, "-compact.db", raw_key)


def _fresh_copy(path: Path, raw_key: bytes, suffix: str, copy_key: bytes | None) -> Path:
    copy = path.with_name(path.stem + suffix)
    conn = db.connect(path, raw_key)
    try:
        if copy.exists():
            old = db.connect(copy, copy_key)
            stale = db.user_version(old) != db.user_version(conn)
            old.close()
            if stale:
                for p in copy.parent.glob(copy.name + "*"):
                    p.unlink()
        if not copy.exists():
            db.export_copy(conn, copy, copy_key)
    finally:
        conn.close()
    return copy


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


def store_reads(store: Store) -> dict[str, Callable[[], object]]:
    """The store's reads the screens make (searches, the list's first screen, a case)."""
    from app.text_ja import fold_for_search
    some = store.list_cases(limit=1, offset=100)[0].id
    return {
        "search_kana": lambda: store.list_cases(folded_query=fold_for_search("たかはし"),
                                                limit=200),
        "search_kanji_1char": lambda: store.list_cases(folded_query=fold_for_search("髙"),
                                                       limit=200),
        "search_3chars": lambda: store.list_cases(folded_query=fold_for_search("やまだ"),
                                                  limit=200),
        "case_list_first_screen": lambda: (store.list_cases(limit=200, sort="case_no",
                                                            descending=True),
                                           store.count_cases()),
        "open_case": lambda: store.case_detail(some),
    }


def desk_reads(desk: Desk, info: dict) -> dict[str, Callable[[], object]]:
    """What the screens load, through the Desk (the same calls on both databases)."""
    big = info["big_case"]
    # issue 7: figures counted from the records (the month and fiscal year of today)
    month = date.today().strftime("%Y-%m")
    fy = date.today().year if date.today().month >= 4 else date.today().year - 1
    return {
        "dashboard": desk.process.dashboard,
        # what the case view loaded before issue 21 (kept to compare), and its one read now
        "open_case_1000_records": lambda: (desk.get_case(big), desk.process.timeline(big),
                                           desk.process.support_records(big), desk.process.current_plan(big)),
        "case_overview_1000_records": lambda: desk.case_overview(big),
        "monthly_report": lambda: desk.reports.monthly_report(month),
        "fiscal_year_report": lambda: desk.reports.fiscal_year_report(fy),
    }


def measure_store(store: Store, rounds: int) -> dict[str, float]:
    return {name: median_time(fn, rounds) for name, fn in store_reads(store).items()}


def measure_desk(desk: Desk, info: dict, rounds: int) -> dict[str, float]:
    """The Desk's reads, and saving a support record."""
    from datetime import datetime
    from app.domain.record import RecordMethod
    r = {name: median_time(fn, rounds) for name, fn in desk_reads(desk, info).items()}
    some = desk.list_cases(limit=1, offset=100)[0].id
    now = datetime.now().replace(second=0, microsecond=0)
    r["save_support_record"] = median_time(lambda: desk.process.add_record(
        some, now, RecordMethod.PHONE, "本人より電話。面接の結果を聞いた。",
        contact_person="本人", next_action="来週来所"), rounds)
    return r


def machine() -> str:
    return (f"{platform.machine()} {os.cpu_count()} cores, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def measure_bundle(desk: Desk, info: dict, login: str, password: str, rounds: int
                   ) -> dict[str, float]:
    """export_bundle(cases=200) on the desk; import into a fresh copy of the desk device
    made with add_device before those cases existed (each round on its own copy)."""
    import shutil
    folder = Path(tempfile.mkdtemp(prefix="tsunagu-bundle-"))
    try:
        out = folder / "200.tsb"
        t = time.perf_counter()
        desk.sync.export_bundle(out, cases=info["bundle_cases"])
        export = time.perf_counter() - t
        if export < 5:  # slow exports are timed once (the whole journal is read each time)
            export = median_time(lambda: desk.sync.export_bundle(out, cases=info["bundle_cases"]),
                                 rounds)
        device = Path(info["device"])
        times, applied = [], 0
        for i in range(max(1, min(rounds, 3))):
            target = folder / f"dev{i}" / "tsunagu.db"
            target.parent.mkdir()
            shutil.copy(device, target)
            shutil.copy(str(device) + ".keys", str(target) + ".keys")
            other = Desk.open(target, login, password)
            try:
                t = time.perf_counter()
                applied = other.sync.import_bundle(out).applied
                times.append(time.perf_counter() - t)
            finally:
                other.close()
            for p in target.parent.iterdir():
                p.unlink()
        return {"bundle_export_200_cases": export,
                "bundle_import_200_cases": statistics.median(times),
                "bundle_bytes": out.stat().st_size, "bundle_entries": applied}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def unlock_seconds(path: Path, login: str, password: str, rounds: int) -> float:
    """Desk.open (key derivation, migrations check, login audit) and the dashboard."""
    def once():
        desk = Desk.open(path, login, password)
        try:
            desk.process.dashboard()
        finally:
            desk.close()
    return median_time(once, max(1, min(rounds, 3)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--records-per-case", type=int, default=10)
    ap.add_argument("--process-share", type=float, default=1.0,
                    help="share of the cases taken through the process beyond intake")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--build-only", action="store_true",
                    help="build and prepare the desk (if not cached) and measure nothing")
    args = ap.parse_args()
    if args.build_only:
        build_here(args.cases, args.records_per_case, args.process_share)
        path, meta = desk_files(args.cases, args.records_per_case, args.process_share)
        info = json.loads(meta.read_text())
        prepare(path, info["login"], info["password"])
        return 0

    path, login, password = build(args.cases, args.records_per_case, args.process_share)
    info = prepare(path, login, password)
    results: dict[str, dict] = {}
    results["unlock_to_dashboard"] = {"encrypted": unlock_seconds(path, login, password,
                                                                   args.rounds)}
    desk = Desk.open(path, login, password)
    enc = measure_store(desk.store, args.rounds)
    enc.update(measure_desk(desk, info, args.rounds))

    import random
    rng = random.Random(1)

    def save():
        desk.register_intake(demo_intake(rng, desk, date.today()))
    results["save_intake"] = {"encrypted": median_time(save, args.rounds)}
    rss_before_bundle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    bundle = measure_bundle(desk, info, login, password, args.rounds)
    # making a field laptop copies and trims the whole desk (minutes at 100,000): one round
    week = measure_week(desk, login, password, args.rounds if args.cases <= 20000 else 1)
    raw_key = KeySlots.load(path).unlock(login, password)
    user = desk.user
    desk.close()

    plain_path = plain_copy(path, raw_key)
    plain = Store(db.connect(plain_path, None), plain_path, b"")
    pl = measure_store(plain, args.rounds)
    plain_desk = Desk(plain, user)
    pl.update(measure_desk(plain_desk, info, args.rounds))
    plain.conn.close()
    for k, v in enc.items():
        results[k] = {"encrypted": v, "plain": pl.get(k),
                      "ratio": v / pl[k] if pl.get(k) else None}
    for k in ("bundle_export_200_cases", "bundle_import_200_cases"):
        results[k] = {"encrypted": bundle[k]}
    for k in ("week_bundle_export_30_cases", "week_bundle_import"):
        results[k] = {"encrypted": week[k]}

    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from bench_pdf import five_page_story_seconds  # type: ignore
    results["pdf_5_pages"] = {"encrypted": five_page_story_seconds(args.rounds)}
    startup = startup_seconds()
    results["startup_to_login"] = {"encrypted": startup}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = {"cases": args.cases, "machine": machine(),
               "date": date.today().isoformat(), "db_mb": round(path.stat().st_size / 2**20, 1),
               "peak_rss_mb": round(peak_mb, 1),
               "peak_rss_mb_before_bundle": round(rss_before_bundle, 1),
               "records_per_case": args.records_per_case,
               "process_share": args.process_share,
               "build_seconds": info.get("build_seconds"),
               "build_cpu_seconds": info.get("build_cpu_seconds"),
               "build_peak_rss_mb": info.get("build_peak_rss_mb"),
               "bundle": {k: bundle[k] for k in ("bundle_bytes", "bundle_entries")},
               "week": {k: week[k] for k in ("week_entries", "week_bytes")},
               "results": results}
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
    worst = max((r["ratio"] for r in results.values() if r.get("ratio")), default=None)
    print(f"worst encrypted/plain ratio: {worst:.2f} (target <= {RATIO_TARGET})" if worst
          else "worst encrypted/plain ratio: n/a")
    print(f"peak RSS: {summary['peak_rss_mb']} MB, before the bundle export "
          f"{summary['peak_rss_mb_before_bundle']} MB (target < {RSS_TARGET_MB} MB)")
    print(f"bundle of {BUNDLE_CASES} cases: {bundle['bundle_bytes'] / 2**20:.1f} MB, "
          f"{bundle['bundle_entries']} entries applied")
    print(f"a week's bundle ({WEEK}): {week['week_bytes'] / 1024:.0f} KB, "
          f"{week['week_entries']} entries applied")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
