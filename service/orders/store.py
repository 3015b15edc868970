"""The loaded order policy, reloaded when the files in lists/policy change."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from service.orders.policy import (
    POLICY_FILES,
    Policy,
    PolicyError,
    load_policy,
    parse_policy,
    policy_digest,
    read_policy_files,
)

log = logging.getLogger(__name__)


class PolicyStore:
    """The current policy, reloaded when the files change ("reloaded without a code change").

    `get()` stats the files at most every `check_interval` seconds; when their mtime or size
    changed it re-reads them and, when the bytes' digest differs, loads the new policy. A broken
    edit is logged and kept in `last_error`, and the last good policy keeps serving, so a typo
    in a TOML file cannot stop order screening.
    """

    def __init__(self, lists_dir: Path, *, check_interval: float = 2.0) -> None:
        self._dir = lists_dir
        self._interval = check_interval
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._signature = self._stat()
        self._policy = load_policy(lists_dir)
        self.last_error: str | None = None

    def _folder(self) -> Path:
        return self._dir / "policy" if (self._dir / "policy").is_dir() else self._dir

    def _stat(self) -> tuple[tuple[int, int], ...]:
        folder = self._folder()
        signature = []
        for name in POLICY_FILES:
            try:
                st = (folder / name).stat()
                signature.append((st.st_mtime_ns, st.st_size))
            except OSError:
                signature.append((-1, -1))
        return tuple(signature)

    def get(self) -> Policy:
        now = time.monotonic()
        if now - self._checked_at < self._interval:
            return self._policy
        with self._lock:
            self._checked_at = now
            signature = self._stat()
            if signature != self._signature:
                self._signature = signature
                self._reload()
            return self._policy

    def reload(self) -> Policy:
        """Load the files now, whatever their mtime; raises PolicyError when they are invalid."""
        with self._lock:
            self._signature = self._stat()
            self._policy = load_policy(self._dir)
            self.last_error = None
            return self._policy

    def _reload(self) -> None:
        try:
            files = read_policy_files(self._dir)
            if policy_digest(files) == self._policy.digest:
                return
            policy = parse_policy(files)
        except PolicyError as error:
            self.last_error = error.detail
            log.error("order policy not reloaded, keeping version %s: %s", self._policy.version_id, error.detail)
            return
        log.info("order policy reloaded: %s -> %s", self._policy.version_id, policy.version_id)
        self._policy = policy
        self.last_error = None
