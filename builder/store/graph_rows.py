"""The graph of a stored automation as the rules read it, and the rows a path's edits touch (SPEC §3, §10).

Plain functions over a connection, called by the workspace's automation methods inside their transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from builder.engine import graph, node_settings
from builder.engine.words import NodeKind, Outcome
from builder.store.database import WorkspaceError
from builder.store.loading import execute, parse_settings, query


class StoredGraph:
    """An automation's graph read from the workspace piece by piece, as the connection rules ask."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def node(self, node_id: int) -> graph.GraphNode:
        ((kind, title, settings),) = query(self.conn, "SELECT kind, title, settings FROM node WHERE id = ?", (node_id,))
        return graph.GraphNode(node_id, NodeKind(kind), title, settings=parse_settings(settings))

    def outgoing(self, node_id: int) -> list[tuple[int, str | None]]:
        return [
            (t, o)
            for t, o in query(
                self.conn, "SELECT target_id, output FROM edge WHERE source_id = ? ORDER BY id", (node_id,)
            )
        ]

    def successors(self, node_id: int) -> list[int]:
        return [
            t for (t,) in query(self.conn, "SELECT target_id FROM edge WHERE source_id = ? ORDER BY id", (node_id,))
        ]

    def predecessors(self, node_id: int) -> list[int]:
        return [
            s for (s,) in query(self.conn, "SELECT source_id FROM edge WHERE target_id = ? ORDER BY id", (node_id,))
        ]


RATE_KINDS = tuple(o.value for o in Outcome)


def checked_rates(rates: object) -> dict[str, dict[str, float | int]]:
    """The forecast's outcome rates, ``{"accepted": {"rate": 0.3, "after_days": 2}, ...}``, checked."""
    if not isinstance(rates, Mapping):
        raise WorkspaceError("Outcome rates are given per outcome: accepted, replied, bounced.")
    checked: dict[str, dict[str, float | int]] = {}
    for kind, value in rates.items():
        if kind not in RATE_KINDS:
            raise WorkspaceError(f"There is no outcome '{kind}': rates are for accepted, replied and bounced.")
        if not isinstance(value, Mapping) or not set(value) <= {"rate", "after_days"} or "rate" not in value:
            raise WorkspaceError(f"The {kind} rate is a share of contacts and, maybe, the days after which it comes.")
        rate, after = value["rate"], value.get("after_days", 1)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise WorkspaceError(f"The {kind} rate is between 0 % and 100 %.")
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise WorkspaceError(f"The days before {kind} are a whole number, 0 or more.")
        checked[kind] = {"rate": float(rate), "after_days": after}
    return checked


def contacts_reached(conn: Connection, node_ids: Sequence[int]) -> int:
    """How many enrollments have reached these nodes: a task there, a decision taken, or waiting there."""
    if not node_ids:
        return 0
    marks = ",".join("?" * len(node_ids))
    sql = (
        f"SELECT count(*) FROM (SELECT enrollment_id FROM task WHERE step_node_id IN ({marks}) "
        f"UNION SELECT enrollment_id FROM decision WHERE node_id IN ({marks}) "
        f"UNION SELECT id FROM enrollment WHERE at_node_id IN ({marks})) AS reached"
    )
    return int(query(conn, sql, [*node_ids] * 3)[0][0])


def nodes_below(conn: Connection, node_id: int) -> list[int]:
    """A node and every node after it."""
    stored = StoredGraph(conn)
    found, frontier = {node_id}, [node_id]
    while frontier:
        frontier = [t for n in frontier for t in stored.successors(n) if t not in found]
        found.update(frontier)
    return sorted(found)


def follow_variants(conn: Connection, node_id: int, title: str, settings: Mapping[str, Any]) -> None:
    """A renamed variant keeps its connection; a connected variant cannot be removed.

    Variants are matched by their place in the list: the edit of one name renames its output.
    """
    stored = parse_settings(query(conn, "SELECT settings FROM node WHERE id = ?", (node_id,))[0][0])
    old = node_settings.output_names(NodeKind.SPLIT, stored)
    new = node_settings.output_names(NodeKind.SPLIT, settings)
    connected = {o for (o,) in query(conn, "SELECT output FROM edge WHERE source_id = ?", (node_id,))}
    renamed = {o: n for o, n in zip(old, new, strict=False) if o != n and o in connected}
    if len(set(new)) != len(new):
        renamed = {}  # two variants of one name: the problem is named; connections wait for a clear name
    if len(new) < len(old):
        # A variant removed: the others keep their names and connections; a connected one stays.
        missing = [o for o in old if o not in new and o in connected]
        if missing:
            raise WorkspaceError(f"'{title}' leads on from '{missing[0]}': remove that connection first.")
        renamed = {}
    # In two moves, so that swapping two names never meets the one-edge-per-output rule half-way.
    for index, (before, _) in enumerate(renamed.items()):
        execute(conn, "UPDATE edge SET output = ? WHERE source_id = ? AND output = ?", (f"~{index}", node_id, before))
    for index, (_, after) in enumerate(renamed.items()):
        execute(conn, "UPDATE edge SET output = ? WHERE source_id = ? AND output = ?", (after, node_id, f"~{index}"))


def contacts_text(count: int) -> str:
    return f"{count} contact{'s' if count != 1 else ''}"
