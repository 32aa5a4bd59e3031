"""Running a scenario whose paths react to people (SPEC §10), day by day, in memory.

:class:`~builder.engine.simulation.Simulation` runs a line of steps with a
column per enrollment and a task as one integer. A path with control nodes,
tags, outcomes or rates needs to know where each contact is, so this run
keeps one small record per enrollment: its tasks as made so far, the task it
is on, the node it travels to or waits at, its route and the outcomes seen.
The rules of §4–§6 are the same functions both runs call; a linear scenario
gives the same assignments and tasks through either (tests/engine hold them
equal).

Order within a day (SPEC §5, §10): the day's events in file order (an outcome
event acts at that moment, and a contact that reaches a node with no wait
goes on at once); then the outcomes that rates make happen that day after
its events; then the contacts that arrive after a wait and the Wait for nodes
whose days are up, in enrollment order; then the day's work — every sender
profile's due tasks in one order, oldest due first, then enrollment order,
each profile up to its daily limit; then the outcomes that rates make happen
right after the work.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from builder.engine.assignment import ContactColumns, InteractionKey, KnownFacts
from builder.engine.enrollment import BranchRules, release_waiting, route_and_assign
from builder.engine.paths import PathPlan, SplitRotation, answers, chance, condition_holds
from builder.engine.roster import Attachment, BranchRoster, RosterError
from builder.engine.run_result import RunTally, SimulationResult
from builder.engine.scenario_parts import MAX_DAYS, ContactSpec, ContactTable, Event, Rates, Scenario, ScenarioError
from builder.engine.steps import StepChain
from builder.engine.words import (
    AutomationState,
    EnrollmentStatus,
    NodeKind,
    Outcome,
    Reason,
    RemovalMode,
    TaskStatus,
)

ACTIVE, WAITING = EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITING
CANCELED, REPLIED = EnrollmentStatus.CANCELED, EnrollmentStatus.REPLIED
PENDING, DONE, CANCELED_TASK = TaskStatus.PENDING, TaskStatus.DONE, TaskStatus.CANCELED


@dataclass(slots=True)
class PathTask:
    """One task of a path run: the node it is for, and where it stands."""

    node: int
    kind: NodeKind
    status: TaskStatus = PENDING
    due_day: int | None = None
    done_day: int | None = None


@dataclass(slots=True, eq=False)
class PathEnrollment:
    """One contact in one branch, and where it is on the branch's path."""

    order: int
    contact: str
    branch: int
    day: int
    profile: str | None = None
    reason: Reason | None = None
    status: EnrollmentStatus = WAITING
    tasks: list[PathTask] = field(default_factory=list)
    next_task: int = 0  # the task the walk along the path meets next
    current: int | None = None  # the task queued for its sender profile
    travel: int | None = None  # the node it will arrive at after a wait
    waiting_at: int | None = None  # the Wait for node it waits at
    deadline: int | None = None  # the day that Wait for takes ``no``
    bounce_day: int | None = None
    seen: set[Outcome] = field(default_factory=set)
    decisions: list[tuple[int, str, int]] = field(default_factory=list)  # (node, output, day)


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """One outcome as ``simulate`` reports it."""

    contact: str
    branch: int
    profile: str
    outcome: Outcome
    day: int
    source: str  # "event" or "rate"


def uses_paths(scenario: Scenario) -> bool:
    """Whether a scenario needs this run: a control or tag node, an outcome event, or rates (SPEC §10).

    Everything else is a line of steps that only knows "done", which the
    column run gives byte for byte as before.
    """
    automation = scenario.automation
    if automation.rates is not None or automation.explicit_stop_on_reply:
        return True
    if any(not PathPlan.of(b.steps).is_linear for b in automation.branches):
        return True
    return any(e.type == "outcome" for e in scenario.events)


class PathRun:
    """One run of a scenario with paths. Call :meth:`run`."""

    def __init__(self, scenario: Scenario) -> None:
        if scenario.state is not None:
            raise ScenarioError(
                ["state: a started automation with control nodes, tags or outcomes cannot be taken up from a "
                 "saved state yet; save the scenario before it starts"]
            )  # fmt: skip
        self.scenario = scenario
        automation = scenario.automation
        self.state = AutomationState.DRAFT
        self.limits = {p.id: p.daily_limit for p in scenario.sender_profiles}
        self.weights = {p.id: p.weight for p in scenario.sender_profiles}
        self.stop_on_reply = automation.stop_on_reply
        self.rates = automation.rates or Rates()
        self.ignore_history = automation.ignore_previous_interactions
        histories: dict[str, list[InteractionKey]] = defaultdict(list)
        for seq, (contact, profile, day) in enumerate(scenario.interactions):
            histories[contact].append((day, seq, profile))
        self.overrides = dict(scenario.overrides)
        self.facts = KnownFacts(self.overrides, histories)
        self.plans = [PathPlan.of(b.steps) for b in automation.branches]
        self.branches = [
            BranchRules(
                BranchRoster(Attachment(pid, self.weights[pid], order=i) for i, pid in enumerate(b.sender_profiles)),
                b.segment,
                StepChain(b.steps),
            )
            for b in automation.branches
        ]
        self.branch_ids = [b.id for b in automation.branches]
        self.splits: dict[tuple[int, int], SplitRotation] = {}
        # per (branch, control node): contacts that arrived, and those that left it unanswered (a reply, a removal)
        self.arrived: Counter[tuple[int, int]] = Counter()
        self.left: Counter[tuple[int, int]] = Counter()

        self.contacts = ContactColumns([], [])  # everyone so far: ids and tags, for the segments
        self.tags: dict[str, set[str]] = {}  # each contact's tags now (tag nodes change them)
        self.reachable: dict[str, tuple[bool, bool]] = {}  # has an email, has a LinkedIn URL
        self.enrolled: dict[str, PathEnrollment] = {}
        self.order: list[PathEnrollment] = []
        self.waiting: list[list[PathEnrollment]] = [[] for _ in self.branches]

        self.lanes: dict[str, list[tuple[int, int, int]]] = {}  # profile -> heap of (due, order, task)
        self.arrivals: dict[int, list[tuple[int, int]]] = defaultdict(list)  # day -> (order, node)
        self.timeouts: dict[int, list[tuple[int, int]]] = defaultdict(list)  # day -> (order, node)
        # day -> (done day, order, node, outcome): outcomes rates make happen after the events / after the work
        self.after_events: dict[int, list[tuple[int, int, int, Outcome]]] = defaultdict(list)
        self.after_work: dict[int, list[tuple[int, int, int, Outcome]]] = defaultdict(list)

        self.outcomes: list[OutcomeRecord] = []
        self.done_per_day: dict[str, list[int]] = {p.id: [] for p in scenario.sender_profiles}
        self.tally = RunTally()
        self.warnings: list[str] = []
        self.ignored_overrides = 0
        self.add_contacts(scenario.contacts, day=0)

    # -- contacts and enrollments ---------------------------------------------------------

    def add_contacts(self, specs: Sequence[ContactSpec], day: int) -> None:
        if isinstance(specs, ContactTable):
            specs = list(specs)
        ids = list(map(itemgetter(0), specs))
        tags = list(map(itemgetter(6), specs))
        self.contacts.ids.extend(ids)  # type: ignore[attr-defined]
        self.contacts.tags.extend(tags)  # type: ignore[attr-defined]
        for spec in specs:
            self.tags[spec.id] = set(spec.tags)
            self.reachable[spec.id] = (bool(spec.email), bool(spec.linkedin_url))
        if self.state.started:
            self._enroll(ContactColumns(ids, tags), day)

    def _enroll(self, contacts: ContactColumns, day: int) -> None:
        routed = route_and_assign(
            self.branches,
            contacts,
            self.facts,
            ignore_previous_interactions=self.ignore_history,
            already_enrolled=self.enrolled,
        )
        fresh = []
        for contact, branch in zip(routed.contacts, routed.branches, strict=True):
            e = PathEnrollment(len(self.order), str(contact), branch, day)
            self.order.append(e)
            self.enrolled[e.contact] = e
            fresh.append(e)
        self._assigned(fresh, routed.profiles, routed.reasons, routed.ignored, day)

    def _assigned(
        self,
        fresh: list[PathEnrollment],
        profiles: Sequence[object],
        reasons: Sequence[Reason | None],
        ignored: dict,
        day: int,
    ) -> None:
        for e, profile, reason in zip(fresh, profiles, reasons, strict=True):
            if e.contact in ignored:
                self.ignored_overrides += 1
                self.warnings.append(
                    f"contact '{e.contact}': override '{ignored[e.contact]}' is not an active sender profile "
                    f"of branch '{self.branch_ids[e.branch]}', so the next rule decided"
                )
            if profile is None:
                e.status = WAITING
                self.waiting[e.branch].append(e)
                self.warnings.append(
                    f"contact '{e.contact}' waits in branch '{self.branch_ids[e.branch]}' "
                    f"(day {e.day}): no sender profile there can take new contacts"
                )
                continue
            e.profile, e.reason, e.status = str(profile), reason, ACTIVE
            self.tally.of(e.branch, e.profile).contacts[reason] += 1  # type: ignore[index]
            plan = self.plans[e.branch]
            self._make_tasks(e, plan.first)
            self._move_on(e, plan.first, e.day, day)

    def _release_waiting(self, branch: int, day: int) -> None:
        queue = self.waiting[branch]
        released = release_waiting(
            branch,
            self.branches[branch],
            ((e.contact, e.day) for e in queue),
            self.facts,
            ignore_previous_interactions=self.ignore_history,
        )
        taken = queue[: len(released)]
        del queue[: len(released)]
        assignments = [r.assignment for r in released]
        ignored = {a.contact: a.ignored_override for a in assignments if a.ignored_override is not None}
        self._assigned(taken, [a.profile for a in assignments], [a.reason for a in assignments], ignored, day)

    # -- moving along the path ------------------------------------------------------------

    def _make_tasks(self, e: PathEnrollment, start: int | None) -> None:
        """One pending task per action step from ``start`` up to the next control node."""
        plan = self.plans[e.branch]
        made = plan.actions_from(start)
        e.next_task = len(e.tasks)
        e.tasks.extend(PathTask(i, plan.nodes[i].kind) for i in made)
        if made:
            self.tally.of(e.branch, e.profile).pending += len(made)  # type: ignore[arg-type]

    def _move_on(self, e: PathEnrollment, start: int | None, base: int, day: int) -> None:
        """Walk from node ``start``, counting days from ``base``, on day ``day``.

        The first action met is the next task, due ``base`` plus the waits
        before it. A tag or control node met with no wait acts at once; after a
        wait the contact arrives there at the start of that day.
        """
        nodes = self.plans[e.branch].nodes
        index, waits = start, 0
        while index is not None:
            node = nodes[index]
            kind = node.kind
            if kind is NodeKind.WAIT:
                waits += node.step.days
                index = node.next
                continue
            when = base + waits
            if kind.is_action:
                position = e.next_task
                e.next_task += 1
                task = e.tasks[position]
                if task.status is CANCELED_TASK:  # an email a bounce canceled: as if done on the bounce day
                    base, waits = e.bounce_day, 0  # type: ignore[assignment]
                    index = node.next
                    continue
                task.due_day = when
                e.current = position
                lane = self.lanes.get(e.profile)  # type: ignore[arg-type]
                if lane is None:
                    lane = self.lanes[e.profile] = []  # type: ignore[index]
                heapq.heappush(lane, (when, e.order, position))
                return
            if when > day:
                e.travel = index
                self.arrivals[when].append((e.order, index))
                return
            if kind.is_tag:
                self._tag(e, node.step.tag, add=kind is NodeKind.ADD_TAG)  # type: ignore[arg-type]
                index = node.next
                continue
            self._arrive(e, index, day)
            return

    def _tag(self, e: PathEnrollment, tag: str, *, add: bool) -> None:
        tags = self.tags.setdefault(e.contact, set())
        if add:
            tags.add(tag)
        else:
            tags.discard(tag)

    def _arrive(self, e: PathEnrollment, index: int, day: int) -> None:
        """The contact reaches a control node on ``day``: it decides now, or waits for an outcome."""
        e.travel = None
        self.arrived[(e.branch, index)] += 1
        node = self.plans[e.branch].nodes[index]
        step = node.step
        if step.kind is NodeKind.WAIT_FOR:
            if step.outcome in e.seen:
                self._decide(e, index, "yes", day)
            else:
                e.waiting_at, e.deadline = index, day + step.days
                self.timeouts[e.deadline].append((e.order, index))
        elif step.kind is NodeKind.CONDITION:
            email, linkedin = self.reachable.get(e.contact, (False, False))
            holds = condition_holds(step.condition, self.tags.get(e.contact, ()), email, linkedin)  # type: ignore[arg-type]
            self._decide(e, index, "yes" if holds else "no", day)
        else:
            rotation = self.splits.get((e.branch, index))
            if rotation is None:
                rotation = self.splits[(e.branch, index)] = SplitRotation(step.variants)
            self._decide(e, index, rotation.pick(), day)

    def _decide(self, e: PathEnrollment, index: int, output: str, day: int) -> None:
        e.waiting_at = e.deadline = None
        e.decisions.append((index, output, day))
        first = self.plans[e.branch].nodes[index].output(output)
        self._make_tasks(e, first)
        self._move_on(e, first, day, day)

    # -- outcomes ----------------------------------------------------------------------

    def _outcome(self, e: PathEnrollment, outcome: Outcome, day: int, source: str) -> None:
        assert e.profile is not None
        self.outcomes.append(OutcomeRecord(e.contact, e.branch, e.profile, outcome, day, source))
        e.seen.add(outcome)
        if e.status is not ACTIVE:
            return
        if outcome is Outcome.REPLIED and self.stop_on_reply:
            self._stop(e, REPLIED)
            return
        if outcome is Outcome.BOUNCED:
            self._bounce(e, day)
            return
        if e.waiting_at is not None:
            node = self.plans[e.branch].nodes[e.waiting_at]
            if node.step.outcome is outcome:
                self._decide(e, e.waiting_at, "yes", day)

    def _stop(self, e: PathEnrollment, status: EnrollmentStatus) -> None:
        """The enrollment ends: its pending tasks are canceled and it leaves any node."""
        e.status = status
        canceled = 0
        for task in e.tasks:
            if task.status is PENDING:
                task.status = CANCELED_TASK
                canceled += 1
        if canceled:
            self.tally.of(e.branch, e.profile).pending -= canceled  # type: ignore[arg-type]
        if e.waiting_at is not None:
            self.left[(e.branch, e.waiting_at)] += 1
        e.current = e.travel = e.waiting_at = e.deadline = None

    def _bounce(self, e: PathEnrollment, day: int) -> None:
        """A bounce cancels the pending emails; the path goes on as if they were done that day."""
        e.bounce_day = day
        canceled = 0
        for task in e.tasks:
            if task.status is PENDING and task.kind is NodeKind.EMAIL:
                task.status = CANCELED_TASK
                canceled += 1
        if not canceled:
            return
        self.tally.of(e.branch, e.profile).pending -= canceled  # type: ignore[arg-type]
        if e.current is not None and e.tasks[e.current].status is CANCELED_TASK:
            task = e.tasks[e.current]
            e.current = None
            e.next_task = e.tasks.index(task) + 1
            self._move_on(e, self.plans[e.branch].nodes[task.node].next, day, day)

    def _rate_outcomes(self, e: PathEnrollment, task: PathTask, day: int) -> None:
        """Which outcomes this done task leads to in the forecast, and when (SPEC §10 rates)."""
        rates = self.rates.of
        if not rates:
            return
        address = self.plans[e.branch].nodes[task.node].address
        for outcome in answers(task.kind):
            rate = rates.get(outcome)
            if rate is None or chance(e.contact, address, outcome) >= rate.rate:
                continue
            when = day + rate.after_days
            queue = self.after_work if rate.after_days == 0 else self.after_events
            queue[when].append((day, e.order, task.node, outcome))
            return  # an email that bounced is not also replied to

    def _happen(self, queue: dict[int, list[tuple[int, int, int, Outcome]]], day: int) -> None:
        due = queue.pop(day, None)
        if due:
            for _, order, _, outcome in sorted(due, key=itemgetter(0, 1, 2)):
                self._outcome(self.order[order], outcome, day, "rate")

    def outcome_event(self, event: Event) -> None:
        contact, outcome = event.contacts[0], event.outcome
        assert outcome is not None
        e = self.enrolled.get(contact)
        said = f"{event.where}: contact '{contact}'"
        if e is None:
            self.warnings.append(f"{said} is not enrolled, so its outcome '{outcome.value}' changes nothing")
            return
        if e.profile is None:
            self.warnings.append(f"{said} waits for a sender profile, so its outcome '{outcome.value}' changes nothing")
            return
        needs = {Outcome.ACCEPTED: NodeKind.LINKEDIN_CONNECT, Outcome.BOUNCED: NodeKind.EMAIL}.get(outcome)
        if needs is not None and not any(t.kind is needs and t.status is DONE for t in e.tasks):
            self.warnings.append(
                f"{said} has no done {needs.label} task, so its outcome '{outcome.value}' changes nothing"
            )
            return
        self._outcome(e, outcome, event.day, "event")

    # -- the day --------------------------------------------------------------------------

    def _start_of_day(self, day: int) -> None:
        """Right after the day's events: outcomes by rate, then arrivals after a wait and Wait for timeouts."""
        self._happen(self.after_events, day)
        arriving = self.arrivals.pop(day, [])
        expiring = self.timeouts.pop(day, [])
        if not arriving and not expiring:
            return
        moments = [(order, node, True) for order, node in arriving]
        moments += [(order, node, False) for order, node in expiring]
        moments.sort(key=itemgetter(0))
        nodes_of = self.plans
        for order, index, arrives in moments:
            e = self.order[order]
            if e.status is not ACTIVE:
                continue
            if arrives:
                if e.travel != index:
                    continue
                e.travel = None
                node = nodes_of[e.branch].nodes[index]
                if node.kind.is_tag:
                    self._tag(e, node.step.tag, add=node.kind is NodeKind.ADD_TAG)  # type: ignore[arg-type]
                    self._move_on(e, node.next, day, day)
                else:
                    self._arrive(e, index, day)
            elif e.waiting_at == index and e.deadline == day:
                self._decide(e, index, "no", day)

    def work_day(self, day: int) -> None:
        """Every profile's due tasks in one order (oldest due, then enrollment order), each up to its limit."""
        done = dict.fromkeys(self.limits, 0)
        if self.state is AutomationState.RUNNING:
            room = dict(self.limits)
            heads: list[tuple[int, int, str]] = []
            for profile in self.lanes:
                self._push_head(heads, profile, day, room)
            while heads:
                _, _, profile = heapq.heappop(heads)
                _, order, position = heapq.heappop(self.lanes[profile])
                self._finish(self.order[order], position, day)
                room[profile] -= 1
                done[profile] += 1
                self._push_head(heads, profile, day, room)
        for profile, count in done.items():
            self.done_per_day[profile].append(count)
        self._happen(self.after_work, day)

    def _push_head(self, heads: list[tuple[int, int, str]], profile: str, day: int, room: dict[str, int]) -> None:
        """Put the profile's next live task due by ``day`` among the heads, if it has room."""
        lane = self.lanes[profile]
        order_of = self.order
        while lane:
            due, order, position = lane[0]
            e = order_of[order]
            if e.current == position and e.status is ACTIVE and e.tasks[position].due_day == due:
                break
            heapq.heappop(lane)  # a task canceled or moved on since it was queued
        if lane and lane[0][0] <= day and room.get(profile, 0) > 0:
            heapq.heappush(heads, (lane[0][0], lane[0][1], profile))

    def _finish(self, e: PathEnrollment, position: int, day: int) -> None:
        task = e.tasks[position]
        task.status, task.done_day = DONE, day
        e.current = None
        tally = self.tally.of(e.branch, e.profile)  # type: ignore[arg-type]
        tally.pending -= 1
        tally.done += 1
        tally.last_done = day
        self._rate_outcomes(e, task, day)
        e.next_task = position + 1
        self._move_on(e, self.plans[e.branch].nodes[task.node].next, day, day)

    # -- events -------------------------------------------------------------------------

    def start(self, day: int) -> None:
        if self.state is not AutomationState.DRAFT:
            raise RosterError("the automation has already started")
        found = []
        for branch, rules, plan in zip(self.branch_ids, self.branches, self.plans, strict=True):
            title = f"'Sender Profile of {branch}'"
            if not rules.roster.attachments:
                found.append(f"Add a sender profile to {title} before starting.")
            if not plan.has_action:
                found.append(
                    f"Add a step after {title}: a LinkedIn connect, LinkedIn message or Email (waits alone do nothing)."
                )
        if found:
            raise RosterError("cannot start: " + " ".join(found))
        self.state = AutomationState.RUNNING
        self._enroll(self.contacts, day)

    def apply(self, event: Event) -> None:
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
            if self.state is not AutomationState.RUNNING:
                raise RosterError(f"the automation is {self.state.value}, so it cannot be paused")
            self.state = AutomationState.PAUSED
        elif kind == "resume":
            if self.state is not AutomationState.PAUSED:
                raise RosterError(f"the automation is {self.state.value}, so it cannot be resumed")
            self.state = AutomationState.RUNNING
        elif kind == "add_contacts":
            self.add_contacts(event.new_contacts, event.day)
        elif kind == "add_sender_profile":
            profile = str(event.sender_profile)
            self.branches[branch].roster.attach(profile, self.weights[profile])
            if self.state.started:
                self._release_waiting(branch, event.day)
        elif kind == "remove_sender_profile":
            self._remove(branch, str(event.sender_profile), event.mode)
        elif kind == "set_override":
            for contact in event.contacts:
                if event.sender_profile is None:
                    self.overrides.pop(contact, None)
                else:
                    self.overrides[contact] = event.sender_profile
        elif kind == "outcome":
            self.outcome_event(event)

    def _remove(self, branch: int, profile: str, mode: RemovalMode | None) -> None:
        removal = self.branches[branch].roster.remove(profile, started=self.state.started, mode=mode)
        if not removal.cancel_tasks:
            return
        for e in self.order:
            if e.branch == branch and e.profile == profile and e.status is ACTIVE:
                self._stop(e, CANCELED)

    def _can_progress(self, day: int) -> bool:
        if self.state is not AutomationState.RUNNING:
            return False
        if any(t.pending > 0 and self.limits[p] > 0 for (_, p), t in self.tally.profiles.items()):
            return True
        return any(self.arrivals) or any(self.timeouts) or any(self.after_events) or any(self.after_work)

    def run(self) -> PathResult:
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
        return PathResult(self, day)


class PathResult(SimulationResult):
    """A path run's outcome: what every run gives, and each enrollment's route and the outcomes."""

    def __init__(self, run: PathRun, days: int) -> None:
        order = run.order
        super().__init__(
            run.scenario,
            days,
            lambda: order,  # type: ignore[arg-type, return-value]
            [b.roster for b in run.branches],
            run.done_per_day,
            run.warnings,
            run.ignored_overrides,
            run.tally,
        )
        self.plans = run.plans
        self.outcomes = run.outcomes
        self.paths = True

    def route_counts(self) -> dict[tuple[int, str], Counter[str]]:
        """How many contacts took each output of each control node: (branch, address) -> output -> count."""
        counts: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
        for e in self.enrollments:
            nodes = self.plans[e.branch].nodes
            for index, output, _ in e.decisions:  # type: ignore[attr-defined]
                counts[(e.branch, nodes[index].address)][output] += 1
        return counts
