"""The `screening` console script.

Every command imports what it needs in its own body: `screening --help`, a group's help and shell
completion then load typer alone, not the web stack, the store or the matcher.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service import screen_cli
from service.cli_support import fail
from service.keys_cli import keys_app
from service.monitoring.cli import monitor_app

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from service.config import Settings
    from service.sources.ingest import IngestOutcome

# The parsers' names, kept here so the help lists them without importing the parsers;
# tests/test_cli_fast.py checks them against service.sources.formats.known_formats().
LIST_FORMATS = (
    "au_dfat_xlsx",
    "bis_dpl_txt",
    "ca_sema_xml",
    "eu_fsf_xml",
    "ftm_delta_json",
    "ftm_json",
    "ofac_csv",
    "ofac_enhanced_xml",
    "ofac_xml",
    "uk_conlist",
    "uk_sanctions_list",
    "un_xml",
    "us_csl_csv",
    "us_csl_json",
)

app = typer.Typer(
    help="End-user screening: sanctions and watchlist matching for exporters.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: typer's rich panels show every flag as taking a value (`--json <bool>`) and cost an import.
    rich_markup_mode=None,
)
app.command()(screen_cli.screen)
app.command("screen-file")(screen_cli.screen_file_command)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
audit_app = typer.Typer(help="The audit trail of screenings.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(monitor_app, name="monitor")

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version as package_version

        typer.echo(f"screening {package_version('end-user-screening')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """End-user screening: sanctions and watchlist matching for exporters."""


def _settings() -> Settings:
    from service.config import get_settings

    return get_settings()


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option("--host", metavar="ADDRESS", help="Bind address (default from SCREENING_HOST)")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", metavar="PORT", help="Port (default from SCREENING_PORT)")
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", metavar="N", help="uvicorn worker processes")] = None,
) -> None:
    """Run the HTTP API."""
    from service.collector import pause_for_start_up, resume_after_start_up

    pause_for_start_up()  # until the app is ready: see service/collector.py
    import uvicorn

    from service.auth import Authenticator
    from service.db import make_engine, upgrade
    from service.observability import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, json=settings.log_json)
    bind = host or settings.host
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    try:
        keys_configured = not Authenticator(engine, settings.api_keys).is_open()
    except ValueError as error:  # a malformed SCREENING_API_KEYS entry; the message names it
        raise fail(str(error), 2) from None
    finally:
        engine.dispose()
    if not keys_configured and not settings.allow_open and bind not in LOOPBACK:
        if settings.container:
            # Rebinding to loopback inside a container would serve nobody while its health check passes.
            raise fail(
                "no API key configured: refusing to serve an open API from the container; set SCREENING_API_KEYS"
                " (name:scope:secret), or SCREENING_ALLOW_OPEN=true to serve without a key on purpose",
                2,
            )
        logging.getLogger(__name__).warning(
            "no API key configured: binding to 127.0.0.1 instead of %s; set SCREENING_API_KEYS to expose the API",
            bind,
        )
        bind = "127.0.0.1"
    elif not keys_configured and bind not in LOOPBACK:
        logging.getLogger(__name__).warning("SCREENING_ALLOW_OPEN: serving without an API key on %s", bind)
    worker_count = workers or settings.workers
    if worker_count > 1:
        resume_after_start_up(True)  # the app starts in worker processes of its own; this one only watches them
    uvicorn.run(
        "service.main:app_from_environment",
        factory=True,
        host=bind,
        port=port or settings.port,
        workers=worker_count,
        log_level=settings.log_level.lower(),
        # Our middleware logs one line per request without personal data; uvicorn's would log raw paths.
        log_config=None,
        access_log=False,
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
    source: Annotated[
        str | None, typer.Argument(metavar="SOURCE", help="Source id from the catalogue, e.g. us_ofac_sdn")
    ] = None,
    file: Annotated[
        list[Path] | None, typer.Option("--file", metavar="PATH", help="A local file; repeat for multi-file sets")
    ] = None,
    url: Annotated[
        list[str] | None, typer.Option("--url", metavar="URL", help="Download from this URL instead of the catalogue's")
    ] = None,
    all_sources: Annotated[
        bool, typer.Option("--all", help="Refresh every auto-refreshed source from its URLs")
    ] = False,
    force: Annotated[bool, typer.Option(help="Accept a list that shrank by more than the allowed fraction")] = False,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help=f"Parser to use instead of the one the file's content shows: {', '.join(LIST_FORMATS)}",
            autocompletion=lambda: LIST_FORMATS,
        ),
    ] = None,
) -> None:
    """Load a list into a new version.

    The version becomes active only when it is complete and valid; otherwise the previous one stays active.
    """
    from service.db import make_engine, upgrade
    from service.errors import InvalidInput, ScreeningError
    from service.metrics import get_metrics
    from service.sources.catalogue import load_catalogue
    from service.sources.ingest import ingest_files
    from service.sources.parsers import SourceFile
    from service.sources.refresh import refresh_source
    from service.sources.scheduler import fetch_policy, ingest_options

    settings = _settings()
    catalogue = load_catalogue(settings.lists_dir)
    if all_sources == bool(source):
        raise fail("give either a SOURCE or --all", 2)
    if file and url:
        raise fail("give either --file or --url, not both", 2)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    options = ingest_options(settings, force=force, format=format)
    metrics = get_metrics()
    if all_sources:
        failures = 0
        for catalogue_source in catalogue:
            if not catalogue_source.auto_refresh:
                typer.echo(f"{catalogue_source.id}: skipped (auto_refresh = false in the catalogue)")
                continue
            try:
                _print_outcome(
                    refresh_source(
                        engine=engine,
                        source=catalogue_source,
                        options=options,
                        policy=fetch_policy(settings),
                        metrics=metrics,
                    )
                )
            except ScreeningError as error:
                failures += 1
                typer.echo(f"{catalogue_source.id}: FAILED, previous version stays active: {error.detail}", err=True)
        _rescreen_monitored(engine, settings)
        if failures:
            raise typer.Exit(1)
        return
    try:
        catalogue_source = catalogue.get(source or "")
        if file:
            files = []
            for path in file:
                if not path.is_file():
                    raise fail(f"--file {path}: no such file", 2)
                files.append(SourceFile(name=path.name, content=path.read_bytes()))
            origin = ", ".join(str(path) for path in file)
            outcome = ingest_files(
                engine=engine, source=catalogue_source, files=files, origin=origin, options=options, metrics=metrics
            )
        else:
            outcome = refresh_source(
                engine=engine,
                source=catalogue_source,
                options=options,
                policy=fetch_policy(settings),
                metrics=metrics,
                urls=url,
            )
    except InvalidInput as error:
        raise fail(error.detail, 2) from None
    except ScreeningError as error:
        raise fail(error.detail) from None
    _print_outcome(outcome)
    _rescreen_monitored(engine, settings)


def _rescreen_monitored(engine: Engine, settings: Settings) -> None:
    """Monitored parties are re-screened against what the new versions added or changed."""
    from service.matching import build_index
    from service.metrics import get_metrics
    from service.monitoring.runs import rescreen_pending

    for result in rescreen_pending(engine=engine, settings=settings, build_index=build_index, metrics=get_metrics()):
        if result.parties:
            typer.echo(
                f"{result.source} version {result.version_id}: re-screened {result.parties} monitored parties,"
                f" {result.alert_count} alerts"
            )


@app.command()
def scheduler() -> None:
    """Run the list refresh scheduler alone.

    For a sidecar; a CronJob runs `ingest --all` instead.
    """
    from service.db import make_engine, upgrade
    from service.metrics import get_metrics
    from service.sources.catalogue import load_catalogue
    from service.sources.scheduler import blocking_scheduler, schedule_refreshes

    settings = _settings()
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    blocking = blocking_scheduler()
    count = schedule_refreshes(blocking, engine, load_catalogue(settings.lists_dir), settings, get_metrics())
    typer.echo(f"scheduling {count} sources; default schedule '{settings.refresh_cron}' (UTC)")
    blocking.start()


@app.command("lists")
def lists_command(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Sources, their active versions, record counts and ages."""
    import json

    from sqlmodel import Session

    from service.db import make_engine, upgrade
    from service.sources.catalogue import load_catalogue
    from service.sources.status import source_statuses

    settings = _settings()
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
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


@audit_app.command("purge")
def audit_purge(
    older_than_days: Annotated[
        int | None, typer.Option("--older-than-days", metavar="DAYS", help="Default: SCREENING_AUDIT_RETENTION_DAYS")
    ] = None,
) -> None:
    """Delete screening records older than the retention period."""
    from datetime import timedelta

    from service.db import make_engine, upgrade
    from service.screening.audit import purge_before
    from service.timeutil import utc_now

    settings = _settings()
    days = older_than_days if older_than_days is not None else settings.audit_retention_days
    if days < 1:
        raise fail("--older-than-days: must be at least 1", 2)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    deleted = purge_before(engine, utc_now() - timedelta(days=days))
    typer.echo(f"deleted {deleted} screening records older than {days} days")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending database migrations."""
    from service.db import make_engine, upgrade

    settings = _settings()
    upgrade(make_engine(settings.effective_database_url))
    typer.echo("database schema is up to date")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    # One program name however it is started (`python -m service.cli` too): the usage lines and the
    # shell-completion variable (_SCREENING_COMPLETE) depend on it.
    app(prog_name="screening")


if __name__ == "__main__":
    main()
