"""Random identifiers (UUID version 4) for screenings, batches, cases and requests.

`uuid.uuid4()` reads its 16 bytes with `os.urandom`, whose system call releases the GIL. On a busy
worker the thread that asked must then win the GIL back: when another thread (the audit writer, a
batch) took it meanwhile, the wait can last until that thread blocks or the interpreter's switch
interval (5 ms) ends, and the event loop asked twice per screening (request id, screening id).
Here the bytes come from the same source, `os.urandom`, read 4 KiB at a time per thread; each byte
is used once, so the identifiers are as unpredictable as `uuid4()`'s.
"""

from __future__ import annotations

import os
import threading

_BLOCK = 4096  # 256 identifiers per system call
_VERSION_MASK = ~(0xF000 << 64) & ~(0xC000 << 48)
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant


class _Pool(threading.local):
    """Each thread's unread random bytes."""

    def __init__(self) -> None:
        self.data = b""
        self.offset = 0


_pool = _Pool()


def _reset_after_fork() -> None:
    # A forked child must never hand out the bytes its parent will also hand out.
    global _pool
    _pool = _Pool()


os.register_at_fork(after_in_child=_reset_after_fork)


def _random_int() -> int:
    pool = _pool
    offset = pool.offset
    if offset + 16 > len(pool.data):
        pool.data, offset = os.urandom(_BLOCK), 0
    pool.offset = offset + 16
    return int.from_bytes(pool.data[offset : offset + 16], "big")


def uuid4_hex() -> str:
    """A random UUID (version 4) as 32 hex digits, like `uuid.uuid4().hex`."""
    return f"{(_random_int() & _VERSION_MASK) | _VERSION_BITS:032x}"


def uuid4_text() -> str:
    """A random UUID (version 4) in its canonical form, like `str(uuid.uuid4())`."""
    digits = uuid4_hex()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
