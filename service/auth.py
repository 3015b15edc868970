"""API keys and scopes.

Keys are random 256-bit secrets shown once at creation; only their SHA-256 is stored
(a fast hash is enough for random secrets; there is nothing to brute-force), and the
comparison uses hmac.compare_digest. Keys come from the store (`screening keys ...`)
and from `SCREENING_API_KEYS` (`name:scope:secret`, for deployments that inject secrets).

Scopes, each with all the rights of the one before: `screen` screens and reads its own audit
records; `review` also reads and decides review cases; `admin` also manages lists, clearances
and keys. Only a store that has never held a key, with no key in the environment, serves without
one (the development mode: `screening serve` then binds to loopback only).
Revoking the last key closes the API until a new key exists: it never reopens.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, func, select
from sqlmodel import Field, Session, SQLModel, col
from starlette.concurrency import run_in_threadpool

from service.errors import Conflict, InvalidInput, NotFound, ScreeningError
from service.timeutil import UTCDateTime, utc_now

Scope = Literal["screen", "review", "admin"]
SCOPES: tuple[Scope, ...] = ("screen", "review", "admin")  # each holds the rights of those before it
KEY_PREFIX = "sk"
OPEN_MODE_CACHE_SECONDS = 5.0

log = logging.getLogger(__name__)


class Unauthorized(ScreeningError):
    status_code = 401
    code = "unauthorized"


class Forbidden(ScreeningError):
    status_code = 403
    code = "forbidden"


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    scope: str = Field(max_length=16)
    key_id: str = Field(max_length=16, unique=True, description="public part of the key, for lookup")
    secret_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass(slots=True, frozen=True)
class Principal:
    name: str
    scope: Scope

    @property
    def is_admin(self) -> bool:
        return self.scope == "admin"

    def holds(self, scope: Scope) -> bool:
        """Whether this principal's scope includes `scope`."""
        return SCOPES.index(self.scope) >= SCOPES.index(scope)


def _as_scope(value: str) -> Scope:
    for scope in SCOPES:
        if value == scope:
            return scope
    raise ValueError(f"unknown scope '{value}'")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(engine: Engine, name: str, scope: str) -> str:
    """Store a new key and return it in full; it cannot be shown again."""
    if scope not in SCOPES:
        raise InvalidInput(f"scope: must be one of {', '.join(SCOPES)}")
    if not name.strip() or len(name) > 100:
        raise InvalidInput("name: give 1 to 100 characters")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with Session(engine) as session:
        exists = session.execute(select(ApiKey).where(col(ApiKey.name) == name)).first()
        if exists:
            raise Conflict(f"a key named '{name}' exists already")
        session.add(ApiKey(name=name, scope=scope, key_id=key_id, secret_hash=_hash(secret)))
        session.commit()
    return f"{KEY_PREFIX}_{key_id}_{secret}"


def revoke_key(engine: Engine, name: str) -> None:
    with Session(engine) as session:
        key = session.execute(select(ApiKey).where(col(ApiKey.name) == name)).scalar_one_or_none()
        if key is None or key.revoked_at is not None:
            raise NotFound(f"no active key named '{name}'")
        key.revoked_at = utc_now()
        session.add(key)
        session.commit()


def key_counts(engine: Engine) -> tuple[int, int]:
    """(keys the store has ever held, keys still active)."""
    with Session(engine) as session:
        held, active = session.execute(
            select(func.count(), func.count().filter(col(ApiKey.revoked_at).is_(None))).select_from(ApiKey)
        ).one()
    return int(held), int(active)


def list_keys(engine: Engine) -> list[ApiKey]:
    with Session(engine) as session:
        return list(session.execute(select(ApiKey).order_by(col(ApiKey.id))).scalars())


def _static_keys(entries: list[str]) -> list[tuple[str, Scope, str]]:
    keys: list[tuple[str, Scope, str]] = []
    for entry in entries:
        name, _, rest = entry.partition(":")
        scope, _, secret = rest.partition(":")
        if scope not in SCOPES or not name or len(secret) < 16:
            raise ValueError(f"SCREENING_API_KEYS: '{name}' must be name:scope:secret with a 16+ character secret")
        keys.append((name, _as_scope(scope), secret))
    return keys


class Authenticator:
    """Resolves a presented key to a principal; knows whether any key is configured at all.

    A key found valid is remembered for `cache_seconds`, so a screening does not wait for a store
    read to authenticate; a revoked key therefore stops working within that time on every replica.
    Only valid keys are remembered: made-up keys cannot grow the cache.
    """

    def __init__(
        self,
        engine: Engine,
        static_keys: list[str],
        *,
        cache_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._static = _static_keys(static_keys)
        self._open_checked_at = 0.0
        self._open = False
        self._key_state: tuple[bool, bool] | None = None
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._valid: dict[str, tuple[Principal, float]] = {}  # sha256 of a presented key -> (principal, checked at)

    def remembered(self, presented: str) -> Principal | None:
        """The principal of a key found valid less than `cache_seconds` ago; None means: look it up."""
        found = self._valid.get(_hash(presented))
        if found is None or self._clock() - found[1] >= self._cache_seconds:
            return None
        return found[0]

    def is_open(self) -> bool:
        """True only while no key has ever existed anywhere: revoked keys keep the API closed."""
        if self._static:
            return False
        now = self._clock()
        if now - self._open_checked_at > OPEN_MODE_CACHE_SECONDS or not self._open_checked_at:
            held, active = key_counts(self._engine)
            self._open_checked_at = now
            self._note_key_state(open_=held == 0, none_active=active == 0)
        return self._open

    def _note_key_state(self, *, open_: bool, none_active: bool) -> None:
        """Log each change of the API's access state (a warning: either state needs an operator)."""
        state = (open_, none_active)
        if state == self._key_state:
            return
        self._key_state = state
        self._open = open_
        if open_:
            log.warning("no API key configured: the API is open to anyone who can reach it (bind to loopback only)")
        elif none_active:
            log.warning("every API key is revoked: the API refuses all requests until a key is created")
        else:
            log.info("API keys configured: every request needs a key")

    def authenticate(self, presented: str) -> Principal | None:
        """Look the key up (static keys, then the store); reads the store, so call it off the event loop."""
        found = self._lookup(presented)
        key = _hash(presented)
        if found is None:
            self._valid.pop(key, None)
        elif self._cache_seconds > 0:
            self._valid[key] = (found, self._clock())
        return found

    def _lookup(self, presented: str) -> Principal | None:
        for name, scope, secret in self._static:
            if hmac.compare_digest(presented.encode(), secret.encode()):
                return Principal(name, scope)
        parts = presented.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            return None
        with Session(self._engine) as session:
            key = session.execute(select(ApiKey).where(col(ApiKey.key_id) == parts[1])).scalar_one_or_none()
        if key is None or key.revoked_at is not None:
            return None
        if not hmac.compare_digest(_hash(parts[2]), key.secret_hash):
            return None
        return Principal(key.name, _as_scope(key.scope))


ANONYMOUS = Principal("anonymous", "admin")

# The two ways to present a key, declared as OpenAPI security schemes (the Authorize button of /docs,
# and generated clients that send the key). They only document: `principal` reads the headers itself.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer", description="`Authorization: Bearer <key>`")
API_KEY_HEADER = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="apiKey", description="`X-API-Key: <key>`"
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]
ApiKeyHeaderDep = Annotated[str | None, Security(API_KEY_HEADER)]


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


async def get_authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


AuthenticatorDep = Annotated[Authenticator, Depends(get_authenticator)]


async def principal(
    request: Request, authenticator: AuthenticatorDep, _bearer: BearerDep = None, _api_key: ApiKeyHeaderDep = None
) -> Principal:
    # async so FastAPI does not move it to a worker thread for every request: a remembered key costs a
    # hash; only a key not seen lately is looked up, in a worker thread.
    presented = _presented_key(request)
    if presented is None:
        if authenticator.is_open():
            return ANONYMOUS
        raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
    found = authenticator.remembered(presented)
    if found is None:
        found = await run_in_threadpool(authenticator.authenticate, presented)
    if found is None:
        raise Unauthorized("the API key is not valid or has been revoked")
    request.state.principal = found.name
    return found


def _required(caller: Principal, scope: Scope) -> Principal:
    if not caller.holds(scope):
        raise Forbidden(f"the key '{caller.name}' has scope '{caller.scope}'; this needs scope '{scope}'")
    return caller


async def require_admin(caller: Annotated[Principal, Depends(principal)]) -> Principal:
    return _required(caller, "admin")


async def require_review(caller: Annotated[Principal, Depends(principal)]) -> Principal:
    return _required(caller, "review")


PrincipalDep = Annotated[Principal, Depends(principal)]
ReviewerDep = Annotated[Principal, Depends(require_review)]
AdminDep = Annotated[Principal, Depends(require_admin)]
