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
from collections.abc import Callable
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from typing import Any

_SHARED = (type, ModuleType, FunctionType, BuiltinFunctionType, MethodType)
# gc.get_referents holds the GIL for the whole call: in bounded chunks, requests keep being served meanwhile.
_CHUNK = 20_000


def deep_size(root: object) -> int:
    """Bytes held by `root` and everything it references, each object counted once."""
    seen: set[int] = set()
    total = 0
    level: list[Any] = [root]
    while level:
        fresh: list[Any] = []
        for item in level:
            if id(item) in seen or isinstance(item, _SHARED):
                continue
            seen.add(id(item))
            total += sys.getsizeof(item)
            fresh.append(item)
        # One call per chunk of a level, not per object: most of the walk of a large index stays in C.
        level = [
            referent
            for start in range(0, len(fresh), _CHUNK)
            for referent in gc.get_referents(*fresh[start : start + _CHUNK])
        ]
    return total


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
        size = deep_size(root)
        with self._lock:
            if generation == self._generation:
                self._publish(size)
