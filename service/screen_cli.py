"""The `screening screen` and `screening screen-file` commands: one party, or every row of an ERP export.

Like every command, they import what they need in their own bodies (`--help` stays quick).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from service.cli_support import fail

if TYPE_CHECKING:
    from service.config import Settings
    from service.screening.pipeline import ScreeningContext

PARTY_TYPES = ("person", "organization", "vessel", "aircraft", "any")


def _settings() -> Settings:
    from service.config import get_settings

    return get_settings()


def screen(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The party's name, any script")],
    type: Annotated[
        str,
        typer.Option("--type", metavar="TYPE", help=" | ".join(PARTY_TYPES), autocompletion=lambda: PARTY_TYPES),
    ] = "any",
    country: Annotated[
        str | None, typer.Option("--country", metavar="COUNTRY", help="ISO alpha-2 code or country name")
    ] = None,
    dob: Annotated[
        str | None, typer.Option("--dob", metavar="DATE", help="Date of birth: YYYY, YYYY-MM or YYYY-MM-DD")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", metavar="SCORE", help="Lowest score reported (0..1)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON response")] = False,
    local: Annotated[
        bool, typer.Option("--local", help="Screen in this process even when the service is running")
    ] = False,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key", metavar="KEY", help="Key for the running service (default SCREENING_API_KEY, preferred)"
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Say on stderr whether the service or this process screened")
    ] = False,
) -> None:
    """Screen one party against the loaded lists.

    The service at SCREENING_SERVICE_URL screens it when it is ready there (its answer, its audit trail);
    otherwise, or with --local, this process screens it against the local store.
    """
    settings = _settings()
    given = {"name": name, "type": type, "country": country, "date_of_birth": dob, "threshold": threshold}
    party = {field: value for field, value in given.items() if value is not None}
    if not local:
        answer = _screen_by_service(settings, api_key, party, verbose=verbose)
        if answer is not None:
            _print_screening(answer, as_json=as_json)
            return
    _print_screening(_screen_here(settings, party), as_json=as_json)


def _screen_by_service(
    settings: Settings, api_key: str | None, party: dict[str, Any], *, verbose: bool
) -> dict[str, Any] | None:
    """The running service's answer, or None when no screening service is ready at the URL."""
    from service.cli_remote import ServiceClient, ServiceError

    url = settings.effective_service_url
    with ServiceClient(url, api_key or settings.api_key or None) as client:
        unready = client.unready_reason()
        if unready is not None:
            if verbose:
                typer.echo(f"no service ready at {url} ({unready}): screening in this process", err=True)
            return None
        if verbose:
            typer.echo(f"screening by the service at {url}", err=True)
        try:
            return client.screen(party)
        except ServiceError as error:
            raise fail(error.detail, error.exit_code) from None


def _screen_here(settings: Settings, fields: dict[str, Any]) -> dict[str, Any]:
    """The screening in this process, recorded in the local store's audit trail; the API's JSON body."""
    from pydantic import ValidationError

    from service.errors import ScreeningError
    from service.screening.pipeline import screen
    from service.screening.schemas import PartyIn

    try:
        party = PartyIn(**fields)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise fail(problems, 2) from None
    try:
        (screened,) = screen(_cli_context(settings), [party], kind="single")
    except ScreeningError as error:
        raise fail(error.detail) from None
    return screened.response.model_dump(mode="json")


def _print_screening(answer: dict[str, Any], *, as_json: bool) -> None:
    """One output for both paths: the JSON body, or a decision line and a line per match."""
    if as_json:
        import json

        typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    typer.echo(f"decision: {answer['decision']}   (screening {answer['screening_id']})")
    for match in answer["matches"]:
        typer.echo(
            f"  {match['decision']:<6} {match['score']:.3f}  {match['source']}/{match['entity_id']}  {match['name']}"
            f"  [matched: {match['matched_name']}]  {', '.join(match['programs'])}"
        )


def _cli_context(settings: Settings) -> ScreeningContext:
    """Screening in this process: the index is loaded as saved (or built from the store), the caller is the OS user."""
    import getpass

    from service.cases import intake
    from service.db import make_engine, upgrade
    from service.matching import build_index
    from service.metrics import get_metrics
    from service.screening.index_state import IndexHolder
    from service.screening.pipeline import local_context
    from service.screening.saved_index import SavedIndexes

    intake.install()  # a screening that is not `clear` opens its party's review case, as through the API
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    holder = IndexHolder(engine, build_index, saved=SavedIndexes(engine, cache_dir=settings.data_dir / "index-cache"))
    holder.refresh()
    return local_context(engine, settings, holder.snapshot, f"cli:{getpass.getuser()}", get_metrics())


def screen_file_command(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV with a header row (any of , ; tab |; any encoding) or JSON lines (.jsonl, .ndjson, .json)",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", metavar="PATH", help="Output file (default: IN.screened.csv or .jsonl)"),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an output file from where it stopped")] = False,
    delimiter: Annotated[
        str | None,
        typer.Option(
            "--delimiter", metavar="CHAR", help="CSV delimiter, e.g. ';' (default: detected); '\\t' for a tab"
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            metavar="NAME",
            help="Input encoding, e.g. cp1252 or utf-16 (default: BOM, UTF-8, else detected)",
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            metavar="FIELD=HEADER",
            help="FIELD=HEADER: the column holding reference, name, type, country or date_of_birth;"
            " repeatable (default: known header names such as Name1, Kundenname, Land, Geburtsdatum)",
        ),
    ] = None,
    progress_every: Annotated[
        int,
        typer.Option(min=1, metavar="N", help="Without a terminal: a progress line on stderr every N rows and 10 s"),
    ] = 1000,
) -> None:
    """Screen every row of an ERP export.

    Each output row is the input row plus: decision; the best match (source, entity id, name, score);
    match_count and matches, a JSON array of every match at or above the threshold with its programs
    and explanation; warnings for values screened without (a country or date of birth that cannot be
    read); screening_id; and error, starting with the row's line in the input file. Dates may be
    23.11.1962, 23/11/1962 (when day and month cannot be mixed up), 1962-11-23, 19621123 or 1962;
    countries a code or a name in any language. A CSV output keeps the input's delimiter, in UTF-8.
    The whole file is checked before the index is built.
    """
    from service.errors import InvalidInput, ScreeningError
    from service.screening.file_progress import ProgressLines
    from service.screening.filescreen import check_output, inspect_file, output_delimiter, rows_done, screen_file

    settings = _settings()
    if not source.is_file():
        raise fail(f"{source}: no such file", 2)
    target = output or source.with_name(
        source.stem + ".screened" + (".jsonl" if source.suffix.lower() in (".jsonl", ".ndjson") else ".csv")
    )
    started = time.perf_counter()
    try:
        check_output(target, resume=resume)
        plan = inspect_file(
            source,
            settings=settings,
            encoding=encoding,
            delimiter="\t" if delimiter in ("\\t", "tab") else delimiter,
            columns=column,
        )
    except InvalidInput as error:
        raise fail(error.detail, 2) from None
    typer.echo(plan.describe(), err=True)
    already = rows_done(target, output_delimiter(plan)) if resume else 0
    total = max(plan.rows - already, 0)
    try:
        context = _cli_context(settings)
        if sys.stderr.isatty():
            with typer.progressbar(length=total, label="screening", file=sys.stderr) as bar:
                summary = screen_file(context, plan, target, resume=resume, on_rows=bar.update)
        else:
            progress = ProgressLines(
                total, write=lambda line: typer.echo(line, err=True), every_rows=progress_every, every_seconds=10
            )
            summary = screen_file(context, plan, target, resume=resume, on_rows=progress.advance)
            progress.finish()
    except ScreeningError as error:
        done = rows_done(target, output_delimiter(plan)) if target.exists() else 0
        hint = f"\nstopped after {done} rows written to {target}; fix the cause, then re-run with --resume"
        raise fail(f"{error.detail}{hint if done else ''}") from None
    seconds = time.perf_counter() - started
    counts = ", ".join(f"{decision} {summary.decisions[decision]}" for decision in ("clear", "review", "block"))
    typer.echo(
        f"screened {summary.rows} rows ({counts}, errors {summary.errors}, with warnings {summary.warnings};"
        f" {summary.skipped} skipped as already done) in {seconds:.1f}s -> {target}"
    )
