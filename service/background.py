"""Periodic background work in the app lifespan that stops cleanly.

The work runs in a worker thread (it blocks on the database). Cancelling the asyncio task would
not stop that thread: it would go on querying while the lifespan disposes of the engine (and a
test drops the schema). So stopping sets an event and waits for the round in flight to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)


async def _repeat(
    name: str, work: Callable[[], object], seconds: float, stop: asyncio.Event, *, first_now: bool
) -> None:
    if not first_now:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
    while not stop.is_set():
        try:
            await run_in_threadpool(work)
        except Exception:
            # Boundary of a background task: log and try again next round; nothing is lost (work stays pending).
            log.exception("background round of %s failed; retrying in %.0fs", name, seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


@contextlib.asynccontextmanager
async def periodic(
    name: str, work: Callable[[], object], seconds: float, *, first_now: bool = True
) -> AsyncIterator[None]:
    """Run `work` every `seconds` while the block runs; on exit, let the round in flight finish.

    `name` is what the log says on failure (never the work's arguments: they hold settings and secrets).
    """
    stop = asyncio.Event()
    task = asyncio.create_task(_repeat(name, work, seconds, stop, first_now=first_now))
    try:
        yield
    finally:
        stop.set()
        await task
