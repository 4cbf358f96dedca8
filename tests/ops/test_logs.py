"""Logs a machine can read: one JSON object a line, the figures as their own fields."""

import json
import logging

import pytest

from sales_monitor.ops import logs
from sales_monitor.ops.service import log_figures
from sales_monitor.stream.status import Reading, StreamState, StreamStatus
from tests.helpers.factories import sale, table

pytestmark = pytest.mark.unit


@pytest.fixture
def json_logs(capsys):
    ours = logging.getLogger("sales_monitor")
    before = (ours.handlers[:], ours.level, ours.propagate)
    logs.configure("json")
    yield lambda: [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    ours.handlers[:], ours.level, ours.propagate = before


def test_each_event_is_one_json_line_with_the_streams_figures(json_logs):
    status = StreamStatus(state=StreamState.CONNECTED, consumed=1_234, invalid=5, caught_up=True)
    log_figures(Reading(3, table(sale(1), sale(2)), 0, status, 2.5, [], []))
    logging.getLogger("sales_monitor.test").warning('um "aviso"\ncom duas linhas')
    figures, warning = json_logs()
    assert figures["message"].startswith("leitura: 1.234 lidas, 5 recusadas, 2 vendas")
    assert (figures["consumed"], figures["invalid"], figures["rows"], figures["state"]) == (
        1_234, 5, 2, "connected",
    )  # fmt: skip
    assert (figures["level"], figures["logger"]) == ("info", "sales_monitor.ops.service")
    assert warning["message"] == 'um "aviso"\ncom duas linhas' and warning["level"] == "warning"


def test_an_exception_travels_inside_its_line(json_logs):
    try:
        raise ValueError("quebrou")
    except ValueError:
        logging.getLogger("sales_monitor.test").exception("falhou")
    (event,) = json_logs()
    assert event["message"] == "falhou" and "ValueError: quebrou" in event["exception"]


def test_text_is_left_as_it_was():
    ours = logging.getLogger("sales_monitor")
    before = ours.handlers[:]
    logs.configure("text")
    assert ours.handlers == before
