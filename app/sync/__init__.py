"""Sync between installations of one agency: devices, transfer bundles, merge, conflicts.

Qt-free; the 同期 screen and the CLI drive it through Desk (app/operations/sync.py).
"""
