"""The pickled state of the index's classes as named attributes, compiled or not.

A class compiled by mypyc (scripts/compile_matching.py) has no `__dict__` to copy or update, and its
instances are always made through `__init__`, so pickle's default (an instance made without it, then
its `__dict__` filled) is not open to it. `Index`, `Candidates` and `FuzzyVocabulary` therefore
reduce to a call of their class with arguments that build an empty instance, and the attributes
named here, set on it afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def named_attributes(instance: object, names: Iterable[str]) -> dict[str, object]:
    return {name: getattr(instance, name) for name in names}


def set_attributes(instance: object, state: Mapping[str, object]) -> None:
    for name, value in state.items():
        setattr(instance, name, value)
