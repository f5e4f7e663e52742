"""Issue 18, points 3 and 4: 設定 → 文字の大きさ (100/125/150/200 %, Ctrl+＋/－) applied to every
screen at once and remembered per user; at 150 % on 1366×768 no label of any screen or wizard
page is cut; states say a word or show a sign as well as a colour; ハイコントラスト; a dark
system theme does not make the screens' dark text unreadable."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from tests.ui.test_small_screens import all_wizards, case_with_plan  # noqa: F401 - fixture
from ui import background, display
from ui.fit import fit_to_screen, room_on
from ui.main_window import MainWindow
from ui.widgets import ErrorLabel


@pytest.fixture
def home(monkeypatch, tmp_path):
    monkeypatch.setenv("TSUNAGU_HOME", str(tmp_path))
    yield tmp_path
    display.apply_scale(100)
    display.apply_high_contrast(False)


def main_window(qtbot, desk, room=None):
    w = MainWindow(desk, close_desk_on_exit=False)
    qtbot.addWidget(w)
    if room is not None:
        fit_to_screen(w, 1280, 800, room)
    w.show()
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    QApplication.processEvents()   # laid out with what the background brought
    return w


# ---------------------------------------------------------------------- 文字の大きさ
def test_text_size_applies_everywhere_and_is_remembered_per_user(qtbot, case_with_plan, home):
    desk, _cid = case_with_plan
    base = QApplication.font().pointSizeF()
    w = main_window(qtbot, desk)
    assert set(w.text_size_actions) == {100, 125, 150, 200}
    w.text_size_actions[150].trigger()
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.5)
    assert w.case_list.search.font().pointSizeF() == pytest.approx(base * 1.5)
    # also what has a style sheet of its own (the toolbar kept its size before)
    for action in (w.list_action, w.new_intake_action):
        button = w.toolbar.widgetForAction(action)
        assert button.font().pointSizeF() == pytest.approx(base * 1.5)
    assert w.text_size_actions[150].isChecked()
    saved = json.loads((home / display.SETTINGS_FILE).read_text(encoding="utf-8"))
    assert saved[desk.user.login]["scale"] == 150
    # Ctrl+＋ / Ctrl+－ step through the sizes and stop at the ends
    assert display.step_scale(w, desk.user.login, +1) == 200
    assert display.step_scale(w, desk.user.login, +1) == 200
    assert display.step_scale(w, desk.user.login, -1) == 150
    # the next window of the same user opens at that size; another user keeps theirs
    display.apply_scale(100)
    w2 = main_window(qtbot, desk)
    assert display.current_scale() == 150 and w2.text_size_actions[150].isChecked()
    assert display.load("someone-else") == {}
    # a damaged settings file is no reason to fail
    (home / display.SETTINGS_FILE).write_text("{not json", encoding="utf-8")
    assert display.load(desk.user.login) == {}
    display.save(desk.user.login, scale=125)
    assert display.load(desk.user.login)["scale"] == 125


def test_sizes_written_in_style_sheets_follow(qtbot, home):
    box = QLabel("26")
    qtbot.addWidget(box)
    box.setStyleSheet("font-size: 20pt; color: #1d3d5c;")
    display.apply_scale(150)
    display.rescale_stylesheets(box)
    assert "font-size: 30pt" in box.styleSheet()
    display.apply_scale(200)
    display.rescale_stylesheets(box)   # from the size as written, never compounding
    assert "font-size: 40pt" in box.styleSheet() and "#1d3d5c" in box.styleSheet()


def cut_labels(root: QWidget) -> list:
    """Labels whose text does not fit the room they have (the word-wrapped ones: in height)."""
    out = []
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text().strip() or label.textFormat() == 3:
            continue
        if label.wordWrap():
            if label.heightForWidth(label.width()) > label.height() + 1:
                out.append(("cut below", label.text()[:40]))
        else:
            need = label.minimumSizeHint()
            if need.width() > label.width() + 1 or need.height() > label.height() + 1:
                out.append(("cut", label.text()[:40], label.size().toTuple(), need.toTuple()))
        # and inside what shows it: a label wider than its scroll area's view is cut there
        parent = label.parentWidget()
        while parent is not None and not parent.inherits("QAbstractScrollArea"):
            parent = parent.parentWidget()
        if parent is not None and parent.horizontalScrollBar().isVisible() is False:
            right = label.mapTo(parent.viewport(), label.rect().topRight()).x()
            if right > parent.viewport().width() + 1:
                out.append(("beyond its view", label.text()[:40]))
    return out


def test_at_150_percent_on_1366x768_no_label_is_cut(qtbot, case_with_plan, home):
    desk, cid = case_with_plan
    display.apply_scale(150)
    QApplication.processEvents()
    room = room_on(1366, 768)
    found = []
    for name, w in all_wizards(qtbot, desk, cid):
        fit_to_screen(w, 1040, 760, room)
        w.show()
        for page_id in w.pageIds():
            w.setStartId(page_id)
            w.restart()
            QApplication.processEvents()
            found += [(name, w.currentPage().title(), c) for c in cut_labels(w.currentPage())]
        assert w.height() <= room.height() and w.width() <= room.width(), name
        w.hide()
    win = main_window(qtbot, desk, room)
    found += [("case list", c) for c in cut_labels(win)]
    for key in list(win.area_actions):
        win.open_area(key)
        qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
        QApplication.processEvents()
        found += [(key, c) for c in cut_labels(win.tabs.currentWidget())]
        assert win.minimumSizeHint().height() <= room.height(), key
    win.open_case(cid)
    qtbot.waitUntil(lambda: win.current_case_view() is not None, timeout=10000)
    qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
    QApplication.processEvents()
    found += [("case", c) for c in cut_labels(win.current_case_view())]
    assert win.minimumSizeHint().height() <= room.height()
    assert win.minimumSizeHint().width() <= room.width()
    assert found == [], "\n".join(map(str, found))


# ---------------------------------------------------------------------- not by colour alone
def test_an_error_shows_a_sign_and_says_error(qtbot):
    label = ErrorLabel()
    qtbot.addWidget(label)
    label.show_message("生年月日を読み取れません")
    assert label.text() == "生年月日を読み取れません"       # the message itself unchanged
    assert label.indent() > 0 and label.accessibleName().startswith("エラー")
    image = label.grab().toImage()
    # something is drawn in the room kept at the left (the ⚠), in the error colour
    reds = sum(1 for x in range(label.indent()) for y in range(image.height())
               if image.pixelColor(x, y).red() > 150 and image.pixelColor(x, y).green() < 100)
    assert reds > 5
    label.clear_message()
    assert label.accessibleName() == "" and not label.isVisible()


def test_overdue_tile_and_current_stage_say_it_in_words(qtbot, case_with_plan, home):
    from ui.views.dashboard import Tile
    tile = Tile("monitoring_overdue", "モニタリング（期限切れ）", True)
    qtbot.addWidget(tile)
    tile.set_count(2)
    assert "要確認" in tile.count_label.text() and "要確認" in tile.accessibleName()
    tile.set_count(0)
    assert "要確認" not in tile.count_label.text()
    desk, cid = case_with_plan
    win = main_window(qtbot, desk)
    win.open_case(cid)
    qtbot.waitUntil(lambda: win.current_case_view() is not None, timeout=10000)
    bar = win.current_case_view().stage_bar
    current = [lb for lb in bar.labels.values() if lb.property("current")]
    # the current stage: bold, underlined and framed, and named as such for a reader
    assert len(current) == 1 and "underline" in current[0].styleSheet()
    assert "bold" in current[0].styleSheet() and current[0].accessibleName().startswith("現在の段階")


# ---------------------------------------------------------------------- contrast
def style_colours(root: QWidget):
    for w in [root] + root.findChildren(QWidget):
        ss = w.styleSheet()
        for m in re.finditer(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6}|[a-z]+)", ss):
            bg = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6}|[a-z]+)", ss)
            yield w, QColor(m.group(1)), (QColor(bg.group(1)) if bg
                                          else w.palette().color(QPalette.ColorRole.Window))


def test_a_dark_system_theme_leaves_every_text_readable(qtbot, case_with_plan, home):
    app = QApplication.instance()
    before_palette, before_style = QPalette(app.palette()), app.style().name()
    dark = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.Button):
        dark.setColor(role, QColor("#202020"))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        dark.setColor(role, QColor("#f0f0f0"))
    app.setPalette(dark)
    try:
        assert display.ensure_readable_palette(app) is True
        assert not display.is_dark(app.palette())
        assert display.ensure_readable_palette(app) is False   # light stays as it is
        desk, cid = case_with_plan
        win = main_window(qtbot, desk)
        for key in list(win.area_actions):
            win.open_area(key)
            qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
        win.open_case(cid)
        qtbot.waitUntil(lambda: win.current_case_view() is not None, timeout=10000)
        qtbot.waitUntil(lambda: not background.busy(), timeout=10000)
        low = [(type(w).__name__, fg.name(), bg.name(), round(display.contrast(fg, bg), 2))
               for w, fg, bg in style_colours(win) if display.contrast(fg, bg) < 4.5]
        assert low == []
        pal = app.palette()
        assert display.contrast(pal.color(QPalette.ColorRole.WindowText),
                                pal.color(QPalette.ColorRole.Window)) >= 7
    finally:
        from PySide6.QtWidgets import QStyleFactory
        app.setStyle(QStyleFactory.create(before_style))
        app.setPalette(before_palette)


def test_high_contrast_theme(qtbot, case_with_plan, home):
    desk, _cid = case_with_plan
    win = main_window(qtbot, desk)
    win.high_contrast_action.setChecked(True)
    pal = QApplication.palette()
    assert pal.color(QPalette.ColorRole.Window).name() == "#ffffff"
    assert pal.color(QPalette.ColorRole.WindowText).name() == "#000000"
    assert display.contrast(pal.color(QPalette.ColorRole.Text),
                            pal.color(QPalette.ColorRole.Base)) == pytest.approx(21, abs=0.1)
    assert display.load(desk.user.login)["high_contrast"] is True
    win.high_contrast_action.setChecked(False)
    assert display.load(desk.user.login)["high_contrast"] is False
    assert "solid #000000" not in QApplication.instance().styleSheet()
