"""The engine's shortcuts give exactly what the plain rules give.

The rotation replays a worked-out period, the planner buckets tasks by due
day, and the workspace builds scenarios in memory; each is checked here
against the straightforward version it replaces.
"""

from __future__ import annotations

import heapq
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.engine.planner import DailyPlanner
from builder.engine.roster import Attachment, BranchRoster
from builder.engine.scenario import parse_scenario
from builder.engine.scenario_writer import scenario_data
from builder.engine.what_if import with_profile_added, with_profile_removed
from tests.budget import examples
from tests.engine.test_properties import scenarios

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
FAST = settings(max_examples=examples(80), deadline=None)


def plain_rotation(weights: list[int], currents: list[int]) -> int:
    """SPEC R3 as written: everyone adds its weight, the highest (earliest on ties) gives back the total."""
    for i, weight in enumerate(weights):
        currents[i] += weight
    best = max(range(len(weights)), key=lambda i: (currents[i], -i))
    currents[best] -= sum(weights)
    return best


@FAST
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=6),
    st.lists(st.sampled_from(["pick", "pick", "pick", "look", "weight"]), max_size=60),
)
def test_a_replayed_rotation_picks_and_stands_as_the_plain_one(weights: list[int], ops: list[str]):
    roster = BranchRoster(Attachment(f"p{i}", w, order=i) for i, w in enumerate(weights))
    currents = [0] * len(weights)
    for step, op in enumerate(ops):
        if op == "pick":
            assert roster.pick_even().profile == f"p{plain_rotation(weights, currents)}"
        elif op == "look":  # reading the values mid-period stops the replay; picks go on the same
            assert [a.current for a in roster.attachments] == currents
        else:
            index = step % len(weights)
            weights[index] = weights[index] % 5 + 1
            roster.set_weight(f"p{index}", weights[index])
    assert [a.current for a in roster.attachments] == currents


@FAST
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("add"), st.integers(0, 1), st.integers(0, 6), st.integers(0, 5), st.integers(0, 3)),
            st.tuples(st.just("take"), st.integers(0, 1), st.integers(0, 8)),
        ),
        max_size=80,
    )
)
def test_the_calendar_planner_orders_as_a_heap_would(ops: list[tuple]):
    planner: DailyPlanner[tuple[int, int]] = DailyPlanner()
    heaps: dict[int, list[tuple[int, int, int]]] = {0: [], 1: []}
    queued: set[tuple[int, int, int]] = set()
    for op in ops:
        if op[0] == "add":
            _, profile, due, order, step = op
            if (profile, order, step) in queued:
                continue  # one task per (enrollment, step)
            queued.add((profile, order, step))
            planner.add(profile, due, order, step, (order, step))
            heapq.heappush(heaps[profile], (due, order, step))
        else:
            _, profile, day = op
            heap = heaps[profile]
            expected = heapq.heappop(heap)[1:] if heap and heap[0][0] <= day else None
            assert planner.take_due(profile, day) == expected


@FAST
@given(scenarios())
def test_a_written_scenario_reads_back_the_same(data: dict[str, Any]):
    scenario = parse_scenario(data)
    assert parse_scenario(json.loads(json.dumps(scenario_data(scenario)))) == scenario


def test_the_examples_read_back_the_same_and_so_do_their_what_ifs():
    for path in sorted(EXAMPLES.glob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        scenario = parse_scenario(json.loads(path.read_text(encoding="utf-8")))
        assert parse_scenario(scenario_data(scenario)) == scenario, path.name
        branch = scenario.automation.branches[0]
        profile = scenario.sender_profiles[0].id
        changed = (
            with_profile_removed(scenario, branch.id, profile, "cancel")
            if profile in branch.sender_profiles
            else with_profile_added(scenario, branch.id, profile)
        )
        assert parse_scenario(scenario_data(changed)) == changed, path.name
        assert changed.events[0].day == 0 and changed.contacts is scenario.contacts
