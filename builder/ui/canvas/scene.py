"""The scene of one automation: items built from, and kept in step with, the workspace."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, QSizeF, Qt
from PySide6.QtWidgets import QGraphicsScene

from builder.app_log import log
from builder.engine.words import NodeKind
from builder.store.base import Change
from builder.store.database import WorkspaceError
from builder.store.loading import NodeRow
from builder.store.summaries import NodeSummary
from builder.store.workspace import Workspace
from builder.ui.background import NewestOnly
from builder.ui.canvas.items import EdgeItem, NodeItem, em


def _count(workspace: Workspace, automation_id: int) -> tuple[int, dict[int, NodeSummary]] | None:
    """Off the GUI thread: every card's counts, or None when they cannot be had (the card keeps its last)."""
    try:
        return automation_id, workspace.node_summaries(automation_id)
    except WorkspaceError as error:
        log.info("card counts not read: %s", error)
        return None
    except Exception:  # a thread must not die with a traceback on stderr; the log keeps it
        log.exception("card counts not read")
        return None


def summary_lines(kind: NodeKind, summary: NodeSummary | None, wait_days: int) -> list[str]:
    """The card's live summary in a marketer's words (SPEC §8 "Canvas"); before it is counted, what is known."""
    if summary is None:
        return [f"{wait_days} day{'s' if wait_days != 1 else ''}"] if kind is NodeKind.WAIT else []
    if kind is NodeKind.SEGMENT:
        if summary.members is None:
            return ["No segment chosen yet"]
        return [summary.segment_name or "Segment", f"{summary.members:,} members · {summary.enrolled:,} enrolled"]
    if kind is NodeKind.SENDER_PROFILE:
        if not summary.profiles:
            return ["No sender profiles yet"]
        lines = []
        for profile in summary.profiles:
            state = "" if profile.state.value == "active" else f" ({profile.state.value})"
            lines.append(f"{profile.name}{state}: {profile.contacts:,} contacts")
        if len(lines) > 4:
            lines = [*lines[:3], f"and {len(lines) - 3} more"]
        return lines
    lines = [f"{wait_days} day{'s' if wait_days != 1 else ''}"] if kind is NodeKind.WAIT else []
    if kind.is_action:
        lines.append(f"{summary.pending:,} pending · {summary.done:,} done")
    return lines


class AutomationScene(QGraphicsScene):
    """Shows the automation the editor has open; redraws on workspace changes."""

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.automation_id: int | None = None
        self.nodes: dict[int, NodeItem] = {}
        self.edges: dict[tuple[int, int], EdgeItem] = {}
        # The cards' counts (over every enrollment and task of the automation) are counted off the GUI
        # thread: the cards show at once, and their counts a moment later.
        self.rows: dict[int, NodeRow] = {}
        self.summaries: dict[int, NodeSummary] = {}
        self.counting = NewestOnly(self)
        self._shown = 0  # the generation of the counts on the cards
        self.counting.delivered.connect(self._counted)
        margin = em() * 40
        self.setSceneRect(-margin, -margin, 2 * margin, 2 * margin)

    def show_automation(self, automation_id: int | None) -> None:
        if automation_id == self.automation_id:
            return
        self.automation_id = automation_id
        for item in list(self.nodes.values()):
            self.removeItem(item)
        for edge in list(self.edges.values()):
            self.removeItem(edge)
        self.nodes.clear()
        self.edges.clear()
        self.rows.clear()
        self.summaries = {}
        self.sync()

    def on_change(self, change: Change) -> None:
        if change.what == "today":
            return
        if change.automation_id is None or change.automation_id == self.automation_id:
            self.sync()

    def sync(self) -> None:
        """Make the items match the workspace: add, drop and update, keeping selection."""
        if self.automation_id is None:
            return
        automation = self.automation_id
        rows = self.workspace.nodes(automation)  # none once the automation is deleted
        links = self.workspace.edges(automation)
        self.rows = {row.id: row for row in rows}
        for row in rows:
            item = self.nodes.get(row.id)
            if item is None:
                item = NodeItem(row.id, row.kind, row.title)
                self.nodes[row.id] = item
                self.addItem(item)
            # Until the new counts arrive, the last ones (a moment old) and what the row itself says.
            lines = summary_lines(row.kind, self.summaries.get(row.id), row.wait_days)
            item.show_state(row.title, lines, row.x, row.y)
        workspace = self.workspace
        self.counting.request(lambda: _count(workspace, automation))
        for node_id in set(self.nodes) - set(self.rows):
            item = self.nodes.pop(node_id)
            self.removeItem(item)
        wanted = {(s, t) for s, t in links if s in self.nodes and t in self.nodes}
        for key in set(self.edges) - wanted:
            edge = self.edges.pop(key)
            edge.detach()
            self.removeItem(edge)
        for source, target in links:
            if (source, target) in wanted and (source, target) not in self.edges:
                edge = EdgeItem(self.nodes[source], self.nodes[target])
                self.edges[(source, target)] = edge
                self.addItem(edge)
        for edge in self.edges.values():
            edge.follow()
        self._grow_to_fit()

    def _counted(self, _generation: int, counted: tuple[int, dict[int, NodeSummary]] | None) -> None:
        """The cards' counts arrived: each card shows them (cards that changed size take their links along)."""
        self._shown = _generation
        if counted is None or counted[0] != self.automation_id:
            return
        self.summaries = counted[1]
        for node_id, item in self.nodes.items():
            row = self.rows.get(node_id)
            if row is not None:
                item.show_state(
                    item.title, summary_lines(row.kind, self.summaries.get(node_id), row.wait_days), item.x(), item.y()
                )
        for edge in self.edges.values():
            edge.follow()

    def counted(self) -> bool:
        """Whether the cards show the counts of the workspace as it is now (no count under way)."""
        return self._shown == self.counting.generation

    def _grow_to_fit(self) -> None:
        bounds = self.itemsBoundingRect()
        margin = em() * 20
        self.setSceneRect(self.sceneRect().united(bounds.adjusted(-margin, -margin, margin, margin)))

    def free_spot(self, at: QPointF) -> QPointF:
        """The place nearest ``at`` where a new card covers no other card (and leaves a gap).

        Searched on a grid around ``at``, nearest first; below before above, right before left.
        """
        unit = em()
        size = QSizeF(unit * 15, unit * 4.5)  # a new card: its title and a line

        def free(point: QPointF) -> bool:
            wanted = QRectF(point, size).adjusted(-unit, -unit, unit, unit)
            return not any(
                isinstance(item, NodeItem)
                for item in self.items(wanted, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
            )

        if free(at):
            return at
        step = unit * 1.5
        for ring in range(1, 80):
            spots = [(i, j) for i in range(-ring, ring + 1) for j in range(-ring, ring + 1) if ring in (abs(i), abs(j))]
            spots.sort(key=lambda s: (s[0] ** 2 + s[1] ** 2, -s[1], -s[0]))
            for i, j in spots:
                point = at + QPointF(i * step, j * step)
                if free(point):
                    return point
        return at

    def selected_nodes(self) -> list[NodeItem]:
        return [item for item in self.selectedItems() if isinstance(item, NodeItem)]

    def selected_edges(self) -> list[EdgeItem]:
        return [item for item in self.selectedItems() if isinstance(item, EdgeItem)]
