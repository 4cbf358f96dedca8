"""THE ORIGINAL DESIGN, rebuilt for comparison only: never used by the app.

As the student project did it: the producer sends one record at a time and flushes each;
the dashboard appends every message to a DataFrame with `pd.concat`, and on every refresh
deduplicates the whole frame and hands Plotly Express every row.
"""

from __future__ import annotations

import json
import time

import pandas as pd
import plotly.express as px

from sales_monitor.kafka.clients import make_producer
from sales_monitor.record import SaleRecord


def as_original_json(record: SaleRecord) -> bytes:
    return json.dumps(
        {
            "id": record.id,
            "nome": record.name,
            "idade": record.age,
            "cidade": record.city,
            "valor": record.value_cents / 100,
            "timestamp": record.timestamp.isoformat(),
        }
    ).encode()


def produce_one_by_one(bootstrap: str, topic: str, records: list[SaleRecord]) -> None:
    """send() then flush() per record, default batching (linger 0)."""
    producer = make_producer(bootstrap, linger_ms=0, batch_size=16_384)
    for record in records:
        producer.send(topic, value=as_original_json(record))
        producer.flush()
    producer.close()


class OriginalTable:
    """`pd.concat` per message, `drop_duplicates` per refresh."""

    def __init__(self) -> None:
        self.frame = pd.DataFrame(columns=["id", "nome", "idade", "cidade", "valor", "timestamp"])

    def ingest(self, value: bytes) -> None:
        row = pd.DataFrame([json.loads(value)])
        self.frame = pd.concat([self.frame, row], ignore_index=True)

    def ingest_until(self, values: list[bytes], budget_s: float) -> int:
        """Ingest in order until done or out of time; returns how many made it."""
        deadline = time.perf_counter() + budget_s
        for done, value in enumerate(values):
            if done % 100 == 0 and time.perf_counter() > deadline:
                return done
            self.ingest(value)
        return len(values)

    def refresh(self) -> list:
        """What the original page computed on each refresh: metrics and full-data figures."""
        frame = self.frame.drop_duplicates(subset="id", keep="last")
        metrics = (frame["valor"].sum(), frame["valor"].mean(), len(frame), frame["idade"].mean())
        by_city = frame.groupby("cidade")["valor"].sum().reset_index()
        figures = [
            px.bar(by_city, x="cidade", y="valor"),
            px.histogram(frame, x="idade"),
            px.pie(frame, names="cidade"),
            px.scatter(frame, x="idade", y="valor"),
            px.line(frame.sort_values("timestamp"), x="timestamp", y="valor"),
        ]
        return [metrics, frame.tail(1000), frame.describe(), *figures]
