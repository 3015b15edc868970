"""Refresh a source from its official URLs (downloaded conditionally) or from a list mirror, then ingest it."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlmodel import Session

from service.errors import InvalidInput, ListDownloadError, ListFileError
from service.metrics import Metrics
from service.sources.catalogue import Catalogue, CatalogueSource
from service.sources.fetch import Fetched, FetchPolicy, Validators, fetch, make_http_client
from service.sources.ingest import IngestOptions, IngestOutcome, ingest_locked
from service.sources.lease import HeldLease, ingest_lease
from service.sources.mirror import MirrorSet, mirror_sets, newest_set, read_mirror
from service.sources.parsers import SourceFile
from service.sources.versions import active_version, mark_checked, prune, record_failure

if TYPE_CHECKING:
    import httpx  # for annotations: `fetch.make_http_client` imports it when a download needs it

log = logging.getLogger(__name__)


def file_name_for(url: str) -> str:
    """The file name parsers see: the last path segment of the URL (query strings dropped)."""
    path = urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1].lower() or "download"


def _previous_validators(engine: Engine, source: str) -> dict[str, Any]:
    with Session(engine) as session:
        version = active_version(session, source)
        return dict(version.validators) if version is not None else {}


def _download_all(
    client: httpx.Client, urls: Sequence[str], previous: dict[str, Any], policy: FetchPolicy
) -> list[Fetched] | None:
    """Every file of the set, or None when the server says none of them changed."""
    conditional = [
        fetch(client, url, policy=policy, validators=Validators(**previous[url]) if url in previous else None)
        for url in urls
    ]
    if all(item.not_modified for item in conditional):
        return None
    # Some files changed and some did not: the unchanged ones are not stored, so fetch them whole.
    return [item if not item.not_modified else fetch(client, item.url, policy=policy) for item in conditional]


def refresh_source(
    *,
    engine: Engine,
    source: CatalogueSource,
    options: IngestOptions,
    policy: FetchPolicy,
    metrics: Metrics,
    urls: Sequence[str] | None = None,
    client: httpx.Client | None = None,
    held: HeldLease | None = None,
) -> IngestOutcome:
    """Download a source (its catalogue URLs unless `urls` given) and ingest it, under its lease
    (`held` when the caller claimed it already; it is released at the end either way)."""
    with ingest_lease(engine, source.id, held=held):
        targets = list(urls or source.urls)
        if not targets:
            raise ListDownloadError(f"{source.id}: no URL in the catalogue and none given")
        origin = ", ".join(targets)
        own_client = client is None
        http = client or make_http_client(policy)
        try:
            previous = {} if options.force else _previous_validators(engine, source.id)
            try:
                fetched = _download_all(http, targets, previous, policy)
            except ListDownloadError as error:
                _record_failure(engine, source.id, origin, error.detail, options, metrics)
                raise
            if fetched is None:
                log.info("refresh %s: not modified since the active version", source.id)
                with Session(engine, expire_on_commit=False) as session:
                    version = active_version(session, source.id)
                    if version is not None:
                        mark_checked(session, version)
                    return IngestOutcome(
                        source.id,
                        "unchanged",
                        version.id if version else None,
                        version.record_count if version else 0,
                        version.sha256 if version else None,
                    )
            files = [SourceFile(file_name_for(item.url), item.content) for item in fetched]
            validators = {
                item.url: {"etag": item.validators.etag, "last_modified": item.validators.last_modified}
                for item in fetched
            }
            return _ingest_unattended(engine, source, files, origin, options, metrics, validators)
        finally:
            if own_client:
                http.close()


def refresh_from_mirror(
    *,
    engine: Engine,
    source: CatalogueSource,
    options: IngestOptions,
    mirror: str,
    found: MirrorSet | None,
    metrics: Metrics,
    held: HeldLease | None = None,
) -> IngestOutcome:
    """Ingest the newest file set of `source` that the mirror holds (`found`, from `mirror_files_by_source`)."""
    with ingest_lease(engine, source.id, held=held):
        if found is None:
            detail = f"{source.id}: the list mirror {mirror} holds no file of this source"
            _record_failure(engine, source.id, mirror, detail, options, metrics)
            raise ListDownloadError(detail)
        log.info("refresh %s from the mirror: %d file(s), format %s", source.id, len(found.files), found.format)
        pinned = dataclasses.replace(options, format=found.format)
        return _ingest_unattended(engine, source, found.source_files(), found.origin, pinned, metrics, None)


def mirror_files_by_source(mirror: str, catalogue: Catalogue, policy: FetchPolicy) -> dict[str, MirrorSet]:
    """The newest set per source in the mirror; ListDownloadError when the mirror cannot be read."""
    found = mirror_sets(read_mirror(mirror, policy), catalogue)
    chosen = {source_id: newest_set(catalogue.get(source_id), sets) for source_id, sets in found.items()}
    return {source_id: item for source_id, item in chosen.items() if item is not None}


def _ingest_unattended(
    engine: Engine,
    source: CatalogueSource,
    files: Sequence[SourceFile],
    origin: str,
    options: IngestOptions,
    metrics: Metrics,
    validators: dict[str, Any] | None,
) -> IngestOutcome:
    try:
        return ingest_locked(
            engine=engine,
            source=source,
            files=files,
            origin=origin,
            options=options,
            metrics=metrics,
            validators=validators,
        )
    except InvalidInput as error:
        # The publisher served another format (or another list): on a refresh nobody watches, that
        # is a failed version of the list, shown in /v1/lists, not a caller's mistake.
        _record_failure(engine, source.id, origin, error.detail, options, metrics)
        raise ListFileError(f"{source.id}: {error.detail}") from error


def _record_failure(
    engine: Engine, source_id: str, origin: str, detail: str, options: IngestOptions, metrics: Metrics
) -> None:
    record_failure(engine, source_id, origin, detail, metrics)
    prune(engine, source_id, keep_versions=options.keep_versions, keep_failed=options.keep_failed_versions)
