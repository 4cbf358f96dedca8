"""Shared fixtures: one real embedded Kafka broker per test session, fresh topics per test,
and the dashboard's consumer, running on that broker or seeded for the page alone."""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import replace

import pytest
import streamlit as st
from hypothesis import settings as hypothesis_settings

from sales_monitor.brokers import engines
from sales_monitor.brokers.ports import free_port
from sales_monitor.brokers.tansu import Tansu
from sales_monitor.kafka.clients import ensure_topic
from sales_monitor.kafka.connection import Connection
from sales_monitor.settings import Settings
from sales_monitor.stream.consumer import StreamConsumer, StreamState, StreamStatus
from sales_monitor.stream.store import RecordStore
from tests.helpers import apache as apache_kafka
from tests.helpers.tls import make_certificates

# The embedded Apache Kafka keeps its log in a data folder: the tests' own, never the user's
# (the jars' cache stays the user's, so they are fetched once per machine).
os.environ["SALES_MONITOR_DATA_DIR"] = tempfile.mkdtemp(prefix="sales-monitor-tests-")

# Every run draws the same Hypothesis examples: a failure reproduces, and CI never meets a
# new one by chance. `HYPOTHESIS_PROFILE=search uv run pytest` searches at random instead.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("search")
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def apache(tmp_path_factory):
    """Apache Kafka's own broker, one KRaft node with a listener for every security mode
    (`tests/helpers/apache.py`); skipped with the reason where its jars cannot be
    fetched, except where SALES_MONITOR_REQUIRE_APACHE=1 (CI) makes that a failure."""
    why = apache_kafka.missing()
    if why is not None:
        if os.environ.get("SALES_MONITOR_REQUIRE_APACHE") == "1":
            pytest.fail(why)
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("apache")
    certs = make_certificates(folder)
    node = apache_kafka.ApacheKafka(
        folder,
        apache_kafka.security_listeners(certs),
        settings={"log.cleaner.backoff.ms": "100"},  # compaction within a test
    )
    node.certs = certs  # the CA and client certificate the security tests connect with
    with node:
        yield node


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path_factory, monkeypatch):
    """Each test its own data folder (Kafka's log, the targets file): a target one test saves
    is never another test's. Processes started for a whole module keep the session's."""
    monkeypatch.setenv("SALES_MONITOR_DATA_DIR", str(tmp_path_factory.mktemp("data")))


# the platform's embedded default: Tansu where its wheel exists, else Apache Kafka
EMBEDDED = engines.chosen(replace(Settings.from_env().embedded, engine=None))


@pytest.fixture(
    scope="session", params=[EMBEDDED, pytest.param("apache", marks=pytest.mark.apache)]
)
def broker(request, tmp_path_factory):
    """Every test that crosses the wire runs on both: the embedded default (Tansu, in
    memory, where it exists; Apache Kafka elsewhere) and Apache Kafka with every security
    listener."""
    if request.param == "apache":
        yield request.getfixturevalue("apache")
        return
    if request.param == "tansu":
        with Tansu(port=free_port()) as running:
            yield running
        return
    with apache_kafka.ApacheKafka(tmp_path_factory.mktemp("embedded")) as running:
        yield running


@pytest.fixture
def live_stream(broker, topic):
    """A running dashboard consumer on the test's topic, stopped after the test."""
    consumer = StreamConsumer(Connection(broker.bootstrap), topic, RecordStore())
    consumer.start()
    yield consumer
    consumer.stop()


@pytest.fixture
def topic(broker, request) -> str:
    """A new single-partition topic, named after the test (Tansu would auto-create 4)."""
    name = f"t-{request.node.name[:40]}-{uuid.uuid4().hex[:8]}".replace("[", "-").replace("]", "")
    ensure_topic(broker.bootstrap, name, partitions=1)
    return name


@pytest.fixture
def seeded_stream(mocker):
    """A consumer that is never started: the page reads its store and status."""
    st.cache_resource.clear()
    consumer = StreamConsumer(Connection("127.0.0.1:9"), "csv-data", RecordStore(max_rows=100))
    consumer.status = StreamStatus(
        state=StreamState.CONNECTED,
        bootstrap="127.0.0.1:9",
        topic="csv-data",
        partitions=(0,),
        positions={0: 5},
        highwater={0: 7},
        consumed=5,
    )
    mocker.patch("sales_monitor.ui.resources.shared_stream", return_value=consumer)
    yield consumer
    st.cache_resource.clear()


# The fast tier (`uv run pytest -m fast`): every unit test except those that start a Python
# process per case (the command-line tests), wait out a client's connection timeouts, or
# search hundreds of property examples. They all still run in `-m unit` and in CI.
SLOW_UNIT = (
    "tests/commands/",
    "tests/test_properties.py",
    "tests/test_record_columns.py",
    "tests/kafka/test_clients.py",
    "tests/kafka/test_connection.py",
)


def pytest_collection_modifyitems(config, items):
    root = config.rootpath
    for item in items:
        where = item.path.relative_to(root).as_posix()
        if item.get_closest_marker("unit") and not where.startswith(SLOW_UNIT):
            item.add_marker(pytest.mark.fast)
