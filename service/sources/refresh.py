"""Refresh a source from its official URLs: download (conditionally), then the ingest pipeline."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from service.errors import InvalidInput, ListDownloadError, ListFileError
from service.sources.catalogue import CatalogueSource
from service.sources.fetch import Fetched, FetchPolicy, Validators, fetch, make_http_client
from service.sources.ingest import IngestOptions, IngestOutcome, ingest_locked
from service.sources.lease import HeldLease, ingest_lease
from service.sources.parsers import SourceFile
from service.sources.versions import active_version, mark_checked, prune, record_failure

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
                record_failure(engine, source.id, origin, error.detail)
                prune(engine, source.id, keep_versions=options.keep_versions, keep_failed=options.keep_failed_versions)
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
            try:
                return ingest_locked(
                    engine=engine, source=source, files=files, origin=origin, options=options, validators=validators
                )
            except InvalidInput as error:
                # The publisher served another format (or another list): on a refresh nobody watches, that
                # is a failed version of the list, shown in /v1/lists, not a caller's mistake.
                record_failure(engine, source.id, origin, error.detail)
                prune(engine, source.id, keep_versions=options.keep_versions, keep_failed=options.keep_failed_versions)
                raise ListFileError(f"{source.id}: {error.detail}") from error
        finally:
            if own_client:
                http.close()
