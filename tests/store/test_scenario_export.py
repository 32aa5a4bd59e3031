"""The scenario the workspace builds in memory is the one its saved file reads back as."""

from __future__ import annotations

import json
from collections.abc import Callable

from builder.engine.scenario import parse_scenario
from builder.engine.simulation import simulate
from builder.store.demo import build_demo
from builder.store.workspace import Workspace
from tests.store.builders import build_outreach


def same_when_saved(ws: Workspace, automation: int, **what_if: int) -> None:
    model = ws.scenario_model(automation, **what_if)
    saved = json.loads(json.dumps(ws.scenario_for(automation, **what_if)))
    assert parse_scenario(saved) == model


def test_a_draft_saves_as_the_scenario_the_pane_runs(open_workspace: Callable[..., Workspace]):
    ws = open_workspace()
    flow = build_outreach(ws)
    anna = ws.create_sender_profile("Anna", daily_limit=2)
    ws.attach_sender_profile(flow.profile_node, anna)
    ids = ws.add_contacts([{"name": f"CTO {i}", "tags": ["cto"]} for i in range(5)])
    ws.set_override(ids[:1], anna)
    same_when_saved(ws, flow.automation, days=10, new_contacts_per_day=2)


def test_a_running_automation_saves_with_its_standing(open_workspace: Callable[..., Workspace]):
    ws = open_workspace()
    automation = build_demo(ws, contacts=300)
    same_when_saved(ws, automation, days=30)
    same_when_saved(ws, automation, days=5, new_contacts_per_day=3)
    model = ws.scenario_model(automation, days=30)
    assert model.state is not None and len(model.state.enrollments) == len(ws.enrollments(automation))
    # and it runs: the contacts already enrolled keep their sender profile
    result = simulate(model)
    before = {e.contact: e.sender_profile for e in model.state.enrollments}
    assert all(before[e.contact] == e.profile for e in result.enrollments if e.contact in before)


def test_the_forecast_counts_the_work_already_done_today(open_workspace: Callable[..., Workspace]):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna", daily_limit=3)
    ws.add_contacts([{"name": f"CTO {i}", "tags": ["cto"]} for i in range(6)])
    flow = build_outreach(ws, wait_days=2)
    ws.attach_sender_profile(flow.profile_node, anna)
    # Anna also works for another automation; what she did there today counts too.
    other = build_outreach(ws, tag="vp", name="VP outreach")
    ws.add_contacts([{"name": "VP 1", "tags": ["vp"]}])
    ws.attach_sender_profile(other.profile_node, anna)
    ws.start(other.automation)
    ws.start(flow.automation)
    plan = ws.plan_today()[anna]
    assert [t.automation_id for t in plan] == [other.automation, flow.automation, flow.automation]
    ws.mark_done(plan[0].task_id)  # the VP's, in the other automation
    ws.mark_done(plan[1].task_id)  # a CTO's, in this one
    (still_planned,) = ws.plan_today()[anna]

    model = ws.scenario_model(flow.automation, days=5)
    assert model.state is not None and model.state.done_today == {f"p{anna}": 2}
    result = simulate(model)
    # Day 0: the one task done already, plus what the limit still leaves: the task still planned.
    assert result.done_per_day[f"p{anna}"][0] == 2
    done_today = sorted(e.contact for e in result.enrollments for t in e.tasks if t.done_day == 0)
    assert done_today == sorted([f"c{plan[1].contact_id}", f"c{still_planned.contact_id}"])
    again = json.loads(json.dumps(ws.scenario_for(flow.automation, days=5)))
    assert parse_scenario(again) == model
