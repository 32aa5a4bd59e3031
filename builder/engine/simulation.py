"""Running a scenario day by day (SPEC §5, §7), in memory.

The rules themselves live in the other engine modules; this module only keeps
the state of one run (who is enrolled, which tasks are pending) and applies
each day's events and work in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

from builder.engine import graph
from builder.engine.assignment import ContactFacts, InteractionKey
from builder.engine.enrollment import BranchRules, NewEnrollment, enroll_contacts, release_waiting
from builder.engine.planner import DailyPlanner
from builder.engine.roster import Attachment, BranchRoster, RosterError
from builder.engine.run_state import RunState
from builder.engine.scenario import MAX_DAYS, ContactSpec, Event, Scenario, ScenarioError
from builder.engine.steps import StepChain
from builder.engine.words import (
    AutomationState,
    EnrollmentStatus,
    NodeKind,
    Reason,
    RemovalMode,
    TaskStatus,
)


@dataclass(slots=True)
class SimTask:
    enrollment: SimEnrollment
    step: int
    kind: NodeKind
    status: TaskStatus
    due_day: int | None
    done_day: int | None = None


@dataclass(slots=True)
class SimEnrollment:
    order: int
    contact: str
    branch: int
    day: int
    profile: str | None = None
    reason: Reason | None = None
    status: EnrollmentStatus = EnrollmentStatus.WAITING
    tasks: list[SimTask] = field(default_factory=list)


@dataclass
class SimulationResult:
    """Everything that happened in one run, in enrollment order."""

    scenario: Scenario
    days: int
    enrollments: list[SimEnrollment]
    rosters: list[BranchRoster]
    done_per_day: dict[str, list[int]]
    warnings: list[str]
    ignored_overrides: int = 0


def branch_graph(
    scenario: Scenario, rosters: list[BranchRoster]
) -> tuple[list[graph.GraphNode], list[tuple[str, str]]]:
    """The scenario's automation as the nodes and edges of SPEC §3."""
    nodes: list[graph.GraphNode] = []
    edges: list[tuple[str, str]] = []
    for branch, roster in zip(scenario.automation.branches, rosters, strict=True):
        seg, prof = f"{branch.id}/segment", f"{branch.id}/sender_profile"
        nodes.append(graph.GraphNode(seg, NodeKind.SEGMENT, f"Segment of {branch.id}"))
        nodes.append(
            graph.GraphNode(
                prof, NodeKind.SENDER_PROFILE, f"Sender Profile of {branch.id}", profile_count=len(roster.attachments)
            )
        )
        edges.append((seg, prof))
        previous = prof
        for i, step in enumerate(branch.steps):
            node_id = f"{branch.id}/step{i}"
            nodes.append(
                graph.GraphNode(node_id, step.kind, f"{step.kind.label} (step {i}) of {branch.id}", wait_days=step.days)
            )
            edges.append((previous, node_id))
            previous = node_id
    return nodes, edges


class Simulation:
    """One run of a scenario. Call :meth:`run`, or the event methods and :meth:`work_day`."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.state = AutomationState.DRAFT
        self.limits = {p.id: p.daily_limit for p in scenario.sender_profiles}
        weights = {p.id: p.weight for p in scenario.sender_profiles}
        self.contacts: list[tuple[str, frozenset[str]]] = []
        self.interactions: dict[str, list[InteractionKey]] = defaultdict(list)
        self._recorded = 0
        for interaction in scenario.interactions:
            self.record_interaction(interaction.contact, interaction.sender_profile, interaction.day)
        self.overrides = dict(scenario.overrides)
        self.branches: list[BranchRules] = []
        for spec in scenario.automation.branches:
            roster = BranchRoster(Attachment(pid, weights[pid], order=i) for i, pid in enumerate(spec.sender_profiles))
            self.branches.append(BranchRules(roster, spec.segment, StepChain(spec.steps)))
        self.branch_ids = [b.id for b in scenario.automation.branches]
        self.enrollments: dict[str, SimEnrollment] = {}
        self.ordered: list[SimEnrollment] = []
        self.waiting: list[list[SimEnrollment]] = [[] for _ in self.branches]
        self.by_profile: dict[tuple[int, str], list[SimEnrollment]] = defaultdict(list)
        self.planner: DailyPlanner[SimTask] = DailyPlanner()
        self.pending: dict[str, int] = defaultdict(int)
        self.done_per_day: dict[str, list[int]] = {p.id: [] for p in scenario.sender_profiles}
        self.warnings: list[str] = []
        self.ignored_overrides = 0
        self.add_contacts(scenario.contacts, day=0)
        if scenario.state is not None:
            self._resume_from(scenario.state)

    def _resume_from(self, state: RunState) -> None:
        """Take up a started automation where it stands: rosters, enrollments, tasks."""
        self.state = state.automation
        for index, branch_id in enumerate(self.branch_ids):
            attached = state.sender_profiles.get(branch_id)
            if attached is not None:
                self.branches[index].roster = BranchRoster(
                    Attachment(a.sender_profile, a.weight, a.state, order=i, current=a.rotation)
                    for i, a in enumerate(attached)
                )
        for seeded in state.enrollments:
            index = self.branch_ids.index(seeded.branch)
            enrollment = SimEnrollment(
                len(self.ordered),
                seeded.contact,
                index,
                seeded.day,
                seeded.sender_profile,
                seeded.reason,
                seeded.status,
            )
            self.enrollments[seeded.contact] = enrollment
            self.ordered.append(enrollment)
            if seeded.status is EnrollmentStatus.WAITING:
                self.waiting[index].append(enrollment)
                continue
            if seeded.sender_profile is None:
                continue
            self.by_profile[(index, seeded.sender_profile)].append(enrollment)
            steps = self.branches[index].chain.steps
            for t in sorted(seeded.tasks, key=lambda t: t.step):
                task = SimTask(enrollment, t.step, steps[t.step].kind, t.status, t.due_day, t.done_day)
                enrollment.tasks.append(task)
                if t.status is TaskStatus.PENDING:
                    self.pending[seeded.sender_profile] += 1
                    if t.due_day is not None:
                        self.planner.add(seeded.sender_profile, t.due_day, enrollment.order, t.step, task)

    # -- facts the rules ask for ------------------------------------------------

    def record_interaction(self, contact: str, profile: str, day: int) -> None:
        self.interactions[contact].append((day, self._recorded, profile))
        self._recorded += 1

    def facts(self, contact: Hashable) -> ContactFacts:
        return ContactFacts(contact, self.overrides.get(contact), self.interactions.get(contact, ()))

    # -- events ------------------------------------------------------------------

    def start(self, day: int) -> None:
        if self.state is not AutomationState.DRAFT:
            raise RosterError("the automation has already started")
        nodes, edges = branch_graph(self.scenario, [b.roster for b in self.branches])
        found = graph.validate(nodes, edges)
        if found:
            raise RosterError("cannot start: " + " ".join(p.message for p in found))
        self.state = AutomationState.RUNNING
        self._enroll(self.contacts, day)

    def pause(self) -> None:
        if self.state is not AutomationState.RUNNING:
            raise RosterError(f"the automation is {self.state.value}, so it cannot be paused")
        self.state = AutomationState.PAUSED

    def resume(self) -> None:
        if self.state is not AutomationState.PAUSED:
            raise RosterError(f"the automation is {self.state.value}, so it cannot be resumed")
        self.state = AutomationState.RUNNING

    def add_contacts(self, specs: tuple[ContactSpec, ...], day: int) -> None:
        new = [(spec.id, frozenset(spec.tags)) for spec in specs]
        self.contacts.extend(new)
        if self.state.started:
            self._enroll(new, day)

    def add_sender_profile(self, branch: int, profile: str, day: int) -> None:
        weight = next(p.weight for p in self.scenario.sender_profiles if p.id == profile)
        self.branches[branch].roster.attach(profile, weight)
        if self.state.started:
            self._release_waiting(branch)

    def remove_sender_profile(self, branch: int, profile: str, mode: RemovalMode | None) -> None:
        removal = self.branches[branch].roster.remove(profile, started=self.state.started, mode=mode)
        if not removal.cancel_tasks:
            return
        for enrollment in self.by_profile[(branch, profile)]:
            if enrollment.status is not EnrollmentStatus.ACTIVE:
                continue
            enrollment.status = EnrollmentStatus.CANCELED
            for task in enrollment.tasks:
                if task.status is TaskStatus.PENDING:
                    task.status = TaskStatus.CANCELED
                    self.pending[profile] -= 1

    def set_override(self, contacts: tuple[str, ...], profile: str | None) -> None:
        for contact in contacts:
            if profile is None:
                self.overrides.pop(contact, None)
            else:
                self.overrides[contact] = profile

    # -- enrolling and working -----------------------------------------------------

    def _enroll(self, contacts: list[tuple[str, frozenset[str]]], day: int) -> None:
        new = enroll_contacts(
            self.branches,
            contacts,
            self.facts,
            day=day,
            ignore_previous_interactions=self.scenario.automation.ignore_previous_interactions,
            already_enrolled=self.enrollments,
        )
        for outcome in new:
            enrollment = SimEnrollment(len(self.ordered), str(outcome.contact), outcome.branch, day)
            self.enrollments[enrollment.contact] = enrollment
            self.ordered.append(enrollment)
            self._assigned(enrollment, outcome)

    def _release_waiting(self, branch: int) -> None:
        queue = self.waiting[branch]
        released = release_waiting(
            branch,
            self.branches[branch],
            ((e.contact, e.day) for e in queue),
            self.facts,
            ignore_previous_interactions=self.scenario.automation.ignore_previous_interactions,
        )
        for enrollment, outcome in zip(queue, released, strict=False):
            self._assigned(enrollment, outcome)
        del queue[: len(released)]

    def _assigned(self, enrollment: SimEnrollment, outcome: NewEnrollment) -> None:
        assignment = outcome.assignment
        branch_id = self.branch_ids[enrollment.branch]
        if assignment.ignored_override is not None:
            self.ignored_overrides += 1
            self.warnings.append(
                f"contact '{enrollment.contact}': override '{assignment.ignored_override}' is not an "
                f"active sender profile of branch '{branch_id}', so the next rule decided"
            )
        if assignment.waiting:
            self.waiting[enrollment.branch].append(enrollment)
            self.warnings.append(
                f"contact '{enrollment.contact}' waits in branch '{branch_id}' (day {enrollment.day}): "
                "no sender profile there can take new contacts"
            )
            return
        profile = str(assignment.profile)
        enrollment.profile = profile
        enrollment.reason = assignment.reason
        enrollment.status = EnrollmentStatus.ACTIVE
        self.by_profile[(enrollment.branch, profile)].append(enrollment)
        for planned in outcome.tasks:
            task = SimTask(enrollment, planned.step, planned.kind, TaskStatus.PENDING, planned.due_day)
            enrollment.tasks.append(task)
            if planned.due_day is not None:
                self.planner.add(profile, planned.due_day, enrollment.order, planned.step, task)
        self.pending[profile] += len(outcome.tasks)

    def work_day(self, day: int) -> None:
        """Each profile does its due tasks, oldest first, up to its daily limit."""
        for profile, limit in self.limits.items():
            done = 0
            if self.state is AutomationState.RUNNING:
                while done < limit:
                    task = self.planner.take_due(profile, day)
                    if task is None:
                        break
                    if task.status is not TaskStatus.PENDING:
                        continue
                    self._do(task, profile, day)
                    done += 1
            self.done_per_day[profile].append(done)

    def _do(self, task: SimTask, profile: str, day: int) -> None:
        task.status = TaskStatus.DONE
        task.done_day = day
        self.pending[profile] -= 1
        enrollment = task.enrollment
        self.record_interaction(enrollment.contact, profile, day)
        following = self.branches[enrollment.branch].chain.next_after(task.step, day)
        if following is None:
            return
        step, due = following
        for later in enrollment.tasks:
            if later.step == step:
                later.due_day = due
                self.planner.add(profile, due, enrollment.order, step, later)
                break

    def apply(self, event: Event) -> None:
        try:
            self._apply(event)
        except RosterError as error:
            raise ScenarioError([f"{event.where}: {error}"]) from None

    def _apply(self, event: Event) -> None:
        branch = self.branch_ids.index(event.branch) if event.branch is not None else -1
        if event.type == "start":
            self.start(event.day)
        elif event.type == "pause":
            self.pause()
        elif event.type == "resume":
            self.resume()
        elif event.type == "add_contacts":
            self.add_contacts(event.new_contacts, event.day)
        elif event.type == "add_sender_profile":
            self.add_sender_profile(branch, str(event.sender_profile), event.day)
        elif event.type == "remove_sender_profile":
            self.remove_sender_profile(branch, str(event.sender_profile), event.mode)
        elif event.type == "set_override":
            self.set_override(event.contacts, event.sender_profile)

    def _can_progress(self) -> bool:
        if self.state is not AutomationState.RUNNING:
            return False
        return any(count > 0 and self.limits[p] > 0 for p, count in self.pending.items())

    def run(self) -> SimulationResult:
        """Each day: that day's events in file order, then that day's tasks."""
        events = list(self.scenario.events)
        last_event_day = max((e.day for e in events), default=-1)
        fixed = self.scenario.days
        day = 0
        position = 0
        while day < (fixed if fixed is not None else MAX_DAYS):
            if fixed is None and day > last_event_day and not self._can_progress():
                break
            while position < len(events) and events[position].day == day:
                self.apply(events[position])
                position += 1
            self.work_day(day)
            day += 1
        for index, queue in enumerate(self.waiting):
            if queue:
                self.warnings.append(
                    f"branch '{self.branch_ids[index]}': {len(queue)} contact"
                    f"{'s' if len(queue) != 1 else ''} still wait for a sender profile at the end"
                )
        return SimulationResult(
            self.scenario,
            day,
            self.ordered,
            [b.roster for b in self.branches],
            self.done_per_day,
            self.warnings,
            self.ignored_overrides,
        )


def simulate(scenario: Scenario) -> SimulationResult:
    return Simulation(scenario).run()
