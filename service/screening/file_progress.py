"""Progress of a long file screening for runs without a terminal (cron, CI): a line every N rows or S seconds."""

from __future__ import annotations

import time
from collections.abc import Callable


class ProgressLines:
    """Counts screened rows and writes `screened 1500/10000 rows (15%), 310 rows/s, about 27s left`."""

    def __init__(
        self,
        total: int,
        *,
        write: Callable[[str], None],
        every_rows: int,
        every_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._total = total
        self._write = write
        self._every_rows = every_rows
        self._every_seconds = every_seconds
        self._clock = clock
        self._started = self._last_time = clock()
        self._done = self._last_rows = 0

    def advance(self, rows: int) -> None:
        for _ in range(rows):
            # Row by row, so that a line falls on every N rows even when rows arrive a chunk at a time.
            self._done += 1
            now = self._clock()
            if self._done - self._last_rows >= self._every_rows or now - self._last_time >= self._every_seconds:
                self._report(now)

    def finish(self) -> None:
        if self._done != self._last_rows:
            self._report(self._clock())

    def _report(self, now: float) -> None:
        self._last_rows, self._last_time = self._done, now
        elapsed = max(now - self._started, 1e-9)
        rate = self._done / elapsed
        share = f" ({100 * self._done // self._total}%)" if self._total else ""
        left = f", about {(self._total - self._done) / rate:.0f}s left" if rate and self._done < self._total else ""
        self._write(f"screened {self._done}/{self._total} rows{share}, {rate:.0f} rows/s{left}")
