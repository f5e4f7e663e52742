"""Installing without -e works: the wheel carries the fonts, the master data, the translations
and the migrations, and the program run from the unpacked wheel (outside the checkout) finds
them. The wheel is built from a copy of the sources in tmp_path (pip builds in the source
folder and would leave build/ there), without build isolation, so no network is needed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "app", "ui", "forms", "resources", "translations")


def _files(folder: Path) -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    try:
        import setuptools
    except ImportError:
        pytest.skip("setuptools (the build backend, in the test extras) is not installed")
    major = int(setuptools.__version__.split(".")[0])
    if major < 77:
        pytest.skip(f"setuptools {setuptools.__version__} is older than the build needs (77)")
    work = tmp_path_factory.mktemp("wheel")
    src, out = work / "src", work / "dist"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out)],
        cwd=work, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    wheels = list(out.glob("tsunagu-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_wheel_holds_fonts_master_data_translations_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = (_files(ROOT / "resources") | _files(ROOT / "translations")
              | _files(ROOT / "app" / "store" / "migrations"))
    assert {n for n in needed if n.endswith((".ttf", ".json", ".tsv", ".po", ".sql"))} >= {
        "resources/fonts/BIZUDGothic-Regular.ttf", "resources/fonts/BIZUDMincho-Regular.ttf",
        "resources/fonts/ipamjm.ttf", "resources/master/referral_sources.json",
        "resources/master/variants.tsv", "translations/ja/LC_MESSAGES/tsunagu.po",
        "app/store/migrations/0001_initial.sql"}
    missing = sorted(needed - names)
    assert not missing, f"not in the wheel: {missing}"
    assert "ui/main.py" in names and "forms/intake.py" in names and "app/desk.py" in names
    assert not [n for n in names if n.startswith(("tests/", "tools/", "packaging/"))]
    entry = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "tsunagu = ui.main:main" in entry


def test_the_unpacked_wheel_runs_from_another_folder(wheel, tmp_path):
    """The program imported from the wheel's files (not the checkout) finds its resources:
    the help in Japanese, a demo desk, an intake sheet with the bundled fonts embedded."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_")}
    env.update(PYTHONPATH=str(site), TSUNAGU_HOME=str(tmp_path / "home"), PYTHONNOUSERSITE="1")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=300)

    where = run("-c", "import app, app.paths as p; print(app.__file__); print(p.fonts_dir())")
    assert where.returncode == 0, where.stderr
    app_file, fonts = where.stdout.split()
    assert Path(app_file).is_relative_to(site) and Path(fonts) == site / "resources" / "fonts"

    helped = run("-m", "app", "--help")
    assert helped.returncode == 0 and "新しい機関データベースを作成する" in helped.stdout, \
        helped.stdout + helped.stderr

    made = run("-m", "app", "demo", "--db", "X.db", "--cases", "2")
    assert made.returncode == 0, made.stderr
    password = next(line.split(":", 1)[1].strip() for line in made.stdout.splitlines()
                    if line.startswith("パスワード"))
    env["TSUNAGU_PASSWORD"] = password
    listed = run("-m", "app", "cases", "list", "--db", "X.db", "--user", "demo", "--json")
    assert listed.returncode == 0, listed.stderr
    import json
    case_no = json.loads(listed.stdout)[0]["case_no"]
    printed = run("-m", "app", "print", "--db", "X.db", "--user", "demo", "--case", case_no,
                  "--sheet", "intake", "--out", "intake.pdf")
    assert printed.returncode == 0, printed.stderr
    data = (elsewhere / "intake.pdf").read_bytes()
    assert b"BIZUDGothic" in data and b"/FontFile2" in data  # embedded, not a system font
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(elsewhere / "intake.pdf"))
    text = pdf[0].get_textpage().get_text_range()
    pdf.close()
    assert "相談受付・申込票" in text and "令和" in text
