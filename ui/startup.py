"""Application-wide Qt set-up: bundled fonts (no tofu, 𠮷 included) and Qt's own translations."""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.paths import fonts_dir

UI_FAMILY = "BIZ UDPGothic"          # proportional, the UI text
MONO_FAMILY = "BIZ UDGothic"         # fixed width: recovery key, numbers
GOTHIC_FALLBACK_FAMILY = "Tsunagu Gothic Fallback"   # Gothic 𠮷 and name kanji BIZ UD lacks
FALLBACK_FAMILY = "IPAmjMincho"      # has 𠮷 and the rare name kanji BIZ UD lacks
FONT_FILES = ("BIZUDPGothic-Regular.ttf", "BIZUDGothic-Regular.ttf", "BIZUDGothic-Bold.ttf",
              "BIZUDMincho-Regular.ttf", "TsunaguGothicFallback.ttf", "ipamjm.ttf")
UI_POINT_SIZE = 10.5

_registered: list[str] | None = None


def register_fonts() -> list[str]:
    """Register the bundled fonts once; returns the families Qt now knows from them."""
    global _registered, FALLBACK_FAMILY, GOTHIC_FALLBACK_FAMILY
    if _registered is not None:
        return _registered
    families: list[str] = []
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(fonts_dir() / name))
        if font_id >= 0:
            found = QFontDatabase.applicationFontFamilies(font_id)
            families.extend(found)
            if name == "ipamjm.ttf" and found:
                FALLBACK_FAMILY = found[0]
            if name == "TsunaguGothicFallback.ttf" and found:
                GOTHIC_FALLBACK_FAMILY = found[0]
    _registered = families
    return families


def ui_font(point_size: float = UI_POINT_SIZE, *, mono: bool = False) -> QFont:
    """The UI font with a Gothic fallback behind it for glyphs BIZ UD lacks (𠮷), so a
    name stays Gothic; IPAmj Mincho last for what neither has."""
    font = QFont()
    font.setFamilies([MONO_FAMILY if mono else UI_FAMILY, GOTHIC_FALLBACK_FAMILY,
                      FALLBACK_FAMILY])
    font.setPointSizeF(point_size)
    return font


def install_qt_translations(app: QApplication, language: str) -> QTranslator | None:
    """Load Qt's own catalog (qtbase_ja.qm) so 次へ / 戻る / 完了 / キャンセル are Japanese."""
    if language != "ja":
        return None
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Japanese), "qtbase", "_", folder):
        app.installTranslator(translator)
        return translator
    return None


def prepare_application(app: QApplication, language: str = "ja") -> None:
    """Fonts, substitutions and translations; call once after creating the QApplication."""
    guard_none_refcount()
    register_fonts()
    for family in (UI_FAMILY, MONO_FAMILY):
        QFont.insertSubstitutions(family, [GOTHIC_FALLBACK_FAMILY, FALLBACK_FAMILY])
    QFont.insertSubstitution("BIZ UDMincho", FALLBACK_FAMILY)
    app.setFont(ui_font())
    from ui.display import ensure_readable_palette   # a dark system theme (issue 18)
    ensure_readable_palette(app)
    if language == "ja":
        QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    if not hasattr(app, "_tsunagu_translator"):
        app._tsunagu_translator = install_qt_translations(app, language)  # keep it alive


def none_lost_per_call() -> int:
    """How many references to ``None`` one call of a Python model's ``data()`` that returns
    None loses when Qt asks for it. 0 with a sound PySide6; 1 with PySide6 6.12.0, where each
    such call drops a reference to None that it never took — on Python 3.11 None is then
    deallocated after a few thousand cells drawn ("Fatal Python error: none_dealloc"), the
    crash seen while scrolling long lists and during long background reads."""
    import sys
    from PySide6.QtCore import QAbstractListModel, QModelIndex

    class Probe(QAbstractListModel):
        def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
            return 1

        def data(self, index, role=0):
            return None

    probe = Probe()
    index = probe.index(0, 0)
    calls = 50
    before = sys.getrefcount(None)
    for _ in range(calls):
        index.data()
    return round((before - sys.getrefcount(None)) / calls)


def guard_none_refcount() -> bool:
    """pyproject.toml excludes the PySide6 release that loses references to None; should it
    be installed anyway (an unpinned environment), give None the immortal reference count
    Python 3.12 gives it, so that the program does not crash. Returns True if it had to."""
    import sys
    if sys.version_info >= (3, 12) or none_lost_per_call() <= 0:
        return False
    import ctypes
    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40
    print("Tsunagu: this PySide6 loses references to None; made None immortal as a "
          "workaround (install the version pinned in pyproject.toml)", file=sys.stderr)
    return True
