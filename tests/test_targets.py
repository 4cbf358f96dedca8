"""The targets file: whole or not at all, and never a reason for the page to fail."""

import pytest

from sales_monitor import targets
from sales_monitor.targets import Targets

pytestmark = pytest.mark.unit

SETTINGS = Targets(day=1_000_00)


def test_targets_saved_are_the_targets_loaded(tmp_path):
    path = tmp_path / "dados" / "metas.json"
    chosen = Targets(day=50_000_00, week=None, month=1_200_000_00, states=(("RJ", 5), ("SP", 7)))
    targets.save(path, chosen)
    assert targets.load(path, SETTINGS) == chosen
    assert [p.name for p in path.parent.iterdir()] == ["metas.json"]  # no .part left


def test_without_a_file_the_settings_count(tmp_path):
    assert targets.load(tmp_path / "metas.json", SETTINGS) == SETTINGS


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", "null", '"metas"', "\xff\xfe"])
def test_a_damaged_file_gives_the_settings_targets(tmp_path, text):
    path = tmp_path / "metas.json"
    path.write_text(text, encoding="latin-1")
    assert targets.load(path, SETTINGS) == SETTINGS
    assert targets.current(path, SETTINGS) == SETTINGS


def test_values_that_are_not_targets_are_no_target(tmp_path):
    path = tmp_path / "metas.json"
    path.write_text('{"day": -5, "week": 1.5, "month": 100000000000000000000}')
    assert targets.load(path, SETTINGS) == Targets()
    assert Targets(day=5, month=7).set == {"day": 5, "month": 7}


def test_only_states_with_a_valid_target_are_kept(tmp_path):
    path = tmp_path / "metas.json"
    path.write_text('{"states": {"SP": 100, "XX": 5, "RJ": -1, "MG": "9", "sp": 3, "BA": 2}}')
    assert targets.load(path, SETTINGS) == Targets(states=(("BA", 2), ("SP", 100)))
    path.write_text('{"day": 9, "states": [["SP", 100]]}')
    assert targets.load(path, SETTINGS) == Targets(day=9)


def test_the_current_targets_follow_each_save(tmp_path):
    path = tmp_path / "metas.json"
    assert targets.current(path, SETTINGS) == SETTINGS
    for cents in (1_00, 2_00, 3_00):  # the same size, in the same millisecond
        targets.save(path, Targets(day=cents))
        assert targets.current(path, SETTINGS) == Targets(day=cents)
    path.unlink()
    assert targets.current(path, SETTINGS) == SETTINGS
