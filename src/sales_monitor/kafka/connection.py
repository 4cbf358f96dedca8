"""Everything a Kafka client needs to reach the cluster, built once with the settings.

Every client the project makes (producer, dashboard consumer, admin, inspector, send, CSV
monitor) gets its address and security from a `Connection`; the password is never shown:
not in its repr, an error message, a log line or the page.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from sales_monitor.errors import SecurityError

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
# the environment names, in the common convention, with the Connection field each sets
ENVIRONMENT = {
    "KAFKA_SECURITY_PROTOCOL": "security_protocol",
    "KAFKA_SASL_MECHANISM": "sasl_mechanism",
    "KAFKA_SASL_USERNAME": "username",
    "KAFKA_SASL_PASSWORD": "password",
    "KAFKA_SSL_CAFILE": "ssl_cafile",
    "KAFKA_SSL_CERTFILE": "ssl_certfile",
    "KAFKA_SSL_KEYFILE": "ssl_keyfile",
}


@dataclass(frozen=True, slots=True)
class Connection:
    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    @property
    def secured(self) -> bool:
        return self.security_protocol != "PLAINTEXT"

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def client_config(self) -> dict:
        """kafka-python's keyword arguments for this connection."""
        config: dict = {"security_protocol": self.security_protocol}
        if self.security_protocol.startswith("SASL"):
            config |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        if self.uses_tls:
            config |= {"ssl_cafile": self.ssl_cafile, "ssl_check_hostname": True}
            if self.ssl_certfile:
                config |= {"ssl_certfile": self.ssl_certfile, "ssl_keyfile": self.ssl_keyfile}
        return config

    def environment(self) -> dict[str, str]:
        """The security variables that give a child process this connection."""
        values = {name: getattr(self, attr) for name, attr in ENVIRONMENT.items()}
        return {name: value for name, value in values.items() if value}

    @classmethod
    def from_env(cls, bootstrap: str, env: Mapping[str, str]) -> Connection:
        """Raises SecurityError for settings that cannot work."""
        values = {attr: (env.get(name) or "").strip() or None for name, attr in ENVIRONMENT.items()}
        protocol = (values.pop("security_protocol") or "PLAINTEXT").upper()
        if protocol not in PROTOCOLS:
            raise SecurityError(
                f"KAFKA_SECURITY_PROTOCOL={protocol!r} deve ser um de {', '.join(PROTOCOLS)}"
            )
        connection = cls(bootstrap, protocol, **values)
        connection._check()
        return connection

    def _check(self) -> None:
        sasl = self.security_protocol.startswith("SASL")
        if sasl:
            if self.sasl_mechanism not in MECHANISMS:
                raise SecurityError(
                    f"KAFKA_SASL_MECHANISM deve ser um de {', '.join(MECHANISMS)} "
                    f"com KAFKA_SECURITY_PROTOCOL={self.security_protocol}"
                )
            if not (self.username and self.password):
                raise SecurityError(
                    "KAFKA_SASL_USERNAME e KAFKA_SASL_PASSWORD são obrigatórios com "
                    f"KAFKA_SECURITY_PROTOCOL={self.security_protocol}"
                )
        elif self.sasl_mechanism or self.username or self.password:
            raise SecurityError(
                "KAFKA_SASL_* só valem com KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT ou SASL_SSL"
            )
        files = {"KAFKA_SSL_CAFILE": self.ssl_cafile, "KAFKA_SSL_CERTFILE": self.ssl_certfile,
                 "KAFKA_SSL_KEYFILE": self.ssl_keyfile}  # fmt: skip
        if any(files.values()) and not self.uses_tls:
            raise SecurityError("KAFKA_SSL_* só valem com KAFKA_SECURITY_PROTOCOL=SSL ou SASL_SSL")
        if bool(self.ssl_certfile) != bool(self.ssl_keyfile):
            raise SecurityError("KAFKA_SSL_CERTFILE e KAFKA_SSL_KEYFILE vão juntos")
        for name, path in files.items():
            if path and not os.path.isfile(path):
                raise SecurityError(f"{name}={path!r}: arquivo não encontrado")


def as_connection(target: Connection | str) -> Connection:
    """A bare address (tests, the embedded broker) is a plaintext connection."""
    return target if isinstance(target, Connection) else Connection(target)
