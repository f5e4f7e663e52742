"""The GUI names what a Linux desktop lacks instead of letting Qt abort."""

from ui.preflight import problem


def test_no_display_is_explained():
    msg = problem(environ={}, platform="linux", find_library=lambda n: "x")
    assert msg and "DISPLAY" in msg and "python -m app" in msg


def test_missing_xcb_libraries_are_named():
    msg = problem(environ={"DISPLAY": ":0"}, platform="linux",
                  find_library=lambda n: None if n == "xcb-cursor" else "lib")
    assert msg and "libxcb-cursor0" in msg and "libxcb-icccm4" not in msg


def test_all_present_or_other_platforms_pass():
    assert problem(environ={"DISPLAY": ":0"}, platform="linux", find_library=lambda n: "lib") is None
    assert problem(environ={}, platform="win32", find_library=lambda n: None) is None
    assert problem(environ={"QT_QPA_PLATFORM": "offscreen"}, platform="linux",
                   find_library=lambda n: None) is None
