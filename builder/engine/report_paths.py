"""What ``simulate`` prints for a run with paths (SPEC §10): every task names its node; routes and outcomes.

:func:`path_result_object` is the reference, a dict as the SPEC words it;
:func:`path_json_pairs` writes the same text straight from the run, a line at
a time from templates made once per profile, node and status, and counts the
summaries on the way (tests/engine hold the two to the same bytes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.engine.json_lines import BATCH, Lines, dumps, text
from builder.engine.report import _assignment_lines, _empty_total, _Summaries, assignment_record
from builder.engine.report_messages import MessageFiller, has_message
from builder.engine.run_result import SimulationResult
from builder.engine.words import EnrollmentStatus, Outcome, TaskStatus


def path_result_object(result: SimulationResult) -> dict[str, Any]:
    """The object of a run with paths (SPEC §10): every task names its ``node``; ``routes`` and ``outcomes`` follow."""
    summary = _Summaries.start(result)
    branch_ids, totals, per_branch, last_done = summary.branch_ids, summary.totals, summary.outcomes, summary.last_done
    plans = result.plans  # type: ignore[attr-defined]
    filler = MessageFiller(result.scenario)
    assignments, tasks, routes = [], [], []
    for e in result.enrollments:
        branch = branch_ids[e.branch]
        profile = e.profile
        assignments.append(assignment_record(e, branch))
        nodes = plans[e.branch].nodes
        routes.append(
            {
                "contact": e.contact,
                "branch": branch,
                "decisions": [
                    {"node": nodes[index].address, "output": output, "day": day} for index, output, day in e.decisions
                ],
            }
        )
        count = per_branch[branch]
        count["contacts"] += 1
        if e.status is EnrollmentStatus.WAITING:
            count["waiting"] += 1
        if profile is None:
            continue
        total = totals[profile].setdefault(branch, _empty_total())
        total["contacts"] += 1
        for task in e.tasks:
            node = nodes[task.node]
            record = {
                "contact": e.contact,
                "branch": branch,
                "sender_profile": profile,
                "node": node.address,
                "step": node.position,
                "type": task.kind.value,
                "status": task.status.value,
                "due_day": task.due_day,
                "done_day": task.done_day,
            }
            if task.status is TaskStatus.DONE and has_message(node.step):
                record.update(filler.fields(node.step, e.contact, profile))
            tasks.append(record)
            total["tasks"][task.status.value] += 1
            if task.status is TaskStatus.PENDING:
                count["pending_tasks"] += 1
            elif task.done_day is not None:
                seen = last_done[branch]
                last_done[branch] = task.done_day if seen is None else max(seen, task.done_day)
    closing = dict(summary.closing_pairs(result))
    closing["forecast"]["outcomes_per_day"] = _outcomes_per_day(result, closing["forecast"]["done_per_day"])
    return {
        "automation": result.scenario.automation.name,
        "days": result.days,
        "assignments": assignments,
        "tasks": tasks,
        "routes": routes,
        "outcomes": _outcome_records(result, branch_ids),
        **closing,
    }


def _outcome_records(result: SimulationResult, branch_ids: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "contact": o.contact,
            "branch": branch_ids[o.branch],
            "sender_profile": o.profile,
            "outcome": o.outcome.value,
            "day": o.day,
            "source": o.source,
        }
        for o in result.outcomes  # type: ignore[attr-defined]
    ]


def _outcome_lines(result: SimulationResult, branch_ids: list[str]) -> Iterator[list[str]]:
    """The lines of :func:`_outcome_records`, each written from its parts (a large run has tens of thousands)."""
    branches = [dumps(b) for b in branch_ids]
    values = {o: dumps(o.value) for o in Outcome}
    sources: dict[str, str] = {}
    profiles: dict[str, str] = {}
    out: list[str] = []
    for o in result.outcomes:  # type: ignore[attr-defined]
        if len(out) >= BATCH:
            yield out
            out = []
        profile = profiles.get(o.profile)
        if profile is None:
            profile = profiles[o.profile] = dumps(o.profile)
        source = sources.get(o.source)
        if source is None:
            source = sources[o.source] = dumps(o.source)
        out.append(
            f'{{"contact": {text(o.contact)}, "branch": {branches[o.branch]}, "sender_profile": {profile}, '
            f'"outcome": {values[o.outcome]}, "day": {o.day}, "source": {source}}}'
        )
    yield out


def _outcomes_per_day(result: SimulationResult, profiles: dict[str, list[int]]) -> dict[str, dict[str, list[int]]]:
    """Accepted, replied and bounced per day for each profile that has any, for the forecast."""
    per_day: dict[str, dict[str, list[int]]] = {}
    days = result.days
    for record in result.outcomes:  # type: ignore[attr-defined]
        if record.profile in profiles and record.day < days:
            counts = per_day.get(record.profile)
            if counts is None:
                counts = per_day[record.profile] = {o.value: [0] * days for o in Outcome}
            counts[record.outcome.value][record.day] += 1
    return dict(sorted(per_day.items()))


def path_json_pairs(result: SimulationResult) -> Iterator[tuple[str, Any]]:
    """The keys of :func:`path_result_object` in order; the task lines count the summaries as they go."""
    summary = _Summaries.start(result)
    branch_ids = summary.branch_ids
    enrollments = result.enrollments
    yield "automation", result.scenario.automation.name
    yield "days", result.days
    yield "assignments", Lines(_assignment_lines(enrollments, branch_ids))
    yield "tasks", Lines(_task_lines(result, summary))
    yield "routes", Lines(_route_lines(result, branch_ids))
    yield "outcomes", Lines(_outcome_lines(result, branch_ids))
    closing = dict(summary.closing_pairs(result))
    closing["forecast"]["outcomes_per_day"] = _outcomes_per_day(result, closing["forecast"]["done_per_day"])
    yield from closing.items()


def _task_lines(result: SimulationResult, summary: _Summaries) -> Iterator[list[str]]:
    """One line per task; ``summary`` counts contacts, tasks by status, the waiting and the last day done.

    The text between the contact and the due day is the same for every task
    of one branch, profile, node and status, so it is made once per such
    four (a few dozen in a run of a hundred thousand contacts), found by the
    node and status in a table per branch and profile, and counts its tasks;
    each line is the contact's text, that template and the two days. A done
    task whose step has a message (SPEC §11) adds it, filled in for the
    contact; a node without one writes what it wrote before. The counts go
    into ``summary`` once every line is written.
    """
    filler = MessageFiller(result.scenario)
    branch_ids, totals, per_branch, last_done = summary.branch_ids, summary.totals, summary.outcomes, summary.last_done
    plans = result.plans  # type: ignore[attr-defined]
    pending, waiting_status = TaskStatus.PENDING, EnrollmentStatus.WAITING
    # (branch, profile) -> per node: status -> [the template, how many tasks, the step if its task has a message]
    tables: dict[tuple[int, str], list[dict[TaskStatus, list[Any]]]] = {}
    out: list[str] = []
    for e in result.enrollments:
        if len(out) >= BATCH:
            yield out
            out = []
        branch = branch_ids[e.branch]
        count = per_branch[branch]
        count["contacts"] += 1
        if e.status is waiting_status:
            count["waiting"] += 1
        profile = e.profile
        if profile is None:
            continue
        total = totals[profile].get(branch)
        if total is None:
            total = totals[profile][branch] = _empty_total()
        total["contacts"] += 1
        table = tables.get((e.branch, profile))
        if table is None:
            table = tables[(e.branch, profile)] = [{} for _ in plans[e.branch].nodes]
        contact = text(e.contact)
        for task in e.tasks:
            status = task.status
            entry = table[task.node].get(status)
            if entry is None:
                node = plans[e.branch].nodes[task.node]
                says = node.step if status is TaskStatus.DONE and has_message(node.step) else None
                entry = table[task.node][status] = [_task_template(branch, profile, node, task, status), 0, says]
            entry[1] += 1
            due, done = task.due_day, task.done_day
            if entry[2] is None:
                out.append(
                    f'{{"contact": {contact}{entry[0]}{"null" if due is None else due}'
                    f', "done_day": {"null" if done is None else done}}}'
                )
            else:
                out.append(
                    f'{{"contact": {contact}{entry[0]}{"null" if due is None else due}'
                    f', "done_day": {"null" if done is None else done}'
                    f"{filler.json_text(entry[2], e.contact, profile)}}}"
                )
            if done is not None and status is not pending:
                seen = last_done[branch]
                if seen is None or done > seen:
                    last_done[branch] = done
    yield out
    for (branch_index, profile), table in tables.items():
        branch = branch_ids[branch_index]
        by_status = totals[profile][branch]["tasks"]
        for per_status in table:
            for status, (_, tasks, _) in per_status.items():
                by_status[status.value] += tasks
                if status is pending:
                    per_branch[branch]["pending_tasks"] += tasks


def _task_template(branch: str, profile: str, node: Any, task: Any, status: TaskStatus) -> str:
    """A task line's text from after the contact's id up to its due day."""
    return (
        f', "branch": {dumps(branch)}, "sender_profile": {dumps(profile)}, '
        f'"node": {dumps(node.address)}, "step": {node.position}, "type": {dumps(task.kind.value)}, '
        f'"status": {dumps(status.value)}, "due_day": '
    )


def _route_lines(result: SimulationResult, branch_ids: list[str]) -> Iterator[list[str]]:
    """One line per enrollment: its decisions, each its node, output and day.

    Contacts that went the same way on the same days share one text of their
    decisions (a large run has a few hundred such routes), made once.
    """
    plans = result.plans  # type: ignore[attr-defined]
    addresses = [[dumps(n.address) for n in plan.nodes] for plan in plans]
    branches = [dumps(b) for b in branch_ids]
    routes: dict[tuple[int, tuple[tuple[int, str, int], ...]], str] = {}  # (branch, decisions) -> their text
    out: list[str] = []
    for e in result.enrollments:
        if len(out) >= BATCH:
            yield out
            out = []
        key = (e.branch, tuple(e.decisions))
        route = routes.get(key)
        if route is None:
            route = routes[key] = (
                f'"branch": {branches[e.branch]}, "decisions": ['
                + ", ".join(
                    f'{{"node": {addresses[e.branch][index]}, "output": {dumps(output)}, "day": {day}}}'
                    for index, output, day in e.decisions
                )
                + "]}"
            )
        out.append(f'{{"contact": {text(e.contact)}, {route}')
    yield out
