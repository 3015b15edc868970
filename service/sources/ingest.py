"""The one ingest pipeline, used by the CLI, the scheduler and the admin endpoint.

parse -> validate -> store entries under a new `loading` version -> flip the active
version in one transaction. Any failure marks the new version `failed` with its
error and leaves the previously active version active and serving.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlmodel import Session, col

from service.errors import IngestError, ListFileError, ListValidationError
from service.metrics import Metrics
from service.sources.catalogue import CatalogueSource
from service.sources.formats import known_formats, resolve_format
from service.sources.lease import ingest_lease
from service.sources.model import ParsedEntry, ParsedList
from service.sources.parsers import PARSERS, SourceFile
from service.sources.parsers.ftm_delta import DELTA_FORMATS
from service.sources.tables import ListChange, ListEntry, ListVersion
from service.sources.versions import (
    ShrinkReference,
    active_version,
    mark_checked,
    mark_failed,
    prune,
    prune_after_failure,
    shrink_reference,
)
from service.timeutil import utc_now

log = logging.getLogger(__name__)
INSERT_BATCH = 2000


@dataclass(slots=True)
class IngestOptions:
    force: bool = False
    max_shrink_fraction: float = 0.5
    keep_versions: int = 5  # versions that were active, kept with their entries; also the shrink check's depth
    keep_failed_versions: int = 10  # failed versions kept for their errors
    format: str | None = None


@dataclass(slots=True)
class IngestOutcome:
    source: str
    status: str  # activated | unchanged | failed
    version_id: int | None
    record_count: int = 0
    sha256: str | None = None
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    added: int = 0
    removed: int = 0
    changed: int = 0


def content_sha256(files: Sequence[SourceFile]) -> str:
    """One digest over a whole file set, independent of the order files were given in."""
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.name.lower()):
        digest.update(file.name.rsplit("/", 1)[-1].lower().encode())
        digest.update(hashlib.sha256(file.content).digest())
    return digest.hexdigest()


def parse_files(
    source: CatalogueSource,
    files: Sequence[SourceFile],
    format_id: str | None = None,
    previous: Callable[[], list[ParsedEntry]] | None = None,
) -> ParsedList:
    """Parse a full list, or apply a delta file (e.g. OpenSanctions' entities.delta.json) to `previous()`."""
    format_id = format_id or source.format
    parser = PARSERS.get(format_id)
    delta = DELTA_FORMATS.get(format_id)
    if parser is None and delta is None:
        known = ", ".join(known_formats())
        raise IngestError(f"no parser for format '{format_id}' of source '{source.id}'; known formats: {known}")
    if not files:
        raise ListFileError(f"no files given for '{source.id}'")
    try:
        if delta is not None:
            if previous is None:
                raise IngestError(f"{source.id}: a delta needs the previous version")
            parse_delta, apply_delta = delta
            base = previous()
            if not base:
                raise ListValidationError(f"{source.id}: a delta needs an active version to apply to; load a full list")
            return apply_delta(base, parse_delta(files))
        assert parser is not None  # noqa: S101 - one of the two is set, checked above
        return parser(files)
    except IngestError:
        raise
    except (ValueError, KeyError, IndexError, UnicodeDecodeError) as error:
        # A parser bug or an unexpected layout: report it as a bad file, with its cause.
        raise ListFileError(f"{source.id}: could not parse {format_id}: {type(error).__name__}: {error}") from error


def validate(parsed: ParsedList, *, source: str, reference: ShrinkReference | None, options: IngestOptions) -> None:
    if not parsed.entries:
        raise ListValidationError(f"{source}: the list is empty; refusing to replace the active version")
    seen: set[str] = set()
    for entry in parsed.entries:
        if not entry.entity_id or not entry.name.strip():
            raise ListValidationError(f"{source}: an entry has no id or no name (id '{entry.entity_id}')")
        if entry.entity_id in seen:
            raise ListValidationError(f"{source}: entity id '{entry.entity_id}' appears twice")
        seen.add(entry.entity_id)
    if reference is not None and reference.record_count and not options.force:
        shrink = 1 - len(parsed.entries) / reference.record_count
        if shrink > options.max_shrink_fraction:
            raise ListValidationError(
                f"{source}: {len(parsed.entries)} records against {reference.record_count} in version"
                f" {reference.version_id}, the largest of the last {reference.depth} active version(s)"
                f" (shrunk by {shrink:.0%}, more than the {options.max_shrink_fraction:.0%} allowed);"
                " use --force if this is expected"
            )


def ingest_files(
    *,
    engine: Engine,
    source: CatalogueSource,
    files: Sequence[SourceFile],
    origin: str,
    options: IngestOptions,
    metrics: Metrics,
    validators: dict[str, Any] | None = None,
) -> IngestOutcome:
    """Ingest one file set of a source under the source's lease."""
    with ingest_lease(engine, source.id):
        return ingest_locked(
            engine=engine,
            source=source,
            files=files,
            origin=origin,
            options=options,
            metrics=metrics,
            validators=validators,
        )


def ingest_locked(
    *,
    engine: Engine,
    source: CatalogueSource,
    files: Sequence[SourceFile],
    origin: str,
    options: IngestOptions,
    metrics: Metrics,
    validators: dict[str, Any] | None = None,
) -> IngestOutcome:
    """Ingest a file set; the caller holds the source's lease."""
    started = time.perf_counter()
    try:
        outcome = _ingest(
            engine=engine, source=source, files=files, origin=origin, options=options, validators=validators
        )
    except IngestError:
        metrics.observe_ingest(source.id, time.perf_counter() - started, ok=False)
        raise
    metrics.observe_ingest(source.id, time.perf_counter() - started, ok=True)
    return outcome


def _ingest(
    *,
    engine: Engine,
    source: CatalogueSource,
    files: Sequence[SourceFile],
    origin: str,
    options: IngestOptions,
    validators: dict[str, Any] | None,
) -> IngestOutcome:
    started = time.perf_counter()
    # Before anything is recorded: a wrong format is the caller's mistake, not a failed version of the list.
    format_id = resolve_format(source, files, options.format)
    sha256 = content_sha256(files)
    with Session(engine, expire_on_commit=False) as session:
        previous = active_version(session, source.id)
        if previous is not None and previous.sha256 == sha256 and not options.force:
            log.info("ingest %s: content unchanged (sha256 %s), no new version", source.id, sha256[:12])
            mark_checked(session, previous, validators)
            return IngestOutcome(source.id, "unchanged", previous.id, previous.record_count, sha256)
        version = ListVersion(source=source.id, origin=origin, sha256=sha256, validators=validators or {})
        session.add(version)
        session.commit()
        assert version.id is not None  # noqa: S101 - set by the INSERT above
        version_id = version.id
        previous_id = previous.id if previous else None
        reference = shrink_reference(session, source.id, options.keep_versions)

    try:
        parsed = parse_files(source, files, format_id, previous=lambda: _previous_entries(engine, previous_id))
        validate(parsed, source=source.id, reference=reference, options=options)
        hashes = _store_entries(engine, source.id, version_id, parsed)
        change = _activate(engine, source.id, version_id, previous_id, parsed, hashes, forced=options.force)
    except Exception as error:
        # The boundary of the ingest job: whatever went wrong, the failure is recorded on the
        # version and the previous version stays active.
        detail = error.detail if isinstance(error, IngestError) else f"{type(error).__name__}: {error}"
        mark_failed(engine, version_id, detail)
        prune_after_failure(
            engine, source.id, keep_versions=options.keep_versions, keep_failed=options.keep_failed_versions
        )
        if isinstance(error, IngestError):
            raise
        raise IngestError(f"{source.id}: ingest failed: {detail}") from error
    prune(engine, source.id, keep_versions=options.keep_versions, keep_failed=options.keep_failed_versions)
    seconds = time.perf_counter() - started
    log.info(
        "ingest %s: version %s active, %d records (+%d -%d ~%d) in %.1fs",
        source.id,
        version_id,
        len(parsed.entries),
        change.added_count,
        change.removed_count,
        change.changed_count,
        seconds,
    )
    return IngestOutcome(
        source=source.id,
        status="activated",
        version_id=version_id,
        record_count=len(parsed.entries),
        sha256=sha256,
        seconds=seconds,
        stats=dict(parsed.stats),
        added=change.added_count,
        removed=change.removed_count,
        changed=change.changed_count,
    )


def _store_entries(engine: Engine, source: str, version_id: int, parsed: ParsedList) -> dict[str, str]:
    hashes: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for entry in parsed.entries:
        content_hash = entry.content_hash()
        hashes[entry.entity_id] = content_hash
        rows.append(
            {
                "version_id": version_id,
                "source": source,
                "entity_id": entry.entity_id,
                "type": entry.type,
                "name": entry.name,
                "content_hash": content_hash,
                "document": entry.to_document(),
            }
        )
    with engine.begin() as connection:
        for start in range(0, len(rows), INSERT_BATCH):
            connection.execute(insert(ListEntry), rows[start : start + INSERT_BATCH])
    return hashes


def _previous_entries(engine: Engine, version_id: int | None) -> list[ParsedEntry]:
    if version_id is None:
        return []
    with Session(engine) as session:
        documents = session.execute(
            select(col(ListEntry.document)).where(col(ListEntry.version_id) == version_id)
        ).scalars()
        return [ParsedEntry.from_document(document) for document in documents]


def _previous_hashes(session: Session, version_id: int | None) -> dict[str, str]:
    if version_id is None:
        return {}
    rows = session.execute(
        select(col(ListEntry.entity_id), col(ListEntry.content_hash)).where(col(ListEntry.version_id) == version_id)
    ).all()
    return {str(entity_id): str(content_hash) for entity_id, content_hash in rows}


def _activate(
    engine: Engine,
    source: str,
    version_id: int,
    previous_id: int | None,
    parsed: ParsedList,
    hashes: dict[str, str],
    *,
    forced: bool,
) -> ListChange:
    """Flip the active version and store the change report, in one transaction."""
    with Session(engine, expire_on_commit=False) as session:
        before = _previous_hashes(session, previous_id)
        added = sorted(set(hashes) - set(before))
        removed = sorted(set(before) - set(hashes))
        changed = sorted(key for key in hashes.keys() & before.keys() if hashes[key] != before[key])
        change = ListChange(
            version_id=version_id,
            source=source,
            previous_version_id=previous_id,
            added_count=len(added),
            removed_count=len(removed),
            changed_count=len(changed),
            added=added,
            removed=removed,
            changed=changed,
        )
        session.add(change)
        now = utc_now()
        # Only a version still `loading` may become active: one whose ingest stalled past its lease was
        # failed and emptied by the next lease holder, and must not come back as an empty active list.
        activated = session.execute(
            update(ListVersion)
            .where(col(ListVersion.id) == version_id, col(ListVersion.status) == "loading")
            .values(
                status="active",
                activated_at=now,
                record_count=len(parsed.entries),
                published_at=parsed.published_at,
                stats={**parsed.stats, "warnings": parsed.warnings[:50], **({"forced": True} if forced else {})},
            )
        )
        if activated.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            raise IngestError(f"{source}: version {version_id} was given up while loading (its lease lapsed)")
        session.execute(
            update(ListVersion)
            .where(
                col(ListVersion.source) == source,
                col(ListVersion.status) == "active",
                col(ListVersion.id) != version_id,
            )
            .values(status="superseded")
        )
        session.commit()
        return change
