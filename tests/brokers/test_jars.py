"""Kafka's jars: fetched with progress, checked against their SHA-1, never used half-written.

A local HTTP server plays Maven Central, with jars of random bytes; it can cut a download
short, serve wrong bytes or be gone.
"""

import hashlib
import http.server
import io
import os
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_monitor.brokers import jars
from sales_monitor.brokers.jars import Jar
from sales_monitor.errors import EmbeddedBrokerError

pytestmark = pytest.mark.unit


def make_jar(artifact: str, body: bytes, group: str = "org.example") -> Jar:
    return Jar(group, artifact, "1.0", hashlib.sha1(body).hexdigest(), len(body))


class Repository(http.server.ThreadingHTTPServer):
    """Serves `files` by URL path; `cut` names paths whose body stops halfway (the
    connection drops), `wrong` paths served with other bytes of the same length."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.cut: set[str] = set()
        self.wrong: set[str] = set()
        self.asked: list[str] = []
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/maven2"

    def publish(self, jar: Jar, body: bytes) -> None:
        self.files[jar.url("/maven2")] = body


class Handler(http.server.BaseHTTPRequestHandler):
    server: Repository

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.asked.append(self.path)
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        if self.path in self.server.wrong:
            body = bytes(b ^ 0xFF for b in body)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path in self.server.cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)  # the line drops mid-download
            return
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def repository():
    server = Repository()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def two_jars(repository):
    bodies = {"alpha": os.urandom(700_000), "beta": os.urandom(300_000)}
    found = [make_jar(name, body) for name, body in bodies.items()]
    for jar in found:
        repository.publish(jar, bodies[jar.artifact])
    return found, bodies


def test_a_first_run_fetches_every_jar_with_progress_to_the_last_byte(
    repository, two_jars, tmp_path
):
    wanted, bodies = two_jars
    seen = []
    folder = jars.ensure(
        tmp_path, wanted, repository.url, lambda done, total: seen.append((done, total))
    )
    assert {path.name for path in folder.iterdir()} == {"alpha-1.0.jar", "beta-1.0.jar"}
    assert (folder / "alpha-1.0.jar").read_bytes() == bodies["alpha"]
    assert seen[-1] == (1_000_000, 1_000_000)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)  # only forward
    assert all(total == 1_000_000 for _, total in seen)


def test_a_second_run_is_offline(repository, two_jars, tmp_path):
    wanted, _ = two_jars
    jars.ensure(tmp_path, wanted, repository.url)
    asked = len(repository.asked)
    jars.ensure(tmp_path, wanted, "http://127.0.0.1:9/nothing-listens-here")
    assert len(repository.asked) == asked


def test_an_interrupted_download_leaves_no_jar_and_the_next_run_completes(
    repository, two_jars, tmp_path
):
    wanted, bodies = two_jars
    cut = wanted[0].url("/maven2")
    repository.cut.add(cut)
    with pytest.raises(EmbeddedBrokerError, match="a conexão caiu no meio do download"):
        jars.ensure(tmp_path, wanted, repository.url)
    assert not (tmp_path / "alpha-1.0.jar").exists()  # a .part, never a jar
    repository.cut.discard(cut)
    jars.ensure(tmp_path, wanted, repository.url)
    assert (tmp_path / "alpha-1.0.jar").read_bytes() == bodies["alpha"]
    assert not list(tmp_path.glob("*.part"))


def test_bytes_other_than_the_published_are_refused_and_never_used(repository, two_jars, tmp_path):
    wanted, _ = two_jars
    repository.wrong.add(wanted[1].url("/maven2"))
    with pytest.raises(EmbeddedBrokerError, match="diferente do publicado no Maven Central"):
        jars.ensure(tmp_path, wanted, repository.url)
    assert not (tmp_path / "beta-1.0.jar").exists() and not list(tmp_path.glob("*.part"))


def test_a_damaged_cached_jar_is_fetched_again(repository, two_jars, tmp_path):
    wanted, bodies = two_jars
    jars.ensure(tmp_path, wanted, repository.url)
    damaged = bytearray(bodies["beta"])
    damaged[1000] ^= 1  # same size, one bit off
    (tmp_path / "beta-1.0.jar").write_bytes(bytes(damaged))
    assert jars.stale(tmp_path, wanted) == [wanted[1]]
    jars.ensure(tmp_path, wanted, repository.url)
    assert (tmp_path / "beta-1.0.jar").read_bytes() == bodies["beta"]


def test_no_network_says_what_the_first_run_needs(tmp_path):
    wanted = [make_jar("alpha", b"x")]
    with pytest.raises(EmbeddedBrokerError) as raised:
        jars.ensure(tmp_path, wanted, "http://127.0.0.1:9/maven2")
    assert "precisa de internet" in str(raised.value) and "\n" not in str(raised.value)


def test_a_missing_artifact_names_the_server_answer(repository, tmp_path):
    with pytest.raises(EmbeddedBrokerError, match="o servidor respondeu 404"):
        jars.ensure(tmp_path, [make_jar("ghost", b"boo")], repository.url)


@given(
    group=st.from_regex(r"[a-z][a-z0-9]{0,8}(\.[a-z][a-z0-9]{0,8}){0,3}", fullmatch=True),
    artifact=st.from_regex(r"[a-z][a-z0-9_.-]{0,20}", fullmatch=True),
)
def test_a_jar_s_url_follows_maven_s_layout(group, artifact):
    jar = Jar(group, artifact, "4.1.0", "0" * 40, 1)
    path = f"{group.replace('.', '/')}/{artifact}/4.1.0/{artifact}-4.1.0.jar"
    assert jar.url("https://repo.example/maven2/") == f"https://repo.example/maven2/{path}"


def test_the_manifest_is_kafka_s_release_with_its_published_checksums():
    found = jars.manifest()
    assert len(found) == len({jar.name for jar in found}) > 40
    broker = [
        jar for jar in found if (jar.group, jar.artifact) == ("org.apache.kafka", "kafka_2.13")
    ]
    assert [jar.version for jar in broker] == [jars.KAFKA_VERSION]
    assert all(len(jar.sha1) == 40 and int(jar.sha1, 16) >= 0 and jar.size > 0 for jar in found)
    assert 40_000_000 < sum(jar.size for jar in found) < 50_000_000  # the README says ~44 MB


def test_ctrl_c_during_the_download_stops_it_and_the_next_run_finishes(
    repository, two_jars, tmp_path
):
    from sales_monitor.brokers.engines import DownloadProgress

    wanted, bodies = two_jars
    stop = threading.Event()
    printed = io.StringIO()
    report = DownloadProgress(printed, stop)

    def progress(done: int, total: int) -> None:
        if done > 300_000:
            stop.set()  # Ctrl-C in the middle of the first jar
        report(done, total)

    with pytest.raises(EmbeddedBrokerError, match="continua de onde parou"):
        jars.ensure(tmp_path, wanted, repository.url, progress)
    assert not list(tmp_path.glob("*.jar"))
    assert "Baixando o Apache Kafka" in printed.getvalue()
    jars.ensure(tmp_path, wanted, repository.url)
    assert (tmp_path / "alpha-1.0.jar").read_bytes() == bodies["alpha"]
