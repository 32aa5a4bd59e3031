"""Recording an outcome (SPEC §10) as one undoable step, wherever a marketer records it.

Today's tasks and the Contacts page push a :class:`RecordOutcomeCommand`; its
undo takes back exactly what the outcome changed (the outcome, the interaction
it is, canceled tasks, due days, the enrollment's status), and redo puts it
back. An import of interaction history (with its outcome column) is kept as an
:class:`ImportedInteractionsCommand`: undo takes the whole file back.
"""

from __future__ import annotations

from datetime import date

from builder.engine.words import NodeKind, Outcome
from builder.store.importing import ImportedHistory
from builder.store.outcomes import RecordedOutcome
from builder.store.workspace import Workspace
from builder.ui.commands import WorkspaceCommand

# The outcomes that make sense after a task of each kind (the buttons on a row of Today's tasks).
OUTCOMES_FOR_KIND: dict[NodeKind, tuple[Outcome, ...]] = {
    NodeKind.LINKEDIN_CONNECT: (Outcome.ACCEPTED, Outcome.REPLIED),
    NodeKind.LINKEDIN_MESSAGE: (Outcome.ACCEPTED, Outcome.REPLIED),
    NodeKind.EMAIL: (Outcome.REPLIED, Outcome.BOUNCED),
}

_VERBS = {Outcome.ACCEPTED: "accepted", Outcome.REPLIED: "replied", Outcome.BOUNCED: "bounced"}


def outcome_sentence(outcome: Outcome, contact_name: str, automation_name: str) -> str:
    """What the status bar and the undo history say about a recorded outcome."""
    if outcome is Outcome.BOUNCED:
        return f"An email to {contact_name} bounced in '{automation_name}'"
    return f"{contact_name} {_VERBS[outcome]} in '{automation_name}'"


class RecordOutcomeCommand(WorkspaceCommand):
    """Record that a contact accepted, replied or bounced in one automation; undo takes all of it back."""

    def __init__(
        self,
        workspace: Workspace,
        outcome: Outcome,
        *,
        contact_id: int,
        automation_id: int,
        contact_name: str,
        automation_name: str,
        day: date | None = None,
    ) -> None:
        super().__init__(workspace, outcome_sentence(outcome, contact_name, automation_name))
        self.outcome, self.contact_id, self.automation_id, self.day = outcome, contact_id, automation_id, day
        self.recorded: RecordedOutcome | None = None

    def apply(self) -> None:
        if self.recorded is None:
            self.recorded = self.workspace.record_outcome(
                outcome=self.outcome, day=self.day, contact_id=self.contact_id, automation_id=self.automation_id
            )
        else:
            self.recorded = self.workspace.restore_outcome(self.recorded)

    def revert(self) -> None:
        assert self.recorded is not None
        self.workspace.delete_outcome(self.recorded)


class ImportedInteractionsCommand(WorkspaceCommand):
    """An interactions import that already ran (behind its progress dialog); undo takes all of it back."""

    def __init__(self, workspace: Workspace, source: str, history: ImportedHistory) -> None:
        super().__init__(workspace, f"Import interactions from {source}")
        self.history = history
        self.imported = True  # pushed after the import: the first redo has nothing to do

    def apply(self) -> None:
        if self.imported:
            return
        self.history = self.workspace.put_back_interaction_import(self.history)
        self.imported = True

    def revert(self) -> None:
        self.workspace.take_back_interaction_import(self.history)
        self.imported = False
