"""Auto-layout of an automation's graph, left to right, with networkx.

Each node goes in the column of its longest path from a start node; within a
column nodes follow the average row of what leads into them, so branches stay
in their own lanes. The canvas passes the column and row sizes it measured
from its font, so the layout holds on any screen.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence


def layered_layout(
    nodes: Sequence[Hashable],
    edges: Iterable[tuple[Hashable, Hashable]],
    *,
    column_width: float,
    row_height: float,
) -> dict[Hashable, tuple[float, float]]:
    """Positions (x, y) for every node; ``nodes`` order breaks ties."""
    import networkx as nx  # here, not on the way to the first frame

    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    order = {node: i for i, node in enumerate(nodes)}
    # A loop has no left and right: lay out the graph without the edges that close loops.
    acyclic = nx.DiGraph()
    acyclic.add_nodes_from(nodes)
    for source, target in graph.edges:
        acyclic.add_edge(source, target)
        if not nx.is_directed_acyclic_graph(acyclic):
            acyclic.remove_edge(source, target)

    column: dict[Hashable, int] = {}
    for node in nx.topological_sort(acyclic):
        column[node] = max((column[p] + 1 for p in acyclic.predecessors(node)), default=0)

    columns: dict[int, list[Hashable]] = {}
    for node in sorted(nodes, key=lambda n: (column[n], order[n])):
        columns.setdefault(column[node], []).append(node)

    row: dict[Hashable, float] = {}
    for index in sorted(columns):
        members = columns[index]

        def wanted(node: Hashable) -> tuple[float, int]:
            preds = [row[p] for p in acyclic.predecessors(node) if p in row]
            return (sum(preds) / len(preds) if preds else float("inf"), order[node])

        members.sort(key=wanted)
        taken: set[int] = set()
        for position, node in enumerate(members):
            target = wanted(node)[0]
            slot = round(target) if target != float("inf") else position
            while slot in taken:
                slot += 1
            taken.add(slot)
            row[node] = slot
    top = min(row.values(), default=0)
    return {node: (column[node] * column_width, (row[node] - top) * row_height) for node in nodes}


def tree_layout(
    nodes: Sequence[Hashable],
    edges: Iterable[tuple[Hashable, Hashable, int]],
    *,
    column_width: float,
    row_height: float,
) -> dict[Hashable, tuple[float, float]]:
    """Positions (x, y) laying paths out as trees, left to right (SPEC §10).

    ``edges`` are ``(source, target, rank)``: a control node's edges go in the
    order of its outputs (yes above no, variants in order). Each path that ends
    takes a row of its own; a node sits on the row of its first way on, so a
    line of steps stays straight. No two nodes share a column and a row, so
    cards no taller than ``row_height`` and narrower than ``column_width``
    never overlap. A start node (nothing leads in) begins each tree, in
    ``nodes`` order; what a loop hides from them is laid out after.
    """
    order = {node: i for i, node in enumerate(nodes)}
    children: dict[Hashable, list[tuple[int, int, Hashable]]] = {}
    has_parent: set[Hashable] = set()
    for index, (source, target, rank) in enumerate(edges):
        if source in order and target in order and source != target:
            children.setdefault(source, []).append((rank, index, target))
            has_parent.add(target)
    place: dict[Hashable, tuple[int, int]] = {}
    next_row = 0

    def lay(start: Hashable, column: int) -> None:
        nonlocal next_row
        # Iterative, so a long line of steps needs no deep recursion: (node, column, its children left).
        place[start] = (column, -1)
        stack: list[tuple[Hashable, int, list[Hashable]]] = [(start, column, _kids(start))]
        while stack:
            node, col, kids = stack[-1]
            if kids:
                kid = kids.pop(0)
                if kid not in place:
                    place[kid] = (col + 1, -1)
                    laid_by.setdefault(node, []).append(kid)
                    stack.append((kid, col + 1, _kids(kid)))
                continue
            stack.pop()
            first = next(iter(laid_by.get(node, [])), None)
            if first is None:
                place[node] = (col, next_row)
                next_row += 1
            else:
                place[node] = (col, place[first][1])

    laid_by: dict[Hashable, list[Hashable]] = {}

    def _kids(node: Hashable) -> list[Hashable]:
        return [t for _, _, t in sorted(children.get(node, []), key=lambda c: (c[0], c[1]))]

    for node in nodes:
        if node not in has_parent and node not in place:
            lay(node, 0)
    for node in nodes:  # only a loop hides these from every start
        if node not in place:
            lay(node, 0)
    return {node: (place[node][0] * column_width, place[node][1] * row_height) for node in nodes}
