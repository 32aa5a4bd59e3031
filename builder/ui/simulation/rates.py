"""The outcome rates of the open automation (SPEC §10), edited in the simulation pane.

Accept %, reply % and bounce %, each with the days after the task it follows.
They are kept with the automation (``Workspace.set_rates``), so an edit is one
undoable command; the pane recomputes when the workspace announces it, and a
saved scenario carries them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from builder.engine.words import Outcome
from builder.store.workspace import Workspace
from builder.ui.commands import WorkspaceCommand, push

# SPEC §10: after_days defaults 2, 1, 0.
DEFAULT_AFTER_DAYS = {Outcome.ACCEPTED: 2, Outcome.REPLIED: 1, Outcome.BOUNCED: 0}
LABELS = {Outcome.ACCEPTED: "Accept", Outcome.REPLIED: "Reply", Outcome.BOUNCED: "Bounce"}
StoredRates = dict[str, dict[str, Any]]


class SetRatesCommand(WorkspaceCommand):
    """The automation's outcome rates, as one undo step."""

    def __init__(self, workspace: Workspace, automation_id: int, before: StoredRates, after: StoredRates) -> None:
        super().__init__(workspace, "Change outcome rates")
        self.automation_id, self.before, self.after = automation_id, before, after

    def apply(self) -> None:
        self.workspace.set_rates(self.automation_id, self.after)

    def revert(self) -> None:
        self.workspace.set_rates(self.automation_id, self.before)


class OutcomeRates(QWidget):
    """Six spin boxes: each outcome's share of contacts (%) and the days after its task."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomeRates")
        self.percent: dict[Outcome, QDoubleSpinBox] = {}
        self.after: dict[Outcome, QSpinBox] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Outcome rates:", self))
        for outcome in Outcome:
            share = QDoubleSpinBox(self)
            share.setObjectName(f"{outcome.value}Rate")
            share.setRange(0, 100)
            share.setDecimals(1)
            share.setSuffix(" %")
            share.setKeyboardTracking(False)
            share.setToolTip(
                f"{outcome.label}: the share of contacts who do it after their task (SPEC §10); 0 % never."
            )
            days = QSpinBox(self)
            days.setObjectName(f"{outcome.value}AfterDays")
            days.setRange(0, 365)
            days.setValue(DEFAULT_AFTER_DAYS[outcome])
            days.setPrefix("after ")
            days.setSuffix(" d")
            days.setKeyboardTracking(False)
            days.setToolTip(f"The days after the task on which '{outcome.value}' happens.")
            for box in (share, days):
                box.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
                box.editingFinished.connect(self.edited)
            self.percent[outcome], self.after[outcome] = share, days
            layout.addWidget(QLabel(LABELS[outcome], self))
            layout.addWidget(share)
            layout.addWidget(days)
        layout.addStretch(1)

    def value(self, stored: StoredRates | None = None) -> StoredRates:
        """The rates as ``set_rates`` keeps them; an outcome at 0 % is left out.

        An outcome whose boxes still show ``stored`` keeps its stored rate
        whole (8.33 % shows as 8.3 %, and is not cut by an edit of another).
        """
        rates: StoredRates = {}
        for outcome in Outcome:
            share, days = self.percent[outcome].value(), self.after[outcome].value()
            kept = (stored or {}).get(outcome.value)
            if kept is not None and self._shows(outcome, kept):
                rates[outcome.value] = dict(kept)
            elif share > 0:
                rates[outcome.value] = {"rate": round(share / 100, 4), "after_days": days}
        return rates

    def _shows(self, outcome: Outcome, kept: dict[str, Any]) -> bool:
        box = self.percent[outcome]
        shown = round(100 * float(kept["rate"]), box.decimals())
        after = int(kept.get("after_days", DEFAULT_AFTER_DAYS[outcome]))
        return box.value() == shown and self.after[outcome].value() == after

    def show_rates(self, rates: StoredRates) -> None:
        """Show the stored rates (no signal: nothing is edited)."""
        for outcome in Outcome:
            found = rates.get(outcome.value)
            share, days = self.percent[outcome], self.after[outcome]
            share.blockSignals(True)
            days.blockSignals(True)
            share.setValue(100 * float(found["rate"]) if found else 0)
            days.setValue(
                int(found.get("after_days", DEFAULT_AFTER_DAYS[outcome])) if found else DEFAULT_AFTER_DAYS[outcome]
            )
            share.blockSignals(False)
            days.blockSignals(False)


def push_rates(
    stack: QUndoStack, workspace: Workspace, automation_id: int, after: StoredRates, report: Callable[[str], None]
) -> bool:
    """Keep ``after`` with the automation as one undo step; nothing when they are the rates it has."""
    before = workspace.rates(automation_id)
    if _same(before, after):
        return False
    return push(stack, SetRatesCommand(workspace, automation_id, before, after), report)


def _same(a: StoredRates, b: StoredRates) -> bool:
    def key(rates: StoredRates) -> dict[str, tuple[float, int]]:
        return {k: (round(float(v["rate"]), 4), int(v.get("after_days", 0))) for k, v in rates.items()}

    return key(a) == key(b)
