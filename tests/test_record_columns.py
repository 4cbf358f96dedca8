"""The contract's batch path against `decode`, its reference: on any poll the batch path
accepts, both give the same records; and it does accept what our writers write."""

import json
import string
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_monitor.fake_sales.faker import SaleFaker
from sales_monitor.record import SAO_PAULO, SaleRecord, encode, source_headers
from sales_monitor.record_columns import decode_columns
from tests.fuzz.targets import Polled, check_columns_agree

pytestmark = pytest.mark.unit

ODD_TEXT = ["", " a", "a ", "a  b", "e\u0301", "\u00e9", 'a"b', "a\\b", "a\u2028b", "x" * 201]
TEXT = st.text(max_size=12) | st.sampled_from([*ODD_TEXT, "{a}", "São Paulo", "Íris", "x" * 200])
NUMBER = (
    st.integers(-3, 200).map(str)
    | st.integers(-3, 10**20).map(str)
    | st.sampled_from(["007", "1e3", "-0", "1.5", "00", "2.2250738585e-313", "0e-400", "1.20e-1"])
)
OFFSETS = st.timedeltas(timedelta(hours=-23, minutes=-59), timedelta(hours=23, minutes=59))
MOMENT = st.datetimes(datetime(1999, 12, 30), datetime(2100, 1, 2))
ISO = (
    st.builds(lambda d, o: d.replace(tzinfo=timezone(o)).isoformat(), MOMENT, OFFSETS)
    | MOMENT.map(datetime.isoformat)  # naive
    | st.sampled_from(["2025-02-29T10:00:00-03:00", "2025-08-27T24:00:00-03:00", "2025-13-01"])
    | st.text(string.digits + "-:T.+Z ", max_size=32)
)


VALID = {
    "id": st.integers(1, 10**18).map(str),
    "nome": st.text(min_size=1, max_size=12).map(str.strip).filter(bool),
    "idade": st.integers(0, 130).map(str),
    "cidade": st.sampled_from(["São Paulo", "Íris", "x" * 200, "Natal"]),
    "valor": st.integers(0, 10**13 - 1).map(lambda c: f"{c // 100}.{c % 100:02d}"),
    "timestamp": st.builds(
        lambda d, o: d.replace(tzinfo=timezone(o)).isoformat(),
        st.datetimes(datetime(2000, 1, 2), datetime(2099, 12, 30)),
        st.sampled_from([timedelta(hours=-3), timedelta(hours=-2), timedelta(0)]),
    ),
}
ODD = {
    "id": NUMBER,
    "nome": TEXT,
    "idade": NUMBER,
    "cidade": TEXT,
    "valor": NUMBER | st.floats(-1, 1e14).map(repr),
    "timestamp": ISO,
}


def _as_encoded(members: list[str], _) -> str:
    return "{" + ", ".join(members) + "}"


def _quoted_valor(members: list[str], _) -> str:
    members = [m.replace('"valor": ', '"valor": "') + '"' if '"valor"' in m else m for m in members]
    return _as_encoded(members, _)


# The JSON around the fields, as encode writes it or as another writer might: the Arrow
# reader takes any spacing and order, and must still leave to `decode` what it refuses
RESHAPES = [
    _as_encoded,
    _as_encoded,
    lambda members, _: "{" + ",".join(members).replace(": ", ":") + "}",
    lambda members, _: "{ " + " ,\t".join(members).replace(": ", " :\r") + " }",
    lambda members, rnd: _as_encoded(rnd.sample(members, len(members)), rnd),
    _quoted_valor,
    lambda members, _: _as_encoded([*members, '"id": 5'], _),
    lambda members, _: _as_encoded([*members, '"extra": 1'], _),
    lambda members, _: _as_encoded(members[1:], _),
    lambda members, _: _as_encoded([*members[:4], '"valor": null', members[5]], _),
    lambda members, _: " " + _as_encoded(members, _),
    lambda members, _: _as_encoded(members, _) + "\n",
    lambda members, _: _as_encoded(members, _) * 2,
    lambda members, _: "[" + _as_encoded(members, _) + "]",
]


@st.composite
def wire_value(draw) -> tuple[bytes, bytes]:
    """A key and a value in `encode`'s shape or another writer's (RESHAPES), with up to two
    fields odd and maybe one byte changed: the batch path's whole neighbourhood, where it
    must accept or step aside."""
    odd = draw(st.sets(st.sampled_from([*VALID, "key"]), max_size=2))
    field = {name: draw(ODD[name] if name in odd else VALID[name]) for name in VALID}
    key = draw(NUMBER) if "key" in odd else field["id"]
    for name in ("nome", "cidade", "timestamp"):
        field[name] = json.dumps(field[name], ensure_ascii=False)
    members = [f'"{name}": {field[name]}' for name in VALID]
    text = draw(st.sampled_from(RESHAPES))(members, draw(st.randoms()))
    value = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(value) - 1))
        value = value[:at] + bytes([draw(st.integers(0, 255))]) + value[at + 1 :]
    return key.encode(), value


HEADERS = st.sampled_from([[("origem", b"produtor")], [], None, [("origem", b"\xff")]])
MESSAGE = st.tuples(wire_value(), HEADERS) | st.tuples(
    st.tuples(st.none() | st.binary(max_size=20), st.none() | st.binary(max_size=60)), HEADERS
)


def polled(messages) -> list[Polled]:
    return [Polled(0, i, k, v, h, -1, 0) for i, ((k, v), h) in enumerate(messages)]


@settings(max_examples=1500, deadline=None)
@given(st.lists(MESSAGE, min_size=1, max_size=4))
def test_the_batch_path_agrees_with_decode_on_any_poll(messages):
    check_columns_agree(polled(messages))


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(string.ascii_letters + "ÁÉÍÓÚáéíóúãõçÇ", min_size=1, max_size=50),
    cents=st.integers(0, 10**13 - 1),
    age=st.integers(0, 130),
    moment=st.datetimes(datetime(2000, 1, 2), datetime(2099, 12, 30), timezones=st.just(UTC)),
    offset=st.sampled_from([-3, -2, 0, 5]),
)
def test_it_accepts_what_our_writers_write(name, cents, age, moment, offset):
    when = moment.astimezone(timezone(timedelta(hours=offset)))
    record = SaleRecord(10**17 + cents, name, age, "São Paulo", cents, when, "csv:a.csv")
    poll = polled([(encode(record), source_headers(record.source))])
    assert decode_columns(poll) is not None
    check_columns_agree(poll)


def test_a_producer_poll_is_decoded_at_once_and_anything_doubtful_is_left_to_decode():
    faker = SaleFaker(seed=3)
    records = [faker.record() for _ in range(500)]
    poll = polled([(encode(r), source_headers("produtor")) for r in records])
    columns = decode_columns(poll)
    assert columns is not None and columns.ids == [r.id for r in records]
    check_columns_agree(poll)
    escaped = SaleRecord(1, 'Ana "Aninha" Lima', 30, "Natal", 100, datetime.now(SAO_PAULO))
    tombstone = Polled(0, 500, b"7", None, [], -1, 0)
    key, value = encode(records[0])
    two_in_one = polled([((key, value * 2), []), ((key, b""), [])])
    for odd in (polled([(encode(escaped), [])]), [*poll, tombstone], two_in_one):
        assert decode_columns(odd) is None  # decode judges these, message by message
