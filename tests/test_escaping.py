"""Text from the topic is shown as itself: the escaping helpers, checked against a real
CommonMark renderer (markdown-it) over any text, and against a corpus of markup. What
CommonMark does not cover (Streamlit's LaTeX, directives, icons; Plotly) the browser test
checks in Chromium."""

import html
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from sales_monitor.escaping import WORD_JOINER, code_span, markdown_literal, plotly_literal
from tests.helpers.hostile import MARKUP

pytestmark = pytest.mark.unit

COMMONMARK = MarkdownIt("commonmark")
TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=80)


def one_line(text: str) -> str:
    """What our surfaces show: a run of line breaks as one space."""
    return re.sub("[\r\n\u2028\u2029\x85\x0b\x0c]+", " ", text)


def as_html(text: str) -> str:
    return html.escape(text, quote=False).replace('"', "&quot;")


@settings(max_examples=500, deadline=None)
@given(text=TEXT)
@example(text="a\u2060b http://x")  # a word joiner of the text's own, beside one we add
def test_markdown_literal_renders_as_the_text_itself(text):
    rendered = COMMONMARK.renderInline(markdown_literal(text)).replace(WORD_JOINER, "")
    # CommonMark drops the spaces at a paragraph's edges; everything between is the text.
    # The joiners the escape adds are invisible; one the text holds is compared the same way
    expected = as_html(one_line(text)).replace(WORD_JOINER, "")
    assert rendered.strip(" ") == expected.strip(" ")


@settings(max_examples=500, deadline=None)
@given(text=TEXT.filter(lambda t: one_line(t).strip(" ")))
def test_a_code_span_holds_any_text(text):
    rendered = COMMONMARK.renderInline(code_span(text))
    assert rendered == f"<code>{as_html(one_line(text))}</code>"


@pytest.mark.parametrize("text", [*MARKUP, ":+1:", ":material/home:", "`", "``a``", "\\`"])
def test_markup_is_neither_a_tag_nor_a_shortcode(text):
    rendered = COMMONMARK.renderInline(markdown_literal(text))
    assert "<" not in rendered.replace("&lt;", "")  # no element at all
    # shortcodes (:smile:, :material/...:) are matched after escapes: a colon never
    # touches a word character directly
    escaped = markdown_literal(text)
    pairs = zip(escaped, escaped[1:], strict=False)
    assert not any(a == ":" and (b.isalnum() or b in "+-_") for a, b in pairs)


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_plotly_literal_has_no_tag_and_reads_back(text):
    shown = plotly_literal(text)
    assert "<" not in shown and ">" not in shown
    assert html.unescape(shown) == text
