"""Small builders for records and tables used across tests."""

from datetime import datetime, timedelta

import pandas as pd
import pyarrow as pa

from sales_monitor.record import SAO_PAULO, SaleRecord, Tombstone
from sales_monitor.record_columns import SaleColumns
from sales_monitor.stream.store import RecordStore, epoch_ms

T0 = datetime(2025, 8, 27, 12, 0, tzinfo=SAO_PAULO)


def sale(id: int, city: str = "Recife", cents: int = 10_000, age: int = 30, minute: int = 0):
    return SaleRecord(
        id=id,
        name=f"Cliente {id}",
        age=age,
        city=city,
        value_cents=cents,
        timestamp=T0 + timedelta(minutes=minute),
    )


def as_columns(records: list[SaleRecord]) -> SaleColumns:
    """Records as the batch path gives them (`record_columns.SaleColumns`)."""

    def texts(values: list[str]) -> pa.StringArray:
        return pa.array(values, pa.string())

    return SaleColumns(
        ids=[r.id for r in records],
        names=texts([r.name for r in records]),
        ages=[r.age for r in records],
        cities=texts([r.city for r in records]),
        cents=[r.value_cents for r in records],
        epoch_ms=epoch_ms([r.timestamp for r in records]),
        sources=texts([r.source for r in records]),
    )


def table(*records) -> pd.DataFrame:
    store = RecordStore()
    store.apply(records)
    return store.snapshot()


def cents_by_id(frame: pd.DataFrame) -> dict[int, int]:
    """A store table as id -> valor in cents: what two tables are compared by."""
    return dict(zip(frame["id"].tolist(), frame["valor_centavos"].tolist(), strict=True))


EMPTY = table()
ONE = table(sale(1, "Natal", 12_345, 40))
# id 2 written twice (the latest counts), id 3 tombstoned
MIXED = table(
    sale(1, "Recife", 10_000, 20, minute=0),
    sale(2, "Natal", 5_000, 30, minute=0),
    sale(3, "Natal", 99_999, 50, minute=1),
    sale(2, "Natal", 20_001, 31, minute=2),
    Tombstone(3),
)
