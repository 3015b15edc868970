"""A real webhook receiver on 127.0.0.1 that checks signatures, and fails on demand."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    secret: str
    port: int = 0
    fail_times: int = 0  # answer 500 this many times first
    received: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    rejected: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/screening"


def _handler(state: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: ARG002 - stdlib signature; silence
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests += 1
            if state.fail_times > 0:
                state.fail_times -= 1
                self.send_error(500, "receiver is down")
                return
            # Checked the way a receiver would, independently of the service's own code.
            timestamp = self.headers.get("X-Screening-Timestamp", "")
            expected = hmac.new(state.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, self.headers.get("X-Screening-Signature", "")):
                state.rejected += 1
                self.send_error(401, "bad signature")
                return
            state.received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

    return Handler


@contextmanager
def webhook_receiver(secret: str, *, fail_times: int = 0) -> Iterator[Receiver]:
    state = Receiver(secret=secret, fail_times=fail_times)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
