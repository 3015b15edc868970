"""Sign-in sessions of the workbench, and the limit on sign-in attempts.

The cookie holds a random token; the store keeps only its hash, the key's name and scope, a CSRF
token and the expiry. The API key itself is never kept: it is checked once, at sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, delete
from sqlmodel import Session, col

from service.timeutil import utc_now
from service.ui.tables import UiSession


@dataclass(slots=True, frozen=True)
class SignedIn:
    principal: str
    scope: str
    csrf_token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, engine: Engine, lifetime: timedelta) -> None:
        self._engine = engine
        self.lifetime = lifetime

    def open(self, principal: str, scope: str) -> str:
        """A new session; returns the cookie's token."""
        token = secrets.token_urlsafe(32)
        now = utc_now()
        with Session(self._engine) as session:
            # Expired sessions go whenever someone signs in: no sweeper needed.
            session.execute(delete(UiSession).where(col(UiSession.expires_at) < now))
            session.add(
                UiSession(
                    token_hash=_hash(token),
                    principal=principal,
                    scope=scope,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    expires_at=now + self.lifetime,
                )
            )
            session.commit()
        return token

    def find(self, token: str | None) -> SignedIn | None:
        if not token:
            return None
        with Session(self._engine) as session:
            found = session.get(UiSession, _hash(token))
        if found is None or found.expires_at <= utc_now():
            return None
        return SignedIn(found.principal, found.scope, found.csrf_token)

    def close(self, token: str | None) -> None:
        if not token:
            return
        with Session(self._engine) as session:
            session.execute(delete(UiSession).where(col(UiSession.token_hash) == _hash(token)))
            session.commit()


class SignInLimiter:
    """At most `attempts` failed sign-ins per client address in `window_seconds` (per replica)."""

    def __init__(self, attempts: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._attempts = attempts
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        cutoff = self._clock() - self._window
        while failures and failures[0] < cutoff:
            failures.popleft()
        return failures

    def retry_after(self, client: str) -> float | None:
        """Seconds to wait before the next try, or None when a try is allowed now."""
        with self._lock:
            failures = self._recent(client)
            if len(failures) < self._attempts:
                return None
            return max(1.0, failures[0] + self._window - self._clock())

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(self._clock())
            if len(self._failures) > 10_000:  # many addresses: forget the idle ones
                for address in [a for a, f in self._failures.items() if not f]:
                    del self._failures[address]

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
