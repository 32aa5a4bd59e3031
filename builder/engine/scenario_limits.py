"""Reading a sender profile's limits per action and working days, and ``start_weekday`` (SPEC §12).

Each bad value is a problem named by its place, like the rest of the scenario
reader (``sender_profiles[0].weekly_limits.linkedin_connect: must be 0 or more,
got -5``). A limit of 0 is allowed: that profile does none of that action.
An empty ``working_days`` list is refused: a profile that never works would
keep its contacts waiting for ever (set ``daily_limit`` to 0 to pause it).
"""

from __future__ import annotations

from typing import Any

from builder.engine.json_reader import JsonReader, kind_of
from builder.engine.scenario_parts import EVERY_WEEKDAY
from builder.engine.words import ACTION_KINDS, NodeKind

PROFILE_LIMIT_KEYS = frozenset({"limits", "weekly_limits", "working_days"})
_KINDS = ", ".join(kind.value for kind in ACTION_KINDS)


def read_profile_limits(r: JsonReader, obj: dict[str, Any], where: str) -> dict[str, Any]:
    """The SPEC §12 fields of one sender profile object, as :class:`ProfileSpec` keyword arguments.

    Only the fields the object has are returned; a bad one is noted and left out.
    """
    found: dict[str, Any] = {}
    for key in ("limits", "weekly_limits"):
        if key in obj:
            limits = _read_kind_limits(r, obj[key], f"{where}.{key}")
            if limits is not None:
                found[key] = limits
    if "working_days" in obj:
        days = read_working_days(r, obj["working_days"], f"{where}.working_days")
        if days is not None:
            found["working_days"] = days
    return found


def _read_kind_limits(r: JsonReader, raw: Any, where: str) -> dict[NodeKind, int] | None:
    if not isinstance(raw, dict):
        r.problem(where, f"expected an object of action kind to number, got {kind_of(raw)}")
        return None
    limits: dict[NodeKind, int] = {}
    good = True
    for key, value in raw.items():
        place = f"{where}.{key}"
        if key not in {kind.value for kind in ACTION_KINDS}:
            r.problem(place, f"unknown action kind '{key}' (one of {_KINDS})")
            good = False
        elif not isinstance(value, int) or isinstance(value, bool):
            r.problem(place, f"expected a whole number, got {kind_of(value)}")
            good = False
        elif value < 0:
            r.problem(place, f"must be 0 or more, got {value}")
            good = False
        else:
            limits[NodeKind(key)] = value
    return limits if good else None


def read_working_days(r: JsonReader, raw: Any, where: str) -> tuple[int, ...] | None:
    """Weekday numbers (0 = Monday … 6 = Sunday), each once, at least one; sorted."""
    if not isinstance(raw, list):
        r.problem(where, f"expected a list of weekday numbers (0 = Monday … 6 = Sunday), got {kind_of(raw)}")
        return None
    if not raw:
        r.problem(where, "names no day: list at least one weekday (0 = Monday … 6 = Sunday)")
        return None
    seen: set[int] = set()
    good = True
    for i, value in enumerate(raw):
        place = f"{where}[{i}]"
        if not isinstance(value, int) or isinstance(value, bool):
            r.problem(place, f"expected a weekday number (0 = Monday … 6 = Sunday), got {kind_of(value)}")
            good = False
        elif value not in EVERY_WEEKDAY:
            r.problem(place, f"must be a weekday number from 0 (Monday) to 6 (Sunday), got {value}")
            good = False
        elif value in seen:
            r.problem(place, f"weekday {value} is listed twice")
            good = False
        else:
            seen.add(value)
    return tuple(sorted(seen)) if good else None


def read_start_weekday(r: JsonReader, top: dict[str, Any]) -> int:
    """Day 0's weekday, 0 (Monday, the default) to 6 (Sunday)."""
    value = r.get(top, "start_weekday", "", "int", 0)
    if value is None:
        return 0
    if value not in EVERY_WEEKDAY:
        r.problem("start_weekday", f"must be a weekday number from 0 (Monday) to 6 (Sunday), got {value}")
        return 0
    return int(value)
