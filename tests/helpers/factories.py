"""Small builders for records and tables used across tests."""

from datetime import datetime, timedelta

from sales_monitor.dashboard.store import RecordStore
from sales_monitor.record import SAO_PAULO, SaleRecord

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


def table(*records) -> "object":
    store = RecordStore()
    store.apply(records)
    return store.snapshot()
