"""Reading plain JSON values and naming every problem by its path (``events[3].sender_profile``).

Used by the scenario file reader and its ``state`` block: each problem is
noted, never raised, so a file's problems are reported together.
"""

from __future__ import annotations

from typing import Any

# Keys any object may carry for people reading the file; they are ignored.
FREE_TEXT_KEYS = frozenset({"description", "comment", "notes"})

MISSING = object()


class JsonReader:
    """Reads plain JSON values, noting each problem with its path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def obj(self, value: Any, where: str, allowed: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(where, f"expected an object, got {kind_of(value)}")
            return None
        for key in value:
            if key not in allowed and key not in FREE_TEXT_KEYS:
                self.problem(f"{where}.{key}" if where else key, f"unknown key '{key}'")
        return value

    def get(self, parent: dict[str, Any], key: str, where: str, kind: str, default: Any = MISSING) -> Any:
        path = f"{where}.{key}" if where else key
        if key not in parent:
            if default is MISSING:
                self.problem(path, "is missing")
                return None
            return default
        value = parent[key]
        if kind == "str" and not (isinstance(value, str) and value.strip()):
            self.problem(path, f"expected a non-empty text, got {kind_of(value)}")
            return None
        if kind == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
            self.problem(path, f"expected a whole number, got {kind_of(value)}")
            return None
        if kind == "bool" and not isinstance(value, bool):
            self.problem(path, f"expected true or false, got {kind_of(value)}")
            return None
        if kind == "list" and not isinstance(value, list):
            self.problem(path, f"expected a list, got {kind_of(value)}")
            return None
        if kind == "opt_str" and value is not None and not isinstance(value, str):
            self.problem(path, f"expected a text, got {kind_of(value)}")
            return None
        return value

    def str_list(self, parent: dict[str, Any], key: str, where: str, default: Any = MISSING) -> list[str] | None:
        values = self.get(parent, key, where, "list", default)
        if values is None:
            return None
        good = True
        for i, item in enumerate(values):
            if not (isinstance(item, str) and item.strip()):
                self.problem(f"{where}.{key}[{i}]", f"expected a non-empty text, got {kind_of(item)}")
                good = False
        return list(values) if good else None


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "…"
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    return "an object"


def known_id(r: JsonReader, value: Any, where: str, known: set[str], what: str) -> str | None:
    if not (isinstance(value, str) and value.strip()):
        r.problem(where, f"expected a {what} id, got {kind_of(value)}")
        return None
    if value not in known:
        r.problem(where, f"no {what} '{value}'")
        return None
    return value
