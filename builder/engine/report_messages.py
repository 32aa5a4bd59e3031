"""The messages of a run's done tasks as ``simulate --json`` gives them (SPEC §11).

Each done task whose step has a message gets its ``subject`` (an email's)
and ``message``, filled in for the task's contact and the sender profile that
did it — the enrollment's: a task is done by the profile its contact is
assigned to, and a contact is moved (SPEC §12) only before any of its tasks
is done. The messages are filled here, while the result is written, not while
the run goes: a contact's name, company and title and a profile's name never
change during a scenario (no event changes them), so the text is the one
filled on the day the task was done, and a run without messages costs nothing
more.

A connect note over 300 characters once filled in (SPEC §11) is a warning per
done task, naming the contact and the step: how long a note gets depends on
the contact (a long company name), and one such contact should not make a
whole forecast unreadable. A note whose text around its variables is already
over 300 is over for everyone, and the scenario reader refuses it
(:mod:`builder.engine.scenario_automation`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from builder.engine.json_lines import text
from builder.engine.messages import MAX_CONNECT_NOTE, VARIABLES, Slot, Template, contact_values
from builder.engine.scenario_parts import ContactSpec, Scenario
from builder.engine.steps import Step
from builder.engine.words import NodeKind, TaskStatus


@lru_cache(maxsize=256)
def template(text: str) -> Template:
    """A step's message read once per text (the scenario reader has already checked it)."""
    return Template.parse(text)


def has_message(step: Step) -> bool:
    return step.kind.is_action and (step.text is not None or step.subject is not None)


def all_steps(steps: Iterable[Step]) -> Iterator[Step]:
    """Every step of a list, and of its control steps' outputs."""
    for step in steps:
        yield step
        for _, following in step.outputs:
            yield from all_steps(following)


def scenario_has_messages(scenario: Scenario) -> bool:
    return any(has_message(s) for b in scenario.automation.branches for s in all_steps(b.steps))


class MessageFiller:
    """Fills the messages of one run's tasks: each contact and profile is looked up by its id."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.sender_names = {p.id: p.name for p in scenario.sender_profiles}
        self._contacts: dict[str, ContactSpec] | None = None
        self._last: tuple[str, str, dict[str, str | None]] | None = None  # an enrollment's tasks come together

    @property
    def contacts(self) -> dict[str, ContactSpec]:
        if self._contacts is None:
            found = {c.id: c for c in self.scenario.contacts}
            for event in self.scenario.events:
                found.update((c.id, c) for c in event.new_contacts)
            self._contacts = found
        return self._contacts

    def values(self, contact: str, profile: str) -> dict[str, str | None]:
        """The variables' values for a contact and the profile doing its task."""
        last = self._last
        if last is not None and last[0] == contact and last[1] == profile:
            return last[2]
        spec = self.contacts.get(contact) or ContactSpec(contact, contact)
        values = contact_values(spec, self.sender_names.get(profile, profile))
        self._last = (contact, profile, values)
        return values

    def fields(self, step: Step, contact: str, profile: str) -> dict[str, str]:
        """``subject`` and ``message`` of a done task of ``step``, each when the step has it."""
        values = self.values(contact, profile)
        found = {}
        if step.subject is not None:
            found["subject"] = template(step.subject).fill(values)
        if step.text is not None:
            found["message"] = template(step.text).fill(values)
        return found

    def json_text(self, step: Step, contact: str, profile: str) -> str:
        """The same fields as they follow ``done_day`` in a task's line: ``, "subject": "…", "message": "…"``."""
        values = self.values(contact, profile)
        said = "" if step.subject is None else f', "subject": {text(template(step.subject).fill(values))}'
        return said if step.text is None else f'{said}, "message": {text(template(step.text).fill(values))}'


def longest_note(notes: Sequence[Template], filler: MessageFiller) -> int:
    """At least as long as any of ``notes`` filled in for any contact and profile of the scenario."""
    longest = dict.fromkeys(VARIABLES, 0)
    for spec in filler.contacts.values():
        for key, value in (("name", spec.name), ("company", spec.company), ("title", spec.title)):
            if value and len(value) > longest[key]:
                longest[key] = len(value)
    longest["first_name"] = longest["last_name"] = longest["name"]
    longest["sender_name"] = longest["sender_first_name"] = max(map(len, filler.sender_names.values()), default=0)
    return max(
        t.fixed_length + sum(max(longest[p.variable], len(p.fallback)) for p in t.parts if isinstance(p, Slot))
        for t in notes
    )


def long_note_warnings(result: Any) -> list[str]:
    """A warning per done connect task whose note is over 300 characters once filled in (SPEC §11).

    Nothing to look at, and nothing spelled out, unless some contact's note
    could be that long: most scenarios cost one pass over their contacts.
    """
    scenario: Scenario = result.scenario
    notes = [
        template(s.text)
        for b in scenario.automation.branches
        for s in all_steps(b.steps)
        if s.kind is NodeKind.LINKEDIN_CONNECT and s.text is not None and template(s.text).variables
    ]
    if not notes:
        return []
    filler = MessageFiller(scenario)
    if longest_note(notes, filler) <= MAX_CONNECT_NOTE:
        return []
    branch_ids = [b.id for b in scenario.automation.branches]
    plans: Sequence[Any] | None = getattr(result, "plans", None) if getattr(result, "paths", False) else None
    found = []
    for e in result.enrollments:
        if e.profile is None:
            continue
        for task in e.tasks:
            if task.kind is not NodeKind.LINKEDIN_CONNECT or task.status is not TaskStatus.DONE:
                continue
            if plans is None:
                step, address = e.chain.steps[task.step], str(task.step)
            else:
                node = plans[e.branch].nodes[task.node]
                step, address = node.step, node.address
            if step.text is None:
                continue
            length = len(filler.fields(step, e.contact, e.profile)["message"])
            if length > MAX_CONNECT_NOTE:
                found.append(
                    f"contact '{e.contact}': the connect note of step {address} in branch '{branch_ids[e.branch]}' "
                    f"is {length} characters once filled in (done on day {task.done_day}); "
                    f"LinkedIn takes at most {MAX_CONNECT_NOTE}"
                )
    return found
