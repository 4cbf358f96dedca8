"""Small builders for records and tables used across tests."""

from datetime import datetime, timedelta

import pandas as pd

from sales_monitor.record import SAO_PAULO, SaleRecord, Tombstone
from sales_monitor.stream.store import RecordStore

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
