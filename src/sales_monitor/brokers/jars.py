"""Apache Kafka's jars, fetched once from Maven Central into the user's cache and used
offline afterwards.

`KAFKA_VERSION` is the one place the project names Kafka's version: the manifest beside this
file lists that version's jars with the SHA-1 Maven Central publishes for each, and the tests
check that docker-compose.yml runs the same version. A jar is written to `<name>.part`,
checked against its SHA-1, and only then renamed into place: an interrupted download leaves
no jar behind (the next run fetches that one again), and a cached jar whose bytes changed is
fetched again before Kafka starts.
"""

from __future__ import annotations

import hashlib
import http.client
import importlib.resources
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sales_monitor.errors import EmbeddedBrokerError
from sales_monitor.settings import MAVEN_CENTRAL

KAFKA_VERSION = "4.1.0"
CHUNK = 256 * 1024
TIMEOUT_S = 30.0

Progress = Callable[[int, int], None]  # bytes fetched so far, bytes in all


@dataclass(frozen=True, slots=True)
class Jar:
    group: str
    artifact: str
    version: str
    sha1: str
    size: int

    @property
    def name(self) -> str:
        return f"{self.artifact}-{self.version}.jar"

    def url(self, repository: str) -> str:
        folder = "/".join([*self.group.split("."), self.artifact, self.version])
        return f"{repository.rstrip('/')}/{folder}/{self.name}"


def manifest(version: str = KAFKA_VERSION) -> list[Jar]:
    """The jars of Kafka `version`, from the manifest shipped with the package."""
    text = (importlib.resources.files(__package__) / f"kafka-{version}.jars").read_text()
    return [parse_line(line) for line in text.splitlines() if line and not line.startswith("#")]


def parse_line(line: str) -> Jar:
    coordinates, sha1, size = line.split()
    group, artifact, version = coordinates.split(":")
    return Jar(group, artifact, version, sha1, int(size))


def sha1_of(path: Path) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stale(folder: Path, jars: Iterable[Jar]) -> list[Jar]:
    """The jars `folder` lacks, or holds with other bytes than Maven Central's."""
    return [
        jar
        for jar in jars
        if not (path := folder / jar.name).is_file()
        or path.stat().st_size != jar.size
        or sha1_of(path) != jar.sha1
    ]


def ensure(
    folder: Path,
    jars: list[Jar],
    repository: str = MAVEN_CENTRAL,
    progress: Progress = lambda done, total: None,
) -> Path:
    """`folder`, holding every jar checked against its SHA-1; fetches what is missing or
    damaged. Raises EmbeddedBrokerError (no network, a server error, a wrong checksum)."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = stale(folder, jars)
    total, done = sum(jar.size for jar in wanted), 0
    for jar in wanted:
        _fetch(jar, folder, repository, partial(_overall, progress, done, total))
        done += jar.size
    if wanted:
        progress(total, total)
    return folder


def _overall(progress: Progress, before: int, total: int, fetched: int) -> None:
    progress(before + fetched, total)


def _fetch(jar: Jar, folder: Path, repository: str, progress: Callable[[int], None]) -> None:
    part = folder / f"{jar.name}.part"
    digest, fetched = hashlib.sha1(usedforsecurity=False), 0
    try:
        with (
            urllib.request.urlopen(jar.url(repository), timeout=TIMEOUT_S) as reply,
            part.open("wb") as file,
        ):
            while chunk := reply.read(CHUNK):
                file.write(chunk)
                digest.update(chunk)
                fetched += len(chunk)
                progress(fetched)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        raise EmbeddedBrokerError(
            f"não foi possível baixar {jar.name} de {repository} ({_reason(error)}); "
            "o primeiro uso do Apache Kafka precisa de internet (depois funciona sem ela)"
        ) from error
    if fetched < jar.size:  # a dropped connection can look like a short, clean end
        raise EmbeddedBrokerError(
            f"não foi possível baixar {jar.name} de {repository} (a conexão caiu no meio do "
            f"download, {fetched} de {jar.size} bytes); rode de novo para continuar"
        )
    if digest.hexdigest() != jar.sha1:
        part.unlink(missing_ok=True)
        raise EmbeddedBrokerError(
            f"{jar.name} chegou diferente do publicado no Maven Central (SHA-1 "
            f"{digest.hexdigest()}, esperado {jar.sha1}); nada foi usado, tente de novo"
        )
    os.replace(part, folder / jar.name)


def _reason(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"o servidor respondeu {error.code}"
    if isinstance(error, urllib.error.URLError):
        return f"sem conexão: {error.reason}"
    if isinstance(error, http.client.IncompleteRead):
        return "a conexão caiu no meio do download"
    return str(error) or type(error).__name__
