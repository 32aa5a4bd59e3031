"""Computing the pane's outlook off the GUI thread; a newer request makes an older result stale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from builder.engine.bulk import collector_paused
from builder.engine.limits import Hold
from builder.engine.preview import NodeNames, Outlook, outlook, outlook_of
from builder.engine.scenario import Scenario, ScenarioError
from builder.engine.simulation import SimulationResult, simulate
from builder.ui.background import NewestOnly


@dataclass(frozen=True)
class Computed:
    generation: int
    outlook: Outlook | None
    scenario: Scenario | None  # what the pane can save as a scenario file; None for a file opened
    error: str | None
    after: Outlook | None = None  # a what-if's outlook, beside ``outlook`` (now)
    label: str = ""
    # SPEC §12: (day, profile, hold) for each day a profile's limit per action or per week held tasks back,
    # and each branch's profiles, for the pane's warning of what a weekly cap costs a branch.
    held_back: tuple[tuple[int, str, Hold], ...] = ()
    branch_profiles: tuple[tuple[str, tuple[str, ...]], ...] = ()


def branch_profiles(result: SimulationResult) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each branch's id with the ids of the profiles attached to it in the run (any state)."""
    branches = [b.id for b in result.scenario.automation.branches]
    return tuple(
        (branch, tuple(str(a.profile) for a in roster.attachments))
        for branch, roster in zip(branches, result.rosters, strict=False)
    )


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
            run = simulate(scenario)
            result = outlook_of(run, titles)
            after = outlook(change(scenario), titles) if change is not None else None
        return Computed(
            generation,
            result,
            scenario if saveable else None,
            None,
            after,
            label,
            tuple(run.held_back),
            branch_profiles(run),
        )
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
