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
import itertools
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from operator import itemgetter
from typing import NamedTuple

from builder.engine.assignment import ContactColumns, InteractionKey, KnownFacts
from builder.engine.enrollment import BranchRules, release_waiting, route_and_assign
from builder.engine.limits import Allowance, Hold, HoldReason, ProfileDay, ProfileLimits
from builder.engine.moving import move_contacts
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
from builder.engine.paths import PathPlan, SplitRotation, answers, chance_suffix, chance_with
from builder.engine.roster import Attachment, BranchRoster
from builder.engine.run_result import ProfileTally, RunTally, SimulationResult
from builder.engine.run_state import RunState
from builder.engine.scenario_parts import ContactSpec, ContactTable, Event, Rates, Scenario
from builder.engine.steps import StepChain
from builder.engine.timeline import Timeline
from builder.engine.words import (
    AutomationState,
    NodeKind,
    Outcome,
    Reason,
    RemovalMode,
)

__all__ = ["ACTIVE", "PENDING", "REPLIED", "WAITING", "PathEnrollment", "PathResult", "PathRun", "PathTask"]

# A queued task is one integer, ``due << DUE_SHIFT | order << POSITION_BITS | position``: a heap of such
# integers is in SPEC §5's order (oldest due, then enrollment order), and compares in C, not tuple by tuple.
# Shifts keep the order for a due day before 0 too (a saved run taken up), as Python's integers are signed.
POSITION_BITS = 16  # a contact's tasks on one path: fewer than 65,536
ORDER_BITS = 40  # enrollments in one run: fewer than a trillion
DUE_SHIFT = POSITION_BITS + ORDER_BITS
POSITION_MASK, ORDER_MASK = (1 << POSITION_BITS) - 1, (1 << ORDER_BITS) - 1
# An arrival or a timeout of a day is one integer too, ``order << MOMENT_SHIFT | node << 1 | is timeout``.
NODE_BITS = 24
MOMENT_SHIFT = NODE_BITS + 1
NODE_MASK = (1 << NODE_BITS) - 1
# An outcome a rate makes happen: ``done day << RATE_SHIFT | order << … | node << … | outcome``, sorted as
# (done day, order, node), as the walk met them.
OUTCOMES = tuple(Outcome)
OUTCOME_BITS = 3
OUTCOME_SHIFT = NODE_BITS + OUTCOME_BITS
RATE_SHIFT = ORDER_BITS + OUTCOME_SHIFT


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


class PathRun(Timeline, PathWalker):
    """One run of a scenario with paths. Call :meth:`run`."""

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

    def _resume_from(self, state: RunState) -> None:
        """Take up a started automation where it stands (builder.engine.run_state): each contact where it is."""
        self.state = state.automation
        self.used_today = dict(state.done_today)
        for index, branch_id in enumerate(self.branch_ids):
            attached = state.sender_profiles.get(branch_id)
            if attached is not None:
                self.branches[index].roster = BranchRoster(
                    Attachment(a.sender_profile, a.weight, a.state, order=i, current=a.rotation)
                    for i, a in enumerate(attached)
                )
        ours_today: Counter[str] = Counter()
        picks: Counter[tuple[int, int]] = Counter()
        for seeded in state.enrollments:
            branch = self.branch_ids.index(seeded.branch)
            plan = self.plans[branch]
            where = {n.address: n.index for n in plan.nodes}
            e = PathEnrollment(len(self.order), seeded.contact, branch, seeded.day)
            self.order.append(e)
            self.enrolled[e.contact] = e
            e.profile, e.reason, e.status = seeded.sender_profile, seeded.reason, seeded.status
            if seeded.status is WAITING or e.profile is None:
                e.status = WAITING
                self.waiting[branch].append(e)
                continue
            e.tally = tally = self.tally.of(branch, e.profile)
            if seeded.reason is not None:
                tally.contacts[seeded.reason] += 1
            e.seen = frozenset(Outcome(o) for o in seeded.seen)
            e.bounce_day = seeded.bounce_day
            e.decisions = [(where[d.node], d.output, d.day) for d in seeded.decisions]
            for index, _, _ in e.decisions:
                picks[(branch, index)] += 1
            for t in seeded.tasks:
                node = where[t.node] if t.node is not None else where[str(t.step)]
                task = PathTask(node, plan.nodes[node].kind)
                task.status, task.due_day, task.done_day = t.status, t.due_day, t.done_day
                e.tasks.append(task)
                if t.status is PENDING:
                    tally.pending += 1
                elif t.status is DONE and t.done_day is not None:
                    self._rate_outcomes(e, task, t.done_day)  # what it leads to from today on, in a forecast
                    allowance = self.allowances.get(e.profile)
                    if allowance is not None:  # the last week's tasks count against its limits per kind
                        allowance.record(t.done_day, task.kind)
                    if t.done_day >= 0:
                        ours_today[e.profile] += t.done_day == 0
                        tally.done += 1
                        tally.last_done = max(tally.last_done or 0, t.done_day)
            if e.status is not ACTIVE:
                continue
            self._take_up(e, plan, where, seeded.at)
        self.ours_today = ours_today
        for (branch, index), count in picks.items():
            node = self.plans[branch].nodes[index]
            if node.kind is NodeKind.SPLIT:
                rotation = self.splits[(branch, index)] = SplitRotation(node.step.variants)
                for _ in range(count):
                    rotation.pick()

    def _take_up(self, e: PathEnrollment, plan: PathPlan, where: dict[str, int], at: tuple[str, int] | None) -> None:
        """Put a saved enrollment back where it is: on its due task, on its way to a node, or at a Wait for."""
        queued = [i for i, t in enumerate(e.tasks) if t.status is PENDING and t.due_day is not None]
        if queued:
            position = queued[0]
            e.current, e.next_task = position, position + 1
            self._queue(e, position, e.tasks[position].due_day)  # type: ignore[arg-type]
            return
        if at is None:
            e.next_task = len(e.tasks)
            return
        index, day = where[at[0]], at[1]
        ahead = [i for i, t in enumerate(e.tasks) if t.node > index]
        e.next_task = ahead[0] if ahead else len(e.tasks)
        node = plan.nodes[index]
        # At a Wait for since a day gone by (or today): it waits. Not if it saw the outcome already: a contact
        # waiting there would have taken ``yes`` when it came, so this one arrives today and takes it then.
        if node.kind is NodeKind.WAIT_FOR and day <= 0 and node.step.outcome not in e.seen:
            e.waiting_at, e.deadline = index, max(day + node.step.days, 0)  # a day gone by is decided today
            self._wait(e, index, e.deadline)
        else:
            e.travel = index
            self._travel(e, index, max(day, 0))

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

    def _enroll(self, contacts: ContactColumns, day: int) -> None:
        routed = route_and_assign(
            self.branches,
            contacts,
            self.facts,
            ignore_previous_interactions=self.ignore_history,
            already_enrolled=self.enrolled,
        )
        first = len(self.order)
        ids = list(map(str, routed.contacts))
        used = set(routed.branches)
        if len(used) == 1 and None not in routed.profiles:
            opening = self._opening(used.pop())
            if opening is not None:  # everyone sets out the same way: a start of a hundred thousand contacts
                self._warn_ignored(ids, routed.branches[0], routed.ignored)
                self._set_out(ids, routed.branches[0], list(map(str, routed.profiles)), routed.reasons, opening, day)
                return
        fresh = list(map(PathEnrollment, itertools.count(first), ids, routed.branches, itertools.repeat(day)))
        self.order.extend(fresh)
        self.enrolled.update(zip(ids, fresh, strict=True))
        self._assigned(fresh, routed.profiles, routed.reasons, routed.ignored, day)

    def _warn_ignored(self, contacts: Sequence[str], branch: int, ignored: dict) -> None:
        """Say, in enrollment order, which of the contacts had an override R1 could not follow (SPEC §4)."""
        if not ignored:
            return
        for contact in [c for c in contacts if c in ignored]:
            self.ignored_overrides += 1
            self.warnings.append(
                f"contact '{contact}': override '{ignored[contact]}' is not an active sender profile "
                f"of branch '{self.branch_ids[branch]}', so the next rule decided"
            )

    def _opening(self, branch: int) -> tuple[tuple[int, ...], tuple[NodeKind, ...], int] | None:
        """The tasks a contact of the branch gets on enrolling, when its path opens with one (after waits, if any)."""
        plan = self.plans[branch]
        return plan.landings.get(plan.first) if plan.first is not None else None

    def _set_out(
        self,
        ids: list[str],
        branch: int,
        profiles: list[str],
        reasons: Sequence[Reason | None],
        opening: tuple[tuple[int, ...], tuple[NodeKind, ...], int],
        day: int,
    ) -> None:
        """Contacts enrolled today in one branch, each with a sender profile, set out at its path's first task.

        What :meth:`_assigned` does for them, column by column: the
        enrollments and their tasks are made by ``map`` and the counts by
        ``Counter``, and each profile's new lane entries are in enrollment
        order, one heapify per profile.
        """
        made, kinds, waits = opening
        due = day + waits
        tallies = {profile: self.tally.of(branch, profile) for profile in dict.fromkeys(profiles)}
        for (profile, reason), count in Counter(zip(profiles, reasons, strict=True)).items():
            tallies[profile].contacts[reason] += count  # type: ignore[index]
        for profile, count in Counter(profiles).items():
            tallies[profile].pending += count * len(made)
        # Each contact's tasks: its first due ``due``, the others (if any) due when the walk reaches them.
        firsts = map(PathTask, itertools.repeat(made[0]), itertools.repeat(kinds[0]), itertools.repeat(due))
        others = [
            map(PathTask, itertools.repeat(node), itertools.repeat(kind))
            for node, kind in zip(made[1:], kinds[1:], strict=True)
        ]
        first = len(self.order)
        fresh = list(
            map(
                PathEnrollment,
                itertools.count(first),
                ids,
                itertools.repeat(branch),
                itertools.repeat(day),
                profiles,
                reasons,
                map(tallies.__getitem__, profiles),
                map(list, zip(firsts, *others, strict=False)),  # endless, as the repeats are: map stops with ids
            )
        )
        self.order.extend(fresh)
        self.enrolled.update(zip(ids, fresh, strict=True))
        by_profile: dict[str, list[int]] = {}
        for order, profile in zip(itertools.count(first), profiles):
            lane = by_profile.get(profile)
            if lane is None:
                lane = by_profile[profile] = []
            lane.append(order)
        base = due << DUE_SHIFT
        for profile, orders in by_profile.items():
            lane = self._lane(profile, kinds[0])
            lane.extend([base | order << POSITION_BITS for order in orders])
            heapq.heapify(lane)

    def _assigned(
        self,
        fresh: list[PathEnrollment],
        profiles: Sequence[object],
        reasons: Sequence[Reason | None],
        ignored: dict,
        day: int,
    ) -> None:
        """The enrollments got their sender profiles (None: it waits): each sets out on its branch's path.

        One loop per contact, as a start may enroll a hundred thousand: where
        the branch's path opens with a task (after waits, if any), everyone
        enrolled together gets the same first tasks, the first due the same
        day, and joins its profile's lane in one heapify per profile. Any other
        opening is walked per contact by :meth:`_begin`, branch by branch.
        """
        tally_of = self.tally.of
        tallies: dict[tuple[int, str], ProfileTally] = {}
        openings = [plan.landings.get(plan.first) if plan.first is not None else None for plan in self.plans]
        queued: dict[tuple[str, NodeKind], list[int]] = defaultdict(list)  # (profile, kind) -> new lane entries
        walked: dict[int, list[PathEnrollment]] = defaultdict(list)  # branch -> who sets out by a walk
        for e, profile, reason in zip(fresh, profiles, reasons, strict=True):
            if ignored and e.contact in ignored:
                self._warn_ignored((e.contact,), e.branch, ignored)
            if profile is None:
                self.waiting[e.branch].append(e)
                self.warnings.append(
                    f"contact '{e.contact}' waits in branch '{self.branch_ids[e.branch]}' "
                    f"(day {e.day}): no sender profile there can take new contacts"
                )
                continue
            e.profile = name = str(profile)
            e.reason, e.status = reason, ACTIVE
            key = (e.branch, name)
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = tally_of(e.branch, name)
            e.tally = tally
            tally.contacts[reason] += 1  # type: ignore[index]
            opening = openings[e.branch]
            if opening is None:
                walked[e.branch].append(e)
                continue
            made, kinds, waits = opening
            task = PathTask(made[0], kinds[0])
            e.tasks = [task, *map(PathTask, made[1:], kinds[1:])] if len(made) > 1 else [task]
            task.due_day = due = e.day + waits
            e.current, e.next_task = 0, 1
            tally.pending += len(made)
            queued[(name, kinds[0])].append(due << DUE_SHIFT | e.order << POSITION_BITS)
        for (profile, kind), entries in queued.items():
            lane = self._lane(profile, kind)
            lane.extend(entries)
            heapq.heapify(lane)  # in C, once, instead of a push per contact
        for group in walked.values():
            for e in group:
                self._begin(e, day)

    def _begin(self, e: PathEnrollment, day: int) -> None:
        """The contact sets out on its branch's path from its first step (one that is not a task after waits)."""
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
        due = queue.pop(day, None)
        if due:
            due.sort()  # by (done day, order, node)
            order_of, outcome = self.order, self._outcome
            for key in due:
                order = key >> OUTCOME_SHIFT & ORDER_MASK
                outcome(order_of[order], OUTCOMES[key & 7], day, "rate")

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

    def work_day(self, day: int) -> None:
        """Every profile's due tasks in one order (oldest due, then enrollment order), each up to its limit."""
        done = dict.fromkeys(self.limits, 0)
        room = dict(self.limits)
        if day == 0:  # what was done today before the run counts, in every automation (or, unsaid, in this one)
            for profile in room:
                room[profile] -= max(self.used_today.get(profile, 0), self.ours_today[profile])
        days: dict[str, ProfileDay] = {}
        for profile, allowance in self.allowances.items():  # the counters move on, working or not
            today = days[profile] = allowance.open_day(day, self.limits[profile] - room[profile])
            room[profile] = today.room
        if self.state is AutomationState.RUNNING:
            heads: list[int] = []
            for profile in {*self.lanes, *self.kind_lanes}:
                self._push_head(heads, profile, day, room, days)
            self._work_heads(heads, day, room, done, days)
            for profile, lanes in self.kind_lanes.items():  # the kinds its own limits held back, for the forecast
                for kind, lane in lanes.items():
                    key = self._live_head(lane)
                    hold = days[profile].hold(kind) if key is not None and key >> DUE_SHIFT <= day else None
                    if hold is not None and hold.reason in (HoldReason.WEEKLY_LIMIT, HoldReason.KIND_DAILY_LIMIT):
                        self.held_back.append((day, profile, hold))
        for profile, count in done.items():
            self.done_per_day[profile].append(count + (self.ours_today[profile] if day == 0 else 0))
        self._happen(self.after_work, day)

    def _work_heads(
        self, heads: list[int], day: int, room: dict[str, int], done: dict[str, int], days: dict[str, ProfileDay]
    ) -> None:
        """Do the due tasks, the oldest of all profiles' heads first, each profile up to its room.

        The loop of :meth:`work_day`, with :meth:`_push_head`, the counting of
        a task done and :meth:`PathWalker._task_done` written out: it runs once
        per task done, so what a call would cost counts. A head is its lane's
        key (its enrollment names the profile). A task done queues only its own
        enrollment's next task, for the same profile, so only that profile's
        head is looked at again.
        """
        lanes, kind_lanes, order_of, move_on, decide = (
            self.lanes,
            self.kind_lanes,
            self.order,
            self._move_on,
            self._decide,
        )
        arrived_at, moments = self.arrived_at, self.moments
        nexts = [[node.next for node in plan.nodes] for plan in self.plans]
        rate_rules = self.rate_rules
        # Per branch, per action step: the Wait for a done task leads straight to (no wait, no tag between), with
        # its days and the outcome it waits for; what PathWalker._move_on and _arrive do there, done here at once.
        waits_for: list[list[tuple[int, int, Outcome] | None]] = [
            [self._wait_for_after(plan, node.index) for node in plan.nodes] for plan in self.plans
        ]
        pop, push = heapq.heappop, heapq.heappush
        while heads:
            key = pop(heads)
            e = order_of[key >> POSITION_BITS & ORDER_MASK]
            position = key & POSITION_MASK
            profile = e.profile
            task = e.tasks[position]
            by_kind = kind_lanes.get(profile)  # type: ignore[arg-type]
            lane = lanes[profile] if by_kind is None else by_kind[task.kind]  # type: ignore[index]
            pop(lane)  # the head itself: nothing was queued before it since it became the head
            tally = e.tally
            tally.pending -= 1
            tally.done += 1
            tally.last_done = day
            node = task.node
            branch = e.branch
            rules = rate_rules[branch][node]
            if rules:  # _rate_outcomes, written out
                contact = e.contact.encode()
                for rate, suffix, after_days, queue, node_and_outcome in rules:
                    if chance_with(contact, suffix) < rate:
                        queue[day + after_days].append(day << RATE_SHIFT | e.order << OUTCOME_SHIFT | node_and_outcome)
                        break  # an email that bounced is not also replied to
            task.status, task.done_day = DONE, day
            e.current = None
            e.next_task = position + 1
            wait_for = waits_for[branch][node]
            if wait_for is None:
                move_on(e, nexts[branch][node], day, day)
            else:
                index, waiting, outcome = wait_for
                arrived_at[branch][index] += 1
                if outcome in e.seen:
                    decide(e, index, "yes", day)
                else:
                    e.waiting_at, e.deadline = index, day + waiting
                    moments[day + waiting].append(e.order << MOMENT_SHIFT | index << 1 | 1)
            room[profile] -= 1  # type: ignore[index]
            done[profile] += 1  # type: ignore[index]
            if by_kind is not None:
                days[profile].took(task.kind)  # type: ignore[index]
            if room[profile] <= 0:  # type: ignore[index]
                continue
            if by_kind is not None:  # the next task of a kind that may still go
                key = self._kind_head(by_kind, days[profile], day)  # type: ignore[assignment, index]
                if key is not None:
                    push(heads, key)
                continue
            while lane:
                key = lane[0]
                e = order_of[key >> POSITION_BITS & ORDER_MASK]
                position = key & POSITION_MASK
                if e.current == position and e.status is ACTIVE and e.tasks[position].due_day == key >> DUE_SHIFT:
                    if key >> DUE_SHIFT <= day:
                        push(heads, key)
                    break
                pop(lane)  # a task canceled or moved on since it was queued

    @staticmethod
    def _wait_for_after(plan: PathPlan, index: int) -> tuple[int, int, Outcome] | None:
        """The Wait for that a task done at step ``index`` leads straight to, its days and outcome; else None."""
        node = plan.nodes[index]
        if not node.kind.is_action or node.next is None:
            return None
        target = plan.straight_to_control.get(node.next)
        if target is None or plan.nodes[target].kind is not NodeKind.WAIT_FOR:
            return None
        step = plan.nodes[target].step
        return target, step.days, step.outcome  # type: ignore[return-value]

    def _decide(self, e: PathEnrollment, index: int, output: str, day: int) -> None:
        """:meth:`PathWalker._decide` with the walk's common ends written out: most contacts of a tree decide here.

        Where the output's way opens with a task (after waits, if any) its
        tasks are made and the first queued at once; where it leads straight to
        an A/B split, the contact arrives there and takes its pick at once, as
        :meth:`PathWalker._arrive` would, and goes on from that output. Any
        other way is the walker's.
        """
        ways = self.ways[e.branch]
        while True:
            e.waiting_at = e.deadline = None
            if e.decisions:
                e.decisions.append((index, output, day))  # type: ignore[union-attr]
            else:
                e.decisions = [(index, output, day)]
            way = ways[(index, output)]
            if way is None:
                self._take_way(e, self.plans[e.branch].firsts[(index, output)], day)
                return
            if way.__class__ is int:  # straight to an A/B split
                e.next_task = len(e.tasks)
                e.travel = None
                self.arrived_at[e.branch][way] += 1  # type: ignore[index]
                index, output = way, self._rotation(e, way).pick()  # type: ignore[arg-type, assignment]
                continue
            made, kinds, waits = way  # type: ignore[misc]
            tasks = list(map(PathTask, made, kinds))
            position = len(e.tasks)
            if position:
                e.tasks.extend(tasks)
            else:
                e.tasks = tasks
            e.tally.pending += len(made)
            tasks[0].due_day = due = day + waits
            e.current, e.next_task = position, position + 1
            lane = self.lanes.get(e.profile)  # type: ignore[arg-type]
            if lane is None:  # a new lane, or a profile with a lane per kind
                lane = self._lane(e.profile, kinds[0])  # type: ignore[arg-type]
            heapq.heappush(lane, due << DUE_SHIFT | e.order << POSITION_BITS | position)
            return

    @staticmethod
    def _ways(plan: PathPlan) -> dict[tuple[int, str], tuple[tuple[int, ...], tuple[NodeKind, ...], int] | int | None]:
        """Per (control node, output) of a path: the landing its way opens with, the A/B split it leads straight
        to, or None for any other way (see :meth:`_decide`)."""
        ways: dict[tuple[int, str], tuple[tuple[int, ...], tuple[NodeKind, ...], int] | int | None] = {}
        for key, first in plan.firsts.items():
            landing = plan.landings.get(first) if first is not None else None
            control = plan.straight_to_control.get(first) if first is not None else None
            if landing is not None:
                ways[key] = landing
            elif control is not None and plan.nodes[control].kind is NodeKind.SPLIT:
                ways[key] = control
            else:
                ways[key] = None
        return ways

    def _push_head(
        self, heads: list[int], profile: str, day: int, room: dict[str, int], days: dict[str, ProfileDay]
    ) -> None:
        """Put the profile's next live task due by ``day`` among the heads, if it has room."""
        if room.get(profile, 0) <= 0:
            return
        by_kind = self.kind_lanes.get(profile)
        key = self._live_head(self.lanes.get(profile, [])) if by_kind is None else None
        if by_kind is not None:
            key = self._kind_head(by_kind, days[profile], day)
        if key is not None and key >> DUE_SHIFT <= day:
            heapq.heappush(heads, key)

    def _live_head(self, lane: list[int]) -> int | None:
        """The lane's first task still queued, the canceled and moved on before it dropped; None when empty."""
        order_of = self.order
        while lane:
            key = lane[0]
            e = order_of[key >> POSITION_BITS & ORDER_MASK]
            position = key & POSITION_MASK
            if e.current == position and e.status is ACTIVE and e.tasks[position].due_day == key >> DUE_SHIFT:
                return key
            heapq.heappop(lane)  # a task canceled or moved on since it was queued
        return None

    def _kind_head(self, by_kind: dict[NodeKind, list[int]], today: ProfileDay, day: int) -> int | None:
        """The first task due by ``day`` among the kinds the profile may still do today (SPEC §12)."""
        best = None
        for kind, lane in by_kind.items():
            if today.can(kind):
                key = self._live_head(lane)
                if key is not None and key >> DUE_SHIFT <= day and (best is None or key < best):
                    best = key
        return best

    # -- where the walk leaves its results (PathWalker's hooks) -------------------------------

    def _queue(self, e: PathEnrollment, position: int, due: int) -> None:
        lane = self.lanes.get(e.profile)  # type: ignore[arg-type]
        if lane is None:  # a new lane, or a profile with a lane per kind
            lane = self._lane(e.profile, e.tasks[position].kind)  # type: ignore[arg-type]
        heapq.heappush(lane, due << DUE_SHIFT | e.order << POSITION_BITS | position)

    def _lane(self, profile: str, kind: NodeKind) -> list[int]:
        """The heap a task of ``kind`` waits in for ``profile``: one per kind where the profile has limits per kind."""
        by_kind = self.kind_lanes.get(profile)
        if by_kind is None:
            return self.lanes.setdefault(profile, [])
        return by_kind.setdefault(kind, [])

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
