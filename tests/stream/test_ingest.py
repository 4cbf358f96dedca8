"""What kind of reason each rejection has: a bounded label for the metrics."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_monitor.kafka.clients import UNREADABLE
from sales_monitor.record import FIELDS, Rejection, decode
from sales_monitor.stream.ingest import REASON_KINDS, reason_kind

pytestmark = pytest.mark.unit

GOOD = {"id": 7, "nome": "Ana", "idade": 30, "cidade": "Recife", "valor": 10.5,
        "timestamp": "2026-12-05T10:00:00"}  # fmt: skip
ODD = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
)  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [
        (None, None, "vazia"),
        (b"\xff", None, "chave"),
        (b"abc", None, "chave"),
        (b"8", json.dumps(GOOD).encode(), "chave"),
        (None, b"{", "json"),
        (None, b"[1]", "json"),
        *[(None, json.dumps(GOOD | {name: None}).encode(), name) for name in FIELDS],
        (None, json.dumps({k: v for k, v in GOOD.items() if k != "idade"}).encode(), "idade"),
        (None, json.dumps(GOOD | {"valor": 1.234}).encode(), "valor"),
        (None, json.dumps(GOOD | {"idade": 400}).encode(), "idade"),
        (None, json.dumps(GOOD | {"timestamp": "1200-01-01T00:00:00"}).encode(), "timestamp"),
    ],
)
def test_each_rejection_is_of_the_kind_it_is_about(key, value, kind):
    rejection = decode(key, value, [])
    assert isinstance(rejection, Rejection)
    assert reason_kind(rejection.reason) == kind


def test_the_reasons_outside_the_contract_have_kinds_too():
    assert reason_kind(UNREADABLE) == "ilegivel"
    assert reason_kind("erro inesperado ao ler a mensagem (KeyError)") == "outro"


@given(
    st.one_of(st.none(), st.binary(max_size=12), st.integers(-5, 10**20).map(lambda n: b"%d" % n)),
    st.one_of(
        st.none(),
        st.binary(max_size=40),
        st.dictionaries(st.sampled_from(sorted(GOOD)), ODD).map(
            lambda changed: json.dumps(GOOD | changed).encode()
        ),
    ),
)
def test_every_rejection_the_contract_gives_has_a_known_kind(key, value):
    decoded = decode(key, value, [])
    if isinstance(decoded, Rejection):
        assert reason_kind(decoded.reason) in set(REASON_KINDS) - {"outro"}, decoded.reason


@given(st.text())
def test_any_text_has_one_of_the_few_kinds(reason):
    assert reason_kind(reason) in REASON_KINDS
