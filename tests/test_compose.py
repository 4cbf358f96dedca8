"""docker-compose.yml, checked by the real Compose v2 binary (no Docker engine needed)."""

import json
import subprocess
from importlib.util import find_spec
from pathlib import Path

import pytest

from sales_monitor.brokers import jars

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[1]


def compose_binary() -> Path:
    spec = find_spec("compose")
    return Path(spec.submodule_search_locations[0]) / "docker-compose"


def compose(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(compose_binary()), "-f", str(ROOT / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def services() -> dict:
    return json.loads(compose("config", "--format", "json").stdout)["services"]


def published(service: dict) -> list[tuple[str, str, int]]:
    return [(p.get("host_ip"), p["published"], p["target"]) for p in service.get("ports", [])]


def test_compose_file_is_valid():
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_kafka_ui_at_8081_and_kafka_at_9092_on_loopback_only(services):
    assert published(services["kafka-ui"]) == [("127.0.0.1", "8081", 8080)]
    assert published(services["kafka"]) == [("127.0.0.1", "9092", 9092)]
    for name, service in services.items():
        assert all(host == "127.0.0.1" for host, _, _ in published(service)), name


def test_kraft_without_zookeeper_and_kafka_ui_reaches_the_broker(services):
    assert "zookeeper" not in services
    kafka = services["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "HOST://localhost:9092" in kafka["KAFKA_ADVERTISED_LISTENERS"]
    ui = services["kafka-ui"]["environment"]
    assert ui["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] == "kafka:29092"


def test_every_image_is_pinned(services):
    for name, service in services.items():
        image = service["image"]
        assert ":" in image and not image.endswith((":latest", ":main")), f"{name}: {image}"


def test_the_topic_is_created_once_the_broker_is_healthy_before_kafka_ui(services):
    job = services["create-topic"]
    command = " ".join(job["command"])
    assert "--create" in command and "--if-not-exists" in command
    assert "--topic=csv-data" in command and "--bootstrap-server=kafka:29092" in command
    assert job["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert job.get("restart", "no") == "no"
    ui_needs = services["kafka-ui"]["depends_on"]["create-topic"]
    assert ui_needs["condition"] == "service_completed_successfully"


def test_the_compose_file_runs_the_apache_kafka_the_project_runs(services):
    """One version everywhere: the embedded engine and the `apache` tests run the jars of
    `jars.KAFKA_VERSION`; compose users get the same release."""
    images = {s["image"] for s in services.values() if s["image"].startswith("apache/kafka:")}
    assert images == {f"apache/kafka:{jars.KAFKA_VERSION}"}
    assert {jar.version for jar in jars.manifest() if jar.group == "org.apache.kafka"} == {
        jars.KAFKA_VERSION
    }
