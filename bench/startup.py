"""Start-up with the seven full lists: building the match index, saving it, loading it, and time to /readyz 200.

python -m bench.startup [--database-url URL] [--formats] [--runs N]

The store (default: a SQLite file under bench/.data) is loaded with the seven full lists of the
development set once; an unchanged list then costs only its hash. Each figure comes from a fresh
process, so that RSS is what a replica would hold: "wall" is elapsed time, "cpu" the process's
own (on a machine shared with other work, wall time grows and cpu time much less). `--formats`
adds the serialisations that were weighed for the saved index: the pickle as written, pickle with
dataclasses' default reduction, other compressions, and marshal of plain tuples.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.devset import DEV_SET_SOURCES
from bench.harness import BENCH_API_KEY, BENCH_DATA, FULL_LISTS, free_port, ingest_full_lists

NAME = "Sergei Ivanov"


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def lap(self) -> dict[str, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        taken = {"wall": wall - self.wall, "cpu": cpu - self.cpu}
        self.wall, self.cpu = wall, cpu
        return taken


# Steps, each run in a process of its own (`--step NAME URL`); each prints one JSON object.


def _step_build(url: str) -> dict[str, Any]:
    """Read the entries from the store and build the index, then save it as a replica would."""
    from sqlalchemy import delete
    from sqlmodel import Session

    from service.db import make_engine
    from service.matching import build_index
    from service.memory import deep_size
    from service.screening.index_state import load_active_versions, load_entries
    from service.screening.saved_index import SavedIndexes, encode, index_key
    from service.screening.tables import SavedIndex

    engine = make_engine(url)
    rss_before = _rss_mib()
    clock = Clock()
    with Session(engine) as session:
        versions = load_active_versions(session)
    entries = load_entries(engine, versions)
    read = clock.lap()
    index = build_index(entries)
    built = clock.lap()
    result: dict[str, Any] = {"read": read, "build": built, "rss": _rss_mib(), "rss_before": rss_before}
    result["peak"] = _peak_mib()
    key = index_key((version.source, version.version_id, version.sha256) for version in versions)
    memory_bytes = deep_size(index)
    result["measure"] = clock.lap()
    data = encode(key, index, memory_bytes)
    result["encode"] = clock.lap()
    with Session(engine) as session:
        session.execute(delete(SavedIndex))
        session.commit()
    clock.lap()
    SavedIndexes(engine).save(key, index, memory_bytes)
    result["save"] = clock.lap()
    result |= {"size": len(data), "entries": index.entry_count, "names": index.name_count, "key": key}
    return result


def _step_load(url: str) -> dict[str, Any]:
    """Load the saved index for the store's active versions, as a starting replica does."""
    from sqlmodel import Session

    from service.db import make_engine
    from service.screening.index_state import load_active_versions
    from service.screening.saved_index import SavedIndexes, index_key

    engine = make_engine(url)
    rss_before = _rss_mib()
    clock = Clock()
    with Session(engine) as session:
        versions = load_active_versions(session)
    loaded = SavedIndexes(engine).load(index_key((v.source, v.version_id, v.sha256) for v in versions))
    if loaded is None:
        raise SystemExit("no saved index to load")
    return {"load": clock.lap(), "rss": _rss_mib(), "rss_before": rss_before, "peak": _peak_mib()}


def _lz4() -> Any:
    """lz4.frame when installed (it is no dependency of the service: `pip install lz4` for its row)."""
    try:
        import lz4.frame  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return lz4.frame


def _step_format(path: str) -> dict[str, Any]:
    """Load one serialisation that `_step_write_formats` wrote (its file name says the format)."""
    import gc
    import marshal
    import pickle
    import zlib

    import service.matching.index  # noqa: F401 - the classes the pickles name, imported before the clock starts

    kind = Path(path).name.removesuffix(".bin")
    compression = kind.rsplit("-", 1)[-1]
    decompress = {"zlib1": zlib.decompress, "zlib6": zlib.decompress, "lz4": getattr(_lz4(), "decompress", None)}
    rss_before = _rss_mib()
    clock = Clock()
    data = Path(path).read_bytes()
    unpack = decompress.get(compression)
    raw = unpack(data) if unpack is not None else data
    del data
    unpacked = clock.lap()
    gc.disable()  # as `load_index` does
    # Both only ever read the files `_step_write_formats` just wrote.
    loaded = marshal.loads(raw) if kind.startswith("marshal") else pickle.loads(raw)  # noqa: S301, S302
    taken = clock.lap()
    del raw, loaded
    return {"decompress": unpacked, "load": taken, "rss_before": rss_before, "peak": _peak_mib()}


def _step_write_formats(url: str) -> dict[str, Any]:
    """Build the index once and write it in every candidate serialisation into the folder in $BENCH_FORMATS."""
    import dataclasses
    import gc
    import marshal
    import pickle
    import zlib

    from sqlmodel import Session

    from service.db import make_engine
    from service.matching import build_index
    from service.matching.snapshot import dump_index
    from service.screening.index_state import load_active_versions, load_entries

    folder = Path(os.environ["BENCH_FORMATS"])
    engine = make_engine(url)
    with Session(engine) as session:
        versions = load_active_versions(session)
    index = build_index(load_entries(engine, versions))
    gc.disable()
    written: dict[str, Any] = {}
    clock = Clock()
    ours = dump_index(index)
    written["pickle-ctor"] = clock.lap()
    default = pickle.dumps(index, protocol=5)
    written["pickle-default"] = clock.lap()
    memo: dict[int, Any] = {}

    def plain(value: Any) -> Any:
        """The index as builtins only (a dataclass becomes the tuple of its fields), for marshal."""
        found = memo.get(id(value))
        if found is not None:
            return found
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            result: Any = tuple(plain(getattr(value, field.name)) for field in dataclasses.fields(value))
        elif isinstance(value, tuple | list):
            result = type(value)(plain(item) for item in value)
        elif isinstance(value, dict):
            result = {key: plain(item) for key, item in value.items()}
        elif hasattr(value, "__dict__"):  # the index and its parts; numpy arrays marshal as their bytes
            result = {key: plain(item) for key, item in vars(value).items()}
        else:
            result = value
        memo[id(value)] = result
        return result

    flat = marshal.dumps(plain(index))
    written["marshal"] = clock.lap()
    outputs = {
        "pickle-ctor-none": ours,
        "pickle-ctor-zlib1": zlib.compress(ours, 1),
        "pickle-ctor-zlib6": zlib.compress(ours, 6),
        "pickle-default-zlib1": zlib.compress(default, 1),
        "marshal-zlib1": zlib.compress(flat, 1),
    }
    lz4 = _lz4()
    if lz4 is not None:
        outputs["pickle-ctor-lz4"] = lz4.compress(ours)
    for name, data in outputs.items():
        (folder / f"{name}.bin").write_bytes(data)
        written[f"size:{name}"] = len(data)
    return written


STEPS = {"build": _step_build, "load": _step_load, "format": _step_format, "write-formats": _step_write_formats}


def run_step(step: str, argument: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.startup", "--step", step, argument],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def time_to_ready(url: str, *, timeout: float = 300.0) -> dict[str, float]:
    """Seconds from `screening serve` being started to /readyz 200 with the seven lists required, and its RSS then."""
    port = free_port()
    env = {
        **os.environ,
        "SCREENING_DATABASE_URL": url,
        "SCREENING_DATA_DIR": str(BENCH_DATA),
        "SCREENING_API_KEYS": f"bench:screen:{BENCH_API_KEY}",
        "SCREENING_REQUIRED_SOURCES": ",".join(DEV_SET_SOURCES),
        "SCREENING_SCHEDULER_ENABLED": "false",
        "SCREENING_LOAD_LISTS_ON_START": "false",  # the store holds the seven lists the bench needs
    }
    log = (BENCH_DATA / "startup-server.log").open("wb")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited; see {log.name}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            if time.perf_counter() - started > timeout:
                raise RuntimeError("server did not become ready in time")
            time.sleep(0.05)
        ready = time.perf_counter() - started
        with open(f"/proc/{process.pid}/status", encoding="ascii") as status:
            rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
        with open(f"/proc/{process.pid}/stat", encoding="ascii") as stat:
            # utime and stime, after the command name (which may hold spaces) and 11 more fields.
            fields = stat.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return {"wall": ready, "cpu": cpu, "rss": rss}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_screen(url: str, data_dir: Path) -> dict[str, float]:
    """Seconds of one `screening screen NAME` against the store, with its local copies in `data_dir`."""
    env = {**os.environ, "SCREENING_DATABASE_URL": url, "SCREENING_DATA_DIR": str(data_dir)}
    started, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(
        [sys.executable, "-m", "service.cli", "screen", NAME], env=env, check=True, stdout=subprocess.DEVNULL
    )
    return {"wall": time.perf_counter() - started, "cpu": _children_cpu() - cpu}


def clear_saved(url: str) -> None:
    from sqlalchemy import delete
    from sqlmodel import Session

    from service.db import make_engine
    from service.screening.tables import SavedIndex

    engine = make_engine(url)
    with Session(engine) as session:
        session.execute(delete(SavedIndex))
        session.commit()
    engine.dispose()


def _timing(value: dict[str, float]) -> str:
    return f"{value['wall']:6.2f} s wall {value['cpu']:6.2f} s cpu"


def _row(*cells: str, widths: tuple[int, ...]) -> str:
    return (
        "| "
        + " | ".join(
            cell.rjust(width) if index else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        + " |"
    )


def formats_table(url: str) -> None:
    widths = (22, 8, 12, 14, 12)
    with tempfile.TemporaryDirectory(prefix="startup-formats-") as folder:
        written = run_step("write-formats", url, {"BENCH_FORMATS": folder})
        print("\nserialisations of the same index (each loaded in a fresh process)")
        print(_row("format", "size MB", "decompress s", "load s (cpu)", "peak RSS MiB", widths=widths))
        print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
        for name in sorted(path.name for path in Path(folder).iterdir()):
            loaded = run_step("format", str(Path(folder) / name))
            kind = name.removesuffix(".bin")
            load = f"{loaded['load']['wall']:.2f} ({loaded['load']['cpu']:.2f})"
            size = f"{written['size:' + kind] / 1e6:.1f}"
            print(_row(kind, size, f"{loaded['decompress']['wall']:.2f}", load, f"{loaded['peak']:.0f}", widths=widths))
        dumps = ", ".join(f"{name} {written[name]['wall']:.1f} s" for name in ("pickle-ctor", "pickle-default"))
        print(f"dump: {dumps}; marshal {written['marshal']['wall']:.1f} s after turning the index into plain tuples")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{BENCH_DATA / 'startup.db'}")
    parser.add_argument("--formats", action="store_true", help="also compare serialisations (lz4 too when installed)")
    parser.add_argument("--runs", type=int, default=2, help="server starts with a saved index (best and worst)")
    parser.add_argument("--step", nargs=2, metavar=("STEP", "ARGUMENT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step, argument = args.step
        print(json.dumps(STEPS[step](argument)))
        return
    url = args.database_url
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    lists = tuple(item for item in FULL_LISTS if item[0] in DEV_SET_SOURCES)
    print(f"store {url}: loading the {len(lists)} full lists (unchanged ones cost only their hash) ...", flush=True)
    ingest_full_lists(url, lists=lists)
    built = run_step("build", url)
    loaded = run_step("load", url)
    clear_saved(url)
    cold = time_to_ready(url)  # builds, then saves for the next start
    warm = [time_to_ready(url) for _ in range(max(args.runs, 1))]
    with tempfile.TemporaryDirectory(prefix="startup-cli-") as data_dir:
        first_cli = cli_screen(url, Path(data_dir))
        second_cli = cli_screen(url, Path(data_dir))
    print(f"\n{built['entries']:,} entries, {built['names']:,} names; saved index {built['size'] / 1e6:.1f} MB")
    widths = (46, 28, 8)
    rows = [
        ("read entries from the store", _timing(built["read"]), ""),
        ("build the index", _timing(built["build"]), f"{built['rss']:.0f}"),
        ("write the saved index (encode)", _timing(built["encode"]), ""),
        ("write the saved index (encode + store)", _timing(built["save"]), ""),
        ("load the saved index from the store", _timing(loaded["load"]), f"{loaded['rss']:.0f}"),
        ("replica /readyz 200, no saved index", _timing(cold), f"{cold['rss']:.0f}"),
        *(
            (f"replica /readyz 200, saved index (run {number})", _timing(run), f"{run['rss']:.0f}")
            for number, run in enumerate(warm, 1)
        ),
        ("`screening screen NAME`, first (from store)", _timing(first_cli), ""),
        ("`screening screen NAME`, second (local copy)", _timing(second_cli), ""),
    ]
    print(_row("step", "time", "RSS MiB", widths=widths))
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in rows:
        print(_row(*row, widths=widths))
    print(f"RSS before the index: {built['rss_before']:.0f} MiB; peak while building {built['peak']:.0f} MiB,")
    print(f"while loading {loaded['peak']:.0f} MiB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.formats:
        formats_table(url)


if __name__ == "__main__":
    main()
