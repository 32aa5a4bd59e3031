"""Scenario files (SPEC §7): read, check and name every problem by where it is.

Loading is forgiving in the Orange sense: the JSON is parsed into plain
values, every problem is collected with its path (``events[3].sender_profile``)
and reported together, and nothing half-read is ever run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from builder.engine.segments import SegmentDefinition, SegmentRule

if TYPE_CHECKING:
    from builder.engine.run_state import RunState
from builder.engine.steps import Step
from builder.engine.words import (
    DEFAULT_DAILY_LIMIT,
    DEFAULT_WEIGHT,
    STEP_KINDS,
    Channel,
    NodeKind,
    RemovalMode,
)

MAX_DAYS = 3650
FREE_TEXT_KEYS = frozenset({"description", "comment", "notes"})


class ScenarioError(ValueError):
    """A scenario that cannot be run; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ProfileSpec:
    id: str
    name: str
    daily_limit: int = DEFAULT_DAILY_LIMIT
    weight: int = DEFAULT_WEIGHT
    channel: Channel = Channel.LINKEDIN


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
    """Contacts kept as columns (id, name, tags) that read as a sequence of :class:`ContactSpec`.

    A workspace preview holds a hundred thousand contacts and mostly needs
    their ids and tags, so it does not make a tuple per contact until asked.
    Equal to any sequence of the same contacts.
    """

    __slots__ = ("ids", "names", "tags")

    def __init__(self, ids: list[str], names: list[str], tags: list[tuple[str, ...]]) -> None:
        self.ids, self.names, self.tags = ids, names, tags

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> ContactSpec: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[ContactSpec, ...]: ...
    def __getitem__(self, index: int | slice) -> ContactSpec | tuple[ContactSpec, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        return ContactSpec(self.ids[index], self.names[index], tags=self.tags[index])

    def __iter__(self) -> Iterator[ContactSpec]:
        none = repeat(None)
        rows = zip(self.ids, self.names, none, none, none, none, self.tags, strict=False)
        return map(tuple.__new__, repeat(ContactSpec), rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ContactTable):
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


@dataclass(frozen=True)
class AutomationSpec:
    name: str
    branches: tuple[BranchSpec, ...]
    ignore_previous_interactions: bool = False


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


EVENT_TYPES = (
    "start",
    "pause",
    "resume",
    "add_contacts",
    "add_sender_profile",
    "remove_sender_profile",
    "set_override",
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


_MISSING = object()


class _Reader:
    """Reads plain JSON values, noting each problem with its path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def obj(self, value: Any, where: str, allowed: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(where, f"expected an object, got {_kind(value)}")
            return None
        for key in value:
            if key not in allowed and key not in FREE_TEXT_KEYS:
                self.problem(f"{where}.{key}" if where else key, f"unknown key '{key}'")
        return value

    def get(self, parent: dict[str, Any], key: str, where: str, kind: str, default: Any = _MISSING) -> Any:
        path = f"{where}.{key}" if where else key
        if key not in parent:
            if default is _MISSING:
                self.problem(path, "is missing")
                return None
            return default
        value = parent[key]
        if kind == "str" and not (isinstance(value, str) and value.strip()):
            self.problem(path, f"expected a non-empty text, got {_kind(value)}")
            return None
        if kind == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
            self.problem(path, f"expected a whole number, got {_kind(value)}")
            return None
        if kind == "bool" and not isinstance(value, bool):
            self.problem(path, f"expected true or false, got {_kind(value)}")
            return None
        if kind == "list" and not isinstance(value, list):
            self.problem(path, f"expected a list, got {_kind(value)}")
            return None
        if kind == "opt_str" and value is not None and not isinstance(value, str):
            self.problem(path, f"expected a text, got {_kind(value)}")
            return None
        return value

    def str_list(self, parent: dict[str, Any], key: str, where: str, default: Any = _MISSING) -> list[str] | None:
        values = self.get(parent, key, where, "list", default)
        if values is None:
            return None
        good = True
        for i, item in enumerate(values):
            if not (isinstance(item, str) and item.strip()):
                self.problem(f"{where}.{key}[{i}]", f"expected a non-empty text, got {_kind(item)}")
                good = False
        return list(values) if good else None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "…"
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    return "an object"


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file; raise :class:`ScenarioError` naming every problem."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError([f"{path}: no such file"])
    if path.is_dir():
        raise ScenarioError([f"{path}: is a folder, not a scenario file"])
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ScenarioError([f"{path}: cannot be read ({error.strerror or error})"]) from None
    if not raw.strip():
        raise ScenarioError([f"{path}: the file is empty; a scenario is a JSON object"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError([f"{path}: is not a text file (a scenario is JSON in UTF-8)"]) from None
    return parse_scenario_text(text, str(path))


def parse_scenario_text(text: str, source: str = "scenario") -> Scenario:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            [f"{source}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"]
        ) from None
    except RecursionError:
        raise ScenarioError([f"{source}: the JSON is nested too deeply"]) from None
    return parse_scenario(data, source)


def parse_scenario(data: Any, source: str = "scenario") -> Scenario:
    """Check plain JSON values and turn them into a :class:`Scenario`."""
    r = _Reader()
    top = r.obj(
        data,
        "",
        {"sender_profiles", "contacts", "interactions", "overrides", "automation", "events", "days", "state"},
    )
    if top is None:
        raise ScenarioError([f"{source}: a scenario is a JSON object, not {_kind(data)}"])

    profiles = _read_profiles(r, top)
    profile_ids = {p.id for p in profiles}
    contacts = _read_contacts(r, top.get("contacts", []), "contacts")
    event_contacts: list[ContactSpec] = []
    raw_events = r.get(top, "events", "", "list", [])
    if raw_events:
        for i, item in enumerate(raw_events):
            if isinstance(item, dict) and item.get("type") == "add_contacts" and isinstance(item.get("contacts"), list):
                event_contacts.extend(_read_contacts(r, item["contacts"], f"events[{i}].contacts", quiet=True))
    _check_unique_contacts(r, top.get("contacts"), raw_events)
    contact_ids = {c.id for c in contacts} | {c.id for c in event_contacts}

    interactions = _read_interactions(r, top, contact_ids, profile_ids)
    overrides = _read_overrides(r, top, contact_ids, profile_ids)
    automation = _read_automation(r, top, profile_ids, contact_ids)
    branch_ids = {b.id for b in automation.branches} if automation else set()

    days = r.get(top, "days", "", "int", None)
    if days is not None and not 0 <= days <= MAX_DAYS:
        r.problem("days", f"must be between 0 and {MAX_DAYS}, got {days}")
        days = None

    events = _read_events(r, raw_events or [], profile_ids, contact_ids, branch_ids, days)
    state = None
    if "state" in top and automation is not None:
        from builder.engine.run_state import read_state

        state = read_state(r, top["state"], profile_ids, contact_ids, {b.id: b for b in automation.branches})
    if r.problems or automation is None:
        raise ScenarioError(r.problems or ["automation: is missing"])
    return Scenario(
        sender_profiles=tuple(profiles),
        contacts=tuple(contacts),
        interactions=tuple(interactions),
        overrides=overrides,
        automation=automation,
        events=tuple(events),
        days=days,
        state=state,
    )


def _read_profiles(r: _Reader, top: dict[str, Any]) -> list[ProfileSpec]:
    raw = r.get(top, "sender_profiles", "", "list", [])
    found: list[ProfileSpec] = []
    first_at: dict[str, str] = {}
    for i, item in enumerate(raw or []):
        where = f"sender_profiles[{i}]"
        obj = r.obj(item, where, {"id", "name", "daily_limit", "weight", "channel"})
        if obj is None:
            continue
        pid = r.get(obj, "id", where, "str")
        name = r.get(obj, "name", where, "str", pid)
        limit = r.get(obj, "daily_limit", where, "int", DEFAULT_DAILY_LIMIT)
        weight = r.get(obj, "weight", where, "int", DEFAULT_WEIGHT)
        channel = r.get(obj, "channel", where, "str", Channel.LINKEDIN.value)
        if limit is not None and limit < 0:
            r.problem(f"{where}.daily_limit", f"must be 0 or more, got {limit}")
            limit = None
        if weight is not None and weight < 1:
            r.problem(f"{where}.weight", f"must be 1 or more, got {weight}")
            weight = None
        if channel is not None and channel not in {c.value for c in Channel}:
            r.problem(f"{where}.channel", f"must be 'linkedin' or 'email', got '{channel}'")
            channel = None
        if pid is None:
            continue
        if pid in first_at:
            r.problem(f"{where}.id", f"duplicate sender profile id '{pid}' (first at {first_at[pid]})")
            continue
        first_at[pid] = where
        if None not in (name, limit, weight, channel):
            found.append(ProfileSpec(pid, name, limit, weight, Channel(channel)))
        else:
            found.append(ProfileSpec(pid, pid))
    return found


def _read_contacts(r: _Reader, raw: Any, where_list: str, quiet: bool = False) -> list[ContactSpec]:
    reader = _Reader() if quiet else r
    if not isinstance(raw, list):
        reader.problem(where_list, f"expected a list, got {_kind(raw)}")
        return []
    found = []
    for i, item in enumerate(raw):
        where = f"{where_list}[{i}]"
        obj = reader.obj(item, where, {"id", "name", "email", "company", "title", "linkedin_url", "tags"})
        if obj is None:
            continue
        cid = reader.get(obj, "id", where, "str")
        name = reader.get(obj, "name", where, "str", cid)
        texts = {
            key: reader.get(obj, key, where, "opt_str", None) for key in ("email", "company", "title", "linkedin_url")
        }
        tags = reader.str_list(obj, "tags", where, [])
        if cid is None:
            continue
        found.append(ContactSpec(cid, name or cid, tags=tuple(tags or ()), **texts))
    return found


def _check_unique_contacts(r: _Reader, top_contacts: Any, raw_events: Any) -> None:
    first_at: dict[str, str] = {}

    def see(items: Any, where_list: str) -> None:
        if not isinstance(items, list):
            return
        for i, item in enumerate(items):
            cid = item.get("id") if isinstance(item, dict) else None
            if not isinstance(cid, str):
                continue
            where = f"{where_list}[{i}].id"
            if cid in first_at:
                r.problem(where, f"duplicate contact id '{cid}' (first at {first_at[cid]})")
            else:
                first_at[cid] = where

    see(top_contacts, "contacts")
    for i, event in enumerate(raw_events if isinstance(raw_events, list) else []):
        if isinstance(event, dict) and event.get("type") == "add_contacts":
            see(event.get("contacts"), f"events[{i}].contacts")


def _known(r: _Reader, value: Any, where: str, known: set[str], what: str) -> str | None:
    if not (isinstance(value, str) and value.strip()):
        r.problem(where, f"expected a {what} id, got {_kind(value)}")
        return None
    if value not in known:
        r.problem(where, f"no {what} '{value}'")
        return None
    return value


def _read_interactions(
    r: _Reader, top: dict[str, Any], contacts: set[str], profiles: set[str]
) -> list[InteractionSpec]:
    found = []
    for i, item in enumerate(r.get(top, "interactions", "", "list", []) or []):
        where = f"interactions[{i}]"
        obj = r.obj(item, where, {"contact", "sender_profile", "day"})
        if obj is None:
            continue
        contact = _known(r, obj.get("contact"), f"{where}.contact", contacts, "contact")
        profile = _known(r, obj.get("sender_profile"), f"{where}.sender_profile", profiles, "sender profile")
        day = r.get(obj, "day", where, "int")
        if None not in (contact, profile, day):
            found.append(InteractionSpec(contact, profile, day))
    return found


def _read_overrides(r: _Reader, top: dict[str, Any], contacts: set[str], profiles: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i, item in enumerate(r.get(top, "overrides", "", "list", []) or []):
        where = f"overrides[{i}]"
        obj = r.obj(item, where, {"contact", "sender_profile"})
        if obj is None:
            continue
        contact = _known(r, obj.get("contact"), f"{where}.contact", contacts, "contact")
        profile = _known(r, obj.get("sender_profile"), f"{where}.sender_profile", profiles, "sender profile")
        if contact is not None and contact in found:
            r.problem(f"{where}.contact", f"contact '{contact}' already has an override")
        elif contact is not None and profile is not None:
            found[contact] = profile
    return found


def _read_automation(r: _Reader, top: dict[str, Any], profiles: set[str], contacts: set[str]) -> AutomationSpec | None:
    if "automation" not in top:
        r.problem("automation", "is missing")
        return None
    obj = r.obj(top["automation"], "automation", {"name", "ignore_previous_interactions", "branches"})
    if obj is None:
        return None
    name = r.get(obj, "name", "automation", "str", "Automation")
    ignore = r.get(obj, "ignore_previous_interactions", "automation", "bool", False)
    raw_branches = r.get(obj, "branches", "automation", "list")
    branches: list[BranchSpec] = []
    first_at: dict[str, str] = {}
    if raw_branches is not None and not raw_branches:
        r.problem("automation.branches", "needs at least one branch")
    for i, item in enumerate(raw_branches or []):
        where = f"automation.branches[{i}]"
        b = r.obj(item, where, {"id", "segment", "sender_profiles", "steps"})
        if b is None:
            continue
        bid = r.get(b, "id", where, "str")
        if bid is not None and bid in first_at:
            r.problem(f"{where}.id", f"duplicate branch id '{bid}' (first at {first_at[bid]})")
            bid = None
        elif bid is not None:
            first_at[bid] = where
        segment = _read_segment(r, b.get("segment", _MISSING), f"{where}.segment", contacts)
        attached = []
        for j, value in enumerate(r.get(b, "sender_profiles", where, "list", []) or []):
            pid = _known(r, value, f"{where}.sender_profiles[{j}]", profiles, "sender profile")
            if pid is not None and pid in attached:
                r.problem(f"{where}.sender_profiles[{j}]", f"sender profile '{pid}' is listed twice")
            elif pid is not None:
                attached.append(pid)
        steps = _read_steps(r, r.get(b, "steps", where, "list"), f"{where}.steps")
        if bid is not None and segment is not None and steps is not None:
            branches.append(BranchSpec(bid, segment, tuple(attached), tuple(steps)))
    return AutomationSpec(name or "Automation", tuple(branches), bool(ignore))


def _read_segment(r: _Reader, raw: Any, where: str, contacts: set[str]) -> SegmentDefinition | None:
    if raw is _MISSING:
        r.problem(where, "is missing")
        return None
    keys = [rule.value for rule in SegmentRule]
    obj = r.obj(raw, where, set(keys))
    if obj is None:
        return None
    chosen = [k for k in keys if k in obj]
    if len(chosen) != 1:
        r.problem(where, "needs exactly one of tags_any, tags_all, contacts or all")
        return None
    rule = SegmentRule(chosen[0])
    if rule is SegmentRule.EVERYONE:
        if obj["all"] is not True:
            r.problem(f"{where}.all", f"expected true, got {_kind(obj['all'])}")
            return None
        return SegmentDefinition(rule)
    values = r.str_list(obj, rule.value, where)
    if values is None:
        return None
    if rule is SegmentRule.STATIC:
        for j, cid in enumerate(values):
            if cid not in contacts:
                r.problem(f"{where}.contacts[{j}]", f"no contact '{cid}'")
        return SegmentDefinition(rule, contacts=frozenset(values))
    if not values:
        r.problem(f"{where}.{rule.value}", "needs at least one tag")
        return None
    return SegmentDefinition(rule, tags=frozenset(values))


def _read_steps(r: _Reader, raw: list[Any] | None, where: str) -> list[Step] | None:
    if raw is None:
        return None
    steps = []
    kinds = {k.value for k in STEP_KINDS}
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        obj = r.obj(item, at, {"type", "days"})
        if obj is None:
            continue
        kind = r.get(obj, "type", at, "str")
        if kind is None:
            continue
        if kind not in kinds:
            r.problem(f"{at}.type", f"unknown step '{kind}' (one of {', '.join(sorted(kinds))})")
            continue
        days = 0
        if kind == NodeKind.WAIT:
            days = r.get(obj, "days", at, "int")
            if days is None:
                continue
            if days < 0:
                r.problem(f"{at}.days", f"must be 0 or more, got {days}")
                continue
        elif "days" in obj:
            r.problem(f"{at}.days", "only a wait step has days")
        steps.append(Step(NodeKind(kind), days))
    return steps


_EVENT_KEYS = {
    "start": set(),
    "pause": set(),
    "resume": set(),
    "add_contacts": {"contacts"},
    "add_sender_profile": {"branch", "sender_profile"},
    "remove_sender_profile": {"branch", "sender_profile", "mode"},
    "set_override": {"contacts", "sender_profile"},
}


def _read_events(
    r: _Reader,
    raw: list[Any],
    profiles: set[str],
    contacts: set[str],
    branches: set[str],
    days: int | None,
) -> list[Event]:
    events = []
    for i, item in enumerate(raw):
        where = f"events[{i}]"
        if not isinstance(item, dict):
            r.problem(where, f"expected an object, got {_kind(item)}")
            continue
        kind = item.get("type")
        if not isinstance(kind, str) or kind not in _EVENT_KEYS:
            shown = _kind(kind) if not isinstance(kind, str) else f"'{kind}'"
            r.problem(f"{where}.type", f"unknown event {shown} (one of {', '.join(EVENT_TYPES)})")
            continue
        obj = r.obj(item, where, {"day", "type"} | _EVENT_KEYS[kind])
        if obj is None:
            continue
        day = r.get(obj, "day", where, "int")
        if day is not None and day < 0:
            r.problem(f"{where}.day", f"must be 0 or more, got {day}")
            day = None
        elif day is not None and days is not None and day >= days:
            r.problem(f"{where}.day", f"is day {day}, but the scenario runs days 0 to {days - 1}")
            day = None
        event = _read_event_fields(r, obj, kind, where, profiles, contacts, branches)
        if day is not None and event is not None:
            events.append(Event(day=day, type=kind, where=where, **event))
    events.sort(key=lambda e: e.day)
    return events


def _read_event_fields(
    r: _Reader,
    obj: dict[str, Any],
    kind: str,
    where: str,
    profiles: set[str],
    contacts: set[str],
    branches: set[str],
) -> dict[str, Any] | None:
    if kind in ("start", "pause", "resume"):
        return {}
    if kind == "add_contacts":
        if "contacts" not in obj:
            r.problem(f"{where}.contacts", "is missing")
            return None
        return {"new_contacts": tuple(_read_contacts(r, obj["contacts"], f"{where}.contacts"))}
    if kind == "set_override":
        ids = r.str_list(obj, "contacts", where)
        profile = obj.get("sender_profile", _MISSING)
        if profile is _MISSING:
            r.problem(f"{where}.sender_profile", "is missing (null clears the override)")
            return None
        if profile is not None:
            profile = _known(r, profile, f"{where}.sender_profile", profiles, "sender profile")
            if profile is None:
                return None
        ok = ids is not None
        for j, cid in enumerate(ids or []):
            if cid not in contacts:
                r.problem(f"{where}.contacts[{j}]", f"no contact '{cid}'")
                ok = False
        return {"contacts": tuple(ids), "sender_profile": profile} if ok else None
    branch = _known(r, obj.get("branch"), f"{where}.branch", branches, "branch") if "branch" in obj else None
    if "branch" not in obj:
        r.problem(f"{where}.branch", "is missing")
    profile = (
        _known(r, obj.get("sender_profile"), f"{where}.sender_profile", profiles, "sender profile")
        if "sender_profile" in obj
        else None
    )
    if "sender_profile" not in obj:
        r.problem(f"{where}.sender_profile", "is missing")
    mode = None
    if kind == "remove_sender_profile" and "mode" in obj:
        if not isinstance(obj["mode"], str) or obj["mode"] not in {m.value for m in RemovalMode}:
            r.problem(f"{where}.mode", f"must be 'cancel' or 'continue', got {_kind(obj['mode'])}")
            return None
        mode = RemovalMode(obj["mode"])
    if branch is None or profile is None:
        return None
    return {"branch": branch, "sender_profile": profile, "mode": mode}
