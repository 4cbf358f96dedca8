"""Text from the topic or a file, shown as itself: one escaping helper per kind of surface.

Whatever a writer puts in a key, a header or a field is data. Streamlit's Markdown (labels,
captions, alerts) would render it: links, images from any address, LaTeX (`$x$`),
directives (`:green[aceito]`, `:material/check:`), emoji shortcodes. Plotly renders a subset
of HTML in category labels, legends and hovers (`<b>`, `<a href>`, `<span style>`). Tables,
`st.code` and `st.text` are literal already and need nothing.
"""

from __future__ import annotations

import html
import re

# CommonMark lets a backslash escape any ASCII punctuation, and escaped punctuation starts
# no construct: links, images, emphasis, code, HTML, math ($) and directives (:name[...])
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Emoji shortcodes and Material icons are matched in the rendered text, after escapes are
# resolved: an invisible word joiner after the colon keeps `:smile:` from matching
_SHORTCODE_START = re.compile(r"\\:(?=[\w+-])")
WORD_JOINER = "\u2060"
# GitHub-flavoured autolinks (http://…, www.…, a@b.c) are found in the text too, escapes or
# not (seen in Chromium): the same invisible joiner keeps them from matching
_AUTOLINK_START = re.compile(r"(?i)(?<![a-z])(https?|ftp|mailto|xmpp|www)(?=:|\.)|@")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")


def markdown_literal(text: str) -> str:
    """`text` for a Markdown surface, shown exactly as written (on one line)."""
    unlinked = _AUTOLINK_START.sub(lambda m: m.group(0) + WORD_JOINER, _LINE_BREAKS.sub(" ", text))
    escaped = _PUNCTUATION.sub(r"\\\1", unlinked)
    return _SHORTCODE_START.sub("\\\\:" + WORD_JOINER, escaped)


def code_span(text: str) -> str:
    """`text` as inline code in Markdown: a fence longer than any run of backticks inside,
    and a space on each side (CommonMark strips exactly one), so nothing breaks out."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {_LINE_BREAKS.sub(' ', text)} {fence}"


def plotly_literal(text: str) -> str:
    """`text` for a Plotly label, legend or hover: its HTML characters as entities, which
    Plotly shows as the characters themselves."""
    return html.escape(text, quote=False)
