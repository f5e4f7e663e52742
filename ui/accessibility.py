"""Screen readers (issue 18, point 5): every input has a name, every button a name, every
table its headers.

``name_fields(root)`` gives the inputs of ``root`` the name a sighted user reads beside them:
a form row's label becomes the label's buddy (Alt+letter and screen readers) and the input's
accessibleName; a table's cell input is named by its column header. Every wizard runs it when
a page is shown and the main window when a tab is (ui/help.py), so an input added later is
named the same way without a line of its own.

``problems(root)`` lists what still has no name; tests/ui/test_accessibility.py walks every
screen and wizard page with it.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QAbstractSpinBox, QBoxLayout, QCheckBox, QComboBox,
    QFormLayout, QGridLayout, QHeaderView, QLabel, QLayout, QLineEdit, QListView,
    QPlainTextEdit, QRadioButton, QTableView, QTextEdit, QTreeView, QWidget, QWizard,
)

from app.i18n import _

INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox, QListView,
          QTreeView, QTableView)


def _clean(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text or "")
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    return re.sub(r"[\s*＊:：]+$", "", text.strip())


def _inner(widget: QWidget) -> list[QWidget]:
    """The inputs a form row's field stands for (itself, or the inputs inside a box)."""
    if isinstance(widget, INPUTS):
        return [widget]
    return [w for w in widget.findChildren(QWidget) if isinstance(w, INPUTS)
            and not isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox))]


def _is_part(w: QWidget) -> bool:
    """An input that is part of another (a drop-down's or a spin box's own line edit, a
    table's viewport editor)."""
    p = w.parentWidget()
    return isinstance(p, (QComboBox, QAbstractSpinBox)) or (
        p is not None and isinstance(p.parentWidget(), QAbstractItemView)
        and not isinstance(w, QAbstractItemView))


def _name(w: QWidget, text: str) -> None:
    text = _clean(text)
    if text and not w.accessibleName():
        w.setAccessibleName(text)


def _members(layout: QLayout) -> list[tuple[int, QWidget]]:
    """(index, widget) of the widgets placed directly in ``layout``, in order.

    Found from the widgets (``indexOf``), never through ``itemAt``: a QWidgetItem is no
    QObject, so PySide cannot tell when Qt deletes it, and a wrapper made for it stays in
    PySide's table — a later object at the same address (a menu's QAction) then came back
    as that QWidgetItem (found by tests/ui/test_background_stress.py)."""
    parent = layout.parentWidget()
    if parent is None:
        return []
    found = []
    for w in parent.findChildren(QWidget):
        i = layout.indexOf(w)
        if i >= 0:
            found.append((i, w))
    return sorted(found, key=lambda p: p[0])


def _label_rows(layout: QLayout) -> None:
    if isinstance(layout, QFormLayout):
        labels: dict[int, QWidget] = {}
        fields: dict[int, QWidget] = {}
        for _i, w in _members(layout):
            row, role = layout.getWidgetPosition(w)
            if row < 0:
                continue
            if role == QFormLayout.ItemRole.LabelRole:
                labels[row] = w
            elif role == QFormLayout.ItemRole.FieldRole:
                fields[row] = w
        for inner in layout.findChildren(QLayout):   # a row of several widgets
            row, role = layout.getLayoutPosition(inner)
            if row >= 0 and role == QFormLayout.ItemRole.FieldRole and row not in fields:
                first = next((p for p in _layout_widgets(inner) if _inner(p)), None)
                if first is not None:
                    fields[row] = first
        for row, label in labels.items():
            field = fields.get(row)
            if not isinstance(label, QLabel) or field is None:
                continue
            inputs = _inner(field)
            if not inputs:
                continue
            if label.buddy() is None:
                label.setBuddy(inputs[0])
            for w in inputs:
                _name(w, label.text())
    if isinstance(layout, QGridLayout):   # a label left of an input, or above it
        at: dict[tuple[int, int], QWidget] = {}
        for i, w in _members(layout):
            row, col, _rs, _cs = layout.getItemPosition(i)
            at[(row, col)] = w
        for (row, col), a in at.items():
            if not isinstance(a, QLabel):
                continue
            for r, c in ((row, col + 1), (row + 1, col)):
                b = at.get((r, c))
                if b is not None and not isinstance(b, QLabel):
                    _pair(a, b)
                    break
    if isinstance(layout, QBoxLayout):     # a label just before an input
        members = _members(layout)
        for (i, a), (j, b) in zip(members, members[1:]):
            if j == i + 1 and isinstance(a, QLabel) and not isinstance(b, QLabel):
                _pair(a, b)


def _layout_widgets(layout: QLayout) -> list[QWidget]:
    """The widgets of ``layout`` and of the layouts in it, in order."""
    out = [w for _i, w in _members(layout)]
    for inner in layout.findChildren(QLayout):
        out += _layout_widgets(inner)
    return out


def _pair(label: QLabel, field: QWidget) -> None:
    inputs = _inner(field)
    if not inputs or not _clean(label.text()) or len(_clean(label.text())) > 60:
        return   # an explanation, not a label
    if label.buddy() is None:
        label.setBuddy(inputs[0])
    for w in inputs:
        _name(w, label.text())


def _label_tables(root: QWidget) -> None:
    for view in root.findChildren(QAbstractItemView):
        if not view.accessibleName():
            _name(view, _title_of(view))
    for table in root.findChildren(QTableView):
        model = table.model()
        if model is None:
            continue
        viewport = table.viewport()
        for w in table.findChildren(QWidget):
            if not isinstance(w, (*INPUTS, QAbstractButton)) or w is table:
                continue
            # the cell widget holding ``w`` is a child of the viewport: find its cell by
            # where it sits (never by walking every cell: 100,000 rows in the case list)
            cell = w
            while cell is not None and cell.parentWidget() is not viewport:
                cell = cell.parentWidget()
            if cell is None:
                continue
            index = table.indexAt(cell.geometry().center())
            if index.isValid() and table.indexWidget(index) is cell:
                header = model.headerData(index.column(), _horizontal()) or ""
                _name(w, f"{header} {index.row() + 1}" if header else "")


def _title_of(w: QWidget) -> str:
    """What a list or table is, from where it sits: its group box, its tab, its page."""
    from PySide6.QtWidgets import QGroupBox, QTabWidget
    page, child, w = w, w, w.parentWidget()
    while w is not None:
        if isinstance(w, QGroupBox) and w.title():
            return w.title()
        if w.inherits("QWizardPage") and w.title():
            return w.title()
        if isinstance(w, QTabWidget):
            i = max(w.indexOf(child), w.indexOf(page))   # the page sits in the tabs' stack
            if i >= 0 and w.tabText(i):
                return w.tabText(i)
        page, child, w = child, w, w.parentWidget()
    return ""


def _horizontal():
    from PySide6.QtCore import Qt
    return Qt.Orientation.Horizontal


def _label_buddies(root: QWidget) -> None:
    """A label's buddy's name; a button's tooltip as its name when it has no text."""
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None:
            for w in _inner(buddy) or [buddy]:
                _name(w, label.text())
    for b in root.findChildren(QAbstractButton):
        if b.objectName() == "qt_toolbar_ext_button":   # a toolbar too wide for the window
            _name(b, _("More buttons"))
        if not b.text().strip():
            _name(b, b.toolTip())


def name_fields(root: QWidget) -> None:
    # (QWidget.layout() on a widget without one upsets PySide's reference counts: the
    # layouts are found as children instead)
    for layout in root.findChildren(QLayout):
        try:
            if not isinstance(layout.parentWidget(), QWizard):   # QWizard's own: not ours
                _label_rows(layout)
        except RuntimeError:   # a layout Qt has just replaced (a rebuilt row, a wizard's)
            continue
    _label_tables(root)
    _label_buddies(root)
    for w in root.findChildren(QWidget):   # an input with a placeholder and nothing else
        if isinstance(w, QLineEdit) and not _is_part(w):
            _name(w, w.placeholderText())


# ---------------------------------------------------------------------- the audit
def _named(w: QWidget, buddies: set[int]) -> bool:
    if w.accessibleName().strip():
        return True
    if id(w) in buddies:
        return True
    if isinstance(w, (QCheckBox, QRadioButton)):
        return bool(_clean(w.text()))
    return False


def problems(root: QWidget) -> list[str]:
    """What a screen reader could not name under ``root`` (visible widgets only)."""
    buddies = set()
    for label in QWidget.window(root).findChildren(QLabel):
        if label.buddy() is not None and _clean(label.text()):
            buddies.add(id(label.buddy()))
            for w in _inner(label.buddy()):
                buddies.add(id(w))
    out = []
    for w in [root] + root.findChildren(QWidget):
        if not w.isVisibleTo(QWidget.window(root)):
            continue
        kind = type(w).__name__
        if isinstance(w, QAbstractButton):
            if isinstance(w.parentWidget(), (QAbstractItemView, QLineEdit)) and not w.text():
                continue   # a table's corner button, a line edit's clear button (Qt's own)
            if not (_clean(w.text()) or w.accessibleName().strip()):
                out.append(f"button without a name: {kind} tooltip={w.toolTip()!r} "
                           f"in {type(w.parentWidget()).__name__}")
        elif isinstance(w, INPUTS):
            if _is_part(w) or isinstance(w, QHeaderView):
                continue
            if not _named(w, buddies):
                hint = getattr(w, "placeholderText", lambda: "")()
                out.append(f"input without a label or name: {kind} {w.objectName()!r} "
                           f"{hint!r} in {type(w.parentWidget()).__name__}")
            if isinstance(w, QTableView) and w.model() is not None:
                header = w.horizontalHeader()
                cols = [c for c in range(w.model().columnCount()) if not w.isColumnHidden(c)]
                if cols and header.isHidden():
                    out.append(f"table without visible headers: {w.accessibleName()!r}")
                for c in cols:
                    if not str(w.model().headerData(c, _horizontal()) or "").strip():
                        out.append(f"table column {c} without a header: {w.accessibleName()!r}")
    return out
