"""Tsunagu core: the consultation desk's domain, process, store and reports (Qt-free)."""

__version__ = "0.1.0"
