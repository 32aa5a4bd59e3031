"""Computing the pane's outlook off the GUI thread; a newer request makes an older result stale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from builder.engine.bulk import collector_paused
from builder.engine.preview import Outlook, outlook
from builder.engine.scenario import Scenario, ScenarioError


@dataclass(frozen=True)
class Computed:
    generation: int
    outlook: Outlook | None
    scenario: Scenario | None  # what the pane can save as a scenario file; None for a file opened
    error: str | None
    after: Outlook | None = None  # a what-if's outlook, beside ``outlook`` (now)
    label: str = ""


Change = Callable[[Scenario], Scenario]


class _Relay(QObject):
    done = Signal(object)


class _Job(QRunnable):
    def __init__(
        self,
        generation: int,
        build: Callable[[], Scenario],
        relay: _Relay,
        change: Change | None,
        label: str,
        saveable: bool,
    ) -> None:
        super().__init__()
        self.generation, self.build, self.relay, self.change, self.label = generation, build, relay, change, label
        self.saveable = saveable

    def run(self) -> None:
        try:
            with collector_paused():
                scenario = self.build()
                result = outlook(scenario)
                after = outlook(self.change(scenario)) if self.change is not None else None
            saved = scenario if self.saveable else None
            self.relay.done.emit(Computed(self.generation, result, saved, None, after, self.label))
        except ScenarioError as error:
            self.relay.done.emit(Computed(self.generation, None, None, "; ".join(error.problems)))
        except ValueError as error:  # the workspace's own sentences (WorkspaceError)
            self.relay.done.emit(Computed(self.generation, None, None, str(error)))
        except Exception as error:
            self.relay.done.emit(
                Computed(self.generation, None, None, f"The forecast could not be computed ({error}).")
            )


class OutlookWorker(QObject):
    """Runs one computation at a time in a thread pool; only the newest result is delivered."""

    ready = Signal(object)  # Computed

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

    def request(
        self, build: Callable[[], Scenario], change: Change | None = None, label: str = "", *, saveable: bool = True
    ) -> int:
        """Compute the outlook of ``build()`` — and, with ``change``, of the changed scenario beside it.

        ``saveable``: the result carries its scenario, so the pane can save it
        (not for a scenario file opened from disk).
        """
        self.generation += 1
        self.pool.clear()  # a queued, not yet started request is stale already
        self.pool.start(_Job(self.generation, build, self.relay, change, label, saveable))
        return self.generation

    def _delivered(self, computed: Computed) -> None:
        if computed.generation == self.generation:  # a stale result is dropped, never shown
            self.ready.emit(computed)

    def wait(self) -> None:
        self.pool.waitForDone()
