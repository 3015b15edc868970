"""`screening screen` through the running service: a quick readiness probe, then POST /v1/screen.

Imported only by that command, so `screening --help` never loads httpx.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

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
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.url, headers=headers, timeout=httpx.Timeout(SCREEN_SECONDS, connect=PROBE_SECONDS)
        )

    def __enter__(self) -> ServiceClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._client.close()

    def unready_reason(self) -> str | None:
        """None when a screening service at the URL says it is ready; otherwise why it is not used."""
        try:
            response = self._client.get("/readyz", timeout=PROBE_SECONDS)
        except httpx.HTTPError as error:
            return f"no answer ({type(error).__name__})"
        if response.status_code != 200:
            return f"/readyz answered {response.status_code}"
        try:
            body = response.json()
        except ValueError:
            return "/readyz did not answer JSON: not a screening service"
        if not isinstance(body, dict) or body.get("status") != "ready":
            return "/readyz did not say ready: not a screening service"
        return None

    def screen(self, party: dict[str, Any]) -> dict[str, Any]:
        """The service's screening of `party` (its JSON body); ServiceError for any other answer."""
        try:
            response = self._client.post("/v1/screen", json=party)
        except httpx.HTTPError as error:
            # Not retried in this process: the service may have screened (and recorded) the party already.
            raise ServiceError(f"the service at {self.url} did not answer: {type(error).__name__}", 1) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 200 and isinstance(body, dict):
            return body
        detail = str(body.get("detail")) if isinstance(body, dict) else f"HTTP {response.status_code}"
        if response.status_code in REFUSED:
            raise ServiceError(
                f"the service at {self.url} refused: {detail}; set SCREENING_API_KEY (or --api-key) to a key"
                " with scope screen, or screen in this process with --local",
                2,
            )
        raise ServiceError(detail, 2 if response.status_code in BAD_INPUT else 1)
