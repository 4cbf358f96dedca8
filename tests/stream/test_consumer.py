import random
import time

import pytest

from sales_monitor.brokers.ports import free_port
from sales_monitor.brokers.tansu import Tansu
from sales_monitor.kafka.clients import ensure_topic, make_producer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.publish import Publisher
from sales_monitor.record import Tombstone, encode, encode_tombstone
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.stream.store import RecordStore
from tests.helpers.factories import cents_by_id, sale
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.broker


def publish(bootstrap: str, topic: str, messages) -> None:
    """Write them all, each confirmed by the broker (a lost one fails here, by name, not
    later as a count that never arrives)."""
    producer = make_producer(bootstrap, linger_ms=20)
    try:
        sent = [producer.send(topic, key=key, value=value) for key, value in messages]
        producer.flush()
        for future in sent:
            future.get(timeout=10)
    finally:
        producer.close()


def test_repeated_ids_and_tombstones_give_exact_count_and_total(broker, topic, live_stream):
    rng = random.Random(7)
    latest: dict[int, int] = {}
    messages = []
    for i in range(8_000):  # 8,000 distinct ids...
        cents = rng.randint(5_000, 200_000)
        latest[i + 1] = cents
        messages.append(encode(sale(i + 1, cents=cents)))
    for i in rng.sample(range(1, 8_001), 2_000):  # ...2,000 of them written again...
        latest[i] = rng.randint(5_000, 200_000)
        messages.append(encode(sale(i, cents=latest[i])))
    for i in rng.sample(range(1, 8_001), 500):  # ...and 500 deleted
        latest.pop(i)
        messages.append(encode_tombstone(i))
    assert len(messages) == 10_500
    publish(broker.bootstrap, topic, messages)
    assert wait_for(lambda: live_stream.status.consumed == 10_500)
    frame = live_stream.store.snapshot()
    assert len(frame) == len(latest) == 7_500
    assert int(frame["valor_centavos"].sum()) == sum(latest.values())
    assert live_stream.status.lag == 0 and live_stream.status.positions == {0: 10_500}


def test_invalid_messages_are_counted_kept_and_kept_out_of_the_table(broker, topic, live_stream):
    publish(
        broker.bootstrap,
        topic,
        [
            encode(sale(1)),
            (b"2", b"{not json"),
            (None, b'{"id": 3}'),
            (b"4", b"x" * 500),
            encode(sale(5)),
        ],
    )
    assert wait_for(lambda: live_stream.status.consumed == 5)
    assert live_stream.store.snapshot()["id"].tolist() == [1, 5]
    assert live_stream.status.invalid == 3
    kept = list(live_stream.invalid_messages)
    assert [(m.partition, m.offset) for m in kept] == [(0, 1), (0, 2), (0, 3)]
    assert "não é JSON" in kept[0].reason and kept[0].raw == "{not json"
    assert "'nome'" in kept[1].reason
    assert len(kept[2].raw) == 201 and kept[2].raw.endswith("…")


def test_two_dashboards_each_see_every_message(broker, topic, live_stream):
    other = StreamConsumer(Connection(broker.bootstrap), topic, RecordStore())
    other.start()
    try:
        publish(broker.bootstrap, topic, [encode(sale(i)) for i in range(1, 1_001)])
        assert wait_for(
            lambda: len(live_stream.store.snapshot()) == len(other.store.snapshot()) == 1_000
        )
    finally:
        other.stop()


def test_all_partitions_are_read(broker):
    name = f"four-partitions-{free_port()}"
    ensure_topic(broker.bootstrap, name, partitions=4)
    producer = make_producer(broker.bootstrap)
    for i in range(1, 401):
        producer.send(name, key=str(i).encode(), value=encode(sale(i))[1], partition=i % 4)
    producer.flush()
    producer.close()
    consumer = StreamConsumer(Connection(broker.bootstrap), name, RecordStore())
    consumer.start()
    try:
        assert wait_for(lambda: len(consumer.store.snapshot()) == 400)
        assert consumer.status.partitions == (0, 1, 2, 3)
    finally:
        consumer.stop()


def test_rewind_rebuilds_from_the_beginning_after_clear(broker, topic, live_stream):
    publish(broker.bootstrap, topic, [encode(sale(i)) for i in range(1, 51)])
    assert wait_for(lambda: len(live_stream.store.snapshot()) == 50)
    live_stream.store.clear()  # "Esvaziar a tabela": only new messages from now on
    publish(broker.bootstrap, topic, [encode(sale(51))])
    assert wait_for(lambda: live_stream.store.snapshot()["id"].tolist() == [51])
    publish(broker.bootstrap, topic, [(b"52", b"not json")])
    assert wait_for(lambda: live_stream.status.invalid == 1)
    live_stream.rewind()  # "Reler o tópico do início"
    assert wait_for(lambda: len(live_stream.store.snapshot()) == 51)
    assert wait_for(lambda: live_stream.status.positions == {0: 52})
    assert (
        live_stream.status.invalid == 1 and len(live_stream.invalid_messages) == 1
    )  # not counted twice


def test_waits_for_a_missing_topic_then_reads_it(broker):
    name = f"later-{free_port()}"
    consumer = StreamConsumer(Connection(broker.bootstrap), name, RecordStore())
    consumer.start()
    try:
        assert wait_for(lambda: consumer.status.state == "sem tópico")
        ensure_topic(broker.bootstrap, name)
        publish(broker.bootstrap, name, [encode(sale(1))])
        assert wait_for(lambda: len(consumer.store.snapshot()) == 1)
        assert consumer.status.connected
    finally:
        consumer.stop()


def test_broker_down_is_reported_and_recovery_rebuilds_from_the_new_topic():
    port = free_port()
    first = Tansu(port).start()
    ensure_topic(first.bootstrap, "csv-data")
    consumer = StreamConsumer(Connection(first.bootstrap), "csv-data", RecordStore())
    consumer.start()
    try:
        publish(first.bootstrap, "csv-data", [encode(sale(i)) for i in range(1, 101)])
        assert wait_for(lambda: len(consumer.store.snapshot()) == 100)
        first.stop()
        assert wait_for(lambda: consumer.status.state == "broker indisponível", timeout=15)
        assert consumer.status.checked_at is not None  # the page dates the numbers it shows
        assert consumer.status.data_loss is None
        with Tansu(port) as second:  # in-memory: comes back empty
            ensure_topic(second.bootstrap, "csv-data")
            publish(second.bootstrap, "csv-data", [encode(sale(i)) for i in range(500, 505)])
            assert wait_for(
                lambda: consumer.store.snapshot()["id"].tolist() == list(range(500, 505))
            )
            assert consumer.status.connected
            assert consumer.status.data_loss.rows_before == 100
            # the topic is a new one, but what happened is the broker's restart
            assert consumer.status.data_loss.cause == "o Kafka voltou sem os dados"
    finally:
        consumer.stop()


def test_records_per_second_counts_the_last_minute(broker, topic, live_stream):
    publish(broker.bootstrap, topic, [encode(sale(i)) for i in range(1, 121)])
    assert wait_for(lambda: live_stream.status.consumed == 120)
    assert live_stream.arrivals.per_second() == pytest.approx(2.0)
    assert live_stream.arrivals.per_second(now=time.time() + 61) == 0


def test_messages_written_by_every_path_reach_the_table_with_their_source(
    broker, topic, live_stream
):
    """Kafka UI (null key, pretty JSON, partition 0, no header), then `send` and the
    inspector's publisher; a tombstone from each path removes its id."""
    kafka_ui = (
        b'{\n  "id": 200,\n  "nome": "Novo Usuario",\n  "idade": 28,\n  "cidade": "Recife",\n'
        b'  "valor": 450.00,\n  "timestamp": "2025-08-27T12:00:00"\n}'
    )
    producer = make_producer(broker.bootstrap)
    producer.send(topic, key=None, value=kafka_ui, partition=0)
    for source, record_id in (("send", 201), ("inspetor", 202)):
        Publisher(producer, topic, source).send(sale(record_id))
    producer.flush()
    assert wait_for(lambda: live_stream.status.consumed == 3)
    frame = live_stream.store.snapshot()
    assert dict(zip(frame["id"], frame["origem"], strict=True)) == {
        200: "manual",
        201: "send",
        202: "inspetor",
    }
    assert frame.loc[frame["id"] == 200, "valor_centavos"].item() == 45_000
    producer.send(topic, key=b"200", value=None, partition=0)  # Kafka UI: empty value
    for source, record_id in (("send", 201), ("inspetor", 202)):
        Publisher(producer, topic, source).send(Tombstone(record_id))
    producer.flush()
    producer.close()
    assert wait_for(lambda: live_stream.status.consumed == 6)
    assert live_stream.store.snapshot().empty


def test_a_corpus_of_bad_messages_mixed_with_good_ones_gives_the_exact_table(
    broker, topic, live_stream
):
    from tests.helpers.corpus import BAD_MESSAGES as ALL_BAD

    # kafka-python will not send a message with neither key nor value
    BAD_MESSAGES = [bad for bad in ALL_BAD if bad[0] is not None or bad[1] is not None]
    good = [encode(sale(i, cents=i * 101)) for i in range(1, len(BAD_MESSAGES) + 2)]
    mixed = [m for pair in zip(good, BAD_MESSAGES, strict=False) for m in (pair[0], pair[1][:2])]
    mixed.append(good[-1])
    publish(broker.bootstrap, topic, mixed)
    assert wait_for(lambda: live_stream.status.consumed == len(mixed))
    frame = live_stream.store.snapshot()
    assert frame["id"].tolist() == list(range(1, len(good) + 1))
    assert frame["valor_centavos"].tolist() == [i * 101 for i in range(1, len(good) + 1)]
    assert live_stream.status.invalid == len(BAD_MESSAGES) >= 25
    reasons = [m.reason for m in sorted(live_stream.invalid_messages, key=lambda m: m.offset)]
    assert len(reasons) == len(BAD_MESSAGES)
    for reason, (_, _, expected) in zip(reasons, BAD_MESSAGES, strict=True):
        assert expected in reason


def test_a_flood_of_invalid_messages_and_a_1_mb_one_stay_bounded(
    broker, topic, live_stream, mocker
):
    import time as clock

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.helpers.page import PAGE

    flood = [(None, b'{"id": %d, "nome": ""}' % i) for i in range(50_000)]
    huge = (None, b'{"id": 1, "nome": "' + b"x" * 1_000_000 + b'"}')
    valid = [encode(sale(i)) for i in range(1, 11)]
    publish(broker.bootstrap, topic, [*valid[:5], *flood, huge, *valid[5:]])
    assert wait_for(lambda: live_stream.status.consumed == 50_011, timeout=60)
    assert len(live_stream.store.snapshot()) == 10 and live_stream.status.invalid == 50_001
    kept = list(live_stream.invalid_messages)
    assert len(kept) == 100  # the newest, each with its reason and at most 200 characters
    assert all(len(m.raw) <= 201 and m.reason for m in kept)
    assert kept[-1].reason.startswith("campo 'nome' tem 1000000 caracteres")
    st.cache_resource.clear()
    mocker.patch("sales_monitor.ui.resources.shared_stream", return_value=live_stream)
    started = clock.monotonic()
    app = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not app.exception and clock.monotonic() - started < 30
    assert {m.label: m.value for m in app.metric}["Total Registros"] == "10"
    assert app.dataframe[-1].value["motivo"].iloc[0].startswith("campo 'nome'")
    st.cache_resource.clear()


def test_a_dashboard_started_before_its_broker_recovers_by_itself():
    port = free_port()
    consumer = StreamConsumer(Connection(f"127.0.0.1:{port}"), "csv-data", RecordStore())
    consumer.start()
    try:
        assert wait_for(lambda: consumer.status.state == "broker indisponível")
        with Tansu(port) as late:
            ensure_topic(late.bootstrap, "csv-data")
            publish(late.bootstrap, "csv-data", [encode(sale(i)) for i in range(1, 4)])
            assert wait_for(lambda: consumer.store.snapshot()["id"].tolist() == [1, 2, 3])
            assert consumer.status.connected
    finally:
        consumer.stop()


def test_on_many_partitions_a_rebuilt_table_equals_the_live_one_and_the_latest_writes(broker):
    """Ids written twice on different partitions in both orders (keyed on 1-3, and Kafka UI
    style on partition 0, later), then deleted from yet another partition; one id gets an
    older write (partition 4) after its delete."""
    topic = f"many-{time.monotonic_ns()}"
    ensure_topic(broker.bootstrap, topic, partitions=5)
    live = StreamConsumer(Connection(broker.bootstrap), topic, RecordStore())
    live.start()
    base = 1_750_000_000_000
    writes = []  # (partition, key, value, timestamp ms), in the order they are sent
    for i in range(1, 41):
        key, keyed_value = encode(sale(i, cents=100 + i))
        keyed = (1 + i % 3, key, keyed_value, base + i * 100)
        by_hand = (0, None, encode(sale(i, cents=900 + i))[1], base + i * 100 + 50)
        writes += [keyed, by_hand] if i % 2 else [by_hand, keyed]  # sent in both orders
    for i in range(31, 41):  # deleted later, from another partition
        writes.append((1 + (i + 1) % 3, str(i).encode(), None, base + i * 100 + 70))
    key, value = encode(sale(33, cents=1))
    writes.append((4, key, value, base + 3_000))  # older than its delete: stays deleted
    producer = make_producer(broker.bootstrap)
    for partition, key, value, ts in writes:
        producer.send(topic, key=key, value=value, partition=partition, timestamp_ms=ts)
        producer.flush()  # one at a time: the live dashboard reads them in this order
    producer.close()
    expected = {i: 900 + i for i in range(1, 31)}
    assert wait_for(lambda: live.status.consumed == len(writes))
    rebuilt = StreamConsumer(Connection(broker.bootstrap), topic, RecordStore())
    rebuilt.start()
    try:
        assert wait_for(lambda: rebuilt.status.consumed == len(writes))
        for reader in (live, rebuilt):
            frame = reader.store.snapshot()
            assert cents_by_id(frame) == expected
    finally:
        live.stop()
        rebuilt.stop()


def test_hostile_messages_from_any_client_leave_exactly_the_good_sales(broker, topic, live_stream):
    """Before: the first of these ended the consumer thread while the page said
    "conectado", and a restarted dashboard died on the same message."""
    from tests.helpers.apache import ApacheKafka
    from tests.helpers.hostile import (
        ABSURD_TIMES,
        HOSTILE_REJECTED,
        HOSTILE_VALID,
        publish_hostile,
    )

    before = [encode(sale(i, cents=i * 111)) for i in range(1, 6)]
    after = [encode(sale(i, cents=i * 111)) for i in range(6, 11)]
    publish(broker.bootstrap, topic, before)
    refused = publish_hostile(broker.bootstrap, topic, first_id=100)
    # Kafka's behaviour: timestamps centuries ahead are refused at the broker; Tansu's: kept
    assert refused == (ABSURD_TIMES if isinstance(broker, ApacheKafka) else 0)
    publish(broker.bootstrap, topic, after)
    valid = HOSTILE_VALID - refused
    total = 10 + HOSTILE_REJECTED + valid
    assert wait_for(lambda: live_stream.status.consumed == total, timeout=60)
    frame = live_stream.store.snapshot()
    good = frame[frame["id"] < 100]
    assert good["id"].tolist() == list(range(1, 11))
    assert int(good["valor_centavos"].sum()) == 111 * 55
    assert len(frame) == 10 + valid and live_stream.status.connected
    assert int(frame["valor_centavos"].sum()) == 111 * 55 + valid * 1_234
    rejected = sorted(live_stream.invalid_messages, key=lambda m: m.offset)
    assert [m.offset for m in rejected] == list(range(5, 5 + HOSTILE_REJECTED))
    assert "não consegue ler" in rejected[3].reason  # the header name kafka-python can't parse
    # a second dashboard, started now, reads the same table with the same verdicts
    again = StreamConsumer(Connection(broker.bootstrap), topic, RecordStore())
    again.start()
    try:
        assert wait_for(lambda: again.status.consumed == total, timeout=60)
        assert again.store.snapshot()["id"].tolist() == frame["id"].tolist()
        assert [m.reason for m in again.invalid_messages] == [m.reason for m in rejected]
    finally:
        again.stop()
