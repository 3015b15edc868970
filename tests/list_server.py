"""A real HTTP server on 127.0.0.1 that serves list files the way publishers do, and misbehaves on demand."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes
    etag: bool = True
    fail_times: int = 0  # answer 503 this many times first
    retry_after: str | None = None  # the Retry-After header of those 503s
    delay_seconds: float = 0.0  # wait before answering (a slow server; the client's timeout fires)
    hold: threading.Event | None = None  # answer only once this is set (a download the test keeps going)
    truncate: bool = False  # announce the full length, send half, close
    requests: int = 0
    conditional_hits: int = 0


@dataclass
class ListServer:
    port: int
    routes: dict[str, Route] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(server_state: ListServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: ARG002 - stdlib signature; silence
            return

        def do_GET(self) -> None:
            try:
                self._answer()
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (size limit, timeout): nothing left to say

        def _answer(self) -> None:
            route = server_state.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            route.requests += 1
            if route.hold is not None:
                route.hold.wait(timeout=120)
            if route.delay_seconds:
                time.sleep(route.delay_seconds)
            if route.fail_times > 0:
                route.fail_times -= 1
                self.send_response(503)
                if route.retry_after is not None:
                    self.send_header("Retry-After", route.retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            if route.etag and self.headers.get("If-None-Match") == etag:
                route.conditional_hits += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(route.body)))
            if route.etag:
                self.send_header("ETag", etag)
            self.end_headers()
            if route.truncate:
                self.wfile.write(route.body[: len(route.body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(route.body)

    return Handler


@contextmanager
def serve_lists() -> Iterator[ListServer]:
    state = ListServer(port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
