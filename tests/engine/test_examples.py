"""The worked examples of SPEC §4–§7 (resources/examples) give their expected output.

Each ``NN-name.expected.json`` holds what SPEC fixes about the output, a subset
of the keys ``simulate --json`` prints: every expected dict must be found, key
by key, in the actual one (tasks there carry no ``branch``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from builder.engine.report import result_object, to_json
from builder.engine.scenario import load_scenario
from builder.engine.simulation import simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
SCENARIOS = sorted(p for p in EXAMPLES.glob("[0-9][0-9]-*.json") if not p.name.endswith(".expected.json"))


def expected_path(scenario: Path) -> Path:
    return scenario.with_name(scenario.stem + ".expected.json")


def subset_mismatches(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where ``expected`` is not contained in ``actual``; dicts by key, lists item by item."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where or 'top'}: expected an object, got {actual!r}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{where}.{key}: missing")
            else:
                found += subset_mismatches(value, actual[key], f"{where}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {len(expected)} items, got {actual!r}"]
        found = []
        for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
            found += subset_mismatches(want, got, f"{where}[{i}]")
        return found
    return (
        []
        if expected == actual and type(expected) is type(actual)
        else [f"{where}: expected {expected!r}, got {actual!r}"]
    )


def run_example(scenario: Path) -> dict[str, Any]:
    return result_object(simulate(load_scenario(scenario)))


def test_there_are_worked_examples_with_expected_output():
    assert len(SCENARIOS) >= 3
    for scenario in SCENARIOS:
        assert expected_path(scenario).is_file(), scenario.name


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_example_gives_its_expected_output(scenario: Path):
    expected = json.loads(expected_path(scenario).read_text(encoding="utf-8"))
    assert subset_mismatches(expected, run_example(scenario)) == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_example_output_names_every_section_of_spec_7(scenario: Path):
    actual = run_example(scenario)
    assert {"assignments", "tasks", "sender_profiles", "warnings"} <= set(actual)
    for task in actual["tasks"]:
        assert set(task) >= {"contact", "branch", "sender_profile", "step", "type", "status", "due_day", "done_day"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_example_runs_byte_for_byte_the_same_twice(scenario: Path):
    first = to_json(simulate(load_scenario(scenario)))
    second = to_json(simulate(load_scenario(scenario)))
    assert first.encode("utf-8") == second.encode("utf-8")


def test_subset_comparison_notices_a_wrong_value():
    expected = {"assignments": [{"contact": "k0", "sender_profile": "anna"}]}
    actual = {"assignments": [{"contact": "k0", "sender_profile": "omar", "reason": "override"}], "more": 1}
    assert subset_mismatches(expected, actual) == [".assignments[0].sender_profile: expected 'anna', got 'omar'"]


def test_subset_comparison_notices_a_missing_item():
    assert subset_mismatches({"tasks": [{}, {}]}, {"tasks": [{}]}) == [".tasks: expected 2 items, got [{}]"]
