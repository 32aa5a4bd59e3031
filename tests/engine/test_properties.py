"""Properties of SPEC §4–§6 over random scenarios and random timelines.

Random but valid scenario dicts are parsed and run day by day through
:class:`Simulation`; events the rules refuse (pausing a draft, removing without
a mode…) raise :class:`ScenarioError` and are skipped, which must leave the run
unchanged.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from builder.engine.roster import Attachment, BranchRoster, RosterError
from builder.engine.scenario import ScenarioError, parse_scenario
from builder.engine.simulation import Simulation
from builder.engine.words import AutomationState, EnrollmentStatus, ProfileState, Reason, RemovalMode, TaskStatus
from tests.budget import examples

PROFILES = ("p0", "p1", "p2", "p3")
TAGS = ("x", "y")
SEGMENTS = ({"tags_any": ["x"]}, {"tags_any": ["y"]}, {"tags_all": ["x", "y"]}, {"all": True})
DAYS = 8
FAST = settings(max_examples=examples(60), deadline=None)

ACTION_STEPS = ({"type": "linkedin_connect"}, {"type": "linkedin_message"}, {"type": "email"})


# -- random scenarios -----------------------------------------------------------------------


@st.composite
def steps(draw) -> list[dict[str, Any]]:
    waits = st.builds(lambda d: {"type": "wait", "days": d}, st.integers(0, 2))
    chosen = draw(st.lists(st.one_of(st.sampled_from(ACTION_STEPS).map(dict), waits), min_size=1, max_size=4))
    if not any(step["type"] != "wait" for step in chosen):
        chosen.append({"type": "email"})
    return chosen


def contact_dicts(draw, prefix: str, count: int) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i}", "tags": draw(st.lists(st.sampled_from(TAGS), unique=True))} for i in range(count)]


@st.composite
def scenarios(draw, equal_weights: bool = False) -> dict[str, Any]:
    pids = list(PROFILES[: draw(st.integers(1, 4))])
    weights = st.just(1) if equal_weights else st.integers(1, 3)
    profiles = [{"id": p, "daily_limit": draw(st.integers(0, 3)), "weight": draw(weights)} for p in pids]
    contacts = contact_dicts(draw, "c", draw(st.integers(0, 12)))
    known = [c["id"] for c in contacts]

    interactions = []
    overrides: dict[str, str] = {}
    if known:
        interactions = draw(
            st.lists(
                st.builds(
                    lambda c, p, d: {"contact": c, "sender_profile": p, "day": d},
                    st.sampled_from(known),
                    st.sampled_from(pids),
                    st.integers(-5, 0),
                ),
                max_size=6,
            )
        )
        overrides = draw(st.dictionaries(st.sampled_from(known), st.sampled_from(pids), max_size=4))

    branches = [
        {
            "id": f"b{i}",
            "segment": draw(st.sampled_from(SEGMENTS)),
            # Mostly startable: a branch without profiles keeps the automation from starting.
            "sender_profiles": draw(
                st.lists(
                    st.sampled_from(pids), unique=True, max_size=len(pids), min_size=draw(st.sampled_from([0, 1, 1, 1]))
                )
            ),
            "steps": draw(steps()),
        }
        for i in range(draw(st.integers(1, 2)))
    ]
    branch_ids = [b["id"] for b in branches]

    events: list[dict[str, Any]] = []
    if draw(st.integers(0, 9)):
        events.append({"day": draw(st.integers(0, 2)), "type": "start"})
    added = 0
    for _ in range(draw(st.integers(0, 10))):
        day = draw(st.integers(0, DAYS - 1))
        kind = draw(
            st.sampled_from(
                [
                    "start",
                    "pause",
                    "resume",
                    "add_contacts",
                    "add_contacts",
                    "add_sender_profile",
                    "remove_sender_profile",
                    "remove_sender_profile",
                    "set_override",
                ]
            )
        )
        event: dict[str, Any] = {"day": day, "type": kind}
        if kind == "add_contacts":
            count = draw(st.integers(1, 3))
            event["contacts"] = contact_dicts(draw, f"n{added}_", count)
            known += [c["id"] for c in event["contacts"]]
            added += 1
        elif kind in ("add_sender_profile", "remove_sender_profile"):
            event["branch"] = draw(st.sampled_from(branch_ids))
            event["sender_profile"] = draw(st.sampled_from(pids))
            mode = draw(st.sampled_from([None, "cancel", "cancel", "continue", "continue"]))
            if kind == "remove_sender_profile" and mode is not None:
                event["mode"] = mode
        elif kind == "set_override":
            if not known:
                continue
            event["contacts"] = draw(st.lists(st.sampled_from(known), min_size=1, max_size=3))
            event["sender_profile"] = draw(st.one_of(st.none(), st.sampled_from(pids)))
        events.append(event)

    return {
        "sender_profiles": profiles,
        "contacts": contacts,
        "interactions": interactions,
        "overrides": [{"contact": c, "sender_profile": p} for c, p in overrides.items()],
        "automation": {
            "name": "Random",
            "ignore_previous_interactions": draw(st.booleans()),
            "branches": branches,
        },
        "events": events,
        "days": DAYS,
    }


# -- running with checks ----------------------------------------------------------------------


def assignable(sim: Simulation, branch: int) -> set[str]:
    """The branch's active profiles, read from their states (not from the roster's own answer)."""
    return {str(a.profile) for a in sim.branches[branch].roster.attachments if a.state is ProfileState.ACTIVE}


def snapshot(sim: Simulation) -> tuple:
    """Everything an event may change, to see that a refused event changed nothing."""
    return (
        sim.state,
        [(e.contact, e.profile, e.status, [(t.status, t.due_day) for t in e.tasks]) for e in sim.ordered],
        [[(a.profile, a.state, a.order, a.current) for a in b.roster.attachments] for b in sim.branches],
        dict(sim.overrides),
    )


class Checked:
    """A run of one scenario, event by event and day by day, with invariants checked."""

    def __init__(self, data: dict[str, Any], *, equal_weights: bool = False) -> None:
        self.equal_weights = equal_weights
        self.scenario = parse_scenario(data)
        self.sim = Simulation(self.scenario)
        self.assigned: dict[str, str] = {}
        self.canceled: set[tuple[str, int]] = set()
        self.even_counts: list[Counter[str]] = [Counter() for _ in self.sim.branches]
        self.refused = 0

    def run(self) -> Checked:
        events = list(self.scenario.events)
        position = 0
        for day in range(DAYS):
            while position < len(events) and events[position].day == day:
                self.apply(events[position])
                position += 1
            self.sim.work_day(day)
            self.after_day(day)
        return self

    def apply(self, event) -> None:
        sim = self.sim
        sets_before = [assignable(sim, b) for b in range(len(sim.branches))]
        known_before = {e.contact for e in sim.ordered if e.profile is not None}
        before = snapshot(sim)
        try:
            sim.apply(event)
        except ScenarioError as error:
            assert error.problems and error.problems[0].startswith((f"{event.where}: ", f"{event.where}."))
            assert snapshot(sim) == before, "a refused event changed the run"
            self.refused += 1
            return
        for b in range(len(sim.branches)):
            if assignable(sim, b) != sets_before[b]:
                self.even_counts[b] = Counter()
        for enrollment in sim.ordered:
            if enrollment.profile is None or enrollment.contact in known_before:
                continue
            # Nobody goes to a profile that cannot take new contacts at that moment.
            assert enrollment.profile in assignable(sim, enrollment.branch)
            if enrollment.reason is Reason.OVERRIDE:
                assert sim.overrides.get(enrollment.contact) == enrollment.profile
            if enrollment.reason is Reason.EVEN_DISTRIBUTION:
                self.even_counts[enrollment.branch][enrollment.profile] += 1
                if self.equal_weights:
                    self.check_even_spread()
        self.check_assignments()

    def check_even_spread(self) -> None:
        """Equal weights: since the last change of the assignable set, R3 counts differ by at most one."""
        for branch, counts in enumerate(self.even_counts):
            per_profile = [counts[p] for p in assignable(self.sim, branch)]
            if per_profile:
                assert max(per_profile) - min(per_profile) <= 1, dict(counts)

    def check_assignments(self) -> None:
        seen = set()
        for enrollment in self.sim.ordered:
            assert enrollment.contact not in seen, "a contact enrolled twice in one automation"
            seen.add(enrollment.contact)
            if enrollment.profile is None:
                assert enrollment.status is EnrollmentStatus.WAITING
                assert enrollment.tasks == []
                continue
            assert enrollment.status is not EnrollmentStatus.WAITING
            first = self.assigned.setdefault(enrollment.contact, enrollment.profile)
            assert enrollment.profile == first, f"{enrollment.contact} moved from {first} to {enrollment.profile}"

    def after_day(self, day: int) -> None:
        sim = self.sim
        self.check_assignments()
        done_today: Counter[str] = Counter()
        for enrollment in sim.ordered:
            for task in enrollment.tasks:
                if (enrollment.contact, task.step) in self.canceled:
                    assert task.status is TaskStatus.CANCELED and task.done_day is None
                if task.status is TaskStatus.CANCELED:
                    self.canceled.add((enrollment.contact, task.step))
                if task.status is TaskStatus.DONE:
                    assert task.done_day is not None and task.done_day <= day
                    # Never before it fell due.
                    assert task.due_day is not None and task.due_day <= task.done_day
                    if task.done_day == day:
                        done_today[enrollment.profile] += 1
                else:
                    assert task.done_day is None
        for profile, limit in sim.limits.items():
            assert sim.done_per_day[profile][day] <= limit
            assert sim.done_per_day[profile][day] == done_today[profile]
        if sim.state is not AutomationState.RUNNING:
            assert not done_today


# -- properties ----------------------------------------------------------------------------


@FAST
@given(scenarios())
def test_random_timelines_keep_every_invariant(data: dict[str, Any]):
    checked = Checked(data).run()
    result = checked.sim
    for enrollment in result.ordered:
        if enrollment.status is EnrollmentStatus.CANCELED:
            assert all(t.status is not TaskStatus.PENDING for t in enrollment.tasks)


# One R3 pick, then a profile leaves: without the reset the two left would not alternate.
PICK_THEN_DRAIN = {
    "sender_profiles": [{"id": p} for p in ("p0", "p1", "p2")],
    "contacts": [{"id": "c0"}],
    "automation": {
        "branches": [
            {"id": "b0", "segment": {"all": True}, "sender_profiles": ["p0", "p1", "p2"], "steps": [{"type": "email"}]}
        ]
    },
    "events": [
        {"day": 0, "type": "start"},
        {"day": 1, "type": "remove_sender_profile", "branch": "b0", "sender_profile": "p2", "mode": "continue"},
        {"day": 1, "type": "add_contacts", "contacts": [{"id": "n0"}, {"id": "n1"}, {"id": "n2"}]},
    ],
    "days": DAYS,
}


@FAST
@given(scenarios(equal_weights=True))
@example(PICK_THEN_DRAIN)
def test_with_equal_weights_even_counts_differ_by_at_most_one_since_the_last_change(data: dict[str, Any]):
    Checked(data, equal_weights=True).run()


@FAST
@given(scenarios())
def test_the_same_scenario_runs_the_same_twice(data: dict[str, Any]):
    first, second = Checked(data).run(), Checked(data).run()
    assert snapshot(first.sim) == snapshot(second.sim)
    assert first.sim.done_per_day == second.sim.done_per_day
    assert first.sim.warnings == second.sim.warnings


# -- the rotation on its own ------------------------------------------------------------------

roster_ops = st.lists(
    st.one_of(
        st.tuples(st.just("attach"), st.sampled_from(PROFILES)),
        st.tuples(st.just("remove"), st.sampled_from(PROFILES), st.sampled_from(list(RemovalMode))),
        st.tuples(st.just("detach"), st.sampled_from(PROFILES)),
        st.tuples(st.just("pick"), st.integers(1, 6)),
    ),
    max_size=30,
)


def apply_roster_op(roster: BranchRoster, op: tuple) -> list[str]:
    """Apply one op; return the profiles it picked. Refused ops must change nothing."""
    before = [(a.profile, a.state, a.order, a.current) for a in roster.attachments]
    try:
        if op[0] == "attach":
            roster.attach(op[1])
        elif op[0] == "remove":
            roster.remove(op[1], started=True, mode=op[2])
        elif op[0] == "detach":
            roster.remove(op[1], started=False)
        elif roster.assignable():
            return [str(roster.pick_even().profile) for _ in range(op[1])]
    except RosterError:
        assert [(a.profile, a.state, a.order, a.current) for a in roster.attachments] == before
    return []


def active_set(roster: BranchRoster) -> frozenset:
    return frozenset(a.profile for a in roster.assignable())


@FAST
@given(st.integers(0, 4), roster_ops)
def test_equal_weight_rotation_counts_differ_by_at_most_one_since_the_last_change(start: int, ops: list[tuple]):
    roster = BranchRoster(Attachment(p, 1, order=i) for i, p in enumerate(PROFILES[:start]))
    counts: Counter[str] = Counter()
    for op in ops:
        before = active_set(roster)
        picked = apply_roster_op(roster, op)
        if active_set(roster) != before:
            counts = Counter()
        counts.update(picked)
        if counts:
            per_profile = [counts[p] for p in active_set(roster)]
            assert max(per_profile) - min(per_profile) <= 1


@FAST
@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.integers(1, 3))
def test_weighted_rotation_gives_each_profile_its_weight_per_round(weights: list[int], rounds: int):
    roster = BranchRoster(Attachment(f"p{i}", w, order=i) for i, w in enumerate(weights))
    total = sum(weights)
    picks = [roster.pick_even().profile for _ in range(total * rounds)]
    assert [picks.count(f"p{i}") for i in range(len(weights))] == [w * rounds for w in weights]
    assert all(a.current == 0 for a in roster.attachments)


@FAST
@given(st.integers(1, 4), roster_ops)
def test_rotation_picks_only_assignable_profiles(start: int, ops: list[tuple]):
    roster = BranchRoster(Attachment(p, 1, order=i) for i, p in enumerate(PROFILES[:start]))
    for op in ops:
        allowed = active_set(roster)
        assert set(apply_roster_op(roster, op)) <= allowed
        orders = [a.order for a in roster.attachments]
        assert orders == sorted(orders) and len(set(orders)) == len(orders)
