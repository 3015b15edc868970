"""`screening screen` through the running service: a quick readiness probe, then POST /v1/screen.

Imported only by that command. It speaks HTTP with the standard library's http.client: importing
httpx (and the command-line extras it loads when they are installed) costs the CLI more time than
the whole screening takes in the service.
"""

from __future__ import annotations

import http.client
import json
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

# Short enough that a CLI with no service behind the URL falls back at once; a ready service on the
# same network answers /readyz in milliseconds.
PROBE_SECONDS = 0.5
SCREEN_SECONDS = 30.0
BAD_INPUT = {400, 413, 422}
REFUSED = {401, 403}


class ServiceError(Exception):
    """The service answered, but not with a screening; `exit_code` 2 for input the caller can fix."""

    def __init__(self, detail: str, exit_code: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.exit_code = exit_code


class ServiceClient:
    """One connection to the service at `url`, authenticated with `api_key` when one is given."""

    def __init__(self, url: str, api_key: str | None) -> None:
        self.url = url.rstrip("/")
        parts = urlsplit(self.url)
        connection = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self._base_path = parts.path
        self._connection = connection(parts.hostname or "127.0.0.1", parts.port, timeout=PROBE_SECONDS)
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def __enter__(self) -> ServiceClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._connection.close()

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, object]:
        """Status and JSON body (None when the body is not JSON); OSError or HTTPException when no answer."""
        headers = dict(self._headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self._connection.request(method, self._base_path + path, body=payload, headers=headers)
        response = self._connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, None

    def unready_reason(self) -> str | None:
        """None when a screening service at the URL says it is ready; otherwise why it is not used."""
        try:
            status, body = self._request("GET", "/readyz")
        except (OSError, http.client.HTTPException) as error:
            return f"no answer ({type(error).__name__})"
        if status != 200:
            return f"/readyz answered {status}"
        if not isinstance(body, dict):
            return "/readyz did not answer JSON: not a screening service"
        if body.get("status") != "ready":
            return "/readyz did not say ready: not a screening service"
        return None

    def screen(self, party: dict[str, Any]) -> dict[str, Any]:
        """The service's screening of `party` (its JSON body); ServiceError for any other answer."""
        if self._connection.sock is not None:
            self._connection.sock.settimeout(SCREEN_SECONDS)
        self._connection.timeout = SCREEN_SECONDS
        try:
            status, body = self._request("POST", "/v1/screen", party)
        except (OSError, http.client.HTTPException) as error:
            # Not retried in this process: the service may have screened (and recorded) the party already.
            raise ServiceError(f"the service at {self.url} did not answer: {type(error).__name__}", 1) from None
        if status == 200 and isinstance(body, dict):
            return body
        detail = str(body.get("detail")) if isinstance(body, dict) else f"HTTP {status}"
        if status in REFUSED:
            raise ServiceError(
                f"the service at {self.url} refused: {detail}; set SCREENING_API_KEY (or --api-key) to a key"
                " with scope screen, or screen in this process with --local",
                2,
            )
        raise ServiceError(detail, 2 if status in BAD_INPUT else 1)
