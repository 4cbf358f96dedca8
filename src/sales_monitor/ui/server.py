"""The Streamlit server with the dashboard's consumer already reading.

`python -m streamlit run` runs the app's code only when a browser opens a page, so the table
would start filling at the first visit (a cold start of a million messages takes a minute).
This runs the same server in this process after starting the one shared consumer
(`st.cache_resource` is per process, so the pages find it there), and the table is ready
when the first person arrives. Arguments: those of `streamlit run`.
"""

from __future__ import annotations

import logging
import sys

from streamlit.watcher import polling_path_watcher
from streamlit.web import cli

from sales_monitor.errors import SettingsError
from sales_monitor.ops import logs
from sales_monitor.ui import resources

# Streamlit warns, in English, that the cached resources are made outside a page's run
_BARE_MODE_WARNING = "streamlit.runtime.scriptrunner_utils.script_run_context"
# Streamlit polls its config and secrets files every 0.2 s whatever `fileWatcherType` says
# (a constant it reads at each poll). Every 2 s, an idle bare server used 0.0040 cores
# instead of 0.0073 (its /proc CPU over 30 s); an edit to those files is seen 2 s later
_FILE_POLL_S = 2.0


def main() -> None:
    quiet = logging.getLogger(_BARE_MODE_WARNING)
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        settings = resources.load_settings()
        logs.configure(settings.operations.log_format)
        resources.operations_for(settings)  # the consumer, the metrics port, the alerts
    except SettingsError:
        pass  # the page explains a bad setting; the server still starts to say so
    finally:
        quiet.setLevel(level)
    polling_path_watcher._POLLING_PERIOD_SECS = _FILE_POLL_S  # type: ignore[misc]
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
