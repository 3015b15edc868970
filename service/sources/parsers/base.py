"""What every parser takes and returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.errors import ListFileError
from service.sources.model import ParsedList


@dataclass(slots=True, frozen=True)
class SourceFile:
    """One downloaded or local file of a list; `name` tells multi-file parsers which part it is."""

    name: str
    content: bytes


Parser = Callable[[Sequence[SourceFile]], ParsedList]


def single_file(files: Sequence[SourceFile], what: str) -> SourceFile:
    """The one file of a single-file format; a set of several is a caller mistake worth a clear error."""
    if len(files) != 1:
        names = ", ".join(file.name for file in files) or "none"
        raise ListFileError(f"{what} is one file, got {len(files)}: {names}")
    return files[0]
