"""The real page under Streamlit's AppTest, and what tests read off it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).parents[2] / "streamlit" / "dashboard.py")


def run_page() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=30)
    return app.run()


def button(app: AppTest, label: str):
    return next(b for b in app.sidebar.button if b.label == label)


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}
