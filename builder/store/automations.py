"""Automations and their graphs in the workspace (SPEC §3): nodes, connections, validation.

Connection rules are the engine's (:func:`builder.engine.graph.check_connect`);
edits that would break a started automation are refused whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from builder.engine import graph
from builder.engine.words import AutomationState, NodeKind
from builder.store.base import Change
from builder.store.crm import CrmMixin
from builder.store.database import WorkspaceError, table
from builder.store.loading import NodeRow, automation_problems, execute, graph_nodes, load_edges, load_nodes, query


class _StoredGraph:
    """An automation's graph read from the workspace piece by piece, as the connection rules ask."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def node(self, node_id: int) -> graph.GraphNode:
        ((kind, title),) = query(self.conn, "SELECT kind, title FROM node WHERE id = ?", (node_id,))
        return graph.GraphNode(node_id, NodeKind(kind), title)

    def successors(self, node_id: int) -> list[int]:
        return [
            t for (t,) in query(self.conn, "SELECT target_id FROM edge WHERE source_id = ? ORDER BY id", (node_id,))
        ]

    def predecessors(self, node_id: int) -> list[int]:
        return [
            s for (s,) in query(self.conn, "SELECT source_id FROM edge WHERE target_id = ? ORDER BY id", (node_id,))
        ]


@dataclass(frozen=True)
class AutomationInfo:
    id: int
    name: str
    state: AutomationState
    ignore_previous_interactions: bool


class AutomationsMixin(CrmMixin):
    def create_automation(self, name: str) -> int:
        if not isinstance(name, str) or not name.strip():
            raise WorkspaceError("An automation needs a name.")
        with self._write() as conn:
            result = conn.execute(table("automation").insert(), {"name": name.strip(), "state": "draft"})
            self._later(Change("automations"))
            return int(result.inserted_primary_key[0])

    def rename_automation(self, automation_id: int, name: str) -> None:
        if not isinstance(name, str) or not name.strip():
            raise WorkspaceError("An automation needs a name.")
        with self._write() as conn:
            if not execute(conn, "UPDATE automation SET name = ? WHERE id = ?", (name.strip(), automation_id)):
                raise WorkspaceError("That automation no longer exists.")
            self._later(Change("automations", automation_id))

    def automations(self) -> list[AutomationInfo]:
        with self._read() as conn:
            rows = query(conn, "SELECT id, name, state, ignore_previous_interactions FROM automation ORDER BY id")
        return [AutomationInfo(i, n, AutomationState(s), bool(ig)) for i, n, s, ig in rows]

    def automation(self, automation_id: int) -> AutomationInfo:
        for info in self.automations():
            if info.id == automation_id:
                return info
        raise WorkspaceError("That automation no longer exists.")

    # -- nodes and connections ---------------------------------------------------------

    def _state_of(self, conn: Connection, automation_id: int) -> AutomationState:
        found = query(conn, "SELECT state FROM automation WHERE id = ?", (automation_id,))
        if not found:
            raise WorkspaceError("That automation no longer exists.")
        return AutomationState(found[0][0])

    def _node(self, conn: Connection, node_id: int) -> tuple[int, NodeKind, str]:
        found = query(conn, "SELECT automation_id, kind, title FROM node WHERE id = ?", (node_id,))
        if not found:
            raise WorkspaceError("That node no longer exists.")
        return found[0][0], NodeKind(found[0][1]), found[0][2]

    def add_node(
        self,
        automation_id: int,
        kind: NodeKind | str,
        *,
        title: str | None = None,
        x: float = 0.0,
        y: float = 0.0,
        segment_id: int | None = None,
        wait_days: int = 0,
    ) -> int:
        try:
            kind = NodeKind(kind)
        except ValueError:
            raise WorkspaceError(f"There is no node kind '{kind}'.") from None
        if wait_days < 0:
            raise WorkspaceError("A wait is 0 days or more.")
        with self._write() as conn:
            if self._state_of(conn, automation_id).started:
                # Contacts got their steps when they enrolled: a step added now could
                # never be connected, and would change who gets which steps if it were.
                raise WorkspaceError(
                    "This automation has started, so its steps can no longer change. "
                    "Duplicate it to build a new version."
                )
            if title is None:
                count = query(
                    conn, "SELECT count(*) FROM node WHERE automation_id = ? AND kind = ?", (automation_id, kind.value)
                )[0][0]
                title = f"{kind.label} {count + 1}"
            result = conn.execute(
                table("node").insert(),
                {"automation_id": automation_id, "kind": kind.value, "title": title, "x": x, "y": y,
                 "segment_id": segment_id, "wait_days": wait_days},
            )  # fmt: skip
            self._later(Change("graph", automation_id))
            return int(result.inserted_primary_key[0])

    def nodes(self, automation_id: int) -> list[NodeRow]:
        with self._read() as conn:
            return load_nodes(conn, automation_id)

    def edges(self, automation_id: int) -> list[tuple[int, int]]:
        with self._read() as conn:
            return load_edges(conn, automation_id)

    def node_automation(self, node_id: int) -> int:
        with self._read() as conn:
            return self._node(conn, node_id)[0]

    def move_nodes(self, positions: dict[int, tuple[float, float]]) -> None:
        """Move nodes on the canvas; positions persist."""
        if not positions:
            return
        with self._write() as conn:
            automations = set()
            for node_id, (x, y) in positions.items():
                automation_id, _, _ = self._node(conn, node_id)
                execute(conn, "UPDATE node SET x = ?, y = ? WHERE id = ?", (float(x), float(y), node_id))
                automations.add(automation_id)
            self._later(*(Change("graph", a) for a in sorted(automations)))

    def rename_node(self, node_id: int, title: str) -> None:
        if not isinstance(title, str) or not title.strip():
            raise WorkspaceError("A node needs a title.")
        with self._write() as conn:
            automation_id, _, _ = self._node(conn, node_id)
            execute(conn, "UPDATE node SET title = ? WHERE id = ?", (title.strip(), node_id))
            self._later(Change("graph", automation_id))

    def _unlocked_setting(self, conn: Connection, node_id: int, kind: NodeKind, what: str) -> int:
        """The automation of a node whose ``what`` may change: right kind, not started yet."""
        automation_id, found, title = self._node(conn, node_id)
        if found is not kind:
            raise WorkspaceError(f"'{title}' is not a {kind.label} node.")
        if self._state_of(conn, automation_id).started:
            raise WorkspaceError(f"'{title}' belongs to a started automation; its {what} can no longer change.")
        return automation_id

    def set_node_segment(self, node_id: int, segment_id: int | None) -> None:
        """Choose who a Segment node contacts. Locked once the automation has started."""
        with self._write() as conn:
            automation_id = self._unlocked_setting(conn, node_id, NodeKind.SEGMENT, "segment")
            if segment_id is not None and not query(conn, "SELECT 1 FROM segment WHERE id = ?", (segment_id,)):
                raise WorkspaceError("That segment no longer exists.")
            execute(conn, "UPDATE node SET segment_id = ? WHERE id = ?", (segment_id, node_id))
            self._later(Change("graph", automation_id))

    def set_wait_days(self, node_id: int, days: int) -> None:
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise WorkspaceError("A wait is a whole number of days, 0 or more.")
        with self._write() as conn:
            automation_id = self._unlocked_setting(conn, node_id, NodeKind.WAIT, "wait")
            execute(conn, "UPDATE node SET wait_days = ? WHERE id = ?", (days, node_id))
            self._later(Change("graph", automation_id))

    def set_step_kind(self, node_id: int, kind: NodeKind | str) -> None:
        """Change what an action step does (connect, message, email), before the start."""
        kind = NodeKind(kind)
        if not kind.is_action:
            raise WorkspaceError("A step can become a LinkedIn connect, a LinkedIn message or an email.")
        with self._write() as conn:
            automation_id, found, title = self._node(conn, node_id)
            if not found.is_action:
                raise WorkspaceError(f"'{title}' is not an action step.")
            if self._state_of(conn, automation_id).started:
                raise WorkspaceError(f"'{title}' belongs to a started automation; its type can no longer change.")
            execute(conn, "UPDATE node SET kind = ? WHERE id = ?", (kind.value, node_id))
            self._later(Change("graph", automation_id))

    def _refuse_if_started(self, conn: Connection, automation_id: int, what: str) -> None:
        if self._state_of(conn, automation_id).started:
            raise WorkspaceError(f"{what}: the automation has started, and this would change who gets which steps.")

    def _connection_check(self, conn: Connection, source_id: int, target_id: int) -> int:
        """The automation of the connection source → target; WorkspaceError if SPEC §3 refuses it."""
        automation_id, _, _ = self._node(conn, source_id)
        target_automation, _, _ = self._node(conn, target_id)
        if target_automation != automation_id:
            raise WorkspaceError("Nodes of two automations cannot be connected.")
        self._refuse_if_started(conn, automation_id, "Cannot connect")
        try:
            # The rules read only the few nodes and connections this one concerns.
            graph.check_connection(_StoredGraph(conn), source_id, target_id)
        except graph.ConnectionRefused as refused:
            raise WorkspaceError(str(refused)) from None
        return automation_id

    def connect(self, source_id: int, target_id: int) -> int:
        """Connect two nodes, unless SPEC §3 forbids it (the message says why)."""
        with self._write() as conn:
            automation_id = self._connection_check(conn, source_id, target_id)
            result = conn.execute(
                table("edge").insert(), {"automation_id": automation_id, "source_id": source_id, "target_id": target_id}
            )
            self._later(Change("graph", automation_id))
            return int(result.inserted_primary_key[0])

    def can_connect(self, source_id: int, target_id: int) -> str | None:
        """None if the connection would be accepted, else the reason it would be refused."""
        with self._read() as conn:
            try:
                self._connection_check(conn, source_id, target_id)
            except WorkspaceError as refused:
                return str(refused)
        return None

    def disconnect(self, source_id: int, target_id: int) -> None:
        with self._write() as conn:
            automation_id, _, _ = self._node(conn, source_id)
            self._refuse_if_started(conn, automation_id, "Cannot remove this connection")
            if not execute(conn, "DELETE FROM edge WHERE source_id = ? AND target_id = ?", (source_id, target_id)):
                raise WorkspaceError("Those nodes are not connected.")
            self._later(Change("graph", automation_id))

    def remove_nodes(self, node_ids: Sequence[int]) -> None:
        """Delete nodes with their connections and attached profiles (draft automations)."""
        with self._write() as conn:
            automations = set()
            for node_id in node_ids:
                automation_id, _, title = self._node(conn, node_id)
                connected = query(conn, "SELECT 1 FROM edge WHERE source_id = ? OR target_id = ?", (node_id, node_id))
                if connected or query(conn, "SELECT 1 FROM enrollment WHERE branch_node_id = ? LIMIT 1", (node_id,)):
                    self._refuse_if_started(conn, automation_id, f"Cannot delete '{title}'")
                execute(conn, "DELETE FROM node WHERE id = ?", (node_id,))
                automations.add(automation_id)
            self._later(*(Change("graph", a) for a in sorted(automations)))

    def problems(self, automation_id: int) -> list[graph.Problem]:
        """SPEC §3: what keeps the automation from starting, each tied to its node."""
        with self._read() as conn:
            self._state_of(conn, automation_id)
            return automation_problems(conn, automation_id)

    def graph_nodes(self, automation_id: int) -> list[graph.GraphNode]:
        with self._read() as conn:
            return graph_nodes(conn, load_nodes(conn, automation_id))
