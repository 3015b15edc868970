"""Which parser reads a file set: the one asked for, else the one its content shows, else the catalogue's."""

from __future__ import annotations

from collections.abc import Sequence

from service.errors import InvalidInput
from service.sources.catalogue import CatalogueSource
from service.sources.parsers import PARSERS, SourceFile
from service.sources.parsers.detect import detect_format
from service.sources.parsers.ftm_delta import DELTA_FORMATS


def known_formats() -> list[str]:
    return sorted([*PARSERS, *DELTA_FORMATS])


def formats_of(source: CatalogueSource) -> list[str]:
    """The source's own format first, then the others its publisher issues (`other_formats`, "id (file)")."""
    others = [entry.split()[0] for entry in source.other_formats if entry.split()]
    return list(dict.fromkeys([source.format, *others]))


def resolve_format(source: CatalogueSource, files: Sequence[SourceFile], requested: str | None) -> str:
    """The format to parse `files` with; InvalidInput for an unknown format or a file of another publisher."""
    if requested is not None:
        if requested not in PARSERS and requested not in DELTA_FORMATS:
            raise InvalidInput(f"format: unknown format '{requested}'; known formats: {', '.join(known_formats())}")
        return requested
    detected = detect_format(files)
    if detected is None:
        return source.format  # unrecognised content: the catalogue's parser says what is wrong with it
    allowed = formats_of(source)
    if detected not in allowed:
        names = ", ".join(file.name for file in files)
        raise InvalidInput(
            f"file: {names} is in format '{detected}', which {source.id} is not published in"
            f" ({', '.join(allowed)}); is it the file of another list? (--format overrides)"
        )
    return detected
