"""What-if changes to a scenario, as events on day 0 (SPEC §6, §7).

The change is not computed here: it is one more event, and the simulation
applies it with the same rules as a real change — before the start of a draft,
or right away for a started automation.
"""

from __future__ import annotations

from dataclasses import replace

from builder.engine.scenario import Event, Scenario
from builder.engine.words import RemovalMode


def with_event(scenario: Scenario, event: Event) -> Scenario:
    """The scenario with ``event`` happening first on day 0 (the contacts and history are shared, not copied)."""
    events = [replace(event, day=0), *scenario.events]
    return replace(scenario, events=tuple(replace(e, where=f"events[{i}]") for i, e in enumerate(events)))


def with_profile_added(scenario: Scenario, branch: str, profile: str) -> Scenario:
    return with_event(scenario, Event(0, "add_sender_profile", "", branch=branch, sender_profile=profile))


def with_profile_removed(scenario: Scenario, branch: str, profile: str, mode: str | None) -> Scenario:
    """Removing before the start detaches; once started, the dialog's choice applies (continue by default)."""
    chosen = RemovalMode(mode or "continue") if scenario.state is not None else None
    return with_event(
        scenario, Event(0, "remove_sender_profile", "", branch=branch, sender_profile=profile, mode=chosen)
    )
