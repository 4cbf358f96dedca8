"""The benchmark's own arithmetic: shares of the client's limit, and page delays."""

import pytest
from sales_monitor_bench.page_latency import delays_ms
from sales_monitor_bench.report import Figure, markdown

pytestmark = pytest.mark.unit


def test_a_rate_is_judged_as_the_median_share_of_the_limit_in_the_same_run():
    figure = Figure("producer", "records/s", "≥ 85% of limit", lambda share: share >= 0.85)
    figure.ours, figure.limit = [90, 40, 80], [100, 100, 80]  # shares 0.9, 0.4, 1.0
    assert figure.of_limit() == pytest.approx(0.9)
    row = figure.row()
    assert row["met"] is True and row["limit"]["median"] == 100
    assert "| 90% |" in markdown([row], "quick", "now")


def test_a_time_is_judged_as_a_multiple_of_the_limit():
    figure = Figure("cold start", "s", "≤ 1.3× limit", lambda multiple: multiple <= 1.3)
    figure.ours, figure.limit = [3.0, 2.0, 2.6], [2.0, 2.0, 2.0]
    assert figure.of_limit() == pytest.approx(1.3)
    assert "| 1.30× |" in markdown([figure.row()], "quick", "now")
    figure.ours = [3.0, 3.0, 2.0]
    assert figure.row()["met"] is False


def test_without_a_limit_the_median_is_judged():
    figure = Figure("refresh", "ms", "≤ 250", lambda ms: ms <= 250)
    figure.ours = [100, 300, 200]
    assert figure.of_limit() is None and figure.row()["met"] is True


def test_each_record_is_shown_when_the_page_total_first_reaches_it():
    sent = [10.0, 10.5, 11.0, 12.0]  # seconds
    shown = [(10_100, 1), (11_200, 3), (13_000, 4)]  # browser ms, Total Registros
    assert delays_ms(sent, shown) == [100, 700, 200, 1_000]
