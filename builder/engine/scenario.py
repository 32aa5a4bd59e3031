"""Scenario files (SPEC §7): read, check and name every problem by where it is.

Loading is forgiving in the Orange sense: the JSON is parsed into plain
values, every problem is collected with its path (``events[3].sender_profile``)
and reported together, and nothing half-read is ever run.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from builder.engine import strict_json
from builder.engine.json_reader import FREE_TEXT_KEYS, MISSING, JsonReader, kind_of, known_id
from builder.engine.scenario_automation import read_automation, read_rates
from builder.engine.scenario_limits import PROFILE_LIMIT_KEYS, read_profile_limits, read_start_weekday
from builder.engine.scenario_parts import (
    EVENT_TYPES,
    MAX_DAYS,
    AutomationSpec,
    BranchSpec,
    ContactSpec,
    ContactTable,
    Event,
    InteractionSpec,
    ProfileSpec,
    Scenario,
    ScenarioError,
)
from builder.engine.words import (
    DEFAULT_DAILY_LIMIT,
    DEFAULT_WEIGHT,
    Channel,
    Outcome,
    RemovalMode,
)

__all__ = [
    "EVENT_TYPES",
    "MAX_DAYS",
    "AutomationSpec",
    "BranchSpec",
    "ContactSpec",
    "ContactTable",
    "Event",
    "InteractionSpec",
    "ProfileSpec",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "parse_scenario",
    "parse_scenario_text",
]


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
        data = strict_json.loads(text)
    except strict_json.StrictJsonError as error:
        raise ScenarioError([f"{source}: {problem}" for problem in error.problems]) from None
    except json.JSONDecodeError as error:
        raise ScenarioError(
            [f"{source}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"]
        ) from None
    except RecursionError:
        raise ScenarioError([f"{source}: the JSON is nested too deeply"]) from None
    return parse_scenario(data, source)


def parse_scenario(data: Any, source: str = "scenario") -> Scenario:
    """Check plain JSON values and turn them into a :class:`Scenario`."""
    r = JsonReader()
    top = r.obj(
        data,
        "",
        {
            "sender_profiles",
            "contacts",
            "interactions",
            "overrides",
            "automation",
            "events",
            "days",
            "state",
            "rates",
            "start_weekday",
        },
    )
    if top is None:
        raise ScenarioError([f"{source}: a scenario is a JSON object, not {kind_of(data)}"])

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
    automation = read_automation(r, top, profile_ids, contact_ids)
    if "rates" in top and automation is not None:  # the rates may sit beside the automation as well as in it
        if automation.rates is not None:
            r.problem("rates", "the rates are given twice: keep either these or automation.rates")
        else:
            automation = dataclasses.replace(automation, rates=read_rates(r, top["rates"], "rates"))
    branch_ids = {b.id for b in automation.branches} if automation else set()

    start_weekday = read_start_weekday(r, top)
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
        start_weekday=start_weekday,
    )


def _read_profiles(r: JsonReader, top: dict[str, Any]) -> list[ProfileSpec]:
    raw = r.get(top, "sender_profiles", "", "list", [])
    found: list[ProfileSpec] = []
    first_at: dict[str, str] = {}
    for i, item in enumerate(raw or []):
        where = f"sender_profiles[{i}]"
        obj = r.obj(item, where, {"id", "name", "daily_limit", "weight", "channel"} | PROFILE_LIMIT_KEYS)
        if obj is None:
            continue
        pid = r.get(obj, "id", where, "str")
        name = r.get(obj, "name", where, "str", pid)
        limit = r.get(obj, "daily_limit", where, "int", DEFAULT_DAILY_LIMIT)
        weight = r.get(obj, "weight", where, "int", DEFAULT_WEIGHT)
        channel = r.get(obj, "channel", where, "str", Channel.LINKEDIN.value)
        schedule = read_profile_limits(r, obj, where)
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
            found.append(ProfileSpec(pid, name, limit, weight, Channel(channel), **schedule))
        else:
            found.append(ProfileSpec(pid, pid))
    return found


def _read_contacts(r: JsonReader, raw: Any, where_list: str, quiet: bool = False) -> list[ContactSpec]:
    reader = JsonReader() if quiet else r
    if not isinstance(raw, list):
        reader.problem(where_list, f"expected a list, got {kind_of(raw)}")
        return []
    found = []
    for i, item in enumerate(raw):
        plain = _plain_contact(item)
        if plain is not None:
            found.append(plain)
            continue
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


_CONTACT_KEYS = frozenset({"id", "name", "email", "company", "title", "linkedin_url", "tags"}) | FREE_TEXT_KEYS


def _plain_contact(item: Any) -> ContactSpec | None:
    """The contact of a list item with nothing to report, as :func:`_read_contacts` reads it; else None.

    Most items of a large file are plain; checking them here, with no path
    made per item, is several times faster. Anything else goes the long way,
    which names each problem.
    """
    if not isinstance(item, dict) or not item.keys() <= _CONTACT_KEYS:
        return None
    get = item.get
    cid, name, tags = get("id"), get("name", MISSING), get("tags", MISSING)
    if not (isinstance(cid, str) and cid.strip()):
        return None
    if name is MISSING:
        name = cid
    elif not (isinstance(name, str) and name.strip()):
        return None
    email, company, title, url = get("email"), get("company"), get("title"), get("linkedin_url")
    if not (
        (email is None or isinstance(email, str))
        and (company is None or isinstance(company, str))
        and (title is None or isinstance(title, str))
        and (url is None or isinstance(url, str))
    ):
        return None
    if tags is MISSING:
        tags = ()
    elif not isinstance(tags, list):
        return None
    for tag in tags:
        if not (isinstance(tag, str) and tag.strip()):
            return None
    return ContactSpec(cid, name, email, company, title, url, tuple(tags))


def _check_unique_contacts(r: JsonReader, top_contacts: Any, raw_events: Any) -> None:
    first_at: dict[str, tuple[str, int]] = {}  # id -> (list, index): the path is made only for a duplicate

    def see(items: Any, where_list: str) -> None:
        if not isinstance(items, list):
            return
        for i, item in enumerate(items):
            cid = item.get("id") if isinstance(item, dict) else None
            if not isinstance(cid, str):
                continue
            if cid in first_at:
                first_list, first_index = first_at[cid]
                r.problem(
                    f"{where_list}[{i}].id",
                    f"duplicate contact id '{cid}' (first at {first_list}[{first_index}].id)",
                )
            else:
                first_at[cid] = (where_list, i)

    see(top_contacts, "contacts")
    for i, event in enumerate(raw_events if isinstance(raw_events, list) else []):
        if isinstance(event, dict) and event.get("type") == "add_contacts":
            see(event.get("contacts"), f"events[{i}].contacts")


def _read_interactions(
    r: JsonReader, top: dict[str, Any], contacts: set[str], profiles: set[str]
) -> list[InteractionSpec]:
    found = []
    for i, item in enumerate(r.get(top, "interactions", "", "list", []) or []):
        where = f"interactions[{i}]"
        obj = r.obj(item, where, {"contact", "sender_profile", "day"})
        if obj is None:
            continue
        contact = known_id(r, obj.get("contact"), f"{where}.contact", contacts, "contact")
        profile = known_id(r, obj.get("sender_profile"), f"{where}.sender_profile", profiles, "sender profile")
        day = r.get(obj, "day", where, "int")
        if None not in (contact, profile, day):
            found.append(InteractionSpec(contact, profile, day))
    return found


def _read_overrides(r: JsonReader, top: dict[str, Any], contacts: set[str], profiles: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i, item in enumerate(r.get(top, "overrides", "", "list", []) or []):
        where = f"overrides[{i}]"
        obj = r.obj(item, where, {"contact", "sender_profile"})
        if obj is None:
            continue
        contact = known_id(r, obj.get("contact"), f"{where}.contact", contacts, "contact")
        profile = known_id(r, obj.get("sender_profile"), f"{where}.sender_profile", profiles, "sender profile")
        if contact is not None and contact in found:
            r.problem(f"{where}.contact", f"contact '{contact}' already has an override")
        elif contact is not None and profile is not None:
            found[contact] = profile
    return found


_EVENT_KEYS = {
    "start": set(),
    "pause": set(),
    "resume": set(),
    "add_contacts": {"contacts"},
    "add_sender_profile": {"branch", "sender_profile"},
    "remove_sender_profile": {"branch", "sender_profile", "mode"},
    "set_override": {"contacts", "sender_profile"},
    "outcome": {"contact", "outcome"},
}


def _read_events(
    r: JsonReader,
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
            r.problem(where, f"expected an object, got {kind_of(item)}")
            continue
        kind = item.get("type")
        if not isinstance(kind, str) or kind not in _EVENT_KEYS:
            shown = kind_of(kind) if not isinstance(kind, str) else f"'{kind}'"
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
            runs = f"days 0 to {days - 1}" if days > 1 else "day 0 only" if days == 1 else 'no day at all ("days": 0)'
            r.problem(f"{where}.day", f"is day {day}, but the scenario runs {runs}")
            day = None
        event = _read_event_fields(r, obj, kind, where, profiles, contacts, branches)
        if day is not None and event is not None:
            events.append(Event(day=day, type=kind, where=where, **event))
    events.sort(key=lambda e: e.day)
    return events


def _read_event_fields(
    r: JsonReader,
    obj: dict[str, Any],
    kind: str,
    where: str,
    profiles: set[str],
    contacts: set[str],
    branches: set[str],
) -> dict[str, Any] | None:
    if kind in ("start", "pause", "resume"):
        return {}
    if kind == "outcome":
        contact = known_id(r, obj.get("contact"), f"{where}.contact", contacts, "contact")
        outcome = r.get(obj, "outcome", where, "str")
        if outcome is not None and outcome not in {o.value for o in Outcome}:
            r.problem(f"{where}.outcome", f"unknown outcome '{outcome}' (accepted, replied or bounced)")
            return None
        if contact is None or outcome is None:
            return None
        return {"contacts": (contact,), "outcome": Outcome(outcome)}
    if kind == "add_contacts":
        if "contacts" not in obj:
            r.problem(f"{where}.contacts", "is missing")
            return None
        return {"new_contacts": tuple(_read_contacts(r, obj["contacts"], f"{where}.contacts"))}
    if kind == "set_override":
        ids = r.str_list(obj, "contacts", where)
        profile = obj.get("sender_profile", MISSING)
        if profile is MISSING:
            r.problem(f"{where}.sender_profile", "is missing (null clears the override)")
            return None
        if profile is not None:
            profile = known_id(r, profile, f"{where}.sender_profile", profiles, "sender profile")
            if profile is None:
                return None
        ok = ids is not None
        for j, cid in enumerate(ids or []):
            if cid not in contacts:
                r.problem(f"{where}.contacts[{j}]", f"no contact '{cid}'")
                ok = False
        return {"contacts": tuple(ids), "sender_profile": profile} if ok else None
    branch = known_id(r, obj.get("branch"), f"{where}.branch", branches, "branch") if "branch" in obj else None
    if "branch" not in obj:
        r.problem(f"{where}.branch", "is missing")
    profile = (
        known_id(r, obj.get("sender_profile"), f"{where}.sender_profile", profiles, "sender profile")
        if "sender_profile" in obj
        else None
    )
    if "sender_profile" not in obj:
        r.problem(f"{where}.sender_profile", "is missing")
    mode = None
    if kind == "remove_sender_profile" and "mode" in obj:
        if not isinstance(obj["mode"], str) or obj["mode"] not in {m.value for m in RemovalMode}:
            r.problem(f"{where}.mode", f"must be 'cancel', 'continue' or 'move', got {kind_of(obj['mode'])}")
            return None
        mode = RemovalMode(obj["mode"])
    if branch is None or profile is None:
        return None
    return {"branch": branch, "sender_profile": profile, "mode": mode}
