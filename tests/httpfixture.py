"""A local HTTP server on 127.0.0.1 whose answers the test decides, misbehaving on purpose."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]


class LocalServer:
    """``routes`` maps a path to a handler; unknown paths answer 404."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                route = server.routes.get(path)
                if route is None:
                    self.send_error(404)
                    return
                route(self)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def body(data: bytes, content_type: str = "application/octet-stream", status: int = 200) -> Route:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return handle


def truncated(data: bytes) -> Route:
    """Announce the full length, send half, then drop the connection."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[: len(data) // 2])
        h.wfile.flush()
        h.close_connection = True

    return handle


def status(code: int) -> Route:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_error(code)

    return handle


def slow(seconds: float) -> Route:
    def handle(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        with contextlib.suppress(OSError):  # the client has given up by now
            h.send_error(504)

    return handle


def endless(block: bytes = bytes(1 << 16), *, chunked: bool = True) -> Route:
    """A body that never ends, ``block`` after ``block`` until the client hangs up: chunked, or without length."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        if chunked:
            h.protocol_version = "HTTP/1.1"  # chunked transfer is HTTP/1.1
        h.send_response(200)
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        h.close_connection = True
        frame = f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block
        with contextlib.suppress(OSError):
            while True:
                h.wfile.write(frame)

    return handle


def trickle(every: float, length: int = 1000) -> Route:
    """Announce ``length`` bytes, then send one every ``every`` seconds: each read succeeds, slowly."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(length))
        h.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(length):
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(every)

    return handle


def redirect(location: str, code: int = 302) -> Route:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(code)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return handle
