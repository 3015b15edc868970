"""What the console script's command groups share."""

from __future__ import annotations

import typer


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `error: message` on stderr; raise the returned Exit (2 for bad input, 1 for a failure)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)
