"""Tsunagu's PySide6 GUI: main window, views, wizards. Holds a Desk; never writes SQL."""
