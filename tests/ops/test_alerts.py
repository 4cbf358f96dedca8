"""When the team is told: each event once, its recovery once, from successive readings."""

from dataclasses import replace
from datetime import timedelta

import pytest

from sales_monitor.ops.alerts import AlertRules, Thresholds
from sales_monitor.stream.status import Reading, StreamState, StreamStatus
from tests.helpers.factories import T0, sale, table

pytestmark = pytest.mark.unit

LIVE = StreamStatus(state=StreamState.CONNECTED, caught_up=True)
RULES = Thresholds(
    high_ticket_cents=1_000_00,
    stall=timedelta(minutes=10),
    outage=timedelta(seconds=60),
    group=timedelta(seconds=30),
)


def reading(*records, version=1, status=LIVE) -> Reading:
    return Reading(version, table(*records), 0, status, 0.0, [], [])


def test_a_burst_of_high_tickets_is_one_message_naming_the_largest():
    rules = AlertRules(RULES)
    history = [sale(1, cents=5_000_00)]  # in the topic before: not news
    assert rules.check(reading(*history), T0) == []
    burst = [sale(2, "Natal", 2_000_00), sale(3, "Belém", 9_000_00), sale(4, cents=10_00)]
    assert rules.check(reading(*history, *burst[:1], version=2), T0) == []
    assert rules.check(reading(*history, *burst, version=3), T0 + timedelta(seconds=10)) == []
    (alert,) = rules.check(reading(*history, *burst, version=3), T0 + timedelta(seconds=30))
    assert alert.event == "high_ticket"
    assert alert.title == "2 vendas altas; a maior: R$ 9.000,00 em Belém"
    assert alert.body.splitlines() == [
        "R$ 9.000,00 em Belém (id 3)",
        "R$ 2.000,00 em Natal (id 2)",
        "Limite: R$ 1.000,00.",
    ]
    assert "Cliente" not in alert.title + alert.body  # customers' names stay home
    later = T0 + timedelta(minutes=5)
    assert rules.check(reading(*history, *burst, version=4), later) == []  # said once


def test_a_rebuilt_table_is_history_again():
    rules = AlertRules(replace(RULES, group=timedelta(0)))
    rules.check(reading(), T0)
    rebuilt = replace(LIVE, rebuilds=1)
    assert rules.check(reading(sale(9, cents=50_000_00), version=2, status=rebuilt), T0) == []


def test_a_stalled_stream_is_said_once_and_so_is_its_return():
    rules = AlertRules(RULES)
    assert rules.check(reading(status=replace(LIVE, last_arrival_at=T0)), T0) == []
    flowing = replace(LIVE, last_arrival_at=T0 + timedelta(minutes=1))
    assert rules.check(reading(status=flowing), T0 + timedelta(minutes=5)) == []
    (stalled,) = rules.check(reading(status=flowing), T0 + timedelta(minutes=11))
    assert stalled.event == "stalled" and "há 10 minutos" in stalled.body
    assert rules.check(reading(status=flowing), T0 + timedelta(minutes=30)) == []
    back = replace(LIVE, last_arrival_at=T0 + timedelta(minutes=31))
    (flowing_again,) = rules.check(reading(status=back), T0 + timedelta(minutes=31))
    assert flowing_again.event == "flowing" and "30 minutos" in flowing_again.body


def test_history_alone_is_no_flow_to_stall():
    rules = AlertRules(RULES)
    read_at_start = replace(LIVE, last_arrival_at=T0 - timedelta(seconds=1))
    assert rules.check(reading(status=read_at_start), T0) == []
    assert rules.check(reading(status=read_at_start), T0 + timedelta(hours=2)) == []


def test_kafka_down_longer_than_the_limit_is_said_once_and_its_return_once():
    rules = AlertRules(RULES)
    down = StreamStatus(state=StreamState.BROKER_DOWN, detail="conexão recusada")
    assert rules.check(reading(status=down), T0) == []
    assert rules.check(reading(status=down), T0 + timedelta(seconds=59)) == []
    (outage,) = rules.check(reading(status=down), T0 + timedelta(seconds=60))
    assert outage.body == "O Kafka está inacessível há 60 segundos: conexão recusada"
    assert rules.check(reading(status=down), T0 + timedelta(seconds=90)) == []
    (back,) = rules.check(reading(), T0 + timedelta(seconds=95))
    assert back.event == "recovered" and "95 segundos" in back.body


def test_a_short_blip_says_nothing():
    rules = AlertRules(RULES)
    rules.check(reading(status=StreamStatus(state=StreamState.BROKER_DOWN)), T0)
    assert rules.check(reading(), T0 + timedelta(seconds=5)) == []


def test_a_slow_hour_against_yesterday_and_its_return():
    rules = AlertRules(replace(RULES, hour_share=0.5))
    now = T0 + timedelta(days=1)
    yesterday = [
        replace(sale(n, cents=100_00), timestamp=T0 - timedelta(minutes=n)) for n in (1, 2)
    ]
    slow = [replace(sale(9, cents=50_00), timestamp=now - timedelta(minutes=5))]
    (alert,) = rules.check(reading(*yesterday, *slow), now)
    assert alert.event == "slow_hour"
    assert alert.body == ("Última hora: R$ 50,00, -75,0% contra a mesma hora de ontem (R$ 200,00).")
    assert rules.check(reading(*yesterday, *slow), now + timedelta(minutes=2)) == []
    busy = [replace(sale(10, cents=300_00), timestamp=now)]
    (back,) = rules.check(reading(*yesterday, *slow, *busy), now + timedelta(minutes=4))
    assert back.event == "hour_back"


def test_nothing_is_said_of_sales_until_the_table_caught_up():
    rules = AlertRules(replace(RULES, group=timedelta(0), hour_share=0.5))
    reading_topic = replace(LIVE, caught_up=False, last_arrival_at=T0)
    many = [sale(n, cents=9_000_00) for n in range(1, 50)]
    assert rules.check(reading(*many, status=reading_topic), T0 + timedelta(hours=1)) == []
