"""The views shown in the main window's tabs (case list, case)."""
