"""Whether the matching package runs compiled, and a guard against compiled modules that no longer match their sources.

`scripts/compile_matching.py` compiles the package's modules with mypyc (all but `NOT_COMPILED`)
into extension modules beside the sources, and writes `compiled.sha256`:
a digest of the sources it compiled. Python imports an extension module in preference to the `.py`
file of the same name, so a module edited after compiling would silently run its old code; the
package's `__init__` calls `check()` first, which refuses to import such a mix. Without extension
modules the package runs as plain Python, everywhere.

Kept to the standard library and never compiled: it runs before any compiled module is imported.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
STAMP = PACKAGE / "compiled.sha256"
# Modules that stay plain Python: this guard, the package's `__init__`, the pickling, whose pickler
# subclasses a C type (which a compiled module cannot do), and the public value types (queries,
# thresholds, matches, weights): callers pickle them as they are, into worker processes too, and a
# compiled frozen dataclass refuses pickle's way of restoring one.
NOT_COMPILED = frozenset({"__init__.py", "native.py", "snapshot.py", "types.py", "weights.py"})


def compiled_sources() -> list[Path]:
    return sorted(path for path in PACKAGE.glob("*.py") if path.name not in NOT_COMPILED)


def sources_digest() -> str:
    """A digest of the sources to compile and of the interpreter they were compiled for."""
    digest = hashlib.sha256(str(sys.implementation.cache_tag).encode())
    for path in compiled_sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def extension_modules() -> list[Path]:
    # The suffixes overlap (".cpython-311-x86_64-linux-gnu.so" also ends in ".so"): a set, each file once.
    return sorted({path for suffix in importlib.machinery.EXTENSION_SUFFIXES for path in PACKAGE.glob(f"*{suffix}")})


def check() -> bool:
    """True when the package's modules are compiled from its current sources, False when there are none.

    Raises ImportError when extension modules are there but were compiled from other sources.
    """
    if not extension_modules():
        return False
    stamp = STAMP.read_text().strip() if STAMP.exists() else ""
    if stamp != sources_digest():
        raise ImportError(
            f"{PACKAGE} holds compiled modules built from other sources than its .py files: run"
            " `python scripts/compile_matching.py` to compile them again, or with `--clean` to run plain Python"
        )
    return True
