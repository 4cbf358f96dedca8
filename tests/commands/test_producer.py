import os
import pty
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sales_monitor.commands.flags import ask_seconds
from sales_monitor.fake_sales.faker import SaleFaker
from sales_monitor.fake_sales.pace import DEFAULT_INTERVAL, MAX_BATCH, Pace, run
from sales_monitor.fake_sales.produce import SOURCE
from sales_monitor.kafka.clients import make_producer
from sales_monitor.kafka.publish import DeliveryStats, Publisher, send_change
from sales_monitor.record import SaleRecord, decode
from tests.helpers.topic import messages_in, read_topic
from tests.helpers.waiting import wait_for

SCRIPT = Path(__file__).parents[2] / "csv-monitor" / "fake_data_producer.py"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class ClockedStop(threading.Event):
    """A stop event whose wait() advances a fake clock instead of sleeping."""

    def __init__(self, clock: FakeClock):
        super().__init__()
        self.clock, self.waits = clock, []

    def wait(self, timeout=None):
        self.waits.append(timeout)
        self.clock.now += timeout
        return self.is_set()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("period", "sent", "elapsed", "due"),
    [
        (1.0, 0, 0.0, 1),
        (1.0, 1, 0.5, 0),
        (1.0, 1, 1.0, 1),
        (1.0, 1, 3.2, 3),  # behind schedule: catches up
        (0.001, 0, 10.0, MAX_BATCH),  # never more than one batch at once
        (0.0, 123, 0.0, MAX_BATCH),  # no pause: always a full batch
    ],
)
def test_pace_says_how_many_records_are_due(period, sent, elapsed, due):
    assert Pace(period).due(sent, elapsed) == due


@pytest.mark.unit
def test_run_sends_one_record_per_interval_until_count():
    clock, sent = FakeClock(), []
    stop = ClockedStop(clock)
    total = run(sent.extend, SaleFaker(seed=1).messages, Pace(2.0), stop, count=4, clock=clock)
    assert total == 4 and len(sent) == 4
    assert stop.waits == [2.0, 2.0, 2.0]
    assert all(isinstance(decode(*message), SaleRecord) for message in sent)


@pytest.mark.unit
def test_run_at_a_rate_sends_in_batches():
    clock, sent = FakeClock(), []
    stop = ClockedStop(clock)
    run(sent.extend, SaleFaker(seed=1).messages, Pace(1 / 1000), stop, count=5_000, clock=clock)
    assert len(sent) == 5_000
    assert len(stop.waits) < 150  # batched, one wait per tick, not one per record


@pytest.mark.unit
def test_run_stops_when_asked():
    stop = threading.Event()
    stop.set()
    assert run(lambda batch: None, SaleFaker(seed=1).messages, Pace(1.0), stop) == 0


@pytest.mark.unit
@pytest.mark.parametrize(
    ("answer", "interval"), [("", DEFAULT_INTERVAL), ("2", 2.0), (" 0,5 ", 0.5), ("0", 0.0)]
)
def test_prompt_accepts_enter_and_numbers(answer, interval):
    assert ask_seconds(DEFAULT_INTERVAL, lambda _prompt: answer) == interval


@pytest.mark.unit
@pytest.mark.parametrize("answer", ["abc", "-1", "nan", "inf"])
def test_prompt_asks_again_after_what_is_not_an_interval(answer):
    answers, said = iter([answer, "2"]), []
    assert ask_seconds(DEFAULT_INTERVAL, lambda _prompt: next(answers), said.append) == 2.0
    assert (
        len(said) == 1 and said[0].startswith("intervalo inválido") and "tente de novo" in said[0]
    )


@pytest.mark.unit
def test_failed_sends_are_counted_not_raised(mocker):
    producer = mocker.Mock()
    producer.send.side_effect = TimeoutError("buffer full")
    stats = DeliveryStats()
    send_change(producer, "t", SaleFaker(seed=1).record(), stats)
    assert (stats.attempted, stats.failed, stats.acked) == (1, 1, 0)
    assert "1 falha" in stats.summary()


def producer_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


@pytest.mark.broker
def test_ten_thousand_fake_records_arrive_with_distinct_ids(broker, topic):
    producer = make_producer(broker.bootstrap, linger_ms=20)
    publisher, faker = Publisher(producer, topic, SOURCE), SaleFaker()
    for _ in range(10):
        publisher.send_messages(faker.messages(1_000))  # the command's way: a batch per tick
    stats = publisher.finish()
    producer.close()
    assert stats.acked == 10_000
    messages = read_topic(broker.bootstrap, topic, expected=10_000)
    records = [decode(m.key, m.value, m.headers) for m in messages]
    assert len(records) == 10_000
    assert all(isinstance(r, SaleRecord) and r.source == "produtor" for r in records)
    assert len({r.id for r in records}) == 10_000


@pytest.mark.broker
def test_cli_count_run_sends_exactly_that_many(broker, topic):
    result = producer_cli(
        "--count",
        "25",
        "--interval",
        "0",
        "--quiet",
        "--bootstrap-server",
        broker.bootstrap,
        "--topic",
        topic,
    )
    assert result.returncode == 0, result.stderr
    assert "Resumo: 25 enviados, 0 falhas." in result.stdout
    assert len(read_topic(broker.bootstrap, topic, expected=25)) == 25


@pytest.mark.broker
def test_cli_creates_a_missing_topic_with_the_partitions_asked(broker):
    from kafka import KafkaAdminClient

    name = f"new-topic-{os.getpid()}"
    result = producer_cli(
        "--count", "1", "--partitions", "3", "--bootstrap-server", broker.bootstrap, "--topic", name
    )
    assert result.returncode == 0, result.stderr
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    (described,) = admin.describe_topics([name])
    admin.close()
    assert len(described["partitions"]) == 3


def _interactive(broker, topic: str, count: int) -> tuple[subprocess.Popen, int]:
    """The original script on a terminal of its own (so it asks the interval); the
    process and the terminal's side the test reads and types on."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            str(SCRIPT),
            "--count",
            str(count),
            "--bootstrap-server",
            broker.bootstrap,
            "--topic",
            topic,
        ],
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    return process, leader


@pytest.mark.broker
def test_interactive_prompt_sets_the_interval(broker, topic):
    process, leader = _interactive(broker, topic, count=3)
    output = _read_until(leader, b"Enter = 5")
    os.write(leader, b"0.1\n")
    assert process.wait(timeout=30) == 0
    output += _read_until(leader, b"Resumo")
    os.close(leader)
    assert b"10 registros/s" in output
    assert output.count(b"Enviado: id=") == 3
    assert len(read_topic(broker.bootstrap, topic, expected=3)) == 3


@pytest.mark.broker
def test_interactive_prompt_asks_again_after_a_bad_interval(broker, topic):
    process, leader = _interactive(broker, topic, count=1)
    _read_until(leader, b"Enter = 5")
    os.write(leader, b"depressa\n")
    output = _read_until(leader, b"Enter = 5")  # asked again
    assert b"intervalo inv\xc3\xa1lido: 'depressa'" in output and b"tente de novo" in output
    os.write(leader, b"0\n")
    assert process.wait(timeout=30) == 0
    output += _read_until(leader, b"Resumo")
    os.close(leader)
    assert b"Traceback" not in output


def _read_until(fd: int, marker: bytes) -> bytes:
    output = b""
    while marker not in output:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    return output


@pytest.mark.broker
def test_sigterm_flushes_and_prints_a_summary(broker, topic):
    process = subprocess.Popen(
        [
            sys.executable,
            str(SCRIPT),
            "--rate",
            "200",
            "--bootstrap-server",
            broker.bootstrap,
            "--topic",
            topic,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert "Enviando para" in process.stdout.readline()
    assert "registros enviados" in process.stdout.readline()  # a second has passed
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    summary = out.strip().splitlines()[-1]
    acked = int(summary.split()[1].replace(".", ""))
    assert summary.endswith("0 falhas.") and acked >= 150
    assert len(read_topic(broker.bootstrap, topic, expected=acked)) == acked


@pytest.mark.unit
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interval", "abc"], "intervalo inválido"),
        (["--rate", "0"], "maior que zero"),
        (["--count", "-3"], "inteiro maior que zero"),
        (["--interval", "1", "--rate", "2"], "não pode ser usada com"),
    ],
)
def test_cli_rejects_bad_flags_without_a_traceback(args, message):
    result = producer_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.unit
def test_cli_without_broker_says_so_in_one_line():
    from sales_monitor.brokers.ports import free_port

    result = producer_cli("--count", "1", "--bootstrap-server", f"127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert result.stderr.startswith("Erro: não foi possível falar com o Kafka")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.broker
def test_cli_in_a_pipe_never_prompts(broker, topic):
    result = producer_cli("--count", "1", "--bootstrap-server", broker.bootstrap, "--topic", topic)
    assert "Intervalo entre mensagens" not in result.stdout
    assert result.returncode == 0


def _start_producer(bootstrap: str, topic: str, *flags: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), "--bootstrap-server", bootstrap, "--topic", topic, *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def _read_line_with(stream, text: str) -> str:
    for line in stream:
        if text in line:
            return line
    raise AssertionError(f"no line with {text!r}")


@pytest.mark.broker
def test_a_broker_that_goes_away_is_reported_and_sending_resumes_when_it_returns():
    from sales_monitor.brokers.ports import free_port
    from sales_monitor.brokers.tansu import Tansu

    port = free_port()
    broker = Tansu(port).start()
    producer = _start_producer(broker.bootstrap, "csv-data", "--interval", "0.1")
    try:
        _read_line_with(producer.stdout, "Enviado: id=")
        broker.stop()
        outage = _read_line_with(producer.stdout, "Kafka sem resposta")
        assert f"em 127.0.0.1:{port}" in outage and "registros aguardando" in outage
        broker = Tansu(port).start()  # an empty in-memory broker on the same port
        _read_line_with(producer.stdout, "Kafka respondeu de novo; envio retomado.")
        assert read_topic(broker.bootstrap, "csv-data", expected=5)  # the new broker got records
        producer.send_signal(signal.SIGTERM)
        out, err = producer.communicate(timeout=30)
        summary = next(line for line in out.splitlines() if line.startswith("Resumo:"))
        # a record caught by the restart may fail (Tansu answers while creating the topic):
        # then it is counted and named, never dropped silently
        failed = not summary.endswith(" 0 falhas.")
        assert producer.returncode == int(failed) and ("Erro:" in err) == failed
        assert "Traceback" not in err
    finally:
        producer.kill()
        producer.communicate()
        broker.stop()


@pytest.mark.broker
def test_sigterm_while_the_broker_is_gone_ends_quickly_with_the_losses_counted():
    from sales_monitor.brokers.ports import free_port
    from sales_monitor.brokers.tansu import Tansu

    broker = Tansu(free_port()).start()
    producer = _start_producer(broker.bootstrap, "csv-data", "--interval", "0.1")
    try:
        _read_line_with(producer.stdout, "Enviado: id=")
        broker.stop()
        _read_line_with(producer.stdout, "Kafka sem resposta")
        producer.send_signal(signal.SIGTERM)
        out, err = producer.communicate(timeout=30)  # STOP_WAIT_S (3 s) plus start-up slack
    finally:
        producer.kill()
        producer.communicate()
        broker.stop()
    assert producer.returncode == 1
    summary = next(line for line in out.splitlines() if line.startswith("Resumo:"))
    assert "falhas" in summary and " 0 falhas" not in summary
    assert err.startswith("Erro: ") and "não foram entregues" in err and "Traceback" not in err


@pytest.mark.broker
def test_sigterm_at_5000_records_per_second_the_summary_matches_the_topic(broker, topic):
    producer = _start_producer(broker.bootstrap, topic, "--rate", "5000", "--quiet")
    _read_line_with(producer.stdout, "Enviando para o tópico")
    assert wait_for(lambda: messages_in(broker.bootstrap, topic) >= 2_000)  # mid-stream
    producer.send_signal(signal.SIGTERM)
    out, err = producer.communicate(timeout=30)
    assert producer.returncode == 0, err
    summary = next(line for line in out.splitlines() if line.startswith("Resumo:"))
    acked = int(summary.split()[1].replace(".", ""))
    assert acked > 1_000 and summary.endswith(" 0 falhas.")
    assert len(read_topic(broker.bootstrap, topic, expected=acked)) == acked
    assert len(read_topic(broker.bootstrap, topic, expected=acked + 1, timeout_s=2)) == acked


@pytest.mark.broker
def test_a_slow_pace_with_a_healthy_broker_raises_no_outage_warning(broker, topic):
    """Before: at an interval of 3 s or more it said "Kafka sem resposta há 3 s" about a
    record sent a moment ago (the clock ran from the last acknowledgement)."""
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--bootstrap-server",
            broker.bootstrap,
            "--topic",
            topic,
            "--interval",
            "3",
            "--count",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert "sem resposta" not in result.stdout
    assert result.stdout.count("Enviado: id=") == 3  # each once the broker acknowledged it
    assert "Resumo: 3 enviados, 0 falhas." in result.stdout
