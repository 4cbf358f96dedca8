"""`uv run send`: the command as a person runs it, against the real embedded broker."""

import json
import subprocess
import sys

import pytest

from sales_monitor.record import SaleRecord, Tombstone, decode, encode
from tests.helpers.factories import sale
from tests.helpers.topic import read_topic

SEND = [sys.executable, "-m", "sales_monitor.commands.send"]


def send(broker, topic, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SEND, "--bootstrap-server", broker.bootstrap, "--topic", topic, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def wire(record) -> str:
    return encode(record)[1].decode()


@pytest.mark.broker
def test_one_record_from_the_argument(broker, topic):
    result = send(broker, topic, wire(sale(200)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Resumo: 1 enviado, 0 rejeitados, 0 falhas."
    (message,) = read_topic(broker.bootstrap, topic, expected=1)
    assert decode(message.key, message.value, message.headers) == sale(200)
    assert dict(message.headers) == {"origem": b"send"}


@pytest.mark.broker
@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_each_codec_is_written_and_read_back(broker, topic, tmp_path, codec):
    path = tmp_path / "vendas.jsonl"
    path.write_text("".join(wire(sale(i)) + "\n" for i in range(1, 201)))
    result = send(broker, topic, "--file", str(path), "--compression", codec)
    assert result.returncode == 0, result.stderr
    messages = read_topic(broker.bootstrap, topic, expected=200)
    assert sorted(decode(m.key, m.value).id for m in messages) == list(range(1, 201))


@pytest.mark.unit
def test_an_unknown_codec_is_refused_before_anything_is_sent(tmp_path):
    result = subprocess.run(
        [*SEND, "--bootstrap-server", "127.0.0.1:9", "--compression", "brotli", "{}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("Erro: opção --compression: escolha inválida: 'brotli'")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.broker
def test_a_file_with_bad_lines_sends_the_good_ones_and_fails(broker, topic, tmp_path):
    path = tmp_path / "vendas.jsonl"
    path.write_text("\n".join([wire(sale(1)), '{"id": 2, "idade": 30}', wire(sale(3))]) + "\n")
    result = send(broker, topic, "--file", str(path))
    assert result.returncode == 1
    assert result.stderr == "linha 2: campo 'nome' deve ser um texto não vazio\n"
    assert result.stdout.strip() == "Resumo: 2 enviados, 1 rejeitado, 0 falhas."
    ids = [decode(m.key, m.value).id for m in read_topic(broker.bootstrap, topic, expected=2)]
    assert sorted(ids) == [1, 3]


@pytest.mark.broker
def test_csv_from_standard_input(broker, topic):
    csv = "id;nome;idade;cidade;valor;timestamp\n7;Ana;30;Natal;1.234,56;27/08/2025 12:00\n"
    result = send(broker, topic, stdin=csv)
    assert result.returncode == 0, result.stderr
    (message,) = read_topic(broker.bootstrap, topic, expected=1)
    record = decode(message.key, message.value)
    assert isinstance(record, SaleRecord) and record.value_cents == 123_456


@pytest.mark.broker
def test_delete_sends_a_tombstone(broker, topic):
    result = send(broker, topic, "--delete", "200")
    assert result.returncode == 0, result.stderr
    (message,) = read_topic(broker.bootstrap, topic, expected=1)
    assert decode(message.key, message.value) == Tombstone(200)


@pytest.mark.broker
def test_dry_run_and_invalid_input_send_nothing(broker, topic):
    checked = send(broker, topic, "--dry-run", wire(sale(1)))
    assert (checked.returncode, checked.stdout.strip()) == (
        0,
        "Resumo: 1 válido, 0 rejeitados; nada enviado (--dry-run).",
    )
    refused = send(broker, topic, json.dumps({"id": 1, "nome": "x" * 201}))
    assert refused.returncode == 1
    assert "linha 1: campo 'nome' tem 201 caracteres; o máximo é 200" in refused.stderr
    assert read_topic(broker.bootstrap, topic, expected=1, timeout_s=2) == []


@pytest.mark.unit
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--delete", "abc"], "Erro: opção --delete: id 'abc' não é um id inteiro positivo"),
        (["--delete", "²"], "Erro: opção --delete: id '²' não é um id inteiro positivo"),
        (["--delete", str(2**63)], "Erro: opção --delete: id 9223372036854775808 fora do"),
        (["--delete", "9" * 5000], "Erro: opção --delete: id com 5000 dígitos: fora do"),
        (["--file", "/nao/existe.csv"], "Erro: não foi possível ler /nao/existe.csv"),
        (
            ["não é json"],
            "Erro: não é JSON: um registro é um objeto, que começa com { (veio 'não é json'); "
            "nada foi enviado\n",
        ),
        (["--file", "/"], "Erro: não foi possível ler /: é uma pasta, não um arquivo\n"),
    ],
)
def test_bad_input_ends_in_one_line(args, message):
    result = subprocess.run([*SEND, *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


@pytest.mark.broker
def test_a_broker_gone_mid_write_ends_in_the_summary_and_one_error_line(monkeypatch, capsys):
    """Before: `KafkaTimeoutError` traceback from `Publisher.finish`."""
    from sales_monitor.brokers.ports import free_port
    from sales_monitor.brokers.tansu import Tansu
    from sales_monitor.commands import flags
    from sales_monitor.commands import send as send_module

    broker = Tansu(free_port()).start()
    real = flags.producer_or_exit

    def then_the_broker_stops(settings, bootstrap, topic, compression):
        built = real(settings, bootstrap, topic, compression)
        broker.stop()  # after the producer was built
        return built

    monkeypatch.setattr(flags, "producer_or_exit", then_the_broker_stops)
    monkeypatch.setattr(send_module, "ACK_WAIT_S", 1.0)
    argv = ["--bootstrap-server", broker.bootstrap, "--topic", "vendas", wire(sale(5))]
    try:
        assert send_module.main(argv) == 1
    finally:
        broker.stop()
    out, err = capsys.readouterr()
    assert out.strip() == "Resumo: 0 enviados, 0 rejeitados, 1 falha."
    assert err.startswith("Erro: 1 mensagem não confirmada pelo Kafka") and err.count("\n") == 1


@pytest.mark.broker
def test_an_inspector_export_is_sent_back_with_its_tombstones_in_order(broker, topic, tmp_path):
    from sales_monitor.kafka.browse import Query, TopicReader, export_lines
    from sales_monitor.kafka.clients import ensure_topic, make_producer
    from sales_monitor.kafka.connection import Connection
    from sales_monitor.kafka.publish import Publisher

    producer = make_producer(broker.bootstrap)
    publisher = Publisher(producer, topic, "inspetor")
    for change in (sale(1), sale(2), sale(1, cents=777), Tombstone(2)):
        publisher.deliver(change)
    producer.close()
    path = tmp_path / "exportado.jsonl"
    messages = TopicReader(Connection(broker.bootstrap), topic).browse(Query()).messages
    path.write_bytes(export_lines(messages))
    copy = topic + "-copia"
    ensure_topic(broker.bootstrap, copy, partitions=1)  # one partition: one order to compare
    result = send(broker, copy, "--file", str(path))
    assert result.stdout.strip() == "Resumo: 4 enviados, 0 rejeitados, 0 falhas.", result.stderr
    replayed = [decode(m.key, m.value) for m in read_topic(broker.bootstrap, copy, expected=4)]
    assert replayed == [sale(1), sale(2), sale(1, cents=777), Tombstone(2)]  # write order
