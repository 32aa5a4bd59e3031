"""Running a scenario day by day (SPEC §5, §7), in memory.

The rules themselves live in the other engine modules; this module only keeps
the state of one run (who is enrolled, which tasks are pending) and applies
each day's events and work in order.

A preview enrolls a hundred thousand contacts, so the run keeps columns, not
an object per enrollment or task: enrollment ``order`` indexes the columns,
and a queued task is one integer, ``order * span + step``, in its sender
profile's lane (:class:`Lane`). Sorting such integers is sorting by
(enrollment order, step), the order of SPEC §5 within a due day. Each day a
profile takes a slice of its oldest bucket, so its work is a few list
operations, not a Python step per task. :meth:`Simulation.ordered` spells the
enrollments and their tasks out when a report wants them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from operator import itemgetter, neg

from builder.engine import graph
from builder.engine.assignment import ContactColumns, InteractionKey, KnownFacts
from builder.engine.enrollment import BranchRules, release_waiting, route_and_assign
from builder.engine.lanes import BranchSteps, KindLanes, Lane
from builder.engine.limits import Allowance, Hold, HoldReason, ProfileDay, ProfileLimits
from builder.engine.moving import move_contacts
from builder.engine.roster import Attachment, BranchRoster, RosterError
from builder.engine.run_result import ProfileTally, RunTally, SimEnrollment, SimTask, SimulationResult
from builder.engine.run_state import RunState
from builder.engine.scenario import ContactSpec, ContactTable, Scenario
from builder.engine.step_trees import steps_graph
from builder.engine.steps import StepChain, is_linear
from builder.engine.timeline import Timeline
from builder.engine.words import AutomationState, EnrollmentStatus, NodeKind, Reason, RemovalMode, TaskStatus

ACTIVE, WAITING, CANCELED = EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITING, EnrollmentStatus.CANCELED

__all__ = ["ProfileTally", "RunTally", "SimEnrollment", "SimTask", "Simulation", "SimulationResult", "simulate"]


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
        if not is_linear(branch.steps):  # a path with control or tag steps (SPEC §10): the canvas's own rules
            tree_nodes, tree_edges = steps_graph(prof, branch.steps, branch.id, branch.id)
            nodes += tree_nodes
            edges += tree_edges  # type: ignore[arg-type]
            continue
        previous = prof
        for i, step in enumerate(branch.steps):
            node_id = f"{branch.id}/step{i}"
            nodes.append(
                graph.GraphNode(node_id, step.kind, f"{step.kind.label} (step {i}) of {branch.id}", wait_days=step.days)
            )
            edges.append((previous, node_id))
            previous = node_id
    return nodes, edges


def check_start(state: AutomationState, scenario: Scenario, rosters: list[BranchRoster]) -> None:
    """Refuse a ``start`` of an automation that has started, or has SPEC §3 (and §10) problems, naming them."""
    if state is not AutomationState.DRAFT:
        raise RosterError("the automation has already started")
    nodes, edges = branch_graph(scenario, rosters)
    found = graph.validate(nodes, edges, stop_on_reply=scenario.automation.stop_on_reply)
    if found:
        raise RosterError("cannot start: " + " ".join(p.message for p in found))


class Simulation(Timeline):
    """One run of a scenario. Call :meth:`run`, or the event methods and :meth:`work_day`."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.state = AutomationState.DRAFT
        self.limits = {p.id: p.daily_limit for p in scenario.sender_profiles}
        # SPEC §12: a profile with limits per kind or days off keeps an allowance; the others need none.
        self.profile_limits = {p.id: ProfileLimits.of(p) for p in scenario.sender_profiles}
        self._allowances = {
            pid: Allowance(limits, scenario.start_weekday)
            for pid, limits in self.profile_limits.items()
            if limits.per_kind or not limits.every_day
        }
        weights = {p.id: p.weight for p in scenario.sender_profiles}
        self.contacts = ContactColumns([], [])  # everyone in the scenario so far: ids, tags
        self.interactions: dict[str, list[InteractionKey]] = defaultdict(list)
        history = scenario.interactions
        keys = zip(map(itemgetter(2), history), range(len(history)), map(itemgetter(1), history), strict=True)
        for contact, key in zip(map(itemgetter(0), history), keys, strict=True):
            self.interactions[contact].append(key)
        self.overrides = dict(scenario.overrides)
        self.facts = KnownFacts(self.overrides, self.interactions)
        self.branches: list[BranchRules] = []
        for spec in scenario.automation.branches:
            roster = BranchRoster(Attachment(pid, weights[pid], order=i) for i, pid in enumerate(spec.sender_profiles))
            self.branches.append(BranchRules(roster, spec.segment, StepChain(spec.steps)))
        self._steps = [BranchSteps(b.chain) for b in self.branches]
        self._span = 1 + max((len(b.chain.steps) for b in self.branches), default=0)
        self._kinds = [[step.kind for step in b.chain.steps] for b in self.branches]  # by branch, by step
        self.branch_ids = [b.id for b in scenario.automation.branches]
        self.ignore_history = scenario.automation.ignore_previous_interactions

        # The enrollments, as columns by enrollment order.
        self._enrolled: dict[str, int] = {}  # contact -> enrollment order, for the first ``_indexed`` ones
        self._indexed = 0
        self._contact: list[str] = []
        self._branch: list[int] = []
        self._day: list[int] = []
        self._profile: list[str | None] = []
        self._reason: list[Reason | None] = []
        self._status: list[EnrollmentStatus] = []
        self._moved_from: dict[int, str] = {}  # order -> the profile it was moved from (SPEC §12)
        self.waiting: list[list[int]] = [[] for _ in self.branches]

        # The work: queued tasks per profile, and what was done, in the order it was done.
        self._lanes: dict[str, Lane | KindLanes] = {}
        self._done: list[tuple[int, int, list[int]]] = []  # (due day, done day, task codes)
        self._seeded: dict[int, list[tuple[int | None, int | None]]] = {}  # tasks done before day 0
        self._unqueued: dict[int, int] = {}  # pending first tasks with no due day yet: order -> step
        self._canceled_due: dict[int, int] = {}  # the due day a canceled task had

        self.done_per_day: dict[str, list[int]] = {p.id: [] for p in scenario.sender_profiles}
        self.tally = RunTally()
        self.warnings: list[str] = []
        self.ignored_overrides = 0
        self.held_back: list[tuple[int, str, Hold]] = []  # (day, profile, why): a kind at its limit held tasks back
        self._used_today: dict[str, int] = {}  # day 0: tasks done before the run, all automations
        self._ours_today: Counter[str] = Counter()  # day 0: this automation's share of them
        self.add_contacts(scenario.contacts, day=0)
        if scenario.state is not None:
            self._resume_from(scenario.state)

    # -- enrollments ----------------------------------------------------------------

    @property
    def enrollments(self) -> dict[str, int]:
        """Each enrolled contact's enrollment order (indexed when first asked, not at every enrollment)."""
        if self._indexed < len(self._contact):
            self._enrolled.update(
                zip(self._contact[self._indexed :], range(self._indexed, len(self._contact)), strict=True)
            )
            self._indexed = len(self._contact)
        return self._enrolled

    def _lane(self, profile: str) -> Lane | KindLanes:
        lane = self._lanes.get(profile)
        if lane is None:
            lane = self._lanes[profile] = KindLanes(self._kind_of) if self.profile_limits[profile].per_kind else Lane()
        return lane

    def _kind_of(self, code: int) -> NodeKind:
        """A queued task's action kind."""
        span = self._span
        return self._kinds[self._branch[code // span]][code % span]

    def _add_enrollments(self, contacts: list[str], branches: list[int], days: list[int]) -> range:
        start = len(self._contact)
        orders = range(start, start + len(contacts))
        self._contact += contacts
        self._branch += branches
        self._day += days
        self._profile += [None] * len(contacts)
        self._reason += [None] * len(contacts)
        self._status += [WAITING] * len(contacts)
        return orders

    def _resume_from(self, state: RunState) -> None:
        """Take up a started automation where it stands: rosters, enrollments, tasks, today's work."""
        self.state = state.automation
        self._used_today = dict(state.done_today)
        for index, branch_id in enumerate(self.branch_ids):
            roster = state.roster(branch_id)
            if roster is not None:
                self.branches[index].roster = roster
        span = self._span
        for seeded in state.enrollments:
            index = self.branch_ids.index(seeded.branch)
            (order,) = self._add_enrollments([seeded.contact], [index], [seeded.day])
            profile = seeded.sender_profile
            self._profile[order], self._reason[order], self._status[order] = profile, seeded.reason, seeded.status
            if seeded.status is WAITING:
                self.waiting[index].append(order)
                continue
            if profile is None:
                continue
            tally = self.tally.of(index, profile)
            if seeded.reason is not None:
                tally.contacts[seeded.reason] += 1
            tasks = sorted(seeded.tasks, key=lambda t: t.step)
            finished = self._seeded[order] = [(t.due_day, t.done_day) for t in tasks if t.status is TaskStatus.DONE]
            allowance = self._allowances.get(profile)
            if allowance is not None:  # this automation's tasks of the last week count against its limits per kind
                for task in tasks[: len(finished)]:
                    if task.done_day is not None:
                        allowance.record(task.done_day, self._kinds[index][task.step])
            for _, done_day in finished:
                if done_day is not None and done_day >= 0:  # done today, before the forecast takes over
                    self._ours_today[profile] += done_day == 0
                    tally.done += 1
                    tally.last_done = max(tally.last_done or 0, done_day)
            following = tasks[len(finished)] if len(tasks) > len(finished) else None
            if following is None:
                continue
            if seeded.status is CANCELED:
                if following.due_day is not None:
                    self._canceled_due[order] = following.due_day
                continue
            tally.pending += self._steps[index].count - len(finished)
            lane = self._lane(profile)
            lane.branches.add(index)
            if following.due_day is None:
                self._unqueued[order] = following.step
            else:
                lane.add(following.due_day, [order * span + following.step])

    def _enroll(self, contacts: ContactColumns, day: int) -> None:
        routed = route_and_assign(
            self.branches,
            contacts,
            self.facts,
            ignore_previous_interactions=self.ignore_history,
            already_enrolled=self.enrollments,
        )
        members: list[str] = routed.contacts  # type: ignore[assignment]  # a scenario's ids are strings
        orders = self._add_enrollments(members, routed.branches, [day] * len(members))
        self._assigned(orders, routed.branches, routed.profiles, routed.reasons, routed.ignored)

    def _release_waiting(self, branch: int) -> None:
        queue = self.waiting[branch]
        released = release_waiting(
            branch,
            self.branches[branch],
            ((self._contact[order], self._day[order]) for order in queue),
            self.facts,
            ignore_previous_interactions=self.ignore_history,
        )
        taken = queue[: len(released)]
        del queue[: len(released)]
        assignments = [r.assignment for r in released]
        self._assigned(
            taken,
            [branch] * len(taken),
            [a.profile for a in assignments],
            [a.reason for a in assignments],
            {a.contact: a.ignored_override for a in assignments if a.ignored_override is not None},
        )

    def _assigned(
        self,
        orders: range | list[int],
        indexes: list[int],
        profiles: list[str | None],
        reasons: list[Reason | None],
        ignored: dict[str, str],
    ) -> None:
        """Store who got which profile, note the ignored overrides and the waiting, queue each first task."""
        waiting = profiles.count(None)
        statuses = [WAITING if p is None else ACTIVE for p in profiles] if waiting else [ACTIVE] * len(profiles)
        if isinstance(orders, range):  # contacts that just enrolled: their columns are the last ones
            self._profile[orders.start : orders.stop] = profiles
            self._reason[orders.start : orders.stop] = reasons
            self._status[orders.start : orders.stop] = statuses
        else:
            for order, profile, reason, status in zip(orders, profiles, reasons, statuses, strict=True):
                self._profile[order], self._reason[order], self._status[order] = profile, reason, status
        if ignored or waiting:
            for position, order in enumerate(orders):
                contact, index = self._contact[order], indexes[position]
                if contact in ignored:
                    self.ignored_overrides += 1
                    self.warnings.append(
                        f"contact '{contact}': override '{ignored[contact]}' is not an active sender profile "
                        f"of branch '{self.branch_ids[index]}', so the next rule decided"
                    )
                if profiles[position] is None:
                    self.waiting[index].append(order)
                    self.warnings.append(
                        f"contact '{contact}' waits in branch '{self.branch_ids[index]}' "
                        f"(day {self._day[order]}): no sender profile there can take new contacts"
                    )
        for (index, profile, reason), count in Counter(zip(indexes, profiles, reasons, strict=True)).items():
            if profile is not None:
                self.tally.of(index, profile).contacts[reason] += count
        span, days = self._span, self._day
        same_day = isinstance(orders, range)
        if same_day and len(set(indexes)) == 1 and self._steps[indexes[0]].first is not None:
            # The common case, one branch and one day: each first task's code straight from the orders.
            index, steps = indexes[0], self._steps[indexes[0]]
            codes: dict[str, list[int]] = defaultdict(list)
            start = orders.start * span + steps.first
            for code, profile in zip(range(start, start + len(orders) * span, span), profiles, strict=True):
                if profile is not None:
                    codes[profile].append(code)
            for profile, queued in codes.items():
                self.tally.of(index, profile).pending += steps.count * len(queued)
                lane = self._lane(profile)
                lane.branches.add(index)
                lane.add(days[orders.start] + steps.first_wait, queued)
            return
        groups: dict[tuple[int, str], list[int]] = defaultdict(list)
        for order, index, profile in zip(orders, indexes, profiles, strict=True):
            if profile is not None:
                groups[(index, profile)].append(order)
        for (index, profile), members in groups.items():
            steps = self._steps[index]
            if steps.first is None:
                continue
            self.tally.of(index, profile).pending += steps.count * len(members)
            lane = self._lane(profile)
            lane.branches.add(index)
            first, wait = steps.first, steps.first_wait
            if same_day:  # enrolled together: one due day
                lane.add(days[members[0]] + wait, [order * span + first for order in members])
                continue
            by_due: dict[int, list[int]] = defaultdict(list)
            for order in members:
                by_due[days[order] + wait].append(order * span + first)
            for due, codes in by_due.items():
                lane.add(due, codes)

    # -- events ------------------------------------------------------------------

    def start(self, day: int) -> None:
        check_start(self.state, self.scenario, [b.roster for b in self.branches])
        self.state = AutomationState.RUNNING
        self._enroll(self.contacts, day)

    def add_contacts(self, specs: Sequence[ContactSpec], day: int) -> None:
        if isinstance(specs, ContactTable):
            new = ContactColumns(specs.ids, specs.tags)
        else:
            new = ContactColumns(list(map(itemgetter(0), specs)), list(map(itemgetter(6), specs)))
        self.contacts.ids.extend(new.ids)  # type: ignore[attr-defined]
        self.contacts.tags.extend(new.tags)  # type: ignore[attr-defined]
        if self.state.started:
            self._enroll(new, day)

    def add_sender_profile(self, branch: int, profile: str, day: int) -> None:
        weight = next(p.weight for p in self.scenario.sender_profiles if p.id == profile)
        self.branches[branch].roster.attach(profile, weight)
        if self.state.started:
            self._release_waiting(branch)

    def remove_sender_profile(self, branch: int, profile: str, mode: RemovalMode | None) -> None:
        if mode is RemovalMode.MOVE and self.state.started:
            self._move(branch, profile)
            return
        removal = self.branches[branch].roster.remove(profile, started=self.state.started, mode=mode)
        if not removal.cancel_tasks:
            return
        canceled = [
            order
            for order, (b, p, status) in enumerate(zip(self._branch, self._profile, self._status, strict=True))
            if b == branch and p == profile and status is ACTIVE
        ]
        for order in canceled:
            self._status[order] = CANCELED
        tally = self.tally.of(branch, profile)
        steps = self._steps[branch]
        for order in canceled:
            if order in self._unqueued:
                tally.pending -= steps.left_from[self._unqueued.pop(order)]
        lane = self._lanes.get(profile)
        if lane is None:
            return
        span, statuses, branches = self._span, self._status, self._branch
        leaving = lane.take_out(lambda code: statuses[code // span] is CANCELED and branches[code // span] == branch)
        for due, code in leaving:
            tally.pending -= steps.left_from[code % span]
            self._canceled_due[code // span] = due

    def _move(self, branch: int, profile: str) -> None:
        """Remove with ``move`` (SPEC §12): its contacts not yet contacted go to the others, with their due days."""
        mine = [
            order
            for order, (b, p, status) in enumerate(zip(self._branch, self._profile, self._status, strict=True))
            if b == branch and p == profile and status is ACTIVE
        ]
        contacted = self._contacted(mine)
        rules = self.branches[branch]
        move = move_contacts(
            rules.roster,
            profile,
            ((self._contact[order], order in contacted) for order in mine),
            self.facts,
            ignore_previous_interactions=self.ignore_history,
        )
        leaving = [order for order in mine if order not in contacted]
        old_tally, count = self.tally.of(branch, profile), self._steps[branch].count
        new_profile: dict[int, str] = {}
        for order, assignment in zip(leaving, move.moved, strict=True):
            new = str(assignment.profile)
            old_tally.contacts[self._reason[order]] -= 1  # type: ignore[index]
            old_tally.pending -= count  # not contacted yet: all its tasks are pending
            tally = self.tally.of(branch, new)
            tally.contacts[assignment.reason] += 1  # type: ignore[index]
            tally.pending += count
            self._profile[order], self._reason[order] = new, assignment.reason
            self._moved_from[order] = profile
            new_profile[order] = new
            if assignment.ignored_override is not None:
                self.ignored_overrides += 1
                self.warnings.append(
                    f"contact '{assignment.contact}': override '{assignment.ignored_override}' is not an active "
                    f"sender profile of branch '{self.branch_ids[branch]}', so the next rule decided"
                )
        lane = self._lanes.get(profile)
        if lane is None or not new_profile:
            return
        span = self._span
        going: dict[tuple[str, int], list[int]] = defaultdict(list)
        for due, code in lane.take_out(lambda code: code // span in new_profile):
            going[(new_profile[code // span], due)].append(code)
        for (new, due), codes in going.items():
            target = self._lane(new)
            target.branches.add(branch)
            target.add(due, codes)  # the same due day, in its place by enrollment order

    def _contacted(self, orders: list[int]) -> set[int]:
        """Which of these enrollments have a done task (before the run or in it)."""
        wanted = set(orders)
        found = {order for order in wanted if self._seeded.get(order)}
        span = self._span
        for _, _, codes in self._done:
            for code in codes:
                if code // span in wanted:
                    found.add(code // span)
        return found

    # -- the daily work --------------------------------------------------------------

    def work_day(self, day: int) -> None:
        """Each profile does its due tasks, oldest first, up to its daily limit (SPEC §5).

        A profile with limits per action kind passes over a task whose kind
        reached its limit, and one with days off works only on its working
        days (SPEC §12). Tasks done today before the run, in every automation
        (or, unsaid, in this one), count against the daily limit of day 0;
        this automation's tasks of the last seven days count per kind too.
        """
        running = self.state is AutomationState.RUNNING
        for profile, limit in self.limits.items():
            used = max(self._used_today.get(profile, 0), self._ours_today[profile]) if day == 0 else 0
            lane = self._lanes.get(profile)
            allowance = self._allowances.get(profile)
            done = 0
            if allowance is None:
                if running and lane is not None:
                    done = self._take_slices(profile, lane, limit - used, day)  # type: ignore[arg-type]
            else:
                today = allowance.open_day(day, used)  # the counters move on, working or not
                if running and lane is not None and today.working:
                    if isinstance(lane, KindLanes):
                        done = self._take_by_kind(profile, lane, today, day)
                    else:
                        done = self._take_slices(profile, lane, today.room, day)
            self.done_per_day[profile].append(done + (self._ours_today[profile] if day == 0 else 0))

    def _take_slices(self, profile: str, lane: Lane, room: int, day: int) -> int:
        """Up to ``room`` due tasks, oldest first, a slice of a due day's bucket at a time; how many."""
        done = 0
        while room > 0 and lane.days and lane.days[0] <= day:
            due = lane.days[0]
            # A task whose next one falls due the same day is worked alone, so the next one
            # can take its place among that day's tasks.
            size = 1 if due == day and any(self._steps[b].same_day_follow for b in lane.branches) else room
            taken = lane.take(due, size)
            room -= len(taken)
            done += len(taken)
            self._finish(profile, lane, due, day, taken)
        return done

    def _take_by_kind(self, profile: str, lane: KindLanes, today: ProfileDay, day: int) -> int:
        """Due tasks in SPEC §5's order, passing over a kind at its limit (it stays due, in its place); how many.

        Each kind's tasks wait in their own lane, ordered by (due day, code).
        The next tasks are those of the lane whose first task comes first
        among the kinds that may still go: a slice of them at once, up to
        the kind's room and to where another kind's first task comes in.
        """
        done = 0
        lanes = lane.by_kind
        one_at_a_time = any(self._steps[b].same_day_follow for b in lane.branches)
        while not today.full:
            heads = []
            for kind, part in lanes.items():
                left = today.left(kind)
                if left > 0 and (first := part.first()) is not None and first[0] <= day:
                    heads.append((first, kind, left))
            if not heads:
                break
            heads.sort()
            (due, _), kind, count = heads[0]
            bucket = lanes[kind].buckets[due]  # latest first: the slice is taken off its end
            if one_at_a_time and due == day:  # a next task due today must find its place among these
                count = 1
            elif len(heads) > 1 and heads[1][0][0] == due:  # only the codes before the other kind's first
                count = min(count, len(bucket) - bisect_left(bucket, -heads[1][0][1], key=neg))
            taken = lanes[kind].take(due, count)
            today.took(kind, len(taken))
            done += len(taken)
            self._finish(profile, lane, due, day, taken)
        for kind, part in lanes.items():  # the kinds its own limits held back today, for the forecast to say
            first = part.first()
            hold = today.hold(kind) if first is not None and first[0] <= day else None
            if hold is not None and hold.reason in (HoldReason.WEEKLY_LIMIT, HoldReason.KIND_DAILY_LIMIT):
                self.held_back.append((day, profile, hold))
        return done

    def _finish(self, profile: str, lane: Lane | KindLanes, due: int, day: int, taken: list[int]) -> None:
        """These tasks are done today; the next ones fall due after the waits between them."""
        self._done.append((due, day, taken))
        span = self._span
        if len(lane.branches) == 1:
            (branch,) = lane.branches
            groups = {branch: taken}
        else:
            groups = defaultdict(list)
            for code in taken:
                groups[self._branch[code // span]].append(code)
        for branch, codes in groups.items():
            tally = self.tally.of(branch, profile)
            tally.pending -= len(codes)
            tally.done += len(codes)
            tally.last_done = day
            following = self._steps[branch].following
            steps = {code % span for code in codes}
            for step in steps:
                after = following[step]
                if after is None:
                    continue
                shift = after[0] - step
                same = codes if len(steps) == 1 else [c for c in codes if c % span == step]
                lane.add(day + after[1], [code + shift for code in same])

    def _can_progress(self, day: int) -> bool:
        if self.state is not AutomationState.RUNNING:
            return False
        return any(
            t.pending > 0 and self.limits[p] > 0 and self._may_ever_work(p) for (_, p), t in self.tally.profiles.items()
        )

    def _may_ever_work(self, profile: str) -> bool:
        """False when every task queued for the profile is of a kind a limit of 0 keeps it from (SPEC §12)."""
        lane = self._lanes.get(profile)
        if not isinstance(lane, KindLanes):
            return True
        limits = self.profile_limits[profile]
        return any(part.days and not limits.never(kind) for kind, part in lane.by_kind.items())

    # -- the outcome ---------------------------------------------------------------------

    @property
    def ordered(self) -> list[SimEnrollment]:
        """The enrollments so far, in order, each with its tasks as they stand now."""
        span = self._span
        finished = [list(self._seeded.get(order, ())) for order in range(len(self._contact))]
        for due, day, codes in self._done:
            for code in codes:
                finished[code // span].append((due, day))
        due_of: dict[int, int] = dict(self._canceled_due)
        for lane in self._lanes.values():
            for part in lane.parts:
                for due, bucket in part.buckets.items():
                    for code in bucket:
                        due_of[code // span] = due
        chains = [b.chain for b in self.branches]
        return [
            SimEnrollment(
                order, self._contact[order], branch, self._day[order], chains[branch], self._profile[order],
                self._reason[order], self._status[order], finished[order], due_of.get(order),
                self._moved_from.get(order),
            )
            for order, branch in enumerate(self._branch)
        ]  # fmt: skip

    def run(self) -> SimulationResult:
        """Each day: that day's events in file order, then that day's tasks."""
        day = self._run_days()
        return SimulationResult(
            self.scenario,
            day,
            lambda: self.ordered,
            [b.roster for b in self.branches],
            self.done_per_day,
            self.warnings,
            self.ignored_overrides,
            self.tally,
            self.held_back,
        )


def simulate(scenario: Scenario) -> SimulationResult:
    """Run a scenario: a line of steps by the column run, a path that reacts to people by :class:`PathRun`."""
    from builder.engine.path_run import PathRun, uses_paths

    if uses_paths(scenario):
        return PathRun(scenario).run()
    return Simulation(scenario).run()
