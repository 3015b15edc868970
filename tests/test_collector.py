"""The garbage collector during a server's start-up (service/collector.py), each case in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.store_independent

PAUSED_START = """
import gc, json
from service.collector import keep_start_up_objects, pause_for_start_up, resume_after_start_up
pause_for_start_up()
import service.main  # what `screening serve` imports with the collector off
paused_while_importing = not gc.isenabled()
paused = keep_start_up_objects()
frozen = gc.get_freeze_count()
resume_after_start_up(paused)
print(json.dumps([paused_while_importing, paused, frozen, gc.isenabled()]))
"""

ENABLED_START = """
import gc, json
from service.collector import keep_start_up_objects, resume_after_start_up
paused = keep_start_up_objects()
resume_after_start_up(paused)
print(json.dumps([paused, gc.get_freeze_count(), gc.isenabled()]))
"""


def _run(script: str) -> list[object]:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    result: list[object] = json.loads(done.stdout)
    return result


def test_a_paused_start_up_freezes_what_the_imports_made_and_turns_the_collector_on_again() -> None:
    paused_while_importing, paused, frozen, enabled_after = _run(PAUSED_START)
    assert paused_while_importing is True
    assert paused is True
    assert isinstance(frozen, int) and frozen > 10_000  # the modules, classes and routes of the app
    assert enabled_after is True


def test_a_process_whose_collector_is_on_is_left_as_it_is() -> None:
    assert _run(ENABLED_START) == [False, 0, True]
