"""The areas of the main window beyond the case list (ダッシュボード, 支援調整会議, 統計・報告,
同期, 管理 …). Each area is one entry here: a key, a translatable label, a factory that
builds its widget for the main window, and who may see it. Adding a screen is one entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from app.i18n import _


@dataclass(frozen=True)
class Area:
    key: str
    label_msgid: str
    factory: Callable  # (main_window) -> QWidget
    visible: Callable = lambda desk: True  # (desk) -> bool

    def label(self) -> str:
        return _(self.label_msgid)


AREAS: list[Area] = []


def register(area: Area) -> None:
    AREAS[:] = [a for a in AREAS if a.key != area.key] + [area]


def area_by_key(key: str) -> Area:
    for area in AREAS:
        if area.key == key:
            return area
    raise KeyError(key)


# Modules that register an area when imported, in toolbar order. A module that does not
# exist yet is skipped, so a screen appears as soon as its module lands.
AREA_MODULES = ("ui.views.dashboard", "ui.views.meetings", "ui.views.statistics",
                "ui.views.region", "ui.views.sync", "ui.views.admin", "ui.views.backup")


def load_areas() -> list[Area]:
    import importlib
    for name in AREA_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    order = {name.rsplit(".", 1)[1]: i for i, name in enumerate(AREA_MODULES)}
    return sorted(AREAS, key=lambda a: order.get(a.key, len(order)))
