"""Where a started automation stands, as a scenario can carry it (an extension of SPEC §7).

A scenario saved from a running automation starts on "today" = day 0 with the
automation already started: its branches' sender profiles (state, weight,
the rotation's values) and every enrollment so far with its tasks, days
counted from today (so past days are negative). ``simulate`` then goes on
from there exactly as the workspace would.

    "state": {
      "automation": "running",
      "sender_profiles": {"ctos": [{"sender_profile": "anna", "state": "active", "weight": 1, "rotation": 0}]},
      "enrollments": [{"contact": "c1", "branch": "ctos", "sender_profile": "anna",
                       "reason": "even_distribution", "day": -2, "status": "active",
                       "tasks": [{"step": 0, "status": "done", "due_day": -2, "done_day": -2},
                                 {"step": 2, "status": "pending", "due_day": 1, "done_day": null}]}],
      "done_today": {"anna": 3}
    }

``done_today`` (optional) counts the tasks each profile has already done
today in all automations; they count against its daily limit on day 0
(without it, this automation's tasks done on day 0 do). Each enrollment with
a sender profile lists one task per action step of its branch: the done ones
first, then pending or canceled ones; only the first pending one has a due day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from builder.engine.roster import Attachment, BranchRoster
from builder.engine.steps import Step, is_linear
from builder.engine.words import AutomationState, EnrollmentStatus, ProfileState, Reason, TaskStatus

if TYPE_CHECKING:
    from builder.engine.json_reader import JsonReader
    from builder.engine.scenario_parts import BranchSpec


@dataclass(frozen=True)
class AttachedState:
    sender_profile: str
    state: ProfileState
    weight: int
    rotation: int


@dataclass(frozen=True)
class TaskState:
    step: int  # its index in its own list
    status: TaskStatus
    due_day: int | None
    done_day: int | None
    node: str | None = None  # its address, on a path with control nodes (SPEC §10)


@dataclass(frozen=True)
class DecisionState:
    node: str
    output: str
    day: int


@dataclass(frozen=True)
class EnrollmentState:
    contact: str
    branch: str
    sender_profile: str | None
    reason: Reason | None
    day: int
    status: EnrollmentStatus
    tasks: tuple[TaskState, ...]
    # On a path with control nodes (SPEC §10): the route so far, the node it waits at or will arrive at
    # (and the day it arrived or arrives), the outcomes seen since it enrolled, and the day of a bounce.
    decisions: tuple[DecisionState, ...] = ()
    at: tuple[str, int] | None = None
    seen: tuple[str, ...] = ()
    bounce_day: int | None = None


@dataclass(frozen=True)
class RunState:
    automation: AutomationState
    sender_profiles: dict[str, tuple[AttachedState, ...]]
    enrollments: tuple[EnrollmentState, ...]
    # Tasks each sender profile has already done today (day 0), in every
    # automation: they count against today's daily limit (SPEC §5).
    done_today: dict[str, int] = field(default_factory=dict)

    def roster(self, branch_id: str) -> BranchRoster | None:
        """The branch's sender profiles as the run left them (states, weights, rotation); None if it says none."""
        attached = self.sender_profiles.get(branch_id)
        if attached is None:
            return None
        return BranchRoster(
            Attachment(a.sender_profile, a.weight, a.state, order=i, current=a.rotation) for i, a in enumerate(attached)
        )


def _choice(r: JsonReader, obj: dict[str, Any], key: str, where: str, kind: type, nullable: bool = False) -> Any:
    value = obj.get(key)
    if value is None and nullable and key in obj:
        return None
    try:
        return kind(value)
    except (ValueError, TypeError):
        allowed = ", ".join(v.value for v in kind)
        r.problem(f"{where}.{key}", f"must be one of {allowed}")
        return None


def _task_pattern(
    tasks: list[TaskState], actions: list[int], profile: str | None, status: EnrollmentStatus | None
) -> str | None:
    """What is wrong with an enrollment's tasks as a run leaves them, or None.

    A contact with a profile has one task per action step of its branch, in
    step order: the done ones first, then pending or canceled ones, and only
    the first pending one has a due day (the rest wait for it).
    """
    if profile is None or status is EnrollmentStatus.WAITING:
        return "a contact without a sender profile has no tasks" if tasks else None
    listed = sorted(tasks, key=lambda t: t.step)
    if [t.step for t in listed] != actions:
        return f"must list the branch's action steps {actions}, each once"
    statuses = [t.status for t in listed]
    done = statuses.count(TaskStatus.DONE)
    if TaskStatus.DONE in statuses[done:]:
        return "done tasks come first, in step order, then pending or canceled ones"
    pending = [t for t in listed[done:] if t.status is TaskStatus.PENDING]
    if pending and (pending[0].due_day is None or any(t.due_day is not None for t in pending[1:])):
        return "the first pending task has a due day, and the ones after it have none yet"
    return None


PATH_KEYS = {"decisions", "at", "seen", "bounce_day"}


def _read_path_enrollment(
    r: JsonReader, item: dict[str, Any], at: str, steps: tuple[Step, ...]
) -> (
    tuple[tuple[TaskState, ...], tuple[DecisionState, ...], tuple[str, int] | None, tuple[str, ...], int | None] | None
):
    """An enrollment on a path with control nodes: tasks by node address, its route, where it is."""
    from builder.engine.paths import PathPlan

    plan = PathPlan.of(steps)
    nodes = {n.address: n for n in plan.nodes}
    good = True
    tasks = []
    for j, task in enumerate(r.get(item, "tasks", at, "list", []) or []):
        tat = f"{at}.tasks[{j}]"
        t = r.obj(task, tat, {"node", "step", "status", "due_day", "done_day"})
        if t is None:
            good = False
            continue
        address = t.get("node")
        if address is None and isinstance(t.get("step"), int) and not isinstance(t.get("step"), bool):
            address = str(t["step"])  # a task named by its step is one of the first list's
        node = nodes.get(address) if isinstance(address, str) else None
        if node is None or not node.kind.is_action:
            r.problem(f"{tat}.node", f"no action step at '{address}'")
            good = False
            continue
        status = _choice(r, t, "status", tat, TaskStatus)
        due, done = t.get("due_day"), t.get("done_day")
        for key, value in (("due_day", due), ("done_day", done)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                r.problem(f"{tat}.{key}", "expected a whole number or null")
                good = False
        if status in (None, TaskStatus.SKIPPED) or (status is TaskStatus.DONE and done is None):
            r.problem(f"{tat}.status", "must be pending, done (with its done_day) or canceled")
            good = False
            continue
        tasks.append(TaskState(node.position, status, due, done, address if "node" in t else None))
    if sum(1 for t in tasks if t.status is TaskStatus.PENDING and t.due_day is not None) > 1:
        r.problem(f"{at}.tasks", "only one pending task has a due day: the one the contact is on")
        good = False
    decisions = []
    for j, raw in enumerate(r.get(item, "decisions", at, "list", []) or []):
        dat = f"{at}.decisions[{j}]"
        d = r.obj(raw, dat, {"node", "output", "day"})
        if d is None:
            good = False
            continue
        node = nodes.get(d.get("node")) if isinstance(d.get("node"), str) else None
        if node is None or not node.kind.is_control:
            r.problem(f"{dat}.node", f"no control step at '{d.get('node')}'")
            good = False
            continue
        if d.get("output") not in node.step.output_names:
            r.problem(f"{dat}.output", f"'{node.address}' has no output '{d.get('output')}'")
            good = False
            continue
        day = r.get(d, "day", dat, "int")
        if day is None:
            good = False
            continue
        decisions.append(DecisionState(node.address, d["output"], day))
    where_at = None
    if item.get("at") is not None:
        a = r.obj(item["at"], f"{at}.at", {"node", "day"})
        node = nodes.get(a.get("node")) if a is not None and isinstance(a.get("node"), str) else None
        if a is None or node is None or not (node.kind.is_control or node.kind.is_tag):
            r.problem(f"{at}.at.node", "expected the address of a control or tag step")
            good = False
        else:
            day = r.get(a, "day", f"{at}.at", "int")
            if day is None:
                good = False
            else:
                where_at = (node.address, day)
    seen = tuple(r.str_list(item, "seen", at, []) or ())
    if any(o not in {"accepted", "replied", "bounced"} for o in seen):
        r.problem(f"{at}.seen", "lists outcomes: accepted, replied or bounced")
        good = False
    bounce_day = r.get(item, "bounce_day", at, "int", None)
    if not good:
        return None
    return tuple(tasks), tuple(decisions), where_at, seen, bounce_day


def read_state(
    r: JsonReader, raw: Any, profiles: set[str], contacts: set[str], branches: dict[str, BranchSpec]
) -> RunState | None:
    """Check the ``state`` block; problems are noted on ``r`` with their paths."""
    obj = r.obj(raw, "state", {"automation", "sender_profiles", "enrollments", "done_today"})
    if obj is None:
        return None
    automation = _choice(r, obj, "automation", "state", AutomationState)
    if automation is AutomationState.DRAFT:
        r.problem("state.automation", "a saved run is 'running' or 'paused'; a draft has no state block")
    rosters: dict[str, tuple[AttachedState, ...]] = {}
    rosters_named: dict[str, set[str]] = {}  # each branch's profiles as the state lists them
    raw_rosters = obj.get("sender_profiles", {})
    if not isinstance(raw_rosters, dict):
        r.problem("state.sender_profiles", "expected an object of branch ids")
        raw_rosters = {}
    for branch, rows in raw_rosters.items():
        where = f"state.sender_profiles.{branch}"
        if not isinstance(branch, str) or branch not in branches:
            r.problem(where, f"no branch '{branch}'")
            continue
        if not isinstance(rows, list):
            r.problem(where, "expected a list")
            continue
        found: list[AttachedState] = []
        listed: set[str] = set()  # every profile named, even one whose row has other problems
        for i, row in enumerate(rows):
            at = f"{where}[{i}]"
            item = r.obj(row, at, {"sender_profile", "state", "weight", "rotation"})
            if item is None:
                continue
            profile = item.get("sender_profile")
            if not isinstance(profile, str) or profile not in profiles:
                r.problem(f"{at}.sender_profile", f"no sender profile '{profile}'")
                continue
            if profile in listed:
                r.problem(f"{at}.sender_profile", f"sender profile '{profile}' is listed twice in branch '{branch}'")
                continue
            listed.add(profile)
            state = _choice(r, item, "state", at, ProfileState)
            weight = r.get(item, "weight", at, "int", 1)
            if weight is not None and weight < 1:
                r.problem(f"{at}.weight", f"must be 1 or more, got {weight}")
                weight = None
            rotation = r.get(item, "rotation", at, "int", 0)
            if None not in (state, weight, rotation):
                found.append(AttachedState(profile, state, weight, rotation))
        rosters[branch] = tuple(found)
        rosters_named[branch] = listed
    enrollments = []
    seen: set[str] = set()
    raw_enrollments = r.get(obj, "enrollments", "state", "list", [])
    for i, row in enumerate(raw_enrollments or []):
        at = f"state.enrollments[{i}]"
        item = r.obj(
            row,
            at,
            {"contact", "branch", "sender_profile", "reason", "day", "status", "tasks"} | PATH_KEYS,
        )
        if item is None:
            continue
        contact, branch, profile = item.get("contact"), item.get("branch"), item.get("sender_profile")
        if not isinstance(contact, str) or contact not in contacts:
            r.problem(f"{at}.contact", f"no contact '{contact}'")
            continue
        if contact in seen:
            r.problem(f"{at}.contact", f"contact '{contact}' is enrolled twice")
            continue
        seen.add(contact)
        if not isinstance(branch, str) or branch not in branches:
            r.problem(f"{at}.branch", f"no branch '{branch}'")
            continue
        if profile is not None and (not isinstance(profile, str) or profile not in profiles):
            r.problem(f"{at}.sender_profile", f"no sender profile '{profile}'")
            continue
        attached = rosters_named.get(branch, set(branches[branch].sender_profiles))
        if profile is not None and profile not in attached:
            r.problem(f"{at}.sender_profile", f"sender profile '{profile}' is not attached to branch '{branch}'")
            continue
        reason = _choice(r, item, "reason", at, Reason, nullable=True)
        status = _choice(r, item, "status", at, EnrollmentStatus)
        day = r.get(item, "day", at, "int")
        if day is not None and day > 0:
            r.problem(f"{at}.day", f"is day {day}, after today (day 0): a saved run holds only what has happened")
            day = None
        steps = branches[branch].steps
        raw_tasks = item.get("tasks") if isinstance(item.get("tasks"), list) else []
        by_address = any(isinstance(t, dict) and "node" in t for t in raw_tasks)
        if not is_linear(steps) or by_address or PATH_KEYS & item.keys():
            found_path = _read_path_enrollment(r, item, at, steps)
            if found_path is None:
                continue
            if status is not None and day is not None:
                tasks_read, decisions, where_at, seen_read, bounce_day = found_path
                enrollments.append(
                    EnrollmentState(
                        contact, branch, profile, reason, day, status, tasks_read,
                        decisions, where_at, seen_read, bounce_day,
                    )
                )  # fmt: skip
            continue
        tasks = []
        for j, task in enumerate(r.get(item, "tasks", at, "list", []) or []):
            tat = f"{at}.tasks[{j}]"
            t = r.obj(task, tat, {"step", "status", "due_day", "done_day"})
            if t is None:
                continue
            step = r.get(t, "step", tat, "int")
            if step is not None and not (0 <= step < len(steps) and steps[step].is_action):
                r.problem(f"{tat}.step", f"branch '{branch}' has no action step {step}")
                continue
            task_status = _choice(r, t, "status", tat, TaskStatus)
            if task_status is TaskStatus.SKIPPED:
                r.problem(f"{tat}.status", "must be pending, done or canceled")
                task_status = None
            due = t.get("due_day")
            done = t.get("done_day")
            for key, value in (("due_day", due), ("done_day", done)):
                if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                    r.problem(f"{tat}.{key}", "expected a whole number or null")
                    task_status = None
            if task_status is TaskStatus.DONE and isinstance(done, int) and not isinstance(done, bool):
                if done > 0:
                    r.problem(f"{tat}.done_day", f"is day {done}, after today (day 0): a task is done when it happened")
                    task_status = None
                elif isinstance(day, int) and done < day:
                    r.problem(f"{tat}.done_day", f"is day {done}, before the contact enrolled on day {day}")
                    task_status = None
            elif task_status is TaskStatus.DONE and done is None:
                r.problem(f"{tat}.done_day", "a done task has the day it was done")
                task_status = None
            if step is not None and task_status is not None:
                tasks.append(TaskState(step, task_status, due, done))
        problem = _task_pattern(tasks, [i for i, s in enumerate(steps) if s.is_action], profile, status)
        if problem:
            r.problem(f"{at}.tasks", problem)
            continue
        if status is not None and day is not None:
            enrollments.append(EnrollmentState(contact, branch, profile, reason, day, status, tuple(tasks)))
    done_today: dict[str, int] = {}
    raw_done = obj.get("done_today", {})
    if not isinstance(raw_done, dict):
        r.problem("state.done_today", "expected an object of sender profile ids and counts")
        raw_done = {}
    for profile, count in raw_done.items():
        where = f"state.done_today.{profile}"
        if profile not in profiles:
            r.problem(where, f"no sender profile '{profile}'")
        elif isinstance(count, bool) or not isinstance(count, int) or count < 0:
            r.problem(where, "expected a whole number of 0 or more")
        else:
            done_today[profile] = count
    if automation is None:
        return None
    return RunState(automation, rosters, tuple(enrollments), done_today)
