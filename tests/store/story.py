"""Play a scenario (SPEC §7) through a real workspace, day by day, as a team would.

Scenario day d is the workspace date ``start + d``, where ``start`` is the
Monday ``START`` or, for a scenario with a ``start_weekday`` (SPEC §12), the
first date after it with that weekday. Each day the events are
applied with the workspace's own methods, then every planned task is marked
done, one at a time per profile, re-planning after each (a task that falls due
today, after a wait of 0, can still be done today, as in the simulation).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from builder.engine.node_settings import settings_of
from builder.engine.scenario import BranchSpec, ContactSpec, Scenario
from builder.engine.segments import SegmentRule
from builder.store.database import WorkspaceError
from builder.store.scenario_import import create_profile
from builder.store.workspace import Workspace

START = date(2026, 3, 2)


@dataclass
class Story:
    ws: Workspace
    scenario: Scenario
    profiles: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)
    branch_nodes: dict[str, int] = field(default_factory=dict)
    automation: int = 0
    early_overrides: dict[str, int | None] = field(default_factory=dict)
    start: date = START

    def add_contacts(self, specs: tuple[ContactSpec, ...]) -> None:
        # An override may name a contact the CRM does not hold yet: it is pinned as it arrives.
        ids = self.ws.add_contacts(
            [
                {
                    "name": c.name,
                    "email": c.email,
                    "tags": list(c.tags),
                    "override": self.early_overrides.pop(c.id, None),
                }
                for c in specs
            ]
        )
        self.contacts.update({spec.id: new for spec, new in zip(specs, ids, strict=True)})

    def build_branch(self, branch: BranchSpec, x: float) -> None:
        ws, rule = self.ws, branch.segment.rule
        name = f"{branch.id} segment"
        if rule is SegmentRule.TAGS_ANY:
            segment = ws.create_segment(name, tags_any=sorted(branch.segment.tags))
        elif rule is SegmentRule.TAGS_ALL:
            segment = ws.create_segment(name, tags_all=sorted(branch.segment.tags))
        elif rule is SegmentRule.STATIC:
            segment = ws.create_segment(name, contacts=[self.contacts[c] for c in sorted(branch.segment.contacts)])
        else:
            segment = ws.create_segment(name, everyone=True)
        previous = ws.add_node(self.automation, "segment", segment_id=segment, x=x)
        profile_node = ws.add_node(self.automation, "sender_profile", title=branch.id, x=x, y=100)
        ws.connect(previous, profile_node)
        self.build_steps(profile_node, None, branch.steps, x, 200.0)
        for pid in branch.sender_profiles:
            ws.attach_sender_profile(profile_node, self.profiles[pid])
        self.branch_nodes[branch.id] = profile_node

    def build_steps(self, previous: int, output: str | None, steps: tuple, x: float, y: float) -> float:
        """A list of steps after ``previous`` (leaving it by ``output``); a control step's outputs below it."""
        ws = self.ws
        for step in steps:
            settings = settings_of(step)
            node = ws.add_node(self.automation, step.kind, wait_days=step.days, x=x, y=y, settings=settings)
            ws.connect(previous, node, output)
            previous, output, y = node, None, y + 100
            for name, following in step.outputs:
                y = self.build_steps(node, name, following, x + 300, y)
        return y

    def work_today(self) -> None:
        """The senders do today's plan one task at a time in simulate's order (SPEC §5, §10): of every profile's
        next task, the oldest due, then the earliest enrolled — so contacts reach a split in the same order."""
        while plan := self.ws.plan_today():
            enrolled = {t.id: t.enrollment_id for t in self.ws.tasks(self.automation)}
            first = min((tasks[0] for tasks in plan.values()), key=lambda t: (t.due, enrolled[t.task_id]))
            self.ws.mark_done(first.task_id)


def play(ws: Workspace, scenario: Scenario, days: int) -> Story:
    start = START + timedelta(days=scenario.start_weekday)  # START is a Monday
    story = Story(ws, scenario, start=start)
    ws.set_today(start)
    for p in scenario.sender_profiles:
        story.profiles[p.id] = create_profile(ws, p)
    story.add_contacts(scenario.contacts)
    for i in scenario.interactions:
        ws.record_interaction(
            story.contacts[i.contact], story.profiles[i.sender_profile], start + timedelta(days=i.day)
        )
    for contact, profile in scenario.overrides.items():
        if contact in story.contacts:
            ws.set_override([story.contacts[contact]], story.profiles[profile])
        else:
            story.early_overrides[contact] = story.profiles[profile]
    story.automation = ws.create_automation(scenario.automation.name)
    ws.set_ignore_previous_interactions(story.automation, scenario.automation.ignore_previous_interactions)
    for n, branch in enumerate(scenario.automation.branches):
        story.build_branch(branch, x=300.0 * n)

    ws.set_stop_on_reply(story.automation, scenario.automation.stop_on_reply)
    events = list(scenario.events)
    for day in range(days):
        # The day's events first, then what falls due at the start of the day (SPEC §10's order).
        ws.set_today(start + timedelta(days=day), catch_up=False)
        for event in [e for e in events if e.day == day]:
            node = story.branch_nodes.get(event.branch or "")
            profile = story.profiles.get(event.sender_profile or "")
            if event.type == "start":
                ws.start(story.automation)
            elif event.type == "pause":
                ws.pause(story.automation)
            elif event.type == "resume":
                ws.resume(story.automation)
            elif event.type == "add_contacts":
                story.add_contacts(event.new_contacts)
            elif event.type == "add_sender_profile":
                ws.attach_sender_profile(node, profile)
            elif event.type == "remove_sender_profile":
                ws.remove_sender_profile(node, profile, event.mode)
            elif event.type == "set_override":
                known = [story.contacts[c] for c in event.contacts if c in story.contacts]
                story.early_overrides.update({c: profile for c in event.contacts if c not in story.contacts})
                ws.set_override(known, profile)
            elif event.type == "outcome":
                with contextlib.suppress(WorkspaceError):  # simulate warns and changes nothing
                    ws.record_outcome(
                        outcome=event.outcome,
                        contact_id=story.contacts.get(event.contacts[0], -1),
                        automation_id=story.automation,
                    )
        ws.advance_paths()
        story.work_today()
    return story


def outcome(story: Story) -> tuple[list[tuple], list[tuple]]:
    """Assignments and tasks in the shape of the simulation's output."""
    contact_ids = {v: k for k, v in story.contacts.items()}
    profile_ids = {v: k for k, v in story.profiles.items()}
    branch_ids = {v: k for k, v in story.branch_nodes.items()}
    start = story.start.toordinal()

    def day(value: date | None) -> int | None:
        return None if value is None else value.toordinal() - start

    assignments = [
        (
            contact_ids[e.contact_id],
            branch_ids[e.branch_node_id],
            profile_ids.get(e.sender_profile_id),
            e.reason.value if e.reason else None,
            day(e.enrolled),
            e.status.value,
        )
        for e in story.ws.enrollments(story.automation)
    ]
    tasks = [
        (
            contact_ids[t.contact_id],
            profile_ids[t.sender_profile_id],
            t.step_index,
            t.kind,
            t.status.value,
            day(t.due),
            day(t.done),
        )
        for t in story.ws.tasks(story.automation)
    ]
    return assignments, tasks


def routes(story: Story) -> list[tuple]:
    """Each enrollment's decisions as (contact, node address, output, day), in enrollment order."""
    from builder.engine.paths import PathPlan

    address = {}
    for path in story.ws.branch_paths(story.automation):
        plan = PathPlan.of(path.steps)
        address.update({int(n): plan.nodes[i].address for i, n in enumerate(path.node_ids)})
    contact_ids = {v: k for k, v in story.contacts.items()}
    start = story.start.toordinal()
    with story.ws._read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT e.contact_id, d.node_id, d.output, d.day FROM decision d JOIN enrollment e ON e.id = d.enrollment_id "
            f"WHERE e.automation_id = {story.automation} ORDER BY e.id, d.id"
        ).fetchall()
    return [(contact_ids[c], address[n], o, d - start) for c, n, o, d in rows]
