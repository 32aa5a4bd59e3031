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
from operator import itemgetter
from typing import NamedTuple

from builder.engine.assignment import ContactColumns, InteractionKey, KnownFacts
from builder.engine.enrollment import BranchRules
from builder.engine.limits import Allowance, Hold, ProfileLimits
from builder.engine.moving import move_contacts
from builder.engine.path_keys import (
    MOMENT_SHIFT,
    NODE_MASK,
    ORDER_MASK,
    OUTCOME_BITS,
    OUTCOME_SHIFT,
    OUTCOMES,
    POSITION_BITS,
    RATE_SHIFT,
)
from builder.engine.path_resume import PathResume
from builder.engine.path_start import PathStart
from builder.engine.path_walk import (
    ACTIVE,
    CANCELED,
    DONE,
    PENDING,
    REPLIED,
    WAITING,
    PathEnrollment,
    PathTask,
)
from builder.engine.path_work import PathWork
from builder.engine.paths import PathPlan, SplitRotation, answers, chance_suffix, chance_with
from builder.engine.roster import Attachment, BranchRoster
from builder.engine.run_result import RunTally, SimulationResult
from builder.engine.scenario_parts import ContactSpec, ContactTable, Event, Rates, Scenario
from builder.engine.steps import StepChain
from builder.engine.timeline import Timeline
from builder.engine.words import (
    AutomationState,
    NodeKind,
    Outcome,
    RemovalMode,
)

ACCEPTED = Outcome.ACCEPTED

__all__ = ["ACTIVE", "PENDING", "REPLIED", "WAITING", "PathEnrollment", "PathResult", "PathRun", "PathTask"]


class OutcomeRecord(NamedTuple):
    """One outcome as ``simulate`` reports it (a named tuple: a run may record tens of thousands)."""

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
    state = scenario.state
    if state is not None and any(e.status is REPLIED or e.seen or e.bounce_day is not None for e in state.enrollments):
        return True
    return any(e.type == "outcome" for e in scenario.events)


class PathRun(PathResume, PathStart, PathWork, Timeline):
    """One run of a scenario with paths. Call :meth:`run`.

    Its parts each have a module: enrolling contacts and setting them out
    (:mod:`~builder.engine.path_start`), the day's work and the moves it makes
    (:mod:`~builder.engine.path_work`) and taking up a saved run
    (:mod:`~builder.engine.path_resume`); here are the run's state, its
    events, the outcomes and where the walk leaves its results.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        automation = scenario.automation
        self.state = AutomationState.DRAFT
        self.limits = {p.id: p.daily_limit for p in scenario.sender_profiles}
        # SPEC §12: a profile with limits per kind or days off keeps an allowance, and one with limits per kind
        # a lane per kind (a kind at its limit is passed over, its tasks staying due in their place).
        self.profile_limits = {p.id: ProfileLimits.of(p) for p in scenario.sender_profiles}
        self.allowances = {
            pid: Allowance(limits, scenario.start_weekday)
            for pid, limits in self.profile_limits.items()
            if limits.per_kind or not limits.every_day
        }
        self.kind_lanes: dict[str, dict[NodeKind, list[int]]] = {
            pid: {} for pid, limits in self.profile_limits.items() if limits.per_kind
        }
        self.held_back: list[tuple[int, str, Hold]] = []  # (day, profile, why): a kind at its limit held tasks back
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
        # per branch, per control node: contacts that arrived, and those that left it unanswered (a reply, a removal)
        self.arrived_at = [[0] * len(plan.nodes) for plan in self.plans]
        self.left_at = [[0] * len(plan.nodes) for plan in self.plans]

        self.contacts = ContactColumns([], [])  # everyone so far: ids and tags, for the segments
        self._specs: dict[str, ContactSpec] = {}  # each contact as the scenario gives it, once a node asks
        self._unread: list[Sequence[ContactSpec]] = []  # the contacts added since
        self.tags: dict[str, set[str]] = {}  # the tags of a contact a tag node changed, now
        self.enrolled: dict[str, PathEnrollment] = {}
        self.order: list[PathEnrollment] = []
        self.waiting: list[list[PathEnrollment]] = [[] for _ in self.branches]

        self.lanes: dict[str, list[int]] = {}  # profile -> heap of queued tasks (see DUE_SHIFT)
        self.moments: dict[int, list[int]] = defaultdict(list)  # day -> arrivals and timeouts (see MOMENT_SHIFT)
        # day -> the outcomes rates make happen after the events / after the work (see RATE_SHIFT)
        self.after_events: dict[int, list[int]] = defaultdict(list)
        self.after_work: dict[int, list[int]] = defaultdict(list)
        self.rate_rules = [self._rate_rules(plan) for plan in self.plans]
        self.ways = [self._ways(plan) for plan in self.plans]

        self.outcomes: list[OutcomeRecord] = []
        self.done_per_day: dict[str, list[int]] = {p.id: [] for p in scenario.sender_profiles}
        self.tally = RunTally()
        self.warnings: list[str] = []
        self.ignored_overrides = 0
        self.used_today: dict[str, int] = {}  # day 0: tasks done before the run, all automations
        self.ours_today: Counter[str] = Counter()  # day 0: this automation's share of them
        self.add_contacts(scenario.contacts, day=0)
        if scenario.state is not None:
            self._resume_from(scenario.state)

    # -- contacts and enrollments ---------------------------------------------------------

    def add_contacts(self, specs: Sequence[ContactSpec], day: int) -> None:
        if isinstance(specs, ContactTable):
            new = ContactColumns(specs.ids, specs.tags)
        else:
            new = ContactColumns(list(map(itemgetter(0), specs)), list(map(itemgetter(6), specs)))
        self.contacts.ids.extend(new.ids)  # type: ignore[attr-defined]
        self.contacts.tags.extend(new.tags)  # type: ignore[attr-defined]
        # Read only at a tag or condition node: kept as given, looked up by id once such a node asks.
        self._unread.append(specs)
        if self.state.started:
            self._enroll(new, day)

    @property
    def specs(self) -> dict[str, ContactSpec]:
        """Each contact as the scenario gives it, by id (made when first asked: most paths never ask)."""
        for specs in self._unread:
            self._specs.update(zip(map(itemgetter(0), specs), specs, strict=True))
        self._unread.clear()
        return self._specs

    def _rate_rules(self, plan: PathPlan) -> list[tuple[tuple[float, bytes, int, dict[int, list[int]], int], ...]]:
        """Per node of a path: the outcomes a done task there may lead to by rate, in the order tried (SPEC §10).

        Each as its rate, the end of the text :func:`chance` hashes, its days
        after, the queue it happens from (right after the work on its day, or
        right after the events) and the node and outcome as a queued outcome
        spells them, worked out once: a task done needs only its contact's
        hash. An outcome with no rate is left out, so it costs no SHA-256.
        """
        rates = self.rates.of
        return [
            tuple(
                (
                    rates[outcome].rate,
                    chance_suffix(node.address, outcome),
                    rates[outcome].after_days,
                    self.after_work if rates[outcome].after_days == 0 else self.after_events,
                    node.index << OUTCOME_BITS | OUTCOMES.index(outcome),
                )
                for outcome in answers(node.kind)
                if outcome in rates
            )
            for node in plan.nodes
        ]

    def _rate_outcomes(self, e: PathEnrollment, task: PathTask, day: int) -> None:
        """Which outcomes this done task leads to in the forecast, and when (SPEC §10 rates)."""
        rules = self.rate_rules[e.branch][task.node]
        if not rules:
            return
        contact = e.contact.encode()
        for rate, suffix, after_days, queue, node_and_outcome in rules:
            if chance_with(contact, suffix) >= rate:
                continue
            when = day + after_days
            if when >= 0:  # else a task done before a saved run was taken up: what it led to has happened already
                queue[when].append(day << RATE_SHIFT | e.order << OUTCOME_SHIFT | node_and_outcome)
            return  # an email that bounced is not also replied to

    def _happen(self, queue: dict[int, list[int]], day: int) -> None:
        """The outcomes rates make happen today, in the order the walk met them.

        An accepted invitation, most of a tree's, is :meth:`PathWalker._outcome`
        written out: recorded, seen, and the Wait for it answers decides ``yes``.
        """
        due = queue.pop(day, None)
        if not due:
            return
        due.sort()  # by (done day, order, node)
        order_of, outcome_of, record, decide = self.order, self._outcome, self.outcomes.append, self._decide
        plans = self.plans
        for key in due:
            e = order_of[key >> OUTCOME_SHIFT & ORDER_MASK]
            outcome = OUTCOMES[key & 7]
            if outcome is not ACCEPTED:
                outcome_of(e, outcome, day, "rate")
                continue
            record(OutcomeRecord(e.contact, e.branch, e.profile, outcome, day, "rate"))  # type: ignore[arg-type]
            if outcome not in e.seen:
                e.seen = e.seen | {outcome}
            waiting_at = e.waiting_at
            if (
                e.status is ACTIVE
                and waiting_at is not None
                and plans[e.branch].nodes[waiting_at].step.outcome is outcome
            ):
                decide(e, waiting_at, "yes", day)

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
        needs = outcome.needs_done
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
        moments = self.moments.pop(day, None)
        if not moments:
            return
        moments.sort()  # enrollment order (then node, an arrival before a timeout)
        plans, order_of = self.plans, self.order
        for key in moments:
            e = order_of[key >> MOMENT_SHIFT]
            if e.status is not ACTIVE:
                continue
            index = key >> 1 & NODE_MASK
            if not key & 1:  # it arrives
                if e.travel != index:
                    continue
                e.travel = None
                node = plans[e.branch].nodes[index]
                if node.kind.is_tag:
                    self._tag(e, node.step.tag, add=node.kind is NodeKind.ADD_TAG)  # type: ignore[arg-type]
                    self._move_on(e, node.next, day, day)
                else:
                    self._arrive(e, index, day)
            elif e.waiting_at == index and e.deadline == day:
                self._decide(e, index, "no", day)

    # -- where the walk leaves its results (PathWalker's hooks) -------------------------------

    def _travel(self, e: PathEnrollment, node: int, day: int) -> None:
        self.moments[day].append(e.order << MOMENT_SHIFT | node << 1)

    def arrival_day(self, e: PathEnrollment) -> int:
        """The day the enrollment arrives at the node it travels to (for a saved run's ``at``)."""
        key = e.order << MOMENT_SHIFT | e.travel << 1  # type: ignore[operator]
        return min(day for day, moments in self.moments.items() if key in moments)

    def _wait(self, e: PathEnrollment, node: int, deadline: int) -> None:
        self.moments[deadline].append(e.order << MOMENT_SHIFT | node << 1 | 1)

    def _pending(self, e: PathEnrollment, change: int) -> None:
        e.tally.pending += change

    def _arrived(self, e: PathEnrollment, node: int) -> None:
        self.arrived_at[e.branch][node] += 1

    def _left(self, e: PathEnrollment, node: int) -> None:
        self.left_at[e.branch][node] += 1

    @property
    def arrived(self) -> Counter[tuple[int, int]]:
        """Per (branch, control node): the contacts that arrived there."""
        return _per_node(self.arrived_at)

    @property
    def left(self) -> Counter[tuple[int, int]]:
        """Per (branch, control node): the contacts that left it unanswered (a reply, a removal)."""
        return _per_node(self.left_at)

    def _tag(self, e: PathEnrollment, tag: str, *, add: bool) -> None:
        tags = self.tags.get(e.contact)
        if tags is None:
            spec = self.specs.get(e.contact)
            tags = self.tags[e.contact] = set(spec.tags) if spec is not None else set()
        if add:
            tags.add(tag)
        else:
            tags.discard(tag)

    def _contact_data(self, e: PathEnrollment) -> tuple[Collection[str], bool, bool]:
        spec = self.specs.get(e.contact)
        if spec is None:
            return self.tags.get(e.contact, ()), False, False
        tags = self.tags.get(e.contact)
        return spec.tags if tags is None else tags, bool(spec.email), bool(spec.linkedin_url)

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
        from builder.engine.simulation import check_start  # the same rules as the column run and the canvas

        check_start(self.state, self.scenario, [b.roster for b in self.branches])
        self.state = AutomationState.RUNNING
        self._enroll(self.contacts, day)

    def add_sender_profile(self, branch: int, profile: str, day: int) -> None:
        self.branches[branch].roster.attach(profile, self.weights[profile])
        if self.state.started:
            self._release_waiting(branch, day)

    def remove_sender_profile(self, branch: int, profile: str, mode: RemovalMode | None) -> None:
        if mode is RemovalMode.MOVE and self.state.started:
            self._move(branch, profile)
            return
        removal = self.branches[branch].roster.remove(profile, started=self.state.started, mode=mode)
        if not removal.cancel_tasks:
            return
        for e in self.order:
            if e.branch == branch and e.profile == profile and e.status is ACTIVE:
                self._stop(e, CANCELED)

    def _move(self, branch: int, profile: str) -> None:
        """Remove with ``move`` (SPEC §12): its contacts not yet contacted go to the others, with their due days."""
        mine = [e for e in self.order if e.branch == branch and e.profile == profile and e.status is ACTIVE]
        contacted = {e.order for e in mine if any(t.status is DONE for t in e.tasks)}
        move = move_contacts(
            self.branches[branch].roster,
            profile,
            ((e.contact, e.order in contacted) for e in mine),
            self.facts,
            ignore_previous_interactions=self.ignore_history,
        )
        leaving = [e for e in mine if e.order not in contacted]
        old_tally = self.tally.of(branch, profile)
        for e, assignment in zip(leaving, move.moved, strict=True):
            new = str(assignment.profile)
            pending = sum(t.status is PENDING for t in e.tasks)
            old_tally.contacts[e.reason] -= 1  # type: ignore[index]
            old_tally.pending -= pending
            e.tally = tally = self.tally.of(branch, new)
            tally.contacts[assignment.reason] += 1  # type: ignore[index]
            tally.pending += pending
            e.profile, e.reason, e.moved_from = new, assignment.reason, profile
            if assignment.ignored_override is not None:
                self.ignored_overrides += 1
                self.warnings.append(
                    f"contact '{e.contact}': override '{assignment.ignored_override}' is not an active "
                    f"sender profile of branch '{self.branch_ids[branch]}', so the next rule decided"
                )
            if e.current is not None:  # its queued task goes with it, due the same day; the old key is dropped
                self._queue(e, e.current, e.tasks[e.current].due_day)  # type: ignore[arg-type]
        moved = {e.order for e in leaving}
        for lane in [self.lanes.get(profile, []), *self.kind_lanes.get(profile, {}).values()]:
            lane[:] = [key for key in lane if key >> POSITION_BITS & ORDER_MASK not in moved]
            heapq.heapify(lane)

    def _can_progress(self, day: int) -> bool:
        if self.state is not AutomationState.RUNNING:
            return False
        if any(
            t.pending > 0 and self.limits[p] > 0 and self._may_ever_work(p) for (_, p), t in self.tally.profiles.items()
        ):
            return True
        return any(self.moments) or any(self.after_events) or any(self.after_work)

    def _may_ever_work(self, profile: str) -> bool:
        """False when every task queued for the profile is of a kind a limit of 0 keeps it from (SPEC §12)."""
        by_kind = self.kind_lanes.get(profile)
        if by_kind is None:
            return True
        limits = self.profile_limits[profile]
        return any(self._live_head(lane) is not None and not limits.never(kind) for kind, lane in by_kind.items())

    def run(self) -> PathResult:
        return PathResult(self, self._run_days())


def _per_node(counts: list[list[int]]) -> Counter[tuple[int, int]]:
    return Counter({(b, n): c for b, per in enumerate(counts) for n, c in enumerate(per) if c})


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
            run.held_back,
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
