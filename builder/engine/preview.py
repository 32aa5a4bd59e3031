"""What the simulation pane shows (SPEC §8): how contacts spread over profiles and why, day by day.

Everything here is read off one :func:`~builder.engine.simulation.simulate`
run of a scenario, so the pane's numbers are ``automation-builder simulate``'s.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from builder.engine.scenario import Scenario
from builder.engine.simulation import SimulationResult, simulate
from builder.engine.words import Reason

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

    @property
    def contacts(self) -> int:
        return sum(self.by_reason.values())


@dataclass(frozen=True)
class Outlook:
    days: int
    profiles: list[ProfileOutlook]
    done_per_day: dict[str, list[int]]
    branch_finished: dict[str, int | None]
    waiting: int
    warnings: list[str] = field(default_factory=list)


def outlook(scenario: Scenario) -> Outlook:
    return outlook_of(simulate(scenario))


def outlook_of(result: SimulationResult) -> Outlook:
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
    return Outlook(
        result.days,
        profiles,
        {p: list(v) for p, v in result.done_per_day.items() if p in states},
        finished,
        waiting,
        warnings,
    )


def _slow_profiles(
    result: SimulationResult,
    names: dict[str, str],
    limits: dict[str, int],
    last: dict[tuple[int, str], int],
    unfinished: set[tuple[int, str]],
    branch_ids: list[str],
) -> list[str]:
    """Profiles whose daily limit makes their branch finish far later than its other profiles."""
    horizon = result.days
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
                found.append(
                    f"{names.get(profile, profile)} ({limits.get(profile, 0)} a day) {when} in branch '{branch}'; "
                    f"its other sender profiles finish by day {round(typical)}. Raise the daily limit or add a profile."
                )
    return found
