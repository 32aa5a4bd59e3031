"""The pane's path tables (SPEC §10): how contacts split at each control node, and each contact's route.

A forecast holds a row per contact — a hundred thousand in a big workspace —
so the routes are a model that formats a row only when the view shows it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from builder.engine.paths import PathPlan
from builder.engine.preview import ContactRoute, ControlOutlook, NodeNames
from builder.store.workspace import Workspace

CONTROL_COLUMNS = ("Branch", "Node", "Kind", "Arrived", "Went", "Still waiting")
ROUTE_COLUMNS = ("Contact", "Name", "Branch", "Sender profile", "Status", "Route")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def control_rows(controls: list[ControlOutlook]) -> list[list[str]]:
    """One row a control node: ``yes 3 · no 1`` in Went, the contacts that wait there still in the last column."""
    return [
        [
            c.branch,
            c.name,
            c.kind.label,
            f"{c.arrived:,}",
            " · ".join(f"{output} {count:,}" for output, count in c.outputs),
            f"{c.waiting:,}",
        ]
        for c in controls
    ]


def fill_controls(table: QTableWidget, controls: list[ControlOutlook]) -> None:
    rows = control_rows(controls)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if c in (3, 5):
                item.setTextAlignment(RIGHT)
            table.setItem(r, c, item)


def route_row(route: ContactRoute) -> list[str]:
    return [route.contact, route.name, route.branch, route.profile or "—", route.status, route.route_text()]


class ContactRoutesModel(QAbstractTableModel):
    """Every enrollment of the forecast, with its route: formatted row by row as the view asks."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.routes: list[ContactRoute] = []

    def show_routes(self, routes: list[ContactRoute]) -> None:
        self.beginResetModel()
        self.routes = routes
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.routes)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ROUTE_COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        route = self.routes[index.row()]
        if index.column() == len(ROUTE_COLUMNS) - 1:
            return route.route_text() or "—"
        return route_row(route)[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return ROUTE_COLUMNS[section]
        return None


def canvas_names(workspace: Workspace, automation_id: int) -> NodeNames:
    """Each step's title on the canvas, by (branch id, address): how the routes name the control nodes."""
    titles = {node.id: node.title for node in workspace.nodes(automation_id)}
    branch_ids = workspace.branch_names(automation_id)
    names: NodeNames = {}
    for path in workspace.branch_paths(automation_id):
        branch = branch_ids.get(int(path.sender_profile))  # type: ignore[call-overload]
        if branch is None:
            continue
        plan = PathPlan.of(path.steps)
        for node, node_id in zip(plan.nodes, path.node_ids, strict=False):  # both in preorder
            names[(branch, node.address)] = titles.get(node_id, "")  # type: ignore[call-overload]
    return names
