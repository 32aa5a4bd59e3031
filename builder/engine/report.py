"""What ``simulate`` prints (SPEC §7): the JSON object and the readable summary."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from builder.engine.json_lines import BATCH, Lines, dumps, records_chunks, text
from builder.engine.report_messages import MessageFiller, has_message, long_note_warnings, scenario_has_messages
from builder.engine.simulation import SimEnrollment, SimulationResult
from builder.engine.steps import Step, StepChain
from builder.engine.words import EnrollmentStatus, Outcome, Reason, TaskStatus

TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.DONE, TaskStatus.CANCELED)


def result_object(result: SimulationResult) -> dict[str, Any]:
    """The SPEC §7 object.

    ``sender_profiles[profile][branch]`` is the profile's state in that branch,
    as the worked examples fix it; ``profile_totals`` carries the counts of
    contacts and tasks by status with the same keys, and ``forecast`` the work
    per day and the day each branch finishes.
    """
    if getattr(result, "paths", False):
        from builder.engine.report_paths import path_result_object

        return path_result_object(result)
    summary = _Summaries.start(result)
    branch_ids, totals, outcomes, last_done = summary.branch_ids, summary.totals, summary.outcomes, summary.last_done
    filler = MessageFiller(result.scenario)
    assignments = []
    tasks = []
    for enrollment in result.enrollments:
        branch = branch_ids[enrollment.branch]
        profile = enrollment.profile
        assignments.append(assignment_record(enrollment, branch))
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
            record = {
                "contact": enrollment.contact,
                "branch": branch,
                "sender_profile": profile,
                "step": task.step,
                "type": task.kind.value,
                "status": status,
                "due_day": task.due_day,
                "done_day": task.done_day,
            }
            step = enrollment.chain.steps[task.step]
            if task.status is TaskStatus.DONE and has_message(step):
                record.update(filler.fields(step, enrollment.contact, profile))
            tasks.append(record)
            by_status[status] += 1
            if task.status is TaskStatus.PENDING:
                outcome["pending_tasks"] += 1
            elif task.done_day is not None:
                seen = last_done[branch]
                last_done[branch] = task.done_day if seen is None else max(seen, task.done_day)
    return {
        "automation": result.scenario.automation.name,
        "days": result.days,
        "assignments": assignments,
        "tasks": tasks,
        **dict(summary.closing_pairs(result)),
    }


def assignment_record(enrollment: Any, branch: str) -> dict[str, Any]:
    """One item of ``assignments`` (SPEC §7), from either run's enrollment; ``moved_from`` only for a moved one (§12)."""
    record = {
        "contact": enrollment.contact,
        "branch": branch,
        "sender_profile": enrollment.profile,
        "reason": enrollment.reason.value if enrollment.reason else None,
        "day": enrollment.day,
        "status": enrollment.status.value,
    }
    moved_from = getattr(enrollment, "moved_from", None)
    if moved_from is not None:
        record["moved_from"] = moved_from
    return record


def _empty_total() -> dict[str, Any]:
    return {"contacts": 0, "tasks": {status.value: 0 for status in TASK_STATUSES}}


@dataclass
class _Summaries:
    """What both writers add up while they go through the enrollments, and the keys it ends the object with.

    ``states`` and ``totals`` per profile and branch, each branch's ``outcomes``,
    and the day each branch's last task was done.
    """

    branch_ids: list[str]
    states: dict[str, dict[str, str]]
    totals: dict[str, dict[str, dict[str, Any]]]
    outcomes: dict[str, dict[str, Any]]
    last_done: dict[str, int | None]

    @classmethod
    def start(cls, result: SimulationResult) -> _Summaries:
        branch_ids = [b.id for b in result.scenario.automation.branches]
        states: dict[str, dict[str, str]] = defaultdict(dict)
        totals: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for branch, roster in zip(branch_ids, result.rosters, strict=True):
            for attachment in roster.attachments:
                states[str(attachment.profile)][branch] = attachment.state.value
                totals[str(attachment.profile)][branch] = _empty_total()
        outcomes = {b: {"contacts": 0, "waiting": 0, "pending_tasks": 0, "finished_day": None} for b in branch_ids}
        return cls(branch_ids, states, totals, outcomes, dict.fromkeys(branch_ids))

    def closing_pairs(self, result: SimulationResult) -> list[tuple[str, Any]]:
        """The keys after the tasks; call once every enrollment has been counted."""
        # A branch is finished when nothing in it is pending or waiting: on the day its last task was done.
        for branch, outcome in self.outcomes.items():
            if outcome["contacts"] and not outcome["waiting"] and not outcome["pending_tasks"]:
                outcome["finished_day"] = self.last_done[branch]
        states = self.states
        return [
            ("sender_profiles", {p: dict(sorted(b.items())) for p, b in sorted(states.items())}),
            ("profile_totals", {p: dict(sorted(b.items())) for p, b in sorted(self.totals.items())}),
            (
                "forecast",
                {
                    "done_per_day": {p: counts for p, counts in sorted(result.done_per_day.items()) if p in states},
                    "branches": self.outcomes,
                },
            ),
            ("warnings", [*result.warnings, *long_note_warnings(result)]),
        ]


def to_json(result: SimulationResult) -> str:
    """The SPEC §7 object as text: one line per key, and one per assignment and task.

    Readable in a diff. The same text as ``records_json(result_object(result))``,
    byte for byte, but written by :func:`json_chunks`.
    """
    return "".join(json_chunks(result))


def json_chunks(result: SimulationResult) -> Iterator[str]:
    """The text of :func:`to_json` in chunks of a few thousand lines, to write as they come.

    A run of a hundred thousand contacts has several hundred thousand tasks:
    each line is one string template filled with texts made once (the
    contact's, the branch's, the profile's, each step's), not a dict through
    the encoder, and the counts of the summaries are added up per enrollment,
    not per task. ``records_json(result_object(result))`` is the reference
    (tests/engine/test_json_writer.py holds them to the same bytes).
    """
    if getattr(result, "paths", False):
        from builder.engine.report_paths import path_json_pairs

        return records_chunks(path_json_pairs(result))
    return records_chunks(_json_pairs(result))


def _json_pairs(result: SimulationResult) -> Iterator[tuple[str, Any]]:
    """The keys of :func:`result_object` in order; the summaries are counted while the tasks are written."""
    summary = _Summaries.start(result)
    branch_ids = summary.branch_ids
    enrollments = result.enrollments

    yield "automation", result.scenario.automation.name
    yield "days", result.days
    yield "assignments", Lines(_assignment_lines(enrollments, branch_ids))
    tasks = _task_lines(
        enrollments, branch_ids, summary.totals, summary.outcomes, summary.last_done, _message_steps(result)
    )
    yield "tasks", Lines(tasks)
    yield from summary.closing_pairs(result)  # after the task lines were written, so after they were counted


def _assignment_lines(enrollments: list[SimEnrollment], branch_ids: list[str]) -> Iterator[list[str]]:
    """The assignments, a batch at a time; the text between the contact and the day is made once per kind."""
    reasons: dict[Reason | None, str] = {r: dumps(r.value) for r in Reason}
    reasons[None] = "null"
    statuses = {s: f', "status": {dumps(s.value)}}}' for s in EnrollmentStatus}
    middles: dict[tuple[int, str | None, Reason | None], str] = {}
    for start in range(0, len(enrollments), BATCH):
        batch = []
        add = batch.append
        for e in enrollments[start : start + BATCH]:
            key = (e.branch, e.profile, e.reason)
            middle = middles.get(key)
            if middle is None:
                profile = "null" if e.profile is None else dumps(e.profile)
                middle = middles[key] = (
                    f', "branch": {dumps(branch_ids[e.branch])}, "sender_profile": {profile}, '
                    f'"reason": {reasons[e.reason]}, "day": '
                )
            moved_from = e.moved_from  # SPEC §12: only a contact moved on a removal has one
            if moved_from is None:
                add(f'{{"contact": {text(e.contact)}{middle}{e.day}{statuses[e.status]}')
            else:
                moved = f', "moved_from": {dumps(moved_from)}}}'
                add(f'{{"contact": {text(e.contact)}{middle}{e.day}{statuses[e.status][:-1]}{moved}')
        yield batch


Shape = tuple[list[tuple[str, ...]], tuple[str, str, list[str]] | None]


def _task_lines(
    enrollments: list[SimEnrollment],
    branch_ids: list[str],
    totals: dict[str, dict[str, dict[str, Any]]],
    outcomes: dict[str, dict[str, Any]],
    last_done: dict[str, int | None],
    messages: tuple[MessageFiller, list[list[Step | None] | None]] | None = None,
) -> Iterator[list[str]]:
    """Each enrollment's tasks as :attr:`SimEnrollment.tasks` spells them, and the counts they add.

    An item of a batch is all the tasks of one enrollment, one line each,
    joined as :class:`Lines` joins them: the contact's text joins the texts
    of :func:`_task_shape`. The counts are kept in lists per branch and per
    (branch, profile), and added to ``totals``, ``outcomes`` and ``last_done``
    at the end. ``messages`` (see :func:`_message_steps`) fills a done task's
    message in where its step has one; a branch without messages writes what
    it wrote before.
    """
    filler, says_of = messages if messages is not None else (None, [None] * len(branch_ids))
    waiting_status, canceled_status = EnrollmentStatus.WAITING, EnrollmentStatus.CANCELED
    pending_task, done_task, canceled_task = TaskStatus.PENDING, TaskStatus.DONE, TaskStatus.CANCELED
    n = len(branch_ids)
    contacts, waiting, pending_tasks = [0] * n, [0] * n, [0] * n
    latest: list[int | None] = [None] * n
    # per branch, per profile: [contacts, pending, done, canceled]
    groups: list[dict[str, list[int]]] = [{} for _ in branch_ids]
    shapes: dict[tuple[int, str, int, TaskStatus | None], Shape] = {}
    out: list[str] = []
    add = out.append
    for e in enrollments:
        if len(out) >= BATCH:
            yield out
            out = []
            add = out.append
        b = e.branch
        contacts[b] += 1
        status = e.status
        if status is waiting_status:
            waiting[b] += 1
        profile = e.profile
        if profile is None:
            continue
        group = groups[b].get(profile)
        if group is None:
            group = groups[b][profile] = [0, 0, 0, 0]
        group[0] += 1
        steps = e.chain.action_steps
        if not steps:
            continue
        finished = e.finished
        n_done = min(len(finished), len(steps))
        rest = len(steps) - n_done
        rest_status = None if not rest else canceled_task if status is canceled_status else pending_task
        key = (b, profile, n_done, rest_status)
        shape = shapes.get(key)
        if shape is None:
            shape = shapes[key] = _task_shape(branch_ids[b], profile, e.chain, n_done, rest_status)
        pieces, first_pending = shape
        if first_pending is not None:  # nothing done yet: only the first task's due day varies
            middle, after, following = first_pending
            due = e.due
            add(text(e.contact).join(['{"contact": ', f"{middle}{'null' if due is None else due}{after}", *following]))
        else:
            chunks = ['{"contact": ']
            seen = latest[b]
            says = says_of[b]  # per action step, the step when it has a message; None for a branch without any
            for k, piece in enumerate(pieces):
                if k < n_done:
                    due, day = finished[k]
                    end = piece[2]
                    if says is not None and says[k] is not None:
                        end = filler.json_text(says[k], e.contact, profile) + end  # type: ignore[union-attr, arg-type]
                    chunks.append(  # a call per done task would cost more than its text (written out)
                        f"{piece[0]}{'null' if due is None else due}{piece[1]}{'null' if day is None else day}{end}"
                    )
                    if day is not None and (seen is None or day > seen):
                        seen = day
                elif k == n_done:
                    due = e.due
                    chunks.append(f"{piece[0]}{'null' if due is None else due}{piece[1]}")
                else:
                    chunks.append(piece[0])
            latest[b] = seen
            group[2] += n_done
            add(text(e.contact).join(chunks))
        if rest_status is pending_task:
            group[1] += rest
            pending_tasks[b] += rest
        elif rest_status is canceled_task:
            group[3] += rest
    yield out
    for b, branch in enumerate(branch_ids):
        outcome = outcomes[branch]
        outcome["contacts"] += contacts[b]
        outcome["waiting"] += waiting[b]
        outcome["pending_tasks"] += pending_tasks[b]
        if latest[b] is not None:
            seen = last_done[branch]
            last_done[branch] = latest[b] if seen is None else max(seen, latest[b])  # type: ignore[type-var]
        for profile, (count, pending, done, canceled) in groups[b].items():
            total = totals[profile].setdefault(branch, _empty_total())
            total["contacts"] += count
            by_status = total["tasks"]
            by_status[pending_task.value] += pending
            by_status[done_task.value] += done
            by_status[canceled_task.value] += canceled


def _message_steps(result: SimulationResult) -> tuple[MessageFiller, list[list[Step | None] | None]] | None:
    """Per branch, per action step in order: the step when it has a message (SPEC §11); None for no messages."""
    if not scenario_has_messages(result.scenario):
        return None
    per_branch: list[list[Step | None] | None] = []
    for branch in result.scenario.automation.branches:
        says: list[Step | None] = [s if has_message(s) else None for s in branch.steps if s.is_action]
        per_branch.append(says if any(says) else None)
    return MessageFiller(result.scenario), per_branch


def _task_shape(branch: str, profile: str, chain: StepChain, n_done: int, rest: TaskStatus | None) -> Shape:
    """The texts of one enrollment's task lines that follow the contact's text, up to the next one's.

    Per action step: the texts around the due and done days of a task done;
    around the due day of the first of the rest; the whole text of the others.
    With nothing done, also that first pending task's two texts and the others' texts.
    """
    who = f', "branch": {dumps(branch)}, "sender_profile": {dumps(profile)}, '
    pieces: list[tuple[str, ...]] = []
    last = len(chain.action_steps) - 1
    for k, step in enumerate(chain.action_steps):
        status = TaskStatus.DONE if k < n_done else rest
        assert status is not None
        middle = f'{who}"step": {step}, "type": {dumps(chain.steps[step].kind.value)}, '
        middle += f'"status": {dumps(status.value)}, "due_day": '
        end = "}" if k == last else '},\n  {"contact": '
        if k < n_done:
            pieces.append((middle, ', "done_day": ', end))
        elif k == n_done:
            pieces.append((middle, ', "done_day": null' + end))
        else:
            pieces.append((middle + 'null, "done_day": null' + end,))
    first_pending = (pieces[0][0], pieces[0][1], [p[0] for p in pieces[1:]]) if n_done == 0 else None
    return pieces, first_pending


def _table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: list[str]) -> str:
        out = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)]
        return "  " + "  ".join(out).rstrip()

    return [line(headers), "  " + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _path_lines(result: SimulationResult, branch_ids: list[str], names: dict[str, str]) -> list[str]:
    """How contacts split at each control node, and what they did (SPEC §10)."""
    out = ["", "Control nodes: where contacts went"]
    counts = result.route_counts()  # type: ignore[attr-defined]
    waiting: Counter[tuple[int, str]] = Counter()
    for e in result.enrollments:
        if e.waiting_at is not None:  # type: ignore[attr-defined]
            waiting[(e.branch, result.plans[e.branch].nodes[e.waiting_at].address)] += 1  # type: ignore[attr-defined]
    rows = []
    for index, plan in enumerate(result.plans):  # type: ignore[attr-defined]
        for node in plan.nodes:
            if not node.kind.is_control:
                continue
            went = counts.get((index, node.address), Counter())
            ways = ", ".join(f"{name} {went[name]:,}" for name, _ in node.outputs)
            still = waiting[(index, node.address)]
            rows.append(
                [branch_ids[index], node.address, node.kind.label, ways + (f", waiting {still:,}" if still else "")]
            )
    out += _table(["Branch", "Node", "Kind", "Went"], rows) if rows else ["  none"]
    out += ["", "Outcomes"]
    by_profile: dict[str, Counter[str]] = defaultdict(Counter)
    for record in result.outcomes:  # type: ignore[attr-defined]
        by_profile[record.profile][record.outcome.value] += 1
    if not by_profile:
        return [*out[:-1], "Outcomes: none"]
    rows = [[names.get(p, p), *(f"{c[o.value]:,}" for o in Outcome)] for p, c in sorted(by_profile.items())]
    return out + _table(["Sender profile", *(o.label for o in Outcome)], rows, {1, 2, 3})


def _why(enrollment: Any, names: dict[str, str]) -> str:
    """The reason column of the summary; a moved contact says where it came from (SPEC §12)."""
    why = enrollment.reason.label if enrollment.reason else "no sender profile yet"
    moved_from = getattr(enrollment, "moved_from", None)
    return why if moved_from is None else f"{why}, moved from {names.get(moved_from, moved_from)}"


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
                _why(enrollment, names),
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

    if getattr(result, "paths", False):
        out += _path_lines(result, branch_ids, names)

    warnings = obj["warnings"]
    if warnings:
        out.append("")
        out.append(f"Warnings ({len(warnings)})")
        for warning in warnings[:20]:
            out.append(f"  - {warning}")
        if len(warnings) > 20:
            out.append(f"  … and {len(warnings) - 20} more (--json lists every one)")
    return "\n".join(out) + "\n"
