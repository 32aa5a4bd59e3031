"""A sender profile's limits per action, per week, and working days, as the workspace keeps them (SPEC §12).

Stored on the ``sender_profile`` row: ``limits`` and ``weekly_limits`` as JSON
objects (action kind -> whole number), ``working_days`` as weekday numbers
(0 = Monday) separated by commas. Values a person typed are checked here and
refused with a sentence a marketer understands; the engine's
:class:`~builder.engine.limits.ProfileLimits` is made from what is stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from builder.engine.limits import ACTION_PLURALS, WEEKDAY_NAMES, ProfileLimits
from builder.engine.words import ACTION_KINDS, NodeKind
from builder.store.database import WorkspaceError

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
EVERY_DAY_TEXT = "0,1,2,3,4,5,6"


@dataclass(frozen=True)
class ProfileDefaults:
    """Values the sender profile editor fills in for a new profile; the person can change every one."""

    limits: Mapping[str, int] = field(default_factory=dict)
    weekly_limits: Mapping[str, int] = field(default_factory=dict)
    working_days: tuple[int, ...] = EVERY_DAY
    why: str = ""  # where the numbers come from, for the editor's tooltip


LINKEDIN_DEFAULTS = ProfileDefaults(
    limits={NodeKind.LINKEDIN_CONNECT.value: 20, NodeKind.LINKEDIN_MESSAGE.value: 50},
    weekly_limits={NodeKind.LINKEDIN_CONNECT.value: 100},
    working_days=(0, 1, 2, 3, 4),
    why=(
        "LinkedIn limits connection requests to about 100 a week (widely reported; LinkedIn does not publish "
        "the number). 20 requests and 50 messages a day, Monday to Friday, is a conservative start your team "
        "can change."
    ),
)
"""What a new LinkedIn sender profile gets pre-filled in the editor (issue 14).

LinkedIn caps invitations (connection requests) at roughly 100 per rolling
week; the figure is widely reported by LinkedIn users and outreach tools, not
published by LinkedIn, and it moves. 100 a week, 20 a day (five working days
make the week's 100), 50 messages a day and Monday to Friday are a
conservative default, not a rule: the team changes them in the editor.
"""


def _kind_words(kind: NodeKind) -> str:
    return ACTION_PLURALS.get(kind, kind.label)


def check_limits(values: Mapping[str, int] | None, *, weekly: bool = False) -> dict[str, int]:
    """Limits per action kind as typed, checked: kinds are action kinds, counts whole numbers of 0 or more."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise WorkspaceError("Limits per action are given as an action and a number for each.")
    which = "weekly limit" if weekly else "daily limit"
    checked: dict[NodeKind, int] = {}
    for key, count in values.items():
        try:
            kind = NodeKind(key)
        except ValueError:
            kind = None
        if kind is None or kind not in ACTION_KINDS:
            raise WorkspaceError(
                f"A {which} is set per action — LinkedIn connect, LinkedIn message or Email — not '{key}'."
            )
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise WorkspaceError(f"The {which} of {_kind_words(kind)} is a whole number of 0 or more, not {count!r}.")
        checked[kind] = count
    return {kind.value: checked[kind] for kind in ACTION_KINDS if kind in checked}


def check_working_days(days: Iterable[int] | None) -> tuple[int, ...]:
    """Working days as chosen, checked: weekday numbers 0 (Monday) to 6 (Sunday), at least one, each once."""
    if days is None:
        return EVERY_DAY
    if isinstance(days, str) or not isinstance(days, Iterable):
        raise WorkspaceError("Working days are chosen from Monday to Sunday.")
    listed = list(days)
    if not listed:
        raise WorkspaceError("Choose at least one working day.")
    for day in listed:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise WorkspaceError(f"Working days are Monday (0) to Sunday (6), not {day!r}.")
    for day in listed:
        if listed.count(day) > 1:
            raise WorkspaceError(f"Each working day is chosen once: {WEEKDAY_NAMES[day]} is there twice.")
    return tuple(sorted(listed))


def limits_text(limits: Mapping[str, int]) -> str:
    return json.dumps(dict(limits), separators=(",", ":"))


def days_text(days: Iterable[int]) -> str:
    return ",".join(str(d) for d in days)


def parse_limits(text: str | None) -> dict[str, int]:
    """Stored limits; a damaged value reads as none rather than stopping the app."""
    if not text:
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {
        k: v
        for k, v in found.items()
        if k in {kind.value for kind in ACTION_KINDS} and isinstance(v, int) and not isinstance(v, bool) and v >= 0
    }


def parse_days(text: str | None) -> tuple[int, ...]:
    if text is None:
        return EVERY_DAY
    days = sorted({int(d) for d in text.split(",") if d.strip().isdigit() and 0 <= int(d) <= 6})
    return tuple(days) if days else EVERY_DAY


def engine_limits(
    daily_limit: int, limits: Mapping[str, int], weekly_limits: Mapping[str, int], working_days: Iterable[int]
) -> ProfileLimits:
    """The engine's view of a stored profile's limits."""
    return ProfileLimits(
        daily_limit,
        {NodeKind(k): v for k, v in limits.items()},
        {NodeKind(k): v for k, v in weekly_limits.items()},
        tuple(working_days),
    )
