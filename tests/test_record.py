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
    message_time,
    parse_id,
)
from tests.helpers.corpus import BAD_MESSAGES, value

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


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        (b"327564863.59", 32_756_486_359),  # float arithmetic said "mais de duas casas"
        (b"99999999999.99", 9_999_999_999_999),
        (b"100000000000", 10**13),
        (b"100000000000.00", 10**13),
        (b"1.5e2", 15_000),
        (b"12.340", 1_234),
        (b"1E+2", 10_000),
        (b"0.0", 0),
        (b"-0", 0),
    ],
)
def test_valor_is_judged_on_its_decimal_text(text, cents):
    payload = value(valor=0).replace(b'"valor": 0', b'"valor": ' + text)
    assert decode(b"7", payload).value_cents == cents


def test_every_amount_with_two_decimals_in_range_is_exact():
    # one in ten amounts above R$ 100 milhões failed when judged on the float
    for reais in range(100_000_000, 100_000_000_000, 7_777_777_777):
        for centavos in (0, 1, 29, 59, 99):
            payload = value(valor=0).replace(b'"valor": 0', b'"valor": %d.%02d' % (reais, centavos))
            assert decode(b"7", payload).value_cents == reais * 100 + centavos


@pytest.mark.parametrize(
    "spelling",
    [
        "Recife\u200b",  # zero-width space
        "Re\u200dcife",  # zero-width joiner
        "\ufeffRecife",  # byte-order mark
        "Recife\u00ad",  # soft hyphen
        " Recife\u00a0",  # no-break space at the end
        "Re\x00cife",
    ],
)
def test_look_alike_spellings_are_one_city(spelling):
    assert decode(b"7", value(cidade=spelling)).city == "Recife"


def test_text_is_nfc_and_spaces_are_one():
    decoded = decode(b"7", value(cidade="Sa\u0303o\u2003\u2003Paulo", nome="Jose\u0301\nda\tSilva"))
    assert (decoded.city, decoded.name) == ("São Paulo", "José da Silva")


def test_a_right_to_left_override_cannot_disguise_a_city():
    # shown as "Recife" with the override; without it, what it really is
    assert decode(b"7", value(cidade="\u202eeficeR")).city == "eficeR"


@pytest.mark.parametrize(
    ("headers", "source"),
    [
        (None, "manual"),
        ([], "manual"),
        ([("origem", None)], "manual"),
        ([("origem", b"")], "manual"),
        ([("origem", b"\xff\xfe")], "\ufffd\ufffd"),
        ([("origem", "a\u200bb".encode())], "ab"),
        ([("origem", b"x" * 10_000)], "x" * 199 + "…"),
        ([("trace-id", b"1")] * 10_000 + [("origem", b"produtor")], "produtor"),
        ([("origem",), 7, None, ("origem", "texto, não bytes"), ("origem", b"send")], "send"),
    ],
)
def test_any_headers_give_a_source(headers, source):
    assert decode(b"7", value(), headers).source == source


@pytest.mark.parametrize(
    ("timestamp_ms", "expected"),
    [
        (-1, None),
        (0, None),
        (2**63 - 1, None),
        (-(2**63), None),
        (253402300800000, None),  # year 10000: `datetime` raised
        (1_700_000_000_000, datetime(2023, 11, 14, 19, 13, 20, tzinfo=SAO_PAULO)),
    ],
)
def test_any_kafka_timestamp_gives_a_time_or_none(timestamp_ms, expected):
    assert message_time(timestamp_ms) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 0012 ", 12),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), Rejection),
        ("0", Rejection),
        ("²", Rejection),
        ("9" * 5000, Rejection),
        ("-3", Rejection),
        ("", Rejection),
    ],
)
def test_ids_typed_by_a_person_follow_the_contract(text, expected):
    chosen = parse_id(text)
    assert chosen == expected if isinstance(expected, int) else isinstance(chosen, Rejection)
