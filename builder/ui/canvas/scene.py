"""The scene of one automation: items built from, and kept in step with, the workspace."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, QSizeF, Qt
from PySide6.QtWidgets import QGraphicsScene

from builder.app_log import log
from builder.engine.graph import Problem
from builder.engine.node_settings import output_label, output_names
from builder.engine.words import AutomationState, NodeKind
from builder.store.base import Change
from builder.store.database import WorkspaceError
from builder.store.loading import NodeRow
from builder.store.summaries import NodeSummary
from builder.store.workspace import Workspace
from builder.ui.background import NewestOnly
from builder.ui.canvas.items import ASKED_MARK, BLOCKING_MARK, EdgeItem, NodeItem, em, problem_line


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


SEGMENT_STATES = ("in progress", "accepted", "replied", "finished")  # a Segment card's counts (SPEC §10)


def _days(days: object) -> str:
    return f"{days} day{'s' if days != 1 else ''}"


def settings_lines(kind: NodeKind, settings: dict | None) -> list[str]:
    """What a control or tag node is set to do, in a few words (SPEC §10)."""
    settings = settings or {}
    if kind is NodeKind.WAIT_FOR:
        outcome = str(settings.get("outcome", "?")).capitalize()
        return [f"{outcome} within {_days(settings.get('days', '?'))}"]
    if kind is NodeKind.CONDITION:
        if "has" in settings:
            return [f"Has {'a LinkedIn profile' if settings['has'] == 'linkedin' else settings['has']}"]
        for rule, words in (("tags_any", "Any of"), ("tags_all", "All of")):
            if rule in settings:
                return [f"{words}: {', '.join(settings[rule]) or 'no tags yet'}"]
        return ["No rule yet"]
    if kind is NodeKind.SPLIT:
        variants = settings.get("variants") or []
        return [" · ".join(f"{v.get('name')} {v.get('percent')}%" for v in variants if isinstance(v, dict))]
    if kind.is_tag:
        return [f"Tag '{settings.get('tag', '')}'"]
    return []


def summary_lines(
    kind: NodeKind, summary: NodeSummary | None, wait_days: int, settings: dict | None = None
) -> list[str]:
    """The card's live summary in a marketer's words (SPEC §8 "Canvas"); before it is counted, what is known."""
    if kind.is_control or kind.is_tag:
        lines = settings_lines(kind, settings)
        if summary is not None and kind.is_control:
            counts = [f"{summary.waiting:,} waiting"] if kind is NodeKind.WAIT_FOR else []
            counts += [f"{output_label(o)} {summary.ways.get(o, 0):,}" for o in output_names(kind, settings)]
            lines.append(" · ".join(counts))
        return lines
    if summary is None:
        return [_days(wait_days)] if kind is NodeKind.WAIT else []
    if kind is NodeKind.SEGMENT:
        if summary.members is None:
            return ["No segment chosen yet"]
        lines = [summary.segment_name or "Segment", f"{summary.members:,} members · {summary.enrolled:,} enrolled"]
        if summary.by_status:  # above the members line, which stays last (tests and eyes look for it there)
            # Two short lines: the four counts on one are cut off on a card's width.
            counts = {state: f"{summary.by_status.get(state, 0):,} {state}" for state in SEGMENT_STATES}
            lines[1:1] = [
                f"{counts['in progress']} · {counts['finished']}",
                f"{counts['accepted']} · {counts['replied']}",
            ]
        return lines
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
        links = self.workspace.edges_with_outputs(automation)
        self.rows = {row.id: row for row in rows}
        for row in rows:
            item = self.nodes.get(row.id)
            if item is None:
                item = NodeItem(row.id, row.kind, row.title)
                self.nodes[row.id] = item
                self.addItem(item)
            item.set_outputs(output_names(row.kind, row.settings))
            # Until the new counts arrive, the last ones (a moment old) and what the row itself says.
            lines = summary_lines(row.kind, self.summaries.get(row.id), row.wait_days, row.settings)
            item.show_state(row.title, lines, row.x, row.y)
        workspace = self.workspace
        self.counting.request(lambda: _count(workspace, automation))
        for node_id in set(self.nodes) - set(self.rows):
            item = self.nodes.pop(node_id)
            self.removeItem(item)
        wanted = {(s, t): o for s, t, o in links if s in self.nodes and t in self.nodes}
        for key in [k for k, edge in self.edges.items() if k not in wanted or wanted[k] != edge.output]:
            edge = self.edges.pop(key)
            edge.detach()
            self.removeItem(edge)
        for source, target, output in links:
            if (source, target) in wanted and (source, target) not in self.edges:
                edge = EdgeItem(self.nodes[source], self.nodes[target], output)
                self.edges[(source, target)] = edge
                self.addItem(edge)
        connected: dict[int, set[str]] = {}
        for (source, _), edge in self.edges.items():
            if edge.output is not None:
                connected.setdefault(source, set()).add(edge.output)
        problems = self._problems(automation)
        for node_id, item in self.nodes.items():
            item.show_open_outputs(connected.get(node_id, set()))
            item.show_problem(problems.get(node_id))
        for edge in self.edges.values():
            edge.follow()
        self._grow_to_fit()

    def _problems(self, automation: int) -> dict[int, tuple[str, str]]:
        """Per node, what the automation bar lists for it (a draft's SPEC §3 problems): the mark and the words."""
        info = next((a for a in self.workspace.automations() if a.id == automation), None)
        if info is None or info.state is not AutomationState.DRAFT:
            return {}
        found: dict[int, list[Problem]] = {}
        for problem in self.workspace.problems(automation):
            if isinstance(problem.node, int):
                found.setdefault(problem.node, []).append(problem)
        return {
            node: (
                BLOCKING_MARK if any(p.blocking for p in problems) else ASKED_MARK,
                "\n".join(problem_line(p) for p in problems),
            )
            for node, problems in found.items()
        }

    def _counted(self, _generation: int, counted: tuple[int, dict[int, NodeSummary]] | None) -> None:
        """The cards' counts arrived: each card shows them (cards that changed size take their links along)."""
        self._shown = _generation
        if counted is None or counted[0] != self.automation_id:
            return
        self.summaries = counted[1]
        for node_id, item in self.nodes.items():
            row = self.rows.get(node_id)
            if row is not None:
                lines = summary_lines(row.kind, self.summaries.get(node_id), row.wait_days, row.settings)
                item.show_state(item.title, lines, item.x(), item.y())
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
