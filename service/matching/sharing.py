"""One object per distinct value across the index: equal strings, tuples and small records are shared.

List data repeats itself: "mohammad" is a part of thousands of listed names, "person", "strong"
and "Arab" are fields of tens of thousands of entries, and the same birth year or program appears
again and again. Parsing and `prepare` make a fresh object for each occurrence; sharing them cut
the index of the seven full lists by about a third (bench/speed.py's `index MiB`). Pickle keeps
one copy of an object it meets twice, so a saved index loads shared as well.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")

# Kept as they are: bools and small ints are singletons already, and an int is never shared by value
# with a float (1 == 1.0 == True would hand one back for the other).
_AS_IS = (type(None), bool, int)


class ValueSharer:
    """Hands back one canonical object per value; meant to live for one index build."""

    def __init__(self) -> None:
        self._known: dict[Any, Any] = {}
        self._fields: dict[type, tuple[str, ...]] = {}

    def share(self, value: T) -> T:
        """`value`, or an equal object met before: strings, floats, tuples and frozen dataclasses of them."""
        item: Any = value
        kind = type(item)
        if kind in _AS_IS:
            return value
        if kind is tuple:
            item = tuple(map(self.share, item))
        elif kind is not str and kind is not float:
            item = self.share_fields(item)
        return self._known.setdefault(item, item)  # type: ignore[no-any-return]

    def share_fields(self, record: T) -> T:
        """A copy of the frozen dataclass `record` whose fields are shared; the record itself stays its own object
        (an entry listed twice remains two entries)."""
        kind = type(record)
        names = self._fields.get(kind)
        if names is None:
            names = self._fields[kind] = self._frozen_fields(kind)
        return kind(*(self.share(getattr(record, name)) for name in names))

    @staticmethod
    def _frozen_fields(kind: type) -> tuple[str, ...]:
        params = getattr(kind, "__dataclass_params__", None)
        if params is None or not params.frozen:
            raise TypeError(f"cannot share a {kind.__name__}: only immutable values are shared")
        return tuple(field.name for field in dataclasses.fields(kind) if field.init)
