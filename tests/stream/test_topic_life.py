"""The dashboard's consumer on topics as real clusters have them: written by librdkafka in
every codec and in transactions, grown, re-created and trimmed while it reads."""

from __future__ import annotations

import uuid

import pytest

from sales_monitor.kafka.browse import Query, TopicReader
from sales_monitor.kafka.clients import ensure_topic, open_consumer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.offsets import read_offsets
from sales_monitor.record import encode
from sales_monitor.stream import consumer as consumer_module
from sales_monitor.stream.consumer import LossCause, StreamConsumer
from sales_monitor.stream.store import RecordStore
from tests.helpers import foreign
from tests.helpers.factories import cents_by_id, sale
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.broker

TANSU_ABORTS = "o Tansu não diz ao cliente quais transações foram abortadas (ver as notas)"
TANSU_GROWS = "o Tansu recusa create_partitions (UNSUPPORTED_FEATURE)"


def sales(ids, cents: int = 1_000) -> list[tuple[bytes, bytes]]:
    return [encode(sale(i, cents=cents)) for i in ids]


def table(stream: StreamConsumer) -> dict[int, int]:
    return cents_by_id(stream.store.snapshot())


def only_apache(broker, why: str) -> None:
    if type(broker).__name__ != "ApacheKafka":
        pytest.skip(why)


def test_every_codec_is_read_in_one_partition(broker, topic, live_stream):
    ids = iter(range(1, 10_000))
    written = {}
    for codec in [*foreign.CODECS, *reversed(foreign.CODECS)]:  # each codec after each other
        batch = [next(ids) for _ in range(50)]
        foreign.write(broker.bootstrap, topic, sales(batch), codec)
        written |= dict.fromkeys(batch, 1_000)
    assert wait_for(lambda: table(live_stream) == written)
    assert live_stream.status.lag == 0 and live_stream.status.set_aside == {}
    page = TopicReader(Connection(broker.bootstrap), topic).browse(Query(per_page=1_000))
    assert sorted(m.offset for m in page.messages) == list(range(500))


def test_a_zstd_frame_without_content_size_over_1_mib_is_read(broker, topic, live_stream, mocker):
    """Java's producer streams zstd, so its frames do not say their size; kafka-python
    once refused such a frame past 1 MiB."""
    import zstandard

    from sales_monitor.kafka.clients import make_producer

    mocker.patch(
        "kafka.codec.zstd_encode",
        lambda payload: zstandard.ZstdCompressor(write_content_size=False).compress(payload),
    )
    producer = make_producer(
        broker.bootstrap,
        compression_type="zstd",
        batch_size=4 * 1024 * 1024,
        linger_ms=500,
        max_request_size=8 * 1024 * 1024,
    )
    messages = sales(range(1, 12_001))
    assert sum(len(k) + len(v) for k, v in messages) > 1024 * 1024
    futures = [producer.send(topic, key=k, value=v) for k, v in messages]
    producer.flush()
    producer.close()
    assert {f.get(10).offset for f in futures[:1]} == {0}
    assert wait_for(lambda: len(table(live_stream)) == 12_000)


def test_aborted_sales_never_count_and_markers_are_not_lag(broker, topic, live_stream):
    only_apache(broker, TANSU_ABORTS)
    foreign.write(broker.bootstrap, topic, sales(range(1, 7), cents=2_500))  # R$ 150,00
    foreign.Transaction(broker.bootstrap, topic).write(sales([101, 102, 103], 100_000)).abort()
    foreign.Transaction(broker.bootstrap, topic).write(sales([7], 100)).commit()
    want = dict.fromkeys(range(1, 7), 2_500) | {7: 100}
    assert wait_for(lambda: table(live_stream) == want and live_stream.status.lag == 0)
    status = live_stream.status
    assert status.caught_up and status.reading is None and status.held == {}
    # 6 sales, 3 aborted, 2 markers, 1 committed: the position passes the markers
    assert status.positions == status.highwater == {0: 12}

    restarted = StreamConsumer(Connection(broker.bootstrap), topic, RecordStore())
    restarted.start()
    try:
        assert wait_for(lambda: restarted.status.caught_up and table(restarted) == want)
        assert restarted.status.reading is None
    finally:
        restarted.stop()


def test_an_open_transaction_holds_reading_and_is_named(broker, topic, live_stream):
    only_apache(broker, TANSU_ABORTS)
    foreign.write(broker.bootstrap, topic, sales([1, 2]))
    open_one = foreign.Transaction(broker.bootstrap, topic).write(sales([3, 4], 5_000))
    foreign.write(broker.bootstrap, topic, sales([5]))  # after the open one: held back too
    assert wait_for(lambda: live_stream.status.held == {0: 3})
    assert table(live_stream) == dict.fromkeys([1, 2], 1_000)
    assert live_stream.status.lag == 0 and live_stream.status.caught_up
    # Inspecionar's reads stop at the stable end instead of waiting for the transaction
    offsets = TopicReader(Connection(broker.bootstrap), topic).offsets()
    assert [(o.earliest, o.latest) for o in offsets] == [(0, 2)]
    open_one.commit()
    want = dict.fromkeys([1, 2, 5], 1_000) | dict.fromkeys([3, 4], 5_000)
    assert wait_for(lambda: table(live_stream) == want and live_stream.status.held == {})


def test_partitions_added_while_running_are_read(broker, topic, live_stream):
    only_apache(broker, TANSU_GROWS)
    foreign.write(broker.bootstrap, topic, sales([1]))
    assert wait_for(lambda: table(live_stream) == {1: 1_000})
    foreign.grow(broker.bootstrap, topic, 4)
    for partition in (1, 2, 3):
        foreign.write(broker.bootstrap, topic, sales([10 + partition]), partition=partition)
    want = {1: 1_000, 11: 1_000, 12: 1_000, 13: 1_000}
    assert wait_for(lambda: table(live_stream) == want)
    assert live_stream.status.partitions == (0, 1, 2, 3) and live_stream.status.lag == 0


def test_a_recreated_topic_rebuilds_the_table_and_says_so(broker, topic, live_stream):
    foreign.write(broker.bootstrap, topic, sales(range(1, 9)))
    assert wait_for(lambda: len(table(live_stream)) == 8)
    foreign.delete_topic(broker.bootstrap, topic)
    ensure_topic(broker.bootstrap, topic, partitions=1)
    foreign.write(broker.bootstrap, topic, sales([6, 7, 8, 20, 21], cents=500))
    want = dict.fromkeys([6, 7, 8, 20, 21], 500)
    assert wait_for(lambda: table(live_stream) == want and live_stream.status.caught_up)
    loss = live_stream.status.data_loss
    assert loss is not None and loss.cause == LossCause.TOPIC_RECREATED
    assert wait_for(lambda: live_stream.status.data_loss.lost == 3)


def test_records_deleted_before_being_read_are_counted_and_reading_goes_on(broker, topic):
    only_apache(broker, "o DeleteRecords derruba uma tarefa do Tansu (ver as notas)")
    foreign.write(broker.bootstrap, topic, sales(range(1, 16)))
    foreign.delete_records_before(broker.bootstrap, topic, 0, 12)
    stream = StreamConsumer(Connection(broker.bootstrap), topic, RecordStore())
    # as a dashboard that read 5 of them before its broker went away for a while
    stream.status = stream.status.__class__(
        bootstrap=broker.bootstrap, topic=topic, positions={0: 5}
    )
    stream.start()
    try:
        assert wait_for(lambda: table(stream) == dict.fromkeys([13, 14, 15], 1_000))
        assert wait_for(lambda: stream.status.expired is not None)
        assert stream.status.expired.messages == 7 and stream.status.lag == 0
    finally:
        stream.stop()


def test_an_undecodable_batch_sets_its_partition_aside_and_the_rest_goes_on(
    broker, live_stream_two_partitions, mocker
):
    stream, name = live_stream_two_partitions
    mocker.patch.object(consumer_module, "RETRY_SET_ASIDE_S", 0.5)
    foreign.write(broker.bootstrap, name, sales([1]), partition=1)
    assert wait_for(lambda: table(stream) == {1: 1_000})
    missing = mocker.patch("kafka.codec.has_lz4", return_value=False)
    foreign.write(broker.bootstrap, name, sales([2, 3]), "lz4", partition=1)
    foreign.write(broker.bootstrap, name, sales([4]), partition=0)
    assert wait_for(lambda: 1 in stream.status.set_aside)
    assert "partição" not in stream.status.set_aside[1]
    assert "offset 1" in stream.status.set_aside[1] and "lz4" in stream.status.set_aside[1]
    assert wait_for(lambda: table(stream) == {1: 1_000, 4: 1_000})
    assert stream.status.state == "conectado" and stream.status.lag == 2
    # Inspecionar lists what it can read, and names the batch it cannot
    page = TopicReader(Connection(broker.bootstrap), name).browse(Query(partition=1))
    shown = sorted((m.offset, m.verdict_text) for m in page.messages)
    assert [offset for offset, _ in shown] == [0, 1]
    assert shown[0][1] == "aceito" and "lz4" in shown[1][1]
    mocker.stop(missing)
    assert wait_for(lambda: table(stream) == dict.fromkeys([1, 2, 3, 4], 1_000))
    assert wait_for(lambda: stream.status.set_aside == {} and stream.status.lag == 0)


@pytest.fixture
def live_stream_two_partitions(broker):
    name = f"t-two-{uuid.uuid4().hex[:8]}"
    ensure_topic(broker.bootstrap, name, partitions=2)
    stream = StreamConsumer(Connection(broker.bootstrap), name, RecordStore())
    stream.start()
    yield stream, name
    stream.stop()


def test_offsets_of_a_read_committed_topic_end_at_its_stable_end(broker, topic):
    foreign.write(broker.bootstrap, topic, sales(range(1, 4)), "zstd")
    consumer = open_consumer(broker.bootstrap, topic)
    try:
        assert [(o.earliest, o.latest) for o in read_offsets(consumer)] == [(0, 3)]
    finally:
        consumer.close()
