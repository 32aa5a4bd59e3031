"""What a sender profile may still do on a day (SPEC §12).

A profile has a ``daily_limit`` for all actions together and may have limits
per action kind per day, limits per kind over the last 7 days (this day and
the six before) and working days. :class:`Allowance` keeps one profile's
counts as the days go by — for each kind with a weekly limit, seven per-day
counters in a ring and their sum — so asking and recording cost O(1) per
task, never a look through history. Each day's questions go to the
:class:`ProfileDay` that :meth:`Allowance.open_day` gives:

    allowance = Allowance(ProfileLimits.of(spec), start_weekday=3)
    today = allowance.open_day(day, used=tasks_done_before)
    for task in due_tasks:
        if today.full:
            break
        if today.can(task.kind):
            today.took(task.kind)
        else:
            today.hold(task.kind).words()  # "weekly limit of connection requests reached — next on day 9 (Monday)"

Days are whole numbers counted from a day 0 whose weekday is
``start_weekday`` (0 = Monday); a workspace counts from today, with today's
weekday. Days only go forward.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from builder.engine.scenario_parts import EVERY_WEEKDAY
from builder.engine.words import NodeKind, RemovalMode

if TYPE_CHECKING:
    from builder.engine.scenario_parts import ProfileSpec, Scenario

WEEK = 7
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# What a marketer calls a number of tasks of each kind ("weekly limit of connection requests").
ACTION_PLURALS = {
    NodeKind.LINKEDIN_CONNECT: "connection requests",
    NodeKind.LINKEDIN_MESSAGE: "LinkedIn messages",
    NodeKind.EMAIL: "emails",
}


def uses_schedule(scenario: Scenario) -> bool:
    """Whether a scenario uses SPEC §12's time rules: a limit per action or per week, days off, or a ``move``."""
    for profile in scenario.sender_profiles:
        if profile.limits or profile.weekly_limits or set(profile.working_days) < set(EVERY_WEEKDAY):
            return True
    return any(event.mode is RemovalMode.MOVE for event in scenario.events)


def weekday_of(day: int, start_weekday: int = 0) -> int:
    """Day ``day``'s weekday (0 = Monday) when day 0 is ``start_weekday``."""
    return (start_weekday + day) % WEEK


@dataclass(frozen=True)
class ProfileLimits:
    """One sender profile's limits and working days (SPEC §5, §12)."""

    daily_limit: int
    per_day: Mapping[NodeKind, int] = field(default_factory=dict, hash=False)
    per_week: Mapping[NodeKind, int] = field(default_factory=dict, hash=False)
    working_days: tuple[int, ...] = EVERY_WEEKDAY

    @classmethod
    def of(cls, profile: ProfileSpec) -> ProfileLimits:
        return cls(profile.daily_limit, dict(profile.limits), dict(profile.weekly_limits), tuple(profile.working_days))

    @property
    def per_kind(self) -> bool:
        """Whether any limit per action kind (daily or weekly) is set: only then are tasks passed over."""
        return bool(self.per_day or self.per_week)

    @property
    def every_day(self) -> bool:
        return set(self.working_days) >= set(EVERY_WEEKDAY)

    def works_on(self, weekday: int) -> bool:
        return weekday in self.working_days

    def never(self, kind: NodeKind) -> bool:
        """Whether a limit of 0 keeps this profile from ever doing a task of ``kind``."""
        return self.daily_limit <= 0 or self.per_day.get(kind) == 0 or self.per_week.get(kind) == 0


class HoldReason(StrEnum):
    """Why a due task is not done today."""

    NOT_WORKING_DAY = "not_working_day"
    WEEKLY_LIMIT = "weekly_limit"  # of its kind, over the last 7 days
    KIND_DAILY_LIMIT = "kind_daily_limit"  # of its kind, today
    DAILY_LIMIT = "daily_limit"  # of all actions together, today


class Hold(NamedTuple):
    """A due task held back today: why, and the first day it may be done (None: never, a limit of 0)."""

    reason: HoldReason
    kind: NodeKind
    next_day: int | None

    def words(self, day_name: Callable[[int], str] | None = None) -> str:
        """The reason as the app says it; ``day_name`` names a day (default: "day 9 (Monday)" from day 0 = Monday)."""
        name = day_name or (lambda day: f"day {day} ({WEEKDAY_NAMES[weekday_of(day)]})")
        what = ACTION_PLURALS.get(self.kind, self.kind.label)
        said = {
            HoldReason.NOT_WORKING_DAY: "not a working day",
            HoldReason.WEEKLY_LIMIT: f"weekly limit of {what} reached",
            HoldReason.KIND_DAILY_LIMIT: f"daily limit of {what} reached",
            HoldReason.DAILY_LIMIT: "daily limit reached",
        }[self.reason]
        if self.next_day is None:
            return f"{said} — a limit of 0 means never"
        return f"{said} — next on {name(self.next_day)}"


class Allowance:
    """One sender profile's counts over the days: what it did today per kind, and in the rolling week.

    ``first_day`` is the day before which nothing is counted; tasks done on
    the six days before it can be told with :meth:`record` (a resumed run).
    """

    __slots__ = ("_ring", "_today", "_week", "day", "limits", "start_weekday")

    def __init__(self, limits: ProfileLimits, start_weekday: int = 0, first_day: int = 0) -> None:
        self.limits = limits
        self.start_weekday = start_weekday
        self.day = first_day
        self._today: dict[NodeKind, int] = dict.fromkeys(limits.per_day, 0)
        self._ring: dict[NodeKind, list[int]] = {kind: [0] * WEEK for kind in limits.per_week}
        self._week: dict[NodeKind, int] = dict.fromkeys(limits.per_week, 0)

    def record(self, day: int, kind: NodeKind, count: int = 1) -> None:
        """Tasks of ``kind`` done on ``day`` (today or one of the six days before) that count against the limits."""
        if not self.day - WEEK < day <= self.day:
            return  # out of every window: it counts against nothing
        ring = self._ring.get(kind)
        if ring is not None:
            ring[day % WEEK] += count
            self._week[kind] += count
        if day == self.day and kind in self._today:
            self._today[kind] += count

    def open_day(self, day: int, used: int = 0) -> ProfileDay:
        """Start ``day`` (today or later): the counts move on, and ``used`` tasks count as done already today."""
        if day < self.day:
            raise ValueError(f"day {day} is before day {self.day}: days only go forward")
        if day > self.day:
            self._forget(self.day + 1, day)
            for kind in self._today:
                self._today[kind] = 0
            self.day = day
        working = self.limits.works_on(weekday_of(day, self.start_weekday))
        return ProfileDay(self, day, working, max(self.limits.daily_limit - used, 0))

    def _forget(self, first: int, last: int) -> None:
        """Empty the ring's counters of the days ``first`` to ``last``, which the window now reaches."""
        for kind, ring in self._ring.items():
            if last - first + 1 >= WEEK:
                ring[:] = [0] * WEEK
                self._week[kind] = 0
                continue
            for d in range(first, last + 1):
                slot = d % WEEK
                self._week[kind] -= ring[slot]
                ring[slot] = 0

    def weekly_used(self, kind: NodeKind) -> int:
        """Tasks of ``kind`` done this day and the six before."""
        return self._week.get(kind, 0)

    def today_used(self, kind: NodeKind) -> int:
        """Tasks of ``kind`` done today (counted only for a kind with a daily limit of its own)."""
        return self._today.get(kind, 0)

    def next_free_day(self, kind: NodeKind) -> int | None:
        """The first day after today the profile works with room for ``kind`` in its week, if nothing else is done.

        None when a limit of 0 means never. At most two weeks ahead, so O(1).
        """
        limits = self.limits
        if limits.never(kind):
            return None
        cap = limits.per_week.get(kind)
        ring = self._ring.get(kind)
        in_week = self._week.get(kind, 0)
        for day in range(self.day + 1, self.day + 2 * WEEK + 1):
            if ring is not None and cap is not None and day - WEEK <= self.day:
                in_week -= ring[(day - WEEK) % WEEK]  # that day leaves the window
            if not limits.works_on(weekday_of(day, self.start_weekday)):
                continue
            if cap is None or in_week < cap:
                return day
        return None  # not reached: a working day comes within a week and the window is empty after one


class ProfileDay:
    """One sender profile on one day: what it may still do (SPEC §5, §12)."""

    __slots__ = ("allowance", "day", "room", "working")

    def __init__(self, allowance: Allowance, day: int, working: bool, room: int) -> None:
        self.allowance = allowance
        self.day = day
        self.working = working
        self.room = room if working else 0  # left under the daily limit, all actions together

    @property
    def full(self) -> bool:
        """Nothing more today: not a working day, or the daily limit is reached."""
        return self.room <= 0

    def can(self, kind: NodeKind) -> bool:
        """Whether a due task of ``kind`` may be done now."""
        if self.room <= 0:
            return False
        allowance = self.allowance
        limits = allowance.limits
        cap = limits.per_day.get(kind)
        if cap is not None and allowance._today[kind] >= cap:
            return False
        cap = limits.per_week.get(kind)
        return cap is None or allowance._week[kind] < cap

    def left(self, kind: NodeKind) -> int:
        """How many more tasks of ``kind`` may be done now (the least room of the limits that apply)."""
        allowance = self.allowance
        limits = allowance.limits
        room = self.room
        cap = limits.per_day.get(kind)
        if cap is not None:
            room = min(room, cap - allowance._today[kind])
        cap = limits.per_week.get(kind)
        if cap is not None:
            room = min(room, cap - allowance._week[kind])
        return max(room, 0)

    def took(self, kind: NodeKind, count: int = 1) -> None:
        """``count`` tasks of ``kind`` done today."""
        self.room -= count
        allowance = self.allowance
        if kind in allowance._today:
            allowance._today[kind] += count
        ring = allowance._ring.get(kind)
        if ring is not None:
            ring[self.day % WEEK] += count
            allowance._week[kind] += count

    def hold(self, kind: NodeKind) -> Hold | None:
        """Why a due task of ``kind`` cannot be done now, and when it can; None when it can."""
        if self.can(kind):
            return None
        allowance = self.allowance
        limits = allowance.limits
        if not self.working:
            reason = HoldReason.NOT_WORKING_DAY
        elif kind in limits.per_week and allowance._week[kind] >= limits.per_week[kind]:
            reason = HoldReason.WEEKLY_LIMIT
        elif kind in limits.per_day and allowance._today[kind] >= limits.per_day[kind]:
            reason = HoldReason.KIND_DAILY_LIMIT
        else:
            reason = HoldReason.DAILY_LIMIT
        return Hold(reason, kind, allowance.next_free_day(kind))
