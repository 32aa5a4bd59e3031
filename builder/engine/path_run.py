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
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from operator import itemgetter

from builder.engine.assignment import ContactColumns, InteractionKey, KnownFacts
from builder.engine.enrollment import BranchRules, release_waiting, route_and_assign
from builder.engine.path_walk import (
    ACTIVE,
    CANCELED,
    DONE,
    PENDING,
    REPLIED,
    WAITING,
    PathEnrollment,
    PathTask,
    PathWalker,
)
from builder.engine.paths import PathPlan, SplitRotation, answers, chance
from builder.engine.roster import Attachment, BranchRoster, RosterError
from builder.engine.run_result import RunTally, SimulationResult
from builder.engine.scenario_parts import MAX_DAYS, ContactSpec, ContactTable, Event, Rates, Scenario, ScenarioError
from builder.engine.steps import StepChain
from builder.engine.words import (
    AutomationState,
    NodeKind,
    Outcome,
    Reason,
    RemovalMode,
)

__all__ = ["ACTIVE", "PENDING", "REPLIED", "WAITING", "PathEnrollment", "PathResult", "PathRun", "PathTask"]


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


class PathRun(PathWalker):
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
        tally = self.tally.of(e.branch, e.profile)  # type: ignore[arg-type]
        tally.pending -= 1
        tally.done += 1
        tally.last_done = day
        self._rate_outcomes(e, e.tasks[position], day)
        self._task_done(e, position, day)

    # -- where the walk leaves its results (PathWalker's hooks) -------------------------------

    def _queue(self, e: PathEnrollment, position: int, due: int) -> None:
        lane = self.lanes.get(e.profile)  # type: ignore[arg-type]
        if lane is None:
            lane = self.lanes[e.profile] = []  # type: ignore[index]
        heapq.heappush(lane, (due, e.order, position))

    def _travel(self, e: PathEnrollment, node: int, day: int) -> None:
        self.arrivals[day].append((e.order, node))

    def _wait(self, e: PathEnrollment, node: int, deadline: int) -> None:
        self.timeouts[deadline].append((e.order, node))

    def _pending(self, e: PathEnrollment, change: int) -> None:
        self.tally.of(e.branch, e.profile).pending += change  # type: ignore[arg-type]

    def _arrived(self, e: PathEnrollment, node: int) -> None:
        self.arrived[(e.branch, node)] += 1

    def _left(self, e: PathEnrollment, node: int) -> None:
        self.left[(e.branch, node)] += 1

    def _tag(self, e: PathEnrollment, tag: str, *, add: bool) -> None:
        tags = self.tags.setdefault(e.contact, set())
        if add:
            tags.add(tag)
        else:
            tags.discard(tag)

    def _contact_data(self, e: PathEnrollment) -> tuple[Collection[str], bool, bool]:
        email, linkedin = self.reachable.get(e.contact, (False, False))
        return self.tags.get(e.contact, ()), email, linkedin

    def _rotation(self, e: PathEnrollment, node: int) -> SplitRotation:
        rotation = self.splits.get((e.branch, node))
        if rotation is None:
            step = self.plans[e.branch].nodes[node].step
            rotation = self.splits[(e.branch, node)] = SplitRotation(step.variants)
        return rotation

    def _record(self, e: PathEnrollment, outcome: Outcome, day: int, source: str) -> None:
        assert e.profile is not None
        self.outcomes.append(OutcomeRecord(e.contact, e.branch, e.profile, outcome, day, source))

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
