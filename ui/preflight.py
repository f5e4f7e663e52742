"""Before Qt starts: on Linux, name what the desktop lacks instead of letting Qt abort.

Qt's xcb plugin aborts the process when a system library is missing or there is no
display; a caseworker would see nothing useful. This check prints a Japanese message
naming the missing packages (Debian/Ubuntu names) and returns an exit code instead.
"""

from __future__ import annotations

import ctypes.util
import os
import sys

from app.i18n import _

# library name for ctypes.util.find_library → Debian/Ubuntu package
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-shape": "libxcb-shape0",
    "xcb-randr": "libxcb-randr0",
}


def problem(environ=os.environ, platform: str = sys.platform,
            find_library=ctypes.util.find_library) -> str | None:
    """A message saying why the GUI cannot start here, or None when it can."""
    if not platform.startswith("linux"):
        return None
    requested = environ.get("QT_QPA_PLATFORM", "")
    if requested and not requested.startswith("xcb"):
        return None  # offscreen, wayland …: Qt's own handling
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return _("There is no screen to show the window on (no DISPLAY). Start Tsunagu from "
                 "a desktop session, or use the command line: python -m app --help")
    if environ.get("WAYLAND_DISPLAY") and not environ.get("DISPLAY"):
        return None
    missing = [pkg for lib, pkg in XCB_LIBRARIES.items() if find_library(lib) is None]
    if missing:
        return _("The desktop lacks libraries Qt needs to open a window. Install them, e.g. "
                 "on Debian/Ubuntu: sudo apt-get install {packages}").format(
                     packages=" ".join(missing))
    return None
