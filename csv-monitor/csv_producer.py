"""CSV monitor: `uv run python csv-monitor/csv_producer.py FILE [--once] [--help]`.

All logic lives in `sales_monitor.commands.csv_monitor` (also `uv run csv-monitor FILE`).
"""

from sales_monitor.commands.csv_monitor import main

if __name__ == "__main__":
    raise SystemExit(main())
