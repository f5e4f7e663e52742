"""Choosing a つなぎ先 / 支援を行う機関 from the 社会資源 directory (issue 15): a completer for
any line edit (or editable combo box) that matches with the folding of names — 「ﾊﾛｰ」,
「はろー」 and 「ハロー」 all offer ハローワーク, 「髙」 offers 高 … Free text is still accepted;
names not in the directory are offered to add on the 地域づくり screen (「未登録の名称」)."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QWidget

from app import text_ja

MAX_SHOWN = 20


class ResourceCompleter(QCompleter):
    def __init__(self, names: list[str], edit: QLineEdit):
        self._model = QStringListModel()
        super().__init__(self._model, edit)
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.set_names(names)
        self._edit = edit
        edit.textEdited.connect(self.update_matches)

    def set_names(self, names: list[str]) -> None:
        self._folded = [(text_ja.fold_for_search(n), n) for n in names]

    def matches(self, text: str) -> list[str]:
        key = text_ja.fold_for_search(text or "")
        if not key:
            return []
        starts = [n for f, n in self._folded if f.startswith(key)]
        inside = [n for f, n in self._folded if key in f and not f.startswith(key)]
        return (starts + inside)[:MAX_SHOWN]

    def update_matches(self, text: str) -> None:
        found = self.matches(text)
        self._model.setStringList(found)
        if found and found != [text]:
            self.complete()


def resource_names(desk) -> list[str]:
    try:
        return list(desk.resource_names())
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
    completer = ResourceCompleter(names, edit)
    if isinstance(widget, QComboBox):
        widget.setCompleter(completer)
    else:
        edit.setCompleter(completer)
    return completer
