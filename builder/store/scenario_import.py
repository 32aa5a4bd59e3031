"""A scenario file (SPEC §7) made into a workspace: the reverse of Save as scenario.

Sender profiles, contacts, their history (day 0 is the workspace's today) and
overrides go in; the automation is built with its nodes laid out as a tree,
left to right; day 0's events are applied in file order through the
workspace's own methods, so a ``start`` there starts it. Later events are the
forecast's, not the workspace's: they are counted and left out.

Only an empty workspace is filled: a scenario is a whole story, not something
to merge into a team's contacts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from builder.engine.limits import WEEKDAY_NAMES, uses_schedule
from builder.engine.node_settings import settings_of
from builder.engine.scenario import BranchSpec, ContactSpec, Event, Scenario
from builder.engine.scenario_parts import ProfileSpec
from builder.engine.segments import SegmentRule
from builder.engine.steps import Step
from builder.engine.words import NodeKind
from builder.store.bulk import bulk_insert
from builder.store.database import WorkspaceError, table
from builder.store.loading import query
from builder.store.workspace import Workspace

COLUMN, ROW = 340.0, 200.0  # the canvas's spacing of cards, as the demo lays them out


@dataclass
class LoadedScenario:
    """What a scenario became in the workspace, by the scenario's ids."""

    automation_id: int = 0
    profiles: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)
    branch_nodes: dict[str, int] = field(default_factory=dict)
    interactions: int = 0
    overrides: int = 0
    applied: list[str] = field(default_factory=list)  # the day-0 events, in words
    later: list[Event] = field(default_factory=list)  # events after day 0: the forecast's
    warnings: list[str] = field(default_factory=list)

    def lines(self, ws: Workspace) -> list[str]:
        """What the command line says about it."""
        automation = ws.automation(self.automation_id)
        enrolled = len(ws.enrollments(self.automation_id))
        lines = [
            f"{len(self.profiles)} sender profile{_s(len(self.profiles))}, {len(self.contacts):,} contact{_s(len(self.contacts))}, "
            f"{self.interactions:,} interaction{_s(self.interactions)}, {self.overrides} override{_s(self.overrides)}.",
            f"Automation '{automation.name}': {automation.state.value}, {enrolled:,} enrolled.",
        ]
        lines += [f"Day 0: {event}" for event in self.applied]
        lines += [f"Warning: {warning}" for warning in self.warnings]
        if self.later:
            days = sorted({e.day for e in self.later})
            span = f"day {days[0]}" if len(days) == 1 else f"days {days[0]} to {days[-1]}"
            count = len(self.later)
            lines.append(
                f"{count} later event{_s(count)} ({span}) {'is' if count == 1 else 'are'} the forecast's, "
                "not the workspace's: not applied."
            )
        return lines


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def refuse_unless_empty(ws: Workspace) -> None:
    """A scenario is loaded into an empty workspace only."""
    with ws._read() as conn:
        held = [
            (what, query(conn, f"SELECT count(*) FROM {name}")[0][0])
            for what, name in (
                ("sender profiles", "sender_profile"),
                ("contacts", "contact"),
                ("automations", "automation"),
            )
        ]
    found = [f"{count:,} {what if count != 1 else what[:-1]}" for what, count in held if count]
    if found:
        raise WorkspaceError(
            f"This workspace already holds {', '.join(found)}: load a scenario into a new, empty workspace."
        )


def create_profile(ws: Workspace, profile: ProfileSpec) -> int:
    """A scenario's sender profile made in the workspace, with its limits and working days (SPEC §12)."""
    return ws.create_sender_profile(
        profile.name,
        profile.channel,
        profile.daily_limit,
        profile.weight,
        limits={kind.value: count for kind, count in profile.limits.items()},
        weekly_limits={kind.value: count for kind, count in profile.weekly_limits.items()},
        working_days=profile.working_days,
    )


def load_into(ws: Workspace, scenario: Scenario) -> LoadedScenario:
    """Make the empty workspace ``ws`` hold the scenario, as of its today; refuses a workspace that is not empty."""
    refuse_unless_empty(ws)
    loaded = LoadedScenario()
    for profile in scenario.sender_profiles:
        loaded.profiles[profile.id] = create_profile(ws, profile)
    if uses_schedule(scenario) and scenario.start_weekday != ws.today.weekday():
        # A workspace counts real dates (SPEC §12): the scenario's days off fall on other days of its story.
        loaded.warnings.append(
            f"start_weekday: the scenario's day 0 is a {WEEKDAY_NAMES[scenario.start_weekday]}; the workspace "
            f"counts from today, a {WEEKDAY_NAMES[ws.today.weekday()]}."
        )
    early_overrides = {c: loaded.profiles[p] for c, p in scenario.overrides.items()}
    _add_contacts(ws, loaded, scenario.contacts, early_overrides)
    _add_interactions(ws, loaded, scenario)
    loaded.automation_id = _build_automation(ws, loaded, scenario)
    for event in scenario.events:
        if event.day != 0:
            loaded.later.append(event)
            continue
        _apply(ws, loaded, event, early_overrides)
    return loaded


def _add_contacts(ws: Workspace, loaded: LoadedScenario, contacts: Iterable[ContactSpec], pins: dict[str, int]) -> None:
    """Contacts in one transaction, each pinned from the start when the scenario overrides it."""
    specs = list(contacts)
    rows = [
        {
            "name": c.name,
            "email": c.email,
            "company": c.company,
            "title": c.title,
            "linkedin_url": c.linkedin_url,
            "tags": list(c.tags),
            "override": pins.pop(c.id, None),
        }
        for c in specs
    ]
    ids = ws.add_contacts(rows)
    loaded.contacts.update({c.id: new for c, new in zip(specs, ids, strict=True)})
    loaded.overrides += sum(1 for row in rows if row["override"] is not None)


def _add_interactions(ws: Workspace, loaded: LoadedScenario, scenario: Scenario) -> None:
    """History in one transaction, oldest day first and in file order within a day (R2's 'latest')."""
    today = ws.today_number
    ordered = sorted(enumerate(scenario.interactions), key=lambda item: (item[1].day, item[0]))
    rows = [(loaded.contacts[i.contact], loaded.profiles[i.sender_profile], today + i.day) for _, i in ordered]
    if rows:
        with ws._write() as conn:
            bulk_insert(conn, table("interaction"), ["contact_id", "sender_profile_id", "day"], rows)
    loaded.interactions = len(rows)


def _build_automation(ws: Workspace, loaded: LoadedScenario, scenario: Scenario) -> int:
    spec = scenario.automation
    automation = ws.create_automation(spec.name)
    if spec.ignore_previous_interactions:
        ws.set_ignore_previous_interactions(automation, True)
    _set_reply_and_rates(ws, automation, scenario)
    row = 0.0
    for branch in spec.branches:
        rows = _build_branch(ws, loaded, automation, branch, row)
        row += rows * ROW
    return automation


def _set_reply_and_rates(ws: Workspace, automation: int, scenario: Scenario) -> None:
    spec = scenario.automation
    if not spec.stop_on_reply:
        ws.set_stop_on_reply(automation, False)
    if spec.rates is not None and spec.rates.of:
        ws.set_rates(
            automation, {k.value: {"rate": r.rate, "after_days": r.after_days} for k, r in spec.rates.of.items()}
        )


def _build_branch(ws: Workspace, loaded: LoadedScenario, automation: int, branch: BranchSpec, y: float) -> int:
    """Segment, Sender Profile and the path, left to right; returns how many rows the branch takes."""
    rule = branch.segment.rule
    name = branch.id
    if rule is SegmentRule.TAGS_ANY:
        segment = ws.create_segment(name, tags_any=sorted(branch.segment.tags))
    elif rule is SegmentRule.TAGS_ALL:
        segment = ws.create_segment(name, tags_all=sorted(branch.segment.tags))
    elif rule is SegmentRule.STATIC:
        segment = ws.create_segment(
            name, contacts=[loaded.contacts[c] for c in sorted(branch.segment.contacts) if c in loaded.contacts]
        )
    else:
        segment = ws.create_segment(name, everyone=True)
    # The Segment node's title is the branch's id: Save as scenario names the branch by it.
    segment_node = ws.add_node(automation, "segment", title=branch.id, segment_id=segment, x=0.0, y=y)
    profile_node = ws.add_node(automation, "sender_profile", title=f"{branch.id}: sender profiles", x=COLUMN, y=y)
    ws.connect(segment_node, profile_node)
    for profile in branch.sender_profiles:
        ws.attach_sender_profile(profile_node, loaded.profiles[profile])
    loaded.branch_nodes[branch.id] = profile_node
    return _build_path(ws, automation, profile_node, branch.steps, column=2, y=y)


def _build_path(
    ws: Workspace,
    automation: int,
    previous: int,
    steps: tuple[Step, ...],
    *,
    column: int,
    y: float,
    output: str | None = None,
) -> int:
    """A list of steps, one column each, on one row; returns the rows it takes.

    A control step's outputs follow it in the next column, each on its own
    rows below the one before (yes above no, variants in order), their edges
    labelled with the output.
    """
    for step in steps:
        title = f"Wait {step.days} day{_s(step.days)}" if step.kind is NodeKind.WAIT else None
        node = ws.add_node(
            automation,
            step.kind,
            title=title,
            wait_days=step.days if step.kind is NodeKind.WAIT else 0,
            settings=settings_of(step),
            x=COLUMN * column,
            y=y,
        )
        ws.connect(previous, node, output)
        previous, column, output = node, column + 1, None
        if step.outputs:
            rows = 0
            for name, branch_steps in step.outputs:
                if branch_steps:
                    rows += _build_path(
                        ws, automation, node, branch_steps, column=column, y=y + rows * ROW, output=name
                    )
            return max(rows, 1)
    return 1


def _apply(ws: Workspace, loaded: LoadedScenario, event: Event, pins: dict[str, int]) -> None:
    """One day-0 event, through the workspace's own method; a refusal the engine only warns about is a warning."""
    automation = loaded.automation_id
    node = loaded.branch_nodes.get(event.branch or "")
    profile = loaded.profiles.get(event.sender_profile or "")
    if event.type == "start":
        ws.start(automation)
        loaded.applied.append("started")
    elif event.type == "pause":
        ws.pause(automation)
        loaded.applied.append("paused")
    elif event.type == "resume":
        ws.resume(automation)
        loaded.applied.append("resumed")
    elif event.type == "add_contacts":
        _add_contacts(ws, loaded, event.new_contacts, pins)
        loaded.applied.append(f"{len(event.new_contacts)} contact{_s(len(event.new_contacts))} added")
    elif event.type == "add_sender_profile":
        assert node is not None and profile is not None
        ws.attach_sender_profile(node, profile)
        loaded.applied.append(f"sender profile '{event.sender_profile}' added to '{event.branch}'")
    elif event.type == "remove_sender_profile":
        assert node is not None and profile is not None
        ws.remove_sender_profile(node, profile, event.mode)
        mode = f" ({event.mode.value})" if event.mode else ""
        loaded.applied.append(f"sender profile '{event.sender_profile}' removed from '{event.branch}'{mode}")
    elif event.type == "set_override":
        known = [loaded.contacts[c] for c in event.contacts if c in loaded.contacts]
        for c in event.contacts:
            if c not in loaded.contacts:
                if profile is None:
                    pins.pop(c, None)
                else:
                    pins[c] = profile
        ws.set_override(known, profile)
        loaded.applied.append(f"override of {len(event.contacts)} contact{_s(len(event.contacts))} set")
    elif event.type == "outcome":
        contact = event.contacts[0] if event.contacts else ""
        outcome = event.outcome
        try:
            ws.record_outcome(contact_id=loaded.contacts.get(contact, -1), automation_id=automation, outcome=outcome)
            loaded.applied.append(f"{contact} {outcome}")
        except WorkspaceError as error:
            loaded.warnings.append(f"{event.where}: {error}")
    else:
        loaded.warnings.append(f"{event.where}: '{event.type}' is not something a workspace does; left out.")
