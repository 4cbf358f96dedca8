"""Every committed fuzz seed and every crash the fuzzer (or a person) ever found, run
through its target on each `uv run pytest`: a fixed crash can never come back unseen."""

from pathlib import Path

import pytest

from tests.fuzz.targets import TARGETS

pytestmark = pytest.mark.unit

HERE = Path(__file__).parent / "fuzz"
INPUTS = sorted(
    (folder.name, path)
    for kind in ("corpus", "crashes")
    for folder in (HERE / kind).iterdir()
    for path in folder.iterdir()
)


def test_every_target_has_seeds_and_the_known_crashes_are_kept():
    assert {name for name, _ in INPUTS} == set(TARGETS)
    crashes = {path.parent.name for _, path in INPUTS if path.parent.parent.name == "crashes"}
    assert {"message", "link", "pretty", "files"} <= crashes


@pytest.mark.parametrize(("target", "path"), INPUTS, ids=lambda p: getattr(p, "name", p))
def test_a_fuzz_input_runs_through_its_target(target, path):
    TARGETS[target](path.read_bytes())
