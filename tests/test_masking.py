"""The one masking rule: what a leitura login sees of a customer."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_monitor.masking import age_band, masked_name, masked_table
from sales_monitor.record import AGE_RANGE
from tests.helpers.factories import sale, table

pytestmark = pytest.mark.unit


def test_a_name_becomes_the_initials_of_its_first_and_last_words():
    assert masked_name("Maria da Silva Souza") == "M. S."
    assert masked_name("Ana") == "A." and masked_name("  ") == "—"
    assert age_band(37) == "30–39" and age_band(0) == "0–9"


@given(st.text(min_size=1, max_size=60))
def test_no_word_of_a_name_shows_through(name):
    shown = masked_name(name)
    for word in name.split():
        if len(word) >= 2 and not (len(word) == 2 and word[1] == "."):  # "M." is initials
            assert word not in shown, (name, shown)


@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=30).filter(str.strip), st.integers(*AGE_RANGE)),
        min_size=1,
        max_size=20,
    ),
    st.text(max_size=10),
)
def test_the_masked_table_hides_every_name_and_age_from_any_search(people, typed):
    from dataclasses import replace

    records = [replace(sale(n), name=name, age=age) for n, (name, age) in enumerate(people, 1)]
    original = table(*records)
    shown = masked_table(original)
    assert shown["id"].tolist() == original["id"].tolist()  # every sale, in its place
    for (name, age), masked, band in zip(people, shown["nome"], shown["idade"], strict=True):
        assert masked == masked_name(name)
        assert band <= age < band + 10 and band % 10 == 0
    # what a leitura user finds by typing in a search over what they see
    found = shown["nome"].str.contains(typed, regex=False) if typed else shown["nome"] == ""
    for (name, _), hit in zip(people, found, strict=True):
        if hit:  # only the initials can be what matched
            assert typed in masked_name(name)
