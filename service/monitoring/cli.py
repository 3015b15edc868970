"""`screening monitor ...`: import an ERP export for monitoring, list parties, re-screen and deliver by hand."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from service.cli_support import fail
from service.errors import ScreeningError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from service.config import Settings
    from service.matching.types import IndexBuilder
    from service.monitoring.rescreen import RescreenResult
    from service.monitoring.schemas import MonitoredPartyIn

# The commands import the store, the matcher and the monitoring services in their bodies, so that
# `screening monitor --help` stays quick.
IMPORT_CHUNK = 1000
COLUMNS = ("reference", "name", "type", "country", "date_of_birth")

monitor_app = typer.Typer(help="Continuous monitoring of known parties.", no_args_is_help=True)


def _index_builder() -> IndexBuilder:
    """The one place the CLI picks the matcher for monitoring; switch it with the API's."""
    from service.matching import build_index

    return build_index


@contextmanager
def _store() -> Iterator[Engine]:
    from service.config import get_settings
    from service.db import make_engine, upgrade

    engine = make_engine(get_settings().effective_database_url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def read_parties(text: str) -> tuple[list[MonitoredPartyIn], list[str]]:
    """Rows of an ERP export (reference,name,type,country,date_of_birth; other columns ignored); errors by line."""
    from pydantic import ValidationError

    from service.monitoring.schemas import MonitoredPartyIn

    reader = csv.DictReader(io.StringIO(text))
    missing = {"reference", "name"} - set(reader.fieldnames or ())
    if missing:
        raise ScreeningError(f"the header lacks the column(s) {', '.join(sorted(missing))}")
    parties: list[MonitoredPartyIn] = []
    errors: list[str] = []
    for line, row in enumerate(reader, start=2):
        values: dict[str, Any] = {key: (row.get(key) or "").strip() or None for key in COLUMNS}
        values["type"] = values["type"] or "any"
        try:
            parties.append(MonitoredPartyIn.model_validate(values))
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in error.errors())
            errors.append(f"line {line}: {problems}")
    return parties, errors


@monitor_app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="CSV with a header: reference,name,type,country,date_of_birth")
    ],
) -> None:
    """Register (or update, by reference) every row for monitoring; each is screened now as its baseline."""
    import getpass

    from service.config import get_settings
    from service.metrics import get_metrics
    from service.monitoring.registry import screen_baselines, upsert_baselines
    from service.screening.index_state import IndexHolder
    from service.screening.pipeline import local_context

    settings = get_settings()
    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    try:
        parties, errors = read_parties(file.read_text(encoding="utf-8-sig"))
    except ScreeningError as error:
        raise fail(f"{file}: {error.detail}", 2) from None
    for message in errors[:50]:
        typer.echo(f"skipped {message}", err=True)
    with _store() as engine:
        holder = IndexHolder(engine, _index_builder())
        holder.refresh()
        context = local_context(engine, settings, holder.snapshot, f"cli:{getpass.getuser()}", get_metrics())
        registered = 0
        for start in range(0, len(parties), IMPORT_CHUNK):
            baselines = screen_baselines(context, parties[start : start + IMPORT_CHUNK])
            registered += upsert_baselines(
                engine=engine, caller=context.caller, baselines=baselines, metrics=context.metrics
            )
    typer.echo(f"registered {registered} parties for monitoring ({len(errors)} rows skipped)")
    if errors:
        raise typer.Exit(1)


@monitor_app.command("list")
def list_command(
    limit: Annotated[int, typer.Option("--limit", metavar="N", help="Most parties shown")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """Monitored parties with their current decision."""
    import json

    from sqlmodel import Session

    from service.monitoring.registry import list_parties

    with _store() as engine, Session(engine) as session:
        rows, total, _cursor = list_parties(session, limit=limit, cursor=None)
    for row in rows:
        if as_json:
            typer.echo(json.dumps({"reference": row.reference, "name": row.name, "decision": row.decision}))
        else:
            typer.echo(f"{row.reference:<24} {row.decision:<7} {len(row.matches):>3} matches  {row.name}")
    if not as_json:
        typer.echo(f"{total} parties monitored")


def _print_result(result: RescreenResult) -> None:
    kinds = ", ".join(f"{kind} {count}" for kind, count in result.alerts.items())
    typer.echo(
        f"{result.source} version {result.version_id}: {result.parties} parties re-screened against"
        f" {result.delta_entries} added/changed entries in {result.seconds:.1f}s;"
        f" {result.changed_parties} changed; alerts: {kinds}"
    )


def _rescreen(engine: Engine, settings: Settings, source: str, version: int | None) -> list[RescreenResult]:
    from sqlmodel import Session

    from service.cases import intake
    from service.metrics import get_metrics
    from service.monitoring.rescreen import rescreen_after_version
    from service.monitoring.runs import lease_name, on_version_activated
    from service.sources.lease import ingest_lease
    from service.sources.tables import ListChange

    intake.install()  # a changed outcome that is not `clear` opens the party's review case, as in the API
    if version is None:
        return on_version_activated(
            engine=engine, source=source, settings=settings, build_index=_index_builder(), metrics=get_metrics()
        )
    with Session(engine) as session:
        change = session.get(ListChange, version)
    if change is None or change.source != source:
        raise fail(f"{source} has no version {version} with a change report", 2)
    with ingest_lease(engine, lease_name(source)):
        return [
            rescreen_after_version(
                engine=engine,
                version_id=version,
                build_index=_index_builder(),
                settings=settings,
                metrics=get_metrics(),
            )
        ]


@monitor_app.command("rescreen")
def rescreen_command(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="Source id, e.g. us_ofac_sdn")],
    version: Annotated[
        int | None,
        typer.Option("--version", metavar="ID", help="Re-screen this version again (default: the pending ones)"),
    ] = None,
) -> None:
    """Re-screen monitored parties after the source's versions that were not re-screened yet (or one given)."""
    from service.config import get_settings

    settings = get_settings()
    with _store() as engine:
        try:
            results = _rescreen(engine, settings, source, version)
        except ScreeningError as error:
            raise fail(error.detail) from None
    if not results:
        typer.echo(f"{source}: every version has been re-screened already")
    for result in results:
        _print_result(result)


@monitor_app.command("deliver")
def deliver_command() -> None:
    """Send the webhook deliveries that are due, once."""
    from service.config import get_settings
    from service.metrics import get_metrics
    from service.monitoring.webhooks import deliver_once

    with _store() as engine:
        outcome = deliver_once(engine, get_settings(), get_metrics())
    typer.echo(
        f"sent {outcome.sent}: delivered {outcome.delivered}, to retry {outcome.retrying}, failed {outcome.failed}"
        + ("  (another process is delivering)" if outcome.locked else "")
    )
