"""Taking rows out of the workspace and putting them back exactly, for undo.

A snapshot holds plain rows with their ids, so that putting it back restores
the same nodes, connections and runs in place — and later undo steps that name
those ids keep working.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

from builder.engine.bulk import collector_paused
from builder.store.automations import AutomationsMixin
from builder.store.base import Change
from builder.store.bulk import bulk_insert, bulk_update
from builder.store.database import WorkspaceError, table
from builder.store.loading import allocate_ids, chunks, contacts_in_parts, execute, load_facts, query

NODE_COLUMNS = ["id", "automation_id", "kind", "title", "x", "y", "segment_id", "wait_days", "settings"]
EDGE_COLUMNS = ["id", "automation_id", "source_id", "target_id", "output"]
ATTACHMENT_COLUMNS = ["id", "node_id", "sender_profile_id", "state", "weight", "attach_order", "rotation"]
AUTOMATION_COLUMNS = ["id", "name", "state", "ignore_previous_interactions", "stop_on_reply", "rates"]
ENROLLMENT_COLUMNS = [
    "id", "automation_id", "contact_id", "branch_node_id", "sender_profile_id",
    "reason", "status", "enrolled_day", "ignored_override_id", "at_node_id", "arrived_day", "moved_from_id",
]  # fmt: skip
DECISION_COLUMNS = ["id", "enrollment_id", "node_id", "output", "day"]
TASK_COLUMNS = [
    "id", "enrollment_id", "sender_profile_id", "step_node_id", "step_index", "kind", "status", "due_day", "done_day",
]  # fmt: skip


@dataclass(frozen=True)
class NodesSnapshot:
    """Nodes with their connections and attached sender profiles."""

    nodes: list[tuple]
    edges: list[tuple]
    attachments: list[tuple]


@dataclass(frozen=True)
class AutomationSnapshot:
    """A whole automation: its graph and, once started, its enrollments and tasks."""

    automation: tuple
    graph: NodesSnapshot
    enrollments: list[tuple] = field(default_factory=list)
    tasks: list[tuple] = field(default_factory=list)
    # Interactions that pointed at the automation's tasks: (interaction id, task id).
    interaction_links: list[tuple[int, int]] = field(default_factory=list)
    # Outcomes recorded in the automation (SPEC §10), kept in the contacts' history: (outcome id, enrollment id).
    outcome_links: list[tuple[int, int | None]] = field(default_factory=list)
    decisions: list[tuple] = field(default_factory=list)  # the enrollments' routes through control nodes


def _select(conn: Connection, columns: list[str], table_name: str, where: str, ids: list[int]) -> list[tuple]:
    rows: list[tuple] = []
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        rows += query(
            conn,
            f"SELECT {', '.join(columns)} FROM {table_name} WHERE {where.format(marks=marks)}",
            list(chunk) * where.count("{marks}"),
        )
    return sorted(set(rows))


def _nodes_snapshot(conn: Connection, node_ids: list[int]) -> NodesSnapshot:
    return NodesSnapshot(
        nodes=_select(conn, NODE_COLUMNS, "node", "id IN ({marks})", node_ids),
        edges=_select(conn, EDGE_COLUMNS, "edge", "source_id IN ({marks}) OR target_id IN ({marks})", node_ids),
        attachments=_select(conn, ATTACHMENT_COLUMNS, "branch_attachment", "node_id IN ({marks})", node_ids),
    )


def _restore_nodes(conn: Connection, snapshot: NodesSnapshot) -> None:
    bulk_insert(conn, table("node"), NODE_COLUMNS, snapshot.nodes)
    bulk_insert(conn, table("edge"), EDGE_COLUMNS, snapshot.edges)
    bulk_insert(conn, table("branch_attachment"), ATTACHMENT_COLUMNS, snapshot.attachments)


class SnapshotsMixin(AutomationsMixin):
    def remove_nodes_with_snapshot(self, node_ids: list[int]) -> NodesSnapshot:
        """Delete nodes (as :meth:`remove_nodes`) and return what undo needs to put them back."""
        with self._read() as conn:
            snapshot = _nodes_snapshot(conn, list(node_ids))
        self.remove_nodes(node_ids)
        return snapshot

    def restore_nodes(self, snapshot: NodesSnapshot) -> None:
        """Put deleted nodes back in place, with their connections and sender profiles."""
        with self._write() as conn:
            automations = {row[1] for row in snapshot.nodes}
            restored = {row[0] for row in snapshot.nodes}
            for _, automation_id, source, _, output in snapshot.edges:
                # A started automation takes back a step at the end of a path, where nothing leads on yet.
                if source in restored or not self._state_of(conn, automation_id).started:
                    continue
                sql = "SELECT 1 FROM edge WHERE source_id = ?" + (" AND output = ?" if output is not None else "")
                if query(conn, sql, (source, output) if output is not None else (source,)):
                    self._refuse_if_started(conn, automation_id, "Cannot put these nodes back")
            _restore_nodes(conn, snapshot)
            self._later(*(Change("graph", a) for a in sorted(automations)))

    def delete_automation(self, automation_id: int) -> AutomationSnapshot:
        """Delete an automation with its graph and run; returns what undo needs.

        Interactions its tasks recorded stay in the contacts' history.
        """
        with self._write() as conn:
            found = query(
                conn, f"SELECT {', '.join(AUTOMATION_COLUMNS)} FROM automation WHERE id = ?", (automation_id,)
            )
            if not found:
                raise WorkspaceError("That automation no longer exists.")
            node_ids = [n for (n,) in query(conn, "SELECT id FROM node WHERE automation_id = ?", (automation_id,))]
            enrollments = query(
                conn,
                f"SELECT {', '.join(ENROLLMENT_COLUMNS)} FROM enrollment WHERE automation_id = ? ORDER BY id",
                (automation_id,),
            )
            tasks = query(
                conn,
                f"SELECT {', '.join('t.' + c for c in TASK_COLUMNS)} FROM task t JOIN enrollment e ON e.id = t.enrollment_id "
                "WHERE e.automation_id = ? ORDER BY t.id",
                (automation_id,),
            )
            links = query(
                conn,
                "SELECT i.id, i.task_id FROM interaction i JOIN task t ON t.id = i.task_id "
                "JOIN enrollment e ON e.id = t.enrollment_id WHERE e.automation_id = ?",
                (automation_id,),
            )
            outcome_links = query(
                conn, "SELECT id, enrollment_id FROM outcome WHERE automation_id = ? ORDER BY id", (automation_id,)
            )
            decisions = query(
                conn,
                f"SELECT {', '.join('d.' + c for c in DECISION_COLUMNS)} FROM decision d "
                "JOIN enrollment e ON e.id = d.enrollment_id WHERE e.automation_id = ? ORDER BY d.id",
                (automation_id,),
            )
            snapshot = AutomationSnapshot(
                tuple(found[0]), _nodes_snapshot(conn, node_ids), enrollments, tasks, links, outcome_links, decisions
            )
            execute(
                conn,
                "UPDATE outcome SET enrollment_id = NULL, automation_id = NULL WHERE automation_id = ?",
                (automation_id,),
            )
            bulk_update(conn, "DELETE FROM decision WHERE id = ?", [(d[0],) for d in decisions])
            execute(conn, "UPDATE interaction SET automation_id = NULL WHERE automation_id = ?", (automation_id,))
            bulk_update(conn, "UPDATE interaction SET task_id = NULL WHERE id = ?", [(i,) for i, _ in links])
            execute(
                conn,
                "DELETE FROM task WHERE enrollment_id IN (SELECT id FROM enrollment WHERE automation_id = ?)",
                (automation_id,),
            )
            execute(conn, "DELETE FROM enrollment WHERE automation_id = ?", (automation_id,))
            execute(conn, "DELETE FROM automation WHERE id = ?", (automation_id,))  # nodes, edges, attachments cascade
            self._later(Change("automations", automation_id), Change("tasks"))
        return snapshot

    def restore_automation(self, snapshot: AutomationSnapshot) -> None:
        """Put a deleted automation back as it was, and catch up on who joined its segments meanwhile.

        A running or paused automation enrolls a contact the moment it joins a
        segment (SPEC §4). Contacts who joined while the automation was deleted
        enroll now, today, by the same rules, in creation order, after the
        restored enrollments — as if they had joined at this moment.
        """
        with self._write() as conn:
            bulk_insert(conn, table("automation"), AUTOMATION_COLUMNS, [snapshot.automation])
            _restore_nodes(conn, snapshot.graph)
            bulk_insert(conn, table("enrollment"), ENROLLMENT_COLUMNS, snapshot.enrollments)
            bulk_insert(conn, table("task"), TASK_COLUMNS, snapshot.tasks)
            automation_id = snapshot.automation[0]
            bulk_update(
                conn,
                "UPDATE interaction SET task_id = ?, automation_id = ? WHERE id = ?",
                [(task, automation_id, interaction) for interaction, task in snapshot.interaction_links],
            )
            marks = ", ".join("?" * len(DECISION_COLUMNS))
            bulk_update(
                conn, f"INSERT INTO decision ({', '.join(DECISION_COLUMNS)}) VALUES ({marks})", snapshot.decisions
            )
            bulk_update(
                conn,
                "UPDATE outcome SET enrollment_id = ?, automation_id = ? WHERE id = ?",
                [(enrollment, automation_id, outcome) for outcome, enrollment in snapshot.outcome_links],
            )
            state, _ = self._automation_state(conn, automation_id)
            if state.started:
                with collector_paused():
                    # part after part, as a start does: the contacts are never all in memory at once
                    self._enroll_in_parts(conn, automation_id, contacts_in_parts(conn), load_facts(conn))
            self._later(Change("automations", automation_id), Change("enrollments", automation_id), Change("tasks"))

    def duplicate_automation(self, automation_id: int, name: str | None = None) -> int:
        """A draft copy of an automation's graph and sender profiles, under a new name."""
        with self._write() as conn:
            found = query(
                conn,
                "SELECT name, ignore_previous_interactions, stop_on_reply, rates FROM automation WHERE id = ?",
                (automation_id,),
            )
            if not found:
                raise WorkspaceError("That automation no longer exists.")
            original, ignore, stop_on_reply, rates = found[0]
            result = conn.execute(
                table("automation").insert(),
                {"name": name or f"{original} (copy)", "state": "draft", "ignore_previous_interactions": bool(ignore)},
            )
            copy_id = int(result.inserted_primary_key[0])
            execute(
                conn, "UPDATE automation SET stop_on_reply = ?, rates = ? WHERE id = ?", (stop_on_reply, rates, copy_id)
            )
            nodes = query(
                conn,
                "SELECT id, kind, title, x, y, segment_id, wait_days, settings FROM node WHERE automation_id = ? "
                "ORDER BY id",
                (automation_id,),
            )
            first = allocate_ids(conn, "node", len(nodes))
            new_ids = {old[0]: first + i for i, old in enumerate(nodes)}
            bulk_insert(conn, table("node"), NODE_COLUMNS, [(new_ids[n[0]], copy_id, *n[1:]) for n in nodes])
            bulk_insert(
                conn,
                table("edge"),
                ["automation_id", "source_id", "target_id", "output"],
                [(copy_id, new_ids[s], new_ids[t], o) for s, t, o in query(
                    conn, "SELECT source_id, target_id, output FROM edge WHERE automation_id = ? ORDER BY id",
                    (automation_id,),
                )],
            )  # fmt: skip
            attachments = query(
                conn,
                "SELECT a.node_id, a.sender_profile_id, a.weight FROM branch_attachment a JOIN node n ON n.id = a.node_id "
                "WHERE n.automation_id = ? AND a.state = 'active' ORDER BY a.node_id, a.attach_order",
                (automation_id,),
            )
            order: dict[int, int] = {}
            rows = []
            for node, profile, weight in attachments:
                order[node] = order.get(node, -1) + 1
                rows.append((new_ids[node], profile, "active", weight, order[node], 0))
            bulk_insert(conn, table("branch_attachment"), ATTACHMENT_COLUMNS[1:], rows)
            self._later(Change("automations", copy_id))
        return copy_id
