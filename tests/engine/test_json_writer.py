"""``simulate --json`` writes its text straight from the run; it must stay the text of the plain object, byte for byte.

SPEC §7: the same file always gives the same output, byte for byte. The
fast writer (:func:`builder.engine.report.json_chunks`) fills string
templates; the reference is ``records_json(result_object(result))``, the
object of dicts put through ``json.dumps`` line by line, as ``to_json`` was
written before. Ids and names here carry quotes, backslashes, control
characters, braces, ``%s`` and characters outside ASCII, so a broken escape
or a key out of order fails.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from builder.engine import report
from builder.engine.json_lines import Lines, records_chunks, records_json
from builder.engine.report import json_chunks, result_object, to_json
from builder.engine.scenario import ScenarioError, load_scenario, parse_scenario
from builder.engine.simulation import Simulation, SimulationResult, simulate
from tests.budget import examples
from tests.engine.test_paths_properties import tree_scenarios
from tests.engine.test_properties import DAYS, scenarios

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
SHARED = Path("/work/shared/examples")
NASTY = ['"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "{", "}", "{0}", "%s", "é", "€", "😀", "\u2028", " ", "/"]
suffixes = st.lists(st.one_of(st.sampled_from(NASTY), st.characters(blacklist_categories=("Cs",))), max_size=3).map(
    "".join
)


def reference(result: SimulationResult) -> str:
    return records_json(result_object(result))


def fast(result: SimulationResult, batch: int) -> str:
    before = report.BATCH
    report.BATCH = batch
    try:
        return "".join(json_chunks(result))
    finally:
        report.BATCH = before


@st.composite
def spiced_scenarios(draw) -> dict[str, Any]:
    """A random scenario of test_properties whose ids and name end in texts that need escaping."""
    data = draw(scenarios())
    ids = {p["id"] for p in data["sender_profiles"]} | {c["id"] for c in data["contacts"]}
    ids |= {b["id"] for b in data["automation"]["branches"]}
    for event in data["events"]:
        if event["type"] == "add_contacts":
            ids |= {c["id"] for c in event["contacts"]}
    renamed = {old: old + draw(suffixes) for old in sorted(ids)}
    if len(set(renamed.values())) != len(renamed):
        reject()

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return renamed.get(value, value) if isinstance(value, str) else value

    spiced = walk(data)
    spiced["automation"]["name"] = "Random" + draw(suffixes)
    return spiced


def run_skipping_refused(data: dict[str, Any]) -> SimulationResult:
    """The run of ``data`` as ``simulate`` does it, except that an event the rules refuse is left out."""
    try:
        sim = Simulation(parse_scenario(data))
    except ScenarioError:
        reject()
    events = list(sim.scenario.events)
    for day in range(DAYS):
        for event in (e for e in events if e.day == day):
            with contextlib.suppress(ScenarioError):
                sim.apply(event)
        sim.work_day(day)
    return SimulationResult(
        sim.scenario,
        DAYS,
        lambda: sim.ordered,
        [b.roster for b in sim.branches],
        sim.done_per_day,
        sim.warnings,
        sim.ignored_overrides,
        sim.tally,
    )


@settings(max_examples=examples(120), deadline=None)
@given(spiced_scenarios(), st.sampled_from([1, 2, 3, 8192]))
def test_the_fast_text_is_the_reference_text_byte_for_byte(data: dict[str, Any], batch: int):
    result = run_skipping_refused(data)
    assert fast(result, batch) == reference(result)


@st.composite
def two_branch_trees(draw) -> dict[str, Any]:
    """A random tree scenario of test_paths_properties with a second branch of its own tree: the tagged contacts
    go the first way, the others the second (so routes and tasks of both branches are written side by side)."""
    data = draw(tree_scenarios())
    other = draw(tree_scenarios())
    first = data["automation"]["branches"][0]
    first["segment"] = {"tags_any": ["x"]}
    steps = other["automation"]["branches"][0]["steps"]
    data["automation"]["branches"].append(
        {"id": "b2", "segment": {"all": True}, "sender_profiles": first["sender_profiles"], "steps": steps}
    )
    return data


@settings(max_examples=examples(80), deadline=None)
@given(two_branch_trees(), st.sampled_from([1, 3, 8192]))
def test_a_tree_run_writes_the_reference_text_byte_for_byte(data: dict[str, Any], batch: int):
    try:
        result = simulate(parse_scenario(data))
    except ScenarioError:
        reject()
    assert fast(result, batch) == reference(result)


def example_scenarios() -> list[Path]:
    found = [p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".expected.json")]
    if SHARED.is_dir():
        found += [p for p in SHARED.glob("*.json") if not p.name.endswith(".expected.json")]
    return sorted(found)


@pytest.mark.parametrize("path", example_scenarios(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_gives_the_reference_text(path: Path):
    try:
        result = simulate(load_scenario(path))
    except ScenarioError:
        pytest.skip("a scenario of later SPEC sections, refused for now")
    assert to_json(result) == reference(result)
    assert fast(result, 2) == reference(result)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_lines_in_batches_are_the_list_written_whole(count: int, size: int):
    items = [{"n": i, "t": f'"{i}"'} for i in range(count)]
    obj = {"before": 1, "items": items, "empty": [], "after": {"k": None}}
    texts = [report.dumps(item) for item in items]
    batches = [texts[i : i + size] for i in range(0, count, size)] + [[]]
    pairs = [("before", 1), ("items", Lines(batches)), ("empty", Lines([[]])), ("after", {"k": None})]
    assert "".join(records_chunks(pairs)) == records_json(obj)
    assert "".join(records_chunks(obj.items())) == records_json(obj)
