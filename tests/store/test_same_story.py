"""One story, two ways: through the workspace and through ``simulate`` — the same outcome.

Both call the one engine; these tests catch any rule the workspace would
otherwise bend (ordering, rotation state kept between transactions, waiting
contacts, the daily plan).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.engine.report import result_object
from builder.engine.scenario import load_scenario, parse_scenario
from builder.engine.simulation import simulate
from builder.store.workspace import Workspace
from tests.store.story import outcome, play

EXAMPLES = sorted(
    p for p in (Path(__file__).parents[2] / "resources" / "examples").glob("*.json") if "expected" not in p.name
)


def simulated(scenario):
    result = result_object(simulate(scenario))
    assignments = [
        tuple(a[k] for k in ("contact", "branch", "sender_profile", "reason", "day", "status"))
        for a in result["assignments"]
    ]
    tasks = [
        tuple(t[k] for k in ("contact", "sender_profile", "step", "type", "status", "due_day", "done_day"))
        for t in result["tasks"]
    ]
    return assignments, tasks, result["days"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_scenarios_give_the_same_outcome_in_a_workspace(path, tmp_path):
    scenario = load_scenario(path)
    assignments, tasks, days = simulated(scenario)
    with Workspace.open(tmp_path / "story.sqlite") as ws:
        story = play(ws, scenario, days)
    with Workspace.open(tmp_path / "story.sqlite") as reopened:
        story.ws = reopened
        assert outcome(story) == (assignments, tasks)


def _random_scenario(draw) -> dict:
    profiles = [f"p{i}" for i in range(draw(st.integers(2, 4)))]
    tags = ["a", "b"]
    contacts = [
        {"id": f"c{i}", "tags": draw(st.lists(st.sampled_from(tags), max_size=2, unique=True))}
        for i in range(draw(st.integers(0, 8)))
    ]
    ids = [c["id"] for c in contacts]
    events = [{"day": 0, "type": "start"}]
    for day in range(1, 5):
        kind = draw(st.sampled_from(["none", "add", "attach", "remove", "override", "pause", "resume"]))
        if kind == "add":
            new = [
                {
                    "id": f"d{day}_{i}",
                    "tags": draw(st.lists(st.sampled_from(tags), min_size=1, max_size=2, unique=True)),
                }
                for i in range(draw(st.integers(1, 3)))
            ]
            events.append({"day": day, "type": "add_contacts", "contacts": new})
        elif kind in ("attach", "remove"):
            event = {
                "day": day,
                "type": f"{'add' if kind == 'attach' else 'remove'}_sender_profile",
                "branch": "b0",
                "sender_profile": draw(st.sampled_from(profiles)),
            }
            if kind == "remove":
                event["mode"] = draw(st.sampled_from(["cancel", "continue"]))
            events.append(event)
        elif kind in ("pause", "resume"):
            events.append({"day": day, "type": kind})
        elif kind == "override" and ids:
            events.append(
                {
                    "day": day,
                    "type": "set_override",
                    "contacts": [draw(st.sampled_from(ids))],
                    "sender_profile": draw(st.sampled_from([*profiles, None])),
                }
            )
    return {
        "sender_profiles": [
            {"id": p, "daily_limit": draw(st.integers(1, 3)), "weight": draw(st.integers(1, 2))} for p in profiles
        ],
        "contacts": contacts,
        "interactions": [
            {
                "contact": draw(st.sampled_from(ids)),
                "sender_profile": draw(st.sampled_from(profiles)),
                "day": -draw(st.integers(0, 5)),
            }
            for _ in range(draw(st.integers(0, 3)))
        ]
        if ids
        else [],
        "automation": {
            "name": "Random",
            "branches": [
                {
                    "id": "b0",
                    "segment": {"tags_any": ["a"]},
                    "sender_profiles": profiles[:2],
                    "steps": [
                        {"type": "linkedin_connect"},
                        {"type": "wait", "days": draw(st.integers(0, 2))},
                        {"type": "email"},
                    ],
                },
                {
                    "id": "b1",
                    "segment": {"tags_all": ["b"]},
                    "sender_profiles": profiles[-1:],
                    "steps": [{"type": "email"}],
                },
            ],
        },
        "events": events,
        "days": 8,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_stories_give_the_same_outcome_in_a_workspace(data, tmp_path_factory):
    raw = _random_scenario(data.draw)
    scenario = parse_scenario(raw)
    try:
        assignments, tasks, days = simulated(scenario)
    except ValueError:
        return  # an illegal event sequence (e.g. removing a profile twice): both refuse it
    with Workspace.open(tmp_path_factory.mktemp("story") / "w.sqlite") as ws:
        assert outcome(play(ws, scenario, days)) == (assignments, tasks)
