"""The package's layout holds: who may import what, checked from the source itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import sales_monitor

pytestmark = pytest.mark.unit

PACKAGE = Path(sales_monitor.__file__).parent

# the one folder that may import each library: kafka-python and Streamlit stay at the edges
OWNERS = {"kafka": "kafka", "streamlit": "ui"}
# the folders that hold no Streamlit and no Kafka client: pure logic and its data
PURE = ("dashboard", "files")


def modules() -> dict[str, set[str]]:
    """Each module of the package (a path relative to it) and the top-level names of
    everything it imports, at any depth of the file."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
        found[path.relative_to(PACKAGE).as_posix()] = names
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_only_its_own_folder_imports_each_edge_library(library):
    owner = OWNERS[library]
    outside = {
        module: sorted(n for n in names if _top(n) == library)
        for module, names in modules().items()
        if not module.startswith(f"{owner}/")
    }
    assert {module: names for module, names in outside.items() if names} == {}


def test_the_scan_sees_the_imports_it_polices():
    """The rule above is only as good as the scan: the owners do import their library."""
    found = modules()
    assert "kafka" in found["kafka/clients.py"]
    assert "streamlit" in found["ui/app.py"]


def test_the_package_never_imports_the_benchmark_or_the_tests():
    imported = {
        module: sorted(n for n in names if _top(n) in ("sales_monitor_bench", "tests"))
        for module, names in modules().items()
    }
    assert {module: names for module, names in imported.items() if names} == {}


def test_pure_folders_import_no_command_and_no_page():
    imported = {
        module: sorted(
            n for n in names if n.startswith(("sales_monitor.commands", "sales_monitor.ui"))
        )
        for module, names in modules().items()
        if module.startswith(PURE)
    }
    assert {module: names for module, names in imported.items() if names} == {}


HISTORY = re.compile(r"\b20\d\d-\d\d-\d\d\b|\b[Uu]sed to\b|\bas before\b|\bBefore:")
TIMELESS = {"ID_EPOCH_MS = "}  # a constant whose comment names its own moment, not a history


def test_comments_say_why_in_the_present_tense():
    """History (dated figures, what changed and when) lives in CHANGELOG.md."""
    dated = [
        f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if HISTORY.search(line) and not any(keep in line for keep in TIMELESS)
    ]
    assert dated == []
