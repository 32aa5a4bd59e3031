"""How contacts enroll in a path run and set out on their branch's path (SPEC §4, §10).

:class:`PathStart` is the part of :class:`~builder.engine.path_run.PathRun`
that takes routed, assigned contacts (the rules of §4 are
:func:`~builder.engine.enrollment.route_and_assign`'s, as in the column run)
and gives each its enrollment, its first tasks and its place in its sender
profile's lane. A start may enroll a hundred thousand contacts at once, so
the common case — everyone in one branch, with a profile, on a path that
opens with a task — is done column by column.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from builder.engine.assignment import ContactColumns, KnownFacts
from builder.engine.enrollment import BranchRules, release_waiting, route_and_assign
from builder.engine.path_keys import DUE_SHIFT, POSITION_BITS
from builder.engine.path_walk import ACTIVE, PathEnrollment, PathTask
from builder.engine.paths import PathPlan
from builder.engine.run_result import ProfileTally, RunTally
from builder.engine.words import NodeKind, Reason


class PathStart:
    """Enrolling contacts and setting them out: a part of :class:`~builder.engine.path_run.PathRun`."""

    plans: list[PathPlan]
    branches: list[BranchRules]
    branch_ids: list[str]
    facts: KnownFacts
    ignore_history: bool
    enrolled: dict[str, PathEnrollment]
    order: list[PathEnrollment]
    waiting: list[list[PathEnrollment]]
    tally: RunTally
    warnings: list[str]
    ignored_overrides: int
    _lane: Any
    _make_tasks: Any
    _move_on: Any

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
            tallies[profile].pending += len(orders) * len(made)
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
