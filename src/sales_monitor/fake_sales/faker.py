"""Fake Brazilian customer sales: Faker pt_BR names, major cities, unique ids."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime

from sales_monitor.record import SAO_PAULO, SaleRecord, encode_fields, json_text, moment_text

CITIES = (
    "São Paulo", "Rio de Janeiro", "Brasília", "Salvador", "Fortaleza",
    "Belo Horizonte", "Manaus", "Curitiba", "Recife", "Goiânia",
    "Belém", "Porto Alegre", "Guarulhos", "Campinas", "São Luís",
    "São Gonçalo", "Maceió", "Duque de Caxias", "Campo Grande", "Natal",
    "Teresina", "São Bernardo do Campo", "João Pessoa", "Florianópolis", "Cuiabá",
)  # fmt: skip
AGE_RANGE = (18, 80)
CENTS_RANGE = (5_000, 200_000)  # R$ 50,00 .. R$ 2.000,00
NAME_POOL_SIZE = 5_000
_AGES = AGE_RANGE[1] - AGE_RANGE[0] + 1
_CENTS = CENTS_RANGE[1] - CENTS_RANGE[0] + 1
_CITY_TEXTS = [json_text(city) for city in CITIES]

# Id layout, kept below 2**53 so JavaScript tools (Kafka UI, browsers) show ids exactly:
# 41 bits of milliseconds since EPOCH | 6 bits of producer instance | 6 bits of sequence.
ID_EPOCH_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
INSTANCE_BITS = 6
SEQUENCE_BITS = 6


class IdGenerator:
    """Time-ordered ids that stay unique across runs and restarts of a producer.

    The millisecond clock makes a restarted producer start above every id it sent
    before; the sequence allows 64 ids per millisecond, and beyond that the generator
    borrows the next millisecond, so ids never repeat within a run even if the wall
    clock steps back. The random instance bits keep two producers started at once
    apart with probability 63/64 (docs/record-contract.md, "Ids").
    """

    def __init__(self, clock_ms: Callable[[], int] | None = None, instance: int | None = None):
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._instance = random.getrandbits(INSTANCE_BITS) if instance is None else instance
        self._last_ms = -1
        self._sequence = 0
        self._lock = threading.Lock()

    def __call__(self) -> int:
        return self.take(1)[0]

    def take(self, n: int) -> list[int]:
        """The next `n` ids, in order: one clock reading and one lock for them all."""
        with self._lock:
            now = max(self._clock_ms() - ID_EPOCH_MS, self._last_ms)
            sequence = self._sequence + 1 if now == self._last_ms else 0
            instance = self._instance << SEQUENCE_BITS
            ids = []
            for _ in range(n):
                if sequence >> SEQUENCE_BITS:  # 64 ids this millisecond: borrow the next
                    now, sequence = now + 1, 0
                ids.append((now << (INSTANCE_BITS + SEQUENCE_BITS)) | instance | sequence)
                sequence += 1
            self._last_ms, self._sequence = now, sequence - 1
            return ids


class SaleFaker:
    """Makes plausible sale records. Names come from a pool drawn once from Faker pt_BR,
    because Faker's `name()` alone costs more than sending a record."""

    def __init__(self, seed: int | None = None, ids: IdGenerator | None = None):
        from faker import Faker  # imported here: it takes ~0.3 s and only producers need it

        faker = Faker("pt_BR")
        if seed is not None:
            faker.seed_instance(seed)
        self._random = random.Random(seed)
        self._names = [faker.name() for _ in range(NAME_POOL_SIZE)]
        self._name_texts = [json_text(name) for name in self._names]
        self._ids = ids or IdGenerator()

    def record(self, now: datetime | None = None) -> SaleRecord:
        return self.records(1, now)[0]

    def records(self, n: int, now: datetime | None = None) -> list[SaleRecord]:
        """`n` sales made at one moment (`now`, by default the clock's)."""
        when, names = now or datetime.now(SAO_PAULO), self._names
        return [
            SaleRecord(record_id, names[name], age, CITIES[city], cents, when)
            for record_id, name, age, city, cents in self._draws(n)
        ]

    def messages(self, n: int, now: datetime | None = None) -> list[tuple[bytes, bytes]]:
        """The Kafka keys and values of `n` sales made at one moment: what `encode` gives
        for `records(n, now)`, the same draws, without a record object or the texts' and
        the moment's encoding per sale. The producer sends these: 1,000 cost a fifth of
        `record` and `encode` one by one (`uv run bench --micro`: 1.18 against 5.51 ms)."""
        moment = moment_text(now or datetime.now(SAO_PAULO))
        names, cities = self._name_texts, _CITY_TEXTS
        return [
            encode_fields(record_id, names[name], age, cities[city], cents, moment)
            for record_id, name, age, city, cents in self._draws(n)
        ]

    def _draws(self, n: int) -> Iterator[tuple[int, int, int, int, int]]:
        """Per sale: id, name's index in the pool, age, city's index, cents."""
        # `random()` scaled by hand: `choice` costs 1.6x as much (`uv run bench --micro`),
        # and this runs once per record the producer sends
        random = self._random.random
        for record_id in self._ids.take(n):
            yield (
                record_id,
                int(random() * NAME_POOL_SIZE),
                AGE_RANGE[0] + int(random() * _AGES),
                int(random() * len(CITIES)),
                CENTS_RANGE[0] + int(random() * _CENTS),
            )
