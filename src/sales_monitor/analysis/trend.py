"""Revenue over time: valor summed per time bucket, the bucket chosen from the span."""

from __future__ import annotations

import numpy as np
import pandas as pd

TREND_POINTS = 300  # the trend's bucket is the smallest that keeps it to this many points
# without a time window, the most recent three quarters of the sales set the scale: a few
# old sales (the sample file, the docs' example) must not turn a live demo's trend into
# one flat line a day wide; they stay in every total, and the title counts them
RECENT_SHARE = 0.75


BUCKETS = [pd.Timedelta(t) for t in ("5s", "15s", "1min", "5min", "15min", "1h", "6h", "1D")]


def _within_hour(bucket: pd.Timedelta) -> bool:
    """Buckets that divide an hour: São Paulo's offsets are whole hours, so these can be
    counted on the UTC clock and still start on local boundaries."""
    return not pd.Timedelta(hours=1) % bucket


def _bucket_numbers(moments: pd.Series, bucket: pd.Timedelta) -> tuple[np.ndarray, int]:
    """Each moment's bucket number on the integer clock, and the bucket in clock ticks."""
    unit = np.datetime_data(moments.dtype.base)[0]
    step = bucket // pd.Timedelta(1, unit=unit)
    return moments.array.asi8 // step, step


def _as_moments(ticks: np.ndarray, like: pd.Series) -> pd.DatetimeIndex:
    """Clock ticks as moments of `like`'s unit and time zone."""
    index = pd.DatetimeIndex(ticks.astype(like.dtype.base), copy=False)
    return index.tz_localize("UTC").tz_convert(like.dt.tz)


def _floor(moments: pd.Series, bucket: pd.Timedelta) -> pd.Series:
    """Each moment's bucket start. Buckets within an hour are floored on the integer clock,
    which skips the time-zone round trip that `dt.floor` makes over every row."""
    if not _within_hour(bucket):  # 6 h, a day: local midnight can repeat or not exist
        no = np.zeros(len(moments), dtype=bool)  # (in the years São Paulo had summer time)
        return moments.dt.floor(bucket, ambiguous=no, nonexistent="shift_forward")
    numbers, step = _bucket_numbers(moments, bucket)
    return pd.Series(_as_moments(numbers * step, moments), index=moments.index)


def _latest_buckets(
    moments: pd.Series, cents: np.ndarray, bucket: pd.Timedelta
) -> tuple[pd.DatetimeIndex, pd.Series]:
    """The last TREND_POINTS buckets (within an hour) and the cents summed in each, quiet
    ones as zero: counted by bucket number on the integer clock, a tenth of a group-by
    over a million timestamps. Float sums are exact below 2**53 cents a bucket."""
    numbers, step = _bucket_numbers(moments, bucket)
    first, last = int(numbers.min()), int(numbers.max())
    shown = min(TREND_POINTS, last - first + 1)
    slot = numbers - (last - shown + 1)  # 0 .. shown-1 for the buckets kept
    kept = slot >= 0
    sums = np.bincount(slot[kept], weights=cents[kept], minlength=shown)
    starts = _as_moments((np.arange(shown) + (last - shown + 1)) * step, moments)
    return starts, sums.round().astype("int64")


def trend_bucket(span: pd.Timedelta) -> pd.Timedelta:
    """The smallest bucket that draws `span` in at most TREND_POINTS points: 5 s over five
    minutes, so a fresh demo moves within seconds; an hour or a day over long runs."""
    return next((b for b in BUCKETS if span / b <= TREND_POINTS), BUCKETS[-1])


def recent_span(moments: pd.Series) -> pd.Timedelta:
    """From the latest sale back to where the most recent RECENT_SHARE of the sales begin."""
    ticks = moments.array.asi8
    unit = np.datetime_data(moments.dtype.base)[0]
    start = np.quantile(ticks, 1 - RECENT_SHARE, method="lower")
    return pd.Timedelta(int(ticks.max() - start), unit=unit)


def revenue_trend(table: pd.DataFrame, span: pd.Timedelta | None = None) -> pd.DataFrame:
    """Valor (R$) summed per bucket, quiet buckets as zero, over `span` (the time window)
    or, without one, over where most sales are (`recent_span`). `attrs["bucket"]` is the
    bucket, `attrs["earlier"]` how many sales come before the first bucket drawn."""
    if table.empty:
        empty = pd.DataFrame({"momento": pd.Series(dtype=table["timestamp"].dtype), "valor": []})
        empty.attrs["bucket"], empty.attrs["earlier"] = BUCKETS[0], 0
        return empty
    moments = table["timestamp"]
    bucket = trend_bucket(span if span is not None else recent_span(moments))
    cents = table["valor_centavos"]
    if not _within_hour(bucket):
        summed = cents.groupby(_floor(moments, bucket)).sum()
        summed = summed.resample(bucket).sum().iloc[-TREND_POINTS:]  # quiet buckets: zero
        starts, sums = summed.index, summed.to_numpy()
    else:
        starts, sums = _latest_buckets(moments, cents.to_numpy(), bucket)
    trend = pd.DataFrame({"momento": starts, "valor": sums / 100})
    trend.attrs["bucket"] = bucket
    trend.attrs["earlier"] = int((moments < starts[0]).sum()) if len(starts) else 0
    return trend
