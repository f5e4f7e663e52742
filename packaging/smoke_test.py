"""Smoke test of a built program: ``dist/tsunagu/tsunagu --self-test`` offscreen.

    python packaging/smoke_test.py [DIST]       (DIST defaults to dist/, holding tsunagu/)

The built program creates a desk in a temporary folder, registers an intake (𠮷田 髙子),
prints the intake sheet, opens the main window and exits 0 (ui/selftest.py). This script
then reads the printed PDF back (the fonts embedded, the sheet's title and the name in its
text), checks バージョン情報, and measures the start-up to the login window. Everything it
writes goes into a temporary folder (TSUNAGU_HOME too, so no user data is touched).
Exit status 0 when the build works.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def program(dist: Path) -> Path:
    return dist / "tsunagu" / ("tsunagu.exe" if os.name == "nt" else "tsunagu")


def startup_seconds(command: list[str], env: dict, rounds: int = 3) -> float | None:
    """Median wall time of a fresh process to the login window (``--bench-startup``)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        done = subprocess.run([*command, "--bench-startup"], env=env, capture_output=True,
                              text=True, timeout=180)
        if done.returncode != 0:
            print(done.stderr[-2000:], file=sys.stderr)
            return None
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*")
               if f.is_file() and not f.is_symlink()) / 2**20


def read_pdf_text(pdf: Path) -> str | None:
    """The first page's text, when pypdfium2 (a test extra) is installed."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return doc[0].get_textpage().get_text_range()
    finally:
        doc.close()


def check(exe: Path) -> list[str]:
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tsunagu-smoke-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_")}
        env.update(QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   TSUNAGU_HOME=str(Path(tmp) / "home"), TSUNAGU_LANG="ja")
        pdf = Path(tmp) / "intake.pdf"
        start = time.perf_counter()
        done = subprocess.run([str(exe), "--self-test", "--self-test-pdf", str(pdf)], env=env,
                              capture_output=True, text=True, timeout=300, cwd=tmp)
        took = time.perf_counter() - start
        print(done.stdout.strip())
        print(f"self-test: exit {done.returncode} in {took:.1f} s")
        if done.returncode != 0:
            problems.append(f"--self-test exited {done.returncode}: {done.stderr[-3000:]}")
        # A windowed Windows build has no stdout: the exit status and the PDF speak for it.
        if done.stdout and "self-test ok" not in done.stdout:
            problems.append("--self-test did not say ok")
        if done.stdout and "SQLCipher" not in done.stdout:
            problems.append("バージョン情報 has no SQLCipher line")
        if not pdf.exists():
            problems.append("no intake sheet was printed")
            return problems
        data = pdf.read_bytes()
        if b"/FontFile2" not in data or b"BIZUD" not in data:
            problems.append("the intake sheet does not embed the bundled BIZ UD fonts")
        text = read_pdf_text(pdf)
        if text is None:
            print("(pypdfium2 not installed: the PDF's text was not read back)")
        else:
            for expected in ("相談受付", "髙子", "自己診断"):
                if expected not in text:
                    problems.append(f"the printed sheet lacks {expected!r}")
            print(f"PDF read back: {len(data) // 1024} KB, "
                  f"{'title and name found' if not problems else 'INCOMPLETE'}")
        seconds = startup_seconds([str(exe)], env)
        source = startup_seconds([sys.executable, "-m", "ui"], {**env, "PYTHONPATH": str(ROOT)})
        print(f"start-up to the login window: built {seconds or float('nan'):.2f} s, "
              f"from source {source or float('nan'):.2f} s (median of 3, offscreen)")
        if seconds is None:
            problems.append("the built program did not reach the login window")
    return problems


def main(argv: list[str]) -> int:
    dist = Path(argv[0]) if argv else ROOT / "dist"
    exe = program(dist)
    if not exe.exists():
        print(f"not built: {exe} (run: python packaging/build.py)", file=sys.stderr)
        return 2
    print(f"program: {exe}  ({size_mb(exe.parent):.0f} MB in {exe.parent})")
    problems = check(exe)
    for problem in problems:
        print("FAILED: " + problem, file=sys.stderr)
    print("smoke test ok" if not problems else "smoke test FAILED")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
