"""Build the one-folder program with PyInstaller and prove it works.

    python packaging/build.py                 # build dist/tsunagu/, then run smoke_test.py
    python packaging/build.py --installer     # Windows: also build the installer (Inno Setup)
    python packaging/build.py --no-build      # only the smoke test of an existing build

Needs the packaging extra in the same environment (``pip install ".[packaging]"``; add
``.[test]`` to read the printed PDF back). Runs on the OS it builds for: PyInstaller does not
cross-build, so the Windows program is built on Windows (README: Windows へのインストール).
Run it again at any time: PyInstaller replaces dist/tsunagu/ and reuses build/pyinstaller/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "packaging"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from app import __version__
    return __version__


def build() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit('PyInstaller is not installed: pip install ".[packaging]"')
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(WORK),
                    str(HERE / "tsunagu.spec")], cwd=ROOT, check=True)
    print(f"built {DIST / 'tsunagu'} in {time.perf_counter() - start:.0f} s", flush=True)


def installer() -> Path:
    """The Windows installer (Inno Setup 6's iscc on PATH or in its usual folders)."""
    candidates = [shutil.which("iscc")] + [
        str(Path(os.environ.get(var, "")) / "Inno Setup 6" / "ISCC.exe")
        for var in ("ProgramFiles(x86)", "ProgramFiles", "LOCALAPPDATA")]
    iscc = next((c for c in candidates if c and Path(c).exists()), None)
    if iscc is None:
        raise SystemExit("Inno Setup 6 (iscc) was not found: install it from jrsoftware.org")
    subprocess.run([iscc, f"/DAppVersion={version()}", str(HERE / "tsunagu.iss")], cwd=HERE,
                   check=True)
    out = DIST / f"tsunagu-setup-{version()}.exe"
    print(f"installer: {out}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="smoke-test an existing build")
    parser.add_argument("--installer", action="store_true",
                        help="Windows: build the installer with Inno Setup afterwards")
    args = parser.parse_args(argv)
    if not args.no_build:
        build()
    smoke = subprocess.run([sys.executable, str(HERE / "smoke_test.py"), str(DIST)], cwd=ROOT)
    if smoke.returncode != 0:
        return smoke.returncode
    if args.installer:
        if os.name != "nt":
            raise SystemExit("the installer is built on Windows (Inno Setup)")
        installer()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
