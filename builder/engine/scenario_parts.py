"""What a scenario is (SPEC §7): its sender profiles, contacts, history, automation and events.

:mod:`builder.engine.scenario` reads these from a file and checks them;
:mod:`builder.engine.scenario_writer` writes them back; the workspace builds
them from its rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, NamedTuple, overload

from builder.engine.segments import SegmentDefinition
from builder.engine.steps import Step
from builder.engine.words import DEFAULT_DAILY_LIMIT, DEFAULT_WEIGHT, Channel, NodeKind, Outcome, RemovalMode

if TYPE_CHECKING:
    from builder.engine.run_state import RunState

MAX_DAYS = 3650
EVERY_WEEKDAY = (0, 1, 2, 3, 4, 5, 6)  # weekday numbers, 0 = Monday (SPEC §12)


class ScenarioError(ValueError):
    """A scenario that cannot be run; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ProfileSpec:
    """A sender profile of the scenario; ``limits`` and the rest are SPEC §12's, unset by default."""

    id: str
    name: str
    daily_limit: int = DEFAULT_DAILY_LIMIT
    weight: int = DEFAULT_WEIGHT
    channel: Channel = Channel.LINKEDIN
    limits: Mapping[NodeKind, int] = field(default_factory=dict, hash=False)  # per action kind per day
    weekly_limits: Mapping[NodeKind, int] = field(default_factory=dict, hash=False)  # per kind, rolling 7 days
    working_days: tuple[int, ...] = EVERY_WEEKDAY  # sorted weekday numbers, 0 = Monday


class ContactSpec(NamedTuple):
    """A tuple, not a dataclass: a workspace preview makes a hundred thousand of them."""

    id: str
    name: str
    email: str | None = None
    company: str | None = None
    title: str | None = None
    linkedin_url: str | None = None
    tags: tuple[str, ...] = ()


class ContactTable(Sequence[ContactSpec]):
    """Contacts kept as columns (id, name, tags; email, company, title and LinkedIn URL when given) read as a
    sequence of :class:`ContactSpec`.

    A workspace preview holds a hundred thousand contacts and mostly needs
    their ids and tags, so it does not make a tuple per contact until asked.
    Email and LinkedIn URL answer a condition's ``has`` (SPEC §10); company
    and title fill messages' variables (SPEC §11). Equal to any sequence of
    the same contacts.
    """

    __slots__ = ("companies", "emails", "ids", "linkedin_urls", "names", "tags", "titles")

    def __init__(
        self,
        ids: list[str],
        names: list[str],
        tags: list[tuple[str, ...]],
        companies: list[str | None] | None = None,
        titles: list[str | None] | None = None,
        emails: list[str | None] | None = None,
        linkedin_urls: list[str | None] | None = None,
    ) -> None:
        self.ids, self.names, self.tags = ids, names, tags
        self.companies, self.titles = companies, titles
        self.emails, self.linkedin_urls = emails, linkedin_urls

    def __len__(self) -> int:
        return len(self.ids)

    def _columns(self) -> tuple:
        return (self.emails, self.companies, self.titles, self.linkedin_urls)

    @overload
    def __getitem__(self, index: int) -> ContactSpec: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[ContactSpec, ...]: ...
    def __getitem__(self, index: int | slice) -> ContactSpec | tuple[ContactSpec, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        email, company, title, linkedin_url = (None if c is None else c[index] for c in self._columns())
        return ContactSpec(self.ids[index], self.names[index], email, company, title, linkedin_url, self.tags[index])

    def __iter__(self) -> Iterator[ContactSpec]:
        emails, companies, titles, urls = (repeat(None) if c is None else c for c in self._columns())
        rows = zip(self.ids, self.names, emails, companies, titles, urls, self.tags, strict=False)
        return map(tuple.__new__, repeat(ContactSpec), rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ContactTable) and self._columns() == other._columns():
            return (self.ids, self.names, self.tags) == (other.ids, other.names, other.tags)
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self.ids))

    def __repr__(self) -> str:
        return f"ContactTable({len(self)} contacts)"


class InteractionSpec(NamedTuple):
    contact: str
    sender_profile: str
    day: int


@dataclass(frozen=True)
class BranchSpec:
    id: str
    segment: SegmentDefinition
    sender_profiles: tuple[str, ...]
    steps: tuple[Step, ...]


class Rate(NamedTuple):
    """How often an outcome follows a done task in a forecast, and how many days after (SPEC §10)."""

    rate: float
    after_days: int


@dataclass(frozen=True)
class Rates:
    """The forecast's outcome rates; an outcome left out never happens by rate."""

    of: dict[Outcome, Rate] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.of.items())))


@dataclass(frozen=True)
class AutomationSpec:
    name: str
    branches: tuple[BranchSpec, ...]
    ignore_previous_interactions: bool = False
    stop_on_reply: bool = True
    rates: Rates | None = None
    explicit_stop_on_reply: bool = field(default=False, compare=False)  # the file said it (written back then)


@dataclass(frozen=True)
class Event:
    """One timeline event; ``where`` is its path in the file, for messages."""

    day: int
    type: str
    where: str = field(compare=False)  # its place in the file, for messages; not part of what happens
    branch: str | None = None
    sender_profile: str | None = None
    mode: RemovalMode | None = None
    contacts: tuple[str, ...] = ()
    new_contacts: tuple[ContactSpec, ...] = ()
    outcome: Outcome | None = None  # an ``outcome`` event (SPEC §10): its contact is ``contacts[0]``


EVENT_TYPES = (
    "start",
    "pause",
    "resume",
    "add_contacts",
    "add_sender_profile",
    "remove_sender_profile",
    "set_override",
    "outcome",
)


@dataclass(frozen=True)
class Scenario:
    sender_profiles: tuple[ProfileSpec, ...]
    contacts: Sequence[ContactSpec]  # a tuple, or a ContactTable
    interactions: tuple[InteractionSpec, ...]
    overrides: dict[str, str]
    automation: AutomationSpec
    events: tuple[Event, ...]
    days: int | None = None
    state: RunState | None = None  # a started automation's standing (builder.engine.run_state)
    start_weekday: int = 0  # day 0's weekday, 0 = Monday (SPEC §12)
