"""Every write path ends the same way: acknowledgements awaited within a bound, the
producer closed, a true summary, whatever the broker does."""

import pytest
from kafka.errors import KafkaTimeoutError

from sales_monitor.kafka.publish import DeliveryStats, Publisher, end_write
from tests.helpers.factories import sale


class StuckProducer:
    """A producer whose broker went away after it was built: sends queue, flush times out,
    close raises as kafka-python 3's does with records still waiting."""

    def __init__(self):
        self.closed = False

    def send(self, topic, key, value, headers, partition=None):
        return _Pending()

    def flush(self, timeout=None):
        raise KafkaTimeoutError(f"Failed to flush buffered records within {timeout} secs")

    def close(self, timeout=None):
        self.closed = True
        raise KafkaTimeoutError("close timed out")

    @property
    def _sender(self):
        return self

    def force_close(self):
        pass

    def join(self, timeout=None):
        pass


class _Pending:
    def add_callback(self, *args):
        return self

    def add_errback(self, *args):
        return self


@pytest.mark.unit
def test_the_oldest_unanswered_record_sets_the_outage_clock():
    """Before: the clock ran from the last acknowledgement, so a producer sending every 5 s
    said "sem resposta há 5 s" about a record sent a moment ago."""
    stats = DeliveryStats()
    stats.on_send(now=0.0)
    stats.on_ack(None)
    assert stats.waiting_s(now=100.0) == 0.0  # nothing waiting
    stats.on_send(now=100.0)
    assert stats.waiting_s(now=100.5) == 0.5
    stats.on_send(now=104.0)
    assert stats.waiting_s(now=105.0) == 5.0  # the older of the two
    stats.on_error(RuntimeError("x"))
    assert stats.waiting_s(now=105.0) == 1.0


@pytest.mark.unit
def test_a_broker_gone_mid_write_ends_in_a_summary_not_a_traceback():
    publisher = Publisher(StuckProducer(), "t", "send")
    publisher.send_all([sale(1), sale(2)])
    stats = end_write(publisher, timeout=0.1, close_wait_s=0.1)
    assert publisher.producer.closed
    assert stats.summary(rejected=0) == "Resumo: 0 enviados, 0 rejeitados, 2 falhas."
    line = stats.error_line("127.0.0.1:9092")
    assert line.startswith("Erro: 2 mensagens não confirmadas pelo Kafka em 127.0.0.1:9092")
    assert line.endswith("(o Kafka não respondeu a tempo).")


@pytest.mark.broker
def test_against_a_real_broker_that_stopped_after_the_producer_was_built():
    from sales_monitor.kafka.clients import ensure_topic, make_producer
    from sales_monitor.kafka.embedded import EmbeddedBroker, free_port

    broker = EmbeddedBroker(free_port()).start()
    try:
        ensure_topic(broker.bootstrap, "vendas")
        producer = make_producer(
            broker.bootstrap, max_block_ms=500, request_timeout_ms=400, delivery_timeout_ms=1_000
        )
    finally:
        broker.stop()
    publisher = Publisher(producer, "vendas", "send")
    publisher.send_all([sale(i) for i in range(1, 4)])
    stats = end_write(publisher, timeout=1.0, close_wait_s=1.0)  # raised KafkaTimeoutError
    assert stats.acked == 0 and stats.failed + stats.unconfirmed == 3
    assert stats.summary(0).endswith("3 falhas.")
