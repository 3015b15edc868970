"""A local list mirror (`SCREENING_LISTS_MIRROR`): a folder or an internal HTTP server holding the publishers' files.

Air-gapped installs cannot reach the publishers, so an operator drops the official downloads into one
place, under any names and folders. Each file is recognised by its content (`detect_file_format`); the
sources that publish in that format claim it. Where two sources share a format (OFAC's SDN and
non-SDN lists are the same CSV/XML layouts), the content cannot tell them apart and the publisher's
own file names decide (`SDN.CSV` against `CONS_PRIM.CSV`). Per source the newest file set wins: the
one modified last, where files modified within 15 minutes of each other count as one drop; among
those, the source's own format, then the larger set (a full list over an excerpt).
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

from service.errors import ListDownloadError
from service.sources.catalogue import Catalogue, CatalogueSource
from service.sources.fetch import FetchPolicy, fetch, make_http_client
from service.sources.formats import formats_of
from service.sources.parsers import SourceFile
from service.sources.parsers.detect import detect_file_format

if TYPE_CHECKING:
    import httpx  # for annotations: `fetch.make_http_client` imports it when a download needs it

log = logging.getLogger(__name__)

# Formats whose list is several files read together; every other format is one file per list.
MULTI_FILE_FORMATS = frozenset({"ofac_csv"})
MAX_HTTP_DEPTH = 4
MAX_FILES = 2_000
SAME_DROP_SECONDS = 15 * 60


@dataclass(slots=True, frozen=True)
class MirrorFile:
    location: str  # path or URL, for messages and the version's origin
    folder: str  # the folder (or URL directory) holding it: a multi-file set lives in one folder
    modified: float  # seconds since the epoch; 0 when the server does not say
    file: SourceFile


@dataclass(slots=True, frozen=True)
class MirrorSet:
    source: str
    format: str
    files: tuple[MirrorFile, ...]

    @property
    def modified(self) -> float:
        return max(item.modified for item in self.files)

    @property
    def size(self) -> int:
        return sum(len(item.file.content) for item in self.files)

    @property
    def origin(self) -> str:
        return ", ".join(item.location for item in self.files)

    def source_files(self) -> list[SourceFile]:
        return [item.file for item in self.files]


def is_http(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def read_mirror(location: str, policy: FetchPolicy) -> list[MirrorFile]:
    """Every file in the mirror, read whole; ListDownloadError when the mirror itself cannot be read."""
    if is_http(location):
        with make_http_client(policy) as client:
            return list(_http_files(client, location.rstrip("/") + "/", policy))
    return list(_local_files(Path(location), policy.max_bytes))


def _local_files(root: Path, max_bytes: int) -> Iterator[MirrorFile]:
    if not root.is_dir():
        raise ListDownloadError(f"SCREENING_LISTS_MIRROR: {root} is not a folder")
    count = 0
    for folder, directories, names in os.walk(root):
        directories[:] = sorted(name for name in directories if not name.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if name.startswith(".") or not path.is_file():
                continue
            stat = path.stat()
            if stat.st_size > max_bytes:
                log.warning("mirror: %s skipped, %d bytes is over the size limit", path, stat.st_size)
                continue
            count += 1
            if count > MAX_FILES:
                log.warning("mirror: more than %d files under %s; the rest are not read", MAX_FILES, root)
                return
            yield MirrorFile(str(path), folder, stat.st_mtime, SourceFile(name, path.read_bytes()))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def _http_files(client: httpx.Client, base: str, policy: FetchPolicy) -> Iterator[MirrorFile]:
    """Walk an HTTP directory listing (nginx autoindex, Apache, `python -m http.server`) below `base`."""
    pending = [(base, 0)]
    seen: set[str] = set()
    count = 0
    while pending:
        directory, depth = pending.pop(0)
        listing = fetch(client, directory, policy=policy)
        parser = _Links()
        parser.feed(listing.content.decode("utf-8", errors="replace"))
        for href in parser.hrefs:
            target = urljoin(directory, href).split("#", 1)[0]
            # Stay inside the mirror: no parent links, sort links (`?C=N`) or other hosts.
            if "?" in target or not target.startswith(base) or target in seen or target == directory:
                continue
            seen.add(target)
            if target.endswith("/"):
                if depth < MAX_HTTP_DEPTH:
                    pending.append((target, depth + 1))
                continue
            count += 1
            if count > MAX_FILES:
                log.warning("mirror: more than %d files under %s; the rest are not read", MAX_FILES, base)
                return
            fetched = fetch(client, target, policy=policy)
            name = unquote(PurePosixPath(urlsplit(target).path).name)
            modified = _http_modified(fetched.validators.last_modified)
            yield MirrorFile(target, directory, modified, SourceFile(name, fetched.content))


def _http_modified(header: str | None) -> float:
    if not header:
        return 0.0
    try:
        return parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return 0.0


def _name_stem(name: str) -> str:
    """`SDN_COMMENTS.CSV` -> `sdn`, `cons_prim.csv` -> `cons`: the part publishers put first."""
    return name.lower().split(".", 1)[0].split("_", 1)[0]


def _published_stems(source: CatalogueSource) -> set[str]:
    names = [urlsplit(url).path.rsplit("/", 1)[-1] for url in source.urls]
    # other_formats entries read "format (FILE.NAME)".
    names += [entry.split("(", 1)[1].rstrip(")") for entry in source.other_formats if "(" in entry]
    return {_name_stem(name) for name in names if name}


def _claimant(file: MirrorFile, format_id: str, sources: list[CatalogueSource]) -> CatalogueSource | None:
    candidates = [source for source in sources if format_id in formats_of(source)]
    if len(candidates) > 1:
        stem = _name_stem(file.file.name)
        candidates = [source for source in candidates if stem in _published_stems(source)]
    if len(candidates) != 1:
        log.warning("mirror: %s (%s) matches %d sources; not used", file.location, format_id, len(candidates))
        return None
    return candidates[0]


def mirror_sets(files: Iterable[MirrorFile], catalogue: Catalogue) -> dict[str, list[MirrorSet]]:
    """Every usable file set in the mirror, per source id."""
    sources = list(catalogue)
    grouped: dict[tuple[str, str, str], list[MirrorFile]] = defaultdict(list)
    sets: dict[str, list[MirrorSet]] = defaultdict(list)
    empty: dict[str, list[MirrorFile]] = defaultdict(list)
    for item in files:
        format_id = detect_file_format(item.file)
        if format_id is None:
            if not item.file.content.strip(b" \t\r\n\x1a"):
                empty[item.folder].append(item)
            continue
        source = _claimant(item, format_id, sources)
        if source is None:
            continue
        if format_id in MULTI_FILE_FORMATS:
            grouped[(source.id, format_id, item.folder)].append(item)
        else:
            sets[source.id].append(MirrorSet(source.id, format_id, (item,)))
    for (source_id, format_id, folder), members in grouped.items():
        # A member file with no rows (OFAC's comments file often) has no content to recognise it by.
        stems = _published_stems(catalogue.get(source_id))
        members += [item for item in empty[folder] if _name_stem(item.file.name) in stems]
        sets[source_id].append(MirrorSet(source_id, format_id, tuple(members)))
    return dict(sets)


def newest_set(source: CatalogueSource, candidates: list[MirrorSet]) -> MirrorSet | None:
    """The set dropped last; among sets dropped together, the source's own format, then the largest."""
    if not candidates:
        return None
    latest = max(item.modified for item in candidates)
    # Files copied in one go differ by milliseconds to minutes, so their order says nothing.
    dropped_last = [item for item in candidates if item.modified >= latest - SAME_DROP_SECONDS]
    return max(dropped_last, key=lambda item: (item.format == source.format, item.size))
