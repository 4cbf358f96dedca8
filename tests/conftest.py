"""Shared fixtures: one real embedded Kafka broker per test session, fresh topics per test."""

from __future__ import annotations

import uuid

import pytest

from sales_monitor.broker import EmbeddedBroker, free_port
from sales_monitor.kafka_io import ensure_topic


@pytest.fixture(scope="session")
def broker():
    with EmbeddedBroker(port=free_port()) as running:
        yield running


@pytest.fixture
def topic(broker, request) -> str:
    """A new single-partition topic, named after the test (Tansu would auto-create 4)."""
    name = f"t-{request.node.name[:40]}-{uuid.uuid4().hex[:8]}".replace("[", "-").replace("]", "")
    ensure_topic(broker.bootstrap, name, partitions=1)
    return name
