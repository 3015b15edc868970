"""Reading the Dockerfile without a Docker engine: its instructions, the runtime stage's environment and the
commands the image runs (CMD and HEALTHCHECK)."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parent.parent / "Dockerfile"
RUNTIME_STAGE = 1


@dataclass(frozen=True)
class Instruction:
    stage: int
    keyword: str
    arguments: str


def instructions(text: str) -> list[Instruction]:
    """Parse Dockerfile instructions, joining backslash continuations and dropping comments."""
    result: list[Instruction] = []
    stage = -1
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        result.append(Instruction(stage, keyword, arguments.strip()))
    return result


def parse_dockerfile() -> list[Instruction]:
    return instructions(DOCKERFILE.read_text())


def only(parsed: list[Instruction], keyword: str, stage: int | None = None) -> list[Instruction]:
    return [item for item in parsed if item.keyword == keyword and (stage is None or item.stage == stage)]


def runtime_env(parsed: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in only(parsed, "ENV", stage=RUNTIME_STAGE):
        for pair in shlex.split(item.arguments):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def image_command(parsed: list[Instruction]) -> list[str]:
    """The CMD in exec form, as the container runs it."""
    [cmd] = only(parsed, "CMD", stage=RUNTIME_STAGE)
    command: list[str] = json.loads(cmd.arguments)
    return command


def healthcheck(parsed: list[Instruction]) -> tuple[str, list[str]]:
    """The HEALTHCHECK's options and its command in exec form."""
    [item] = only(parsed, "HEALTHCHECK", stage=RUNTIME_STAGE)
    options, _, command = item.arguments.partition(" CMD ")
    probe: list[str] = json.loads(command)
    return options, probe
