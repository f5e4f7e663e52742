"""設定 → 文字の大きさ and ハイコントラスト (issue 18): applied to every window at once and
remembered per user on this computer (a small JSON file in the per-user data folder, never in
the desk: a display preference is not case data)."""

from __future__ import annotations

import json
import re

from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QWidget

from app.i18n import _
from app.paths import user_data_dir

SIZES = (100, 125, 150, 200)
SETTINGS_FILE = "display.json"

HIGH_CONTRAST_STYLE = (
    "QWidget { color: #000000; }"
    "QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QSpinBox, QDateEdit, QListView, "
    "QTreeView, QTableView { background: #ffffff; color: #000000; border: 2px solid #000000; }"
    "QPushButton, QToolButton { border: 2px solid #000000; background: #ffffff; color: #000000;"
    " padding: 4px 10px; }"
    "QPushButton:disabled, QToolButton:disabled { color: #555555; border: 2px dashed #555555; }"
    "*:focus { outline: 3px solid #0000aa; border: 3px solid #0000aa; }"
)


def _settings_path():
    return user_data_dir() / SETTINGS_FILE


def load(user: str) -> dict:
    try:
        data = json.loads(_settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entry = data.get(user) if isinstance(data, dict) else None
    return entry if isinstance(entry, dict) else {}


def save(user: str, **values) -> None:
    path = _settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data.setdefault(user, {}).update(values)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass   # a preference that cannot be written is not worth an error dialog


_base_point_size: float | None = None
_base_palette: QPalette | None = None
_base_style: str | None = None


def current_scale() -> int:
    app = QApplication.instance()
    return int(app.property("tsunagu_scale") or 100) if app is not None else 100


def apply_scale(percent: int) -> int:
    """Every window's text at ``percent`` of the normal size (the application font)."""
    global _base_point_size
    app = QApplication.instance()
    percent = min(SIZES, key=lambda s: abs(s - int(percent)))
    if _base_point_size is None:
        _base_point_size = app.font().pointSizeF()
    font = app.font()
    font.setPointSizeF(_base_point_size * percent / 100)
    app.setFont(font)
    app.setProperty("tsunagu_scale", percent)
    return percent


_PT = re.compile(r"font-size:\s*([0-9.]+)pt")


def rescale_stylesheets(root) -> None:
    """Sizes written in a widget's style sheet (``font-size: 14pt``) follow the text size
    too; the size as written is kept in a property, so changing again never compounds."""
    scale = current_scale()
    factor = scale / 100
    for w in [root] + root.findChildren(QWidget):
        ss = w.styleSheet()
        if not ss or (ss == w.property("tsunagu_scaled_ss")
                      and w.property("tsunagu_scaled_at") == scale):
            continue
        if ss != w.property("tsunagu_scaled_ss"):   # written (again) by the screen itself
            w.setProperty("tsunagu_base_ss", ss)
        base = w.property("tsunagu_base_ss")
        scaled = _PT.sub(lambda m: f"font-size: {float(m.group(1)) * factor:g}pt", base)
        # set again even when unchanged: a widget with a style sheet keeps the font it was
        # polished with (the toolbar stayed small), setting it re-reads the text size
        w.setStyleSheet(scaled)
        w.setProperty("tsunagu_scaled_ss", scaled)
        w.setProperty("tsunagu_scaled_at", scale)


def apply_high_contrast(on: bool) -> None:
    """Black on white, thick borders, a visible focus frame; off: Qt's palette again."""
    global _base_palette, _base_style
    app = QApplication.instance()
    if _base_palette is None:
        _base_palette = QPalette(app.palette())
        _base_style = app.styleSheet()
    if on:
        p = QPalette()
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base,
                     QPalette.ColorRole.Button, QPalette.ColorRole.AlternateBase,
                     QPalette.ColorRole.ToolTipBase):
            p.setColor(role, QColor("#ffffff"))
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                     QPalette.ColorRole.ButtonText, QPalette.ColorRole.ToolTipText):
            p.setColor(role, QColor("#000000"))
        p.setColor(QPalette.ColorRole.Highlight, QColor("#000080"))
        p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        p.setColor(QPalette.ColorRole.Link, QColor("#0000cc"))
        p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#555555"))
        p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#555555"))
        p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#555555"))
        app.setPalette(p)
        app.setStyleSheet((_base_style or "") + HIGH_CONTRAST_STYLE)
    else:
        app.setPalette(_base_palette)
        app.setStyleSheet(_base_style or "")
    app.setProperty("tsunagu_high_contrast", bool(on))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128 or \
        palette.color(QPalette.ColorRole.Base).lightness() < 128 or \
        palette.color(QPalette.ColorRole.WindowText).lightness() > 160


def ensure_readable_palette(app: QApplication) -> bool:
    """Qt follows a dark system theme, but the screens colour some text dark on purpose
    (notes, warnings, the steps): under a dark theme those became unreadable. A dark system
    palette is replaced by Fusion's light one; returns whether it was."""
    if not is_dark(app.palette()):
        return False
    from PySide6.QtWidgets import QStyleFactory
    fusion = QStyleFactory.create("Fusion")
    app.setStyle(fusion)
    app.setPalette(fusion.standardPalette())
    return True


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 … 21)."""
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def settings_menu(window: QMainWindow) -> QMenu:
    menu = window.menuBar().findChild(QMenu, "settingsMenu")
    if menu is None:
        menu = window.menuBar().addMenu(_("&Settings"))
        menu.setObjectName("settingsMenu")
    return menu


def install_display_settings(window: QMainWindow, user: str) -> QMenu:
    """設定 → 文字の大きさ (100/125/150/200 %, Ctrl+＋ / Ctrl+－ / Ctrl+0) and ハイコントラスト,
    with the user's remembered choice applied now."""
    menu = settings_menu(window)
    sizes = menu.addMenu(_("Text size"))
    group = QActionGroup(window)
    window.text_size_actions = {}
    for percent in SIZES:
        action = QAction(f"{percent}%", window, checkable=True)
        action.triggered.connect(lambda _c=False, p=percent: set_scale(window, user, p))
        group.addAction(action)
        sizes.addAction(action)
        window.text_size_actions[percent] = action
    sizes.addSeparator()
    bigger = QAction(_("Larger text"), window)
    bigger.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+="),
                         QKeySequence("Ctrl+Shift+=")])
    bigger.triggered.connect(lambda: step_scale(window, user, +1))
    smaller = QAction(_("Smaller text"), window)
    smaller.setShortcuts([QKeySequence("Ctrl+-")])
    smaller.triggered.connect(lambda: step_scale(window, user, -1))
    normal = QAction(_("Normal text size (100%)"), window)
    normal.setShortcut(QKeySequence("Ctrl+0"))
    normal.triggered.connect(lambda: set_scale(window, user, 100))
    for a in (bigger, smaller, normal):
        sizes.addAction(a)
        window.addAction(a)
    contrast = QAction(_("High contrast"), window, checkable=True)
    contrast.setToolTip(_("Black text on white with thick borders, for low vision"))
    contrast.toggled.connect(lambda on: (apply_high_contrast(on), save(user, high_contrast=on)))
    menu.addAction(contrast)
    window.high_contrast_action = contrast
    saved = load(user)
    set_scale(window, user, int(saved.get("scale", current_scale()) or 100), remember=False)
    if saved.get("high_contrast"):
        contrast.setChecked(True)
    return menu


def set_scale(window, user: str, percent: int, *, remember: bool = True) -> int:
    before = current_scale()
    percent = apply_scale(percent)
    if remember and percent != before:   # the user's choice, not while a window is being built
        QApplication.processEvents()   # the font reaches every widget before sizes are measured
        for top in QApplication.topLevelWidgets():
            rescale_stylesheets(top)
        QApplication.processEvents()   # laid out again with the new sizes
        if hasattr(window, "tabs"):
            from ui.help import on_tab_shown
            on_tab_shown(window)
    action = getattr(window, "text_size_actions", {}).get(percent)
    if action is not None:
        action.setChecked(True)
    if remember:
        save(user, scale=percent)
    return percent


def step_scale(window, user: str, direction: int) -> int:
    now = current_scale()
    i = SIZES.index(now) if now in SIZES else 0
    return set_scale(window, user, SIZES[max(0, min(len(SIZES) - 1, i + direction))])
