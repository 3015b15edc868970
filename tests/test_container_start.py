"""The image's command, started as the container starts it (no Docker engine needed).

The console script runs as a real subprocess with the image's CMD arguments and the runtime stage's
environment from the Dockerfile (SCREENING_CONTAINER included), on a temporary SQLite store. Only the port
differs (a free one instead of 8000, so parallel runs cannot collide) and the image's paths (/data,
/app/lists) point at a temporary folder and the project's lists; the serving test also turns the first-start
list download off. Without a key it must refuse to start;
with SCREENING_ALLOW_OPEN=true it must serve on every interface, where the image's HEALTHCHECK finds it.

Runs on the SQLite pass only: the store is its own temporary SQLite whatever the test database is.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_DATABASE_ENV
from tests.dockerfile import healthcheck, image_command, parse_dockerfile, runtime_env

ROOT = Path(__file__).resolve().parent.parent
IMAGE_PORT = "8000"
# Start-up imports the whole service and migrates a new store: seconds, more on a loaded machine.
START_DEADLINE_SECONDS = 120.0

pytestmark = pytest.mark.skipif(
    os.environ.get(TEST_DATABASE_ENV, "").startswith("postgresql"),
    reason="DB-independent: runs once, on the SQLite pass, with its own SQLite store",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _listening_addresses(port: int) -> set[str]:
    """IPv4 addresses listening on `port`, from the kernel's socket table (LISTEN is state 0A)."""
    addresses = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, port_hex = local.partition(":")
        if state == "0A" and int(port_hex, 16) == port:
            addresses.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return addresses


def _image_start(tmp_path: Path) -> tuple[list[str], dict[str, str], int]:
    """The image's CMD as argv for the installed console script, its environment, and the port it serves."""
    parsed = parse_dockerfile()
    command = image_command(parsed)
    port = _free_port()
    assert command[command.index("--port") + 1] == IMAGE_PORT
    argv = [str(Path(sys.executable).with_name(command[0])), *command[1:]]
    argv[argv.index("--port") + 1] = str(port)

    image_env = runtime_env(parsed)
    assert image_env["SCREENING_DATA_DIR"] == "/data"
    assert image_env["SCREENING_LISTS_DIR"] == "/app/lists"
    image_env |= {"SCREENING_DATA_DIR": str(tmp_path / "data"), "SCREENING_LISTS_DIR": str(ROOT / "lists")}
    del image_env["PATH"]  # the image's venv; here the console script is named by its full path
    # Nothing SCREENING_ of the developer's shell leaks in (a key would hide the refusal).
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCREENING_")}
    return argv, env | image_env, port


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            None,
            "error: no API key configured: refusing to serve an open API from the container; set SCREENING_API_KEYS"
            " (name:scope:secret), or SCREENING_ALLOW_OPEN=true to serve without a key on purpose",
        ),
        ("compose:admin:short", "error: SCREENING_API_KEYS: 'compose' must be name:scope:secret with a 16+ character"),
    ],
    ids=["no-key", "malformed-key"],
)
def test_the_image_command_refuses_to_start_without_a_usable_key(
    tmp_path: Path, keys: str | None, message: str
) -> None:
    argv, env, port = _image_start(tmp_path)
    env |= {} if keys is None else {"SCREENING_API_KEYS": keys}

    # cwd: the service also reads a .env file from there; tmp_path has none.
    result = subprocess.run(
        argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=START_DEADLINE_SECONDS, check=False
    )

    assert env["SCREENING_CONTAINER"] == "true"
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert _listening_addresses(port) == set()


def test_allow_open_binds_every_interface_where_the_healthcheck_finds_it(tmp_path: Path) -> None:
    argv, env, port = _image_start(tmp_path)
    log_path = tmp_path / "serve.log"
    _, probe = healthcheck(parse_dockerfile())
    assert f":{IMAGE_PORT}/" in probe[2]
    probe_here = [sys.executable, *probe[1:-1], probe[-1].replace(f":{IMAGE_PORT}/", f":{port}/")]

    with log_path.open("w") as log:
        server = subprocess.Popen(
            # No first-start list download: this test is about where the server listens, not the lists.
            argv,
            env=env | {"SCREENING_ALLOW_OPEN": "true", "SCREENING_LOAD_LISTS_ON_START": "false"},
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        status = None
        while status != 200:
            assert server.poll() is None, f"exited {server.returncode}:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"no /healthz within {START_DEADLINE_SECONDS}s:\n{log_path.read_text()}"
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
            except httpx.TransportError:
                time.sleep(0.2)  # not listening yet: poll again

        assert _listening_addresses(port) == {"0.0.0.0"}  # noqa: S104 - the bind the container needs, asserted
        assert "SCREENING_ALLOW_OPEN: serving without an API key on 0.0.0.0" in log_path.read_text()
        # The image's own HEALTHCHECK command, on this port, passes against what the command serves.
        checked = subprocess.run(probe_here, capture_output=True, text=True, timeout=30, check=False)
        assert checked.returncode == 0, checked.stderr
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
