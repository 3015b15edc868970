"""The match index as bytes and back: what a replica saves so that the others load it instead of building it.

Kept apart from `index.py`, and never compiled (`scripts/compile_matching.py`): a pickler subclass is a
C type's subclass, which a compiled module cannot define.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import pickle
from typing import Any

from service.matching.index import FREEZE_MIN_NAMES, Index, collector_paused


class _IndexPickler(pickle.Pickler):
    """Pickles the index's dataclasses (all slotted; compiled, they have no `__slots__`) as constructor calls.

    The default for a frozen slotted dataclass restores each object through `dataclasses`'
    Python-level `__setstate__`, which looks its fields up anew every time (two thirds of the
    load time under a profiler). Calling the class with its field values is one generated
    `__init__` per object: the full lists load in about 40% less CPU (bench/startup.py --formats).
    """

    def reducer_override(self, obj: object) -> Any:
        cls = type(obj)
        if dataclasses.is_dataclass(cls):
            return cls, tuple(getattr(obj, field.name) for field in dataclasses.fields(cls))
        return NotImplemented


def dump_index(index: Index) -> bytes:
    """The built index as bytes for `load_index`: a pickle (protocol 5), with no framing or integrity check.

    The caller frames it (`screening/saved_index.py`: code version, checksum). An unpickled index
    is the same object graph as the built one, shared strings and tuples included (pickle keeps
    one copy of each object it meets twice), so it searches identically.
    """
    buffer = io.BytesIO()
    with collector_paused():
        _IndexPickler(buffer, protocol=5).dump(index)
    return buffer.getvalue()


def load_index(data: bytes) -> Index:
    """An index from `dump_index` bytes. Only for bytes this service wrote: unpickling runs code they name."""
    # Collected before rather than after: unpickling makes no garbage cycles, and a collection over the
    # loaded index would walk all of its objects (a second or so for the full lists).
    gc.collect()
    with collector_paused():
        index = pickle.loads(data)  # noqa: S301 - the caller checked the bytes are ours (screening/saved_index.py)
        if not isinstance(index, Index):
            raise TypeError(f"not a match index: {type(index).__name__}")
        if index.name_count >= FREEZE_MIN_NAMES:
            # As in `build_index`, and before the collector is on again: its first collection would
            # otherwise walk every object just unpickled, all of them still in the youngest generation.
            gc.freeze()
    return index
