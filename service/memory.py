"""Memory: what an object graph holds (for the index-memory gauge), what the process holds, and giving it back.

A resident-memory difference across an index build says little about the index: the allocator reuses
memory freed by the previous index and by the rows just read, so the difference was a tenth of what the
index holds. Walking the objects the index reaches and adding their `sys.getsizeof` measures the
index itself: every object once, container headers and the arrays' own buffers included. Classes,
modules and functions are shared with the rest of the program and are not counted.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import os
import sys
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


def resident_bytes() -> int:
    """The process's resident memory (Linux); 0 where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    # The C library the interpreter already runs on (no search for it, which would start `ldconfig`).
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None
    return trim


def return_free_memory() -> None:
    """Hand the heap's free memory back to the system (glibc's `malloc_trim`; elsewhere a no-op).

    An index build or load allocates and frees a great deal of scratch memory (the rows read, the
    pickle, the unpickler's memo). glibc keeps what was freed inside its heap, and the process stays
    that much larger: for the full lists about 60 MB of a 340 MB process. ctypes releases the GIL
    during the call, so requests are served meanwhile.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
