"""A scenario's timeline (SPEC §7), the same for both runs: each day its events in file order, then its work.

:class:`~builder.engine.simulation.Simulation` (a line of steps, in columns)
and :class:`~builder.engine.path_run.PathRun` (paths that react to people)
keep their contacts differently; how a day goes, which events there are and
what the rules refuse are the same, and live here once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from builder.engine.roster import RosterError
from builder.engine.scenario_parts import MAX_DAYS, ContactSpec, Event, Scenario, ScenarioError
from builder.engine.words import AutomationState, RemovalMode


class Timeline:
    """Events, days and the end of a run; the run that uses it keeps the contacts and does the work."""

    scenario: Scenario
    state: AutomationState
    branch_ids: list[str]
    overrides: dict[str, str]
    waiting: Sequence[Sequence[Any]]
    tally: Any
    warnings: list[str]

    # -- what each run does its own way ---------------------------------------------------------

    def start(self, day: int) -> None:
        raise NotImplementedError

    def add_contacts(self, specs: Sequence[ContactSpec], day: int) -> None:
        raise NotImplementedError

    def add_sender_profile(self, branch: int, profile: str, day: int) -> None:
        raise NotImplementedError

    def remove_sender_profile(self, branch: int, profile: str, mode: RemovalMode | None) -> None:
        raise NotImplementedError

    def outcome_event(self, event: Event) -> None:
        """An ``outcome`` event (SPEC §10); a run of a line of steps never gets one (``uses_paths``)."""
        raise NotImplementedError

    def _start_of_day(self, day: int) -> None:
        """What happens right after the day's events, before its work (a path's arrivals and timeouts)."""

    def work_day(self, day: int) -> None:
        raise NotImplementedError

    def _can_progress(self, day: int) -> bool:
        raise NotImplementedError

    # -- the same for both -------------------------------------------------------------------------

    def pause(self) -> None:
        if self.state is not AutomationState.RUNNING:
            raise RosterError(f"the automation is {self.state.value}, so it cannot be paused")
        self.state = AutomationState.PAUSED

    def resume(self) -> None:
        if self.state is not AutomationState.PAUSED:
            raise RosterError(f"the automation is {self.state.value}, so it cannot be resumed")
        self.state = AutomationState.RUNNING

    def set_override(self, contacts: Sequence[str], profile: str | None) -> None:
        for contact in contacts:
            if profile is None:
                self.overrides.pop(contact, None)
            else:
                self.overrides[contact] = profile

    def apply(self, event: Event) -> None:
        """One event; a refused one raises :class:`ScenarioError` naming where it is in the file."""
        if event.type == "remove_sender_profile" and event.mode is None and self.state.started:
            choice = "cancel or continue this sender profile's tasks ('cancel' or 'continue')"
            raise ScenarioError([f"{event.where}.mode: required once the automation has started: {choice}"])
        try:
            self._apply(event)
        except RosterError as error:
            raise ScenarioError([f"{event.where}: {error}"]) from None

    def _apply(self, event: Event) -> None:
        branch = self.branch_ids.index(event.branch) if event.branch is not None else -1
        kind = event.type
        if kind == "start":
            self.start(event.day)
        elif kind == "pause":
            self.pause()
        elif kind == "resume":
            self.resume()
        elif kind == "add_contacts":
            self.add_contacts(event.new_contacts, event.day)
        elif kind == "add_sender_profile":
            self.add_sender_profile(branch, str(event.sender_profile), event.day)
        elif kind == "remove_sender_profile":
            self.remove_sender_profile(branch, str(event.sender_profile), event.mode)
        elif kind == "set_override":
            self.set_override(event.contacts, event.sender_profile)
        elif kind == "outcome":
            self.outcome_event(event)

    def _run_days(self) -> int:
        """Each day: its events in file order, what falls due right after them, its work. The days run.

        Without a fixed number of days, the run stops once the last event is
        past and nothing can move any more (at most :data:`MAX_DAYS`).
        """
        events = list(self.scenario.events)
        last_event_day = max((e.day for e in events), default=-1)
        fixed = self.scenario.days
        day = position = 0
        while day < (fixed if fixed is not None else MAX_DAYS):
            if fixed is None and day > last_event_day and not self._can_progress(day):
                break
            while position < len(events) and events[position].day == day:
                self.apply(events[position])
                position += 1
            self._start_of_day(day)
            self.work_day(day)
            day += 1
        for index, queue in enumerate(self.waiting):
            self.tally.waiting += len(queue)
            if queue:
                self.warnings.append(
                    f"branch '{self.branch_ids[index]}': {len(queue)} contact"
                    f"{'s' if len(queue) != 1 else ''} still wait for a sender profile at the end"
                )
        return day
