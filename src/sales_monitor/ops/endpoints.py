"""The operations port: `/metrics` for Prometheus, `/healthz` (the process serves) and
`/readyz` (200, or 503 and why: the dashboard connected and caught up with the topic, a
writer with the broker answering), for a load balancer or an orchestrator. A small threaded
WSGI server of its own, beside Streamlit's, so a scrape never waits on a page."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app

log = logging.getLogger(__name__)


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        log.debug("%s " + format, self.address_string(), *args)


def application(registry: CollectorRegistry, not_ready: Callable[[], str | None]) -> Callable:
    metrics = make_wsgi_app(registry)

    def answer(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics(environ, start_response)
        if path == "/healthz":
            return _text(start_response, "200 OK", "ok")
        if path == "/readyz":
            why = not_ready()
            if why is None:
                return _text(start_response, "200 OK", "pronto")
            return _text(start_response, "503 Service Unavailable", f"não está pronto: {why}")
        return _text(start_response, "404 Not Found", "use /metrics, /healthz ou /readyz")

    return answer


def _text(start_response: Callable, status: str, text: str) -> list[bytes]:
    body = (text + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [body]


class OperationsServer:
    """`/metrics`, `/healthz` and `/readyz` on `host:port`, in a daemon thread."""

    def __init__(
        self,
        host: str,
        port: int,
        registry: CollectorRegistry,
        not_ready: Callable[[], str | None],
    ) -> None:
        self._server = make_server(
            host,
            port,
            application(registry, not_ready),
            _Server6 if ":" in host else _Server,
            handler_class=_Quiet,
        )
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics", daemon=True
        )

    def start(self) -> OperationsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
