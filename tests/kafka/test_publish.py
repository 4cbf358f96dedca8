"""Every write path ends the same way: acknowledgements awaited within a bound, the
producer closed, a true summary, whatever the broker does."""

import threading

import pytest
from kafka.errors import KafkaTimeoutError

from sales_monitor.errors import KafkaFailure
from sales_monitor.kafka.publish import COUNT_AT, DeliveryStats, Publisher, end_write
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
    """A send the broker has not answered (yet): kafka-python's future, as far as the
    counts read it."""

    def __init__(self):
        self.is_done, self.exception = False, None

    def answer(self, error: BaseException | None = None) -> None:
        self.is_done, self.exception = True, error


@pytest.mark.unit
def test_the_oldest_unanswered_record_sets_the_outage_clock():
    """Before: the clock ran from the last acknowledgement, so a producer sending every 5 s
    said "sem resposta há 5 s" about a record sent a moment ago."""
    stats, sends = DeliveryStats(), [_Pending() for _ in range(3)]
    stats.track(sends[0], now=0.0)
    sends[0].answer()
    assert stats.waiting_s(now=100.0) == 0.0  # nothing waiting
    stats.track(sends[1], now=100.0)
    assert stats.waiting_s(now=100.5) == 0.5
    stats.track(sends[2], now=104.0)
    assert stats.waiting_s(now=105.0) == 5.0  # the older of the two
    sends[1].answer(RuntimeError("x"))
    assert stats.waiting_s(now=105.0) == 1.0


@pytest.mark.unit
def test_answers_are_counted_in_send_order_and_exactly_once_all_are_in():
    stats, sends = DeliveryStats(), [_Pending() for _ in range(4)]
    for send in sends:
        stats.track(send)
    sends[1].answer()
    sends[2].answer(KafkaTimeoutError("expirou"))
    assert (stats.acked, stats.failed, stats.unconfirmed) == (0, 0, 4)  # the oldest waits
    sends[0].answer()
    assert (stats.acked, stats.failed, stats.unconfirmed) == (2, 1, 1)
    assert isinstance(stats.last_error, KafkaFailure)  # kafka-python's, as the project's
    sends[3].answer()
    assert (stats.attempted, stats.acked, stats.failed, stats.unconfirmed) == (4, 3, 1, 0)
    assert stats.summary() == "Resumo: 3 enviados, 1 falha."


@pytest.mark.unit
def test_pages_reading_the_counts_while_answers_arrive_count_each_answer_once():
    """Two readers (pages) count while the sender tracks and the broker answers, one in
    seven a failure: neither may count a record twice or before its answer."""
    stats, sends = DeliveryStats(), [_Pending() for _ in range(20_000)]
    done = threading.Event()
    readings: list[list[int]] = [[], []]

    def read(seen: list[int]) -> None:
        while not done.is_set():
            seen.append(stats.acked)

    readers = [threading.Thread(target=read, args=(seen,)) for seen in readings]
    for reader in readers:
        reader.start()
    for n, send in enumerate(sends):
        stats.track(send)
        send.answer(RuntimeError("recusado") if n % 7 == 0 else None)
    done.set()
    for reader in readers:
        reader.join()
    failures = len(range(0, 20_000, 7))
    assert (stats.acked, stats.failed, stats.unconfirmed) == (20_000 - failures, failures, 0)
    assert all(seen == sorted(seen) for seen in readings)


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
    from sales_monitor.brokers.ports import free_port
    from sales_monitor.brokers.tansu import Tansu
    from sales_monitor.kafka.clients import ensure_topic, make_producer

    broker = Tansu(free_port()).start()
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


@pytest.mark.unit
def test_a_writer_whose_counts_nobody_reads_keeps_only_the_unanswered():
    stats = DeliveryStats()
    for _ in range(3 * COUNT_AT):
        answered = _Pending()
        answered.answer()
        stats.track(answered)
    waiting = _Pending()
    stats.track(waiting)
    assert len(stats._waiting) <= COUNT_AT + 1  # the answered ones counted on the way
    assert (stats.acked, stats.unconfirmed) == (3 * COUNT_AT, 1)


@pytest.mark.unit
def test_a_batch_stopped_midway_still_counts_what_was_handed_over():
    class Interrupted(StuckProducer):
        def send(self, topic, key, value, headers, partition=None):
            if key == b"3":
                raise KeyboardInterrupt
            return _Pending()

    publisher = Publisher(Interrupted(), "t", "produtor")
    with pytest.raises(KeyboardInterrupt):
        publisher.send_messages([(b"1", b"{}"), (b"2", b"{}"), (b"3", b"{}")])
    assert (publisher.stats.attempted, publisher.stats.unconfirmed) == (2, 2)
