"""What each node card shows (SPEC §8 "Canvas"), counted by the workspace in a few queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection

from builder.engine.words import NodeKind, TaskStatus
from builder.store.loading import chunks, load_edges, load_nodes, load_segment, query, segment_member_count
from builder.store.snapshots import SnapshotsMixin
from builder.store.workspace_info import AttachmentInfo, attachment_rows


@dataclass(frozen=True)
class NodeSummary:
    """Live counts for one node card.

    Segment: ``members`` and ``enrolled``; Sender Profile: ``profiles`` with
    their state and contacts (``pending_tasks`` is not counted for a card:
    ``Workspace.attachments`` counts it); steps: ``pending`` and ``done`` tasks.
    SPEC §10: a Segment's enrollments ``by_status`` (in progress, accepted,
    replied, finished); a control node's contacts ``waiting`` there and how
    many went each way (``ways``, by output).
    """

    members: int | None = None
    enrolled: int = 0
    segment_name: str | None = None
    profiles: list[AttachmentInfo] = field(default_factory=list)
    pending: int = 0
    done: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    waiting: int = 0
    ways: dict[str, int] = field(default_factory=dict)


def _enrollment_states(conn: Connection, profile_nodes: list[int]) -> dict[int, dict[str, int]]:
    """Per Sender Profile node: its enrollments in progress, accepted, replied and finished (SPEC §10).

    Replied wins over accepted (an outcome row per enrollment says which); an
    enrollment with no pending task left, no control node to wait at and a
    sender profile (not waiting for one) is finished.
    """
    found: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for chunk in chunks(profile_nodes):
        marks = ",".join("?" * len(chunk))
        rows = query(
            conn,
            "SELECT e.branch_node_id, "
            "CASE WHEN e.status = 'replied' OR EXISTS (SELECT 1 FROM outcome o WHERE o.enrollment_id = e.id "
            "AND o.kind = 'replied') THEN 'replied' "
            "WHEN EXISTS (SELECT 1 FROM outcome o WHERE o.enrollment_id = e.id AND o.kind = 'accepted') "
            "THEN 'accepted' "
            "WHEN e.status = 'waiting' OR e.at_node_id IS NOT NULL OR EXISTS (SELECT 1 FROM task t WHERE t.enrollment_id = e.id "
            "AND t.status = 'pending') THEN 'in progress' ELSE 'finished' END AS state, count(*) "
            f"FROM enrollment e WHERE e.branch_node_id IN ({marks}) GROUP BY e.branch_node_id, state",
            chunk,
        )
        for node, state, count in rows:
            found[node][state] += count
    return found


def _control_counts(conn: Connection, control_nodes: list[int]) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    """Per control node: contacts waiting there, and decisions per output."""
    waiting: dict[int, int] = {}
    ways: dict[int, dict[str, int]] = defaultdict(dict)
    for chunk in chunks(control_nodes):
        marks = ",".join("?" * len(chunk))
        waiting.update(
            query(
                conn,
                f"SELECT at_node_id, count(*) FROM enrollment WHERE at_node_id IN ({marks}) GROUP BY at_node_id",
                chunk,
            )
        )
        for node, output, count in query(
            conn,
            f"SELECT node_id, output, count(*) FROM decision WHERE node_id IN ({marks}) GROUP BY node_id, output",
            chunk,
        ):
            ways[node][output] = count
    return waiting, ways


class SummariesMixin(SnapshotsMixin):
    def _member_counts(self, conn: Connection, segment_ids: set[int]) -> dict[int, int]:
        """Members per segment, counted by the database as the engine's rule decides.

        Recounted only after contacts or segments change: moving a card redraws its
        automation's cards, and that must not count again.
        """
        cache = self._member_cache
        version = self.membership_version
        missing = [s for s in segment_ids if cache.get(s, (-1, 0))[0] != version]
        for segment_id in missing:
            definition = load_segment(conn, segment_id)
            count = 0 if definition is None else segment_member_count(conn, definition)
            cache[segment_id] = (version, count)
        return {s: cache[s][1] for s in segment_ids}

    def node_summaries(self, automation_id: int) -> dict[int, NodeSummary]:
        with self._read() as conn:
            nodes = load_nodes(conn, automation_id)
            segment_nodes = [n for n in nodes if n.kind is NodeKind.SEGMENT]
            names = dict(query(conn, "SELECT id, name FROM segment"))
            counts = self._member_counts(conn, {n.segment_id for n in segment_nodes if n.segment_id in names})
            members = {n.id: counts[n.segment_id] for n in segment_nodes if n.segment_id in counts}
            # Enrollments per Sender Profile node (an index-only count), credited to the Segment nodes leading in.
            profile_nodes = [n.id for n in nodes if n.kind is NodeKind.SENDER_PROFILE]
            per_branch: dict[int, int] = {}
            for chunk in chunks(profile_nodes):
                marks = ",".join("?" * len(chunk))
                per_branch.update(
                    query(
                        conn,
                        "SELECT branch_node_id, count(*) FROM enrollment "
                        f"WHERE branch_node_id IN ({marks}) GROUP BY branch_node_id",
                        chunk,
                    )
                )
            enrolled: dict[int, int] = defaultdict(int)
            for source, target in load_edges(conn, automation_id):
                if target in per_branch:
                    enrolled[source] += per_branch[target]
            tasks: dict[int, dict[str, int]] = defaultdict(dict)
            step_nodes = [n.id for n in nodes if n.kind not in (NodeKind.SEGMENT, NodeKind.SENDER_PROFILE)]
            for chunk in chunks(step_nodes):
                marks = ",".join("?" * len(chunk))
                for node_id, status, count in query(
                    conn,
                    "SELECT step_node_id, status, count(*) FROM task "
                    f"WHERE step_node_id IN ({marks}) GROUP BY step_node_id, status",
                    chunk,
                ):
                    tasks[node_id][status] = count
            profiles = attachment_rows(conn, profile_nodes, count_pending=False)
            states = _enrollment_states(conn, profile_nodes)
            by_status: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for source, target in load_edges(conn, automation_id):
                for state, count in states.get(target, {}).items():
                    by_status[source][state] += count
            waiting, ways = _control_counts(conn, [n.id for n in nodes if n.kind.is_control])
        summaries = {}
        for node in nodes:
            if node.kind is NodeKind.SEGMENT:
                summaries[node.id] = NodeSummary(
                    members=members.get(node.id),
                    enrolled=enrolled.get(node.id, 0),
                    segment_name=names.get(node.segment_id),
                    by_status=dict(by_status.get(node.id, {})),
                )
            elif node.kind is NodeKind.SENDER_PROFILE:
                summaries[node.id] = NodeSummary(profiles=profiles.get(node.id, []))
            else:
                counts = tasks.get(node.id, {})
                summaries[node.id] = NodeSummary(
                    pending=counts.get(TaskStatus.PENDING.value, 0),
                    done=counts.get(TaskStatus.DONE.value, 0),
                    waiting=waiting.get(node.id, 0),
                    ways=ways.get(node.id, {}),
                )
        return summaries
