"""The ``automation`` part of a scenario file (SPEC §7): its branches, segments and steps."""

from __future__ import annotations

from typing import Any

from builder.engine.json_reader import MISSING, JsonReader, kind_of, known_id
from builder.engine.scenario_parts import AutomationSpec, BranchSpec
from builder.engine.segments import SegmentDefinition, SegmentRule
from builder.engine.steps import Step
from builder.engine.words import STEP_KINDS, NodeKind


def read_automation(
    r: JsonReader, top: dict[str, Any], profiles: set[str], contacts: set[str]
) -> AutomationSpec | None:
    if "automation" not in top:
        r.problem("automation", "is missing")
        return None
    obj = r.obj(top["automation"], "automation", {"name", "ignore_previous_interactions", "branches"})
    if obj is None:
        return None
    name = r.get(obj, "name", "automation", "str", "Automation")
    ignore = r.get(obj, "ignore_previous_interactions", "automation", "bool", False)
    raw_branches = r.get(obj, "branches", "automation", "list")
    branches: list[BranchSpec] = []
    first_at: dict[str, str] = {}
    if raw_branches is not None and not raw_branches:
        r.problem("automation.branches", "needs at least one branch")
    for i, item in enumerate(raw_branches or []):
        where = f"automation.branches[{i}]"
        b = r.obj(item, where, {"id", "segment", "sender_profiles", "steps"})
        if b is None:
            continue
        bid = r.get(b, "id", where, "str")
        if bid is not None and bid in first_at:
            r.problem(f"{where}.id", f"duplicate branch id '{bid}' (first at {first_at[bid]})")
            bid = None
        elif bid is not None:
            first_at[bid] = where
        segment = _read_segment(r, b.get("segment", MISSING), f"{where}.segment", contacts)
        attached = []
        for j, value in enumerate(r.get(b, "sender_profiles", where, "list", []) or []):
            pid = known_id(r, value, f"{where}.sender_profiles[{j}]", profiles, "sender profile")
            if pid is not None and pid in attached:
                r.problem(f"{where}.sender_profiles[{j}]", f"sender profile '{pid}' is listed twice")
            elif pid is not None:
                attached.append(pid)
        steps = _read_steps(r, r.get(b, "steps", where, "list"), f"{where}.steps")
        if bid is not None and segment is not None and steps is not None:
            branches.append(BranchSpec(bid, segment, tuple(attached), tuple(steps)))
    return AutomationSpec(name or "Automation", tuple(branches), bool(ignore))


def _read_segment(r: JsonReader, raw: Any, where: str, contacts: set[str]) -> SegmentDefinition | None:
    if raw is MISSING:
        r.problem(where, "is missing")
        return None
    keys = [rule.value for rule in SegmentRule]
    obj = r.obj(raw, where, set(keys))
    if obj is None:
        return None
    chosen = [k for k in keys if k in obj]
    if len(chosen) != 1:
        r.problem(where, "needs exactly one of tags_any, tags_all, contacts or all")
        return None
    rule = SegmentRule(chosen[0])
    if rule is SegmentRule.EVERYONE:
        if obj["all"] is not True:
            r.problem(f"{where}.all", f"expected true, got {kind_of(obj['all'])}")
            return None
        return SegmentDefinition(rule)
    values = r.str_list(obj, rule.value, where)
    if values is None:
        return None
    if rule is SegmentRule.STATIC:
        for j, cid in enumerate(values):
            if cid not in contacts:
                r.problem(f"{where}.contacts[{j}]", f"no contact '{cid}'")
        return SegmentDefinition(rule, contacts=frozenset(values))
    if not values:
        r.problem(f"{where}.{rule.value}", "needs at least one tag")
        return None
    return SegmentDefinition(rule, tags=frozenset(values))


def _read_steps(r: JsonReader, raw: list[Any] | None, where: str) -> list[Step] | None:
    if raw is None:
        return None
    steps = []
    kinds = {k.value for k in STEP_KINDS}
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        obj = r.obj(item, at, {"type", "days"})
        if obj is None:
            continue
        kind = r.get(obj, "type", at, "str")
        if kind is None:
            continue
        if kind not in kinds:
            r.problem(f"{at}.type", f"unknown step '{kind}' (one of {', '.join(sorted(kinds))})")
            continue
        days = 0
        if kind == NodeKind.WAIT:
            days = r.get(obj, "days", at, "int")
            if days is None:
                continue
            if days < 0:
                r.problem(f"{at}.days", f"must be 0 or more, got {days}")
                continue
        elif "days" in obj:
            r.problem(f"{at}.days", "only a wait step has days")
        steps.append(Step(NodeKind(kind), days))
    return steps
