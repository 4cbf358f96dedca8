import pytest

from sales_monitor.fake_sales.faker import AGE_RANGE, CENTS_RANGE, CITIES, IdGenerator, SaleFaker
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


@pytest.mark.parametrize("batch", [1, 63, 64, 65, 1_000])
@pytest.mark.parametrize("start_sequence", [0, 62])
def test_ids_taken_in_a_batch_are_the_ids_drawn_one_by_one(batch, start_sequence):
    def generator() -> IdGenerator:
        clock = FrozenClock(1_800_000_000_000)
        ids = IdGenerator(clock_ms=clock, instance=9)
        for _ in range(start_sequence):  # part of this millisecond already used
            ids()
        return ids

    one_by_one, batched = generator(), generator()
    assert batched.take(batch) == [one_by_one() for _ in range(batch)]
    assert batched() == one_by_one()  # and both go on the same way


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


def test_a_batch_is_made_at_one_moment_with_increasing_ids():
    batch = SaleFaker(seed=4).records(500)
    assert len({r.timestamp for r in batch}) == 1
    assert [r.id for r in batch] == sorted({r.id for r in batch})


def test_a_seeded_batch_draws_what_the_same_records_one_by_one_draw():
    batch = SaleFaker(seed=5, ids=IdGenerator(FrozenClock(1_800_000_000_000), 2)).records(50)
    faker = SaleFaker(seed=5, ids=IdGenerator(FrozenClock(1_800_000_000_000), 2))
    one_by_one = [faker.record(batch[0].timestamp) for _ in range(50)]
    assert batch == one_by_one
