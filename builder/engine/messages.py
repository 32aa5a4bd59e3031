"""Message templates (SPEC §11): ``Hi {{first_name|there}}``, read once and filled for each contact.

The language is exactly SPEC §11's, and no more:

- ``{{variable}}`` with one of :data:`VARIABLES`; spaces inside the braces
  are allowed (``{{ first_name }}``).
- ``{{variable|fallback}}``: the fallback stands in when the contact (or the
  sender profile) has no value; it runs from the first bar to the closing
  braces, without the spaces at its ends (``{{company | your team}}``). An
  empty fallback (``{{company|}}``) is allowed and means the same as none.
- A missing value (none, or only spaces) with no fallback is empty.

What is refused, as a :class:`TemplateError` naming the place (the
character, counted from 1) — a marketer who typed these meant a variable,
and a message sent to thousands with ``{{first_name}`` in it cannot be
called back:

- an unknown variable (``{{firstname}}``), or none (``{{}}``, ``{{ |x}}``);
- ``{{`` never closed by ``}}``, and ``}}`` with no ``{{`` before it;
- a brace inside a variable (``{{first_{name}}}``, ``{{{first_name}}}``).

A single ``{`` or ``}`` outside a variable is plain text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CONTACT_VARIABLES = ("first_name", "last_name", "name", "company", "title")
SENDER_VARIABLES = ("sender_name", "sender_first_name")
VARIABLES = CONTACT_VARIABLES + SENDER_VARIABLES
MAX_CONNECT_NOTE = 300  # characters of a LinkedIn connect note, once filled in (SPEC §11)


class TemplateError(ValueError):
    """A template that cannot be read: ``position`` is the 0-based index of the offending text."""

    def __init__(self, message: str, position: int, variable: str | None = None, hint: str = "") -> None:
        super().__init__(f"{message} at character {position + 1}{hint}")
        self.position = position
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Slot:
    """One ``{{variable|fallback}}`` of a template."""

    variable: str
    fallback: str = ""


@dataclass(frozen=True, slots=True)
class Template:
    """A message read once into its plain texts and slots, to be filled for many contacts cheaply.

    Filling is one ``str.format`` call: the plain texts, braces doubled, with
    a ``{}`` for each slot, made once here.
    """

    text: str
    parts: tuple[str | Slot, ...]
    _format: Any = field(init=False, repr=False, compare=False)
    _slots: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = "".join(p.replace("{", "{{").replace("}", "}}") if isinstance(p, str) else "{}" for p in self.parts)
        object.__setattr__(self, "_format", pattern.format)
        object.__setattr__(self, "_slots", tuple((p.variable, p.fallback) for p in self.parts if isinstance(p, Slot)))

    @classmethod
    def parse(cls, text: str) -> Template:
        """Read ``text``; raises :class:`TemplateError` at the first thing SPEC §11 does not allow."""
        parts: list[str | Slot] = []
        start = 0
        while True:
            opening = text.find("{{", start)
            closing = text.find("}}", start, len(text) if opening < 0 else opening)
            if closing >= 0:
                raise TemplateError("'}}' without '{{' before it", closing)
            if opening < 0:
                break
            if opening > start:
                parts.append(text[start:opening])
            end = text.find("}}", opening + 2)
            if end < 0:
                raise TemplateError("'{{' not closed with '}}'", opening)
            parts.append(_slot(text[opening + 2 : end], opening))
            start = end + 2
        if start < len(text):
            parts.append(text[start:])
        return cls(text, tuple(parts))

    @property
    def variables(self) -> tuple[str, ...]:
        """The variables used, each once, in the order they first appear."""
        return tuple(dict.fromkeys(p.variable for p in self.parts if isinstance(p, Slot)))

    @property
    def fixed_length(self) -> int:
        """The characters of the text around the variables: the least any filled-in message has."""
        return sum(len(p) for p in self.parts if isinstance(p, str))

    def fill(self, values: Mapping[str, str | None]) -> str:
        """The message for one contact; a value that is missing, None or only spaces gives the slot's fallback."""
        filled = []
        for variable, fallback in self._slots:
            value = values.get(variable)
            filled.append(value if value and not value.isspace() else fallback)
        return self._format(*filled)


def _slot(inside: str, opening: int) -> Slot:
    if "{" in inside or "}" in inside:
        raise TemplateError("a brace inside a variable", opening)
    variable, bar, fallback = inside.partition("|")
    variable = variable.strip()
    if not variable:
        raise TemplateError("a variable without a name", opening)
    if variable not in VARIABLES:
        raise TemplateError(f"unknown variable '{variable}'", opening, variable, f" (one of {', '.join(VARIABLES)})")
    return Slot(variable, fallback.strip() if bar else "")


def first_word(name: str | None) -> str | None:
    words = name.split() if name else None
    return words[0] if words else None


def contact_values(contact: Any, sender_name: str | None) -> dict[str, str | None]:
    """The variables' values for one contact (a ContactSpec or any object with its fields) and sender name.

    ``first_name`` is the first word of the name, ``last_name`` the other words
    joined by one space (None for a one-word name), ``sender_first_name`` the
    first word of the sender profile's name.
    """
    words = contact.name.split() if contact.name else []
    return {
        "first_name": words[0] if words else None,
        "last_name": " ".join(words[1:]) or None,
        "name": contact.name,
        "company": contact.company,
        "title": contact.title,
        "sender_name": sender_name,
        "sender_first_name": first_word(sender_name),
    }


def count_lacking(templates: Iterable[Template], contacts: Iterable[Any]) -> dict[str, int]:
    """How many contacts have no value for each contact variable the templates use (SPEC §11).

    For a step's settings to say beforehand; a variable with a fallback is
    counted too (its fallback is what those contacts get). Sender variables
    are left out: every sender profile has a name.
    """
    used = [v for v in dict.fromkeys(v for t in templates for v in t.variables) if v in CONTACT_VARIABLES]
    counts = dict.fromkeys(used, 0)
    if not used:
        return counts
    for contact in contacts:
        values = contact_values(contact, None)
        for variable in used:
            value = values[variable]
            if not value or value.isspace():
                counts[variable] += 1
    return counts
