"""Properties of SPEC §12 over random scenarios: limits per kind and per week, working days, ``move``.

Random profiles get random limits per action kind, weekly limits and working
days; random timelines add contacts and profiles and remove them (``move``
among the choices). The run goes event by event and day by day; an event the
rules refuse is skipped and must change nothing. Then:

- no profile ever does more than its daily limit on a day, more than a
  kind's limit of that kind on a day, or more than a kind's weekly limit in
  any 7 days in a row; and nothing on a day it does not work;
- a task left undone on a day it was due was held back by one of those
  (its profile was not working, was full, or its kind was at a limit);
- a moved contact never had a done task with the profile it was moved from,
  every contact of that profile without one was moved, and the profile is
  ``draining`` exactly when some contacts stayed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from builder.engine.limits import weekday_of
from builder.engine.scenario import ScenarioError, parse_scenario
from builder.engine.simulation import Simulation
from builder.engine.words import ProfileState, TaskStatus
from tests.budget import examples

PROFILES = ("p0", "p1", "p2")
KINDS = ("linkedin_connect", "linkedin_message", "email")
DAYS = 22
RUNS = settings(max_examples=examples(80), deadline=None)


@st.composite
def profile(draw, pid: str) -> dict[str, Any]:
    data: dict[str, Any] = {"id": pid, "daily_limit": draw(st.integers(0, 4))}
    if draw(st.booleans()):
        data["limits"] = draw(st.dictionaries(st.sampled_from(KINDS), st.integers(0, 3), max_size=3))
    if draw(st.booleans()):
        data["weekly_limits"] = draw(st.dictionaries(st.sampled_from(KINDS), st.integers(0, 6), max_size=3))
    if draw(st.booleans()):
        data["working_days"] = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True))
    return data


@st.composite
def steps(draw) -> list[dict[str, Any]]:
    actions = st.sampled_from(KINDS).map(lambda kind: {"type": kind})
    waits = st.integers(0, 3).map(lambda days: {"type": "wait", "days": days})
    chosen = draw(st.lists(st.one_of(actions, waits), min_size=1, max_size=5))
    if all(step["type"] == "wait" for step in chosen):
        chosen.append({"type": "email"})
    return chosen


@st.composite
def scenarios(draw) -> dict[str, Any]:
    pids = list(PROFILES[: draw(st.integers(1, 3))])
    branches = [
        {
            "id": f"b{i}",
            "segment": {"tags_any": [f"t{i}"]},
            "sender_profiles": draw(st.lists(st.sampled_from(pids), min_size=1, max_size=len(pids), unique=True)),
            "steps": draw(steps()),
        }
        for i in range(draw(st.integers(1, 2)))
    ]
    tags = [f"t{i}" for i in range(len(branches))]
    people = [{"id": f"c{i}", "tags": [draw(st.sampled_from(tags))]} for i in range(draw(st.integers(0, 12)))]
    events: list[dict[str, Any]] = [{"day": 0, "type": "start"}]
    for n in range(draw(st.integers(0, 6))):
        day = draw(st.integers(0, DAYS - 1))
        kind = draw(st.sampled_from(["add_contacts", "add_sender_profile", "remove_sender_profile", "move", "move"]))
        if kind == "add_contacts":
            count = draw(st.integers(1, 4))
            added = [{"id": f"n{n}_{i}", "tags": [draw(st.sampled_from(tags))]} for i in range(count)]
            events.append({"day": day, "type": kind, "contacts": added})
            continue
        event = {
            "day": day,
            "branch": draw(st.sampled_from(branches))["id"],
            "sender_profile": draw(st.sampled_from(pids)),
        }
        if kind == "add_sender_profile":
            events.append({**event, "type": kind})
        else:
            mode = "move" if kind == "move" else draw(st.sampled_from(["cancel", "continue"]))
            events.append({**event, "type": "remove_sender_profile", "mode": mode})
    return {
        "sender_profiles": [draw(profile(pid)) for pid in pids],
        "contacts": people,
        "automation": {"name": "Random limits", "branches": branches},
        "events": sorted(events, key=lambda e: e["day"]),
        "start_weekday": draw(st.integers(0, 6)),
        "days": DAYS,
    }


def standing(sim: Simulation) -> tuple:
    return (
        [
            (e.contact, e.profile, e.reason, e.status, e.moved_from, [(t.status, t.due_day) for t in e.tasks])
            for e in sim.ordered
        ],
        [[(a.profile, a.state, a.current) for a in b.roster.attachments] for b in sim.branches],
    )


class Run:
    """A scenario run day by day, with every ``move`` checked as it happens."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.scenario = parse_scenario(data)
        self.sim = Simulation(self.scenario)
        self.moved_on: dict[str, int] = {}  # contact -> the day it was moved
        self.moves = 0

    def go(self) -> Run:
        events = list(self.scenario.events)
        for day in range(DAYS):
            for event in [e for e in events if e.day == day]:
                self.apply(event, day)
            self.sim.work_day(day)
        return self

    def apply(self, event: Any, day: int) -> None:
        sim = self.sim
        before = {e.contact: e for e in sim.ordered}
        was = standing(sim)
        try:
            sim.apply(event)
        except ScenarioError:
            assert standing(sim) == was, "a refused event changed the run"
            return
        if event.type != "remove_sender_profile" or event.mode is None or event.mode.value != "move":
            return
        self.moves += 1
        branch = sim.branch_ids.index(event.branch)
        mine = [e for e in before.values() if e.branch == branch and e.profile == event.sender_profile]
        mine = [e for e in mine if e.status.value == "active"]
        after = {e.contact: e for e in sim.ordered}
        stayed = 0
        for old in mine:
            contacted = any(t.status is TaskStatus.DONE for t in old.tasks)
            new = after[old.contact]
            if contacted:
                assert new.profile == event.sender_profile, "a contacted contact was moved"
                stayed += 1
            else:
                assert new.profile != event.sender_profile and new.moved_from == event.sender_profile
                self.moved_on[old.contact] = day
        state = sim.branches[branch].roster.get(event.sender_profile).state
        assert state is (ProfileState.DRAINING if stayed else ProfileState.REMOVED)


@RUNS
@given(scenarios())
def test_no_day_and_no_rolling_week_is_ever_over_a_limit_and_days_off_stay_off(data: dict[str, Any]):
    run = Run(data).go()
    specs = {p.id: p for p in run.scenario.sender_profiles}
    per_day: Counter[tuple[str, int]] = Counter()
    per_kind: Counter[tuple[str, str, int]] = Counter()
    for enrollment in run.sim.ordered:
        for task in enrollment.tasks:
            if task.status is TaskStatus.DONE:
                per_day[(enrollment.profile, task.done_day)] += 1
                per_kind[(enrollment.profile, task.kind, task.done_day)] += 1
    for (pid, day), count in per_day.items():
        spec = specs[pid]
        assert count <= spec.daily_limit
        assert weekday_of(day, run.scenario.start_weekday) in spec.working_days
        assert run.sim.done_per_day[pid][day] == count
    for (pid, kind, day), count in per_kind.items():
        spec = specs[pid]
        assert count <= spec.limits.get(kind, count)
        week = sum(per_kind[(pid, kind, d)] for d in range(day, day + 7))  # the window ending 0..6 days later
        assert week <= spec.weekly_limits.get(kind, week)


@RUNS
@given(scenarios())
def test_a_due_task_is_left_undone_only_when_a_limit_or_a_day_off_holds_it(data: dict[str, Any]):
    run = Run(data).go()
    scenario = run.scenario
    specs = {p.id: p for p in scenario.sender_profiles}
    per_day: Counter[tuple[str, int]] = Counter()
    per_kind: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    for enrollment in run.sim.ordered:
        for task in enrollment.tasks:
            if task.status is TaskStatus.DONE:
                per_day[(enrollment.profile, task.done_day)] += 1
                per_kind[(enrollment.profile, task.kind)][task.done_day] += 1
    for enrollment in run.sim.ordered:
        pid = enrollment.profile
        for task in enrollment.tasks:
            if task.due_day is None:
                continue
            left_until = task.done_day if task.status is TaskStatus.DONE else DAYS
            if task.status is TaskStatus.CANCELED:
                continue
            first = max(task.due_day, run.moved_on.get(enrollment.contact, task.due_day))
            spec = specs[pid]
            done = per_kind[(pid, task.kind)]
            for day in range(first, left_until):
                held = (
                    weekday_of(day, scenario.start_weekday) not in spec.working_days
                    or per_day[(pid, day)] >= spec.daily_limit
                    or done[day] >= spec.limits.get(task.kind, DAYS * 9)
                    or sum(done[d] for d in range(day - 6, day + 1)) >= spec.weekly_limits.get(task.kind, DAYS * 9)
                )
                assert held, f"{enrollment.contact}'s {task.kind} was due on day {day} and nothing held it back"


# Bob contacts one contact a day; on day 2 the rest of his go to Anna.
MOVING = {
    "sender_profiles": [
        {"id": "p0", "daily_limit": 3, "limits": {"email": 1}},
        {"id": "p1", "daily_limit": 1, "working_days": [0, 2, 4]},
    ],
    "contacts": [{"id": f"c{i}", "tags": ["t0"]} for i in range(8)],
    "automation": {
        "name": "Moving",
        "branches": [
            {
                "id": "b0",
                "segment": {"tags_any": ["t0"]},
                "sender_profiles": ["p0", "p1"],
                "steps": [{"type": "linkedin_connect"}, {"type": "wait", "days": 1}, {"type": "email"}],
            }
        ],
    },
    "events": [
        {"day": 0, "type": "start"},
        {"day": 3, "type": "remove_sender_profile", "branch": "b0", "sender_profile": "p1", "mode": "move"},
    ],
    "days": DAYS,
}


def test_the_fixed_example_does_move_contacts():
    assert len(Run(MOVING).go().moved_on) == 2


@RUNS
@given(scenarios())
@example(MOVING)
def test_a_moved_contact_never_had_a_done_task_with_the_profile_it_left(data: dict[str, Any]):
    run = Run(data).go()
    for enrollment in run.sim.ordered:
        if enrollment.moved_from is None:
            continue
        moved = run.moved_on[enrollment.contact]
        assert all(t.done_day >= moved for t in enrollment.tasks if t.status is TaskStatus.DONE)
