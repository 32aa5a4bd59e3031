"""Reading what the engine needs out of the workspace, and writing back its rotation.

Everything here is set-based: one query per kind of row, never one per contact.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from builder.engine import graph
from builder.engine.assignment import InteractionKey, KnownFacts
from builder.engine.enrollment import BranchRules
from builder.engine.roster import Attachment, BranchRoster
from builder.engine.segments import SegmentDefinition, SegmentRule
from builder.engine.step_trees import BranchPath, branch_paths
from builder.engine.steps import Step, StepChain
from builder.engine.words import NodeKind, ProfileState
from builder.store.bulk import bulk_insert, bulk_update
from builder.store.database import WorkspaceError, table

CHUNK = 500


def chunks(values: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class NodeRow:
    id: int
    kind: NodeKind
    title: str
    x: float
    y: float
    segment_id: int | None
    wait_days: int
    settings: dict[str, Any] | None = None  # a control or tag node's settings (SPEC §10)


@dataclass
class LoadedBranch:
    """A branch of a stored automation, ready for the engine."""

    segment_node: int
    profile_node: int
    step_nodes: tuple[int, ...]
    rules: BranchRules


def load_nodes(conn: Connection, automation_id: int) -> list[NodeRow]:
    rows = query(
        conn,
        "SELECT id, kind, title, x, y, segment_id, wait_days, settings FROM node WHERE automation_id = ? ORDER BY id",
        (automation_id,),
    )
    return [NodeRow(r[0], NodeKind(r[1]), r[2], r[3], r[4], r[5], r[6], parse_settings(r[7])) for r in rows]


def parse_settings(text: str | None) -> dict[str, Any] | None:
    """A node's stored settings; None when it has none (or they are not JSON: validation names it)."""
    if not text:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def query(conn: Connection, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    """Run a SELECT written with ``?`` markers, whatever the database."""
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    # The driver's own cursor, inside the connection's transaction: plain tuples,
    # without building a Row object for each of hundreds of thousands of rows.
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, tuple(params))
        return cursor.fetchall()
    finally:
        cursor.close()


def execute(conn: Connection, sql: str, params: Sequence[object] = ()) -> int:
    """Run one statement written with ``?`` markers; returns the rows it touched."""
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    return conn.exec_driver_sql(sql, tuple(params)).rowcount


def load_edges(conn: Connection, automation_id: int) -> list[tuple[int, int]]:
    return [
        (s, t)
        for s, t in query(
            conn, "SELECT source_id, target_id FROM edge WHERE automation_id = ? ORDER BY id", (automation_id,)
        )
    ]


def load_edges_with_outputs(conn: Connection, automation_id: int) -> list[tuple[int, int, str | None]]:
    """The automation's edges as (source, target, output): the output a control node's edge leaves from."""
    return [
        (s, t, o)
        for s, t, o in query(
            conn, "SELECT source_id, target_id, output FROM edge WHERE automation_id = ? ORDER BY id", (automation_id,)
        )
    ]


def load_stop_on_reply(conn: Connection, automation_id: int) -> bool:
    found = query(conn, "SELECT stop_on_reply FROM automation WHERE id = ?", (automation_id,))
    return bool(found[0][0]) if found else True


def graph_nodes(conn: Connection, nodes: Sequence[NodeRow]) -> list[graph.GraphNode]:
    profile_nodes = [n.id for n in nodes if n.kind is NodeKind.SENDER_PROFILE]
    counts: dict[int, int] = defaultdict(int)
    for chunk in chunks(profile_nodes):
        marks = ",".join("?" * len(chunk))
        for node_id, count in query(
            conn, f"SELECT node_id, count(*) FROM branch_attachment WHERE node_id IN ({marks}) GROUP BY node_id", chunk
        ):
            counts[node_id] = count
    return [
        graph.GraphNode(
            n.id,
            n.kind,
            n.title,
            profile_count=counts[n.id],
            has_segment=n.segment_id is not None,
            wait_days=n.wait_days,
            settings=n.settings,
        )
        for n in nodes
    ]


def automation_problems(conn: Connection, automation_id: int) -> list[graph.Problem]:
    """SPEC §3, §10 and §11: what keeps this stored automation from starting.

    The app asks for every message before the start (a connect note is
    optional), and counts the contacts a connect note would be too long for.
    """
    from builder.store.step_messages import long_note_problems  # it reads segments with this module's helpers

    nodes = load_nodes(conn, automation_id)
    found = graph.validate(
        graph_nodes(conn, nodes),
        load_edges_with_outputs(conn, automation_id),
        stop_on_reply=load_stop_on_reply(conn, automation_id),
        messages_required=True,
    )
    return found + long_note_problems(conn, automation_id)


def load_branch_paths(conn: Connection, automation_id: int) -> list[BranchPath]:
    """Each branch with the tree of :class:`Step` after its Sender Profile node (SPEC §10).

    ``BranchPath.node_ids`` names the node of each step, in the preorder of
    :func:`builder.engine.step_trees.walk_steps`.
    """
    nodes = load_nodes(conn, automation_id)
    return branch_paths(graph_nodes(conn, nodes), load_edges_with_outputs(conn, automation_id))


def load_roster(conn: Connection, node_id: int) -> BranchRoster:
    rows = query(
        conn,
        "SELECT sender_profile_id, weight, state, attach_order, rotation FROM branch_attachment WHERE node_id = ?",
        (node_id,),
    )
    return BranchRoster(Attachment(p, w, ProfileState(s), o, c) for p, w, s, o, c in rows)


def save_roster(conn: Connection, node_id: int, roster: BranchRoster) -> None:
    """Write the roster back: states, weights, attach order and rotation; drop detached profiles."""
    stored = {
        p for (p,) in query(conn, "SELECT sender_profile_id FROM branch_attachment WHERE node_id = ?", (node_id,))
    }
    kept = {a.profile for a in roster.attachments}
    for profile in stored - kept:
        execute(conn, "DELETE FROM branch_attachment WHERE node_id = ? AND sender_profile_id = ?", (node_id, profile))
    bulk_update(
        conn,
        "UPDATE branch_attachment SET state = ?, weight = ?, attach_order = ?, rotation = ? "
        "WHERE node_id = ? AND sender_profile_id = ?",
        [
            (a.state.value, a.weight, a.order, a.current, node_id, a.profile)
            for a in roster.attachments
            if a.profile in stored
        ],
    )
    bulk_insert(
        conn,
        table("branch_attachment"),
        ["node_id", "sender_profile_id", "state", "weight", "attach_order", "rotation"],
        [
            (node_id, a.profile, a.state.value, a.weight, a.order, a.current)
            for a in roster.attachments
            if a.profile not in stored
        ],
    )


def load_segment(conn: Connection, segment_id: int | None) -> SegmentDefinition | None:
    if segment_id is None:
        return None
    found = query(conn, "SELECT rule FROM segment WHERE id = ?", (segment_id,))
    if not found:
        return None
    rule = SegmentRule(found[0][0])
    if rule is SegmentRule.STATIC:
        members = frozenset(
            c for (c,) in query(conn, "SELECT contact_id FROM segment_member WHERE segment_id = ?", (segment_id,))
        )
        return SegmentDefinition(rule, contacts=members)
    tags = frozenset(t for (t,) in query(conn, "SELECT tag_id FROM segment_tag WHERE segment_id = ?", (segment_id,)))
    return SegmentDefinition(rule, tags=tags)


def load_chain(nodes_by_id: dict[int, NodeRow], step_nodes: Sequence[int]) -> StepChain:
    return StepChain([Step(nodes_by_id[n].kind, nodes_by_id[n].wait_days) for n in step_nodes])


def load_branches(conn: Connection, automation_id: int) -> list[LoadedBranch]:
    """The automation's branches in Segment node order, with rosters, segments and steps."""
    nodes = load_nodes(conn, automation_id)
    by_id = {n.id: n for n in nodes}
    edges = load_edges(conn, automation_id)
    loaded = []
    for branch in graph.branches(graph_nodes(conn, nodes), edges):
        rules = BranchRules(
            load_roster(conn, int(branch.sender_profile)),
            load_segment(conn, by_id[int(branch.segment)].segment_id),
            load_chain(by_id, [int(s) for s in branch.steps]),
        )
        loaded.append(
            LoadedBranch(int(branch.segment), int(branch.sender_profile), tuple(int(s) for s in branch.steps), rules)
        )
    return loaded


def find_branch(branches: Sequence[LoadedBranch], profile_node: int) -> tuple[int, LoadedBranch]:
    for index, branch in enumerate(branches):
        if branch.profile_node == profile_node:
            return index, branch
    raise WorkspaceError("This Sender Profile node is not part of a complete branch.")


def allocate_ids(conn: Connection, table_name: str, count: int) -> int:
    """The first of ``count`` new ids for rows the workspace numbers itself, never handed out before."""
    first = first_free_id(conn, table_name)
    ids_used_up_to(conn, table_name, first + count)
    return first


def first_free_id(conn: Connection, table_name: str) -> int:
    """The first id :func:`allocate_ids` would hand out now; reserves nothing."""
    found = query(conn, "SELECT next_id FROM id_counter WHERE name = ?", (table_name,))
    highest = query(conn, f"SELECT max(id) FROM {table_name}")[0][0] or 0
    return int(max(highest + 1, found[0][0] if found else 1))


def ids_used_up_to(conn: Connection, table_name: str, next_id: int) -> None:
    """Ids below ``next_id`` are handed out: the next allocation starts there (or past the highest row)."""
    if not execute(conn, "UPDATE id_counter SET next_id = ? WHERE name = ?", (next_id, table_name)):
        execute(conn, "INSERT INTO id_counter (name, next_id) VALUES (?, ?)", (table_name, next_id))


def segment_member_ids(conn: Connection, definition: SegmentDefinition) -> list[int]:
    """The segment's contacts in creation order, decided by the engine's rule.

    The database only narrows the search to a superset (contacts with at
    least one of the tags, the listed contacts, or everyone); the rule itself
    is the engine's, applied to each of those with its tags.
    """
    rule = definition.rule
    if rule is SegmentRule.EVERYONE:
        return [c for (c,) in query(conn, "SELECT id FROM contact ORDER BY id")]
    if rule is SegmentRule.STATIC:
        listed = set(definition.contacts)
        return [c for (c,) in query(conn, "SELECT id FROM contact ORDER BY id") if c in listed]
    if not definition.tags:
        return []
    tags = sorted(definition.tags)  # type: ignore[type-var]
    marks = ",".join("?" * len(tags))
    found: dict[int, list[int]] = {}
    for contact, tag in query(
        conn,
        "SELECT contact_id, tag_id FROM contact_tag WHERE contact_id IN "
        f"(SELECT contact_id FROM contact_tag WHERE tag_id IN ({marks})) ORDER BY contact_id",
        tags,
    ):
        found.setdefault(contact, []).append(tag)
    shared: dict[tuple[int, ...], frozenset[int]] = {}
    members = []
    for contact, its_tags in found.items():
        key = tuple(sorted(its_tags))
        tag_set = shared.get(key)
        if tag_set is None:
            tag_set = shared[key] = frozenset(key)
        if definition.matches(contact, tag_set):
            members.append(contact)
    return members


def segment_member_count(conn: Connection, definition: SegmentDefinition) -> int:
    """How many contacts the segment holds, counted by the database (the Segment card's number).

    The same answer as the engine's rule (:meth:`SegmentDefinition.matches`) applied to
    every contact and its tags — ``tests/store/test_member_counts.py`` checks it on random
    tag sets: everyone counts every contact; a static list, its contacts that exist; any of
    the tags, contacts with at least one of them; all of the tags, contacts with each of
    them; no tags chosen, nobody. ``contact_tag`` rows always name an existing contact
    (foreign key, deleted with it) and are unique per (contact, tag).
    """
    rule = definition.rule
    if rule is SegmentRule.EVERYONE:
        return int(query(conn, "SELECT count(*) FROM contact")[0][0])
    if rule is SegmentRule.STATIC:
        listed = sorted(definition.contacts)  # type: ignore[type-var]
        total = 0
        for chunk in chunks(listed):
            marks = ",".join("?" * len(chunk))
            total += int(query(conn, f"SELECT count(*) FROM contact WHERE id IN ({marks})", chunk)[0][0])
        return total
    if not definition.tags:
        return 0
    tags = sorted(definition.tags)  # type: ignore[type-var]
    if len(tags) == 1:  # any of one tag, all of one tag: its rows, one per contact (the table's key)
        return int(query(conn, "SELECT count(*) FROM contact_tag WHERE tag_id = ?", tags)[0][0])
    marks = ",".join("?" * len(tags))
    if rule is SegmentRule.TAGS_ANY:
        sql = f"SELECT count(DISTINCT contact_id) FROM contact_tag WHERE tag_id IN ({marks})"
        return int(query(conn, sql, tags)[0][0])
    sql = (
        "SELECT count(*) FROM (SELECT contact_id FROM contact_tag "
        f"WHERE tag_id IN ({marks}) GROUP BY contact_id HAVING count(*) = ?) AS tagged_with_all"
    )
    return int(query(conn, sql, [*tags, len(tags)])[0][0])


def load_contacts_with_tags(
    conn: Connection, contact_ids: Sequence[int] | None = None
) -> list[tuple[int, frozenset[int]]]:
    """(contact, its tag ids) in creation order: all contacts, or the ones given."""
    tags: dict[int, list[int]] = defaultdict(list)
    if contact_ids is None:
        ids = [c for (c,) in query(conn, "SELECT id FROM contact ORDER BY id")]
        for contact, tag in query(conn, "SELECT contact_id, tag_id FROM contact_tag"):
            tags[contact].append(tag)
    else:
        ids = sorted(set(contact_ids))
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            for contact, tag in query(
                conn, f"SELECT contact_id, tag_id FROM contact_tag WHERE contact_id IN ({marks})", chunk
            ):
                tags[contact].append(tag)
    return _with_tag_sets(ids, tags, {(): frozenset()})


def _with_tag_sets(
    ids: Sequence[int], tags: dict[int, list[int]], shared: dict[tuple[int, ...], frozenset[int]]
) -> list[tuple[int, frozenset[int]]]:
    """(contact, its tag ids) for each of ``ids``; many contacts share the same tags, so they share one set."""
    result = []
    for contact in ids:
        key = tuple(sorted(tags[contact])) if contact in tags else ()
        found = shared.get(key)
        if found is None:
            found = shared[key] = frozenset(key)
        result.append((contact, found))
    return result


PART = 50_000  # contacts enrolled and written at a time when a whole workspace enrolls


def contacts_in_parts(conn: Connection, size: int = PART) -> Iterator[list[tuple[int, frozenset[int]]]]:
    """:func:`load_contacts_with_tags` for every contact, ``size`` contacts at a time, in creation order.

    Two queries per part (its ids, then their tags by the contact_tag key's range), so a caller
    can write each part's rows before the next part is read: a million contacts never sit in memory
    with their tags at once (issue 16).
    """
    shared: dict[tuple[int, ...], frozenset[int]] = {(): frozenset()}
    ids = [c for (c,) in query(conn, "SELECT id FROM contact ORDER BY id LIMIT ?", (size,))]
    while ids:
        tags: dict[int, list[int]] = defaultdict(list)
        for contact, tag in query(
            conn, "SELECT contact_id, tag_id FROM contact_tag WHERE contact_id BETWEEN ? AND ?", (ids[0], ids[-1])
        ):
            tags[contact].append(tag)
        yield _with_tag_sets(ids, tags, shared)
        ids = [c for (c,) in query(conn, "SELECT id FROM contact WHERE id > ? ORDER BY id LIMIT ?", (ids[-1], size))]


def load_facts(conn: Connection, contact_ids: Sequence[int] | None = None) -> KnownFacts:
    """Overrides and interaction history, for all contacts or the ones given (R1, R2)."""
    overrides: dict[Hashable, int] = {}
    history: dict[Hashable, list[InteractionKey]] = defaultdict(list)
    if contact_ids is None:
        overrides.update(query(conn, "SELECT contact_id, sender_profile_id FROM override"))
        rows = query(conn, "SELECT contact_id, day, id, sender_profile_id FROM interaction")
    else:
        rows = []
        ids = sorted(set(contact_ids))
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            overrides.update(
                query(conn, f"SELECT contact_id, sender_profile_id FROM override WHERE contact_id IN ({marks})", chunk)
            )
            rows += query(
                conn,
                f"SELECT contact_id, day, id, sender_profile_id FROM interaction WHERE contact_id IN ({marks})",
                chunk,
            )
    for contact, day, recorded, profile in rows:
        history[contact].append((day, recorded, profile))
    return KnownFacts(overrides, dict(history))


def load_automation_branches_with_nodes(
    conn: Connection, automation_id: int
) -> tuple[list[dict[str, Any]], dict[int, list[Attachment]]]:
    """The branches as scenario parts, named by their Segment node, and each branch's roster by node."""
    branches = []
    rosters: dict[int, list[Attachment]] = {}
    titles = {n.id: n.title for n in load_nodes(conn, automation_id)}
    used: set[str] = set()
    for branch in load_branches(conn, automation_id):
        name = titles.get(branch.segment_node, "Branch")
        unique, n = name, 2
        while unique in used:
            unique, n = f"{name} ({n})", n + 1
        used.add(unique)
        branches.append(
            {
                "id": unique,
                "node": branch.profile_node,
                "segment": branch.rules.segment,
                "steps": branch.rules.chain.steps,
            }
        )
        rosters[branch.profile_node] = branch.rules.roster.attachments
    return branches, rosters
