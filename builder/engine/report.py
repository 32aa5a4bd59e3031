"""What ``simulate`` prints (SPEC §7): the JSON object and the readable summary."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from builder.engine.json_lines import records_json
from builder.engine.simulation import SimulationResult
from builder.engine.words import EnrollmentStatus, Reason, TaskStatus

TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.DONE, TaskStatus.CANCELED)


def result_object(result: SimulationResult) -> dict[str, Any]:
    """The SPEC §7 object.

    ``sender_profiles[profile][branch]`` is the profile's state in that branch,
    as the worked examples fix it; ``profile_totals`` carries the counts of
    contacts and tasks by status with the same keys, and ``forecast`` the work
    per day and the day each branch finishes.
    """
    branch_ids = [b.id for b in result.scenario.automation.branches]
    states: dict[str, dict[str, str]] = defaultdict(dict)
    totals: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for branch, roster in zip(branch_ids, result.rosters, strict=True):
        for attachment in roster.attachments:
            states[str(attachment.profile)][branch] = attachment.state.value
            totals[str(attachment.profile)][branch] = _empty_total()
    outcomes = {b: {"contacts": 0, "waiting": 0, "pending_tasks": 0, "finished_day": None} for b in branch_ids}
    last_done: dict[str, int | None] = dict.fromkeys(branch_ids)
    assignments = []
    tasks = []
    for enrollment in result.enrollments:
        branch = branch_ids[enrollment.branch]
        profile = enrollment.profile
        assignments.append(
            {
                "contact": enrollment.contact,
                "branch": branch,
                "sender_profile": profile,
                "reason": enrollment.reason.value if enrollment.reason else None,
                "day": enrollment.day,
                "status": enrollment.status.value,
            }
        )
        outcome = outcomes[branch]
        outcome["contacts"] += 1
        if enrollment.status is EnrollmentStatus.WAITING:
            outcome["waiting"] += 1
        if profile is None:
            continue
        total = totals[profile].setdefault(branch, _empty_total())
        total["contacts"] += 1
        by_status = total["tasks"]
        for task in enrollment.tasks:  # spelled out once per enrollment
            status = task.status.value
            tasks.append(
                {
                    "contact": enrollment.contact,
                    "branch": branch,
                    "sender_profile": profile,
                    "step": task.step,
                    "type": task.kind.value,
                    "status": status,
                    "due_day": task.due_day,
                    "done_day": task.done_day,
                }
            )
            by_status[status] += 1
            if task.status is TaskStatus.PENDING:
                outcome["pending_tasks"] += 1
            elif task.done_day is not None:
                seen = last_done[branch]
                last_done[branch] = task.done_day if seen is None else max(seen, task.done_day)
    # A branch is finished when nothing in it is pending or waiting: on the day its last task was done.
    for branch, outcome in outcomes.items():
        if outcome["contacts"] and not outcome["waiting"] and not outcome["pending_tasks"]:
            outcome["finished_day"] = last_done[branch]

    return {
        "automation": result.scenario.automation.name,
        "days": result.days,
        "assignments": assignments,
        "tasks": tasks,
        "sender_profiles": {p: dict(sorted(b.items())) for p, b in sorted(states.items())},
        "profile_totals": {p: dict(sorted(b.items())) for p, b in sorted(totals.items())},
        "forecast": {
            "done_per_day": {p: counts for p, counts in sorted(result.done_per_day.items()) if p in states},
            "branches": outcomes,
        },
        "warnings": list(result.warnings),
    }


def _empty_total() -> dict[str, Any]:
    return {"contacts": 0, "tasks": {status.value: 0 for status in TASK_STATUSES}}


def to_json(result: SimulationResult) -> str:
    """The SPEC §7 object as text: one line per key, and one per assignment and task.

    Readable in a diff, and fast: each line goes through the C encoder, which
    ``indent=`` would turn off.
    """
    return records_json(result_object(result))


def _table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: list[str]) -> str:
        out = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)]
        return "  " + "  ".join(out).rstrip()

    return [line(headers), "  " + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def to_text(result: SimulationResult, max_contacts: int = 40) -> str:
    """A readable summary: who goes where and why, then the work day by day."""
    scenario = result.scenario
    names = {p.id: p.name for p in scenario.sender_profiles}
    contact_names = {c.id: c.name for c in scenario.contacts}
    for event in scenario.events:
        contact_names.update({c.id: c.name for c in event.new_contacts})
    branch_ids = [b.id for b in scenario.automation.branches]
    obj = result_object(result)
    out: list[str] = []
    n = len(result.enrollments)
    out.append(
        f"{scenario.automation.name}: {n:,} contact{'s' if n != 1 else ''} enrolled, {result.days} day{'s' if result.days != 1 else ''} simulated"
    )
    out.append("")

    out.append("Who goes to which sender profile, and why")
    rows = []
    for enrollment in result.enrollments[:max_contacts]:
        rows.append(
            [
                contact_names.get(enrollment.contact, enrollment.contact),
                branch_ids[enrollment.branch],
                names.get(enrollment.profile, "—") if enrollment.profile else "— (waiting)",
                enrollment.reason.label if enrollment.reason else "no sender profile yet",
                str(enrollment.day),
                enrollment.status.value,
            ]
        )
    out += _table(["Contact", "Branch", "Sender profile", "Why", "Day", "Status"], rows, {4})
    if n > max_contacts:
        out.append(f"  … and {n - max_contacts:,} more (--json lists every one)")
    out.append("")

    out.append("Per sender profile")
    reasons: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for enrollment in result.enrollments:
        if enrollment.profile is not None and enrollment.reason is not None:
            reasons[(enrollment.profile, branch_ids[enrollment.branch])][enrollment.reason.value] += 1
    rows = []
    for profile, per_branch in obj["sender_profiles"].items():
        for branch, state in per_branch.items():
            totals = obj["profile_totals"][profile][branch]
            why = reasons[(profile, branch)]
            rows.append(
                [
                    names.get(profile, profile),
                    branch,
                    state,
                    f"{totals['contacts']:,}",
                    *(f"{why[r.value]:,}" for r in Reason),
                    *(f"{totals['tasks'][s.value]:,}" for s in TASK_STATUSES),
                ]
            )
    out += _table(
        ["Sender profile", "Branch", "State", "Contacts", "Override", "History", "Even", "Pending", "Done", "Canceled"],
        rows,
        set(range(3, 10)),
    )
    out.append("")

    done = obj["forecast"]["done_per_day"]
    profiles = list(done)
    active_days = [d for d in range(result.days) if any(done[p][d] for p in profiles)]
    out.append("Tasks done per day" + ("" if active_days else ": none"))
    if active_days:
        rows = [
            [str(d), *(str(done[p][d]) for p in profiles), str(sum(done[p][d] for p in profiles))] for d in active_days
        ]
        out += _table(["Day", *(names.get(p, p) for p in profiles), "Total"], rows, set(range(len(profiles) + 2)))
        idle = result.days - len(active_days)
        if idle:
            out.append(f"  ({idle} day{'s' if idle != 1 else ''} with no tasks done not shown)")
    out.append("")

    out.append("Branches")
    for branch, entry in obj["forecast"]["branches"].items():
        if entry["finished_day"] is not None:
            status = f"finished on day {entry['finished_day']}"
        elif not entry["contacts"]:
            status = "nobody enrolled"
        else:
            parts = []
            if entry["pending_tasks"]:
                parts.append(f"{entry['pending_tasks']:,} tasks still pending")
            if entry["waiting"]:
                parts.append(f"{entry['waiting']:,} contacts waiting for a sender profile")
            status = "not finished: " + ", ".join(parts) if parts else "no task done"
        out.append(f"  {branch}: {entry['contacts']:,} contacts, {status}")

    if result.warnings:
        out.append("")
        out.append(f"Warnings ({len(result.warnings)})")
        for warning in result.warnings[:20]:
            out.append(f"  - {warning}")
        if len(result.warnings) > 20:
            out.append(f"  … and {len(result.warnings) - 20} more (--json lists every one)")
    return "\n".join(out) + "\n"
