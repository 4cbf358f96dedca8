import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_monitor.ptbr import count_of, format_brl, format_int

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "R$ 0,00"),
        (5, "R$ 0,05"),
        (123_456, "R$ 1.234,56"),
        (100_000_000, "R$ 1.000.000,00"),
        (-150, "-R$ 1,50"),
    ],
)
def test_format_brl(cents, text):
    assert format_brl(cents) == text


def test_format_int_uses_dots_for_thousands():
    assert format_int(1_234_567) == "1.234.567"


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 mensagens"), (1, "1 mensagem"), (2, "2 mensagens"), (1_234, "1.234 mensagens")],
)
def test_count_of_agrees_in_number(n, text):
    assert count_of(n, "mensagem", "mensagens") == text


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_a_percentage_reads_as_in_brazil_at_any_size(share):
    import re

    from sales_monitor.ptbr import signed_percent

    text = signed_percent(share)
    assert re.fullmatch(r"[+-]\d{1,3}(\.\d{3})*,\d%", text), text
    assert float(text[:-1].replace(".", "").replace(",", ".")) == float(f"{share * 100:+.1f}")
