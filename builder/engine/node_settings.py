"""The settings of the nodes of SPEC §10 (Wait for, Condition, A/B split, Add/Remove tag) and §11 (messages).

Settings are plain JSON-like dicts, as the workspace stores them:

- ``wait_for``: ``{"outcome": "accepted" | "replied", "days": N}`` (N ≥ 1);
- ``condition``: exactly one of ``{"tags_any": [...]}``, ``{"tags_all": [...]}``, ``{"has": "email" | "linkedin"}``;
- ``split``: ``{"variants": [{"name": "A", "percent": 50}, ...]}``, 2–5 variants, names
  ``[A-Za-z0-9_-]{1,20}`` and unique, whole percents summing to 100;
- ``add_tag`` / ``remove_tag``: ``{"tag": "vip"}``;
- an action step (``linkedin_connect``, ``linkedin_message``, ``email``): its message,
  ``{"text": "Hi {{first_name}}", "subject": "..."}``, each key optional (SPEC §11). A
  ``subject`` is kept on any action step, so changing a step's type and back loses
  nothing; only an email's is used.

:func:`shape_error` says whether a dict can be stored at all (the right keys and
types); :func:`settings_problems` says what keeps it from starting, in a
marketer's words (a half-edited split may be stored, and is reported).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from builder.engine.messages import MAX_CONNECT_NOTE, VARIABLES, Template, TemplateError
from builder.engine.steps import Condition, Step, Variant
from builder.engine.words import CONDITION_HAS, NodeKind, Outcome

WAIT_FOR_OUTCOMES = (Outcome.ACCEPTED.value, Outcome.REPLIED.value)
CONDITION_RULES = ("tags_any", "tags_all", "has")
VARIANT_NAME = re.compile(r"[A-Za-z0-9_-]{1,20}")
MIN_VARIANTS, MAX_VARIANTS = 2, 5
MESSAGE_KEYS = ("subject", "text")


def default_settings(kind: NodeKind) -> dict[str, Any] | None:
    """The settings a new node of ``kind`` starts with; None for kinds without settings."""
    if kind is NodeKind.WAIT_FOR:
        return {"outcome": "accepted", "days": 7}
    if kind is NodeKind.CONDITION:
        return {"has": "email"}
    if kind is NodeKind.SPLIT:
        return {"variants": [{"name": "A", "percent": 50}, {"name": "B", "percent": 50}]}
    if kind is NodeKind.ADD_TAG or kind is NodeKind.REMOVE_TAG:
        return {"tag": "tag"}
    return None


def has_settings(kind: NodeKind) -> bool:
    return kind.is_control or kind.is_tag


def output_names(kind: NodeKind, settings: Mapping[str, Any] | None) -> tuple[str, ...]:
    """A control node's outputs in order (``yes``, ``no``, or its variants' names); () for the others."""
    if kind is NodeKind.SPLIT:
        variants = (settings or {}).get("variants")
        if not isinstance(variants, list):
            return ()
        return tuple(v["name"] for v in variants if isinstance(v, Mapping) and isinstance(v.get("name"), str))
    if kind.is_control:
        return ("yes", "no")
    return ()


def output_label(output: str) -> str:
    """An output as the canvas shows it: Yes / No, a variant's own name."""
    return output.capitalize() if output in ("yes", "no") else output


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def shape_error(kind: NodeKind, settings: object) -> str | None:
    """Why ``settings`` cannot be stored for a ``kind`` node (wrong keys or types), or None."""
    if kind.is_action:
        if not isinstance(settings, Mapping) or not set(settings) <= set(MESSAGE_KEYS):
            return f"'{kind.label}' steps keep their message only: a text, and a subject for an email."
        if not all(value is None or isinstance(value, str) for value in settings.values()):
            return f"The message of '{kind.label}' steps is text."
        return None
    if not has_settings(kind):
        return f"A {kind.label} node has no such settings."
    if not isinstance(settings, Mapping):
        return f"The settings of a {kind.label} node are a set of named values."
    keys = set(settings)
    if kind is NodeKind.WAIT_FOR:
        if keys != {"outcome", "days"} or not isinstance(settings["outcome"], str) or not _is_int(settings["days"]):
            return "A Wait for waits for an outcome (accepted or replied) for a whole number of days."
    elif kind is NodeKind.CONDITION:
        if len(keys) != 1 or not keys <= set(CONDITION_RULES):
            return "A Condition asks one thing: any of some tags, all of some tags, or whether there is an email or LinkedIn."
        (rule,) = keys
        value = settings[rule]
        if rule == "has" and not isinstance(value, str):
            return "A Condition on what a contact has asks for email or linkedin."
        if rule != "has" and not (isinstance(value, list) and all(isinstance(t, str) for t in value)):
            return "A Condition on tags lists tag names."
    elif kind is NodeKind.SPLIT:
        variants = settings.get("variants")
        if keys != {"variants"} or not isinstance(variants, list):
            return "An A/B split lists its variants."
        for variant in variants:
            if (
                not isinstance(variant, Mapping)
                or set(variant) != {"name", "percent"}
                or not isinstance(variant["name"], str)
                or not _is_int(variant["percent"])
            ):
                return "Each variant of an A/B split has a name and a whole percent."
    elif keys != {"tag"} or not isinstance(settings["tag"], str):
        return f"{kind.label} names one tag."
    return None


def settings_problems(
    kind: NodeKind,
    settings: Mapping[str, Any] | None,
    name: str,
    *,
    stop_on_reply: bool = True,
    messages_required: bool = False,
) -> list[tuple[str, str]]:
    """(code, message) for each thing in a node's settings that keeps it from starting (SPEC §10, §11).

    ``name`` is the node's title as messages quote it (``'Wait for 1'``).
    ``messages_required``: an action step without its message is a problem
    (the app asks for messages before start; a scenario may leave them out).
    """
    if kind.is_action:
        return message_problems(kind, settings, name, required=messages_required)
    if not has_settings(kind):
        return []
    if settings is None or shape_error(kind, settings) is not None:
        return [("settings_missing", f"Fill in the settings of {name}.")]
    if kind is NodeKind.WAIT_FOR:
        found = []
        if settings["outcome"] not in WAIT_FOR_OUTCOMES:
            found.append(("wait_for_outcome", f"Choose what {name} waits for: accepted or replied."))
        elif settings["outcome"] == "replied" and stop_on_reply:
            found.append(
                ("wait_for_replied", f"Turn off 'Stop on reply' to branch on replies ({name} waits for a reply).")
            )
        if settings["days"] < 1:
            found.append(("wait_for_days", f"{name} must wait 1 day or more before 'no'."))
        return found
    if kind is NodeKind.CONDITION:
        ((rule, value),) = settings.items()
        if rule == "has":
            if value not in CONDITION_HAS:
                return [("condition_has", f"Choose what {name} checks for: an email or a LinkedIn profile.")]
            return []
        if not [t for t in value if t.strip()]:
            return [("condition_tags", f"Add at least one tag to {name}.")]
        return []
    if kind is NodeKind.SPLIT:
        return _split_problems(settings["variants"], name)
    if not settings["tag"].strip():
        return [("tag_missing", f"Name the tag {name} {'adds' if kind is NodeKind.ADD_TAG else 'removes'}.")]
    return []


MESSAGE_PARTS = {"text": "message", "subject": "subject"}
ASKED = frozenset(("text_missing", "subject_missing"))  # problems that ask, and do not keep a start back


def message_parts(kind: NodeKind) -> tuple[str, ...]:
    """The parts of an action step's message, as stored: ``("subject", "text")`` for an email, else ``("text",)``."""
    return MESSAGE_KEYS if kind is NodeKind.EMAIL else ("text",)


def message_problems(
    kind: NodeKind, settings: Mapping[str, Any] | None, name: str, *, required: bool = False
) -> list[tuple[str, str]]:
    """What keeps an action step's message from being sent (SPEC §11), in a marketer's words.

    An unknown variable or braces that make none, named with where they are;
    a connect note over 300 characters without its variables; with
    ``required``, a message or subject not written yet (a connect note may
    stay empty: it is optional).
    """
    settings = settings or {}
    found: list[tuple[str, str]] = []
    for part in message_parts(kind):
        value = settings.get(part)
        words = MESSAGE_PARTS[part]
        if kind is NodeKind.LINKEDIN_CONNECT:
            words = "connect note"
        if not isinstance(value, str) or not value.strip():
            if required and kind is not NodeKind.LINKEDIN_CONNECT:
                found.append((f"{part}_missing", f"Write the {words} of {name} before starting."))
            continue
        try:
            template = Template.parse(value)
        except TemplateError as error:
            found.append((f"{part}_template", _template_words(error, words, name)))
            continue
        if kind is NodeKind.LINKEDIN_CONNECT and template.fixed_length > MAX_CONNECT_NOTE:
            found.append(
                (
                    "note_too_long",
                    f"Shorten the connect note of {name}: LinkedIn takes {MAX_CONNECT_NOTE} characters, "
                    f"and it has {template.fixed_length} without its variables.",
                )
            )
    return found


def _template_words(error: TemplateError, words: str, name: str) -> str:
    """A template error as a marketer reads it: what to fix, and where."""
    where = f"at character {error.position + 1} of the {words} of {name}"
    if error.variable is not None:
        return (
            f"There is no variable '{{{{{error.variable}}}}}' {where}: use one of "
            + ", ".join(f"{{{{{v}}}}}" for v in VARIABLES)
            + "."
        )
    return f"Fix the braces {where}: a variable is written {{{{first_name}}}}, with two braces each side."


def _split_problems(variants: list[Mapping[str, Any]], name: str) -> list[tuple[str, str]]:
    found = []
    if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
        found.append(("split_count", f"{name} needs 2 to 5 variants, not {len(variants)}."))
    names = [v["name"] for v in variants]
    bad = [n for n in names if not VARIANT_NAME.fullmatch(n)]
    if bad:
        found.append(
            (
                "variant_name",
                f"Rename variant '{bad[0]}' of {name}: up to 20 letters, digits, '-' or '_'.",
            )
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        found.append(("variant_twice", f"{name} has two variants named '{twice[0]}': give each its own name."))
    if any(v["percent"] < 0 for v in variants):
        found.append(("split_negative", f"The percents of {name} must be 0 or more."))
    total = sum(v["percent"] for v in variants)
    if total != 100:
        found.append(("split_sum", f"The percents of {name} add up to {total}%, not 100%."))
    return found


def step_of(
    kind: NodeKind,
    settings: Mapping[str, Any] | None = None,
    wait_days: int = 0,
    outputs: tuple[tuple[str, tuple[Step, ...]], ...] = (),
) -> Step:
    """The engine's :class:`Step` for a node, its settings read forgivingly (validation names what is wrong)."""
    settings = settings or {}
    if kind is NodeKind.WAIT:
        return Step(kind, wait_days)
    if kind is NodeKind.WAIT_FOR:
        outcome = settings.get("outcome")
        days = settings.get("days")
        return Step(
            kind,
            days if _is_int(days) else 0,
            outcome=Outcome(outcome) if outcome in WAIT_FOR_OUTCOMES else None,
            outputs=outputs,
        )
    if kind is NodeKind.CONDITION:
        condition = None
        for rule in CONDITION_RULES:
            if rule in settings:
                value = settings[rule]
                values = (value,) if isinstance(value, str) else tuple(str(v) for v in value or ())
                condition = Condition(rule, values)
                break
        return Step(kind, condition=condition, outputs=outputs)
    if kind is NodeKind.SPLIT:
        variants = tuple(
            Variant(str(v.get("name")), int(v.get("percent", 0)))
            for v in settings.get("variants") or ()
            if isinstance(v, Mapping)
        )
        return Step(kind, variants=variants, outputs=outputs)
    if kind.is_tag:
        tag = settings.get("tag")
        return Step(kind, tag=tag if isinstance(tag, str) else None)
    if kind.is_action:
        text, subject = settings.get("text"), settings.get("subject")
        return Step(
            kind,
            text=text if isinstance(text, str) and text else None,
            subject=subject if kind is NodeKind.EMAIL and isinstance(subject, str) and subject else None,
        )
    return Step(kind)


def settings_of(step: Step) -> dict[str, Any] | None:
    """A step's settings as the workspace stores them (the reverse of :func:`step_of`); None if it has none."""
    if step.kind is NodeKind.WAIT_FOR:
        return {"outcome": step.outcome.value if step.outcome else None, "days": step.days}
    if step.kind is NodeKind.CONDITION:
        if step.condition is None:
            return {}
        rule, values = step.condition.rule, step.condition.values
        return {rule: values[0] if rule == "has" and values else list(values)}
    if step.kind is NodeKind.SPLIT:
        return {"variants": [{"name": v.name, "percent": v.percent} for v in step.variants]}
    if step.kind.is_tag:
        return {"tag": step.tag or ""}
    if step.kind.is_action:
        message = {"subject": step.subject, "text": step.text}
        return {key: value for key, value in message.items() if value is not None} or None
    return None
