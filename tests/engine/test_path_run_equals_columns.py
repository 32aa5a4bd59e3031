"""A line of steps is a path with no control node (SPEC §10): both runs give the same story.

``simulate`` runs a linear scenario by the column run (:class:`Simulation`)
and anything with control nodes, tags, outcomes or rates by :class:`PathRun`.
Over random linear scenarios and timelines (those of test_properties), the
path run must give the same assignments, tasks, states, work per day and
warnings, so the rules of §4–§6 are one set of rules whichever run applies them.
"""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given, reject, settings

from builder.engine.path_run import PathResult, PathRun
from builder.engine.report import result_object
from builder.engine.run_result import SimulationResult
from builder.engine.scenario import ScenarioError, parse_scenario
from builder.engine.simulation import Simulation
from tests.budget import examples
from tests.engine.test_limits_properties import DAYS as SCHEDULE_DAYS
from tests.engine.test_limits_properties import scenarios as schedule_scenarios
from tests.engine.test_properties import DAYS, scenarios


def column_run(data: dict[str, Any], days: int = DAYS) -> dict[str, Any]:
    sim = Simulation(parse_scenario(data))
    for day in range(days):
        for event in (e for e in sim.scenario.events if e.day == day):
            with contextlib.suppress(ScenarioError):
                sim.apply(event)
        sim.work_day(day)
    result = SimulationResult(
        sim.scenario, days, lambda: sim.ordered, [b.roster for b in sim.branches], sim.done_per_day,
        sim.warnings, sim.ignored_overrides, sim.tally, sim.held_back,
    )  # fmt: skip
    return {**result_object(result), "held_back": result.held_back}


def path_run(data: dict[str, Any], days: int = DAYS) -> dict[str, Any]:
    run = PathRun(parse_scenario(data))
    for day in range(days):
        for event in (e for e in run.scenario.events if e.day == day):
            with contextlib.suppress(ScenarioError):
                run.apply(event)
        run._start_of_day(day)
        run.work_day(day)
    result = PathResult(run, days)
    return {**result_object(result), "held_back": result.held_back}


def without_paths(obj: dict[str, Any]) -> dict[str, Any]:
    """The keys a linear run also has, with the path keys of each task left out."""
    kept = {k: v for k, v in obj.items() if k not in ("routes", "outcomes")}
    kept["tasks"] = [{k: v for k, v in t.items() if k != "node"} for t in obj["tasks"]]
    kept["forecast"] = {k: v for k, v in obj["forecast"].items() if k != "outcomes_per_day"}
    return kept


@settings(max_examples=examples(150), deadline=None)
@given(scenarios())
def test_a_linear_scenario_tells_the_same_story_through_either_run(data: dict[str, Any]):
    try:
        expected = column_run(data)
    except ScenarioError:
        reject()
    got = path_run(data)
    assert without_paths(got) == expected
    assert all(route["decisions"] == [] for route in got["routes"])
    assert got["outcomes"] == []


@settings(max_examples=examples(150), deadline=None)
@given(schedule_scenarios())
def test_limits_per_kind_and_week_days_off_and_move_tell_the_same_story_through_either_run(data: dict[str, Any]):
    """SPEC §12 is one set of rules too: passing over a kind at its limit, the rolling week, days off, ``move``."""
    try:
        expected = column_run(data, SCHEDULE_DAYS)
    except ScenarioError:
        reject()
    got = path_run(data, SCHEDULE_DAYS)
    assert without_paths(got) == expected
