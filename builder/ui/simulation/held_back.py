"""The forecast's warning when a weekly limit holds a branch back (SPEC §12), with the date it then finishes.

The run says, per day, which profile passed over due tasks of a kind at its
limit; this turns that into one sentence per profile and kind, naming the
branches the profile works in and the day each then finishes — a calendar
date for the workspace's own forecast (day 0 is today), a day number for a
scenario file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from builder.engine.limits import ACTION_PLURALS, WEEKDAY_NAMES, Hold, HoldReason
from builder.engine.words import NodeKind


def date_words(day: date) -> str:
    """'Monday 7 December'."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {day.strftime('%B')}"


def day_namer(today: date | None) -> Callable[[int], str]:
    """How the pane names forecast day ``n``: its date from ``today``, or "day n" without one."""
    if today is None:
        return lambda day: f"day {day}"
    return lambda day: date_words(today + timedelta(days=day))


def held_back_warnings(
    held_back: Iterable[tuple[int, str, Hold]],
    branch_profiles: Iterable[tuple[str, tuple[str, ...]]],
    branch_finished: dict[str, int | None],
    profile_names: dict[str, str],
    days: int,
    day_name: Callable[[int], str],
) -> list[str]:
    """One sentence per profile and action kind a weekly limit held back, with each of its branches' finish."""
    held: dict[tuple[str, NodeKind], list[int]] = {}
    for day, profile, hold in held_back:
        if hold.reason is HoldReason.WEEKLY_LIMIT:
            held.setdefault((profile, hold.kind), []).append(day)
    branches = list(branch_profiles)
    warnings = []
    for (profile, kind), held_days in held.items():
        name = profile_names.get(profile, profile)
        what = ACTION_PLURALS.get(kind, kind.label)
        count = len(set(held_days))
        ends = []
        for branch, profiles in branches:
            if profile not in profiles:
                continue
            finished = branch_finished.get(branch)
            if finished is None:
                ends.append(f"'{branch}' is not finished within {days} days")
            else:
                ends.append(f"'{branch}' then finishes on {day_name(finished)}")
        first = day_name(min(held_days))
        sentence = (
            f"{name}'s weekly limit of {what} holds tasks back on {count} day{'s' if count != 1 else ''} "
            f"(first on {first})"
        )
        warnings.append(f"{sentence}; {', '.join(ends)}." if ends else f"{sentence}.")
    return warnings
