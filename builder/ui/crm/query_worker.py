"""Asking the workspace which contacts match, off the GUI thread: a million ids take a second to sort.

Only the newest answer is delivered; an older one that arrives late is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from builder.store.database import WorkspaceError


@dataclass(frozen=True)
class Answer:
    generation: int
    ids: list[int] | None
    error: str | None


class _Relay(QObject):
    done = Signal(object)


class _Job(QRunnable):
    def __init__(self, generation: int, ask: Callable[[], list[int]], relay: _Relay) -> None:
        super().__init__()
        self.generation, self.ask, self.relay = generation, ask, relay

    def run(self) -> None:
        try:
            self.relay.done.emit(Answer(self.generation, self.ask(), None))
        except WorkspaceError as error:
            self.relay.done.emit(Answer(self.generation, None, str(error)))
        except Exception as error:  # never a traceback in front of a person
            self.relay.done.emit(Answer(self.generation, None, f"The contacts could not be read ({error})."))


class ContactQueries(QObject):
    answered = Signal(object)  # Answer, the newest only

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.generation = 0
        self.relay = _Relay()
        self.relay.done.connect(self._delivered)

    @property
    def busy(self) -> bool:
        return self.pool.activeThreadCount() > 0

    def ask(self, question: Callable[[], list[int]]) -> None:
        self.generation += 1
        self.pool.clear()
        self.pool.start(_Job(self.generation, question, self.relay))

    def _delivered(self, answer: Answer) -> None:
        if answer.generation == self.generation:
            self.answered.emit(answer)

    def wait(self) -> None:
        self.pool.waitForDone()
