"""The record contract as a pydantic v2 model: the benchmark's comparison, not used by the app.

The original design's rules, which are fewer than `record.decode`'s (no bound on the
key's digits, no sale-year range, no text cleaning, `valor` judged as a float): pydantic
validates the JSON bytes in compiled code, and the parts it has no type for (key
agreement, cents, São Paulo time) follow in Python. It is the speed to compare with, not
a second contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, ValidationError

from sales_monitor.record import SAO_PAULO, Rejection, SaleRecord


class _Sale(BaseModel):
    id: Annotated[int, Field(gt=0, lt=2**63, strict=True)]
    nome: Annotated[str, Field(min_length=1)]
    idade: Annotated[int, Field(ge=0, le=130, strict=True)]
    cidade: Annotated[str, Field(min_length=1)]
    valor: Annotated[float, Field(ge=0, le=1e11)]
    timestamp: datetime


def validate(key: bytes | None, value: bytes) -> SaleRecord | Rejection:
    try:
        sale = _Sale.model_validate_json(value)
    except ValidationError as error:
        return Rejection(str(error.errors()[0]["msg"]))
    if key is not None and int(key) != sale.id:
        return Rejection("id da chave difere do id do valor")
    cents = round(sale.valor * 100)
    if abs(sale.valor * 100 - cents) > 1e-6:
        return Rejection("mais de duas casas decimais")
    moment = sale.timestamp
    moment = (
        moment.replace(tzinfo=SAO_PAULO) if moment.tzinfo is None else moment.astimezone(SAO_PAULO)
    )
    return SaleRecord(sale.id, sale.nome.strip(), sale.idade, sale.cidade.strip(), cents, moment)
