"""The inspector's topic reader against the real broker: offsets, order, pages, search."""

from datetime import timedelta

import pytest

from sales_monitor.kafka.browse import Query, TopicReader
from sales_monitor.kafka.clients import ensure_topic, make_producer, open_consumer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.publish import Publisher
from sales_monitor.record import encode
from tests.helpers.apache import ApacheKafka
from tests.helpers.factories import T0, sale

pytestmark = pytest.mark.broker


@pytest.fixture
def four(broker, topic):
    """A 4-partition topic: ids 1..40 on partition id % 4, sent one by one (time-ordered),
    then 10 more, keyed, in one batch."""
    name = topic + "-4p"
    ensure_topic(broker.bootstrap, name, partitions=4)
    producer = make_producer(broker.bootstrap)
    publisher = Publisher(producer, name, "send")
    for i in range(1, 41):
        key, value = encode(sale(i, minute=i))
        producer.send(name, key=key, value=value, partition=i % 4, timestamp_ms=_ms(i))
        producer.flush()
    publisher.send_all([sale(i, minute=100 + i) for i in range(41, 51)])
    publisher.finish()
    producer.close()
    return TopicReader(Connection(broker.bootstrap), name)


def _ms(minute: int) -> int:
    return int((T0 + timedelta(minutes=minute)).timestamp() * 1000)


def test_offsets_count_every_message_even_where_end_offsets_under_reports(four, broker):
    offsets = four.offsets()
    assert [o.partition for o in offsets] == [0, 1, 2, 3]
    assert sum(o.messages for o in offsets) == 50
    assert all(o.earliest == 0 for o in offsets)
    if isinstance(broker, ApacheKafka):  # the highwater workaround agrees with Kafka's answer
        consumer = open_consumer(broker.bootstrap, four.topic)
        try:
            assert consumer.end_offsets([0, 1, 2, 3]) == {o.partition: o.latest for o in offsets}
        finally:
            consumer.close()


def test_newest_first_across_partitions_with_pages(four):
    first = four.browse(Query(per_page=5, partition=None))
    assert first.more and not first.cut_short
    newest = [int(m.key) for m in first.messages]
    assert newest[0] in range(41, 51)  # the last batch, written after the rest
    end = four.offsets()[1].latest
    page = four.browse(Query(partition=1, per_page=3, page=1))
    assert [m.offset for m in page.messages] == [end - 4, end - 5, end - 6]
    assert all(m.partition == 1 for m in page.messages)


def test_from_offset_time_and_search(four):
    from_offset = four.browse(Query(partition=2, from_offset=3, per_page=50))
    assert [m.offset for m in from_offset.messages] == [3, 2, 1, 0]
    before = T0 + timedelta(minutes=10, seconds=30)
    by_time = four.browse(Query(before=before, per_page=50, partition=None))
    assert sorted(int(m.key) for m in by_time.messages if m.key) == list(range(1, 11))
    found = four.browse(Query(search="cliente 37", per_page=50))
    assert [int(m.key) for m in found.messages] == [37]
    assert found.messages[0].verdict_text == "aceito"
