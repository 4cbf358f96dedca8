"""The CSV monitor against the real embedded broker, checked through the dashboard's store."""

import contextlib
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from sales_monitor.fake_sales.faker import SaleFaker
from sales_monitor.fake_sales.produce import SOURCE
from sales_monitor.files.monitor import CsvMonitor
from sales_monitor.kafka.clients import make_producer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.publish import Publisher
from tests.helpers.factories import cents_by_id
from tests.helpers.waiting import wait_for

HEADER = "id;nome;idade;cidade;valor;timestamp"
SAMPLE = Path(__file__).parents[2] / "csv-monitor" / "vendas_exemplo.csv"


def line(r) -> str:
    reais = f"{r.value_cents // 100:,}".replace(",", ".")
    return f"{r.id};{r.name};{r.age};{r.city};{reais},{r.value_cents % 100:02d};{r.timestamp:%d/%m/%Y %H:%M:%S}"  # noqa: E501


def write(path: Path, records, encoding="utf-8") -> None:
    path.write_text("\n".join([HEADER, *map(line, records)]) + "\n", encoding=encoding)


@pytest.fixture
def monitor(broker, topic):
    producers = []

    def start(path: Path) -> CsvMonitor:
        producers.append(make_producer(broker.bootstrap))
        running = CsvMonitor(path, Connection(broker.bootstrap), topic, producers[-1])
        running.read_topic()
        return running

    yield start
    for producer in producers:
        producer.close()


@contextlib.contextmanager
def following(running: CsvMonitor):
    """The monitor following its file on a thread, stopped after the block."""
    stop = threading.Event()
    follower = threading.Thread(target=running.follow, args=(stop,), daemon=True)
    follower.start()
    try:
        yield follower
    finally:
        stop.set()
        follower.join(timeout=10)


def rows_of(live_stream) -> dict[int, int]:
    return cents_by_id(live_stream.store.snapshot())


@pytest.mark.broker
def test_ten_thousand_rows_then_10_edits_5_deletions_3_additions_send_18(
    tmp_path, monitor, live_stream
):
    faker = SaleFaker(seed=3)
    records = [faker.record() for _ in range(10_003)]
    path = tmp_path / "vendas.csv"
    write(path, records[:10_000])
    running = monitor(path)
    assert running.sync_file()
    assert wait_for(lambda: len(live_stream.store.snapshot()) == 10_000)
    sent = running.publisher.stats.acked
    assert sent == 10_000

    edited = [replace(r, value_cents=r.value_cents + 1) for r in records[:10]]
    kept = edited + records[10:9_995] + records[10_000:]  # 5 deleted, 3 added
    write(path, kept)
    assert running.sync_file()
    assert running.publisher.stats.acked - sent == 18
    expected = {r.id: r.value_cents for r in kept}
    assert wait_for(lambda: rows_of(live_stream) == expected)
    assert running.sync_file() and running.publisher.stats.acked - sent == 18  # no change


@pytest.mark.broker
def test_saves_by_rename_truncate_and_half_written_files_are_followed(
    tmp_path, monitor, live_stream
):
    faker = SaleFaker(seed=4)
    records = [faker.record() for _ in range(20)]
    path = tmp_path / "vendas.csv"
    write(path, records[:10])
    running = monitor(path)
    running.sync_file()
    with following(running):
        assert running.watching.wait(10)
        temp = tmp_path / ".vendas.csv.swp"  # an editor's save: a new file renamed over it
        write(temp, records[:12])
        os.replace(temp, path)
        assert wait_for(lambda: set(rows_of(live_stream)) == {r.id for r in records[:12]})

        with path.open("w") as file:  # truncated, then rewritten
            file.flush()
            time.sleep(0.05)  # the writer's pause between truncating and writing
            file.write("\n".join([HEADER, *map(line, records[2:14])]) + "\n")
        assert wait_for(lambda: set(rows_of(live_stream)) == {r.id for r in records[2:14]})

        text = "\n".join([HEADER, *map(line, records[2:15])])  # the last line, half written
        seen = running.changes_seen
        path.write_text(text[:-10])
        assert wait_for(lambda: running.changes_seen > seen)  # noticed: waiting for the writer
        assert set(rows_of(live_stream)) == {r.id for r in records[2:14]}
        path.write_text(text + "\n")
        assert wait_for(lambda: rows_of(live_stream).get(records[14].id) == records[14].value_cents)

        done = running.passes
        path.unlink()  # gone deletes nothing…
        assert wait_for(lambda: running.passes > done)  # the monitor has seen it go
        assert set(rows_of(live_stream)) == {r.id for r in records[2:15]}
        write(path, records[3:15])  # …and when it comes back, it is synced as it is
        assert wait_for(lambda: set(rows_of(live_stream)) == {r.id for r in records[3:15]})


@pytest.mark.broker
def test_bad_rows_are_reported_by_line_and_the_good_ones_sync(
    tmp_path, monitor, live_stream, capsys
):
    faker = SaleFaker(seed=5)
    good = [faker.record() for _ in range(3)]
    path = tmp_path / "vendas.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                line(good[0]),
                "x;Ana;30;Natal;1,00;27/08/2025 12:00",
                line(good[1]),
                line(good[1]),
                line(good[2]),
                "9;Bia;30;Natal",
            ]
        )
        + "\n"
    )
    running = monitor(path)
    assert running.sync_file()
    out = capsys.readouterr().out
    assert "linha 3: campo 'id' deve ser um número inteiro, veio 'x'" in out
    assert f"linha 5: id {good[1].id} repetido (primeira vez na linha 4)" in out
    assert "linha 7: a linha tem 4 colunas; o cabeçalho tem 6" in out
    assert "3 novos, 0 alterados, 0 removidos, 3 rejeitados" in out
    assert wait_for(lambda: set(rows_of(live_stream)) == {r.id for r in good})


@pytest.mark.broker
def test_rows_removed_while_stopped_are_deleted_and_other_writers_untouched(
    broker, topic, tmp_path, monitor, live_stream
):
    producer = make_producer(broker.bootstrap)
    faker = SaleFaker(seed=6)
    from_producer = [faker.record() for _ in range(100)]
    Publisher(producer, topic, SOURCE).send_all(from_producer)
    producer.flush()
    producer.close()
    mine = [faker.record() for _ in range(10)]
    path = tmp_path / "vendas.csv"
    write(path, mine)
    monitor(path).sync_file()
    assert wait_for(lambda: len(rows_of(live_stream)) == 110)
    write(path, mine[3:])  # edited while no monitor runs
    again = monitor(path)
    assert len(again.published) == 10  # found on the topic, not in a state file
    again.sync_file()
    assert again.publisher.stats.acked == 3
    expected = {r.id for r in from_producer} | {r.id for r in mine[3:]}
    assert wait_for(lambda: set(rows_of(live_stream)) == expected)


@pytest.mark.broker
def test_the_sample_loads_exact_to_the_cent_and_a_second_once_sends_nothing(
    broker, topic, live_stream
):
    text = SAMPLE.read_bytes().decode("cp1252")  # Excel pt-BR: Windows-1252, ';', CRLF
    lines = text.splitlines()[1:]
    cents = sum(
        int(Decimal(v.split(";")[4].replace(".", "").replace(",", ".")) * 100) for v in lines
    )
    command = [
        sys.executable,
        "-m",
        "sales_monitor.commands.csv_monitor",
        str(SAMPLE),
        "--once",
        "--bootstrap-server",
        broker.bootstrap,
        "--topic",
        topic,
    ]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert f"{len(lines)} novos, 0 alterados, 0 removidos, 0 rejeitados" in first.stdout
    assert wait_for(lambda: len(rows_of(live_stream)) == len(lines))
    assert sum(rows_of(live_stream).values()) == cents
    assert "ã" in "".join(
        live_stream.store.snapshot()["nome"].tolist()
        + live_stream.store.snapshot()["cidade"].tolist()
    )  # noqa: E501
    second = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert "0 novos, 0 alterados, 0 removidos, 0 rejeitados" in second.stdout
    assert "Resumo: 0 enviados, 0 rejeitados, 0 falhas." in second.stdout


@pytest.mark.unit
def test_an_unreadable_file_changes_nothing_and_says_why(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("nome;valor\nAna;1,00\n")
    result = subprocess.run(
        [sys.executable, "-m", "sales_monitor.commands.csv_monitor", str(path), "--once"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"Erro: {path} não pôde ser lido: o cabeçalho deve ter")
    assert result.stderr.count("\n") == 1


class _Done:
    """A delivery future that is already answered."""

    def __init__(self, ok: bool):
        self.ok, self.is_done = ok, True
        self.exception = None if ok else RuntimeError("KafkaTimeoutError: broker fora")

    def add_callback(self, f, *args):
        if self.ok:
            f(*args, None)
        return self

    def add_errback(self, f, *args):
        if not self.ok:
            f(*args, self.exception)
        return self

    def succeeded(self):
        return self.ok


class _FlakyProducer:
    """Fails every send until `up`; then acknowledges."""

    def __init__(self):
        self.up, self.sent = False, []

    def send(self, topic, key, value, headers, partition=None):
        self.sent.append(key)
        return _Done(self.up)

    def flush(self, timeout=None):
        pass


@pytest.mark.unit
def test_a_change_counts_as_published_only_once_acknowledged_and_is_sent_again(tmp_path, capsys):
    """Before: marked published before the acknowledgement, so a failed change was never
    retried, and the warning repeated cumulative counts on every later sync."""
    records = [SaleFaker(seed=8).record() for _ in range(3)]
    path = tmp_path / "vendas.csv"
    write(path, records)
    producer = _FlakyProducer()
    running = CsvMonitor(path, Connection("127.0.0.1:9"), "vendas", producer)
    report = running.sync_file()
    assert len(report.failed) == 3 and running.published == {}
    assert "Atenção: 3 mudanças não confirmadas pelo Kafka" in capsys.readouterr().out
    assert running.summary() == ("Resumo: 0 enviados, 0 rejeitados, 3 falhas.", 3)
    producer.up = True
    report = running.sync_file()  # the file did not change: the same 3 are sent again
    assert report.failed == [] and set(running.published) == {r.id for r in records}
    assert "Atenção" not in capsys.readouterr().out  # this sync's failures only: none
    assert running.sync_file().changes.messages == []  # and nothing more after that
    assert len(producer.sent) == 6
    # at the end, a failure a retry fixed is no failure
    assert running.summary() == ("Resumo: 3 enviados, 0 rejeitados, 0 falhas.", 0)


@pytest.mark.broker
def test_ownership_follows_the_dashboards_latest_write_rule(broker, topic, tmp_path):
    """A record at Kafka timestamp 1000, then at the next offset a tombstone stamped 900:
    the dashboard shows no such id, and the monitor no longer owned it before (it ordered
    by timestamp alone)."""
    from sales_monitor.files.sync import owned_records, source_for
    from sales_monitor.record import encode, encode_tombstone, source_headers

    path = tmp_path / "vendas.csv"
    headers = source_headers(source_for(path))
    gone, kept = SaleFaker(seed=9).record(), SaleFaker(seed=10).record()
    producer = make_producer(broker.bootstrap)
    producer.send(
        topic, key=encode(gone)[0], value=encode(gone)[1], headers=headers, timestamp_ms=1_000
    )
    producer.send(topic, key=encode_tombstone(gone.id)[0], value=None, timestamp_ms=900)
    producer.send(
        topic, key=encode(kept)[0], value=encode(kept)[1], headers=headers, timestamp_ms=800
    )
    producer.flush()
    producer.close()
    from sales_monitor.kafka.clients import open_consumer

    consumer = open_consumer(broker.bootstrap, topic)
    try:
        assert set(owned_records(consumer, source_for(path))) == {kept.id}
    finally:
        consumer.close()


@pytest.mark.broker
def test_a_topic_that_cannot_be_read_to_its_end_is_said_not_guessed(broker, topic, monkeypatch):
    """Before: the start-up read stopped silently after 30 s per partition."""
    from sales_monitor.errors import TopicNotRead
    from sales_monitor.files import sync as monitor_module
    from sales_monitor.kafka.clients import open_consumer

    producer = make_producer(broker.bootstrap)
    Publisher(producer, topic, SOURCE).send_all([SaleFaker(seed=11).record()])
    producer.flush()
    producer.close()

    class Stalled:  # a consumer whose fetches never return anything
        def __init__(self, real):
            self.real = real

        def poll(self, timeout_ms, max_records):
            return {}

        def __getattr__(self, name):
            return getattr(self.real, name)

    monkeypatch.setattr(monitor_module, "READ_STALL_S", 0.5)
    consumer = open_consumer(broker.bootstrap, topic)
    try:
        with pytest.raises(TopicNotRead, match="parou no offset 0 de 1"):
            monitor_module.owned_records(Stalled(consumer), "csv:x")
    finally:
        consumer.close()


@pytest.mark.broker
def test_the_watching_monitor_survives_a_line_past_every_bound(tmp_path, monitor, live_stream):
    """Before: a CSV field over 131,072 characters appended to the file ended the watch."""
    records = [SaleFaker(seed=12).record() for _ in range(3)]
    path = tmp_path / "vendas.csv"
    write(path, records[:2])
    running = monitor(path)
    running.sync_file()
    with following(running) as follower:
        with path.open("a") as file:
            file.write(f'9;"{"x" * 200_000}";30;Natal;1,00;27/08/2025 12:00\n')
        assert wait_for(lambda: running.last_report and running.last_report.rejected)
        with path.open("a") as file:
            file.write(line(records[2]) + "\n")
        assert wait_for(lambda: set(rows_of(live_stream)) == {r.id for r in records})
        assert follower.is_alive()


@pytest.mark.broker
def test_a_change_made_between_the_sync_and_the_watch_is_not_missed(tmp_path, monitor, live_stream):
    """Before: the watch started from the file as it was then, so a save between the first
    sync and the watch's start was never published (CI caught it as a flaky test)."""
    records = [SaleFaker(seed=13).record() for _ in range(2)]
    path = tmp_path / "vendas.csv"
    write(path, records[:1])
    running = monitor(path)
    running.sync_file()
    write(path, records)  # saved before the watch begins
    with following(running):
        assert wait_for(lambda: set(rows_of(live_stream)) == {r.id for r in records})


@pytest.mark.broker
def test_a_batch_the_client_cannot_decode_stops_the_start_up_read_with_its_place(
    broker, topic, mocker
):
    from sales_monitor.errors import TopicNotRead
    from sales_monitor.files.sync import owned_records
    from sales_monitor.kafka.clients import open_consumer
    from sales_monitor.record import encode
    from tests.helpers import foreign

    foreign.write(broker.bootstrap, topic, [encode(SaleFaker(seed=13).record())], "lz4")
    mocker.patch("kafka.codec.has_lz4", return_value=False)
    consumer = open_consumer(broker.bootstrap, topic)
    try:
        with pytest.raises(TopicNotRead, match="partição 0, offset 0: lote comprimido em lz4"):
            owned_records(consumer, "csv:x")
    finally:
        consumer.close()


@pytest.mark.broker
def test_the_start_up_read_counts_committed_sales_only(broker, topic, tmp_path):
    from sales_monitor.files.sync import owned_records, source_for
    from sales_monitor.kafka.clients import open_consumer
    from sales_monitor.record import encode
    from tests.helpers import foreign

    if type(broker).__name__ != "ApacheKafka":
        pytest.skip("o Tansu não diz ao cliente quais transações foram abortadas")
    source = source_for(tmp_path / "vendas.csv")
    kept, aborted = SaleFaker(seed=14).record(), SaleFaker(seed=15).record()
    headers = [("origem", source.encode())]
    writer = foreign.Transaction(broker.bootstrap, topic)
    writer.producer.begin_transaction()
    writer.producer.produce(
        topic, key=encode(aborted)[0], value=encode(aborted)[1], headers=headers
    )
    writer.producer.flush(30)
    writer.abort()
    writer.write([]).producer.produce(
        topic, key=encode(kept)[0], value=encode(kept)[1], headers=headers
    )
    writer.commit()
    consumer = open_consumer(broker.bootstrap, topic)
    try:
        assert set(owned_records(consumer, source)) == {kept.id}
    finally:
        consumer.close()
