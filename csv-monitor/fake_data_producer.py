"""Fake sales producer: `uv run python csv-monitor/fake_data_producer.py [--help]`.

All logic lives in `sales_monitor.commands.producer`; this file keeps the original entry point.
"""

from sales_monitor.commands.producer import main

if __name__ == "__main__":
    raise SystemExit(main())
