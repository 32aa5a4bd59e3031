"""A :class:`~builder.engine.scenario.Scenario` written back as SPEC §7 JSON values.

The inverse of :func:`~builder.engine.scenario.parse_scenario`: reading what
this writes gives the same scenario back, so a scenario built in memory (the
simulation pane's) and the file saved from it run the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from builder.engine.json_lines import records_json
from builder.engine.run_state import EnrollmentState, RunState, TaskState
from builder.engine.scenario import ContactSpec, Event, ProfileSpec, Scenario
from builder.engine.scenario_parts import EVERY_WEEKDAY
from builder.engine.segments import SegmentDefinition, SegmentRule
from builder.engine.steps import Step
from builder.engine.words import NodeKind


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sender_profiles": [profile_data(p) for p in scenario.sender_profiles],
        "contacts": [contact_data(c) for c in scenario.contacts],
        "interactions": [
            {"contact": i.contact, "sender_profile": i.sender_profile, "day": i.day} for i in scenario.interactions
        ],
        "overrides": [{"contact": c, "sender_profile": p} for c, p in scenario.overrides.items()],
        "automation": {
            "name": scenario.automation.name,
            "ignore_previous_interactions": scenario.automation.ignore_previous_interactions,
            "branches": [
                {
                    "id": b.id,
                    "segment": segment_data(b.segment),
                    "sender_profiles": list(b.sender_profiles),
                    "steps": steps_data(b.steps),
                }
                for b in scenario.automation.branches
            ],
        },
        "events": [event_data(e) for e in scenario.events],
    }
    automation = scenario.automation
    if not automation.stop_on_reply or automation.explicit_stop_on_reply:
        data["automation"]["stop_on_reply"] = automation.stop_on_reply
    if automation.rates is not None:
        data["automation"]["rates"] = {
            outcome.value: {"rate": rate.rate, "after_days": rate.after_days}
            for outcome, rate in automation.rates.of.items()
        }
    if scenario.days is not None:
        data["days"] = scenario.days
    if scenario.start_weekday:
        data["start_weekday"] = scenario.start_weekday
    if scenario.state is not None:
        data["state"] = state_data(scenario.state)
    return data


def profile_data(profile: ProfileSpec) -> dict[str, Any]:
    """A sender profile; its SPEC §12 limits and working days only when set, so older files stay the same."""
    data: dict[str, Any] = {
        "id": profile.id,
        "name": profile.name,
        "channel": profile.channel.value,
        "daily_limit": profile.daily_limit,
        "weight": profile.weight,
    }
    if profile.limits:
        data["limits"] = {kind.value: count for kind, count in profile.limits.items()}
    if profile.weekly_limits:
        data["weekly_limits"] = {kind.value: count for kind, count in profile.weekly_limits.items()}
    if tuple(profile.working_days) != EVERY_WEEKDAY:
        data["working_days"] = list(profile.working_days)
    return data


def steps_data(steps: Sequence[Step]) -> list[dict[str, Any]]:
    """A list of steps as SPEC §7 and §10 write them: a control step holds its outputs' lists."""
    return [step_data(s) for s in steps]


def step_data(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {"type": step.kind.value}
    kind = step.kind
    if kind is NodeKind.WAIT:
        data["days"] = step.days
    elif kind.is_action:
        if step.subject is not None:
            data["subject"] = step.subject
        if step.text is not None:
            data["text"] = step.text
    elif kind.is_tag:
        data["tag"] = step.tag
    elif kind is NodeKind.WAIT_FOR:
        data["outcome"] = step.outcome.value if step.outcome else None
        data["days"] = step.days
    elif kind is NodeKind.CONDITION and step.condition is not None:
        rule = step.condition
        data[rule.rule] = rule.values[0] if rule.rule == "has" else list(rule.values)
    if kind is NodeKind.SPLIT:
        lists = dict(step.outputs)
        data["variants"] = [
            {"name": v.name, "percent": v.percent, "steps": steps_data(lists.get(v.name, ()))} for v in step.variants
        ]
    elif kind.is_control:
        for name, following in step.outputs:
            data[name] = steps_data(following)
    return data


def scenario_text(scenario: Scenario) -> str:
    """The scenario as the text of a scenario file, one line per contact, interaction and event."""
    return records_json(scenario_data(scenario))


def contact_data(contact: ContactSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"id": contact.id, "name": contact.name}
    for key in ("email", "company", "title", "linkedin_url"):
        value = getattr(contact, key)
        if value is not None:
            data[key] = value
    data["tags"] = list(contact.tags)
    return data


def segment_data(segment: SegmentDefinition) -> dict[str, Any]:
    if segment.rule is SegmentRule.EVERYONE:
        return {"all": True}
    if segment.rule is SegmentRule.STATIC:
        return {"contacts": sorted(segment.contacts)}
    return {segment.rule.value: sorted(segment.tags)}


def event_data(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {"day": event.day, "type": event.type}
    if event.type == "add_contacts":
        data["contacts"] = [contact_data(c) for c in event.new_contacts]
    elif event.type == "set_override":
        data["contacts"] = list(event.contacts)
        data["sender_profile"] = event.sender_profile
    elif event.type == "outcome":
        data["contact"] = event.contacts[0]
        data["outcome"] = event.outcome.value if event.outcome else None
    elif event.type in ("add_sender_profile", "remove_sender_profile"):
        data["branch"] = event.branch
        data["sender_profile"] = event.sender_profile
        if event.mode is not None:
            data["mode"] = event.mode.value
    return data


def state_data(state: RunState) -> dict[str, Any]:
    data = {
        "automation": state.automation.value,
        "sender_profiles": {
            branch: [
                {"sender_profile": a.sender_profile, "state": a.state.value, "weight": a.weight, "rotation": a.rotation}
                for a in attached
            ]
            for branch, attached in state.sender_profiles.items()
        },
        "enrollments": [
            {
                "contact": e.contact,
                "branch": e.branch,
                "sender_profile": e.sender_profile,
                "reason": None if e.reason is None else e.reason.value,
                "day": e.day,
                "status": e.status.value,
                "tasks": [task_state_data(t) for t in e.tasks],
                **path_state_data(e),
            }
            for e in state.enrollments
        ],
    }
    if state.done_today:
        data["done_today"] = dict(state.done_today)
    return data


def task_state_data(task: TaskState) -> dict[str, Any]:
    first: dict[str, Any] = {"step": task.step} if task.node is None else {"node": task.node}
    return {**first, "status": task.status.value, "due_day": task.due_day, "done_day": task.done_day}


def path_state_data(enrollment: EnrollmentState) -> dict[str, Any]:
    """Where an enrollment is on a path with control nodes (SPEC §10); nothing for a line of steps."""
    data: dict[str, Any] = {}
    if enrollment.decisions:
        data["decisions"] = [{"node": d.node, "output": d.output, "day": d.day} for d in enrollment.decisions]
    if enrollment.at is not None:
        data["at"] = {"node": enrollment.at[0], "day": enrollment.at[1]}
    if enrollment.seen:
        data["seen"] = list(enrollment.seen)
    if enrollment.bounce_day is not None:
        data["bounce_day"] = enrollment.bounce_day
    return data
