"""Messages a hostile writer can put on the topic with any Kafka client, each of which once
stopped, froze or fooled the dashboard; shared by the broker and browser tests."""

from __future__ import annotations

import json

from kafka import KafkaProducer
from kafka.errors import InvalidTimestampError

from tests.helpers.corpus import value

MARKUP = [  # text that renders as something else where Markdown or Plotly's HTML is read
    "![x](http://127.0.0.2:9/imagem.png)",
    "[clique](http://127.0.0.2:9/)",
    "$\\frac{a}{b}$",
    ":green[aceito]",
    ":material/check_circle:",
    ":smile:",
    "<b>negrito</b>",
    '<span style="font-size:60px;color:red;background:url(http://127.0.0.2:9/x.png)">X</span>',
    '<a href="http://127.0.0.2:9/">link</a>',
    "<img src=http://127.0.0.2:9/y.png>",
    "**forte** _fraco_ `código`",
]


KEY_MARKUP = "`x` ![k](http://127.0.0.2:9/k.png) $x^2$ :red[falso]"


class RawName(str):
    """A header name that kafka-python writes as these bytes (not UTF-8): the client that
    reads it cannot parse the message at all."""

    def encode(self, *args, **kwargs) -> bytes:
        return b"\xff\xfe"


def hostile_messages(first_id: int) -> list[dict]:
    """Keyword arguments for `KafkaProducer.send`: the cases of the issue, then markup in
    every text field (those are valid sales, with ids from `first_id`)."""
    good = json.loads(value())
    bad = [
        {"key": b"7" * 5000, "value": value(id=...)},
        {"key": b"8", "value": value(id=8, timestamp="0001-01-01T00:00:00+14:00")},
        {"key": b"9", "value": value(id=9, timestamp="9999-12-31T23:59:59")},
        {"key": b"10", "value": value(id=10), "headers": [(RawName("x"), b"1")]},
        {"key": None, "value": b"[" * 100_000 + b"]" * 100_000},
        {"key": b"11", "value": value(id=11, valor=5e-324)},
        {"key": KEY_MARKUP.encode(), "value": value()},  # its reason quotes the key
    ]
    absurd_times = [  # valid sales whose Kafka timestamp is past the year 9999, or 2**47 ms
        {"key": b"%d" % i, "value": value(id=i), "timestamp_ms": ms}
        for i, ms in ((first_id, 2**62), (first_id + 1, 2**47), (first_id + 2, 2**63 - 1))
    ]
    marked = [
        {
            "key": b"%d" % (first_id + 3 + n),
            "value": json.dumps(
                {**good, "id": first_id + 3 + n, "nome": text, "cidade": text}
            ).encode(),
            "headers": [("origem", text.encode())],
        }
        for n, text in enumerate(MARKUP)
    ]
    return bad + absurd_times + marked


HOSTILE_REJECTED = 7  # the `bad` ones above
HOSTILE_VALID = 3 + len(MARKUP)
HOSTILE_VALID_CENTS = HOSTILE_VALID * 1_234  # each carries corpus.value()'s R$ 12,34


ABSURD_TIMES = 3  # the valid sales with Kafka timestamps centuries away


def publish_hostile(bootstrap: str, topic: str, first_id: int) -> int:
    """Write them all; how many the broker refused. Apache Kafka refuses a timestamp more
    than `log.message.timestamp.after.max.ms` (an hour) ahead, so the absurd times never
    reach its topic; Tansu stores them, and the dashboard must cope with both."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    refused = 0
    try:
        for message in hostile_messages(first_id):
            try:
                producer.send(topic, **message).get(timeout=10)
            except InvalidTimestampError:
                refused += 1
    finally:
        producer.close()
    return refused
