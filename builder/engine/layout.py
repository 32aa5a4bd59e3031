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
