"""load-scenario's workspace side (SPEC §7, §10, issue 13): a scenario file made into an empty workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.engine.report import result_object
from builder.engine.scenario import load_scenario, parse_scenario
from builder.engine.scenario_writer import scenario_data
from builder.engine.simulation import simulate
from builder.store.database import WorkspaceError
from builder.store.scenario_import import load_into
from tests.store.builders import MONDAY

EXAMPLES = Path("/work/shared/examples")
if not EXAMPLES.exists():
    EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"
TREE = EXAMPLES / "04-wait-for-accepted.json"


def renamed(value: object, names: dict[str, str]) -> object:
    if isinstance(value, dict):
        return {names.get(k, k): renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [renamed(v, names) for v in value]
    return names.get(value, value) if isinstance(value, str) else value


@pytest.mark.skipif(not TREE.exists(), reason="the worked example of a tree is not here")
def test_a_tree_is_built_with_settings_labelled_edges_and_a_readable_layout(open_workspace):
    ws = open_workspace()
    data = json.loads(TREE.read_text(encoding="utf-8"))
    data["events"] = []  # a draft: the path is the workspace's, the story the forecast's
    data["automation"]["stop_on_reply"] = False
    data["automation"]["rates"] = {"accepted": {"rate": 0.5, "after_days": 1}}
    loaded = load_into(ws, parse_scenario(data))
    nodes = {n.id: n for n in ws.nodes(loaded.automation_id)}
    by_kind = {n.kind.value: n for n in nodes.values()}
    wait_for, message, email = by_kind["wait_for"], by_kind["linkedin_message"], by_kind["email"]
    assert ws.edge_output(wait_for.id, message.id) == "yes" and ws.edge_output(wait_for.id, email.id) == "no"
    assert message.x == email.x > wait_for.x > by_kind["linkedin_connect"].x  # left to right
    assert message.y < email.y  # yes above no
    assert len({(n.x, n.y) for n in nodes.values()}) == len(nodes)  # no two cards on one spot
    assert [p for p in ws.problems(loaded.automation_id) if p.blocking] == []  # messages are asked for
    assert ws.stop_on_reply(loaded.automation_id) is False
    assert ws.rates(loaded.automation_id) == {"accepted": {"rate": 0.5, "after_days": 1}}

    # Saved again, it runs as the file does (a draft is saved as starting on day 0). Rates draw by contact id,
    # which the workspace numbers anew, so the stories are compared without them.
    saved = scenario_data(ws.scenario_model(loaded.automation_id, days=data["days"]))
    assert saved["automation"].pop("rates") == data["automation"].pop("rates")
    assert saved["automation"]["stop_on_reply"] is False
    data["events"] = [{"day": 0, "type": "start"}]
    expected = result_object(simulate(parse_scenario(data)))
    names = {c["id"]: o["id"] for c, o in zip(saved["contacts"], data["contacts"], strict=True)}
    names |= {p["id"]: o["id"] for p, o in zip(saved["sender_profiles"], data["sender_profiles"], strict=True)}
    assert renamed(result_object(simulate(parse_scenario(saved))), names) == expected


def test_day_zero_events_go_through_the_workspace_and_later_ones_are_left(open_workspace):
    ws = open_workspace(MONDAY)
    scenario = load_scenario(EXAMPLES / "01-even-history-override.json")
    loaded = load_into(ws, scenario)
    assert (len(loaded.profiles), len(loaded.contacts), loaded.interactions, loaded.overrides) == (4, 8, 3, 1)
    assert loaded.applied == ["started"] and loaded.later == []
    enrolled = {e.contact_id: e for e in ws.enrollments(loaded.automation_id)}
    k2, k6 = enrolled[loaded.contacts["k2"]], enrolled[loaded.contacts["k6"]]
    assert (k2.sender_profile_id, k2.reason.value) == (loaded.profiles["omar"], "previous_interaction")
    assert (k6.sender_profile_id, k6.reason.value) == (loaded.profiles["lena"], "override")
    with pytest.raises(WorkspaceError, match="already holds 4 sender profiles, 8 contacts, 1 automation"):
        load_into(ws, scenario)


def test_an_outcome_event_on_day_zero_is_recorded_or_warned_about(open_workspace):
    ws = open_workspace(MONDAY)
    data = json.loads((EXAMPLES / "02-profile-added-mid-run.json").read_text(encoding="utf-8"))
    data["events"] = [
        {"day": 0, "type": "start"},
        {"day": 0, "type": "outcome", "contact": "k0", "outcome": "replied"},
        {"day": 0, "type": "outcome", "contact": "k1", "outcome": "bounced"},
        {"day": 3, "type": "pause"},
    ]
    loaded = load_into(ws, parse_scenario(data))
    assert loaded.applied == ["started", "k0 replied"]
    assert loaded.warnings == ["events[2]: An email to k1 cannot have bounced: none is done in 'SaaS' yet."]
    assert [e.status.value for e in ws.enrollments(loaded.automation_id)][:2] == ["replied", "active"]
    assert [e.type for e in loaded.later] == ["pause"]
