"""Helpers of the sync tests: a desk with a second desk and a field laptop, made once."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.desk import Desk
from app.security.keyslots import KdfParams
from app.sync.exchange import canonical_dump
from conftest import LOGIN, PASSWORD, make_intake

NAMES = [("山田 太郎", "やまだ たろう"), ("鈴木 花子", "すずき はなこ"), ("髙橋 𠮷子", "たかはし よしこ"),
         ("佐藤 一郎", "さとう いちろう"), ("渡邉 美咲", "わたなべ みさき")]


def build_devices(root: Path, *, field_cases: int = 1) -> dict:
    """root/a (first desk, with cases), root/b (desk copy), root/c (field laptop holding the
    first ``field_cases`` cases). Returns ids; every desk is closed."""
    a, _rec = Desk.create(root / "a" / "tsunagu.db", agency_name="つなぐ町自立相談支援センター",
                          municipality="つなぐ町", population=8200, admin_login=LOGIN,
                          admin_name="管理 花子", password=PASSWORD, kdf=KdfParams.fast(),
                          device_name="窓口PC")
    cases = [a.register_intake(make_intake(name=n, kana=k)) for n, k in NAMES]
    b = a.sync.add_device("desk", "窓口PC2", root / "b")
    c = a.sync.add_device("field", "訪問用ノート", root / "c",
                     cases=[x.case.id for x in cases[:field_cases]])
    ids = {"a": a.agency.device_id, "b": b.id, "c": c.id,
           "cases": [x.case.id for x in cases], "persons": [x.person.id for x in cases]}
    a.close()
    return ids


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.lock"))
    return dst


def open_dev(root: Path, name: str) -> Desk:
    return Desk.open(root / name / "tsunagu.db", LOGIN, PASSWORD)


def dump(desk: Desk) -> dict:
    return canonical_dump(desk.store.conn)
