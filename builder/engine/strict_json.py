"""JSON as a person meant it: no key said twice, no half of a character, no number past reason.

Python's ``json`` accepts a key given twice (the last silently wins), a lone
``\\ud800`` escape (text that cannot be printed or stored), and then fails
with a bare ``ValueError`` on an integer of more than 4,300 digits. Scenario
files are read here instead, so each of these is a problem with its place.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DIGITS = 30  # far beyond any day, limit or count; Python refuses past 4,300 with a traceback
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class StrictJsonError(ValueError):
    """The text is JSON, but not JSON a person meant; ``problems`` say what and where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _TooLong(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _whole_number(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _TooLong(digits)
    return int(text)


def loads(text: str) -> Any:
    """Parse JSON text; raise :class:`json.JSONDecodeError` for bad JSON, :class:`StrictJsonError` for the rest."""
    repeated: list[tuple[str, dict[str, Any]]] = []

    def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    repeated.append((key, obj))
                seen.add(key)
        return obj

    try:
        data = json.loads(text, object_pairs_hook=unique_keys, parse_int=_whole_number)
    except _TooLong as error:
        raise StrictJsonError([f"a whole number of {error.digits:,} digits is far too large for any value"]) from None
    problems = []
    if repeated:
        places = _paths_of({id(obj) for _, obj in repeated}, data)
        for key, obj in repeated:
            where = places.get(id(obj), "")
            problems.append(f"{where + ': ' if where else ''}the key '{_printable(key)}' is given twice")
    if _SURROGATE_ESCAPE.search(text):
        problems += [
            f"{where or 'the file'}: holds half of a character (a lone \\ud800-style escape)"
            for where in _broken_text(data)
        ]
    if problems:
        raise StrictJsonError(problems)
    return data


def _paths_of(wanted: set[int], data: Any, where: str = "") -> dict[int, str]:
    found: dict[int, str] = {}
    if id(data) in wanted:
        found[id(data)] = where
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict | list):
                found |= _paths_of(wanted, value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if isinstance(value, dict | list):
                found |= _paths_of(wanted, value, f"{where}[{index}]")
    return found


def _is_broken(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _broken_text(data: Any, where: str = "") -> list[str]:
    """Paths of the texts (keys or values) that hold a lone surrogate."""
    if isinstance(data, str):
        return [where] if _is_broken(data) else []
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{where}.{_printable(key)}" if where else _printable(key)
            found += [path] if _is_broken(key) else _broken_text(value, path)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _broken_text(value, f"{where}[{index}]")
    return found


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
