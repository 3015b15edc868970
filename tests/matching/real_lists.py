"""Real list files parsed as the service indexes them (for tests that need the real corpus)."""

from __future__ import annotations

from pathlib import Path

from service.config import Settings
from service.matching.types import IndexedEntry
from service.screening.index_state import to_indexed_entry
from service.sources.catalogue import load_catalogue
from service.sources.ingest import parse_files
from service.sources.parsers import SourceFile


def parse_real(lists_data_dir: Path, lists: tuple[tuple[str, str, tuple[str, ...]], ...]) -> list[IndexedEntry]:
    """Entries of real list files, as the service indexes them."""
    catalogue = load_catalogue(Settings().lists_dir)
    entries = []
    for source, format_id, names in lists:
        files = [SourceFile(Path(name).name, (lists_data_dir / name).read_bytes()) for name in names]
        parsed = parse_files(catalogue.get(source), files, format_id)
        entries.extend(to_indexed_entry(source, entry.content_hash(), entry) for entry in parsed.entries)
    return entries
