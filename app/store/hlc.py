"""Hybrid logical clock: timestamps that order writes across devices with skewed clocks."""

from __future__ import annotations

import threading
import time


class HybridClock:
    """Issues strictly increasing stamps ``<millis:013d>-<counter:05d>-<device>``.

    The string sorts in the clock's order. ``observe`` folds in a stamp received from
    another device so that later local stamps come after it.
    """

    def __init__(self, device_id: str, now_ms=lambda: int(time.time() * 1000)):
        self.device_id = device_id
        self._now_ms = now_ms
        self._last_ms = 0
        self._counter = 0
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            physical = self._now_ms()
            if physical > self._last_ms:
                self._last_ms, self._counter = physical, 0
            else:
                self._counter += 1
            return f"{self._last_ms:013d}-{self._counter:05d}-{self.device_id}"

    def observe(self, stamp: str) -> None:
        ms_text, counter_text, _device = stamp.split("-", 2)
        ms, counter = int(ms_text), int(counter_text)
        with self._lock:
            if (ms, counter) > (self._last_ms, self._counter):
                self._last_ms, self._counter = ms, counter
