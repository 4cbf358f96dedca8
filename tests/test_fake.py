import pytest

from sales_monitor.fake import AGE_RANGE, CENTS_RANGE, CITIES, IdGenerator, SaleFaker
from sales_monitor.record import decode, encode

pytestmark = pytest.mark.unit


class FrozenClock:
    def __init__(self, ms: int):
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_ids_within_one_millisecond_are_unique_and_increasing():
    ids = IdGenerator(clock_ms=FrozenClock(1_800_000_000_000), instance=5)
    drawn = [ids() for _ in range(10_000)]  # far more than 64 per millisecond
    assert drawn == sorted(drawn)
    assert len(set(drawn)) == len(drawn)


def test_a_restarted_producer_starts_above_every_earlier_id():
    clock = FrozenClock(1_800_000_000_000)
    first = IdGenerator(clock_ms=clock, instance=63)
    before = [first() for _ in range(64)]  # one full millisecond, last instance bits
    clock.ms += 1
    restarted = IdGenerator(clock_ms=clock, instance=0)
    assert restarted() > max(before)


def test_wall_clock_stepping_back_never_repeats_an_id():
    clock = FrozenClock(1_800_000_000_000)
    ids = IdGenerator(clock_ms=clock, instance=1)
    seen = {ids() for _ in range(100)}
    clock.ms -= 60_000
    later = [ids() for _ in range(100)]
    assert seen.isdisjoint(later)
    assert min(later) > max(seen)


def test_ids_fit_javascript_safe_integers_for_decades():
    year_2090_ms = 3_786_912_000_000
    assert IdGenerator(clock_ms=FrozenClock(year_2090_ms), instance=63)() < 2**53


def test_fake_records_are_valid_and_within_the_documented_ranges():
    faker = SaleFaker(seed=3)
    records = [faker.record() for _ in range(2_000)]
    assert len({r.id for r in records}) == len(records)
    assert {r.city for r in records} <= set(CITIES)
    assert len({r.city for r in records}) == len(CITIES) == 25
    assert all(AGE_RANGE[0] <= r.age <= AGE_RANGE[1] for r in records)
    assert all(CENTS_RANGE[0] <= r.value_cents <= CENTS_RANGE[1] for r in records)
    assert len({r.name for r in records}) > 1_000
    assert all(decode(*encode(r)) == r for r in records)
