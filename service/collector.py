"""The cyclic garbage collector while a server starts.

`screening serve` turns it off before it imports the app: a starting server makes hundreds of
thousands of objects (modules, classes, routes, then the match index) that all stay alive, and every
collection would walk all of them again (0.4 s of a three-second start with the full lists). The
app's lifespan then moves what the imports made into the collector's permanent generation, so that
neither the collection before the index load nor any later one walks it, and turns the collector on
once it is ready to serve. A process whose collector was on when the app started (the tests, a
program embedding the app) is left as it is.
"""

from __future__ import annotations

import gc


def pause_for_start_up() -> None:
    gc.disable()


def keep_start_up_objects() -> bool:
    """Freeze every object the paused start-up has made so far; False, doing nothing, if the collector is on.

    The few garbage cycles among them are kept too: freed once, at exit, instead of collected.
    """
    if gc.isenabled():
        return False
    gc.freeze()
    return True


def resume_after_start_up(paused: bool) -> None:
    """Turn the collector on again when `keep_start_up_objects` found it paused."""
    if paused:
        gc.enable()
