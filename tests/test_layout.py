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
OWNERS = {"kafka": "kafka", "streamlit": "ui", "prometheus_client": "ops", "apprise": "ops"}
# the folders that hold no Streamlit and no Kafka client: pure logic and its data
PURE = ("analysis", "files", "stream")
# the wings each wing may not import: reading a topic into a table is one wing that the
# Painel's numbers, the CSV monitor and the pages all build on, never the other way round
FORBIDDEN = {
    "stream": ("analysis", "files", "fake_sales", "launch", "commands", "ui", "ops"),
    "files": ("analysis", "fake_sales", "launch", "commands", "ui", "ops"),
    "analysis": ("files", "fake_sales", "launch", "commands", "ui", "ops"),
    "fake_sales": ("stream", "analysis", "files", "commands", "ui", "ops"),
    "kafka": ("stream", "analysis", "files", "fake_sales", "commands", "ui", "ops"),
    "brokers": ("stream", "analysis", "files", "fake_sales", "launch", "commands", "ui", "ops"),
    "launch": ("commands", "ui", "ops"),
    # operations read the stream; the pages and the commands start them, never the reverse
    "ops": ("analysis", "files", "fake_sales", "launch", "commands", "ui"),
}


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


@pytest.mark.parametrize("wing", sorted(FORBIDDEN))
def test_each_wing_imports_only_the_wings_below_it(wing):
    banned = {f"sales_monitor.{name}" for name in FORBIDDEN[wing]}
    imported = {
        module: sorted(n for n in names if n in banned or n.rpartition(".")[0] in banned)
        for module, names in modules().items()
        if module.startswith(f"{wing}/")
    }
    assert {module: names for module, names in imported.items() if names} == {}


# The command rule: a module of `commands/` parses its flags, calls one function of the
# package and prints what it returns. Loops, state and threads live beside their logic, so
# it defines no class and runs no `while` loop; `flags.py` (the shared parser, its prompt)
# is the one exception.
COMMAND_EXCEPTIONS = {"commands/flags.py", "commands/__init__.py"}


def command_logic(source: str) -> list[str]:
    """Where a command module's source holds a class or a `while` loop, at any depth."""
    return [
        f"{node.lineno}: {type(node).__name__}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.ClassDef, ast.While))
    ]


def test_commands_hold_no_logic_beyond_flags_and_printing():
    found = {
        path.relative_to(PACKAGE).as_posix(): command_logic(path.read_text())
        for path in sorted((PACKAGE / "commands").glob("*.py"))
        if path.relative_to(PACKAGE).as_posix() not in COMMAND_EXCEPTIONS
    }
    assert {name: where for name, where in found.items() if where} == {}


def test_the_command_rule_sees_what_it_forbids():
    source = "def main():\n    class A:\n        pass\n    while True:\n        break\n"
    assert command_logic(source) == ["2: ClassDef", "4: While"]
