"""Headers as a person types them in the inspector."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_monitor.kafka.headers import MAX_HEADERS, headers_text, parse_headers
from sales_monitor.record import Rejection

pytestmark = pytest.mark.unit


def test_one_header_a_line_in_order_with_repeats_and_blank_lines():
    text = "trace-id: 7f3a\n\n  tenant :  loja 1 \ntrace-id: outro: com dois pontos"
    assert parse_headers(text) == [
        ("trace-id", b"7f3a"),
        ("tenant", b"loja 1"),
        ("trace-id", b"outro: com dois pontos"),
    ]
    assert parse_headers("") == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ok: 1\nsem dois pontos", "cabeçalho da linha 2 deve ser 'nome: valor'"),
        (": valor", "cabeçalho da linha 1 deve ser 'nome: valor'"),
        ("x" * 201 + ": 1", "nome do cabeçalho da linha 1 passa de 200"),
        ("\n".join(f"h{i}: {i}" for i in range(MAX_HEADERS + 1)), "51 cabeçalhos; o máximo é 50"),
    ],
)
def test_refusals_name_the_line(text, reason):
    assert parse_headers(text) == Rejection(reason)


names = st.text(st.characters(blacklist_characters=":\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"))
values = st.text(st.characters(blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"))


@given(st.lists(st.tuples(names, values), max_size=MAX_HEADERS))
def test_what_reenviar_loads_reads_back_as_the_same_headers(headers):
    """Reenviar writes the message's headers as text; sending them gives them back
    (trimmed, as the editor trims them; empty names are not headers)."""
    kept = [(n.strip(), v.strip()) for n, v in headers if n.strip()]
    kept = [(n, v) for n, v in kept if len(n) <= 200]
    parsed = parse_headers(headers_text(kept))
    assert parsed == [(n, v.encode()) for n, v in kept]
