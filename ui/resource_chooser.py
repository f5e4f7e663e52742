"""Choosing a つなぎ先 / 支援を行う機関 from the 社会資源 directory (issue 15): a completer for
any line edit (or editable combo box) that matches with the folding of names — 「ﾊﾛｰ」,
「はろー」 and 「ハロー」 all offer ハローワーク, 「髙」 offers 高 … Free text is still accepted;
a name matching nothing in the directory gets the line 「＋「…」を社会資源に登録…」, which
opens a short form (name, kind, field, contact) and adds it through the core. Names typed
before are also listed on the 地域・運営 › 社会資源 screen to add."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QWidget

from app import text_ja
from app.i18n import _
from ui.dialogs.base import FormDialog

MAX_SHOWN = 20
ADD_ROLE = Qt.ItemDataRole.UserRole + 15


class ResourceCompleter(QCompleter):
    def __init__(self, names: list[str], edit: QLineEdit, desk=None):
        self._model = QStandardItemModel()
        super().__init__(self._model, edit)
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.set_names(names)
        self._edit = edit
        self.desk = desk
        self.may_add = _may_add(desk)
        edit.textEdited.connect(self.update_matches)
        self.activated[QModelIndex].connect(self._chosen)

    def set_names(self, names: list[str]) -> None:
        self._folded = [(text_ja.fold_for_search(n), n) for n in names]

    def matches(self, text: str) -> list[str]:
        key = text_ja.fold_for_search(text or "")
        if not key:
            return []
        starts = [n for f, n in self._folded if f.startswith(key)]
        inside = [n for f, n in self._folded if key in f and not f.startswith(key)]
        return (starts + inside)[:MAX_SHOWN]

    def known(self, text: str) -> bool:
        key = text_ja.fold_for_search(text or "")
        return any(f == key for f, _n in self._folded)

    def update_matches(self, text: str) -> None:
        self._model.clear()
        found = self.matches(text)
        for name in found:
            self._model.appendRow(QStandardItem(name))
        if self.may_add and text.strip() and not found:   # (not while a name is typed)
            item = QStandardItem(_("＋ Add 「{name}」 to the social resources…").format(
                name=text.strip()))
            item.setData(True, ADD_ROLE)
            self._model.appendRow(item)
        if self._model.rowCount() and found != [text]:
            self.complete()

    def pathFromIndex(self, index: QModelIndex) -> str:  # noqa: N802 - Qt override
        if index.data(ADD_ROLE):
            return self._edit.text()       # the typed name stays as it is
        return super().pathFromIndex(index)

    def _chosen(self, index: QModelIndex) -> None:
        if index.data(ADD_ROLE):
            self.offer_to_add(self._edit.text().strip())

    def offer_to_add(self, name: str) -> bool:
        """The short form to add ``name`` to the directory; True when added."""
        from ui.dialogs import dialogs_for
        dialog = AddResourceDialog(self.desk, name, self._edit.window())
        if not dialogs_for(self._edit).run(dialog) or dialog.added is None:
            return False
        self._folded.append((text_ja.fold_for_search(dialog.added.name), dialog.added.name))
        self._edit.setText(dialog.added.name)
        return True


def _may_add(desk) -> bool:
    if desk is None:
        return False
    from app.security.roles import Permission
    try:
        return any(desk.security.allowed(p) for p in (Permission.EDIT_CASES, Permission.MANAGE_DESK,
                                             Permission.MANAGE_SETTINGS))
    except Exception:  # noqa: BLE001 - a desk without the security core
        return False


class AddResourceDialog(FormDialog):
    """名称, 種別, 分野, 連絡先 of a new directory entry (the rest on the 社会資源 screen)."""

    def __init__(self, desk, name: str, parent: QWidget | None = None):
        from app.domain.region import ResourceKind
        super().__init__(_("Add to the social resources"), parent, intro=_(
            "This name is not in the social resource directory yet. Added, it is offered "
            "to everyone and its uses are counted."), ok_text=_("Add"))
        self.desk = desk
        self.added = None
        self.name = QLineEdit(name)
        self.kind = QComboBox()
        for k in ResourceKind:
            self.kind.addItem(k.label, k.value)
        self.kind.setCurrentIndex(max(0, self.kind.findData(ResourceKind.AGENCY.value)))
        self.field = QLineEdit()
        self.contact = QLineEdit()
        self.form.addRow(_("Name of the resource") + " *", self.name)
        self.form.addRow(_("Kind") + " *", self.kind)
        self.form.addRow(_("Field"), self.field)
        self.form.addRow(_("Contact"), self.contact)
        self.finish_layout()

    def submit(self) -> bool:
        from app.domain.region import ResourceInput
        data = ResourceInput(name=self.name.text(), kind=self.kind.currentData(),
                             field=self.field.text(), contact=self.contact.text())

        def add():
            self.added = self.desk.region.add_resource(data)
        return self.attempt(add)


def resource_names(desk) -> list[str]:
    try:
        return list(desk.region.resource_names())
    except Exception:  # noqa: BLE001 - a role without the directory: plain free text
        return []


def attach_resource_completer(widget: QWidget, desk, *, names: list[str] | None = None,
                              extra: list[str] = ()) -> ResourceCompleter | None:
    """Offer the directory's names (``names`` when already read, and ``extra`` ones, e.g.
    the 紹介元 of the master data) while typing in ``widget``."""
    names = list(dict.fromkeys([*(resource_names(desk) if names is None else names),
                                *extra]))
    edit = widget.lineEdit() if isinstance(widget, QComboBox) else widget
    if not isinstance(edit, QLineEdit):
        return None
    completer = ResourceCompleter(names, edit, desk)
    if isinstance(widget, QComboBox):
        widget.setCompleter(completer)
    else:
        edit.setCompleter(completer)
    return completer
