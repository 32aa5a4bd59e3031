"""A sender profile's limits and working days in a few words (SPEC §12), for tables and cards.

"50/day · connects 20/day, 100/wk · Mon–Fri": the daily limit of all actions
together, then each action kind's own limits, then the working days when
they are not all seven.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from builder.engine.words import Channel, NodeKind

if TYPE_CHECKING:
    from builder.store.crm import SenderProfileInfo

WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# The action kinds a channel's profile does, in the order the editor shows them.
CHANNEL_KINDS: dict[Channel, tuple[NodeKind, ...]] = {
    Channel.LINKEDIN: (NodeKind.LINKEDIN_CONNECT, NodeKind.LINKEDIN_MESSAGE),
    Channel.EMAIL: (NodeKind.EMAIL,),
}
KIND_ORDER = (NodeKind.LINKEDIN_CONNECT, NodeKind.LINKEDIN_MESSAGE, NodeKind.EMAIL)
SHORT_PLURALS = {NodeKind.LINKEDIN_CONNECT: "connects", NodeKind.LINKEDIN_MESSAGE: "messages", NodeKind.EMAIL: "emails"}


def weekdays_text(days: Iterable[int]) -> str:
    """'every day', 'Mon–Fri', 'Mon, Wed, Fri', 'Mon–Wed, Sat', or 'no working day'."""
    chosen = sorted(set(days))
    if len(chosen) == 7:
        return "every day"
    if not chosen:
        return "no working day"
    runs: list[list[int]] = []
    for day in chosen:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAY_SHORT[run[0]]}–{WEEKDAY_SHORT[run[-1]]}")
        else:
            parts.extend(WEEKDAY_SHORT[day] for day in run)
    return ", ".join(parts)


def limits_text(
    daily_limit: int,
    limits: Mapping[str, int] | None = None,
    weekly_limits: Mapping[str, int] | None = None,
    working_days: Iterable[int] | None = None,
) -> str:
    """'50/day · connects 20/day, 100/wk · Mon–Fri' (only the parts that are set)."""
    limits, weekly_limits = limits or {}, weekly_limits or {}
    parts = [f"{daily_limit:,}/day"]
    kinds = []
    for kind in KIND_ORDER:
        said = []
        if kind.value in limits:
            said.append(f"{limits[kind.value]:,}/day")
        if kind.value in weekly_limits:
            said.append(f"{weekly_limits[kind.value]:,}/wk")
        if said:
            kinds.append(f"{SHORT_PLURALS[kind]} {', '.join(said)}")
    if kinds:
        parts.append("; ".join(kinds))
    days = tuple(working_days) if working_days is not None else tuple(range(7))
    if len(set(days)) < 7:
        parts.append(weekdays_text(days))
    return " · ".join(parts)


def profile_limits_text(profile: SenderProfileInfo) -> str:
    """A workspace profile's limits in a few words."""
    return limits_text(profile.daily_limit, profile.limits, profile.weekly_limits, profile.working_days)
