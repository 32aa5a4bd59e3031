"""Work off the GUI thread where only the newest request matters (a forecast, a contacts query).

One thread at a time; a request not yet started is dropped when a newer one
comes, and a result that arrives after a newer request was made is never
delivered. The call turns its own errors into a value: nothing raises here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, generation: int, call: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.generation, self.call, self.relay = generation, call, relay

    def run(self) -> None:
        self.relay.done.emit(self.generation, self.call())


class NewestOnly(QObject):
    delivered = Signal(int, object)  # (its request's generation, the call's value), the newest only

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.generation = 0
        self._relay = _Relay()
        self._relay.done.connect(self._arrived)

    @property
    def busy(self) -> bool:
        return self.pool.activeThreadCount() > 0

    def request(self, call: Callable[[], Any]) -> int:
        self.generation += 1
        self.pool.clear()  # a queued, not yet started request is stale already
        self.pool.start(_Job(self.generation, call, self._relay))
        return self.generation

    def _arrived(self, generation: int, value: object) -> None:
        if generation == self.generation:
            self.delivered.emit(generation, value)

    def wait(self) -> None:
        self.pool.waitForDone()
