"""One parser per official format; `PARSERS` maps the catalogue's `format` to it."""

from __future__ import annotations

from service.sources.parsers.base import Parser, SourceFile
from service.sources.parsers.ofac_csv import parse_ofac_csv

PARSERS: dict[str, Parser] = {
    "ofac_csv": parse_ofac_csv,
}

__all__ = ["PARSERS", "Parser", "SourceFile"]
