"""The KRaft node's configuration file, read as Java reads it."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_monitor.brokers.apache import properties_text

pytestmark = pytest.mark.unit

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)")


def java_reads(text: str) -> str:
    """A value as java.util.Properties loads it from ISO-8859-1 bytes: blanks before it are
    dropped, `\\uXXXX` is one UTF-16 unit, a backslash escapes the next character."""
    units = _ESCAPE.sub(
        lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2),
        text.encode("ascii").decode("latin-1").lstrip(" \t\f"),
    )
    return units.encode("utf-16-be", "surrogatepass").decode("utf-16-be")


@given(st.text(st.characters(exclude_categories=["Cs"]).filter(lambda c: c not in "\r\n")))
def test_any_value_reaches_java_as_itself(value):
    written = properties_text(value)
    assert written.isascii()
    assert java_reads(written) == value


def test_a_windows_folder_named_after_joao():
    assert properties_text("C:\\Users\\João") == "C:\\\\Users\\\\Jo\\u00e3o"
    assert java_reads(properties_text("  dois espaços")) == "  dois espaços"
