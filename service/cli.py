"""The `screening` console script."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from service.config import Settings, get_settings
from service.db import make_engine, upgrade
from service.errors import ScreeningError
from service.matching.simple import build_simple_index
from service.screening.index_state import IndexHolder
from service.screening.schemas import PartyIn
from service.screening.service import screen_party
from service.sources.catalogue import load_catalogue
from service.sources.ingest import IngestOutcome, ingest_files
from service.sources.parsers import SourceFile
from service.sources.refresh import refresh_source
from service.sources.scheduler import blocking_scheduler, fetch_policy, ingest_options, schedule_refreshes
from service.sources.status import source_statuses

app = typer.Typer(
    help="End-user screening: sanctions and watchlist matching for exporters.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _settings() -> Settings:
    return get_settings()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from SCREENING_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from SCREENING_PORT)")] = None,
    workers: Annotated[int | None, typer.Option(help="uvicorn worker processes")] = None,
) -> None:
    """Run the HTTP API."""
    settings = _settings()
    bind = host or settings.host
    if not settings.api_keys and bind not in LOOPBACK:
        logging.getLogger(__name__).warning(
            "no API key configured: binding to 127.0.0.1 instead of %s; set SCREENING_API_KEYS to expose the API",
            bind,
        )
        bind = "127.0.0.1"
    uvicorn.run(
        "service.main:app_from_environment",
        factory=True,
        host=bind,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level=settings.log_level.lower(),
    )


def _print_outcome(outcome: IngestOutcome) -> None:
    if outcome.status == "unchanged":
        typer.echo(f"{outcome.source}: unchanged (sha256 {outcome.sha256}); version {outcome.version_id} stays active")
        return
    typer.echo(
        f"{outcome.source}: version {outcome.version_id} active with {outcome.record_count} records"
        f" (+{outcome.added} added, -{outcome.removed} removed, ~{outcome.changed} changed) in {outcome.seconds:.1f}s"
    )
    for key, value in sorted(outcome.stats.items()):
        typer.echo(f"  {key}: {value}")


@app.command()
def ingest(
    source: Annotated[str | None, typer.Argument(help="Source id from the catalogue, e.g. us_ofac_sdn")] = None,
    file: Annotated[list[Path] | None, typer.Option("--file", help="A local file; repeat for multi-file sets")] = None,
    url: Annotated[
        list[str] | None, typer.Option("--url", help="Download from this URL instead of the catalogue's")
    ] = None,
    all_sources: Annotated[
        bool, typer.Option("--all", help="Refresh every auto-refreshed source from its URLs")
    ] = False,
    force: Annotated[bool, typer.Option(help="Accept a list that shrank by more than the allowed fraction")] = False,
    format: Annotated[str | None, typer.Option("--format", help="Parser to use instead of the catalogue's")] = None,
) -> None:
    """Load a list into a new version; it becomes active only when complete and valid."""
    settings = _settings()
    catalogue = load_catalogue(settings.lists_dir)
    if all_sources == bool(source):
        raise _fail("give either a SOURCE or --all", 2)
    if file and url:
        raise _fail("give either --file or --url, not both", 2)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    options = ingest_options(settings, force=force, format=format)
    if all_sources:
        failures = 0
        for catalogue_source in catalogue:
            if not catalogue_source.auto_refresh:
                typer.echo(f"{catalogue_source.id}: skipped (auto_refresh = false in the catalogue)")
                continue
            try:
                _print_outcome(
                    refresh_source(
                        engine=engine, source=catalogue_source, options=options, policy=fetch_policy(settings)
                    )
                )
            except ScreeningError as error:
                failures += 1
                typer.echo(f"{catalogue_source.id}: FAILED, previous version stays active: {error.detail}", err=True)
        if failures:
            raise typer.Exit(1)
        return
    try:
        catalogue_source = catalogue.get(source or "")
        if file:
            files = []
            for path in file:
                if not path.is_file():
                    raise _fail(f"--file {path}: no such file", 2)
                files.append(SourceFile(name=path.name, content=path.read_bytes()))
            origin = ", ".join(str(path) for path in file)
            outcome = ingest_files(engine=engine, source=catalogue_source, files=files, origin=origin, options=options)
        else:
            outcome = refresh_source(
                engine=engine, source=catalogue_source, options=options, policy=fetch_policy(settings), urls=url
            )
    except ScreeningError as error:
        raise _fail(error.detail) from None
    _print_outcome(outcome)


@app.command()
def scheduler() -> None:
    """Run the list refresh scheduler alone (for a sidecar; a CronJob runs `ingest --all` instead)."""
    settings = _settings()
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    blocking = blocking_scheduler()
    count = schedule_refreshes(blocking, engine, load_catalogue(settings.lists_dir), settings)
    typer.echo(f"scheduling {count} sources; default schedule '{settings.refresh_cron}' (UTC)")
    blocking.start()


@app.command("lists")
def lists_command(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Sources, their active versions, record counts and ages."""
    settings = _settings()
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    from sqlmodel import Session

    with Session(engine) as session:
        statuses = source_statuses(session, load_catalogue(settings.lists_dir))
    if as_json:
        rows = [
            {
                "source": s.source,
                "version": s.version,
                "record_count": s.record_count,
                "age_seconds": s.age_seconds,
                "status": s.status,
                "last_error": s.last_error,
            }
            for s in statuses
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(f"{'source':<20} {'status':<8} {'version':>7} {'records':>8} {'age':>10}  last error")
    for s in statuses:
        age = f"{s.age_seconds / 3600:.1f}h" if s.age_seconds is not None else "-"
        error = (s.last_error or "")[:60]
        typer.echo(f"{s.source:<20} {s.status:<8} {s.version or '-':>7} {s.record_count:>8} {age:>10}  {error}")


@app.command()
def screen(
    name: Annotated[str, typer.Argument(help="The party's name, any script")],
    type: Annotated[str, typer.Option("--type", help="person | organization | vessel | aircraft | any")] = "any",
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 code or country name")] = None,
    dob: Annotated[str | None, typer.Option(help="Date of birth: YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    threshold: Annotated[float | None, typer.Option(help="Lowest score reported (0..1)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON response")] = False,
) -> None:
    """Screen one party against the loaded lists, in-process."""
    from pydantic import ValidationError

    settings = _settings()
    try:
        party = PartyIn(name=name, type=type, country=country, date_of_birth=dob, threshold=threshold)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise _fail(problems, 2) from None
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    holder = IndexHolder(engine, build_simple_index)
    holder.refresh()
    try:
        response, _ = screen_party(
            party=party, snapshot=holder.snapshot, settings=settings, catalogue=load_catalogue(settings.lists_dir)
        )
    except ScreeningError as error:
        raise _fail(error.detail) from None
    if as_json:
        typer.echo(response.model_dump_json(indent=2))
        return
    typer.echo(f"decision: {response.decision}   (screening {response.screening_id})")
    for match in response.matches:
        typer.echo(
            f"  {match.decision:<6} {match.score:.3f}  {match.source}/{match.entity_id}  {match.name}"
            f"  [matched: {match.matched_name}]  {', '.join(match.programs)}"
        )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending database migrations."""
    settings = _settings()
    upgrade(make_engine(settings.effective_database_url))
    typer.echo("database schema is up to date")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    app()
