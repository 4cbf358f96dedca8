"""Why a text is not JSON, in Portuguese, for every message either parser gives."""

import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_monitor.json_reasons import json_reason

pytestmark = pytest.mark.unit

BROKEN = [
    b"",
    b"isto",
    b'{"a":1,}',
    b'{"a" 1}',
    b'{"a":1',
    b'{"a":"x',
    b'{"a":tru}',
    b'{"a":-}',
    b'{"a":01}',
    b"{a:1}",
    b'{"a":"\\x"}',
    b'{"a":1} x',
    b'{"a":"\x01"}',
    b"[" * 2000,
    b"1e400",
]


def _errors(raw: bytes):
    for parse in (orjson.loads, json.loads):
        try:
            parse(raw)
        except RecursionError:
            continue
        except ValueError as error:
            yield error


@pytest.mark.parametrize("raw", BROKEN)
def test_each_known_message_has_a_portuguese_reason(raw):
    for error in _errors(raw):
        reason = json_reason(error)
        assert not reason.startswith("erro de sintaxe"), (error, reason)
        assert "(linha 1, coluna " in reason


def test_a_missing_comma_names_its_line():
    (error, *_) = _errors(b'{\n  "id": 1\n  "nome": "Ana"\n}')
    assert (
        json_reason(error)
        == "falta uma vírgula, ou o JSON termina antes de fechar (linha 3, coluna 3)"
    )  # noqa: E501


@given(st.binary(max_size=64))
def test_any_bytes_give_a_reason_never_an_exception(raw):
    for error in _errors(raw):
        assert json_reason(error)
