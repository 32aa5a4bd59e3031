"""Every edit as an undoable command (QUndoCommand) that changes the workspace only.

A command calls one workspace method per step, which commits and announces
the change; scene items and panels redraw from that announcement. A command
the workspace refuses reports its sentence and never lands on the stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from builder.engine.words import NodeKind
from builder.store.branch_history import BranchState
from builder.store.database import WorkspaceError
from builder.store.snapshots import AutomationSnapshot, NodesSnapshot
from builder.store.workspace import Workspace

Report = Callable[[str], None]

NUDGE_ID = 1001


class WorkspaceCommand(QUndoCommand):
    """A command whose redo and undo each call the workspace once."""

    def __init__(self, workspace: Workspace, text: str) -> None:
        super().__init__(text)
        self.workspace = workspace
        self.report: Report = lambda _message: None
        self.failed = False

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        self._guarded(self.apply)

    def undo(self) -> None:
        self._guarded(self.revert)

    def _guarded(self, step: Callable[[], None]) -> None:
        try:
            step()
        except WorkspaceError as error:
            # The workspace refused (or changed elsewhere): nothing was applied.
            self.failed = True
            self.setObsolete(True)
            self.report(str(error))


def push(stack: QUndoStack, command: WorkspaceCommand, report: Report) -> bool:
    """Run ``command`` and keep it for undo; False (with the reason reported) if refused."""
    command.report = report
    stack.push(command)
    return not command.failed


class AddNodeCommand(WorkspaceCommand):
    def __init__(self, workspace: Workspace, automation: int, kind: NodeKind, x: float, y: float) -> None:
        super().__init__(workspace, f"Add {kind.label}")
        self.automation, self.kind, self.x, self.y = automation, kind, x, y
        self.node_id: int | None = None
        self._snapshot: NodesSnapshot | None = None

    def apply(self) -> None:
        if self._snapshot is None:
            self.node_id = self.workspace.add_node(self.automation, self.kind, x=self.x, y=self.y)
        else:
            self.workspace.restore_nodes(self._snapshot)

    def revert(self) -> None:
        assert self.node_id is not None
        self._snapshot = self.workspace.remove_nodes_with_snapshot([self.node_id])


class RemoveNodesCommand(WorkspaceCommand):
    """Delete nodes with their connections; undo puts all of it back in place."""

    def __init__(self, workspace: Workspace, node_ids: list[int]) -> None:
        count = len(node_ids)
        super().__init__(workspace, f"Delete {count} node{'s' if count != 1 else ''}")
        self.node_ids = list(node_ids)
        self._snapshot: NodesSnapshot | None = None

    def apply(self) -> None:
        self._snapshot = self.workspace.remove_nodes_with_snapshot(self.node_ids)

    def revert(self) -> None:
        assert self._snapshot is not None
        self.workspace.restore_nodes(self._snapshot)


class MoveNodesCommand(WorkspaceCommand):
    """Nodes moved on the canvas: a whole drag, an auto-layout, or arrow-key nudges."""

    def __init__(
        self,
        workspace: Workspace,
        before: dict[int, tuple[float, float]],
        after: dict[int, tuple[float, float]],
        text: str = "Move nodes",
        nudge: bool = False,
    ) -> None:
        super().__init__(workspace, text)
        self.before, self.after, self.nudge = dict(before), dict(after), nudge

    def apply(self) -> None:
        self.workspace.move_nodes(self.after)

    def revert(self) -> None:
        self.workspace.move_nodes(self.before)

    def id(self) -> int:
        return NUDGE_ID if self.nudge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        # Successive arrow-key nudges of the same nodes are one step.
        if not isinstance(other, MoveNodesCommand) or set(other.after) != set(self.after):
            return False
        self.after = dict(other.after)
        return True


class ConnectCommand(WorkspaceCommand):
    """Connect two nodes; from a control node, from one of its outputs (SPEC §10)."""

    def __init__(self, workspace: Workspace, source: int, target: int, output: str | None = None) -> None:
        super().__init__(workspace, "Connect" if output is None else f"Connect '{output}'")
        self.source, self.target, self.output = source, target, output

    def apply(self) -> None:
        self.workspace.connect(self.source, self.target, self.output)

    def revert(self) -> None:
        self.workspace.disconnect(self.source, self.target)


class DisconnectCommand(WorkspaceCommand):
    def __init__(self, workspace: Workspace, source: int, target: int) -> None:
        super().__init__(workspace, "Remove connection")
        self.source, self.target = source, target
        self.output: str | None = None

    def apply(self) -> None:
        self.output = self.workspace.edge_output(self.source, self.target)
        self.workspace.disconnect(self.source, self.target)

    def revert(self) -> None:
        self.workspace.connect(self.source, self.target, self.output)


class SetNodeSettingsCommand(WorkspaceCommand):
    """A Wait for, Condition, A/B split or tag node's settings changed in the panel (SPEC §10)."""

    def __init__(
        self, workspace: Workspace, node_id: int, before: dict[str, Any], after: dict[str, Any], text: str
    ) -> None:
        super().__init__(workspace, text)
        self.node_id, self.before, self.after = node_id, before, after

    def apply(self) -> None:
        self.workspace.set_node_settings(self.node_id, self.after)

    def revert(self) -> None:
        self.workspace.set_node_settings(self.node_id, self.before)


class SetStopOnReplyCommand(WorkspaceCommand):
    """The automation's "Stop on reply" switch (SPEC §10)."""

    def __init__(self, workspace: Workspace, automation_id: int, on: bool) -> None:
        super().__init__(workspace, "Stop on reply" if on else "Don't stop on reply")
        self.automation_id, self.on = automation_id, on

    def apply(self) -> None:
        self.workspace.set_stop_on_reply(self.automation_id, self.on)

    def revert(self) -> None:
        self.workspace.set_stop_on_reply(self.automation_id, not self.on)


class RenameNodeCommand(WorkspaceCommand):
    def __init__(self, workspace: Workspace, node_id: int, before: str, after: str) -> None:
        super().__init__(workspace, f"Rename to '{after}'")
        self.node_id, self.before, self.after = node_id, before, after

    def apply(self) -> None:
        self.workspace.rename_node(self.node_id, self.after)

    def revert(self) -> None:
        self.workspace.rename_node(self.node_id, self.before)


class CreateAutomationCommand(WorkspaceCommand):
    def __init__(self, workspace: Workspace, name: str) -> None:
        super().__init__(workspace, f"New automation '{name}'")
        self.name = name
        self.automation_id: int | None = None
        self._snapshot: AutomationSnapshot | None = None

    def apply(self) -> None:
        if self._snapshot is None:
            self.automation_id = self.workspace.create_automation(self.name)
        else:
            self.workspace.restore_automation(self._snapshot)

    def revert(self) -> None:
        assert self.automation_id is not None
        if self.workspace.automation(self.automation_id).state.started:
            raise WorkspaceError(
                "This automation has started since it was created; delete it from the list if you mean to."
            )
        self._snapshot = self.workspace.delete_automation(self.automation_id)


class DuplicateAutomationCommand(CreateAutomationCommand):
    def __init__(self, workspace: Workspace, original: int, name: str) -> None:
        super().__init__(workspace, name)
        self.setText(f"Duplicate as '{name}'")
        self.original = original

    def apply(self) -> None:
        if self._snapshot is None:
            self.automation_id = self.workspace.duplicate_automation(self.original, self.name)
        else:
            self.workspace.restore_automation(self._snapshot)


class RenameAutomationCommand(WorkspaceCommand):
    def __init__(self, workspace: Workspace, automation_id: int, before: str, after: str) -> None:
        super().__init__(workspace, f"Rename automation to '{after}'")
        self.automation_id, self.before, self.after = automation_id, before, after

    def apply(self) -> None:
        self.workspace.rename_automation(self.automation_id, self.after)

    def revert(self) -> None:
        self.workspace.rename_automation(self.automation_id, self.before)


class DeleteAutomationCommand(WorkspaceCommand):
    def __init__(self, workspace: Workspace, automation_id: int, name: str) -> None:
        super().__init__(workspace, f"Delete automation '{name}'")
        self.automation_id = automation_id
        self._snapshot: AutomationSnapshot | None = None

    def apply(self) -> None:
        self._snapshot = self.workspace.delete_automation(self.automation_id)

    def revert(self) -> None:
        assert self._snapshot is not None
        self.workspace.restore_automation(self._snapshot)


class BranchChangeCommand(WorkspaceCommand):
    """A change to a branch's sender profiles (add, remove, weight).

    Undo restores the branch's rows exactly — and is refused, with the reason,
    once tasks were done, contacts enrolled or the day changed since.
    """

    def __init__(self, workspace: Workspace, node_id: int, text: str, change: Callable[[], None]) -> None:
        super().__init__(workspace, text)
        self.node_id = node_id
        self.change = change
        self.before: BranchState | None = None
        self.after: BranchState | None = None

    def apply(self) -> None:
        if self.after is None:
            self.before = self.workspace.branch_state(self.node_id)
            self.change()
            self.after = self.workspace.branch_state(self.node_id)
        else:
            assert self.before is not None
            self.workspace.restore_branch(self.before, self.after)

    def revert(self) -> None:
        assert self.before is not None and self.after is not None
        self.workspace.restore_branch(self.after, self.before)

    def still_exact(self) -> bool:
        """Whether undo could still put the branch back exactly (nothing happened since)."""
        return self.after is None or self.workspace.branch_state(self.node_id) == self.after


class SetValueCommand(WorkspaceCommand):
    """One setting changed from ``before`` to ``after`` through a workspace setter."""

    def __init__(
        self, workspace: Workspace, text: str, setter: Callable[[object], None], before: object, after: object
    ) -> None:
        super().__init__(workspace, text)
        self.setter, self.before, self.after = setter, before, after

    def apply(self) -> None:
        self.setter(self.after)

    def revert(self) -> None:
        self.setter(self.before)
