"""A stored automation as a scenario file (SPEC §7): what the simulation pane runs and saves.

Day 0 is the workspace's today. A draft is written as it would start today; a
started automation carries its standing in the ``state`` block
(:mod:`builder.engine.run_state`), so ``simulate`` takes it up from today. The
what-if adds new contacts to the first branch's segment every day.
"""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import repeat
from operator import itemgetter
from typing import Any

from builder.engine.paths import PathPlan
from builder.engine.run_state import AttachedState, DecisionState, EnrollmentState, RunState, TaskState
from builder.engine.scenario import (
    AutomationSpec,
    BranchSpec,
    ContactSpec,
    ContactTable,
    Event,
    InteractionSpec,
    ProfileSpec,
    Scenario,
)
from builder.engine.scenario_parts import Rate, Rates
from builder.engine.scenario_writer import scenario_data
from builder.engine.segments import SegmentDefinition, SegmentRule
from builder.engine.words import AutomationState, Channel, EnrollmentStatus, NodeKind, Outcome, Reason, TaskStatus
from builder.store.branch_history import BranchHistoryMixin
from builder.store.database import WorkspaceError
from builder.store.loading import (
    load_automation_branches_with_nodes,
    load_branch_paths,
    load_stop_on_reply,
    query,
)
from builder.store.profile_limits import EVERY_DAY, parse_days, parse_limits


def _profile(pid: int) -> str:
    return f"p{pid}"


scenario_profile_id = _profile


def _profile_spec(
    pid: int, name: str, channel: str, daily_limit: int, weight: int, limits: str, weekly: str, days: str
) -> ProfileSpec:
    return ProfileSpec(
        _profile(pid),
        name,
        daily_limit,
        weight,
        Channel(channel),
        {NodeKind(k): v for k, v in parse_limits(limits).items()},
        {NodeKind(k): v for k, v in parse_limits(weekly).items()},
        parse_days(days),
    )


def _uses_schedule(profile: ProfileSpec) -> bool:
    return bool(profile.limits or profile.weekly_limits or profile.working_days != EVERY_DAY)


def _contact(cid: int) -> str:
    return f"c{cid}"


class ScenarioExportMixin(BranchHistoryMixin):
    def scenario_for(self, automation_id: int, *, days: int = 60, new_contacts_per_day: int = 0) -> dict[str, Any]:
        """:meth:`scenario_model` as the JSON values of a scenario file."""
        return scenario_data(self.scenario_model(automation_id, days=days, new_contacts_per_day=new_contacts_per_day))

    def scenario_model(self, automation_id: int, *, days: int = 60, new_contacts_per_day: int = 0) -> Scenario:
        """The automation and the workspace it runs in, as a scenario; refuses an automation with problems.

        Built straight from the rows: what the workspace holds is already
        checked, so the file parser's checks would only cost time here.
        """
        if not 1 <= days <= 3650:
            raise WorkspaceError("The forecast covers 1 to 3,650 days.")
        if new_contacts_per_day < 0:
            raise WorkspaceError("New contacts per day is 0 or more.")
        today = self.today_number
        with self._read() as conn:
            found = query(
                conn, "SELECT name, state, ignore_previous_interactions FROM automation WHERE id = ?", (automation_id,)
            )
            if not found:
                raise WorkspaceError("That automation no longer exists.")
            name, state, ignore = found[0]
            state = AutomationState(state)
            problems = [p for p in self.problems(automation_id) if p.blocking] if not state.started else []
            if problems:
                # The count first: a narrow status line still says how much is left to do.
                count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
                raise WorkspaceError(
                    f"Fix the {count} listed above the canvas to see a forecast: "
                    + " ".join(p.message for p in problems)
                )
            tags = dict(query(conn, "SELECT id, name FROM tag"))
            profiles = tuple(
                _profile_spec(*row)
                for row in query(
                    conn,
                    "SELECT id, name, channel, daily_limit, weight, limits, weekly_limits, working_days "
                    "FROM sender_profile ORDER BY id",
                )
            )
            # Day 0 is today: its real weekday, written only when a profile's limits or days off make it matter
            # (SPEC §12), so a workspace without them exports what it always did.
            start_weekday = self.today.weekday() if any(_uses_schedule(p) for p in profiles) else 0
            contacts = _contacts(
                query(conn, "SELECT id, name, company, title, email, linkedin_url FROM contact ORDER BY id"),
                query(conn, _TAG_LISTS[conn.dialect.name == "postgresql"]),
                tags,
            )
            interactions = _interactions(
                query(conn, "SELECT contact_id, sender_profile_id, day FROM interaction ORDER BY id"), today
            )
            overrides = {
                _contact(c): _profile(p)
                for c, p in query(conn, "SELECT contact_id, sender_profile_id FROM override ORDER BY contact_id")
            }
            branches, rosters = load_automation_branches_with_nodes(conn, automation_id)
            # The path after each Sender Profile node as a tree, control steps with their settings (SPEC §10).
            trees = {int(p.sender_profile): p.steps for p in load_branch_paths(conn, automation_id)}
            for branch in branches:
                branch["steps"] = trees.get(branch["node"], branch["steps"])
            stop_on_reply = load_stop_on_reply(conn, automation_id)
            rates = _rates(query(conn, "SELECT rates FROM automation WHERE id = ?", (automation_id,))[0][0])
            names = {b["node"]: b["id"] for b in branches}
            run_state = self._run_state(conn, automation_id, state, rosters, names, today) if state.started else None

        branch_specs = tuple(
            BranchSpec(
                branch["id"],
                _segment(branch["segment"], tags),
                () if state.started else tuple(_profile(a.profile) for a in rosters[branch["node"]] if a.assignable),
                tuple(branch["steps"]),
            )
            for branch in branches
        )
        events: list[Event] = [] if state.started else [Event(0, "start", "events[0]")]
        if new_contacts_per_day and branch_specs:
            first = branch_specs[0].segment
            new_tags = (
                tuple(sorted(first.tags))[:1] if first.rule is SegmentRule.TAGS_ANY else tuple(sorted(first.tags))
            )
            for day in range(1, days):
                joining = tuple(
                    ContactSpec(f"new-{day}-{i}", f"New contact {day}.{i + 1}", tags=new_tags)
                    for i in range(new_contacts_per_day)
                )
                events.append(Event(day, "add_contacts", f"events[{len(events)}]", new_contacts=joining))
        return Scenario(
            sender_profiles=profiles,
            contacts=contacts,
            interactions=interactions,
            overrides=overrides,
            automation=AutomationSpec(name, branch_specs, bool(ignore), stop_on_reply, rates),
            events=tuple(events),
            days=days,
            state=run_state,
            start_weekday=start_weekday,
        )

    def branch_names(self, automation_id: int) -> dict[int, str]:
        """Each Sender Profile node's branch id in this automation's scenario."""
        with self._read() as conn:
            branches, _ = load_automation_branches_with_nodes(conn, automation_id)
        return {b["node"]: b["id"] for b in branches}

    def _run_state(
        self,
        conn: Any,
        automation_id: int,
        state: AutomationState,
        rosters: dict,
        node_branch: dict[int, str],
        today: int,
    ) -> RunState:
        # Each step's node and its address on its branch's path (SPEC §10): a path with control nodes names
        # its tasks by address, and its enrollments say their route, where they are and what they did.
        address: dict[int, str] = {}
        tree_branches: set[int] = set()
        for path in load_branch_paths(conn, automation_id):
            plan = PathPlan.of(path.steps)
            address.update({int(n): plan.nodes[i].address for i, n in enumerate(path.node_ids)})
            if not plan.is_linear:
                tree_branches.add(int(path.sender_profile))
        tasks_by_enrollment: dict[int, list[tuple]] = defaultdict(list)
        for enrollment, step, node, status, due, done in query(
            conn,
            "SELECT t.enrollment_id, t.step_index, t.step_node_id, t.status, t.due_day, t.done_day FROM task t "
            "JOIN enrollment e ON e.id = t.enrollment_id WHERE e.automation_id = ? ORDER BY t.enrollment_id, t.id",
            (automation_id,),
        ):
            # A skipped task counts as finished for the forecast: the contact moved on. An email a sender has
            # claimed (``sending``) counts as done today, as today's plan counts it: the server has it or soon will.
            if status == TaskStatus.SENDING.value:
                status, done = TaskStatus.DONE, today
            status = TaskStatus.DONE if status == "skipped" else TaskStatus(status)
            tasks_by_enrollment[enrollment].append(
                (step, status, None if due is None else due - today, None if done is None else done - today, node)
            )
        decisions: dict[int, list[DecisionState]] = defaultdict(list)
        for enrollment, node, output, day in query(
            conn,
            "SELECT d.enrollment_id, d.node_id, d.output, d.day FROM decision d JOIN enrollment e "
            "ON e.id = d.enrollment_id WHERE e.automation_id = ? ORDER BY d.enrollment_id, d.id",
            (automation_id,),
        ):
            decisions[enrollment].append(DecisionState(address[node], output, day - today))
        seen: dict[int, set[str]] = defaultdict(set)
        bounced: dict[int, int] = {}
        for enrollment, kind, day in query(
            conn, "SELECT enrollment_id, kind, day FROM outcome WHERE automation_id = ?", (automation_id,)
        ):
            seen[enrollment].add(kind)
            if kind == "bounced":
                bounced[enrollment] = max(day - today, bounced.get(enrollment, day - today))

        def enrollment_state(eid: int, contact: int, node: int, profile: int | None, reason: str | None,
                             status: str, day: int, at_node: int | None, arrived: int | None) -> EnrollmentState:  # fmt: skip
            on_path = node in tree_branches or eid in seen
            tasks = tuple(
                TaskState(step, task_status, due, done, address.get(task_node) if on_path else None)
                for step, task_status, due, done, task_node in tasks_by_enrollment.get(eid, ())
            )
            at = None if at_node is None or arrived is None else (address[at_node], arrived - today)
            return EnrollmentState(
                _contact(contact),
                node_branch[node],
                None if profile is None else _profile(profile),
                None if reason is None else Reason(reason),
                day - today,
                EnrollmentStatus(status),
                tasks,
                tuple(decisions.get(eid, ())),
                at,
                tuple(sorted(seen.get(eid, ()))),
                bounced.get(eid),
            )

        enrollments = tuple(
            enrollment_state(*row)
            for row in query(
                conn,
                "SELECT id, contact_id, branch_node_id, sender_profile_id, reason, status, enrolled_day, at_node_id, "
                "arrived_day FROM enrollment WHERE automation_id = ? ORDER BY id",
                (automation_id,),
            )
        )
        done_today = {
            _profile(p): n
            for p, n in query(
                conn,
                "SELECT sender_profile_id, count(*) FROM task WHERE status = ? AND done_day = ? GROUP BY sender_profile_id",
                (TaskStatus.DONE.value, today),
            )
        }
        return RunState(
            state,
            {
                node_branch[node]: tuple(
                    AttachedState(_profile(a.profile), a.state, a.weight, a.current) for a in roster
                )
                for node, roster in rosters.items()
            },
            enrollments,
            done_today,
        )


# Each tagged contact's tag ids in one row: "3,7". The order within a row does not matter.
_TAG_LISTS = (
    "SELECT contact_id, group_concat(tag_id) FROM contact_tag GROUP BY contact_id",
    "SELECT contact_id, string_agg(tag_id::text, ',') FROM contact_tag GROUP BY contact_id",
)


def _contacts(rows: list[tuple], tag_lists: list[tuple], tags: dict[int, str]) -> ContactTable:
    """Each contact with its tag names, company and title (they fill messages, SPEC §11), email and LinkedIn
    URL (a condition asks for them, SPEC §10), as columns; contacts with the same tags share one tuple.

    Each distinct tag list is turned into names once.
    """
    listed = dict(tag_lists)
    ids = list(map(itemgetter(0), rows))
    keys = list(map(listed.get, ids, repeat("")))
    names = {key: tuple(tags[t] for t in sorted(int(i) for i in key.split(",") if i)) for key in set(keys)}
    companies, titles, emails, urls = (list(map(itemgetter(k), rows)) for k in (2, 3, 4, 5))
    return ContactTable(
        list(map("c{}".format, ids)),
        list(map(itemgetter(1), rows)),
        list(map(names.__getitem__, keys)),
        companies if any(companies) else None,
        titles if any(titles) else None,
        emails if any(emails) else None,
        urls if any(urls) else None,
    )


def _interactions(rows: list[tuple], today: int) -> tuple[InteractionSpec, ...]:
    """Interactions with days counted from today; each profile's id string is made once."""
    profiles = {p: _profile(p) for p in set(map(itemgetter(1), rows))}
    fields = zip(
        map("c{}".format, map(itemgetter(0), rows)),
        map(profiles.__getitem__, map(itemgetter(1), rows)),
        [day - today for day in map(itemgetter(2), rows)],
        strict=True,
    )
    return tuple(map(tuple.__new__, repeat(InteractionSpec), fields))


def _rates(stored: str | None) -> Rates | None:
    """The automation's outcome rates (stored as ``set_rates`` keeps them) for the forecast; None when unset."""
    if not stored:
        return None
    try:
        found = json.loads(stored)
        rates = {Outcome(k): Rate(float(v["rate"]), int(v["after_days"])) for k, v in found.items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        return None  # a damaged value forecasts with no rates rather than not at all
    return Rates(rates) if rates else None


def _segment(segment: SegmentDefinition, tags: dict[int, str]) -> SegmentDefinition:
    """A workspace segment (tag and contact ids) in the scenario's words (tag names, contact ids)."""
    if segment.rule is SegmentRule.STATIC:
        return SegmentDefinition(segment.rule, contacts=frozenset(_contact(c) for c in segment.contacts))
    if segment.rule is SegmentRule.EVERYONE:
        return SegmentDefinition(segment.rule)
    return SegmentDefinition(segment.rule, tags=frozenset(tags[t] for t in segment.tags))
