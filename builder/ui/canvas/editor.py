"""What a marketer can do to the open automation, as undoable commands.

The canvas and its interactions call these methods; each builds a command and
pushes it on the shared undo stack. A refusal becomes a sentence in
``message``, never a half-applied change.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtGui import QUndoStack

from builder.engine.layout import tree_layout
from builder.engine.node_settings import output_label
from builder.engine.words import NodeKind
from builder.store.workspace import Workspace
from builder.ui.canvas.items import em
from builder.ui.canvas.scene import AutomationScene
from builder.ui.commands import (
    AddNodeCommand,
    ConnectCommand,
    DisconnectCommand,
    MoveNodesCommand,
    RemoveNodesCommand,
    RenameNodeCommand,
    push,
)


class AutomationEditor(QObject):
    """Edits the automation shown in ``scene`` through ``stack``."""

    message = Signal(str)
    node_added = Signal(int)  # a node the marketer just added (not one brought back by undo)

    def __init__(
        self, workspace: Workspace, stack: QUndoStack, scene: AutomationScene, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.stack = stack
        self.scene = scene

    @property
    def automation_id(self) -> int | None:
        return self.scene.automation_id

    def _report(self, text: str) -> None:
        self.message.emit(text)

    def add_node(self, kind: NodeKind, at: QPointF) -> int | None:
        """Add a node at ``at``, or at the nearest spot where it covers no other card."""
        if self.automation_id is None:
            self._report("Create or choose an automation first.")
            return None
        spot = self.scene.free_spot(at)
        command = AddNodeCommand(self.workspace, self.automation_id, kind, round(spot.x(), 1), round(spot.y(), 1))
        if push(self.stack, command, self._report) and command.node_id is not None:
            self.node_added.emit(command.node_id)
            return command.node_id
        return None

    def can_connect(self, source: int, target: int, output: str | None = None) -> str | None:
        """None if allowed, else the reason (SPEC §3, §10, decided by the engine)."""
        return self.workspace.can_connect(source, target, output)

    def connect(self, source: int, target: int, output: str | None = None) -> bool:
        """Connect source → target; from a control node, from its ``output`` (yes, no, a variant)."""
        names = [item.title if (item := self.scene.nodes.get(n)) else "" for n in (source, target)]
        if not push(self.stack, ConnectCommand(self.workspace, source, target, output), self._report):
            return False
        way = "" if output is None else f" from '{output_label(output)}'"
        self._report(f"Connected '{names[0]}'{way} to '{names[1]}'")
        return True

    def move(
        self, before: dict[int, tuple[float, float]], after: dict[int, tuple[float, float]], *, nudge: bool = False
    ) -> None:
        moved = {n: p for n, p in after.items() if before.get(n) != p}
        if moved:
            text = "Nudge nodes" if nudge else f"Move {len(moved)} node{'s' if len(moved) != 1 else ''}"
            push(self.stack, MoveNodesCommand(self.workspace, before, after, text, nudge=nudge), self._report)

    def delete_selection(self) -> None:
        """Delete the selected nodes (with their connections) and selected connections, as one step."""
        nodes = [item.node_id for item in self.scene.selected_nodes()]
        edges = [
            edge.key
            for edge in self.scene.selected_edges()
            if edge.source.node_id not in nodes and edge.target.node_id not in nodes
        ]
        if not nodes and not edges:
            return
        self.stack.beginMacro("Delete")
        try:
            for source, target in edges:
                push(self.stack, DisconnectCommand(self.workspace, source, target), self._report)
            if nodes:
                push(self.stack, RemoveNodesCommand(self.workspace, nodes), self._report)
        finally:
            self.stack.endMacro()

    def rename(self, node_id: int, title: str) -> None:
        item = self.scene.nodes.get(node_id)
        if item is not None and title.strip() and title.strip() != item.title:
            push(self.stack, RenameNodeCommand(self.workspace, node_id, item.title, title.strip()), self._report)

    def auto_layout(self) -> None:
        """Lay the automation out left to right as trees (yes above no, variants in order), as one undoable step."""
        if not self.scene.nodes:
            return
        unit = em()
        items = sorted(self.scene.nodes.values(), key=lambda item: (item.pos().y(), item.pos().x(), item.node_id))
        ranked = []
        for (source, target), edge in self.scene.edges.items():
            outputs = list(edge.source.output_ports)
            ranked.append((source, target, outputs.index(edge.output) if edge.output in outputs else 0))
        tallest = max(item.card_rect().height() for item in items)
        positions = tree_layout(
            [item.node_id for item in items],
            ranked,
            column_width=unit * 19,
            row_height=max(unit * 9, tallest + unit * 1.5),
        )
        before = {item.node_id: (item.pos().x(), item.pos().y()) for item in items}
        after = {int(n): (float(x), float(y)) for n, (x, y) in positions.items()}
        if before != after:
            push(self.stack, MoveNodesCommand(self.workspace, before, after, "Auto-layout"), self._report)
