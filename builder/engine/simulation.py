"""Running a scenario day by day (SPEC §5, §7), in memory.

The rules themselves live in the other engine modules; this module only keeps
the state of one run (who is enrolled, which tasks are pending) and applies
each day's events and work in order.
"""

from __future__ import annotations

from collections import Counter, defaultdict
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
    """One task of a run, as the report shows it."""

    step: int
    kind: NodeKind
    status: TaskStatus
    due_day: int | None
    done_day: int | None = None


@dataclass(slots=True)
class SimEnrollment:
    """One contact in one branch.

    Its tasks are the branch's action steps in order: ``finished`` holds the
    (due day, done day) of the ones done so far, the next one is pending (due
    on ``due``, or not yet due) and the rest wait for it — or all of them are
    canceled with the enrollment. :attr:`tasks` spells them out.
    """

    order: int
    contact: str
    branch: int
    day: int
    chain: StepChain
    profile: str | None = None
    reason: Reason | None = None
    status: EnrollmentStatus = EnrollmentStatus.WAITING
    finished: list[tuple[int | None, int | None]] = field(default_factory=list)
    due: int | None = None
    tally: ProfileTally | None = None  # its profile's counts in its branch

    @property
    def progress(self) -> int:
        """How many of its tasks are done."""
        return len(self.finished)

    @property
    def tasks(self) -> list[SimTask]:
        if self.profile is None:
            return []
        steps = self.chain.action_steps
        kinds = self.chain.steps
        made = [
            SimTask(s, kinds[s].kind, TaskStatus.DONE, due, done)
            for s, (due, done) in zip(steps, self.finished, strict=False)
        ]
        rest = TaskStatus.CANCELED if self.status is EnrollmentStatus.CANCELED else TaskStatus.PENDING
        for k in range(len(self.finished), len(steps)):
            made.append(SimTask(steps[k], kinds[steps[k]].kind, rest, self.due if k == len(self.finished) else None))
        return made

    @property
    def remaining(self) -> int:
        return len(self.chain.action_steps) - len(self.finished) if self.profile is not None else 0


@dataclass
class SimulationResult:
    """Everything that happened in one run, in enrollment order, with its tallies."""

    scenario: Scenario
    days: int
    enrollments: list[SimEnrollment]
    rosters: list[BranchRoster]
    done_per_day: dict[str, list[int]]
    warnings: list[str]
    ignored_overrides: int = 0
    tally: RunTally = field(default_factory=lambda: RunTally())


@dataclass(slots=True)
class ProfileTally:
    """One sender profile in one branch, counted while the run goes."""

    contacts: Counter[Reason] = field(default_factory=Counter)
    pending: int = 0
    done: int = 0  # tasks done from day 0 on
    last_done: int | None = None  # the day of the latest of those


@dataclass
class RunTally:
    """The counts the simulation pane shows, kept per (branch index, sender profile)."""

    profiles: dict[tuple[int, str], ProfileTally] = field(default_factory=dict)
    waiting: int = 0

    def of(self, branch: int, profile: str) -> ProfileTally:
        found = self.profiles.get((branch, profile))
        if found is None:
            found = self.profiles[(branch, profile)] = ProfileTally()
        return found


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
        # The planner queues each enrollment's one due task, keyed by its step.
        self.planner: DailyPlanner[SimEnrollment] = DailyPlanner()
        self.done_per_day: dict[str, list[int]] = {p.id: [] for p in scenario.sender_profiles}
        self.tally = RunTally()
        self.warnings: list[str] = []
        self.ignored_overrides = 0
        self._tag_sets: dict[tuple[str, ...], frozenset[str]] = {}
        self._used_today: dict[str, int] = {}  # day 0: tasks done before the run, all automations
        self._ours_today: Counter[str] = Counter()  # day 0: this automation's share of them
        self.add_contacts(scenario.contacts, day=0)
        if scenario.state is not None:
            self._resume_from(scenario.state)

    def _resume_from(self, state: RunState) -> None:
        """Take up a started automation where it stands: rosters, enrollments, tasks, today's work."""
        self.state = state.automation
        self._used_today = dict(state.done_today)
        for index, branch_id in enumerate(self.branch_ids):
            attached = state.sender_profiles.get(branch_id)
            if attached is not None:
                self.branches[index].roster = BranchRoster(
                    Attachment(a.sender_profile, a.weight, a.state, order=i, current=a.rotation)
                    for i, a in enumerate(attached)
                )
        for seeded in state.enrollments:
            index = self.branch_ids.index(seeded.branch)
            chain = self.branches[index].chain
            enrollment = SimEnrollment(
                len(self.ordered), seeded.contact, index, seeded.day, chain, seeded.sender_profile, seeded.reason,
                seeded.status,
            )  # fmt: skip
            self.enrollments[seeded.contact] = enrollment
            self.ordered.append(enrollment)
            if seeded.status is EnrollmentStatus.WAITING:
                self.waiting[index].append(enrollment)
                continue
            profile = seeded.sender_profile
            if profile is None:
                continue
            tally = enrollment.tally = self.tally.of(index, profile)
            if seeded.reason is not None:
                tally.contacts[seeded.reason] += 1
            tasks = sorted(seeded.tasks, key=lambda t: t.step)
            enrollment.finished = [(t.due_day, t.done_day) for t in tasks if t.status is TaskStatus.DONE]
            for _, done_day in enrollment.finished:
                if done_day is not None and done_day >= 0:  # done today, before the forecast takes over
                    self._ours_today[profile] += done_day == 0
                    tally.done += 1
                    tally.last_done = max(tally.last_done or 0, done_day)
            following = tasks[len(enrollment.finished)] if len(tasks) > len(enrollment.finished) else None
            if seeded.status is EnrollmentStatus.CANCELED or following is None:
                continue
            enrollment.due = following.due_day
            tally.pending += enrollment.remaining
            if following.due_day is not None:
                self.planner.add(profile, following.due_day, enrollment.order, following.step, enrollment)

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
        # Contacts with the same tags share one set, so routing looks each set up once.
        shared = self._tag_sets
        new = []
        for spec in specs:
            tags = shared.get(spec.tags)
            if tags is None:
                tags = shared[spec.tags] = frozenset(spec.tags)
            new.append((spec.id, tags))
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
        tally = self.tally.of(branch, profile)
        for enrollment in self.ordered:
            if enrollment.tally is tally and enrollment.status is EnrollmentStatus.ACTIVE:
                enrollment.status = EnrollmentStatus.CANCELED  # its queued task is skipped when reached
                tally.pending -= enrollment.remaining

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
        chains = [b.chain for b in self.branches]
        enrollments, ordered = self.enrollments, self.ordered
        for outcome in new:
            contact = str(outcome.contact)
            enrollment = SimEnrollment(len(ordered), contact, outcome.branch, day, chains[outcome.branch])
            enrollments[contact] = enrollment
            ordered.append(enrollment)
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
        if assignment.ignored_override is not None:
            self.ignored_overrides += 1
            self.warnings.append(
                f"contact '{enrollment.contact}': override '{assignment.ignored_override}' is not an "
                f"active sender profile of branch '{self.branch_ids[enrollment.branch]}', so the next rule decided"
            )
        if assignment.profile is None:
            self.waiting[enrollment.branch].append(enrollment)
            self.warnings.append(
                f"contact '{enrollment.contact}' waits in branch '{self.branch_ids[enrollment.branch]}' "
                f"(day {enrollment.day}): no sender profile there can take new contacts"
            )
            return
        profile = str(assignment.profile)
        enrollment.profile = profile
        enrollment.reason = assignment.reason
        enrollment.status = EnrollmentStatus.ACTIVE
        tally = enrollment.tally = self.tally.of(enrollment.branch, profile)
        tally.contacts[assignment.reason] += 1
        tasks = outcome.tasks
        if not tasks:
            return
        first = tasks[0]
        enrollment.due = first.due_day
        if first.due_day is not None:
            self.planner.add(profile, first.due_day, enrollment.order, first.step, enrollment)
        tally.pending += len(tasks)

    def work_day(self, day: int) -> None:
        """Each profile does its due tasks, oldest first, up to its daily limit."""
        running = self.state is AutomationState.RUNNING
        take = self.planner.take_due
        for profile, limit in self.limits.items():
            done = 0
            if day == 0:
                limit -= self._used_today.get(profile, 0)
            if running:
                while done < limit:
                    enrollment = take(profile, day)
                    if enrollment is None:
                        break
                    if enrollment.status is not EnrollmentStatus.ACTIVE:
                        continue  # canceled after its task was queued
                    self._do(enrollment, profile, day)
                    done += 1
            self.done_per_day[profile].append(done + (self._ours_today[profile] if day == 0 else 0))

    def _do(self, enrollment: SimEnrollment, profile: str, day: int) -> None:
        """Its next task is done today; the one after falls due after the waits between them."""
        chain = enrollment.chain
        finished = enrollment.finished
        step = chain.action_steps[len(finished)]
        finished.append((enrollment.due, day))
        tally = enrollment.tally
        tally.pending -= 1
        tally.done += 1
        tally.last_done = day
        # The interaction is not recorded: in a run of one automation nobody
        # who has tasks is ever assigned again, so R2 could never read it.
        following = chain.next_after(step, day)
        if following is None:
            enrollment.due = None
            return
        step, due = following
        enrollment.due = due
        self.planner.add(profile, due, enrollment.order, step, enrollment)

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
        return any(t.pending > 0 and self.limits[p] > 0 for (_, p), t in self.tally.profiles.items())

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
            self.tally.waiting += len(queue)
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
            self.tally,
        )


def simulate(scenario: Scenario) -> SimulationResult:
    return Simulation(scenario).run()
