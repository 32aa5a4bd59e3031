"""Automations and their graphs in the workspace (SPEC §3, §10): nodes, connections, settings, validation.

Connection rules are the engine's (:func:`builder.engine.graph.check_connect`);
edits that would break a started automation are refused whole. A started
automation may still grow: a step added at the end of a path, connected where
its node had no way out yet, changes nothing for contacts already on it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from builder.engine import graph, node_settings
from builder.engine.step_trees import BranchPath
from builder.engine.words import AutomationState, NodeKind
from builder.store.base import Change, revision_of
from builder.store.crm import CrmMixin
from builder.store.database import WorkspaceError, table
from builder.store.graph_rows import (
    StoredGraph,
    checked_rates,
    contacts_reached,
    contacts_text,
    follow_variants,
    nodes_below,
)
from builder.store.loading import (
    NodeRow,
    automation_problems,
    execute,
    graph_nodes,
    load_branch_paths,
    load_edges,
    load_edges_with_outputs,
    load_nodes,
    parse_settings,
    query,
)
from builder.store.step_messages import MessageFacts, TaskMessage, message_facts, task_message, task_messages


@dataclass(frozen=True)
class AutomationInfo:
    id: int
    name: str
    state: AutomationState
    ignore_previous_interactions: bool
    stop_on_reply: bool = True  # SPEC §10: a reply ends the contact's path


_StoredGraph = StoredGraph  # its old name


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
            rows = query(
                conn, "SELECT id, name, state, ignore_previous_interactions, stop_on_reply FROM automation ORDER BY id"
            )
        return [AutomationInfo(i, n, AutomationState(s), bool(ig), bool(st)) for i, n, s, ig, st in rows]

    def set_stop_on_reply(self, automation_id: int, on: bool) -> None:
        """SPEC §10 "Stop on reply": whether a reply cancels the contact's pending tasks and ends its path."""
        with self._write() as conn:
            if not execute(conn, "UPDATE automation SET stop_on_reply = ? WHERE id = ?", (bool(on), automation_id)):
                raise WorkspaceError("That automation no longer exists.")
            self._later(Change("automations", automation_id), Change("graph", automation_id))

    def stop_on_reply(self, automation_id: int) -> bool:
        with self._read() as conn:
            found = query(conn, "SELECT stop_on_reply FROM automation WHERE id = ?", (automation_id,))
        if not found:
            raise WorkspaceError("That automation no longer exists.")
        return bool(found[0][0])

    def set_rates(self, automation_id: int, rates: Mapping[str, Mapping[str, float | int]]) -> None:
        """The forecast's outcome rates, kept with the automation: ``{"accepted": {"rate": 0.3, "after_days": 2}}``.

        ``rate`` is the share of contacts (0–1), ``after_days`` the days after their action step.
        """
        checked = checked_rates(rates)
        with self._write() as conn:
            text = json.dumps(checked, sort_keys=True) if checked else None
            if not execute(conn, "UPDATE automation SET rates = ? WHERE id = ?", (text, automation_id)):
                raise WorkspaceError("That automation no longer exists.")
            self._later(Change("automations", automation_id))

    def rates(self, automation_id: int) -> dict[str, dict[str, float | int]]:
        """The automation's outcome rates as :meth:`set_rates` stored them; {} when none are set."""
        with self._read() as conn:
            found = query(conn, "SELECT rates FROM automation WHERE id = ?", (automation_id,))
        if not found:
            raise WorkspaceError("That automation no longer exists.")
        stored = parse_settings(found[0][0]) or {}
        try:
            return checked_rates(stored)
        except WorkspaceError:
            return {}

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
        settings: Mapping[str, Any] | None = None,
    ) -> int:
        """A new node; a Wait for, Condition, A/B split or tag node gets sensible settings unless given.

        A started automation takes new steps (to connect at the end of a path), not new branches.
        """
        try:
            kind = NodeKind(kind)
        except ValueError:
            raise WorkspaceError(f"There is no node kind '{kind}'.") from None
        if wait_days < 0:
            raise WorkspaceError("A wait is 0 days or more.")
        if settings is None:
            settings = node_settings.default_settings(kind)
        elif (error := node_settings.shape_error(kind, settings)) is not None:
            raise WorkspaceError(error)
        with self._write() as conn:
            if not kind.is_step and self._state_of(conn, automation_id).started:
                # Contacts enrolled by the branches there are: a new branch would change who is contacted.
                raise WorkspaceError(
                    "This automation has started, so it can take new steps at the end of a path, not a new "
                    f"{kind.label} node. Duplicate it to build a new version."
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
            node_id = int(result.inserted_primary_key[0])
            if settings is not None:
                execute(conn, "UPDATE node SET settings = ? WHERE id = ?", (json.dumps(settings), node_id))
            self._later(Change("graph", automation_id))
            return node_id

    def set_node_settings(self, node_id: int, settings: Mapping[str, Any]) -> None:
        """Change a Wait for, Condition, A/B split or tag node's settings (SPEC §10), or a step's message (§11).

        Settings of the right shape are stored even when unfinished (a split
        whose percents do not add up to 100 yet); the automation's problems
        name what is left. A node contacts have reached keeps its settings;
        a message may still change once started (the tasks not done yet
        take the new words), as long as it stays ready to send.
        """
        with self._write() as conn:
            automation_id, kind, title = self._node(conn, node_id)
            error = node_settings.shape_error(kind, settings)
            if error is not None:
                raise WorkspaceError(error)
            started = self._state_of(conn, automation_id).started
            if kind.is_action:
                if started and (found := node_settings.message_problems(kind, settings, f"'{title}'")):
                    raise WorkspaceError(f"The automation has started, so its messages must stay ready: {found[0][1]}")
            elif started and (reached := contacts_reached(conn, [node_id])):
                raise WorkspaceError(
                    f"'{title}' has been reached by {contacts_text(reached)}; its settings can no longer change."
                )
            if kind is NodeKind.SPLIT:
                follow_variants(conn, node_id, title, settings)
            execute(conn, "UPDATE node SET settings = ? WHERE id = ?", (json.dumps(dict(settings)), node_id))
            self._later(Change("graph", automation_id))

    def node_settings(self, node_id: int) -> dict[str, Any] | None:
        """A node's settings as stored (None for kinds without settings)."""
        with self._read() as conn:
            self._node(conn, node_id)
            return parse_settings(query(conn, "SELECT settings FROM node WHERE id = ?", (node_id,))[0][0])

    def message_facts(self, node_id: int) -> MessageFacts:
        """SPEC §11: the contacts a step's message goes to (for its preview), what they lack, notes too long."""
        with self._read() as conn:
            _, kind, title = self._node(conn, node_id)
            if not kind.is_action:
                raise WorkspaceError(f"'{title}' sends no message.")
            return message_facts(conn, node_id)

    def task_message(self, task_id: int) -> TaskMessage:
        """SPEC §11: a task's message filled in for its contact, and the contact's LinkedIn profile."""
        with self._read() as conn:
            found = task_message(conn, task_id)
        if found is None:
            raise WorkspaceError("That task no longer exists.")
        return found

    def task_messages(self, task_ids: Sequence[int]) -> dict[int, TaskMessage]:
        """:meth:`task_message` for many tasks at once (a task gone is left out)."""
        with self._read() as conn:
            return task_messages(conn, task_ids)

    def contacts_at(self, node_id: int) -> int:
        """How many contacts have reached a node (tasks there, decisions taken, waiting there)."""
        with self._read() as conn:
            return contacts_reached(conn, [node_id])

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

    def _connection_check(self, conn: Connection, source_id: int, target_id: int, output: str | None = None) -> int:
        """The automation of the connection source → target; WorkspaceError if SPEC §3 refuses it."""
        automation_id, _, source_title = self._node(conn, source_id)
        target_automation, target_kind, target_title = self._node(conn, target_id)
        if target_automation != automation_id:
            raise WorkspaceError("Nodes of two automations cannot be connected.")
        try:
            # The rules read only the few nodes and connections this one concerns.
            graph.check_connection(StoredGraph(conn), source_id, target_id, output)
        except graph.ConnectionRefused as refused:
            raise WorkspaceError(str(refused)) from None
        if self._state_of(conn, automation_id).started:
            self._check_growth(conn, source_id, source_title, target_id, target_kind, target_title, output)
        return automation_id

    def _check_growth(
        self,
        conn: Connection,
        source_id: int,
        source_title: str,
        target_id: int,
        target_kind: NodeKind,
        target_title: str,
        output: str | None,
    ) -> None:
        """A started automation grows only at the end of a path: from a way out that leads nowhere yet,
        into a step nobody has reached."""
        if not target_kind.is_step:
            raise WorkspaceError(
                "Cannot connect: the automation has started, and this would change who gets which steps."
            )
        taken = query(conn, "SELECT 1 FROM edge WHERE source_id = ? LIMIT 1", (source_id,))
        if output is not None:
            taken = query(conn, "SELECT 1 FROM edge WHERE source_id = ? AND output = ?", (source_id, output))
        if taken:
            raise WorkspaceError(
                f"Cannot connect: the automation has started, and '{source_title}' already leads on; "
                "add steps at the end of a path."
            )
        if contacts_reached(conn, [target_id]):
            raise WorkspaceError(f"Cannot connect: contacts have already reached '{target_title}'.")

    def connect(self, source_id: int, target_id: int, output: str | None = None) -> int:
        """Connect two nodes, from ``output`` of a control node (``yes``, ``no``, a variant), unless
        SPEC §3 and §10 forbid it (the message says why)."""
        with self._write() as conn:
            automation_id = self._connection_check(conn, source_id, target_id, output)
            result = conn.execute(
                table("edge").insert(), {"automation_id": automation_id, "source_id": source_id, "target_id": target_id}
            )
            edge_id = int(result.inserted_primary_key[0])
            if output is not None:
                execute(conn, "UPDATE edge SET output = ? WHERE id = ?", (output, edge_id))
            self._later(Change("graph", automation_id))
            return edge_id

    def can_connect(self, source_id: int, target_id: int, output: str | None = None) -> str | None:
        """None if the connection would be accepted, else the reason it would be refused."""
        with self._read() as conn:
            try:
                self._connection_check(conn, source_id, target_id, output)
            except WorkspaceError as refused:
                return str(refused)
        return None

    def edge_output(self, source_id: int, target_id: int) -> str | None:
        """The output the edge source → target leaves from (None for a plain step's edge)."""
        with self._read() as conn:
            found = query(conn, "SELECT output FROM edge WHERE source_id = ? AND target_id = ?", (source_id, target_id))
        if not found:
            raise WorkspaceError("Those nodes are not connected.")
        return found[0][0]

    def disconnect(self, source_id: int, target_id: int) -> None:
        """Remove a connection; in a started automation only one into steps nobody has reached."""
        with self._write() as conn:
            automation_id, _, _ = self._node(conn, source_id)
            if self._state_of(conn, automation_id).started and contacts_reached(conn, nodes_below(conn, target_id)):
                self._refuse_if_started(conn, automation_id, "Cannot remove this connection")
            if not execute(conn, "DELETE FROM edge WHERE source_id = ? AND target_id = ?", (source_id, target_id)):
                raise WorkspaceError("Those nodes are not connected.")
            self._later(Change("graph", automation_id))

    def remove_nodes(self, node_ids: Sequence[int]) -> None:
        """Delete nodes with their connections and attached profiles.

        In a started automation, a node contacts have reached is kept (the
        message says how many are there), and so is any node that leads on or
        is part of a branch's start: only a step at the end of a path goes.
        """
        with self._write() as conn:
            automations = set()
            for node_id in node_ids:
                automation_id, kind, title = self._node(conn, node_id)
                started = self._state_of(conn, automation_id).started
                if started and (reached := contacts_reached(conn, [node_id])):
                    state = self._state_of(conn, automation_id).value
                    raise WorkspaceError(
                        f"Cannot delete '{title}': {contacts_text(reached)} of this {state} automation "
                        f"{'has' if reached == 1 else 'have'} reached it."
                    )
                if kind.is_step:  # the end of a path: it leads on to nothing that stays
                    gone = set(node_ids)
                    connected = [t for t in StoredGraph(conn).successors(node_id) if t not in gone]
                else:
                    connected = query(
                        conn, "SELECT 1 FROM edge WHERE source_id = ? OR target_id = ?", (node_id, node_id)
                    )
                if connected or query(conn, "SELECT 1 FROM enrollment WHERE branch_node_id = ? LIMIT 1", (node_id,)):
                    self._refuse_if_started(conn, automation_id, f"Cannot delete '{title}'")
                execute(conn, "DELETE FROM node WHERE id = ?", (node_id,))
                automations.add(automation_id)
            self._later(*(Change("graph", a) for a in sorted(automations)))

    def problems(self, automation_id: int) -> list[graph.Problem]:
        """SPEC §3: what keeps the automation from starting, each tied to its node."""
        with self._read() as conn:
            revision = revision_of(conn)
            known = self._problems_cache.get(automation_id)
            if known is not None and known[0] == revision:
                return list(known[1])
            self._state_of(conn, automation_id)
            found = automation_problems(conn, automation_id)
        self._problems_cache[automation_id] = (revision, found)
        return list(found)

    def graph_nodes(self, automation_id: int) -> list[graph.GraphNode]:
        """The automation's nodes for the graph rules, with their settings (``GraphNode.settings``, ``.outputs``)."""
        with self._read() as conn:
            return graph_nodes(conn, load_nodes(conn, automation_id))

    def edges_with_outputs(self, automation_id: int) -> list[tuple[int, int, str | None]]:
        """(source, target, output) of every edge; ``output`` is None except out of a control node."""
        with self._read() as conn:
            return load_edges_with_outputs(conn, automation_id)

    def branch_paths(self, automation_id: int) -> list[BranchPath]:
        """Each branch with its path as a tree of :class:`~builder.engine.steps.Step` (SPEC §10), and
        the node of each step (``node_ids``, in :func:`~builder.engine.step_trees.walk_steps` order)."""
        with self._read() as conn:
            self._state_of(conn, automation_id)
            return load_branch_paths(conn, automation_id)
