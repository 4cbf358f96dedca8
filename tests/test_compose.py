"""docker-compose.yml, checked by the real Compose v2 binary (no Docker engine needed)."""

import json
import subprocess
from importlib.util import find_spec
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[1]


def compose_binary() -> Path:
    spec = find_spec("compose")
    return Path(spec.submodule_search_locations[0]) / "docker-compose"


def compose(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(compose_binary()), "-f", str(ROOT / "docker-compose.yml"), *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_compose_file_is_valid():
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_kafka_ui_reaches_kafka_and_the_host_gets_localhost_9092():
    services = json.loads(compose("config", "--format", "json").stdout)["services"]
    kafka, ui = services["kafka"], services["kafka-ui"]
    assert [(p["published"], p["target"]) for p in kafka["ports"]] == [("9092", 9092)]
    assert "HOST://localhost:9092" in kafka["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    assert ui["environment"]["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] == "kafka:29092"
    assert [(p["published"], p["target"]) for p in ui["ports"]] == [("8080", 8080)]
