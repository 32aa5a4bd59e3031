"""Computing the pane's outlook off the GUI thread; a newer request makes an older result stale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from builder.engine.bulk import collector_paused
from builder.engine.preview import NodeNames, Outlook, outlook
from builder.engine.scenario import Scenario, ScenarioError
from builder.ui.background import NewestOnly


@dataclass(frozen=True)
class Computed:
    generation: int
    outlook: Outlook | None
    scenario: Scenario | None  # what the pane can save as a scenario file; None for a file opened
    error: str | None
    after: Outlook | None = None  # a what-if's outlook, beside ``outlook`` (now)
    label: str = ""


Change = Callable[[Scenario], Scenario]
Names = Callable[[], NodeNames]


def compute(
    generation: int,
    build: Callable[[], Scenario],
    change: Change | None,
    label: str,
    saveable: bool,
    names: Names | None = None,
) -> Computed:
    """The outlook of ``build()`` (and of the changed scenario beside it), or a sentence saying why not.

    ``names()`` gives the control nodes' names on the canvas, for the routes.
    """
    try:
        with collector_paused():
            scenario = build()
            titles = names() if names is not None else None
            result = outlook(scenario, titles)
            after = outlook(change(scenario), titles) if change is not None else None
        return Computed(generation, result, scenario if saveable else None, None, after, label)
    except ScenarioError as error:
        return Computed(generation, None, None, "; ".join(error.problems))
    except ValueError as error:  # the workspace's own sentences (WorkspaceError)
        return Computed(generation, None, None, str(error))
    except Exception as error:
        return Computed(generation, None, None, f"The forecast could not be computed ({error}).")


class OutlookWorker(NewestOnly):
    """The pane's computations: one at a time in a thread pool; only the newest result is delivered."""

    ready = Signal(object)  # Computed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.delivered.connect(lambda _generation, computed: self.ready.emit(computed))

    def request(  # type: ignore[override]
        self,
        build: Callable[[], Scenario],
        change: Change | None = None,
        label: str = "",
        *,
        saveable: bool = True,
        names: Names | None = None,
    ) -> int:
        """Compute the outlook of ``build()`` — and, with ``change``, of the changed scenario beside it.

        ``saveable``: the result carries its scenario, so the pane can save it
        (not for a scenario file opened from disk).
        """
        generation = self.generation + 1
        return super().request(lambda: compute(generation, build, change, label, saveable, names))
