"""What the simulation pane shows (SPEC §8, §10): how contacts spread over profiles and why, day by day,
what they did (accepted, replied, bounced), how they split at each control node, and each one's route.

Everything here is read off one :func:`~builder.engine.simulation.simulate`
run of a scenario, so the pane's numbers are ``automation-builder simulate``'s.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from builder.engine.scenario import Scenario
from builder.engine.simulation import SimulationResult, simulate
from builder.engine.words import NodeKind, Outcome, Reason

# A profile whose branch work ends this much later than its branch's other
# profiles is called out: its daily limit is what the branch waits for.
SLOW_FACTOR = 1.5
SLOW_MIN_DAYS = 3


@dataclass(frozen=True)
class ProfileOutlook:
    """One sender profile: its contacts by reason, its tasks, its state in the branches."""

    profile: str
    name: str
    states: tuple[str, ...]
    by_reason: dict[Reason, int]
    pending: int
    done: int
    daily_limit: int
    last_day: int | None  # the day its last task is done; None while any stays pending
    outcomes: dict[Outcome, int] = field(default_factory=dict)  # what its contacts did (SPEC §10)

    @property
    def contacts(self) -> int:
        return sum(self.by_reason.values())


@dataclass(frozen=True)
class ControlOutlook:
    """One control node (SPEC §10): how many contacts took each output, and how many still wait there."""

    branch: str
    address: str
    kind: NodeKind
    name: str
    outputs: tuple[tuple[str, int], ...]
    waiting: int

    @property
    def arrived(self) -> int:
        return sum(n for _, n in self.outputs) + self.waiting


class ContactRoute(NamedTuple):
    """One enrollment: who, where it went, and the way it took at each control node (a tuple: one per contact)."""

    contact: str
    name: str
    branch: str
    profile: str  # the sender profile's name; "" while it waits for one
    status: str
    route: tuple[tuple[str, str, int], ...]  # (control node's name, output, day)

    def route_text(self) -> str:
        """``Wait for 1: yes (day 2) → A/B split 1.yes.0: B``; a Wait for shows its day, the others decide at once."""
        return " → ".join(f"{node}: {output} (day {day})" for node, output, day in self.route)


@dataclass(frozen=True)
class Outlook:
    days: int
    profiles: list[ProfileOutlook]
    done_per_day: dict[str, list[int]]
    branch_finished: dict[str, int | None]
    waiting: int
    warnings: list[str] = field(default_factory=list)
    # SPEC §10: per profile, each outcome per day; the control nodes; every enrollment's route
    outcomes_per_day: dict[str, dict[Outcome, list[int]]] = field(default_factory=dict)
    controls: list[ControlOutlook] = field(default_factory=list)
    routes: list[ContactRoute] = field(default_factory=list)
    paths: bool = False


NodeNames = dict[tuple[str, str], str]  # (branch id, address) -> the node's name on the canvas


def outlook(scenario: Scenario, node_names: NodeNames | None = None) -> Outlook:
    return outlook_of(simulate(scenario), node_names)


def node_name(kind: NodeKind, address: str, title: str | None = None) -> str:
    """A control node's name in the pane: its own title when it has one, else its kind and address."""
    if title and title.strip() and title.strip() != kind.label:
        return title.strip()
    return f"{kind.label} {address}"


def outlook_of(result: SimulationResult, node_names: NodeNames | None = None) -> Outlook:
    """The pane's numbers of one run; ``node_names`` names the control nodes as the canvas does."""
    scenario = result.scenario
    names = {p.id: p.name for p in scenario.sender_profiles}
    limits = {p.id: p.daily_limit for p in scenario.sender_profiles}
    branch_ids = [b.id for b in scenario.automation.branches]
    states: dict[str, list[str]] = defaultdict(list)
    for roster in result.rosters:
        for attachment in roster.attachments:
            states[str(attachment.profile)].append(attachment.state.value)
    tally = result.tally
    reasons: dict[str, Counter[Reason]] = defaultdict(Counter)
    pending: Counter[str] = Counter()
    done: Counter[str] = Counter()
    last: dict[tuple[int, str], int] = {}
    for key, counts in tally.profiles.items():
        profile = key[1]
        reasons[profile].update(counts.contacts)
        pending[profile] += counts.pending
        done[profile] += counts.done
        if counts.last_done is not None:
            last[key] = counts.last_done
    unfinished = {key for key, counts in tally.profiles.items() if counts.pending > 0}
    waiting = tally.waiting
    ignored = result.ignored_overrides

    profiles = []
    for pid in sorted(states, key=lambda p: (names.get(p, p).lower(), p)):
        keys = [k for k in set(last) | unfinished if k[1] == pid]
        finished = None if any(k in unfinished for k in keys) else max((last[k] for k in keys), default=None)
        profiles.append(
            ProfileOutlook(
                pid, names.get(pid, pid), tuple(states[pid]), dict(reasons[pid]), pending[pid], done[pid],
                limits.get(pid, 0), finished,
            )
        )  # fmt: skip

    warnings = []
    if ignored:
        warnings.append(
            f"{ignored:,} override{'s' if ignored != 1 else ''} ignored: the pinned sender profile is not active "
            "in the contact's branch, so the next rule decided."
        )
    if waiting:
        warnings.append(
            f"{waiting:,} contact{'s' if waiting != 1 else ''} wait for a sender profile: no active profile in their branch."
        )
    warnings += _slow_profiles(result, names, limits, last, unfinished, branch_ids)
    finished = {b: None for b in branch_ids}
    for index, branch in enumerate(branch_ids):
        keys = [k for k in set(last) | unfinished if k[0] == index]
        if keys and not any(k in unfinished for k in keys):
            finished[branch] = max(last[k] for k in keys)
    per_day = _outcomes_per_day(result, set(states))
    if per_day:
        profiles = [
            ProfileOutlook(
                p.profile, p.name, p.states, p.by_reason, p.pending, p.done, p.daily_limit, p.last_day,
                {o: sum(per_day.get(p.profile, {}).get(o, ())) for o in Outcome},
            )
            for p in profiles
        ]  # fmt: skip
    controls, routes = _paths(result, node_names or {}, names)
    return Outlook(
        result.days,
        profiles,
        {p: list(v) for p, v in result.done_per_day.items() if p in states},
        finished,
        waiting,
        warnings,
        per_day,
        controls,
        routes,
        bool(getattr(result, "paths", False)),
    )


def _outcomes_per_day(result: SimulationResult, profiles: set[str]) -> dict[str, dict[Outcome, list[int]]]:
    """Accepted, replied and bounced on each day of the forecast, per sender profile (as ``simulate --json``)."""
    per_day: dict[str, dict[Outcome, list[int]]] = {}
    for record in getattr(result, "outcomes", ()):
        if record.profile in profiles and record.day < result.days:
            counts = per_day.get(record.profile)
            if counts is None:  # made once per profile, not once per outcome as setdefault's argument would be
                counts = per_day[record.profile] = {o: [0] * result.days for o in Outcome}
            counts[record.outcome][record.day] += 1
    return dict(sorted(per_day.items()))


def _paths(
    result: SimulationResult, names: NodeNames, names_of_profiles: dict[str, str]
) -> tuple[list[ControlOutlook], list[ContactRoute]]:
    """The control nodes' splits and every enrollment's route; both empty for a line of steps."""
    scenario = result.scenario
    branch_ids = [b.id for b in scenario.automation.branches]
    plans = getattr(result, "plans", None)
    if plans is None:
        return [], []  # a line of steps has no routes; its enrollments are not even made (they cost a second)
    titles: dict[tuple[int, int], str] = {}
    for index, plan in enumerate(plans):
        for node in plan.nodes:
            if node.kind.is_control:
                title = names.get((branch_ids[index], node.address))
                titles[(index, node.index)] = node_name(node.kind, node.address, title)
    contact_names = _contact_names(scenario)
    counts = result.route_counts()  # type: ignore[attr-defined]
    waiting: Counter[tuple[int, int]] = Counter()
    routes = []
    for e in result.enrollments:
        if e.waiting_at is not None:  # type: ignore[attr-defined]
            waiting[(e.branch, e.waiting_at)] += 1  # type: ignore[attr-defined]
        route = tuple((titles[(e.branch, n)], output, day) for n, output, day in e.decisions)  # type: ignore[attr-defined]
        routes.append(
            ContactRoute(
                e.contact, contact_names.get(e.contact, ""), branch_ids[e.branch],
                names_of_profiles.get(e.profile, e.profile) if e.profile else "", e.status.value, route,
            )
        )  # fmt: skip
    controls = []
    for index, plan in enumerate(plans):
        for node in plan.nodes:
            if not node.kind.is_control:
                continue
            went = counts.get((index, node.address), Counter())
            controls.append(
                ControlOutlook(
                    branch_ids[index], node.address, node.kind, titles[(index, node.index)],
                    tuple((output, went[output]) for output, _ in node.outputs), waiting[(index, node.index)],
                )
            )  # fmt: skip
    return controls, routes


def _contact_names(scenario: Scenario) -> dict[str, str]:
    contacts = scenario.contacts
    ids, found = getattr(contacts, "ids", None), getattr(contacts, "names", None)
    if ids is not None and found is not None:
        known = dict(zip(ids, found, strict=False))
    else:
        known = {c.id: c.name for c in contacts}
    for event in scenario.events:
        for c in getattr(event, "new_contacts", None) or ():
            known[c.id] = c.name
    return known


def _slow_profiles(
    result: SimulationResult,
    names: dict[str, str],
    limits: dict[str, int],
    last: dict[tuple[int, str], int],
    unfinished: set[tuple[int, str]],
    branch_ids: list[str],
) -> list[str]:
    """Profiles whose limits make their branch finish far later than its other profiles, and which limit to raise."""
    horizon = result.days
    held = {profile for _, profile, _ in result.held_back}  # a limit per action or per week held it back (§12)
    found = []
    for index, branch in enumerate(branch_ids):
        ends = {p: (horizon if (i, p) in unfinished else day) for (i, p), day in last.items() if i == index}
        ends.update({p: horizon for i, p in unfinished if i == index})
        if len(ends) < 2:
            continue
        for profile, end in sorted(ends.items()):
            others = [e for p, e in ends.items() if p != profile]
            typical = statistics.median(others)
            if end >= SLOW_FACTOR * max(typical, 1) and end - typical >= SLOW_MIN_DAYS:
                when = f"still has tasks after day {horizon - 1}" if end >= horizon else f"finishes on day {end}"
                fix = "its limits per action hold it back: raise them" if profile in held else "Raise the daily limit"
                found.append(
                    f"{names.get(profile, profile)} ({limits.get(profile, 0)} a day) {when} in branch '{branch}'; "
                    f"its other sender profiles finish by day {round(typical)}. {fix[:1].upper()}{fix[1:]} or add a profile."
                )
    return found
