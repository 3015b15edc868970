"""Opening zip-packaged list files (XLSX, ODS) safely.

A zip's members can expand to far more than the download (a "zip bomb"). Python's zipfile never
yields more than a member's declared uncompressed size, so checking the declared sizes before
reading anything bounds the memory a hostile file can take.
"""

from __future__ import annotations

import io
import zipfile

from service.errors import ListFileError
from service.sources.parsers.base import SourceFile

ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
"""No official list comes near this once unpacked (the largest, the UK XML, is about 20 MB)."""


def is_zip(file: SourceFile) -> bool:
    return file.content.startswith(ZIP_MAGIC)


def open_zip(file: SourceFile, *, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES) -> zipfile.ZipFile:
    """The file as a zip archive, after checking that it is whole and not a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(file.content))
    except zipfile.BadZipFile as error:
        raise ListFileError(
            f"{file.name}: not a readable zip archive ({error}); the file is corrupt or truncated"
        ) from error
    total = sum(info.file_size for info in archive.infolist())
    if total > max_uncompressed:
        archive.close()
        raise ListFileError(
            f"{file.name}: the archive would unpack to {total:,} bytes, over the limit of {max_uncompressed:,};"
            " refusing a possible zip bomb"
        )
    return archive
