"""Where alerts land in tests: an HTTP server that takes Apprise's `json://` posts, and an
SMTP server (aiosmtpd) that takes its e-mail."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookReceiver:
    """Keeps every JSON body posted to it; answers `status`, after `hold` is set if given
    (a receiver that hangs)."""

    def __init__(self, status: int = 200, hold: threading.Event | None = None) -> None:
        self.messages: list[dict] = []
        self.attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.attempts += 1
                if hold is not None:
                    hold.wait(30)
                if status == 200:
                    receiver.messages.append(json.loads(body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"json://127.0.0.1:{self._server.server_port}/alertas"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def titles(self) -> list[str]:
        return [message["title"] for message in self.messages]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class MailReceiver:
    """An SMTP server on a free loopback port; `mail` holds each message received."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from sales_monitor.brokers.ports import free_port

        self.mail: list[bytes] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                receiver.mail.append(envelope.content)
                return "250 OK"

        self.port = free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def url(self, to: str = "gerente@example.com") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=monitor@example.com&to={to}"

    def close(self) -> None:
        self._controller.stop()
