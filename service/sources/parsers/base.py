"""What every parser takes and returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.sources.model import ParsedList


@dataclass(slots=True, frozen=True)
class SourceFile:
    """One downloaded or local file of a list; `name` tells multi-file parsers which part it is."""

    name: str
    content: bytes


Parser = Callable[[Sequence[SourceFile]], ParsedList]
