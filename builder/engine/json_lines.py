"""JSON written one line per key and one per list item: readable in a diff, and fast.

Each line goes through the C encoder, which ``indent=`` would turn off: a
scenario or a result of a hundred thousand records is written in a fraction
of the time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
dumps = _dumps  # one value as a line of :func:`records_json` spells it
text = json.encoder.encode_basestring  # a str as ``dumps`` spells it, without its checks (for the many)
BATCH = 8192  # about the lines in one batch of :class:`Lines`


class Lines:
    """A list whose items are already JSON text, one per line, given in batches and written as they come."""

    def __init__(self, batches: Iterable[list[str]]) -> None:
        self.batches = batches


def records_json(obj: dict[str, Any]) -> str:
    parts = []
    for key, value in obj.items():
        if isinstance(value, list) and value:
            body = ",\n  ".join([_dumps(item) for item in value])
            parts.append(f"{_dumps(key)}: [\n  {body}\n ]")
        else:
            parts.append(f"{_dumps(key)}: {_dumps(value)}")
    return "{\n " + ",\n ".join(parts) + "\n}\n"


def records_chunks(pairs: Iterable[tuple[str, Any]]) -> Iterator[str]:
    """The text of :func:`records_json`, in chunks, for keys and values that come one at a time.

    A :class:`Lines` value is written as it is produced, never held whole;
    ``pairs`` is read lazily, so a value after it may be counted while its
    lines were written.
    """
    separator = "{\n "
    for key, value in pairs:
        if isinstance(value, Lines):
            started = False
            for batch in value.batches:
                if batch:
                    yield (",\n  " if started else f"{separator}{_dumps(key)}: [\n  ") + ",\n  ".join(batch)
                    started = True
            yield "\n ]" if started else f"{separator}{_dumps(key)}: []"
        elif isinstance(value, list) and value:
            body = ",\n  ".join([_dumps(item) for item in value])
            yield f"{separator}{_dumps(key)}: [\n  {body}\n ]"
        else:
            yield f"{separator}{_dumps(key)}: {_dumps(value)}"
        separator = ",\n "
    yield "\n}\n" if separator != "{\n " else "{\n \n}\n"
