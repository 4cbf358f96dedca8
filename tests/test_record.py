from datetime import UTC, datetime, timedelta

import pytest

from sales_monitor.record import (
    SAO_PAULO,
    Rejection,
    SaleRecord,
    Tombstone,
    decode,
    encode,
    encode_tombstone,
)

from .corpus import BAD_MESSAGES, value

pytestmark = pytest.mark.unit

KAFKA_UI_EXAMPLE = (
    b'{"id": 200, "nome": "Novo Usuario", "idade": 28, "cidade": "Recife", '
    b'"valor": 450.00, "timestamp": "2025-08-27T12:00:00"}'
)


def test_kafka_ui_example_without_key_takes_id_from_value():
    decoded = decode(None, KAFKA_UI_EXAMPLE)
    assert decoded == SaleRecord(
        id=200,
        name="Novo Usuario",
        age=28,
        city="Recife",
        value_cents=45_000,
        timestamp=datetime(2025, 8, 27, 12, 0, tzinfo=SAO_PAULO),
    )


def test_round_trip_keeps_every_field_exactly():
    record = SaleRecord(
        id=2**52 + 3,
        name='Zé "da" Silva',
        age=80,
        city="São Paulo",
        value_cents=199_999,
        timestamp=datetime(2026, 3, 1, 23, 59, 59, 123456, tzinfo=SAO_PAULO),
    )
    key, payload = encode(record)
    assert key == str(record.id).encode()
    assert b'"valor": 1999.99' in payload
    assert decode(key, payload) == record


@pytest.mark.parametrize(
    ("valor", "cents"),
    [(0, 0), (0.29, 29), (1.1, 110), (1999.99, 199_999), (50, 5_000), (1e9, 100_000_000_000)],
)
def test_valor_becomes_exact_cents(valor, cents):
    assert decode(b"7", value(valor=valor)).value_cents == cents


def test_key_alone_fills_a_missing_value_id():
    assert decode(b"42", value(id=...)).id == 42


def test_aware_timestamp_is_converted_to_sao_paulo():
    decoded = decode(b"7", value(timestamp="2025-01-02T12:00:00Z"))
    assert decoded.timestamp == datetime(2025, 1, 2, 12, tzinfo=UTC)
    assert decoded.timestamp.utcoffset() == timedelta(hours=-3)


def test_text_fields_are_trimmed():
    decoded = decode(b"7", value(nome="  Ana  ", cidade=" Natal "))
    assert (decoded.name, decoded.city) == ("Ana", "Natal")


def test_null_value_with_key_is_a_tombstone():
    assert decode(b"7", None) == Tombstone(7)
    assert decode(*encode_tombstone(9)) == Tombstone(9)


@pytest.mark.parametrize(("key", "payload", "reason_part"), BAD_MESSAGES)
def test_invalid_messages_are_rejected_with_a_reason(key, payload, reason_part):
    decoded = decode(key, payload)
    assert isinstance(decoded, Rejection)
    assert reason_part in decoded.reason
