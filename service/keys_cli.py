"""`screening keys`: create, list and revoke API keys in the store."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli_support import fail

# Each command imports the store and the key code itself (the auth module brings in FastAPI), so that
# `screening keys --help` stays quick.
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Who uses the key, e.g. erp-prod")],
    scope: Annotated[str, typer.Option("--scope", metavar="SCOPE", help="screen | review | admin")] = "screen",
) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    from service.auth import create_key
    from service.config import get_settings
    from service.db import make_engine, upgrade
    from service.errors import ScreeningError

    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    try:
        key = create_key(engine, name, scope)
    except ScreeningError as error:
        raise fail(error.detail, 2) from None
    typer.echo(key)
    typer.echo(f"key '{name}' (scope {scope}) created; it is shown this once", err=True)


@keys_app.command("list")
def keys_list() -> None:
    """API keys in the store (never their secrets)."""
    from service.auth import list_keys
    from service.config import get_settings
    from service.db import make_engine, upgrade

    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    for key in list_keys(engine):
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        typer.echo(f"{key.name:<30} {key.scope:<7} {key.key_id}  created {key.created_at:%Y-%m-%d %H:%M}  {state}")


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(metavar="NAME", help="The key's name")]) -> None:
    """Revoke an API key; requests with it fail from now on."""
    from service.auth import key_counts, revoke_key
    from service.config import get_settings
    from service.db import make_engine, upgrade
    from service.errors import ScreeningError

    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    try:
        revoke_key(engine, name)
    except ScreeningError as error:
        raise fail(error.detail, 2) from None
    typer.echo(f"key '{name}' revoked")
    if key_counts(engine)[1] == 0 and not settings.api_keys:
        typer.echo("warning: no active key is left: the API refuses every request until a key is created", err=True)
