"""Smoke test of a built package: run ``dist/tsunagu/tsunagu --self-test`` offscreen.

    pyinstaller --noconfirm packaging/tsunagu.spec && python packaging/smoke_test.py [DIST]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    dist = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"
    exe = dist / "tsunagu" / ("tsunagu.exe" if os.name == "nt" else "tsunagu")
    if not exe.exists():
        print(f"not built: {exe} (run pyinstaller --noconfirm packaging/tsunagu.spec)")
        return 2
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    out = subprocess.run([str(exe), "--self-test"], env=env, capture_output=True, text=True,
                         timeout=180)
    print(out.stdout.strip())
    if out.returncode != 0 or "self-test ok" not in out.stdout:
        print(out.stderr[-3000:], file=sys.stderr)
        return 1
    size = sum(f.stat().st_size for f in exe.parent.rglob("*") if f.is_file())
    print(f"package size: {size / 2**20:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
