"""The `screening` console script, run as a user runs it (a subprocess with environment settings)."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import socket
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest

from tests.factories import BASE_ROWS, ofac_csv_set

SCREENING = [sys.executable, "-m", "service.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def run(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "SCREENING_DATA_DIR": str(tmp_path),
        "SCREENING_DATABASE_URL": database_url,
        # Nothing listens there: `screen` runs in this process, whatever service this machine runs.
        "SCREENING_SERVICE_URL": f"http://127.0.0.1:{free_port()}",
    }

    def _run(*args: str, check: int | None = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*SCREENING, *args], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
        if check is not None:
            assert result.returncode == check, result.stdout + result.stderr
        return result

    return _run


@pytest.fixture
def small_list(tmp_path: Path) -> list[str]:
    args = []
    for file in ofac_csv_set(BASE_ROWS):
        path = tmp_path / file.name
        path.write_bytes(file.content)
        args += ["--file", str(path)]
    return args


def test_ingest_and_screen_the_real_sdn_list(run, lists_data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    directory = lists_data_dir / "ofac_sdn"
    files = [
        arg
        for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
        for arg in ("--file", str(directory / name))
    ]
    ingest = run("ingest", "us_ofac_sdn", *files)
    assert "active with 14965 records" in ingest.stdout
    assert "orphan_alias_entities: 1567" in ingest.stdout
    screened = json.loads(run("screen", "Nicolas Maduro Moros", "--json").stdout)
    assert screened["decision"] in ("review", "block")
    assert (screened["matches"][0]["entity_id"], screened["matches"][0]["name"]) == ("22790", "MADURO MOROS, Nicolas")
    assert json.loads(run("screen", "Hans Müller", "--json").stdout)["decision"] == "clear"
    listed = json.loads(run("lists", "--json").stdout)
    sdn = next(item for item in listed if item["source"] == "us_ofac_sdn")
    assert (sdn["status"], sdn["record_count"]) == ("ok", 14965)


def test_corrupt_file_fails_clearly_and_keeps_the_list(run, small_list: list[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", "us_ofac_sdn", *small_list)
    broken = tmp_path / "broken" / "sdn.csv"
    broken.parent.mkdir()
    broken.write_bytes((tmp_path / "sdn.csv").read_bytes()[:50])
    failed = run("ingest", "us_ofac_sdn", "--file", str(broken), check=1)
    assert "error:" in failed.stderr and "sdn.csv" in failed.stderr
    sdn = next(item for item in json.loads(run("lists", "--json").stdout) if item["source"] == "us_ofac_sdn")
    assert (sdn["status"], sdn["record_count"]) == ("ok", 4)
    assert "sdn.csv" in sdn["last_error"]
    assert json.loads(run("screen", "MADURO MOROS, Nicolas", "--json").stdout)["decision"] != "clear"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["ingest", "nope", "--file", "x"], 1, "unknown source 'nope'"),
        (["ingest", "us_ofac_sdn", "--file", "/no/such/file"], 2, "no such file"),
        (["ingest", "us_ofac_sdn", "--file", __file__, "--format", "bogus"], 2, "known formats: au_dfat_xlsx"),
        (["ingest"], 2, "SOURCE or --all"),
        (["screen", "X", "--dob", "1990-02-30"], 2, "date_of_birth"),
        (["screen", "X", "--country", "Atlantis"], 2, "country"),
        (["screen", ""], 2, "name"),
        (["keys", "create", "k", "--scope", "root"], 2, "scope"),
    ],
)
def test_bad_input_exits_with_a_message(run, args: list[str], code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args, check=code)
    assert message in result.stderr


def test_keys_lifecycle(run) -> None:  # type: ignore[no-untyped-def]
    key = run("keys", "create", "erp-prod", "--scope", "screen").stdout.strip()
    assert key.startswith("sk_") and len(key) > 40
    assert "erp-prod" in run("keys", "list").stdout and key not in run("keys", "list").stdout
    # the last active key: the API stays closed, and the operator is told so
    assert "refuses every request until a key is created" in run("keys", "revoke", "erp-prod").stderr
    assert "revoked" in run("keys", "list").stdout
    assert "no active key" in run("keys", "revoke", "erp-prod", check=2).stderr


def test_screen_file_of_ten_thousand_rows(run, small_list: list[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", "us_ofac_sdn", *small_list)
    rng = random.Random(7)
    first = ["Anna", "Jan", "Maria", "Lukas", "Sofia", "Jonas", "Emma", "Paul"]
    last = ["Schmidt", "Novak", "Berg", "Keller", "Weber", "Fischer", "Lindqvist"]
    source = tmp_path / "customers.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reference", "name", "type", "country", "date_of_birth", "sales_region"])
        for index in range(10_000):
            if index % 1000 == 0:
                writer.writerow([f"C{index}", "MADURO MOROS, Nicolas", "person", "VE", "1962", "LATAM"])
            elif index % 1000 == 1:
                writer.writerow([f"C{index}", "", "person", "", "", "EMEA"])  # no name: an error row
            else:
                name = f"{rng.choice(first)} {rng.choice(last)}"
                writer.writerow([f"C{index}", name, "person", "DE", "", "EMEA"])
    result = run("screen-file", str(source), "-o", str(tmp_path / "out.csv"))
    assert "screened 10000 rows" in result.stdout
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 10_000
    assert rows[0]["sales_region"] == "LATAM" and rows[0]["best_match_entity_id"] == "22790"
    assert rows[0]["decision"] in ("review", "block") and rows[0]["screening_id"]
    assert rows[1]["decision"] == "" and "name" in rows[1]["error"]
    assert sum(1 for row in rows if row["error"]) == 10
    assert sum(1 for row in rows if row["decision"] in ("review", "block")) >= 10


def test_screen_file_resumes(run, small_list: list[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", "us_ofac_sdn", *small_list)
    source = tmp_path / "parties.jsonl"
    source.write_text("\n".join(json.dumps({"reference": f"P{i}", "name": f"Person {i}"}) for i in range(30)) + "\n")
    output = tmp_path / "parties.screened.jsonl"
    run("screen-file", str(source))
    lines = output.read_text().splitlines()
    assert len(lines) == 30
    output.write_text("\n".join(lines[:12]) + "\n")  # an interrupted run
    assert "exists already" in run("screen-file", str(source), check=2).stderr
    resumed = run("screen-file", str(source), "--resume")
    assert "screened 18 rows" in resumed.stdout and "12 skipped" in resumed.stdout
    assert [json.loads(line)["reference"] for line in output.read_text().splitlines()] == [f"P{i}" for i in range(30)]


def test_db_upgrade_and_audit_purge(run) -> None:  # type: ignore[no-untyped-def]
    assert run("--version").stdout.strip() == f"screening {version('end-user-screening')}"
    assert "up to date" in run("db", "upgrade").stdout
    assert "deleted 0 screening records" in run("audit", "purge", "--older-than-days", "30").stdout


def test_serve_with_two_workers_logs_every_request(tmp_path: Path, database_url: str, small_list: list[str]) -> None:
    env = {
        **os.environ,
        "SCREENING_DATA_DIR": str(tmp_path),
        "SCREENING_DATABASE_URL": database_url,
        "SCREENING_LOG_JSON": "true",
        "SCREENING_API_KEYS": "",
    }
    subprocess.run([*SCREENING, "ingest", "us_ofac_sdn", *small_list], env=env, check=True, capture_output=True)
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*SCREENING, "serve", "--port", str(port), "--workers", "2"], env=env, stderr=log, cwd=tmp_path
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 180  # two workers start slowly on a loaded machine
            while True:
                assert server.poll() is None, "the server exited"
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                assert time.monotonic() < deadline, "the server was not ready in time"
                time.sleep(0.2)
            for _ in range(6):
                # A new connection each time, so that both workers get some.
                assert httpx.post(f"{base}/v1/screen", json={"name": "Hans Müller"}, timeout=10).status_code == 200
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("route") == "/v1/screen"]
    assert len(access) == 6
    assert all(line["status"] == 200 and line["screening_id"] for line in access)
    assert "Hans" not in log_path.read_text()  # no personal data at INFO
