"""Issue 18, point 2: `python tools/manual.py` drives a demo desk offscreen, takes a picture of
every screen and wizard into the help pages, and renders the pages to a PDF manual."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pypdfium2 as pdfium

from ui import help as H

TOOL = Path(__file__).resolve().parents[2] / "tools" / "manual.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("tsunagu_manual", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pictures_wanted() -> set[str]:
    out = set()
    for path in H.help_dir().glob("*.html"):
        out |= set(re.findall(r'src="img/([^"]+)\.png"', path.read_text(encoding="utf-8")))
    return out


def test_the_manual_is_rebuilt_from_the_program(qtbot, tmp_path):
    tool = load_tool()
    img, pdf = tmp_path / "img", tmp_path / "manual.pdf"
    assert tool.main(["--img-dir", str(img), "--pdf", str(pdf), "--cases", "8"]) == 0
    wanted = pictures_wanted()
    assert len(wanted) > 30
    missing = sorted(w for w in wanted if not (img / f"{w}.png").exists())
    assert missing == []
    from PySide6.QtGui import QImage
    for name in ("case-view", "step-closure", "area-dashboard"):
        picture = QImage(str(img / f"{name}.png"))
        assert picture.width() == tool.PICTURE_WIDTH and picture.height() > 300
    document = pdfium.PdfDocument(str(pdf))
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    assert len(pages) >= len(list(H.help_dir().glob("*.html")))
    text = "\n".join(pages)
    for heading in ("操作マニュアル", "はじめての方へ", "支援決定", "終結", "よくある間違い",
                    "ショートカット"):
        assert heading in text, heading
    assert "□" not in text


def test_the_help_in_the_program_has_its_pictures():
    """The pictures travel with the help (resources/help/img), one for each page that shows
    one; `python tools/manual.py` renews them."""
    img = H.help_dir() / "img"
    missing = sorted(w for w in pictures_wanted() if not (img / f"{w}.png").exists())
    assert missing == []
