"""Make resources/fonts/TsunaguGothicFallback.ttf: the Gothic fallback for name kanji that
BIZ UD Gothic lacks (𠮷 U+20BB7 and about 15,000 others).

    pip install fonttools   # for this script only; the app does not need it
    python tools/make_gothic_fallback.py NotoSansCJK-Regular.ttc

Source: Noto Sans CJK JP Regular (face 0 of NotoSansCJK-Regular.ttc, Debian package
``fonts-noto-cjk``), SIL Open Font License 1.1. The OFL allows modified versions (a subset,
converted outlines) to be redistributed and bundled with software, under the OFL, if they do
not use a Reserved Font Name ("Source"): hence the new family name. The licence goes beside
the font (resources/fonts/NotoSansCJK-OFL.txt).

Kept: the characters that the IPAmj Mincho fallback (the MJ character set used for names in
Japanese administration) has, Noto Sans CJK JP has and BIZ UD Gothic lacks — ideographs and a
few symbols. ReportLab embeds only TrueType outlines, so the CFF outlines are converted to
quadratic ``glyf`` outlines (fontTools cu2qu, 1 unit tolerance).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "resources" / "fonts"
FAMILY = "Tsunagu Gothic Fallback"
PS_NAME = "TsunaguGothicFallback"


def wanted(noto: TTFont) -> set[int]:
    have = set(TTFont(FONTS / "BIZUDGothic-Regular.ttf").getBestCmap())
    mj = set(TTFont(FONTS / "ipamjm.ttf").getBestCmap())
    return {cp for cp in noto.getBestCmap() if cp in mj and cp not in have and cp > 0x2000}


def to_truetype(font: TTFont, max_err: float = 1.0) -> None:
    """Replace the CFF outlines by quadratic glyf outlines (the fontTools otf2ttf recipe)."""
    order = font.getGlyphOrder()
    glyphs = {}
    gs = font.getGlyphSet()
    for name in order:
        pen = TTGlyphPen(gs)
        gs[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    font["head"].glyphDataFormat = 0


def rename(font: TTFont) -> None:
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            name.removeNames(nameID=rec.nameID)
    for nid, text in ((1, FAMILY), (2, "Regular"), (3, PS_NAME + "-Regular"),
                      (4, FAMILY + " Regular"), (6, PS_NAME + "-Regular")):
        name.setName(text, nid, 3, 1, 0x409)
        name.setName(text, nid, 1, 0, 0)
    desc = ("Subset of Noto Sans CJK JP Regular (SIL OFL 1.1) with the name kanji BIZ UD "
            "Gothic lacks, outlines converted to TrueType for Tsunagu.")
    name.setName(desc, 10, 3, 1, 0x409)


def main(source: str) -> None:
    noto = TTFont(source, fontNumber=0)
    keep = wanted(noto)
    opts = subset.Options()
    opts.layout_features = []
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    opts.desubroutinize = True
    opts.drop_tables += ["GSUB", "GPOS", "VORG", "vhea", "vmtx", "BASE", "DSIG"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=keep)
    sub.subset(noto)
    to_truetype(noto)
    rename(noto)
    out = FONTS / f"{PS_NAME}.ttf"
    noto.save(out)
    print(f"{len(keep)} characters, {out.stat().st_size / 1e6:.1f} MB -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
