"""Asking the workspace about the contacts off the GUI thread: how many match, the first page, the exact count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from builder.store.database import WorkspaceError
from builder.ui.background import NewestOnly

T = TypeVar("T")


@dataclass(frozen=True)
class Answer(Generic[T]):
    value: T | None
    error: str | None


def answer(question: Callable[[], T]) -> Answer[T]:
    try:
        return Answer(question(), None)
    except WorkspaceError as error:
        return Answer(None, str(error))
    except Exception as error:  # never a traceback in front of a person
        return Answer(None, f"The contacts could not be read ({error}).")


class ContactQueries(NewestOnly):
    answered = Signal(object)  # Answer, the newest only

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.delivered.connect(lambda _generation, value: self.answered.emit(value))

    def ask(self, question: Callable[[], object]) -> None:
        self.request(lambda: answer(question))
