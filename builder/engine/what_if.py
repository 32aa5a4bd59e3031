"""What-if changes to a scenario, as events on day 0 (SPEC §6, §7).

The change is not computed here: it is one more event, and the simulation
applies it with the same rules as a real change — before the start of a draft,
or right away for a started automation.
"""

from __future__ import annotations

import copy
from typing import Any


def with_event(scenario: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """A copy of the scenario with ``event`` happening first on day 0."""
    changed = copy.deepcopy(scenario)
    changed["events"] = [{"day": 0, **event}, *changed.get("events", [])]
    return changed


def with_profile_added(scenario: dict[str, Any], branch: str, profile: str) -> dict[str, Any]:
    return with_event(scenario, {"type": "add_sender_profile", "branch": branch, "sender_profile": profile})


def with_profile_removed(scenario: dict[str, Any], branch: str, profile: str, mode: str | None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "remove_sender_profile", "branch": branch, "sender_profile": profile}
    if "state" in scenario:  # started: the dialog's choice
        event["mode"] = mode or "continue"
    return with_event(scenario, event)
