"""A small OpenID Connect provider for the login's browser tests: it signs in whoever the
test names next (`sign_in_as`), with no form, and answers the discovery document, the
authorization, the token and the keys as a real provider does (RS256 id tokens)."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "sales-monitor-tests"
CLIENT_SECRET = "segredo-dos-testes"


class Provider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "teste", "use": "sig"})
        self.email = "ninguem@exemplo.com"
        self.logins = 0
        self._codes: dict[str, tuple[str, str | None]] = {}  # code: (email, nonce)
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider.metadata())
                elif url.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    code = secrets.token_urlsafe(16)
                    provider._codes[code] = (provider.email, query.get("nonce"))
                    back = {"code": code, "state": query.get("state", "")}
                    self.send_response(302)
                    target = query["redirect_uri"] + "?" + urllib.parse.urlencode(back)
                    self.send_header("Location", target)
                    self.end_headers()
                else:
                    self.send_error(404)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = dict(urllib.parse.parse_qsl(body))
                if (
                    urllib.parse.urlsplit(self.path).path != "/token"
                    or form.get("code") not in provider._codes
                ):
                    self.send_error(400)
                    return
                email, nonce = provider._codes.pop(form["code"])
                provider.logins += 1
                self._json(
                    {
                        "access_token": secrets.token_urlsafe(16),
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "id_token": provider.id_token(email, nonce),
                    }
                )

            def _json(self, data: dict) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def sign_in_as(self, email: str) -> None:
        self.email = email

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def id_token(self, email: str, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "sub": email, "aud": CLIENT_ID, "iat": now, "exp": now + 3600,
            "email": email, "email_verified": True, "name": email.split("@")[0],
        }  # fmt: skip
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "teste"}, claims, self.key)

    def secrets_toml(self, dashboard_port: int) -> str:
        return (
            "[auth]\n"
            f'redirect_uri = "http://localhost:{dashboard_port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_hex(16)}"\n'
            f'client_id = "{CLIENT_ID}"\n'
            f'client_secret = "{CLIENT_SECRET}"\n'
            f'server_metadata_url = "{self.issuer}/.well-known/openid-configuration"\n'
        )

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
