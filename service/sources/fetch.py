"""Downloads of official list files (and of a list mirror's listings).

Every download has explicit timeouts, retries (tenacity) with exponential backoff and jitter on transient
failures (timeouts, connection errors, 5xx, 429), waiting at least as long as a `Retry-After`
header asks (up to MAX_RETRY_AFTER_SECONDS), a size limit enforced while
streaming, a check of the received length against Content-Length (a truncated body
is an error, not a shorter list), and conditional requests (ETag / Last-Modified)
so that an unchanged list costs one round trip.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from service.errors import ListDownloadError

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

USER_AGENT = "end-user-screening/0.1 (+https://github.com/; list ingestion)"
RETRYABLE_STATUS = {429, 500, 502, 503, 504}
# A publisher asking for a longer pause than this is treated as down: the refresh fails and the
# scheduler tries again on its next round, with the previous version still active.
MAX_RETRY_AFTER_SECONDS = 300.0


@dataclass(slots=True, frozen=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    attempts: int = 3
    backoff_seconds: float = 2.0
    max_bytes: int = 300 * 1024 * 1024


@dataclass(slots=True, frozen=True)
class Validators:
    """What the server said about a file last time; sent back to ask "has it changed?"."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True, frozen=True)
class Fetched:
    url: str
    not_modified: bool
    content: bytes
    validators: Validators
    sha256: str | None


def make_http_client(policy: FetchPolicy) -> httpx.Client:
    # Imported here, by the first download: most processes never make one, and httpx costs a tenth of a
    # second of every start (it loads its command line's rich and click too).
    import httpx

    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    return httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
    )


def _read_limited(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ListDownloadError(f"{url}: {int(declared)} bytes announced, over the size limit of {max_bytes} bytes")
    chunks: list[bytes] = []
    received = 0
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise ListDownloadError(f"{url}: body exceeds the size limit of {max_bytes} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    # With a compressed transfer the header counts the compressed bytes; compare only when identity.
    if declared is not None and declared.isdigit() and "content-encoding" not in response.headers:
        if len(body) != int(declared):
            raise ListDownloadError(f"{url}: truncated download, {len(body)} of {declared} bytes received")
    return body


def _attempt(client: httpx.Client, url: str, validators: Validators | None, policy: FetchPolicy) -> Fetched:
    headers: dict[str, str] = {}
    if validators is not None:
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 304:
            return Fetched(url, True, b"", validators or Validators(), None)
        if response.status_code in RETRYABLE_STATUS:
            asked = retry_after(response.headers.get("retry-after"))
            if asked is not None and asked > MAX_RETRY_AFTER_SECONDS:
                raise ListDownloadError(f"{url}: the server asks to retry after {asked:.0f} s; giving up for now")
            raise _Retryable(f"{url}: HTTP {response.status_code}", asked)
        if response.status_code != 200:
            raise ListDownloadError(f"{url}: HTTP {response.status_code}")
        body = _read_limited(response, url, policy.max_bytes)
        new_validators = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
        return Fetched(url, False, body, new_validators, hashlib.sha256(body).hexdigest())


class _Retryable(Exception):
    """A failure worth another attempt, after at least `wait` seconds when the server said so."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


def retry_after(header: str | None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not header:
        return None
    value = header.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _one_attempt(client: httpx.Client, url: str, validators: Validators | None, policy: FetchPolicy) -> Fetched:
    """One attempt, its transient transport failures as `_Retryable`."""
    import httpx  # loaded by `make_http_client` already

    try:
        return _attempt(client, url, validators, policy)
    except httpx.TimeoutException as error:
        raise _Retryable(f"{url}: timed out ({type(error).__name__})") from error
    except httpx.RemoteProtocolError as error:
        # The server closed the connection before the announced length: a truncated body.
        raise _Retryable(f"{url}: truncated download: {error}") from error
    except httpx.TransportError as error:
        raise _Retryable(f"{url}: {type(error).__name__}: {error}") from error


def _backoff_or_retry_after(backoff: float) -> Callable[[RetryCallState], float]:
    """Exponential backoff with jitter, which spreads the retries of replicas and sources that failed
    together, but never shorter than the pause the server asked for."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        asked = error.wait if isinstance(error, _Retryable) else None
        jittered = backoff * 2.0 ** (state.attempt_number - 1) * random.uniform(0.5, 1.0)  # noqa: S311
        return max(jittered, asked or 0.0)

    return wait


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    delay = state.next_action.sleep if state.next_action is not None else 0.0
    log.warning("download attempt %d failed: %s; retrying in %.1fs", state.attempt_number, error, delay)


def fetch(
    client: httpx.Client,
    url: str,
    *,
    policy: FetchPolicy,
    validators: Validators | None = None,
    sleep: float | None = None,
) -> Fetched:
    """GET one file, retrying transient failures; raises ListDownloadError when it gives up."""
    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=_backoff_or_retry_after(policy.backoff_seconds if sleep is None else sleep),
        retry=retry_if_exception_type(_Retryable),
        before_sleep=_log_retry,
        sleep=lambda seconds: time.sleep(seconds),  # looked up at each pause (tests record the pauses)
        reraise=True,
    )
    try:
        return retrying(_one_attempt, client, url, validators, policy)
    except _Retryable as error:
        raise ListDownloadError(f"gave up after {policy.attempts} attempts: {error}") from None
