"""Devices (public face; building a device's database is in app/store/sync_devices.py)."""

from app.store.sync_devices import DeviceInfo, held_cases, list_devices  # noqa: F401
