"""バージョン情報 is gathered in the core (app/about.py): Qt-free, extensible by register()."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlcipher3

from app import __version__, about

ROOT = Path(__file__).resolve().parent.parent


def test_lines_name_the_versions_and_where_the_data_is(desk):
    lines = dict(about.about_lines(desk))
    assert lines["バージョン"] == f"つなぐ (Tsunagu) {__version__}"
    assert lines["SQLCipher"].startswith("4.") and "community" in lines["SQLCipher"]
    assert lines["SQLite"] == sqlcipher3.sqlite_version
    assert lines["データベース"] == str(desk.path)
    assert lines["鍵ファイル"] == str(desk.path) + ".keys"
    assert lines["バックアップ先"] == str(desk.maintenance.backup_folder())
    assert "Python" in lines and "OS" in lines and "データフォルダー" in lines


def test_without_a_desk_the_backup_folder_named_beside_the_database_is_shown(tmp_path):
    db = tmp_path / "desk.db"
    (tmp_path / "desk.db.backup.json").write_text('{"folder": "%s"}' % (tmp_path / "bk")
                                                  .as_posix(), encoding="utf-8")
    lines = dict(about.about_lines(db_path=db))
    assert lines["データベース"] == str(db)
    assert Path(lines["バックアップ先"]) == tmp_path / "bk"


def test_registered_lines_are_added_and_a_broken_provider_is_left_out(desk):
    def postal(_desk):
        return [("郵便番号データ", "2026-11")]

    def broken(_desk):
        raise RuntimeError("no data")

    about.register(postal)
    about.register(broken)
    try:
        lines = about.about_lines(desk)
        assert lines[-1] == ("郵便番号データ", "2026-11")
        assert "郵便番号データ: 2026-11" in about.about_text(lines)
    finally:
        about._providers.remove(postal)  # noqa: SLF001
        about._providers.remove(broken)  # noqa: SLF001


def test_the_core_gathers_them_without_qt():
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "from app.about import about_lines\n"
            "labels = [k for k, v in about_lines()]\n"
            "assert 'Qt' not in labels and 'SQLCipher' in labels, labels\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
