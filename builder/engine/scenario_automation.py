"""The ``automation`` part of a scenario file (SPEC §7): its branches, segments and steps."""

from __future__ import annotations

from typing import Any

from builder.engine.json_reader import MISSING, JsonReader, kind_of, known_id
from builder.engine.messages import MAX_CONNECT_NOTE, Template, TemplateError
from builder.engine.node_settings import MAX_VARIANTS, MIN_VARIANTS, VARIANT_NAME
from builder.engine.scenario_parts import AutomationSpec, BranchSpec, Rate, Rates
from builder.engine.segments import SegmentDefinition, SegmentRule
from builder.engine.steps import Condition, Step, Variant
from builder.engine.words import CONDITION_HAS, STEP_KINDS, NodeKind, Outcome


def read_automation(
    r: JsonReader, top: dict[str, Any], profiles: set[str], contacts: set[str]
) -> AutomationSpec | None:
    if "automation" not in top:
        r.problem("automation", "is missing")
        return None
    obj = r.obj(
        top["automation"], "automation", {"name", "ignore_previous_interactions", "stop_on_reply", "rates", "branches"}
    )
    if obj is None:
        return None
    name = r.get(obj, "name", "automation", "str", "Automation")
    ignore = r.get(obj, "ignore_previous_interactions", "automation", "bool", False)
    stop_on_reply = r.get(obj, "stop_on_reply", "automation", "bool", True)
    rates = read_rates(r, obj["rates"], "automation.rates") if "rates" in obj else None
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
        steps = _read_steps(r, r.get(b, "steps", where, "list"), f"{where}.steps", stop_on_reply is not False)
        if bid is not None and segment is not None and steps is not None:
            branches.append(BranchSpec(bid, segment, tuple(attached), tuple(steps)))
    return AutomationSpec(
        name or "Automation",
        tuple(branches),
        bool(ignore),
        stop_on_reply=stop_on_reply is not False,
        rates=rates,
        explicit_stop_on_reply="stop_on_reply" in obj,
    )


RATE_DEFAULT_AFTER = {Outcome.ACCEPTED: 2, Outcome.REPLIED: 1, Outcome.BOUNCED: 0}


def read_rates(r: JsonReader, raw: Any, where: str) -> Rates | None:
    """``{"accepted": {"rate": 0.3, "after_days": 2}, ...}`` (SPEC §10): each optional, rates from 0 to 1."""
    obj = r.obj(raw, where, {o.value for o in Outcome})
    if obj is None:
        return None
    found: dict[Outcome, Rate] = {}
    for outcome in Outcome:
        if outcome.value not in obj:
            continue
        at = f"{where}.{outcome.value}"
        item = r.obj(obj[outcome.value], at, {"rate", "after_days"})
        if item is None:
            continue
        rate = item.get("rate", MISSING)
        if rate is MISSING:
            r.problem(f"{at}.rate", "is missing")
            continue
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            r.problem(f"{at}.rate", f"must be a number from 0 to 1, got {kind_of(rate)}")
            continue
        after = r.get(item, "after_days", at, "int", RATE_DEFAULT_AFTER[outcome])
        if after is not None and after < 0:
            r.problem(f"{at}.after_days", f"must be 0 or more, got {after}")
            continue
        if after is not None:
            found[outcome] = Rate(float(rate), after)
    return Rates(found)


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


STEP_KEYS: dict[NodeKind, set[str]] = {
    NodeKind.LINKEDIN_CONNECT: {"text"},
    NodeKind.LINKEDIN_MESSAGE: {"text"},
    NodeKind.EMAIL: {"subject", "text"},
    NodeKind.WAIT: {"days"},
    NodeKind.WAIT_FOR: {"outcome", "days", "yes", "no"},
    NodeKind.CONDITION: {"tags_any", "tags_all", "has", "yes", "no"},
    NodeKind.SPLIT: {"variants"},
    NodeKind.ADD_TAG: {"tag"},
    NodeKind.REMOVE_TAG: {"tag"},
}
WAIT_FOR_OUTCOMES = (Outcome.ACCEPTED.value, Outcome.REPLIED.value)


def _read_steps(r: JsonReader, raw: list[Any] | None, where: str, stop_on_reply: bool = True) -> list[Step] | None:
    """A list of steps; a control step ends its list and its outputs hold their own lists (SPEC §10)."""
    if raw is None:
        return None
    steps = []
    kinds = {k.value for k in STEP_KINDS}
    control_at: str | None = None
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            r.problem(at, f"expected an object, got {kind_of(item)}")
            continue
        kind = r.get(item, "type", at, "str")
        if kind is None:
            continue
        if kind not in kinds:
            r.problem(f"{at}.type", f"unknown step '{kind}' (one of {', '.join(sorted(kinds))})")
            continue
        node = NodeKind(kind)
        obj = r.obj(item, at, {"type"} | STEP_KEYS[node])
        if obj is None:
            continue
        if control_at is not None:
            r.problem(
                at,
                f"comes after the control step at {control_at}: a control step ends its list; "
                "put what follows it in its outputs",
            )
            continue
        step = _read_step(r, obj, node, at, stop_on_reply)
        if step is not None:
            steps.append(step)
        if node.is_control:
            control_at = at
    return steps


def _read_step(r: JsonReader, obj: dict[str, Any], kind: NodeKind, at: str, stop_on_reply: bool) -> Step | None:
    if kind.is_action:
        text = _read_message(r, obj, "text", at, kind)
        subject = _read_message(r, obj, "subject", at, kind) if kind is NodeKind.EMAIL else None
        if text is MISSING or subject is MISSING:
            return None
        return Step(kind, text=text, subject=subject)
    if kind is NodeKind.WAIT:
        days = r.get(obj, "days", at, "int")
        if days is None:
            return None
        if days < 0:
            r.problem(f"{at}.days", f"must be 0 or more, got {days}")
            return None
        return Step(kind, days)
    if kind.is_tag:
        tag = r.get(obj, "tag", at, "str")
        return None if tag is None else Step(kind, tag=tag)
    if kind is NodeKind.WAIT_FOR:
        return _read_wait_for(r, obj, at, stop_on_reply)
    if kind is NodeKind.CONDITION:
        return _read_condition(r, obj, at, stop_on_reply)
    return _read_split(r, obj, at, stop_on_reply)


def _read_message(r: JsonReader, obj: dict[str, Any], key: str, at: str, kind: NodeKind) -> Any:
    """A step's ``text`` or ``subject`` (SPEC §11), kept as written once its template reads; MISSING when it does not.

    An unknown variable, or braces that do not make one, is a problem at the
    key (:mod:`builder.engine.messages` says what is refused). A connect note
    whose text around its variables is already over 300 characters is over for
    every contact, so it is refused here; one that gets over 300 only once
    filled in for some contact is a warning per task (:mod:`builder.engine.report_messages`).
    """
    value = r.get(obj, key, at, "opt_str", None)
    if value is None:
        return MISSING if key in obj and obj[key] is not None else None
    try:
        template = Template.parse(value)
    except TemplateError as error:
        r.problem(f"{at}.{key}", str(error))
        return MISSING
    if kind is NodeKind.LINKEDIN_CONNECT and template.fixed_length > MAX_CONNECT_NOTE:
        r.problem(
            f"{at}.{key}",
            f"a connect note holds at most {MAX_CONNECT_NOTE} characters once filled in; "
            f"this one has {template.fixed_length} without its variables",
        )
        return MISSING
    return value


def _read_outputs(
    r: JsonReader, obj: dict[str, Any], at: str, stop_on_reply: bool
) -> tuple[tuple[str, tuple[Step, ...]], ...] | None:
    outputs = []
    good = True
    for name in ("yes", "no"):
        steps = _read_steps(r, r.get(obj, name, at, "list", []), f"{at}.{name}", stop_on_reply)
        good = good and steps is not None
        outputs.append((name, tuple(steps or ())))
    return tuple(outputs) if good else None


def _read_wait_for(r: JsonReader, obj: dict[str, Any], at: str, stop_on_reply: bool) -> Step | None:
    outcome = r.get(obj, "outcome", at, "str")
    if outcome is not None and outcome not in WAIT_FOR_OUTCOMES:
        r.problem(f"{at}.outcome", f"unknown outcome '{outcome}' (accepted or replied)")
        outcome = None
    elif outcome == Outcome.REPLIED and stop_on_reply:
        r.problem(
            f"{at}.outcome",
            "'replied' while the automation stops on reply: turn off 'Stop on reply' "
            '("stop_on_reply": false) to branch on replies',
        )
        outcome = None
    days = r.get(obj, "days", at, "int")
    if days is not None and days < 1:
        r.problem(f"{at}.days", f"must be 1 or more, got {days}")
        days = None
    outputs = _read_outputs(r, obj, at, stop_on_reply)
    if outcome is None or days is None or outputs is None:
        return None
    return Step(NodeKind.WAIT_FOR, days, outcome=Outcome(outcome), outputs=outputs)


def _read_condition(r: JsonReader, obj: dict[str, Any], at: str, stop_on_reply: bool) -> Step | None:
    rules = [k for k in ("tags_any", "tags_all", "has") if k in obj]
    condition = None
    if len(rules) != 1:
        r.problem(at, "needs exactly one of tags_any, tags_all or has")
    elif rules[0] == "has":
        has = r.get(obj, "has", at, "str")
        if has is not None and has not in CONDITION_HAS:
            r.problem(f"{at}.has", f"must be 'email' or 'linkedin', got {kind_of(has)}")
        elif has is not None:
            condition = Condition("has", (has,))
    else:
        tags = r.str_list(obj, rules[0], at)
        if tags is not None and not tags:
            r.problem(f"{at}.{rules[0]}", "needs at least one tag")
        elif tags is not None:
            condition = Condition(rules[0], tuple(tags))
    outputs = _read_outputs(r, obj, at, stop_on_reply)
    if condition is None or outputs is None:
        return None
    return Step(NodeKind.CONDITION, condition=condition, outputs=outputs)


def _read_split(r: JsonReader, obj: dict[str, Any], at: str, stop_on_reply: bool) -> Step | None:
    raw = r.get(obj, "variants", at, "list")
    if raw is None:
        return None
    good = True
    if not MIN_VARIANTS <= len(raw) <= MAX_VARIANTS:
        r.problem(f"{at}.variants", f"needs {MIN_VARIANTS} to {MAX_VARIANTS} variants, got {len(raw)}")
        good = False
    variants, outputs, first_at = [], [], {}
    total = 0
    for j, item in enumerate(raw):
        where = f"{at}.variants[{j}]"
        v = r.obj(item, where, {"name", "percent", "steps"})
        if v is None:
            good = False
            continue
        name = r.get(v, "name", where, "str")
        if name is not None and not VARIANT_NAME.fullmatch(name):
            r.problem(f"{where}.name", f"must be 1 to 20 letters, digits, '_' or '-', got {kind_of(name)}")
            name = None
        elif name is not None and name in first_at:
            r.problem(f"{where}.name", f"duplicate variant name '{name}' (first at {first_at[name]})")
            name = None
        elif name is not None:
            first_at[name] = where
        percent = r.get(v, "percent", where, "int")
        if percent is not None and not 0 <= percent <= 100:
            r.problem(f"{where}.percent", f"must be between 0 and 100, got {percent}")
            percent = None
        steps = _read_steps(r, r.get(v, "steps", where, "list", []), f"{where}.steps", stop_on_reply)
        if name is None or percent is None or steps is None:
            good = False
            continue
        total += percent
        variants.append(Variant(name, percent))
        outputs.append((name, tuple(steps)))
    if good and total != 100:
        shown = " + ".join(str(v.percent) for v in variants)
        r.problem(f"{at}.variants", f"the percents must add up to 100, got {shown} = {total}")
        good = False
    return Step(NodeKind.SPLIT, variants=tuple(variants), outputs=tuple(outputs)) if good else None
