"""Invariants of SPEC §10 over random trees, random outcome events and random rates.

After every day of a run:
- every enrolled contact is at exactly one place: on one queued task, on its
  way to a node, waiting at a Wait for, waiting for a sender profile, or done;
- no task lies on a path not taken: every output in a task's address is one
  its contact's route took;
- the contacts that arrived at a control node are those that went each way,
  plus those still waiting there, plus those a reply or a removal took away;
- nothing is pending after a reply while the automation stops on reply;
- each sender profile's counts of contacts (by reason) and of pending tasks
  are those of the contacts it has;
- no sender profile ever does more than its daily limit in a day.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

from hypothesis import given, reject, settings
from hypothesis import strategies as st

from builder.engine.limits import weekday_of
from builder.engine.path_run import ACTIVE, PENDING, REPLIED, WAITING, PathRun
from builder.engine.scenario import ScenarioError, parse_scenario
from builder.engine.words import Outcome, TaskStatus
from tests.budget import examples
from tests.engine.test_limits_properties import profile as scheduled_profile

DAYS = 12
ACTIONS = ("linkedin_connect", "linkedin_message", "email")


@st.composite
def step_lists(draw, depth: int, stop_on_reply: bool) -> list[dict[str, Any]]:
    plain = st.one_of(
        st.sampled_from(ACTIONS).map(lambda kind: {"type": kind}),
        st.integers(0, 2).map(lambda d: {"type": "wait", "days": d}),
        st.sampled_from(["add_tag", "remove_tag"]).map(lambda kind: {"type": kind, "tag": "x"}),
    )
    steps = draw(st.lists(plain, max_size=3))
    if depth > 0 and draw(st.booleans()):
        kind = draw(st.sampled_from(["wait_for", "condition", "split"]))
        if kind == "wait_for":
            outcomes = ["accepted"] if stop_on_reply else ["accepted", "replied"]
            control = {"type": "wait_for", "outcome": draw(st.sampled_from(outcomes)), "days": draw(st.integers(1, 3))}
            control["yes"] = draw(step_lists(depth - 1, stop_on_reply))
            control["no"] = draw(step_lists(depth - 1, stop_on_reply))
        elif kind == "condition":
            control = (
                {"type": "condition", "tags_any": ["x"]}
                if draw(st.booleans())
                else {"type": "condition", "has": "email"}
            )
            control["yes"] = draw(step_lists(depth - 1, stop_on_reply))
            control["no"] = draw(step_lists(depth - 1, stop_on_reply))
        else:
            count = draw(st.integers(2, 3))
            cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=count - 1, max_size=count - 1)))
            percents = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
            control = {
                "type": "split",
                "variants": [
                    {"name": f"V{i}", "percent": p, "steps": draw(step_lists(depth - 1, stop_on_reply))}
                    for i, p in enumerate(percents)
                ],
            }
        steps.append(control)
    return steps


@st.composite
def tree_scenarios(draw) -> dict[str, Any]:
    stop_on_reply = draw(st.booleans())
    steps = [{"type": "linkedin_connect"}, *draw(step_lists(2, stop_on_reply))]
    profiles = [{"id": f"p{i}", "daily_limit": draw(st.integers(1, 4))} for i in range(draw(st.integers(1, 3)))]
    contacts = [
        {"id": f"c{i}", "tags": draw(st.sampled_from([[], ["x"]])), **({"email": "e@x.test"} if i % 2 else {})}
        for i in range(draw(st.integers(1, 10)))
    ]
    events: list[dict[str, Any]] = [{"day": 0, "type": "start"}]
    for _ in range(draw(st.integers(0, 8))):
        events.append(
            {
                "day": draw(st.integers(0, DAYS - 1)),
                "type": "outcome",
                "contact": draw(st.sampled_from([c["id"] for c in contacts])),
                "outcome": draw(st.sampled_from([o.value for o in Outcome])),
            }
        )
    if draw(st.booleans()):
        events.append(
            {"day": draw(st.integers(1, 4)), "type": "add_contacts", "contacts": [{"id": "late", "tags": ["x"]}]}
        )
    if len(profiles) > 1 and draw(st.booleans()):
        events.append(
            {"day": draw(st.integers(0, 5)), "type": "remove_sender_profile", "branch": "b",
             "sender_profile": "p0", "mode": draw(st.sampled_from(["cancel", "continue"]))}
        )  # fmt: skip
    events.sort(key=lambda e: e["day"])  # as a file written back lists them, so warnings name the same places
    automation: dict[str, Any] = {
        "name": "Tree",
        "stop_on_reply": stop_on_reply,
        "branches": [
            {"id": "b", "segment": {"all": True}, "sender_profiles": [p["id"] for p in profiles], "steps": steps}
        ],
    }
    if draw(st.booleans()):
        automation["rates"] = {
            "accepted": {"rate": draw(st.floats(0, 1)), "after_days": draw(st.integers(0, 3))},
            "replied": {"rate": draw(st.floats(0, 1)), "after_days": draw(st.integers(0, 3))},
            "bounced": {"rate": draw(st.floats(0, 0.5)), "after_days": draw(st.integers(0, 2))},
        }
    return {"sender_profiles": profiles, "contacts": contacts, "automation": automation, "events": events, "days": DAYS}


def check(run: PathRun, day: int) -> None:
    decided: Counter[tuple[int, int]] = Counter()
    waiting_at: Counter[tuple[int, int]] = Counter()
    for e in run.order:
        nodes = run.plans[e.branch].nodes
        pending = [i for i, t in enumerate(e.tasks) if t.status is PENDING]
        queued = [i for i in pending if e.tasks[i].due_day is not None]
        places = [e.current is not None, e.travel is not None, e.waiting_at is not None]
        assert sum(places) <= 1, (e, places)
        if e.status is WAITING:
            assert e.tasks == [] and sum(places) == 0
        elif e.status is not ACTIVE:
            assert pending == [] and sum(places) == 0
        else:
            assert queued == ([e.current] if e.current is not None else []), e
            if sum(places) == 0:
                assert pending == [], e  # its path has ended
        taken = {(nodes[i].address, out) for i, out, _ in e.decisions}
        for task in e.tasks:
            parts = nodes[task.node].address.split(".")
            for k in range(1, len(parts), 2):
                assert (".".join(parts[:k]), parts[k]) in taken, (task, e.decisions)
        for index, _, _ in e.decisions:
            decided[(e.branch, index)] += 1
        if e.waiting_at is not None:
            waiting_at[(e.branch, e.waiting_at)] += 1
        replied_while_active = any(o.contact == e.contact and o.outcome is Outcome.REPLIED for o in run.outcomes)
        if run.stop_on_reply and replied_while_active and e.status is not WAITING:
            assert e.status in (REPLIED, e.status) and (e.status is not ACTIVE), e
            assert pending == []
    pending_tasks: Counter[tuple[int, str]] = Counter()
    reasons: dict[tuple[int, str], Counter] = {}
    for e in run.order:
        if e.profile is not None:
            pending_tasks[(e.branch, e.profile)] += sum(t.status is PENDING for t in e.tasks)
            reasons.setdefault((e.branch, e.profile), Counter())[e.reason] += 1
    for key, tally in run.tally.profiles.items():  # what the simulation pane shows, and what ends a run
        assert tally.pending == pending_tasks[key], key
        assert {r: n for r, n in tally.contacts.items() if n} == reasons.get(key, {}), key
    arrived, left = run.arrived, run.left
    for key in arrived.keys() | decided.keys() | waiting_at.keys() | left.keys():  # a node none arrived at, too
        assert arrived[key] == decided[key] + waiting_at[key] + left[key], key
    for profile, limit in run.limits.items():
        assert all(done <= limit for done in run.done_per_day[profile])


@settings(max_examples=examples(200), deadline=None)
@given(tree_scenarios())
def test_paths_keep_their_invariants_every_day(data: dict[str, Any]):
    try:
        run = PathRun(parse_scenario(data))
    except ScenarioError:
        reject()
    for day in range(DAYS):
        for event in (e for e in run.scenario.events if e.day == day):
            with contextlib.suppress(ScenarioError):
                run.apply(event)
        run._start_of_day(day)
        run.work_day(day)
        check(run, day)


@settings(max_examples=examples(60), deadline=None)
@given(tree_scenarios())
def test_a_tree_scenario_written_back_reads_and_runs_the_same(data: dict[str, Any]):
    from builder.engine.report import to_json
    from builder.engine.scenario import parse_scenario_text
    from builder.engine.scenario_writer import scenario_text
    from builder.engine.simulation import simulate

    try:
        scenario = parse_scenario(data)
        expected = to_json(simulate(scenario))
    except ScenarioError:
        reject()
    again = parse_scenario_text(scenario_text(scenario))
    assert again == scenario
    assert to_json(simulate(again)) == expected


@settings(max_examples=examples(80), deadline=None)
@given(tree_scenarios(), st.sampled_from(["", "é", '"\\', "\u2028"]))
def test_the_fast_path_text_is_the_reference_text_byte_for_byte(data: dict[str, Any], spice: str):
    from builder.engine.json_lines import records_json
    from builder.engine.report import to_json
    from builder.engine.report_paths import path_result_object
    from builder.engine.simulation import simulate

    for c in data["contacts"]:
        c["id"] += spice
    for e in data["events"]:
        if "contact" in e:
            e["contact"] += spice
    try:
        result = simulate(parse_scenario(data))
    except ScenarioError:
        reject()
    assert to_json(result) == records_json(path_result_object(result))


@st.composite
def scheduled_tree_scenarios(draw) -> dict[str, Any]:
    """A random tree whose sender profiles have SPEC §12 limits, days off and a start weekday; maybe a ``move``."""
    data = draw(tree_scenarios())
    data["sender_profiles"] = [draw(scheduled_profile(p["id"])) for p in data["sender_profiles"]]
    data["start_weekday"] = draw(st.integers(0, 6))
    if draw(st.booleans()):
        pid = draw(st.sampled_from([p["id"] for p in data["sender_profiles"]]))
        move = {"day": draw(st.integers(1, DAYS - 1)), "type": "remove_sender_profile", "branch": "b"}
        data["events"] = sorted(
            [*data["events"], {**move, "sender_profile": pid, "mode": "move"}], key=lambda e: e["day"]
        )
    return data


@settings(max_examples=examples(120), deadline=None)
@given(scheduled_tree_scenarios())
def test_a_tree_keeps_every_limit_per_kind_and_week_and_its_days_off(data: dict[str, Any]):
    """SPEC §12 on paths: no day and no rolling week over a limit, nothing on a day off, moved contacts uncontacted."""
    try:
        scenario = parse_scenario(data)
        result = PathRun(scenario).run()
    except ScenarioError:
        reject()
    specs = {p.id: p for p in scenario.sender_profiles}
    per_day: Counter[tuple[str, int]] = Counter()
    per_kind: Counter[tuple[str, Any, int]] = Counter()
    for e in result.enrollments:
        for task in e.tasks:
            if task.status is TaskStatus.DONE and task.done_day is not None:
                per_day[(e.profile, task.done_day)] += 1
                per_kind[(e.profile, task.kind, task.done_day)] += 1
        if e.moved_from is not None:  # moved: nothing was done before the move, with anyone
            assert e.profile != e.moved_from
    for (pid, day), count in per_day.items():
        assert count <= specs[pid].daily_limit
        assert weekday_of(day, scenario.start_weekday) in specs[pid].working_days
    for (pid, kind, day), count in per_kind.items():
        assert count <= specs[pid].limits.get(kind, count)
        week = sum(per_kind[(pid, kind, d)] for d in range(day, day + 7))
        assert week <= specs[pid].weekly_limits.get(kind, week)
