"""The memory an object graph holds, measured by walking it (for the index-memory gauge).

A resident-memory difference across an index build says little about the index: the allocator reuses
memory freed by the previous index and by the rows just read, so the difference was a tenth of what the
index holds. Walking the objects the index reaches and adding their `sys.getsizeof` measures the
index itself: every object once, container headers and the arrays' own buffers included. Classes,
modules and functions are shared with the rest of the program and are not counted.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Callable
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from typing import Any

_SHARED = (type, ModuleType, FunctionType, BuiltinFunctionType, MethodType)
# gc.get_referents holds the GIL for the whole call: in bounded chunks, requests keep being served meanwhile.
_CHUNK = 20_000


def deep_size(root: object, *, after_chunk: Callable[[], None] = lambda: None) -> int:
    """Bytes held by `root` and everything it references, each object counted once. `after_chunk` is
    called after every chunk of objects (the background sizer pauses there)."""
    seen: set[int] = set()
    total = 0
    level: list[Any] = [root]
    while level:
        referents: list[Any] = []
        for start in range(0, len(level), _CHUNK):
            fresh: list[Any] = []
            for item in level[start : start + _CHUNK]:
                if id(item) in seen or isinstance(item, _SHARED):
                    continue
                seen.add(id(item))
                total += sys.getsizeof(item)
                fresh.append(item)
            # One call per chunk, not per object: most of the walk of a large index stays in C.
            referents.extend(gc.get_referents(*fresh))
            after_chunk()
        level = referents
    return total


class _Throttle:
    """Sleeps after each chunk for `ratio` times the chunk's own time: the walk of a large index then
    takes at most 1 / (1 + ratio) of a core from the requests served meanwhile."""

    def __init__(self, ratio: float) -> None:
        self._ratio = ratio
        self._since = time.perf_counter()

    def __call__(self) -> None:
        time.sleep((time.perf_counter() - self._since) * self._ratio)
        self._since = time.perf_counter()


class BackgroundSizer:
    """Measures the latest object handed to it in a daemon thread, off the start-up and poll path.

    A measurement of an object that has been replaced meanwhile is dropped, so the latest index's
    size is the one published even when two builds follow each other quickly.
    """

    def __init__(self, publish: Callable[[int], None]) -> None:
        self._publish = publish
        self._lock = threading.Lock()
        self._generation = 0

    def measure(self, root: object) -> threading.Thread:
        with self._lock:
            self._generation += 1
            generation = self._generation
        thread = threading.Thread(target=self._run, args=(root, generation), name="index-memory", daemon=True)
        thread.start()
        return thread

    def _run(self, root: object, generation: int) -> None:
        # The walk is pure Python over millions of objects: unthrottled, it held the GIL for most of the
        # first half-minute after start, and requests waited; now it takes a tenth of a core.
        size = deep_size(root, after_chunk=_Throttle(ratio=9.0))
        with self._lock:
            if generation == self._generation:
                self._publish(size)
